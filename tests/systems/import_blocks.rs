//! `import_blocks`: the ready prefix into the store, with or without a checkpoint.

use crate::support::{assert_consistent, fx, range_of, small, stages};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Commit, Layout, NOW, count, run_system};
use ecsync_components::ecs::{PendingBlock, ReadyToImport};
use ecsync_components::resources::{Buffer, CheckpointState, Clock, EngineCounters, SyncProgress};
use ecsync_components::{Checkpoint, Failure, SyncState};
use ecsync_systems::import_blocks;

#[test]
fn import_blocks_checkpoints_the_head_alone_when_nothing_is_ready() {
    let mut built = small(Layout {
        pending: 2,
        ready: 40,
        validated: 8,
        ..Layout::small()
    });
    run_system(&mut built.engine, import_blocks);
    // The ready blocks went without a checkpoint (not due); nothing is ready now.
    let head = built.engine.head().height;
    assert!(head > 0);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<CheckpointState>().blocks_since, head);
    world.resource_mut::<CheckpointState>().due = true;
    world.resource_mut::<Clock>().now_ms = NOW + 5;
    let target = world.resource::<SyncProgress>().target;
    run_system(&mut built.engine, import_blocks);
    let block = &fx().blocks[head as usize];
    let checkpoint = Checkpoint::of(block, block.hash(), NOW + 5, target);
    assert_eq!(
        built.store.commits().last(),
        Some(&Commit {
            first: None,
            blocks: 0,
            checkpoint: Some(checkpoint),
        })
    );
    let state = built
        .engine
        .world_mut()
        .resource::<CheckpointState>()
        .clone();
    assert_eq!(
        (state.blocks_since, state.due, state.last),
        (0, false, Some(checkpoint))
    );
    assert_eq!(built.engine.status().durable_height, head);
    assert_consistent(&mut built.engine);
}

#[test]
fn import_blocks_commits_the_ready_prefix_in_one_transaction_and_shrinks_the_range() {
    let mut built = small(Layout {
        pending: 3,
        ready: 40,
        validated: 8,
        ..Layout::small()
    });
    let [first, second, third] = built.pending[..] else {
        panic!("three ranges")
    };
    built
        .engine
        .world_mut()
        .resource_mut::<CheckpointState>()
        .due = true;

    let target = built.engine.world_mut().resource::<SyncProgress>().target;
    run_system(&mut built.engine, import_blocks);

    let block = &fx().blocks[40];
    let checkpoint = Checkpoint::of(block, block.hash(), NOW, target);
    let head = checkpoint.head;
    assert_eq!(
        built.store.commits(),
        [Commit {
            first: Some(1),
            blocks: 40,
            checkpoint: Some(checkpoint),
        }],
        "ONE transaction: the blocks, the head and the checkpoint"
    );
    assert_eq!(built.engine.head(), head);
    let store = built.engine.store();
    assert_eq!(store.head().expect("head"), head);
    assert_eq!(
        store.block(40).expect("read"),
        Some(fx().blocks[40].clone())
    );
    assert_eq!(store.latest_checkpoint().expect("read"), Some(checkpoint));
    let world = built.engine.world_mut();
    let counters = world.resource::<EngineCounters>();
    assert_eq!((counters.blocks_imported, counters.import_commits), (40, 1));
    assert!(world.get_entity(first).is_err());
    assert!(world.get_entity(second).is_err());
    assert_eq!(range_of(world, third), (41, 8));
    assert_eq!(
        stages(world, third),
        (41..=48).map(|h| (h, "validated")).collect::<Vec<_>>()
    );
    assert_eq!(count::<With<PendingBlock>>(world), 8);
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks), (fx().bytes(41, 49), 8));
    let cp = world.resource::<CheckpointState>();
    assert_eq!((cp.due, cp.blocks_since, cp.written), (false, 0, 1));
    assert_eq!(world.resource::<SyncProgress>().last_progress_ms, NOW);
    assert_consistent(&mut built.engine);
}

#[test]
fn import_blocks_fails_the_engine_when_the_store_fails() {
    let mut built = small(Layout {
        pending: 1,
        ready: 16,
        ..Layout::small()
    });
    built.store.fail_imports(true);

    run_system(&mut built.engine, import_blocks);

    assert!(built.store.commits().is_empty());
    assert_eq!(built.engine.head().height, 0);
    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(progress.state, SyncState::Failed);
    assert!(
        matches!(progress.failure, Some(Failure::Import { height: 1, .. })),
        "{:?}",
        progress.failure
    );
    assert_eq!(
        count::<With<ReadyToImport>>(world),
        16,
        "nothing left the world"
    );
    assert_eq!(world.resource::<EngineCounters>().blocks_imported, 0);
    assert_consistent(&mut built.engine);
}

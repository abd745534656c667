//! `sequence_blocks`: validated blocks linked in order, ready to import.

use crate::support::{
    assert_consistent, failed_peers, heights_in, invalid_block_height, small, stages, state,
};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, build, count, run_system, take_outcomes};
use ecsync_components::ecs::{AwaitingImport, Downloaded, PendingBlock, ReadyToImport, Validated};
use ecsync_components::resources::EngineCounters;
use ecsync_components::{Hash32, Offence, OutcomeKind, PeerId, SyncConfig};
use ecsync_systems::transitions::RangeState;
use ecsync_systems::{sequence_blocks, transitions};

#[test]
fn sequence_blocks_links_validated_blocks_in_order_up_to_the_import_batch() {
    let mut built = small(Layout {
        pending: 3,
        validated: 40,
        ..Layout::small()
    });
    run_system(&mut built.engine, sequence_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        heights_in::<ReadyToImport>(world),
        (1..=40).collect::<Vec<_>>(),
        "up to the first block not validated"
    );
    assert_eq!(
        heights_in::<Downloaded>(world),
        (41..=48).collect::<Vec<_>>()
    );
    assert_consistent(&mut built.engine);

    let config = SyncConfig {
        import_batch: 24,
        ..SyncConfig::default()
    };
    let mut built = build(
        Layout {
            pending: 3,
            validated: 48,
            ..Layout::small()
        },
        config,
    );
    for _ in 0..2 {
        run_system(&mut built.engine, sequence_blocks);
        let world = built.engine.world_mut();
        assert_eq!(
            heights_in::<ReadyToImport>(world),
            (1..=24).collect::<Vec<_>>(),
            "at most import_batch ready"
        );
    }
    assert_eq!(
        built
            .engine
            .world_mut()
            .resource::<EngineCounters>()
            .blocks_rejected,
        0
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn sequence_blocks_waits_for_the_range_at_the_frontier() {
    let mut built = small(Layout {
        pending: 2,
        validated: 32,
        ..Layout::small()
    });
    transitions::fail_range(built.engine.world_mut(), built.pending[0], None);
    run_system(&mut built.engine, sequence_blocks);
    let world = built.engine.world_mut();
    assert_eq!(count::<With<ReadyToImport>>(world), 0);
    assert_eq!(count::<With<Validated>>(world), 16);
    assert_consistent(&mut built.engine);
}

#[test]
fn sequence_blocks_rejects_a_range_that_does_not_link() {
    let mut built = small(Layout {
        pending: 3,
        validated: 48,
        ..Layout::small()
    });
    let [first, bad, third] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    let block = world.get::<AwaitingImport>(bad).expect("downloaded").blocks[3];
    world
        .get_mut::<PendingBlock>(block)
        .expect("pending")
        .block_mut()
        .block
        .header
        .parent_hash = Hash32([0; 32]);

    run_system(&mut built.engine, sequence_blocks);

    let world = built.engine.world_mut();
    assert_eq!(
        stages(world, first),
        (1..=16).map(|h| (h, "ready")).collect::<Vec<_>>()
    );
    assert_eq!(state(world, bad), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, bad), [PeerId(2)]);
    assert_eq!(
        stages(world, third),
        (33..=48).map(|h| (h, "validated")).collect::<Vec<_>>()
    );
    let counters = world.resource::<EngineCounters>();
    // A break inside a range (its parent is a pending block, not our head) is no conflict with our chain.
    assert_eq!((counters.blocks_rejected, counters.chain_conflicts), (1, 0));
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].peer, built.peers[1]);
    assert_eq!(invalid_block_height(&outcomes[0]), Some(20));
    assert_consistent(&mut built.engine);
}

#[test]
fn sequence_blocks_keeps_our_chain_when_a_signed_block_at_the_frontier_is_on_another_branch() {
    let mut built = small(Layout {
        pending: 2,
        validated: 32,
        ..Layout::small()
    });
    let first = built.pending[0];
    let world = built.engine.world_mut();
    // Block 1 names another parent than our head (genesis): another branch.
    let block = world
        .get::<AwaitingImport>(first)
        .expect("downloaded")
        .blocks[0];
    world
        .get_mut::<PendingBlock>(block)
        .expect("pending")
        .block_mut()
        .block
        .header
        .parent_hash = Hash32([9; 32]);

    run_system(&mut built.engine, sequence_blocks);

    let world = built.engine.world_mut();
    assert_eq!(state(world, first), Some(RangeState::AwaitingDownload));
    assert_eq!(
        count::<With<ReadyToImport>>(world),
        0,
        "nothing of it imports"
    );
    let counters = world.resource::<EngineCounters>();
    assert_eq!((counters.chain_conflicts, counters.blocks_rejected), (1, 1));
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[0].kind, OutcomeKind::Invalid(Offence::Block { rule, .. }) if rule.starts_with("conflicting chain")),
        "{outcomes:?}"
    );
    assert_consistent(&mut built.engine);
}

//! `sequential_sync`: the one-peer, block-by-block mode.

use crate::support::{assert_consistent, fx, invalid_block_height, load, range_of};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{
    Built, Commit, Layout, NOW, build, count, entities, run_system, take_outcomes,
};
use ecsync_components::ecs::{Delivered, Downloading, Range};
use ecsync_components::resources::{EngineCounters, Outbox, SequentialState};
use ecsync_components::{OutcomeKind, PeerId, PeerOutcome, Request, RequestId, SyncConfig};
use ecsync_systems::{sequential_sync, transitions};

/// A sequential engine that asked peer 1 for blocks 1..=1024 and got `answer`.
fn sequential_answered(answer: Vec<Vec<u8>>) -> (Built, Entity) {
    let mut built = build(Layout::small(), SyncConfig::sequential());
    run_system(&mut built.engine, sequential_sync);
    let world = built.engine.world_mut();
    let ranges = entities::<With<Range>>(world);
    let [range] = ranges[..] else {
        panic!("one range")
    };
    transitions::deliver(
        world,
        range,
        Delivered {
            blocks: answer,
            at_ms: NOW + 200,
        },
    )
    .expect("a download");
    world.resource_mut::<Outbox>().0.clear();
    (built, range)
}

#[test]
fn sequential_sync_asks_one_peer_for_the_next_1024_blocks() {
    let mut built = build(Layout::small(), SyncConfig::sequential());
    run_system(&mut built.engine, sequential_sync);
    let world = built.engine.world_mut();
    let ranges = entities::<With<Range>>(world);
    let [range] = ranges[..] else {
        panic!("one range")
    };
    assert_eq!(range_of(world, range), (1, 1024));
    let dl = *world.get::<Downloading>(range).expect("downloading");
    assert_eq!((dl.peer, dl.reserved_bytes), (built.peers[0], 0));
    assert_eq!(
        world.resource::<Outbox>().0,
        [Request::BlocksByRange {
            peer: PeerId(1),
            request: RequestId(1),
            start: 1,
            count: 1024,
            max_bytes: ecsync_components::MAX_RESPONSE_BYTES,
        }]
    );
    assert_eq!(world.resource::<SequentialState>().peer, Some(PeerId(1)));
    assert_eq!(load(world, built.peers[0]), 1);
    assert_consistent(&mut built.engine);

    // Waiting for the answer: nothing more.
    run_system(&mut built.engine, sequential_sync);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<Outbox>().0.len(), 1);
    assert_eq!(count::<With<Range>>(world), 1);
}

#[test]
fn sequential_sync_imports_an_answer_block_by_block() {
    let (mut built, range) = sequential_answered(fx().encodings(1, 101));

    run_system(&mut built.engine, sequential_sync);

    assert_eq!(built.engine.head(), fx().chain.block_ref(100));
    let commits = built.store.commits();
    assert_eq!(commits.len(), 100, "one transaction per block");
    assert!(commits.iter().enumerate().all(|(i, c)| {
        *c == Commit {
            first: Some(i as u64 + 1),
            blocks: 1,
            checkpoint: None,
        }
    }));
    let world = built.engine.world_mut();
    assert!(world.get_entity(range).is_err(), "the range is over");
    assert_eq!(load(world, built.peers[0]), 0);
    let counters = world.resource::<EngineCounters>();
    assert_eq!(
        (counters.blocks_imported, counters.import_commits),
        (100, 100)
    );
    let seq = world.resource::<SequentialState>();
    assert!(seq.round_over, "a short answer ends the round");
    assert_eq!(seq.tries, 0);
    assert!(matches!(
        take_outcomes(world)[..],
        [PeerOutcome {
            kind: OutcomeKind::Served {
                blocks: 100,
                latency_ms: 200,
                ..
            },
            ..
        }]
    ));
    assert_consistent(&mut built.engine);
}

#[test]
fn sequential_sync_stops_at_a_bad_block_and_counts_a_failed_try() {
    let mut answer = fx().encodings(1, 11);
    let mut bad = fx().blocks[6].clone();
    bad.approval.signature = fx().blocks[7].approval.signature;
    answer[5] = bad.encode();
    let (mut built, _) = sequential_answered(answer);

    run_system(&mut built.engine, sequential_sync);

    assert_eq!(built.engine.head(), fx().chain.block_ref(5));
    assert_eq!(built.store.commits().len(), 5);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<SequentialState>().tries, 1);
    assert_eq!(world.resource::<EngineCounters>().blocks_rejected, 1);
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 2);
    assert!(matches!(
        outcomes[0].kind,
        OutcomeKind::Served { blocks: 5, .. }
    ));
    assert_eq!(invalid_block_height(&outcomes[1]), Some(6));
    assert_eq!(count::<With<Range>>(world), 0);
    assert_consistent(&mut built.engine);
}

//! `validate_blocks`: signature and rule checks, off the tick, and what a bad block costs its range.

use crate::support::{
    assert_consistent, corrupt_signature, failed_peers, fx, heights_in, invalid_block_height,
    small, stages, state, validate_now, world_write_outcomes,
};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, build, count, run_system, take_outcomes};
use ecsync_components::ecs::{
    AwaitingImport, Downloaded, Peer, PendingBlock, Validated, Validating,
};
use ecsync_components::resources::{
    Buffer, Clock, EngineCounters, Observations, PeerRecords, Spec,
};
use ecsync_components::{PeerId, SyncConfig};
use ecsync_systems::consensus::{Authorities, Verifier};
use ecsync_systems::resources::ValidationJobs;
use ecsync_systems::transitions::RangeState;
use ecsync_systems::validate_blocks::{Check, validate_chunk};
use ecsync_systems::{score_peers, transitions, validate_blocks};

#[test]
fn a_job_is_split_evenly_across_the_workers() {
    use ecsync_systems::validate_blocks::{MIN_CHUNK, chunk_size};
    // Enough for every worker: full signature batches.
    assert_eq!(chunk_size(256, 2, 64), 64);
    assert_eq!(chunk_size(128, 2, 64), 64);
    // Too few: split evenly, so no worker waits.
    assert_eq!(chunk_size(64, 2, 64), 32);
    assert_eq!(chunk_size(100, 2, 64), 50);
    assert_eq!(chunk_size(64, 4, 64), MIN_CHUNK);
    // An odd number of batches: spread so that each worker gets as much (the last job of a sync).
    assert_eq!(chunk_size(160, 2, 64), 40);
    assert_eq!(chunk_size(192, 2, 64), 48);
    assert_eq!(chunk_size(320, 4, 64), 40);
    assert_eq!(chunk_size(0, 2, 64), MIN_CHUNK);
    // Never below MIN_CHUNK (the pairing's fixed cost would dominate), never above the batch.
    assert_eq!(chunk_size(20, 8, 64), MIN_CHUNK);
    assert_eq!(chunk_size(5, 8, 4), 4);
    assert_eq!(chunk_size(1, 0, 64), MIN_CHUNK);
}

#[test]
fn validate_blocks_validates_the_lowest_downloaded_blocks_one_tick_later() {
    let config = SyncConfig {
        validate_per_tick: 40,
        signature_batch: 8,
        ..SyncConfig::default()
    };
    assert_eq!(config.validation_in_flight, 1, "the default pipeline");
    let mut built = build(
        Layout {
            pending: 3,
            ..Layout::small()
        },
        config,
    );

    // The first run hands the lowest 40 to a job; nothing is validated yet.
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        heights_in::<Validating>(world),
        (1..=40).collect::<Vec<_>>()
    );
    assert_eq!(
        heights_in::<Downloaded>(world),
        (41..=48).collect::<Vec<_>>()
    );
    assert_eq!(world.resource::<EngineCounters>().blocks_validated, 0);
    assert_consistent(&mut built.engine);

    // The next hands out the rest, then takes the first job's results.
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=40).collect::<Vec<_>>());
    assert_eq!(
        heights_in::<Validating>(world),
        (41..=48).collect::<Vec<_>>()
    );
    let counters = world.resource::<EngineCounters>();
    assert_eq!(
        (counters.blocks_validated, counters.blocks_rejected),
        (40, 0)
    );
    assert!(take_outcomes(world).is_empty());
    let batches: Vec<u32> = world
        .resource::<Observations>()
        .validation
        .iter()
        .map(|v| v.1)
        .collect();
    assert_eq!(
        batches,
        [8, 8, 8, 8, 8],
        "one observation per signature batch"
    );
    assert_consistent(&mut built.engine);

    // A run with nothing new to hand out still takes the last job.
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=48).collect::<Vec<_>>());
    assert_eq!(world.resource::<ValidationJobs>().jobs.len(), 0);
    assert_consistent(&mut built.engine);
}

#[test]
fn validate_blocks_drops_the_results_of_blocks_whose_range_went_meanwhile() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let [first, bad, third] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    // The middle range holds a bad block, but it fails for another reason while its job runs.
    assert_eq!(corrupt_signature(world, bad, 3), 20);
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(count::<With<Validating>>(world), 48);
    transitions::fail_range(world, bad, None);
    transitions::fail_range(world, third, None);
    assert_consistent(&mut built.engine);

    run_system(&mut built.engine, validate_blocks);

    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=16).collect::<Vec<_>>());
    assert_eq!(stages(world, first).len(), 16);
    assert!(
        take_outcomes(world).is_empty(),
        "nobody is blamed for a block that is no longer there"
    );
    let counters = world.resource::<EngineCounters>();
    assert_eq!(
        (
            counters.blocks_validated,
            counters.blocks_rejected,
            counters.transition_errors
        ),
        (16, 0, 0)
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn validate_blocks_within_the_tick_when_no_job_may_stay_in_flight() {
    let config = SyncConfig {
        validation_in_flight: 0,
        ..SyncConfig::default()
    };
    let mut built = build(
        Layout {
            pending: 3,
            ..Layout::small()
        },
        config,
    );
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=48).collect::<Vec<_>>());
    assert_eq!(world.resource::<ValidationJobs>().jobs.len(), 0);
    assert_consistent(&mut built.engine);
}

#[test]
fn validate_blocks_rejects_the_whole_range_of_a_bad_signature_and_blames_its_peer() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let [first, bad, third] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    let bad_blocks = world
        .get::<AwaitingImport>(bad)
        .expect("downloaded")
        .blocks
        .clone();
    let served_by = world.get::<AwaitingImport>(bad).expect("downloaded").peer;
    assert_eq!(served_by, built.peers[1]);
    // Block 20, the fourth of 17..33.
    assert_eq!(corrupt_signature(world, bad, 3), 20);

    validate_now(&mut built.engine);

    let world = built.engine.world_mut();
    assert_eq!(state(world, bad), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, bad), [PeerId(2)]);
    assert!(
        bad_blocks.iter().all(|&b| world.get_entity(b).is_err()),
        "no block of the bad range is left, none advanced"
    );
    let validated: Vec<u64> = (1..=16).chain(33..=48).collect();
    assert_eq!(heights_in::<Validated>(world), validated);
    assert_eq!(count::<With<Downloaded>>(world), 0);
    assert_eq!(stages(world, first).len(), 16);
    assert_eq!(stages(world, third).len(), 16);
    let counters = world.resource::<EngineCounters>();
    assert_eq!(
        (counters.blocks_validated, counters.blocks_rejected),
        (32, 1)
    );
    let buffer = *world.resource::<Buffer>();
    assert_eq!(
        (buffer.bytes, buffer.blocks),
        (fx().bytes(1, 17) + fx().bytes(33, 49), 32)
    );
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].peer, served_by);
    assert_eq!(invalid_block_height(&outcomes[0]), Some(20));
    assert_consistent(&mut built.engine);

    // The outcome bans exactly that peer.
    world_write_outcomes(&mut built.engine, outcomes);
    run_system(&mut built.engine, score_peers);
    let world = built.engine.world_mut();
    let banned: Vec<PeerId> = world
        .resource::<PeerRecords>()
        .0
        .iter()
        .filter(|(_, r)| r.is_banned(NOW))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(banned, [PeerId(2)]);
    assert!(world.get_entity(served_by).is_err());
    assert_eq!(count::<With<Peer>>(world), 3);
    assert_consistent(&mut built.engine);
}

#[test]
fn validate_blocks_holds_blocks_from_slots_that_have_not_begun_without_blame() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let world = built.engine.world_mut();
    let spec = world.resource::<Spec>().0.clone();
    // Our clock lags: block 17's slot begins 1 ms from now; clocks may differ by an hour.
    let slot_17 = fx().chain.block_ref(17).slot;
    let lagging = spec.slot_start_ms(slot_17) - 1;
    world.resource_mut::<Clock>().now_ms = lagging;
    world.resource_mut::<SyncConfig>().max_clock_skew_ms = 3_600_000;

    validate_now(&mut built.engine);

    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=16).collect::<Vec<_>>());
    assert_eq!(
        heights_in::<Downloaded>(world),
        (17..=48).collect::<Vec<_>>()
    );
    assert!(take_outcomes(world).is_empty(), "nobody is blamed");
    let counters = world.resource::<EngineCounters>();
    assert_eq!((counters.blocks_rejected, counters.ranges_held), (0, 2));

    // Once the clock reaches their slots, they validate.
    let slot_48 = fx().chain.block_ref(48).slot;
    world.resource_mut::<Clock>().now_ms = spec.slot_start_ms(slot_48);
    validate_now(&mut built.engine);
    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=48).collect::<Vec<_>>());
    assert_eq!(world.resource::<EngineCounters>().ranges_held, 0);
    assert_consistent(&mut built.engine);
}

#[test]
fn validate_chunk_stops_checking_a_range_at_its_first_bad_block() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let [_, bad, _] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    // Blocks 20 and 25 of 17..33 are bad.
    assert_eq!(corrupt_signature(world, bad, 3), 20);
    assert_eq!(corrupt_signature(world, bad, 8), 25);
    let spec = world.resource::<Spec>().0.clone();
    let keys = Authorities::from_spec(&spec).expect("keys");
    let mut q = world.query::<&PendingBlock>();
    let mut pending: Vec<&PendingBlock> = q.iter(world).collect();
    pending.sort_by_key(|p| p.height());

    let results = validate_chunk(&spec, &keys, Verifier::default(), NOW, &pending);

    let by_height = |h: u64| &results[(h - 1) as usize];
    assert!(
        (1..=19)
            .chain(33..=48)
            .all(|h| *by_height(h) == Check::Valid)
    );
    assert!(matches!(by_height(20), Check::Invalid(_)));
    assert!(
        (21..=32).all(|h| *by_height(h) == Check::Skipped),
        "{results:?}"
    );
}

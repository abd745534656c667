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
use ecsync_components::{PeerId, SignedBlock, SyncConfig, VerifyMode};
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
        anchored_per_tick: 40,
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
fn full_verification_rejects_the_whole_range_of_a_bad_signature_and_blames_its_peer() {
    let mut built = three_ranges(VerifyMode::Full);
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
    // Block 20's signature, and block 21, whose parent approval is not the one 20 was served with.
    let counters = world.resource::<EngineCounters>();
    assert_eq!(
        (counters.blocks_validated, counters.blocks_rejected),
        (32, 2)
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

/// Pending block `index` of `range` changed by `change`, as a server would serve it: its hash is the changed
/// header's, its encoding the changed block's (of the same size). Returns its height.
fn tamper(
    world: &mut World,
    range: Entity,
    index: usize,
    change: impl FnOnce(&mut SignedBlock),
) -> u64 {
    let block = world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks[index];
    let mut p = world.get_mut::<PendingBlock>(block).expect("pending");
    change(p.block_mut());
    p.hash = p.block.hash();
    let bytes = p.block.encode();
    assert_eq!(bytes.len(), p.bytes.len(), "the same size");
    p.bytes = bytes.into();
    p.height()
}

/// Three downloaded ranges of 16 blocks (1..=48), verified as `verify` says.
fn three_ranges(verify: VerifyMode) -> ecsync::testing::world::Built {
    build(
        Layout {
            pending: 3,
            ..Layout::small()
        },
        SyncConfig {
            verify,
            ..SyncConfig::default()
        },
    )
}

/// The rule of the one outcome in `outcomes` blaming a block at `height`.
fn blamed_rule(outcomes: &[ecsync_components::PeerOutcome], height: u64) -> String {
    use ecsync_components::{Offence, OutcomeKind};
    let rules: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match &o.kind {
            OutcomeKind::Invalid(Offence::Block { height: h, rule }) if *h == height => {
                Some(rule.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(rules.len(), 1, "one blame at {height}: {outcomes:?}");
    rules[0].clone()
}

#[test]
fn anchored_plans_verify_each_ranges_top_and_full_plans_every_block() {
    use ecsync_systems::validate_blocks::{Below, Selected, plans};
    let mut built = three_ranges(VerifyMode::Anchored);
    let pending = built.pending.clone();
    let world: &World = built.engine.world_mut();
    let entities: Vec<Entity> = pending
        .iter()
        .flat_map(|&r| {
            world
                .get::<AwaitingImport>(r)
                .expect("downloaded")
                .blocks
                .clone()
        })
        .collect();
    let block = |e: Entity| world.get::<PendingBlock>(e).expect("pending");
    // Every block, each with the block below it in its range (none for a range's first).
    let selected: Vec<Selected> = entities
        .iter()
        .enumerate()
        .map(|(i, &e)| Selected {
            entity: e,
            block: block(e),
            below: (i % 16 != 0).then(|| block(entities[i - 1])),
        })
        .collect();
    let anchored = plans(&selected, VerifyMode::Anchored);
    let verified: Vec<u64> = (0..48)
        .filter(|&i| anchored[i].verify)
        .map(|i| i as u64 + 1)
        .collect();
    assert_eq!(verified, [16, 32, 48], "the top of each range");
    for (i, plan) in anchored.iter().enumerate() {
        let below = (i % 16 != 0).then(|| Below::of(block(entities[i - 1])));
        assert_eq!(plan.below, below, "block {}", i + 1);
    }
    let full = plans(&selected, VerifyMode::Full);
    assert!(full.iter().all(|p| p.verify), "every block");
    assert!(full.iter().zip(&anchored).all(|(f, a)| f.below == a.below));
    // A job holding part of a range: the top of that part is its last block in the job.
    let part = plans(&selected[..24], VerifyMode::Anchored);
    let verified: Vec<usize> = (0..24).filter(|&i| part[i].verify).map(|i| i + 1).collect();
    assert_eq!(verified, [16, 24]);
}

#[test]
fn validate_planned_verifies_only_the_approvals_its_plan_names() {
    use ecsync_systems::validate_blocks::{Plan, validate_planned};
    let mut built = three_ranges(VerifyMode::Anchored);
    let bad = built.pending[1];
    let world = built.engine.world_mut();
    assert_eq!(corrupt_signature(world, bad, 3), 20);
    let spec = world.resource::<Spec>().0.clone();
    let keys = Authorities::from_spec(&spec).expect("keys");
    let mut q = world.query::<&PendingBlock>();
    let mut pending: Vec<&PendingBlock> = q.iter(world).collect();
    pending.sort_by_key(|p| p.height());
    let unverified = Plan {
        verify: false,
        below: None,
    };
    let check = |plan_20: &Plan| {
        let planned: Vec<(&PendingBlock, &Plan)> = pending
            .iter()
            .map(|p| {
                (
                    *p,
                    if p.height() == 20 {
                        plan_20
                    } else {
                        &unverified
                    },
                )
            })
            .collect();
        validate_planned(&spec, &keys, Verifier::default(), NOW, &planned)
    };
    assert!(check(&unverified).iter().all(|c| *c == Check::Valid));
    let results = check(&Plan::ALONE);
    assert_eq!(
        results[19],
        Check::Invalid(ecsync_systems::consensus::BlockError::BadSignature)
    );
    // The others hold on their own (checked before the batch failed): the range decides.
    assert_eq!(results.iter().filter(|c| **c == Check::Valid).count(), 47);
}

#[test]
fn anchored_validation_rejects_a_bad_top_signature_and_blames_its_peer() {
    let mut built = three_ranges(VerifyMode::Anchored);
    let [first, bad, third] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    // Block 32: the last of 17..=32, its range's top.
    assert_eq!(corrupt_signature(world, bad, 15), 32);

    validate_now(&mut built.engine);

    let world = built.engine.world_mut();
    assert_eq!(state(world, bad), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, bad), [PeerId(2)]);
    let validated: Vec<u64> = (1..=16).chain(33..=48).collect();
    assert_eq!(heights_in::<Validated>(world), validated);
    assert_eq!(
        (stages(world, first).len(), stages(world, third).len()),
        (16, 16)
    );
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        blamed_rule(&outcomes, 32),
        "aggregate signature does not verify"
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn both_modes_reject_a_block_that_does_not_link_to_the_one_below_it() {
    for mode in [VerifyMode::Anchored, VerifyMode::Full] {
        let mut built = three_ranges(mode);
        let [_, second, third] = built.pending[..] else {
            panic!("three ranges")
        };
        let world = built.engine.world_mut();
        // Block 20 names another parent; block 36 has another state root, so 37 does not link to it.
        let wrong_parent = tamper(world, second, 3, |b| {
            b.block.header.parent_hash = ecsync_components::Hash32([0xbb; 32]);
        });
        let changed = tamper(world, third, 3, |b| {
            b.block.header.state_root = ecsync_components::Hash32([0xcc; 32]);
        });
        assert_eq!((wrong_parent, changed), (20, 36));

        validate_now(&mut built.engine);

        let world = built.engine.world_mut();
        assert_eq!(
            heights_in::<Validated>(world),
            (1..=16).collect::<Vec<_>>(),
            "{mode:?}"
        );
        assert_eq!(state(world, second), Some(RangeState::AwaitingDownload));
        assert_eq!(state(world, third), Some(RangeState::AwaitingDownload));
        let outcomes = take_outcomes(world);
        assert_eq!(outcomes.len(), 2, "{mode:?}: {outcomes:?}");
        assert!(
            blamed_rule(&outcomes, 20).contains("parent hash"),
            "{mode:?}"
        );
        // Full mode verifies 36's approval (over its old header) before 37's link decides.
        let at_36 = mode == VerifyMode::Full;
        let rule = blamed_rule(&outcomes, if at_36 { 36 } else { 37 });
        assert!(
            rule.contains(if at_36 {
                "does not verify"
            } else {
                "parent hash"
            }),
            "{mode:?}: {rule}"
        );
        assert_consistent(&mut built.engine);
    }
}

#[test]
fn a_range_split_across_jobs_links_its_next_part_to_the_block_below_it() {
    let mut built = build(
        Layout {
            pending: 3,
            ..Layout::small()
        },
        SyncConfig {
            anchored_per_tick: 24,
            signature_batch: 8,
            ..SyncConfig::default()
        },
    );
    let second = built.pending[1];
    let world = built.engine.world_mut();
    // Block 25: the first of 17..=32 in the second job; it names another parent than block 24, of the first.
    let height = tamper(world, second, 8, |b| {
        b.block.header.parent_hash = ecsync_components::Hash32([0xbb; 32]);
    });
    assert_eq!(height, 25);
    run_system(&mut built.engine, validate_blocks);
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(heights_in::<Validated>(world), (1..=24).collect::<Vec<_>>());
    assert!(take_outcomes(world).is_empty());

    run_system(&mut built.engine, validate_blocks);

    let world = built.engine.world_mut();
    // Blamed at 25 (its link to 24), not at 26 (whose link to 25 breaks too).
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(blamed_rule(&outcomes, 25).contains("parent hash"));
    assert_eq!(state(world, second), Some(RangeState::AwaitingDownload));
    let validated: Vec<u64> = (1..=16).chain(33..=48).collect();
    assert_eq!(heights_in::<Validated>(world), validated);
    assert_consistent(&mut built.engine);
}

#[test]
fn both_modes_reject_a_block_below_the_top_served_with_another_blocks_approval() {
    for mode in [VerifyMode::Anchored, VerifyMode::Full] {
        let mut built = three_ranges(mode);
        let second = built.pending[1];
        let world = built.engine.world_mut();
        // Block 20 carries block 19's approval: a valid quorum aggregate, of another block.
        let donor = fx().blocks[19].approval.clone();
        assert_eq!(tamper(world, second, 3, |b| b.approval = donor), 20);

        validate_now(&mut built.engine);

        let world = built.engine.world_mut();
        let validated: Vec<u64> = (1..=16).chain(33..=48).collect();
        assert_eq!(heights_in::<Validated>(world), validated, "{mode:?}");
        assert_eq!(state(world, second), Some(RangeState::AwaitingDownload));
        let outcomes = take_outcomes(world);
        assert_eq!(outcomes.len(), 1, "{mode:?}: {outcomes:?}");
        let rule = if mode == VerifyMode::Full {
            // Its own signature, checked first.
            blamed_rule(&outcomes, 20)
        } else {
            // Never verified: the approval block 21 commits to tells.
            blamed_rule(&outcomes, 21)
        };
        let expected = if mode == VerifyMode::Full {
            "aggregate signature does not verify"
        } else {
            "the approval of block 20 is not the one its child commits to"
        };
        assert_eq!(rule, expected, "{mode:?}");
        assert_consistent(&mut built.engine);
    }
}

#[test]
fn a_range_split_across_jobs_takes_only_the_canonical_approval_at_the_seam() {
    use ecsync_systems::chaingen::GenParams;
    use ecsync_systems::consensus::Federation;
    let mut built = build(
        Layout {
            pending: 3,
            ..Layout::small()
        },
        SyncConfig {
            anchored_per_tick: 24,
            ..SyncConfig::default()
        },
    );
    let second = built.pending[1];
    let world = built.engine.world_mut();
    // Block 24, the top of the first job's part of 17..=32, carries a valid approval by another quorum than the
    // one block 25 commits to.
    let federation = Federation::from_seed(
        ecsync::testing::world::FIXTURE_SEED,
        GenParams::default().authorities,
    );
    let canonical = fx().blocks[24].approval.clone();
    let other_quorum = if canonical.approvers == 0b1110 {
        0b0111
    } else {
        0b1110
    };
    let other = federation.approve(24, canonical.round, &fx().chain.hashes[24], other_quorum);
    assert_eq!(tamper(world, second, 7, |b| b.approval = other), 24);
    run_system(&mut built.engine, validate_blocks);
    run_system(&mut built.engine, validate_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        heights_in::<Validated>(world),
        (1..=24).collect::<Vec<_>>(),
        "24's approval verifies"
    );
    assert!(take_outcomes(world).is_empty());

    run_system(&mut built.engine, validate_blocks);

    let world = built.engine.world_mut();
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(
        blamed_rule(&outcomes, 25),
        "the approval of block 24 is not the one its child commits to"
    );
    assert_eq!(state(world, second), Some(RangeState::AwaitingDownload));
    assert_consistent(&mut built.engine);
}

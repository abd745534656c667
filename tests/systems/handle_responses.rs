//! `handle_responses`: answers into pending blocks.

use crate::support::{
    assert_consistent, failed_peers, fx, load, peer_id, range_of, small, stages, state,
};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, build, count, entities, run_system, take_outcomes};
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, PeerClaim, PendingBlock,
};
use ecsync_components::resources::{Buffer, EngineCounters, PlanCursor};
use ecsync_components::{
    AnswerError, GotExpected, Offence, OutcomeKind, PeerId, PeerOutcome, SyncConfig,
};
use ecsync_systems::handle_responses;
use ecsync_systems::transitions::RangeState;

#[test]
fn handle_responses_turns_an_answer_into_pending_blocks() {
    let layout = Layout {
        delivered: 1,
        downloading: 1,
        ..Layout::small()
    };
    let mut built = small(layout);
    let range = built.downloading[0];
    // Where the answer's encodings live: the pending blocks keep these very buffers (moved, not copied).
    let served: Vec<*const u8> = built
        .engine
        .world_mut()
        .get::<Delivered>(range)
        .expect("delivered")
        .blocks
        .iter()
        .map(|b| b.as_ptr())
        .collect();
    assert_eq!(served.len(), 16);

    run_system(&mut built.engine, handle_responses);

    let world = built.engine.world_mut();
    assert_eq!(state(world, range), Some(RangeState::AwaitingImport));
    assert_eq!(range_of(world, range), (1, 16));
    assert_eq!(
        stages(world, range),
        (1..=16).map(|h| (h, "downloaded")).collect::<Vec<_>>()
    );
    for &b in &world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks
    {
        let p = world.get::<PendingBlock>(b).expect("pending");
        assert_eq!(p.hash, fx().chain.hashes[p.height() as usize]);
        assert_eq!(u64::from(p.encoded_len()), fx().size(p.height()));
        assert_eq!(*p.bytes, fx().chain.blocks[p.height() as usize]);
        assert_eq!(
            p.bytes.as_ptr(),
            served[p.height() as usize - 1],
            "block {} keeps the answer's buffer",
            p.height()
        );
    }
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks), (fx().bytes(1, 17), 16));
    assert_eq!(buffer.reserved, layout.reserve_bytes(), "one download left");
    assert_eq!(load(world, built.peers[0]), 0);
    assert_eq!(world.resource::<EngineCounters>().blocks_downloaded, 16);
    assert_eq!(
        take_outcomes(world),
        [PeerOutcome {
            peer: built.peers[0],
            peer_id: PeerId(1),
            kind: OutcomeKind::Served {
                blocks: 16,
                bytes: fx().bytes(1, 17),
                latency_ms: 300,
            },
            latency_ms: Some(300),
        }]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_responses_fails_malformed_answers_and_blames_each_peer() {
    let mut built = small(Layout {
        delivered: 3,
        ..Layout::small()
    });
    let [a, b, c] = built.downloading[..] else {
        panic!("three answers")
    };
    let world = built.engine.world_mut();
    // a (1..17): 17 blocks for 16; b (17..33): 17..=23 then 25; c (33..49): block 3 of it truncated.
    world.get_mut::<Delivered>(a).expect("answer").blocks = fx().encodings(1, 18);
    let mut gap = fx().encodings(17, 24);
    gap.push(fx().encodings(25, 26).remove(0));
    world.get_mut::<Delivered>(b).expect("answer").blocks = gap;
    let mut garbage = fx().encodings(33, 49);
    garbage[3].truncate(100);
    world.get_mut::<Delivered>(c).expect("answer").blocks = garbage;

    run_system(&mut built.engine, handle_responses);

    let world = built.engine.world_mut();
    for (i, &range) in [a, b, c].iter().enumerate() {
        assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
        assert_eq!(failed_peers(world, range), [PeerId(i as u64 + 1)]);
        assert_eq!(range_of(world, range).1, 16, "the range keeps its heights");
        assert_eq!(load(world, built.peers[i]), 0);
    }
    assert_eq!(count::<With<PendingBlock>>(world), 0);
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks, buffer.reserved), (0, 0, 0));
    assert_eq!(world.resource::<EngineCounters>().blocks_downloaded, 0);
    let mut outcomes = take_outcomes(world);
    outcomes.sort_by_key(|o| peer_id(world, o.peer));
    let offences: Vec<Offence> = outcomes
        .into_iter()
        .map(|o| match o.kind {
            OutcomeKind::Invalid(offence) => offence,
            other => panic!("not invalid: {other:?}"),
        })
        .collect();
    assert_eq!(
        offences[0],
        Offence::Answer(AnswerError::TooManyBlocks(GotExpected {
            got: 17,
            expected: 16
        }))
    );
    assert_eq!(
        offences[1],
        Offence::Answer(AnswerError::WrongHeight(GotExpected {
            got: 25,
            expected: 24
        }))
    );
    assert!(
        matches!(
            offences[2],
            Offence::Answer(AnswerError::BadBlock { index: 3, .. })
        ),
        "{:?}",
        offences[2]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_responses_rejects_an_answer_starting_at_the_wrong_height() {
    let mut built = small(Layout {
        delivered: 1,
        ..Layout::small()
    });
    let range = built.downloading[0];
    let world = built.engine.world_mut();
    world.get_mut::<Delivered>(range).expect("answer").blocks = fx().encodings(2, 18);

    run_system(&mut built.engine, handle_responses);

    let world = built.engine.world_mut();
    assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, range), [PeerId(1)]);
    assert_eq!(count::<With<PendingBlock>>(world), 0);
    assert_eq!(
        take_outcomes(world)
            .into_iter()
            .map(|o| o.kind)
            .collect::<Vec<_>>(),
        [OutcomeKind::Invalid(Offence::Answer(
            AnswerError::WrongHeight(GotExpected {
                got: 2,
                expected: 1
            })
        ))]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_responses_cuts_an_answer_at_the_buffer_cap_and_replans_the_rest() {
    // The frontier went out with less room than its answer (dispatch reserves what is left); the answer is
    // cut at the cap: 10 of its 16 blocks fit.
    let cap = fx().bytes(1, 11);
    let config = SyncConfig {
        max_buffered_bytes: cap,
        ..SyncConfig::default()
    };
    let layout = Layout {
        delivered: 1,
        reserve: Some(1_000),
        ..Layout::small()
    };
    let mut built = build(layout, config);
    let range = built.downloading[0];
    let cursor = built.engine.world_mut().resource::<PlanCursor>().next;

    run_system(&mut built.engine, handle_responses);

    let world = built.engine.world_mut();
    assert_eq!(state(world, range), Some(RangeState::AwaitingImport));
    assert_eq!(range_of(world, range), (1, 10));
    assert_eq!(
        stages(world, range),
        (1..=10).map(|h| (h, "downloaded")).collect::<Vec<_>>()
    );
    let rest = entities::<With<AwaitingDownload>>(world);
    assert_eq!(rest.len(), 1, "the remainder waits");
    assert_eq!(range_of(world, rest[0]), (11, 6));
    assert!(failed_peers(world, rest[0]).is_empty());
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks, buffer.reserved), (cap, 10, 0));
    assert_eq!(world.resource::<EngineCounters>().blocks_downloaded, 10);
    assert_eq!(world.resource::<PlanCursor>().next, cursor);
    assert!(matches!(
        take_outcomes(world)[..],
        [PeerOutcome {
            kind: OutcomeKind::Served { .. },
            ..
        }]
    ));
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_responses_discredits_a_peer_that_answers_nothing_for_a_claimed_height() {
    let mut built = small(Layout {
        delivered: 1,
        ..Layout::small()
    });
    let range = built.downloading[0];
    let world = built.engine.world_mut();
    world.get_mut::<Delivered>(range).expect("answer").blocks = Vec::new();
    let discredit_ms = world.resource::<SyncConfig>().discredit_ms;

    run_system(&mut built.engine, handle_responses);

    let world = built.engine.world_mut();
    assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, range), [PeerId(1)]);
    let claim = world.get::<PeerClaim>(built.peers[0]).expect("peer");
    assert_eq!(claim.discredited_from, Some(1));
    assert_eq!(claim.discredited_until_ms, NOW + discredit_ms);
    assert_eq!(claim.usable_head(NOW), 0);
    assert_eq!(
        take_outcomes(world)
            .into_iter()
            .map(|o| o.kind)
            .collect::<Vec<_>>(),
        [OutcomeKind::Empty { at: 1 }]
    );
    assert_consistent(&mut built.engine);
}

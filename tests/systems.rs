//! Unit tests of the engine's systems: each runs ONE system of the schedule in `src/engine.rs` (with the command
//! application its schedule does, so its transitions apply) on a small world built by `ecsync::testing::world`
//! (4 peers, ranges of 16 blocks of a 256-block chain with real BLS approvals), and checks what the system must
//! have changed and that the world is still consistent (`check_world`: one state per range, one stage per block,
//! and `SyncEngine::check_bookkeeping`). Nothing here depends on the machine's speed: engine time is the `Clock`
//! resource, and no assertion reads a duration.
//!
//! Then the transitions of `ecsync_systems::transitions` are called directly, from wrong states; a test checks that
//! `check_world` catches drift; the tests marked `#[ignore = "bug: …"]` reproduce bugs found (run them with
//! `--ignored`).

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use ecsync::engine::SyncEngine;
use ecsync::testing::world::{
    Built, Commit, Fixture, Layout, NOW, SMALL_CHAIN_LEN, build, check_world, count, entities,
    fixture, run_system, take_outcomes,
};
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloaded, Downloading, Peer, PeerBudget,
    PeerClaim, PeerLoad, PeerProof, PeerReputation, PeerScore, PeerStats, PendingBlock, Range,
    RangeAttempts, ReadyToImport, Validated, Validating,
};
use ecsync_components::resources::{
    Announced, Buffer, ChainHead, CheckpointState, Clock, EngineCounters, GossipBlocks, Inbox,
    Observations, Outbox, PeerIndex, PeerRecord, PeerRecords, PlanCursor, ProvenHead,
    RequestCounter, SequentialState, Spec, SyncProgress,
};
use ecsync_components::{
    AnswerError, Checkpoint, Failure, FailureReason, GossipVerdict, GotExpected, Hash32, HeadProof,
    NetEvent, Offence, OutcomeKind, PeerId, PeerOutcome, Request, RequestId, StatusMessage,
    SyncConfig, SyncState, Tolerance, WaitReason,
};
use ecsync_systems::consensus::{Authorities, Verifier};
use ecsync_systems::dispatch_requests::ANSWER_HEADROOM;
use ecsync_systems::resources::ValidationJobs;
use ecsync_systems::score_peers::{Verdict, punish, score};
use ecsync_systems::transitions::{self, RangeState, TransitionError, Transitions, range_state};
use ecsync_systems::validate_blocks::{Check, validate_chunk};
use ecsync_systems::{
    checkpoint_due, dispatch_requests, gossip_blocks, handle_responses, handle_timeouts,
    import_blocks, ingest_events, plan_ranges, prove_heads, prune_ranges, request_status,
    score_peers, sequence_blocks, sequential_sync, size_batches, update_state, validate_blocks,
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// The tests' chain.
fn fx() -> &'static Fixture {
    fixture(SMALL_CHAIN_LEN)
}

/// A small world (`Layout::small` changed by `layout`) with the default config.
fn small(layout: Layout) -> Built {
    build(layout, SyncConfig::default())
}

/// Panics with the inconsistency, if the world has one.
fn assert_consistent(engine: &mut SyncEngine) {
    if let Err(e) = check_world(engine) {
        panic!("inconsistent world: {e}");
    }
}

fn state(world: &World, range: Entity) -> Option<RangeState> {
    range_state(world, range).ok().flatten()
}

fn load(world: &World, peer: Entity) -> u32 {
    world.get::<PeerLoad>(peer).expect("a peer").in_flight
}

fn failed_peers(world: &World, range: Entity) -> Vec<PeerId> {
    world
        .get::<RangeAttempts>(range)
        .expect("a range")
        .failed_peers
        .clone()
}

fn range_of(world: &World, range: Entity) -> (u64, u32) {
    let r = world.get::<Range>(range).expect("a range");
    (r.start, r.count)
}

/// The pending blocks of a downloaded range, as (height, stage name).
fn stages(world: &World, range: Entity) -> Vec<(u64, &'static str)> {
    world
        .get::<AwaitingImport>(range)
        .expect("a downloaded range")
        .blocks
        .iter()
        .map(|&b| {
            let e = world.entity(b);
            let stage = if e.contains::<Downloaded>() {
                "downloaded"
            } else if e.contains::<Validated>() {
                "validated"
            } else if e.contains::<ReadyToImport>() {
                "ready"
            } else {
                "none"
            };
            (e.get::<PendingBlock>().expect("pending").height(), stage)
        })
        .collect()
}

/// Heights of the pending blocks in stage `S`, ascending.
fn heights_in<S: Component>(world: &mut World) -> Vec<u64> {
    let mut q = world.query_filtered::<&PendingBlock, With<S>>();
    let mut h: Vec<u64> = q.iter(world).map(PendingBlock::height).collect();
    h.sort_unstable();
    h
}

/// The honest status at `head`, with its proof (none at genesis).
fn status(head: u64) -> StatusMessage {
    let chain = &fx().chain;
    match chain.proof(head) {
        Some(proof) => StatusMessage::proven(chain.spec.chain_id, chain.spec.genesis_hash, proof),
        None => StatusMessage::unproven(
            chain.spec.chain_id,
            chain.spec.genesis_hash,
            chain.block_ref(head),
        ),
    }
}

/// The peers in the order `dispatch_requests` prefers them: score, then id.
fn by_score(world: &World, peers: &[Entity]) -> Vec<Entity> {
    let mut order: Vec<(f64, u64, Entity)> = peers
        .iter()
        .map(|&p| {
            (
                world.get::<PeerScore>(p).expect("peer").0,
                world.get::<Peer>(p).expect("peer").id.0,
                p,
            )
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(.., p)| p).collect()
}

/// Until when `id` is banned, if it ever was.
fn banned_until(world: &World, id: PeerId) -> Option<u64> {
    let record = world.resource::<PeerRecords>().0.get(&id).copied()?;
    (record.bans > 0).then_some(record.banned_until_ms)
}

fn peer_id(world: &World, peer: Entity) -> PeerId {
    world.get::<Peer>(peer).expect("peer").id
}

fn set_budgets(world: &mut World, peers: &[Entity], budget: PeerBudget) {
    for &p in peers {
        *world.get_mut::<PeerBudget>(p).expect("peer") = budget;
    }
}

/// A copy of pending block `index` of `range` with the aggregate signature of another block: a bad signature.
fn corrupt_signature(world: &mut World, range: Entity, index: usize) -> u64 {
    let block = world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks[index];
    let mut p = world.get_mut::<PendingBlock>(block).expect("pending");
    let height = p.height();
    let donor = &fx().blocks[(height % SMALL_CHAIN_LEN + 1) as usize];
    assert_ne!(donor.approval.signature, p.block.approval.signature);
    p.block.approval.signature = donor.approval.signature;
    height
}

fn invalid_block_height(outcome: &PeerOutcome) -> Option<u64> {
    match &outcome.kind {
        OutcomeKind::Invalid(Offence::Block { height, .. }) => Some(*height),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 1. ingest_events

#[test]
fn ingest_events_delivers_an_answer_to_the_range_that_asked_only() {
    let mut built = small(Layout {
        downloading: 3,
        ..Layout::small()
    });
    let [a, b, c] = built.downloading[..] else {
        panic!("three downloads")
    };
    let world = built.engine.world_mut();
    let dl = *world.get::<Downloading>(b).expect("downloading");
    assert_eq!((dl.peer_id, dl.request), (PeerId(2), RequestId(2)));
    let answer = fx().encodings(17, 33);
    let inbox = &mut world.resource_mut::<Inbox>().0;
    // The right request id from the wrong peer, and an unknown request: dropped.
    inbox.push_back(NetEvent::Blocks {
        peer: PeerId(1),
        request: RequestId(2),
        blocks: answer.clone(),
    });
    inbox.push_back(NetEvent::Blocks {
        peer: PeerId(3),
        request: RequestId(99),
        blocks: answer.clone(),
    });
    inbox.push_back(NetEvent::Blocks {
        peer: PeerId(2),
        request: RequestId(2),
        blocks: answer.clone(),
    });
    // A second answer to the same request in the same drain: ignored (no second `deliver`).
    inbox.push_back(NetEvent::Blocks {
        peer: PeerId(2),
        request: RequestId(2),
        blocks: Vec::new(),
    });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    assert!(world.resource::<Inbox>().0.is_empty());
    assert_eq!(state(world, b), Some(RangeState::Delivered));
    let delivered = world.get::<Delivered>(b).expect("delivered");
    assert_eq!(delivered.blocks, answer);
    assert_eq!(delivered.at_ms, NOW);
    assert_eq!(state(world, a), Some(RangeState::Downloading));
    assert_eq!(state(world, c), Some(RangeState::Downloading));
    assert!(world.resource::<Outbox>().0.is_empty());
    assert!(take_outcomes(world).is_empty());
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_spawns_peers_updates_claims_and_refuses_foreign_and_banned_peers() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    world.resource_mut::<PeerRecords>().0.insert(
        PeerId(12),
        PeerRecord {
            banned_until_ms: NOW + 1_000,
            bans: 1,
            ..PeerRecord::default()
        },
    );
    let mut foreign = status(100);
    foreign.chain_id += 1;
    let mut other_genesis = status(100);
    other_genesis.genesis_hash = Hash32([7; 32]);
    let inbox = &mut world.resource_mut::<Inbox>().0;
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(10),
        label: "new".into(),
        status: status(100),
    });
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(11),
        label: "foreign".into(),
        status: foreign,
    });
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(12),
        label: "banned".into(),
        status: status(100),
    });
    inbox.push_back(NetEvent::Status {
        peer: PeerId(1),
        status: status(200),
    });
    inbox.push_back(NetEvent::Status {
        peer: PeerId(2),
        status: other_genesis,
    });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    let config = world.resource::<SyncConfig>().clone();
    let index = world.resource::<PeerIndex>().0.clone();
    let new = *index.get(&PeerId(10)).expect("the new peer is indexed");
    let e = world.entity(new);
    assert_eq!(e.get::<Peer>().expect("peer").connected_at_ms, NOW);
    assert_eq!(e.get::<PeerClaim>().expect("claim").head.height, 100);
    let budget = e.get::<PeerBudget>().expect("budget");
    assert_eq!(
        (budget.batch, budget.max_in_flight, budget.timeout_ms),
        (config.initial_batch, 1, config.initial_timeout_ms)
    );
    assert_eq!(e.get::<PeerLoad>().expect("load").in_flight, 0);
    for gone in [PeerId(2), PeerId(11), PeerId(12)] {
        assert!(!index.contains_key(&gone), "{gone} indexed");
    }
    assert!(world.get_entity(built.peers[1]).is_err(), "peer 2 removed");
    let claim = world.get::<PeerClaim>(built.peers[0]).expect("peer 1");
    assert_eq!((claim.head.height, claim.updated_ms), (200, NOW));
    let disconnected: Vec<PeerId> = world
        .resource::<Outbox>()
        .0
        .iter()
        .map(|r| match r {
            Request::Disconnect { peer, .. } => *peer,
            other => panic!("unexpected request {other:?}"),
        })
        .collect();
    assert_eq!(disconnected, [PeerId(11), PeerId(12), PeerId(2)]);
    assert_eq!(count::<With<Peer>>(world), 4);
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_does_not_believe_a_claim_from_the_future_nor_punish_its_peer() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    let skew = world.resource::<SyncConfig>().max_clock_skew_ms;
    let spec = world.resource::<Spec>().0.clone();
    let before = world.get::<PeerClaim>(built.peers[0]).expect("peer 1").head;
    // The last slot that begins within the allowed clock skew, and the first that does not.
    let within = spec.slot_at(NOW + skew);
    let at_slot = |slot: u64| {
        let mut s = status(100);
        s.head.slot = slot;
        s.proof = None;
        s
    };
    let inbox = &mut world.resource_mut::<Inbox>().0;
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(10),
        label: "slightly ahead".into(),
        status: at_slot(within),
    });
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(11),
        label: "from the future".into(),
        status: at_slot(within + 1),
    });
    inbox.push_back(NetEvent::Status {
        peer: PeerId(1),
        status: at_slot(u64::MAX),
    });
    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    let index = world.resource::<PeerIndex>().0.clone();
    let claim_of = |world: &World, id: u64| {
        let entity = index[&PeerId(id)];
        world.get::<PeerClaim>(entity).expect("claim").head
    };
    // Within the skew: believed. Beyond: not believed (a new peer claims genesis, a known one keeps its claim),
    // nobody banned, disconnected or penalised (our clock may be the one behind): counted as a sign of that.
    assert_eq!(claim_of(world, 10).height, 100);
    assert_eq!(claim_of(world, 11), spec.genesis_ref());
    assert_eq!(claim_of(world, 1), before);
    assert!(world.resource::<Outbox>().0.is_empty());
    let counters = world.resource::<EngineCounters>();
    // A status is no evidence of our clock (anyone can claim a future slot): only signed blocks count there.
    assert_eq!((counters.claims_refused, counters.clock_behind), (2, 0));
    assert!(take_outcomes(world).is_empty());
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_fails_the_range_of_a_failed_request_and_blames_its_peer() {
    let layout = Layout {
        downloading: 2,
        ..Layout::small()
    };
    let mut built = small(layout);
    let world = built.engine.world_mut();
    world
        .resource_mut::<Inbox>()
        .0
        .push_back(NetEvent::RequestFailed {
            peer: PeerId(1),
            request: RequestId(1),
            reason: FailureReason::Timeout,
        });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    let (failed, other) = (built.downloading[0], built.downloading[1]);
    assert_eq!(state(world, failed), Some(RangeState::AwaitingDownload));
    assert_eq!(failed_peers(world, failed), [PeerId(1)]);
    assert_eq!(state(world, other), Some(RangeState::Downloading));
    assert_eq!(load(world, built.peers[0]), 0);
    assert_eq!(load(world, built.peers[1]), 1);
    assert_eq!(world.resource::<Buffer>().reserved, layout.reserve_bytes());
    let outcomes = take_outcomes(world);
    assert_eq!(
        outcomes,
        [PeerOutcome {
            peer: built.peers[0],
            peer_id: PeerId(1),
            kind: OutcomeKind::Timeout,
            latency_ms: Some(300),
        }]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_removes_a_departed_peer_and_frees_its_downloads_without_blame() {
    let layout = Layout {
        downloading: 6,
        ..Layout::small()
    };
    let mut built = small(layout);
    let world = built.engine.world_mut();
    world
        .resource_mut::<Inbox>()
        .0
        .push_back(NetEvent::PeerGone { peer: PeerId(1) });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    assert!(world.get_entity(built.peers[0]).is_err());
    assert!(!world.resource::<PeerIndex>().0.contains_key(&PeerId(1)));
    // Peer 1 had downloads 0 and 4 (in turn over 4 peers).
    for (i, &range) in built.downloading.iter().enumerate() {
        if i % 4 == 0 {
            assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
            assert!(failed_peers(world, range).is_empty(), "no blame");
        } else {
            assert_eq!(state(world, range), Some(RangeState::Downloading));
        }
    }
    assert_eq!(
        world.resource::<Buffer>().reserved,
        4 * layout.reserve_bytes()
    );
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. handle_responses

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
        assert_eq!(p.bytes, fx().chain.blocks[p.height() as usize]);
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

// ---------------------------------------------------------------------------------------------------------------
// 3. handle_timeouts

#[test]
fn handle_timeouts_fails_expired_downloads_and_releases_load_and_reservation() {
    let layout = Layout {
        downloading: 4,
        expired: 2,
        ..Layout::small()
    };
    let mut built = small(layout);

    run_system(&mut built.engine, handle_timeouts);

    let world = built.engine.world_mut();
    for (i, &range) in built.downloading.iter().enumerate() {
        if i < 2 {
            assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
            assert_eq!(failed_peers(world, range), [PeerId(i as u64 + 1)]);
            assert_eq!(load(world, built.peers[i]), 0);
        } else {
            assert_eq!(state(world, range), Some(RangeState::Downloading));
            assert_eq!(load(world, built.peers[i]), 1);
        }
    }
    assert_eq!(
        world.resource::<Buffer>().reserved,
        2 * layout.reserve_bytes()
    );
    assert_eq!(world.resource::<EngineCounters>().requests_timed_out, 2);
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 2);
    for (o, &peer) in outcomes.iter().zip(&built.peers) {
        assert_eq!(
            (o.peer, &o.kind, o.latency_ms),
            (peer, &OutcomeKind::Timeout, Some(300))
        );
    }
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_timeouts_leaves_answered_downloads_alone() {
    let mut built = small(Layout {
        delivered: 1,
        downloading: 1,
        ..Layout::small()
    });
    // Both deadlines (now + 10 s) have passed.
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + 20_000;

    run_system(&mut built.engine, handle_timeouts);

    let world = built.engine.world_mut();
    assert_eq!(
        state(world, built.downloading[0]),
        Some(RangeState::Delivered)
    );
    assert_eq!(
        state(world, built.downloading[1]),
        Some(RangeState::AwaitingDownload)
    );
    assert_eq!(world.resource::<EngineCounters>().requests_timed_out, 1);
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 4. prune_ranges

#[test]
fn prune_ranges_trims_ranges_overtaken_by_locally_imported_blocks() {
    // 1..17 answered (a download in flight), 17..33 and 33..49 downloaded, 49..65 waiting.
    let mut built = small(Layout {
        delivered: 1,
        pending: 2,
        waiting: 1,
        ..Layout::small()
    });
    for h in 1..=36 {
        built
            .engine
            .import_local(fx().blocks[h].clone())
            .expect("the honest chain");
    }
    assert!(
        check_world(&mut built.engine).is_err(),
        "ranges at or below the head before the prune"
    );
    let gone_blocks = built
        .engine
        .world_mut()
        .get::<AwaitingImport>(built.pending[0])
        .expect("downloaded")
        .blocks
        .clone();

    run_system(&mut built.engine, prune_ranges);

    let world = built.engine.world_mut();
    assert!(world.get_entity(built.pending[0]).is_err(), "17..33 gone");
    assert!(gone_blocks.iter().all(|&b| world.get_entity(b).is_err()));
    assert_eq!(range_of(world, built.pending[1]), (37, 12));
    assert_eq!(
        stages(world, built.pending[1]),
        (37..=48).map(|h| (h, "downloaded")).collect::<Vec<_>>()
    );
    // A download in flight is left alone (trimmed when its answer lands); a waiting range above is untouched.
    assert_eq!(
        state(world, built.downloading[0]),
        Some(RangeState::Delivered)
    );
    assert_eq!(range_of(world, built.downloading[0]), (1, 16));
    assert_eq!(range_of(world, built.waiting[0]), (49, 16));
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks), (fx().bytes(37, 49), 12));
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 5. score_peers

#[test]
fn score_peers_applies_outcomes_and_bans_a_peer_that_sent_invalid_data() {
    let layout = Layout {
        downloading: 4,
        ..Layout::small()
    };
    let mut built = small(layout);
    let p = built.peers.clone();
    let world = built.engine.world_mut();
    let before: Vec<PeerStats> = p
        .iter()
        .map(|&e| world.get::<PeerStats>(e).expect("peer").clone())
        .collect();
    let invalid = OutcomeKind::Invalid(Offence::Block {
        height: 5,
        rule: "bad signature".into(),
    });
    let mut messages = world.resource_mut::<Messages<PeerOutcome>>();
    messages.write(PeerOutcome {
        peer: p[0],
        peer_id: PeerId(1),
        kind: OutcomeKind::Served {
            blocks: 16,
            bytes: 19_200,
            latency_ms: 100,
        },
        latency_ms: Some(100),
    });
    messages.write(PeerOutcome {
        peer: p[1],
        peer_id: PeerId(2),
        kind: OutcomeKind::Timeout,
        latency_ms: Some(5_000),
    });
    for _ in 0..2 {
        messages.write(PeerOutcome {
            peer: p[2],
            peer_id: PeerId(3),
            kind: invalid.clone(),
            latency_ms: None,
        });
    }
    let ban_ms = world.resource::<SyncConfig>().ban_ms;

    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    let served = world.get::<PeerStats>(p[0]).expect("peer 1");
    assert_eq!(served.requests_ok, before[0].requests_ok + 1);
    assert_eq!(served.blocks_served, before[0].blocks_served + 16);
    assert_eq!(served.consecutive_failures, 0);
    assert_eq!(
        world.get::<PeerScore>(p[0]).expect("peer 1").0,
        score(served)
    );
    let late = world.get::<PeerStats>(p[1]).expect("peer 2");
    assert_eq!(late.timeouts, before[1].timeouts + 1);
    assert_eq!(late.consecutive_failures, 1);
    assert_eq!(late.blocks_per_sec, before[1].blocks_per_sec * 0.5);
    assert!(world.get::<PeerScore>(p[1]).expect("peer 2").0 < score(&before[1]));
    // Peer 3 banned once (two offences), disconnected and removed; its download waits again, unblamed.
    assert_eq!(banned_until(world, PeerId(3)), Some(NOW + ban_ms));
    assert!(matches!(
        world.resource::<Outbox>().0[..],
        [Request::Disconnect {
            peer: PeerId(3),
            ..
        }]
    ));
    assert!(world.get_entity(p[2]).is_err());
    assert!(!world.resource::<PeerIndex>().0.contains_key(&PeerId(3)));
    assert_eq!(
        state(world, built.downloading[2]),
        Some(RangeState::AwaitingDownload)
    );
    assert!(failed_peers(world, built.downloading[2]).is_empty());
    assert_eq!(
        world.resource::<Buffer>().reserved,
        3 * layout.reserve_bytes()
    );
    let counters = world.resource::<EngineCounters>();
    assert_eq!((counters.peer_penalties, counters.peer_bans), (3, 1));
    let latencies = &world.resource::<Observations>().request_latency;
    assert_eq!(latencies, &[("served", 0.1), ("timeout", 5.0)]);
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 5b. prove_heads

/// A small world whose proven head is 10, with peer `i`'s head proof `proofs[i]` waiting (None: none).
fn proof_world(proofs: Vec<Option<HeadProof>>) -> Built {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    world.resource_mut::<ProvenHead>().head = fx().chain.block_ref(10);
    for (&p, proof) in built.peers.iter().zip(proofs) {
        world.get_mut::<PeerClaim>(p).expect("peer").proven = 0;
        world.get_mut::<PeerProof>(p).expect("peer").pending = proof.map(Box::new);
    }
    built
}

/// Block `h`'s proof with block `h + 1`'s approval: well formed, fails the signature.
fn forged_proof(h: u64) -> HeadProof {
    HeadProof {
        header: fx().blocks[h as usize].block.header.clone(),
        approval: fx().blocks[h as usize + 1].approval.clone(),
    }
}

#[test]
fn prove_heads_raises_the_proven_head_within_the_tick_budget_lowest_first() {
    let chain = &fx().chain;
    let proofs = [40, 30, 20, 5].map(|h| chain.proof(h)).to_vec();
    let mut built = proof_world(proofs);
    let peers = built.peers.clone();
    let budget = built
        .engine
        .world_mut()
        .resource::<SyncConfig>()
        .proofs_per_tick;
    assert_eq!(budget, 2);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    // Height 5 is below the proven head: free. Then 20 and 30, the lowest first; 40 waits for the next tick.
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(30));
    let c = world.resource::<EngineCounters>().clone();
    assert_eq!(
        (c.proofs_verified, c.proofs_free, c.proofs_max_per_tick),
        (2, 1, 2)
    );
    let proven: Vec<u64> = peers
        .iter()
        .map(|&p| world.get::<PeerClaim>(p).unwrap().proven)
        .collect();
    assert_eq!(proven, [0, 30, 20, 0]);
    assert_eq!(
        world.get::<PeerProof>(peers[0]).unwrap().pending_height(),
        Some(40)
    );
    assert!(take_outcomes(world).is_empty());
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(40));
    assert_eq!(world.resource::<EngineCounters>().proofs_verified, 3);
    // update_state follows it.
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().target,
        40
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn prove_heads_punishes_a_forged_proof_and_keeps_each_peer_to_its_rate() {
    let mut built = proof_world(vec![Some(forged_proof(50)), None, None, None]);
    let peers = built.peers.clone();
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10, "not raised");
    assert_eq!(world.resource::<EngineCounters>().proofs_invalid, 1);
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[..], [o] if o.peer == peers[0]
            && matches!(&o.kind, OutcomeKind::Invalid(Offence::Block { height: 50, rule })
                if rule.contains("head proof"))),
        "{outcomes:?}"
    );
    // A peer past its burst waits for its next token: its proof is kept, not verified.
    let config = world.resource::<SyncConfig>().clone();
    let chain = &fx().chain;
    let spent = NOW + config.proof_interval_ms * u64::from(config.proof_burst);
    let mut proof = world.get_mut::<PeerProof>(peers[1]).unwrap();
    proof.rate_tat_ms = spent;
    proof.pending = chain.proof(60).map(Box::new);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10);
    assert_eq!(
        world.get::<PeerProof>(peers[1]).unwrap().pending_height(),
        Some(60)
    );
    world.resource_mut::<Clock>().now_ms =
        spent - config.proof_interval_ms * u64::from(config.proof_burst - 1);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(60));
    assert_consistent(&mut built.engine);
}

#[test]
fn prove_heads_drops_a_proof_from_beyond_the_clock_unpunished() {
    let chain = &fx().chain;
    let mut built = proof_world(vec![chain.proof(100), None, None, None]);
    let world = built.engine.world_mut();
    let skew = world.resource::<SyncConfig>().max_clock_skew_ms;
    let starts = world
        .resource::<Spec>()
        .0
        .slot_start_ms(chain.block_ref(100).slot);
    // Our clock is behind: block 100's slot begins beyond the skew.
    world.resource_mut::<Clock>().now_ms = starts - skew - 1;
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10);
    let c = world.resource::<EngineCounters>().clone();
    assert_eq!(
        (c.proofs_verified, c.proofs_invalid),
        (0, 0),
        "not verified"
    );
    assert!(take_outcomes(world).is_empty());
    let peer = built.peers[0];
    let proof = built
        .engine
        .world_mut()
        .get::<PeerProof>(peer)
        .unwrap()
        .clone();
    assert_eq!(proof.pending_height(), None, "dropped");
}

#[test]
fn ingest_events_keeps_a_proof_above_the_proven_head_and_punishes_one_naming_another_head() {
    let mut built = proof_world(vec![None; 4]);
    let world = built.engine.world_mut();
    let mut mismatched = status(40);
    mismatched.head = fx().chain.block_ref(41);
    let statuses = [status(40), status(5), mismatched];
    let inbox = &mut world.resource_mut::<Inbox>().0;
    for (id, status) in (1..).zip(statuses) {
        let peer = PeerId(id);
        inbox.push_back(NetEvent::Status { peer, status });
    }
    run_system(&mut built.engine, ingest_events);
    let world = built.engine.world_mut();
    let peers = built.peers.clone();
    let pending: Vec<Option<u64>> = peers
        .iter()
        .map(|&p| world.get::<PeerProof>(p).unwrap().pending_height())
        .collect();
    assert_eq!(pending, [Some(40), None, None, None]);
    assert_eq!(world.resource::<EngineCounters>().proofs_free, 1);
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[..], [o] if o.peer == peers[2]
            && matches!(o.kind, OutcomeKind::Invalid(_))),
        "{outcomes:?}"
    );
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 6. update_state

#[test]
fn update_state_follows_the_proven_head_not_the_claims() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    *world.resource_mut::<SyncProgress>() = SyncProgress {
        rate_at_ms: NOW - 500,
        last_progress_ms: NOW - 500,
        ..SyncProgress::default()
    };
    world.resource_mut::<ProvenHead>().head = fx().chain.block_ref(0);
    // The peers claim 256: a hint until it is proven.
    let prove = |engine: &mut SyncEngine, height: u64| {
        let world = engine.world_mut();
        world.resource_mut::<ProvenHead>().head = fx().chain.block_ref(height);
        run_system(engine, update_state);
        let p = engine.world_mut().resource::<SyncProgress>().clone();
        (p.state, p.target, p.claimed, p.was_synced)
    };
    assert_eq!(
        prove(&mut built.engine, 0),
        (SyncState::Synced, 0, 256, true),
        "claims above the proven head move nothing"
    );
    let mut fresh = small(Layout::small());
    assert_eq!(
        prove(&mut fresh.engine, 256),
        (SyncState::DownloadingBlocks, 256, 256, false)
    );
    let mut near = small(Layout::small());
    assert_eq!(
        prove(&mut near.engine, 40),
        (SyncState::CatchingUp, 40, 256, false),
        "within catch_up_distance"
    );
    assert_eq!(
        prove(&mut built.engine, 200),
        (SyncState::CatchingUp, 200, 256, true),
        "after Synced, following the head"
    );
    // A claim of a billion by one peer: the claimed height says so, the target does not move.
    let world = built.engine.world_mut();
    world
        .get_mut::<PeerClaim>(peers[0])
        .expect("peer")
        .head
        .height = 1_000_000_000;
    run_system(&mut built.engine, update_state);
    let p = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!((p.target, p.claimed), (200, 1_000_000_000));
    assert_consistent(&mut built.engine);
}

#[test]
fn update_state_is_idle_without_peers_and_discovering_when_no_claim_is_believed() {
    let mut alone = small(Layout {
        peers: 0,
        ..Layout::small()
    });
    let before = alone.engine.world_mut().resource::<SyncProgress>().target;
    run_system(&mut alone.engine, update_state);
    let progress = alone.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.target),
        (SyncState::Idle, before),
        "no peer: the last target stands"
    );

    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    for &p in &built.peers {
        let mut claim = world.get_mut::<PeerClaim>(p).expect("peer");
        claim.discredited_from = Some(1);
        claim.discredited_until_ms = NOW + 1_000;
    }
    run_system(&mut built.engine, update_state);
    let progress = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(progress.state, SyncState::Discovering);
    assert_consistent(&mut built.engine);
}

#[test]
fn update_state_fails_a_stalled_sync_and_recovers_from_the_head() {
    let mut built = small(Layout {
        pending: 1,
        downloading: 2,
        waiting: 1,
        ..Layout::small()
    });
    let world = built.engine.world_mut();
    let config = world.resource::<SyncConfig>().clone();
    world.resource_mut::<SyncProgress>().last_progress_ms = NOW - config.stall_timeout_ms;

    run_system(&mut built.engine, update_state);

    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(progress.state, SyncState::Failed);
    assert_eq!(progress.failed_at_ms, NOW);
    assert_eq!(
        progress.failure,
        Some(Failure::Stalled {
            height: 0,
            target: SMALL_CHAIN_LEN,
            stalled_ms: config.stall_timeout_ms,
        })
    );
    assert_eq!(count::<With<Range>>(world), 4, "nothing reset yet");

    // Still within the backoff: stays Failed.
    world.resource_mut::<Clock>().now_ms = NOW + config.recovery_backoff_ms - 1;
    run_system(&mut built.engine, update_state);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<SyncProgress>().state, SyncState::Failed);
    assert_eq!(count::<With<Range>>(world), 4);

    world.resource_mut::<Clock>().now_ms = NOW + config.recovery_backoff_ms;
    run_system(&mut built.engine, update_state);

    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(progress.state, SyncState::Discovering);
    assert_eq!((progress.recoveries, progress.failure), (1, None));
    assert_eq!(count::<With<Range>>(world), 0);
    assert_eq!(count::<With<PendingBlock>>(world), 0);
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks, buffer.reserved), (0, 0, 0));
    assert!(built.peers.iter().all(|&p| load(world, p) == 0));
    assert_eq!(world.resource::<PlanCursor>().next, 1);
    assert_consistent(&mut built.engine);
}

#[test]
fn update_state_waits_in_discovering_when_every_peer_is_gone_or_unresponsive() {
    let mut built = small(Layout {
        pending: 1,
        downloading: 2,
        waiting: 1,
        ..Layout::small()
    });
    let world = built.engine.world_mut();
    let config = world.resource::<SyncConfig>().clone();
    // Every peer failed its last requests, and nothing was imported for a whole stall timeout.
    for &p in &built.peers {
        world
            .get_mut::<PeerStats>(p)
            .expect("peer")
            .consecutive_failures = config.unresponsive_after_failures;
    }
    world.resource_mut::<SyncProgress>().last_progress_ms = NOW - config.stall_timeout_ms;
    let pending = count::<With<PendingBlock>>(world);
    assert!(pending > 0);
    run_system(&mut built.engine, update_state);
    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.waiting),
        (SyncState::Discovering, Some(WaitReason::PeersUnresponsive)),
        "waiting for peers, not stalled"
    );
    assert_eq!(
        progress.last_progress_ms, NOW,
        "the stall clock does not run"
    );
    assert_eq!(
        count::<With<PendingBlock>>(world),
        pending,
        "what was downloaded is kept"
    );
    // One peer answers again: syncing.
    world
        .get_mut::<PeerStats>(built.peers[2])
        .expect("peer")
        .consecutive_failures = 0;
    run_system(&mut built.engine, update_state);
    let progress = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.waiting),
        (SyncState::DownloadingBlocks, None)
    );
    // Every peer gone after having had peers: Discovering (not Idle), waiting for peers.
    for &p in &built.peers.clone() {
        built.engine.world_mut().entity_mut(p).remove::<PeerClaim>();
    }
    run_system(&mut built.engine, update_state);
    let progress = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.waiting),
        (SyncState::Discovering, Some(WaitReason::NoPeers))
    );
    assert_eq!(built.engine.status().reason, Some(WaitReason::NoPeers));
}

#[test]
fn update_state_does_not_believe_itself_synced_when_no_peer_answers() {
    // The peers claim what we have, so we would be Synced — but none has answered a status for too long.
    let mut built = small(Layout {
        claimed_head: 0,
        ..Layout::small()
    });
    let world = built.engine.world_mut();
    let stale = world.resource::<SyncConfig>().status_stale_ms;
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().state,
        SyncState::Synced
    );
    let world = built.engine.world_mut();
    for &p in &built.peers {
        world.get_mut::<PeerClaim>(p).expect("peer").updated_ms = NOW - stale - 1;
    }
    run_system(&mut built.engine, update_state);
    let progress = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.waiting),
        (SyncState::Discovering, Some(WaitReason::PeersUnresponsive))
    );
    assert!(!built.engine.status().can_produce_blocks);
    // One status answer: Synced again.
    let world = built.engine.world_mut();
    world
        .get_mut::<PeerClaim>(built.peers[0])
        .expect("peer")
        .updated_ms = NOW;
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().state,
        SyncState::Synced
    );
}

#[test]
fn update_state_recovers_for_ever_with_a_capped_doubling_backoff() {
    let mut built = small(Layout::small());
    let config = built.engine.world_mut().resource::<SyncConfig>().clone();
    let mut now = NOW;
    let mut waits = Vec::new();
    for round in 0..12u32 {
        // Stall (the peers answer their status polls, but nothing is imported): fail.
        let world = built.engine.world_mut();
        world.resource_mut::<Clock>().now_ms = now;
        for &p in &built.peers {
            world.get_mut::<PeerClaim>(p).expect("peer").updated_ms = now;
        }
        world.resource_mut::<SyncProgress>().last_progress_ms = now - config.stall_timeout_ms;
        run_system(&mut built.engine, update_state);
        let world = built.engine.world_mut();
        assert_eq!(
            world.resource::<SyncProgress>().state,
            SyncState::Failed,
            "round {round}"
        );
        // Find the wait before recovery, in steps of 1 s.
        let failed_at = now;
        loop {
            now += 1_000;
            let world = built.engine.world_mut();
            world.resource_mut::<Clock>().now_ms = now;
            run_system(&mut built.engine, update_state);
            if built.engine.world_mut().resource::<SyncProgress>().state != SyncState::Failed {
                break;
            }
            assert!(
                now - failed_at <= config.max_recovery_backoff_ms,
                "round {round}: no recovery"
            );
        }
        waits.push(now - failed_at);
        assert_eq!(
            built
                .engine
                .world_mut()
                .resource::<SyncProgress>()
                .recoveries,
            round + 1
        );
    }
    assert_eq!(
        waits,
        [2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60].map(|s| s * 1_000),
        "doubling from recovery_backoff_ms, capped at max_recovery_backoff_ms, never giving up"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// 7. request_status

#[test]
fn request_status_asks_only_peers_not_asked_recently() {
    let mut built = small(Layout::small());
    // The builder asked every peer 1 s ago; the interval is 2 s.
    run_system(&mut built.engine, request_status);
    assert!(built.engine.world_mut().resource::<Outbox>().0.is_empty());

    let world = built.engine.world_mut();
    let interval = world.resource::<SyncConfig>().status_interval_ms;
    world
        .get_mut::<PeerClaim>(built.peers[1])
        .expect("peer")
        .status_requested_ms = NOW - interval;
    run_system(&mut built.engine, request_status);
    run_system(&mut built.engine, request_status);

    let world = built.engine.world_mut();
    assert_eq!(
        world.resource::<Outbox>().0,
        [Request::Status { peer: PeerId(2) }]
    );
    let asked: Vec<u64> = built
        .peers
        .iter()
        .map(|&p| world.get::<PeerClaim>(p).expect("peer").status_requested_ms)
        .collect();
    assert_eq!(asked, [NOW - 1_000, NOW, NOW - 1_000, NOW - 1_000]);
    assert_consistent(&mut built.engine);
}

#[test]
fn request_status_announces_a_new_head_to_each_peer_that_lacks_it_within_the_status_rate() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    // At the head, which just moved to 5; the peers claim 4, except peer 4, which already has 5.
    world.resource_mut::<ChainHead>().0 = fx().chain.block_ref(5);
    world.resource_mut::<SyncProgress>().target = 5;
    for (i, &p) in peers.iter().enumerate() {
        let height = if i == 3 { 5 } else { 4 };
        world.get_mut::<PeerClaim>(p).expect("peer").head = fx().chain.block_ref(height);
    }
    let asked = |engine: &mut SyncEngine| -> Vec<PeerId> {
        run_system(engine, request_status);
        std::mem::take(&mut engine.world_mut().resource_mut::<Outbox>().0)
            .into_iter()
            .map(|r| match r {
                Request::Status { peer } => peer,
                other => panic!("not a status request: {other:?}"),
            })
            .collect()
    };
    assert_eq!(
        asked(&mut built.engine),
        [PeerId(1), PeerId(2), PeerId(3)],
        "every peer that lacks the head, at once"
    );
    assert_eq!(built.engine.world_mut().resource::<Announced>().height, 5);
    // The same head is not announced twice.
    assert!(asked(&mut built.engine).is_empty());
    // A newer one: not to a peer asked less than announce_min_ms ago (announcements and polls together never
    // exceed a serving node's status rate), then to each that lacks it.
    let min = built
        .engine
        .world_mut()
        .resource::<SyncConfig>()
        .announce_min_ms;
    let world = built.engine.world_mut();
    world.resource_mut::<ChainHead>().0 = fx().chain.block_ref(6);
    world.resource_mut::<SyncProgress>().target = 6;
    world.resource_mut::<Clock>().now_ms = NOW + min - 1;
    assert_eq!(
        asked(&mut built.engine),
        [PeerId(4)],
        "only the peer not asked at NOW"
    );
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + min;
    assert_eq!(asked(&mut built.engine), [PeerId(1), PeerId(2), PeerId(3)]);
    // Behind the target (syncing): no announcement, only the regular polls.
    let mut behind = small(Layout::small());
    behind.engine.world_mut().resource_mut::<ChainHead>().0 = fx().chain.block_ref(5);
    behind
        .engine
        .world_mut()
        .resource_mut::<SyncProgress>()
        .target = 200;
    run_system(&mut behind.engine, request_status);
    assert!(behind.engine.world_mut().resource::<Outbox>().0.is_empty());
}

// ---------------------------------------------------------------------------------------------------------------
// 8. size_batches

#[test]
fn size_batches_sizes_each_peer_from_its_measurements() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    let stats = [
        // 200 blocks/s, 100 ms: a batch of 200 (1 s of it), timeout 3 × (100 + 1000) + 500.
        PeerStats {
            requests_ok: 3,
            blocks_per_sec: 200.0,
            latency_ms: 100.0,
            ..PeerStats::default()
        },
        // Never measured.
        PeerStats::default(),
        // 1 block/s after failures: the smallest batch, one request at a time, the longest timeout.
        PeerStats {
            requests_ok: 10,
            blocks_per_sec: 1.0,
            latency_ms: 50.0,
            consecutive_failures: 2,
            ..PeerStats::default()
        },
        // 5,000 blocks/s: the protocol's largest batch, timeout 3 × (20 + 204.8) + 500.
        PeerStats {
            requests_ok: 20,
            blocks_per_sec: 5_000.0,
            latency_ms: 20.0,
            ..PeerStats::default()
        },
    ];
    for (&p, s) in built.peers.iter().zip(&stats) {
        *world.get_mut::<PeerStats>(p).expect("peer") = s.clone();
    }

    run_system(&mut built.engine, size_batches);

    let world = built.engine.world_mut();
    let budgets: Vec<(u32, u32, u64)> = built
        .peers
        .iter()
        .map(|&p| {
            let b = world.get::<PeerBudget>(p).expect("peer");
            (b.batch, b.max_in_flight, b.timeout_ms)
        })
        .collect();
    assert_eq!(
        budgets,
        [
            (200, 4, 3_800),
            (64, 1, 10_000),
            (32, 1, 30_000),
            (1024, 4, 1_174)
        ]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn a_new_peers_batch_starts_slow_and_doubles_per_answer() {
    let config = SyncConfig::default();
    // A fast peer (5,000 blocks/s: a full second of it is over the protocol's largest batch).
    let batch = |requests_ok: u64| {
        let stats = PeerStats {
            requests_ok,
            blocks_per_sec: 5_000.0,
            latency_ms: 2.0,
            ..PeerStats::default()
        };
        ecsync_systems::size_batches::budget(&config, &stats).batch
    };
    let sizes: Vec<u32> = (0..7).map(batch).collect();
    assert_eq!(sizes, [64, 128, 256, 512, 1024, 1024, 1024]);
    // A slow peer's batch is its measured second, whichever is smaller.
    let slow = PeerStats {
        requests_ok: 6,
        blocks_per_sec: 100.0,
        latency_ms: 2.0,
        ..PeerStats::default()
    };
    assert_eq!(
        ecsync_systems::size_batches::budget(&config, &slow).batch,
        100
    );
}

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

// ---------------------------------------------------------------------------------------------------------------
// 9. plan_ranges

#[test]
fn plan_ranges_plans_one_range_per_free_slot() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 20,
            max_in_flight: 2,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<AwaitingDownload>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(
        planned,
        (0..8).map(|i| (1 + 20 * i, 20)).collect::<Vec<_>>()
    );
    assert_eq!(world.resource::<PlanCursor>().next, 161);
    assert_consistent(&mut built.engine);

    // Every free slot has a range waiting for it: nothing more.
    run_system(&mut built.engine, plan_ranges);
    let world = built.engine.world_mut();
    assert_eq!(count::<With<Range>>(world), 8);
    assert_eq!(world.resource::<PlanCursor>().next, 161);
}

#[test]
fn plan_ranges_stops_at_the_target() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 100,
            max_in_flight: 4,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<Range>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(planned, [(1, 100), (101, 100), (201, 56)]);
    assert_eq!(world.resource::<PlanCursor>().next, 257);
    assert_consistent(&mut built.engine);
}

#[test]
fn plan_ranges_keeps_a_range_within_a_quarter_of_the_buffer() {
    let avg = fx().avg_bytes.ceil() as u64;
    let config = SyncConfig {
        max_buffered_bytes: 40 * avg,
        ..SyncConfig::default()
    };
    let mut built = build(Layout::small(), config);
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 100,
            max_in_flight: 1,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<Range>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(planned, [(1, 10), (11, 10), (21, 10), (31, 10)]);
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 10. dispatch_requests

#[test]
fn dispatch_requests_sends_the_lowest_ranges_to_the_best_free_peers() {
    let layout = Layout {
        waiting: 5,
        ..Layout::small()
    };
    let mut built = small(layout);
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    set_budgets(
        world,
        &peers,
        PeerBudget {
            batch: 16,
            max_in_flight: 1,
            timeout_ms: 7_000,
        },
    );
    let best = by_score(world, &peers);

    run_system(&mut built.engine, dispatch_requests);

    let world = built.engine.world_mut();
    let reserve = (layout.reserve_bytes() as f64 * ANSWER_HEADROOM).ceil() as u64;
    let mut expected = Vec::new();
    for (i, &range) in built.waiting.iter().enumerate() {
        if i < 4 {
            let dl = *world.get::<Downloading>(range).expect("sent");
            assert_eq!(dl.peer, best[i]);
            assert_eq!(dl.request, RequestId(i as u64 + 1));
            assert_eq!(
                (dl.sent_at_ms, dl.deadline_ms, dl.reserved_bytes),
                (NOW, NOW + 7_000, reserve)
            );
            assert_eq!(
                world.get::<RangeAttempts>(range).expect("range").attempts,
                2
            );
            assert_eq!(load(world, best[i]), 1);
            expected.push(Request::BlocksByRange {
                peer: peer_id(world, best[i]),
                request: RequestId(i as u64 + 1),
                start: 1 + 16 * i as u64,
                count: 16,
                max_bytes: world
                    .get::<Downloading>(range)
                    .map_or(0, |d| d.reserved_bytes as u32),
            });
        } else {
            assert_eq!(
                state(world, range),
                Some(RangeState::AwaitingDownload),
                "no free peer left"
            );
        }
    }
    assert_eq!(world.resource::<Outbox>().0, expected);
    assert_eq!(world.resource::<Buffer>().reserved, 4 * reserve);
    assert_eq!(world.resource::<RequestCounter>().0, 4);
    assert_eq!(world.resource::<EngineCounters>().requests_sent, 4);
    assert_consistent(&mut built.engine);
}

#[test]
fn dispatch_requests_avoids_peers_that_failed_the_range() {
    let mut built = small(Layout {
        waiting: 2,
        ..Layout::small()
    });
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    let best = by_score(world, &peers);
    let ids: Vec<PeerId> = best.iter().map(|&p| peer_id(world, p)).collect();
    let [a, b] = built.waiting[..] else {
        panic!("two ranges")
    };
    // a failed with the best peer; b with every peer.
    world
        .get_mut::<RangeAttempts>(a)
        .expect("range")
        .failed_peers = vec![ids[0]];
    world
        .get_mut::<RangeAttempts>(b)
        .expect("range")
        .failed_peers = ids.clone();

    run_system(&mut built.engine, dispatch_requests);

    let world = built.engine.world_mut();
    assert_eq!(world.get::<Downloading>(a).expect("sent").peer, best[1]);
    assert_eq!(failed_peers(world, a), [ids[0]]);
    assert_eq!(world.get::<Downloading>(b).expect("sent").peer, best[0]);
    assert!(failed_peers(world, b).is_empty(), "tried by all: cleared");
    assert_consistent(&mut built.engine);
}

#[test]
fn dispatch_requests_gives_the_frontier_what_room_is_left_and_holds_higher_ranges() {
    let config = SyncConfig {
        max_buffered_bytes: 5_000,
        ..SyncConfig::default()
    };
    let mut built = build(
        Layout {
            waiting: 2,
            ..Layout::small()
        },
        config,
    );

    run_system(&mut built.engine, dispatch_requests);

    let world = built.engine.world_mut();
    let frontier = world
        .get::<Downloading>(built.waiting[0])
        .expect("the frontier goes out");
    assert_eq!(frontier.reserved_bytes, 5_000);
    assert_eq!(
        state(world, built.waiting[1]),
        Some(RangeState::AwaitingDownload)
    );
    assert_eq!(world.resource::<Outbox>().0.len(), 1);
    assert_eq!(world.resource::<Buffer>().reserved, 5_000);
    assert_consistent(&mut built.engine);
}

#[test]
fn dispatch_requests_evicts_the_highest_downloaded_range_for_the_frontier() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let [first, second, third] = built.pending[..] else {
        panic!("three ranges")
    };
    let world = built.engine.world_mut();
    // The frontier's blocks were dropped (e.g. a bad block): it waits, behind a full buffer.
    transitions::fail_range(world, first, None);
    let cap = fx().bytes(17, 49);
    world.resource_mut::<SyncConfig>().max_buffered_bytes = cap;
    assert_eq!(world.resource::<Buffer>().room(cap), 0);
    let need = (fx().avg_bytes * 16.0).ceil() as u64;
    let evictions = if fx().bytes(33, 49) >= need { 1 } else { 2 };
    assert_consistent(&mut built.engine);

    run_system(&mut built.engine, dispatch_requests);

    let world = built.engine.world_mut();
    assert_eq!(world.resource::<EngineCounters>().ranges_evicted, evictions);
    assert_eq!(state(world, third), Some(RangeState::AwaitingDownload));
    assert!(failed_peers(world, third).is_empty(), "evicted, not blamed");
    let second_state = if evictions == 1 {
        RangeState::AwaitingImport
    } else {
        RangeState::AwaitingDownload
    };
    assert_eq!(state(world, second), Some(second_state));
    assert!(world.resource::<Outbox>().0.is_empty(), "room first");
    assert_eq!(state(world, first), Some(RangeState::AwaitingDownload));
    assert_consistent(&mut built.engine);

    // The next dispatch sends the frontier first.
    run_system(&mut built.engine, dispatch_requests);
    let world = built.engine.world_mut();
    assert_eq!(state(world, first), Some(RangeState::Downloading));
    assert!(matches!(
        world.resource::<Outbox>().0.first(),
        Some(Request::BlocksByRange { start: 1, .. })
    ));
    assert_consistent(&mut built.engine);
}

// ---------------------------------------------------------------------------------------------------------------
// 11. validate_blocks

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

/// Validation within the tick, for tests of what validation decides rather than when.
fn validate_now(engine: &mut SyncEngine) {
    engine
        .world_mut()
        .resource_mut::<SyncConfig>()
        .validation_in_flight = 0;
    run_system(engine, validate_blocks);
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

fn world_write_outcomes(engine: &mut SyncEngine, outcomes: Vec<PeerOutcome>) {
    let mut messages = engine.world_mut().resource_mut::<Messages<PeerOutcome>>();
    for o in outcomes {
        messages.write(o);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 12. sequence_blocks

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
        .block
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

// ---------------------------------------------------------------------------------------------------------------
// 13. checkpoint_due

#[test]
fn checkpoint_due_decides_whether_the_import_carries_a_checkpoint() {
    let layout = Layout {
        pending: 1,
        ready: 16,
        ..Layout::small()
    };
    let due = |built: &mut Built| {
        run_system(&mut built.engine, checkpoint_due);
        built.engine.world_mut().resource::<CheckpointState>().due
    };

    // 16 blocks of 4096, no time passed, far from the target: not due; the window starts now.
    let mut built = small(layout);
    assert!(!due(&mut built));
    assert_eq!(
        built
            .engine
            .world_mut()
            .resource::<CheckpointState>()
            .window_start_ms,
        NOW
    );
    // The interval has passed.
    let every_ms = SyncConfig::default().checkpoint_every_ms;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + every_ms;
    assert!(due(&mut built));

    // The import reaches the target.
    let mut built = small(layout);
    built
        .engine
        .world_mut()
        .resource_mut::<SyncProgress>()
        .target = 16;
    assert!(due(&mut built));

    // Enough blocks since the last checkpoint.
    let mut built = build(
        layout,
        SyncConfig {
            checkpoint_every_blocks: 16,
            ..SyncConfig::default()
        },
    );
    assert!(due(&mut built));

    // Nothing ready and nothing imported since the last checkpoint: never due.
    let mut built = small(Layout {
        ready: 0,
        validated: 16,
        ..layout
    });
    built
        .engine
        .world_mut()
        .resource_mut::<SyncProgress>()
        .target = 16;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + every_ms;
    assert!(!due(&mut built));
    // Nothing ready, but blocks imported since the last checkpoint (imports stopped short of the target): due
    // once the interval has passed, so they become durable too.
    built
        .engine
        .world_mut()
        .resource_mut::<CheckpointState>()
        .blocks_since = 3;
    let window = built
        .engine
        .world_mut()
        .resource::<CheckpointState>()
        .window_start_ms;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = window + every_ms - 1;
    assert!(!due(&mut built));
    built.engine.world_mut().resource_mut::<Clock>().now_ms = window + every_ms;
    assert!(due(&mut built));
    assert_consistent(&mut built.engine);
}

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

// ---------------------------------------------------------------------------------------------------------------
// 14. import_blocks

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

// ---------------------------------------------------------------------------------------------------------------
// 15. sequential_sync

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

// ---------------------------------------------------------------------------------------------------------------
// 16. gossip_blocks

/// A world at head 10 (imported locally) whose 4 peers claim height 10, with `gossiped` queued (peer, id, bytes).
fn gossip_world(gossiped: Vec<(PeerId, u64, Vec<u8>)>) -> Built {
    let mut built = small(Layout {
        claimed_head: 10,
        ..Layout::small()
    });
    for h in 1..=10 {
        built
            .engine
            .import_local(fx().blocks[h].clone())
            .expect("the honest chain");
    }
    built
        .engine
        .world_mut()
        .resource_mut::<GossipBlocks>()
        .0
        .extend(gossiped);
    built
}

/// The gossip verdicts in the outbox, taken.
fn verdicts(world: &mut World) -> Vec<(u64, GossipVerdict)> {
    std::mem::take(&mut world.resource_mut::<Outbox>().0)
        .into_iter()
        .filter_map(|r| match r {
            Request::GossipVerdict { id, verdict } => Some((id, verdict)),
            _ => None,
        })
        .collect()
}

#[test]
fn gossip_blocks_imports_the_next_block_at_once_and_accepts_it() {
    let mut built = gossip_world(vec![(PeerId(1), 7, fx().chain.blocks[11].clone())]);
    let commits_before = built.store.commits().len();
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(7, GossipVerdict::Accept)]);
    assert_eq!(world.resource::<ChainHead>().0, fx().chain.block_ref(11));
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [1, 0, 0]);
    assert!(world.resource::<GossipBlocks>().0.is_empty());
    assert!(take_outcomes(world).is_empty());
    // One durable commit with its own checkpoint, holding the wire bytes.
    let commits = built.store.commits();
    assert_eq!(commits.len(), commits_before + 1);
    assert!(commits.last().unwrap().checkpoint.is_some(), "{commits:?}");
    let stored = built.engine.store().block(11).unwrap().expect("stored");
    assert_eq!(stored, fx().blocks[11]);
    // The same block again (from another peer): ignored, nobody blamed, nothing written.
    built
        .engine
        .world_mut()
        .resource_mut::<GossipBlocks>()
        .0
        .push_back((PeerId(2), 8, fx().chain.blocks[11].clone()));
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(8, GossipVerdict::Ignore)]);
    assert!(take_outcomes(world).is_empty());
    assert_eq!(built.store.commits().len(), commits_before + 1);
    assert_consistent(&mut built.engine);
}

#[test]
fn gossip_blocks_accepts_a_valid_block_far_ahead_and_raises_its_senders_claim() {
    let mut built = gossip_world(vec![(PeerId(2), 3, fx().chain.blocks[30].clone())]);
    run_system(&mut built.engine, gossip_blocks);
    let sender = built.peers[1];
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(3, GossipVerdict::Accept)]);
    assert_eq!(world.resource::<ChainHead>().0.height, 10, "not imported");
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [1, 0, 0]);
    assert_eq!(
        world.get::<PeerClaim>(sender).unwrap().head,
        fx().chain.block_ref(30)
    );
    let other = built.peers[0];
    assert_eq!(world.get::<PeerClaim>(other).unwrap().head.height, 10);
    assert!(take_outcomes(world).is_empty());
    // update_state takes the raised claim as the new target.
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().target,
        30
    );
}

#[test]
fn gossip_blocks_rejects_a_bad_signature_and_penalises_its_sender() {
    // Valid blocks carrying another block's aggregate signature.
    let mut bad = fx().blocks[11].clone();
    bad.approval.signature = fx().blocks[12].approval.signature;
    let mut far = fx().blocks[40].clone();
    far.approval.signature = fx().blocks[41].approval.signature;
    let mut garbage = fx().chain.blocks[12].clone();
    garbage.push(0);
    let mut built = gossip_world(vec![
        (PeerId(3), 1, bad.encode()),
        (PeerId(4), 2, far.encode()),
        (PeerId(1), 3, garbage),
    ]);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![
            (1, GossipVerdict::Reject),
            (2, GossipVerdict::Reject),
            (3, GossipVerdict::Reject)
        ]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [0, 3, 0]);
    assert_eq!(
        world.get::<PeerClaim>(built.peers[3]).unwrap().head.height,
        10
    );
    let outcomes = take_outcomes(world);
    let blamed: Vec<(PeerId, Option<u64>)> = outcomes
        .iter()
        .map(|o| (o.peer_id, invalid_block_height(o)))
        .collect();
    assert_eq!(
        blamed,
        vec![
            (PeerId(3), Some(11)),
            (PeerId(4), Some(40)),
            (PeerId(1), None)
        ]
    );
    assert!(
        outcomes
            .iter()
            .all(|o| o.kind.tolerance() == Some(Tolerance::Fatal))
    );
    assert_eq!(outcomes[0].peer, built.peers[2]);
    // score_peers bans each of them.
    for outcome in outcomes {
        world.write_message(outcome);
    }
    run_system(&mut built.engine, score_peers);
    let world = built.engine.world_mut();
    for id in [PeerId(1), PeerId(3), PeerId(4)] {
        assert!(banned_until(world, id).is_some(), "{id} banned");
    }
    assert!(banned_until(world, PeerId(2)).is_none());
}

#[test]
fn gossip_blocks_ignores_old_blocks_and_a_valid_block_on_another_parent() {
    let generator =
        ecsync_systems::chaingen::ChainGenerator::new(ecsync_systems::chaingen::GenParams {
            seed: ecsync::testing::world::FIXTURE_SEED,
            payload_bytes: ecsync::testing::world::PAYLOAD_BYTES,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        generator.spec(),
        &fx().chain.spec,
        "the fixture's generator"
    );
    let fork = generator.sign(generator.child(&fx().blocks[10].block.header, Hash32([7; 32])));
    let mut built = gossip_world(vec![
        (PeerId(1), 1, fx().chain.blocks[5].clone()),
        (PeerId(2), 2, fx().chain.blocks[10].clone()),
        (PeerId(3), 3, fork.encode()),
    ]);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![
            (1, GossipVerdict::Ignore),
            (2, GossipVerdict::Ignore),
            (3, GossipVerdict::Ignore)
        ]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [0, 0, 3]);
    assert!(take_outcomes(world).is_empty());
}

#[test]
fn gossip_blocks_ignores_a_signed_block_from_beyond_a_slow_clock_and_rejects_a_forged_one() {
    // Block 12 with block 13's signature: from beyond the clock too, but no federation signed it.
    let mut forged = fx().blocks[12].clone();
    forged.approval.signature = fx().blocks[13].approval.signature;
    let mut built = gossip_world(vec![
        (PeerId(1), 9, fx().chain.blocks[11].clone()),
        (PeerId(2), 10, forged.encode()),
    ]);
    let world = built.engine.world_mut();
    let skew = world.resource::<SyncConfig>().max_clock_skew_ms;
    let starts = world
        .resource::<Spec>()
        .0
        .slot_start_ms(fx().chain.block_ref(11).slot);
    world.resource_mut::<Clock>().now_ms = starts - skew - 1;
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![(9, GossipVerdict::Ignore), (10, GossipVerdict::Reject)]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(
        world.resource::<EngineCounters>().clock_behind,
        1,
        "only the signed block is evidence of our clock"
    );
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[..], [o] if o.peer_id == PeerId(2)
            && matches!(o.kind, OutcomeKind::Invalid(_))),
        "the honest sender is not punished, the forger is: {outcomes:?}"
    );
}

#[test]
fn gossip_blocks_judges_a_bounded_number_per_tick() {
    let queued = (0..40)
        .map(|i| (PeerId(1), i, fx().chain.blocks[3].clone()))
        .collect();
    let mut built = gossip_world(queued);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world).len(),
        ecsync_systems::gossip_blocks::MAX_GOSSIP_PER_TICK
    );
    assert_eq!(
        world.resource::<GossipBlocks>().0.len(),
        40 - ecsync_systems::gossip_blocks::MAX_GOSSIP_PER_TICK
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The transitions, called directly from wrong states

#[test]
fn transitions_from_a_wrong_state_are_refused_and_change_nothing() {
    let mut built = small(Layout {
        pending: 1,
        downloading: 1,
        waiting: 1,
        ..Layout::small()
    });
    let (pending, downloading, waiting) =
        (built.pending[0], built.downloading[0], built.waiting[0]);
    let peer = built.peers[0];
    let world = built.engine.world_mut();
    let buffer = *world.resource::<Buffer>();
    let requests = world.resource::<RequestCounter>().0;
    let wrong = |transition, range, expected, found| TransitionError::WrongState {
        transition,
        range,
        expected,
        found: Some(found),
    };

    assert_eq!(
        transitions::start_download(world, downloading, peer, 1_000, 500),
        Err(wrong(
            "start_download",
            downloading,
            RangeState::AwaitingDownload,
            RangeState::Downloading
        ))
    );
    assert_eq!(
        transitions::start_download(world, pending, peer, 1_000, 500),
        Err(wrong(
            "start_download",
            pending,
            RangeState::AwaitingDownload,
            RangeState::AwaitingImport
        ))
    );
    assert_eq!(
        transitions::deliver(
            world,
            waiting,
            Delivered {
                blocks: Vec::new(),
                at_ms: NOW
            }
        ),
        Err(wrong(
            "deliver",
            waiting,
            RangeState::Downloading,
            RangeState::AwaitingDownload
        ))
    );
    assert_eq!(
        transitions::accept_answer(world, downloading, Vec::new(), u64::MAX),
        Err(wrong(
            "accept_answer",
            downloading,
            RangeState::Delivered,
            RangeState::Downloading
        ))
    );
    assert_eq!(
        transitions::import_prefix(world, waiting, 0),
        Err(wrong(
            "import_prefix",
            waiting,
            RangeState::AwaitingImport,
            RangeState::AwaitingDownload
        ))
    );
    // Blocks not ready, or more than the range holds.
    assert!(matches!(
        transitions::import_prefix(world, pending, 1),
        Err(TransitionError::WrongStage {
            transition: "import_prefix",
            ..
        })
    ));
    assert!(matches!(
        transitions::import_prefix(world, pending, 17),
        Err(TransitionError::WrongStage { .. })
    ));
    let block = world
        .get::<AwaitingImport>(pending)
        .expect("downloaded")
        .blocks[0];
    assert_eq!(
        transitions::advance_block::<Validated, ReadyToImport>(world, block),
        Err(TransitionError::WrongStage {
            transition: "advance_block",
            block,
            expected: "Validated",
        })
    );
    assert!(world.entity(block).contains::<Downloaded>());
    // Not a range at all: a peer, a despawned entity.
    assert_eq!(
        transitions::start_download(world, peer, peer, 1_000, 500),
        Err(TransitionError::NotARange {
            transition: "start_download",
            entity: peer,
        })
    );
    let gone = world.spawn_empty().id();
    world.despawn(gone);
    assert!(matches!(
        transitions::deliver(
            world,
            gone,
            Delivered {
                blocks: Vec::new(),
                at_ms: NOW
            }
        ),
        Err(TransitionError::NotARange { .. })
    ));

    // Nothing changed.
    assert!(world.resource::<Outbox>().0.is_empty());
    assert_eq!(world.resource::<RequestCounter>().0, requests);
    let after = *world.resource::<Buffer>();
    assert_eq!(
        (after.bytes, after.blocks, after.reserved),
        (buffer.bytes, buffer.blocks, buffer.reserved)
    );
    assert_eq!(load(world, peer), 1);
    assert_eq!(state(world, downloading), Some(RangeState::Downloading));
    assert_eq!(state(world, waiting), Some(RangeState::AwaitingDownload));
    assert_eq!(state(world, pending), Some(RangeState::AwaitingImport));
    assert_eq!(world.resource::<EngineCounters>().transition_errors, 0);
    assert_consistent(&mut built.engine);
}

#[test]
fn the_forward_transitions_keep_the_books() {
    let mut built = small(Layout {
        waiting: 1,
        ..Layout::small()
    });
    let (range, peer) = (built.waiting[0], built.peers[0]);
    let world = built.engine.world_mut();
    let request = transitions::start_download(world, range, peer, 1_000, 500)
        .expect("waiting")
        .expect("the peer is there");
    assert_eq!(world.resource::<Buffer>().reserved, 500);
    transitions::deliver(
        world,
        range,
        Delivered {
            blocks: fx().encodings(1, 17),
            at_ms: NOW,
        },
    )
    .expect("downloading");
    assert_consistent(&mut built.engine);
    let world = built.engine.world_mut();
    let blocks: Vec<_> = (1..=16)
        .map(|h| (fx().blocks[h].clone(), fx().chain.blocks[h].clone()))
        .collect();
    assert_eq!(
        transitions::accept_answer(world, range, blocks, u64::MAX),
        Ok(16)
    );
    assert_eq!(world.resource::<Buffer>().reserved, 0);
    assert_eq!(load(world, peer), 0);
    let ids = world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks
        .clone();
    for &b in &ids[..4] {
        transitions::advance_block::<Downloaded, Validated>(world, b).expect("downloaded");
        transitions::advance_block::<Validated, ReadyToImport>(world, b).expect("validated");
    }
    // (The store would have committed them: the head moves with the import.)
    world.resource_mut::<ChainHead>().0 = fx().chain.block_ref(4);
    transitions::import_prefix(world, range, 4).expect("ready prefix");
    assert_eq!(range_of(world, range), (5, 12));
    assert!(ids[..4].iter().all(|&b| world.get_entity(b).is_err()));
    assert_eq!(world.resource::<Buffer>().bytes, fx().bytes(5, 17));
    assert!(request.0 > 0);
    assert_consistent(&mut built.engine);
}

#[test]
#[should_panic(expected = "start_download: range")]
fn a_queued_transition_from_a_wrong_state_panics_under_strict() {
    let mut built = small(Layout {
        downloading: 1,
        ..Layout::small()
    });
    let (range, peer) = (built.downloading[0], built.peers[0]);
    run_system(&mut built.engine, move |mut commands: Commands| {
        commands.start_download(range, peer, 1_000, 0);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// The consistency check itself, and scenarios across systems

#[test]
fn check_world_catches_drift() {
    let mut built = small(Layout {
        pending: 1,
        waiting: 1,
        ..Layout::small()
    });
    assert_consistent(&mut built.engine);
    let (pending, waiting) = (built.pending[0], built.waiting[0]);
    let world = built.engine.world_mut();
    let block = world
        .get::<AwaitingImport>(pending)
        .expect("downloaded")
        .blocks[0];

    world.resource_mut::<Buffer>().bytes += 1;
    assert!(check_world(&mut built.engine).is_err(), "buffer bytes");
    let world = built.engine.world_mut();
    world.resource_mut::<Buffer>().bytes -= 1;

    world.entity_mut(waiting).insert(AwaitingImport {
        peer: built.peers[0],
        peer_id: PeerId(1),
        blocks: Vec::new(),
    });
    assert!(check_world(&mut built.engine).is_err(), "two states");
    let world = built.engine.world_mut();
    world.entity_mut(waiting).remove::<AwaitingImport>();

    world.entity_mut(block).insert(Validated);
    assert!(check_world(&mut built.engine).is_err(), "two stages");
    let world = built.engine.world_mut();
    world.entity_mut(block).remove::<Validated>();

    world
        .get_mut::<PeerLoad>(built.peers[0])
        .expect("peer")
        .in_flight = 1;
    assert!(
        check_world(&mut built.engine).is_err(),
        "a load with nothing in flight"
    );
    let world = built.engine.world_mut();
    world
        .get_mut::<PeerLoad>(built.peers[0])
        .expect("peer")
        .in_flight = 0;

    world.resource_mut::<PlanCursor>().next += 1;
    assert!(
        check_world(&mut built.engine).is_err(),
        "a height nobody owns"
    );
    let world = built.engine.world_mut();
    world.resource_mut::<PlanCursor>().next -= 1;
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_keeps_a_peer_that_reconnects_within_one_drain() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    let inbox = &mut world.resource_mut::<Inbox>().0;
    inbox.push_back(NetEvent::PeerGone { peer: PeerId(1) });
    inbox.push_back(NetEvent::PeerConnected {
        peer: PeerId(1),
        label: "back".into(),
        status: status(256),
    });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    let mut q = world.query::<(Entity, &Peer)>();
    let ones: Vec<Entity> = q
        .iter(world)
        .filter(|(_, p)| p.id == PeerId(1))
        .map(|(e, _)| e)
        .collect();
    assert_eq!(ones.len(), 1, "one entity for peer 1");
    assert_eq!(
        world.resource::<PeerIndex>().0.get(&PeerId(1)),
        Some(&ones[0]),
        "the reconnected peer is indexed, so its answers and its departure are seen"
    );
}

#[test]
fn score_peers_bans_again_a_peer_whose_earlier_ban_expired() {
    let mut built = small(Layout::small());
    let peer = built.peers[0];
    let world = built.engine.world_mut();
    // Banned before; the ban expired and the peer came back.
    world.resource_mut::<PeerRecords>().0.insert(
        PeerId(1),
        PeerRecord {
            reputation: -100.0,
            updated_ms: NOW - 1,
            banned_until_ms: NOW - 1,
            bans: 1,
            ..PeerRecord::default()
        },
    );
    world
        .resource_mut::<Messages<PeerOutcome>>()
        .write(PeerOutcome {
            peer,
            peer_id: PeerId(1),
            kind: OutcomeKind::Invalid(Offence::Block {
                height: 3,
                rule: "bad signature".into(),
            }),
            latency_ms: None,
        });
    let ban_ms = world.resource::<SyncConfig>().ban_ms;

    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    // The second ban lasts twice the first.
    assert_eq!(banned_until(world, PeerId(1)), Some(NOW + 2 * ban_ms));
    assert_eq!(world.resource::<PeerRecords>().0[&PeerId(1)].bans, 2);
    assert!(
        matches!(
            world.resource::<Outbox>().0[..],
            [Request::Disconnect {
                peer: PeerId(1),
                ..
            }]
        ),
        "disconnected again"
    );
    assert!(world.get_entity(peer).is_err(), "removed again");
    assert_eq!(world.resource::<EngineCounters>().peer_bans, 1);
}

#[test]
fn a_bad_block_bans_its_peer_even_after_it_left() {
    let mut built = small(Layout {
        pending: 2,
        ..Layout::small()
    });
    let bad = built.pending[1];
    let world = built.engine.world_mut();
    assert_eq!(corrupt_signature(world, bad, 0), 17);
    world
        .resource_mut::<Inbox>()
        .0
        .push_back(NetEvent::PeerGone { peer: PeerId(2) });
    run_system(&mut built.engine, ingest_events);

    validate_now(&mut built.engine);
    let world = built.engine.world_mut();
    assert_eq!(failed_peers(world, bad), [PeerId(2)], "blamed");
    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    assert!(
        banned_until(world, PeerId(2)).is_some(),
        "the peer that served a bad block is banned"
    );
}

#[test]
fn the_frontier_makes_progress_behind_a_nearly_full_buffer() {
    let mut built = small(Layout {
        pending: 3,
        ..Layout::small()
    });
    let world = built.engine.world_mut();
    // The frontier's blocks were dropped: it waits behind 32 downloaded blocks; 100 bytes of room are left.
    transitions::fail_range(world, built.pending[0], None);
    world.resource_mut::<SyncConfig>().max_buffered_bytes = fx().bytes(17, 49) + 100;
    assert_consistent(&mut built.engine);

    // Dispatch, the peer answers the whole range, the answer is taken: three times.
    for round in 0..3 {
        run_system(&mut built.engine, dispatch_requests);
        let world = built.engine.world_mut();
        let sent: Vec<(Entity, Range, u64)> = world
            .query::<(Entity, &Range, &Downloading)>()
            .iter(world)
            .map(|(e, r, d)| (e, *r, d.reserved_bytes))
            .collect();
        for &(range, r, _) in &sent {
            let answer = fx().encodings(r.start, r.end());
            let delivered = Delivered {
                blocks: answer,
                at_ms: NOW,
            };
            transitions::deliver(world, range, delivered).expect("downloading");
        }
        run_system(&mut built.engine, handle_responses);
        assert_consistent(&mut built.engine);
        let world = built.engine.world_mut();
        if heights_in::<Downloaded>(world).contains(&1) {
            return;
        }
        // The symptom: the frontier went out with the 100 bytes of room, nothing was evicted, and its answer
        // was cut to nothing (a new waiting range of the same heights).
        let evicted = world.resource::<EngineCounters>().ranges_evicted;
        eprintln!(
            "round {round}: sent (start, count, reserved) {:?}, {evicted} evicted, block 1 not admitted",
            sent.iter()
                .map(|(_, r, b)| (r.start, r.count, *b))
                .collect::<Vec<_>>()
        );
        world.resource_mut::<Outbox>().0.clear();
    }
    panic!("block 1 never entered the buffer");
}

// ---------------------------------------------------------------------------------------------------------------
// Open network: claims, reputation, bans, held blocks, bounded validation work

#[test]
fn a_claim_nobody_proved_never_moves_the_target_and_is_discredited_after_one_request_timeout() {
    let mut built = small(Layout {
        downloading: 1,
        expired: 1,
        ..Layout::small()
    });
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    *world.resource_mut::<SyncProgress>() = SyncProgress {
        rate_at_ms: NOW - 500,
        last_progress_ms: NOW - 500,
        ..SyncProgress::default()
    };
    // The honest peers hold nothing above our head (0), so nothing above it is proven; peer 1 claims a million
    // blocks, proves none and serves none: its download of 1..17 has timed out.
    world.resource_mut::<ProvenHead>().head = fx().chain.block_ref(0);
    for &p in &peers[1..] {
        world.get_mut::<PeerClaim>(p).expect("peer").head = fx().chain.block_ref(0);
    }
    world
        .get_mut::<PeerClaim>(peers[0])
        .expect("peer")
        .head
        .height = 1_000_000;
    let gate = |world: &World| {
        let p = world.resource::<SyncProgress>();
        p.state.production_gate(0, p.target, 0.995, 10)
    };
    run_system(&mut built.engine, update_state);
    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.target, progress.claimed),
        (SyncState::Synced, 0, 1_000_000),
        "the lie is a claim, not the target"
    );
    assert!(gate(world), "the lie never closes the gate");

    run_system(&mut built.engine, handle_timeouts);
    run_system(&mut built.engine, update_state);

    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!((progress.state, progress.target), (SyncState::Synced, 0));
    assert!(gate(world));
    let discredit_ms = world.resource::<SyncConfig>().discredit_ms;
    let claim = world.get::<PeerClaim>(peers[0]).expect("peer 1").clone();
    assert_eq!(
        (claim.discredited_from, claim.discredited_until_ms),
        (Some(1), NOW + discredit_ms)
    );
    assert_eq!(world.resource::<PeerRecords>().0[&PeerId(1)].discredits, 1);

    // Reconnecting does not lift the discredit.
    let inbox = &mut world.resource_mut::<Inbox>().0;
    inbox.push_back(NetEvent::PeerGone { peer: PeerId(1) });
    run_system(&mut built.engine, ingest_events);
    let mut lie = status(0);
    lie.head.height = 1_000_000;
    let world = built.engine.world_mut();
    world
        .resource_mut::<Inbox>()
        .0
        .push_back(NetEvent::PeerConnected {
            peer: PeerId(1),
            label: "back".into(),
            status: lie,
        });
    run_system(&mut built.engine, ingest_events);
    run_system(&mut built.engine, update_state);
    let world = built.engine.world_mut();
    let entity = world.resource::<PeerIndex>().0[&PeerId(1)];
    assert_eq!(
        world
            .get::<PeerClaim>(entity)
            .expect("claim")
            .usable_head(NOW),
        0
    );
    assert_eq!(world.resource::<SyncProgress>().target, 0);
    assert!(gate(world));
    assert_consistent(&mut built.engine);
}

#[test]
fn discredits_of_a_peer_that_keeps_withholding_grow_and_serving_forgives_them() {
    let config = SyncConfig::default();
    let mut claim = PeerClaim {
        head: fx().chain.block_ref(200),
        updated_ms: NOW,
        discredited_from: None,
        discredited_until_ms: 0,
        status_requested_ms: NOW,
        unbacked_from: None,
        proven: 0,
        announced: 0,
    };
    let mut record = PeerRecord::default();
    let mut now = NOW;
    let mut lengths = Vec::new();
    for start in [100, 120, 90] {
        claim.discredit(&mut record, &config, start, now);
        lengths.push(claim.discredited_until_ms - now);
        now = claim.discredited_until_ms;
    }
    let d = config.discredit_ms;
    assert_eq!(lengths, [d, 2 * d, 4 * d]);
    assert_eq!(claim.discredited_from, Some(90));
    assert_eq!(record.discredited_from, Some(90));
    // Once the discredit ends, downloads may ask it again, but its claim counts for the target only up to 89.
    assert_eq!(claim.usable_head(now), 200);
    assert_eq!(claim.backed_head(now), 89);
    // Serving below the withheld height forgives nothing; at or above it, everything.
    claim.served_from(&mut record, 50);
    assert_eq!((record.discredits, claim.backed_head(now)), (3, 89));
    claim.served_from(&mut record, 90);
    assert_eq!((record.discredits, claim.backed_head(now)), (0, 200));
}

#[test]
fn reputation_falls_by_tolerance_class_decays_and_bans_repeat_offenders_for_longer() {
    let config = SyncConfig::default();
    let half_life = config.reputation_half_life_ms;
    let ban_ms = config.ban_ms;
    let mut r = PeerRecord::default();
    // Two timeouts (mid tolerance, −5 each): the second reaches −10 and disconnects.
    let verdicts: Vec<Verdict> = (0..2)
        .map(|_| punish(&config, &mut r, Tolerance::Mid, NOW))
        .collect();
    assert_eq!(verdicts, [Verdict::Stay, Verdict::Kick]);
    assert_eq!(r.reputation_at(NOW, half_life), -10.0);
    assert_eq!(
        r.reputation_at(NOW + half_life, half_life),
        -5.0,
        "halves in a half-life"
    );
    // Low tolerance (−10): −20, −30, −40 stay (no second kick while below), −50 bans.
    let verdicts: Vec<Verdict> = (0..4)
        .map(|_| punish(&config, &mut r, Tolerance::Low, NOW))
        .collect();
    assert_eq!(
        verdicts,
        [Verdict::Stay, Verdict::Stay, Verdict::Stay, Verdict::Ban]
    );
    assert_eq!((r.banned_until_ms, r.bans), (NOW + ban_ms, 1));
    assert!(r.is_banned(NOW + ban_ms - 1) && !r.is_banned(NOW + ban_ms));
    assert_eq!(
        r.reputation_at(NOW + ban_ms, half_life),
        -100.0,
        "held while banned"
    );
    // Just after the ban, a single high-tolerance error (−1) bans it again, for twice as long.
    let t = r.banned_until_ms + 1;
    assert_eq!(punish(&config, &mut r, Tolerance::High, t), Verdict::Ban);
    assert_eq!((r.banned_until_ms, r.bans), (t + 2 * ban_ms, 2));
    // Bans double up to max_ban_ms.
    for _ in 0..20 {
        punish(&config, &mut r, Tolerance::Fatal, t);
    }
    assert_eq!(r.banned_until_ms, t + config.max_ban_ms);
    // A fatal offence bans a fresh peer at once.
    let mut fresh = PeerRecord::default();
    assert_eq!(
        punish(&config, &mut fresh, Tolerance::Fatal, NOW),
        Verdict::Ban
    );
    assert_eq!(fresh.banned_until_ms, NOW + ban_ms);
}

#[test]
fn score_peers_disconnects_a_peer_whose_reputation_falls_and_remembers_it_across_a_reconnect() {
    let mut built = small(Layout::small());
    let peer = built.peers[0];
    let outcomes = (0..2)
        .map(|_| PeerOutcome {
            peer,
            peer_id: PeerId(1),
            kind: OutcomeKind::Timeout,
            latency_ms: Some(1_000),
        })
        .collect();
    world_write_outcomes(&mut built.engine, outcomes);

    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    assert!(matches!(
        &world.resource::<Outbox>().0[..],
        [Request::Disconnect { peer: PeerId(1), ban: false, reason }] if reason.contains("reputation -10")
    ));
    assert!(world.get_entity(peer).is_err());
    let counters = world.resource::<EngineCounters>();
    assert_eq!((counters.peer_kicks, counters.peer_bans), (1, 0));
    assert_eq!(banned_until(world, PeerId(1)), None, "not banned");

    // It comes back: admitted, with the reputation it left with.
    world.resource_mut::<Outbox>().0.clear();
    take_outcomes(world);
    world
        .resource_mut::<Inbox>()
        .0
        .push_back(NetEvent::PeerConnected {
            peer: PeerId(1),
            label: "back".into(),
            status: status(100),
        });
    run_system(&mut built.engine, ingest_events);
    run_system(&mut built.engine, score_peers);
    let world = built.engine.world_mut();
    let back = world.resource::<PeerIndex>().0[&PeerId(1)];
    assert_eq!(world.get::<PeerReputation>(back).expect("peer").0, -10.0);
    assert!(world.resource::<Outbox>().0.is_empty());
    assert_consistent(&mut built.engine);
}

#[test]
fn dispatch_gives_a_peer_in_bad_standing_only_work_nobody_better_can_take() {
    let mut built = small(Layout {
        waiting: 1,
        ..Layout::small()
    });
    let peers = built.peers.clone();
    let world = built.engine.world_mut();
    let stop = world.resource::<SyncConfig>().stop_using_below;
    // Peers 1–3 in bad standing; peer 4 in good standing but busy.
    for &p in &peers[..3] {
        world.get_mut::<PeerReputation>(p).expect("peer").0 = stop - 5.0;
    }
    world
        .get_mut::<PeerBudget>(peers[3])
        .expect("peer")
        .max_in_flight = 0;

    run_system(&mut built.engine, dispatch_requests);
    let world = built.engine.world_mut();
    assert_eq!(
        state(world, built.waiting[0]),
        Some(RangeState::AwaitingDownload),
        "waits for the good peer"
    );

    // The good peer no longer claims the range: a bad one is the last resort.
    world.get_mut::<PeerClaim>(peers[3]).expect("peer").head = fx().chain.block_ref(0);
    run_system(&mut built.engine, dispatch_requests);
    let world = built.engine.world_mut();
    let dl = *world
        .get::<Downloading>(built.waiting[0])
        .expect("sent to a last resort");
    assert!(peers[..3].contains(&dl.peer));
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
        .block
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

#[test]
fn score_peers_keeps_peer_records_bounded_even_when_every_one_is_banned() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    world.resource_mut::<SyncConfig>().max_peer_records = 6;
    // A flood of banned identities (ids 100..120), bans ending at different times, beside the 4 connected peers.
    for i in 0..20u64 {
        world.resource_mut::<PeerRecords>().0.insert(
            PeerId(100 + i),
            PeerRecord {
                reputation: -100.0,
                banned_until_ms: NOW + 1_000 * (i + 1),
                bans: 1,
                ..PeerRecord::default()
            },
        );
    }

    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    let mut kept: Vec<u64> = world
        .resource::<PeerRecords>()
        .0
        .keys()
        .map(|p| p.0)
        .collect();
    kept.sort_unstable();
    // The bans ending last are kept; no connected peer had a record to lose.
    assert_eq!(kept, [114, 115, 116, 117, 118, 119]);
}

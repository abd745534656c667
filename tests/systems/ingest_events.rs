//! `ingest_events`: network events into the world (peers, claims, answers, departures).

use crate::support::{
    assert_consistent, failed_peers, fx, load, proof_world, small, state, status,
};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, count, run_system, take_outcomes};
use ecsync_components::ecs::{
    Delivered, Downloading, Peer, PeerBudget, PeerClaim, PeerLoad, PeerProof,
};
use ecsync_components::resources::{
    Buffer, EngineCounters, Inbox, Outbox, PeerIndex, PeerRecord, PeerRecords, Spec,
};
use ecsync_components::{
    FailureReason, Hash32, NetEvent, OutcomeKind, PeerId, PeerOutcome, Request, RequestId,
    SyncConfig,
};
use ecsync_systems::ingest_events;
use ecsync_systems::transitions::RangeState;

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

/// Peer 10 connects, peer 11 from another chain, peer 12 while banned; peer 1 reports head 200, peer 2 another
/// genesis.
fn queue_new_foreign_and_banned_peers_and_two_statuses(world: &mut World) {
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
}

#[test]
fn ingest_events_spawns_peers_updates_claims_and_refuses_foreign_and_banned_peers() {
    let mut built = small(Layout::small());
    queue_new_foreign_and_banned_peers_and_two_statuses(built.engine.world_mut());

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
fn ingest_events_fails_a_range_on_its_requests_failure_and_ignores_other_failures() {
    let mut built = small(Layout {
        downloading: 1,
        ..Layout::small()
    });
    let range = built.downloading[0];
    let world = built.engine.world_mut();
    let dl = *world.get::<Downloading>(range).expect("downloading");
    let failed = |peer: u64, request: u64| NetEvent::RequestFailed {
        peer: PeerId(peer),
        request: RequestId(request),
        reason: FailureReason::Dropped,
    };
    let inbox = &mut world.resource_mut::<Inbox>().0;
    // Failures of requests no range sent (an unknown request, another peer's), and the range's own.
    inbox.push_back(failed(dl.peer_id.0, 999_999));
    inbox.push_back(failed(dl.peer_id.0 + 1, dl.request.0));
    inbox.push_back(failed(dl.peer_id.0, dl.request.0));

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    // The range's failure failed its range, and only it blamed its peer.
    assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes[0].peer_id, dl.peer_id);
    assert_consistent(&mut built.engine);
}

#[test]
fn ingest_events_queues_members_consensus_messages_bounded_with_their_sender() {
    use ecsync_components::agreement::{Vote, VoteKind};
    use ecsync_components::messages::{ConsensusMessage, SignedVote};
    use ecsync_components::resources::{ConsensusInbox, MAX_CONSENSUS_INBOX};
    let vote = |round: u32| {
        ConsensusMessage::Vote(SignedVote {
            vote: Vote {
                height: 5,
                round,
                kind: VoteKind::Precommit,
                value: None,
                voter: 1,
            },
            signature: ecsync_components::SignatureBytes::ZERO,
        })
    };
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    let inbox = &mut world.resource_mut::<Inbox>().0;
    // Peer 1 sends 1,000 messages in batches of 50, peer 2 then 40: 16 beyond the bound, the oldest dropped.
    for batch in 0..20u32 {
        inbox.push_back(NetEvent::Consensus {
            peer: PeerId(1),
            messages: (batch * 50..batch * 50 + 50).map(vote).collect(),
        });
    }
    inbox.push_back(NetEvent::Consensus {
        peer: PeerId(2),
        messages: (5000..5040).map(vote).collect(),
    });

    run_system(&mut built.engine, ingest_events);

    let world = built.engine.world_mut();
    let mut queued = world.resource_mut::<ConsensusInbox>();
    assert_eq!(queued.len(), MAX_CONSENSUS_INBOX);
    assert_eq!(queued.dropped(), 1040 - MAX_CONSENSUS_INBOX as u64);
    let taken: Vec<(PeerId, u32)> = queued
        .take()
        .into_iter()
        .map(|(p, m)| (p, m.round()))
        .collect();
    let expected: Vec<(PeerId, u32)> = (16..1000)
        .map(|r| (PeerId(1), r))
        .chain((5000..5040).map(|r| (PeerId(2), r)))
        .collect();
    assert_eq!(taken, expected);
    assert!(world.resource::<Inbox>().0.is_empty());
    assert!(world.resource::<Outbox>().0.is_empty());
    assert!(take_outcomes(world).is_empty());
}

//! `score_peers`: outcomes into scores, reputation, discredits, kicks and bans.

use crate::support::{
    assert_consistent, banned_until, corrupt_signature, failed_peers, fx, small, state, status,
    validate_now, world_write_outcomes,
};
use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, run_system, take_outcomes};
use ecsync_components::ecs::{PeerClaim, PeerReputation, PeerScore, PeerStats};
use ecsync_components::resources::{
    Buffer, EngineCounters, Inbox, Observations, Outbox, PeerIndex, PeerRecord, PeerRecords,
};
use ecsync_components::{
    NetEvent, Offence, OutcomeKind, PeerId, PeerOutcome, Request, SyncConfig, Tolerance,
};
use ecsync_systems::score_peers::{Verdict, punish, score};
use ecsync_systems::transitions::RangeState;
use ecsync_systems::{ingest_events, score_peers};

/// Peer 1 served 16 blocks, peer 2 timed out, peer 3 sent an invalid block twice.
fn write_served_timed_out_and_twice_invalid(world: &mut World, p: &[Entity]) {
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
}

/// Peer 1's stats and score follow what it served; peer 2's fall with its timeout.
fn assert_the_server_and_the_late_peer_are_scored(
    world: &World,
    p: &[Entity],
    before: &[PeerStats],
) {
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
}

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
    write_served_timed_out_and_twice_invalid(world, &p);
    let ban_ms = world.resource::<SyncConfig>().ban_ms;

    run_system(&mut built.engine, score_peers);

    let world = built.engine.world_mut();
    assert_the_server_and_the_late_peer_are_scored(world, &p, &before);
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
        lowest: 0,
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

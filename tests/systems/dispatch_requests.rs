//! `dispatch_requests`: ranges to peers, the frontier first.

use crate::support::{
    assert_consistent, failed_peers, fx, heights_in, load, peer_id, set_budgets, small, state,
};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, build, run_system};
use ecsync_components::ecs::{
    Delivered, Downloaded, Downloading, Member, Peer, PeerBudget, PeerClaim, PeerReputation,
    PeerScore, Range, RangeAttempts,
};
use ecsync_components::resources::{Buffer, EngineCounters, Outbox, RequestCounter, SyncProgress};
use ecsync_components::{PeerId, Request, RequestId, SyncConfig};
use ecsync_systems::dispatch_requests::ANSWER_HEADROOM;
use ecsync_systems::transitions::RangeState;
use ecsync_systems::{dispatch_requests, handle_responses, transitions};

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
fn dispatch_requests_prefers_members_near_the_head_only() {
    // The range 1..=16 with the proven target at 66 (65 above its start: beyond `catch_up_distance`, 64) and at
    // 65 (within it).
    for (target, member_first) in [(66, false), (65, true), (16, true)] {
        let mut built = small(Layout {
            waiting: 1,
            ..Layout::small()
        });
        let peers = built.peers.clone();
        let world = built.engine.world_mut();
        let order = by_score(world, &peers);
        let worst = *order.last().expect("peers");
        world.entity_mut(worst).insert(Member { authorities: 1 });
        world.resource_mut::<SyncProgress>().target = target;

        run_system(&mut built.engine, dispatch_requests);

        let world = built.engine.world_mut();
        let dl = *world.get::<Downloading>(built.waiting[0]).expect("sent");
        let expected = if member_first { worst } else { order[0] };
        assert_ne!(worst, order[0]);
        assert_eq!(dl.peer, expected, "target {target}");
        assert_consistent(&mut built.engine);
    }
}

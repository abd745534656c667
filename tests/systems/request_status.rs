//! `request_status`: status requests and head announcements.

use crate::support::{assert_consistent, fx, small};
use ecsync::engine::SyncEngine;
use ecsync::testing::world::{Layout, NOW, run_system};
use ecsync_components::ecs::PeerClaim;
use ecsync_components::resources::{Announced, ChainHead, Clock, Outbox, SyncProgress};
use ecsync_components::{PeerId, Request, SyncConfig};
use ecsync_systems::request_status;

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

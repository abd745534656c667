//! A claim nobody proved, across `update_state`, `handle_timeouts` and `ingest_events`: it never moves the
//! target, and its peer is discredited.

use crate::support::{assert_consistent, fx, small, status};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Built, Layout, NOW, run_system};
use ecsync_components::ecs::PeerClaim;
use ecsync_components::resources::{Inbox, PeerIndex, PeerRecords, ProvenHead, SyncProgress};
use ecsync_components::{NetEvent, PeerId, SyncConfig, SyncState};
use ecsync_systems::{handle_timeouts, ingest_events, update_state};

/// Nothing above our head (0) is proven and the honest peers hold nothing above it; peer 1 claims a million blocks.
fn claim_a_million_nobody_proved(world: &mut World, peers: &[Entity]) {
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
}

/// Whether the production gate is open at head 0.
fn gate_open(world: &World) -> bool {
    let p = world.resource::<SyncProgress>();
    p.state.production_gate(0, p.target, 0.995, 10)
}

/// Peer 1 leaves and comes back with the same lie.
fn reconnect_peer_1_claiming_a_million(built: &mut Built) {
    let world = built.engine.world_mut();
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
}

#[test]
fn a_claim_nobody_proved_never_moves_the_target_and_is_discredited_after_one_request_timeout() {
    let mut built = small(Layout {
        downloading: 1,
        expired: 1,
        ..Layout::small()
    });
    let peers = built.peers.clone();
    claim_a_million_nobody_proved(built.engine.world_mut(), &peers);
    run_system(&mut built.engine, update_state);
    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.target, progress.claimed),
        (SyncState::Synced, 0, 1_000_000),
        "the lie is a claim, not the target"
    );
    assert!(gate_open(world), "the lie never closes the gate");

    run_system(&mut built.engine, handle_timeouts);
    run_system(&mut built.engine, update_state);

    let world = built.engine.world_mut();
    let progress = world.resource::<SyncProgress>().clone();
    assert_eq!((progress.state, progress.target), (SyncState::Synced, 0));
    assert!(gate_open(world));
    let discredit_ms = world.resource::<SyncConfig>().discredit_ms;
    let claim = world.get::<PeerClaim>(peers[0]).expect("peer 1").clone();
    assert_eq!(
        (claim.discredited_from, claim.discredited_until_ms),
        (Some(1), NOW + discredit_ms)
    );
    assert_eq!(world.resource::<PeerRecords>().0[&PeerId(1)].discredits, 1);

    // Reconnecting does not lift the discredit.
    reconnect_peer_1_claiming_a_million(&mut built);
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
    assert!(gate_open(world));
    assert_consistent(&mut built.engine);
}

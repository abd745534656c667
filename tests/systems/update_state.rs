//! `update_state`: the sync state and target from the proven head, stalls and recovery.

use crate::support::{assert_consistent, fx, load, small};
use bevy_ecs::prelude::*;
use ecsync::engine::SyncEngine;
use ecsync::testing::world::{Layout, NOW, SMALL_CHAIN_LEN, count, run_system};
use ecsync_components::ecs::{PeerClaim, PeerStats, PendingBlock, Range};
use ecsync_components::resources::{
    Buffer, ChainHead, Clock, PlanCursor, ProvenHead, SyncProgress,
};
use ecsync_components::{Failure, SyncConfig, SyncState, WaitReason};
use ecsync_systems::update_state;

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

    // The same discredits, once no peer claims anything above the head: what they failed to serve, the node holds,
    // so they are believed (an honest peer that timed out once does not close the gate of a node at its head).
    let world = built.engine.world_mut();
    let head = world.resource::<ChainHead>().0.height;
    for &p in &built.peers {
        world.get_mut::<PeerClaim>(p).expect("peer").head.height = head;
    }
    world.resource_mut::<ProvenHead>().head.height = head;
    run_system(&mut built.engine, update_state);
    let progress = built.engine.world_mut().resource::<SyncProgress>().clone();
    assert_eq!(
        (progress.state, progress.waiting),
        (SyncState::Synced, None)
    );
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

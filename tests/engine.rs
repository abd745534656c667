//! The engine's behaviour of the original design: a full sync, a start from a checkpoint, the production gate,
//! and the engine finishing before the sequential strategy on the same simulated peers.

use std::sync::OnceLock;

use ecsync::components::{NetEvent, PeerId, Request, StatusMessage, SyncConfig, SyncState};
use ecsync::engine::SyncEngine;
use ecsync::testing::invariants::check_bookkeeping;
use ecsync::testing::sim::{
    Behaviour, PeerSpec, SIM_EPOCH_MS, Scenario, SimChain, Simulation, sim_config,
};

fn chain() -> &'static SimChain {
    static CHAIN: OnceLock<SimChain> = OnceLock::new();
    CHAIN.get_or_init(|| SimChain::generate(21, 1000, 64))
}

/// The honest status at `height`, with its proof.
fn status_at(height: u64) -> StatusMessage {
    let c = chain();
    let proof = c.proof(height).expect("a block above genesis");
    StatusMessage::proven(c.spec.chain_id, c.spec.genesis_hash, proof)
}

/// An engine over the chain's store at `height`, built as the node builds it, with strict bookkeeping on (as the
/// test machinery runs it).
fn engine_at(height: u64, config: SyncConfig) -> SyncEngine {
    ecsync_components::set_strict(true);
    SyncEngine::new(
        chain().spec.clone(),
        config,
        Box::new(chain().store_at(height)),
    )
    .unwrap()
}

/// Connects peers 1..=n, each claiming height 1000.
fn connect_peers(engine: &mut SyncEngine, n: u64) {
    for p in 1..=n {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(p),
            label: format!("p{p}"),
            status: status_at(1000),
        });
    }
}

#[test]
fn sync_0_to_1000_ends_synced_at_1000() {
    let report =
        Simulation::new(chain(), Scenario::honest(1, 4, 1000), SyncConfig::default()).run();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(report.head, 1000);
    assert!(report.finished_after_ms.is_some());
}

#[test]
fn a_start_from_a_checkpoint_at_500_begins_at_or_above_500() {
    let mut engine = engine_at(500, SyncConfig::default());
    assert_eq!(
        engine
            .store()
            .latest_checkpoint()
            .unwrap()
            .unwrap()
            .head
            .height,
        500
    );
    assert_eq!(engine.status().current_height, 500);
    connect_peers(&mut engine, 3);
    engine.tick(SIM_EPOCH_MS);
    let starts: Vec<u64> = engine
        .drain_outbox()
        .into_iter()
        .filter_map(|r| match r {
            Request::BlocksByRange { start, .. } => Some(start),
            _ => None,
        })
        .collect();
    assert!(!starts.is_empty());
    assert!(starts.iter().all(|s| *s > 500), "{starts:?}");
    assert!(starts.contains(&501));

    let mut scenario = Scenario::honest(2, 3, 1000);
    scenario.start_height = 500;
    let report = Simulation::new(chain(), scenario, SyncConfig::default()).run();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(report.head, 1000);
}

#[test]
fn production_gate_at_0_500_990_995_1000_of_1000() {
    let answers: Vec<bool> = [0u64, 500, 990, 995, 1000]
        .into_iter()
        .map(|h| {
            let mut engine = engine_at(h, SyncConfig::default());
            engine.handle(NetEvent::PeerConnected {
                peer: PeerId(1),
                label: "p".into(),
                status: status_at(1000),
            });
            engine.tick(SIM_EPOCH_MS);
            let status = engine.status();
            assert_eq!(status.target_height, 1000);
            assert_eq!(status.can_produce_blocks, engine.can_produce_blocks());
            status.can_produce_blocks
        })
        .collect();
    assert_eq!(answers, [false, false, false, true, true]);
}

#[test]
fn no_peers_and_target_zero_never_divide_by_zero() {
    let mut engine = engine_at(0, SyncConfig::default());
    engine.tick(SIM_EPOCH_MS);
    let s = engine.status();
    assert_eq!(s.state, SyncState::Idle);
    assert_eq!(s.target_height, 0);
    assert!(s.estimated_completion_seconds.is_some_and(f64::is_finite));
}

#[test]
fn the_engine_finishes_before_the_sequential_strategy() {
    // Blocks of the default 1 KiB payload, so that links, not round trips alone, bound the download.
    let big = SimChain::generate(22, 1000, 1024);
    let run = |config: SyncConfig| {
        let report = Simulation::new(&big, Scenario::honest(5, 4, 1000), config).run();
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(report.head, 1000);
        report.finished_after_ms.unwrap()
    };
    let engine = run(SyncConfig::default());
    let sequential = run(SyncConfig::sequential());
    println!(
        "virtual time to sync 1000 blocks from 4 peers: engine {engine} ms, sequential {sequential} ms"
    );
    assert!(
        engine < sequential,
        "engine {engine} ms, sequential {sequential} ms"
    );
}

#[test]
fn a_lying_peer_does_not_hold_the_sync_hostage() {
    let mut scenario = Scenario::honest(9, 1, 1000);
    scenario.peers.push(PeerSpec {
        behaviour: Behaviour::Liar { extra: 1_000_000 },
        latency_ms: 5,
        bytes_per_sec: 10_000_000,
        join_at_ms: 0,
        leave_at_ms: None,
    });
    scenario.max_virtual_ms = 120_000;
    let report = Simulation::new(chain(), scenario, sim_config()).run();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(report.head, 1000);
}

#[test]
fn a_peer_sending_invalid_blocks_is_banned_and_nothing_invalid_is_imported() {
    let mut scenario = Scenario::honest(10, 1, 1000);
    // The fast peer corrupts every block; the slower honest peer must carry the sync.
    scenario.peers.push(PeerSpec {
        behaviour: Behaviour::Invalid {
            corrupt_per_mille: 1000,
        },
        latency_ms: 1,
        bytes_per_sec: 50_000_000,
        join_at_ms: 0,
        leave_at_ms: None,
    });
    let report = Simulation::new(chain(), scenario, sim_config()).run();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(report.head, 1000);
    assert!(report.bans >= 1);
}

#[test]
fn a_peer_on_another_chain_is_refused() {
    let mut engine = engine_at(0, SyncConfig::default());
    let mut status = status_at(1000);
    status.chain_id += 1;
    engine.handle(NetEvent::PeerConnected {
        peer: PeerId(1),
        label: "x".into(),
        status,
    });
    engine.tick(SIM_EPOCH_MS);
    let out = engine.drain_outbox();
    assert!(
        matches!(&out[..], [Request::Disconnect { peer: PeerId(1), reason, .. }] if reason.contains("chain")),
        "{out:?}"
    );
    assert_eq!(engine.status().peers_connected, 0);
}

#[test]
fn garbage_answers_are_refused_without_panic() {
    let mut engine = engine_at(0, SyncConfig::default());
    engine.handle(NetEvent::PeerConnected {
        peer: PeerId(1),
        label: "p".into(),
        status: status_at(1000),
    });
    engine.handle(NetEvent::PeerConnected {
        peer: PeerId(2),
        label: "q".into(),
        status: status_at(1000),
    });
    engine.tick(SIM_EPOCH_MS);
    let requests = engine.drain_outbox();
    let mut answered = 0;
    for r in requests {
        if let Request::BlocksByRange {
            peer,
            request,
            count,
            ..
        } = r
        {
            // Garbage, too many blocks, and a huge bogus length prefix.
            let blocks = match peer.0 {
                1 => vec![vec![0xff; 64]; 3],
                _ => vec![
                    vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
                    count as usize + 1
                ],
            };
            engine.handle(NetEvent::Blocks {
                peer,
                request,
                blocks,
            });
            answered += 1;
        }
    }
    assert!(answered >= 2);
    engine.tick(SIM_EPOCH_MS + 10);
    assert_eq!(engine.head().height, 0);
    assert_eq!(engine.counters().peer_bans, 2);
    let out = engine.drain_outbox();
    assert_eq!(
        out.iter()
            .filter(|r| matches!(r, Request::Disconnect { .. }))
            .count(),
        2,
        "{out:?}"
    );
}

#[test]
fn the_world_dump_shows_peers_ranges_and_blocks() {
    let mut engine = engine_at(0, SyncConfig::default());
    connect_peers(&mut engine, 3);
    engine.tick(SIM_EPOCH_MS);
    let requests = engine.drain_outbox();
    // Answer the first request only.
    let first = requests.iter().find_map(|r| match r {
        Request::BlocksByRange {
            peer,
            request,
            start,
            count,
            ..
        } => Some((*peer, *request, *start, *count)),
        _ => None,
    });
    let (peer, request, start, count) = first.unwrap();
    // The in-flight gauge counts the ranges asked for (its query state is kept across ticks: what changes after
    // the first count must still be seen).
    let sent = requests
        .iter()
        .filter(|r| matches!(r, Request::BlocksByRange { .. }))
        .count();
    assert!(sent > 1);
    assert_eq!(engine.ranges_in_flight(), sent);
    let blocks = (start..start + u64::from(count))
        .map(|h| chain().blocks[h as usize].clone())
        .collect();
    engine.handle(NetEvent::Blocks {
        peer,
        request,
        blocks,
    });
    engine.tick(SIM_EPOCH_MS + 50);
    let dump = engine.world_dump(true);
    let downloading = dump
        .ranges
        .iter()
        .filter(|r| r.components.contains_key("Downloading"))
        .count();
    assert!(downloading >= sent - 1, "{downloading} of {sent}");
    assert_eq!(engine.ranges_in_flight(), downloading);
    assert_eq!(dump.peers.len(), 3);
    assert!(
        dump.peers
            .iter()
            .all(|p| p.components.contains_key("PeerScore")
                && p.components.contains_key("PeerClaim"))
    );
    assert!(
        dump.ranges
            .iter()
            .any(|r| r.components.contains_key("Downloading"))
    );
    assert!(
        dump.other.is_empty(),
        "unexpected entities: {:?}",
        dump.other
    );
    assert!(dump.resources.contains_key("SyncProgress"));
    let json = serde_json::to_value(&dump).unwrap();
    assert!(json["blocks_by_stage"].is_object());
    // Blocks of the answered range were imported or are pending; the full dump lists the pending ones.
    let pending: u64 = dump.blocks_by_stage.values().map(|s| s.count).sum();
    assert_eq!(pending, dump.blocks.as_ref().unwrap().len() as u64);
    assert_eq!(engine.head().height + pending, u64::from(count));
}

#[test]
fn the_bookkeeping_check_catches_drift() {
    let mut engine = engine_at(0, SyncConfig::default());
    connect_peers(&mut engine, 2);
    engine.tick(SIM_EPOCH_MS);
    check_bookkeeping(&mut engine).unwrap();
    engine
        .world_mut()
        .resource_mut::<ecsync::components::resources::Buffer>()
        .reserved += 1;
    let err = check_bookkeeping(&mut engine).unwrap_err();
    assert!(err.contains("reserve"), "{err}");
    engine
        .world_mut()
        .resource_mut::<ecsync::components::resources::Buffer>()
        .reserved -= 1;
    engine
        .world_mut()
        .resource_mut::<ecsync::components::resources::PlanCursor>()
        .next += 5;
    let err = check_bookkeeping(&mut engine).unwrap_err();
    assert!(err.contains("belong to no range"), "{err}");
}

/// The engines these tests build run with strict bookkeeping: a transition from a wrong state panics, rather
/// than being counted as a running node counts it (tests/release_bookkeeping.rs shows that).
#[test]
fn the_suite_runs_with_strict_bookkeeping() {
    use bevy_ecs::prelude::{Commands, Entity};
    use ecsync_systems::transitions::Transitions;
    let mut engine = engine_at(0, SyncConfig::default());
    assert!(ecsync_components::strict());
    connect_peers(&mut engine, 2);
    engine.tick(SIM_EPOCH_MS);
    let (range, peer) = {
        let world = engine.world_mut();
        let mut q = world.query::<(Entity, &ecsync_components::ecs::Downloading)>();
        q.iter(world)
            .map(|(range, d)| (range, d.peer))
            .next()
            .expect("a range in flight")
    };
    let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ecsync::testing::world::run_system(&mut engine, move |mut commands: Commands| {
            commands.start_download(range, peer, 1_000, 0);
        });
    }));
    let message = wrong.expect_err("a transition from a wrong state panics");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("start_download"), "{message}");
}

/// A paused engine sends nothing — no range request, no status poll — however many ticks pass and however long
/// (well past the stall timeout, without failing); resumed, it asks again at once.
#[test]
fn a_paused_engine_sends_no_request_and_does_not_stall() {
    let config = SyncConfig::default();
    let mut engine = engine_at(0, config.clone());
    assert!(!engine.set_paused(true));
    assert!(engine.status().paused);
    connect_peers(&mut engine, 3);
    let mut now = SIM_EPOCH_MS;
    let until = now + 3 * config.stall_timeout_ms.max(config.status_interval_ms);
    while now < until {
        engine.tick(now);
        let sent = engine.drain_outbox();
        assert!(sent.is_empty(), "sent while paused at {now}: {sent:?}");
        now += 20;
    }
    let status = engine.status();
    assert_ne!(status.state, SyncState::Failed, "{status:?}");
    assert_eq!(status.current_height, 0);
    assert!(engine.set_paused(false));
    assert!(!engine.status().paused);
    engine.tick(now);
    let sent = engine.drain_outbox();
    assert!(
        sent.iter()
            .any(|r| matches!(r, Request::BlocksByRange { .. })),
        "nothing asked after resume: {sent:?}"
    );
}

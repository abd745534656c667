//! What work each peer gets, seen in the deterministic simulation (virtual time, no clock, no socket): the
//! requests the engine actually sent to each simulated peer ([`SentRequest`]), and what the engine thought of the
//! peer at each tick.
//!
//! - Adaptive batch sizing (`size_batches`): a fast peer's batches grow from the initial batch to the largest,
//!   while a slow peer's stay at the smallest, at the same time.
//! - Reputation decay (`score_peers`): a peer whose requests timed out falls below `stop_using_below`, gets no
//!   work while a reputable peer can take it, and gets work again once its reputation has decayed back.

use std::sync::OnceLock;

use ecsync::components::SyncConfig;
use ecsync::components::ecs::{Peer, PeerClaim};
use ecsync::components::resources::PeerRecords;
use ecsync::engine::SyncEngine;
use ecsync::testing::sim::{
    Behaviour, PeerSpec, SIM_EPOCH_MS, Scenario, SentRequest, SimChain, SimReport, Simulation,
};

/// A scenario of `peers` over a fixed chain of `blocks` (no crash, no partition), ticking every 20 ms.
fn scenario(seed: u64, blocks: u64, peers: Vec<PeerSpec>) -> Scenario {
    Scenario {
        seed,
        peers,
        initial_head: blocks,
        extend_every_ms: 0,
        final_head: blocks,
        start_height: 0,
        tick_ms: 20,
        max_virtual_ms: 600_000,
        max_response_bytes: 4 * 1024 * 1024,
        crashes: Vec::new(),
        partitions: Vec::new(),
    }
}

fn peer(behaviour: Behaviour, latency_ms: u64, bytes_per_sec: u64) -> PeerSpec {
    PeerSpec {
        behaviour,
        latency_ms,
        bytes_per_sec,
        join_at_ms: 0,
        leave_at_ms: None,
    }
}

/// The run must have synced the whole chain without a violation.
fn assert_synced(report: &SimReport, blocks: u64) {
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(report.head, blocks);
    assert!(report.finished_after_ms.is_some(), "{report:?}");
}

/// The requests sent to peer `index`, in order.
fn to_peer(sent: &[SentRequest], index: usize) -> Vec<&SentRequest> {
    sent.iter().filter(|r| r.peer == index).collect()
}

/// "t=120ms 64@129 Some(64)" (when, how many, from where, answered with how many) for each request, for failure
/// messages.
fn timeline(requests: &[&SentRequest]) -> String {
    let all: Vec<String> = requests
        .iter()
        .map(|r| format!("t={}ms {}@{} {:?}", r.at_ms, r.count, r.start, r.answered))
        .collect();
    all.join(", ")
}

const BATCH_BLOCKS: u64 = 10_000;

fn batch_chain() -> &'static SimChain {
    static CHAIN: OnceLock<SimChain> = OnceLock::new();
    CHAIN.get_or_init(|| SimChain::generate(31, BATCH_BLOCKS, 96))
}

#[test]
fn a_fast_peers_batches_grow_while_a_slow_peers_stay_small() {
    // One request at a time per peer: the sizes alone carry the difference, and the fast peer does not finish the
    // chain before the slow one has answered a few times.
    let config = SyncConfig {
        max_in_flight_per_peer: 1,
        ..SyncConfig::default()
    };
    let fast = peer(Behaviour::Honest, 10, 1_000_000);
    let slow = peer(Behaviour::Honest, 100, 15_000);
    let run = Simulation::new(
        batch_chain(),
        scenario(1, BATCH_BLOCKS, vec![fast, slow]),
        config.clone(),
    );
    let (report, sent) = run.run_observed(|_, _| {});
    assert_synced(&report, BATCH_BLOCKS);
    let (fast, slow) = (to_peer(&sent, 0), to_peer(&sent, 1));
    let context = format!("fast: {}; slow: {}", timeline(&fast), timeline(&slow));
    // Every request was answered in full: the sizes asked are the sizes served.
    assert!(
        sent.iter().all(|r| r.answered == Some(r.count as usize)),
        "{context}"
    );
    // The fast peer: from the initial batch, each request at least as large as the one before, up to the
    // largest batch, which it keeps (its last request is cut at the chain's head).
    assert!(!fast.is_empty(), "{context}");
    assert_eq!(fast[0].count, config.initial_batch, "{context}");
    let grown = fast
        .iter()
        .position(|r| r.count == config.max_batch)
        .unwrap_or_else(|| panic!("the fast peer never asked {}: {context}", config.max_batch));
    assert!(
        fast[..=grown].windows(2).all(|w| w[1].count >= w[0].count),
        "{context}"
    );
    assert!(
        fast[grown..fast.len() - 1]
            .iter()
            .all(|r| r.count == config.max_batch),
        "{context}"
    );
    // The slow peer: the initial batch first, then less (what it delivers in a target_request_ms), request after
    // request, also while the fast peer asks for the largest batch.
    assert!(slow.len() >= 3, "{context}");
    assert_eq!(slow[0].count, config.initial_batch, "{context}");
    assert!(
        slow[1..].iter().all(|r| r.count < config.initial_batch),
        "{context}"
    );
    let meanwhile = slow.iter().filter(|r| r.at_ms >= fast[grown].at_ms).count();
    assert!(meanwhile >= 2, "{context}");
}

/// What the engine thought of the decaying peer after a tick.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Virtual ms since the start.
    at_ms: u64,
    /// Connected (the engine has its peer entity).
    connected: bool,
    /// Its claim is discredited now.
    discredited: bool,
    /// Its reputation now.
    reputation: f64,
}

/// What the engine thinks of peer `id` after the tick at `at_ms`.
fn seen(engine: &mut SyncEngine, at_ms: u64, id: ecsync::components::PeerId) -> Seen {
    let now = SIM_EPOCH_MS + at_ms;
    let half_life = engine.config().reputation_half_life_ms;
    let world = engine.world_mut();
    let reputation = world
        .resource::<PeerRecords>()
        .0
        .get(&id)
        .map_or(0.0, |r| r.reputation_at(now, half_life));
    let mut peers = world.query::<(&Peer, &PeerClaim)>();
    let claim = peers
        .iter(world)
        .find(|(p, _)| p.id == id)
        .map(|(_, c)| c.clone());
    Seen {
        at_ms,
        connected: claim.is_some(),
        discredited: claim.is_some_and(|c| c.usable_head(now) < c.head.height),
        reputation,
    }
}

const DECAY_BLOCKS: u64 = 3_000;

fn decay_chain() -> &'static SimChain {
    static CHAIN: OnceLock<SimChain> = OnceLock::new();
    CHAIN.get_or_init(|| SimChain::generate(32, DECAY_BLOCKS, 96))
}

/// When the stalled peer of the decay scenario stops stalling, ms after the start.
const STALL_MS: u64 = 20_000;

/// The decay scenario, run: peer 0 carries the sync, slowly; peer 1 is quicker but answers no blocks request for
/// its first [`STALL_MS`]. Returns the run's requests and what the engine thought of peer 1 after each tick.
fn run_decay(config: &SyncConfig) -> (Vec<SentRequest>, Vec<Seen>) {
    let steady = peer(Behaviour::Honest, 100, 5_000);
    let stalled = peer(Behaviour::Stalled { until_ms: STALL_MS }, 20, 1_000_000);
    let id = ecsync::components::PeerId(2);
    let mut views = Vec::new();
    let run = Simulation::new(
        decay_chain(),
        scenario(2, DECAY_BLOCKS, vec![steady, stalled]),
        config.clone(),
    );
    let (report, sent) = run.run_observed(|at_ms, engine| views.push(seen(engine, at_ms, id)));
    assert_synced(&report, DECAY_BLOCKS);
    (sent, views)
}

/// The ticks from the first at which the reputation was below `stop` to the first after at which it was back:
/// `(fall, back)` indices into `views`.
fn low_span(views: &[Seen], stop: f64, context: &str) -> (usize, usize) {
    let fall = views
        .iter()
        .position(|v| v.reputation < stop)
        .unwrap_or_else(|| panic!("its reputation never fell below {stop}: {context}"));
    let back = fall
        + views[fall..]
            .iter()
            .position(|v| v.reputation >= stop)
            .unwrap_or_else(|| panic!("its reputation never came back to {stop}: {context}"));
    (fall, back)
}

#[test]
fn a_peer_whose_reputation_decayed_back_gets_work_again() {
    let config = SyncConfig {
        reputation_half_life_ms: 20_000,
        discredit_ms: 1_000,
        max_discredit_ms: 1_000,
        ..SyncConfig::default()
    };
    let (sent, views) = run_decay(&config);
    let requests = to_peer(&sent, 1);
    let context = format!("requests to the stalled peer: {}", timeline(&requests));
    let stop = config.stop_using_below;

    // Its requests during the stall went unanswered (they timed out).
    let stalled: Vec<_> = requests.iter().filter(|r| r.at_ms < STALL_MS).collect();
    assert!(stalled.len() >= 2, "{context}");
    assert!(stalled.iter().all(|r| r.answered.is_none()), "{context}");

    // Its reputation fell below stop_using_below after them, and stayed there (connected) until it decayed
    // back, at the pace of the half-life.
    let (fall, back) = low_span(&views, stop, &context);
    let (fell, came_back, low) = (views[fall], views[back], &views[fall..back]);
    assert!(
        low.iter().all(|v| v.connected),
        "{:?}",
        low.iter().find(|v| !v.connected)
    );
    let half_life = config.reputation_half_life_ms as f64;
    let expected = fell.at_ms as f64 + half_life * (fell.reputation / stop).log2();
    let tick = 20.0;
    assert!(
        (expected - 1.0..=expected + 1.0 + tick).contains(&(came_back.at_ms as f64)),
        "back at {} ms, decay says {expected} ms (from {fell:?})",
        came_back.at_ms
    );

    // No request while it was below: for a while (over 10 s) neither a discredit nor a disconnection kept work
    // from it, only its reputation.
    for r in &requests {
        let v = views.iter().find(|v| v.at_ms == r.at_ms).unwrap();
        assert!(v.reputation >= stop, "a request at {v:?}: {context}");
    }
    let undiscredited = low.iter().position(|v| !v.discredited).unwrap_or(low.len());
    assert!(
        low[undiscredited..].iter().all(|v| !v.discredited),
        "{context}"
    );
    let alone = came_back.at_ms - low.get(undiscredited).map_or(came_back.at_ms, |v| v.at_ms);
    assert!(
        alone > 10_000,
        "only {alone} ms without work for its reputation alone: {context}"
    );

    // Back at stop_using_below, it gets work at once (the other peer is as busy as before), and serves it.
    let again: Vec<_> = requests
        .iter()
        .filter(|r| r.at_ms >= came_back.at_ms)
        .collect();
    assert!(
        again
            .first()
            .is_some_and(|r| r.at_ms <= came_back.at_ms + 1_000),
        "{context}"
    );
    assert!(
        again.iter().all(|r| r.answered.is_some_and(|n| n > 0)),
        "{context}"
    );
}

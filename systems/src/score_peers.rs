//! `score_peers`: what peers did (`PeerOutcome`s) becomes their statistics and score, and request latencies
//! for metrics; peers that sent invalid data are banned, disconnected and removed.
//!
//! The score rewards measured speed and reliability: `10·ln(1 + blocks/s) · reliability − 5·consecutive failures −
//! 100·invalid`, where reliability is the share of requests answered with blocks. New peers start at 0, between a
//! proven fast peer and a failing one.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerScore, PeerStats};
use ecsync_components::resources::EngineCounters;
use ecsync_components::{OutcomeKind, PeerOutcome, Request};

use crate::params::{Env, PeerBook, Timing};
use crate::transitions::Transitions;

/// Weight of a new sample in a peer's latency and rate averages.
const EWMA: f64 = 0.3;

/// The score of a peer with these statistics.
pub fn score(stats: &PeerStats) -> f64 {
    let answered = stats.requests_ok as f64;
    let failed = f64::from(stats.timeouts + stats.failures + stats.empty);
    let reliability = (answered + 1.0) / (answered + failed + 1.0);
    10.0 * (1.0 + stats.blocks_per_sec).ln() * reliability
        - 5.0 * f64::from(stats.consecutive_failures)
        - 100.0 * f64::from(stats.invalid)
}

/// Adds one outcome to a peer's statistics. Returns whether it was a penalty.
pub fn record(stats: &mut PeerStats, kind: &OutcomeKind) -> bool {
    let OutcomeKind::Served {
        blocks,
        bytes,
        latency_ms,
    } = kind
    else {
        stats.consecutive_failures += 1;
        match kind {
            OutcomeKind::Empty { .. } => stats.empty += 1,
            OutcomeKind::Timeout => {
                stats.timeouts += 1;
                // A stalled peer's rate estimate decays, so its batches and score shrink.
                stats.blocks_per_sec *= 0.5;
            }
            OutcomeKind::Failed => stats.failures += 1,
            OutcomeKind::Invalid(_) => stats.invalid += 1,
            OutcomeKind::Served { .. } => {}
        }
        return true;
    };
    let latency = (*latency_ms).max(1) as f64;
    let rate = f64::from(*blocks) * 1000.0 / latency;
    if stats.requests_ok == 0 {
        stats.latency_ms = latency;
        stats.blocks_per_sec = rate;
    } else {
        stats.latency_ms = stats.latency_ms * (1.0 - EWMA) + latency * EWMA;
        stats.blocks_per_sec = stats.blocks_per_sec * (1.0 - EWMA) + rate * EWMA;
    }
    stats.requests_ok += 1;
    stats.blocks_served += u64::from(*blocks);
    stats.bytes_served += bytes;
    stats.consecutive_failures = 0;
    false
}

/// Applies this tick's outcomes and rescores. See the module docs.
pub fn score_peers(
    mut commands: Commands,
    env: Env,
    mut book: PeerBook,
    mut counters: ResMut<EngineCounters>,
    mut timing: Timing,
    mut outcomes: MessageReader<PeerOutcome>,
    mut peers: Query<(&Peer, &mut PeerStats, &mut PeerScore)>,
) {
    for outcome in outcomes.read() {
        if let Some(ms) = outcome.latency_ms {
            let latency = (outcome.kind.label(), ms as f64 / 1000.0);
            timing.observations.request_latency.push(latency);
        }
        let Ok((peer, mut stats, _)) = peers.get_mut(outcome.peer) else {
            continue;
        };
        if record(&mut stats, &outcome.kind) {
            counters.peer_penalties += 1;
        }
        let OutcomeKind::Invalid(offence) = &outcome.kind else {
            continue;
        };
        let id = peer.id;
        let now = env.now();
        // Banned now unless a ban still runs (a repeat offender whose ban expired is banned again).
        let fresh = book.bans.0.get(&id).is_none_or(|until| *until <= now);
        book.bans.0.insert(id, now + env.config.ban_ms);
        if fresh {
            counters.peer_bans += 1;
            let reason = format!("invalid data: {offence}");
            book.outbox.0.push(Request::Disconnect { peer: id, reason });
            commands.remove_peer(outcome.peer);
        }
    }
    for (_, stats, mut s) in &mut peers {
        s.0 = score(&stats);
    }
}

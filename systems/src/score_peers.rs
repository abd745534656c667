//! `score_peers`: what peers did becomes their statistics and score; peers that sent invalid data are banned.
//!
//! Reads: `PeerOutcome` messages, `Clock`, `SyncConfig`.
//! Writes: `Observations` (request latency by outcome), `PeerStats`, `PeerScore` (every peer, every tick), `BanList`, `Outbox` (disconnects),
//! `EngineCounters` (penalties, bans); removes banned peers (through `remove_peer`).
//!
//! The score rewards measured speed and reliability: `10·ln(1 + blocks/s) · reliability − 5·consecutive failures −
//! 100·invalid`, where reliability is the share of requests answered with blocks. New peers start at 0, between a
//! proven fast peer and a failing one.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerScore, PeerStats};
use ecsync_components::resources::{BanList, Clock, EngineCounters, Observations, Outbox};
use ecsync_components::{OutcomeKind, PeerOutcome, Request, SyncConfig};

use crate::transitions::remove_peer;

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

/// Applies this tick's outcomes and rescores. See the module docs for what it reads and writes.
pub fn score_peers(
    mut commands: Commands,
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    mut bans: ResMut<BanList>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<EngineCounters>,
    mut observations: ResMut<Observations>,
    mut outcomes: MessageReader<PeerOutcome>,
    mut peers: Query<(&Peer, &mut PeerStats, &mut PeerScore)>,
) {
    for outcome in outcomes.read() {
        if let Some(ms) = outcome.latency_ms {
            observations
                .request_latency
                .push((outcome.kind.label(), ms as f64 / 1000.0));
        }
        let Ok((peer, mut stats, _)) = peers.get_mut(outcome.peer) else {
            continue;
        };
        match &outcome.kind {
            OutcomeKind::Served {
                blocks,
                bytes,
                latency_ms,
            } => {
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
            }
            kind => {
                stats.consecutive_failures += 1;
                counters.peer_penalties += 1;
                match kind {
                    OutcomeKind::Empty { .. } => stats.empty += 1,
                    OutcomeKind::Timeout => {
                        stats.timeouts += 1;
                        // A stalled peer's rate estimate decays, so its batches and score shrink.
                        stats.blocks_per_sec *= 0.5;
                    }
                    OutcomeKind::Failed => stats.failures += 1,
                    OutcomeKind::Invalid { reason } => {
                        stats.invalid += 1;
                        let id = peer.id;
                        if bans.0.insert(id, clock.now_ms + config.ban_ms).is_none() {
                            counters.peer_bans += 1;
                            outbox.0.push(Request::Disconnect {
                                peer: id,
                                reason: format!("invalid data: {reason}"),
                            });
                            let entity = outcome.peer;
                            commands.queue(move |w: &mut World| remove_peer(w, entity));
                        }
                    }
                    OutcomeKind::Served { .. } => unreachable!("handled above"),
                }
            }
        }
    }
    for (_, stats, mut s) in &mut peers {
        s.0 = score(&stats);
    }
}

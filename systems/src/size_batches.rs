//! `size_batches`: each peer's batch size, in-flight limit and request timeout, from its measurements, so that
//! fast peers get big batches and many requests and a stalled one is detected in proportion to its speed.
//!
//! - batch: what the peer delivers in `target_request_ms` at its measured rate, within `[min_batch, max_batch]`;
//!   `initial_batch` until measured. A new peer's batch starts slow, like TCP: at most `initial_batch` doubled
//!   per answered request. Its first answers then come back small and soon, one after the other, so the
//!   validators start at once instead of waiting for a first maximal answer (at the start of a sync from four
//!   peers, blocks to validate came about 60 ms sooner).
//! - in flight: 1 after a failure, growing by one per answered request up to `max_in_flight_per_peer`.
//! - timeout (stall detection): three times the expected answer time (latency + batch / rate) plus 500 ms,
//!   within `[min_timeout_ms, max_timeout_ms]`; `initial_timeout_ms` until measured.

use bevy_ecs::prelude::*;
use ecsync_components::SyncConfig;
use ecsync_components::ecs::{PeerBudget, PeerStats};

/// The budget of a peer with these statistics.
pub fn budget(config: &SyncConfig, stats: &PeerStats) -> PeerBudget {
    let measured = stats.requests_ok > 0 && stats.blocks_per_sec > 0.0;
    let batch = if measured {
        let ideal = stats.blocks_per_sec * config.target_request_ms as f64 / 1000.0;
        let slow_start = u64::from(config.initial_batch.max(1))
            .saturating_mul(1u64 << stats.requests_ok.min(32))
            .min(u64::from(u32::MAX)) as u32;
        (ideal as u32)
            .min(slow_start)
            .clamp(config.min_batch, config.max_batch)
    } else {
        config
            .initial_batch
            .clamp(config.min_batch, config.max_batch)
    };
    let max_in_flight = if stats.consecutive_failures > 0 {
        1
    } else {
        (1 + stats.requests_ok.min(u64::from(u32::MAX)) as u32).min(config.max_in_flight_per_peer)
    };
    let timeout_ms = if measured {
        let expected = stats.latency_ms + f64::from(batch) * 1000.0 / stats.blocks_per_sec;
        ((3.0 * expected) as u64 + 500).clamp(config.min_timeout_ms, config.max_timeout_ms)
    } else {
        config.initial_timeout_ms
    };
    PeerBudget {
        batch,
        max_in_flight,
        timeout_ms,
    }
}

/// Resizes every peer's budget.
pub fn size_batches(config: Res<SyncConfig>, mut peers: Query<(&PeerStats, &mut PeerBudget)>) {
    for (stats, mut b) in &mut peers {
        *b = budget(&config, stats);
    }
}

//! The backfill's metrics (history below a checkpoint, fetched backwards: `ecsync_systems::backfill_blocks`),
//! from the engine's `Backfill` resource after each tick: the lowest height the store holds (moving down to 0),
//! the lowest written durably, blocks written, answers rejected, requests in flight, the state. A node whose store
//! holds its chain from genesis exports them at zero.

use ecsync_components::backfill::{BackfillState, BackfillStatus};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// The backfill's metrics, and what they last saw.
#[derive(Clone, Default)]
pub struct BackfillMetrics {
    lowest_height: Gauge,
    durable_height: Gauge,
    state: Gauge,
    requests_in_flight: Gauge,
    blocks: Counter,
    rejected: Counter,
    last_blocks: u64,
    last_rejected: u64,
}

impl BackfillMetrics {
    /// Registers them (under the registry's `ecsync` prefix).
    pub fn register(&self, r: &mut Registry) {
        r.register(
            "backfill_lowest_height",
            "Lowest height the store holds (and serves): a checkpoint-synced store's, moving down to 0 as the \
             backfill writes the history below it",
            self.lowest_height.clone(),
        );
        r.register(
            "backfill_durable_height",
            "Lowest height the backfill wrote durably (what a crash now would keep)",
            self.durable_height.clone(),
        );
        r.register(
            "backfill_state",
            "The backfill's state: 0 idle (nothing below the store), 1 running, 2 complete, 3 stopped",
            self.state.clone(),
        );
        r.register(
            "backfill_requests_in_flight",
            "Backfill requests in flight",
            self.requests_in_flight.clone(),
        );
        r.register(
            "backfill_blocks",
            "Blocks of history the backfill wrote below the lowest block",
            self.blocks.clone(),
        );
        r.register(
            "backfill_rejected",
            "Backfill answers or blocks rejected as invalid (each bans its peer)",
            self.rejected.clone(),
        );
    }

    /// Updates from the engine's backfill.
    pub fn update(&mut self, b: &BackfillStatus) {
        let to_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.lowest_height.set(to_i64(b.lowest_height));
        self.durable_height.set(to_i64(b.durable_height));
        self.state.set(match b.state {
            BackfillState::Idle => 0,
            BackfillState::Running => 1,
            BackfillState::Complete => 2,
            BackfillState::Stopped => 3,
        });
        self.requests_in_flight.set(i64::from(b.requests_in_flight));
        self.blocks
            .inc_by(b.blocks.saturating_sub(self.last_blocks));
        self.rejected
            .inc_by(b.rejected.saturating_sub(self.last_rejected));
        self.last_blocks = self.last_blocks.max(b.blocks);
        self.last_rejected = self.last_rejected.max(b.rejected);
    }
}

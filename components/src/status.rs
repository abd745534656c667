//! Sync state and the status the engine reports.

use serde::{Deserialize, Serialize};

use crate::chain::Height;

/// The engine's state. Each has a number, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SyncState {
    /// No peers.
    #[default]
    Idle,
    /// Peers connected, none known to be ahead yet.
    Discovering,
    /// Far behind the target: downloading in parallel.
    DownloadingBlocks,
    /// Close to the target, or following a moving head after having been synced.
    CatchingUp,
    /// At the target of the peers.
    Synced,
    /// Stalled or the store failed; recovers after a backoff, a bounded number of times.
    Failed,
}

impl SyncState {
    /// The state's number for metrics: Idle 0, Discovering 1, DownloadingBlocks 2, CatchingUp 3, Synced 4,
    /// Failed 5.
    pub fn as_number(self) -> u8 {
        match self {
            SyncState::Idle => 0,
            SyncState::Discovering => 1,
            SyncState::DownloadingBlocks => 2,
            SyncState::CatchingUp => 3,
            SyncState::Synced => 4,
            SyncState::Failed => 5,
        }
    }
}

/// What the engine reports of itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// State.
    pub state: SyncState,
    /// Imported head height.
    pub current_height: Height,
    /// Imported head slot.
    pub head_slot: crate::chain::Slot,
    /// Highest height a believed peer claims.
    pub target_height: Height,
    /// Import rate, blocks per second (smoothed).
    pub blocks_per_second: f64,
    /// Connected peers.
    pub peers_connected: usize,
    /// Remaining blocks over the import rate; `None` when not moving.
    pub estimated_completion_seconds: Option<f64>,
    /// Whether the node may produce blocks.
    pub can_produce_blocks: bool,
    /// Downloaded-but-not-imported bytes.
    pub buffered_bytes: u64,
    /// Why the engine failed, when it did.
    pub failure: Option<String>,
}

/// The production gate: synced, or — while downloading or catching up — progress ≥ `min_progress` and at most
/// `max_behind` blocks behind. Closed without peers (Idle), while no peer is believed (Discovering) and when
/// Failed: a node that cannot see the chain must not extend it. A target of 0 counts as complete progress.
pub fn production_gate(
    state: SyncState,
    current: Height,
    target: Height,
    min_progress: f64,
    max_behind: u64,
) -> bool {
    match state {
        SyncState::Synced => return true,
        SyncState::Idle | SyncState::Discovering | SyncState::Failed => return false,
        SyncState::DownloadingBlocks | SyncState::CatchingUp => {}
    }
    let progress = if target == 0 {
        1.0
    } else {
        current as f64 / target as f64
    };
    progress >= min_progress && target.saturating_sub(current) <= max_behind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_of_the_original_design() {
        let gate = |h| production_gate(SyncState::CatchingUp, h, 1000, 0.995, 10);
        assert_eq!(
            [0, 500, 990, 995, 1000].map(gate),
            [false, false, false, true, true]
        );
        assert!(
            production_gate(SyncState::CatchingUp, 0, 0, 0.995, 10),
            "no division by zero"
        );
        assert!(!production_gate(SyncState::Idle, 0, 0, 0.995, 10));
        assert!(!production_gate(SyncState::Failed, 1000, 1000, 0.995, 10));
        assert!(production_gate(SyncState::Synced, 0, 1000, 0.995, 10));
        // 99.5 % of a long chain is more than 10 behind.
        assert!(!production_gate(
            SyncState::CatchingUp,
            99_500,
            100_000,
            0.995,
            10
        ));
    }
}

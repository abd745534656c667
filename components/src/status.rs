//! Sync state and the status the engine reports.

use serde::{Deserialize, Serialize};

use crate::chain::Height;

/// The engine's state. Each has a number, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SyncState {
    /// No peer has connected since start.
    #[default]
    Idle,
    /// Waiting for peers that can serve ([`WaitReason`]): none connected any more, none believed, or every peer
    /// ahead unresponsive. Downloaded and validated blocks are kept; the sync resumes when peers serve again.
    Discovering,
    /// Far behind the target: downloading in parallel.
    DownloadingBlocks,
    /// Close to the target, or following a moving head after having been synced.
    CatchingUp,
    /// At the target of the peers.
    Synced,
    /// Stalled while peers answer, or the store failed; recovers after a backoff that doubles (capped) with
    /// each failure in a row, for ever.
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

    /// The production gate in this state at `current` of `target`: synced, or — while downloading or catching up
    /// — progress ≥ `min_progress` and at most `max_behind` blocks behind. Closed without peers (Idle), while no
    /// peer is believed (Discovering) and when Failed: a node that cannot see the chain must not extend it. A
    /// target of 0 counts as complete progress.
    pub fn production_gate(
        self,
        current: Height,
        target: Height,
        min_progress: f64,
        max_behind: u64,
    ) -> bool {
        match self {
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
    /// Imported head hash.
    #[serde(default)]
    pub head_hash: crate::bytes::Hash32,
    /// The proven target: the highest head the federation's signature proves (a verified head proof, a validated
    /// block). No peer's unproven word moves it.
    pub target_height: Height,
    /// The highest head a connected peer claims, proven or not: a hint of whom to ask, never the target.
    #[serde(default)]
    pub claimed_height: Height,
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
    pub failure: Option<Failure>,
    /// What the engine waits for while Discovering (or Idle).
    #[serde(default)]
    pub reason: Option<WaitReason>,
    /// Height of the newest durable checkpoint: what a crash now would keep.
    #[serde(default)]
    pub durable_height: Height,
    /// Paused by the operator (`POST /sync/pause`): no request goes out until `POST /sync/resume`.
    #[serde(default)]
    pub paused: bool,
    /// The lowest height the store holds (and the node serves): 0, or a checkpoint-synced node's lowest block,
    /// moving down to 0 as it backfills.
    #[serde(default)]
    pub lowest_height: Height,
    /// The backfill of history below a checkpoint, when this run has one.
    #[serde(default)]
    pub backfill: Option<crate::backfill::BackfillStatus>,
}

impl SyncStatus {
    /// The status of a node starting at `head`, before its engine's first tick.
    pub fn starting(head: crate::chain::BlockRef) -> Self {
        Self {
            state: SyncState::Idle,
            current_height: head.height,
            head_slot: head.slot,
            head_hash: head.hash,
            target_height: head.height,
            claimed_height: head.height,
            blocks_per_second: 0.0,
            peers_connected: 0,
            estimated_completion_seconds: None,
            can_produce_blocks: false,
            buffered_bytes: 0,
            failure: None,
            reason: Some(WaitReason::NoPeers),
            durable_height: 0,
            paused: false,
            lowest_height: 0,
            backfill: None,
        }
    }
}

/// What a Discovering (or Idle) engine waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// No peer is connected.
    NoPeers,
    /// Peers are connected, but none is believed to hold blocks above the head (their claims were discredited).
    NoPeerBelieved,
    /// No peer answers (its recent requests failed, or its status is stale), or every peer claiming blocks above
    /// the head does not.
    PeersUnresponsive,
}

impl WaitReason {
    /// Every reason, for metrics labels.
    pub const ALL: [WaitReason; 3] = [
        WaitReason::NoPeers,
        WaitReason::NoPeerBelieved,
        WaitReason::PeersUnresponsive,
    ];

    /// The reason's name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::NoPeers => "no_peers",
            WaitReason::NoPeerBelieved => "no_peer_believed",
            WaitReason::PeersUnresponsive => "peers_unresponsive",
        }
    }
}

/// Why the engine entered Failed: code branches on the kind (a store failure is logged as an error, a stall is
/// the network's doing), people read the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// No import progress for `stalled_ms` while behind the target.
    #[error("no import progress for {} s at height {height} with target {target}", stalled_ms / 1000)]
    Stalled {
        /// The head.
        height: Height,
        /// The target.
        target: Height,
        /// How long without progress.
        stalled_ms: u64,
    },
    /// The store refused or failed an import transaction.
    #[error("import at height {height}: {error}")]
    Import {
        /// The first height of the failed import.
        height: Height,
        /// The store's error.
        error: String,
    },
}

impl Failure {
    /// Whether the store failed (rather than the network).
    pub fn is_store(&self) -> bool {
        matches!(self, Failure::Import { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_of_the_original_design() {
        let gate = |h| SyncState::CatchingUp.production_gate(h, 1000, 0.995, 10);
        assert_eq!(
            [0, 500, 990, 995, 1000].map(gate),
            [false, false, false, true, true]
        );
        assert!(
            SyncState::CatchingUp.production_gate(0, 0, 0.995, 10),
            "no division by zero"
        );
        assert!(!SyncState::Idle.production_gate(0, 0, 0.995, 10));
        assert!(!SyncState::Failed.production_gate(1000, 1000, 0.995, 10));
        assert!(SyncState::Synced.production_gate(0, 1000, 0.995, 10));
        // 99.5 % of a long chain is more than 10 behind.
        assert!(!SyncState::CatchingUp.production_gate(99_500, 100_000, 0.995, 10));
    }
}

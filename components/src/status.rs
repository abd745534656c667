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

//! The engine's entities are peers, ranges and pending blocks; these are their components. A range's state and a
//! block's stage are marker components: exactly one state per range, one stage per block, changed only by the
//! named transitions of `ecsync_systems::transitions`.

use std::sync::Arc;

use bevy_ecs::prelude::{Component, Entity};
use serde::Serialize;

use crate::bytes::Hash32;
use crate::chain::{BlockRef, Height, SignedBlock};
use crate::config::SyncConfig;
use crate::messages::{PeerId, RequestId};
use crate::resources::PeerRecord;
use crate::store::ImportBlock;

// ---------------------------------------------------------------------------------------------------------------
// Peers

/// A connected peer. It comes with its statistics, score and load at zero; its claim and budget are given.
#[derive(Component, Clone, Debug, Serialize)]
#[require(PeerStats, PeerScore, PeerReputation, PeerLoad, PeerProof)]
pub struct Peer {
    /// The network adapter's id for it.
    pub id: PeerId,
    /// Display name (e.g. the libp2p peer id).
    pub label: String,
    /// When it connected (engine time).
    pub connected_at_ms: u64,
}

/// A peer that proved it is a member of the federation (`NetEvent::PeerAuthenticated`): the authorities whose
/// keys it holds. Members alone are asked for approvals; followers prefer them at the head.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Its authorities, as an approvers bitfield.
    pub authorities: u64,
}

/// What a peer claims to have, and whether the claim is still believed.
#[derive(Component, Clone, Debug, Serialize)]
pub struct PeerClaim {
    /// The head from its latest status.
    pub head: BlockRef,
    /// When that status arrived.
    pub updated_ms: u64,
    /// The peer failed to serve this height although it claimed it: heights from here are not believed…
    pub discredited_from: Option<Height>,
    /// …until this time.
    pub discredited_until_ms: u64,
    /// When the engine last asked for its status.
    pub status_requested_ms: u64,
    /// The peer was asked for this height, which it claimed, and did not serve it (an empty answer or a
    /// timeout): heights from here do not count towards the target, nor keep the production gate closed, until it
    /// serves a range at or above it. (Downloads may still ask it again once its discredit ends.)
    pub unbacked_from: Option<Height>,
    /// The highest height this peer proved (a head proof of its that verified, or a proven head of ours it
    /// named): `head` above it is a hint of whom to ask, never a target.
    #[serde(default)]
    pub proven: Height,
    /// The highest head of ours this peer was told (a status request carries our status).
    #[serde(default)]
    pub announced: Height,
    /// The lowest height it says it serves (its status's `lowest`): it is never asked for blocks below, nor
    /// blamed for not serving them.
    #[serde(default)]
    pub lowest: Height,
}

impl PeerClaim {
    /// The highest height the peer is believed to hold for the target: its claim, but not above a height it
    /// failed to serve since (see `unbacked_from`).
    pub fn backed_head(&self, now_ms: u64) -> Height {
        let usable = self.usable_head(now_ms);
        match self.unbacked_from {
            Some(from) => usable.min(from.saturating_sub(1)),
            None => usable,
        }
    }

    /// The highest height the engine believes the peer can serve at `now_ms`.
    pub fn usable_head(&self, now_ms: u64) -> Height {
        match self.discredited_from {
            Some(from) if now_ms < self.discredited_until_ms => {
                self.head.height.min(from.saturating_sub(1))
            }
            _ => self.head.height,
        }
    }

    /// The peer failed to serve `start` (an empty answer or a timeout): heights from there are not believed for a
    /// while, twice as long as the last time if it did so before without serving at or above there since
    /// (`record` keeps the count across connections).
    pub fn discredit(
        &mut self,
        record: &mut PeerRecord,
        config: &SyncConfig,
        start: Height,
        now: u64,
    ) {
        let duration = config
            .discredit_ms
            .saturating_mul(1u64 << record.discredits.min(30))
            .min(config.max_discredit_ms.max(config.discredit_ms));
        record.discredits = record.discredits.saturating_add(1);
        let from = self
            .discredited_from
            .filter(|_| now < self.discredited_until_ms);
        self.discredited_from = Some(from.map_or(start, |f| f.min(start)));
        self.discredited_until_ms = now.saturating_add(duration);
        self.unbacked_from = Some(self.unbacked_from.map_or(start, |f| f.min(start)));
        record.discredited_from = self.discredited_from;
        record.discredited_until_ms = self.discredited_until_ms;
    }

    /// Whether the peer is believed to serve every height of `start..end` at `now_ms`: within its claim of
    /// history (from `lowest`, unless `record` says that claim is discredited down to some height: see
    /// `PeerRecord::discredit_history`) and its usable head.
    pub fn serves(
        &self,
        record: Option<&PeerRecord>,
        start: Height,
        end: Height,
        now_ms: u64,
    ) -> bool {
        let lowest = record.map_or(self.lowest, |r| r.history_from(self.lowest, now_ms));
        start >= lowest && end > start && end - 1 <= self.usable_head(now_ms)
    }

    /// The peer served a range from `start`: a withheld height at or below it is forgiven (its claim counts again,
    /// the next discredit starts short).
    pub fn served_from(&mut self, record: &mut PeerRecord, start: Height) {
        if self.unbacked_from.is_some_and(|from| start >= from) {
            self.unbacked_from = None;
        }
        if record.discredited_from.is_some_and(|from| start >= from) {
            record.discredits = 0;
        }
    }
}

/// A peer's head proof waiting for verification (`prove_heads`), and its proof rate.
#[derive(Component, Clone, Debug, Default, Serialize)]
pub struct PeerProof {
    /// Its newest proof above the proven head, not yet verified (an older one is replaced).
    #[serde(skip)]
    pub pending: Option<Box<crate::chain::HeadProof>>,
    /// Its proof rate, as a GCRA: the theoretical arrival time of its next proof (engine ms). A proof is
    /// verified only while this is at most `proof_interval_ms × (proof_burst − 1)` ahead of now.
    pub rate_tat_ms: u64,
    /// Its proofs verified (valid ones; an invalid one bans it).
    pub verified: u32,
}

impl PeerProof {
    /// The height of the proof waiting, if any.
    pub fn pending_height(&self) -> Option<Height> {
        self.pending.as_ref().map(|p| p.header.height)
    }
}

/// Measured behaviour of a peer (exponentially weighted where it is a rate).
#[derive(Component, Clone, Debug, Default, Serialize)]
pub struct PeerStats {
    /// Request latency, milliseconds (0 until measured).
    pub latency_ms: f64,
    /// Delivery rate, blocks per second (0 until measured).
    pub blocks_per_sec: f64,
    /// Requests answered with blocks.
    pub requests_ok: u64,
    /// Blocks delivered.
    pub blocks_served: u64,
    /// Bytes delivered.
    pub bytes_served: u64,
    /// Requests that timed out.
    pub timeouts: u32,
    /// Requests that failed at the transport.
    pub failures: u32,
    /// Empty answers for claimed heights.
    pub empty: u32,
    /// Invalid answers or blocks.
    pub invalid: u32,
    /// Failures since the last success.
    pub consecutive_failures: u32,
}

/// A peer's score: the best peers get work first.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize)]
pub struct PeerScore(pub f64);

/// A peer's reputation now (see `PeerRecords`: 0 neutral, −100 worst), refreshed each tick by `score_peers`.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize)]
pub struct PeerReputation(pub f64);

/// A peer's adaptive batch size (blocks per request) and request timeout.
#[derive(Component, Clone, Copy, Debug, Serialize)]
pub struct PeerBudget {
    /// Blocks per request.
    pub batch: u32,
    /// Requests in flight at most.
    pub max_in_flight: u32,
    /// Request timeout, milliseconds.
    pub timeout_ms: u64,
}

/// Requests in flight to a peer now.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct PeerLoad {
    /// In flight: the forward sync's ranges (changed by its transitions only).
    pub in_flight: u32,
    /// In flight: the backfill's batches (changed by the backfill's systems only).
    #[serde(default)]
    pub backfill: u32,
}

impl PeerLoad {
    /// Every request in flight to the peer, forward and backfill: what its budget's `max_in_flight` bounds (a
    /// server answers a few requests of a peer at a time and drops the rest).
    pub fn total(&self) -> u32 {
        self.in_flight.saturating_add(self.backfill)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

/// A range of heights owned by one range entity until every block of it is imported. Ranges never overlap. A
/// range comes with its history; a new one is born AwaitingDownload (`Range::waiting`).
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[require(RangeAttempts)]
pub struct Range {
    /// First height.
    pub start: Height,
    /// Number of heights.
    pub count: u32,
}

impl Range {
    /// A new range of `count` heights from `start`, in its first state.
    pub fn waiting(start: Height, count: u32) -> (Range, AwaitingDownload) {
        (Range { start, count }, AwaitingDownload)
    }

    /// One past the last height.
    pub fn end(&self) -> Height {
        self.start + u64::from(self.count)
    }
}

/// A range's history: how often it was tried and by whom it failed.
#[derive(Component, Clone, Debug, Default, Serialize)]
pub struct RangeAttempts {
    /// Downloads started.
    pub attempts: u32,
    /// Peers that failed it (timeout, empty, invalid).
    pub failed_peers: Vec<PeerId>,
}

/// Range state: waiting for a peer.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct AwaitingDownload;

/// Range state: requested from a peer.
#[derive(Component, Clone, Copy, Debug, Serialize)]
pub struct Downloading {
    /// The peer's entity.
    pub peer: Entity,
    /// The peer's id.
    pub peer_id: PeerId,
    /// The request.
    pub request: RequestId,
    /// When it was sent (engine time).
    pub sent_at_ms: u64,
    /// When it times out.
    pub deadline_ms: u64,
    /// Buffer bytes reserved for the answer.
    pub reserved_bytes: u64,
}

/// Set on a `Downloading` range when its answer arrived, until `handle_responses` takes it.
#[derive(Component, Clone, Debug)]
pub struct Delivered {
    /// The raw encodings (`handle_responses` moves them on into the pending blocks).
    pub blocks: Vec<Vec<u8>>,
    /// When they arrived.
    pub at_ms: u64,
}

/// A block of an answer that passed `ecsync_systems::handle_responses::check_answer`: decoded, with its canonical
/// encoding (the bytes that came off the wire, moved here, not copied). `accept_answer` makes it a [`PendingBlock`].
pub type CheckedBlock = (SignedBlock, Vec<u8>);

/// Range state: downloaded; its blocks are pending entities (in height order) on their way to import.
#[derive(Component, Clone, Debug, Serialize)]
pub struct AwaitingImport {
    /// The peer that served it.
    pub peer: Entity,
    /// Its id.
    pub peer_id: PeerId,
    /// The pending block entities, ascending height.
    pub blocks: Vec<Entity>,
}

// ---------------------------------------------------------------------------------------------------------------
// Pending blocks

/// A downloaded block that is not yet imported. Its block and bytes are shared, not copied, with the validation
/// job that checks them on the compute pool (a clone is two reference counts).
#[derive(Component, Clone, Debug)]
pub struct PendingBlock {
    /// The block.
    pub block: Arc<SignedBlock>,
    /// Its hash.
    pub hash: Hash32,
    /// Its canonical encoding: the bytes that came off the wire (moved here from the answer, not copied), which
    /// the store keeps as they are. With the decoded block beside them, a pending block takes about twice its
    /// encoded size in memory (see `SyncConfig::max_buffered_bytes`).
    pub bytes: Arc<Vec<u8>>,
    /// The range entity it belongs to.
    pub range: Entity,
}

impl PendingBlock {
    /// The pending block `block` (of hash `hash` and canonical encoding `bytes`) of the range `range`.
    pub fn new(block: SignedBlock, hash: Hash32, bytes: Vec<u8>, range: Entity) -> Self {
        Self {
            block: Arc::new(block),
            hash,
            bytes: Arc::new(bytes),
            range,
        }
    }

    /// Its height.
    pub fn height(&self) -> Height {
        self.block.height()
    }

    /// Its block, to change (copied first if a validation job still shares it): for tests and tools that make
    /// bad blocks.
    pub fn block_mut(&mut self) -> &mut SignedBlock {
        Arc::make_mut(&mut self.block)
    }

    /// Its canonical size in bytes (what the buffer accounts for it).
    pub fn encoded_len(&self) -> u32 {
        u32::try_from(self.bytes.len()).unwrap_or(u32::MAX)
    }

    /// What the store is given to import it.
    pub fn as_import(&self) -> ImportBlock<'_> {
        ImportBlock {
            block: &self.block,
            hash: self.hash,
            bytes: &self.bytes,
        }
    }
}

/// Block stage: downloaded, not yet validated.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct Downloaded;

/// Block stage: handed to a validation job on the compute pool; its result is taken at a later tick (see
/// `validate_blocks`). Nothing else selects it meanwhile; it may still be dropped with its range.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct Validating;

/// Block stage: every rule that does not need the parent holds, signature included.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct Validated;

/// Block stage: validated and linked to the imported chain (height, parent hash, slot order); imports next.
#[derive(Component, Clone, Copy, Debug, Default, Serialize)]
pub struct ReadyToImport;

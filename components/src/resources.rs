//! The engine's resources: the world-wide state its systems share.

use std::collections::{HashMap, VecDeque};

use bevy_ecs::prelude::{Entity, Resource};
use serde::Serialize;

use crate::chain::{BlockRef, Height};
use crate::config::SyncConfig;
use crate::messages::{NetEvent, PeerId, Request};
use crate::spec::ChainSpec;
use crate::status::SyncState;
use crate::store::{ChainStore, Checkpoint};

/// The chain spec.
#[derive(Resource, Clone, Debug)]
pub struct Spec(pub ChainSpec);

/// Engine time: set by each `tick(now)`. Real time in the node, virtual time in the simulation.
#[derive(Resource, Clone, Copy, Debug, Default, Serialize)]
pub struct Clock {
    /// Unix milliseconds.
    pub now_ms: u64,
}

/// The injected chain store.
#[derive(Resource)]
pub struct Store(pub Box<dyn ChainStore>);

/// The imported head (mirrors the store's, kept in the world so systems need not ask the store).
#[derive(Resource, Clone, Copy, Debug, Serialize)]
pub struct ChainHead(pub BlockRef);

/// Network events handed to `SyncEngine::handle`, taken by `ingest_events` each tick.
#[derive(Resource, Debug, Default)]
pub struct Inbox(pub VecDeque<NetEvent>);

/// Requests for the network adapter, taken by `SyncEngine::drain_outbox`.
#[derive(Resource, Debug, Default)]
pub struct Outbox(pub Vec<Request>);

/// Peer id → peer entity.
#[derive(Resource, Debug, Default)]
pub struct PeerIndex(pub HashMap<PeerId, Entity>);

/// What the engine remembers of each peer id across its connections: its reputation, its bans and how often its
/// claims went unserved. A reconnect resets nothing of it. At most `SyncConfig::max_peer_records` entries: the
/// least notable is forgotten first (not banned, reputation nearest 0; then the bans ending soonest; `score_peers`).
#[derive(Resource, Debug, Default, Serialize)]
pub struct PeerRecords(pub HashMap<PeerId, PeerRecord>);

/// The worst reputation: a fatal offence sets it, a ban holds it.
pub const MIN_REPUTATION: f64 = -100.0;

/// One peer id's record (see [`PeerRecords`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PeerRecord {
    /// Reputation at `updated_ms`: 0 is neutral, [`MIN_REPUTATION`] the worst. Only misbehaviour moves it (down,
    /// by its tolerance class); it decays back towards 0 with `SyncConfig::reputation_half_life_ms`.
    pub reputation: f64,
    /// From when `reputation` decays (engine ms; the end of a ban, while banned).
    pub updated_ms: u64,
    /// Banned until then (engine ms; past: not banned).
    pub banned_until_ms: u64,
    /// Bans so far: each lasts twice the one before, up to `SyncConfig::max_ban_ms`.
    pub bans: u32,
    /// Times in a row its claim was found unserved (each discredit lasts twice the one before); 0 again once it
    /// serves at or above the height it withheld.
    pub discredits: u32,
    /// Its claim is not believed from this height…
    pub discredited_from: Option<Height>,
    /// …until then (engine ms). Copied into a new connection's `PeerClaim`.
    pub discredited_until_ms: u64,
    /// Its claim of history (its status's `lowest`) is not believed below this height (exclusive: it was asked
    /// for heights below it that it claimed, and served nothing)…
    pub history_below: Height,
    /// …until then (engine ms).
    pub history_until_ms: u64,
    /// Times in a row its claim of history was found unserved (each discredit lasts twice the one before); 0
    /// again once it serves history.
    pub history_discredits: u32,
}

impl PeerRecord {
    /// The reputation at `now_ms`, decayed with `half_life_ms` since `updated_ms`.
    pub fn reputation_at(&self, now_ms: u64, half_life_ms: u64) -> f64 {
        let elapsed = now_ms.saturating_sub(self.updated_ms) as f64;
        self.reputation * 0.5f64.powf(elapsed / half_life_ms.max(1) as f64)
    }

    /// The lowest height a peer claiming history from `lowest` is believed to serve at `now_ms`: `lowest`,
    /// raised to where its claim is discredited while that lasts.
    pub fn history_from(&self, lowest: Height, now_ms: u64) -> Height {
        if now_ms < self.history_until_ms {
            lowest.max(self.history_below)
        } else {
            lowest
        }
    }

    /// The peer served nothing for history it claimed, below `end` (exclusive): its claim is not believed below
    /// there for `discredit_ms` (config), doubled with each discredit in a row up to `max_discredit_ms`, so that
    /// the backfill asks others meanwhile (as `PeerClaim::discredit` for heads).
    pub fn discredit_history(&mut self, config: &SyncConfig, end: Height, now_ms: u64) {
        let duration = config
            .discredit_ms
            .saturating_mul(1u64 << self.history_discredits.min(30))
            .min(config.max_discredit_ms.max(config.discredit_ms));
        self.history_discredits = self.history_discredits.saturating_add(1);
        let below = if now_ms < self.history_until_ms {
            self.history_below.max(end)
        } else {
            end
        };
        self.history_below = below;
        self.history_until_ms = now_ms.saturating_add(duration);
    }

    /// The peer served history: its next discredit starts short again.
    pub fn served_history(&mut self) {
        self.history_discredits = 0;
    }

    /// Whether a ban runs at `now_ms`.
    pub fn is_banned(&self, now_ms: u64) -> bool {
        self.banned_until_ms > now_ms
    }
}

/// Request ids.
#[derive(Resource, Debug, Default, Serialize)]
pub struct RequestCounter(pub u64);

/// The last head this node announced to its peers (see `request_status`).
#[derive(Resource, Clone, Copy, Debug, Default, Serialize)]
pub struct Announced {
    /// Its height.
    pub height: Height,
    /// When.
    pub at_ms: u64,
}

/// Where planning continues: every height in `(head, next)` is owned by a range entity.
#[derive(Resource, Clone, Copy, Debug, Serialize)]
pub struct PlanCursor {
    /// The next height no range owns.
    pub next: Height,
}

/// Bytes held by pending blocks and reserved for requests in flight.
#[derive(Resource, Clone, Copy, Debug, Default, Serialize)]
pub struct Buffer {
    /// Bytes of pending blocks.
    pub bytes: u64,
    /// Pending blocks.
    pub blocks: u64,
    /// Bytes reserved for answers in flight.
    pub reserved: u64,
    /// Running estimate of a block's encoded size.
    pub avg_block_bytes: f64,
    /// Highest `bytes` seen.
    pub peak_bytes: u64,
}

/// Weight of a new sample in the running average block size.
const BLOCK_SIZE_EWMA: f64 = 0.1;

/// The buffer's accounting moves only through these four methods. Each asserts (under strict bookkeeping:
/// `crate::strict()`) the books it leaves balance (a release or a free never exceeds what was reserved or
/// admitted), so drift is caught where it happens rather than hidden by a saturating subtraction; a running node
/// saturates instead.
impl Buffer {
    /// Bytes neither held nor reserved, under `cap`.
    pub fn room(&self, cap: u64) -> u64 {
        cap.saturating_sub(self.bytes + self.reserved)
    }

    /// Expected encoded bytes of `count` blocks: the running average block size, or before any block arrived the
    /// spec's maximum `spec_max`, at most 4 KiB.
    pub fn expected_bytes(&self, spec_max: u32, count: u32) -> u64 {
        let avg = if self.avg_block_bytes > 0.0 {
            self.avg_block_bytes
        } else {
            f64::from(spec_max.min(4096))
        };
        (avg * f64::from(count)).ceil() as u64
    }

    /// Whether `more` bytes fit under `cap` beside what is held and reserved.
    pub fn fits(&self, more: u64, cap: u64) -> bool {
        self.bytes + self.reserved + more <= cap
    }

    /// A request goes out: `bytes` are set aside for its answer.
    pub fn reserve(&mut self, bytes: u64) {
        self.reserved += bytes;
    }

    /// A request is over (answered, failed or abandoned): its reservation goes.
    pub fn release(&mut self, bytes: u64) {
        crate::strict_assert!(
            bytes <= self.reserved,
            "releasing {bytes} reserved bytes of {}",
            self.reserved
        );
        self.reserved -= bytes.min(self.reserved);
    }

    /// A downloaded block of `len` bytes enters the buffer.
    pub fn admit(&mut self, len: u32) {
        let len64 = u64::from(len);
        self.bytes += len64;
        self.blocks += 1;
        self.peak_bytes = self.peak_bytes.max(self.bytes);
        self.avg_block_bytes = if self.avg_block_bytes == 0.0 {
            f64::from(len)
        } else {
            self.avg_block_bytes * (1.0 - BLOCK_SIZE_EWMA) + f64::from(len) * BLOCK_SIZE_EWMA
        };
    }

    /// `blocks` pending blocks of `bytes` in all leave the buffer (imported or dropped).
    pub fn free(&mut self, bytes: u64, blocks: u64) {
        crate::strict_assert!(
            bytes <= self.bytes && blocks <= self.blocks,
            "freeing {bytes} bytes in {blocks} blocks of {} in {}",
            self.bytes,
            self.blocks
        );
        self.bytes -= bytes.min(self.bytes);
        self.blocks -= blocks.min(self.blocks);
    }

    /// Everything goes (sync restarts from the head); the size estimate and the peak stay.
    pub fn clear(&mut self) {
        self.bytes = 0;
        self.blocks = 0;
        self.reserved = 0;
    }
}

/// The highest head the federation's signature proves: a verified head proof, a block validated (downloaded or
/// gossiped) or imported. The target never exceeds it; peers' claims above it are hints of whom to ask.
#[derive(Resource, Clone, Copy, Debug, Default, Serialize)]
pub struct ProvenHead {
    /// The proven block.
    pub head: BlockRef,
}

impl ProvenHead {
    /// Raises it to `head` if that is higher.
    pub fn raise(&mut self, head: BlockRef) {
        if head.height > self.head.height {
            self.head = head;
        }
    }
}

/// Sync progress and state.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct SyncProgress {
    /// State.
    pub state: SyncState,
    /// Target height: the highest head proven by the federation's signature ([`ProvenHead`]), at least the head.
    pub target: Height,
    /// The highest head a connected peer claims, proven or not (a hint, never the target).
    pub claimed: Height,
    /// Import rate, blocks per second (smoothed).
    pub blocks_per_sec: f64,
    /// Head height at the last rate sample…
    pub rate_height: Height,
    /// …and its time.
    pub rate_at_ms: u64,
    /// Last time the head moved.
    pub last_progress_ms: u64,
    /// When the engine entered Failed.
    pub failed_at_ms: u64,
    /// Why it failed.
    pub failure: Option<crate::status::Failure>,
    /// Recoveries made since the engine was last Synced (each doubles the next backoff, up to the cap).
    pub recoveries: u32,
    /// What the engine waits for while Discovering or Idle.
    pub waiting: Option<crate::status::WaitReason>,
    /// Whether any peer has connected since start (Idle before, Discovering after, when none is connected).
    pub had_peers: bool,
    /// Whether it has been Synced since start (after which it follows the head in CatchingUp).
    pub was_synced: bool,
}

impl SyncProgress {
    /// The engine enters Failed at `now_ms` for `failure`.
    pub fn fail(&mut self, now_ms: u64, failure: crate::status::Failure) {
        self.state = SyncState::Failed;
        self.failed_at_ms = now_ms;
        self.failure = Some(failure);
        self.waiting = None;
    }

    /// The production gate ([`SyncState::production_gate`]) with the head at `head` and `config`'s thresholds.
    pub fn production_gate(&self, head: Height, config: &SyncConfig) -> bool {
        self.state.production_gate(
            head,
            self.target,
            config.production_progress,
            config.production_max_behind,
        )
    }
}

/// Most gossiped blocks waiting for the engine's verdict; one beyond them is ignored at once (not forwarded, no
/// blame).
pub const MAX_GOSSIP_BLOCKS: usize = 64;

/// Gossiped blocks (`NetEvent::GossipBlock`: peer, message id, bytes) waiting for the engine's verdict, oldest
/// first.
#[derive(Resource, Clone, Debug, Default)]
pub struct GossipBlocks(pub std::collections::VecDeque<(crate::PeerId, u64, Vec<u8>)>);

/// Most consensus messages waiting for the engine's agreement driver; beyond, the oldest is dropped (and counted).
pub const MAX_CONSENSUS_INBOX: usize = 1024;

/// Proposals and votes from federation members (`NetEvent::Consensus`), with their sender, oldest first, waiting
/// for the agreement driver: at most [`MAX_CONSENSUS_INBOX`], the oldest dropped first (a lost message is sent
/// again by its sender's next gossip), and counted in [`ConsensusInbox::dropped`].
#[derive(Resource, Clone, Debug, Default)]
pub struct ConsensusInbox {
    /// The messages, oldest first.
    messages: VecDeque<(PeerId, crate::messages::ConsensusMessage)>,
    /// Messages dropped to keep the bound, since start.
    dropped: u64,
}

impl ConsensusInbox {
    /// Queues `message` from `peer`, dropping the oldest message when [`MAX_CONSENSUS_INBOX`] wait already.
    pub fn push(&mut self, peer: PeerId, message: crate::messages::ConsensusMessage) {
        if self.messages.len() >= MAX_CONSENSUS_INBOX {
            self.messages.pop_front();
            self.dropped += 1;
        }
        self.messages.push_back((peer, message));
    }

    /// Queues `messages` from `peer` in order, as [`ConsensusInbox::push`] does each.
    pub fn extend(
        &mut self,
        peer: PeerId,
        messages: impl IntoIterator<Item = crate::messages::ConsensusMessage>,
    ) {
        for message in messages {
            self.push(peer, message);
        }
    }

    /// Takes every waiting message, oldest first.
    pub fn take(&mut self) -> VecDeque<(PeerId, crate::messages::ConsensusMessage)> {
        std::mem::take(&mut self.messages)
    }

    /// Takes the oldest waiting message.
    pub fn pop(&mut self) -> Option<(PeerId, crate::messages::ConsensusMessage)> {
        self.messages.pop_front()
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Messages dropped to keep the bound, since start.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Whether this member proposes blocks in its rounds (`ecsync node --produce`; `agree_blocks`).
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct Production {
    /// Propose at all (`--produce` on a federation member; without it, it votes but never proposes).
    pub enabled: bool,
}

/// The federation authorities this node is (`--authority-keys`); empty on a node that only syncs. The keys
/// themselves are the systems' `FederationMember` resource, never in a dump.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct Membership {
    /// Authority indices, ascending.
    pub authorities: Vec<usize>,
}

/// The operator's control of the sync (`POST /sync/pause`, `/sync/resume`): while paused the engine sends no
/// request (no status poll, no range); answers to requests already in flight are still taken, validated and
/// imported. Neither the stall clock nor a peer's silence counts while paused (we asked nothing), and a peer's
/// silence counts from the resume at the earliest.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct SyncControl {
    /// Paused by the operator.
    pub paused: bool,
    /// Pauses since start.
    pub pauses: u64,
    /// Engine time of the last resume (0: never paused).
    pub resumed_at_ms: u64,
}

/// Checkpointing: whether the next import batch carries a durable checkpoint.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct CheckpointState {
    /// The latest checkpoint written.
    pub last: Option<Checkpoint>,
    /// Since when blocks count towards the next checkpoint: the last checkpoint's time, or the engine's first
    /// tick.
    pub window_start_ms: u64,
    /// Blocks imported since it.
    pub blocks_since: u64,
    /// The next import carries a checkpoint.
    pub due: bool,
    /// Checkpoints written since start.
    pub written: u64,
}

impl CheckpointState {
    /// `blocks` were imported, with `checkpoint` in the same transaction when one was due.
    pub fn record_import(&mut self, blocks: u64, checkpoint: Option<Checkpoint>) {
        self.blocks_since += blocks;
        if let Some(cp) = checkpoint {
            self.record_checkpoint(cp);
        }
        self.due = false;
    }

    /// A durable checkpoint was written.
    pub fn record_checkpoint(&mut self, checkpoint: Checkpoint) {
        self.last = Some(checkpoint);
        self.window_start_ms = checkpoint.created_at_ms;
        self.blocks_since = 0;
        self.written += 1;
    }
}

/// Counters since start, for metrics and the dump.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct EngineCounters {
    /// Blocks received in answers (decoded and accepted into the buffer).
    pub blocks_downloaded: u64,
    /// Blocks that passed validation.
    pub blocks_validated: u64,
    /// Blocks imported.
    pub blocks_imported: u64,
    /// Blocks rejected as invalid.
    pub blocks_rejected: u64,
    /// Requests sent.
    pub requests_sent: u64,
    /// Requests that timed out.
    pub requests_timed_out: u64,
    /// Peer penalties applied.
    pub peer_penalties: u64,
    /// Peers banned.
    pub peer_bans: u64,
    /// Peers disconnected for a reputation below `SyncConfig::disconnect_below` (not banned: they may come back).
    pub peer_kicks: u64,
    /// Signed blocks at head + 1 that do not extend our head: another branch of the chain (kept out).
    pub chain_conflicts: u64,
    /// Statuses refused: a head slot beyond the clock's slot plus the allowed skew.
    pub claims_refused: u64,
    /// Gossiped blocks the federation signed whose slot begins beyond the clock skew by our clock: a sign that our
    /// clock is behind (only a federation signature counts as evidence, so no peer can raise it alone). Nobody
    /// is punished for them.
    pub clock_behind: u64,
    /// Head proofs verified (valid).
    pub proofs_verified: u64,
    /// Head proofs that did not verify (each bans its sender).
    pub proofs_invalid: u64,
    /// Head proofs at or below the proven head: nothing to verify.
    pub proofs_free: u64,
    /// Head proofs replaced by a newer one of the same peer before they were verified.
    pub proofs_replaced: u64,
    /// Most head proofs verified in one tick (never above `proofs_per_tick`).
    pub proofs_max_per_tick: u32,
    /// Not a counter but the number now: downloaded ranges waiting because their next block is from a slot that
    /// has not begun yet by our clock (held, not punished: clocks differ).
    pub ranges_held: u64,
    /// Store transactions for imports.
    pub import_commits: u64,
    /// Downloaded ranges dropped to make room at the import frontier.
    pub ranges_evicted: u64,
    /// Transitions asked of an entity in the wrong state (a bug; 0 unless something is wrong).
    pub transition_errors: u64,
    /// Gossiped blocks judged, by `GossipVerdict::index`.
    pub gossip_blocks: [u64; crate::GossipVerdict::ALL.len()],
    /// Blocks this node produced (imported with a quorum of approvals).
    pub blocks_produced: u64,
    /// Slots of this node's authorities in which it produced nothing, by `SkipReason::index`.
    pub slots_skipped: [u64; SkipReason::ALL.len()],
}

/// Why a producer let one of its slots pass without a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SkipReason {
    /// Its production gate was closed (not synced enough).
    GateClosed,
    /// The slot ended before a quorum approved its proposal.
    NoQuorum,
    /// The head already holds a block of this slot or a later one.
    SlotTaken,
    /// The operator paused the node.
    Paused,
}

impl SkipReason {
    /// Every reason, in the order of their counters.
    pub const ALL: [SkipReason; 4] = [
        SkipReason::GateClosed,
        SkipReason::NoQuorum,
        SkipReason::SlotTaken,
        SkipReason::Paused,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::GateClosed => "gate_closed",
            SkipReason::NoQuorum => "no_quorum",
            SkipReason::SlotTaken => "slot_taken",
            SkipReason::Paused => "paused",
        }
    }

    /// Its place in [`SkipReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where the sequential strategy is.
#[derive(Resource, Clone, Debug, Default, Serialize)]
pub struct SequentialState {
    /// The peer it syncs from.
    pub peer: Option<PeerId>,
    /// Failed tries on that peer.
    pub tries: u32,
    /// A short answer ended the round; a new one starts when a status shows a peer ahead.
    pub round_over: bool,
    /// When the round ended (engine time).
    pub round_over_ms: u64,
}

/// A monotonic clock for measuring how long work takes (nanoseconds), injected like the store: real in the
/// node, a constant in simulations (which stay deterministic). Only durations are taken from it, never
/// decisions.
#[derive(Resource, Clone, Copy, Debug)]
pub struct Stopwatch(pub fn() -> u64);

impl Default for Stopwatch {
    fn default() -> Self {
        fn frozen() -> u64 {
            0
        }
        Self(frozen)
    }
}

/// Measurements of the last tick, for metrics: cleared at the start of every tick.
#[derive(Resource, Clone, Debug, Default)]
pub struct Observations {
    /// Seconds each validation batch took on its compute worker, with its block count.
    pub validation: Vec<(f64, u32)>,
    /// Seconds each import transaction took, with its block count.
    pub import: Vec<(f64, u32)>,
    /// Request latencies in seconds by outcome label (served, empty, timeout, failed, invalid).
    pub request_latency: Vec<(&'static str, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{Vote, VoteKind};
    use crate::messages::{ConsensusMessage, SignedVote};

    fn vote(round: u32) -> ConsensusMessage {
        ConsensusMessage::Vote(SignedVote {
            vote: Vote {
                height: 1,
                round,
                kind: VoteKind::Prevote,
                value: None,
                voter: 0,
            },
            signature: crate::SignatureBytes::ZERO,
        })
    }

    #[test]
    fn the_consensus_inbox_keeps_the_newest_messages_and_counts_the_dropped() {
        let mut inbox = ConsensusInbox::default();
        let total = MAX_CONSENSUS_INBOX + 10;
        for round in 0..total as u32 {
            inbox.push(PeerId(u64::from(round % 3)), vote(round));
            assert!(inbox.len() <= MAX_CONSENSUS_INBOX);
        }
        assert_eq!(inbox.len(), MAX_CONSENSUS_INBOX);
        assert_eq!(inbox.dropped(), 10);
        // The ten oldest went; the rest are in order, each with its sender.
        let (peer, first) = inbox.pop().unwrap();
        assert_eq!((peer, first.round()), (PeerId(10 % 3), 10));
        let rest = inbox.take();
        assert_eq!(rest.len(), MAX_CONSENSUS_INBOX - 1);
        assert!(
            rest.iter()
                .zip(11u32..)
                .all(|((p, m), r)| m.round() == r && *p == PeerId(u64::from(r % 3)))
        );
        assert!(inbox.is_empty());
        inbox.push(PeerId(9), vote(0));
        assert_eq!((inbox.len(), inbox.dropped()), (1, 10));
    }
}

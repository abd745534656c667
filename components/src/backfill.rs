//! The backfill's data (Lighthouse's backfill sync): a store started from a trusted block (checkpoint sync)
//! fetches the history below it in the background, backwards, checked by the hash chain alone, down to genesis.
//!
//! The history below the store's lowest block is cut into batches of heights, top first: together they cover
//! `[floor, lowest)` without gaps or overlaps. A batch waits for a peer, is requested from one
//! (`Request::BlocksByRange`), is answered (or fails), and once its blocks passed the checks that need nothing
//! but themselves it is ready; the ready batches at the top are linked to the lowest block and written below it
//! (`ChainStore::backfill`), and the lowest block moves down. The engine's systems `backfill_ingest`,
//! `backfill_blocks` and `backfill_requests` move batches through these states; everything here is data.

use bevy_ecs::prelude::{Entity, Resource};
use serde::{Deserialize, Serialize};

use crate::chain::Height;
use crate::messages::{FailureReason, PeerId, RequestId};
use crate::store::{EncodedBlock, LowestBlock};

/// Heights per batch (the protocol's cap on one request; an answer cut short by its byte limit leaves the rest
/// as a batch of its own).
pub const BACKFILL_BATCH: u32 = 1024;
/// Most batches held at once, whatever their state: with [`BACKFILL_MAX_BYTES`], the backfill's memory bound. A
/// window of several batches lets fast peers run ahead of a slow one holding the batch the write waits for.
pub const BACKFILL_MAX_BATCHES: usize = 16;
/// Most backfill requests in flight, all peers together, while the forward sync is behind its target:
/// background work, a few at a time…
pub const BACKFILL_IN_FLIGHT_BEHIND: u32 = 2;
/// …and while it is not (nothing to slow down).
pub const BACKFILL_IN_FLIGHT: u32 = 8;
/// Most backfill requests in flight to one peer.
pub const BACKFILL_PER_PEER: u32 = 2;
/// Most bytes the backfill holds: reserved for answers in flight plus the encodings of answered and ready
/// batches (a decoded block beside its encoding takes about twice that in memory).
pub const BACKFILL_MAX_BYTES: u64 = 24 << 20;
/// Most blocks written in one tick while the forward sync is behind its target (none left behind otherwise:
/// every ready batch is written).
pub const BACKFILL_WRITE_PER_TICK: u64 = 2 * BACKFILL_BATCH as u64;

/// What the backfill is doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackfillState {
    /// Nothing to fetch: the store holds its chain from genesis.
    #[default]
    Idle,
    /// Fetching history below the lowest block.
    Running,
    /// Reached genesis: the store holds its whole chain.
    Complete,
    /// Stopped for good: the store failed, or the history does not lead to the spec's genesis (the trusted
    /// block is on another chain). `Backfill::stopped` says why.
    Stopped,
}

/// A batch's request in flight.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BatchRequest {
    /// The peer's entity.
    pub peer: Entity,
    /// The peer's id (its record is blamed even if it left).
    pub peer_id: PeerId,
    /// The request.
    pub request: RequestId,
    /// When it was sent (engine time).
    pub sent_at_ms: u64,
    /// When it times out.
    pub deadline_ms: u64,
    /// Bytes reserved for the answer (its `max_bytes`).
    pub reserved: u64,
}

/// Where a batch is.
#[derive(Debug, Serialize)]
pub enum BatchState {
    /// Waiting for a peer.
    Waiting,
    /// Requested.
    Downloading(BatchRequest),
    /// Its answer (or its failure) arrived; `backfill_blocks` takes it.
    Answered {
        /// The request.
        request: BatchRequest,
        /// The encodings, unchecked, or why the request failed.
        #[serde(skip)]
        answer: Result<Vec<Vec<u8>>, FailureReason>,
        /// When it arrived.
        at_ms: u64,
    },
    /// Downloaded and checked on its own (each block's rules but the signature, the links inside the batch):
    /// waiting to be linked to the lowest block and written.
    Ready {
        /// The peer that served it (blamed if its top does not link)…
        peer: Entity,
        /// …and its id.
        peer_id: PeerId,
        /// Its blocks, ascending, with their hashes and encodings.
        #[serde(skip)]
        blocks: Vec<EncodedBlock>,
        /// Their encoded bytes.
        bytes: u64,
    },
}

/// Heights `[start, start + count)` of the history, and where they are.
#[derive(Debug, Serialize)]
pub struct BackfillBatch {
    /// First height.
    pub start: Height,
    /// Heights.
    pub count: u32,
    /// Where it is.
    pub state: BatchState,
    /// Downloads started.
    pub attempts: u32,
    /// Peers that failed it (empty, timed out, invalid): others are asked first.
    pub failed_peers: Vec<PeerId>,
}

impl BackfillBatch {
    /// A new batch waiting for a peer.
    pub fn waiting(start: Height, count: u32) -> Self {
        Self {
            start,
            count,
            state: BatchState::Waiting,
            attempts: 0,
            failed_peers: Vec::new(),
        }
    }

    /// One past its last height.
    pub fn end(&self) -> Height {
        self.start + u64::from(self.count)
    }

    /// Its request in flight, if it is downloading.
    pub fn downloading(&self) -> Option<&BatchRequest> {
        match &self.state {
            BatchState::Downloading(r) => Some(r),
            _ => None,
        }
    }
}

/// Counters since start.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BackfillCounters {
    /// Blocks written below the lowest block.
    pub blocks: u64,
    /// Store transactions that wrote them…
    pub commits: u64,
    /// …of which durable.
    pub durable_commits: u64,
    /// Requests sent.
    pub requests: u64,
    /// Answers with blocks.
    pub served: u64,
    /// Empty answers for heights the peer claimed (each discredits its claim of history).
    pub empty: u64,
    /// Requests that timed out or failed at the transport.
    pub failed: u64,
    /// Answers or blocks rejected as invalid (each bans its peer).
    pub rejected: u64,
}

/// The backfill (a resource). See the module docs.
#[derive(Resource, Debug, Default, Serialize)]
pub struct Backfill {
    /// What it is doing.
    pub state: BackfillState,
    /// Why it stopped, if it did.
    pub stopped: Option<String>,
    /// The store's lowest block: the next block down must be its parent.
    pub edge: LowestBlock,
    /// The lowest height written durably (what a crash now would keep).
    pub durable: Height,
    /// The batches, top first, covering `[floor, edge)` exactly.
    pub batches: Vec<BackfillBatch>,
    /// Bytes reserved for answers in flight plus those of answered and ready batches.
    pub bytes: u64,
    /// Running estimate of a block's encoded size (a request's byte limit is its batch's expected size).
    pub avg_block_bytes: f64,
    /// Blocks written since the last durable write…
    pub since_durable: u64,
    /// …and its time.
    pub durable_at_ms: u64,
    /// When it started (engine time), and from which height.
    pub started_ms: u64,
    /// The lowest height when it started.
    pub started_at: Height,
    /// When it reached genesis or stopped (engine time; 0: not yet).
    pub finished_ms: u64,
    /// Counters since start.
    pub counters: BackfillCounters,
}

impl Backfill {
    /// A backfill of the history below `edge` (the store's lowest block, of `block_bytes` encoded bytes), started
    /// at `now_ms`.
    pub fn start(edge: LowestBlock, block_bytes: usize, now_ms: u64) -> Self {
        Self {
            state: BackfillState::Running,
            edge,
            durable: edge.block.height,
            avg_block_bytes: block_bytes.max(1) as f64,
            durable_at_ms: now_ms,
            started_ms: now_ms,
            started_at: edge.block.height,
            ..Self::default()
        }
    }

    /// Whether it is fetching.
    pub fn running(&self) -> bool {
        self.state == BackfillState::Running
    }

    /// The lowest height the store holds.
    pub fn lowest_height(&self) -> Height {
        self.edge.block.height
    }

    /// The lowest height a batch covers (the edge's when there is none): planning continues below it.
    pub fn floor(&self) -> Height {
        self.batches
            .last()
            .map_or(self.edge.block.height, |b| b.start)
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> u32 {
        self.batches
            .iter()
            .filter(|b| b.downloading().is_some())
            .count() as u32
    }

    /// Requests in flight to the peer at `peer`.
    pub fn in_flight_to(&self, peer: Entity) -> u32 {
        self.batches
            .iter()
            .filter(|b| b.downloading().is_some_and(|r| r.peer == peer))
            .count() as u32
    }

    /// Whether `request` to `peer` is one of the backfill's, in flight.
    pub fn awaits(&self, peer: PeerId, request: RequestId) -> bool {
        self.batches.iter().any(|b| {
            b.downloading()
                .is_some_and(|r| r.request == request && r.peer_id == peer)
        })
    }

    /// The answer (or failure) of `request` to `peer` arrived at `now_ms`: its batch takes it. False when it is
    /// none of the backfill's requests in flight (nothing taken).
    pub fn answer(
        &mut self,
        peer: PeerId,
        request: RequestId,
        answer: Result<Vec<Vec<u8>>, FailureReason>,
        now_ms: u64,
    ) -> bool {
        let Some(batch) = self.batches.iter_mut().find(|b| {
            b.downloading()
                .is_some_and(|r| r.request == request && r.peer_id == peer)
        }) else {
            return false;
        };
        let Some(&request) = batch.downloading() else {
            return false;
        };
        batch.state = BatchState::Answered {
            request,
            answer,
            at_ms: now_ms,
        };
        true
    }

    /// What the status says of it at `now_ms`.
    pub fn status(&self, now_ms: u64) -> BackfillStatus {
        let end = if self.finished_ms > 0 {
            self.finished_ms
        } else {
            now_ms
        };
        let seconds = end.saturating_sub(self.started_ms) as f64 / 1000.0;
        let blocks = self.counters.blocks;
        BackfillStatus {
            state: self.state,
            lowest_height: self.lowest_height(),
            durable_height: self.durable,
            blocks,
            seconds,
            blocks_per_second: if seconds > 0.0 {
                blocks as f64 / seconds
            } else {
                0.0
            },
            requests_in_flight: self.in_flight(),
            rejected: self.counters.rejected,
            stopped: self.stopped.clone(),
        }
    }
}

/// What the status (`/sync/status`, `SyncStatus::backfill`) says of the backfill.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackfillStatus {
    /// What it is doing.
    pub state: BackfillState,
    /// The lowest height the store holds (0: all of it).
    pub lowest_height: Height,
    /// The lowest height written durably.
    pub durable_height: Height,
    /// Blocks written since start.
    pub blocks: u64,
    /// Seconds since it started (until it finished).
    pub seconds: f64,
    /// Blocks written per second over those seconds.
    pub blocks_per_second: f64,
    /// Requests in flight.
    pub requests_in_flight: u32,
    /// Answers or blocks rejected as invalid.
    pub rejected: u64,
    /// Why it stopped, if it did.
    #[serde(default)]
    pub stopped: Option<String>,
}

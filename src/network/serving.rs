//! Serving: answering the status and blocks_by_range requests peers send us, from the [`BlockSource`], off the swarm
//! task (blocks are read on the blocking pool), within the [`ServeLimits`], with the optional link emulation. Kept
//! apart because it is the one part that spawns work and so must hand finished answers back to the task
//! ([`Served`]), and the one that keeps the books of what serving costs.
//!
//! The books: per peer, a blocks token bucket, a status token bucket and the count of its blocks answers in
//! flight; per blocks answer (by libp2p's `InboundRequestId`), its peer, from its arrival until the task reports
//! it written ([`Server::on_answer_done`] on `ResponseSent`) or failed (on `InboundFailure`), its entry in the
//! byte [`Budget`] (in [`BUDGET_UNIT`]s: `max_bytes_in_flight` in all, `max_bytes_per_peer` a peer,
//! `reserved_for_readers` only for peers with no unwritten answer; the peer holding least goes first; see
//! `budget.rs`) and, once handed to libp2p, its write deadline. A serving task, once its rate wait is over, waits
//! (at most what is left of half the request timeout, else the request is dropped) for the most its answer may
//! carry (`min(max_bytes, MAX_RESPONSE_BYTES)` plus framing), reads, keeps the budget of the answer's actual size
//! and gives back the rest; the answer's budget goes back when it is written or fails. An answer not written
//! within `write_timeout_ms` of its hand-off gets its peer disconnected ([`Server::on_deadline`]: libp2p cannot
//! cancel one answer; the closed connection fails them all, which releases their budget). A request dropped for
//! a limit is never answered: libp2p closes its stream (the requester sees it fail at once).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use ecsync_components::StatusMessage;
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{InboundRequestId, ResponseChannel};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::behaviour::EcsyncSwarm;
use super::budget::{Budget, Shares};
use super::codec::{self, BlocksByRangeRequest, RESPONSE_OVERHEAD_BYTES};
use super::limits::TokenBucket;
use super::{BlockSource, DropReason, NetworkConfig, ServeFaults, ServeLimits, Shared};

/// An answer ready to go out, from a serving task.
pub(super) enum Served {
    /// Our status, for a peer's status request.
    Status {
        /// Where the answer goes.
        channel: ResponseChannel<StatusMessage>,
        /// Our status when the request came in.
        status: StatusMessage,
    },
    /// Blocks, for a peer's blocks_by_range request.
    Blocks {
        /// The request (its books entry).
        request_id: InboundRequestId,
        /// Who asked.
        peer: Libp2pPeer,
        /// Where the answer goes.
        channel: ResponseChannel<Vec<Bytes>>,
        /// The blocks (their budget held in the answer's entry), or why there are none (the request is then
        /// dropped).
        outcome: Result<Vec<Bytes>, NotServed>,
    },
}

/// Why a serving task produced no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NotServed {
    /// The byte budget stayed short for half the request timeout (or the request failed meanwhile).
    NoBudget,
    /// Reading the source failed.
    ReadFailed,
}

/// The byte budget counts in units of this many bytes.
pub const BUDGET_UNIT: usize = 1024;

/// Budget units covering `bytes`.
fn units(bytes: usize) -> usize {
    bytes.div_ceil(BUDGET_UNIT)
}

/// The budget's shares of `limits`, in budget units.
fn shares(limits: &ServeLimits) -> Shares {
    Shares {
        total: units(limits.max_bytes_in_flight),
        per_peer: units(limits.max_bytes_per_peer),
        reserved: units(limits.reserved_for_readers),
    }
}

/// Serving emulation: per-peer link bandwidth and a fixed extra latency.
#[derive(Clone, Copy, Debug)]
struct Emulation {
    /// Added to every answer once its link has carried it.
    latency: Duration,
    /// Each peer's link speed, bytes per second (0 = unlimited).
    bytes_per_sec: u64,
}

impl Emulation {
    /// Whether answers go out at once.
    fn is_off(&self) -> bool {
        self.latency.is_zero() && self.bytes_per_sec == 0
    }

    /// Waits until an answer of `bytes` bytes may go out on `link` (the instant the link is next free).
    async fn wait(self, link: &Mutex<Instant>, bytes: usize) {
        let now = Instant::now();
        let sent = if self.bytes_per_sec == 0 {
            now
        } else {
            let transfer = Duration::from_secs_f64(bytes as f64 / self.bytes_per_sec as f64);
            let mut free = link.lock().unwrap_or_else(PoisonError::into_inner);
            let start = (*free).max(now);
            *free = start + transfer;
            *free
        };
        tokio::time::sleep_until(sent + self.latency).await;
    }
}

/// Keeps a prefix of what the source returned that honours the protocol: at most `count` blocks, each at most
/// `max_block_bytes`, in total at most `cap` bytes unless it is a single block.
pub(super) fn sanitize<B: AsRef<[u8]>>(
    mut blocks: Vec<B>,
    count: u32,
    max_block_bytes: usize,
    cap: usize,
) -> Vec<B> {
    let mut total = 0usize;
    let mut keep = 0;
    for block in blocks.iter().take(count as usize) {
        let block = block.as_ref();
        if block.len() > max_block_bytes || (keep > 0 && total + block.len() > cap) {
            break;
        }
        total += block.len();
        keep += 1;
    }
    if keep < blocks.len().min(count as usize) {
        tracing::warn!(
            "block source returned blocks outside the protocol limits; serving the first {keep} of {}",
            blocks.len()
        );
    }
    blocks.truncate(keep);
    blocks
}

/// The blocks a server answers `request` with from `source` ([`BlockSource::shared_blocks`]: from the node's
/// block cache, uncopied): at most its served count, read up to its byte cap, then [`sanitize`]d (unless
/// `unchecked`: [`ServeFaults::unchecked_answers`], injected by tests). Blocking (a store read); the fuzz harness
/// `fuzzing::range_request` calls it too.
pub(crate) fn read_answer(
    source: &dyn BlockSource,
    request: &BlocksByRangeRequest,
    max_block_bytes: usize,
    unchecked: bool,
) -> Vec<Bytes> {
    let (count, cap) = (request.served_count(), request.block_bytes_cap());
    if count == 0 {
        return Vec::new();
    }
    let blocks = source.shared_blocks(request.start, count, cap);
    if unchecked {
        blocks
    } else {
        sanitize(blocks, count, max_block_bytes, cap)
    }
}

/// Everything a serving task needs to prepare one blocks_by_range answer.
struct BlocksJob {
    /// The request (its budget entry).
    request_id: InboundRequestId,
    /// Where the blocks come from.
    source: Arc<dyn BlockSource>,
    /// What the peer asked for.
    request: BlocksByRangeRequest,
    /// Blocks to read: the request's served count.
    count: u32,
    /// How long the peer's blocks bucket makes it wait before reading.
    rate_wait: Duration,
    /// The byte budget.
    budget: Arc<Budget<InboundRequestId, Libp2pPeer>>,
    /// Budget units to wait for before reading: the most the answer may carry.
    reserve: usize,
    /// Longest wait for them.
    max_budget_wait: Duration,
    /// The chain's block size limit.
    max_block_bytes: usize,
    /// How to hold the answer back.
    emulation: Emulation,
    /// The asking peer's emulated link.
    link: Arc<Mutex<Instant>>,
    /// Breaches to commit on purpose (none in the node we ship).
    faults: Arc<dyn ServeFaults>,
}

impl BlocksJob {
    /// Waits out the rate limit, waits for the byte budget, reads and sanitizes the blocks (on the blocking pool),
    /// keeps the budget of their encoding, then waits for the emulated link.
    async fn run(self) -> Result<Vec<Bytes>, NotServed> {
        let Self {
            request_id,
            source,
            request,
            count,
            rate_wait,
            budget,
            reserve,
            max_budget_wait,
            max_block_bytes,
            emulation,
            link,
            faults,
        } = self;
        if !rate_wait.is_zero() {
            tokio::time::sleep(rate_wait).await;
        }
        if !budget.acquire(request_id, reserve, max_budget_wait).await {
            return Err(NotServed::NoBudget);
        }
        let blocks = if count == 0 {
            Vec::new()
        } else {
            let unchecked = faults.unchecked_answers();
            let read = move || read_answer(&*source, &request, max_block_bytes, unchecked);
            match tokio::task::spawn_blocking(read).await {
                Ok(blocks) => blocks,
                Err(e) => {
                    tracing::error!("block source failed serving {request:?}: {e}");
                    return Err(NotServed::ReadFailed);
                }
            }
        };
        // Keep what the encoding needs (a single block above the cap keeps the whole reservation).
        let encoded = codec::encoded_blocks_len(&blocks) + 4;
        budget.shrink(request_id, units(encoded).min(reserve));
        if !emulation.is_off() {
            emulation.wait(&link, encoded).await;
        }
        if let Some(hold) = faults.hold_answers() {
            tokio::time::sleep(hold).await;
        }
        Ok(blocks)
    }
}

/// What serving keeps per peer (while it is connected, or has answers in flight).
struct PeerServe {
    /// Blocks it may be served: one token a block.
    blocks: TokenBucket,
    /// Status requests it may send.
    status: TokenBucket,
    /// Its blocks answers in flight.
    answers: usize,
    /// Its emulated serving link: when it is next free.
    link: Arc<Mutex<Instant>>,
}

/// A blocks answer in flight (its bytes are in the budget, under the same request id).
struct Answer {
    /// Who asked.
    peer: Libp2pPeer,
    /// When it must be written by, once handed to libp2p (until its deadline has passed).
    deadline: Option<Instant>,
}

/// Answers peers' requests: the block source, the emulation, the limits and their books.
pub(super) struct Server {
    /// Where status and blocks come from.
    source: Arc<dyn BlockSource>,
    /// The chain's block size limit (blocks above it are never served).
    max_block_bytes: usize,
    /// How answers are held back, if at all.
    emulation: Emulation,
    /// The limits.
    limits: ServeLimits,
    /// Breaches to commit on purpose (none in the node we ship).
    faults: Arc<dyn ServeFaults>,
    /// Longest a request may wait for its peer's blocks tokens, and then for the byte budget: half the request
    /// timeout.
    max_wait: Duration,
    /// The byte budget, in [`BUDGET_UNIT`]s.
    budget: Arc<Budget<InboundRequestId, Libp2pPeer>>,
    /// How long an answer handed to libp2p may stay unwritten.
    write_timeout: Duration,
    /// The write deadlines of the answers handed to libp2p and not yet written, earliest first.
    deadlines: BTreeSet<(Instant, InboundRequestId)>,
    /// Where the counters and in-flight totals are published.
    shared: Arc<Shared>,
    /// Where serving tasks hand their answers in. Unbounded, but every sender is a task that
    /// [`Server::answer_blocks`] admitted within the limits (at most `max_answers_per_peer` per connected peer) or
    /// a status answer under emulation (at most the status bucket's rate per peer): what it can hold is bounded by
    /// the limits.
    served_tx: mpsc::UnboundedSender<Served>,
    /// The answers handed in, for the task to send.
    served_rx: mpsc::UnboundedReceiver<Served>,
    /// Per peer.
    peers: HashMap<Libp2pPeer, PeerServe>,
    /// blocks answers in flight, from arrival to written or failed.
    answers: HashMap<InboundRequestId, Answer>,
}

impl Server {
    /// A server of `source` with `config`'s emulation, limits and block size limit, publishing to `shared`.
    pub(super) fn new(
        config: &NetworkConfig,
        source: Arc<dyn BlockSource>,
        shared: Arc<Shared>,
    ) -> Self {
        let (served_tx, served_rx) = mpsc::unbounded_channel();
        Self {
            source,
            max_block_bytes: config.max_block_bytes as usize,
            emulation: Emulation {
                latency: Duration::from_millis(config.latency_ms),
                bytes_per_sec: config.serve_bytes_per_sec,
            },
            limits: config.limits,
            faults: config.faults.clone(),
            max_wait: config.request_timeout / 2,
            budget: Arc::new(Budget::new(shares(&config.limits))),
            write_timeout: Duration::from_millis(config.limits.write_timeout_ms),
            deadlines: BTreeSet::new(),
            shared,
            served_tx,
            served_rx,
            peers: HashMap::new(),
            answers: HashMap::new(),
        }
    }

    /// The breaches this server commits on purpose (none in the node we ship).
    pub(super) fn faults(&self) -> &dyn ServeFaults {
        &*self.faults
    }

    /// The next answer a serving task finished (never `None`: the server holds a sender).
    pub(super) async fn next_served(&mut self) -> Option<Served> {
        self.served_rx.recv().await
    }

    /// `peer`'s books, created (full buckets, free link) on first use.
    fn peer(&mut self, peer: Libp2pPeer) -> &mut PeerServe {
        let limits = self.limits;
        self.peers.entry(peer).or_insert_with(|| {
            let now = Instant::now();
            PeerServe {
                blocks: TokenBucket::new(limits.blocks_burst, limits.blocks_per_sec, now),
                status: TokenBucket::new(limits.status_burst, limits.status_per_sec, now),
                answers: 0,
                link: Arc::new(Mutex::new(now)),
            }
        })
    }

    /// `peer` is gone (its last connection closed): its books are forgotten (its answers in flight are released as
    /// libp2p reports them failed). A peer that reconnects starts with full buckets; connecting again costs it a
    /// handshake and a status check, and the connection limits bound how many do.
    pub(super) fn forget(&mut self, peer: &Libp2pPeer) {
        self.peers.remove(peer);
    }

    /// Counts a request from `peer` dropped for `reason`.
    pub(super) fn dropped(&self, peer: &Libp2pPeer, reason: DropReason) {
        tracing::debug!(%peer, reason = reason.as_str(), "dropping a request");
        self.shared.count_drop(reason);
    }

    /// Whether a status request from `peer` may be answered (its status bucket had a token); if not, it is
    /// counted as dropped and the caller drops it.
    pub(super) fn allow_status(&mut self, peer: Libp2pPeer) -> bool {
        let allowed = self
            .peer(peer)
            .status
            .take(1, Instant::now(), Duration::ZERO)
            .is_some();
        if !allowed {
            self.dropped(&peer, DropReason::StatusRate);
        }
        allowed
    }

    /// Answers a status request from `peer` with our status: at once, or after the emulated link carried it.
    pub(super) fn answer_status(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peer: Libp2pPeer,
        channel: ResponseChannel<StatusMessage>,
    ) {
        let status = self.source.status();
        if let Some(hold) = self.faults.hold_answers() {
            let tx = self.served_tx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                let _ = tx.send(Served::Status { channel, status });
            });
            return;
        }
        if self.emulation.is_off() {
            if swarm
                .behaviour_mut()
                .status
                .send_response(channel, status)
                .is_err()
            {
                tracing::debug!(%peer, "status request closed before the answer");
            }
            return;
        }
        let link = self.peer(peer).link.clone();
        let emulation = self.emulation;
        let tx = self.served_tx.clone();
        let bytes = ecsync_components::encoded_len(&status);
        tokio::spawn(async move {
            emulation.wait(&link, bytes).await;
            let _ = tx.send(Served::Status { channel, status });
        });
    }

    /// Starts preparing the answer to a blocks_by_range request from `peer` (whose status passed our check), or
    /// drops it: when the peer has `max_answers_per_peer` answers in flight, when the most its answer may carry
    /// exceeds the whole byte budget, or when its blocks bucket would make it wait more than half the request
    /// timeout. The tokens are taken now; the serving task waits for them, then for the byte budget, then reads.
    pub(super) fn answer_blocks(
        &mut self,
        peer: Libp2pPeer,
        request_id: InboundRequestId,
        request: BlocksByRangeRequest,
        channel: ResponseChannel<Vec<Bytes>>,
    ) {
        let limits = self.limits;
        let max_wait = self.max_wait;
        let count = request.served_count();
        let cap = request.block_bytes_cap();
        let reserve = units(if count == 0 { 0 } else { cap } + RESPONSE_OVERHEAD_BYTES);
        let fits = reserve <= units(limits.max_bytes_in_flight);
        let state = self.peer(peer);
        let admitted = if state.answers >= limits.max_answers_per_peer {
            Err(DropReason::Concurrency)
        } else if !fits {
            Err(DropReason::Memory)
        } else {
            state
                .blocks
                .take(count, Instant::now(), max_wait)
                .ok_or(DropReason::Rate)
        };
        let rate_wait = match admitted {
            Ok(wait) => wait,
            Err(reason) => {
                self.dropped(&peer, reason);
                return;
            }
        };
        state.answers += 1;
        let link = state.link.clone();
        self.answers.insert(
            request_id,
            Answer {
                peer,
                deadline: None,
            },
        );
        self.budget.admit(request_id, peer);
        self.publish();
        let job = BlocksJob {
            request_id,
            source: self.source.clone(),
            request,
            count,
            rate_wait,
            budget: self.budget.clone(),
            reserve,
            // Both waits together stay within half the request timeout.
            max_budget_wait: max_wait.saturating_sub(rate_wait),
            max_block_bytes: self.max_block_bytes,
            emulation: self.emulation,
            link,
            faults: self.faults.clone(),
        };
        let tx = self.served_tx.clone();
        tokio::spawn(async move {
            let outcome = job.run().await;
            let _ = tx.send(Served::Blocks {
                request_id,
                peer,
                channel,
                outcome,
            });
        });
    }

    /// Sends an answer a serving task finished; a blocks answer whose request already failed (timed out, or its
    /// connection closed) is dropped, releasing its budget.
    pub(super) fn on_served(&mut self, swarm: &mut EcsyncSwarm, served: Served) {
        match served {
            Served::Status { channel, status } => {
                let _ = swarm.behaviour_mut().status.send_response(channel, status);
            }
            Served::Blocks {
                request_id,
                peer,
                channel,
                outcome,
            } => {
                if !self.answers.contains_key(&request_id) {
                    return;
                }
                let blocks = match outcome {
                    Ok(blocks) => blocks,
                    Err(not_served) => {
                        if not_served == NotServed::NoBudget {
                            self.dropped(&peer, DropReason::Memory);
                        }
                        self.on_answer_done(request_id);
                        return;
                    }
                };
                self.send_blocks(swarm, request_id, peer, channel, blocks);
            }
        }
    }

    /// Hands blocks answer `request_id` to libp2p and starts its write deadline. From now on it holds its encoding
    /// (libp2p encodes it and drops the blocks).
    fn send_blocks(
        &mut self,
        swarm: &mut EcsyncSwarm,
        request_id: InboundRequestId,
        peer: Libp2pPeer,
        channel: ResponseChannel<Vec<Bytes>>,
        blocks: Vec<Bytes>,
    ) {
        if swarm
            .behaviour_mut()
            .blocks
            .send_response(channel, blocks)
            .is_err()
        {
            tracing::debug!(%peer, "blocks_by_range request closed before the answer");
            self.on_answer_done(request_id);
            return;
        }
        self.budget.hand_off(request_id);
        // A timeout too large for the clock (the config takes any) is no deadline.
        let deadline = Instant::now().checked_add(self.write_timeout);
        if let (Some(answer), Some(at)) = (self.answers.get_mut(&request_id), deadline) {
            answer.deadline = Some(at);
            self.deadlines.insert((at, request_id));
        }
        self.publish();
    }

    /// The earliest write deadline of an answer handed to libp2p and not yet written.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Disconnects every peer with an answer not written by its deadline, counting each such answer
    /// ([`DropReason::WriteTimeout`]). libp2p cannot cancel one answer; closing the connection fails them all,
    /// and their budget goes back as libp2p reports them failed.
    pub(super) fn on_deadline(&mut self, swarm: &mut EcsyncSwarm) {
        let now = Instant::now();
        let mut stalled = HashSet::new();
        while let Some(&(at, request_id)) = self.deadlines.first()
            && at <= now
        {
            self.deadlines.pop_first();
            if let Some(answer) = self.answers.get_mut(&request_id) {
                answer.deadline = None;
                let peer = answer.peer;
                self.dropped(&peer, DropReason::WriteTimeout);
                stalled.insert(peer);
            }
        }
        for peer in stalled {
            tracing::debug!(%peer, timeout = ?self.write_timeout, "an answer stayed unwritten; disconnecting");
            let _ = swarm.disconnect_peer_id(peer);
        }
    }

    /// libp2p reports blocks answer `request_id` written (`ResponseSent`) or failed (`InboundFailure`): its slot and
    /// budget are released. Unknown ids (dropped requests, answers released already) are ignored.
    pub(super) fn on_answer_done(&mut self, request_id: InboundRequestId) {
        let Some(answer) = self.answers.remove(&request_id) else {
            return;
        };
        if let Some(state) = self.peers.get_mut(&answer.peer) {
            state.answers = state.answers.saturating_sub(1);
        }
        if let Some(at) = answer.deadline {
            self.deadlines.remove(&(at, request_id));
        }
        // Its budget goes back before the budget is published.
        self.budget.done(request_id);
        self.publish();
    }

    /// Publishes the answers and bytes in flight.
    fn publish(&self) {
        self.shared
            .answers_in_flight
            .store(self.answers.len(), Ordering::Relaxed);
        // Includes the reservations of serving tasks that are reading (published as of this event).
        let used = self.budget.used();
        self.shared
            .bytes_in_flight
            .store(used * BUDGET_UNIT, Ordering::Relaxed);
    }
}

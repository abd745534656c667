//! Serving: answering the status and blocks_by_range requests peers send us, from the [`BlockSource`], off the swarm
//! task (blocks are read on the blocking pool), with at most [`MAX_SERVING_PER_PEER`] blocks answers in preparation
//! per peer and the optional link emulation. Kept apart because it is the one part that spawns work and so must
//! hand finished answers back to the task ([`Served`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ecsync_components::{MAX_BLOCKS_PER_REQUEST, StatusMessage};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{InboundRequestId, ResponseChannel};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::behaviour::EcsyncSwarm;
use super::codec::{self, BlocksByRangeRequest};
use super::{BlockSource, MAX_RESPONSE_BYTES, MAX_SERVING_PER_PEER, NetworkConfig};

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
        /// Who asked (its count of answers in preparation goes down).
        peer: Libp2pPeer,
        /// Where the answer goes.
        channel: ResponseChannel<Vec<Vec<u8>>>,
        /// `None`: reading the source failed; the request is dropped unanswered.
        blocks: Option<Vec<Vec<u8>>>,
    },
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
/// `max_block_bytes`, in total at most [`MAX_RESPONSE_BYTES`] unless it is a single block.
pub(super) fn sanitize(
    mut blocks: Vec<Vec<u8>>,
    count: u32,
    max_block_bytes: usize,
) -> Vec<Vec<u8>> {
    let mut total = 0usize;
    let mut keep = 0;
    for block in blocks.iter().take(count as usize) {
        if block.len() > max_block_bytes || (keep > 0 && total + block.len() > MAX_RESPONSE_BYTES) {
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

/// Everything a serving task needs to prepare one blocks_by_range answer.
struct BlocksJob {
    /// Where the blocks come from.
    source: Arc<dyn BlockSource>,
    /// What the peer asked for.
    request: BlocksByRangeRequest,
    /// Blocks to read: the request's count, capped at [`MAX_BLOCKS_PER_REQUEST`].
    count: u32,
    /// The chain's block size limit.
    max_block_bytes: usize,
    /// How to hold the answer back.
    emulation: Emulation,
    /// The asking peer's emulated link.
    link: Arc<Mutex<Instant>>,
}

impl BlocksJob {
    /// Reads and sanitizes the blocks (on the blocking pool), then waits for the emulated link; `None` if reading
    /// failed.
    async fn run(self) -> Option<Vec<Vec<u8>>> {
        let Self {
            source,
            request,
            count,
            max_block_bytes,
            emulation,
            link,
        } = self;
        let blocks = if count == 0 {
            Vec::new()
        } else {
            let read = move || source.blocks(request.start, count, MAX_RESPONSE_BYTES);
            match tokio::task::spawn_blocking(read).await {
                Ok(blocks) => sanitize(blocks, count, max_block_bytes),
                Err(e) => {
                    tracing::error!("block source failed serving {request:?}: {e}");
                    return None;
                }
            }
        };
        if !emulation.is_off() {
            emulation
                .wait(&link, codec::encoded_blocks_len(&blocks))
                .await;
        }
        Some(blocks)
    }
}

/// Answers peers' requests: the block source, the emulation, and what is in preparation per peer.
pub(super) struct Server {
    /// Where status and blocks come from.
    source: Arc<dyn BlockSource>,
    /// The chain's block size limit (blocks above it are never served).
    max_block_bytes: usize,
    /// How answers are held back, if at all.
    emulation: Emulation,
    /// Where serving tasks hand their answers in.
    served_tx: mpsc::UnboundedSender<Served>,
    /// The answers handed in, for the task to send.
    served_rx: mpsc::UnboundedReceiver<Served>,
    /// blocks_by_range answers in preparation per peer.
    serving: HashMap<Libp2pPeer, usize>,
    /// Emulated serving link per peer: when it is next free.
    links: HashMap<Libp2pPeer, Arc<Mutex<Instant>>>,
}

impl Server {
    /// A server of `source` with `config`'s emulation and block size limit.
    pub(super) fn new(config: &NetworkConfig, source: Arc<dyn BlockSource>) -> Self {
        let (served_tx, served_rx) = mpsc::unbounded_channel();
        Self {
            source,
            max_block_bytes: config.max_block_bytes as usize,
            emulation: Emulation {
                latency: Duration::from_millis(config.latency_ms),
                bytes_per_sec: config.serve_bytes_per_sec,
            },
            served_tx,
            served_rx,
            serving: HashMap::new(),
            links: HashMap::new(),
        }
    }

    /// The next answer a serving task finished (never `None`: the server holds a sender).
    pub(super) async fn next_served(&mut self) -> Option<Served> {
        self.served_rx.recv().await
    }

    /// `peer`'s emulated link, created free now on first use.
    fn link(&mut self, peer: Libp2pPeer) -> Arc<Mutex<Instant>> {
        self.links
            .entry(peer)
            .or_insert_with(|| Arc::new(Mutex::new(Instant::now())))
            .clone()
    }

    /// `peer` is gone: its emulated link is forgotten.
    pub(super) fn forget(&mut self, peer: &Libp2pPeer) {
        self.links.remove(peer);
    }

    /// Answers a status request from `peer` with our status: at once, or after the emulated link carried it.
    pub(super) fn answer_status(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peer: Libp2pPeer,
        channel: ResponseChannel<StatusMessage>,
    ) {
        let status = self.source.status();
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
        let link = self.link(peer);
        let emulation = self.emulation;
        let tx = self.served_tx.clone();
        let bytes = ecsync_components::encoded_len(&status);
        tokio::spawn(async move {
            emulation.wait(&link, bytes).await;
            let _ = tx.send(Served::Status { channel, status });
        });
    }

    /// Starts preparing the answer to a blocks_by_range request from `peer`, unless it already has
    /// [`MAX_SERVING_PER_PEER`] in preparation (then the request is dropped).
    pub(super) fn answer_blocks(
        &mut self,
        peer: Libp2pPeer,
        request_id: InboundRequestId,
        request: BlocksByRangeRequest,
        channel: ResponseChannel<Vec<Vec<u8>>>,
    ) {
        let serving = self.serving.entry(peer).or_default();
        if *serving >= MAX_SERVING_PER_PEER {
            tracing::debug!(%peer, %request_id, "too many requests in progress; dropping one");
            return;
        }
        *serving += 1;
        let job = BlocksJob {
            source: self.source.clone(),
            request,
            count: request.count.min(MAX_BLOCKS_PER_REQUEST),
            max_block_bytes: self.max_block_bytes,
            emulation: self.emulation,
            link: self.link(peer),
        };
        let tx = self.served_tx.clone();
        tokio::spawn(async move {
            let blocks = job.run().await;
            let _ = tx.send(Served::Blocks {
                peer,
                channel,
                blocks,
            });
        });
    }

    /// Sends an answer a serving task finished.
    pub(super) fn on_served(&mut self, swarm: &mut EcsyncSwarm, served: Served) {
        match served {
            Served::Status { channel, status } => {
                let _ = swarm.behaviour_mut().status.send_response(channel, status);
            }
            Served::Blocks {
                peer,
                channel,
                blocks,
            } => {
                self.done_serving(&peer);
                if let Some(blocks) = blocks
                    && swarm
                        .behaviour_mut()
                        .blocks
                        .send_response(channel, blocks)
                        .is_err()
                {
                    tracing::debug!(%peer, "blocks_by_range request closed before the answer");
                }
            }
        }
    }

    /// One fewer blocks answer in preparation for `peer`.
    fn done_serving(&mut self, peer: &Libp2pPeer) {
        if let Some(n) = self.serving.get_mut(peer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.serving.remove(peer);
            }
        }
    }
}

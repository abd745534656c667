//! Outsiders on the wire, in this process: identities (`RawPeer`s) that connect to nodes and pass their status
//! check with the genesis head, then either behave (answer status requests, ask nothing), keep rotating (a new
//! identity every second, so a slot that frees up is taken again), or flood approval questions. They run on a
//! tokio runtime of their own and stop when the [`Crowd`] is dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ecsync::components::{
    Approval, ApproveAnswer, Block, ChainSpec, Hash32, Header, SignatureBytes, StatusMessage,
    payload_root,
};
use ecsync::network::codec::ApproveRequest;
use ecsync::network::testkit::{RawEvent, RawPeer, RawPeerConfig};
use libp2p::request_response::OutboundRequestId;
use libp2p::{Multiaddr, PeerId};
use tokio::runtime::Runtime;

/// Loads a chain's spec.
pub fn load_spec(path: &std::path::Path) -> ChainSpec {
    let json = std::fs::read_to_string(path).unwrap();
    ChainSpec::from_json(&json, &path.display().to_string()).unwrap()
}

/// The status an outsider tells: the chain's genesis as its head.
pub fn genesis_status(spec: &ChainSpec) -> StatusMessage {
    StatusMessage::unproven(spec.chain_id, spec.genesis_hash, spec.genesis_ref())
}

/// An outsider's proposal: a child of genesis with a junk producer share.
pub fn junk_proposal(spec: &ChainSpec) -> ApproveRequest {
    let header = Header {
        height: 1,
        slot: 1,
        parent_hash: spec.genesis_hash,
        timestamp_ms: spec.slot_start_ms(1),
        payload_root: payload_root(&[]),
        state_root: Hash32([9; 32]),
    };
    ApproveRequest {
        block: Block {
            header,
            payload: Vec::new(),
        },
        producer: Approval {
            approvers: 1,
            round: 0,
            signature: SignatureBytes([0xab; 96]),
        },
    }
}

/// What the flooders saw.
#[derive(Default)]
pub struct FloodCounts {
    /// Questions sent.
    pub asked: AtomicU64,
    /// Answered with a refusal.
    pub refused: AtomicU64,
    /// Answered with an approval (must stay 0).
    pub approved: AtomicU64,
}

/// Outsiders, running until dropped.
pub struct Crowd {
    rt: Option<Runtime>,
    stop: Arc<AtomicBool>,
    /// The flooders' counts.
    pub flood: Arc<FloodCounts>,
}

impl Default for Crowd {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Crowd {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// A new identity telling `status`, connected to every target it could reach (each tried up to 5 times: a node
/// sheds dials beyond its pending-connection limit) and past each one's status check.
async fn join(targets: &[Multiaddr], status: &StatusMessage) -> Option<(RawPeer, Vec<PeerId>)> {
    let mut raw = RawPeer::new(RawPeerConfig::new(status.clone())).ok()?;
    let mut peers = Vec::new();
    for addr in targets {
        for _ in 0..5 {
            let wait = Duration::from_secs(20);
            let Ok(Ok(peer)) = tokio::time::timeout(wait, raw.connect(addr.clone())).await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            if let Ok(Ok(_)) = tokio::time::timeout(wait, raw.status_check(peer)).await {
                peers.push(peer);
            }
            break;
        }
    }
    Some((raw, peers))
}

impl Crowd {
    /// No outsiders yet.
    pub fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Self {
            rt: Some(rt),
            stop: Arc::new(AtomicBool::new(false)),
            flood: Arc::new(FloodCounts::default()),
        }
    }

    fn rt(&self) -> &Runtime {
        self.rt.as_ref().expect("running")
    }

    /// `n` well-behaved identities, each connected to every target; returns once each has tried all. At most
    /// 8 join at once (the nodes' pending-connection limits are 32).
    pub fn join(&self, targets: &[Multiaddr], status: &StatusMessage, n: usize) {
        let joining = Arc::new(tokio::sync::Semaphore::new(8));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (targets, status) = (targets.to_vec(), status.clone());
                let joining = joining.clone();
                self.rt().spawn(async move {
                    let _turn = joining.acquire_owned().await;
                    if let Some((raw, _)) = join(&targets, &status).await {
                        tokio::spawn(raw.run());
                    }
                })
            })
            .collect();
        self.rt().block_on(async {
            for h in handles {
                let _ = h.await;
            }
        });
    }

    /// `n` identities that each join every target, stay a second, and leave for a new identity, until dropped.
    pub fn rotate(&self, targets: &[Multiaddr], status: &StatusMessage, n: usize) {
        for _ in 0..n {
            let (targets, status, stop) = (targets.to_vec(), status.clone(), self.stop.clone());
            self.rt().spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Some((mut raw, _)) = join(&targets, &status).await {
                        let _ = tokio::time::timeout(Duration::from_secs(1), async {
                            loop {
                                raw.next_event().await;
                            }
                        })
                        .await;
                    }
                }
            });
        }
    }

    /// `n` identities that each join every target and keep [`FLOOD_IN_FLIGHT`] approval questions (`question`)
    /// waiting at each (the most a peer could have waiting before members-only questions), topped up every
    /// [`FLOOD_EVERY`], until dropped; their answers are counted in [`Crowd::flood`].
    pub fn flood(
        &self,
        targets: &[Multiaddr],
        status: &StatusMessage,
        n: usize,
        question: &ApproveRequest,
    ) {
        for _ in 0..n {
            let (targets, status) = (targets.to_vec(), status.clone());
            let (question, counts) = (question.clone(), self.flood.clone());
            self.rt().spawn(async move {
                if let Some((raw, peers)) = join(&targets, &status).await {
                    flood_from(raw, peers, question, counts).await;
                }
            });
        }
    }
}

/// Questions a flooder keeps waiting at each target.
pub const FLOOD_IN_FLIGHT: usize = 4;
/// How often a flooder tops its questions up.
pub const FLOOD_EVERY: Duration = Duration::from_millis(50);

/// Drives `raw`, keeping [`FLOOD_IN_FLIGHT`] questions waiting at each of `peers`.
async fn flood_from(
    mut raw: RawPeer,
    peers: Vec<PeerId>,
    question: ApproveRequest,
    counts: Arc<FloodCounts>,
) {
    let mut waiting: HashMap<OutboundRequestId, PeerId> = HashMap::new();
    let mut every = tokio::time::interval(FLOOD_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => for peer in &peers {
                let at = waiting.values().filter(|p| *p == peer).count();
                for _ in at..FLOOD_IN_FLIGHT {
                    waiting.insert(raw.ask_approval(*peer, question.clone()), *peer);
                    counts.asked.fetch_add(1, Ordering::Relaxed);
                }
            },
            event = raw.next_event() => match event {
                RawEvent::Approval(id, answer) => {
                    waiting.remove(&id);
                    let counter = match answer {
                        ApproveAnswer::Approved(_) => &counts.approved,
                        ApproveAnswer::Refused { .. } => &counts.refused,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                RawEvent::ApprovalFailed(id, _) => {
                    waiting.remove(&id);
                }
                _ => {}
            },
        }
    }
}

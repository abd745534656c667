//! Outsiders on the wire, in this process: identities (`RawPeer`s) that connect to nodes and pass their status
//! check with the genesis head, then either behave (answer status requests, ask nothing) or keep rotating (a new
//! identity every second, so a slot that frees up is taken again). They run on a tokio runtime of their own and
//! stop when the [`Crowd`] is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ecsync::components::{ChainSpec, StatusMessage};
use ecsync::network::testkit::{RawPeer, RawPeerConfig};
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

/// Outsiders, running until dropped.
pub struct Crowd {
    rt: Option<Runtime>,
    stop: Arc<AtomicBool>,
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
}

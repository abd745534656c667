//! A client on the wire: a libp2p node built from `ecsync::network`, of the chain under test, telling a fixed
//! status and serving no block. Tests use it to speak the protocols to a real node process (publish gossip, claim
//! heads it cannot prove) and to watch what the node does to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ecsync::components::{
    BlockRef, ChainSpec, NetEvent, PeerId, Request, SignedBlock, StatusMessage,
};

/// Serves a fixed status and no block: answers every blocks request empty, or (`withhold`) never, until the
/// client is dropped.
struct HeadOnly {
    status: StatusMessage,
    withhold: bool,
    dropped: Arc<AtomicBool>,
}

impl ecsync::network::BlockSource for HeadOnly {
    fn status(&self) -> StatusMessage {
        self.status.clone()
    }
    fn blocks(&self, _: u64, _: u32, _: usize) -> Vec<Vec<u8>> {
        // Withholding: the answer never comes while the client lives (the requester times out). Bounded, so the
        // runtime's blocking pool is free when the client goes.
        let until = Instant::now() + Duration::from_secs(120);
        while self.withhold && !self.dropped.load(Ordering::Relaxed) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        Vec::new()
    }
}

/// A real ecsync network (fresh identity, 127.0.0.1 port 0) on its own one-thread runtime, serving from
/// `source` and dialing `node`: the client's plumbing, and any test peer that serves crafted answers.
pub fn dial_serving(
    spec: &ChainSpec,
    node: &str,
    source: Arc<dyn ecsync::network::BlockSource>,
) -> (
    tokio::runtime::Runtime,
    ecsync::network::NetworkHandle,
    tokio::sync::mpsc::Receiver<NetEvent>,
) {
    dial_serving_as(spec, node, source, None)
}

/// [`dial_serving`] as a federation member holding `keys` (it proves its membership when challenged).
pub fn dial_serving_as(
    spec: &ChainSpec,
    node: &str,
    source: Arc<dyn ecsync::network::BlockSource>,
    keys: Option<Arc<ecsync::systems::consensus::MemberKeys>>,
) -> (
    tokio::runtime::Runtime,
    ecsync::network::NetworkHandle,
    tokio::sync::mpsc::Receiver<NetEvent>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = ecsync::network::NetworkConfig::new(
        libp2p::identity::Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        spec,
    );
    config.bootnodes = vec![node.parse().unwrap()];
    config.member_keys = keys;
    let (handle, events) = runtime
        .block_on(ecsync::network::Network::start(config, source))
        .unwrap();
    (runtime, handle, events)
}

/// The client: its network handle, its events, the runtime the network runs on.
pub struct WireClient {
    handle: ecsync::network::NetworkHandle,
    events: tokio::sync::mpsc::Receiver<NetEvent>,
    runtime: tokio::runtime::Runtime,
    dropped: Arc<AtomicBool>,
}

impl Drop for WireClient {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::Relaxed);
    }
}

impl WireClient {
    /// Connects to `node` (its listen address) claiming `head` of `spec`'s chain without a proof, answering
    /// blocks requests empty; returns once the status exchange passed on our side, with the node's id on our
    /// side.
    pub fn connect(spec: &ChainSpec, head: BlockRef, node: &str) -> (Self, PeerId) {
        let status = StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head);
        Self::connect_telling(spec, status, false, node)
    }

    /// Connects to `node` with a fresh identity telling `status` (whatever it claims and proves), answering
    /// blocks requests empty or (`withhold`) never. Returns once the status exchange passed on our side.
    pub fn connect_telling(
        spec: &ChainSpec,
        status: StatusMessage,
        withhold: bool,
        node: &str,
    ) -> (Self, PeerId) {
        Self::connect_as(spec, status, withhold, node, None)
    }

    /// [`WireClient::connect_telling`] as a federation member holding `keys`, if any.
    pub fn connect_as(
        spec: &ChainSpec,
        status: StatusMessage,
        withhold: bool,
        node: &str,
        keys: Option<Arc<ecsync::systems::consensus::MemberKeys>>,
    ) -> (Self, PeerId) {
        let dropped = Arc::new(AtomicBool::new(false));
        let source = Arc::new(HeadOnly {
            status,
            withhold,
            dropped: Arc::clone(&dropped),
        });
        let (runtime, handle, events) = dial_serving_as(spec, node, source, keys);
        let mut client = Self {
            handle,
            events,
            runtime,
            dropped,
        };
        let peer = client.wait(|e| match e {
            NetEvent::PeerConnected { peer, .. } => Some(*peer),
            _ => None,
        });
        (client, peer)
    }

    /// The next event `pick` takes, skipping others, within the tests' deadline.
    pub fn wait<T>(&mut self, pick: impl Fn(&NetEvent) -> Option<T>) -> T {
        let events = &mut self.events;
        self.runtime.block_on(async {
            tokio::time::timeout(super::DEADLINE, async {
                loop {
                    let event = events.recv().await.expect("network stopped");
                    if let Some(v) = pick(&event) {
                        return v;
                    }
                }
            })
            .await
            .expect("no such event within the deadline")
        })
    }

    /// Sends `request` as the engine would.
    pub fn send(&self, request: Request) {
        self.handle.send(request);
    }

    /// Publishes `block` on the chain's topic (not published while nobody is on the topic; once published,
    /// publishing it again does nothing).
    pub fn publish(&self, block: &SignedBlock) {
        self.send(Request::PublishBlock {
            bytes: block.encode(),
        });
    }
}

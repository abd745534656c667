//! A client on the wire: a libp2p node built from `ecsync::network`, of the chain under test, claiming a fixed
//! head and serving nothing. Tests use it to speak the protocols to a real node process (ask approvals, publish
//! gossip) and to watch what the node does to it.

use ecsync::components::{
    BlockRef, ChainSpec, NetEvent, PeerId, Request, SignedBlock, StatusMessage,
};

/// Serves a status with a fixed head, and no block.
struct HeadOnly(StatusMessage);

impl ecsync::network::BlockSource for HeadOnly {
    fn status(&self) -> StatusMessage {
        self.0
    }
    fn blocks(&self, _: u64, _: u32, _: usize) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// The client: its network handle, its events, the runtime the network runs on.
pub struct WireClient {
    handle: ecsync::network::NetworkHandle,
    events: tokio::sync::mpsc::Receiver<NetEvent>,
    runtime: tokio::runtime::Runtime,
}

impl WireClient {
    /// Connects to `node` (its listen address) claiming `head` of `spec`'s chain; returns once the status
    /// exchange passed on our side, with the node's id on our side.
    pub fn connect(spec: &ChainSpec, head: BlockRef, node: &str) -> (Self, PeerId) {
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
        let source = std::sync::Arc::new(HeadOnly(StatusMessage {
            chain_id: spec.chain_id,
            genesis_hash: spec.genesis_hash,
            head,
        }));
        let (handle, events) = runtime
            .block_on(ecsync::network::Network::start(config, source))
            .unwrap();
        let mut client = Self {
            handle,
            events,
            runtime,
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

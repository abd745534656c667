//! Tests of the network adapter: the codec on its own, and real networks on 127.0.0.1 (port 0). This file holds
//! the fixtures (an in-memory block source, nodes, waits on events and conditions); the tests are by topic:
//! `wire.rs` (framing and codecs), `exchange.rs` (status, blocks_by_range, keys, emulation, start errors),
//! `dialing.rs` (refusals, bans, redials), `serving_limits.rs` (what serving refuses), `connection_limits.rs`
//! (libp2p's connection limits), `relay.rs` (gossip forwarded only after the engine's verdict), `bans.rs` (the
//! operator's bans) and `consensus.rs` (members' proposals and votes).
//!
//! No test waits a while to see that something did not happen: each waits for an event that proves the node
//! has passed the point where it would have happened (a later message on the same ordered path, a decision in
//! the dialer's log), then checks it did not. The deadline only guards against a hang.

mod bans;
mod connection_limits;
mod consensus;
mod dialing;
mod eviction;
mod exchange;
mod membership;
mod relay;
mod serving_limits;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use ecsync_components::{BlockRef, Hash32, NetEvent, PeerId, Request, RequestId, StatusMessage};
use libp2p::Multiaddr;
use libp2p::identity::Keypair;
use tokio::sync::mpsc::Receiver;
use tokio::time::{Instant, timeout};

use super::dialer::DialRecord;
use super::testkit::{RawPeer, RawPeerConfig};
use super::*;

const GENESIS: Hash32 = Hash32([7; 32]);
const DEADLINE: Duration = Duration::from_secs(20);

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
}

/// Blocks in memory; block `h` is `blocks[h]`.
struct MemSource {
    status: StatusMessage,
    blocks: Vec<Vec<u8>>,
}

impl BlockSource for MemSource {
    fn status(&self) -> StatusMessage {
        self.status.clone()
    }

    fn blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut total = 0;
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        for block in self.blocks.iter().skip(start).take(count as usize) {
            if !out.is_empty() && total + block.len() > max_bytes {
                break;
            }
            total += block.len();
            out.push(block.clone());
        }
        out
    }
}

fn status(chain_id: u64, genesis: Hash32, head: u64) -> StatusMessage {
    let head = BlockRef {
        height: head,
        slot: head * 2,
        hash: Hash32([head as u8; 32]),
    };
    StatusMessage::unproven(chain_id, genesis, head)
}

/// Fake encodings: block `h` is `len(h)` bytes derived from `h`.
fn fake_blocks(n: usize, len: impl Fn(usize) -> usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|h| (0..len(h)).map(|i| (h * 31 + i) as u8).collect())
        .collect()
}

struct Node {
    handle: NetworkHandle,
    events: Receiver<NetEvent>,
    status: StatusMessage,
}

fn config(keypair: Keypair, listen: Multiaddr, status: &StatusMessage) -> NetworkConfig {
    NetworkConfig {
        keypair,
        listen,
        bootnodes: Vec::new(),
        chain_id: status.chain_id,
        genesis_hash: status.genesis_hash,
        max_block_bytes: 1 << 20,
        latency_ms: 0,
        serve_bytes_per_sec: 0,
        request_timeout: Duration::from_secs(60),
        limits: ServeLimits::default(),
        faults: Arc::new(super::NoFaults),
        authorities: Vec::new(),
        member_keys: None,
    }
}

async fn start(config: NetworkConfig, status: StatusMessage, blocks: Vec<Vec<u8>>) -> Node {
    let source = Arc::new(MemSource {
        status: status.clone(),
        blocks,
    });
    let (handle, events) = Network::start(config, source)
        .await
        .expect("network starts");
    Node {
        handle,
        events,
        status,
    }
}

/// A node on 127.0.0.1, port 0, with `status` and `blocks`, dialing `bootnodes`.
async fn node(status: StatusMessage, blocks: Vec<Vec<u8>>, bootnodes: Vec<Multiaddr>) -> Node {
    let mut config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &status,
    );
    config.bootnodes = bootnodes;
    start(config, status, blocks).await
}

/// The next event matching `pred`, skipping others; panics after [`DEADLINE`].
async fn wait_for(
    events: &mut Receiver<NetEvent>,
    what: &str,
    pred: impl Fn(&NetEvent) -> bool,
) -> NetEvent {
    timeout(DEADLINE, async {
        loop {
            let event = events.recv().await.expect("event channel closed");
            if pred(&event) {
                return event;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Waits until `cond` holds (polling); panics after [`DEADLINE`].
async fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits for `PeerConnected`, checks the label and status, returns the engine peer id.
async fn connected(node: &mut Node, other: &Node) -> PeerId {
    let event = wait_for(&mut node.events, "PeerConnected", |e| {
        matches!(e, NetEvent::PeerConnected { .. })
    })
    .await;
    let NetEvent::PeerConnected {
        peer,
        label,
        status,
    } = event
    else {
        unreachable!()
    };
    assert_eq!(label, other.handle.local_peer_id().to_string());
    assert_eq!(status, other.status);
    assert_eq!(node.handle.label_of(peer), Some(label));
    peer
}

/// Two connected nodes: `b` dials `a`. Returns them with each one's engine id of the other.
async fn pair(a_blocks: Vec<Vec<u8>>) -> (Node, Node, PeerId, PeerId) {
    let mut a = node(status(1, GENESIS, a_blocks.len() as u64), a_blocks, vec![]).await;
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    let a_in_b = connected(&mut b, &a).await;
    let b_in_a = connected(&mut a, &b).await;
    (a, b, a_in_b, b_in_a)
}

async fn fetch(node: &mut Node, peer: PeerId, request: u64, start: u64, count: u32) -> NetEvent {
    node.handle.send(Request::BlocksByRange {
        peer,
        request: RequestId(request),
        start,
        count,
        max_bytes: ecsync_components::MAX_RESPONSE_BYTES,
    });
    wait_for(&mut node.events, "the answer", |e| match e {
        NetEvent::Blocks { request: r, .. } | NetEvent::RequestFailed { request: r, .. } => {
            r.0 == request
        }
        _ => false,
    })
    .await
}

async fn fetch_blocks(
    node: &mut Node,
    peer: PeerId,
    request: u64,
    start: u64,
    count: u32,
) -> Vec<Vec<u8>> {
    match fetch(node, peer, request, start, count).await {
        NetEvent::Blocks {
            peer: p, blocks, ..
        } => {
            assert_eq!(p, peer);
            blocks
        }
        other => panic!("expected blocks, got {other:?}"),
    }
}

/// A raw peer behaving as `config`, connected to `node` (dialing it).
async fn raw_peer(config: RawPeerConfig, node: &Node) -> (RawPeer, libp2p::PeerId) {
    let mut raw = RawPeer::new(config).expect("raw peer");
    let server = timeout(DEADLINE, raw.connect(node.handle.listen_addr()))
        .await
        .expect("connects in time")
        .expect("connects");
    (raw, server)
}

/// What `node`'s dialer has recorded about `peer` so far, in order.
fn dial_log(node: &Node, peer: libp2p::PeerId) -> Vec<DialRecord> {
    let log = node
        .handle
        .shared
        .dial_log
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    log.iter()
        .filter(|r| match r {
            DialRecord::Dialed(p)
            | DialRecord::Failed(p, _)
            | DialRecord::RedialScheduled(p, _)
            | DialRecord::NotRedialed(p)
            | DialRecord::Refused(p) => *p == peer,
        })
        .cloned()
        .collect()
}

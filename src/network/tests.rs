//! Tests of the network adapter: the codec on its own, and real networks on 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use ecsync_components::{
    BlockRef, FailureReason, GossipVerdict, Hash32, MAX_BLOCKS_PER_REQUEST, NetEvent, PeerId,
    Request, RequestId, StatusMessage,
};
use libp2p::Multiaddr;
use libp2p::futures::io::Cursor;
use libp2p::identity::Keypair;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::Codec;
use tokio::sync::mpsc::Receiver;
use tokio::time::{Instant, timeout};

use super::codec::{self, BlocksByRangeRequest, BlocksCodec, StatusCodec};
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
    key: Keypair,
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
    }
}

async fn start(config: NetworkConfig, status: StatusMessage, blocks: Vec<Vec<u8>>) -> Node {
    let source = Arc::new(MemSource {
        status: status.clone(),
        blocks,
    });
    let key = config.keypair.clone();
    let (handle, events) = Network::start(config, source)
        .await
        .expect("network starts");
    Node {
        handle,
        events,
        status,
        key,
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

// ---- codec ------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn frame_length_is_checked_before_reading_the_body() {
    // Claims 4 GiB and sends nothing more: refused as invalid at once, not read (which would be UnexpectedEof).
    let mut io = Cursor::new(vec![0xff, 0xff, 0xff, 0xff]);
    let err = codec::read_frame(&mut io, 1024).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");

    // One byte over the cap.
    let mut bytes = 1025u32.to_be_bytes().to_vec();
    bytes.resize(4 + 1025, 0);
    let err = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

    // Exactly the cap is fine; a short body is an EOF.
    let mut bytes = 1024u32.to_be_bytes().to_vec();
    bytes.resize(4 + 1024, 9);
    let body = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap();
    assert_eq!(body, vec![9; 1024]);
    let mut bytes = 100u32.to_be_bytes().to_vec();
    bytes.resize(4 + 50, 9);
    let err = codec::read_frame(&mut Cursor::new(bytes), 1024)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);

    // The codecs: an oversized blocks response, and a request over 1 KiB.
    let protocol = libp2p::StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL);
    let mut blocks = BlocksCodec::new(1 << 20);
    let huge =
        (codec::max_blocks_response_bytes(1 << 20, MAX_RESPONSE_BYTES) as u32 + 1).to_be_bytes();
    let err = blocks
        .read_response(&protocol, &mut Cursor::new(huge.to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let err = blocks
        .read_request(&protocol, &mut Cursor::new(2000u32.to_be_bytes().to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let err = StatusCodec
        .read_request(&protocol, &mut Cursor::new(u32::MAX.to_be_bytes().to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
}

#[tokio::test(flavor = "multi_thread")]
async fn codecs_round_trip() {
    let protocol = libp2p::StreamProtocol::new(STATUS_PROTOCOL);
    let s = status(3, GENESIS, 1_000_000);
    let mut buf = Cursor::new(Vec::new());
    StatusCodec
        .write_request(&protocol, &mut buf, s.clone())
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        StatusCodec.read_request(&protocol, &mut buf).await.unwrap(),
        s
    );

    let mut blocks = BlocksCodec::new(1 << 20);
    let request = BlocksByRangeRequest {
        start: u64::MAX,
        count: 5000,
        max_bytes: u32::MAX,
    };
    let mut buf = Cursor::new(Vec::new());
    blocks
        .write_request(&protocol, &mut buf, request)
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        blocks.read_request(&protocol, &mut buf).await.unwrap(),
        request
    );

    let response = fake_blocks(50, |h| h * 97);
    let mut buf = Cursor::new(Vec::new());
    blocks
        .write_response(&protocol, &mut buf, response.clone())
        .await
        .unwrap();
    buf.set_position(0);
    assert_eq!(
        blocks.read_response(&protocol, &mut buf).await.unwrap(),
        response
    );

    // Garbage bodies are errors, not panics.
    for body in [vec![], vec![0x80], vec![1, 0x85], vec![0xff; 20]] {
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        assert!(
            blocks
                .read_response(&protocol, &mut Cursor::new(frame.clone()))
                .await
                .is_err()
        );
        assert!(
            StatusCodec
                .read_response(&protocol, &mut Cursor::new(frame))
                .await
                .is_err()
        );
    }
}

#[test]
fn blocks_wire_format_is_postcard() {
    for blocks in [
        vec![],
        vec![vec![]],
        fake_blocks(3, |h| h * 200),
        fake_blocks(130, |h| h),
        vec![vec![1; 70_000]],
    ] {
        let ours = codec::encode_blocks(&blocks);
        assert_eq!(ours, postcard::to_stdvec(&blocks).unwrap());
        assert_eq!(ours.len(), codec::encoded_blocks_len(&blocks));
        assert_eq!(
            codec::decode_blocks(&ours, 1024, 1 << 20).unwrap(),
            blocks,
            "round trip"
        );
    }
}

/// A reader that hands out at most one byte per read: what a slow peer's stream looks like.
struct Trickle(Cursor<Vec<u8>>);

impl libp2p::futures::AsyncRead for Trickle {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let n = buf.len().min(1);
        std::pin::Pin::new(&mut self.0).poll_read(cx, &mut buf[..n])
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_are_written_and_read_as_one_postcard_frame_in_pieces() {
    for blocks in [
        vec![],
        vec![vec![]],
        fake_blocks(3, |h| h * 200),
        // Crosses many write chunks, and one block larger than a chunk.
        fake_blocks(200, |h| h * 10),
        vec![vec![1; 70_000], vec![2; 10]],
    ] {
        let mut written = Cursor::new(Vec::new());
        codec::write_blocks(&mut written, &blocks, 1 << 20)
            .await
            .unwrap();
        let mut frame = (codec::encoded_blocks_len(&blocks) as u32)
            .to_be_bytes()
            .to_vec();
        frame.extend(codec::encode_blocks(&blocks));
        assert_eq!(written.into_inner(), frame);
        // Read back a byte at a time, as from a slow stream.
        let mut slow = Trickle(Cursor::new(frame.clone()));
        let read = codec::read_blocks(&mut slow, 1 << 20, 1024, 1 << 20)
            .await
            .unwrap();
        assert_eq!(read, blocks);
        // The stream ends inside the frame: an EOF that says where.
        if frame.len() > 5 {
            let cut = frame[..frame.len() - 1].to_vec();
            let err = codec::read_blocks(&mut Cursor::new(cut), 1 << 20, 1024, 1 << 20)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{err}");
            assert!(err.to_string().contains("message ended after"), "{err}");
        }
    }
    // Writing over the cap is refused before anything is written.
    let mut written = Cursor::new(Vec::new());
    let err = codec::write_blocks(&mut written, &fake_blocks(3, |_| 100), 100)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(written.into_inner().is_empty());
}

#[test]
fn blocks_decoding_enforces_limits() {
    let ok = codec::encode_blocks(&fake_blocks(4, |_| 100));
    assert!(codec::decode_blocks(&ok, 4, 100).is_ok());
    // Too many blocks, too large a block.
    assert!(
        codec::decode_blocks(&ok, 3, 100)
            .unwrap_err()
            .contains("blocks in one response")
    );
    assert!(
        codec::decode_blocks(&ok, 4, 99)
            .unwrap_err()
            .contains("limit 99")
    );
    // A block claiming more bytes than are left: refused before copying.
    let mut lying = vec![1];
    lying.extend_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
    lying.extend_from_slice(&[0; 10]);
    assert!(codec::decode_blocks(&lying, 4, usize::MAX).is_err());
    // A count of 2^28 blocks with nothing behind it.
    assert!(codec::decode_blocks(&[0x80, 0x80, 0x80, 0x80, 0x01], 1024, 100).is_err());
    // Trailing bytes, truncation, a non-canonical varint, a varint too long.
    let mut trailing = ok.clone();
    trailing.push(0);
    assert!(
        codec::decode_blocks(&trailing, 4, 100)
            .unwrap_err()
            .contains("trailing")
    );
    assert!(codec::decode_blocks(&ok[..ok.len() - 1], 4, 100).is_err());
    assert!(codec::decode_blocks(&[0x81, 0x00, 0x00], 4, 100).is_err());
    assert!(codec::decode_blocks(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 4, 100).is_err());
    assert!(codec::decode_blocks(&[], 4, 100).is_err());
}

// ---- keys -------------------------------------------------------------------------------------------------------

#[test]
fn keypair_is_persisted_and_corruption_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/node.key");
    let first = load_or_create_keypair(&path).unwrap();
    assert_eq!(first.key_type(), libp2p::identity::KeyType::Ed25519);
    let again = load_or_create_keypair(&path).unwrap();
    assert_eq!(first.public().to_peer_id(), again.public().to_peer_id());

    std::fs::write(&path, b"not a key").unwrap();
    let err = load_or_create_keypair(&path).unwrap_err().to_string();
    assert!(err.contains("corrupt") && err.contains("node.key"), "{err}");
}

// ---- networks ---------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_connect_and_exchange_status() {
    init_tracing();
    let (mut a, mut b, a_in_b, b_in_a) = pair(fake_blocks(10, |_| 10)).await;

    let addr = a.handle.listen_addr();
    assert!(
        addr.iter()
            .any(|p| matches!(p, Protocol::Tcp(port) if port != 0)),
        "{addr}"
    );
    assert_eq!(
        addr.iter().last(),
        Some(Protocol::P2p(a.handle.local_peer_id()))
    );
    assert_eq!(a.handle.connected_peers(), 1);
    assert_eq!(
        b.handle.libp2p_peer_of(a_in_b),
        Some(a.handle.local_peer_id())
    );
    assert_eq!(
        a.handle.engine_peer_of(&b.handle.local_peer_id()),
        Some(b_in_a)
    );

    // An engine status request is answered with a Status event.
    b.handle.send(Request::Status { peer: a_in_b });
    let event = wait_for(&mut b.events, "Status", |e| {
        matches!(e, NetEvent::Status { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Status {
            peer: a_in_b,
            status: a.status
        }
    );
    // ...and `a` learnt b's status from the request.
    let event = wait_for(&mut a.events, "Status", |e| {
        matches!(e, NetEvent::Status { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Status {
            peer: b_in_a,
            status: b.status
        }
    );

    b.handle.shutdown().await;
    let gone = wait_for(&mut a.events, "PeerGone", |e| {
        matches!(e, NetEvent::PeerGone { .. })
    })
    .await;
    assert_eq!(gone, NetEvent::PeerGone { peer: b_in_a });
    a.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_by_range_returns_the_served_encodings() {
    init_tracing();
    let served = fake_blocks(100, |h| 1 + h * 13);
    let (a, mut b, a_in_b, _) = pair(served.clone()).await;

    assert_eq!(fetch_blocks(&mut b, a_in_b, 1, 5, 10).await, served[5..15]);
    assert_eq!(fetch_blocks(&mut b, a_in_b, 2, 90, 50).await, served[90..]);
    assert!(fetch_blocks(&mut b, a_in_b, 3, 100, 10).await.is_empty());
    assert!(fetch_blocks(&mut b, a_in_b, 4, 0, 0).await.is_empty());

    // As many in flight at once as a peer may have, answered each under its own id.
    let n = ServeLimits::default().max_answers_per_peer;
    for i in 0..n as u64 {
        b.handle.send(Request::BlocksByRange {
            peer: a_in_b,
            request: RequestId(100 + i),
            start: i * 10,
            count: 10,
            max_bytes: ecsync_components::MAX_RESPONSE_BYTES,
        });
    }
    let mut answered = std::collections::HashSet::new();
    while answered.len() < n {
        let event = wait_for(&mut b.events, "the answers", |e| {
            matches!(e, NetEvent::Blocks { .. })
        })
        .await;
        let NetEvent::Blocks {
            request, blocks, ..
        } = event
        else {
            unreachable!()
        };
        let i = (request.0 - 100) as usize;
        assert_eq!(blocks, served[i * 10..i * 10 + 10]);
        answered.insert(request);
    }
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_respect_max_response_bytes() {
    init_tracing();
    const MIB: usize = 1 << 20;
    // Block 0 alone is larger than MAX_RESPONSE_BYTES; then 1 MiB blocks.
    let served = fake_blocks(20, |h| if h == 0 { 9 * MIB } else { MIB });
    let s = status(1, GENESIS, 19);
    let mut a_config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    a_config.max_block_bytes = 10 * MIB as u32;
    let a = start(a_config, s.clone(), served.clone()).await;
    let mut b_config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    b_config.max_block_bytes = 10 * MIB as u32;
    b_config.bootnodes = vec![a.handle.listen_addr()];
    let mut b = start(b_config, status(1, GENESIS, 0), vec![]).await;
    let a_in_b = connected(&mut b, &a).await;

    // At least one block, even over the cap.
    assert_eq!(fetch_blocks(&mut b, a_in_b, 1, 0, 5).await, served[..1]);
    // Otherwise cut at MAX_RESPONSE_BYTES.
    let blocks = fetch_blocks(&mut b, a_in_b, 2, 1, 19).await;
    assert_eq!(blocks.len(), MAX_RESPONSE_BYTES / MIB);
    assert_eq!(blocks, served[1..1 + MAX_RESPONSE_BYTES / MIB]);
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn blocks_over_the_receivers_limit_fail_the_request() {
    init_tracing();
    // `a` serves 2 KiB blocks; `b` accepts at most 1 KiB per block.
    let s = status(1, GENESIS, 9);
    let a = node(s.clone(), fake_blocks(10, |_| 2048), vec![]).await;
    let mut b_config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    b_config.max_block_bytes = 1024;
    b_config.bootnodes = vec![a.handle.listen_addr()];
    let mut b = start(b_config, status(1, GENESIS, 0), vec![]).await;
    let a_in_b = connected(&mut b, &a).await;
    match fetch(&mut b, a_in_b, 1, 0, 3).await {
        NetEvent::RequestFailed {
            peer,
            reason: FailureReason::Protocol(reason),
            ..
        } => {
            assert_eq!(peer, a_in_b);
            assert!(reason.to_string().contains("limit 1024"), "{reason}");
        }
        other => panic!("expected a protocol failure, got {other:?}"),
    }
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_above_the_cap_is_clamped_and_the_server_survives() {
    init_tracing();
    let served = fake_blocks(3000, |_| 8);
    let (a, mut b, a_in_b, _) = pair(served.clone()).await;
    let blocks = fetch_blocks(&mut b, a_in_b, 1, 0, 5000).await;
    assert_eq!(blocks.len(), MAX_BLOCKS_PER_REQUEST as usize);
    assert_eq!(blocks, served[..MAX_BLOCKS_PER_REQUEST as usize]);
    let blocks = fetch_blocks(&mut b, a_in_b, 2, 2990, u32::MAX).await;
    assert_eq!(blocks, served[2990..]);
    // Still serving.
    assert_eq!(fetch_blocks(&mut b, a_in_b, 3, 7, 1).await, served[7..8]);
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_to_unknown_peers_fail_at_once() {
    init_tracing();
    let mut a = node(status(1, GENESIS, 0), vec![], vec![]).await;
    match fetch(&mut a, PeerId(999), 7, 0, 10).await {
        NetEvent::RequestFailed {
            peer,
            request,
            reason,
        } => {
            assert_eq!(peer, PeerId(999));
            assert_eq!(request, RequestId(7));
            assert_eq!(reason, FailureReason::Disconnected);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // Status and disconnect requests for unknown peers are ignored.
    a.handle.send(Request::Status { peer: PeerId(5) });
    a.handle.send(Request::Disconnect {
        peer: PeerId(5),
        reason: "x".into(),
        ban: true,
    });
    // The task is still there and answering.
    assert!(matches!(
        fetch(&mut a, PeerId(999), 8, 0, 1).await,
        NetEvent::RequestFailed { .. }
    ));
    a.handle.shutdown().await;
}

async fn refused(a_status: StatusMessage, b_status: StatusMessage) {
    init_tracing();
    let mut a = node(a_status, vec![], vec![]).await;
    let mut b = node(b_status.clone(), vec![], vec![a.handle.listen_addr()]).await;
    let (a_id, b_id) = (a.handle.local_peer_id(), b.handle.local_peer_id());
    wait_until("both refuse and disconnect", || {
        a.handle.denied_peers().iter().any(|(p, _)| *p == b_id)
            && b.handle.denied_peers().iter().any(|(p, _)| *p == a_id)
            && a.handle.connected_peers() == 0
            && b.handle.connected_peers() == 0
    })
    .await;
    let (_, reason) = a.handle.denied_peers()[0].clone();
    assert!(
        reason.contains(&format!("chain {}", b_status.chain_id)),
        "{reason}"
    );
    a.handle.clone().shutdown().await;
    b.handle.clone().shutdown().await;
    // Nothing reached either engine.
    for node in [&mut a, &mut b] {
        while let Some(event) = node.events.recv().await {
            assert!(
                !matches!(event, NetEvent::PeerConnected { .. }),
                "{event:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_on_another_chain_is_refused() {
    refused(status(1, GENESIS, 5), status(2, GENESIS, 5)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_with_another_genesis_is_refused() {
    refused(status(1, GENESIS, 5), status(1, Hash32([8; 32]), 5)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn engine_disconnects_are_denied_and_not_redialed() {
    init_tracing();
    let (mut a, mut b, a_in_b, b_in_a) = pair(vec![]).await;
    b.handle.send(Request::Disconnect {
        peer: a_in_b,
        reason: "sent an invalid block".into(),
        ban: true,
    });
    assert_eq!(
        wait_for(&mut b.events, "PeerGone", |e| matches!(
            e,
            NetEvent::PeerGone { .. }
        ))
        .await,
        NetEvent::PeerGone { peer: a_in_b }
    );
    assert_eq!(
        wait_for(&mut a.events, "PeerGone", |e| matches!(
            e,
            NetEvent::PeerGone { .. }
        ))
        .await,
        NetEvent::PeerGone { peer: b_in_a }
    );
    assert_eq!(
        b.handle.denied_peers(),
        vec![(
            a.handle.local_peer_id(),
            "sent an invalid block".to_string()
        )]
    );
    // A request to the dropped peer fails at once.
    match fetch(&mut b, a_in_b, 1, 0, 1).await {
        NetEvent::RequestFailed { reason, .. } => {
            assert_eq!(reason, FailureReason::Disconnected)
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // The bootnode is not redialed. a itself would redial b (it learned b's address), so a is replaced by the
    // same identity on the same address that knows nothing of b: only b's redial could connect them. A negative
    // check, so it has to wait a while (past the first backoffs).
    let a_addr = a.handle.listen_addr();
    a.handle.shutdown().await;
    let mut listen = a_addr.clone();
    listen.pop();
    let a2 = start(config(a.key.clone(), listen, &a.status), a.status, vec![]).await;
    assert_eq!(a2.handle.listen_addr(), a_addr);
    tokio::time::sleep(REDIAL_INITIAL * 6).await;
    assert_eq!(b.handle.connected_peers(), 0);
    a2.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_bootnode_is_redialed() {
    init_tracing();
    let key = Keypair::generate_ed25519();
    let s = status(1, GENESIS, 3);
    let a = start(
        config(key.clone(), "/ip4/127.0.0.1/tcp/0".parse().unwrap(), &s),
        s,
        vec![],
    )
    .await;
    let a_addr = a.handle.listen_addr();
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a_addr.clone()]).await;
    let a_in_b = connected(&mut b, &a).await;

    a.handle.shutdown().await;
    assert_eq!(
        wait_for(&mut b.events, "PeerGone", |e| matches!(
            e,
            NetEvent::PeerGone { .. }
        ))
        .await,
        NetEvent::PeerGone { peer: a_in_b }
    );

    // The same identity comes back on the same address (after some of b's redials have failed).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut listen = a_addr.clone();
    listen.pop();
    let s2 = status(1, GENESIS, 4);
    let a2 = start(config(key, listen, &s2), s2, vec![]).await;
    let again = connected(&mut b, &a2).await;
    assert_eq!(again, a_in_b, "engine ids are stable for the process");
    a2.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_that_dialed_us_is_redialed_at_the_address_it_listens_on() {
    init_tracing();
    let a = node(status(1, GENESIS, 3), vec![], vec![]).await;
    // b dials a; a has no bootnodes and learns b's listen address from identify.
    let key = Keypair::generate_ed25519();
    let s = status(1, GENESIS, 0);
    let mut cfg = config(key.clone(), "/ip4/127.0.0.1/tcp/0".parse().unwrap(), &s);
    cfg.bootnodes = vec![a.handle.listen_addr()];
    let mut b = start(cfg, s, vec![]).await;
    let mut a = a;
    connected(&mut b, &a).await;
    let b_in_a = connected(&mut a, &b).await;
    let b_addr = b.handle.listen_addr();
    wait_until("a learned b's address from identify", || {
        a.handle.known_peers() == 1
    })
    .await;
    b.handle.shutdown().await;
    assert_eq!(
        wait_for(&mut a.events, "PeerGone", |e| matches!(
            e,
            NetEvent::PeerGone { .. }
        ))
        .await,
        NetEvent::PeerGone { peer: b_in_a }
    );
    // b comes back on the same address WITHOUT bootnodes: only a's redial can reconnect them.
    let mut listen = b_addr.clone();
    listen.pop();
    let s2 = status(1, GENESIS, 0);
    let b2 = start(config(key, listen, &s2), s2, vec![]).await;
    let again = connected(&mut a, &b2).await;
    assert_eq!(again, b_in_a);
    a.handle.shutdown().await;
    b2.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn serving_emulates_latency_and_bandwidth() {
    init_tracing();
    let served = fake_blocks(4, |_| 250_000);
    let s = status(1, GENESIS, 3);
    let mut a_config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    a_config.latency_ms = 300;
    a_config.serve_bytes_per_sec = 1_000_000;
    let a = start(a_config, s, served.clone()).await;
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    let a_in_b = connected(&mut b, &a).await;

    // Two answers of 500 kB on a 1000 kB/s link, one after the other: the second leaves after ≥ 1 s + latency.
    let started = Instant::now();
    for (i, start) in [(1u64, 0u64), (2, 2)] {
        b.handle.send(Request::BlocksByRange {
            peer: a_in_b,
            request: RequestId(i),
            start,
            count: 2,
            max_bytes: ecsync_components::MAX_RESPONSE_BYTES,
        });
    }
    let mut got = 0;
    while got < 2 {
        if let NetEvent::Blocks { blocks, .. } = wait_for(&mut b.events, "blocks", |e| {
            matches!(e, NetEvent::Blocks { .. })
        })
        .await
        {
            assert_eq!(blocks.len(), 2);
            got += 1;
        }
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1300), "{elapsed:?}");
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[test]
fn sanitize_keeps_a_protocol_prefix() {
    let blocks = fake_blocks(10, |_| 10);
    assert_eq!(serving::sanitize(blocks.clone(), 3, 100, 1000).len(), 3);
    assert_eq!(serving::sanitize(blocks.clone(), 100, 100, 1000).len(), 10);
    let mut mixed = blocks.clone();
    mixed[4] = vec![0; 200];
    assert_eq!(serving::sanitize(mixed, 100, 100, 1000), blocks[..4]);
    // The byte cap: a prefix within it, but always the first block.
    assert_eq!(serving::sanitize(blocks.clone(), 100, 100, 35), blocks[..3]);
    assert_eq!(serving::sanitize(blocks.clone(), 100, 100, 1), blocks[..1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn start_reports_configuration_errors() {
    init_tracing();
    let s = status(1, GENESIS, 0);
    let a = node(s.clone(), vec![], vec![]).await;
    let source = || {
        Arc::new(MemSource {
            status: s.clone(),
            blocks: vec![],
        })
    };

    // The port is taken.
    let mut taken = a.handle.listen_addr();
    taken.pop();
    let err = Network::start(config(Keypair::generate_ed25519(), taken, &s), source())
        .await
        .err()
        .expect("a taken port is an error");
    assert!(err.to_string().contains("listen"), "{err:#}");

    // A bootnode without its peer id.
    let mut config_b = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    config_b.bootnodes = vec!["/ip4/127.0.0.1/tcp/1".parse().unwrap()];
    let err = Network::start(config_b, source())
        .await
        .err()
        .expect("a bootnode needs /p2p");
    assert!(err.to_string().contains("/p2p/"), "{err:#}");
    a.handle.shutdown().await;
}

// ---- serving limits ---------------------------------------------------------------------------------------------

use super::testkit::{RawEvent, RawPeer, RawPeerConfig};

#[test]
fn token_bucket_maths() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    // 100 tokens, 50 a second.
    let mut bucket = TokenBucket::new(100, 50, t0);
    assert_eq!(bucket.take(60, t0, ms(0)), Some(Duration::ZERO));
    assert_eq!(bucket.available(t0), 40.0);
    // 60 more: 20 short, covered in 400 ms; refused if the caller waits at most 399 ms (nothing taken then).
    assert_eq!(bucket.take(60, t0, ms(399)), None);
    assert_eq!(bucket.available(t0), 40.0);
    assert_eq!(bucket.take(60, t0, ms(400)), Some(ms(400)));
    assert_eq!(bucket.available(t0), -20.0);
    // The debt is repaid by the refill: after 400 ms, empty; after 1 s, 30.
    assert_eq!(bucket.available(t0 + ms(400)), 0.0);
    assert!((bucket.available(t0 + ms(1000)) - 30.0).abs() < 1e-9);
    // Never above the capacity, however long idle.
    assert_eq!(bucket.available(t0 + Duration::from_secs(3600)), 100.0);
    // A take larger than the capacity takes the capacity.
    assert_eq!(
        bucket.take(1000, t0 + Duration::from_secs(3600), ms(0)),
        Some(Duration::ZERO)
    );
    // An instant before the last update changes nothing.
    assert_eq!(bucket.available(t0), 0.0);
    // No refill: what is taken is gone.
    let mut fixed = TokenBucket::new(2, 0, t0);
    assert!(fixed.take(1, t0, ms(0)).is_some());
    assert!(fixed.take(1, t0, ms(0)).is_some());
    assert_eq!(
        fixed.take(1, t0 + Duration::from_secs(10), Duration::MAX),
        None
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn answers_hold_their_slot_until_written() {
    init_tracing();
    const MIB: usize = 1 << 20;
    // 1 MiB blocks: an answer of 8 MiB cannot fit in the stream's window and the socket buffers.
    let s = status(1, GENESIS, 39);
    let a = node(s.clone(), fake_blocks(40, |_| MIB), vec![]).await;
    assert_eq!(ServeLimits::default().max_answers_per_peer, 4);
    let mut config = RawPeerConfig::new(s);
    config.read_answers = false;
    let (mut raw, server) = raw_peer(config, &a).await;
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    for i in 0..4 {
        raw.request_blocks(server, i * 8, 8, u32::MAX);
    }
    let stats = || a.handle.serve_stats();
    // Drive the raw peer (it never reads the answers) until all four are read and in flight.
    timeout(DEADLINE, async {
        while stats().answers_in_flight < 4 || stats().bytes_in_flight < 4 * 8 * MIB {
            tokio::select! {
                _ = raw.next_event() => {}
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    })
    .await
    .expect("four answers in flight");
    // A fifth is dropped: the four are handed to libp2p but not written.
    raw.request_blocks(server, 32, 8, u32::MAX);
    timeout(DEADLINE, async {
        while stats().dropped(DropReason::Concurrency) < 1 {
            tokio::select! {
                _ = raw.next_event() => {}
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    })
    .await
    .expect("the fifth request dropped");
    assert_eq!(stats().answers_in_flight, 4);
    assert_eq!(stats().dropped_total(), 1);

    // Another peer is still served.
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    let a_in_b = connected(&mut b, &a).await;
    assert_eq!(fetch_blocks(&mut b, a_in_b, 1, 0, 2).await.len(), 2);

    // The stalled peer goes: its answers fail and release their slots and bytes.
    drop(raw);
    wait_until("the stalled answers are released", || {
        let s = stats();
        s.answers_in_flight == 0 && s.bytes_in_flight == 0
    })
    .await;
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_beyond_max_bytes_are_cut_by_the_server_and_refused_by_the_requester() {
    init_tracing();
    // An honest server cuts at the request's max_bytes (at least one block).
    let served = fake_blocks(10, |_| 100);
    let (a, mut b, a_in_b, _) = pair(served.clone()).await;
    b.handle.send(Request::BlocksByRange {
        peer: a_in_b,
        request: RequestId(1),
        start: 0,
        count: 10,
        max_bytes: 350,
    });
    let event = wait_for(&mut b.events, "the answer", |e| {
        matches!(e, NetEvent::Blocks { .. })
    })
    .await;
    assert!(matches!(event, NetEvent::Blocks { blocks, .. } if blocks == served[..3]));
    a.handle.shutdown().await;

    // A server that ignores max_bytes: its answer of three 100-byte blocks to a request for at most 250 bytes
    // is refused as a protocol failure; one block over the cap is fine.
    let s = status(1, GENESIS, 10);
    let mut config = RawPeerConfig::new(s);
    config.serve = Some(fake_blocks(3, |_| 100));
    let mut raw = RawPeer::new(config).unwrap();
    let raw_addr = raw.listen().await.unwrap();
    let raw_task = tokio::spawn(raw.run());
    let mut c = node(status(1, GENESIS, 0), vec![], vec![raw_addr]).await;
    let raw_in_c = wait_for(&mut c.events, "PeerConnected", |e| {
        matches!(e, NetEvent::PeerConnected { .. })
    })
    .await;
    let NetEvent::PeerConnected { peer: raw_in_c, .. } = raw_in_c else {
        unreachable!()
    };
    for (id, max_bytes, ok) in [(1, 250, false), (2, 300, true), (3, 50, false)] {
        c.handle.send(Request::BlocksByRange {
            peer: raw_in_c,
            request: RequestId(id),
            start: 0,
            count: 3,
            max_bytes,
        });
        match wait_for(&mut c.events, "the answer", |e| match e {
            NetEvent::Blocks { request, .. } | NetEvent::RequestFailed { request, .. } => {
                request.0 == id
            }
            _ => false,
        })
        .await
        {
            NetEvent::Blocks { blocks, .. } => assert!(ok && blocks.len() == 3, "{max_bytes}"),
            NetEvent::RequestFailed {
                reason: FailureReason::Protocol(reason),
                ..
            } => {
                assert!(!ok, "{max_bytes}: {reason}");
                assert!(reason.to_string().contains("max_bytes"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    // The codec on its own: the cap comes from the request written by the same codec value.
    let protocol = libp2p::StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL);
    let mut answer = Cursor::new(Vec::new());
    BlocksCodec::new(1 << 20)
        .write_response(&protocol, &mut answer, fake_blocks(3, |_| 100))
        .await
        .unwrap();
    let mut codec = BlocksCodec::new(1 << 20);
    let request = BlocksByRangeRequest {
        start: 0,
        count: 3,
        max_bytes: 299,
    };
    codec
        .write_request(&protocol, &mut Cursor::new(Vec::new()), request)
        .await
        .unwrap();
    answer.set_position(0);
    let err = codec
        .read_response(&protocol, &mut answer)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    // Without a request (the protocol cap), the same answer reads.
    answer.set_position(0);
    assert_eq!(
        BlocksCodec::new(1 << 20)
            .read_response(&protocol, &mut answer)
            .await
            .unwrap()
            .len(),
        3
    );
    raw_task.abort();
    c.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unchecked_peers_get_no_blocks_and_status_is_rate_limited() {
    init_tracing();
    let s = status(1, GENESIS, 9);
    let mut a_config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    // No refill: exactly `status_burst` status requests are answered.
    a_config.limits.status_burst = 4;
    a_config.limits.status_per_sec = 0;
    let a = start(a_config, s.clone(), fake_blocks(10, |_| 10)).await;
    // A peer that neither answers our status request nor sends its own.
    let mut config = RawPeerConfig::new(s);
    config.answer_status = false;
    let (mut raw, server) = raw_peer(config, &a).await;
    let id = raw.request_blocks(server, 0, 5, u32::MAX);
    let failed = timeout(DEADLINE, async {
        loop {
            match raw.next_event().await {
                RawEvent::BlocksFailed(r, e) if r == id => return e,
                RawEvent::Blocks(r, _) if r == id => panic!("an unchecked peer was served"),
                _ => {}
            }
        }
    })
    .await
    .expect("the request fails");
    tracing::info!("unchecked request failed: {failed}");
    assert_eq!(a.handle.serve_stats().dropped(DropReason::Unchecked), 1);

    // Once its status passed the check (its own request), it is served.
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    let id = raw.request_blocks(server, 0, 5, u32::MAX);
    let blocks = timeout(DEADLINE, async {
        loop {
            match raw.next_event().await {
                RawEvent::Blocks(r, blocks) if r == id => return blocks,
                RawEvent::BlocksFailed(r, e) if r == id => panic!("not served: {e}"),
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(blocks.len(), 5);

    // Identify says who we are.
    timeout(DEADLINE, async {
        while raw.agent().is_none() {
            raw.next_event().await;
        }
    })
    .await
    .expect("identify answers");
    let agent = raw.agent().unwrap().to_string();
    assert_eq!(agent, AGENT_VERSION);
    assert_eq!(agent, format!("ecsync/{}", env!("CARGO_PKG_VERSION")));

    // Status: one token went to the check above; of 5 more requests, 3 are answered and 2 dropped.
    for _ in 0..5 {
        raw.send_status(server);
    }
    let (mut answered, mut failed) = (0, 0);
    timeout(DEADLINE, async {
        while answered + failed < 5 {
            match raw.next_event().await {
                RawEvent::Status(_) => answered += 1,
                RawEvent::StatusFailed(_) => failed += 1,
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    assert_eq!((answered, failed), (3, 2));
    assert_eq!(a.handle.serve_stats().dropped(DropReason::StatusRate), 2);
    a.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_peers_get_no_blocks() {
    init_tracing();
    let s = status(1, GENESIS, 9);
    let mut a = node(s.clone(), fake_blocks(10, |_| 10), vec![]).await;
    let (mut raw, server) = raw_peer(RawPeerConfig::new(s), &a).await;
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    // Driving the raw peer, which answers a's status request: a announces it.
    let raw_in_a = timeout(DEADLINE, async {
        loop {
            tokio::select! {
                event = a.events.recv() => {
                    if let Some(NetEvent::PeerConnected { peer, .. }) = event {
                        return peer;
                    }
                }
                _ = raw.next_event() => {}
            }
        }
    })
    .await
    .expect("a announces the raw peer");
    // The engine drops it: it goes on the deny list, and is disconnected.
    a.handle.send(Request::Disconnect {
        peer: raw_in_a,
        reason: "sent an invalid block".into(),
        ban: true,
    });
    wait_until("a disconnected the peer", || {
        a.handle.connected_peers() == 0 && !a.handle.denied_peers().is_empty()
    })
    .await;
    // It connects again and passes the status check (it is on our chain), but gets no blocks.
    timeout(DEADLINE, raw.connect(a.handle.listen_addr()))
        .await
        .unwrap()
        .unwrap();
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    let id = raw.request_blocks(server, 0, 5, u32::MAX);
    timeout(DEADLINE, async {
        loop {
            match raw.next_event().await {
                RawEvent::BlocksFailed(r, _) if r == id => return,
                RawEvent::Blocks(r, _) if r == id => panic!("a denied peer was served"),
                _ => {}
            }
        }
    })
    .await
    .expect("the request fails");
    assert_eq!(a.handle.serve_stats().dropped(DropReason::Denied), 1);
    a.handle.shutdown().await;
}

/// The next `GossipBlock` within `within`, skipping other events; `None` if none came.
async fn next_gossip(
    events: &mut Receiver<NetEvent>,
    within: Duration,
) -> Option<(PeerId, u64, Vec<u8>)> {
    timeout(within, async {
        loop {
            if let NetEvent::GossipBlock { peer, id, bytes } =
                events.recv().await.expect("event channel closed")
            {
                return (peer, id, bytes);
            }
        }
    })
    .await
    .ok()
}

/// Three networks in a line, A – B – C: what A publishes reaches B unforwarded; B's verdict decides whether C
/// gets it. An accepted block reaches C; a rejected one never does (a block accepted after it does).
#[tokio::test(flavor = "multi_thread")]
async fn gossip_is_forwarded_only_after_the_engine_accepts_it() {
    init_tracing();
    let mut a = node(status(1, GENESIS, 0), vec![], vec![]).await;
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    let a_in_b = connected(&mut b, &a).await;
    connected(&mut a, &b).await;
    let mut c = node(status(1, GENESIS, 0), vec![], vec![b.handle.listen_addr()]).await;
    let b_in_c = connected(&mut c, &b).await;
    connected(&mut b, &c).await;

    // A publishes until B has heard of A's subscription (before that, nobody is on the topic: not published).
    let probe = b"probe block".to_vec();
    let deadline = Instant::now() + DEADLINE;
    let (peer, id, bytes) = loop {
        assert!(Instant::now() < deadline, "B never got A's block");
        a.handle.send(Request::PublishBlock {
            bytes: probe.clone(),
        });
        if let Some(got) = next_gossip(&mut b.events, Duration::from_millis(300)).await {
            break got;
        }
    };
    assert_eq!((peer, bytes.as_slice()), (a_in_b, probe.as_slice()));
    // Not forwarded before the verdict: C has nothing yet (B's mesh with C forms within a heartbeat or two).
    assert!(
        next_gossip(&mut c.events, Duration::from_millis(600))
            .await
            .is_none()
    );
    b.handle.send(Request::GossipVerdict {
        id,
        verdict: GossipVerdict::Accept,
    });
    let (peer, _, bytes) = next_gossip(&mut c.events, DEADLINE)
        .await
        .expect("C gets the accepted block");
    assert_eq!((peer, bytes), (b_in_c, probe));

    // A rejected block stops at B; one accepted after it reaches C, and it is the first C gets.
    let bad = b"invalid block".to_vec();
    a.handle.send(Request::PublishBlock { bytes: bad.clone() });
    let (_, id, bytes) = next_gossip(&mut b.events, DEADLINE)
        .await
        .expect("B gets it");
    assert_eq!(bytes, bad);
    b.handle.send(Request::GossipVerdict {
        id,
        verdict: GossipVerdict::Reject,
    });
    let good = b"valid block".to_vec();
    a.handle.send(Request::PublishBlock {
        bytes: good.clone(),
    });
    let (_, id, bytes) = next_gossip(&mut b.events, DEADLINE)
        .await
        .expect("B gets it");
    assert_eq!(bytes, good);
    b.handle.send(Request::GossipVerdict {
        id,
        verdict: GossipVerdict::Accept,
    });
    let (_, _, bytes) = next_gossip(&mut c.events, DEADLINE)
        .await
        .expect("C gets the accepted block");
    assert_eq!(bytes, good, "the rejected block never reaches C");
    // Nor later (gossip of message ids runs each heartbeat: a few of them pass here).
    assert!(
        next_gossip(&mut c.events, Duration::from_secs(1))
            .await
            .is_none()
    );
}

//! Two nodes talking: status, blocks_by_range and its caps, requests to unknown peers, link emulation, the key
//! file and start's errors.

use ecsync_components::{FailureReason, MAX_BLOCKS_PER_REQUEST};
use libp2p::multiaddr::Protocol;

use super::*;

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

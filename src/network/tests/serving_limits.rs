//! What serving refuses: the token bucket, answers in flight, answers beyond `max_bytes`, unchecked and denied
//! peers, the status rate.

use ecsync_components::FailureReason;
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec;

use super::*;
use crate::network::codec::{BlocksByRangeRequest, BlocksCodec};
use crate::network::testkit::RawEvent;

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
    an_honest_server_cuts_at_max_bytes().await;
    answers_of_a_server_that_ignores_max_bytes_are_refused().await;
    a_codec_reads_an_answer_up_to_its_own_requests_max_bytes().await;
}

/// An honest server cuts at the request's max_bytes (at least one block).
async fn an_honest_server_cuts_at_max_bytes() {
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
    b.handle.shutdown().await;
}

/// A server that ignores max_bytes: its answer of three 100-byte blocks to a request for at most 250 bytes is
/// refused as a protocol failure; one block over the cap is fine.
async fn answers_of_a_server_that_ignores_max_bytes_are_refused() {
    let mut config = RawPeerConfig::new(status(1, GENESIS, 10));
    config.serve = Some(fake_blocks(3, |_| 100));
    let mut raw = RawPeer::new(config).unwrap();
    let raw_addr = raw.listen().await.unwrap();
    let raw_task = tokio::spawn(raw.run());
    let mut c = node(status(1, GENESIS, 0), vec![], vec![raw_addr]).await;
    let NetEvent::PeerConnected { peer: raw_in_c, .. } =
        wait_for(&mut c.events, "PeerConnected", |e| {
            matches!(e, NetEvent::PeerConnected { .. })
        })
        .await
    else {
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
    raw_task.abort();
    c.handle.shutdown().await;
}

/// The codec on its own: the cap comes from the request written by the same codec value.
async fn a_codec_reads_an_answer_up_to_its_own_requests_max_bytes() {
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
    let failed = request_blocks(&mut raw, server)
        .await
        .expect_err("an unchecked peer was served");
    tracing::info!("unchecked request failed: {failed}");
    assert_eq!(a.handle.serve_stats().dropped(DropReason::Unchecked), 1);

    // Once its status passed the check (its own request), it is served.
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    let blocks = request_blocks(&mut raw, server).await.expect("served");
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
    assert_eq!(status_burst(&mut raw, server, 5).await, (3, 2));
    assert_eq!(a.handle.serve_stats().dropped(DropReason::StatusRate), 2);
    a.handle.shutdown().await;
}

/// Asks `server` for blocks 0..5 and drives `raw` until the answer: the blocks, or why the request failed.
async fn request_blocks(raw: &mut RawPeer, server: libp2p::PeerId) -> Result<Vec<Vec<u8>>, String> {
    let id = raw.request_blocks(server, 0, 5, u32::MAX);
    timeout(DEADLINE, async {
        loop {
            match raw.next_event().await {
                RawEvent::Blocks(r, blocks) if r == id => return Ok(blocks),
                RawEvent::BlocksFailed(r, e) if r == id => return Err(e),
                _ => {}
            }
        }
    })
    .await
    .expect("the request ends")
}

/// Sends `n` status requests to `server` at once; how many were answered and how many failed.
async fn status_burst(raw: &mut RawPeer, server: libp2p::PeerId, n: usize) -> (usize, usize) {
    for _ in 0..n {
        raw.send_status(server);
    }
    let (mut answered, mut failed) = (0, 0);
    timeout(DEADLINE, async {
        while answered + failed < n {
            match raw.next_event().await {
                RawEvent::Status(_) => answered += 1,
                RawEvent::StatusFailed(_) => failed += 1,
                _ => {}
            }
        }
    })
    .await
    .expect("every status request ends");
    (answered, failed)
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

//! What serving refuses: the token bucket, the byte budget (its books alone, without clocks), answers in flight,
//! the write deadline, answers beyond `max_bytes`, unchecked and denied peers, the status rate.

use ecsync_components::FailureReason;
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec;

use super::*;
use crate::network::budget::{Book, Budget, Shares};
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

/// Books of 100 units in all, 30 a peer, 20 only for readers; answers are `u32`s, peers `char`s.
fn book() -> Book<u32, char> {
    Book::new(Shares {
        total: 100,
        per_peer: 30,
        reserved: 20,
    })
}

/// Admits answer `key` of `peer`, asks for `units`, and returns what the books granted then.
fn ask(book: &mut Book<u32, char>, key: u32, peer: char, units: usize) -> Vec<u32> {
    book.admit(key, peer);
    assert!(book.ask(key, units));
    book.grant()
}

#[test]
fn a_peer_holds_at_most_its_share_but_its_first_reservation_always_fits() {
    let mut b = book();
    // Nothing held: a reservation above the per-peer share (the protocol's largest answer) is granted.
    assert_eq!(ask(&mut b, 1, 'a', 50), vec![1]);
    // Anything more waits for a's own answers, however much of the budget is free; b is served meanwhile.
    assert_eq!(ask(&mut b, 2, 'a', 1), Vec::<u32>::new());
    assert_eq!(ask(&mut b, 3, 'b', 10), vec![3]);
    // Read: a keeps 20 of its 50; 20 + 1 fits in its 30, and is granted at once.
    b.shrink(1, 20);
    assert_eq!(b.grant(), vec![2]);
    assert_eq!((b.held(&'a'), b.used()), (21, 31));
    // Up to the share, not beyond: 21 + 9 fits, 30 + 1 waits until a's first answer is done.
    assert_eq!(ask(&mut b, 4, 'a', 9), vec![4]);
    assert_eq!(ask(&mut b, 5, 'a', 1), Vec::<u32>::new());
    b.done(1);
    assert_eq!(b.grant(), vec![5]);
    assert_eq!((b.held(&'a'), b.used()), (11, 21));
    // Everything done: nothing is held, and nobody is remembered.
    for key in [2, 3, 4, 5] {
        b.done(key);
    }
    assert_eq!((b.held(&'a'), b.held(&'b'), b.used()), (0, 0, 0));
}

#[test]
fn the_peer_holding_least_goes_first_and_is_not_overtaken() {
    let mut b = book();
    // a holds 20, c 60 (its first reservation, above the per-peer share), b 20: the whole budget.
    assert_eq!(ask(&mut b, 1, 'a', 20), vec![1]);
    assert_eq!(ask(&mut b, 2, 'c', 60), vec![2]);
    assert_eq!(ask(&mut b, 3, 'b', 20), vec![3]);
    // a asks for 10 more (within its share), then d, holding nothing, for 10: both wait.
    assert_eq!(ask(&mut b, 4, 'a', 10), Vec::<u32>::new());
    assert_eq!(ask(&mut b, 5, 'd', 10), Vec::<u32>::new());
    // b's answer turns out to need 10 of its 20: room for one of them, and d, holding least, gets it although a
    // asked first. Then a, once b's answer is done.
    b.shrink(3, 10);
    assert_eq!(b.grant(), vec![5]);
    b.done(3);
    assert_eq!(b.grant(), vec![4]);
    // A waiter that does not fit is not overtaken: with c's 50 and d's 10 held, e (holding nothing) needs 45 of
    // the 40 free; f, asking after it for 5, waits too; once c's answer is done both go, e first.
    b.done(1);
    b.shrink(2, 50);
    b.done(4);
    assert_eq!(b.used(), 60);
    assert_eq!(ask(&mut b, 6, 'e', 45), Vec::<u32>::new());
    assert_eq!(ask(&mut b, 7, 'f', 5), Vec::<u32>::new(), "f overtook e");
    b.done(2);
    assert_eq!(b.grant(), vec![6, 7]);
    assert_eq!(b.used(), 60);
}

#[test]
fn peers_with_unwritten_answers_leave_the_readers_share() {
    // 100 in all, no per-peer limit to speak of, the last 20 only for readers.
    let mut b = Book::new(Shares {
        total: 100,
        per_peer: 100,
        reserved: 20,
    });
    // a, b and c each hand an answer of 20 to libp2p, and the writes stall: 60 held, all unwritten.
    for (key, peer) in [(1, 'a'), (2, 'b'), (3, 'c')] {
        assert_eq!(ask(&mut b, key, peer, 20), vec![key]);
        assert!(b.hand_off(key));
    }
    // a may still fill the general share (75 of its 80)...
    assert_eq!(ask(&mut b, 4, 'a', 15), vec![4]);
    // ...but b's 10 more would reach into the readers' share: it waits.
    assert_eq!(ask(&mut b, 5, 'b', 10), Vec::<u32>::new());
    // d, holding nothing and asking after b, is a reader: it takes the last 25, b's waiter notwithstanding.
    assert_eq!(ask(&mut b, 6, 'd', 25), vec![6]);
    assert_eq!(b.used(), 100);
    // c's answer is written: 80 held, and b still may not go beyond the general share; once d's is written, b
    // fits in it.
    b.done(3);
    assert_eq!(b.grant(), Vec::<u32>::new());
    b.done(6);
    assert_eq!(b.grant(), vec![5]);
    assert_eq!(b.used(), 65);
    // A peer is a reader until it hands over an answer, and again once that answer is written.
    assert_eq!(ask(&mut b, 7, 'e', 5), vec![7]);
    assert!(b.hand_off(7));
    assert_eq!(ask(&mut b, 8, 'e', 15), Vec::<u32>::new(), "70 + 15 > 80");
    b.done(7);
    assert_eq!(b.grant(), vec![8]);
    assert_eq!(b.used(), 80);
}

#[test]
fn withdrawn_and_done_entries_give_everything_back() {
    let mut b = book();
    assert_eq!(ask(&mut b, 1, 'a', 30), vec![1]);
    // Asking twice, asking for an unknown answer, or handing off one that holds nothing changes nothing.
    assert!(!b.ask(1, 5));
    assert!(!b.ask(9, 5));
    b.admit(2, 'a');
    assert!(!b.hand_off(2));
    // A waiter that withdraws is idle: it may ask again; a granted one that withdraws gives its units back.
    assert!(b.ask(2, 5));
    assert_eq!(b.grant(), Vec::<u32>::new());
    b.withdraw(2);
    b.withdraw(1);
    assert_eq!((b.used(), b.held(&'a')), (0, 0));
    assert!(b.ask(2, 5));
    assert_eq!(b.grant(), vec![2]);
    // Shrinking never grows an entry.
    b.shrink(2, 50);
    assert_eq!(b.used(), 5);
    // Done twice, or for an unknown answer: nothing more is given back.
    b.done(2);
    b.done(2);
    b.done(7);
    assert_eq!(b.used(), 0);
}

#[tokio::test]
async fn a_serving_task_waits_for_the_budget_at_most_its_wait() {
    let hour = Duration::from_secs(3600);
    let budget = Arc::new(Budget::<u32, char>::new(Shares {
        total: 10,
        per_peer: 10,
        reserved: 0,
    }));
    budget.admit(1, 'a');
    assert!(budget.acquire(1, 10, Duration::ZERO).await);
    // b waits (for up to an hour) until a's answer is done.
    budget.admit(2, 'b');
    let waiter = tokio::spawn({
        let budget = budget.clone();
        async move { budget.acquire(2, 4, hour).await }
    });
    wait_until("b waits", || budget.waiting(&2)).await;
    budget.done(1);
    assert!(timeout(DEADLINE, waiter).await.unwrap().unwrap());
    assert_eq!(budget.held(&'b'), 4);
    // c needs 7 and will not wait: refused, it withdraws (nothing held, no longer waiting).
    budget.admit(3, 'c');
    assert!(!budget.acquire(3, 7, Duration::ZERO).await);
    assert_eq!(budget.held(&'c'), 0);
    assert!(!budget.waiting(&3));
    budget.done(2);
    assert_eq!(budget.used(), 0);
    // A request that fails while its task waits: the task is told no at once, not after its hour.
    budget.admit(4, 'd');
    budget.admit(5, 'e');
    assert!(budget.acquire(4, 10, Duration::ZERO).await);
    let waiter = tokio::spawn({
        let budget = budget.clone();
        async move { budget.acquire(5, 1, hour).await }
    });
    wait_until("e waits", || budget.waiting(&5)).await;
    budget.done(5);
    assert!(!timeout(DEADLINE, waiter).await.unwrap().unwrap());
    assert_eq!(budget.used(), 10);
    // A task whose request failed before it asked is refused at once.
    assert!(!budget.acquire(5, 1, hour).await);
}

/// Limits that let one peer hold all its answers (a 64 MiB share) and never cut a stalled reader (an hour).
fn patient_limits() -> ServeLimits {
    ServeLimits {
        max_bytes_per_peer: 64 << 20,
        write_timeout_ms: 3_600_000,
        ..ServeLimits::default()
    }
}

/// A node serving `blocks` with `limits`.
async fn serving_node(blocks: Vec<Vec<u8>>, limits: ServeLimits) -> Node {
    let s = status(1, GENESIS, blocks.len() as u64 - 1);
    let mut config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    config.limits = limits;
    start(config, s, blocks).await
}

/// Drives `raw` (which reads no answer) until `cond` holds on `node`'s serving stats.
async fn drive_until(
    raw: &mut RawPeer,
    node: &Node,
    what: &str,
    cond: impl Fn(&ServeStats) -> bool,
) {
    timeout(DEADLINE, async {
        while !cond(&node.handle.serve_stats()) {
            tokio::select! {
                _ = raw.next_event() => {}
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out driving until {what}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_hold_their_slot_until_written() {
    init_tracing();
    const MIB: usize = 1 << 20;
    // 1 MiB blocks: an answer of 8 MiB cannot fit in the stream's window and the socket buffers.
    let s = status(1, GENESIS, 39);
    let a = serving_node(fake_blocks(40, |_| MIB), patient_limits()).await;
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
async fn a_reader_is_served_first_while_a_stalled_peer_waits_for_the_budget() {
    init_tracing();
    const MIB: usize = 1 << 20;
    // 24 MiB in all: a peer that never reads holds one or two answers of 8 MiB, and its other requests wait.
    let limits = ServeLimits {
        max_bytes_in_flight: 24 * MIB,
        ..patient_limits()
    };
    let a = serving_node(fake_blocks(40, |_| MIB), limits).await;
    let mut config = RawPeerConfig::new(a.status.clone());
    config.read_answers = false;
    let (mut raw, server) = raw_peer(config, &a).await;
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    for i in 0..4 {
        raw.request_blocks(server, i * 8, 8, u32::MAX);
    }
    drive_until(&mut raw, &a, "an answer held and four admitted", |s| {
        s.answers_in_flight == 4 && s.bytes_in_flight >= 8 * MIB
    })
    .await;
    // Keep the stalled peer connected (its pings answered) while another peer asks.
    let raw_task = tokio::spawn(raw.run());
    // An honest peer asks for 2 MiB: it holds nothing, so it goes before the stalled peer's waiting requests,
    // which arrived first (a first-come-first-served budget would make it wait behind them, then drop it).
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    let a_in_b = connected(&mut b, &a).await;
    b.handle.send(Request::BlocksByRange {
        peer: a_in_b,
        request: RequestId(1),
        start: 0,
        count: 2,
        max_bytes: 2 * MIB as u32,
    });
    let answer = wait_for(&mut b.events, "the answer", |e| {
        matches!(e, NetEvent::Blocks { .. } | NetEvent::RequestFailed { .. })
    })
    .await;
    assert!(
        matches!(&answer, NetEvent::Blocks { blocks, .. } if blocks.len() == 2),
        "{answer:?}"
    );
    // The stalled peer still holds its answers: nothing it held was taken away for the reader (whose answer is
    // released once libp2p reports it written).
    wait_until("the reader's answer is released", || {
        a.handle.serve_stats().answers_in_flight == 4
    })
    .await;
    let stats = a.handle.serve_stats();
    assert!(stats.bytes_in_flight >= 8 * MIB, "{stats:?}");
    assert_eq!(stats.dropped_total(), 0);
    raw_task.abort();
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_peer_that_stops_reading_is_disconnected_at_the_write_deadline() {
    init_tracing();
    const MIB: usize = 1 << 20;
    // The default per-peer share (4 MiB): the peer's first answer (8 MiB) is handed to libp2p, its next three
    // wait for it to be written, which never happens (the peer reads nothing). The deadline is short so that the
    // test ends soon; nothing here depends on how soon.
    let limits = ServeLimits {
        write_timeout_ms: 200,
        ..ServeLimits::default()
    };
    assert!(limits.max_bytes_per_peer < 8 * MIB);
    let a = serving_node(fake_blocks(40, |_| MIB), limits).await;
    let mut config = RawPeerConfig::new(a.status.clone());
    config.read_answers = false;
    let (mut raw, server) = raw_peer(config, &a).await;
    timeout(DEADLINE, raw.status_check(server))
        .await
        .unwrap()
        .unwrap();
    let mut open: Vec<_> = (0..4)
        .map(|i| raw.request_blocks(server, i * 8, 8, u32::MAX))
        .collect();
    // The server cuts the peer: every request fails at the peer (its connection closed), none is answered.
    timeout(DEADLINE, async {
        while !open.is_empty() {
            match raw.next_event().await {
                RawEvent::BlocksFailed(id, _) => open.retain(|r| *r != id),
                RawEvent::Blocks(id, _) => panic!("request {id} answered"),
                _ => {}
            }
        }
    })
    .await
    .expect("the stalled peer's requests fail");
    // One answer was handed over and missed its deadline; everything it and the waiting three held is back.
    wait_until("the stalled answers are released", || {
        let s = a.handle.serve_stats();
        s.answers_in_flight == 0 && s.bytes_in_flight == 0
    })
    .await;
    let stats = a.handle.serve_stats();
    assert_eq!(stats.dropped(DropReason::WriteTimeout), 1, "{stats:?}");
    assert_eq!(stats.dropped_total(), 1, "{stats:?}");
    assert_eq!(a.handle.connected_peers(), 0);
    a.handle.shutdown().await;
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
        .write_response(
            &protocol,
            &mut answer,
            fake_blocks(3, |_| 100)
                .into_iter()
                .map(Into::into)
                .collect(),
        )
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

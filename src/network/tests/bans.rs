//! The operator's bans (`bans.rs`): a banned peer is disconnected, its connections are refused (inbound: its
//! redials; outbound: we do not dial it, a configured peer included), and it comes back when the ban ends or is
//! lifted; the list is bounded and a ban's bounds are checked. "Refused" is read off the dialer's log (a
//! connection closed at once because its peer is banned), never inferred from time passing.

use super::super::bans::BanOutcome;
use super::super::deny::Bans;
use super::*;

/// `node`'s events so far, without waiting.
fn drain(node: &mut Node) -> Vec<NetEvent> {
    let mut events = Vec::new();
    while let Ok(event) = node.events.try_recv() {
        events.push(event);
    }
    events
}

/// Waits for `node`'s engine to hear that `peer` left.
async fn gone(node: &mut Node, peer: PeerId) {
    let event = wait_for(&mut node.events, "PeerGone", |e| {
        matches!(e, NetEvent::PeerGone { .. })
    })
    .await;
    assert_eq!(event, NetEvent::PeerGone { peer });
}

/// Waits until `node`'s dialer has refused a connection of `peer` since `from` (an index in its log), and
/// returns the log since `from`.
async fn refused_since(node: &Node, peer: libp2p::PeerId, from: usize) -> Vec<DialRecord> {
    wait_until("a connection of the banned peer refused", || {
        dial_log(node, peer)[from..].contains(&DialRecord::Refused(peer))
    })
    .await;
    dial_log(node, peer)[from..].to_vec()
}

/// `a` bans `b` (which dialed it: `a` is b's configured peer): b is disconnected, b's redials are refused, `a`
/// does not dial b (it knows b's listen address), nothing reaches a's engine; the ban is then shortened to 1 s,
/// ends on a's clock, and b is back.
#[tokio::test(flavor = "multi_thread")]
async fn a_banned_peer_is_disconnected_refused_and_back_when_the_ban_ends() {
    init_tracing();
    let (mut a, b, _, b_in_a) = pair(vec![]).await;
    let b_id = b.handle.local_peer_id();
    wait_until("a learned b's address from identify", || {
        a.handle.known_peers() == 1
    })
    .await;
    let from = dial_log(&a, b_id).len();
    let outcome = a.handle.ban(b_id, Duration::from_secs(3600)).await;
    assert_eq!(
        outcome,
        Ok(BanOutcome {
            disconnected: true,
            renewed: false,
            lifted: None
        })
    );
    gone(&mut a, b_in_a).await;
    let log = refused_since(&a, b_id, from).await;
    assert!(log.contains(&DialRecord::NotRedialed(b_id)), "{log:?}");
    assert!(!log.contains(&DialRecord::Dialed(b_id)), "{log:?}");
    assert!(
        !drain(&mut a)
            .iter()
            .any(|e| matches!(e, NetEvent::PeerConnected { .. })),
        "a banned peer reached the engine"
    );
    assert_eq!(a.handle.connected_peers(), 0);
    let banned = a.handle.banned_peers();
    assert_eq!(banned.len(), 1, "{banned:?}");
    assert_eq!(banned[0].peer, b_id);
    assert!(banned[0].refused >= 1, "{banned:?}");
    assert!(banned[0].left > Duration::from_secs(3000), "{banned:?}");
    assert_eq!(a.handle.banned_count(), 1);

    // A new ban replaces the old one: 1 s from now. (b may be mid-redial then, its connection refused only after
    // the handshake: the renewal may cut that one, so `disconnected` is either.)
    let outcome = a.handle.ban(b_id, Duration::from_secs(1)).await.unwrap();
    assert!(outcome.renewed && outcome.lifted.is_none(), "{outcome:?}");
    let back = wait_for(&mut a.events, "b back", |e| {
        matches!(e, NetEvent::PeerConnected { .. })
    })
    .await;
    assert!(
        matches!(back, NetEvent::PeerConnected { peer, .. } if peer == b_in_a),
        "{back:?}"
    );
    assert!(a.handle.banned_peers().is_empty());
    assert_eq!(a.handle.banned_count(), 0);
    a.handle.shutdown().await;
    b.handle.shutdown().await;
}

/// `b` bans its configured peer `a` for the longest time and does not redial it; unbanning lifts the ban at once:
/// `b` dials `a` again, and they reconnect. `a` is a raw peer (it listens and answers status requests, never
/// dials), so only b's dial can bring them together.
#[tokio::test(flavor = "multi_thread")]
async fn unbanning_a_configured_peer_lifts_the_ban_at_once() {
    init_tracing();
    let s = status(1, GENESIS, 0);
    let mut a = RawPeer::new(RawPeerConfig::new(s.clone())).expect("raw peer");
    let a_addr = a.listen().await.expect("listens");
    let a_id = a.peer_id();
    let a_task = tokio::spawn(a.run());
    let mut b = node(s, vec![], vec![a_addr]).await;
    let a_in_b = match wait_for(&mut b.events, "PeerConnected", |e| {
        matches!(e, NetEvent::PeerConnected { .. })
    })
    .await
    {
        NetEvent::PeerConnected { peer, .. } => peer,
        _ => unreachable!(),
    };
    let from = dial_log(&b, a_id).len();
    let outcome = b.handle.ban(a_id, MAX_BAN).await.expect("banned");
    assert!(outcome.disconnected);
    gone(&mut b, a_in_b).await;
    wait_until("b's dialer decided about its banned peer", || {
        dial_log(&b, a_id).len() > from
    })
    .await;
    assert_eq!(dial_log(&b, a_id)[from..], [DialRecord::NotRedialed(a_id)]);

    let from = dial_log(&b, a_id).len();
    assert_eq!(b.handle.unban(a_id).await, Ok(true));
    let back = wait_for(&mut b.events, "a back", |e| {
        matches!(e, NetEvent::PeerConnected { .. })
    })
    .await;
    assert!(
        matches!(back, NetEvent::PeerConnected { peer, .. } if peer == a_in_b),
        "{back:?}"
    );
    assert_eq!(dial_log(&b, a_id)[from..], [DialRecord::Dialed(a_id)]);
    assert!(b.handle.banned_peers().is_empty());
    assert_eq!(b.handle.unban(a_id).await, Ok(false), "no ban left to lift");
    a_task.abort();
    b.handle.shutdown().await;
}

/// A ban's length and target are checked; at most `MAX_BANS` bans, a new one beyond lifting the one that ends
/// first; a stopped network says so.
#[tokio::test(flavor = "multi_thread")]
async fn bans_are_checked_and_bounded() {
    init_tracing();
    let a = node(status(1, GENESIS, 0), vec![], vec![]).await;
    let h = a.handle.clone();
    let someone = libp2p::PeerId::random();
    assert_eq!(
        h.ban(someone, Duration::ZERO).await,
        Err(BanError::Duration)
    );
    assert_eq!(
        h.ban(someone, MIN_BAN - Duration::from_millis(1)).await,
        Err(BanError::Duration)
    );
    assert_eq!(
        h.ban(someone, MAX_BAN + Duration::from_secs(1)).await,
        Err(BanError::Duration)
    );
    assert_eq!(
        h.ban(h.local_peer_id(), MIN_BAN).await,
        Err(BanError::Itself)
    );
    assert_eq!(h.banned_count(), 0);

    // The first banned ends first.
    let peers: Vec<libp2p::PeerId> = (0..MAX_BANS).map(|_| libp2p::PeerId::random()).collect();
    for (i, peer) in peers.iter().enumerate() {
        let outcome = h
            .ban(*peer, Duration::from_secs(1000 + i as u64))
            .await
            .expect("banned");
        assert_eq!(outcome.lifted, None);
        assert!(!outcome.disconnected);
    }
    assert_eq!(h.banned_count(), MAX_BANS);
    let outcome = h.ban(someone, MAX_BAN).await.expect("banned");
    assert_eq!(outcome.lifted, Some(peers[0]));
    let banned = h.banned_peers();
    assert_eq!(banned.len(), MAX_BANS);
    assert_eq!(banned[0].peer, peers[1], "ending first, first");
    assert_eq!(banned[MAX_BANS - 1].peer, someone);
    assert!(!banned.iter().any(|b| b.peer == peers[0]));

    a.handle.shutdown().await;
    assert_eq!(h.ban(someone, MIN_BAN).await, Err(BanError::Stopped));
    assert_eq!(h.unban(someone).await, Err(BanError::Stopped));
}

/// The list on its own: renewing moves a ban's end, the list is bounded, bans end in order.
#[test]
fn the_ban_list_renews_bounds_and_ends_in_order() {
    let now = Instant::now();
    let mut bans = Bans::default();
    let (p, q) = (libp2p::PeerId::random(), libp2p::PeerId::random());
    assert_eq!(bans.insert(p, now + Duration::from_secs(10)), (false, None));
    assert_eq!(bans.insert(q, now + Duration::from_secs(5)), (false, None));
    assert_eq!(bans.next_end(), Some(now + Duration::from_secs(5)));
    // Renewing p to end first.
    assert_eq!(bans.insert(p, now + Duration::from_secs(1)), (true, None));
    assert_eq!(bans.next_end(), Some(now + Duration::from_secs(1)));
    assert_eq!(bans.snapshot().len(), 2);
    assert_eq!(bans.expire(now), Vec::<libp2p::PeerId>::new());
    assert_eq!(bans.expire(now + Duration::from_secs(5)), vec![p, q]);
    assert!(!bans.contains(&p) && !bans.contains(&q));
    assert_eq!(bans.next_end(), None);

    let many: Vec<libp2p::PeerId> = (0..MAX_BANS).map(|_| libp2p::PeerId::random()).collect();
    for (i, peer) in many.iter().enumerate() {
        let end = now + Duration::from_secs(2000 - i as u64);
        assert_eq!(bans.insert(*peer, end).1, None);
    }
    // Full: the ban ending first (the last inserted) makes room.
    let (_, lifted) = bans.insert(p, now + Duration::from_secs(500));
    assert_eq!(lifted, Some(many[MAX_BANS - 1]));
    let lifted = many[MAX_BANS - 1];
    assert!(!bans.contains(&lifted));
    assert!(bans.contains(&p));
    assert_eq!(bans.snapshot().len(), MAX_BANS);
    assert!(bans.remove(&p));
    assert!(!bans.remove(&p));
    assert_eq!(bans.snapshot().len(), MAX_BANS - 1);
}

//! libp2p's connection limits ([`ServeLimits`]' `max_connections`, `max_connections_per_peer`,
//! `max_pending_incoming`, `max_pending_outgoing`): each admits connections up to it and refuses the one beyond.
//! Admitted and refused are both events: a raw peer's connection is admitted when the node answers identify over
//! it, refused when it closes (or the dial fails) first; a refused outgoing dial is in the node's dial log, an
//! admitted one reaches its listener.

use libp2p::multiaddr::Protocol;
use tokio::net::TcpListener;

use super::*;
use crate::network::testkit::Admission;

/// A node on our chain whose limits `set` adjusts, dialing `bootnodes`.
async fn limited(set: impl FnOnce(&mut ServeLimits), bootnodes: Vec<Multiaddr>) -> Node {
    let s = status(1, GENESIS, 0);
    let mut config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    set(&mut config.limits);
    config.bootnodes = bootnodes;
    start(config, s, vec![]).await
}

/// A raw peer on our chain (not connected yet).
fn raw() -> RawPeer {
    RawPeer::new(RawPeerConfig::new(status(1, GENESIS, 0))).expect("raw peer")
}

/// `raw` opens a new connection to `node`: whether `node` admitted it.
async fn open(raw: &mut RawPeer, node: &Node) -> Admission {
    let addr = node.handle.listen_addr();
    timeout(
        DEADLINE,
        raw.open_connection(node.handle.local_peer_id(), addr),
    )
    .await
    .expect("admitted or refused in time")
    .expect("the dial starts")
}

/// `raw` opens connections to `node` until one is admitted (a slot freed by a closed connection is free once
/// `node` has seen it close, which nothing here tells); panics after [`DEADLINE`].
async fn open_until_admitted(raw: &mut RawPeer, node: &Node) {
    let deadline = Instant::now() + DEADLINE;
    while let Admission::Refused(why) = open(raw, node).await {
        assert!(Instant::now() < deadline, "still refused: {why}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// At `max_connections` a newcomer gets in and the youngest unprotected peer goes (`eviction.rs`; on loopback
/// all peers share one netgroup, whose longest-connected peer is protected); with nobody to evict, the newcomer is
/// closed instead.
#[tokio::test(flavor = "multi_thread")]
async fn at_the_connection_limit_a_newcomer_evicts_the_youngest_unprotected_peer() {
    init_tracing();
    let a = limited(|l| l.max_connections = 2, vec![]).await;
    let (mut first, mut second, mut third) = (raw(), raw(), raw());
    assert_eq!(open(&mut first, &a).await, Admission::Admitted);
    assert_eq!(open(&mut second, &a).await, Admission::Admitted);
    wait_until("a counts both", || a.handle.connected_peers() == 2).await;
    assert_eq!(a.handle.serve_stats().evicted, 0);
    assert_eq!(open(&mut third, &a).await, Admission::Admitted);
    let node = a.handle.local_peer_id();
    timeout(DEADLINE, second.disconnected(node))
        .await
        .expect("the youngest is evicted");
    wait_until("a is back at its limit", || a.handle.connected_peers() == 2).await;
    assert_eq!(a.handle.serve_stats().evicted, 1);
    // The first (protected by its netgroup) and the third stay; a fourth finds only the protected one to evict
    // but the third, which is now the youngest: it goes.
    let mut fourth = raw();
    assert_eq!(open(&mut fourth, &a).await, Admission::Admitted);
    timeout(DEADLINE, third.disconnected(node))
        .await
        .expect("the youngest is evicted again");
    assert_eq!(a.handle.serve_stats().evicted, 2);
    a.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_per_peer_connection_limit_admits_up_to_it_and_refuses_beyond() {
    init_tracing();
    // The default, small enough to reach.
    assert_eq!(ServeLimits::default().max_connections_per_peer, 2);
    let a = limited(|_| {}, vec![]).await;
    let mut peer = raw();
    assert_eq!(open(&mut peer, &a).await, Admission::Admitted);
    assert_eq!(open(&mut peer, &a).await, Admission::Admitted);
    let refused = open(&mut peer, &a).await;
    assert!(matches!(refused, Admission::Refused(_)), "{refused:?}");
    // The limit is per peer: another is admitted.
    assert_eq!(open(&mut raw(), &a).await, Admission::Admitted);
    a.handle.shutdown().await;
}

/// A TCP connection to `node`'s listen address that never says anything: `node` holds it as pending (setting
/// up) until its connection timeout. Non-blocking.
async fn stalled(node: &Node) -> std::net::TcpStream {
    let mut ip = None;
    let mut port = None;
    for protocol in node.handle.listen_addr().iter() {
        match protocol {
            Protocol::Ip4(a) => ip = Some(a),
            Protocol::Tcp(p) => port = Some(p),
            _ => {}
        }
    }
    tokio::net::TcpStream::connect((ip.expect("an IPv4 address"), port.expect("a port")))
        .await
        .expect("connects")
        .into_std()
        .expect("a std stream")
}

/// Whether the other side of `stream` (non-blocking) still holds it: it has sent nothing and not closed it.
fn still_held(mut stream: &std::net::TcpStream) -> bool {
    use std::io::Read;
    matches!(stream.read(&mut [0; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// Pending incoming connections are counted from the moment the node accepts the socket. The node accepts in
/// the order the connections arrived, so a stalled connection made before a raw peer's is pending when the
/// raw peer's arrives.
#[tokio::test(flavor = "multi_thread")]
async fn the_pending_incoming_limit_admits_up_to_it_and_refuses_beyond() {
    init_tracing();
    let a = limited(|l| l.max_pending_incoming = 2, vec![]).await;
    let first_stalled = stalled(&a).await;
    let mut first = raw();
    assert_eq!(open(&mut first, &a).await, Admission::Admitted);
    let second_stalled = stalled(&a).await;
    let mut second = raw();
    let refused = open(&mut second, &a).await;
    assert!(matches!(refused, Admission::Refused(_)), "{refused:?}");
    // Both stalled connections are still pending (a node that gave up on one would have closed it): the limit
    // was full, not freed by a timeout.
    assert!(still_held(&first_stalled) && still_held(&second_stalled));
    // One goes: there is room for the second raw peer.
    drop(first_stalled);
    open_until_admitted(&mut second, &a).await;
    a.handle.shutdown().await;
}

/// A listener on 127.0.0.1 standing for a bootnode that never finishes a handshake, with its address under a
/// made-up peer id.
async fn stalling_bootnode() -> (TcpListener, Multiaddr, libp2p::PeerId) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let peer = libp2p::PeerId::random();
    let addr = format!(
        "/ip4/127.0.0.1/tcp/{}",
        listener.local_addr().unwrap().port()
    )
    .parse::<Multiaddr>()
    .unwrap()
    .with(Protocol::P2p(peer));
    (listener, addr, peer)
}

/// The next connection to `listener`; panics after [`DEADLINE`].
async fn accept(listener: &TcpListener, what: &str) -> tokio::net::TcpStream {
    let accepted = timeout(DEADLINE, listener.accept()).await;
    accepted
        .unwrap_or_else(|_| panic!("{what}: none in time"))
        .expect("accepts")
        .0
}

/// The node dials its bootnodes at start, in order: the first two dials stall in their handshake (pending until
/// the connection timeout), and the third is refused before any connection (the first thing the dialer's log
/// has about it is the refusal).
#[tokio::test(flavor = "multi_thread")]
async fn the_pending_outgoing_limit_admits_up_to_it_and_refuses_beyond() {
    init_tracing();
    let (l0, addr0, _) = stalling_bootnode().await;
    let (l1, addr1, _) = stalling_bootnode().await;
    let (_l2, addr2, p2) = stalling_bootnode().await;
    let a = limited(|l| l.max_pending_outgoing = 2, vec![addr0, addr1, addr2]).await;
    let _held0 = accept(&l0, "the first dial").await;
    let _held1 = accept(&l1, "the second dial").await;
    wait_until("the dialer tried the third", || {
        !dial_log(&a, p2).is_empty()
    })
    .await;
    let first = dial_log(&a, p2).remove(0);
    assert!(
        matches!(&first, DialRecord::Failed(_, e) if e.contains("at most 2 pending outgoing connections")),
        "{first:?}"
    );
    a.handle.shutdown().await;
}

//! Federation members (`members.rs`): a member proves itself once per session and the engine hears of it; a
//! false proof gets its peer disconnected and denied; a member node proves itself to another node. (Proposals and
//! votes from peers that proved nothing are refused on the swarm task: `consensus.rs`.)

use ecsync_components::ChainSpec;
use ecsync_systems::consensus::{Federation, MemberKeys};

use super::*;
use crate::network::testkit::RawMember;

/// Authorities of the test federation.
const N: usize = 4;

/// The spec of a federation of [`N`] authorities (seed 11) on chain 1, genesis [`GENESIS`].
fn federation() -> (Federation, ChainSpec) {
    let federation = Federation::from_seed(11, N);
    let spec = ChainSpec {
        version: ecsync_components::SPEC_VERSION,
        chain_id: 1,
        genesis_hash: GENESIS,
        genesis_time_ms: 0,
        slot_duration_ms: 1000,
        authorities: federation.public_keys(),
        max_block_bytes: 1 << 20,
    };
    (federation, spec)
}

/// The keys of authority `index`.
fn keys(federation: &Federation, spec: &ChainSpec, index: usize) -> Arc<MemberKeys> {
    let secret = federation.secret_key_bytes(index);
    Arc::new(MemberKeys::new(spec, &[(index, secret)]).expect("the spec's key"))
}

/// A node of the federation's chain (a member holding `member`'s keys, if any).
async fn fed_node(spec: &ChainSpec, member: Option<Arc<MemberKeys>>, boot: Vec<Multiaddr>) -> Node {
    let s = status(1, GENESIS, 0);
    let mut config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    config.authorities = spec.authorities.clone();
    config.member_keys = member;
    config.bootnodes = boot;
    start(config, s, vec![]).await
}

/// A raw peer that passed `node`'s status check, answering challenges as `member` says.
async fn checked_raw(node: &Node, member: Option<RawMember>) -> (RawPeer, libp2p::PeerId) {
    let mut config = RawPeerConfig::new(status(1, GENESIS, 0));
    config.member = member;
    let (mut raw, server) = raw_peer(config, node).await;
    timeout(DEADLINE, raw.status_check(server))
        .await
        .expect("status in time")
        .expect("status check passes");
    (raw, server)
}

/// Drives `raw` until `cond` holds; panics after [`DEADLINE`].
async fn drive_until(raw: &mut RawPeer, what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        let _ = timeout(Duration::from_millis(20), raw.next_event()).await;
    }
}

fn raw_member(federation: &Federation, spec: &ChainSpec, index: usize, forge: bool) -> RawMember {
    RawMember {
        keys: keys(federation, spec, index),
        chain_id: 1,
        genesis: GENESIS,
        forge,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_proves_itself_once_and_the_engine_hears_it() {
    init_tracing();
    let (fed, spec) = federation();
    let mut a = fed_node(&spec, None, vec![]).await;
    let (mut raw, _) = checked_raw(&a, Some(raw_member(&fed, &spec, 2, false))).await;
    let handle = a.handle.clone();
    drive_until(&mut raw, "a counts a member", || {
        handle.serve_stats().federation_peers == 1
    })
    .await;
    let event = wait_for(&mut a.events, "PeerAuthenticated", |e| {
        matches!(e, NetEvent::PeerAuthenticated { .. })
    })
    .await;
    let NetEvent::PeerAuthenticated { authorities, .. } = event else {
        unreachable!()
    };
    assert_eq!(authorities, 1 << 2);
    assert_eq!(a.handle.serve_stats().false_members, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_false_proof_gets_its_peer_disconnected_and_denied() {
    init_tracing();
    let (fed, spec) = federation();
    let a = fed_node(&spec, None, vec![]).await;
    // No status check first: the node may judge the false proof and drop the liar before its status answer
    // arrives (the race this test once lost under load).
    let mut config = RawPeerConfig::new(status(1, GENESIS, 0));
    config.member = Some(raw_member(&fed, &spec, 1, true));
    let (mut raw, _) = raw_peer(config, &a).await;
    let liar = raw.peer_id();
    let handle = a.handle.clone();
    drive_until(&mut raw, "a denies the liar", || {
        handle.denied_peers().iter().any(|(p, _)| *p == liar)
    })
    .await;
    let stats = a.handle.serve_stats();
    assert_eq!((stats.false_members, stats.federation_peers), (1, 0));
    wait_until("a drops the liar", || a.handle.connected_peers() == 0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_node_proves_itself_to_a_follower() {
    init_tracing();
    let (fed, spec) = federation();
    let member = fed_node(&spec, Some(keys(&fed, &spec, 1)), vec![]).await;
    let mut follower = fed_node(&spec, None, vec![member.handle.listen_addr()]).await;
    let event = wait_for(&mut follower.events, "PeerAuthenticated", |e| {
        matches!(e, NetEvent::PeerAuthenticated { .. })
    })
    .await;
    let NetEvent::PeerAuthenticated { peer, authorities } = event else {
        unreachable!()
    };
    assert_eq!(authorities, 1 << 1);
    assert_eq!(
        follower.handle.libp2p_peer_of(peer),
        Some(member.handle.local_peer_id())
    );
    assert_eq!(member.handle.serve_stats().federation_peers, 0);
}

//! Whom a node talks to: peers of another chain refused, peers the engine bans not redialed, lost peers
//! redialed (bootnodes, and peers that dialed us, at the address they listen on).

use ecsync_components::FailureReason;

use super::*;

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

/// The engine drops b's bootnode `a` with a ban: it goes on the deny list and is not redialed. `a` is a raw peer
/// (it listens and answers status requests, and never dials), so only b could bring them together again. "Not
/// redialed" is read off b's dial log once it shows b's decision about the lost connection: a redial scheduled
/// then would be there.
#[tokio::test(flavor = "multi_thread")]
async fn engine_disconnects_are_denied_and_not_redialed() {
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
    b.handle.send(Request::Disconnect {
        peer: a_in_b,
        reason: "sent an invalid block".into(),
        ban: true,
    });
    let gone = wait_for(&mut b.events, "PeerGone", |e| {
        matches!(e, NetEvent::PeerGone { .. })
    })
    .await;
    assert_eq!(gone, NetEvent::PeerGone { peer: a_in_b });
    assert_eq!(
        b.handle.denied_peers(),
        vec![(a_id, "sent an invalid block".to_string())]
    );
    // A request to the dropped peer fails at once.
    match fetch(&mut b, a_in_b, 1, 0, 1).await {
        NetEvent::RequestFailed { reason, .. } => {
            assert_eq!(reason, FailureReason::Disconnected)
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    wait_until("b's dialer decided about the lost bootnode", || {
        dial_log(&b, a_id).len() >= 2
    })
    .await;
    assert_eq!(
        dial_log(&b, a_id),
        vec![DialRecord::Dialed(a_id), DialRecord::NotRedialed(a_id)]
    );
    assert_eq!(b.handle.connected_peers(), 0);
    a_task.abort();
    b.handle.shutdown().await;
}

/// A bootnode that goes away is redialed with a growing backoff, for as long as it takes: it comes back only
/// after two of b's redials have failed, and b reconnects.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_bootnode_is_redialed() {
    init_tracing();
    let key = Keypair::generate_ed25519();
    let a_id = key.public().to_peer_id();
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
    let gone = wait_for(&mut b.events, "PeerGone", |e| {
        matches!(e, NetEvent::PeerGone { .. })
    })
    .await;
    assert_eq!(gone, NetEvent::PeerGone { peer: a_in_b });
    let failed = |log: &[DialRecord]| {
        log.iter()
            .filter(|r| matches!(r, DialRecord::Failed(..)))
            .count()
    };
    wait_until("two of b's redials failed", || {
        failed(&dial_log(&b, a_id)) >= 2
    })
    .await;
    let delays: Vec<Duration> = dial_log(&b, a_id)
        .into_iter()
        .filter_map(|r| match r {
            DialRecord::RedialScheduled(_, delay) => Some(delay),
            _ => None,
        })
        .collect();
    assert_eq!(delays[..2], [REDIAL_INITIAL, REDIAL_INITIAL * 2]);

    // The same identity comes back on the same address.
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

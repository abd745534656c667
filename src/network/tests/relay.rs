//! Block gossip: nothing is forwarded before the engine's verdict, and only an accepted block is.
//!
//! How absence is shown without waiting a while: on the line A – B – C, everything B sends C goes through one
//! ordered queue and stream (gossipsub forwards and publishes on the same per-peer queue, and B and C share one
//! connection). So when C's next block is one B forwarded after it got X, B did not forward X before that block
//! (C would have got X first).

use ecsync_components::GossipVerdict;

use super::*;

/// Three networks in a line, A – B – C: what A publishes reaches B unforwarded; B's verdict decides whether C
/// gets it. A held block is not forwarded before its verdict, an accepted one is, a rejected one is not, and one
/// left without a verdict is not forwarded when it expires either.
#[tokio::test(flavor = "multi_thread")]
async fn gossip_is_forwarded_only_after_the_engine_accepts_it() {
    init_tracing();
    let (a, mut b, mut c, b_in_c) = line().await;
    // A held block and a rejected one, then one B accepts: it is the first C gets.
    let held = heard_from_a(&a, &mut b, b"held block").await;
    let bad = heard_from_a(&a, &mut b, b"invalid block").await;
    verdict(&b, bad, GossipVerdict::Reject);
    let marker = heard_from_a(&a, &mut b, b"marker block").await;
    verdict(&b, marker, GossipVerdict::Accept);
    assert_eq!(
        next_gossip(&mut c).await,
        (b_in_c, b"marker block".to_vec()),
        "nothing before its verdict, nothing rejected"
    );
    // The held block is forwarded once accepted, and it is the next C gets.
    verdict(&b, held, GossipVerdict::Accept);
    assert_eq!(next_gossip(&mut c).await, (b_in_c, b"held block".to_vec()));
    an_expired_block_is_not_forwarded(&a, &mut b, &mut c, b_in_c).await;
    for node in [a, b, c] {
        node.handle.shutdown().await;
    }
}

/// A block left without a verdict expires at B with the first gossip B gets after [`VALIDATION_TTL`] (before
/// that one is admitted); a block B accepts then is the next C gets, so the expiry forwarded nothing. That
/// proves something only while the expired block is still in B's message cache (a forward would find it
/// there), so a round that took too long for that is done again.
async fn an_expired_block_is_not_forwarded(a: &Node, b: &mut Node, c: &mut Node, b_in_c: PeerId) {
    use crate::network::gossip::{HEARTBEAT, HISTORY_LENGTH};
    // The cache drops a block between HISTORY_LENGTH - 1 and HISTORY_LENGTH heartbeats after it arrived.
    let cached_for = HEARTBEAT * (HISTORY_LENGTH as u32 - 1);
    for round in 0..3 {
        let published = Instant::now();
        heard_from_a(a, b, format!("unjudged block {round}").as_bytes()).await;
        // B admitted it before we saw it: by now its TTL is over.
        tokio::time::sleep_until(Instant::now() + VALIDATION_TTL).await;
        let late = format!("late block {round}").into_bytes();
        let id = heard_from_a(a, b, &late).await;
        let in_cache = published.elapsed() < cached_for;
        verdict(b, id, GossipVerdict::Accept);
        assert_eq!(next_gossip(c).await, (b_in_c, late));
        if in_cache {
            return;
        }
        tracing::warn!("round {round} took too long to prove anything; again");
    }
    panic!("B never got a block while an expired one was still in its message cache");
}

/// The line A – B – C (B dials A, C dials B), each announced to the other, with gossip flowing: B has seen a
/// block from each of A and C (so it knows both are on the topic, and has put both in its mesh, which holds
/// up to `mesh_n_low` = 2 peers at once on subscription), and C got a block B forwarded. Returns B's id in C.
async fn line() -> (Node, Node, Node, PeerId) {
    let mut a = node(status(1, GENESIS, 0), vec![], vec![]).await;
    let mut b = node(status(1, GENESIS, 0), vec![], vec![a.handle.listen_addr()]).await;
    connected(&mut b, &a).await;
    connected(&mut a, &b).await;
    let mut c = node(status(1, GENESIS, 0), vec![], vec![b.handle.listen_addr()]).await;
    let b_in_c = connected(&mut c, &b).await;
    connected(&mut b, &c).await;
    let hello = publish_until_heard(&c, &mut b, b"hello from c").await;
    verdict(&b, hello, GossipVerdict::Ignore);
    let probe = publish_until_heard(&a, &mut b, b"probe block").await;
    verdict(&b, probe, GossipVerdict::Accept);
    assert_eq!(next_gossip(&mut c).await, (b_in_c, b"probe block".to_vec()));
    (a, b, c, b_in_c)
}

/// `from` publishes `bytes` until `to` gets it (before `from` has heard that `to` is on the topic, a publish
/// goes nowhere; the same bytes are one message, so `to` gets it once). Its gossip id at `to`.
async fn publish_until_heard(from: &Node, to: &mut Node, bytes: &[u8]) -> u64 {
    let deadline = Instant::now() + DEADLINE;
    loop {
        assert!(Instant::now() < deadline, "{bytes:?} never arrived");
        from.handle.send(Request::PublishBlock {
            bytes: bytes.to_vec(),
        });
        let retry = tokio::time::sleep(Duration::from_millis(300));
        tokio::pin!(retry);
        loop {
            tokio::select! {
                event = to.events.recv() => match event.expect("event channel closed") {
                    NetEvent::GossipBlock { id, bytes: got, .. } if got == bytes => return id,
                    NetEvent::GossipBlock { bytes: got, .. } => panic!("unexpected gossip {got:?}"),
                    _ => {}
                },
                () = &mut retry => break,
            }
        }
    }
}

/// A publishes `bytes`, and they are the next block B gets (from A); its gossip id at B.
async fn heard_from_a(a: &Node, b: &mut Node, bytes: &[u8]) -> u64 {
    a.handle.send(Request::PublishBlock {
        bytes: bytes.to_vec(),
    });
    let NetEvent::GossipBlock { id, bytes: got, .. } =
        wait_for(&mut b.events, "a gossiped block", |e| {
            matches!(e, NetEvent::GossipBlock { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(got, bytes);
    id
}

/// `node`'s engine judges gossiped block `id`.
fn verdict(node: &Node, id: u64, verdict: GossipVerdict) {
    node.handle.send(Request::GossipVerdict { id, verdict });
}

/// The next gossiped block `node` gets: who sent it, and its bytes.
async fn next_gossip(node: &mut Node) -> (PeerId, Vec<u8>) {
    match wait_for(&mut node.events, "a gossiped block", |e| {
        matches!(e, NetEvent::GossipBlock { .. })
    })
    .await
    {
        NetEvent::GossipBlock { peer, bytes, .. } => (peer, bytes),
        _ => unreachable!(),
    }
}

//! The consensus protocol (`consensus.rs`): members' proposals and votes reach the engine exactly as sent;
//! outsiders' are refused at once and never reach it; a request over the cap is refused at its length; what waits
//! for the engine is bounded per peer (`Busy` beyond) and released as the engine takes it; the codec and the
//! batching on their own.

use ecsync_components::agreement::{Proposal, Vote, VoteKind};
use ecsync_components::messages::{
    ConsensusAck, ConsensusMessage, MAX_CONSENSUS_BATCH, SignedProposal, SignedVote,
};
use ecsync_components::{Block, ChainSpec, Header, SignatureBytes};
use ecsync_systems::consensus::{Federation, MemberKeys};
use libp2p::futures::io::Cursor;
use libp2p::request_response::Codec;
use tokio::sync::mpsc;

use super::*;
use crate::network::codec::{ConsensusCodec, ConsensusRequest, MAX_CONSENSUS_RESPONSE_BYTES};
use crate::network::consensus::{Consensus, MAX_QUEUED, MAX_QUEUED_PER_PEER, Origin, batches};

/// Authorities of the test federation.
const N: usize = 4;

/// The spec of a federation of [`N`] authorities (seed 12) on chain 1, genesis [`GENESIS`].
fn federation() -> (Federation, ChainSpec) {
    let federation = Federation::from_seed(12, N);
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

/// A node of the federation's chain, holding authority `member`'s keys if any, reading consensus requests of at
/// most `max_block_bytes` + 4 KiB.
async fn fed_node(
    (federation, spec): &(Federation, ChainSpec),
    member: Option<usize>,
    max_block_bytes: u32,
    boot: Vec<Multiaddr>,
) -> Node {
    let s = status(1, GENESIS, 0);
    let mut config = config(
        Keypair::generate_ed25519(),
        "/ip4/127.0.0.1/tcp/0".parse().unwrap(),
        &s,
    );
    config.authorities = spec.authorities.clone();
    config.member_keys = member.map(|index| {
        let secret = federation.secret_key_bytes(index);
        Arc::new(MemberKeys::new(spec, &[(index, secret)]).expect("the spec's key"))
    });
    config.max_block_bytes = max_block_bytes;
    config.bootnodes = boot;
    start(config, s, vec![]).await
}

/// Waits until `node` hears that `other` proved it is a member; returns `other`'s engine id in `node`.
async fn proven(node: &mut Node, other: &Node) -> PeerId {
    let other_id = other.handle.local_peer_id();
    let event = wait_for(&mut node.events, "PeerAuthenticated", |e| {
        matches!(e, NetEvent::PeerAuthenticated { peer, .. }
            if node_peer(&node.handle, *peer) == Some(other_id))
    })
    .await;
    let NetEvent::PeerAuthenticated { peer, .. } = event else {
        unreachable!()
    };
    peer
}

fn node_peer(handle: &NetworkHandle, peer: PeerId) -> Option<libp2p::PeerId> {
    handle.libp2p_peer_of(peer)
}

/// Waits until `node` hears that `other` connected (its status passed); returns `other`'s engine id in `node`.
async fn connected_to(node: &mut Node, other: &Node) -> PeerId {
    let other_id = other.handle.local_peer_id();
    let event = wait_for(&mut node.events, "PeerConnected", |e| {
        matches!(e, NetEvent::PeerConnected { peer, .. }
            if node_peer(&node.handle, *peer) == Some(other_id))
    })
    .await;
    let NetEvent::PeerConnected { peer, .. } = event else {
        unreachable!()
    };
    peer
}

/// A prevote of `voter` in `round` (the signature bytes are not checked by the network).
fn vote(round: u32, voter: u16) -> ConsensusMessage {
    ConsensusMessage::Vote(SignedVote {
        vote: Vote {
            height: 1,
            round,
            kind: VoteKind::Prevote,
            value: Some(Hash32([round as u8; 32])),
            voter,
        },
        signature: SignatureBytes([voter as u8; 96]),
    })
}

/// A proposal in `round` of a block with a `payload` bytes payload.
fn proposal(round: u32, payload: usize) -> ConsensusMessage {
    let payload = vec![0x5a; payload];
    let block = Block {
        parent_approval: None,
        header: Header {
            parent_approval_root: ecsync_components::Hash32::ZERO,
            height: 1,
            slot: 1,
            parent_hash: GENESIS,
            timestamp_ms: 1000,
            payload_root: ecsync_components::payload_root(&payload),
            state_root: Hash32::ZERO,
        },
        payload,
    };
    let signed = SignedProposal {
        proposal: Proposal {
            height: 1,
            round,
            value: block.header.hash(),
            valid_round: None,
            proposer: 0,
        },
        block,
        signature: SignatureBytes([9; 96]),
    };
    assert!(signed.carries_its_block());
    ConsensusMessage::Proposal(signed)
}

/// The consensus messages (with their sender) waiting in `node`'s event channel now, taking every event.
fn drain_consensus(node: &mut Node) -> Vec<(PeerId, ConsensusMessage)> {
    let mut out = Vec::new();
    while let Ok(event) = node.events.try_recv() {
        if let NetEvent::Consensus { peer, messages } = event {
            out.extend(messages.into_iter().map(|m| (peer, m)));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn two_members_exchange_a_batch_of_proposals_and_votes() {
    init_tracing();
    let fed = federation();
    let mut a = fed_node(&fed, Some(0), 1 << 20, vec![]).await;
    let mut b = fed_node(&fed, Some(1), 1 << 20, vec![a.handle.listen_addr()]).await;
    let b_in_a = proven(&mut a, &b).await;
    let a_in_b = proven(&mut b, &a).await;
    let batch = vec![proposal(0, 1000), vote(0, 0), vote(0, 2), proposal(1, 0)];
    a.handle.send(Request::SendConsensus {
        peer: b_in_a,
        messages: batch.clone(),
    });
    let event = wait_for(&mut b.events, "the batch", |e| {
        matches!(e, NetEvent::Consensus { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Consensus {
            peer: a_in_b,
            messages: batch,
        }
    );
    // And back: a batch of more than one request's worth is split, each request in order.
    let many: Vec<ConsensusMessage> = (0..MAX_CONSENSUS_BATCH as u32 + 3)
        .map(|r| vote(r, 1))
        .collect();
    b.handle.send(Request::SendConsensus {
        peer: a_in_b,
        messages: many.clone(),
    });
    let mut got = Vec::new();
    while got.len() < many.len() {
        let event = wait_for(&mut a.events, "the split batch", |e| {
            matches!(e, NetEvent::Consensus { .. })
        })
        .await;
        let NetEvent::Consensus { peer, messages } = event else {
            unreachable!()
        };
        assert_eq!(peer, b_in_a);
        assert!(messages.len() <= MAX_CONSENSUS_BATCH);
        got.extend(messages);
    }
    got.sort_by_key(ConsensusMessage::round);
    assert_eq!(got, many);
    let (a_handle, b_handle) = (a.handle.clone(), b.handle.clone());
    wait_until("the counts", || {
        let (a, b) = (
            a_handle.serve_stats().consensus,
            b_handle.serve_stats().consensus,
        );
        (a.sent, b.sent, a.accepted, b.accepted) == (1, 2, many.len() as u64, 4)
    })
    .await;
    let (a_stats, b_stats) = (a.handle.serve_stats(), b.handle.serve_stats());
    let not_taken = a_stats.consensus.busy + a_stats.consensus.from_outsiders;
    assert_eq!(not_taken + b_stats.consensus.busy, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outsiders_messages_are_refused_at_once_and_never_reach_the_engine() {
    init_tracing();
    let fed = federation();
    let mut a = fed_node(&fed, Some(0), 1 << 20, vec![]).await;
    let mut outsider = fed_node(&fed, None, 1 << 20, vec![a.handle.listen_addr()]).await;
    let a_in_outsider = proven(&mut outsider, &a).await;
    connected_to(&mut a, &outsider).await;
    for round in 0..3 {
        outsider.handle.send(Request::SendConsensus {
            peer: a_in_outsider,
            messages: vec![vote(round, 3), proposal(round, 10)],
        });
    }
    let (a_handle, o_handle) = (a.handle.clone(), outsider.handle.clone());
    wait_until("the outsider's three requests are refused", || {
        a_handle.serve_stats().consensus.from_outsiders == 3
            && o_handle.serve_stats().consensus.sent_not_accepted == 3
    })
    .await;
    // Anything the refusals let through would be in a's channel by now (it is sent before the count).
    assert_eq!(drain_consensus(&mut a), []);
    // A member's message, sent after: the first consensus event of a's engine is the member's.
    let mut member = fed_node(&fed, Some(2), 1 << 20, vec![a.handle.listen_addr()]).await;
    let a_in_member = proven(&mut member, &a).await;
    let member_in_a = proven(&mut a, &member).await;
    member.handle.send(Request::SendConsensus {
        peer: a_in_member,
        messages: vec![vote(7, 2)],
    });
    let event = wait_for(&mut a.events, "the member's vote", |e| {
        matches!(e, NetEvent::Consensus { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Consensus {
            peer: member_in_a,
            messages: vec![vote(7, 2)],
        }
    );
    let handle = a.handle.clone();
    wait_until("a counts the member's vote", || {
        handle.serve_stats().consensus.accepted == 1
    })
    .await;
    assert_eq!(a.handle.serve_stats().consensus.from_outsiders, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_the_cap_is_refused_at_its_length() {
    init_tracing();
    let fed = federation();
    // a reads consensus requests of at most 4 KiB + 4 KiB; b writes up to 1 MiB + 4 KiB.
    let mut a = fed_node(&fed, Some(0), 4096, vec![]).await;
    let mut b = fed_node(&fed, Some(1), 1 << 20, vec![a.handle.listen_addr()]).await;
    let b_in_a = proven(&mut a, &b).await;
    let a_in_b = proven(&mut b, &a).await;
    b.handle.send(Request::SendConsensus {
        peer: a_in_b,
        messages: vec![proposal(0, 64 * 1024)],
    });
    let handle = b.handle.clone();
    wait_until("b's request fails", || {
        handle.serve_stats().consensus.sent_failed == 1
    })
    .await;
    b.handle.send(Request::SendConsensus {
        peer: a_in_b,
        messages: vec![vote(0, 1)],
    });
    let event = wait_for(&mut a.events, "the vote", |e| {
        matches!(e, NetEvent::Consensus { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Consensus {
            peer: b_in_a,
            messages: vec![vote(0, 1)],
        }
    );
    let handle = a.handle.clone();
    wait_until("a counts the vote", || {
        handle.serve_stats().consensus.accepted == 1
    })
    .await;
    // Still connected and a member: an oversized request is refused, its sender not punished here.
    assert_eq!(a.handle.serve_stats().federation_peers, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_beyond_the_per_peer_bound_is_busy_and_released_as_the_engine_reads() {
    init_tracing();
    let fed = federation();
    let mut a = fed_node(&fed, Some(0), 1 << 20, vec![]).await;
    let mut b = fed_node(&fed, Some(1), 1 << 20, vec![a.handle.listen_addr()]).await;
    let b_in_a = proven(&mut a, &b).await;
    let a_in_b = proven(&mut b, &a).await;
    // 12 requests of 32 votes; a's engine reads nothing meanwhile.
    let per_request = 32;
    let requests = 12;
    for r in 0..requests {
        b.handle.send(Request::SendConsensus {
            peer: a_in_b,
            messages: (0..per_request).map(|i| vote(r * 100 + i, 1)).collect(),
        });
    }
    let (a_handle, b_handle) = (a.handle.clone(), b.handle.clone());
    wait_until("every request is answered", || {
        let stats = a_handle.serve_stats().consensus;
        stats.accepted + stats.busy * u64::from(per_request) == u64::from(requests * per_request)
            && b_handle.serve_stats().consensus.sent_not_accepted == stats.busy
    })
    .await;
    let stats = a.handle.serve_stats().consensus;
    assert_eq!(stats.accepted, MAX_QUEUED_PER_PEER as u64);
    let taken = MAX_QUEUED_PER_PEER as u64 / u64::from(per_request);
    assert_eq!(stats.busy, u64::from(requests) - taken);
    let waiting = drain_consensus(&mut a);
    assert_eq!(waiting.len(), MAX_QUEUED_PER_PEER, "the channel held more");
    assert!(waiting.iter().all(|(p, _)| *p == b_in_a));
    // The engine took them: b's next request is taken.
    b.handle.send(Request::SendConsensus {
        peer: a_in_b,
        messages: vec![vote(5000, 1)],
    });
    let event = wait_for(&mut a.events, "the vote after the flood", |e| {
        matches!(e, NetEvent::Consensus { .. })
    })
    .await;
    assert_eq!(
        event,
        NetEvent::Consensus {
            peer: b_in_a,
            messages: vec![vote(5000, 1)],
        }
    );
    assert_eq!(a.handle.serve_stats().consensus.busy, stats.busy);
}

/// `n` votes from one peer, as a request.
fn request(n: u32) -> ConsensusRequest {
    ConsensusRequest {
        messages: (0..n).map(|r| vote(r, 1)).collect(),
    }
}

const MEMBER: Origin = Origin {
    denied: false,
    member: true,
    engine: Some(PeerId(1)),
};

#[tokio::test]
async fn admission_is_bounded_per_peer_and_by_rate() {
    use ConsensusAck::{Accepted, Busy};
    let shared = Arc::new(super::super::Shared::default());
    let (tx, mut rx) = mpsc::channel(CHANNEL_CAPACITY);
    // Buckets of 2M + 16 messages (M the per-peer bound), never refilled.
    const M: u32 = MAX_QUEUED_PER_PEER as u32;
    let mut consensus = Consensus::new(1 << 20, shared.clone()).with_rate(2 * M + 16, 0);
    let (p, q) = (libp2p::PeerId::random(), libp2p::PeerId::random());
    let mut admit = |peer, origin, n| consensus.admit(&tx, peer, origin, request(n));
    // Outsiders and members the engine does not know yet.
    let outsider = Origin {
        member: false,
        ..MEMBER
    };
    assert!(matches!(
        admit(p, outsider, 1),
        ConsensusAck::Refused { .. }
    ));
    let unknown = Origin {
        engine: None,
        ..MEMBER
    };
    assert_eq!(admit(p, unknown, 1), Busy);
    // Per peer: M wait at most; a request that does not fit whole is Busy; another peer still fits.
    let flood = [(p, M - 4), (p, 5), (p, 4), (q, M)].map(|(peer, n)| admit(peer, MEMBER, n));
    assert_eq!(flood, [Accepted, Busy, Accepted, Accepted]);
    assert_eq!(rx.len(), 3);
    // The engine takes one event: p's first M - 4 are released, as many more fit.
    let Some(NetEvent::Consensus { messages, .. }) = rx.recv().await else {
        panic!("no event")
    };
    assert_eq!(messages.len(), MAX_QUEUED_PER_PEER - 4);
    assert_eq!(admit(p, MEMBER, M - 4), Accepted);
    // By rate: p has taken 2M - 4 tokens, 20 are left; 60 more do not fit, even once the engine took
    // everything, 20 do.
    while rx.try_recv().is_ok() {}
    assert_eq!(
        [admit(p, MEMBER, 60), admit(p, MEMBER, 20)],
        [Busy, Accepted]
    );
    let stats = shared.consensus.stats();
    assert_eq!(
        (stats.accepted, stats.busy, stats.from_outsiders),
        (u64::from(3 * M + 16), 3, 1)
    );
}

#[tokio::test]
async fn admission_is_bounded_for_all_peers_together() {
    let shared = Arc::new(super::super::Shared::default());
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let mut all = Consensus::new(1 << 20, shared);
    let mut peers = 0;
    while all.admit(&tx, libp2p::PeerId::random(), MEMBER, request(64)) == ConsensusAck::Accepted {
        peers += 1;
        assert!(peers <= MAX_QUEUED, "unbounded");
    }
    assert_eq!(peers * 64, MAX_QUEUED);
    assert_eq!(rx.len(), peers);
}

#[test]
fn batches_split_by_count_and_size_and_drop_what_cannot_fit() {
    let cap = ConsensusCodec {
        max_block_bytes: 4096,
    }
    .request_cap();
    let votes: Vec<ConsensusMessage> = (0..150).map(|r| vote(r, 0)).collect();
    let split = batches(votes.clone(), cap);
    assert!(split.iter().all(
        |r| r.messages.len() <= MAX_CONSENSUS_BATCH && ecsync_components::encoded_len(r) <= cap
    ));
    let rejoined: Vec<ConsensusMessage> = split.into_iter().flat_map(|r| r.messages).collect();
    assert_eq!(rejoined, votes);
    // Proposals of 4 KB: two do not fit one 8 KiB request; one of 9 KB fits none and is dropped.
    let mixed = vec![
        proposal(0, 4000),
        proposal(1, 4000),
        proposal(2, 9000),
        vote(3, 0),
    ];
    let split = batches(mixed.clone(), cap);
    let shapes: Vec<usize> = split.iter().map(|r| r.messages.len()).collect();
    assert_eq!(shapes, [1, 2]);
    assert!(
        split
            .iter()
            .all(|r| ecsync_components::encoded_len(r) <= cap)
    );
    let sent: Vec<ConsensusMessage> = split.into_iter().flat_map(|r| r.messages).collect();
    assert_eq!(sent, [mixed[0].clone(), mixed[1].clone(), mixed[3].clone()]);
}

#[tokio::test]
async fn the_consensus_codec_refuses_before_reading_or_decoding_too_much() {
    let protocol = libp2p::StreamProtocol::new(CONSENSUS_PROTOCOL);
    let mut codec = ConsensusCodec {
        max_block_bytes: 4096,
    };
    let cap = codec.request_cap();
    // A length over the cap: refused having read only the prefix (nothing allocated for the body).
    let mut bytes = (cap as u32 + 1).to_be_bytes().to_vec();
    bytes.resize(4 + cap + 1, 0);
    let mut io = Cursor::new(bytes);
    let err = codec.read_request(&protocol, &mut io).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
    assert_eq!(io.position(), 4, "the body was read");
    // More than MAX_CONSENSUS_BATCH messages, within the byte cap: refused at the sequence's length.
    let mut codec = ConsensusCodec {
        max_block_bytes: 1 << 20,
    };
    let body = ecsync_components::encode(&request(MAX_CONSENSUS_BATCH as u32 + 1).messages);
    let mut framed = (body.len() as u32).to_be_bytes().to_vec();
    framed.extend_from_slice(&body);
    let err = codec
        .read_request(&protocol, &mut Cursor::new(framed))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
    // A full batch and every ack round-trip; acks fit their cap.
    let full = request(MAX_CONSENSUS_BATCH as u32);
    let mut io = Cursor::new(Vec::new());
    codec
        .write_request(&protocol, &mut io, full.clone())
        .await
        .unwrap();
    io.set_position(0);
    assert_eq!(codec.read_request(&protocol, &mut io).await.unwrap(), full);
    let acks = [
        ConsensusAck::Accepted,
        ConsensusAck::Busy,
        ConsensusAck::refused("é".repeat(1000)),
    ];
    for ack in acks {
        assert!(ecsync_components::encoded_len(&ack) <= MAX_CONSENSUS_RESPONSE_BYTES);
        let mut io = Cursor::new(Vec::new());
        codec
            .write_response(&protocol, &mut io, ack.clone())
            .await
            .unwrap();
        io.set_position(0);
        assert_eq!(codec.read_response(&protocol, &mut io).await.unwrap(), ack);
    }
}

//! The member kinds' rewriting, with real BLS keys of a generated federation: the variants pass the rules a
//! member applies to a proposal and their signatures verify; the extra votes verify and conflict.

use ecsync_components::agreement::{Proposal, Round, Vote, VoteKind};
use ecsync_components::messages::{ConsensusMessage, SignedProposal, SignedVote};
use ecsync_components::{
    Approval, Block, BlockRef, ChainSpec, Hash32, NetEvent, PeerId, Request, SignatureBytes,
    SignedBlock,
};
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use ecsync_systems::consensus::{
    Authorities, MemberKeys, PreparedApproval, check_link, check_proposal,
};

use super::*;

/// A generated 4-member federation and block 1, its slot's producer and the parent's reference.
struct Setup {
    generator: ChainGenerator,
    authorities: Authorities,
    parent: BlockRef,
    block: Block,
    proposer: usize,
}

fn setup() -> Setup {
    let generator = ChainGenerator::new(GenParams::default()).unwrap();
    let genesis = generator.genesis().clone();
    let block = generator.child(&genesis);
    let proposer = generator.spec().producer_index(block.header.slot);
    Setup {
        authorities: Authorities::from_spec(generator.spec()).unwrap(),
        parent: BlockRef::new(&genesis.block.header, genesis.hash()),
        block,
        proposer,
        generator,
    }
}

impl Setup {
    fn spec(&self) -> &ChainSpec {
        self.generator.spec()
    }

    /// The member holding authority `index`'s key.
    fn keys(&self, index: usize) -> MemberKeys {
        let secret = self.generator.federation().secret_key_bytes(index);
        MemberKeys::new(self.spec(), &[(index, secret)]).unwrap()
    }

    /// The honest proposal of block 1 in `round`, signed by its proposer.
    fn proposal(&self, round: Round) -> SignedProposal {
        let proposal = Proposal {
            height: 1,
            round,
            value: self.block.header.hash(),
            valid_round: None,
            proposer: self.proposer as u16,
        };
        let signature = self
            .keys(self.proposer)
            .sign_as(self.proposer, &proposal.message())
            .unwrap();
        SignedProposal {
            proposal,
            block: self.block.clone(),
            signature,
        }
    }

    /// Whether `signature` over `message` is authority `index`'s.
    fn verifies(&self, index: usize, message: Hash32, signature: &SignatureBytes) -> bool {
        PreparedApproval::of_message(&self.authorities, 1u64 << index, message, signature)
            .and_then(|p| p.verify())
            .is_ok()
    }

    /// The rules a member applies to a proposed block (`approve_blocks`' `well_formed`): linked to the head, in a
    /// slot that has begun, and every rule of a block but its approval's.
    fn block_passes(&self, block: &Block) -> bool {
        let now = self.spec().slot_start_ms(block.header.slot);
        let linked = SignedBlock {
            block: block.clone(),
            approval: Approval {
                approvers: 0,
                round: 0,
                signature: SignatureBytes::ZERO,
            },
        };
        check_link(&self.parent, &linked).is_ok()
            && block.header.slot <= self.spec().slot_at(now)
            && check_proposal(self.spec(), block, now).is_ok()
    }
}

/// `voter`'s vote of `kind` for `value` at (1, `round`), signed by `keys`.
fn vote(
    keys: &MemberKeys,
    voter: usize,
    kind: VoteKind,
    round: Round,
    value: Option<Hash32>,
) -> SignedVote {
    let vote = Vote {
        height: 1,
        round,
        kind,
        value,
        voter: voter as u16,
    };
    SignedVote {
        signature: keys.sign_as(voter, &vote.message()).unwrap(),
        vote,
    }
}

fn send(peer: u64, messages: Vec<ConsensusMessage>) -> Request {
    Request::SendConsensus {
        peer: PeerId(peer),
        messages,
    }
}

/// The proposals and votes sent to `peer` in `requests`.
fn sent_to(requests: &[Request], peer: u64) -> (Vec<SignedProposal>, Vec<SignedVote>) {
    let mut proposals = Vec::new();
    let mut votes = Vec::new();
    for r in requests {
        if let Request::SendConsensus { peer: p, messages } = r
            && *p == PeerId(peer)
        {
            for m in messages {
                match m {
                    ConsensusMessage::Proposal(p) => proposals.push(p.clone()),
                    ConsensusMessage::Vote(v) => votes.push(*v),
                }
            }
        }
    }
    (proposals, votes)
}

/// Asserts that `peer` got, in `requests`, one valid variant of `original` signed again by its proposer (and
/// `own`, the proposer's vote, as it was); returns its value.
fn assert_a_valid_variant(
    s: &Setup,
    requests: &[Request],
    peer: u64,
    original: &SignedProposal,
    own: SignedVote,
) -> Hash32 {
    let (proposals, votes) = sent_to(requests, peer);
    assert_eq!(proposals.len(), 1, "one proposal to peer {peer}");
    assert_eq!(votes, vec![own], "its own vote is left as it is");
    let p = &proposals[0];
    assert_ne!(p.proposal.value, original.proposal.value, "a variant");
    assert!(p.carries_its_block(), "the proposal names its block");
    assert_eq!(
        (
            p.proposal.height,
            p.proposal.round,
            p.proposal.proposer,
            p.proposal.valid_round
        ),
        (1, 0, s.proposer as u16, None)
    );
    assert!(
        s.verifies(s.proposer, p.proposal.message(), &p.signature),
        "signed again with the proposer's key"
    );
    assert!(
        !s.verifies(s.proposer, p.proposal.message(), &original.signature),
        "the original signature does not sign the variant"
    );
    assert!(
        s.block_passes(&p.block),
        "the variant passes a member's checks"
    );
    p.proposal.value
}

#[test]
fn equivocate_sends_each_peer_another_valid_signed_proposal() {
    let s = setup();
    let original = s.proposal(0);
    assert!(s.block_passes(&original.block), "the honest block passes");
    let own = vote(
        &s.keys(s.proposer),
        s.proposer,
        VoteKind::Prevote,
        0,
        Some(original.proposal.value),
    );
    let batch = |order: &[u64]| -> Vec<Request> {
        let mut requests: Vec<Request> = order
            .iter()
            .map(|p| {
                send(
                    *p,
                    vec![
                        ConsensusMessage::Proposal(original.clone()),
                        ConsensusMessage::Vote(own),
                    ],
                )
            })
            .collect();
        requests.push(Request::PublishBlock { bytes: vec![1, 2] });
        requests
    };
    let mut faults = ConsensusFaults::new(ConsensusFault::Equivocate, s.keys(s.proposer));
    let mut first = batch(&[11, 12, 13]);
    faults.outgoing(&mut first);

    let values: Vec<Hash32> = [11, 12, 13]
        .map(|peer| assert_a_valid_variant(&s, &first, peer, &original, own))
        .to_vec();
    let mut values = values;
    values.sort();
    values.dedup();
    assert_eq!(values.len(), 3, "three different proposals");
    assert!(
        matches!(first.last(), Some(Request::PublishBlock { bytes }) if bytes == &[1, 2]),
        "other requests untouched"
    );

    // Gossiped again, in another order: each peer gets the same variant as before.
    let mut again = batch(&[13, 11, 12]);
    faults.outgoing(&mut again);
    for peer in [11, 12, 13] {
        assert_eq!(
            sent_to(&again, peer).0,
            sent_to(&first, peer).0,
            "peer {peer}"
        );
    }
}

#[test]
fn equivocate_leaves_proposals_it_cannot_sign() {
    let s = setup();
    let other = (s.proposer + 1) % 4;
    let original = s.proposal(0);
    let mut faults = ConsensusFaults::new(ConsensusFault::Equivocate, s.keys(other));
    let mut requests = vec![send(1, vec![ConsensusMessage::Proposal(original.clone())])];
    faults.outgoing(&mut requests);
    assert_eq!(sent_to(&requests, 1).0, vec![original]);
}

#[test]
fn double_vote_votes_for_every_proposal_seen_against_its_own_votes() {
    let s = setup();
    let me = (s.proposer + 1) % 4;
    let keys = s.keys(me);
    let a = s.proposal(1);
    // The same proposer's second proposal in round 1 (an equivocation): a block with another state root.
    let b = make_variant(&s.keys(s.proposer), &a, 0).unwrap();
    let mut faults = ConsensusFaults::new(ConsensusFault::DoubleVote, s.keys(me));
    faults.incoming(&NetEvent::Consensus {
        peer: PeerId(1),
        messages: vec![
            ConsensusMessage::Proposal(a.clone()),
            ConsensusMessage::Proposal(b.clone()),
        ],
    });
    // Its honest votes in round 1: nil.
    let honest = [
        vote(&keys, me, VoteKind::Prevote, 1, None),
        vote(&keys, me, VoteKind::Precommit, 1, None),
    ];
    let messages: Vec<ConsensusMessage> =
        honest.iter().map(|v| ConsensusMessage::Vote(*v)).collect();
    let mut requests = vec![send(1, messages.clone()), send(2, messages)];
    faults.outgoing(&mut requests);

    for peer in [1, 2] {
        let (_, votes) = sent_to(&requests, peer);
        assert_eq!(&votes[..2], &honest, "its own votes still go, first");
        let extra = &votes[2..];
        assert_eq!(
            extra.len(),
            4,
            "a prevote and a precommit for each of 2 proposals: {extra:?}"
        );
        for v in extra {
            assert!(
                s.verifies(me, v.vote.message(), &v.signature),
                "{v:?} verifies"
            );
            assert_eq!(
                (v.vote.height, v.vote.round, v.vote.voter),
                (1, 1, me as u16)
            );
            let own = honest.iter().find(|h| h.vote.kind == v.vote.kind).unwrap();
            assert_ne!(
                own.vote.value, v.vote.value,
                "conflicts with its own {:?}",
                own.vote.kind
            );
        }
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let mut values: Vec<Option<Hash32>> = extra
                .iter()
                .filter(|v| v.vote.kind == kind)
                .map(|v| v.vote.value)
                .collect();
            values.sort();
            let mut want = vec![Some(a.proposal.value), Some(b.proposal.value)];
            want.sort();
            assert_eq!(values, want, "{kind:?}s for both proposals");
        }
    }
}

#[test]
fn double_vote_votes_for_its_own_proposals_and_remembers_a_bounded_few() {
    let s = setup();
    let keys = s.keys(s.proposer);
    let mut faults = ConsensusFaults::new(ConsensusFault::DoubleVote, s.keys(s.proposer));
    // Its own proposal, sent to one peer: votes for it go to every peer.
    let own = s.proposal(0);
    let mut requests = vec![
        send(1, vec![ConsensusMessage::Proposal(own.clone())]),
        send(2, vec![]),
    ];
    faults.outgoing(&mut requests);
    let (_, votes) = sent_to(&requests, 2);
    let want: Vec<SignedVote> = [VoteKind::Prevote, VoteKind::Precommit]
        .map(|k| vote(&keys, s.proposer, k, 0, Some(own.proposal.value)))
        .to_vec();
    assert_eq!(votes, want);

    // Many heights and rounds: only the latest few are voted for.
    for height in 1..20u64 {
        for round in 0..10 {
            let mut p = own.proposal;
            p.height = height;
            p.round = round;
            p.value = Hash32([round as u8; 32]);
            faults.incoming(&NetEvent::Consensus {
                peer: PeerId(1),
                messages: vec![ConsensusMessage::Proposal(SignedProposal {
                    proposal: p,
                    ..own.clone()
                })],
            });
        }
    }
    let mut requests = vec![send(1, vec![])];
    faults.outgoing(&mut requests);
    let (_, votes) = sent_to(&requests, 1);
    assert_eq!(votes.len(), KEPT_HEIGHTS * PROPOSALS_PER_HEIGHT * 2);
    assert!(
        votes
            .iter()
            .all(|v| v.vote.height >= 18 && v.vote.round >= 6),
        "{votes:?}"
    );
}

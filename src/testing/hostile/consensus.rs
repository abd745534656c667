//! `ecsync-hostile node --misbehave equivocate|double-vote --authority-keys FILE`: a federation member that
//! breaks the agreement's rules (docs/CONSENSUS.md) in one way, through the node's [`NodeHooks::incoming`] and
//! [`NodeHooks::outgoing`] (crate::node::NodeHooks): the engine stays honest, the hook rewrites what it sends.
//!
//! - `equivocate` ([`ConsensusFault::Equivocate`]): as a round's proposer it sends each member peer another
//!   valid proposal. Peer `k` (the `k`th member peer it sent a proposal to, in order of first send) gets the
//!   proposed block with another `state_root` (so another hash; everything the validity rules check unchanged:
//!   height, slot, parent, timestamp, payload and its root, size), and the proposal for that hash signed again
//!   with the proposer's key. A peer gets the same variant each time the engine gossips the proposal again. Its
//!   own votes are left as they are.
//! - `double-vote` ([`ConsensusFault::DoubleVote`]): for every proposal it sees (received, or its own), it sends
//!   a prevote and a precommit for that proposal's value in that round, signed with each key it holds, to every
//!   member it sends to, besides its normal votes.
//!
//! Memory is bounded: [`KEPT_HEIGHTS`] heights of [`PROPOSALS_PER_HEIGHT`] proposals each, [`MAX_VARIANTS`]
//! signed variants, [`MAX_PEERS`] peers numbered.

use std::collections::BTreeMap;

use ecsync_components::agreement::{Proposal, Round, Vote, VoteKind};
use ecsync_components::messages::{ConsensusMessage, SignedProposal, SignedVote};
use ecsync_components::{Hash32, NetEvent, PeerId, Request};
use ecsync_systems::consensus::MemberKeys;
use sha2::{Digest, Sha256};

/// Heights whose proposals `double-vote` remembers (the highest seen).
pub const KEPT_HEIGHTS: usize = 2;
/// Proposals per height `double-vote` remembers (those of the highest rounds).
pub const PROPOSALS_PER_HEIGHT: usize = 4;
/// Signed proposal variants `equivocate` keeps (the oldest heights are forgotten first).
pub const MAX_VARIANTS: usize = 256;
/// Member peers `equivocate` numbers; past this many it numbers them afresh.
pub const MAX_PEERS: usize = 256;

/// How a hostile member breaks the agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsensusFault {
    /// A different valid proposal to each member peer.
    Equivocate,
    /// A prevote and a precommit for every proposal seen.
    DoubleVote,
}

/// A proposal remembered by `double-vote`, with the votes for it, signed.
struct Seen {
    round: Round,
    value: Hash32,
    votes: Vec<SignedVote>,
}

/// The rewriting of a hostile member's consensus traffic.
pub struct ConsensusFaults {
    fault: ConsensusFault,
    keys: MemberKeys,
    /// `equivocate`: member peers in order of the first proposal sent to them.
    peers: Vec<PeerId>,
    /// `equivocate`: (height, round, original value, variant) → the variant, signed.
    variants: BTreeMap<(u64, Round, Hash32, usize), SignedProposal>,
    /// `double-vote`: by height, the proposals seen and the votes for each.
    seen: BTreeMap<u64, Vec<Seen>>,
}

impl ConsensusFaults {
    /// A member holding `keys` that misbehaves as `fault` says.
    pub fn new(fault: ConsensusFault, keys: MemberKeys) -> Self {
        Self {
            fault,
            keys,
            peers: Vec::new(),
            variants: BTreeMap::new(),
            seen: BTreeMap::new(),
        }
    }

    /// A network event, before the engine sees it: `double-vote` remembers the proposals it carries.
    pub fn incoming(&mut self, event: &NetEvent) {
        if self.fault != ConsensusFault::DoubleVote {
            return;
        }
        if let NetEvent::Consensus { messages, .. } = event {
            for message in messages {
                if let ConsensusMessage::Proposal(p) = message {
                    self.remember(&p.proposal);
                }
            }
        }
    }

    /// The engine's requests, before the network sends them: rewritten as the fault says.
    pub fn outgoing(&mut self, requests: &mut [Request]) {
        match self.fault {
            ConsensusFault::Equivocate => self.equivocate(requests),
            ConsensusFault::DoubleVote => self.double_vote(requests),
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // equivocate

    /// Each member peer's proposals of ours replaced by that peer's variant.
    fn equivocate(&mut self, requests: &mut [Request]) {
        for request in requests.iter_mut() {
            let Request::SendConsensus { peer, messages } = request else {
                continue;
            };
            let ours = |m: &ConsensusMessage| {
                matches!(m, ConsensusMessage::Proposal(p)
                    if self.keys.holds(usize::from(p.proposal.proposer)))
            };
            if !messages.iter().any(ours) {
                continue;
            }
            let k = self.peer_number(*peer);
            for message in messages.iter_mut() {
                let ConsensusMessage::Proposal(p) = message else {
                    continue;
                };
                if let Some(variant) = self.variant(p, k) {
                    *p = variant;
                }
            }
        }
    }

    /// The number of member peer `peer` (in order of first proposal sent).
    fn peer_number(&mut self, peer: PeerId) -> usize {
        if let Some(k) = self.peers.iter().position(|p| *p == peer) {
            return k;
        }
        if self.peers.len() >= MAX_PEERS {
            self.peers.clear();
        }
        self.peers.push(peer);
        self.peers.len() - 1
    }

    /// Variant `k` of `original` (a proposal of ours): its block with another state root, the proposal for the
    /// new hash signed again. `None` if we do not hold the proposer's key.
    fn variant(&mut self, original: &SignedProposal, k: usize) -> Option<SignedProposal> {
        let p = &original.proposal;
        let key = (p.height, p.round, p.value, k);
        if let Some(v) = self.variants.get(&key) {
            return Some(v.clone());
        }
        let variant = make_variant(&self.keys, original, k)?;
        while self.variants.len() >= MAX_VARIANTS {
            self.variants.pop_first();
        }
        self.variants.insert(key, variant.clone());
        Some(variant)
    }

    // ---------------------------------------------------------------------------------------------------------
    // double-vote

    /// Our own proposals remembered, then every member peer sent the votes for every proposal remembered.
    fn double_vote(&mut self, requests: &mut [Request]) {
        let own: Vec<Proposal> = requests
            .iter()
            .filter_map(|r| match r {
                Request::SendConsensus { messages, .. } => Some(messages),
                _ => None,
            })
            .flatten()
            .filter_map(|m| match m {
                ConsensusMessage::Proposal(p) => Some(p.proposal),
                ConsensusMessage::Vote(_) => None,
            })
            .collect();
        for p in &own {
            self.remember(p);
        }
        let extra: Vec<SignedVote> = self
            .seen
            .values()
            .flatten()
            .flat_map(|s| s.votes.iter().copied())
            .collect();
        for request in requests.iter_mut() {
            let Request::SendConsensus { messages, .. } = request else {
                continue;
            };
            for vote in &extra {
                let already = messages
                    .iter()
                    .any(|m| matches!(m, ConsensusMessage::Vote(v) if v.vote == vote.vote));
                if !already {
                    messages.push(ConsensusMessage::Vote(*vote));
                }
            }
        }
    }

    /// Remembers proposal `p` with our votes for it, within the bounds.
    fn remember(&mut self, p: &Proposal) {
        if self.seen.len() >= KEPT_HEIGHTS
            && self
                .seen
                .first_key_value()
                .is_some_and(|(h, _)| p.height < *h)
        {
            return;
        }
        let at = self.seen.entry(p.height).or_default();
        if at.iter().any(|s| s.round == p.round && s.value == p.value) {
            return;
        }
        if at.len() >= PROPOSALS_PER_HEIGHT {
            let lowest = (0..at.len()).min_by_key(|i| at[*i].round).unwrap_or(0);
            if at[lowest].round > p.round {
                return;
            }
            at.remove(lowest);
        }
        let votes = votes_for(&self.keys, p.height, p.round, p.value);
        at.push(Seen {
            round: p.round,
            value: p.value,
            votes,
        });
        while self.seen.len() > KEPT_HEIGHTS {
            self.seen.pop_first();
        }
    }
}

/// Variant `k` of proposal `original`: the state root replaced by SHA-256 of a tag, the original hash and `k`
/// (so every variant differs from the original and from each other), the proposal naming the new hash, signed
/// with the proposer's key. `None` if `keys` does not hold the proposer's.
pub fn make_variant(
    keys: &MemberKeys,
    original: &SignedProposal,
    k: usize,
) -> Option<SignedProposal> {
    let mut block = original.block.clone();
    let mut h = Sha256::new();
    h.update(b"ecsync-hostile-equivocate");
    h.update(original.proposal.value.0);
    h.update((k as u64).to_le_bytes());
    block.header.state_root = Hash32(h.finalize().into());
    let proposal = Proposal {
        value: block.header.hash(),
        ..original.proposal
    };
    let signature = keys.sign_as(usize::from(proposal.proposer), &proposal.message())?;
    Some(SignedProposal {
        proposal,
        block,
        signature,
    })
}

/// A prevote and a precommit for `value` at `height` in `round` by each authority `keys` holds, signed.
pub fn votes_for(keys: &MemberKeys, height: u64, round: Round, value: Hash32) -> Vec<SignedVote> {
    let mut out = Vec::new();
    for index in keys.authorities() {
        let Ok(voter) = u16::try_from(index) else {
            continue;
        };
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let vote = Vote {
                height,
                round,
                kind,
                value: Some(value),
                voter,
            };
            if let Some(signature) = keys.sign_as(index, &vote.message()) {
                out.push(SignedVote { vote, signature });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

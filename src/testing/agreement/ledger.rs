//! The sim's record of everything signed and decided, and the invariants checked against it at every step:
//!
//! - safety: at most one value per height has a quorum certificate (≥ quorum distinct authorities, honest or
//!   Byzantine, precommitted it in one round, over all rounds), and honest members never decide differently;
//! - no honest double-signing: an honest authority never signs two different votes of one kind, nor two
//!   different proposals, in one (height, round), across restarts;
//! - an honest member decides only a value some proposer built for that height and proposed, with a certificate
//!   whose voters all really precommitted it in that round;
//! - honest members are never reported as equivocating.
//!
//! It also stands for the signatures: a message is accepted by a receiver only if its author signed it here.

use std::collections::{BTreeSet, HashMap, HashSet};

use ecsync_components::Hash32;
use ecsync_components::agreement::{Proposal, Round, Vote, VoteKind};
use sha2::{Digest, Sha256};

use super::network::Commit;

/// A value some proposer built: its height, the round it was first proposed in, and its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Built {
    /// The height it was built for.
    pub height: u64,
    /// The proposer that built it.
    pub proposer: u16,
    /// Its slot: the height's first slot + the round it was built in.
    pub slot: u64,
}

/// Everything signed and decided in a run.
pub struct Ledger {
    quorum: usize,
    /// The honest authorities (bitmask).
    honest: u64,
    salt: u64,
    /// Every vote signed, by (height, round, kind, value): the voters (bitmask).
    votes: HashMap<(u64, Round, VoteKind, Option<Hash32>), u64>,
    /// Every proposal signed.
    proposals: HashSet<Proposal>,
    /// (height, value) of every proposal signed.
    proposed: HashSet<(u64, Hash32)>,
    /// Each honest authority's vote per (authority, height, round, kind).
    honest_votes: HashMap<(u16, u64, Round, VoteKind), Option<Hash32>>,
    /// Each honest authority's proposal per (authority, height, round).
    honest_proposals: HashMap<(u16, u64, Round), Proposal>,
    /// Per height, the values with a quorum certificate.
    certified: HashMap<u64, BTreeSet<Hash32>>,
    /// Per height, what honest members decided.
    decided: HashMap<u64, Hash32>,
    /// Every value built by a proposer.
    built: HashMap<Hash32, Built>,
}

impl Ledger {
    /// A ledger for a federation of `n` with `honest` authorities (bitmask); `salt` goes into every value built.
    pub fn new(n: usize, honest: u64, salt: u64) -> Self {
        Ledger {
            quorum: (2 * n).div_ceil(3),
            honest,
            salt,
            votes: HashMap::new(),
            proposals: HashSet::new(),
            proposed: HashSet::new(),
            honest_votes: HashMap::new(),
            honest_proposals: HashMap::new(),
            certified: HashMap::new(),
            decided: HashMap::new(),
            built: HashMap::new(),
        }
    }

    fn is_honest(&self, authority: u16) -> bool {
        authority < 64 && (self.honest >> authority) & 1 == 1
    }

    /// `v`'s voter signs it. Errs on an honest double vote or a second certified value at a height.
    pub fn sign_vote(&mut self, v: &Vote) -> Result<(), String> {
        if v.voter >= 64 {
            return Err(format!("a vote from authority {} (not a member)", v.voter));
        }
        if self.is_honest(v.voter) {
            let key = (v.voter, v.height, v.round, v.kind);
            match self.honest_votes.get(&key) {
                Some(earlier) if *earlier != v.value => {
                    return Err(format!(
                        "honest authority {} double-signed a {} at height {} round {}: {:?} then {:?}",
                        v.voter,
                        v.kind.name(),
                        v.height,
                        v.round,
                        earlier.map(|h| h.to_hex()),
                        v.value.map(|h| h.to_hex())
                    ));
                }
                Some(_) => {}
                None => {
                    self.honest_votes.insert(key, v.value);
                }
            }
        }
        let voters = self
            .votes
            .entry((v.height, v.round, v.kind, v.value))
            .or_default();
        *voters |= 1 << v.voter;
        let count = voters.count_ones() as usize;
        match v.value {
            Some(value) if v.kind == VoteKind::Precommit && count >= self.quorum => {
                self.certify(v.height, value)
            }
            _ => Ok(()),
        }
    }

    fn certify(&mut self, height: u64, value: Hash32) -> Result<(), String> {
        let values = self.certified.entry(height).or_default();
        values.insert(value);
        if values.len() > 1 {
            let shown: Vec<String> = values.iter().map(|v| v.to_hex()).collect();
            return Err(format!(
                "SAFETY: two values with a quorum certificate at height {height}: {shown:?}"
            ));
        }
        Ok(())
    }

    /// `p`'s proposer signs it. Errs on an honest authority's second, different proposal in one round.
    pub fn sign_proposal(&mut self, p: &Proposal) -> Result<(), String> {
        if self.is_honest(p.proposer) {
            let key = (p.proposer, p.height, p.round);
            if let Some(earlier) = self.honest_proposals.get(&key) {
                if earlier != p {
                    return Err(format!(
                        "honest authority {} signed two proposals at height {} round {}: {earlier:?} then {p:?}",
                        p.proposer, p.height, p.round
                    ));
                }
            } else {
                self.honest_proposals.insert(key, *p);
            }
        }
        self.proposals.insert(*p);
        self.proposed.insert((p.height, p.value));
        Ok(())
    }

    /// Whether `v`'s voter signed it.
    pub fn signed_vote(&self, v: &Vote) -> bool {
        v.voter < 64
            && self
                .votes
                .get(&(v.height, v.round, v.kind, v.value))
                .is_some_and(|m| (m >> v.voter) & 1 == 1)
    }

    /// Whether `p`'s proposer signed it.
    pub fn signed_proposal(&self, p: &Proposal) -> bool {
        self.proposals.contains(p)
    }

    /// Whether `c` is a real certificate: a quorum of voters, each of which precommitted its value in its round.
    pub fn verify(&self, c: &Commit) -> bool {
        let precommitted = self
            .votes
            .get(&(c.height, c.round, VoteKind::Precommit, Some(c.value)))
            .copied()
            .unwrap_or(0);
        c.voters.count_ones() as usize >= self.quorum && c.voters & !precommitted == 0
    }

    /// An honest member decided `c`. Errs if the certificate is not real, the value was never built for that
    /// height and proposed, or another honest member decided another value at that height.
    pub fn decide(&mut self, member: usize, c: &Commit) -> Result<(), String> {
        if !self.verify(c) {
            return Err(format!(
                "member {member} decided height {} round {} on a certificate that is not one (voters {:#x})",
                c.height, c.round, c.voters
            ));
        }
        if self
            .built
            .get(&c.value)
            .is_none_or(|b| b.height != c.height)
            || !self.proposed.contains(&(c.height, c.value))
        {
            return Err(format!(
                "member {member} decided at height {} a value nobody proposed: {}",
                c.height,
                c.value.to_hex()
            ));
        }
        match self.decided.get(&c.height) {
            Some(other) if *other != c.value => Err(format!(
                "SAFETY: honest members decided two values at height {}: {} and {} (member {member})",
                c.height,
                other.to_hex(),
                c.value.to_hex()
            )),
            Some(_) => Ok(()),
            None => {
                self.decided.insert(c.height, c.value);
                Ok(())
            }
        }
    }

    /// An honest member reported `authority` as equivocating: errs if it is honest.
    pub fn equivocation(&self, member: usize, authority: u16) -> Result<(), String> {
        if self.is_honest(authority) {
            return Err(format!(
                "member {member} reported honest authority {authority} as equivocating"
            ));
        }
        Ok(())
    }

    /// Proposer `proposer` builds a block for `height` in round `round` (`variant` tells an equivocator's blocks
    /// apart), at slot `first_slot + round`; returns its hash.
    pub fn build(
        &mut self,
        height: u64,
        round: Round,
        proposer: u16,
        variant: u64,
        first_slot: u64,
    ) -> Hash32 {
        let mut h = Sha256::new();
        h.update(b"agreement-sim value");
        for word in [
            self.salt,
            height,
            u64::from(round),
            u64::from(proposer),
            variant,
        ] {
            h.update(word.to_le_bytes());
        }
        let value = Hash32(h.finalize().into());
        self.built.entry(value).or_insert(Built {
            height,
            proposer,
            slot: first_slot + u64::from(round),
        });
        value
    }

    /// The block `value`, if a proposer built it.
    pub fn built(&self, value: &Hash32) -> Option<Built> {
        self.built.get(value).copied()
    }

    /// Tendermint's valid(v) for a proposal: its value is a block built for its height.
    pub fn valid(&self, p: &Proposal) -> bool {
        self.built
            .get(&p.value)
            .is_some_and(|b| b.height == p.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(kind: VoteKind, round: Round, value: Option<Hash32>, voter: u16) -> Vote {
        Vote {
            height: 1,
            round,
            kind,
            value,
            voter,
        }
    }

    /// Four members, member 3 Byzantine.
    fn ledger() -> Ledger {
        Ledger::new(4, 0b0111, 9)
    }

    #[test]
    fn an_honest_double_vote_is_caught_and_a_byzantine_one_is_not() {
        let mut l = ledger();
        let (a, b) = (Hash32([1; 32]), Hash32([2; 32]));
        l.sign_vote(&vote(VoteKind::Prevote, 0, Some(a), 0))
            .unwrap();
        l.sign_vote(&vote(VoteKind::Prevote, 0, Some(a), 0))
            .unwrap();
        l.sign_vote(&vote(VoteKind::Precommit, 0, None, 0)).unwrap();
        assert!(l.sign_vote(&vote(VoteKind::Prevote, 0, None, 0)).is_err());
        assert!(
            l.sign_vote(&vote(VoteKind::Precommit, 0, Some(b), 0))
                .is_err()
        );
        l.sign_vote(&vote(VoteKind::Prevote, 0, Some(a), 3))
            .unwrap();
        l.sign_vote(&vote(VoteKind::Prevote, 0, Some(b), 3))
            .unwrap();
        assert!(l.signed_vote(&vote(VoteKind::Prevote, 0, Some(b), 3)));
        assert!(!l.signed_vote(&vote(VoteKind::Prevote, 0, Some(b), 1)));
    }

    #[test]
    fn two_certified_values_at_one_height_are_caught_across_rounds() {
        let mut l = ledger();
        let (a, b) = (Hash32([1; 32]), Hash32([2; 32]));
        for voter in [0, 1, 3] {
            l.sign_vote(&vote(VoteKind::Precommit, 0, Some(a), voter))
                .unwrap();
        }
        l.sign_vote(&vote(VoteKind::Precommit, 2, Some(b), 3))
            .unwrap();
        l.sign_vote(&vote(VoteKind::Precommit, 2, Some(b), 2))
            .unwrap();
        let err = l.sign_vote(&vote(VoteKind::Precommit, 2, Some(b), 1));
        assert!(err.unwrap_err().contains("SAFETY"));
    }

    #[test]
    fn two_honest_proposals_in_one_round_are_caught() {
        let mut l = ledger();
        let p = Proposal {
            height: 1,
            round: 0,
            value: Hash32([1; 32]),
            valid_round: None,
            proposer: 1,
        };
        l.sign_proposal(&p).unwrap();
        l.sign_proposal(&p).unwrap();
        let other = Proposal {
            valid_round: Some(0),
            ..p
        };
        assert!(l.sign_proposal(&other).is_err());
        l.sign_proposal(&Proposal { proposer: 3, ..p }).unwrap();
        l.sign_proposal(&Proposal {
            proposer: 3,
            ..other
        })
        .unwrap();
    }

    #[test]
    fn decisions_need_a_real_certificate_a_proposed_value_and_agreement() {
        let mut l = ledger();
        let a = l.build(1, 0, 1, 0, 1);
        let b = l.build(1, 1, 2, 0, 1);
        let never = Hash32([9; 32]);
        for value in [a, b] {
            *l.votes
                .entry((1, 0, VoteKind::Precommit, Some(value)))
                .or_default() |= 0b0111;
        }
        let commit = |value, voters| Commit {
            height: 1,
            round: 0,
            value,
            voters,
        };
        // Not proposed yet.
        assert!(l.decide(0, &commit(a, 0b0111)).is_err());
        for (round, value) in [(0, a), (1, b)] {
            let p = Proposal {
                height: 1,
                round,
                value,
                valid_round: None,
                proposer: 3,
            };
            l.sign_proposal(&p).unwrap();
        }
        // Too few voters; a voter that did not precommit; a value never built.
        assert!(l.decide(0, &commit(a, 0b0011)).is_err());
        assert!(l.decide(0, &commit(a, 0b1011)).is_err());
        assert!(l.decide(0, &commit(never, 0b0111)).is_err());
        l.decide(0, &commit(a, 0b0111)).unwrap();
        l.decide(1, &commit(a, 0b0111)).unwrap();
        let err = l.decide(2, &commit(b, 0b0111)).unwrap_err();
        assert!(err.contains("SAFETY"), "{err}");
    }

    #[test]
    fn only_byzantine_members_may_be_reported_and_values_are_valid_at_their_height() {
        let mut l = ledger();
        assert!(l.equivocation(0, 3).is_ok());
        assert!(l.equivocation(0, 1).is_err());
        let v = l.build(4, 2, 1, 0, 10);
        assert_eq!(l.built(&v).map(|b| b.slot), Some(12));
        let p = Proposal {
            height: 4,
            round: 3,
            value: v,
            valid_round: Some(2),
            proposer: 2,
        };
        assert!(l.valid(&p));
        assert!(!l.valid(&Proposal { height: 5, ..p }));
        assert!(!l.valid(&Proposal {
            value: Hash32([3; 32]),
            ..p
        }));
    }
}

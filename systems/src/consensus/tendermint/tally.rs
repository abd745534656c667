//! What a member heard in the rounds of one height: the proposals of each round's proposer and the votes of
//! each kind (each authority's first, and a faulty authority's few other values: an equivocation), bounded in
//! rounds, proposals and votes.

use std::collections::BTreeMap;

use ecsync_components::Hash32;
use ecsync_components::agreement::{Proposal, Round, VoteKind};

/// Most distinct proposals kept per round (an honest proposer makes one; an equivocating one may make many).
pub const MAX_PROPOSALS_PER_ROUND: usize = 4;

/// Most rounds whose messages are kept at once.
pub const MAX_ROUNDS_KEPT: usize = 256;

/// Messages for rounds further than this ahead of the current one are ignored.
pub const MAX_ROUNDS_AHEAD: Round = 64;

/// Most votes of one authority, kind and round counted beside its first (distinct values; a correct authority
/// casts one vote). The paper counts every message: a faulty authority's two votes count for both values, so a
/// quorum one correct member sees, every correct member sees once the votes reach it, whatever their order.
/// Further values are reported as equivocation but not kept.
pub const MAX_EXTRA_VOTES: usize = 8;

/// What adding a vote did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A vote not heard before.
    New,
    /// The same vote again.
    Again,
    /// A different vote of the same authority, kind and round (an equivocation): counted for its value too
    /// while the authority has fewer than [`MAX_EXTRA_VOTES`] such votes.
    Conflict,
}

/// The votes of one kind in one round: the first vote of each authority, and up to [`MAX_EXTRA_VOTES`] other
/// values of an authority that voted several.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    votes: BTreeMap<u16, Option<Hash32>>,
    extra: BTreeMap<u16, Vec<Option<Hash32>>>,
}

impl Tally {
    /// Adds `voter`'s vote for `value` (nil when `None`).
    pub fn add(&mut self, voter: u16, value: Option<Hash32>) -> Added {
        match self.votes.get(&voter) {
            None => {
                self.votes.insert(voter, value);
                Added::New
            }
            Some(v) if *v == value => Added::Again,
            Some(_) => {
                let extra = self.extra.entry(voter).or_default();
                if extra.contains(&value) {
                    return Added::Again;
                }
                if extra.len() < MAX_EXTRA_VOTES {
                    extra.push(value);
                }
                Added::Conflict
            }
        }
    }

    /// Whether `voter` voted for `value` (first or another of its votes).
    fn voted(&self, voter: u16, first: Option<Hash32>, value: Option<Hash32>) -> bool {
        first == value || self.extra.get(&voter).is_some_and(|e| e.contains(&value))
    }

    /// Authorities that voted for `value` (nil when `None`), as a bitmask.
    pub fn voters_for(&self, value: Option<Hash32>) -> u64 {
        self.votes
            .iter()
            .filter(|(i, v)| self.voted(**i, **v, value))
            .fold(0u64, |acc, (i, _)| acc | (1u64 << (*i as u32 % 64)))
    }

    /// How many authorities voted for `value` (nil when `None`).
    pub fn count(&self, value: Option<Hash32>) -> usize {
        self.votes
            .iter()
            .filter(|(i, v)| self.voted(**i, **v, value))
            .count()
    }

    /// How many authorities voted at all, each once (Tendermint's "2f+1 ⟨PREVOTE, h, r, ∗⟩").
    pub fn total(&self) -> usize {
        self.votes.len()
    }

    /// Every vote counted: (voter, value), each authority's first, then the other values of those that voted
    /// several.
    pub fn iter(&self) -> impl Iterator<Item = (u16, Option<Hash32>)> + '_ {
        let firsts = self.votes.iter().map(|(k, v)| (*k, *v));
        let extras = self
            .extra
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (*k, *v)));
        firsts.chain(extras)
    }

    /// Every authority's first vote: (voter, value).
    pub fn firsts(&self) -> impl Iterator<Item = (u16, Option<Hash32>)> + '_ {
        self.votes.iter().map(|(k, v)| (*k, *v))
    }

    /// `voter`'s first vote, if heard.
    pub fn of(&self, voter: u16) -> Option<Option<Hash32>> {
        self.votes.get(&voter).copied()
    }
}

/// A proposal heard, with the driver's judgement of its block (Tendermint's valid(v)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heard {
    /// The proposal.
    pub proposal: Proposal,
    /// valid(v).
    pub valid: bool,
}

/// Everything heard in one round.
#[derive(Clone, Debug, Default)]
pub struct RoundRecord {
    /// The proposer's proposals, in arrival order (distinct values, at most [`MAX_PROPOSALS_PER_ROUND`]).
    pub proposals: Vec<Heard>,
    /// Prevotes.
    pub prevotes: Tally,
    /// Precommits.
    pub precommits: Tally,
    /// Authorities that sent anything in this round (for the round skip).
    pub senders: u64,
    /// Whether the prevote timeout was scheduled (Tendermint line 34, "for the first time").
    pub prevote_timer: bool,
    /// Whether the precommit timeout was scheduled (line 47).
    pub precommit_timer: bool,
    /// Whether the quorum of prevotes for the proposal was acted on (line 36).
    pub polka_done: bool,
}

impl RoundRecord {
    /// The tally of `kind`.
    pub fn tally(&self, kind: VoteKind) -> &Tally {
        match kind {
            VoteKind::Prevote => &self.prevotes,
            VoteKind::Precommit => &self.precommits,
        }
    }

    /// The tally of `kind`, to add to.
    pub fn tally_mut(&mut self, kind: VoteKind) -> &mut Tally {
        match kind {
            VoteKind::Prevote => &mut self.prevotes,
            VoteKind::Precommit => &mut self.precommits,
        }
    }

    /// The proposal of `value`, if heard.
    pub fn proposal_of(&self, value: &Hash32) -> Option<&Heard> {
        self.proposals.iter().find(|h| h.proposal.value == *value)
    }

    /// Adds a proposal: `Added::Again` for a value already heard, `Conflict` for a second value (kept while
    /// fewer than [`MAX_PROPOSALS_PER_ROUND`]).
    pub fn add_proposal(&mut self, heard: Heard) -> Added {
        if self.proposal_of(&heard.proposal.value).is_some() {
            return Added::Again;
        }
        let first = self.proposals.is_empty();
        if self.proposals.len() < MAX_PROPOSALS_PER_ROUND {
            self.proposals.push(heard);
        }
        if first { Added::New } else { Added::Conflict }
    }
}

/// The rounds of one height, bounded: at most [`MAX_ROUNDS_KEPT`], the oldest dropped first except those the
/// caller still needs.
#[derive(Clone, Debug, Default)]
pub struct Rounds {
    map: BTreeMap<Round, RoundRecord>,
}

impl Rounds {
    /// The record of `round`, if any message of it was heard.
    pub fn get(&self, round: Round) -> Option<&RoundRecord> {
        self.map.get(&round)
    }

    /// The record of `round`, made if new; when that makes too many, the oldest round not in `keep` goes.
    pub fn get_mut(&mut self, round: Round, keep: [Option<Round>; 3]) -> &mut RoundRecord {
        if !self.map.contains_key(&round) && self.map.len() >= MAX_ROUNDS_KEPT {
            let oldest = self
                .map
                .keys()
                .copied()
                .find(|r| *r != round && !keep.contains(&Some(*r)));
            if let Some(r) = oldest {
                self.map.remove(&r);
            }
        }
        self.map.entry(round).or_default()
    }

    /// Every round heard, ascending.
    pub fn iter(&self) -> impl Iterator<Item = (&Round, &RoundRecord)> {
        self.map.iter()
    }

    /// Rounds kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_different_vote_is_a_conflict_counted_for_its_value_but_not_in_the_total() {
        let mut t = Tally::default();
        let a = Some(Hash32([1; 32]));
        assert_eq!(t.add(3, a), Added::New);
        assert_eq!(t.add(3, a), Added::Again);
        assert_eq!(t.add(3, None), Added::Conflict);
        assert_eq!(t.add(3, None), Added::Again);
        assert_eq!(t.add(5, None), Added::New);
        assert_eq!(t.of(3), Some(a), "the first stays first");
        assert_eq!((t.count(a), t.count(None)), (1, 2));
        assert_eq!(t.voters_for(a), 1 << 3);
        assert_eq!(t.voters_for(None), (1 << 3) | (1 << 5));
        assert_eq!(t.total(), 2, "each authority once");
        assert_eq!(t.iter().count(), 3);
        assert_eq!(t.firsts().count(), 2);
    }

    #[test]
    fn an_authoritys_extra_votes_are_bounded() {
        let mut t = Tally::default();
        for b in 0..=(MAX_EXTRA_VOTES as u8 + 5) {
            let added = t.add(1, Some(Hash32([b; 32])));
            assert_eq!(added, if b == 0 { Added::New } else { Added::Conflict });
        }
        assert_eq!(t.iter().count(), 1 + MAX_EXTRA_VOTES);
        let last_kept = Some(Hash32([MAX_EXTRA_VOTES as u8; 32]));
        assert_eq!(t.count(last_kept), 1);
        let ignored = Some(Hash32([MAX_EXTRA_VOTES as u8 + 1; 32]));
        assert_eq!(t.count(ignored), 0);
        assert_eq!(t.total(), 1);
    }

    #[test]
    fn rounds_are_bounded_and_keep_what_is_needed() {
        let mut r = Rounds::default();
        for i in 0..(MAX_ROUNDS_KEPT as Round + 10) {
            r.get_mut(i, [Some(0), None, None]).senders = 1;
        }
        assert_eq!(r.len(), MAX_ROUNDS_KEPT);
        assert!(r.get(0).is_some(), "a kept round is never dropped");
        assert!(r.get(1).is_none(), "the oldest other round went first");
    }
}

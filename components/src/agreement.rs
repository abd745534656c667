//! The data of the federation's agreement on each block: rounds, steps, votes, proposals and the state a member
//! keeps durably. The protocol is Tendermint's (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus",
//! 2018, Algorithm 1); its rules are in `ecsync_systems::consensus::tendermint`, its argument in
//! docs/CONSENSUS.md.
//!
//! A value is a block hash. A vote names the height, the round, its kind and a value or nil. What a member signs
//! for a vote is [`vote_message`]: a block's quorum certificate is the aggregate of its precommits, so the
//! message of a precommit for a block is what a block's approval signs.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Hash32;

/// A round of one height: 0, 1, 2, ...
pub type Round = u32;

/// The two kinds of vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VoteKind {
    /// First phase: "this proposal is valid and I am free to vote for it".
    Prevote,
    /// Second phase: "a quorum prevoted this value in this round" (and I lock on it).
    Precommit,
}

impl VoteKind {
    /// Its byte in [`vote_message`].
    pub fn byte(self) -> u8 {
        match self {
            VoteKind::Prevote => 1,
            VoteKind::Precommit => 2,
        }
    }

    /// A short name for logs and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            VoteKind::Prevote => "prevote",
            VoteKind::Precommit => "precommit",
        }
    }
}

/// The step of a member within its current round.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Step {
    /// Waiting for the round's proposal.
    #[default]
    Propose,
    /// Prevoted; waiting for a quorum of prevotes.
    Prevote,
    /// Precommitted; waiting for a quorum of precommits.
    Precommit,
}

impl Step {
    /// A short name for logs and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Step::Propose => "propose",
            Step::Prevote => "prevote",
            Step::Precommit => "precommit",
        }
    }
}

/// Domain tag of [`vote_message`]. The BLS signature's DST separates it from any other use of the keys.
pub const VOTE_TAG: &[u8] = b"ECSYNC_V2_VOTE";

/// The 32 bytes a member signs for a vote: SHA-256 of the tag, the kind, the height, the round and the value (a
/// presence byte, then the hash or 32 zero bytes for nil), all fixed width, little-endian. A precommit for a
/// block is what its approval's aggregate signs, with the round the approval names.
pub fn vote_message(kind: VoteKind, height: u64, round: Round, value: Option<&Hash32>) -> Hash32 {
    let mut h = Sha256::new();
    h.update(VOTE_TAG);
    h.update([kind.byte()]);
    h.update(height.to_le_bytes());
    h.update(round.to_le_bytes());
    match value {
        Some(v) => {
            h.update([1u8]);
            h.update(v.0);
        }
        None => {
            h.update([0u8]);
            h.update([0u8; 32]);
        }
    }
    Hash32(h.finalize().into())
}

/// Domain tag of [`proposal_message`].
pub const PROPOSAL_TAG: &[u8] = b"ECSYNC_V2_PROPOSAL";

/// The 32 bytes a proposer signs for a proposal: SHA-256 of the tag, the height, the round, the block hash and
/// the valid round (a presence byte, then the round or zero), fixed width, little-endian.
pub fn proposal_message(
    height: u64,
    round: Round,
    value: &Hash32,
    valid_round: Option<Round>,
) -> Hash32 {
    let mut h = Sha256::new();
    h.update(PROPOSAL_TAG);
    h.update(height.to_le_bytes());
    h.update(round.to_le_bytes());
    h.update(value.0);
    match valid_round {
        Some(r) => {
            h.update([1u8]);
            h.update(r.to_le_bytes());
        }
        None => {
            h.update([0u8]);
            h.update(0u32.to_le_bytes());
        }
    }
    Hash32(h.finalize().into())
}

/// A vote as the rules see it (its signature, checked before, travels beside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Vote {
    /// The height voted at.
    pub height: u64,
    /// The round voted in.
    pub round: Round,
    /// Prevote or precommit.
    pub kind: VoteKind,
    /// The block hash voted for; `None` is nil.
    pub value: Option<Hash32>,
    /// The voter's authority index in the spec.
    pub voter: u16,
}

impl Vote {
    /// The bytes the voter signs.
    pub fn message(&self) -> Hash32 {
        vote_message(self.kind, self.height, self.round, self.value.as_ref())
    }
}

/// A proposal as the rules see it: round `round`'s proposer proposes `value`, with the round in which it saw a
/// quorum prevote it (`valid_round`, Tendermint's `validRound`; `None` for a fresh value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Proposal {
    /// The height proposed at.
    pub height: u64,
    /// The round proposed in.
    pub round: Round,
    /// The proposed block's hash.
    pub value: Hash32,
    /// Tendermint's `validRound`: the round of the quorum of prevotes that makes `value` safe to propose again.
    pub valid_round: Option<Round>,
    /// The proposer's authority index.
    pub proposer: u16,
}

impl Proposal {
    /// The bytes the proposer signs.
    pub fn message(&self) -> Hash32 {
        proposal_message(self.height, self.round, &self.value, self.valid_round)
    }
}

/// A value with the round it was locked or found valid in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoundValue {
    /// The round.
    pub round: Round,
    /// The block hash.
    pub value: Hash32,
}

/// Most votes in [`RoundState::justification`]: each authority's (at most 64, `spec::MAX_AUTHORITIES`) first
/// prevote and first precommit of the current and the previous round (4 × 64), and its prevotes for the valid
/// value in the valid round and for the locked value in the locked round (2 × 64: an authority prevotes one
/// value once, or, if faulty, one of its counted extra votes names it). A longer list is cut on resume.
pub const MAX_JUSTIFICATION: usize = 6 * 64;

/// Everything a member must remember across a restart to never sign against its own votes and to resume where
/// it was (written, and made durable, before any signature it implies leaves the node): the height, round and
/// step, the lock and the valid value, what it signed in this round, and the others' votes that justify them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundState {
    /// The height being agreed on (the head's + 1).
    pub height: u64,
    /// The current round.
    pub round: Round,
    /// The step within it.
    pub step: Step,
    /// Tendermint's `lockedValue`/`lockedRound`.
    pub locked: Option<RoundValue>,
    /// Tendermint's `validValue`/`validRound`.
    pub valid: Option<RoundValue>,
    /// What it proposed in this round, if it is the proposer and did.
    pub proposed: Option<Proposal>,
    /// Its prevote in this round, if any.
    pub prevoted: Option<Vote>,
    /// Its precommit in this round, if any.
    pub precommitted: Option<Vote>,
    /// The votes it heard that justify where it is (at most [`MAX_JUSTIFICATION`], unsigned: the driver keeps
    /// their signatures): every authority's first prevote and precommit of the current and the previous round
    /// (the 2f + 1 precommits of any value that ended the previous round, paper line 47, or the f + 1 messages of
    /// the current round that moved it there, line 55), and the prevotes for the valid value in the valid round
    /// and for the locked value in the locked round (the 2f + 1 prevotes line 28 needs to vote for it again).
    /// Counted again on resume and relayed by gossip, so a restart loses none of them.
    pub justification: Vec<Vote>,
}

/// A vote seen, as the world dump shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteSeen {
    /// The round.
    pub round: Round,
    /// Prevote or precommit.
    pub kind: VoteKind,
    /// The voter's authority index.
    pub voter: u16,
    /// The value, `None` for nil.
    pub value: Option<Hash32>,
}

/// Most decided rounds remembered in [`Consensus::decided_rounds`].
pub const DECIDED_ROUNDS_KEPT: usize = 64;

/// The agreement as the world dump and /metrics see it, refreshed by the agreement system each tick (absent
/// data on a node that is no member).
#[derive(
    bevy_ecs::resource::Resource, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct Consensus {
    /// Whether this node takes part (a federation member).
    pub member: bool,
    /// The height agreed on.
    pub height: u64,
    /// Its current round.
    pub round: Round,
    /// The step in it.
    pub step: Step,
    /// The round's proposer.
    pub proposer: u16,
    /// Whether the production gate lets it sign.
    pub gate_open: bool,
    /// Its lock.
    pub locked: Option<RoundValue>,
    /// Its valid value.
    pub valid: Option<RoundValue>,
    /// The proposals heard at this height (bounded by the driver).
    pub proposals: Vec<Proposal>,
    /// The votes heard in the current and the previous round.
    pub votes: Vec<VoteSeen>,
    /// Equivocations seen since start, by authority.
    pub equivocations: std::collections::BTreeMap<u16, u64>,
    /// Timeouts that moved it on, by step (propose, prevote, precommit).
    pub timeouts: [u64; 3],
    /// Votes it signed since start (prevotes, precommits), re-sent ones not counted.
    pub signed: [u64; 2],
    /// Heights decided since start.
    pub decided: u64,
    /// The rounds the latest heights were decided in (at most [`DECIDED_ROUNDS_KEPT`], oldest first).
    pub decided_rounds: Vec<Round>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_messages_differ_by_every_field() {
        let v = Hash32([7; 32]);
        let base = vote_message(VoteKind::Precommit, 5, 2, Some(&v));
        assert_ne!(base, vote_message(VoteKind::Prevote, 5, 2, Some(&v)));
        assert_ne!(base, vote_message(VoteKind::Precommit, 6, 2, Some(&v)));
        assert_ne!(base, vote_message(VoteKind::Precommit, 5, 3, Some(&v)));
        assert_ne!(
            base,
            vote_message(VoteKind::Precommit, 5, 2, Some(&Hash32([8; 32])))
        );
        assert_ne!(base, vote_message(VoteKind::Precommit, 5, 2, None));
        assert_ne!(
            vote_message(VoteKind::Precommit, 5, 2, None),
            vote_message(VoteKind::Precommit, 5, 2, Some(&Hash32::ZERO))
        );
    }
}

//! The federation's agreement on one height: Tendermint, Algorithm 1 of Buchman, Kwon and Milosevic, "The
//! latest gossip on BFT consensus" (2018), as CometBFT runs it. docs/CONSENSUS.md states the rules with their
//! line numbers in the paper, the assumptions and the arguments for safety and liveness.
//!
//! [`Tendermint`] is the state machine of one member at one height: no IO, no clock, no signatures. The driver
//! feeds it proposals and votes whose signatures it checked, hands back the timers it asked for, and does what
//! it outputs: sign and send votes and proposals (after making [`Tendermint::state`] durable), build a block when
//! it is the proposer, import the decided block with its quorum certificate. A value is a block hash; the
//! driver judges a proposed block's validity (the paper's `valid(v)`).
//!
//! Rounds have a proposer each: round `r` of a height whose parent is in slot `s` is proposed by the Aura
//! producer of slot `s + 1 + r`, not before that slot begins. A member holding several authority keys votes
//! with each of them (same vote); a member whose production gate is closed signs nothing but still follows
//! the rounds (it abstains, as a slow process would).

mod rules;
mod tally;

pub use tally::{
    Added, MAX_EXTRA_VOTES, MAX_PROPOSALS_PER_ROUND, MAX_ROUNDS_AHEAD, MAX_ROUNDS_KEPT, Tally,
};

use ecsync_components::Hash32;
use ecsync_components::agreement::{
    MAX_JUSTIFICATION, Proposal, Round, RoundState, RoundValue, Step, Vote, VoteKind,
};

use tally::{Heard, Rounds};

/// Timeouts of a round (the paper's timeoutPropose/Prevote/Precommit(r)): a base each, plus `per_round_ms` per
/// round, growing for `max_growth_rounds` rounds and then staying (partial synchrony needs them to exceed the
/// unknown delay bound eventually; capping keeps a long partition from making the first round after it absurdly
/// long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Base of timeoutPropose, counted from the proposer's slot start by the member's clock.
    pub propose_ms: u64,
    /// Base of timeoutPrevote.
    pub prevote_ms: u64,
    /// Base of timeoutPrecommit.
    pub precommit_ms: u64,
    /// Added per round to each.
    pub per_round_ms: u64,
    /// Rounds after which the timeouts stop growing.
    pub max_growth_rounds: Round,
}

impl Timeouts {
    /// The node's timeouts for a slot of `slot_ms`: propose one slot, prevote and precommit half a slot each,
    /// each growing by half a slot per round for 64 rounds.
    pub fn for_slot(slot_ms: u64) -> Self {
        let half = (slot_ms / 2).max(1);
        Timeouts {
            propose_ms: slot_ms.max(1),
            prevote_ms: half,
            precommit_ms: half,
            per_round_ms: half,
            max_growth_rounds: 64,
        }
    }

    /// The timeout of `step` in `round`, in ms.
    pub fn of(&self, step: Step, round: Round) -> u64 {
        let base = match step {
            Step::Propose => self.propose_ms,
            Step::Prevote => self.prevote_ms,
            Step::Precommit => self.precommit_ms,
        };
        base + self.per_round_ms * u64::from(round.min(self.max_growth_rounds))
    }
}

/// What the rules need to know of the height being agreed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeightSetup {
    /// The height (the head's + 1).
    pub height: u64,
    /// Authorities in the spec, 1..=64.
    pub authorities: usize,
    /// The authorities this node signs for, as a bitmask (0: it never votes).
    pub held: u64,
    /// The parent's slot + 1: round `r` is proposed by `authorities[(first_slot + r) % n]`.
    pub first_slot: u64,
    /// The chain's genesis time.
    pub genesis_ms: u64,
    /// The slot's length.
    pub slot_ms: u64,
    /// The timeouts.
    pub timeouts: Timeouts,
}

impl HeightSetup {
    /// Round `round`'s proposer.
    pub fn proposer(&self, round: Round) -> u16 {
        let n = self.authorities.max(1) as u64;
        (self.first_slot.wrapping_add(u64::from(round)) % n) as u16
    }

    /// The quorum ⌈2n/3⌉ (two quorums share more than f = ⌊(n−1)/3⌋ authorities).
    pub fn quorum(&self) -> usize {
        ecsync_components::quorum(self.authorities)
    }

    /// f + 1: enough authorities that one is correct (the round skip's threshold).
    pub fn skip(&self) -> usize {
        self.authorities.saturating_sub(1) / 3 + 1
    }

    /// When round `round`'s proposer may propose: the start of slot `first_slot + round`.
    pub fn earliest_proposal_ms(&self, round: Round) -> u64 {
        let slot = self.first_slot.saturating_add(u64::from(round));
        self.genesis_ms
            .saturating_add(slot.saturating_mul(self.slot_ms))
    }

    /// Whether this node signs for authority `index`.
    pub fn holds(&self, index: u16) -> bool {
        index < 64 && self.held & (1u64 << index) != 0
    }

    fn held_indices(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.authorities.min(64) as u16).filter(|i| self.holds(*i))
    }
}

/// A timer the driver keeps and hands back to [`Tendermint::on_timeout`] when due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The proposer's slot has begun: propose now.
    ProposeAt {
        /// Height.
        height: u64,
        /// Round.
        round: Round,
    },
    /// The paper's OnTimeoutPropose.
    Propose {
        /// Height.
        height: u64,
        /// Round.
        round: Round,
    },
    /// OnTimeoutPrevote.
    Prevote {
        /// Height.
        height: u64,
        /// Round.
        round: Round,
    },
    /// OnTimeoutPrecommit.
    Precommit {
        /// Height.
        height: u64,
        /// Round.
        round: Round,
    },
}

/// What the driver must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// This node proposes in `round`: `valid` again (its value, with `valid_round` its round), or a fresh block
    /// when `None`; then it calls [`Tendermint::propose`].
    Propose {
        /// Height.
        height: u64,
        /// Round.
        round: Round,
        /// Tendermint's validValue/validRound.
        valid: Option<RoundValue>,
    },
    /// Sign and send this vote to every member (already counted here). The state is made durable first.
    Vote(Vote),
    /// Sign and send this proposal to every member. The state is made durable first.
    Proposal(Proposal),
    /// Hand `timer` back at `at_ms` (the member's clock).
    Schedule {
        /// The timer.
        timer: Timer,
        /// When.
        at_ms: u64,
    },
    /// Decided: `value` has precommits from the quorum `voters` (a bitmask) in `round`.
    Decide {
        /// Height.
        height: u64,
        /// The round of the certificate.
        round: Round,
        /// The block hash.
        value: Hash32,
        /// Who precommitted it in that round (at least a quorum).
        voters: u64,
    },
    /// An authority signed two different messages of one kind in one round (logged once per authority, round
    /// and kind).
    Equivocation {
        /// The authority.
        authority: u16,
        /// The round.
        round: Round,
        /// "proposal", "prevote" or "precommit".
        kind: &'static str,
    },
}

/// One member's agreement on one height. See the module docs.
#[derive(Clone, Debug)]
pub struct Tendermint {
    setup: HeightSetup,
    state: RoundState,
    gate_open: bool,
    rounds: Rounds,
    decided: Option<(Round, Hash32)>,
    reported: Vec<(u16, Round, &'static str)>,
}

// The justification's bound counts 64 authorities at most.
const _: () = assert!(MAX_JUSTIFICATION == 6 * ecsync_components::spec::MAX_AUTHORITIES);

/// Most equivocations reported per height (one line each).
const MAX_REPORTED: usize = 256;

impl Tendermint {
    /// Starts the agreement on `setup.height`, or resumes it from `saved` when that is this height's: the
    /// round, step, lock, valid value and what was signed come back, what was signed is sent again (the same
    /// messages: signing is deterministic), the votes of `saved.justification` are counted again (those
    /// [`Tendermint::on_vote`] would take: this height, a known authority, not too far ahead; at most
    /// [`MAX_JUSTIFICATION`]) and the timers of the current step are asked for.
    pub fn new(
        setup: HeightSetup,
        saved: Option<RoundState>,
        gate_open: bool,
        now_ms: u64,
    ) -> (Self, Vec<Output>) {
        let mut t = Tendermint {
            setup,
            state: RoundState {
                height: setup.height,
                ..RoundState::default()
            },
            gate_open,
            rounds: Rounds::default(),
            decided: None,
            reported: Vec::new(),
        };
        let mut out = Vec::new();
        match saved.filter(|s| s.height == setup.height) {
            Some(s) => t.resume(s, now_ms, &mut out),
            None => t.start_round(0, now_ms, &mut out),
        }
        t.apply_rules(now_ms, &mut out);
        (t, out)
    }

    /// The height's setup.
    pub fn setup(&self) -> &HeightSetup {
        &self.setup
    }

    /// What must be durable before any signature this node sends, with the votes that justify it
    /// (`RoundState::justification`, refreshed by every call that may change it).
    pub fn state(&self) -> &RoundState {
        &self.state
    }

    /// The height.
    pub fn height(&self) -> u64 {
        self.setup.height
    }

    /// The current round.
    pub fn round(&self) -> Round {
        self.state.round
    }

    /// The decision, once taken: the certificate's round and the value.
    pub fn decided(&self) -> Option<(Round, Hash32)> {
        self.decided
    }

    /// Whether the production gate is open.
    pub fn gate_open(&self) -> bool {
        self.gate_open
    }

    /// The votes of `kind` heard in `round`.
    pub fn tally(&self, round: Round, kind: VoteKind) -> Option<&Tally> {
        self.rounds.get(round).map(|r| r.tally(kind))
    }

    /// Rounds with messages kept.
    pub fn rounds_kept(&self) -> usize {
        self.rounds.len()
    }

    /// A proposal whose signature the driver checked, with its judgement of the block (`valid(v)`). One not
    /// from its round's proposer, of another height or too far ahead is ignored.
    pub fn on_proposal(&mut self, p: Proposal, valid: bool, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.admits(p.height, p.round, p.proposer) || p.proposer != self.setup.proposer(p.round)
        {
            return out;
        }
        if p.valid_round.is_some_and(|vr| vr >= p.round) {
            return out;
        }
        let keep = self.keep();
        let record = self.rounds.get_mut(p.round, keep);
        record.senders |= 1u64 << p.proposer;
        if record.add_proposal(Heard { proposal: p, valid }) == Added::Conflict {
            self.report(p.proposer, p.round, "proposal", &mut out);
        }
        self.apply_rules(now_ms, &mut out);
        out
    }

    /// A vote whose signature the driver checked. One of another height, of an unknown authority or too far
    /// ahead is ignored; a second, different vote of one authority, kind and round is reported.
    pub fn on_vote(&mut self, v: Vote, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.admits(v.height, v.round, v.voter) {
            return out;
        }
        self.hear(v, &mut out);
        self.apply_rules(now_ms, &mut out);
        out
    }

    /// Counts `v` (admitted), reporting a second, different vote of its authority, kind and round.
    fn hear(&mut self, v: Vote, out: &mut Vec<Output>) {
        let keep = self.keep();
        let record = self.rounds.get_mut(v.round, keep);
        record.senders |= 1u64 << v.voter;
        if record.tally_mut(v.kind).add(v.voter, v.value) == Added::Conflict {
            self.report(v.voter, v.round, v.kind.name(), out);
        }
    }

    /// A timer asked for, now due (a stale one does nothing).
    pub fn on_timeout(&mut self, timer: Timer, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if self.decided.is_none() {
            self.timeout(timer, now_ms, &mut out);
            self.apply_rules(now_ms, &mut out);
        }
        out
    }

    /// The value this node proposes, after [`Output::Propose`]: a fresh block's hash, or the valid value. At
    /// most one proposal per round: a second, different value is refused (nothing is output).
    pub fn propose(&mut self, value: Hash32, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        let round = self.state.round;
        let proposer = self.setup.proposer(round);
        let may = self.decided.is_none()
            && self.gate_open
            && self.state.step == Step::Propose
            && self.setup.holds(proposer);
        if !may || self.state.proposed.is_some_and(|p| p.value != value) {
            return out;
        }
        let valid_round = self
            .state
            .valid
            .filter(|v| v.value == value)
            .map(|v| v.round);
        let p = Proposal {
            height: self.setup.height,
            round,
            value,
            valid_round,
            proposer,
        };
        self.state.proposed = Some(p);
        out.push(Output::Proposal(p));
        out.extend(self.on_proposal(p, true, now_ms));
        out
    }

    /// A quorum certificate for this height learned elsewhere (a synced block, a peer's last commit) that the
    /// driver verified: decides when `voters` holds a quorum.
    pub fn on_commit(
        &mut self,
        round: Round,
        value: Hash32,
        voters: u64,
        _now_ms: u64,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let known = voters & self.all_mask();
        if self.decided.is_none() && known.count_ones() as usize >= self.setup.quorum() {
            self.decide(round, value, known, &mut out);
        }
        out
    }

    /// Opens or closes the production gate. Closed, this node signs nothing (no proposal, no vote) but follows
    /// the rounds; reopened, it acts on what it heard meanwhile.
    pub fn set_gate(&mut self, open: bool, now_ms: u64) -> Vec<Output> {
        let mut out = Vec::new();
        let opened = open && !self.gate_open;
        self.gate_open = open;
        if opened && self.decided.is_none() {
            self.maybe_propose(now_ms, &mut out);
            self.apply_rules(now_ms, &mut out);
        }
        out
    }

    /// What to send again (each slot, and to a member that connects), the paper's gossip (a message one correct
    /// member holds reaches every correct member): the proposals held for the current round and the valid round,
    /// every vote held of the current and the previous round from every authority (its own and the others',
    /// with a faulty authority's counted extra votes), and every prevote held for the valid round (the quorum a
    /// locked member needs to see before it may vote for that value). Bounded: at most
    /// 2 × [`MAX_PROPOSALS_PER_ROUND`] proposals and (2 × 2 + 1) × 64 × (1 + [`MAX_EXTRA_VOTES`]) = 2,880 votes.
    pub fn gossip(&self) -> (Vec<Proposal>, Vec<Vote>) {
        let round = self.state.round;
        let valid_round = self.state.valid.map(|v| v.round);
        let mut proposals = Vec::new();
        for r in [Some(round), valid_round].into_iter().flatten() {
            if let Some(rec) = self.rounds.get(r) {
                proposals.extend(rec.proposals.iter().map(|h| h.proposal));
            }
        }
        proposals.dedup();
        let recent = [round.checked_sub(1), Some(round)];
        let mut votes = Vec::new();
        for r in recent.into_iter().flatten() {
            for kind in [VoteKind::Prevote, VoteKind::Precommit] {
                votes.extend(self.votes_held(r, kind, None));
            }
        }
        if let Some(vr) = valid_round.filter(|vr| !recent.contains(&Some(*vr))) {
            votes.extend(self.votes_held(vr, VoteKind::Prevote, None));
        }
        (proposals, votes)
    }

    /// The votes of `kind` held for `round` (only those for `value` when given; `Some(None)` is nil), each
    /// authority's first first.
    fn votes_held(
        &self,
        round: Round,
        kind: VoteKind,
        value: Option<Option<Hash32>>,
    ) -> impl Iterator<Item = Vote> + '_ {
        self.rounds
            .get(round)
            .into_iter()
            .flat_map(move |rec| rec.tally(kind).iter())
            .filter(move |(_, v)| value.is_none_or(|want| *v == want))
            .map(move |(voter, v)| self.vote(round, kind, v, voter))
    }

    /// What `RoundState::justification` holds now: every authority's first prevote and precommit of the
    /// current and the previous round, and the prevotes for the valid value in the valid round and for the
    /// locked value in the locked round; at most [`MAX_JUSTIFICATION`].
    fn justification(&self) -> Vec<Vote> {
        let round = self.state.round;
        let mut out = Vec::new();
        for r in [round.checked_sub(1), Some(round)].into_iter().flatten() {
            let Some(rec) = self.rounds.get(r) else {
                continue;
            };
            for kind in [VoteKind::Prevote, VoteKind::Precommit] {
                let firsts = rec.tally(kind).firsts();
                out.extend(firsts.map(|(voter, value)| self.vote(r, kind, value, voter)));
            }
        }
        for rv in [self.state.valid, self.state.locked].into_iter().flatten() {
            for v in self.votes_held(rv.round, VoteKind::Prevote, Some(Some(rv.value))) {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out.truncate(MAX_JUSTIFICATION);
        out
    }

    fn vote(&self, round: Round, kind: VoteKind, value: Option<Hash32>, voter: u16) -> Vote {
        Vote {
            height: self.setup.height,
            round,
            kind,
            value,
            voter,
        }
    }

    fn all_mask(&self) -> u64 {
        match self.setup.authorities {
            n if n >= 64 => u64::MAX,
            n => (1u64 << n) - 1,
        }
    }

    fn admits(&self, height: u64, round: Round, authority: u16) -> bool {
        self.decided.is_none()
            && height == self.setup.height
            && usize::from(authority) < self.setup.authorities.min(64)
            && round <= self.state.round.saturating_add(MAX_ROUNDS_AHEAD)
    }

    fn keep(&self) -> [Option<Round>; 3] {
        [
            Some(self.state.round),
            self.state.locked.map(|l| l.round),
            self.state.valid.map(|v| v.round),
        ]
    }

    fn report(&mut self, authority: u16, round: Round, kind: &'static str, out: &mut Vec<Output>) {
        let key = (authority, round, kind);
        if self.reported.len() < MAX_REPORTED && !self.reported.contains(&key) {
            self.reported.push(key);
            out.push(Output::Equivocation {
                authority,
                round,
                kind,
            });
        }
    }
}

#[cfg(test)]
mod tests;

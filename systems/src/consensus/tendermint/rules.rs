//! The "upon" rules of Algorithm 1 (line numbers of the paper in each comment), applied until none fires, and
//! the round's start, timeouts and votes.

use ecsync_components::Hash32;
use ecsync_components::agreement::{
    MAX_JUSTIFICATION, Round, RoundState, RoundValue, Step, Vote, VoteKind,
};

use super::tally::Heard;
use super::{Output, Tendermint, Timer};

/// Most rule firings in one call (each fires at most a few times per round; this only guards a bug).
const MAX_FIRINGS: usize = 10_000;

impl Tendermint {
    /// StartRound(round) (lines 11–21): the step is propose; the proposer proposes once its slot has begun,
    /// everyone else waits for timeoutPropose counted from that slot's start.
    pub(super) fn start_round(&mut self, round: Round, now_ms: u64, out: &mut Vec<Output>) {
        self.state.round = round;
        self.state.step = Step::Propose;
        self.state.proposed = None;
        self.state.prevoted = None;
        self.state.precommitted = None;
        self.schedule_propose_timeout(now_ms, out);
        self.maybe_propose(now_ms, out);
    }

    /// timeoutPropose of the current round, counted from the later of now and the proposer's slot start.
    fn schedule_propose_timeout(&self, now_ms: u64, out: &mut Vec<Output>) {
        let round = self.state.round;
        let from = now_ms.max(self.setup.earliest_proposal_ms(round));
        out.push(Output::Schedule {
            timer: Timer::Propose {
                height: self.setup.height,
                round,
            },
            at_ms: from.saturating_add(self.setup.timeouts.of(Step::Propose, round)),
        });
    }

    /// The proposer's part of StartRound: propose validValue or a fresh value once the round's slot has begun.
    pub(super) fn maybe_propose(&mut self, now_ms: u64, out: &mut Vec<Output>) {
        let round = self.state.round;
        let mine = self.setup.holds(self.setup.proposer(round));
        if !mine
            || !self.gate_open
            || self.state.step != Step::Propose
            || self.state.proposed.is_some()
        {
            return;
        }
        let at_ms = self.setup.earliest_proposal_ms(round);
        if now_ms < at_ms {
            let timer = Timer::ProposeAt {
                height: self.setup.height,
                round,
            };
            out.push(Output::Schedule { timer, at_ms });
            return;
        }
        out.push(Output::Propose {
            height: self.setup.height,
            round,
            valid: self.state.valid,
        });
    }

    /// Resumes from the durable state: counts the votes that justified it (those `on_vote` would take, at most
    /// [`MAX_JUSTIFICATION`]), counts and sends again what was signed, asks for the step's timers.
    pub(super) fn resume(&mut self, mut saved: RoundState, now_ms: u64, out: &mut Vec<Output>) {
        let justification = std::mem::take(&mut saved.justification);
        self.state = saved;
        for v in justification.into_iter().take(MAX_JUSTIFICATION) {
            if self.admits(v.height, v.round, v.voter) {
                self.hear(v, out);
            }
        }
        let keep = self.keep();
        if let Some(p) = self.state.proposed {
            let record = self.rounds.get_mut(p.round, keep);
            record.add_proposal(Heard {
                proposal: p,
                valid: true,
            });
            record.senders |= 1u64 << p.proposer;
            out.push(Output::Proposal(p));
        }
        for vote in [self.state.prevoted, self.state.precommitted]
            .into_iter()
            .flatten()
        {
            for voter in self.setup.held_indices().collect::<Vec<_>>() {
                let v = Vote { voter, ..vote };
                self.count(v);
                out.push(Output::Vote(v));
            }
        }
        if self.state.step == Step::Propose {
            self.schedule_propose_timeout(now_ms, out);
            self.maybe_propose(now_ms, out);
        }
    }

    /// OnTimeoutPropose (57), OnTimeoutPrevote (61), OnTimeoutPrecommit (65), and the proposer's slot start.
    pub(super) fn timeout(&mut self, timer: Timer, now_ms: u64, out: &mut Vec<Output>) {
        let (height, round) = match timer {
            Timer::ProposeAt { height, round }
            | Timer::Propose { height, round }
            | Timer::Prevote { height, round }
            | Timer::Precommit { height, round } => (height, round),
        };
        if height != self.setup.height || round != self.state.round {
            return;
        }
        match timer {
            Timer::ProposeAt { .. } => self.maybe_propose(now_ms, out),
            Timer::Propose { .. } if self.state.step == Step::Propose => {
                self.cast(VoteKind::Prevote, None, out);
            }
            Timer::Prevote { .. } if self.state.step == Step::Prevote => {
                self.cast(VoteKind::Precommit, None, out);
            }
            Timer::Precommit { .. } => self.start_round(round + 1, now_ms, out),
            _ => {}
        }
    }

    /// Votes `value` (nil when `None`) with every authority held, when the gate is open, and moves to the step
    /// after that vote either way (a member whose gate is closed abstains).
    pub(super) fn cast(&mut self, kind: VoteKind, value: Option<Hash32>, out: &mut Vec<Output>) {
        self.state.step = match kind {
            VoteKind::Prevote => Step::Prevote,
            VoteKind::Precommit => Step::Precommit,
        };
        if !self.gate_open {
            return;
        }
        let round = self.state.round;
        let mut first = None;
        for voter in self.setup.held_indices().collect::<Vec<_>>() {
            let v = self.vote(round, kind, value, voter);
            self.count(v);
            first.get_or_insert(v);
            out.push(Output::Vote(v));
        }
        match kind {
            VoteKind::Prevote => self.state.prevoted = first,
            VoteKind::Precommit => self.state.precommitted = first,
        }
    }

    fn count(&mut self, v: Vote) {
        let keep = self.keep();
        let record = self.rounds.get_mut(v.round, keep);
        record.senders |= 1u64 << v.voter;
        record.tally_mut(v.kind).add(v.voter, v.value);
    }

    pub(super) fn decide(
        &mut self,
        round: Round,
        value: Hash32,
        voters: u64,
        out: &mut Vec<Output>,
    ) {
        self.decided = Some((round, value));
        out.push(Output::Decide {
            height: self.setup.height,
            round,
            value,
            voters,
        });
    }

    /// Applies the upon rules until none fires (or the height is decided), then refreshes the state's
    /// justification (every change of the tally or the round goes through here).
    pub(super) fn apply_rules(&mut self, now_ms: u64, out: &mut Vec<Output>) {
        self.fire_rules(now_ms, out);
        self.state.justification = self.justification();
    }

    fn fire_rules(&mut self, now_ms: u64, out: &mut Vec<Output>) {
        for _ in 0..MAX_FIRINGS {
            if self.decided.is_some() {
                return;
            }
            let fired = self.rule_decide(out)
                || self.rule_proposal(out)
                || self.rule_prevotes(now_ms, out)
                || self.rule_precommit_timer(now_ms, out)
                || self.rule_skip(now_ms, out);
            if !fired {
                return;
            }
        }
        debug_assert!(false, "tendermint rules did not settle");
    }

    /// Lines 22 and 28: the first proposal of the round that may be voted on decides the prevote.
    fn rule_proposal(&mut self, out: &mut Vec<Output>) -> bool {
        if self.state.step != Step::Propose {
            return false;
        }
        let round = self.state.round;
        let Some(record) = self.rounds.get(round) else {
            return false;
        };
        let quorum = self.setup.quorum();
        let locked = self.state.locked;
        for heard in &record.proposals {
            let v = heard.proposal.value;
            let free = match heard.proposal.valid_round {
                // Line 22: a fresh value.
                None => locked.is_none_or(|l| l.value == v),
                // Line 28: a value a quorum prevoted in an earlier round `vr`.
                Some(vr) => {
                    let polka = self
                        .rounds
                        .get(vr)
                        .is_some_and(|r| r.prevotes.count(Some(v)) >= quorum);
                    if vr >= round || !polka {
                        continue;
                    }
                    locked.is_none_or(|l| l.round <= vr || l.value == v)
                }
            };
            let value = (heard.valid && free).then_some(v);
            self.cast(VoteKind::Prevote, value, out);
            return true;
        }
        false
    }

    /// Lines 36 (lock and precommit on a polka for the round's proposal), 44 (precommit nil on a quorum of nil
    /// prevotes) and 34 (a quorum of any prevotes starts timeoutPrevote).
    fn rule_prevotes(&mut self, now_ms: u64, out: &mut Vec<Output>) -> bool {
        let round = self.state.round;
        let quorum = self.setup.quorum();
        let step = self.state.step;
        let Some(record) = self.rounds.get(round) else {
            return false;
        };
        let polka = record
            .proposals
            .iter()
            .find(|h| h.valid && record.prevotes.count(Some(h.proposal.value)) >= quorum)
            .map(|h| h.proposal.value);
        let nil = record.prevotes.count(None) >= quorum;
        let any = record.prevotes.total() >= quorum;
        let (polka_done, timer_done) = (record.polka_done, record.prevote_timer);
        let keep = self.keep();
        if let Some(value) = polka.filter(|_| step >= Step::Prevote && !polka_done) {
            self.rounds.get_mut(round, keep).polka_done = true;
            if step == Step::Prevote {
                self.state.locked = Some(RoundValue { round, value });
                self.cast(VoteKind::Precommit, Some(value), out);
            }
            self.state.valid = Some(RoundValue { round, value });
            return true;
        }
        if step == Step::Prevote && nil {
            self.cast(VoteKind::Precommit, None, out);
            return true;
        }
        if step == Step::Prevote && any && !timer_done {
            self.rounds.get_mut(round, keep).prevote_timer = true;
            let timer = Timer::Prevote {
                height: self.setup.height,
                round,
            };
            let at_ms = now_ms.saturating_add(self.setup.timeouts.of(Step::Prevote, round));
            out.push(Output::Schedule { timer, at_ms });
            return true;
        }
        false
    }

    /// Line 47: a quorum of any precommits in the round starts timeoutPrecommit.
    fn rule_precommit_timer(&mut self, now_ms: u64, out: &mut Vec<Output>) -> bool {
        let round = self.state.round;
        let due = self
            .rounds
            .get(round)
            .is_some_and(|r| !r.precommit_timer && r.precommits.total() >= self.setup.quorum());
        if !due {
            return false;
        }
        let keep = self.keep();
        self.rounds.get_mut(round, keep).precommit_timer = true;
        let timer = Timer::Precommit {
            height: self.setup.height,
            round,
        };
        let at_ms = now_ms.saturating_add(self.setup.timeouts.of(Step::Precommit, round));
        out.push(Output::Schedule { timer, at_ms });
        true
    }

    /// Line 49: a valid proposal of any round with a quorum of precommits for it in that round is decided.
    fn rule_decide(&mut self, out: &mut Vec<Output>) -> bool {
        let quorum = self.setup.quorum();
        let found = self.rounds.iter().find_map(|(round, record)| {
            record.proposals.iter().filter(|h| h.valid).find_map(|h| {
                let v = Some(h.proposal.value);
                (record.precommits.count(v) >= quorum)
                    .then(|| (*round, h.proposal.value, record.precommits.voters_for(v)))
            })
        });
        match found {
            Some((round, value, voters)) => {
                self.decide(round, value, voters, out);
                true
            }
            None => false,
        }
    }

    /// Line 55: messages of a later round from f + 1 authorities (one of them correct) move this node there.
    fn rule_skip(&mut self, now_ms: u64, out: &mut Vec<Output>) -> bool {
        let round = self.state.round;
        let skip = self.setup.skip();
        let target = self
            .rounds
            .iter()
            .filter(|(r, rec)| **r > round && rec.senders.count_ones() as usize >= skip)
            .map(|(r, _)| *r)
            .max();
        match target {
            Some(r) => {
                self.start_round(r, now_ms, out);
                true
            }
            None => false,
        }
    }
}

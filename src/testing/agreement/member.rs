//! A member and its driver, written the way the node drives the core: it persists `Tendermint::state()` after
//! every call whose outputs hold a vote or a proposal, BEFORE any of them leaves; keeps the timers the core asks
//! for (in its own clock); builds a fresh block when asked to propose; judges valid(v); on a decision appends
//! the block to its chain and starts the next height (first slot: the decided block's + 1). A crash loses all
//! but the durable round state and the chain; a restart resumes from them.

use std::collections::HashSet;

use ecsync_components::Hash32;
use ecsync_components::agreement::{Round, RoundState, RoundValue, Vote};
use ecsync_systems::consensus::{HeightSetup, Output, Tendermint};

use super::network::{Commit, Event, Msg};
use super::scenario::{Behaviour, SLOT_MS};
use super::{AgreementSim, SETTLE_MS, round_bound};

/// A member: its core (none while crashed), what survives a crash, and its clock.
pub(super) struct Member {
    /// The core of the current height; `None` while crashed.
    pub(super) core: Option<Tendermint>,
    /// The round state last made durable.
    pub(super) durable: Option<RoundState>,
    /// Its decided chain: `chain[k]` is height k + 1's certificate (durable).
    pub(super) chain: Vec<Commit>,
    /// Bumped by each crash: timers of an earlier incarnation are dropped.
    pub(super) incarnation: u32,
    /// A "killed between vote and broadcast" crash waits for its next signed message.
    pub(super) armed: bool,
    /// Its clock's offset from virtual time, ms.
    pub(super) offset: i64,
    /// Byzantine behaviour, if any.
    pub(super) behaviour: Option<Behaviour>,
    /// The current height, when it started it (virtual ms) and the round it started in.
    pub(super) started: (u64, u64, Round),
    /// A double voter's (round, value)s already double-voted at the current height.
    pub(super) doubled: HashSet<(Round, Hash32)>,
    /// Votes and proposals of the next height, read when it gets there (at most [`MAX_EARLY`]).
    pub(super) early: Vec<Msg>,
}

/// The most messages of the next height a member keeps until it gets there (docs/CONSENSUS.md: 256).
pub const MAX_EARLY: usize = 256;

impl Member {
    pub(super) fn new(offset: i64, behaviour: Option<Behaviour>) -> Self {
        Member {
            core: None,
            durable: None,
            chain: Vec::new(),
            incarnation: 0,
            armed: false,
            offset,
            behaviour,
            started: (0, 0, 0),
            doubled: HashSet::new(),
            early: Vec::new(),
        }
    }

    /// The height it agrees on: its chain's head + 1.
    pub(super) fn height(&self) -> u64 {
        self.chain.len() as u64 + 1
    }
}

fn signs(out: &Output) -> bool {
    matches!(out, Output::Vote(_) | Output::Proposal(_))
}

impl AgreementSim {
    /// Member `i`'s clock now.
    pub(super) fn local(&self, i: usize) -> u64 {
        self.now.saturating_add_signed(self.members[i].offset)
    }

    /// What member `i`'s core needs to know about its next height.
    fn setup(&self, i: usize) -> HeightSetup {
        let m = &self.members[i];
        let first_slot = m.chain.last().map_or(1, |c| {
            self.ledger
                .built(&c.value)
                .map_or(m.chain.len() as u64 + 1, |b| b.slot + 1)
        });
        HeightSetup {
            height: m.height(),
            authorities: self.scenario.n,
            held: 1 << i,
            first_slot,
            genesis_ms: 0,
            slot_ms: SLOT_MS,
            timeouts: self.timeouts,
        }
    }

    /// Member `i` starts the height after its chain's head, resuming from its durable round state.
    pub(super) fn start_height(&mut self, i: usize) {
        let setup = self.setup(i);
        let now = self.local(i);
        let saved = self.members[i].durable.clone();
        let (core, outs) = Tendermint::new(setup, saved, true, now);
        let m = &mut self.members[i];
        m.started = (setup.height, self.now, core.round());
        m.core = Some(core);
        m.doubled.clear();
        if self.honest(i) {
            self.height_started.entry(setup.height).or_insert(self.now);
        }
        if self.trace {
            eprintln!("t={} m{i} starts height {}", self.now, setup.height);
        }
        self.handle(i, outs);
        for msg in std::mem::take(&mut self.members[i].early) {
            self.deliver(i, i, msg);
        }
    }

    /// Member `i`'s core returned `outs`: if they sign anything, its state is made durable first (and an armed
    /// crash kills it right there); then each output is acted on in order.
    pub(super) fn handle(&mut self, i: usize, outs: Vec<Output>) {
        if outs.iter().any(signs) {
            let Some(core) = &self.members[i].core else {
                return;
            };
            let mut state = core.state().clone();
            if !self.durable_votes {
                state.justification.clear();
            }
            self.members[i].durable = Some(state);
            if self.members[i].armed {
                // Killed after persisting, before sending: what it signed is signed; nothing leaves.
                for out in &outs {
                    self.record_signed(i, out);
                }
                self.tally.killed_before_broadcast += 1;
                self.crash(i);
                return;
            }
        }
        let incarnation = self.members[i].incarnation;
        for out in outs {
            if self.members[i].incarnation != incarnation {
                // Crashed while acting on an earlier output (an armed crash in a nested call).
                return;
            }
            self.act(i, out);
        }
    }

    /// Records a vote or proposal member `i` signed (checking an honest one against what it signed before).
    fn record_signed(&mut self, i: usize, out: &Output) {
        let result = match out {
            Output::Vote(v) if usize::from(v.voter) != i => {
                Err(format!("member {i} signed a vote as {}", v.voter))
            }
            Output::Proposal(p) if usize::from(p.proposer) != i => {
                Err(format!("member {i} signed a proposal as {}", p.proposer))
            }
            Output::Vote(v) => self.ledger.sign_vote(v),
            Output::Proposal(p) => self.ledger.sign_proposal(p),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.violation(e);
        }
    }

    fn act(&mut self, i: usize, out: Output) {
        if self.trace {
            eprintln!("t={} m{i} out {out:?}", self.now);
        }
        match out {
            Output::Vote(v) => {
                self.record_signed(i, &out);
                self.send_own(i, Msg::Vote(v));
            }
            Output::Proposal(p) => {
                self.record_signed(i, &out);
                self.send_own(i, Msg::Proposal(p));
            }
            Output::Schedule { timer, at_ms } => {
                let m = &self.members[i];
                let at = at_ms.saturating_add_signed(-m.offset).max(self.now);
                let event = Event::Timer {
                    member: i,
                    incarnation: m.incarnation,
                    timer,
                };
                self.net.schedule(at, event);
            }
            Output::Propose {
                height,
                round,
                valid,
            } => self.propose(i, height, round, valid),
            Output::Decide {
                height,
                round,
                value,
                voters,
            } => self.decided(
                i,
                Commit {
                    height,
                    round,
                    value,
                    voters,
                },
            ),
            Output::Equivocation { authority, .. } => {
                if self.honest(i) {
                    self.tally.equivocations += 1;
                    if let Err(e) = self.ledger.equivocation(i, authority) {
                        self.violation(e);
                    }
                }
            }
        }
    }

    /// Member `i` is round `round`'s proposer: the valid value again, or a fresh block.
    fn propose(&mut self, i: usize, height: u64, round: Round, valid: Option<RoundValue>) {
        let Some(core) = &self.members[i].core else {
            return;
        };
        if core.height() != height {
            return;
        }
        let first_slot = core.setup().first_slot;
        let value = match valid {
            Some(rv) => rv.value,
            None => self.ledger.build(height, round, i as u16, 0, first_slot),
        };
        let now = self.local(i);
        let Some(core) = self.members[i].core.as_mut() else {
            return;
        };
        let outs = core.propose(value, now);
        self.handle(i, outs);
    }

    /// Member `i`'s core decided `c`: checked, appended to its chain, and the next height started.
    fn decided(&mut self, i: usize, c: Commit) {
        let m = &self.members[i];
        if c.height != m.height() {
            if m.chain.get(c.height.wrapping_sub(1) as usize) != Some(&c) {
                let head = m.chain.len();
                self.violation(format!(
                    "member {i} decided height {} at chain head {head}",
                    c.height
                ));
            }
            return;
        }
        if self.honest(i) {
            if let Err(e) = self.ledger.decide(i, &c) {
                self.violation(e);
            }
            self.count_rounds(i, &c);
        }
        self.members[i].chain.push(c);
        self.start_height(i);
    }

    /// The rounds honest member `i` took for `c`'s height, checked against the bound for heights started
    /// [`SETTLE_MS`] after GST.
    fn count_rounds(&mut self, i: usize, c: &Commit) {
        let (height, _, start_round) = self.members[i].started;
        self.tally.max_round = self.tally.max_round.max(c.round);
        if height != c.height {
            return;
        }
        let rounds = c.round.saturating_sub(start_round);
        let settled = self.scenario.gst_ms + SETTLE_MS;
        if self
            .height_started
            .get(&c.height)
            .is_some_and(|&t| t >= settled)
        {
            self.tally.decisions_after_settle += 1;
            let max = &mut self.tally.max_rounds_after_settle;
            *max = (*max).max(rounds);
            let bound = round_bound(self.scenario.n);
            if rounds > bound {
                self.violation(format!(
                    "LIVENESS: member {i} took {rounds} rounds (> {bound}) at height {} started after GST",
                    c.height
                ));
            }
        }
    }

    /// Member `i` crashes: everything but its durable round state and chain is lost.
    pub(super) fn crash(&mut self, i: usize) {
        if self.trace {
            eprintln!("t={} m{i} CRASH", self.now);
        }
        let m = &mut self.members[i];
        m.core = None;
        m.early.clear();
        m.armed = false;
        m.incarnation += 1;
        self.tally.crashes += 1;
    }

    /// Member `i` restarts from its durable state (an armed crash that never fired is disarmed).
    pub(super) fn restart(&mut self, i: usize) {
        if self.members[i].core.is_some() {
            self.members[i].armed = false;
            return;
        }
        self.tally.restarts += 1;
        self.start_height(i);
    }

    /// Delivers `msg` from `from` to member `to` (lost if `to` is down; an unsigned vote or proposal is refused).
    pub(super) fn deliver(&mut self, to: usize, from: usize, msg: Msg) {
        if self.members[to].core.is_none() {
            self.net.stats.to_crashed += 1;
            return;
        }
        let next = self.members[to].height() + 1;
        if matches!(&msg, Msg::Vote(v) if v.height == next)
            || matches!(&msg, Msg::Proposal(p) if p.height == next)
        {
            let early = &mut self.members[to].early;
            if early.len() < MAX_EARLY {
                early.push(msg);
            } else {
                self.tally.early_dropped += 1;
            }
            return;
        }
        let now = self.local(to);
        match msg {
            Msg::Vote(v) => self.deliver_vote(to, v, now),
            Msg::Proposal(p) => {
                if !self.ledger.signed_proposal(&p) {
                    self.tally.forged += 1;
                    return;
                }
                let valid = self.ledger.valid(&p);
                if let Some(core) = self.members[to].core.as_mut() {
                    let outs = core.on_proposal(p, valid, now);
                    self.handle(to, outs);
                }
                self.double_vote(to, &p);
            }
            Msg::Commit(c) => self.on_last_commit(to, from, c),
            Msg::SyncRequest { height } => self.answer_sync(to, from, height),
            Msg::Commits(commits) => {
                for c in commits {
                    self.apply_commit(to, &c);
                }
            }
        }
    }

    fn deliver_vote(&mut self, to: usize, v: Vote, now: u64) {
        if !self.ledger.signed_vote(&v) {
            self.tally.forged += 1;
            return;
        }
        if let Some(core) = self.members[to].core.as_mut() {
            let outs = core.on_vote(v, now);
            self.handle(to, outs);
        }
    }

    /// A certificate for member `i`'s current height: verified against the record (a lie is ignored), then
    /// handed to the core. Returns whether it was.
    pub(super) fn apply_commit(&mut self, i: usize, c: &Commit) -> bool {
        let now = self.local(i);
        let Some(core) = self.members[i].core.as_ref() else {
            return false;
        };
        if c.height != core.height() {
            return false;
        }
        if !self.ledger.verify(c) {
            self.tally.lies_ignored += 1;
            return false;
        }
        self.tally.commits_applied += 1;
        let Some(core) = self.members[i].core.as_mut() else {
            return false;
        };
        let outs = core.on_commit(c.round, c.value, c.voters, now);
        self.handle(i, outs);
        true
    }
}

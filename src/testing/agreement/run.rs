//! The run loop: events in virtual time order until every honest member is at the liveness target, a
//! violation, or the deadline. Each member's slot (on its own clock) gossips what its core holds and sends its
//! last commit; a member behind asks for the commits it misses and catches up height by height.

use super::network::{Commit, Event, Msg, SYNC_BATCH};
use super::scenario::SLOT_MS;
use super::{AgreementReport, AgreementSim, MAX_EVENTS, TARGET_HEIGHTS, Target, liveness_bound_ms};

impl AgreementSim {
    /// Runs the seed to its end.
    pub fn run(mut self) -> AgreementReport {
        self.begin();
        while let Some((at, event)) = self.net.pop() {
            if let Some(target) = self.target
                && at > target.deadline_ms
            {
                self.missed(target);
                break;
            }
            self.now = at;
            self.tally.events += 1;
            self.on_event(event);
            if !self.violations.is_empty() {
                break;
            }
            if self.at_target() {
                self.tally.live_after_ms = Some(self.now - self.scenario.gst_ms);
                break;
            }
            if self.tally.events >= MAX_EVENTS {
                self.violation(format!("{MAX_EVENTS} events without reaching the target"));
                break;
            }
        }
        self.report()
    }

    /// Every member starts height 1; slots, crashes, restarts and GST are scheduled.
    fn begin(&mut self) {
        for i in 0..self.scenario.n {
            self.start_height(i);
            self.schedule_slot(i);
        }
        for (k, c) in self.scenario.crashes.clone().iter().enumerate() {
            self.net.schedule(c.at_ms, Event::Crash(k));
            self.net
                .schedule(c.restart_ms, Event::Restart { member: c.member });
        }
        self.net.schedule(self.scenario.gst_ms, Event::Gst);
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Deliver { to, from, msg } => self.deliver(to, from, msg),
            Event::Timer {
                member,
                incarnation,
                timer,
            } => {
                if self.members[member].incarnation != incarnation {
                    return;
                }
                let now = self.local(member);
                if let Some(core) = self.members[member].core.as_mut() {
                    let outs = core.on_timeout(timer, now);
                    self.handle(member, outs);
                }
            }
            Event::Slot { member } => self.slot(member),
            Event::Crash(k) => {
                let c = self.scenario.crashes[k];
                if c.before_broadcast {
                    self.members[c.member].armed = true;
                } else {
                    self.crash(c.member);
                }
            }
            Event::Restart { member } => self.restart(member),
            Event::Release { from, msg } => self.broadcast(from, msg),
            Event::Gst => self.gst(),
        }
    }

    /// GST: the target is the highest height an honest member decided, plus [`TARGET_HEIGHTS`], by the
    /// deadline [`liveness_bound_ms`] computes from the highest round an honest member is in.
    fn gst(&mut self) {
        let honest: Vec<usize> = (0..self.scenario.n).filter(|&i| self.honest(i)).collect();
        let head = honest
            .iter()
            .map(|&i| self.members[i].chain.len() as u64)
            .max()
            .unwrap_or(0);
        let round = honest
            .iter()
            .filter_map(|&i| self.members[i].core.as_ref().map(|c| c.round()))
            .max()
            .unwrap_or(0);
        let bound_ms = liveness_bound_ms(self.scenario.n, &self.timeouts, round);
        self.tally.gst_head = head;
        self.tally.gst_round = round;
        self.target = Some(Target {
            height: head + TARGET_HEIGHTS,
            deadline_ms: self.now + bound_ms,
            bound_ms,
        });
    }

    /// Whether every honest member decided the target height.
    fn at_target(&self) -> bool {
        let Some(target) = self.target else {
            return false;
        };
        (0..self.scenario.n)
            .filter(|&i| self.honest(i))
            .all(|i| self.members[i].chain.len() as u64 >= target.height)
    }

    /// The deadline passed with an honest member short of the target.
    fn missed(&mut self, target: Target) {
        let heads: Vec<(usize, usize, Option<u32>)> = (0..self.scenario.n)
            .filter(|&i| self.honest(i))
            .map(|i| {
                let m = &self.members[i];
                (i, m.chain.len(), m.core.as_ref().map(|c| c.round()))
            })
            .collect();
        self.violation(format!(
            "LIVENESS: not every honest member decided height {} by {} ms ({} ms after GST); (member, head, round): {heads:?}",
            target.height,
            target.deadline_ms,
            target.deadline_ms - self.scenario.gst_ms
        ));
    }

    /// Member `i`'s next slot, on its clock.
    fn schedule_slot(&mut self, i: usize) {
        let local = self.local(i);
        let next = (local / SLOT_MS + 1) * SLOT_MS;
        let at = next.saturating_add_signed(-self.members[i].offset);
        self.net
            .schedule(at.max(self.now + 1), Event::Slot { member: i });
    }

    /// A slot begins on member `i`'s clock: it gossips what its core holds and sends its last commit.
    fn slot(&mut self, i: usize) {
        self.schedule_slot(i);
        let Some(core) = &self.members[i].core else {
            return;
        };
        let (proposals, votes) = core.gossip();
        for p in proposals {
            if usize::from(p.proposer) == i {
                self.send_own(i, Msg::Proposal(p));
            } else if self.ledger.signed_proposal(&p) {
                self.relay(i, Msg::Proposal(p));
            } else {
                self.violation(format!(
                    "member {i} gossips a proposal nobody signed: {p:?}"
                ));
            }
        }
        for v in votes {
            if usize::from(v.voter) == i {
                if self.honest(i)
                    && let Err(e) = self.ledger.sign_vote(&v)
                {
                    self.violation(format!("in member {i}'s gossip: {e}"));
                }
                self.send_own(i, Msg::Vote(v));
            } else if self.ledger.signed_vote(&v) {
                self.relay(i, Msg::Vote(v));
            } else {
                self.violation(format!("member {i} gossips a vote nobody signed: {v:?}"));
            }
        }
        if let Some(&c) = self.members[i].chain.last() {
            self.send_own(i, Msg::Commit(c));
        }
    }

    /// Member `i` hears `from`'s last commit: at its height it is applied; ahead of it (and real), `i` asks
    /// `from` for the commits it misses.
    pub(super) fn on_last_commit(&mut self, i: usize, from: usize, c: Commit) {
        let height = self.members[i].height();
        if c.height == height {
            self.apply_commit(i, &c);
        } else if c.height > height {
            if self.ledger.verify(&c) {
                self.send(i, from, Msg::SyncRequest { height });
            } else {
                self.tally.lies_ignored += 1;
            }
        }
    }

    /// Member `i` answers a request for the commits from `height` on (a silent member does not).
    pub(super) fn answer_sync(&mut self, i: usize, from: usize, height: u64) {
        if self.members[i].behaviour == Some(super::Behaviour::Silent) || height == 0 {
            return;
        }
        let chain = &self.members[i].chain;
        let start = (height - 1) as usize;
        if start >= chain.len() {
            return;
        }
        let end = chain.len().min(start + SYNC_BATCH);
        let commits = chain[start..end].to_vec();
        self.send(i, from, Msg::Commits(commits));
    }
}

//! What leaves a member: an honest one sends its messages to every other member; a Byzantine one bends them by
//! its [`Behaviour`] (always signing with its own index only).

use ecsync_components::Hash32;
use ecsync_components::agreement::{Proposal, Round, Vote, VoteKind};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::AgreementSim;
use super::network::{Commit, Event, Msg};
use super::scenario::{Behaviour, SLOT_MS};

impl AgreementSim {
    /// Sends `msg` from `from` to `to` through the network (a cap drop after GST is a violation: it breaks the
    /// model's "nothing lost after GST").
    pub(super) fn send(&mut self, from: usize, to: usize, msg: Msg) {
        if self.trace {
            eprintln!("t={} m{from} -> m{to} {msg:?}", self.now);
        }
        let capped = self
            .net
            .send(&self.scenario, &mut self.rng, self.now, (from, to), msg);
        if capped && self.now >= self.scenario.gst_ms {
            self.violation(format!(
                "the network's cap of in-flight messages was hit after GST (member {from})"
            ));
        }
    }

    /// Sends `msg` from `from` to every other member.
    pub(super) fn broadcast(&mut self, from: usize, msg: Msg) {
        for to in 0..self.scenario.n {
            if to != from {
                self.send(from, to, msg.clone());
            }
        }
    }

    /// A message member `i` authored leaves it (a core output, its gossip of its own messages, its last
    /// commit): to every other member, as its behaviour bends it.
    pub(super) fn send_own(&mut self, i: usize, msg: Msg) {
        let Some(behaviour) = self.members[i].behaviour else {
            return self.broadcast(i, msg);
        };
        match self.act_as(behaviour) {
            Behaviour::Silent => {}
            Behaviour::Withhold if matches!(msg, Msg::Vote(_)) => {
                let later = SLOT_MS * self.rng.random_range(2..=6);
                self.net
                    .schedule(self.now + later, Event::Release { from: i, msg });
            }
            Behaviour::FakeVotes => self.fake(i, msg),
            Behaviour::Equivocate => match msg {
                Msg::Proposal(p) => self.equivocate(i, p),
                msg => self.broadcast(i, msg),
            },
            _ => self.broadcast(i, msg),
        }
    }

    /// Member `i` relays a message another authored (its gossip): a silent member relays nothing.
    pub(super) fn relay(&mut self, i: usize, msg: Msg) {
        if self.members[i].behaviour != Some(Behaviour::Silent) {
            self.broadcast(i, msg);
        }
    }

    /// The behaviour for this message: a mixed member draws one per message.
    fn act_as(&mut self, behaviour: Behaviour) -> Behaviour {
        if behaviour == Behaviour::Mixed {
            let pure = &Behaviour::ALL[..Behaviour::ALL.len() - 1];
            pure[self.rng.random_range(0..pure.len())]
        } else {
            behaviour
        }
    }

    /// An equivocating proposer sends each member a different valid block in its round.
    fn equivocate(&mut self, i: usize, p: Proposal) {
        let first_slot = match &self.members[i].core {
            Some(core) if core.height() == p.height => core.setup().first_slot,
            _ => return self.broadcast(i, Msg::Proposal(p)),
        };
        for to in (0..self.scenario.n).filter(|&to| to != i) {
            let value = self
                .ledger
                .build(p.height, p.round, i as u16, to as u64 + 1, first_slot);
            let q = Proposal {
                value,
                valid_round: None,
                ..p
            };
            self.sign_byzantine(Msg::Proposal(q));
            self.send(i, to, Msg::Proposal(q));
        }
    }

    /// A fake voter replaces the value of what it signs by a block that never existed, and its last commit by
    /// a lie about the next height.
    fn fake(&mut self, i: usize, msg: Msg) {
        let msg = match msg {
            Msg::Vote(v) => Msg::Vote(Vote {
                value: Some(self.never(v.height, v.round, v.kind.byte())),
                ..v
            }),
            Msg::Proposal(p) => Msg::Proposal(Proposal {
                value: self.never(p.height, p.round, 0),
                ..p
            }),
            Msg::Commit(c) => Msg::Commit(Commit {
                height: c.height + 1,
                round: 0,
                value: self.never(c.height + 1, 0, 3),
                voters: (1u64 << self.scenario.n) - 1,
            }),
            msg => msg,
        };
        self.sign_byzantine(msg.clone());
        self.broadcast(i, msg);
    }

    /// A block hash that no proposer built (one per height, round and tag).
    fn never(&self, height: u64, round: Round, tag: u8) -> Hash32 {
        let mut h = Sha256::new();
        h.update(b"agreement-sim never");
        h.update(self.scenario.salt.to_le_bytes());
        h.update(height.to_le_bytes());
        h.update(round.to_le_bytes());
        h.update([tag]);
        Hash32(h.finalize().into())
    }

    /// Records what a Byzantine member signed (never checked against its earlier messages).
    fn sign_byzantine(&mut self, msg: Msg) {
        let result = match &msg {
            Msg::Vote(v) => self.ledger.sign_vote(v),
            Msg::Proposal(p) => self.ledger.sign_proposal(p),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.violation(e);
        }
    }

    /// Member `i` saw proposal `p`: a double voter prevotes and precommits its value (once per round and value).
    pub(super) fn double_vote(&mut self, i: usize, p: &Proposal) {
        let Some(behaviour) = self.members[i].behaviour else {
            return;
        };
        if behaviour != Behaviour::DoubleVote
            && !(behaviour == Behaviour::Mixed && self.rng.random_bool(0.3))
        {
            return;
        }
        let m = &mut self.members[i];
        if m.height() != p.height || !m.doubled.insert((p.round, p.value)) {
            return;
        }
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let v = Vote {
                height: p.height,
                round: p.round,
                kind,
                value: Some(p.value),
                voter: i as u16,
            };
            self.sign_byzantine(Msg::Vote(v));
            self.broadcast(i, Msg::Vote(v));
        }
    }
}

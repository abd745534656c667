//! The agreement's metrics (a federation member's Tendermint rounds), from the engine's
//! [`Consensus`] resource after each tick: the height and round it is at, the rounds each decided height took,
//! the timeouts that moved it on by step, the equivocations seen by authority, its production gate. A node that
//! is no member exports them at zero (`equivocations` has a series per authority that equivocated, so it shows
//! only from the first one on: prometheus-client writes no empty labelled family).

use std::collections::BTreeMap;

use ecsync_components::agreement::{Consensus, Step, VoteKind};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Upper bounds of `consensus_rounds_per_height`'s buckets (round 0 is a height decided in its first round).
pub const ROUND_BUCKETS: [f64; 9] = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 64.0];

/// The `step` label of `consensus_timeouts`: propose, prevote or precommit.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StepLabel {
    /// A [`Step::name`].
    pub step: String,
}

/// The `authority` label of `equivocations`: the authority's index in the spec.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthorityLabel {
    /// The index, in decimal.
    pub authority: String,
}

/// The `kind` label of `consensus_votes_signed`: prevote or precommit.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// A [`VoteKind::name`].
    pub kind: String,
}

/// The kinds in the order of [`Consensus::signed`].
const KINDS: [VoteKind; 2] = [VoteKind::Prevote, VoteKind::Precommit];

/// The steps in the order of [`Consensus::timeouts`].
const STEPS: [Step; 3] = [Step::Propose, Step::Prevote, Step::Precommit];

/// The agreement's metrics, and what they last saw.
#[derive(Clone)]
pub struct ConsensusMetrics {
    height: Gauge,
    round: Gauge,
    gate_open: Gauge,
    rounds_per_height: Histogram,
    timeouts: Family<StepLabel, Counter>,
    votes_signed: Family<KindLabel, Counter>,
    equivocations: Family<AuthorityLabel, Counter>,
    /// `Consensus::decided` at the last update.
    last_decided: u64,
    last_timeouts: [u64; 3],
    last_signed: [u64; 2],
    last_equivocations: BTreeMap<u16, u64>,
}

impl Default for ConsensusMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ConsensusMetrics {
    /// Every metric at zero, the three steps' timeout series present.
    pub fn new() -> Self {
        let timeouts = Family::<StepLabel, Counter>::default();
        for step in STEPS {
            let _ = timeouts.get_or_create(&StepLabel {
                step: step.name().to_string(),
            });
        }
        let votes_signed = Family::<KindLabel, Counter>::default();
        for kind in KINDS {
            let _ = votes_signed.get_or_create(&KindLabel {
                kind: kind.name().to_string(),
            });
        }
        Self {
            votes_signed,
            last_signed: [0; 2],
            height: Gauge::default(),
            round: Gauge::default(),
            gate_open: Gauge::default(),
            rounds_per_height: Histogram::new(ROUND_BUCKETS),
            timeouts,
            equivocations: Family::default(),
            last_decided: 0,
            last_timeouts: [0; 3],
            last_equivocations: BTreeMap::new(),
        }
    }

    /// Registers them (under the registry's `ecsync` prefix).
    pub fn register(&self, r: &mut Registry) {
        r.register(
            "consensus_height",
            "Height this federation member is agreeing on (the head's + 1)",
            self.height.clone(),
        );
        r.register(
            "consensus_round",
            "Round of the height being agreed on (0: the first)",
            self.round.clone(),
        );
        r.register(
            "consensus_rounds_per_height",
            "The round each height this member saw decided was decided in (one observation per height)",
            self.rounds_per_height.clone(),
        );
        r.register(
            "consensus_timeouts",
            "Round timeouts that moved this member on, by step (propose, prevote, precommit)",
            self.timeouts.clone(),
        );
        r.register(
            "consensus_votes_signed",
            "Votes this member signed (each once, re-sent ones not counted), by kind (prevote, precommit)",
            self.votes_signed.clone(),
        );
        r.register(
            "equivocations",
            "Equivocations seen (two conflicting signed votes of one authority in one round, kept as evidence), \
             by authority index",
            self.equivocations.clone(),
        );
        r.register(
            "consensus_gate_open",
            "1 when the production gate lets this member propose and vote",
            self.gate_open.clone(),
        );
    }

    /// Updates from the engine's resource (nothing for a node that is no member, or before the agreement runs).
    pub fn update(&mut self, consensus: Option<&Consensus>) {
        let Some(c) = consensus.filter(|c| c.member) else {
            return;
        };
        self.height.set(i64::try_from(c.height).unwrap_or(i64::MAX));
        self.round.set(i64::from(c.round));
        self.gate_open.set(i64::from(c.gate_open));
        self.observe_decided(c);
        for (i, step) in STEPS.into_iter().enumerate() {
            let gained = c.timeouts[i].saturating_sub(self.last_timeouts[i]);
            if gained > 0 {
                self.timeouts
                    .get_or_create(&StepLabel {
                        step: step.name().to_string(),
                    })
                    .inc_by(gained);
            }
        }
        self.last_timeouts = c.timeouts;
        for (i, kind) in KINDS.into_iter().enumerate() {
            let gained = c.signed[i].saturating_sub(self.last_signed[i]);
            if gained > 0 {
                self.votes_signed
                    .get_or_create(&KindLabel {
                        kind: kind.name().to_string(),
                    })
                    .inc_by(gained);
            }
        }
        self.last_signed = c.signed;
        for (authority, count) in &c.equivocations {
            let before = self.last_equivocations.get(authority).copied().unwrap_or(0);
            if *count > before {
                self.equivocations
                    .get_or_create(&AuthorityLabel {
                        authority: authority.to_string(),
                    })
                    .inc_by(count - before);
            }
        }
        self.last_equivocations.clone_from(&c.equivocations);
    }

    /// Observes the round of each height decided since the last update, once: the newest of
    /// `decided_rounds`, as many as `decided` grew (at most as many as are kept).
    fn observe_decided(&mut self, c: &Consensus) {
        let new = c.decided.saturating_sub(self.last_decided);
        let new = usize::try_from(new).unwrap_or(usize::MAX);
        let kept = &c.decided_rounds;
        for round in &kept[kept.len().saturating_sub(new)..] {
            self.rounds_per_height.observe(f64::from(*round));
        }
        self.last_decided = c.decided;
    }
}

#[cfg(test)]
mod tests;

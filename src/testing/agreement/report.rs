//! What a run saw: [`AgreementReport`].

use super::scenario::Behaviour;
use super::{AgreementSim, NetStats};

/// What a run saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementReport {
    /// The seed.
    pub seed: u64,
    /// Members.
    pub n: usize,
    /// The Byzantine members and their behaviours.
    pub byzantine: Vec<(usize, Behaviour)>,
    /// GST, virtual ms.
    pub gst_ms: u64,
    /// Invariant violations (empty for a good run); the run stops at the first.
    pub violations: Vec<String>,
    /// The highest height an honest member had decided at GST.
    pub gst_head: u64,
    /// The lowest honest member's head at the end.
    pub head: u64,
    /// Virtual ms from GST until every honest member was at the target, if they got there.
    pub live_after_ms: Option<u64>,
    /// The highest round an honest member was in at GST.
    pub gst_round: u32,
    /// The bound on that (computed at GST from `gst_round`).
    pub bound_ms: u64,
    /// Honest decisions of heights started after GST + `SETTLE_MS`.
    pub decisions_after_settle: u64,
    /// Of those, the most rounds one took (decision round minus the round it started in).
    pub max_rounds_after_settle: u32,
    /// The highest decision round at any height.
    pub max_round: u32,
    /// What the network did.
    pub net: NetStats,
    /// Equivocations honest members reported (`Output::Equivocation`).
    pub equivocations: u64,
    /// Crashes (of which killed between persisting a vote and sending it: `killed_before_broadcast`).
    pub crashes: u32,
    /// Crashes right after persisting, before sending.
    pub killed_before_broadcast: u32,
    /// Restarts from the durable state.
    pub restarts: u32,
    /// Partitions in the scenario.
    pub partitions: usize,
    /// Whether a partition split four members 2/2.
    pub split_halves: bool,
    /// Commits verified and handed to a core (`on_commit`).
    pub commits_applied: u64,
    /// Commits refused: not a real certificate (Byzantine lies).
    pub lies_ignored: u64,
    /// Messages refused as not signed by their author (0: nobody can forge).
    pub forged: u64,
    /// Messages of the next height dropped because a member already kept `MAX_EARLY`.
    pub early_dropped: u64,
    /// Events processed.
    pub events: u64,
}

/// What the run counts.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) events: u64,
    pub(super) gst_head: u64,
    pub(super) gst_round: u32,
    pub(super) live_after_ms: Option<u64>,
    pub(super) decisions_after_settle: u64,
    pub(super) max_rounds_after_settle: u32,
    pub(super) max_round: u32,
    pub(super) equivocations: u64,
    pub(super) crashes: u32,
    pub(super) killed_before_broadcast: u32,
    pub(super) restarts: u32,
    pub(super) commits_applied: u64,
    pub(super) lies_ignored: u64,
    pub(super) forged: u64,
    pub(super) early_dropped: u64,
}

impl AgreementSim {
    /// The report at the end of the run.
    pub(super) fn report(self) -> AgreementReport {
        let s = &self.scenario;
        let head = (0..s.n)
            .filter(|&i| s.behaviours[i].is_none())
            .map(|i| self.members[i].chain.len() as u64)
            .min()
            .unwrap_or(0);
        let t = self.tally;
        AgreementReport {
            seed: s.seed,
            n: s.n,
            byzantine: (0..s.n)
                .filter_map(|i| s.behaviours[i].map(|b| (i, b)))
                .collect(),
            gst_ms: s.gst_ms,
            violations: self.violations,
            gst_head: t.gst_head,
            head,
            live_after_ms: t.live_after_ms,
            gst_round: t.gst_round,
            bound_ms: self.target.map_or(0, |t| t.bound_ms),
            decisions_after_settle: t.decisions_after_settle,
            max_rounds_after_settle: t.max_rounds_after_settle,
            max_round: t.max_round,
            net: self.net.stats,
            equivocations: t.equivocations,
            crashes: t.crashes,
            killed_before_broadcast: t.killed_before_broadcast,
            restarts: t.restarts,
            partitions: s.partitions.len(),
            split_halves: s.splits_halves(),
            commits_applied: t.commits_applied,
            lies_ignored: t.lies_ignored,
            forged: t.forged,
            early_dropped: t.early_dropped,
            events: t.events,
        }
    }
}

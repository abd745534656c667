//! What a run saw: the [`SimReport`] and the blocks requests the engine sent ([`SentRequest`]).

use ecsync_components::SyncState;
use ecsync_components::resources::SyncProgress;

use super::Simulation;

/// Ticks spent in each engine state, indexed by `SyncState::as_number`.
pub type StateTicks = [u64; 6];

/// What a run saw.
#[derive(Debug, Clone, PartialEq)]
pub struct SimReport {
    /// The seed.
    pub seed: u64,
    /// Virtual ms from start to Synced at the final head, if reached.
    pub finished_after_ms: Option<u64>,
    /// The engine's head at the end.
    pub head: u64,
    /// Invariant violations (empty for a good run).
    pub violations: Vec<String>,
    /// Ticks run.
    pub ticks: u64,
    /// Highest buffered bytes seen.
    pub peak_buffered: u64,
    /// Blocks rejected as invalid (by every engine of the run).
    pub rejected: u64,
    /// Peers banned (by every engine of the run).
    pub bans: u64,
    /// Crashes: engines dropped and rebuilt from the store.
    pub crashes: u32,
    /// Of the crashes, those that hit the node while partitioned.
    pub crashes_partitioned: u32,
    /// Partitions that began.
    pub partitions: u32,
    /// Blocks imported without a durable checkpoint after them, lost in crashes.
    pub blocks_rolled_back: u64,
    /// Of those, the blocks lost by crashes that hit an engine in `Synced`: a synced node killed loses them.
    pub synced_blocks_rolled_back: u64,
    /// Downloaded blocks that left the buffer without being imported while partitioned (with an invalid block's
    /// range, or a violation: reset on a recovery from Failed, evicted), crashes aside, by kind (index
    /// `PartitionKind::index`).
    pub partition_blocks_dropped: [u64; 2],
    /// Ticks in each state while partitioned, by kind (index `PartitionKind::index`).
    pub partition_states: [StateTicks; 2],
    /// The engine's state at the end.
    pub final_state: SyncState,
    /// Recoveries from Failed the last engine had made at the end (since it was last Synced).
    pub recoveries: u32,
}

/// A blocks request the engine sent to a simulated peer, as the network saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRequest {
    /// When, virtual ms after the start.
    pub at_ms: u64,
    /// The peer: its index in `Scenario::peers`.
    pub peer: usize,
    /// First height asked.
    pub start: u64,
    /// Blocks asked.
    pub count: u32,
    /// The blocks the peer answered with; `None`: no answer left the peer (it was not connected, partitioned,
    /// dropped the request or stalled). An answer that left may still be lost to a later crash or partition.
    pub answered: Option<usize>,
}

/// What the report counts over a run, crashes included.
#[derive(Default)]
pub(super) struct Tally {
    /// Ticks run.
    pub(super) ticks: u64,
    /// Highest buffered bytes seen.
    pub(super) peak_buffered: u64,
    /// Rejections and bans of the engines dropped in crashes.
    pub(super) rejected: u64,
    pub(super) bans: u64,
    pub(super) crashes: u32,
    pub(super) crashes_partitioned: u32,
    pub(super) partitions: u32,
    pub(super) rolled_back: u64,
    pub(super) synced_rolled_back: u64,
    pub(super) partition_dropped: [u64; 2],
    pub(super) partition_states: [StateTicks; 2],
}

impl Simulation {
    /// The report at the end of a run (`finished`: virtual ms to Synced at the final head, if reached; a run
    /// that did not get there has a violation saying where it was).
    pub(super) fn report(mut self, finished: Option<u64>) -> (SimReport, Vec<SentRequest>) {
        let progress = self.engine.world_mut().resource::<SyncProgress>().clone();
        if finished.is_none() && self.violations.is_empty() {
            let s = self.engine.status();
            self.violations.push(format!(
                "not Synced at {} within {} s of virtual time: state {:?}, head {}, target {}, failure {:?}, recoveries {}",
                self.scenario.final_head,
                self.scenario.max_virtual_ms / 1000,
                s.state,
                s.current_height,
                s.target_height,
                s.failure,
                progress.recoveries,
            ));
        }
        let counters = self.engine.counters();
        let tally = self.tally;
        let report = SimReport {
            seed: self.scenario.seed,
            finished_after_ms: finished,
            head: self.engine.head().height,
            violations: self.violations,
            ticks: tally.ticks,
            peak_buffered: tally.peak_buffered,
            rejected: tally.rejected + counters.blocks_rejected,
            bans: tally.bans + counters.peer_bans,
            crashes: tally.crashes,
            crashes_partitioned: tally.crashes_partitioned,
            partitions: tally.partitions,
            blocks_rolled_back: tally.rolled_back,
            synced_blocks_rolled_back: tally.synced_rolled_back,
            partition_blocks_dropped: tally.partition_dropped,
            partition_states: tally.partition_states,
            final_state: progress.state,
            recoveries: progress.recoveries,
        };
        (report, self.sent)
    }
}

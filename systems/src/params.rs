//! Parameters several systems take together, grouped with `#[derive(SystemParam)]`: a system's signature stays
//! its contract (what it reads, what it writes) without a dozen loose arguments.

use bevy_ecs::prelude::{Res, ResMut};
use bevy_ecs::system::SystemParam;
use ecsync_components::SyncConfig;
use ecsync_components::resources::{
    ChainHead, CheckpointState, Clock, EngineCounters, Observations, Outbox, PeerIndex,
    PeerRecords, ProvenHead, Spec, Stopwatch, Store, SyncControl, SyncProgress,
};

use crate::resources::{FederationKeys, ValidationJobs};

/// What nearly every system reads: the chain's spec, engine time, the settings.
#[derive(SystemParam)]
pub struct Env<'w> {
    /// The chain spec.
    pub spec: Res<'w, Spec>,
    /// Engine time.
    pub clock: Res<'w, Clock>,
    /// The settings.
    pub config: Res<'w, SyncConfig>,
}

impl Env<'_> {
    /// Engine time, Unix milliseconds.
    pub fn now(&self) -> u64 {
        self.clock.now_ms
    }
}

/// The rules a block is checked against: the environment and the federation's keys.
#[derive(SystemParam)]
pub struct Rules<'w> {
    /// Spec, time, settings.
    pub env: Env<'w>,
    /// The federation's decoded keys.
    pub keys: Res<'w, FederationKeys>,
}

/// Measuring how long work takes, for metrics: the injected stopwatch (frozen in simulations) and the tick's
/// observations. Durations only; nothing decides on them.
#[derive(SystemParam)]
pub struct Timing<'w> {
    stopwatch: Res<'w, Stopwatch>,
    /// This tick's measurements.
    pub observations: ResMut<'w, Observations>,
}

impl Timing<'_> {
    /// A start mark.
    pub fn start(&self) -> u64 {
        (self.stopwatch.0)()
    }

    /// Seconds since `started`.
    pub fn seconds_since(&self, started: u64) -> f64 {
        (self.stopwatch.0)().saturating_sub(started) as f64 / 1e9
    }

    /// The stopwatch itself, for work timed on another thread.
    pub fn stopwatch(&self) -> fn() -> u64 {
        self.stopwatch.0
    }
}

/// Validation's own state and what it reports: its jobs on the compute pool, the timing of their batches, the
/// counters.
#[derive(SystemParam)]
pub struct ValidationWork<'w> {
    /// The jobs running.
    pub jobs: ResMut<'w, ValidationJobs>,
    /// Batch durations go here.
    pub timing: Timing<'w>,
    /// Validated, rejected, held.
    pub counters: ResMut<'w, EngineCounters>,
    /// Raised by every block validated (its approval verified: the federation signed its height).
    pub proven: ResMut<'w, ProvenHead>,
}

/// Who the engine talks to: the peer index, what it remembers of each peer id, the outbox, and whether the
/// operator has paused the talking.
#[derive(SystemParam)]
pub struct PeerBook<'w> {
    /// Peer id → entity.
    pub index: ResMut<'w, PeerIndex>,
    /// Reputations, bans and discredits by peer id.
    pub records: ResMut<'w, PeerRecords>,
    /// Requests for the network.
    pub outbox: ResMut<'w, Outbox>,
    /// The operator's pause.
    pub control: Res<'w, SyncControl>,
}

/// What an import writes: the store, the head, checkpoints, progress, counters.
#[derive(SystemParam)]
pub struct ChainWriter<'w> {
    /// The injected store.
    pub store: ResMut<'w, Store>,
    /// The imported head.
    pub head: ResMut<'w, ChainHead>,
    /// Checkpointing.
    pub checkpoints: ResMut<'w, CheckpointState>,
    /// State and progress.
    pub progress: ResMut<'w, SyncProgress>,
    /// Counters.
    pub counters: ResMut<'w, EngineCounters>,
    /// The proven head: raised by what is imported, and by gossiped blocks validated above the head.
    pub proven: ResMut<'w, ProvenHead>,
}

impl ChainWriter<'_> {
    /// Imports ONE validated block on the head, durably, with its own checkpoint in the same transaction: a block
    /// this node produced or took from gossip is on disk before it is served or built upon. Returns the new head.
    pub fn import_single(
        &mut self,
        block: &ecsync_components::EncodedBlock,
        now_ms: u64,
    ) -> Result<ecsync_components::BlockRef, ecsync_components::StoreError> {
        let checkpoint = ecsync_components::Checkpoint::of(
            &block.block,
            block.hash,
            now_ms,
            self.progress.target,
        );
        self.store
            .0
            .import_batch(&[block.as_import()], Some(checkpoint))?;
        self.head.0 = checkpoint.head;
        self.proven.raise(checkpoint.head);
        self.counters.blocks_imported += 1;
        self.counters.import_commits += 1;
        self.progress.last_progress_ms = now_ms;
        self.checkpoints.record_import(1, Some(checkpoint));
        Ok(checkpoint.head)
    }
}

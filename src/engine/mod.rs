//! The sync engine: one bevy_ecs `World` and ONE `Schedule`. This file is the table of contents: the order below
//! is the order in which the systems run each tick.
//!
//! The engine touches no socket and reads no clock. Events come in through [`SyncEngine::handle`], time through
//! [`SyncEngine::tick`], requests go out through [`SyncEngine::drain_outbox`], and the store is injected behind the
//! `ChainStore` trait.

pub mod dump;

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use ecsync_components::backfill::{Backfill, BackfillState, BackfillStatus};
use ecsync_components::resources::{
    Announced, Buffer, ChainHead, CheckpointState, Clock, EngineCounters, GossipBlocks, Inbox,
    Membership, Observations, Outbox, PeerIndex, PeerRecords, PlanCursor, Production, ProvenHead,
    RequestCounter, SequentialState, Spec, Stopwatch, Store, SyncControl, SyncProgress,
};
use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Checkpoint, EncodedBlock, Hash32, NetEvent, PeerOutcome,
    Request, SignedBlock, Strategy, SyncConfig, SyncStatus,
};
use ecsync_systems::consensus::{Authorities, validate_block};
use ecsync_systems::resources::{FederationKeys, FederationMember, ValidationJobs};
use ecsync_systems::*;

pub use crate::engine::dump::WorldDump;

/// Why a locally produced block was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// It breaks a consensus rule on the head.
    #[error("invalid block: {0}")]
    Invalid(#[from] ecsync_systems::consensus::BlockError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] ecsync_components::StoreError),
}

/// Why an engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The configuration is inconsistent.
    #[error("invalid sync config: {0}")]
    Config(#[from] ecsync_components::ConfigError),
    /// The spec is invalid.
    #[error(transparent)]
    Spec(#[from] ecsync_components::SpecError),
    /// A federation key is invalid.
    #[error(transparent)]
    Key(#[from] ecsync_systems::consensus::KeyError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ecsync_components::StoreError),
}

fn engine_strategy(config: Res<SyncConfig>) -> bool {
    config.strategy == Strategy::Engine
}

fn sequential_strategy(config: Res<SyncConfig>) -> bool {
    config.strategy == Strategy::Sequential
}

/// Not paused by the operator: the systems that send requests run only then.
fn sync_running(control: Res<SyncControl>) -> bool {
    !control.paused
}

/// The four phases of a tick, in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncSet {
    /// Events in: peers join, leave, report heads; answers attach to their ranges and become pending blocks;
    /// late requests fail; ranges overtaken by the head are trimmed.
    Ingest,
    /// Peers: scored from what they did, the state machine and target, status polls, batch sizes.
    Peers,
    /// Requests out: ranges planned for free slots and dispatched to the best peers.
    Requests,
    /// Blocks: validated in parallel, linked in order, checkpoint decided, imported in one transaction.
    Blocks,
}

/// The schedule: every system of the engine, in the order it runs each tick.
pub fn build_schedule() -> Schedule {
    use SyncSet::*;
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.configure_sets((Ingest, Peers, Requests, Blocks).chain());
    // Both strategies: the peers and what the network says.
    schedule.add_systems((
        (ingest_events, handle_timeouts, prune_ranges)
            .chain()
            .in_set(Ingest),
        (
            score_peers,
            prove_heads,
            update_state,
            request_status.run_if(sync_running),
        )
            .chain()
            .in_set(Peers),
    ));
    // The engine's pipeline.
    schedule.add_systems(
        (
            handle_responses
                .in_set(Ingest)
                .after(ingest_events)
                .before(handle_timeouts),
            size_batches.in_set(Peers).after(request_status),
            (plan_ranges, dispatch_requests)
                .chain()
                .in_set(Requests)
                .run_if(sync_running),
            (
                validate_blocks,
                sequence_blocks,
                checkpoint_due,
                import_blocks,
            )
                .chain()
                .in_set(Blocks),
        )
            .distributive_run_if(engine_strategy),
    );
    // Gossiped blocks are judged against the head this tick imported, before a member takes part in the
    // agreement on the next block (both strategies).
    schedule.add_systems(
        gossip_blocks
            .in_set(Blocks)
            .after(import_blocks)
            .after(sequential_sync)
            .before(agree_blocks),
    );
    // A federation member takes part in the agreement on the height above the head this tick imported (both
    // strategies).
    schedule.add_systems(
        agree_blocks
            .in_set(Blocks)
            .after(import_blocks)
            .after(sequential_sync),
    );
    // The baseline, instead of the pipeline.
    schedule.add_systems(
        sequential_sync
            .in_set(Blocks)
            .run_if(sequential_strategy)
            .run_if(sync_running),
    );
    add_backfill(&mut schedule);
    schedule
}

/// The backfill of history below a checkpoint (both strategies), background work: its answers leave the inbox
/// before the forward sync's ingest; after the tick's import and agreement it writes what linked, then sends its
/// requests (after the forward sync's, into the slots its settled answers freed).
fn add_backfill(schedule: &mut Schedule) {
    use SyncSet::*;
    schedule.add_systems((
        backfill_ingest.in_set(Ingest).before(ingest_events),
        (backfill_blocks, backfill_requests.run_if(sync_running))
            .chain()
            .in_set(Blocks)
            .after(agree_blocks)
            .after(gossip_blocks),
    ));
}

/// Initialises the compute pool validation runs on, once per process: `threads` workers (0 = one per core). The
/// ticking thread does not validate (it commits and talks to peers meanwhile: `validate_blocks`).
pub fn init_compute_pool(threads: usize) {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    init_compute_workers(threads);
}

/// Initialises the compute pool with exactly `workers` worker threads, once per process. With none, the ticking
/// thread validates each job at once when it hands it out (`validate_blocks`).
pub fn init_compute_workers(workers: usize) {
    ComputeTaskPool::get_or_init(|| {
        TaskPoolBuilder::new()
            .num_threads(workers)
            .thread_name("ecsync-validate".into())
            .build()
    });
}

/// The compute pool's workers (initialising the pool with one per core if it is not yet).
pub fn compute_workers() -> usize {
    init_compute_pool(0);
    ComputeTaskPool::get().thread_num()
}

/// The backfill a store needs: of the history below its lowest block, or none (Idle) when it holds its chain from
/// genesis.
fn backfill_of(store: &dyn ChainStore) -> Result<Backfill, EngineError> {
    let Some(lowest) = store.lowest()? else {
        return Ok(Backfill::default());
    };
    let size = store
        .block(lowest.block.height)?
        .map_or(1024, |b| b.encoded_len());
    Ok(Backfill::start(lowest, size, 0))
}

/// The sync engine.
pub struct SyncEngine {
    world: World,
    schedule: Schedule,
    /// The ranges with a request in flight (kept: building a query state each tick costs more than counting).
    in_flight: QueryState<(), With<ecsync_components::ecs::Downloading>>,
}

impl SyncEngine {
    /// Builds an engine over `store`, starting from the store's head.
    pub fn new(
        spec: ChainSpec,
        config: SyncConfig,
        store: Box<dyn ChainStore>,
    ) -> Result<Self, EngineError> {
        config.check()?;
        spec.check()?;
        let keys = Authorities::from_spec(&spec)?;
        let head = store.head()?;
        let last_checkpoint = store.latest_checkpoint()?;
        let backfill = backfill_of(store.as_ref())?;
        init_compute_pool(0);

        let mut world = World::new();
        world.insert_resource(Spec(spec));
        world.insert_resource(FederationKeys(std::sync::Arc::new(keys)));
        world.insert_resource(config);
        world.insert_resource(Store(store));
        world.insert_resource(backfill);
        world.insert_resource(ChainHead(head));
        world.insert_resource(ProvenHead { head });
        world.insert_resource(PlanCursor {
            next: head.height + 1,
        });
        world.insert_resource(CheckpointState {
            last: last_checkpoint,
            ..Default::default()
        });
        world.insert_resource(Clock::default());
        world.init_resource::<Inbox>();
        world.init_resource::<Outbox>();
        world.init_resource::<PeerIndex>();
        world.init_resource::<PeerRecords>();
        world.init_resource::<RequestCounter>();
        world.init_resource::<Buffer>();
        world.init_resource::<SyncProgress>();
        world.init_resource::<SyncControl>();
        world.init_resource::<Membership>();
        world.init_resource::<GossipBlocks>();
        world.init_resource::<ecsync_components::resources::ConsensusInbox>();
        world.init_resource::<Production>();
        world.init_resource::<ecsync_systems::agree_blocks::ProductionLog>();
        world.init_resource::<ecsync_systems::consensus::driver::Agreement>();
        world.init_resource::<ecsync_components::agreement::Consensus>();
        world.init_resource::<EngineCounters>();
        world.init_resource::<SequentialState>();
        world.init_resource::<Messages<PeerOutcome>>();
        world.init_resource::<Observations>();
        world.init_resource::<ValidationJobs>();
        world.init_resource::<Announced>();
        world.init_resource::<Stopwatch>();
        let in_flight = world.query_filtered::<(), With<ecsync_components::ecs::Downloading>>();
        Ok(Self {
            world,
            schedule: build_schedule(),
            in_flight,
        })
    }

    /// Hands a network event to the engine; it is taken at the next tick.
    pub fn handle(&mut self, event: NetEvent) {
        self.world.resource_mut::<Inbox>().0.push_back(event);
    }

    /// Runs the schedule once at engine time `now_ms` (Unix milliseconds; virtual in simulations).
    pub fn tick(&mut self, now_ms: u64) {
        {
            let mut clock = self.world.resource_mut::<Clock>();
            clock.now_ms = clock.now_ms.max(now_ms);
        }
        *self.world.resource_mut::<Observations>() = Observations::default();
        self.schedule.run(&mut self.world);
        self.world.resource_mut::<Messages<PeerOutcome>>().update();
        self.world.clear_trackers();
    }

    /// The requests to send, oldest first.
    pub fn drain_outbox(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.world.resource_mut::<Outbox>().0)
    }

    /// The engine's status.
    pub fn status(&self) -> SyncStatus {
        let progress = self.world.resource::<SyncProgress>();
        let config = self.world.resource::<SyncConfig>();
        let current = self.head().height;
        let target = progress.target;
        let remaining = target.saturating_sub(current);
        let backfill = self.world.resource::<Backfill>();
        let now = self.world.resource::<Clock>().now_ms;
        SyncStatus {
            state: progress.state,
            current_height: current,
            head_slot: self.head().slot,
            head_hash: self.head().hash,
            target_height: target,
            claimed_height: progress.claimed.max(target),
            blocks_per_second: progress.blocks_per_sec,
            peers_connected: self.world.resource::<PeerIndex>().0.len(),
            estimated_completion_seconds: if remaining == 0 {
                Some(0.0)
            } else if progress.blocks_per_sec > 0.0 {
                Some(remaining as f64 / progress.blocks_per_sec)
            } else {
                None
            },
            can_produce_blocks: progress.production_gate(current, config),
            buffered_bytes: self.world.resource::<Buffer>().bytes,
            failure: progress.failure.clone(),
            reason: progress.waiting,
            durable_height: self
                .world
                .resource::<CheckpointState>()
                .last
                .map_or(0, |c| c.head.height),
            paused: self.paused(),
            lowest_height: backfill.lowest_height(),
            backfill: (backfill.state != BackfillState::Idle).then(|| backfill.status(now)),
        }
    }

    /// The backfill of history below a checkpoint (Idle when the store holds its chain from genesis).
    pub fn backfill(&self) -> BackfillStatus {
        let now = self.world.resource::<Clock>().now_ms;
        self.world.resource::<Backfill>().status(now)
    }

    /// Pauses (`true`) or resumes the sync: while paused no request goes out (see [`SyncControl`]). Returns
    /// whether it was paused before.
    pub fn set_paused(&mut self, paused: bool) -> bool {
        let now = self.world.resource::<Clock>().now_ms;
        let mut control = self.world.resource_mut::<SyncControl>();
        let was = control.paused;
        if paused && !was {
            control.pauses += 1;
        }
        if was && !paused {
            control.resumed_at_ms = now;
        }
        control.paused = paused;
        was
    }

    /// Makes this node a federation member holding `keys` (checked against the spec already), keeping its round
    /// state (what it signed in the agreement) durable in `votes`.
    pub fn set_member(
        &mut self,
        keys: ecsync_systems::consensus::MemberKeys,
        votes: Box<dyn ecsync_components::store::VoteStore>,
    ) {
        self.world.resource_mut::<Membership>().authorities = keys.authorities();
        self.world
            .insert_resource(FederationMember::new(std::sync::Arc::new(keys), votes));
    }

    /// Makes this member produce blocks in its slots (`--produce`; only a member produces).
    pub fn set_producing(&mut self, produce: bool) {
        self.world.resource_mut::<Production>().enabled = produce;
    }

    /// What the producer did since the last call (produced blocks, skipped slots), for the log.
    pub fn take_production_log(&mut self) -> Vec<ecsync_systems::agree_blocks::ProductionEvent> {
        std::mem::take(
            &mut self
                .world
                .resource_mut::<ecsync_systems::agree_blocks::ProductionLog>()
                .0,
        )
    }

    /// The authorities this node is (empty unless it is a federation member).
    pub fn member_of(&self) -> Vec<usize> {
        self.world.resource::<Membership>().authorities.clone()
    }

    /// Whether the operator has paused the sync.
    pub fn paused(&self) -> bool {
        self.world.resource::<SyncControl>().paused
    }

    /// The production gate: Synced, or ≥ 99.5 % (config) and at most 10 blocks (config) behind.
    pub fn can_produce_blocks(&self) -> bool {
        self.status().can_produce_blocks
    }

    /// The imported head.
    pub fn head(&self) -> BlockRef {
        self.world.resource::<ChainHead>().0
    }

    /// Counters since start.
    pub fn counters(&self) -> EngineCounters {
        self.world.resource::<EngineCounters>().clone()
    }

    /// Buffer accounting.
    pub fn buffer(&self) -> Buffer {
        *self.world.resource::<Buffer>()
    }

    /// The configuration.
    pub fn config(&self) -> &SyncConfig {
        self.world.resource::<SyncConfig>()
    }

    /// The injected store.
    pub fn store(&self) -> &dyn ChainStore {
        self.world.resource::<Store>().0.as_ref()
    }

    /// Every entity with its components, and the resources (`full`: each pending block listed, not only
    /// summarised by stage).
    pub fn world_dump(&mut self, full: bool) -> WorldDump {
        crate::engine::dump::dump(&mut self.world, full)
    }

    /// Imports a block produced locally (the node extends its own chain): it must be valid on the head. It is
    /// durable (with its own checkpoint) when this returns, so it is never served before it is on disk. Pending
    /// ranges at or below the new head are trimmed at the next tick.
    pub fn import_local(&mut self, block: SignedBlock) -> Result<(), ImportError> {
        let head = self.head();
        let now = self.world.resource::<Clock>().now_ms;
        let spec = &self.world.resource::<Spec>().0;
        let keys = &self.world.resource::<FederationKeys>().0;
        validate_block(spec, keys, &head, &block, now)?;
        // Durable before it is served: its own checkpoint, in the same transaction.
        let target = self.world.resource::<SyncProgress>().target;
        let block = EncodedBlock::new(block);
        let checkpoint = Checkpoint::of(&block.block, block.hash, now, target);
        self.world
            .resource_mut::<Store>()
            .0
            .import_batch(&[block.as_import()], Some(checkpoint))?;
        self.world.resource_mut::<ChainHead>().0 = checkpoint.head;
        self.world.resource_mut::<EngineCounters>().blocks_imported += 1;
        self.world
            .resource_mut::<CheckpointState>()
            .record_import(1, Some(checkpoint));
        Ok(())
    }

    /// Writes a durable checkpoint of the head now (at shutdown, or `POST /sync/checkpoint`) and returns it.
    pub fn checkpoint_now(
        &mut self,
        now_ms: u64,
    ) -> Result<Checkpoint, ecsync_components::StoreError> {
        let head = self.head();
        let parent_hash = self
            .store()
            .block(head.height)?
            .map_or(Hash32::ZERO, |b| b.block.header.parent_hash);
        let checkpoint = Checkpoint {
            head,
            parent_hash,
            created_at_ms: now_ms,
            target: self
                .world
                .resource::<SyncProgress>()
                .target
                .max(head.height),
        };
        self.world
            .resource_mut::<Store>()
            .0
            .import_batch(&[], Some(checkpoint))?;
        self.world
            .resource_mut::<CheckpointState>()
            .record_checkpoint(checkpoint);
        Ok(checkpoint)
    }

    /// Measures durations with `stopwatch` (monotonic nanoseconds); without one, durations read 0.
    pub fn set_stopwatch(&mut self, stopwatch: fn() -> u64) {
        self.world.insert_resource(Stopwatch(stopwatch));
    }

    /// What the last tick measured.
    pub fn observations(&self) -> &Observations {
        self.world.resource::<Observations>()
    }

    /// Ranges with a request in flight.
    pub fn ranges_in_flight(&mut self) -> usize {
        self.in_flight.iter(&self.world).count()
    }

    /// Checkpoints written since start.
    pub fn checkpoints_written(&self) -> u64 {
        self.world.resource::<CheckpointState>().written
    }

    /// The agreement as /metrics sees it (absent until the agreement runs).
    pub fn consensus(&self) -> Option<&ecsync_components::agreement::Consensus> {
        self.world
            .get_resource::<ecsync_components::agreement::Consensus>()
    }

    /// The world, for the test machinery (`crate::testing`: invariants, the world builder, the simulator),
    /// benches and tests of single systems. Only with the `test-utils` feature: the node never reaches into it.
    #[cfg(feature = "test-utils")]
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
}

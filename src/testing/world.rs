//! Test machinery shared by the benches and the system tests (behind the `test-utils` feature).
//!
//! - [`fixture`]: a generated chain with real BLS approvals ([`SimChain`]), its blocks decoded, generated once per
//!   length and process (signing costs ~0.4 ms a block).
//! - [`Layout`] and [`build`]: the world of a real [`SyncEngine`] (every resource `SyncEngine::new` inserts, an
//!   in-memory redb store behind a [`StoreLog`]) put into a mid-sync state: peers with measured statistics,
//!   ranges in each state, pending blocks in each stage. The builder spawns the entities directly and leaves the
//!   world exactly as consistent as the transitions would ([`check_world`] holds when it returns), from a few
//!   peers and ranges of 16 blocks ([`Layout::small`], for tests) to 100 peers and ~1,000 ranges
//!   ([`Layout::mid_sync`], for benches).
//! - [`one_system`] / [`run_system`]: a schedule of one system with the engine's executor, so the commands it
//!   queues (the transitions) are applied at its end, as they are in a tick.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use bevy_ecs::query::QueryFilter;
use bevy_ecs::schedule::{IntoScheduleConfigs, SingleThreadedExecutor};
use bevy_ecs::system::ScheduleSystem;
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloaded, Downloading, Peer, PeerBudget,
    PeerClaim, PeerLoad, PeerScore, PeerStats, PendingBlock, Range, RangeAttempts, ReadyToImport,
    Validated, Validating,
};
use ecsync_components::resources::{
    Buffer, Clock, PeerIndex, PlanCursor, ProvenHead, RequestCounter, SyncProgress,
};
use ecsync_components::{
    BlockRef, ChainStore, Checkpoint, Hash32, Height, ImportBlock, PeerId, PeerOutcome, RequestId,
    SignedBlock, StoreError, SyncConfig, SyncState,
};
use ecsync_systems::score_peers::score;
use ecsync_systems::size_batches::budget;
use ecsync_systems::transitions::range_state;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::SyncEngine;
use crate::store::RedbStore;
use crate::testing::sim::{SIM_EPOCH_MS, SimChain};

/// Engine time of every built world: after every generated slot.
pub const NOW: u64 = SIM_EPOCH_MS;
/// Seed of the fixture chains (chains of different lengths share their first blocks).
pub const FIXTURE_SEED: u64 = 0xbe7c4;
/// Payload bytes per fixture block (a block encodes to ~1.2 KB).
pub const PAYLOAD_BYTES: usize = 1024;
/// Length of the benches' chain.
pub const BENCH_CHAIN_LEN: u64 = 4096;
/// Length of the tests' chain.
pub const SMALL_CHAIN_LEN: u64 = 256;

// ---------------------------------------------------------------------------------------------------------------
// The fixture

/// A generated chain and its blocks decoded.
pub struct Fixture {
    /// The chain: spec, genesis, encodings, hashes, slots.
    pub chain: SimChain,
    /// Decoded blocks by height (0 = genesis).
    pub blocks: Vec<SignedBlock>,
    /// Average encoded size of the blocks after genesis.
    pub avg_bytes: f64,
}

impl Fixture {
    fn generate(len: u64) -> Self {
        assert!(len > 0, "a fixture chain has blocks");
        let chain = SimChain::generate(FIXTURE_SEED, len, PAYLOAD_BYTES);
        let blocks = chain
            .blocks
            .iter()
            .map(|b| SignedBlock::decode(b, usize::MAX).expect("own encoding"))
            .collect();
        let avg_bytes =
            chain.blocks[1..].iter().map(Vec::len).sum::<usize>() as f64 / chain.len() as f64;
        Self {
            chain,
            blocks,
            avg_bytes,
        }
    }

    /// The highest height.
    pub fn len(&self) -> u64 {
        self.chain.len()
    }

    /// Whether only genesis exists (never: fixtures have blocks).
    pub fn is_empty(&self) -> bool {
        self.chain.is_empty()
    }

    /// The canonical encodings of heights `from..to`, as a peer answers them.
    pub fn encodings(&self, from: Height, to: Height) -> Vec<Vec<u8>> {
        (from..to)
            .map(|h| self.chain.blocks[h as usize].clone())
            .collect()
    }

    /// Encoded size of block `h`.
    pub fn size(&self, h: Height) -> u64 {
        self.chain.blocks[h as usize].len() as u64
    }

    /// Encoded bytes of heights `from..to`.
    pub fn bytes(&self, from: Height, to: Height) -> u64 {
        (from..to).map(|h| self.size(h)).sum()
    }
}

/// The fixture chain of `len` blocks, generated once per length and process.
pub fn fixture(len: u64) -> &'static Fixture {
    static FIXTURES: OnceLock<Mutex<HashMap<u64, &'static Fixture>>> = OnceLock::new();
    let mut made = FIXTURES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    made.entry(len)
        .or_insert_with(|| Box::leak(Box::new(Fixture::generate(len))))
}

// ---------------------------------------------------------------------------------------------------------------
// A store that records its transactions

/// One committed `import_batch` of a [`LoggingStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Height of its first block (None: a checkpoint alone).
    pub first: Option<Height>,
    /// Blocks in it.
    pub blocks: usize,
    /// The checkpoint written with them.
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Default)]
struct LogState {
    commits: Vec<Commit>,
    fail: bool,
}

/// What a [`LoggingStore`] committed, shared with the test; it can also make the store's imports fail.
#[derive(Clone, Default)]
pub struct StoreLog(Arc<Mutex<LogState>>);

impl StoreLog {
    fn state(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The transactions committed so far, oldest first.
    pub fn commits(&self) -> Vec<Commit> {
        self.state().commits.clone()
    }

    /// From now on every `import_batch` fails (`true`) with an I/O error and writes nothing, or works again.
    pub fn fail_imports(&self, fail: bool) {
        self.state().fail = fail;
    }
}

/// A [`ChainStore`] that forwards to another and logs each committed `import_batch` in a [`StoreLog`].
pub struct LoggingStore {
    inner: Box<dyn ChainStore>,
    log: StoreLog,
}

impl LoggingStore {
    /// Wraps `inner`; the returned log sees its commits.
    pub fn new(inner: Box<dyn ChainStore>) -> (Self, StoreLog) {
        let log = StoreLog::default();
        (
            Self {
                inner,
                log: log.clone(),
            },
            log,
        )
    }
}

impl ChainStore for LoggingStore {
    fn head(&self) -> Result<BlockRef, StoreError> {
        self.inner.head()
    }

    fn block(&self, height: Height) -> Result<Option<SignedBlock>, StoreError> {
        self.inner.block(height)
    }

    fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.encoded_range(start, count, max_bytes)
    }

    fn import_batch(
        &mut self,
        blocks: &[ImportBlock<'_>],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError> {
        if self.log.state().fail {
            return Err(StoreError::Io("injected failure".into()));
        }
        self.inner.import_batch(blocks, checkpoint)?;
        self.log.state().commits.push(Commit {
            first: blocks.first().map(|b| b.height()),
            blocks: blocks.len(),
            checkpoint,
        });
        Ok(())
    }

    fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        self.inner.latest_checkpoint()
    }

    fn lowest(&self) -> Result<Option<ecsync_components::LowestBlock>, StoreError> {
        self.inner.lowest()
    }

    fn backfill(&mut self, blocks: &[ImportBlock<'_>], durable: bool) -> Result<(), StoreError> {
        self.inner.backfill(blocks, durable)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The world builder

/// A world's layout: its peers, and its ranges in height order from head + 1: answered downloads, downloaded
/// ranges, downloads in flight, waiting ranges. Every range holds `range` heights.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Length of the fixture chain the blocks come from ([`fixture`]).
    pub chain_len: u64,
    /// Peers connected (`PeerId(1)`, `PeerId(2)`, …), each claiming `claimed_head`.
    pub peers: usize,
    /// Heights per range.
    pub range: u32,
    /// The height every peer claims (the target). Within the chain its real reference, above a made-up one.
    pub claimed_head: Height,
    /// `Downloading` ranges whose answer (the real blocks) arrived: `Delivered`.
    pub delivered: usize,
    /// `AwaitingImport` ranges with their pending blocks (above the chain: copies of its blocks renumbered to
    /// their heights, which no system may reach: their approvals do not match)…
    pub pending: usize,
    /// …of which, from the lowest, this many blocks are `ReadyToImport`…
    pub ready: u64,
    /// …then this many `Validated`; the rest are `Downloaded`.
    pub validated: u64,
    /// `Downloading` ranges without an answer (with `delivered`, spread over the peers in turn)…
    pub downloading: usize,
    /// …of which, from the lowest, this many are past their deadline.
    pub expired: usize,
    /// `AwaitingDownload` ranges.
    pub waiting: usize,
    /// Bytes reserved per download (None: the expected bytes, `range` × the average block size).
    pub reserve: Option<u64>,
}

/// The default config with a download buffer big enough for [`Layout::mid_sync`]'s world (19,200 downloaded
/// blocks and 400 downloads' reservations, about 49 MB: more than the default buffer).
pub fn mid_sync_config() -> SyncConfig {
    SyncConfig {
        max_buffered_bytes: 64 << 20,
        ..SyncConfig::default()
    }
}

impl Layout {
    /// The benches' mid-sync state (build it with [`mid_sync_config`]): 100 peers, ranges of 64, 300 downloaded ranges (19,200 pending blocks, all
    /// `Downloaded`), 400 in flight (every peer full), 300 waiting, every peer claiming height 1,000,000.
    pub const fn mid_sync() -> Self {
        Self {
            chain_len: BENCH_CHAIN_LEN,
            peers: 100,
            range: 64,
            claimed_head: 1_000_000,
            delivered: 0,
            pending: 300,
            ready: 0,
            validated: 0,
            downloading: 400,
            expired: 0,
            waiting: 300,
            reserve: None,
        }
    }

    /// The tests' empty world: 4 peers claiming the head of the 256-block chain, ranges of 16, none yet.
    pub const fn small() -> Self {
        Self {
            chain_len: SMALL_CHAIN_LEN,
            peers: 4,
            range: 16,
            claimed_head: SMALL_CHAIN_LEN,
            delivered: 0,
            pending: 0,
            ready: 0,
            validated: 0,
            downloading: 0,
            expired: 0,
            waiting: 0,
            reserve: None,
        }
    }

    /// The head every peer claims: the chain's block at `claimed_head`, or a made-up reference above the chain.
    pub fn claimed_ref(&self) -> BlockRef {
        let chain = &fixture(self.chain_len).chain;
        if self.claimed_head <= chain.len() {
            chain.block_ref(self.claimed_head)
        } else {
            BlockRef {
                height: self.claimed_head,
                slot: self.claimed_head + self.claimed_head / 8,
                hash: Hash32([0xab; 32]),
            }
        }
    }

    /// The bytes a download reserves in this layout.
    pub fn reserve_bytes(&self) -> u64 {
        self.reserve.unwrap_or_else(|| {
            (fixture(self.chain_len).avg_bytes * f64::from(self.range)).ceil() as u64
        })
    }
}

/// An engine in the state of a [`Layout`], and its entities (each list in height order).
pub struct Built {
    /// The engine.
    pub engine: SyncEngine,
    /// The peers: `peers[i]` is `PeerId(i + 1)`.
    pub peers: Vec<Entity>,
    /// Downloading ranges with an answer, then those without (the expired first).
    pub downloading: Vec<Entity>,
    /// The downloaded (`AwaitingImport`) ranges.
    pub pending: Vec<Entity>,
    /// The waiting ranges.
    pub waiting: Vec<Entity>,
    /// The transactions the engine's store commits.
    pub store: StoreLog,
}

/// Statistics of a peer that has served a while (deterministic per draw).
fn peer_stats(rng: &mut ChaCha8Rng, range: u32) -> PeerStats {
    let requests_ok = rng.random_range(20..60);
    let blocks_per_sec = rng.random_range(50.0..3_000.0);
    PeerStats {
        latency_ms: rng.random_range(20.0..400.0),
        blocks_per_sec,
        requests_ok,
        blocks_served: requests_ok * u64::from(range),
        bytes_served: requests_ok * u64::from(range) * 1_200,
        timeouts: rng.random_range(0..3),
        failures: rng.random_range(0..2),
        empty: 0,
        invalid: 0,
        consecutive_failures: 0,
    }
}

/// Spawns the peers of `layout`, each claiming its claimed head with statistics of a while of serving. Their
/// claims are honest and proven: the proven head (the target) is the claimed head.
fn spawn_peers(world: &mut World, layout: &Layout, config: &SyncConfig) -> Vec<Entity> {
    let claimed = layout.claimed_ref();
    world.resource_mut::<ProvenHead>().head = claimed;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut peers = Vec::with_capacity(layout.peers);
    for i in 0..layout.peers {
        let id = PeerId(i as u64 + 1);
        let stats = peer_stats(&mut rng, layout.range);
        let entity = world
            .spawn((
                Peer {
                    id,
                    label: format!("peer-{}", i + 1),
                    connected_at_ms: NOW - 60_000,
                },
                PeerClaim {
                    head: claimed,
                    updated_ms: NOW - 1_000,
                    discredited_from: None,
                    discredited_until_ms: 0,
                    status_requested_ms: NOW - 1_000,
                    unbacked_from: None,
                    proven: claimed.height,
                    announced: 0,
                    lowest: 0,
                },
                PeerScore(score(&stats)),
                budget(config, &stats),
                PeerLoad::default(),
                stats,
            ))
            .id();
        world.resource_mut::<PeerIndex>().0.insert(id, entity);
        peers.push(entity);
    }
    peers
}

/// Where [`build`] is: the next height, requests issued, buffer accounting, downloads spawned.
struct Cursor {
    next: u64,
    range: u32,
    requests: u64,
    reserve: u64,
    buffer: Buffer,
    downloading: Vec<Entity>,
}

impl Cursor {
    /// At height 1, nothing spawned yet.
    fn new(layout: &Layout, fx: &Fixture) -> Self {
        Self {
            next: 1,
            range: layout.range,
            requests: 0,
            reserve: layout.reserve_bytes(),
            buffer: Buffer {
                avg_block_bytes: fx.avg_bytes,
                ..Buffer::default()
            },
            downloading: Vec::new(),
        }
    }

    /// Spawns a `Downloading` range at the next heights, to the next peer in turn (with its answer, if given).
    fn download(
        &mut self,
        world: &mut World,
        peers: &[Entity],
        answer: Option<Vec<Vec<u8>>>,
        expired: bool,
    ) {
        assert!(!peers.is_empty(), "downloads need peers");
        let n = self.downloading.len() % peers.len();
        let peer = peers[n];
        self.requests += 1;
        let mut range = world.spawn((
            Range {
                start: self.next,
                count: self.range,
            },
            RangeAttempts {
                attempts: 1,
                failed_peers: Vec::new(),
            },
            Downloading {
                peer,
                peer_id: PeerId(n as u64 + 1),
                request: RequestId(self.requests),
                sent_at_ms: NOW - 300,
                deadline_ms: if expired { NOW - 1 } else { NOW + 10_000 },
                reserved_bytes: self.reserve,
            },
        ));
        if let Some(blocks) = answer {
            range.insert(Delivered { blocks, at_ms: NOW });
        }
        self.downloading.push(range.id());
        world.get_mut::<PeerLoad>(peer).expect("peer").in_flight += 1;
        self.buffer.reserve(self.reserve);
        self.next += u64::from(self.range);
    }

    /// Spawns a `Downloading` range at the next heights whose answer, the chain's blocks, arrived.
    fn delivered(&mut self, world: &mut World, fx: &Fixture, peers: &[Entity]) {
        let end = self.next + u64::from(self.range);
        assert!(end - 1 <= fx.len(), "answers are real blocks");
        let blocks = fx.encodings(self.next, end);
        self.download(world, peers, Some(blocks), false);
    }

    /// Spawns the `r`th `AwaitingImport` range at the next heights, served by a peer in turn, with its pending
    /// blocks, each in its stage.
    fn pending(
        &mut self,
        world: &mut World,
        fx: &Fixture,
        layout: &Layout,
        peers: &[Entity],
        r: usize,
    ) -> Entity {
        assert!(!peers.is_empty(), "downloaded ranges were served by a peer");
        let range_len = u64::from(self.range);
        let range = world
            .spawn(Range {
                start: self.next,
                count: self.range,
            })
            .id();
        let mut blocks = Vec::with_capacity(self.range as usize);
        for h in self.next..self.next + range_len {
            let pending = pending_block(fx, h, range);
            let len = pending.encoded_len();
            blocks.push(spawn_in_stage(world, pending, self.buffer.blocks, layout));
            // The running size estimate stays the fixture's average.
            self.buffer.bytes += u64::from(len);
            self.buffer.blocks += 1;
        }
        let served_by = r % peers.len();
        world.entity_mut(range).insert((
            RangeAttempts {
                attempts: 1,
                failed_peers: Vec::new(),
            },
            AwaitingImport {
                peer: peers[served_by],
                peer_id: PeerId(served_by as u64 + 1),
                blocks,
            },
        ));
        self.next += range_len;
        range
    }

    /// Spawns an `AwaitingDownload` range at the next heights.
    fn waiting(&mut self, world: &mut World) -> Entity {
        let range = world
            .spawn((
                Range {
                    start: self.next,
                    count: self.range,
                },
                RangeAttempts {
                    attempts: 1,
                    failed_peers: Vec::new(),
                },
                AwaitingDownload,
            ))
            .id();
        self.next += u64::from(self.range);
        range
    }

    /// Sets the resources that account for what was spawned (buffer, requests, plan cursor, progress), asserts
    /// that no cap or budget is exceeded, and returns the downloads.
    fn finish(
        self,
        world: &mut World,
        layout: &Layout,
        config: &SyncConfig,
        peers: &[Entity],
    ) -> Vec<Entity> {
        let buffer = Buffer {
            peak_bytes: self.buffer.bytes,
            ..self.buffer
        };
        assert!(
            buffer.bytes + buffer.reserved <= config.max_buffered_bytes,
            "layout over the buffer cap"
        );
        *world.resource_mut::<Buffer>() = buffer;
        world.resource_mut::<RequestCounter>().0 = self.requests;
        world.resource_mut::<PlanCursor>().next = self.next;
        *world.resource_mut::<SyncProgress>() = SyncProgress {
            state: SyncState::DownloadingBlocks,
            target: layout.claimed_head,
            blocks_per_sec: 800.0,
            rate_height: 0,
            rate_at_ms: NOW - 500,
            last_progress_ms: NOW - 500,
            ..SyncProgress::default()
        };
        for &peer in peers {
            let load = world.get::<PeerLoad>(peer).expect("peer").in_flight;
            let max = world.get::<PeerBudget>(peer).expect("peer").max_in_flight;
            assert!(load <= max, "peer over its in-flight budget");
        }
        self.downloading
    }
}

/// The pending block at height `h` of `range`: the chain's, or above the generated chain a copy of one of its
/// blocks, renumbered to its height (its approval no longer matches, which no system reaches).
fn pending_block(fx: &Fixture, h: Height, range: Entity) -> PendingBlock {
    let chain = &fx.chain;
    if h <= fx.len() {
        PendingBlock::new(
            fx.blocks[h as usize].clone(),
            chain.hashes[h as usize],
            chain.blocks[h as usize].clone(),
            range,
        )
    } else {
        let mut block = fx.blocks[((h - 1) % fx.len() + 1) as usize].clone();
        block.block.header.height = h;
        let (hash, bytes) = (block.hash(), block.encode());
        PendingBlock::new(block, hash, bytes, range)
    }
}

/// Spawns the `i`th pending block of the world (from the lowest) in its stage: the first `ready` are
/// `ReadyToImport`, the next `validated` `Validated`, the rest `Downloaded`.
fn spawn_in_stage(world: &mut World, pending: PendingBlock, i: u64, layout: &Layout) -> Entity {
    if i < layout.ready {
        world.spawn((pending, ReadyToImport)).id()
    } else if i < layout.ready.saturating_add(layout.validated) {
        world.spawn((pending, Validated)).id()
    } else {
        world.spawn((pending, Downloaded)).id()
    }
}

/// Builds an engine over an in-memory store at genesis and puts it into the state of `layout`. Panics if the
/// layout is inconsistent (over the buffer cap or a peer's in-flight budget, answers beyond the chain) and
/// asserts [`check_world`] before it returns.
pub fn build(layout: Layout, config: SyncConfig) -> Built {
    // The test machinery runs with strict bookkeeping: a wrong transition or buffer drift panics.
    ecsync_components::set_strict(true);
    let fx = fixture(layout.chain_len);
    let chain = &fx.chain;
    let redb = RedbStore::in_memory(&chain.spec, Some(&chain.genesis)).expect("in-memory store");
    let (store, log) = LoggingStore::new(Box::new(redb));
    let mut engine =
        SyncEngine::new(chain.spec.clone(), config.clone(), Box::new(store)).expect("engine");
    let world = engine.world_mut();
    world.resource_mut::<Clock>().now_ms = NOW;
    assert!(layout.range > 0, "ranges hold heights");

    let peers = spawn_peers(world, &layout, &config);
    let mut cursor = Cursor::new(&layout, fx);
    for _ in 0..layout.delivered {
        cursor.delivered(world, fx, &peers);
    }
    let mut pending = Vec::with_capacity(layout.pending);
    for r in 0..layout.pending {
        pending.push(cursor.pending(world, fx, &layout, &peers, r));
    }
    for i in 0..layout.downloading {
        cursor.download(world, &peers, None, i < layout.expired);
    }
    let mut waiting = Vec::with_capacity(layout.waiting);
    for _ in 0..layout.waiting {
        waiting.push(cursor.waiting(world));
    }
    let downloading = cursor.finish(world, &layout, &config, &peers);

    if let Err(e) = check_world(&mut engine) {
        panic!("the built world is inconsistent: {e}");
    }
    Built {
        engine,
        peers,
        downloading,
        pending,
        waiting,
        store: log,
    }
}

/// Checks what the transitions keep: every range in exactly one state (`Delivered` only on a download), every
/// pending block in exactly one stage and listed, in height order, by the `AwaitingImport` range it names (whose
/// count it fills); then [`check_bookkeeping`](crate::testing::invariants::check_bookkeeping).
pub fn check_world(engine: &mut SyncEngine) -> Result<(), String> {
    let world = engine.world_mut();
    let ranges = entities::<With<Range>>(world);
    let mut listed = 0usize;
    for &range in &ranges {
        let state = range_state(world, range).map_err(|e| format!("{e} is not a range"))?;
        let Some(_) = state else {
            return Err(format!("range {range} has no state or several"));
        };
        let e = world.entity(range);
        if e.contains::<Delivered>() && !e.contains::<Downloading>() {
            return Err(format!("range {range} has an answer but no download"));
        }
        let r = *e.get::<Range>().expect("a range");
        if let Some(awaiting) = e.get::<AwaitingImport>() {
            if awaiting.blocks.len() != r.count as usize {
                return Err(format!(
                    "range {range} of {} heights lists {} blocks",
                    r.count,
                    awaiting.blocks.len()
                ));
            }
            for (i, &block) in awaiting.blocks.iter().enumerate() {
                let p = world
                    .get::<PendingBlock>(block)
                    .ok_or_else(|| format!("range {range} lists {block}, not a pending block"))?;
                if p.range != range || p.height() != r.start + i as u64 {
                    return Err(format!(
                        "block {block} at height {} of range {} listed at height {} of range {range}",
                        p.height(),
                        p.range,
                        r.start + i as u64
                    ));
                }
            }
            listed += awaiting.blocks.len();
        }
    }
    let mut blocks = world.query::<(
        Entity,
        Has<PendingBlock>,
        Has<Downloaded>,
        Has<Validating>,
        Has<Validated>,
        Has<ReadyToImport>,
    )>();
    let mut all = 0usize;
    for (block, is_pending, a, v, b, c) in blocks.iter(world) {
        if !is_pending {
            if a || v || b || c {
                return Err(format!("{block} has a stage but is no pending block"));
            }
            continue;
        }
        all += 1;
        if usize::from(a) + usize::from(v) + usize::from(b) + usize::from(c) != 1 {
            return Err(format!("pending block {block} has no stage or several"));
        }
    }
    if all != listed {
        return Err(format!(
            "{all} pending blocks, {listed} listed by downloaded ranges"
        ));
    }
    crate::testing::invariants::check_bookkeeping(engine)
}

// ---------------------------------------------------------------------------------------------------------------
// Running one system

/// A schedule that runs `system` alone, with the engine's executor (the commands it queues apply at its end).
pub fn one_system<M>(system: impl IntoScheduleConfigs<ScheduleSystem, M>) -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.add_systems(system);
    schedule
}

/// Runs `system` once, alone, on the engine's world ([`one_system`]).
pub fn run_system<M>(engine: &mut SyncEngine, system: impl IntoScheduleConfigs<ScheduleSystem, M>) {
    one_system(system).run(engine.world_mut());
}

/// Entities matching `F`.
pub fn entities<F: QueryFilter>(world: &mut World) -> Vec<Entity> {
    world.query_filtered::<Entity, F>().iter(world).collect()
}

/// How many entities match `F`.
pub fn count<F: QueryFilter>(world: &mut World) -> usize {
    world.query_filtered::<(), F>().iter(world).count()
}

/// Takes the `PeerOutcome` messages written (and not yet read by a tick's update), oldest first.
pub fn take_outcomes(world: &mut World) -> Vec<PeerOutcome> {
    world
        .resource_mut::<Messages<PeerOutcome>>()
        .drain()
        .collect()
}

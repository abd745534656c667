//! A deterministic simulated network for the engine: virtual time, a seeded RNG, and peers that are honest,
//! slow, flaky (dropped requests, disconnects mid-range), lying about their head, sending invalid data, joining
//! late and leaving. On top of that, a scenario may crash the node (the engine is dropped as by `kill -9` and
//! rebuilt from its [`SimStore`], which has redb's durability semantics) and partition it from every peer for a
//! while. Every tick it checks the engine's invariants. The same seed replays the same run.
//!
//! Used by `tests/simulation.rs` and by the benches; it touches no socket and no clock.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ecsync_components::resources::SyncProgress;
use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Checkpoint, Hash32, HeadProof, Height, ImportBlock, NetEvent,
    PeerId, Request, SignedBlock, StatusMessage, StoreError, SyncConfig, SyncState,
};
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::SyncEngine;
use crate::store::RedbStore;

/// Virtual time at which simulations start: well after every generated slot.
pub const SIM_EPOCH_MS: u64 = 2_000_000_000_000;

/// An honest chain, encoded once and shared by every simulated peer.
#[derive(Clone)]
pub struct SimChain {
    /// The spec.
    pub spec: ChainSpec,
    /// Block 0.
    pub genesis: SignedBlock,
    /// Canonical encodings by height (0 = genesis).
    pub blocks: Arc<Vec<Vec<u8>>>,
    /// Hashes by height.
    pub hashes: Arc<Vec<Hash32>>,
    /// Slots by height.
    pub slots: Arc<Vec<u64>>,
}

impl SimChain {
    /// Generates `n` blocks after genesis (small payloads keep simulations quick).
    pub fn generate(seed: u64, n: u64, payload_bytes: usize) -> Self {
        let generator = ChainGenerator::new(GenParams {
            seed,
            payload_bytes,
            ..GenParams::default()
        })
        .expect("valid generator parameters");
        let mut all = vec![generator.genesis().clone()];
        all.extend(generator.blocks(n as usize));
        Self {
            spec: generator.spec().clone(),
            genesis: generator.genesis().clone(),
            hashes: Arc::new(all.iter().map(SignedBlock::hash).collect()),
            slots: Arc::new(all.iter().map(SignedBlock::slot).collect()),
            blocks: Arc::new(all.iter().map(SignedBlock::encode).collect()),
        }
    }

    /// The highest height.
    pub fn len(&self) -> u64 {
        self.blocks.len() as u64 - 1
    }

    /// Whether only genesis exists.
    pub fn is_empty(&self) -> bool {
        self.blocks.len() <= 1
    }

    /// Reference of block `h`.
    pub fn block_ref(&self, h: u64) -> BlockRef {
        BlockRef {
            height: h,
            slot: self.slots[h as usize],
            hash: self.hashes[h as usize],
        }
    }

    /// The proof of block `h` (its header and approval); none at genesis.
    pub fn proof(&self, h: u64) -> Option<HeadProof> {
        let bytes = self
            .blocks
            .get(usize::try_from(h).ok()?)
            .filter(|_| h > 0)?;
        let block = SignedBlock::decode(bytes, usize::MAX).ok()?;
        Some(HeadProof::of(&block))
    }

    /// A store holding blocks `0..=height` of this chain, with a checkpoint at `height` (if above 0).
    pub fn store_at(&self, height: u64) -> RedbStore {
        let mut store =
            RedbStore::in_memory(&self.spec, Some(&self.genesis)).expect("in-memory store");
        let blocks: Vec<SignedBlock> = (1..=height)
            .map(|h| {
                SignedBlock::decode(&self.blocks[h as usize], usize::MAX).expect("own encoding")
            })
            .collect();
        let imports: Vec<ImportBlock<'_>> = blocks
            .iter()
            .zip(1..=height as usize)
            .map(|(block, h)| ImportBlock {
                block,
                hash: self.hashes[h],
                bytes: &self.blocks[h],
            })
            .collect();
        let chunks: Vec<&[ImportBlock<'_>]> = imports.chunks(4096).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let last = chunk.last().expect("chunks are not empty");
            let checkpoint = (i + 1 == chunks.len()).then(|| {
                ecsync_components::Checkpoint::of(last.block, last.hash, SIM_EPOCH_MS, height)
            });
            store
                .import_batch(chunk, checkpoint)
                .expect("honest chain links");
        }
        store
    }
}

/// Checkpoints a [`SimStore`] keeps (the newest).
pub const SIM_STORE_CHECKPOINTS: usize = 10;

/// What a [`SimStore`] holds; shared by every handle.
struct SimStoreState {
    /// Largest block encoding `block` decodes.
    max_block_bytes: usize,
    /// Canonical encodings and hashes by height (0 = genesis), up to the head.
    blocks: Vec<(Vec<u8>, Hash32)>,
    /// The head: the last block of `blocks`.
    head: BlockRef,
    /// The newest checkpoints by height. They change only in durable batches, so they are always durable.
    checkpoints: BTreeMap<Height, Checkpoint>,
    /// The head after the last durable batch: what survives a crash.
    durable_head: BlockRef,
    /// Bumped by every crash: handles of an older process write nothing.
    incarnation: u64,
    /// Batches committed.
    commits: u64,
    /// Batches committed with a checkpoint.
    durable_commits: u64,
}

/// A chain store in memory with redb's durability semantics, for crash simulations: a batch imported with a
/// checkpoint is durable (it and everything before it survive a crash), a batch without one is not. A crash
/// ([`SimStore::crash`]) rolls the store back to its state after the last durable batch.
///
/// Handles are cheap clones sharing one state, so the store outlives the engine that is dropped in a crash and is
/// handed to the engine built after it. A handle of a process that crashed can still read but writes nothing.
#[derive(Clone)]
pub struct SimStore {
    state: Arc<Mutex<SimStoreState>>,
    incarnation: u64,
}

impl SimStore {
    /// A store holding blocks `0..=height` of `chain`, durable, with a checkpoint at `height` (if above 0), as
    /// [`SimChain::store_at`].
    pub fn at(chain: &SimChain, height: Height) -> Result<Self, String> {
        if height > chain.len() {
            return Err(format!(
                "height {height} is above the chain's {}",
                chain.len()
            ));
        }
        let blocks: Vec<(Vec<u8>, Hash32)> = (0..=height as usize)
            .map(|h| (chain.blocks[h].clone(), chain.hashes[h]))
            .collect();
        let head = chain.block_ref(height);
        let mut checkpoints = BTreeMap::new();
        if height > 0 {
            let block = SignedBlock::decode(&chain.blocks[height as usize], usize::MAX)
                .map_err(|e| format!("block {height} of the chain: {e}"))?;
            let checkpoint = Checkpoint::of(&block, head.hash, SIM_EPOCH_MS, height);
            checkpoints.insert(height, checkpoint);
        }
        let state = SimStoreState {
            max_block_bytes: chain.spec.max_block_bytes as usize,
            blocks,
            head,
            checkpoints,
            durable_head: head,
            incarnation: 0,
            commits: 0,
            durable_commits: 0,
        };
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
            incarnation: 0,
        })
    }

    fn lock(&self) -> MutexGuard<'_, SimStoreState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The process using the store is killed: everything imported since the last durable batch is lost. Returns
    /// a handle for the restarted process (older handles write nothing from now on) and the blocks lost.
    pub fn crash(&self) -> (SimStore, u64) {
        let mut state = self.lock();
        let durable = state.durable_head;
        let lost = state.head.height - durable.height;
        state.blocks.truncate(durable.height as usize + 1);
        state.head = durable;
        state.incarnation += 1;
        let handle = SimStore {
            state: Arc::clone(&self.state),
            incarnation: state.incarnation,
        };
        (handle, lost)
    }

    /// The head that survives a crash now.
    pub fn durable_head(&self) -> BlockRef {
        self.lock().durable_head
    }

    /// The hashes of the stored blocks, by height (0 = genesis).
    pub fn hashes(&self) -> Vec<Hash32> {
        self.lock().blocks.iter().map(|(_, hash)| *hash).collect()
    }

    /// The stored encoding of block `height`.
    pub fn encoding(&self, height: Height) -> Option<Vec<u8>> {
        self.lock()
            .blocks
            .get(height as usize)
            .map(|(bytes, _)| bytes.clone())
    }

    /// The checkpoints kept, oldest first.
    pub fn checkpoints(&self) -> Vec<Checkpoint> {
        self.lock().checkpoints.values().copied().collect()
    }

    /// Batches committed (all, and those with a checkpoint).
    pub fn commits(&self) -> (u64, u64) {
        let state = self.lock();
        (state.commits, state.durable_commits)
    }
}

impl ChainStore for SimStore {
    fn head(&self) -> Result<BlockRef, StoreError> {
        Ok(self.lock().head)
    }

    fn block(&self, height: Height) -> Result<Option<SignedBlock>, StoreError> {
        let state = self.lock();
        match state.blocks.get(height as usize) {
            None => Ok(None),
            Some((bytes, _)) => SignedBlock::decode(bytes, state.max_block_bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("block {height}: {e}"))),
        }
    }

    fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let state = self.lock();
        let mut out = Vec::new();
        let mut total = 0usize;
        let end = start.saturating_add(count).min(state.blocks.len() as u64);
        for h in start..end {
            let bytes = &state.blocks[h as usize].0;
            if !out.is_empty() && total + bytes.len() > max_bytes {
                break;
            }
            total += bytes.len();
            out.push(bytes.clone());
        }
        Ok(out)
    }

    fn import_batch(
        &mut self,
        blocks: &[ImportBlock<'_>],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        if state.incarnation != self.incarnation {
            return Err(StoreError::Io(
                "the process that opened this store was killed".into(),
            ));
        }
        if blocks.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        // Check the whole batch links before writing anything, as every store does.
        let (refs, head) = ecsync_components::link_batch(state.head, blocks, checkpoint.as_ref())?;
        // The given bytes (a copy: this store keeps its own, in memory).
        for (block, r) in blocks.iter().zip(&refs) {
            state.blocks.push((block.bytes.to_vec(), r.hash));
        }
        state.head = head;
        state.commits += 1;
        if let Some(cp) = checkpoint {
            state.checkpoints.insert(cp.head.height, cp);
            while state.checkpoints.len() > SIM_STORE_CHECKPOINTS {
                state.checkpoints.pop_first();
            }
            state.durable_head = head;
            state.durable_commits += 1;
        }
        Ok(())
    }

    fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        Ok(self.lock().checkpoints.values().next_back().copied())
    }
}

/// How a simulated peer behaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Behaviour {
    /// Serves what it has.
    Honest,
    /// Drops requests and disconnects mid-range now and then (per mille of requests).
    Flaky {
        /// Requests never answered.
        drop_per_mille: u32,
        /// Requests that end in a disconnect (the peer comes back 2 s later).
        disconnect_per_mille: u32,
    },
    /// Claims `extra` blocks more than it has; answers nothing for them.
    Liar {
        /// Height claimed beyond the real head.
        extra: u64,
    },
    /// Corrupts blocks it serves (per mille): bad signatures, changed payloads, garbage, wrong heights.
    Invalid {
        /// Blocks corrupted.
        corrupt_per_mille: u32,
    },
}

/// A simulated peer's description.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// Behaviour.
    pub behaviour: Behaviour,
    /// One-way latency, ms.
    pub latency_ms: u64,
    /// Link bandwidth, bytes per second.
    pub bytes_per_sec: u64,
    /// When it connects, ms after the start.
    pub join_at_ms: u64,
    /// When it leaves for good, ms after the start.
    pub leave_at_ms: Option<u64>,
}

/// A crash of the node: killed (`kill -9`) at `at_ms` and restarted at once from its store; the restarted node
/// reaches the peers it was connected to `redial_ms` later (plus their round trip).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crash {
    /// When, ms after the start.
    pub at_ms: u64,
    /// How long the restarted node takes to dial its peers again.
    pub redial_ms: u64,
}

/// How the node is cut off from the network during a [`Partition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionKind {
    /// Every peer disconnects (`PeerGone`) at the start and reconnects (`PeerConnected`, with the head it has
    /// then) at the end; nobody connects in between.
    Gone,
    /// Every peer stays connected but nothing reaches the node: requests and answers in flight are lost, so
    /// requests time out; nobody connects in between.
    Silent,
}

impl PartitionKind {
    /// 0 for `Gone`, 1 for `Silent` (an index for per-kind tallies).
    pub fn index(self) -> usize {
        match self {
            PartitionKind::Gone => 0,
            PartitionKind::Silent => 1,
        }
    }
}

/// A window of virtual time in which the node is cut off from every peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// How.
    pub kind: PartitionKind,
    /// Start, ms after the start of the run.
    pub from_ms: u64,
    /// End (exclusive), ms after the start of the run.
    pub until_ms: u64,
}

/// Share of random scenarios with crashes.
pub const CRASH_SHARE: f64 = 0.4;
/// Share of random scenarios with partitions (drawn independently of crashes, so some have both).
pub const PARTITION_SHARE: f64 = 0.4;

/// A simulation's setting.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Seed of the network's randomness.
    pub seed: u64,
    /// The peers.
    pub peers: Vec<PeerSpec>,
    /// The honest head when the run starts…
    pub initial_head: u64,
    /// …grows by one block every this many ms (0: never)…
    pub extend_every_ms: u64,
    /// …up to this height.
    pub final_head: u64,
    /// Where the syncing node's store starts.
    pub start_height: u64,
    /// Virtual time between ticks.
    pub tick_ms: u64,
    /// A run not Synced at the final head by then fails.
    pub max_virtual_ms: u64,
    /// Servers cap an answer at this many bytes.
    pub max_response_bytes: usize,
    /// Crashes of the node, by time.
    pub crashes: Vec<Crash>,
    /// Partitions, by time, disjoint.
    pub partitions: Vec<Partition>,
}

impl Scenario {
    /// A random scenario over a chain of `chain_len` blocks: an honest anchor peer that never leaves, and 2 to 7
    /// more of every kind, some joining late, some leaving; for some seeds, crashes and partitions
    /// ([`Scenario::with_disruptions`]).
    pub fn random(seed: u64, chain_len: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5eed);
        let mut peers = vec![PeerSpec {
            behaviour: Behaviour::Honest,
            latency_ms: rng.random_range(5..60),
            bytes_per_sec: rng.random_range(200_000..4_000_000),
            join_at_ms: rng.random_range(0..3_000),
            leave_at_ms: None,
        }];
        for _ in 0..rng.random_range(2..=7) {
            let behaviour = match rng.random_range(0..6) {
                0 | 1 => Behaviour::Honest,
                2 => Behaviour::Flaky {
                    drop_per_mille: rng.random_range(50..400),
                    disconnect_per_mille: rng.random_range(20..200),
                },
                3 => Behaviour::Liar {
                    extra: rng.random_range(10..5_000),
                },
                4 => Behaviour::Invalid {
                    corrupt_per_mille: rng.random_range(5..300),
                },
                _ => Behaviour::Honest,
            };
            let slow = rng.random_bool(0.3);
            let join_at_ms = if rng.random_bool(0.3) {
                rng.random_range(0..20_000)
            } else {
                0
            };
            peers.push(PeerSpec {
                behaviour,
                latency_ms: if slow {
                    rng.random_range(200..1_500)
                } else {
                    rng.random_range(5..80)
                },
                bytes_per_sec: if slow {
                    rng.random_range(5_000..60_000)
                } else {
                    rng.random_range(100_000..5_000_000)
                },
                join_at_ms,
                leave_at_ms: rng
                    .random_bool(0.25)
                    .then(|| join_at_ms + rng.random_range(1_000..30_000)),
            });
        }
        let moving = rng.random_bool(0.5);
        let initial_head = if moving {
            chain_len - rng.random_range(1..=chain_len.min(40))
        } else {
            chain_len
        };
        Self {
            seed,
            peers,
            initial_head,
            extend_every_ms: if moving {
                rng.random_range(100..1_000)
            } else {
                0
            },
            final_head: chain_len,
            start_height: if rng.random_bool(0.2) {
                rng.random_range(0..chain_len / 2)
            } else {
                0
            },
            tick_ms: 50,
            max_virtual_ms: 600_000,
            max_response_bytes: 256 * 1024,
            crashes: Vec::new(),
            partitions: Vec::new(),
        }
        .with_disruptions(seed)
    }

    /// Adds crashes and partitions drawn from `seed` to a scenario without any (with an RNG of their own, so the
    /// peers and the chain of a seed are those it had without them): crashes in [`CRASH_SHARE`] of the seeds,
    /// partitions in [`PARTITION_SHARE`], independently. The time bound grows by the time the disruptions take.
    ///
    /// - Crashes: 1 to 3, each early (in the first 6 s, while a fresh node downloads) or anywhere in the first
    ///   45 s (while a moving head is followed, or after the sync), the restarted node redialling within 3 s.
    /// - Partitions: 1 or 2 disjoint windows, each `Gone` or `Silent`, starting in the first 40 s, lasting 3 s
    ///   to 8 times `stall_timeout_ms` of [`sim_config`]: below the stall timeout (40 %), up to 3 times it
    ///   (30 %), up to 8 times it (30 %, long enough for a stalled engine to fail and recover many times).
    pub fn with_disruptions(mut self, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xc4a5_4ed1_5c0e_0001);
        if rng.random_bool(CRASH_SHARE) {
            let mut crashes: Vec<Crash> = (0..rng.random_range(1..=3))
                .map(|_| Crash {
                    at_ms: if rng.random_bool(0.5) {
                        rng.random_range(100..6_000)
                    } else {
                        rng.random_range(100..45_000)
                    },
                    redial_ms: rng.random_range(0..3_000),
                })
                .collect();
            crashes.sort_by_key(|c| c.at_ms);
            self.crashes = crashes;
        }
        if rng.random_bool(PARTITION_SHARE) {
            let stall = sim_config().stall_timeout_ms;
            let mut from_ms = rng.random_range(500..40_000);
            for _ in 0..if rng.random_bool(0.3) { 2 } else { 1 } {
                let kind = if rng.random_bool(0.5) {
                    PartitionKind::Gone
                } else {
                    PartitionKind::Silent
                };
                let len = match rng.random_range(0..10) {
                    0..=3 => rng.random_range(3_000..stall),
                    4..=6 => rng.random_range(stall..3 * stall),
                    _ => rng.random_range(3 * stall..=8 * stall),
                };
                self.partitions.push(Partition {
                    kind,
                    from_ms,
                    until_ms: from_ms + len,
                });
                from_ms += len + rng.random_range(2_000..30_000);
            }
        }
        let partitioned: u64 = self.partitions.iter().map(|p| p.until_ms - p.from_ms).sum();
        let redials: u64 = self.crashes.iter().map(|c| c.redial_ms).sum();
        self.max_virtual_ms += partitioned + redials;
        self
    }

    /// When the last crash or partition is over, ms after the start (0 without any).
    pub fn disrupted_until_ms(&self) -> u64 {
        let crashes = self.crashes.iter().map(|c| c.at_ms + c.redial_ms);
        let partitions = self.partitions.iter().map(|p| p.until_ms);
        crashes.chain(partitions).max().unwrap_or(0)
    }

    /// Honest peers only, at a fixed head: for comparisons of strategies.
    pub fn honest(seed: u64, peers: usize, head: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Self {
            seed,
            peers: (0..peers)
                .map(|_| PeerSpec {
                    behaviour: Behaviour::Honest,
                    latency_ms: rng.random_range(20..120),
                    bytes_per_sec: rng.random_range(200_000..2_000_000),
                    join_at_ms: 0,
                    leave_at_ms: None,
                })
                .collect(),
            initial_head: head,
            extend_every_ms: 0,
            final_head: head,
            start_height: 0,
            tick_ms: 20,
            max_virtual_ms: 3_600_000,
            max_response_bytes: 4 * 1024 * 1024,
            crashes: Vec::new(),
            partitions: Vec::new(),
        }
    }
}

/// The engine config simulations use: the defaults with a small buffer cap (so the cap is exercised) and
/// quicker status polls.
pub fn sim_config() -> SyncConfig {
    SyncConfig {
        max_buffered_bytes: 96 * 1024,
        status_interval_ms: 1_000,
        stall_timeout_ms: 30_000,
        ..SyncConfig::default()
    }
}

struct SimPeer {
    spec: PeerSpec,
    id: PeerId,
    /// Connected from the network's point of view.
    connected: bool,
    /// Dropped by the engine: stays away (but tries once more, to exercise bans).
    dropped: bool,
    retried: bool,
}

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

/// The engine's block counters after a tick.
#[derive(Clone, Copy, Default)]
struct BufferSample {
    downloaded: u64,
    imported: u64,
    rejected: u64,
    evicted: u64,
    buffered: u64,
    state: SyncState,
}

/// An event on its way to the node.
struct Scheduled {
    /// The simulated peer it comes from.
    peer: usize,
    event: NetEvent,
    /// The engine incarnation it answers (None: a connection event, independent of the node's process).
    engine: Option<u64>,
}

/// A simulation: the engine, its store, the network, virtual time.
pub struct Simulation {
    chain: SimChain,
    scenario: Scenario,
    config: SyncConfig,
    /// The engine under test (replaced by a new one at each crash).
    pub engine: SyncEngine,
    store: SimStore,
    peers: Vec<SimPeer>,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    pending: HashMap<u64, Scheduled>,
    seq: u64,
    rng: ChaCha8Rng,
    now: u64,
    checked: u64,
    violations: Vec<String>,
    ticks: u64,
    peak_buffered: u64,
    trace: bool,
    /// The engine's incarnation: bumped by each crash.
    incarnation: u64,
    /// Index of the next crash in the scenario.
    next_crash: usize,
    /// Index of the next partition in the scenario.
    next_partition: usize,
    /// The partition in force, with the peers it disconnected (`Gone`).
    partition: Option<(Partition, Vec<usize>)>,
    /// The highest durable height seen.
    durable: u64,
    /// The highest head of the current engine.
    head_floor: u64,
    /// Rejections and bans of the engines dropped in crashes.
    rejected: u64,
    bans: u64,
    crashes: u32,
    crashes_partitioned: u32,
    partitions: u32,
    rolled_back: u64,
    synced_rolled_back: u64,
    partition_dropped: [u64; 2],
    /// The engine's block counters after the last tick.
    buffer_sample: BufferSample,
    partition_states: [StateTicks; 2],
}

impl Simulation {
    /// Builds a simulation of `scenario` over `chain` with engine `config`; the node's store is a [`SimStore`]
    /// holding the chain up to `scenario.start_height`.
    pub fn new(chain: &SimChain, scenario: Scenario, config: SyncConfig) -> Self {
        // The simulator runs with strict bookkeeping: a wrong transition or buffer drift panics.
        ecsync_components::set_strict(true);
        let store = SimStore::at(chain, scenario.start_height).expect("start height on the chain");
        let engine = SyncEngine::new(chain.spec.clone(), config.clone(), Box::new(store.clone()))
            .expect("engine");
        let peers = scenario
            .peers
            .iter()
            .enumerate()
            .map(|(i, spec)| SimPeer {
                spec: spec.clone(),
                id: PeerId(i as u64 + 1),
                connected: false,
                dropped: false,
                retried: false,
            })
            .collect();
        let mut sim = Self {
            chain: chain.clone(),
            rng: ChaCha8Rng::seed_from_u64(scenario.seed),
            checked: scenario.start_height,
            durable: scenario.start_height,
            head_floor: scenario.start_height,
            scenario,
            config,
            engine,
            store,
            peers,
            queue: BinaryHeap::new(),
            pending: HashMap::new(),
            seq: 0,
            now: SIM_EPOCH_MS,
            violations: Vec::new(),
            ticks: 0,
            peak_buffered: 0,
            trace: std::env::var_os("SIM_TRACE").is_some(),
            incarnation: 0,
            next_crash: 0,
            next_partition: 0,
            partition: None,
            rejected: 0,
            bans: 0,
            crashes: 0,
            crashes_partitioned: 0,
            partitions: 0,
            rolled_back: 0,
            synced_rolled_back: 0,
            partition_dropped: [0; 2],
            buffer_sample: BufferSample::default(),
            partition_states: [[0; 6]; 2],
        };
        for i in 0..sim.peers.len() {
            let at = SIM_EPOCH_MS + sim.peers[i].spec.join_at_ms;
            let connect = sim.connect_event(i, at);
            sim.schedule(at, i, connect, None);
            if let Some(leave) = sim.peers[i].spec.leave_at_ms {
                let id = sim.peers[i].id;
                sim.schedule(
                    SIM_EPOCH_MS + leave,
                    i,
                    NetEvent::PeerGone { peer: id },
                    None,
                );
            }
        }
        sim
    }

    /// The node's store (shared with the engine).
    pub fn store(&self) -> &SimStore {
        &self.store
    }

    fn honest_head(&self, at: u64) -> u64 {
        let s = &self.scenario;
        if s.extend_every_ms == 0 {
            return s.initial_head;
        }
        (s.initial_head + (at - SIM_EPOCH_MS) / s.extend_every_ms).min(s.final_head)
    }

    fn claimed_head(&self, peer: usize, at: u64) -> BlockRef {
        let real = self.chain.block_ref(self.honest_head(at));
        match self.peers[peer].spec.behaviour {
            Behaviour::Liar { extra } => BlockRef {
                height: real.height + extra,
                slot: real.slot + extra,
                hash: Hash32([0xee; 32]),
            },
            _ => real,
        }
    }

    fn status(&self, peer: usize, at: u64) -> StatusMessage {
        let spec = &self.chain.spec;
        let head = self.claimed_head(peer, at);
        match self.peers[peer].spec.behaviour {
            Behaviour::Liar { .. } => {
                StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head)
            }
            _ => match self.chain.proof(head.height) {
                Some(proof) => StatusMessage::proven(spec.chain_id, spec.genesis_hash, proof),
                None => StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head),
            },
        }
    }

    fn connect_event(&self, peer: usize, at: u64) -> NetEvent {
        NetEvent::PeerConnected {
            peer: self.peers[peer].id,
            label: format!("sim-{}", peer + 1),
            status: self.status(peer, at),
        }
    }

    /// Schedules `event` from `peer` at `at`; `engine`: the incarnation it answers, if it answers one.
    fn schedule(&mut self, at: u64, peer: usize, event: NetEvent, engine: Option<u64>) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.pending.insert(
            self.seq,
            Scheduled {
                peer,
                event,
                engine,
            },
        );
    }

    /// Whether a `Silent` partition swallows everything now.
    fn silent(&self) -> bool {
        matches!(&self.partition, Some((p, _)) if p.kind == PartitionKind::Silent)
    }

    fn violation(&mut self, what: String) {
        if self.trace {
            eprintln!("t={}ms VIOLATION {what}", self.now - SIM_EPOCH_MS);
        }
        self.violations.push(what);
    }

    fn corrupt(&mut self, bytes: &[u8], height: u64) -> Vec<u8> {
        let mut block = SignedBlock::decode(bytes, usize::MAX).expect("own encoding");
        match self.rng.random_range(0..4) {
            0 => {
                let other = (height % self.chain.len()) + 1;
                let donor = SignedBlock::decode(&self.chain.blocks[other as usize], usize::MAX)
                    .expect("own encoding");
                if donor.approval.signature == block.approval.signature {
                    block.approval.signature.0[5] ^= 1;
                } else {
                    block.approval.signature = donor.approval.signature;
                }
                block.encode()
            }
            1 => {
                if block.block.payload.is_empty() {
                    block.block.payload.push(1);
                } else {
                    block.block.payload[0] ^= 0x40;
                }
                block.encode()
            }
            2 => {
                let mut garbage = bytes.to_vec();
                let at = self.rng.random_range(0..garbage.len());
                garbage.truncate(at.max(1));
                garbage
            }
            _ => {
                block.block.header.height += 1;
                block.encode()
            }
        }
    }

    fn on_request(&mut self, request: Request) {
        let peer_of = |sim: &Self, id: PeerId| sim.peers.iter().position(|p| p.id == id);
        let incarnation = Some(self.incarnation);
        match request {
            Request::Status { peer } => {
                let Some(i) = peer_of(self, peer) else { return };
                if !self.peers[i].connected || self.silent() {
                    return;
                }
                let at = self.now + self.peers[i].spec.latency_ms * 2;
                let status = self.status(i, at);
                self.schedule(at, i, NetEvent::Status { peer, status }, incarnation);
            }
            Request::Disconnect { peer, ban, .. } => {
                let Some(i) = peer_of(self, peer) else { return };
                self.peers[i].connected = false;
                if !ban {
                    // Not banned: redialed, as the network redials known peers.
                    let at = self.now + 5_000;
                    let connect = self.connect_event(i, at);
                    self.schedule(at, i, connect, None);
                    return;
                }
                self.peers[i].dropped = true;
                if !self.peers[i].retried {
                    // It comes back once, to find itself banned.
                    self.peers[i].retried = true;
                    let at = self.now + 5_000;
                    let connect = self.connect_event(i, at);
                    self.schedule(at, i, connect, None);
                }
            }
            // The simulated peers are not federation members and ask nothing.
            Request::AnswerApproval { .. }
            | Request::AskApproval { .. }
            | Request::GossipVerdict { .. }
            | Request::PublishBlock { .. } => {}
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
                ..
            } => {
                let Some(i) = peer_of(self, peer) else { return };
                if !self.peers[i].connected || self.silent() {
                    return;
                }
                let spec = self.peers[i].spec.clone();
                if let Behaviour::Flaky {
                    drop_per_mille,
                    disconnect_per_mille,
                } = spec.behaviour
                {
                    let roll = self.rng.random_range(0..1000);
                    if roll < drop_per_mille {
                        return; // never answered: the engine's timeout must catch it
                    }
                    if roll < drop_per_mille + disconnect_per_mille {
                        let gone_at = self.now + spec.latency_ms;
                        self.schedule(gone_at, i, NetEvent::PeerGone { peer }, incarnation);
                        let back = gone_at + 2_000;
                        let connect = self.connect_event(i, back);
                        self.schedule(back, i, connect, None);
                        return;
                    }
                }
                let head = self.honest_head(self.now);
                let mut blocks = Vec::new();
                let mut bytes = 0usize;
                let end = start.saturating_add(u64::from(count)).min(head + 1);
                for h in start..end {
                    let raw = self.chain.blocks[h as usize].clone();
                    if !blocks.is_empty() && bytes + raw.len() > self.scenario.max_response_bytes {
                        break;
                    }
                    let raw = match spec.behaviour {
                        Behaviour::Invalid { corrupt_per_mille }
                            if self.rng.random_range(0..1000) < corrupt_per_mille =>
                        {
                            self.corrupt(&raw, h)
                        }
                        _ => raw,
                    };
                    bytes += raw.len();
                    blocks.push(raw);
                }
                let jitter = self.rng.random_range(0..=spec.latency_ms / 4 + 1);
                let at = self.now
                    + 2 * spec.latency_ms
                    + (bytes as u64 * 1000) / spec.bytes_per_sec.max(1)
                    + jitter;
                let answer = NetEvent::Blocks {
                    peer,
                    request,
                    blocks,
                };
                self.schedule(at, i, answer, incarnation);
            }
        }
    }

    fn deliver_due(&mut self) {
        while let Some(Reverse((at, seq))) = self.queue.peek().copied() {
            if at > self.now {
                break;
            }
            self.queue.pop();
            let Some(Scheduled {
                peer: i,
                event,
                engine,
            }) = self.pending.remove(&seq)
            else {
                continue;
            };
            if engine.is_some_and(|e| e != self.incarnation) {
                continue; // an answer to a process that was killed
            }
            let left = self.peers[i]
                .spec
                .leave_at_ms
                .is_some_and(|l| at >= SIM_EPOCH_MS + l);
            match &event {
                NetEvent::PeerConnected { .. } => {
                    if let Some((partition, _)) = &self.partition {
                        // Nobody gets through while partitioned: the peer tries again when it ends, with the
                        // head it has then.
                        let back =
                            SIM_EPOCH_MS + partition.until_ms + 2 * self.peers[i].spec.latency_ms;
                        let connect = self.connect_event(i, back);
                        self.schedule(back, i, connect, None);
                        continue;
                    }
                    if left
                        || self.peers[i].connected
                        || (self.peers[i].dropped && !self.peers[i].retried)
                    {
                        continue;
                    }
                    self.peers[i].connected = true;
                    self.peers[i].dropped = false;
                }
                NetEvent::PeerGone { .. } => {
                    if !self.peers[i].connected {
                        continue;
                    }
                    self.peers[i].connected = false;
                }
                _ => {
                    if !self.peers[i].connected || left || self.silent() {
                        continue;
                    }
                }
            }
            self.engine.handle(event);
        }
    }

    /// Starts, ends partitions and crashes the node when their time has come. False when the engine could not
    /// be rebuilt.
    fn disrupt(&mut self) -> bool {
        let elapsed = self.now - SIM_EPOCH_MS;
        if let Some((partition, _)) = &self.partition
            && elapsed >= partition.until_ms
        {
            self.end_partition();
        }
        if self.partition.is_none()
            && let Some(partition) = self.scenario.partitions.get(self.next_partition).copied()
            && elapsed >= partition.from_ms
        {
            self.next_partition += 1;
            self.begin_partition(partition);
        }
        while let Some(crash) = self.scenario.crashes.get(self.next_crash).copied()
            && elapsed >= crash.at_ms
        {
            self.next_crash += 1;
            if !self.crash(crash) {
                return false;
            }
        }
        true
    }

    fn begin_partition(&mut self, partition: Partition) {
        self.partitions += 1;
        let mut gone = Vec::new();
        if partition.kind == PartitionKind::Gone {
            for i in 0..self.peers.len() {
                if self.peers[i].connected {
                    self.peers[i].connected = false;
                    gone.push(i);
                    let peer = self.peers[i].id;
                    self.engine.handle(NetEvent::PeerGone { peer });
                }
            }
        }
        if self.trace {
            eprintln!(
                "t={}ms partition {:?} until {} ms: {} peers gone",
                self.now - SIM_EPOCH_MS,
                partition.kind,
                partition.until_ms,
                gone.len()
            );
        }
        self.partition = Some((partition, gone));
    }

    fn end_partition(&mut self) {
        let Some((_, gone)) = self.partition.take() else {
            return;
        };
        for i in gone {
            let at = self.now + 2 * self.peers[i].spec.latency_ms;
            let connect = self.connect_event(i, at);
            self.schedule(at, i, connect, None);
        }
        if self.trace {
            eprintln!("t={}ms partition over", self.now - SIM_EPOCH_MS);
        }
    }

    /// The node is killed and restarted: the store loses what was not durable, the engine is dropped with
    /// everything in flight for it, a new one is built from the store, and the peers the node was connected to
    /// are dialled again. False when the new engine could not be built.
    fn crash(&mut self, crash: Crash) -> bool {
        self.crashes += 1;
        self.crashes_partitioned += u32::from(self.partition.is_some());
        let counters = self.engine.counters();
        self.rejected += counters.blocks_rejected;
        self.bans += counters.peer_bans;
        let before = self.engine.head().height;
        let synced = self.engine.status().state == SyncState::Synced;
        let (store, lost) = self.store.crash();
        self.rolled_back += lost;
        if synced {
            self.synced_rolled_back += lost;
        }
        self.store = store.clone();
        let durable = self.store.durable_head();
        if durable.height < self.durable {
            self.violation(format!(
                "crash {}: the durable height went back from {} to {}",
                self.crashes, self.durable, durable.height
            ));
        }
        self.durable = self.durable.max(durable.height);
        match SyncEngine::new(
            self.chain.spec.clone(),
            self.config.clone(),
            Box::new(store),
        ) {
            // The old engine is dropped here: a killed process writes nothing more.
            Ok(engine) => self.engine = engine,
            Err(e) => {
                self.violation(format!(
                    "crash {}: no engine could be rebuilt from the store: {e}",
                    self.crashes
                ));
                return false;
            }
        }
        self.incarnation += 1;
        // A restarted process has new connections: no answer, failure or status meant for the old one arrives.
        self.pending.retain(|_, s| s.engine.is_none());
        let mut redialled = 0;
        for i in 0..self.peers.len() {
            if self.peers[i].connected {
                self.peers[i].connected = false;
                redialled += 1;
                let at = self.now + crash.redial_ms + 2 * self.peers[i].spec.latency_ms;
                let connect = self.connect_event(i, at);
                self.schedule(at, i, connect, None);
            }
        }
        let expected = match self.store.latest_checkpoint() {
            Ok(Some(checkpoint)) => checkpoint.head,
            Ok(None) => self.chain.block_ref(0),
            Err(e) => {
                self.violation(format!("crash {}: no checkpoint read: {e}", self.crashes));
                durable
            }
        };
        let head = self.engine.head();
        if head != expected {
            self.violation(format!(
                "crash {}: the rebuilt engine's head {} ({}) is not the last durable checkpoint's {} ({})",
                self.crashes, head.height, head.hash, expected.height, expected.hash
            ));
        }
        if durable != expected {
            self.violation(format!(
                "crash {}: the store's durable head {} is not its last checkpoint's {}",
                self.crashes, durable.height, expected.height
            ));
        }
        self.checked = self.checked.min(head.height);
        self.head_floor = head.height;
        self.buffer_sample = BufferSample::default();
        if self.trace {
            eprintln!(
                "t={}ms crash {}: head {before} -> {} ({lost} blocks not durable{}), {redialled} peers redialled in {} ms",
                self.now - SIM_EPOCH_MS,
                self.crashes,
                head.height,
                if synced { ", engine Synced" } else { "" },
                crash.redial_ms
            );
        }
        true
    }

    fn check_invariants(&mut self) {
        let head = self.engine.head();
        match self.engine.store().head() {
            Ok(store_head) if store_head == head => {}
            Ok(store_head) => self.violation(format!(
                "engine head {} differs from store head {}",
                head.height, store_head.height
            )),
            Err(e) => self.violation(format!("store head: {e}")),
        }
        if head.height < self.head_floor {
            self.violation(format!(
                "the head went back from {} to {} without a crash",
                self.head_floor, head.height
            ));
        }
        self.head_floor = self.head_floor.max(head.height);
        let durable = self.store.durable_head().height;
        if durable < self.durable || durable > head.height {
            self.violation(format!(
                "durable height {durable}: the highest seen was {}, the head is {}",
                self.durable, head.height
            ));
        }
        self.durable = self.durable.max(durable);
        for h in self.checked + 1..=head.height {
            match self.engine.store().block(h) {
                Ok(Some(b)) => {
                    if b.hash() != self.chain.hashes[h as usize] {
                        self.violation(format!("block {h} imported is not the honest block"));
                    }
                    if h > 0 && b.block.header.parent_hash != self.chain.hashes[h as usize - 1] {
                        self.violation(format!("block {h} does not link to its parent"));
                    }
                }
                other => self.violation(format!("block {h} below the head is missing: {other:?}")),
            }
            if self.store.encoding(h).as_deref() != Some(self.chain.blocks[h as usize].as_slice()) {
                self.violation(format!(
                    "block {h} is not stored as the honest block's encoding"
                ));
            }
        }
        self.checked = head.height;
        if let Err(e) = crate::testing::invariants::check_bookkeeping(&mut self.engine) {
            self.violation(format!("bookkeeping: {e}"));
        }
        let buffer = self.engine.buffer();
        self.peak_buffered = self.peak_buffered.max(buffer.bytes);
        let cap = self.engine.config().max_buffered_bytes;
        if buffer.bytes > cap {
            self.violation(format!(
                "buffered {} bytes over the cap {cap}",
                buffer.bytes
            ));
        }
    }

    /// After a tick: the state while partitioned, and the downloaded blocks that left the buffer without being
    /// imported (by the counters: what was buffered plus what came in, less what was imported and what is
    /// buffered now). The engine must keep what it downloaded while cut off: a drop is a violation unless an
    /// invalid block sent its range back to be downloaded.
    fn observe_partition(&mut self, state: SyncState) {
        let counters = self.engine.counters();
        let sample = BufferSample {
            downloaded: counters.blocks_downloaded,
            imported: counters.blocks_imported,
            rejected: counters.blocks_rejected,
            evicted: counters.ranges_evicted,
            buffered: self.engine.buffer().blocks,
            state,
        };
        let last = std::mem::replace(&mut self.buffer_sample, sample);
        let Some((partition, _)) = &self.partition else {
            return;
        };
        let kind = partition.kind;
        self.partition_states[kind.index()][state.as_number() as usize] += 1;
        let came = last.buffered + sample.downloaded.saturating_sub(last.downloaded);
        let went = sample.imported.saturating_sub(last.imported) + sample.buffered;
        let dropped = came.saturating_sub(went);
        if dropped == 0 {
            return;
        }
        self.partition_dropped[kind.index()] += dropped;
        if sample.rejected > last.rejected {
            return; // a range with an invalid block goes back to be downloaded again: nothing valid is lost
        }
        let why = if sample.evicted > last.evicted {
            "evicted for the import frontier"
        } else if last.state == SyncState::Failed && state != SyncState::Failed {
            "reset by the recovery from Failed"
        } else {
            "no reason seen"
        };
        self.violation(format!(
            "{dropped} downloaded blocks dropped without being imported while partitioned ({kind:?}, state {:?} \
             -> {state:?}): {why}",
            last.state
        ));
    }

    /// At the end of a run: the store holds exactly the honest chain up to the final head.
    fn check_final_store(&mut self) {
        let final_head = self.scenario.final_head as usize;
        let stored = self.store.hashes();
        let honest = &self.chain.hashes[..=final_head.min(self.chain.hashes.len() - 1)];
        if stored.as_slice() != honest {
            let first = stored
                .iter()
                .zip(honest)
                .position(|(a, b)| a != b)
                .unwrap_or(stored.len().min(honest.len()));
            self.violation(format!(
                "the final store holds {} blocks, not the honest chain's {}: they differ from height {first}",
                stored.len(),
                honest.len()
            ));
        }
    }

    /// Runs until Synced at the final head (and the head stopped moving, and every crash and partition is
    /// over), a violation, or the time bound.
    pub fn run(mut self) -> SimReport {
        let start = self.now;
        let final_at = if self.scenario.extend_every_ms == 0 {
            start
        } else {
            start
                + (self.scenario.final_head - self.scenario.initial_head)
                    * self.scenario.extend_every_ms
        };
        let disrupted_until = start + self.scenario.disrupted_until_ms();
        let mut finished = None;
        while self.now - start <= self.scenario.max_virtual_ms {
            if self.trace && (self.now - start).is_multiple_of(1000) {
                eprintln!(
                    "t={}ms {:?} {:?} {:?}",
                    self.now - start,
                    self.engine.status(),
                    self.engine.counters(),
                    self.engine.buffer()
                );
                if (self.now - start).is_multiple_of(5000) {
                    eprintln!(
                        "{}",
                        serde_json::to_string(&self.engine.world_dump(false)).unwrap_or_default()
                    );
                }
            }
            if !self.disrupt() {
                break;
            }
            self.deliver_due();
            self.engine.tick(self.now);
            self.ticks += 1;
            for request in self.engine.drain_outbox() {
                self.on_request(request);
            }
            self.check_invariants();
            let status = self.engine.status();
            self.observe_partition(status.state);
            if !self.violations.is_empty() {
                break;
            }
            if self.now >= final_at
                && self.now >= disrupted_until
                && status.state == SyncState::Synced
                && status.current_height == self.scenario.final_head
            {
                finished = Some(self.now - start);
                self.check_final_store();
                break;
            }
            self.now += self.scenario.tick_ms;
        }
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
        SimReport {
            seed: self.scenario.seed,
            finished_after_ms: finished,
            head: self.engine.head().height,
            violations: self.violations,
            ticks: self.ticks,
            peak_buffered: self.peak_buffered,
            rejected: self.rejected + counters.blocks_rejected,
            bans: self.bans + counters.peer_bans,
            crashes: self.crashes,
            crashes_partitioned: self.crashes_partitioned,
            partitions: self.partitions,
            blocks_rolled_back: self.rolled_back,
            synced_blocks_rolled_back: self.synced_rolled_back,
            partition_blocks_dropped: self.partition_dropped,
            partition_states: self.partition_states,
            final_state: progress.state,
            recoveries: progress.recoveries,
        }
    }
}

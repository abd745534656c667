//! A deterministic simulated network for the engine: virtual time, a seeded RNG, and peers that are honest,
//! slow, flaky (dropped requests, disconnects mid-range), lying about their head, sending invalid data, joining
//! late and leaving. Every tick it checks the engine's invariants. The same seed replays the same run.
//!
//! Used by `tests/simulation.rs` and by the benches; it touches no socket and no clock.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Hash32, NetEvent, PeerId, Request, SignedBlock, StatusMessage,
    SyncConfig, SyncState,
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

    /// A store holding blocks `0..=height` of this chain, with a checkpoint at `height` (if above 0).
    pub fn store_at(&self, height: u64) -> RedbStore {
        let mut store =
            RedbStore::in_memory(&self.spec, Some(&self.genesis)).expect("in-memory store");
        let blocks: Vec<SignedBlock> = (1..=height)
            .map(|h| {
                SignedBlock::decode(&self.blocks[h as usize], usize::MAX).expect("own encoding")
            })
            .collect();
        let chunks: Vec<&[SignedBlock]> = blocks.chunks(4096).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let last = chunk.last().expect("chunks are not empty");
            let checkpoint = (i + 1 == chunks.len()).then(|| {
                ecsync_components::Checkpoint::of(last, last.hash(), SIM_EPOCH_MS, height)
            });
            store
                .import_batch(&chunk.iter().collect::<Vec<_>>(), checkpoint)
                .expect("honest chain links");
        }
        store
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
}

impl Scenario {
    /// A random scenario over a chain of `chain_len` blocks: an honest anchor peer that never leaves, and 2 to 7
    /// more of every kind, some joining late, some leaving.
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
        }
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

/// What a run saw.
#[derive(Debug, Clone)]
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
    /// Blocks rejected as invalid.
    pub rejected: u64,
    /// Peers banned.
    pub bans: u64,
}

/// A simulation: the engine, the network, virtual time.
pub struct Simulation {
    chain: SimChain,
    scenario: Scenario,
    /// The engine under test.
    pub engine: SyncEngine,
    peers: Vec<SimPeer>,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    pending: std::collections::HashMap<u64, (usize, NetEvent)>,
    seq: u64,
    rng: ChaCha8Rng,
    now: u64,
    checked: u64,
    violations: Vec<String>,
    ticks: u64,
    peak_buffered: u64,
}

impl Simulation {
    /// Builds a simulation of `scenario` over `chain` with engine `config`.
    pub fn new(chain: &SimChain, scenario: Scenario, config: SyncConfig) -> Self {
        let store = chain.store_at(scenario.start_height);
        let engine = SyncEngine::new(chain.spec.clone(), config, Box::new(store)).expect("engine");
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
            scenario,
            engine,
            peers,
            queue: BinaryHeap::new(),
            pending: Default::default(),
            seq: 0,
            now: SIM_EPOCH_MS,
            violations: Vec::new(),
            ticks: 0,
            peak_buffered: 0,
        };
        for i in 0..sim.peers.len() {
            let at = SIM_EPOCH_MS + sim.peers[i].spec.join_at_ms;
            let connect = sim.connect_event(i, at);
            sim.schedule(at, i, connect);
            if let Some(leave) = sim.peers[i].spec.leave_at_ms {
                let id = sim.peers[i].id;
                sim.schedule(SIM_EPOCH_MS + leave, i, NetEvent::PeerGone { peer: id });
            }
        }
        sim
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
        StatusMessage {
            chain_id: self.chain.spec.chain_id,
            genesis_hash: self.chain.spec.genesis_hash,
            head: self.claimed_head(peer, at),
        }
    }

    fn connect_event(&self, peer: usize, at: u64) -> NetEvent {
        NetEvent::PeerConnected {
            peer: self.peers[peer].id,
            label: format!("sim-{}", peer + 1),
            status: self.status(peer, at),
        }
    }

    fn schedule(&mut self, at: u64, peer: usize, event: NetEvent) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.pending.insert(self.seq, (peer, event));
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
        match request {
            Request::Status { peer } => {
                let Some(i) = peer_of(self, peer) else { return };
                if !self.peers[i].connected {
                    return;
                }
                let at = self.now + self.peers[i].spec.latency_ms * 2;
                let status = self.status(i, at);
                self.schedule(at, i, NetEvent::Status { peer, status });
            }
            Request::Disconnect { peer, .. } => {
                let Some(i) = peer_of(self, peer) else { return };
                self.peers[i].connected = false;
                self.peers[i].dropped = true;
                if !self.peers[i].retried {
                    // It comes back once, to find itself banned.
                    self.peers[i].retried = true;
                    let at = self.now + 5_000;
                    let connect = self.connect_event(i, at);
                    self.schedule(at, i, connect);
                }
            }
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
            } => {
                let Some(i) = peer_of(self, peer) else { return };
                if !self.peers[i].connected {
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
                        self.schedule(gone_at, i, NetEvent::PeerGone { peer });
                        let back = gone_at + 2_000;
                        let connect = self.connect_event(i, back);
                        self.schedule(back, i, connect);
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
                self.schedule(
                    at,
                    i,
                    NetEvent::Blocks {
                        peer,
                        request,
                        blocks,
                    },
                );
            }
        }
    }

    fn deliver_due(&mut self) {
        while let Some(Reverse((at, seq))) = self.queue.peek().copied() {
            if at > self.now {
                break;
            }
            self.queue.pop();
            let Some((i, event)) = self.pending.remove(&seq) else {
                continue;
            };
            let left = self.peers[i]
                .spec
                .leave_at_ms
                .is_some_and(|l| at >= SIM_EPOCH_MS + l);
            match &event {
                NetEvent::PeerConnected { .. } => {
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
                    if !self.peers[i].connected || left {
                        continue;
                    }
                }
            }
            self.engine.handle(event);
        }
    }

    fn check_invariants(&mut self) {
        let head = self.engine.head();
        let store_head = self.engine.store().head().expect("store head");
        if store_head != head {
            self.violations.push(format!(
                "engine head {} differs from store head {}",
                head.height, store_head.height
            ));
        }
        for h in self.checked + 1..=head.height {
            match self.engine.store().block(h) {
                Ok(Some(b)) => {
                    if b.hash() != self.chain.hashes[h as usize] {
                        self.violations
                            .push(format!("block {h} imported is not the honest block"));
                    }
                    if h > 0 && b.block.header.parent_hash != self.chain.hashes[h as usize - 1] {
                        self.violations
                            .push(format!("block {h} does not link to its parent"));
                    }
                }
                other => self
                    .violations
                    .push(format!("block {h} below the head is missing: {other:?}")),
            }
        }
        self.checked = head.height;
        if let Err(e) = self.engine.check_bookkeeping() {
            self.violations.push(format!("bookkeeping: {e}"));
        }
        let buffer = self.engine.buffer();
        self.peak_buffered = self.peak_buffered.max(buffer.bytes);
        let cap = self.engine.config().max_buffered_bytes;
        if buffer.bytes > cap {
            self.violations.push(format!(
                "buffered {} bytes over the cap {cap}",
                buffer.bytes
            ));
        }
    }

    /// Runs until Synced at the final head (and the head stopped moving), a violation, or the time bound.
    pub fn run(mut self) -> SimReport {
        let start = self.now;
        let final_at = if self.scenario.extend_every_ms == 0 {
            start
        } else {
            start
                + (self.scenario.final_head - self.scenario.initial_head)
                    * self.scenario.extend_every_ms
        };
        let mut finished = None;
        let trace = std::env::var_os("SIM_TRACE").is_some();
        while self.now - start <= self.scenario.max_virtual_ms {
            if trace && (self.now - start).is_multiple_of(1000) {
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
            self.deliver_due();
            self.engine.tick(self.now);
            self.ticks += 1;
            for request in self.engine.drain_outbox() {
                self.on_request(request);
            }
            self.check_invariants();
            if !self.violations.is_empty() {
                break;
            }
            let status = self.engine.status();
            if self.now >= final_at
                && status.state == SyncState::Synced
                && status.current_height == self.scenario.final_head
            {
                finished = Some(self.now - start);
                break;
            }
            self.now += self.scenario.tick_ms;
        }
        if finished.is_none() && self.violations.is_empty() {
            let s = self.engine.status();
            self.violations.push(format!(
                "not Synced at {} within {} s of virtual time: state {:?}, head {}, target {}, failure {:?}",
                self.scenario.final_head,
                self.scenario.max_virtual_ms / 1000,
                s.state,
                s.current_height,
                s.target_height,
                s.failure
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
            rejected: counters.blocks_rejected,
            bans: counters.peer_bans,
        }
    }
}

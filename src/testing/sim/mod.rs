//! A deterministic simulated network for the engine: virtual time, a seeded RNG, and peers that are honest,
//! slow, flaky (dropped requests, disconnects mid-range), lying about their head, sending invalid data, joining
//! late and leaving. On top of that, a scenario may crash the node (the engine is dropped as by `kill -9` and
//! rebuilt from its [`SimStore`], which has redb's durability semantics) and partition it from every peer for a
//! while. Every tick it checks the engine's invariants. The same seed replays the same run.
//!
//! Used by `tests/simulation.rs` and by the benches; it touches no socket and no clock.
//!
//! - `chain.rs`: [`SimChain`], the honest chain every peer serves;
//! - `store.rs`: [`SimStore`], the node's store, which a crash rolls back to its last durable batch;
//! - `scenario.rs`: what a run plays ([`Scenario`], [`PeerSpec`], [`Behaviour`], [`Crash`], [`Partition`]);
//! - `network.rs`: the simulated peers: what they answer, when, and what reaches the node;
//! - `faults.rs`: crashes and partitions;
//! - `checks.rs`: the invariants checked every tick and at the end;
//! - `run.rs`: the run loop;
//! - `report.rs`: what a run saw ([`SimReport`], [`SentRequest`]).

mod chain;
mod checks;
mod faults;
mod network;
mod report;
mod run;
mod scenario;
mod store;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use ecsync_components::{NetEvent, PeerId, SyncConfig};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use chain::SimChain;
pub use report::{SentRequest, SimReport, StateTicks};
pub use scenario::{
    Behaviour, CRASH_SHARE, Crash, PARTITION_SHARE, Partition, PartitionKind, PeerSpec, Scenario,
    sim_config,
};
pub use store::{SIM_STORE_CHECKPOINTS, SimStore};

use crate::engine::SyncEngine;
use checks::BufferSample;
use network::{Scheduled, SimPeer};
use report::Tally;

/// Virtual time at which simulations start: well after every generated slot.
pub const SIM_EPOCH_MS: u64 = 2_000_000_000_000;

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
    /// The engine's block counters after the last tick.
    buffer_sample: BufferSample,
    /// What the report counts.
    tally: Tally,
    /// Every blocks request the engine sent to a simulated peer, in order.
    sent: Vec<SentRequest>,
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
            .map(|(i, spec)| SimPeer::new(spec.clone(), PeerId(i as u64 + 1)))
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
            trace: std::env::var_os("SIM_TRACE").is_some(),
            incarnation: 0,
            next_crash: 0,
            next_partition: 0,
            partition: None,
            buffer_sample: BufferSample::default(),
            tally: Tally::default(),
            sent: Vec::new(),
        };
        sim.schedule_joins_and_leaves();
        sim
    }

    /// Each peer connects at its `join_at_ms` and, if it leaves, goes at its `leave_at_ms`.
    fn schedule_joins_and_leaves(&mut self) {
        for i in 0..self.peers.len() {
            let at = SIM_EPOCH_MS + self.peers[i].spec.join_at_ms;
            let connect = self.connect_event(i, at);
            self.schedule(at, i, connect, None);
            if let Some(leave) = self.peers[i].spec.leave_at_ms {
                let id = self.peers[i].id;
                self.schedule(
                    SIM_EPOCH_MS + leave,
                    i,
                    NetEvent::PeerGone { peer: id },
                    None,
                );
            }
        }
    }

    /// The node's store (shared with the engine).
    pub fn store(&self) -> &SimStore {
        &self.store
    }

    fn violation(&mut self, what: String) {
        if self.trace {
            eprintln!("t={}ms VIOLATION {what}", self.now - SIM_EPOCH_MS);
        }
        self.violations.push(what);
    }
}

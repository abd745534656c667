//! The faults a scenario injects from outside the node: partitions (every peer gone, or every message lost, for
//! a while) and crashes (the node killed as by `kill -9` and restarted from its [`SimStore`]).

use ecsync_components::{BlockRef, ChainStore, NetEvent, SyncState};

use super::checks::BufferSample;
use super::scenario::{Crash, Partition, PartitionKind};
use super::{SIM_EPOCH_MS, SimStore, Simulation};
use crate::engine::SyncEngine;

/// What a crash left: the store's handle for the restarted process, and what the killed one had.
struct Killed {
    /// The handle for the restarted process.
    store: SimStore,
    /// The killed engine's head height.
    before: u64,
    /// Whether the killed engine was Synced.
    synced: bool,
    /// Blocks lost (imported without a durable checkpoint after them).
    lost: u64,
    /// The store's durable head after the crash.
    durable: BlockRef,
}

impl Simulation {
    /// Starts, ends partitions and crashes the node when their time has come. False when the engine could not
    /// be rebuilt.
    pub(super) fn disrupt(&mut self) -> bool {
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
        self.tally.partitions += 1;
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
        let killed = self.kill();
        if !self.restart(killed.store.clone()) {
            return false;
        }
        let redialled = self.redial(crash.redial_ms);
        let head = self.check_restart(killed.durable);
        if self.trace {
            eprintln!(
                "t={}ms crash {}: head {} -> {} ({} blocks not durable{}), {redialled} peers redialled in {} ms",
                self.now - SIM_EPOCH_MS,
                self.tally.crashes,
                killed.before,
                head.height,
                killed.lost,
                if killed.synced { ", engine Synced" } else { "" },
                crash.redial_ms
            );
        }
        true
    }

    /// The kill: the engine's counters are kept for the report, the store loses what was not durable (its
    /// durable height must never go back).
    fn kill(&mut self) -> Killed {
        self.tally.crashes += 1;
        self.tally.crashes_partitioned += u32::from(self.partition.is_some());
        let counters = self.engine.counters();
        self.tally.rejected += counters.blocks_rejected;
        self.tally.bans += counters.peer_bans;
        let before = self.engine.head().height;
        let synced = self.engine.status().state == SyncState::Synced;
        let (store, lost) = self.store.crash();
        self.tally.rolled_back += lost;
        if synced {
            self.tally.synced_rolled_back += lost;
        }
        self.store = store.clone();
        let durable = self.store.durable_head();
        if durable.height < self.durable {
            self.violation(format!(
                "crash {}: the durable height went back from {} to {}",
                self.tally.crashes, self.durable, durable.height
            ));
        }
        self.durable = self.durable.max(durable.height);
        Killed {
            store,
            before,
            synced,
            lost,
            durable,
        }
    }

    /// The restart: a new engine from `store` (the old one is dropped: a killed process writes nothing more),
    /// and nothing meant for the old process reaches it. False when no engine could be built.
    fn restart(&mut self, store: SimStore) -> bool {
        match SyncEngine::new(
            self.chain.spec.clone(),
            self.config.clone(),
            Box::new(store),
        ) {
            Ok(engine) => self.engine = engine,
            Err(e) => {
                self.violation(format!(
                    "crash {}: no engine could be rebuilt from the store: {e}",
                    self.tally.crashes
                ));
                return false;
            }
        }
        self.incarnation += 1;
        // A restarted process has new connections: no answer, failure or status meant for the old one arrives.
        self.pending.retain(|_, s| s.engine.is_none());
        true
    }

    /// The restarted node dials the peers it was connected to; they connect `redial_ms` plus a round trip
    /// later. Returns how many.
    fn redial(&mut self, redial_ms: u64) -> usize {
        let mut redialled = 0;
        for i in 0..self.peers.len() {
            if self.peers[i].connected {
                self.peers[i].connected = false;
                redialled += 1;
                let at = self.now + redial_ms + 2 * self.peers[i].spec.latency_ms;
                let connect = self.connect_event(i, at);
                self.schedule(at, i, connect, None);
            }
        }
        redialled
    }

    /// The rebuilt engine starts at the store's last checkpoint, which is its durable head (`durable`, as the
    /// crash left it). Resets what the checks track of the old engine; returns the new engine's head.
    fn check_restart(&mut self, durable: BlockRef) -> BlockRef {
        let expected = match self.store.latest_checkpoint() {
            Ok(Some(checkpoint)) => checkpoint.head,
            Ok(None) => self.chain.block_ref(0),
            Err(e) => {
                self.violation(format!(
                    "crash {}: no checkpoint read: {e}",
                    self.tally.crashes
                ));
                durable
            }
        };
        let head = self.engine.head();
        if head != expected {
            self.violation(format!(
                "crash {}: the rebuilt engine's head {} ({}) is not the last durable checkpoint's {} ({})",
                self.tally.crashes, head.height, head.hash, expected.height, expected.hash
            ));
        }
        if durable != expected {
            self.violation(format!(
                "crash {}: the store's durable head {} is not its last checkpoint's {}",
                self.tally.crashes, durable.height, expected.height
            ));
        }
        self.checked = self.checked.min(head.height);
        self.head_floor = head.height;
        self.buffer_sample = BufferSample::default();
        head
    }
}

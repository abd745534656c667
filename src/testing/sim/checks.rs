//! The invariants a simulation checks every tick (the store holds the honest chain up to the engine's head, the
//! head and the durable height never go back without a crash, the bookkeeping adds up, the buffer stays under
//! its cap, nothing downloaded is dropped while partitioned) and at the end (the store holds exactly the honest
//! chain).

use ecsync_components::SyncState;

use super::Simulation;

/// The engine's block counters after a tick.
#[derive(Clone, Copy, Default)]
pub(super) struct BufferSample {
    downloaded: u64,
    imported: u64,
    rejected: u64,
    evicted: u64,
    buffered: u64,
    state: SyncState,
}

impl Simulation {
    /// Every invariant of a tick but the partition's ([`Simulation::observe_partition`]).
    pub(super) fn check_invariants(&mut self) {
        let head = self.check_heads();
        self.check_blocks(head);
        if let Err(e) = crate::testing::invariants::check_bookkeeping(&mut self.engine) {
            self.violation(format!("bookkeeping: {e}"));
        }
        let buffer = self.engine.buffer();
        self.tally.peak_buffered = self.tally.peak_buffered.max(buffer.bytes);
        let cap = self.engine.config().max_buffered_bytes;
        if buffer.bytes > cap {
            self.violation(format!(
                "buffered {} bytes over the cap {cap}",
                buffer.bytes
            ));
        }
    }

    /// The engine's head is the store's and never goes back; the durable height never goes back and stays at or
    /// below the head. Returns the head's height.
    fn check_heads(&mut self) -> u64 {
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
        head.height
    }

    /// The blocks imported since the last check, up to `head`, are the honest ones, stored as their encoding.
    fn check_blocks(&mut self, head: u64) {
        for h in self.checked + 1..=head {
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
        self.checked = head;
    }

    /// After a tick: the state while partitioned, and the downloaded blocks that left the buffer without being
    /// imported (by the counters: what was buffered plus what came in, less what was imported and what is
    /// buffered now). The engine must keep what it downloaded while cut off: a drop is a violation unless an
    /// invalid block sent its range back to be downloaded.
    pub(super) fn observe_partition(&mut self, state: SyncState) {
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
        self.tally.partition_states[kind.index()][state.as_number() as usize] += 1;
        let came = last.buffered + sample.downloaded.saturating_sub(last.downloaded);
        let went = sample.imported.saturating_sub(last.imported) + sample.buffered;
        let dropped = came.saturating_sub(went);
        if dropped == 0 {
            return;
        }
        self.tally.partition_dropped[kind.index()] += dropped;
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
    pub(super) fn check_final_store(&mut self) {
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
}

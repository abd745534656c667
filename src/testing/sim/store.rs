//! [`SimStore`]: the node's store in a simulation, in memory, with redb's durability semantics, so that a crash
//! loses exactly what a killed process would.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ecsync_components::{
    BlockRef, ChainStore, Checkpoint, Hash32, Height, ImportBlock, SignedBlock, StoreError,
};

use super::{SIM_EPOCH_MS, SimChain};

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

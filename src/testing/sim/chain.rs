//! [`SimChain`]: the honest chain every simulated peer serves, generated and encoded once.

use std::sync::Arc;

use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Hash32, HeadProof, ImportBlock, SignedBlock,
};
use ecsync_systems::chaingen::{ChainGenerator, GenParams};

use super::SIM_EPOCH_MS;
use crate::store::RedbStore;

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

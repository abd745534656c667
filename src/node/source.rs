//! What the node serves from: the [`BlockSource`] over its redb store (reads only, shared with the network).

use std::sync::Mutex;

use bytes::Bytes;
use ecsync_components::{BlockRef, HeadProof, SignedBlock, StatusMessage};

use crate::network::BlockSource;
use crate::store::StoreReader;

/// Serving reads over the node's store.
pub(crate) struct Source {
    pub(crate) reader: StoreReader,
    /// The proof of the last head read (its header and approval), so a status costs one head read, not a block
    /// read, while the head stands.
    pub(crate) proof: Mutex<Option<HeadProof>>,
}

impl Source {
    /// Serving over `reader`.
    pub(crate) fn new(reader: StoreReader) -> Self {
        Self {
            reader,
            proof: Mutex::new(None),
        }
    }

    /// The proof of `head`: the cached one, or its block's header and approval read from the store (none at
    /// genesis, or if the block cannot be read).
    fn proof_of(&self, head: BlockRef) -> Option<HeadProof> {
        if head.height == 0 {
            return None;
        }
        let mut cached = self.proof.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(proof) = cached.as_ref().filter(|p| p.head() == head) {
            return Some(proof.clone());
        }
        let max = self.reader.spec().max_block_bytes as usize;
        let bytes = self.reader.encoded_range(head.height, 1, max).ok()?;
        let block = SignedBlock::decode(bytes.first()?, max).ok()?;
        let proof = HeadProof::of(&block);
        if proof.head() != head {
            return None;
        }
        *cached = Some(proof.clone());
        Some(proof)
    }
}

impl BlockSource for Source {
    fn status(&self) -> StatusMessage {
        let spec = self.reader.spec();
        let head = self.reader.head().unwrap_or_else(|_| spec.genesis_ref());
        let mut status = StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head);
        status.proof = self.proof_of(head).map(Box::new);
        // What it serves: from its lowest block (a checkpoint-synced store's, moving down as it backfills).
        status.serving_from(self.reader.lowest().unwrap_or(head.height))
    }

    fn blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Vec<u8>> {
        self.reader
            .encoded_range(start, u64::from(count), max_bytes)
            .unwrap_or_default()
    }

    /// Through the store's block cache: a cached block is served by a reference count, not a page read and a
    /// copy.
    fn shared_blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Bytes> {
        self.reader
            .shared_range(start, u64::from(count), max_bytes)
            .unwrap_or_default()
    }
}

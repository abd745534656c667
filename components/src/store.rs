//! The store interface the engine is given: a chain of signed blocks with a head and checkpoints. The node
//! implements it over redb; the engine sees only this trait.

use serde::{Deserialize, Serialize};

use crate::bytes::Hash32;
use crate::chain::{BlockRef, Height, SignedBlock};

/// A durable record of sync progress: the head at a moment (height, hash, slot), its parent's hash, when, and the
/// sync target then. Written in the same transaction as the blocks it covers, so a store that holds a checkpoint
/// holds every block up to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The head the checkpoint records.
    pub head: BlockRef,
    /// The head's parent hash (zero for genesis).
    pub parent_hash: Hash32,
    /// Unix milliseconds (engine time) when it was made.
    pub created_at_ms: u64,
    /// The sync target at that moment (the head itself when not syncing).
    pub target: Height,
}

impl Checkpoint {
    /// A checkpoint of `block` (the head) made at `created_at_ms` while syncing towards `target`.
    pub fn of(block: &SignedBlock, hash: Hash32, created_at_ms: u64, target: Height) -> Self {
        let header = &block.block.header;
        Self {
            head: BlockRef::new(header, hash),
            parent_hash: header.parent_hash,
            created_at_ms,
            target: target.max(header.height),
        }
    }
}

/// What every store checks before writing a batch: each block extends the one before it (the first the head
/// `head`), and the checkpoint, if any, is the batch's last block. Returns the blocks' references and the new head.
pub fn link_batch(
    head: BlockRef,
    blocks: &[&SignedBlock],
    checkpoint: Option<&Checkpoint>,
) -> Result<(Vec<BlockRef>, BlockRef), StoreError> {
    let mut head = head;
    let mut refs = Vec::with_capacity(blocks.len());
    for block in blocks {
        let r = BlockRef::of(block);
        if r.height != head.height + 1 || block.block.header.parent_hash != head.hash {
            return Err(StoreError::NotContiguous(format!(
                "block {} ({}) does not extend head {} ({})",
                r.height, r.hash, head.height, head.hash
            )));
        }
        refs.push(r);
        head = r;
    }
    if let Some(cp) = checkpoint
        && cp.head != head
    {
        return Err(StoreError::NotContiguous(format!(
            "checkpoint at {} is not the batch's head {}",
            cp.head.height, head.height
        )));
    }
    Ok((refs, head))
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be opened or read or written.
    #[error("store I/O: {0}")]
    Io(String),
    /// The file is not an ecsync store or is damaged.
    #[error("store is corrupt or not an ecsync store: {0}")]
    Corrupt(String),
    /// The store holds another chain.
    #[error(
        "store holds chain {found_chain} (genesis {found_genesis}), expected chain {chain} (genesis {genesis})"
    )]
    OtherChain {
        /// Expected chain id.
        chain: u64,
        /// Expected genesis hash.
        genesis: String,
        /// Stored chain id.
        found_chain: u64,
        /// Stored genesis hash.
        found_genesis: String,
    },
    /// A batch does not extend the head.
    #[error("batch does not extend the head: {0}")]
    NotContiguous(String),
}

/// A chain store: blocks by height, the head, checkpoints.
pub trait ChainStore: Send + Sync {
    /// The head: the highest imported block.
    fn head(&self) -> Result<BlockRef, StoreError>;

    /// The block at `height`, if stored.
    fn block(&self, height: Height) -> Result<Option<SignedBlock>, StoreError>;

    /// Canonical encodings of up to `count` consecutive stored blocks from `start`, stopping early when the next
    /// block would take the total past `max_bytes` (at least one block is returned if `start` is stored).
    fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Appends `blocks` (consecutive, the first extending the head), moves the head to the last, and writes
    /// `checkpoint` if given, all in ONE transaction. A batch with a checkpoint is durable when this returns.
    fn import_batch(
        &mut self,
        blocks: &[&SignedBlock],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError>;

    /// The latest checkpoint, if any.
    fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError>;
}

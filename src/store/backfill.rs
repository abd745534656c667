//! History below a checkpoint-synced store's lowest block (the backfill). A batch of history is written in ONE
//! transaction with the record of the store's new lowest block (`META_ANCHOR`), so a store always holds every
//! block from the block that record names to its head: a crash keeps the last committed batch or the one before,
//! never a gap. A durable batch is fsynced before the call returns; a volatile one becomes durable with the
//! next durable commit (a checkpoint of the forward sync or the backfill's own), and a crash before that rolls
//! back to the lowest block of that commit. Once the history reaches height 1 (linked to the spec's genesis) the
//! record goes: the store then holds its chain from genesis, as if it had synced from there.

use ecsync_components::{
    ChainStore, Height, ImportBlock, LowestBlock, StoreError, decode, encode, link_below,
};
use redb::{Durability, ReadableDatabase};

use super::{BLOCKS, META, META_ANCHOR, RedbStore, StoreReader, io};

/// Writes `blocks` (history: ascending, the last the parent of the lowest block) below the lowest block and
/// moves it down to the first of them (to genesis when they reach height 1), in one transaction, durably if
/// `durable`. No block and `durable`: a durable commit of nothing, which makes the volatile ones before it
/// durable. See `ChainStore::backfill`.
pub(super) fn write(
    store: &mut RedbStore,
    blocks: &[ImportBlock<'_>],
    durable: bool,
) -> Result<(), StoreError> {
    let lowest = store.lowest;
    if lowest.block.height == 0 && !blocks.is_empty() {
        return Err(StoreError::NotContiguous(
            "backfill: the store holds its chain from genesis already".into(),
        ));
    }
    // The whole batch links, by the hashes it carries, before anything is written.
    let new = link_below(&lowest, store.spec.genesis_hash, blocks)?;
    if blocks.is_empty() && !durable {
        return Ok(());
    }
    let mut txn = store.db.begin_write().map_err(io)?;
    txn.set_durability(if durable {
        Durability::Immediate
    } else {
        Durability::None
    })
    .map_err(io)?;
    if !blocks.is_empty() {
        let mut table = txn.open_table(BLOCKS).map_err(io)?;
        // The canonical bytes as given (the wire's): nothing is encoded again.
        for block in blocks {
            table.insert(block.height(), block.bytes).map_err(io)?;
        }
        let mut meta = txn.open_table(META).map_err(io)?;
        if new.block.height == 0 {
            meta.remove(META_ANCHOR).map_err(io)?;
        } else {
            meta.insert(META_ANCHOR, encode(&new.block).as_slice())
                .map_err(io)?;
        }
    }
    txn.commit().map_err(io)?;
    store.anchor = new.block;
    store.lowest = new;
    Ok(())
}

/// `store`'s anchor with what the block below it must be, read from its block (which the boot-time check found
/// stored with its hash); genesis when the anchor is.
pub(super) fn lowest_of(store: &RedbStore) -> Result<LowestBlock, StoreError> {
    let anchor = store.anchor;
    match store.block(anchor.height)? {
        Some(block) if anchor.height > 0 => Ok(LowestBlock::of(&block, anchor.hash)),
        _ => Ok(LowestBlock::genesis(store.spec.genesis_hash)),
    }
}

impl StoreReader {
    /// The lowest height the committed store holds (and serves): its lowest block's record, or 0 when it holds
    /// its chain from genesis.
    pub fn lowest(&self) -> Result<Height, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let meta = txn.open_table(META).map_err(io)?;
        let Some(bytes) = meta.get(META_ANCHOR).map_err(io)? else {
            return Ok(0);
        };
        let anchor: ecsync_components::BlockRef =
            decode(bytes.value(), 64).map_err(|e| StoreError::Corrupt(format!("anchor: {e}")))?;
        Ok(anchor.height)
    }
}

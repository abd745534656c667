//! The boot-time consistency check, as Reth's: before the node uses a store, its head record must name a block
//! that is stored with that hash, the chain must be parent-linked from the head back to the newest checkpoint,
//! and that checkpoint must be at or below the head. A checkpoint is consistent when the block at its height is
//! stored with its hash. On any mismatch the store is rolled back, in one durable transaction, to the newest
//! consistent checkpoint (or to its anchor — genesis, or a checkpoint sync's trusted block — when none is): the
//! blocks above it and the checkpoints above it are deleted and the head moves there.
//!
//! A store without any checkpoint (one written by an older version, whose checkpoints table had another format)
//! whose head block matches gets a checkpoint at its head, without a rollback.

use ecsync_components::{BlockRef, Checkpoint, Hash32, Height, SignedBlock, decode, encode};
use redb::{Durability, ReadableDatabase, ReadableTable};

use super::{BLOCKS, CHECKPOINTS, META, META_HEAD, RedbStore, io};
use crate::util::clock::unix_now_ms;
use ecsync_components::StoreError;

/// What the boot-time check found wrong and repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// What was inconsistent.
    pub problem: String,
    /// The head record before the repair (None: unreadable).
    pub from: Option<BlockRef>,
    /// The checkpoint (or anchor) the store was rolled back to: the head now.
    pub to: BlockRef,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let from = self.from.map_or_else(
            || "an unreadable head".to_string(),
            |h| format!("head {}", h.height),
        );
        write!(
            f,
            "{}; rolled back from {from} to the consistent checkpoint at height {} ({})",
            self.problem, self.to.height, self.to.hash
        )
    }
}

/// The stored block at `height` with its reference and parent hash; `None` when absent or undecodable. The
/// anchor stands for itself when its body is not stored (genesis of a store started from a spec).
fn stored(store: &RedbStore, height: Height) -> Result<Option<(BlockRef, Hash32)>, StoreError> {
    let txn = store.db.begin_read().map_err(io)?;
    let table = txn.open_table(BLOCKS).map_err(io)?;
    let Some(bytes) = table.get(height).map_err(io)? else {
        return Ok(
            (height == store.anchor.height && height == 0).then_some((store.anchor, Hash32::ZERO))
        );
    };
    let max = store.spec.max_block_bytes as usize;
    Ok(decode::<SignedBlock>(bytes.value(), max)
        .ok()
        .filter(|b| b.height() == height)
        .map(|b| (BlockRef::of(&b), b.block.header.parent_hash)))
}

/// Whether `r` is stored with its hash.
fn matches(store: &RedbStore, r: &BlockRef) -> Result<bool, StoreError> {
    Ok(stored(store, r.height)?.is_some_and(|(s, _)| s == *r))
}

/// Checkpoints, newest first; undecodable ones are `None` (they are inconsistent).
fn checkpoints_newest_first(
    store: &RedbStore,
) -> Result<Vec<(Height, Option<Checkpoint>)>, StoreError> {
    let txn = store.db.begin_read().map_err(io)?;
    let table = txn.open_table(CHECKPOINTS).map_err(io)?;
    let mut out = Vec::new();
    for entry in table.iter().map_err(io)?.rev() {
        let (k, v) = entry.map_err(io)?;
        out.push((k.value(), decode::<Checkpoint>(v.value(), 256).ok()));
    }
    Ok(out)
}

/// The first height above `base` whose block does not link to the one below, walking up to `head`.
fn first_unlinked(
    store: &RedbStore,
    base: BlockRef,
    head: BlockRef,
) -> Result<Option<Height>, StoreError> {
    let txn = store.db.begin_read().map_err(io)?;
    let table = txn.open_table(BLOCKS).map_err(io)?;
    let max = store.spec.max_block_bytes as usize;
    let mut prev = base.hash;
    let mut expected = base.height + 1;
    for entry in table.range(base.height + 1..=head.height).map_err(io)? {
        let (k, v) = entry.map_err(io)?;
        let linked = k.value() == expected
            && decode::<SignedBlock>(v.value(), max)
                .ok()
                .filter(|b| b.height() == expected && b.block.header.parent_hash == prev)
                .map(|b| prev = b.hash())
                .is_some();
        if !linked {
            return Ok(Some(expected));
        }
        expected += 1;
    }
    Ok((expected <= head.height).then_some(expected))
}

/// Checks the store opened with head record `head` (None: unreadable) and repairs it. See the module docs.
pub(super) fn check_and_repair(
    store: &mut RedbStore,
    head: Option<BlockRef>,
) -> Result<Option<Recovery>, StoreError> {
    let anchor = store.anchor;
    if !matches(store, &anchor)? {
        return Err(StoreError::Corrupt(format!(
            "the store's first block {} ({}) is missing or damaged",
            anchor.height, anchor.hash
        )));
    }
    let checkpoints = checkpoints_newest_first(store)?;
    let mut base = anchor;
    let mut problem = None;
    for (height, cp) in &checkpoints {
        match cp {
            Some(cp) if cp.head.height >= anchor.height && matches(store, &cp.head)? => {
                base = cp.head;
                break;
            }
            _ => {
                problem.get_or_insert_with(|| {
                    format!(
                        "the checkpoint at height {height} does not match the block stored there"
                    )
                });
            }
        }
    }
    let head_problem = match head {
        None => Some("the head record is unreadable".to_string()),
        Some(h) if !matches(store, &h)? => Some(format!(
            "the head record (height {}, {}) does not match the block stored there",
            h.height, h.hash
        )),
        Some(h) if h.height < base.height => Some(format!(
            "the checkpoint at height {} is above the head {}",
            base.height, h.height
        )),
        Some(_) if checkpoints.is_empty() => None,
        Some(h) => first_unlinked(store, base, h)?.map(|x| {
            format!(
                "block {x} is missing or does not link to block {} below it",
                x - 1
            )
        }),
    };
    let Some(problem) = head_problem.or(problem) else {
        if checkpoints.is_empty()
            && let Some(h) = head
        {
            write_head(store, h, false)?;
        }
        return Ok(None);
    };
    write_head(store, base, true)?;
    Ok(Some(Recovery {
        problem,
        from: head,
        to: base,
    }))
}

/// Makes `to` the head with a checkpoint there, durably; `rollback` also deletes every block
/// and checkpoint above it.
fn write_head(store: &mut RedbStore, to: BlockRef, rollback: bool) -> Result<(), StoreError> {
    let parent = stored(store, to.height)?.map_or(Hash32::ZERO, |(_, p)| p);
    let checkpoint = Checkpoint {
        head: to,
        parent_hash: parent,
        created_at_ms: unix_now_ms(),
        target: to.height,
    };
    let mut txn = store.db.begin_write().map_err(io)?;
    txn.set_durability(Durability::Immediate).map_err(io)?;
    {
        let mut cps = txn.open_table(CHECKPOINTS).map_err(io)?;
        if rollback {
            let mut blocks = txn.open_table(BLOCKS).map_err(io)?;
            blocks
                .retain_in(to.height + 1.., |_, _| false)
                .map_err(io)?;
            cps.retain(|h, _| h < to.height).map_err(io)?;
        }
        cps.insert(to.height, encode(&checkpoint).as_slice())
            .map_err(io)?;
        let mut meta = txn.open_table(META).map_err(io)?;
        meta.insert(META_HEAD, encode(&to).as_slice()).map_err(io)?;
    }
    txn.commit().map_err(io)?;
    store.head = to;
    if rollback {
        store.cache.invalidate_from(to.height.saturating_add(1));
    }
    Ok(())
}

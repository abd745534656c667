//! `import_blocks`: commits ready blocks to the store in height order, many per transaction: ONE `import_batch`
//! per tick holds the ready prefix, the new head and, when `checkpoint_due` said so, a durable checkpoint. The
//! imported blocks then leave the world through `import_prefix`. A store error fails the engine
//! (`Failure::Import`).

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{AwaitingImport, PendingBlock, Range, ReadyToImport};
use ecsync_components::resources::Clock;
use ecsync_components::{BlockRef, Checkpoint, Failure, ImportBlock};

use crate::params::{ChainWriter, Timing};
use crate::transitions::Transitions;

/// The ready prefix from the head: its blocks in order, and how many of each range's blocks it takes.
fn ready_prefix<'w>(
    head: u64,
    ranges: &'w Query<(Entity, &Range, &AwaitingImport)>,
    blocks: &'w Query<&PendingBlock, With<ReadyToImport>>,
) -> (Vec<&'w PendingBlock>, Vec<(Entity, usize)>) {
    let mut order: Vec<(u64, Entity)> = ranges.iter().map(|(e, r, _)| (r.start, e)).collect();
    order.sort_unstable();
    let mut batch = Vec::new();
    let mut taken = Vec::new();
    let mut next = head + 1;
    for (start, range) in order {
        if start != next {
            break;
        }
        let Ok((_, _, awaiting)) = ranges.get(range) else {
            break;
        };
        let ready: Vec<&PendingBlock> = awaiting
            .blocks
            .iter()
            .map_while(|b| blocks.get(*b).ok())
            .collect();
        if !ready.is_empty() {
            taken.push((range, ready.len()));
        }
        next += ready.len() as u64;
        let whole = ready.len() == awaiting.blocks.len();
        batch.extend(ready);
        if !whole {
            break;
        }
    }
    (batch, taken)
}

/// Nothing to import, but blocks imported since the last checkpoint: a checkpoint of the head alone.
fn checkpoint_head(clock: &Clock, chain: &mut ChainWriter) {
    let head = chain.head.0;
    let block = match chain.store.0.block(head.height) {
        Ok(Some(block)) => block,
        Ok(None) | Err(_) => {
            chain.checkpoints.due = false;
            return;
        }
    };
    let checkpoint = Checkpoint::of(&block, head.hash, clock.now_ms, chain.progress.target);
    if let Err(e) = chain.store.0.import_batch(&[], Some(checkpoint)) {
        let failure = Failure::Import {
            height: head.height,
            error: e.to_string(),
        };
        chain.progress.fail(clock.now_ms, failure);
        return;
    }
    chain.checkpoints.record_import(0, Some(checkpoint));
}

/// Imports the ready prefix. See the module docs.
pub fn import_blocks(
    mut commands: Commands,
    clock: Res<Clock>,
    mut chain: ChainWriter,
    mut timing: Timing,
    ranges: Query<(Entity, &Range, &AwaitingImport)>,
    blocks: Query<&PendingBlock, With<ReadyToImport>>,
) {
    let (batch, taken) = ready_prefix(chain.head.0.height, &ranges, &blocks);
    let Some(last) = batch.last() else {
        if chain.checkpoints.due {
            checkpoint_head(&clock, &mut chain);
        }
        return;
    };
    let new_head = BlockRef::new(&last.block.block.header, last.hash);
    let checkpoint = chain
        .checkpoints
        .due
        .then(|| Checkpoint::of(&last.block, last.hash, clock.now_ms, chain.progress.target));
    // Each block with the hash computed when it arrived and its wire bytes: the store hashes and encodes nothing.
    let signed: Vec<ImportBlock<'_>> = batch.iter().map(|p| p.as_import()).collect();
    let started = timing.start();
    let result = chain.store.0.import_batch(&signed, checkpoint);
    let elapsed = timing.seconds_since(started);
    timing
        .observations
        .import
        .push((elapsed, signed.len() as u32));
    if let Err(e) = result {
        let failure = Failure::Import {
            height: chain.head.0.height + 1,
            error: e.to_string(),
        };
        chain.progress.fail(clock.now_ms, failure);
        return;
    }
    let imported = signed.len() as u64;
    chain.head.0 = new_head;
    chain.counters.blocks_imported += imported;
    chain.counters.import_commits += 1;
    chain.progress.last_progress_ms = clock.now_ms;
    chain.checkpoints.record_import(imported, checkpoint);
    for (range, n) in taken {
        commands.import_prefix(range, n);
    }
}

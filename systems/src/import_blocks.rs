//! `import_blocks`: commits ready blocks to the store in height order, many per transaction.
//!
//! Reads: `ReadyToImport` blocks of the ranges contiguous from the head, `CheckpointState::due`, `Clock`,
//! `SyncConfig`. Writes: `Store` (ONE `import_batch` per tick: the blocks, the head, and the checkpoint when due),
//! `ChainHead`, `CheckpointState`, `SyncProgress` (last progress; Failed on a store error), `Buffer`,
//! `EngineCounters`, `Observations` (transaction duration, measured with the `Stopwatch`); despawns imported blocks and emptied ranges, shrinks partly imported ones.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{AwaitingImport, PendingBlock, Range, ReadyToImport};
use ecsync_components::resources::{
    Buffer, ChainHead, CheckpointState, Clock, EngineCounters, Observations, Stopwatch, Store,
    SyncProgress,
};
use ecsync_components::{BlockRef, Checkpoint, SignedBlock, SyncState};

/// Imports the ready prefix. See the module docs.
pub fn import_blocks(
    mut commands: Commands,
    clock: Res<Clock>,
    mut store: ResMut<Store>,
    mut head: ResMut<ChainHead>,
    mut checkpoints: ResMut<CheckpointState>,
    mut progress: ResMut<SyncProgress>,
    mut buffer: ResMut<Buffer>,
    mut counters: ResMut<EngineCounters>,
    stopwatch: Res<Stopwatch>,
    mut observations: ResMut<Observations>,
    mut ranges: Query<(Entity, &mut Range, &mut AwaitingImport)>,
    blocks: Query<&PendingBlock, With<ReadyToImport>>,
) {
    let mut order: Vec<(u64, Entity)> = ranges.iter().map(|(e, r, _)| (r.start, e)).collect();
    order.sort_unstable();
    // The ready prefix: (range, how many of its blocks).
    let mut batch: Vec<&SignedBlock> = Vec::new();
    let mut taken: Vec<(Entity, usize)> = Vec::new();
    let mut next = head.0.height + 1;
    let mut last: Option<&PendingBlock> = None;
    let mut bytes = 0u64;
    'ranges: for (start, range) in order {
        if start != next {
            break;
        }
        let Ok((_, _, awaiting)) = ranges.get(range) else {
            break;
        };
        let mut n = 0;
        for &entity in &awaiting.blocks {
            let Ok(p) = blocks.get(entity) else {
                if n > 0 {
                    taken.push((range, n));
                }
                break 'ranges;
            };
            batch.push(&p.block);
            bytes += u64::from(p.encoded_len);
            last = Some(p);
            n += 1;
            next += 1;
        }
        taken.push((range, n));
    }
    let Some(last) = last else { return };
    let new_head = BlockRef::new(&last.block.block.header, last.hash);
    let checkpoint = checkpoints.due.then_some(Checkpoint {
        head: new_head,
        created_at_ms: clock.now_ms,
    });
    let started = (stopwatch.0)();
    let result = store.0.import_batch(&batch, checkpoint);
    let elapsed = (stopwatch.0)().saturating_sub(started) as f64 / 1e9;
    observations.import.push((elapsed, batch.len() as u32));
    if let Err(e) = result {
        progress.state = SyncState::Failed;
        progress.failed_at_ms = clock.now_ms;
        progress.failure = Some(format!("import at height {}: {e}", head.0.height + 1));
        return;
    }
    let imported = batch.len() as u64;
    head.0 = new_head;
    counters.blocks_imported += imported;
    counters.import_commits += 1;
    buffer.bytes = buffer.bytes.saturating_sub(bytes);
    buffer.blocks = buffer.blocks.saturating_sub(imported);
    progress.last_progress_ms = clock.now_ms;
    checkpoints.blocks_since += imported;
    if let Some(cp) = checkpoint {
        checkpoints.last = Some(cp);
        checkpoints.window_start_ms = cp.created_at_ms;
        checkpoints.blocks_since = 0;
        checkpoints.written += 1;
    }
    checkpoints.due = false;
    for (range, n) in taken {
        let Ok((_, mut r, mut awaiting)) = ranges.get_mut(range) else {
            continue;
        };
        for entity in awaiting.blocks.drain(..n) {
            commands.entity(entity).try_despawn();
        }
        if awaiting.blocks.is_empty() {
            commands.entity(range).try_despawn();
        } else {
            r.start += n as u64;
            r.count -= n as u32;
        }
    }
}

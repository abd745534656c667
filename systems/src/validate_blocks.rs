//! `validate_blocks`: the expensive rules, in parallel: many blocks per tick across the compute pool.
//!
//! Reads: `Downloaded` blocks (`PendingBlock`), `AwaitingImport` ranges (for height order), `Spec`,
//! `FederationKeys`, `Clock`, `SyncConfig`, `Stopwatch`. Writes: `Observations` (round duration), block stage `Downloaded` → `Validated`; for a block that
//! breaks a rule, its range → `AwaitingDownload` (through `fail_range`, blaming the peer that served it),
//! `PeerOutcome::Invalid`, `EngineCounters`.
//!
//! It takes the lowest `validate_per_tick` downloaded blocks (those the import needs first), splits them into
//! chunks of `signature_batch`, and runs each chunk as a task of the `ComputeTaskPool`: the rules a block keeps on
//! its own (`check_standalone`: size, clock, timestamp, payload root, quorum, producer), then ONE multi-pairing
//! for the chunk's aggregate signatures, bisected on failure so exactly the bad block is blamed. Rules that need
//! the parent run later, in order, in `sequence_blocks`.

use bevy_ecs::prelude::*;
use bevy_tasks::{ComputeTaskPool, TaskPool};
use ecsync_components::ecs::{AwaitingImport, Downloaded, PendingBlock, Range, Validated};
use ecsync_components::resources::{Clock, EngineCounters, Observations, Spec, Stopwatch};
use ecsync_components::{ChainSpec, PeerOutcome, SyncConfig};

use crate::consensus::{Authorities, BlockError, PreparedApproval, check_standalone, verify_batch};
use crate::resources::FederationKeys;
use crate::transitions::reject_range;

/// Validates one chunk: standalone rules, then one batched signature check. Results in input order.
pub fn validate_chunk(
    spec: &ChainSpec,
    keys: &Authorities,
    now_ms: u64,
    chunk: &[&PendingBlock],
) -> Vec<Result<(), BlockError>> {
    let mut results = Vec::with_capacity(chunk.len());
    let mut prepared = Vec::with_capacity(chunk.len());
    let mut at = Vec::with_capacity(chunk.len());
    for p in chunk {
        let r = check_standalone(spec, &p.block, p.encoded_len as usize, now_ms)
            .and_then(|()| PreparedApproval::new(keys, &p.block, p.hash));
        match r {
            Ok(approval) => {
                at.push(results.len());
                prepared.push(approval);
                results.push(Ok(()));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    for (i, e) in verify_batch(&prepared) {
        results[at[i]] = Err(e);
    }
    results
}

/// Validates the lowest downloaded blocks. See the module docs.
pub fn validate_blocks(
    mut commands: Commands,
    spec: Res<Spec>,
    keys: Res<FederationKeys>,
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    mut counters: ResMut<EngineCounters>,
    stopwatch: Res<Stopwatch>,
    mut observations: ResMut<Observations>,
    ranges: Query<(Entity, &Range, &AwaitingImport)>,
    blocks: Query<&PendingBlock, With<Downloaded>>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let mut order: Vec<(u64, Entity)> = ranges.iter().map(|(e, r, _)| (r.start, e)).collect();
    order.sort_unstable();
    let mut selected: Vec<(Entity, &PendingBlock)> = Vec::with_capacity(config.validate_per_tick);
    'ranges: for (_, range) in order {
        let Ok((_, _, awaiting)) = ranges.get(range) else {
            continue;
        };
        for &block in &awaiting.blocks {
            if let Ok(p) = blocks.get(block) {
                if selected.len() == config.validate_per_tick {
                    break 'ranges;
                }
                selected.push((block, p));
            }
        }
    }
    if selected.is_empty() {
        return;
    }
    let started = (stopwatch.0)();
    let pending: Vec<&PendingBlock> = selected.iter().map(|(_, p)| *p).collect();
    let (spec, keys, now) = (&spec.0, &keys.0, clock.now_ms);
    let pool = ComputeTaskPool::get_or_init(TaskPool::default);
    let results: Vec<Result<(), BlockError>> = pool
        .scope(|s| {
            for chunk in pending.chunks(config.signature_batch) {
                s.spawn(async move { validate_chunk(spec, keys, now, chunk) });
            }
        })
        .into_iter()
        .flatten()
        .collect();

    let elapsed = (stopwatch.0)().saturating_sub(started) as f64 / 1e9;
    observations
        .validation
        .push((elapsed, selected.len() as u32));
    let mut failed_ranges: Vec<Entity> = Vec::new();
    for ((entity, p), result) in selected.iter().zip(results) {
        match result {
            Ok(()) => {
                counters.blocks_validated += 1;
                commands
                    .entity(*entity)
                    .try_remove::<Downloaded>()
                    .try_insert(Validated);
            }
            Err(e) => {
                counters.blocks_rejected += 1;
                if failed_ranges.contains(&p.range) {
                    continue;
                }
                failed_ranges.push(p.range);
                let Ok((_, _, awaiting)) = ranges.get(p.range) else {
                    continue;
                };
                let reason = format!("block {}: {e}", p.height());
                reject_range(&mut commands, &mut outcomes, p.range, awaiting, reason);
            }
        }
    }
}

//! `validate_blocks`: the expensive rules, in parallel: many blocks per tick across the compute pool.
//!
//! Valid blocks advance `Downloaded` → `Validated`; a block that breaks a rule rejects its whole range (the peer
//! that served it is blamed and banned), and no block of that range advances. It takes the lowest `validate_per_tick` downloaded blocks (those the import needs first), splits them into
//! chunks of `signature_batch`, and runs each chunk as a task of the `ComputeTaskPool`: the rules a block keeps on
//! its own (`check_standalone`: size, clock, timestamp, payload root, quorum, producer), then ONE multi-pairing
//! for the chunk's aggregate signatures, bisected on failure so exactly the bad block is blamed. Rules that need
//! the parent run later, in order, in `sequence_blocks`.

use bevy_ecs::prelude::*;
use bevy_tasks::{ComputeTaskPool, TaskPool};
use ecsync_components::ecs::{AwaitingImport, Downloaded, PendingBlock, Range, Validated};
use ecsync_components::resources::EngineCounters;
use ecsync_components::{ChainSpec, Offence, PeerOutcome};

use crate::consensus::{Authorities, BlockError, PreparedApproval, check_standalone, verify_batch};
use crate::params::{Rules, Timing};
use crate::transitions::{Transitions, reject_range};

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

/// The lowest `limit` downloaded blocks, in height order (those the import needs first).
fn lowest_downloaded<'w>(
    ranges: &'w Query<(Entity, &Range, &AwaitingImport)>,
    blocks: &'w Query<&PendingBlock, With<Downloaded>>,
    limit: usize,
) -> Vec<(Entity, &'w PendingBlock)> {
    let mut order: Vec<(u64, &AwaitingImport)> =
        ranges.iter().map(|(_, r, a)| (r.start, a)).collect();
    order.sort_unstable_by_key(|(start, _)| *start);
    order
        .iter()
        .flat_map(|(_, awaiting)| awaiting.blocks.iter())
        .filter_map(|&b| blocks.get(b).ok().map(|p| (b, p)))
        .take(limit)
        .collect()
}

/// Validates the lowest downloaded blocks. See the module docs.
pub fn validate_blocks(
    mut commands: Commands,
    rules: Rules,
    mut counters: ResMut<EngineCounters>,
    mut timing: Timing,
    ranges: Query<(Entity, &Range, &AwaitingImport)>,
    blocks: Query<&PendingBlock, With<Downloaded>>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let selected = lowest_downloaded(&ranges, &blocks, rules.env.config.validate_per_tick);
    if selected.is_empty() {
        return;
    }
    let started = timing.start();
    let pending: Vec<&PendingBlock> = selected.iter().map(|(_, p)| *p).collect();
    let (spec, keys, now) = (&rules.env.spec.0, &rules.keys.0, rules.env.now());
    let pool = ComputeTaskPool::get_or_init(TaskPool::default);
    let results: Vec<Result<(), BlockError>> = pool
        .scope(|s| {
            for chunk in pending.chunks(rules.env.config.signature_batch) {
                s.spawn(async move { validate_chunk(spec, keys, now, chunk) });
            }
        })
        .into_iter()
        .flatten()
        .collect();

    let elapsed = timing.seconds_since(started);
    timing
        .observations
        .validation
        .push((elapsed, selected.len() as u32));
    // Ranges with a bad block first: none of their blocks advances.
    let mut failed_ranges: Vec<Entity> = Vec::new();
    for ((_, p), result) in selected.iter().zip(&results) {
        let Err(e) = result else { continue };
        counters.blocks_rejected += 1;
        if failed_ranges.contains(&p.range) {
            continue;
        }
        failed_ranges.push(p.range);
        if let Ok((_, _, awaiting)) = ranges.get(p.range) {
            let offence = Offence::Block {
                height: p.height(),
                rule: e.to_string(),
            };
            reject_range(&mut commands, &mut outcomes, p.range, awaiting, offence);
        }
    }
    for ((entity, p), result) in selected.iter().zip(&results) {
        if result.is_ok() && !failed_ranges.contains(&p.range) {
            counters.blocks_validated += 1;
            commands.advance_block::<Downloaded, Validated>(*entity);
        }
    }
}

//! `validate_blocks`: the expensive rules, in parallel: many blocks per tick across the compute pool.
//!
//! Valid blocks advance `Downloaded` → `Validated`; a block that breaks a rule rejects its whole range (the peer
//! that served it is blamed and banned), and no block of that range advances. It takes the lowest
//! `validate_per_tick` downloaded blocks (those the import needs first), splits them into chunks of
//! `signature_batch`, and runs each chunk as a task of the `ComputeTaskPool`: the rules a block keeps on its own
//! (`check_standalone`: size, clock, timestamp, payload root, quorum, producer), then ONE multi-pairing for the
//! chunk's aggregate signatures; on failure a binary search (`first_bad`) blames the first bad block, and the rest
//! of its range is not checked (a bad range costs about twice an honest chunk's pairings, not one per block).
//! A block from a slot that has not begun by our clock, within `max_clock_skew_ms`, is held (not checked, not
//! punished) with the rest of its range until its slot begins. Rules that need the parent run later, in order, in
//! `sequence_blocks`.

use bevy_ecs::prelude::*;
use bevy_tasks::{ComputeTaskPool, TaskPool};
use ecsync_components::ecs::{AwaitingImport, Downloaded, PendingBlock, Range, Validated};
use ecsync_components::resources::EngineCounters;
use ecsync_components::{ChainSpec, Offence, PeerOutcome};

use crate::consensus::{
    Authorities, BlockError, PreparedApproval, Verifier, check_standalone, first_bad,
};
use crate::params::{Rules, Timing};
use crate::transitions::{Transitions, reject_range};

/// What validation found for one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Every standalone rule holds, its signature included.
    Valid,
    /// It breaks this rule.
    Invalid(BlockError),
    /// Not checked: a lower block of its range is invalid (the whole range is rejected).
    Skipped,
}

/// Validates one chunk: standalone rules, then batched signature checks. Results in input order. A range stops
/// being checked at its first bad block: blocks after it are `Skipped` (their signatures never verified), and
/// `first_bad` finds a bad signature in about twice a batch's work, however many are bad.
pub fn validate_chunk(
    spec: &ChainSpec,
    keys: &Authorities,
    verifier: Verifier,
    now_ms: u64,
    chunk: &[&PendingBlock],
) -> Vec<Check> {
    let mut results = vec![Check::Valid; chunk.len()];
    let mut rejected: Vec<Entity> = Vec::new();
    // For blocks whose standalone rules hold: their index in the chunk, and their prepared approval.
    let mut at = Vec::with_capacity(chunk.len());
    let mut approvals = Vec::with_capacity(chunk.len());
    for (i, p) in chunk.iter().enumerate() {
        if rejected.contains(&p.range) {
            results[i] = Check::Skipped;
            continue;
        }
        let r = check_standalone(spec, &p.block, p.bytes.len(), now_ms)
            .and_then(|()| PreparedApproval::new(keys, &p.block, p.hash));
        match r {
            Ok(approval) => {
                at.push(i);
                approvals.push(approval);
            }
            Err(e) => {
                results[i] = Check::Invalid(e);
                rejected.push(p.range);
            }
        }
    }
    // The common case is one pass: no bad signature. Each bad one found restarts on what follows it.
    while let Some((bad, e)) = first_bad(&approvals, verifier) {
        let i = at[bad];
        results[i] = Check::Invalid(e);
        rejected.push(chunk[i].range);
        // What precedes it verified in a batch without a bad one: valid. What follows it in its range: skipped.
        at.drain(..=bad);
        approvals.drain(..=bad);
        let mut k = 0;
        while k < at.len() {
            if rejected.contains(&chunk[at[k]].range) {
                results[at[k]] = Check::Skipped;
                at.remove(k);
                approvals.remove(k);
            } else {
                k += 1;
            }
        }
    }
    results
}

/// The lowest `limit` downloaded blocks, in height order (those the import needs first), but none from a slot
/// that has not begun by our clock (`held`), unless it begins later than `max_clock_skew_ms` from now (then it
/// is checked, and invalid). A held block and the rest of its range wait for the clock; they are not punished.
fn lowest_downloaded<'w>(
    ranges: &'w Query<(Entity, &Range, &AwaitingImport)>,
    blocks: &'w Query<&PendingBlock, With<Downloaded>>,
    limit: usize,
    held: impl Fn(&PendingBlock) -> bool,
) -> (Vec<(Entity, &'w PendingBlock)>, u64) {
    let mut order: Vec<(u64, &AwaitingImport)> =
        ranges.iter().map(|(_, r, a)| (r.start, a)).collect();
    order.sort_unstable_by_key(|(start, _)| *start);
    let mut selected = Vec::new();
    let mut waiting = 0;
    for (_, awaiting) in order {
        for &b in &awaiting.blocks {
            let Ok(p) = blocks.get(b) else { continue };
            if held(p) {
                // Its range waits from here on: later blocks could not import before it anyway.
                waiting += 1;
                break;
            }
            if selected.len() == limit {
                return (selected, waiting);
            }
            selected.push((b, p));
        }
    }
    (selected, waiting)
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
    let (spec, now) = (&rules.env.spec.0, rules.env.now());
    let skew = rules.env.config.max_clock_skew_ms;
    let held = |p: &PendingBlock| {
        let starts = spec.slot_start_ms(p.block.slot());
        starts > now && starts <= now.saturating_add(skew)
    };
    let limit = rules.env.config.validate_per_tick;
    let (selected, waiting) = lowest_downloaded(&ranges, &blocks, limit, held);
    counters.ranges_held = waiting;
    if selected.is_empty() {
        return;
    }
    let started = timing.start();
    let pending: Vec<&PendingBlock> = selected.iter().map(|(_, p)| *p).collect();
    let keys = &rules.keys.0;
    let verifier = rules.env.config.verifier;
    let pool = ComputeTaskPool::get_or_init(TaskPool::default);
    let results: Vec<Check> = pool
        .scope(|s| {
            for chunk in pending.chunks(rules.env.config.signature_batch) {
                s.spawn(async move { validate_chunk(spec, keys, verifier, now, chunk) });
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
        let Check::Invalid(e) = result else { continue };
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
        if *result == Check::Valid && !failed_ranges.contains(&p.range) {
            counters.blocks_validated += 1;
            commands.advance_block::<Downloaded, Validated>(*entity);
        }
    }
}

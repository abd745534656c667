//! `validate_blocks`: the expensive rules, in parallel: many blocks per tick across the compute pool, while the
//! engine thread goes on with the import and the network.
//!
//! Valid blocks advance `Downloaded` → `Validating` → `Validated`; a block that breaks a rule rejects its whole
//! range (the peer that served it is blamed and banned), and no block of that range advances. Each tick it hands
//! the lowest downloaded blocks (those the import needs first; at most `validate_per_tick` with full validation,
//! `anchored_per_tick` with anchored) to a JOB: one task per chunk of
//! `signature_batch` (smaller when the job would otherwise not spread evenly over the workers: [`chunk_size`]) on
//! the `ComputeTaskPool`, each running, per block, its links to the block below it in its range (height, parent
//! hash, slot) and the rules a block keeps on its own (`check_standalone`: size, clock, timestamp, payload root,
//! approvers, quorum), then ONE multi-pairing for the chunk's aggregate signatures to verify; on failure a binary
//! search (`first_bad`) blames the first bad block, and the rest of its range is not checked (a bad range costs
//! about twice an honest chunk's pairings, not one per block). Code: `crate::validation`.
//!
//! Whose signatures a job verifies is `SyncConfig::verify`: with `full`, every block's; with `anchored` (the
//! default), only the TOP of each range's part of the job (its last block the job holds): the blocks below it
//! are valid because they link, block by block, up to a top whose quorum aggregate verifies (docs/VERIFIER.md,
//! "Anchored validation"). Either way a range with any bad block is rejected as a whole.
//!
//! A job's results are taken (waiting for it if need be) once more than `validation_in_flight` jobs run: with 1
//! (the default), the results of tick k's job are applied at tick k + 1, after tick k + 1's job is handed out, so
//! the workers always have queued work while this thread commits, fsyncs and talks to peers. The tick a result is
//! applied at never depends on how fast the job ran, so simulations stay deterministic. A block whose range went
//! meanwhile (failed, evicted, overtaken) left the world with it: its result is dropped.
//!
//! A block from a slot that has not begun by our clock, within `max_clock_skew_ms`, is held (not checked, not
//! punished) with the rest of its range until its slot begins. The first block of a range links to the chain
//! below it (the head, or another range) later, in order, in `sequence_blocks`.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_tasks::{ComputeTaskPool, TaskPool};
use ecsync_components::ecs::{
    AwaitingImport, Downloaded, PendingBlock, Range, Validated, Validating,
};
use ecsync_components::resources::{EngineCounters, ProvenHead};
use ecsync_components::{BlockRef, Offence, PeerOutcome, VerifyMode};

use crate::params::{Rules, Timing, ValidationWork};
use crate::resources::{ValidationJob, ValidationJobs, ValidationTask};
use crate::transitions::{Transitions, reject_range};
pub use crate::validation::{Below, Check, Plan, validate_chunk, validate_planned};

/// A block chosen for a job: its entity, the block, and the block below it in its range (if the range holds it,
/// in any stage).
pub struct Selected<'w> {
    /// Its entity.
    pub entity: Entity,
    /// The block.
    pub block: &'w PendingBlock,
    /// The block below it in its range.
    pub below: Option<&'w PendingBlock>,
}

/// The lowest `limit` downloaded blocks, in height order (those the import needs first), each with the block
/// below it in its range, but none from a slot that has not begun by our clock (`held`), unless it begins later
/// than `max_clock_skew_ms` from now (then it is checked, and invalid). A held block and the rest of its range
/// wait for the clock; they are not punished. Also: how many ranges wait so.
fn lowest_downloaded<'w>(
    ranges: &'w Query<(Entity, &Range, &AwaitingImport)>,
    blocks: &'w Query<(&PendingBlock, Has<Downloaded>)>,
    limit: usize,
    held: impl Fn(&PendingBlock) -> bool,
) -> (Vec<Selected<'w>>, u64) {
    let mut order: Vec<(u64, &AwaitingImport)> =
        ranges.iter().map(|(_, r, a)| (r.start, a)).collect();
    order.sort_unstable_by_key(|(start, _)| *start);
    let mut selected = Vec::new();
    let mut waiting = 0;
    for (_, awaiting) in order {
        let mut below = None;
        for &b in &awaiting.blocks {
            let Ok((p, downloaded)) = blocks.get(b) else {
                below = None;
                continue;
            };
            if !downloaded {
                // Handed to an earlier job: the block below the next one.
                below = Some(p);
                continue;
            }
            if held(p) {
                // Its range waits from here on: later blocks could not import before it anyway.
                waiting += 1;
                break;
            }
            if selected.len() == limit {
                return (selected, waiting);
            }
            selected.push(Selected {
                entity: b,
                block: p,
                below,
            });
            below = Some(p);
        }
    }
    (selected, waiting)
}

/// The plans of `selected` (in order): whose approval is verified (every block's in `full` mode; in `anchored`
/// mode each range's top: its last selected block) and the block each links to.
pub fn plans(selected: &[Selected], mode: VerifyMode) -> Vec<Plan> {
    selected
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let top = selected
                .get(i + 1)
                .is_none_or(|next| next.block.range != s.block.range);
            Plan {
                verify: top || mode == VerifyMode::Full,
                below: s.below.map(Below::of),
            }
        })
        .collect()
}

/// Smallest chunk a job is split into to keep every worker busy.
pub const MIN_CHUNK: usize = 16;

/// The chunk size for a job of `blocks` blocks on `workers` workers: as few chunks as `signature_batch` allows,
/// their number rounded up to a multiple of the workers and the blocks spread evenly over them, in chunks of at
/// least [`MIN_CHUNK`]. So every worker gets as much of the job: a full job (a multiple of `workers` batches) is
/// cut in full batches as before; a small one (the first answers of a sync) or an odd one (the last job of a
/// sync, 160 blocks in 4 chunks of 40, not 64 + 64 + 32 with one worker waiting for the other) is spread. A
/// smaller chunk costs more per signature (its fixed pairing work is shared by fewer), but a core that would
/// otherwise wait is worth more.
pub fn chunk_size(blocks: usize, workers: usize, signature_batch: usize) -> usize {
    let batch = signature_batch.max(1);
    let chunks = blocks
        .div_ceil(batch)
        .next_multiple_of(workers.max(1))
        .max(1);
    blocks.div_ceil(chunks).clamp(MIN_CHUNK.min(batch), batch)
}

/// Hands the lowest downloaded blocks to a new job; takes the results of the jobs beyond `validation_in_flight`.
/// See the module docs.
pub fn validate_blocks(
    mut commands: Commands,
    rules: Rules,
    mut work: ValidationWork,
    ranges: Query<(Entity, &Range, &AwaitingImport)>,
    blocks: Query<(&PendingBlock, Has<Downloaded>)>,
    pending: Query<&PendingBlock>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let config = &rules.env.config;
    let ValidationWork {
        jobs,
        timing,
        counters,
        proven,
    } = &mut work;
    jobs.runs += 1;
    let pool = ComputeTaskPool::get_or_init(TaskPool::default);
    // Hand out first: the workers then have this job queued while we wait for an older one.
    let limit = config.job_blocks();
    let (spec, now) = (&rules.env.spec.0, rules.env.now());
    let skew = config.max_clock_skew_ms;
    let held = |p: &PendingBlock| {
        let slot = p.block.slot();
        spec.begins_beyond(slot, now, 0) && !spec.begins_beyond(slot, now, skew)
    };
    let (selected, waiting) = lowest_downloaded(&ranges, &blocks, limit, held);
    counters.ranges_held = waiting;
    if !selected.is_empty() {
        let job = hand_out(&rules, timing, pool, jobs.runs, &selected);
        for s in &selected {
            commands.advance_block::<Downloaded, Validating>(s.entity);
        }
        jobs.jobs.push_back(job);
    }
    let results = take_results(jobs, timing, config.validation_in_flight as u64);
    apply_results(
        &mut commands,
        (counters, proven),
        &ranges,
        &pending,
        &mut outcomes,
        results,
    );
}

/// The job of run `run` for the `selected` blocks: one task per chunk on `pool` (or, a pool without workers,
/// validated on this thread at once).
fn hand_out(
    rules: &Rules,
    timing: &Timing,
    pool: &TaskPool,
    run: u64,
    selected: &[Selected],
) -> ValidationJob {
    let config = &rules.env.config;
    let workers = pool.thread_num();
    let now = rules.env.now();
    let spec = Arc::new(rules.env.spec.0.clone());
    let keys = Arc::clone(&rules.keys.0);
    let (verifier, watch) = (config.verifier, timing.stopwatch());
    let mut job = ValidationJob {
        handed_out: run,
        blocks: selected.iter().map(|s| (s.entity, s.block.range)).collect(),
        tasks: Vec::new(),
    };
    let mut plans = plans(selected, config.verify).into_iter();
    for chunk in selected.chunks(chunk_size(selected.len(), workers, config.signature_batch)) {
        let copies: Vec<(PendingBlock, Plan)> = chunk
            .iter()
            .zip(plans.by_ref())
            .map(|(s, plan)| (s.block.clone(), plan))
            .collect();
        let (spec, keys) = (Arc::clone(&spec), Arc::clone(&keys));
        let check = move || {
            let started = watch();
            let refs: Vec<(&PendingBlock, &Plan)> =
                copies.iter().map(|(p, plan)| (p, plan)).collect();
            let checks = validate_planned(&spec, &keys, verifier, now, &refs);
            (checks, watch().saturating_sub(started) as f64 / 1e9)
        };
        // A pool without workers would never run a task: this thread validates then, at once.
        job.tasks.push(if workers == 0 {
            ValidationTask::Done(check())
        } else {
            ValidationTask::Running(pool.spawn(async move { check() }))
        });
    }
    job
}

/// Takes every job handed out `in_flight` runs ago or earlier, oldest first, waiting for it if need be: its
/// blocks' checks (block, range, check), its chunks' durations into `timing`.
fn take_results(
    jobs: &mut ValidationJobs,
    timing: &mut Timing,
    in_flight: u64,
) -> Vec<(Entity, Entity, Check)> {
    let run = jobs.runs;
    let mut results: Vec<(Entity, Entity, Check)> = Vec::new();
    while let Some(job) = jobs
        .jobs
        .pop_front_if(|job| job.handed_out + in_flight <= run)
    {
        let mut checks = Vec::with_capacity(job.blocks.len());
        for task in job.tasks {
            let (chunk, secs) = task.join();
            timing
                .observations
                .validation
                .push((secs, chunk.len() as u32));
            checks.extend(chunk);
        }
        results.extend(
            job.blocks
                .into_iter()
                .zip(checks)
                .map(|((block, range), check)| (block, range, check)),
        );
    }
    results
}

/// Applies checks: a range with a bad block is rejected (none of its blocks advances); the valid blocks of the
/// other ranges advance to `Validated`. Blocks that left the world meanwhile (with their range) are passed over.
fn apply_results(
    commands: &mut Commands,
    (counters, proven): (&mut EngineCounters, &mut ProvenHead),
    ranges: &Query<(Entity, &Range, &AwaitingImport)>,
    pending: &Query<&PendingBlock>,
    outcomes: &mut MessageWriter<PeerOutcome>,
    results: Vec<(Entity, Entity, Check)>,
) {
    // Ranges with a bad block first: none of their blocks advances.
    let mut failed_ranges: Vec<Entity> = Vec::new();
    for (block, range, result) in &results {
        let Check::Invalid(e) = result else { continue };
        let Ok(p) = pending.get(*block) else { continue };
        counters.blocks_rejected += 1;
        if failed_ranges.contains(range) {
            continue;
        }
        failed_ranges.push(*range);
        if let Ok((_, _, awaiting)) = ranges.get(*range) {
            let offence = Offence::Block {
                height: p.height(),
                rule: e.to_string(),
            };
            reject_range(commands, outcomes, *range, awaiting, offence);
        }
    }
    for (block, range, result) in &results {
        if *result != Check::Valid || failed_ranges.contains(range) {
            continue;
        }
        if let Ok(p) = pending.get(*block) {
            proven.raise(BlockRef::new(&p.block.block.header, p.hash));
            counters.blocks_validated += 1;
            commands.advance_block::<Validating, Validated>(*block);
        }
    }
}

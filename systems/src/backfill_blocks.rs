//! `backfill_blocks`: the backfill's answers become ready batches, and the ready batches at the top are written
//! below the store's lowest block, which moves down to genesis (Lighthouse's backfill sync, checked by the hash
//! chain alone: `consensus::history`).
//!
//! - A request past its deadline, or answered with a failure, or whose peer left: the batch waits for another
//!   peer. A timeout is a `Timeout` outcome and discredits the peer's claim of history below the batch's top
//!   (`PeerRecord::discredit_history`: the backfill asks others meanwhile, for 5 s doubling up to 10 min), so a
//!   peer claiming history it does not serve holds nothing hostage.
//! - An empty answer for heights the peer claimed: an `Empty` outcome, and its claim of history discredited.
//! - A malformed answer, or a block that breaks a rule on its own or does not link to the block above it in the
//!   answer: an `Invalid` outcome (a ban). An answer cut short (its byte limit) is taken as far as it goes; the
//!   heights above it become a batch of their own.
//! - Ready batches from the top, each linked to the lowest block (`check_edge`; one that does not link is its
//!   peer's offence, a ban), are written in ONE `ChainStore::backfill` transaction per tick: durable once
//!   `checkpoint_every_blocks` blocks or `checkpoint_every_ms` passed since the last durable one (what a crash
//!   may lose), and at genesis. While the forward sync is behind its target at most `BACKFILL_WRITE_PER_TICK`
//!   blocks are written a tick, so the import keeps the engine thread.
//! - History that reaches height 1 must name the spec's genesis (else the trusted block is on another chain and
//!   the backfill stops); a store that fails stops it too. Neither touches the forward sync.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use ecsync_components::backfill::{
    BACKFILL_WRITE_PER_TICK, Backfill, BackfillBatch, BackfillState, BatchRequest, BatchState,
};
use ecsync_components::ecs::{Peer, PeerLoad};
use ecsync_components::resources::{ChainHead, PeerRecords, Store, SyncProgress};
use ecsync_components::{
    EncodedBlock, FailureReason, ImportBlock, LowestBlock, Offence, OutcomeKind, PeerId,
    PeerOutcome,
};

use crate::consensus::history::{check_edge, check_history, decode_history, reaches_genesis};
use crate::params::Env;

/// Weight of a new sample in the running average block size.
const BLOCK_SIZE_EWMA: f64 = 0.1;

/// The peers the backfill's outcomes concern: their loads, their records, the outcomes for `score_peers`.
#[derive(SystemParam)]
pub struct HistoryPeers<'w, 's> {
    records: ResMut<'w, PeerRecords>,
    peers: Query<'w, 's, (&'static Peer, &'static mut PeerLoad)>,
    outcomes: MessageWriter<'w, PeerOutcome>,
}

impl HistoryPeers<'_, '_> {
    /// Whether `request`'s peer is still connected (the same identity at its entity).
    fn present(&self, request: &BatchRequest) -> bool {
        self.peers
            .get(request.peer)
            .is_ok_and(|(p, _)| p.id == request.peer_id)
    }

    /// `request` is over: its slot on the peer is free again.
    fn release(&mut self, request: &BatchRequest) {
        if let Ok((peer, mut load)) = self.peers.get_mut(request.peer)
            && peer.id == request.peer_id
        {
            ecsync_components::strict_assert!(load.backfill > 0, "a backfill load under zero");
            load.backfill = load.backfill.saturating_sub(1);
        }
    }

    /// What `peer` did, for `score_peers`.
    fn outcome(&mut self, peer: Entity, peer_id: PeerId, kind: OutcomeKind, latency: Option<u64>) {
        self.outcomes.write(PeerOutcome {
            peer,
            peer_id,
            kind,
            latency_ms: latency,
        });
    }
}

/// What a settled answer left.
enum Settled {
    /// The batch waits for another peer (this one added to its failed peers, if `blame`).
    Retry { blame: bool },
    /// Its blocks, checked: `[start, start + n)`, n ≤ its count.
    Ready(Vec<EncodedBlock>),
}

/// Judges one answer (or failure) of `request` for `batch`. See the module docs.
fn judge(
    env: &Env,
    backfill: &mut Backfill,
    peers: &mut HistoryPeers,
    batch: &BackfillBatch,
    request: &BatchRequest,
    answer: Result<Vec<Vec<u8>>, FailureReason>,
    at_ms: u64,
) -> Settled {
    let latency_ms = at_ms.saturating_sub(request.sent_at_ms);
    let latency = Some(latency_ms);
    let (peer, id) = (request.peer, request.peer_id);
    let raw = match answer {
        Ok(raw) => raw,
        Err(reason) => {
            backfill.counters.failed += 1;
            let kind = match reason {
                FailureReason::Timeout => {
                    let record = peers.records.0.entry(id).or_default();
                    record.discredit_history(&env.config, batch.end(), env.now());
                    OutcomeKind::Timeout
                }
                FailureReason::Disconnected => OutcomeKind::Failed,
                FailureReason::Dropped => OutcomeKind::Dropped,
                FailureReason::Protocol(e) => OutcomeKind::Invalid(e.into()),
            };
            peers.outcome(peer, id, kind, latency);
            return Settled::Retry { blame: true };
        }
    };
    if raw.is_empty() {
        backfill.counters.empty += 1;
        let record = peers.records.0.entry(id).or_default();
        record.discredit_history(&env.config, batch.end(), env.now());
        let kind = OutcomeKind::Empty { at: batch.start };
        peers.outcome(peer, id, kind, latency);
        return Settled::Retry { blame: true };
    }
    let max = env.spec.0.max_block_bytes as usize;
    let checked = decode_history(batch.start, batch.count, raw, max)
        .map_err(Offence::from)
        .and_then(|blocks| {
            check_history(&env.spec.0, blocks, env.now()).map_err(|(height, e)| Offence::Block {
                height,
                rule: e.to_string(),
            })
        });
    match checked {
        Err(offence) => {
            backfill.counters.rejected += 1;
            peers.outcome(peer, id, OutcomeKind::Invalid(offence), latency);
            Settled::Retry { blame: true }
        }
        Ok(blocks) => {
            backfill.counters.served += 1;
            peers.records.0.entry(id).or_default().served_history();
            let bytes: u64 = blocks.iter().map(|b| b.bytes.len() as u64).sum();
            let kind = OutcomeKind::Served {
                blocks: blocks.len() as u32,
                bytes,
                latency_ms,
            };
            peers.outcome(peer, id, kind, latency);
            Settled::Ready(blocks)
        }
    }
}

/// Times out the requests past their deadline, settles those whose peer left (no blame), and judges every
/// answer: each batch waits again, or becomes ready (split when the answer was short).
fn settle(env: &Env, backfill: &mut Backfill, peers: &mut HistoryPeers) {
    let now = env.now();
    let mut i = 0;
    while i < backfill.batches.len() {
        let batch = &mut backfill.batches[i];
        let (request, answer, at_ms) =
            match std::mem::replace(&mut batch.state, BatchState::Waiting) {
                BatchState::Downloading(r) if now >= r.deadline_ms => {
                    (r, Err(FailureReason::Timeout), now)
                }
                BatchState::Downloading(r) if !peers.present(&r) => {
                    // Its peer left: no answer will come, and leaving is not an offence here.
                    backfill.bytes = backfill.bytes.saturating_sub(r.reserved);
                    i += 1;
                    continue;
                }
                BatchState::Answered {
                    request,
                    answer,
                    at_ms,
                } => (request, answer, at_ms),
                other => {
                    batch.state = other;
                    i += 1;
                    continue;
                }
            };
        peers.release(&request);
        backfill.bytes = backfill.bytes.saturating_sub(request.reserved);
        let taken = std::mem::replace(&mut backfill.batches[i], BackfillBatch::waiting(0, 0));
        let settled = judge(env, backfill, peers, &taken, &request, answer, at_ms);
        backfill.batches[i] = taken;
        i += place(backfill, i, request, settled);
    }
}

/// Puts what judging batch `i` left in place; returns how many batches now stand where it stood (1, or 2 after
/// a split).
fn place(backfill: &mut Backfill, i: usize, request: BatchRequest, settled: Settled) -> usize {
    match settled {
        Settled::Retry { blame } => {
            let batch = &mut backfill.batches[i];
            batch.state = BatchState::Waiting;
            if blame && !batch.failed_peers.contains(&request.peer_id) {
                batch.failed_peers.push(request.peer_id);
            }
            1
        }
        Settled::Ready(blocks) => {
            let n = blocks.len() as u32;
            let bytes: u64 = blocks.iter().map(|b| b.bytes.len() as u64).sum();
            for b in &blocks {
                backfill.avg_block_bytes = backfill.avg_block_bytes * (1.0 - BLOCK_SIZE_EWMA)
                    + b.bytes.len() as f64 * BLOCK_SIZE_EWMA;
            }
            backfill.bytes += bytes;
            let batch = &mut backfill.batches[i];
            let rest = batch.count - n;
            batch.count = n;
            batch.state = BatchState::Ready {
                peer: request.peer,
                peer_id: request.peer_id,
                blocks,
                bytes,
            };
            if rest == 0 {
                return 1;
            }
            // The heights above what was served: a batch of their own, above this one (batches go top first).
            let above = BackfillBatch::waiting(batch.start + u64::from(n), rest);
            backfill.batches.insert(i, above);
            2
        }
    }
}

/// The ready batches at the top that link to the lowest block, taken off (at most `limit` blocks, at least one
/// batch), with the new lowest block; a top that does not link is its peer's offence (its batch waits again).
fn take_linked(
    env: &Env,
    backfill: &mut Backfill,
    peers: &mut HistoryPeers,
    limit: u64,
) -> (Vec<BackfillBatch>, LowestBlock) {
    let mut edge = backfill.edge;
    let mut taken: Vec<BackfillBatch> = Vec::new();
    let mut blocks = 0u64;
    while let Some(batch) = backfill.batches.first_mut()
        && (taken.is_empty() || blocks < limit)
        && batch.end() == edge.block.height
    {
        let BatchState::Ready {
            peer,
            peer_id,
            blocks: run,
            bytes,
        } = &batch.state
        else {
            break;
        };
        let (Some(first), Some(top)) = (run.first(), run.last()) else {
            break;
        };
        if let Err(e) = check_edge(&edge, top) {
            let offence = Offence::Block {
                height: top.block.height(),
                rule: e.to_string(),
            };
            let (peer, peer_id, bytes) = (*peer, *peer_id, *bytes);
            backfill.counters.rejected += 1;
            peers.outcome(peer, peer_id, OutcomeKind::Invalid(offence), None);
            backfill.bytes = backfill.bytes.saturating_sub(bytes);
            let batch = &mut backfill.batches[0];
            batch.state = BatchState::Waiting;
            batch.failed_peers.push(peer_id);
            break;
        }
        edge = if first.block.height() > 1 {
            LowestBlock::of(&first.block, first.hash)
        } else if reaches_genesis(&env.spec.0, first) {
            LowestBlock::genesis(env.spec.0.genesis_hash)
        } else {
            stop(
                backfill,
                env.now(),
                "block 1 of the history below the trusted block does not name the spec's genesis: the \
                 checkpoint is on another chain",
            );
            return (Vec::new(), backfill.edge);
        };
        blocks += run.len() as u64;
        taken.push(backfill.batches.remove(0));
    }
    (taken, edge)
}

/// The backfill stops for good at `now`, for `why`.
fn stop(backfill: &mut Backfill, now: u64, why: &str) {
    backfill.state = BackfillState::Stopped;
    backfill.stopped = Some(why.to_string());
    backfill.finished_ms = now;
}

/// Writes the linked ready batches at the top (see the module docs), or makes earlier writes durable when due.
fn write(
    env: &Env,
    backfill: &mut Backfill,
    peers: &mut HistoryPeers,
    store: &mut Store,
    limit: u64,
) {
    let now = env.now();
    let (taken, edge) = take_linked(env, backfill, peers, limit);
    let imports: Vec<ImportBlock<'_>> = taken
        .iter()
        .rev()
        .flat_map(|b| match &b.state {
            BatchState::Ready { blocks, .. } => blocks.as_slice(),
            _ => &[],
        })
        .map(EncodedBlock::as_import)
        .collect();
    let n = imports.len() as u64;
    let config = &env.config;
    let durable = (backfill.since_durable + n >= config.checkpoint_every_blocks
        || now.saturating_sub(backfill.durable_at_ms) >= config.checkpoint_every_ms)
        && backfill.since_durable + n > 0
        || (n > 0 && edge.block.height == 0);
    if n == 0 && !durable {
        return;
    }
    if let Err(e) = store.0.backfill(&imports, durable) {
        stop(backfill, now, &format!("the store failed: {e}"));
        return;
    }
    let bytes: u64 = imports.iter().map(|b| b.bytes.len() as u64).sum();
    drop(imports);
    drop(taken);
    backfill.bytes = backfill.bytes.saturating_sub(bytes);
    backfill.edge = edge;
    backfill.counters.blocks += n;
    backfill.counters.commits += u64::from(n > 0);
    if durable {
        backfill.counters.durable_commits += 1;
        backfill.durable = edge.block.height;
        backfill.since_durable = 0;
        backfill.durable_at_ms = now;
    } else {
        backfill.since_durable += n;
    }
    if edge.block.height == 0 {
        backfill.state = BackfillState::Complete;
        backfill.finished_ms = now;
    }
}

/// Settles the backfill's answers and writes what links. See the module docs.
pub fn backfill_blocks(
    mut backfill: ResMut<Backfill>,
    env: Env,
    mut store: ResMut<Store>,
    (head, progress): (Res<ChainHead>, Res<SyncProgress>),
    mut peers: HistoryPeers,
) {
    if !backfill.running() {
        return;
    }
    if backfill.started_ms == 0 {
        backfill.started_ms = env.now();
        backfill.durable_at_ms = env.now();
    }
    settle(&env, &mut backfill, &mut peers);
    let limit = if progress.target > head.0.height {
        BACKFILL_WRITE_PER_TICK
    } else {
        u64::MAX
    };
    write(&env, &mut backfill, &mut peers, &mut store, limit);
}

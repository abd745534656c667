//! `backfill_requests`: plans the backfill's batches below the store's lowest block and sends the waiting ones
//! to peers, after the forward sync's `dispatch_requests` (background work: the forward sync picks first) and
//! after `backfill_blocks` (so the slots its answers freed are taken the same tick).
//!
//! - Planning: batches of `BACKFILL_BATCH` heights down to height 1, at most `BACKFILL_MAX_BATCHES` held.
//! - Whom to ask, top batch first: a peer believed to serve the whole batch (`PeerClaim::serves`: its status's
//!   lowest at or below the batch's start, unless that claim is discredited; its usable head at or above its
//!   top), not one that failed it while another can (when all of them did, the list is cleared), one in good
//!   standing (below `stop_using_below` only as a last resort), the best score first. A peer that claims no
//!   history we lack is never asked, so it is never blamed for not serving it.
//! - How much: at most `BACKFILL_PER_PEER` requests to a peer, within the peer's budget counting the forward
//!   sync's requests (`PeerLoad::total`), and `BACKFILL_IN_FLIGHT` in all; while the forward sync is behind its
//!   target, only `BACKFILL_IN_FLIGHT_BEHIND` in all, and one slot of each peer's budget is left to it. The bytes reserved for answers plus those held stay
//!   within `BACKFILL_MAX_BYTES`, except that the top batch (the one the write waits for) always goes.

use bevy_ecs::prelude::*;
use ecsync_components::backfill::{
    BACKFILL_BATCH, BACKFILL_IN_FLIGHT, BACKFILL_IN_FLIGHT_BEHIND, BACKFILL_MAX_BATCHES,
    BACKFILL_MAX_BYTES, BACKFILL_PER_PEER, Backfill, BackfillBatch, BatchRequest, BatchState,
};
use ecsync_components::ecs::{Peer, PeerBudget, PeerClaim, PeerLoad, PeerReputation, PeerScore};
use ecsync_components::resources::{ChainHead, Outbox, PeerRecords, RequestCounter, SyncProgress};
use ecsync_components::{MAX_RESPONSE_BYTES, PeerId, Request, RequestId};

use crate::params::Env;

/// A request reserves this share more than its blocks' expected size (its byte limit): blocks vary in size.
const ANSWER_HEADROOM: f64 = 1.25;

/// A peer that may take backfill work this tick.
struct Candidate {
    entity: Entity,
    id: PeerId,
    /// What it is believed to serve: heights from `lowest`…
    lowest: u64,
    /// …up to `head`.
    head: u64,
    /// Backfill requests it may take now.
    free: u32,
    /// Blocks per request it is given (its budget's: what it delivers within the target request time).
    batch: u32,
    timeout_ms: u64,
    /// Reputation at or above `stop_using_below`.
    reputable: bool,
}

/// What `backfill_requests` reads of each peer.
type Peers<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static Peer,
        &'static PeerClaim,
        &'static PeerBudget,
        &'static mut PeerLoad,
        &'static PeerScore,
        &'static PeerReputation,
    ),
>;

/// Every peer, best first (ties by id), with its free backfill slots (`headroom` slots of its budget left to
/// the forward sync).
fn candidates(env: &Env, peers: &Peers, records: &PeerRecords, headroom: u32) -> Vec<Candidate> {
    let now = env.now();
    let mut order: Vec<(f64, u64, Candidate)> = peers
        .iter()
        .map(|(entity, peer, claim, budget, load, score, reputation)| {
            let record = records.0.get(&peer.id);
            let budgeted = budget
                .max_in_flight
                .saturating_sub(headroom)
                .saturating_sub(load.total());
            let c = Candidate {
                entity,
                id: peer.id,
                lowest: record.map_or(claim.lowest, |r| r.history_from(claim.lowest, now)),
                head: claim.usable_head(now),
                free: budgeted.min(BACKFILL_PER_PEER.saturating_sub(load.backfill)),
                batch: budget.batch.max(1),
                timeout_ms: budget.timeout_ms,
                reputable: reputation.0 >= env.config.stop_using_below,
            };
            (score.0, peer.id.0, c)
        })
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(.., c)| c).collect()
}

/// Plans batches below the lowest one, down to height 1, while fewer than `BACKFILL_MAX_BATCHES` are held.
fn plan(backfill: &mut Backfill) {
    while backfill.batches.len() < BACKFILL_MAX_BATCHES {
        let floor = backfill.floor();
        if floor <= 1 {
            return;
        }
        let start = floor.saturating_sub(u64::from(BACKFILL_BATCH)).max(1);
        backfill
            .batches
            .push(BackfillBatch::waiting(start, (floor - start) as u32));
    }
}

/// The peer to ask for `batch` among `free` (an index), if any: see the module docs. Clears the batch's failed
/// peers when every peer able to serve it failed it.
fn choose(free: &[Candidate], batch: &mut BackfillBatch) -> Option<usize> {
    let serves = |c: &Candidate| c.lowest <= batch.start && c.head >= batch.end() - 1;
    let last_resort = !free.iter().any(|c| c.reputable && serves(c));
    let able: Vec<usize> = (0..free.len())
        .filter(|&i| free[i].free > 0 && serves(&free[i]))
        .filter(|&i| free[i].reputable || last_resort)
        .collect();
    let best = *able.first()?;
    let untried = able
        .iter()
        .copied()
        .find(|&i| !batch.failed_peers.contains(&free[i].id));
    Some(untried.unwrap_or_else(|| {
        batch.failed_peers.clear();
        best
    }))
}

/// Where a peer able to serve the top of `batch` but not all of it starts (the lowest such), when no peer at all
/// serves the whole of it: the batch is split there, so that the history a peer holds is fetched from it
/// whatever the batches' bounds.
fn top_part(free: &[Candidate], batch: &BackfillBatch) -> Option<u64> {
    let top = batch.end() - 1;
    if free
        .iter()
        .any(|c| c.lowest <= batch.start && c.head >= top)
    {
        return None;
    }
    free.iter()
        .filter(|c| c.free > 0 && c.lowest > batch.start && c.lowest <= top && c.head >= top)
        .map(|c| c.lowest)
        .min()
}

/// Splits batch `i` at `from` (within it): `[from, end)` becomes batch `i`, `[start, from)` the one after it (top
/// first).
fn split(batches: &mut Vec<BackfillBatch>, i: usize, from: u64) {
    let batch = &mut batches[i];
    let upper = BackfillBatch::waiting(from, (batch.end() - from) as u32);
    batch.count = (from - batch.start) as u32;
    batches.insert(i, upper);
}

/// Sends the request of `batch` to the peer `free[chosen]`, reserving `reserve` bytes for its answer.
fn send(
    batch: &mut BackfillBatch,
    peer: &mut Candidate,
    reserve: u64,
    now: u64,
    (ids, outbox): (&mut RequestCounter, &mut Outbox),
) {
    ids.0 += 1;
    let request = RequestId(ids.0);
    outbox.0.push(Request::BlocksByRange {
        peer: peer.id,
        request,
        start: batch.start,
        count: batch.count,
        max_bytes: u32::try_from(reserve).unwrap_or(MAX_RESPONSE_BYTES),
    });
    batch.state = BatchState::Downloading(BatchRequest {
        peer: peer.entity,
        peer_id: peer.id,
        request,
        sent_at_ms: now,
        deadline_ms: now.saturating_add(peer.timeout_ms),
        reserved: reserve,
    });
    batch.attempts += 1;
    peer.free -= 1;
}

/// Plans and sends the backfill's requests. See the module docs.
pub fn backfill_requests(
    mut backfill: ResMut<Backfill>,
    env: Env,
    (head, progress): (Res<ChainHead>, Res<SyncProgress>),
    records: Res<PeerRecords>,
    (mut outbox, mut ids): (ResMut<Outbox>, ResMut<RequestCounter>),
    mut peers: Peers,
) {
    if !backfill.running() {
        return;
    }
    plan(&mut backfill);
    let behind = progress.target > head.0.height;
    let max_in_flight = if behind {
        BACKFILL_IN_FLIGHT_BEHIND
    } else {
        BACKFILL_IN_FLIGHT
    };
    let mut free = candidates(&env, &peers, &records, u32::from(behind));
    let mut in_flight = backfill.in_flight();
    let per_block = backfill.avg_block_bytes.max(1.0);
    let edge = backfill.edge.block.height;
    let Backfill {
        batches,
        bytes,
        counters,
        ..
    } = &mut *backfill;
    let mut i = 0;
    while i < batches.len() && in_flight < max_in_flight && free.iter().any(|c| c.free > 0) {
        if !matches!(batches[i].state, BatchState::Waiting) {
            i += 1;
            continue;
        }
        if let Some(from) = top_part(&free, &batches[i]) {
            split(batches, i, from);
        }
        let Some(chosen) = choose(&free, &mut batches[i]) else {
            i += 1;
            continue;
        };
        let peer = &mut free[chosen];
        // No more than the peer delivers within its target request time: the top of the batch, the rest below.
        if batches[i].count > peer.batch {
            let from = batches[i].end() - u64::from(peer.batch);
            split(batches, i, from);
        }
        let batch = &mut batches[i];
        i += 1;
        let expected = (per_block * f64::from(batch.count) * ANSWER_HEADROOM).ceil() as u64;
        let mut reserve = expected.clamp(per_block as u64, u64::from(MAX_RESPONSE_BYTES));
        let room = BACKFILL_MAX_BYTES.saturating_sub(*bytes);
        if batch.end() == edge {
            // The top batch always goes: the write waits for it (an answer beyond the room is cut there).
            reserve = reserve.min(room.max(per_block as u64));
        } else if reserve > room {
            break;
        }
        send(batch, peer, reserve, env.now(), (&mut ids, &mut outbox));
        if let Ok((.., mut load, _, _)) = peers.get_mut(peer.entity) {
            load.backfill += 1;
        }
        *bytes += reserve;
        in_flight += 1;
        counters.requests += 1;
    }
}

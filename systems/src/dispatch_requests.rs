//! `dispatch_requests`: gives waiting ranges to the best free peers, lowest heights first.
//!
//! Reads: `AwaitingDownload` ranges, peers (`Peer`, `PeerClaim`, `PeerBudget`, `PeerScore`), `Buffer`,
//! `ChainHead`, `Clock`, `SyncConfig`. Writes: range state `AwaitingDownload` → `Downloading`, `RangeAttempts`,
//! `PeerLoad`, `Buffer::reserved`, `RequestCounter`, `Outbox` (`Request::BlocksByRange`), `EngineCounters`; when
//! the range at the import frontier cannot fit under the byte cap, queues `evict_for_frontier`.
//!
//! A range goes to the highest-scored free peer whose believed head reaches its start and that has not failed
//! it; when every candidate has failed it, its failed list is cleared and the best candidate tries again. Each
//! request reserves its expected bytes (count × average block size) so that answers in flight cannot push the
//! buffer past `max_buffered_bytes`.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{
    AwaitingDownload, Downloading, Peer, PeerBudget, PeerClaim, PeerLoad, PeerScore, Range,
    RangeAttempts,
};
use ecsync_components::resources::{
    Buffer, ChainHead, Clock, EngineCounters, Outbox, RequestCounter, Spec,
};
use ecsync_components::{Request, RequestId, SyncConfig};

use crate::transitions::evict_for_frontier;

/// Expected encoded bytes of `count` blocks.
pub fn expected_bytes(buffer: &Buffer, spec_max: u32, count: u32) -> u64 {
    let avg = if buffer.avg_block_bytes > 0.0 {
        buffer.avg_block_bytes
    } else {
        f64::from(spec_max.min(4096))
    };
    (avg * f64::from(count)).ceil() as u64
}

/// Dispatches waiting ranges. See the module docs.
pub fn dispatch_requests(
    mut commands: Commands,
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    spec: Res<Spec>,
    head: Res<ChainHead>,
    mut buffer: ResMut<Buffer>,
    mut ids: ResMut<RequestCounter>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<EngineCounters>,
    mut ranges: Query<(Entity, &Range, &mut RangeAttempts), With<AwaitingDownload>>,
    mut peers: Query<(
        Entity,
        &Peer,
        &PeerClaim,
        &PeerBudget,
        &mut PeerLoad,
        &PeerScore,
    )>,
) {
    let now = clock.now_ms;
    let mut waiting: Vec<(Entity, Range)> = ranges.iter().map(|(e, r, _)| (e, *r)).collect();
    if waiting.is_empty() {
        return;
    }
    waiting.sort_unstable_by_key(|(_, r)| r.start);
    // Candidate peers, best first (ties by id, for determinism).
    let mut order: Vec<(Entity, f64, u64)> = peers
        .iter()
        .map(|(e, p, _, _, _, s)| (e, s.0, p.id.0))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    let frontier = head.0.height + 1;

    for (range_entity, range) in waiting {
        // Nobody can take more work this tick.
        if !peers
            .iter()
            .any(|(_, _, _, budget, load, _)| load.in_flight < budget.max_in_flight)
        {
            break;
        }
        let cap = config.max_buffered_bytes;
        let mut reserve = expected_bytes(&buffer, spec.0.max_block_bytes, range.count);
        let room = cap.saturating_sub(buffer.bytes + buffer.reserved);
        if range.start == frontier && room > 0 {
            // The frontier goes out whenever there is any room: the import needs it first, and an answer
            // larger than the room is cut at the cap when it arrives.
            reserve = reserve.min(room);
        }
        if reserve > room {
            if range.start == frontier {
                commands.queue(move |w: &mut World| {
                    let dropped = evict_for_frontier(w, frontier, reserve, cap);
                    w.resource_mut::<EngineCounters>().ranges_evicted += dropped;
                });
            }
            // Lower heights first: a higher range must not take the room a lower one needs.
            break;
        }
        let Ok((_, _, mut attempts)) = ranges.get_mut(range_entity) else {
            continue;
        };
        let candidates: Vec<Entity> = order
            .iter()
            .filter_map(|(e, _, _)| {
                let (_, _, claim, budget, load, _) = peers.get(*e).ok()?;
                (load.in_flight < budget.max_in_flight && claim.usable_head(now) >= range.start)
                    .then_some(*e)
            })
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let untried = candidates.iter().copied().find(|e| {
            peers
                .get(*e)
                .is_ok_and(|(_, p, ..)| !attempts.failed_peers.contains(&p.id))
        });
        let chosen = match untried {
            Some(e) => e,
            None => {
                attempts.failed_peers.clear();
                candidates[0]
            }
        };
        let Ok((peer_entity, peer, _, budget, mut load, _)) = peers.get_mut(chosen) else {
            continue;
        };
        ids.0 += 1;
        let request = RequestId(ids.0);
        load.in_flight += 1;
        attempts.attempts += 1;
        buffer.reserved += reserve;
        counters.requests_sent += 1;
        outbox.0.push(Request::BlocksByRange {
            peer: peer.id,
            request,
            start: range.start,
            count: range.count,
        });
        commands
            .entity(range_entity)
            .remove::<AwaitingDownload>()
            .insert(Downloading {
                peer: peer_entity,
                peer_id: peer.id,
                request,
                sent_at_ms: now,
                deadline_ms: now + budget.timeout_ms,
                reserved_bytes: reserve,
            });
    }
}

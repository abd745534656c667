//! `dispatch_requests`: gives waiting ranges to the best free peers, lowest heights first.
//!
//! A range goes to the highest-scored free peer whose believed head reaches its start and that has not failed
//! it; when every candidate has failed it, its failed list is cleared and the best candidate tries again. A peer
//! whose reputation is below `stop_using_below` is a last resort: it gets a range only when no peer in good
//! standing (free or busy) believes it can serve it. Each
//! request reserves its expected bytes (count × average block size) so that answers in flight cannot push the
//! buffer past `max_buffered_bytes`; when the range at the import frontier cannot fit, the highest downloaded
//! ranges are evicted for it. The requests themselves go out through the `start_download` transition.
//!
//! At the head, members first: for a range near the proven target (it starts within `catch_up_distance` of it,
//! 64 by default, or within its own length), a peer that proved it is a federation member
//! (`Member`) goes before the others, in score order among themselves: a member has the newest blocks first and
//! is no outsider that can slow the last blocks down. Far from the head nothing changes: scores rule.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{
    AwaitingDownload, Member, Peer, PeerBudget, PeerClaim, PeerLoad, PeerReputation, PeerScore,
    Range, RangeAttempts,
};
use ecsync_components::resources::{Buffer, ChainHead, SyncProgress};
use ecsync_components::{Height, SyncConfig};

use crate::params::Env;
use crate::transitions::{Transitions, evict_for_frontier};

/// A request reserves this share more than its blocks' expected size: the reservation is also the answer's byte
/// limit (`max_bytes`), and blocks vary in size, so an answer cut at exactly the average would come back a block or
/// two short half the time.
pub const ANSWER_HEADROOM: f64 = 1.25;

/// A peer that may take work this tick.
struct Candidate {
    entity: Entity,
    id: ecsync_components::PeerId,
    usable_head: u64,
    /// The lowest height it serves (it is never asked below).
    lowest: u64,
    free_slots: u32,
    timeout_ms: u64,
    /// Reputation at or above `stop_using_below`.
    reputable: bool,
    /// A federation member (proved).
    member: bool,
}

/// What dispatch reads of each peer.
type Peers<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static Peer,
        &'static PeerClaim,
        &'static PeerBudget,
        &'static PeerLoad,
        &'static PeerScore,
        &'static PeerReputation,
        Has<Member>,
    ),
>;

/// Every peer, best first (ties by id, for determinism); busy ones with no free slot.
fn candidates(peers: &Peers, now: u64, stop_using_below: f64) -> Vec<Candidate> {
    let mut order: Vec<(f64, u64, Candidate)> = peers
        .iter()
        .map(
            |(entity, peer, claim, budget, load, score, reputation, member)| {
                let c = Candidate {
                    entity,
                    id: peer.id,
                    usable_head: claim.usable_head(now),
                    lowest: claim.lowest,
                    free_slots: budget.max_in_flight.saturating_sub(load.total()),
                    timeout_ms: budget.timeout_ms,
                    reputable: reputation.0 >= stop_using_below,
                    member,
                };
                (score.0, peer.id.0, c)
            },
        )
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(.., c)| c).collect()
}

/// Whether `range` is near the head: it starts within `catch_up_distance` of the proven `target` (what makes
/// the state CatchingUp), or within its own length.
fn near_head(config: &SyncConfig, target: Height, range: &Range) -> bool {
    let distance = config.catch_up_distance.max(u64::from(range.count));
    target.saturating_sub(range.start) <= distance
}

/// Dispatches waiting ranges. See the module docs.
pub fn dispatch_requests(
    mut commands: Commands,
    env: Env,
    (head, progress): (Res<ChainHead>, Res<SyncProgress>),
    buffer: Res<Buffer>,
    mut ranges: Query<(Entity, &Range, &mut RangeAttempts), With<AwaitingDownload>>,
    peers: Peers,
) {
    let mut waiting: Vec<(Entity, Range)> = ranges.iter().map(|(e, r, _)| (e, *r)).collect();
    if waiting.is_empty() {
        return;
    }
    waiting.sort_unstable_by_key(|(_, r)| r.start);
    let mut free = candidates(&peers, env.now(), env.config.stop_using_below);
    let frontier = head.0.height + 1;
    let cap = env.config.max_buffered_bytes;
    // What this tick's requests reserve, before the transitions apply.
    let mut reserved = 0u64;
    for (range_entity, range) in waiting {
        if free.iter().all(|c| c.free_slots == 0) {
            break; // nobody can take more work this tick
        }
        let room = buffer.room(cap).saturating_sub(reserved);
        let expected = buffer.expected_bytes(env.spec.0.max_block_bytes, range.count);
        let mut reserve = (expected as f64 * ANSWER_HEADROOM).ceil() as u64;
        let one_block = buffer.expected_bytes(env.spec.0.max_block_bytes, 1);
        if range.start == frontier && room >= one_block {
            // The frontier goes out whenever at least a block fits: the import needs it first, and an answer
            // larger than the room is cut at the cap when it arrives. With less room than a block it would
            // come back empty, so room is made instead (below).
            reserve = reserve.min(room);
        }
        if reserve > room {
            if range.start == frontier {
                commands.queue(move |w: &mut World| {
                    evict_for_frontier(w, frontier, reserve, cap);
                });
            }
            break; // lower heights first: a higher range must not take the room a lower one needs
        }
        let Ok((_, _, mut attempts)) = ranges.get_mut(range_entity) else {
            continue;
        };
        let reaches = |c: &Candidate| c.usable_head >= range.start && c.lowest <= range.start;
        // Peers in bad standing only when no peer in good standing could serve the range.
        let last_resort = !free.iter().any(|c| c.reputable && reaches(c));
        let mut able: Vec<usize> = (0..free.len())
            .filter(|&i| free[i].free_slots > 0 && reaches(&free[i]))
            .filter(|&i| free[i].reputable || last_resort)
            .collect();
        if near_head(&env.config, progress.target, &range) {
            able.sort_by_key(|&i| !free[i].member); // stable: score order among members, and among the rest
        }
        let Some(&best) = able.first() else {
            continue;
        };
        let untried = able
            .iter()
            .copied()
            .find(|&i| !attempts.failed_peers.contains(&free[i].id));
        let chosen = untried.unwrap_or_else(|| {
            attempts.failed_peers.clear();
            best
        });
        let peer = &mut free[chosen];
        peer.free_slots -= 1;
        reserved += reserve;
        commands.start_download(range_entity, peer.entity, peer.timeout_ms, reserve);
    }
}

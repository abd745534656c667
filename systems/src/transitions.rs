//! Named transitions that touch several entities and resources at once. Systems queue them through `Commands`
//! (`commands.queue(move |w: &mut World| fail_range(w, range, blame))`), so they apply at the next sync point,
//! in order, with exclusive access. Each keeps the engine's bookkeeping (buffer bytes, reservations, peer
//! load) consistent whatever state the entities are in, so queuing one twice is harmless.

use bevy_ecs::prelude::{Entity, With, World};
use ecsync_components::PeerId;
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloading, PeerClaim, PeerLoad, PendingBlock,
    Range, RangeAttempts,
};
use ecsync_components::resources::{Buffer, ChainHead, PeerIndex, PlanCursor};

/// Ends a download (if the range is downloading): releases its reservation and the peer's slot.
fn release_download(world: &mut World, range: Entity) {
    let Some(dl) = world.get::<Downloading>(range).copied() else {
        return;
    };
    let mut buffer = world.resource_mut::<Buffer>();
    buffer.reserved = buffer.reserved.saturating_sub(dl.reserved_bytes);
    if let Some(mut load) = world.get_mut::<PeerLoad>(dl.peer) {
        load.in_flight = load.in_flight.saturating_sub(1);
    }
    if let Ok(mut e) = world.get_entity_mut(range) {
        e.remove::<(Downloading, Delivered)>();
    }
}

/// Drops a downloaded range's pending blocks (if any) and their buffer bytes.
fn drop_blocks(world: &mut World, range: Entity) {
    let Some(awaiting) = world.get::<AwaitingImport>(range).cloned() else {
        return;
    };
    let mut freed = 0u64;
    let mut count = 0u64;
    for block in awaiting.blocks {
        if let Some(p) = world.get::<PendingBlock>(block) {
            freed += u64::from(p.encoded_len);
            count += 1;
        }
        world.despawn(block);
    }
    let mut buffer = world.resource_mut::<Buffer>();
    buffer.bytes = buffer.bytes.saturating_sub(freed);
    buffer.blocks = buffer.blocks.saturating_sub(count);
    if let Ok(mut e) = world.get_entity_mut(range) {
        e.remove::<AwaitingImport>();
    }
}

/// A downloaded range holds a block that breaks a rule: the peer that served it is blamed (an `Invalid` outcome,
/// which bans it) and the range goes back to AwaitingDownload.
pub fn reject_range(
    commands: &mut bevy_ecs::prelude::Commands,
    outcomes: &mut bevy_ecs::prelude::MessageWriter<ecsync_components::PeerOutcome>,
    range: Entity,
    served_by: &AwaitingImport,
    reason: String,
) {
    outcomes.write(ecsync_components::PeerOutcome {
        peer: served_by.peer,
        kind: ecsync_components::OutcomeKind::Invalid { reason },
        latency_ms: None,
    });
    let peer_id = served_by.peer_id;
    commands.queue(move |w: &mut World| fail_range(w, range, Some(peer_id)));
}

/// Range → AwaitingDownload: whatever it was doing is undone, `blame` (if any) joins its failed peers.
pub fn fail_range(world: &mut World, range: Entity, blame: Option<PeerId>) {
    if world.get::<Range>(range).is_none() {
        return;
    }
    release_download(world, range);
    drop_blocks(world, range);
    if let Some(peer) = blame
        && let Some(mut attempts) = world.get_mut::<RangeAttempts>(range)
        && !attempts.failed_peers.contains(&peer)
    {
        attempts.failed_peers.push(peer);
    }
    world.entity_mut(range).insert(AwaitingDownload);
}

/// Removes a peer: its downloads go back to AwaitingDownload (without blame), the entity goes.
pub fn remove_peer(world: &mut World, peer: Entity) {
    let mut downloads = world.query::<(Entity, &Downloading)>();
    let ranges: Vec<Entity> = downloads
        .iter(world)
        .filter(|(_, d)| d.peer == peer)
        .map(|(e, _)| e)
        .collect();
    for range in ranges {
        fail_range(world, range, None);
    }
    if let Some(p) = world.get::<ecsync_components::ecs::Peer>(peer) {
        let id = p.id;
        world.resource_mut::<PeerIndex>().0.remove(&id);
    }
    if let Ok(e) = world.get_entity_mut(peer) {
        e.despawn();
    }
}

/// Makes room for the import frontier: drops the highest downloaded ranges (back to AwaitingDownload, no blame)
/// until `need` more bytes fit under `cap`, never the range that starts at `frontier`. Returns ranges dropped.
pub fn evict_for_frontier(world: &mut World, frontier: u64, need: u64, cap: u64) -> u64 {
    let mut q = world.query_filtered::<(Entity, &Range), With<AwaitingImport>>();
    let mut candidates: Vec<(u64, Entity)> = q
        .iter(world)
        .filter(|(_, r)| r.start != frontier)
        .map(|(e, r)| (r.start, e))
        .collect();
    candidates.sort_unstable_by_key(|c| std::cmp::Reverse(c.0));
    let mut dropped = 0;
    for (_, range) in candidates {
        let b = *world.resource::<Buffer>();
        if b.bytes + b.reserved + need <= cap {
            break;
        }
        fail_range(world, range, None);
        dropped += 1;
    }
    dropped
}

/// Starts sync over from the imported head: every range and pending block goes, peers' loads and discredits
/// are cleared, planning restarts at head + 1. Used by recovery from Failed.
pub fn reset_sync(world: &mut World) {
    let mut ranges = world.query_filtered::<Entity, With<Range>>();
    let ranges: Vec<Entity> = ranges.iter(world).collect();
    for range in ranges {
        fail_range(world, range, None);
        world.despawn(range);
    }
    let mut blocks = world.query_filtered::<Entity, With<PendingBlock>>();
    let blocks: Vec<Entity> = blocks.iter(world).collect();
    for block in blocks {
        world.despawn(block);
    }
    let mut peers = world.query::<(&mut PeerLoad, &mut PeerClaim)>();
    for (mut load, mut claim) in peers.iter_mut(world) {
        load.in_flight = 0;
        claim.discredited_from = None;
    }
    {
        let mut buffer = world.resource_mut::<Buffer>();
        buffer.bytes = 0;
        buffer.blocks = 0;
        buffer.reserved = 0;
    }
    let head = world.resource::<ChainHead>().0;
    world.resource_mut::<PlanCursor>().next = head.height + 1;
}

/// Trims a range to the heights above `head` (blocks at or below it were imported another way, e.g. produced
/// locally): drops its pending blocks at or below `head`, despawns it when nothing is left. Downloads in flight
/// are left alone; their blocks are trimmed once they arrive.
pub fn trim_range_below(world: &mut World, range: Entity, head: u64) {
    let Some(r) = world.get::<Range>(range).copied() else {
        return;
    };
    if r.start > head || world.get::<Downloading>(range).is_some() {
        return;
    }
    let keep_from = head + 1;
    if r.end() <= keep_from {
        fail_range(world, range, None);
        world.despawn(range);
        return;
    }
    let drop = (keep_from - r.start) as usize;
    if let Some(awaiting) = world.get::<AwaitingImport>(range).cloned() {
        let mut freed = 0u64;
        for &block in awaiting.blocks.iter().take(drop) {
            if let Some(p) = world.get::<PendingBlock>(block) {
                freed += u64::from(p.encoded_len);
            }
            world.despawn(block);
        }
        let n = drop.min(awaiting.blocks.len());
        let mut buffer = world.resource_mut::<Buffer>();
        buffer.bytes = buffer.bytes.saturating_sub(freed);
        buffer.blocks = buffer.blocks.saturating_sub(n as u64);
        if let Some(mut a) = world.get_mut::<AwaitingImport>(range) {
            a.blocks.drain(..n);
        }
    }
    if let Some(mut r) = world.get_mut::<Range>(range) {
        r.start = keep_from;
        r.count -= drop as u32;
    }
}

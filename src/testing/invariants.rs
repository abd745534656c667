//! Invariants of a running engine, checked from outside by the simulator and the tests (never by the node):
//! [`check_bookkeeping`] recomputes the engine's incremental bookkeeping from the entities.

use std::collections::HashMap;

use bevy_ecs::prelude::*;
use ecsync_components::backfill::Backfill;
use ecsync_components::ecs::{Downloading, PeerLoad, PendingBlock, Range};
use ecsync_components::resources::{Buffer, ChainHead, PlanCursor};

use crate::engine::SyncEngine;

/// Recomputes the engine's incremental bookkeeping from the entities and checks it: buffer bytes and blocks
/// equal the pending blocks', reserved bytes equal the in-flight reservations, each peer's load equals its
/// in-flight ranges, ranges do not overlap and start above the head, and every height between the head and the
/// plan cursor belongs to exactly one range. O(entities).
pub fn check_bookkeeping(engine: &mut SyncEngine) -> Result<(), String> {
    let world = engine.world_mut();
    check_buffer(world)?;
    check_loads(world)?;
    check_ranges(world)
}

/// The buffer's bytes, blocks and reservations against the pending blocks and the downloads.
fn check_buffer(world: &mut World) -> Result<(), String> {
    let buffer = *world.resource::<Buffer>();
    let (mut bytes, mut blocks) = (0u64, 0u64);
    let mut q = world.query::<&PendingBlock>();
    for p in q.iter(world) {
        bytes += u64::from(p.encoded_len());
        blocks += 1;
    }
    if (bytes, blocks) != (buffer.bytes, buffer.blocks) {
        return Err(format!(
            "buffer says {} bytes in {} blocks, the pending blocks hold {bytes} in {blocks}",
            buffer.bytes, buffer.blocks
        ));
    }
    let mut q = world.query::<&Downloading>();
    let reserved: u64 = q.iter(world).map(|d| d.reserved_bytes).sum();
    if reserved != buffer.reserved {
        return Err(format!(
            "buffer reserves {} bytes, downloads reserve {reserved}",
            buffer.reserved
        ));
    }
    Ok(())
}

/// Each peer's load against its ranges in flight, and its backfill load against the backfill's batches in
/// flight to it.
fn check_loads(world: &mut World) -> Result<(), String> {
    let mut per_peer: HashMap<Entity, u32> = HashMap::new();
    let mut q = world.query::<&Downloading>();
    for d in q.iter(world) {
        *per_peer.entry(d.peer).or_default() += 1;
    }
    let mut backfill: HashMap<Entity, u32> = HashMap::new();
    for batch in world
        .get_resource::<Backfill>()
        .map_or(&[][..], |b| &b.batches)
    {
        if let Some(r) = batch.downloading() {
            *backfill.entry(r.peer).or_default() += 1;
        }
    }
    let backfill_of = |peer| backfill.get(&peer).copied().unwrap_or(0);
    let mut peers = world.query::<(Entity, &PeerLoad)>();
    for (peer, load) in peers.iter(world) {
        let actual = per_peer.get(&peer).copied().unwrap_or(0);
        if load.in_flight != actual {
            return Err(format!(
                "peer {peer} load {} but {actual} ranges in flight",
                load.in_flight
            ));
        }
        if load.backfill != backfill_of(peer) {
            return Err(format!(
                "peer {peer} backfill load {} but {} batches in flight",
                load.backfill,
                backfill_of(peer)
            ));
        }
    }
    Ok(())
}

/// The ranges: no overlap, above the head (unless in flight), covering every height up to the plan cursor.
fn check_ranges(world: &mut World) -> Result<(), String> {
    let head = world.resource::<ChainHead>().0.height;
    let cursor = world.resource::<PlanCursor>().next;
    let mut ranges = world.query::<(&Range, Has<Downloading>)>();
    let mut spans: Vec<(u64, u64, bool)> = ranges
        .iter(world)
        .map(|(r, dl)| (r.start, r.end(), dl))
        .collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        if w[0].1 > w[1].0 {
            return Err(format!(
                "ranges {}..{} and {}..{} overlap",
                w[0].0, w[0].1, w[1].0, w[1].1
            ));
        }
    }
    let mut next = head + 1;
    for (start, end, downloading) in spans {
        // A download in flight may have been overtaken by the head; it is trimmed when it lands.
        if start <= head && !downloading {
            return Err(format!("range {start}..{end} is not above the head {head}"));
        }
        if end <= next {
            continue;
        }
        if start > next && next < cursor {
            return Err(format!(
                "heights {next}..{start} below the plan cursor {cursor} belong to no range"
            ));
        }
        next = end;
    }
    if next < cursor {
        return Err(format!(
            "heights {next}..{cursor} below the plan cursor belong to no range"
        ));
    }
    Ok(())
}

//! `sequential_sync`: today's sync, faithfully, as the baseline every speed claim is measured against.
//!
//! Reads: the one range in flight (`Range`, `Downloading`, `Delivered`, or `AwaitingDownload` after a failure),
//! peers (`Peer`, `PeerClaim`), `Spec`, `FederationKeys`, `Clock`, `SyncConfig`.
//! Writes: `Store` (each block its own commit), `ChainHead`, `SequentialState`, `SyncProgress`, `PeerLoad`,
//! `RequestCounter`, `Outbox`, `PeerOutcome`, `EngineCounters`; spawns and despawns the range.
//!
//! One peer at a time; one request at a time of a fixed 1024 blocks from head + 1; each block decoded, checked
//! and its signature verified alone, then imported in its own store transaction; the first bad block ends the
//! answer and counts as a failed try; after `sequential_tries_per_peer` failed tries the next peer (by id) is
//! used; an answer shorter than asked ends the round, and a new round starts only when a later status shows a
//! peer ahead. Timeouts are fixed (`initial_timeout_ms`), not adaptive.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{
    AwaitingDownload, Delivered, Downloading, Peer, PeerClaim, PeerLoad, Range,
};
use ecsync_components::resources::{
    ChainHead, Clock, EngineCounters, Outbox, RequestCounter, SequentialState, Spec, Store,
    SyncProgress,
};
use ecsync_components::{
    BlockRef, MAX_BLOCKS_PER_REQUEST, OutcomeKind, PeerOutcome, Request, RequestId, SignedBlock,
    SyncConfig, SyncState,
};

use crate::consensus::{check_block, verify_approval};
use crate::resources::FederationKeys;

/// One step of the sequential sync. See the module docs.
pub fn sequential_sync(
    mut commands: Commands,
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    spec: Res<Spec>,
    keys: Res<FederationKeys>,
    mut store: ResMut<Store>,
    mut head: ResMut<ChainHead>,
    mut seq: ResMut<SequentialState>,
    mut progress: ResMut<SyncProgress>,
    mut counters: ResMut<EngineCounters>,
    mut ids: ResMut<RequestCounter>,
    mut outbox: ResMut<Outbox>,
    ranges: Query<(
        Entity,
        &Range,
        Option<&Downloading>,
        Option<&Delivered>,
        Has<AwaitingDownload>,
    )>,
    mut peers: Query<(Entity, &Peer, &PeerClaim, &mut PeerLoad)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let now = clock.now_ms;
    if let Some((range_entity, range, dl, delivered, failed)) = ranges.iter().next() {
        if failed {
            // Timed out or the peer left (fail_range already released the slot).
            seq.tries += 1;
            commands.entity(range_entity).try_despawn();
            return;
        }
        let (Some(dl), Some(delivered)) = (dl, delivered) else {
            return; // still waiting
        };
        if let Ok((_, _, _, mut load)) = peers.get_mut(dl.peer) {
            load.in_flight = load.in_flight.saturating_sub(1);
        }
        commands.entity(range_entity).try_despawn();
        let max = spec.0.max_block_bytes as usize;
        let mut imported = 0u32;
        let mut failure: Option<String> = None;
        for bytes in &delivered.blocks {
            let block = match SignedBlock::decode(bytes, max) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            };
            let checked = check_block(&spec.0, &head.0, &block, bytes.len(), now)
                .and_then(|()| verify_approval(&keys.0, &block));
            if let Err(e) = checked {
                counters.blocks_rejected += 1;
                failure = Some(format!("block {}: {e}", block.height()));
                break;
            }
            counters.blocks_downloaded += 1;
            counters.blocks_validated += 1;
            if let Err(e) = store.0.import_batch(&[&block], None) {
                progress.state = SyncState::Failed;
                progress.failed_at_ms = now;
                progress.failure = Some(format!("import at height {}: {e}", block.height()));
                return;
            }
            counters.import_commits += 1;
            counters.blocks_imported += 1;
            head.0 = BlockRef::of(&block);
            progress.last_progress_ms = now;
            imported += 1;
        }
        if imported > 0 {
            outcomes.write(PeerOutcome {
                peer: dl.peer,
                kind: OutcomeKind::Served {
                    blocks: imported,
                    bytes: delivered.blocks.iter().map(|b| b.len() as u64).sum(),
                    latency_ms: delivered.at_ms.saturating_sub(dl.sent_at_ms),
                },
                latency_ms: Some(delivered.at_ms.saturating_sub(dl.sent_at_ms)),
            });
        }
        if let Some(reason) = failure {
            seq.tries += 1;
            outcomes.write(PeerOutcome {
                peer: dl.peer,
                kind: OutcomeKind::Invalid { reason },
                latency_ms: Some(delivered.at_ms.saturating_sub(dl.sent_at_ms)),
            });
        } else if delivered.blocks.is_empty() {
            seq.tries += 1;
        } else if (delivered.blocks.len() as u32) < range.count {
            seq.round_over = true;
            seq.round_over_ms = now;
        }
        return;
    }

    // Nothing in flight: pick a peer and ask for the next 1024 blocks.
    let height = head.0.height;
    if seq.round_over {
        let news = peers
            .iter()
            .any(|(_, _, c, _)| c.updated_ms > seq.round_over_ms && c.head.height > height);
        if !news {
            return;
        }
        seq.round_over = false;
    }
    let mut ahead: Vec<(u64, Entity)> = peers
        .iter()
        .filter(|(_, _, c, _)| c.head.height > height)
        .map(|(e, p, _, _)| (p.id.0, e))
        .collect();
    if ahead.is_empty() {
        return;
    }
    ahead.sort_unstable();
    let current = seq
        .peer
        .and_then(|id| ahead.iter().find(|(pid, _)| *pid == id.0).copied());
    let chosen = match current {
        Some(c) if seq.tries < config.sequential_tries_per_peer => c,
        _ => {
            let after = seq.peer.map_or(0, |p| p.0);
            seq.tries = 0;
            *ahead
                .iter()
                .find(|(pid, _)| seq.peer.is_none() || *pid > after)
                .unwrap_or(&ahead[0])
        }
    };
    let Ok((peer_entity, peer, _, mut load)) = peers.get_mut(chosen.1) else {
        return;
    };
    seq.peer = Some(peer.id);
    ids.0 += 1;
    let request = RequestId(ids.0);
    load.in_flight += 1;
    counters.requests_sent += 1;
    outbox.0.push(Request::BlocksByRange {
        peer: peer.id,
        request,
        start: height + 1,
        count: MAX_BLOCKS_PER_REQUEST,
    });
    commands.spawn((
        Range {
            start: height + 1,
            count: MAX_BLOCKS_PER_REQUEST,
        },
        Downloading {
            peer: peer_entity,
            peer_id: peer.id,
            request,
            sent_at_ms: now,
            deadline_ms: now + config.initial_timeout_ms,
            reserved_bytes: 0,
        },
    ));
}

//! `handle_responses`: answers to `blocks_by_range` become pending blocks.
//!
//! Reads: ranges with `Downloading` + `Delivered`, `Spec`, `SyncConfig`, `Clock`, `PeerClaim`.
//! Writes: pending block entities (`PendingBlock` + `Downloaded`), range state `Downloading` → `AwaitingImport`
//! (the delivered part; any undelivered remainder becomes a new `AwaitingDownload` range) or → `AwaitingDownload`
//! on an empty or malformed answer, `Buffer`, `PeerLoad`, `PeerClaim` (discredited after an empty answer for a
//! claimed height), `PeerOutcome`, `EngineCounters`.
//!
//! Checks here are about the answer, not the blocks' validity: at most the requested count, each encoding within
//! the spec's size limit and canonical, heights consecutive from the range's start. Anything else blames the peer.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloaded, Downloading, PeerClaim, PeerLoad,
    PendingBlock, Range, RangeAttempts,
};
use ecsync_components::resources::{Buffer, Clock, EngineCounters, Spec};
use ecsync_components::{OutcomeKind, PeerOutcome, SignedBlock, SyncConfig};

use crate::transitions::fail_range;

/// Weight of a new sample in the running average block size.
const SIZE_EWMA: f64 = 0.1;

/// Takes each delivered answer. See the module docs for what it reads and writes.
pub fn handle_responses(
    mut commands: Commands,
    spec: Res<Spec>,
    config: Res<SyncConfig>,
    clock: Res<Clock>,
    mut buffer: ResMut<Buffer>,
    mut counters: ResMut<EngineCounters>,
    mut ranges: Query<(Entity, &mut Range, &Downloading, &Delivered)>,
    mut peers: Query<(&mut PeerLoad, &mut PeerClaim)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let max_block = spec.0.max_block_bytes as usize;
    for (range_entity, mut range, dl, delivered) in &mut ranges {
        let dl = *dl;
        let peer_id = dl.peer_id;
        let latency_ms = delivered.at_ms.saturating_sub(dl.sent_at_ms);
        let raw = &delivered.blocks;

        // Checks on the answer as a whole.
        let verdict: Result<Vec<(SignedBlock, u32)>, String> = if raw.len() > range.count as usize {
            Err(format!(
                "{} blocks for a request of {}",
                raw.len(),
                range.count
            ))
        } else {
            raw.iter()
                .enumerate()
                .map(|(i, bytes)| {
                    let block = SignedBlock::decode(bytes, max_block)
                        .map_err(|e| format!("block {} of the answer: {e}", i))?;
                    let expected = range.start + i as u64;
                    if block.height() != expected {
                        return Err(format!(
                            "height {} where {expected} was due",
                            block.height()
                        ));
                    }
                    Ok((block, bytes.len() as u32))
                })
                .collect()
        };
        let blocks = match verdict {
            Err(reason) => {
                outcomes.write(PeerOutcome {
                    peer: dl.peer,
                    kind: OutcomeKind::Invalid { reason },
                    latency_ms: Some(latency_ms),
                });
                commands.queue(move |w: &mut World| fail_range(w, range_entity, Some(peer_id)));
                continue;
            }
            Ok(b) => b,
        };
        if blocks.is_empty() {
            if let Ok((_, mut claim)) = peers.get_mut(dl.peer)
                && range.start <= claim.head.height
            {
                claim.discredited_from = Some(range.start);
                claim.discredited_until_ms = clock.now_ms + config.discredit_ms;
                outcomes.write(PeerOutcome {
                    peer: dl.peer,
                    kind: OutcomeKind::Empty { at: range.start },
                    latency_ms: Some(latency_ms),
                });
            }
            commands.queue(move |w: &mut World| fail_range(w, range_entity, Some(peer_id)));
            continue;
        }

        // The download is over: release its reservation and the peer's slot.
        buffer.reserved = buffer.reserved.saturating_sub(dl.reserved_bytes);
        if let Ok((mut load, _)) = peers.get_mut(dl.peer) {
            load.in_flight = load.in_flight.saturating_sub(1);
        }
        let mut entity = commands.entity(range_entity);
        entity.remove::<(Downloading, Delivered)>();

        // Accept what fits under the byte cap; the rest is asked for again later.
        let total_bytes: u64 = blocks.iter().map(|(_, len)| u64::from(*len)).sum();
        let mut accepted = Vec::with_capacity(blocks.len());
        for (block, len) in blocks {
            if buffer.bytes + buffer.reserved + u64::from(len) > config.max_buffered_bytes {
                break;
            }
            buffer.bytes += u64::from(len);
            buffer.blocks += 1;
            buffer.peak_bytes = buffer.peak_bytes.max(buffer.bytes);
            buffer.avg_block_bytes = if buffer.avg_block_bytes == 0.0 {
                f64::from(len)
            } else {
                buffer.avg_block_bytes * (1.0 - SIZE_EWMA) + f64::from(len) * SIZE_EWMA
            };
            let hash = block.hash();
            accepted.push(
                commands
                    .spawn((
                        PendingBlock {
                            block,
                            hash,
                            encoded_len: len,
                            range: range_entity,
                        },
                        Downloaded,
                    ))
                    .id(),
            );
        }
        let served = accepted.len() as u32;
        outcomes.write(PeerOutcome {
            peer: dl.peer,
            kind: OutcomeKind::Served {
                blocks: raw.len() as u32,
                bytes: total_bytes,
                latency_ms,
            },
            latency_ms: Some(latency_ms),
        });
        counters.blocks_downloaded += u64::from(served);
        if served < range.count {
            commands.spawn((
                Range {
                    start: range.start + u64::from(served),
                    count: range.count - served,
                },
                RangeAttempts::default(),
                AwaitingDownload,
            ));
            range.count = served;
        }
        if served == 0 {
            commands.entity(range_entity).despawn();
        } else {
            commands.entity(range_entity).insert(AwaitingImport {
                peer: dl.peer,
                peer_id,
                blocks: accepted,
            });
        }
    }
}

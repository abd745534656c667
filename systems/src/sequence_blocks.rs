//! `sequence_blocks`: links validated blocks to the imported chain, strictly in height order.
//!
//! Reads: `ChainHead`, `AwaitingImport` ranges, blocks (`PendingBlock` with `Validated` or `ReadyToImport`),
//! `SyncConfig`. Writes: block stage `Validated` → `ReadyToImport`; for a block that does not link (height,
//! parent hash, slot order), its range → `AwaitingDownload` (through `fail_range`, blaming its peer),
//! `PeerOutcome::Invalid`, `EngineCounters`.
//!
//! Walks the ranges contiguous from head + 1, block by block, carrying the parent forward; stops at the first
//! block that is not validated yet, at a gap, or after `import_batch` ready blocks.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{AwaitingImport, PendingBlock, Range, ReadyToImport, Validated};
use ecsync_components::resources::{ChainHead, EngineCounters};
use ecsync_components::{BlockRef, PeerOutcome, SyncConfig};

use crate::consensus::check_link;
use crate::transitions::reject_range;

/// Marks the next blocks in order ready to import. See the module docs.
pub fn sequence_blocks(
    mut commands: Commands,
    head: Res<ChainHead>,
    config: Res<SyncConfig>,
    mut counters: ResMut<EngineCounters>,
    ranges: Query<(Entity, &Range, &AwaitingImport)>,
    blocks: Query<(&PendingBlock, Has<Validated>, Has<ReadyToImport>)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let mut order: Vec<(u64, Entity)> = ranges.iter().map(|(e, r, _)| (r.start, e)).collect();
    order.sort_unstable();
    let mut parent = head.0;
    let mut ready = 0usize;
    'ranges: for (start, range) in order {
        if start != parent.height + 1 {
            break;
        }
        let Ok((_, _, awaiting)) = ranges.get(range) else {
            break;
        };
        for &entity in &awaiting.blocks {
            if ready >= config.import_batch {
                break 'ranges;
            }
            let Ok((p, validated, is_ready)) = blocks.get(entity) else {
                break 'ranges;
            };
            if is_ready {
                parent = BlockRef::new(&p.block.block.header, p.hash);
                ready += 1;
                continue;
            }
            if !validated {
                break 'ranges;
            }
            if let Err(e) = check_link(&parent, &p.block) {
                counters.blocks_rejected += 1;
                let reason = format!("block {}: {e}", p.height());
                reject_range(&mut commands, &mut outcomes, range, awaiting, reason);
                break 'ranges;
            }
            commands
                .entity(entity)
                .try_remove::<Validated>()
                .try_insert(ReadyToImport);
            parent = BlockRef::new(&p.block.block.header, p.hash);
            ready += 1;
        }
    }
}

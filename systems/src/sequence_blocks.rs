//! `sequence_blocks`: links validated blocks to the imported chain, strictly in height order: the rules that
//! need the parent (height, parent hash, slot order), which parallel validation cannot check. A linked block
//! advances `Validated` → `ReadyToImport`; one that does not link rejects its range, blaming its peer.
//!
//! Walks the ranges contiguous from head + 1, block by block, carrying the parent forward; stops at the first
//! block that is not validated yet, at a gap, or after `import_batch` ready blocks.
//!
//! A validated (so federation-signed) range whose first block does not follow the chain below it (imported, or
//! ready to be) is a conflicting chain: the node keeps the chain it has, counts the conflict (`chain_conflicts`)
//! and bans the peer that served it with a reason that says so. It never imports both.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{AwaitingImport, PendingBlock, Range, ReadyToImport, Validated};
use ecsync_components::resources::{ChainHead, EngineCounters};
use ecsync_components::{BlockRef, Offence, PeerOutcome, SyncConfig};

use crate::consensus::{BlockError, check_link};
use crate::transitions::{Transitions, reject_range};

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
        for (i, &entity) in awaiting.blocks.iter().enumerate() {
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
                // The first block of a range that does not follow the chain below it (imported, or about to be).
                let conflict = i == 0 && matches!(e, BlockError::ParentHashMismatch { .. });
                let rule = if conflict {
                    counters.chain_conflicts += 1;
                    format!(
                        "conflicting chain: a signed block on another branch (ours is {} at height {}, keeping it): {e}",
                        parent.hash, parent.height
                    )
                } else {
                    e.to_string()
                };
                let offence = Offence::Block {
                    height: p.height(),
                    rule,
                };
                reject_range(&mut commands, &mut outcomes, range, awaiting, offence);
                break 'ranges;
            }
            commands.advance_block::<Validated, ReadyToImport>(entity);
            parent = BlockRef::new(&p.block.block.header, p.hash);
            ready += 1;
        }
    }
}

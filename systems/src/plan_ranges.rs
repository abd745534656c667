//! `plan_ranges`: carves new ranges (born AwaitingDownload) from the heights nobody owns yet, one per free
//! request slot, and moves the `PlanCursor` past them.
//!
//! Each new range is sized by the batch of the best free peer that can serve its start, and never reaches past
//! that peer's believed head (which may lie above the target: a claim not backed by serving is tried again once
//! its discredit ends, without counting towards the target). Planning stops once every free slot has a range waiting for it, so
//! ranges never run far ahead of what peers can take. A range's expected bytes stay within a quarter of the
//! buffer cap, so that several fit at once.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use ecsync_components::ecs::{AwaitingDownload, PeerBudget, PeerClaim, PeerLoad, PeerScore, Range};
use ecsync_components::resources::{Buffer, ChainHead, PlanCursor};

use crate::params::Env;

/// Where planning stands: the heights owned so far, the head, the buffer's size estimate.
#[derive(SystemParam)]
pub struct Planning<'w> {
    buffer: Res<'w, Buffer>,
    head: Res<'w, ChainHead>,
    cursor: ResMut<'w, PlanCursor>,
}

/// Plans ranges for free request slots. See the module docs.
pub fn plan_ranges(
    mut commands: Commands,
    env: Env,
    mut plan: Planning,
    waiting: Query<(), (With<Range>, With<AwaitingDownload>)>,
    peers: Query<(&PeerClaim, &PeerBudget, &PeerLoad, &PeerScore)>,
) {
    let Planning {
        buffer,
        head,
        cursor,
    } = &mut plan;
    cursor.next = cursor.next.max(head.0.height + 1);
    let per_block = buffer.expected_bytes(env.spec.0.max_block_bytes, 1).max(1);
    let max_count = (env.config.max_buffered_bytes / 4 / per_block).max(1);
    let mut slots: Vec<(f64, u64, u32, u32)> = peers
        .iter()
        .filter_map(|(claim, budget, load, score)| {
            let free = budget.max_in_flight.saturating_sub(load.total());
            // A peer serves nothing below its claimed lowest height: it plans nothing it cannot serve.
            let usable = claim.usable_head(env.now());
            let usable = if claim.lowest > cursor.next {
                0
            } else {
                usable
            };
            (free > 0).then_some((score.0, usable, budget.batch, free))
        })
        .collect();
    let free_slots: u32 = slots.iter().map(|s| s.3).sum();
    let mut to_plan = free_slots.saturating_sub(waiting.iter().count() as u32);
    slots.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    'outer: for (_, usable, batch, free) in slots {
        for _ in 0..free {
            if to_plan == 0 {
                break 'outer;
            }
            if usable < cursor.next {
                continue 'outer;
            }
            let last = usable;
            let count = (last - cursor.next + 1)
                .min(u64::from(batch))
                .min(max_count) as u32;
            commands.spawn(Range::waiting(cursor.next, count));
            cursor.next += u64::from(count);
            to_plan -= 1;
        }
    }
}

//! `backfill_ingest`: answers to the backfill's requests, and their failures, leave the inbox for their batch
//! (`Backfill::answer`) before `ingest_events` drains it; that system knows the forward sync's ranges only, and
//! drops an answer no range asked for. Every other event stays, in order. Nothing is judged here:
//! `backfill_blocks` takes the answers the same tick.

use bevy_ecs::prelude::*;
use ecsync_components::NetEvent;
use ecsync_components::backfill::Backfill;
use ecsync_components::resources::{Clock, Inbox};

/// Moves the backfill's answers and failures from the inbox to their batches. See the module docs.
pub fn backfill_ingest(
    mut inbox: ResMut<Inbox>,
    mut backfill: ResMut<Backfill>,
    clock: Res<Clock>,
) {
    if backfill.in_flight() == 0 {
        return;
    }
    let now = clock.now_ms;
    inbox.0.retain_mut(|event| match event {
        NetEvent::Blocks {
            peer,
            request,
            blocks,
        } if backfill.awaits(*peer, *request) => {
            let blocks = std::mem::take(blocks);
            !backfill.answer(*peer, *request, Ok(blocks), now)
        }
        NetEvent::RequestFailed {
            peer,
            request,
            reason,
        } if backfill.awaits(*peer, *request) => {
            !backfill.answer(*peer, *request, Err(reason.clone()), now)
        }
        _ => true,
    });
}

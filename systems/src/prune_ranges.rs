//! `prune_ranges`: ranges that reach at or below the head (it moved another way, e.g. a block produced locally)
//! are trimmed, so that every range starts above the head.
//!
//! The trim is the `trim_range_below` transition.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::Range;
use ecsync_components::resources::ChainHead;

use crate::transitions::trim_range_below;

/// Queues a trim for every range that starts at or below the head.
pub fn prune_ranges(mut commands: Commands, head: Res<ChainHead>, ranges: Query<(Entity, &Range)>) {
    let head = head.0.height;
    for (range, r) in &ranges {
        if r.start <= head {
            commands.queue(move |w: &mut World| trim_range_below(w, range, head));
        }
    }
}

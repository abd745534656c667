//! `request_status`: asks each peer for its status every `status_interval_ms`, so that the target follows a
//! moving head; and, when this node is at the head and its head moved (it produced or imported the newest block),
//! asks every peer at once — at most every `announce_min_ms` — because a status request carries our own status:
//! that is how a new head reaches followers in milliseconds instead of a poll interval.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerClaim};
use ecsync_components::resources::{Announced, ChainHead, Clock, Outbox, SyncProgress};
use ecsync_components::{Request, SyncConfig};

/// Queues a status request to every peer not asked within `status_interval_ms`, or to every peer when a new
/// head is to be announced. See the module docs.
pub fn request_status(
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    head: Res<ChainHead>,
    progress: Res<SyncProgress>,
    mut announced: ResMut<Announced>,
    mut outbox: ResMut<Outbox>,
    mut peers: Query<(&Peer, &mut PeerClaim)>,
) {
    let now = clock.now_ms;
    let announce = head.0.height > announced.height
        && head.0.height >= progress.target
        && now.saturating_sub(announced.at_ms) >= config.announce_min_ms;
    if announce {
        *announced = Announced {
            height: head.0.height,
            at_ms: now,
        };
    }
    for (peer, mut claim) in &mut peers {
        if announce || now.saturating_sub(claim.status_requested_ms) >= config.status_interval_ms {
            claim.status_requested_ms = now;
            outbox.0.push(Request::Status { peer: peer.id });
        }
    }
}

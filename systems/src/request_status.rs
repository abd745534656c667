//! `request_status`: asks each peer for its status every `status_interval_ms`, so that the target follows a
//! moving head; and, when this node is at the head and its head moved (it produced or imported the newest block),
//! tells each peer that lacks it at once, because a status request carries our own status (with its proof): that
//! is how a new head reaches followers in milliseconds instead of a poll interval.
//!
//! Never more than one status request to a peer per `announce_min_ms` (a poll is due only `status_interval_ms`
//! after the last request of either kind): a serving node's status rate (`ServeLimits::status_per_sec`, burst
//! `status_burst`) must never drop an honest node's requests, whatever the slot length. A peer is told a head
//! once (`PeerClaim::announced`), and only while its own claim is below it.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerClaim};
use ecsync_components::resources::{Announced, ChainHead, Clock, Outbox, SyncProgress};
use ecsync_components::{Request, SyncConfig};

/// Queues a status request to every peer not asked within `status_interval_ms`, and to every peer that lacks a
/// new head of ours (not asked within `announce_min_ms`). See the module docs.
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
    let ours = head.0.height;
    let at_head = ours >= progress.target && ours > 0;
    for (peer, mut claim) in &mut peers {
        let since = now.saturating_sub(claim.status_requested_ms);
        let announce = at_head
            && ours > claim.announced
            && ours > claim.head.height
            && since >= config.announce_min_ms;
        if announce || since >= config.status_interval_ms {
            claim.status_requested_ms = now;
            claim.announced = claim.announced.max(ours);
            outbox.0.push(Request::Status { peer: peer.id });
        }
        if announce {
            *announced = Announced {
                height: ours,
                at_ms: now,
            };
        }
    }
}

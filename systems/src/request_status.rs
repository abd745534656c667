//! `request_status`: asks each peer for its status every `status_interval_ms`, so that the target follows a
//! moving head.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerClaim};
use ecsync_components::resources::{Clock, Outbox};
use ecsync_components::{Request, SyncConfig};

/// Queues a status request to every peer not asked within `status_interval_ms`.
pub fn request_status(
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    mut outbox: ResMut<Outbox>,
    mut peers: Query<(&Peer, &mut PeerClaim)>,
) {
    for (peer, mut claim) in &mut peers {
        if clock.now_ms.saturating_sub(claim.status_requested_ms) >= config.status_interval_ms {
            claim.status_requested_ms = clock.now_ms;
            outbox.0.push(Request::Status { peer: peer.id });
        }
    }
}

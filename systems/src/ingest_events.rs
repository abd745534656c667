//! `ingest_events`: the network's events enter the world.
//!
//! Reads: `Inbox`, `Clock`, `Spec`, `SyncConfig`, `BanList`, `Downloading` ranges.
//! Writes: peer entities (spawned on connect with `Peer`, `PeerClaim`, `PeerStats`, `PeerScore`, `PeerBudget`,
//! `PeerLoad`; despawned on disconnect), `PeerClaim` on status, `Delivered` on the range an answer is for,
//! `PeerIndex`, `Outbox` (disconnects of banned and other-chain peers), `PeerOutcome` (failed requests).

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{
    Delivered, Downloading, Peer, PeerBudget, PeerClaim, PeerLoad, PeerScore, PeerStats,
};
use ecsync_components::resources::{BanList, Clock, Inbox, Outbox, PeerIndex, Spec};
use ecsync_components::{
    FailureReason, NetEvent, OutcomeKind, PeerOutcome, Request, StatusMessage, SyncConfig,
};

use crate::transitions::{fail_range, remove_peer};

/// Why a status is refused, if it is.
fn foreign(spec: &Spec, status: &StatusMessage) -> Option<String> {
    (status.chain_id != spec.0.chain_id || status.genesis_hash != spec.0.genesis_hash).then(|| {
        format!(
            "peer is on chain {} (genesis {}), this node on chain {} (genesis {})",
            status.chain_id, status.genesis_hash, spec.0.chain_id, spec.0.genesis_hash
        )
    })
}

/// Drains the inbox into the world. See the module docs for what it reads and writes.
pub fn ingest_events(
    mut commands: Commands,
    mut inbox: ResMut<Inbox>,
    clock: Res<Clock>,
    spec: Res<Spec>,
    config: Res<SyncConfig>,
    bans: Res<BanList>,
    mut index: ResMut<PeerIndex>,
    mut outbox: ResMut<Outbox>,
    mut claims: Query<&mut PeerClaim>,
    downloads: Query<(Entity, &Downloading)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let now = clock.now_ms;
    let find_download = |peer_entity: Entity, request| {
        downloads
            .iter()
            .find(|(_, d)| d.request == request && d.peer == peer_entity)
            .map(|(e, d)| (e, d.sent_at_ms))
    };
    for event in inbox.0.drain(..) {
        match event {
            NetEvent::PeerConnected {
                peer,
                label,
                status,
            } => {
                if bans.0.get(&peer).is_some_and(|until| *until > now) {
                    outbox.0.push(Request::Disconnect {
                        peer,
                        reason: "banned".into(),
                    });
                    continue;
                }
                if let Some(reason) = foreign(&spec, &status) {
                    outbox.0.push(Request::Disconnect { peer, reason });
                    continue;
                }
                if let Some(&entity) = index.0.get(&peer) {
                    if let Ok(mut claim) = claims.get_mut(entity) {
                        claim.head = status.head;
                        claim.updated_ms = now;
                    }
                    continue;
                }
                let entity = commands
                    .spawn((
                        Peer {
                            id: peer,
                            label,
                            connected_at_ms: now,
                        },
                        PeerClaim {
                            head: status.head,
                            updated_ms: now,
                            discredited_from: None,
                            discredited_until_ms: 0,
                            status_requested_ms: now,
                        },
                        PeerStats::default(),
                        PeerScore::default(),
                        PeerBudget {
                            batch: config.initial_batch,
                            max_in_flight: 1,
                            timeout_ms: config.initial_timeout_ms,
                        },
                        PeerLoad::default(),
                    ))
                    .id();
                index.0.insert(peer, entity);
            }
            NetEvent::Status { peer, status } => {
                let Some(&entity) = index.0.get(&peer) else {
                    continue;
                };
                if let Some(reason) = foreign(&spec, &status) {
                    outbox.0.push(Request::Disconnect { peer, reason });
                    commands.queue(move |w: &mut World| remove_peer(w, entity));
                    continue;
                }
                if let Ok(mut claim) = claims.get_mut(entity) {
                    claim.head = status.head;
                    claim.updated_ms = now;
                }
            }
            NetEvent::Blocks {
                peer,
                request,
                blocks,
            } => {
                let Some(&entity) = index.0.get(&peer) else {
                    continue;
                };
                if let Some((range, _)) = find_download(entity, request) {
                    commands
                        .entity(range)
                        .insert(Delivered { blocks, at_ms: now });
                }
            }
            NetEvent::RequestFailed {
                peer,
                request,
                reason,
            } => {
                let Some(&entity) = index.0.get(&peer) else {
                    continue;
                };
                if let Some((range, sent_at)) = find_download(entity, request) {
                    let kind = match reason {
                        FailureReason::Timeout => OutcomeKind::Timeout,
                        FailureReason::Disconnected => OutcomeKind::Failed,
                        FailureReason::Protocol(reason) => OutcomeKind::Invalid { reason },
                    };
                    outcomes.write(PeerOutcome {
                        peer: entity,
                        kind,
                        latency_ms: Some(now.saturating_sub(sent_at)),
                    });
                    commands.queue(move |w: &mut World| fail_range(w, range, Some(peer)));
                }
            }
            NetEvent::PeerGone { peer } => {
                if let Some(entity) = index.0.remove(&peer) {
                    commands.queue(move |w: &mut World| remove_peer(w, entity));
                }
            }
        }
    }
}

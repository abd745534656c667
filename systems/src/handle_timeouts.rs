//! `handle_timeouts`: requests past their peer's adaptive deadline fail (the range waits for another peer, the
//! peer's `Timeout` outcome lowers its score and reputation and shrinks its budget). A timed-out range at or below
//! the peer's claimed head discredits the claim from there (`PeerClaim::discredit`): a claim the peer does not
//! serve stops counting towards the target, so a peer that claims much and answers nothing cannot hold the target
//! (and the production gate) hostage for longer than a request timeout.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Delivered, Downloading, Peer, PeerClaim, Range};
use ecsync_components::resources::{EngineCounters, PeerRecords};
use ecsync_components::{OutcomeKind, PeerOutcome};

use crate::params::Env;
use crate::transitions::Transitions;

/// Fails every download whose deadline has passed.
pub fn handle_timeouts(
    mut commands: Commands,
    env: Env,
    mut counters: ResMut<EngineCounters>,
    mut records: ResMut<PeerRecords>,
    ranges: Query<(Entity, &Range, &Downloading), Without<Delivered>>,
    mut claims: Query<(&Peer, &mut PeerClaim)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let now = env.now();
    for (range_entity, range, dl) in &ranges {
        if now < dl.deadline_ms {
            continue;
        }
        counters.requests_timed_out += 1;
        outcomes.write(PeerOutcome {
            peer: dl.peer,
            peer_id: dl.peer_id,
            kind: OutcomeKind::Timeout,
            latency_ms: Some(now.saturating_sub(dl.sent_at_ms)),
        });
        if let Ok((peer, mut claim)) = claims.get_mut(dl.peer)
            && range.start <= claim.head.height
            && range.start >= claim.lowest
        {
            let record = records.0.entry(peer.id).or_default();
            claim.discredit(record, &env.config, range.start, now);
        }
        commands.fail_range(range_entity, Some(dl.peer_id));
    }
}

//! `handle_timeouts`: requests past their peer's adaptive deadline fail (the range waits for another peer, the
//! peer's `Timeout` outcome lowers its score and shrinks its budget).

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Delivered, Downloading, Range};
use ecsync_components::resources::{Clock, EngineCounters};
use ecsync_components::{OutcomeKind, PeerOutcome};

use crate::transitions::Transitions;

/// Fails every download whose deadline has passed.
pub fn handle_timeouts(
    mut commands: Commands,
    clock: Res<Clock>,
    mut counters: ResMut<EngineCounters>,
    ranges: Query<(Entity, &Downloading), (With<Range>, Without<Delivered>)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    for (range, dl) in &ranges {
        if clock.now_ms >= dl.deadline_ms {
            counters.requests_timed_out += 1;
            outcomes.write(PeerOutcome {
                peer: dl.peer,
                kind: OutcomeKind::Timeout,
                latency_ms: Some(clock.now_ms.saturating_sub(dl.sent_at_ms)),
            });
            commands.fail_range(range, Some(dl.peer_id));
        }
    }
}

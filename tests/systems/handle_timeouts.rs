//! `handle_timeouts`: expired downloads.

use crate::support::{assert_consistent, failed_peers, load, small, state};
use ecsync::testing::world::{Layout, NOW, run_system, take_outcomes};
use ecsync_components::resources::{Buffer, Clock, EngineCounters};
use ecsync_components::{OutcomeKind, PeerId};
use ecsync_systems::handle_timeouts;
use ecsync_systems::transitions::RangeState;

#[test]
fn handle_timeouts_fails_expired_downloads_and_releases_load_and_reservation() {
    let layout = Layout {
        downloading: 4,
        expired: 2,
        ..Layout::small()
    };
    let mut built = small(layout);

    run_system(&mut built.engine, handle_timeouts);

    let world = built.engine.world_mut();
    for (i, &range) in built.downloading.iter().enumerate() {
        if i < 2 {
            assert_eq!(state(world, range), Some(RangeState::AwaitingDownload));
            assert_eq!(failed_peers(world, range), [PeerId(i as u64 + 1)]);
            assert_eq!(load(world, built.peers[i]), 0);
        } else {
            assert_eq!(state(world, range), Some(RangeState::Downloading));
            assert_eq!(load(world, built.peers[i]), 1);
        }
    }
    assert_eq!(
        world.resource::<Buffer>().reserved,
        2 * layout.reserve_bytes()
    );
    assert_eq!(world.resource::<EngineCounters>().requests_timed_out, 2);
    let outcomes = take_outcomes(world);
    assert_eq!(outcomes.len(), 2);
    for (o, &peer) in outcomes.iter().zip(&built.peers) {
        assert_eq!(
            (o.peer, &o.kind, o.latency_ms),
            (peer, &OutcomeKind::Timeout, Some(300))
        );
    }
    assert_consistent(&mut built.engine);
}

#[test]
fn handle_timeouts_leaves_answered_downloads_alone() {
    let mut built = small(Layout {
        delivered: 1,
        downloading: 1,
        ..Layout::small()
    });
    // Both deadlines (now + 10 s) have passed.
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + 20_000;

    run_system(&mut built.engine, handle_timeouts);

    let world = built.engine.world_mut();
    assert_eq!(
        state(world, built.downloading[0]),
        Some(RangeState::Delivered)
    );
    assert_eq!(
        state(world, built.downloading[1]),
        Some(RangeState::AwaitingDownload)
    );
    assert_eq!(world.resource::<EngineCounters>().requests_timed_out, 1);
    assert_consistent(&mut built.engine);
}

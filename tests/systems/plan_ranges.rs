//! `plan_ranges`: ranges to download, within the target and the buffer.

use crate::support::{assert_consistent, fx, range_of, set_budgets, small};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, build, count, entities, run_system};
use ecsync_components::SyncConfig;
use ecsync_components::ecs::{AwaitingDownload, PeerBudget, Range};
use ecsync_components::resources::PlanCursor;
use ecsync_systems::plan_ranges;

#[test]
fn plan_ranges_plans_one_range_per_free_slot() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 20,
            max_in_flight: 2,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<AwaitingDownload>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(
        planned,
        (0..8).map(|i| (1 + 20 * i, 20)).collect::<Vec<_>>()
    );
    assert_eq!(world.resource::<PlanCursor>().next, 161);
    assert_consistent(&mut built.engine);

    // Every free slot has a range waiting for it: nothing more.
    run_system(&mut built.engine, plan_ranges);
    let world = built.engine.world_mut();
    assert_eq!(count::<With<Range>>(world), 8);
    assert_eq!(world.resource::<PlanCursor>().next, 161);
}

#[test]
fn plan_ranges_stops_at_the_target() {
    let mut built = small(Layout::small());
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 100,
            max_in_flight: 4,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<Range>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(planned, [(1, 100), (101, 100), (201, 56)]);
    assert_eq!(world.resource::<PlanCursor>().next, 257);
    assert_consistent(&mut built.engine);
}

#[test]
fn plan_ranges_keeps_a_range_within_a_quarter_of_the_buffer() {
    let avg = fx().avg_bytes.ceil() as u64;
    let config = SyncConfig {
        max_buffered_bytes: 40 * avg,
        ..SyncConfig::default()
    };
    let mut built = build(Layout::small(), config);
    let peers = built.peers.clone();
    set_budgets(
        built.engine.world_mut(),
        &peers,
        PeerBudget {
            batch: 100,
            max_in_flight: 1,
            timeout_ms: 5_000,
        },
    );

    run_system(&mut built.engine, plan_ranges);

    let world = built.engine.world_mut();
    let mut planned: Vec<(u64, u32)> = entities::<With<Range>>(world)
        .into_iter()
        .map(|r| range_of(world, r))
        .collect();
    planned.sort_unstable();
    assert_eq!(planned, [(1, 10), (11, 10), (21, 10), (31, 10)]);
    assert_consistent(&mut built.engine);
}

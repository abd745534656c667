//! `checkpoint_due`: whether the next import carries a checkpoint.

use crate::support::{assert_consistent, small};
use ecsync::testing::world::{Built, Layout, NOW, build, run_system};
use ecsync_components::SyncConfig;
use ecsync_components::resources::{CheckpointState, Clock, SyncProgress};
use ecsync_systems::checkpoint_due;

/// Runs `checkpoint_due`: whether the next import carries a checkpoint.
fn due(built: &mut Built) -> bool {
    run_system(&mut built.engine, checkpoint_due);
    built.engine.world_mut().resource::<CheckpointState>().due
}

/// Nothing ready: due only once the interval has passed since blocks were imported without a checkpoint.
fn assert_nothing_ready_is_due_only_for_blocks_imported_since(layout: Layout, every_ms: u64) {
    // Nothing ready and nothing imported since the last checkpoint: never due.
    let mut built = small(Layout {
        ready: 0,
        validated: 16,
        ..layout
    });
    built
        .engine
        .world_mut()
        .resource_mut::<SyncProgress>()
        .target = 16;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + every_ms;
    assert!(!due(&mut built));
    // Nothing ready, but blocks imported since the last checkpoint (imports stopped short of the target): due
    // once the interval has passed, so they become durable too.
    built
        .engine
        .world_mut()
        .resource_mut::<CheckpointState>()
        .blocks_since = 3;
    let window = built
        .engine
        .world_mut()
        .resource::<CheckpointState>()
        .window_start_ms;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = window + every_ms - 1;
    assert!(!due(&mut built));
    built.engine.world_mut().resource_mut::<Clock>().now_ms = window + every_ms;
    assert!(due(&mut built));
    assert_consistent(&mut built.engine);
}

#[test]
fn checkpoint_due_decides_whether_the_import_carries_a_checkpoint() {
    let layout = Layout {
        pending: 1,
        ready: 16,
        ..Layout::small()
    };

    // 16 blocks of 4096, no time passed, far from the target: not due; the window starts now.
    let mut built = small(layout);
    assert!(!due(&mut built));
    assert_eq!(
        built
            .engine
            .world_mut()
            .resource::<CheckpointState>()
            .window_start_ms,
        NOW
    );
    // The interval has passed.
    let every_ms = SyncConfig::default().checkpoint_every_ms;
    built.engine.world_mut().resource_mut::<Clock>().now_ms = NOW + every_ms;
    assert!(due(&mut built));

    // The import reaches the target.
    let mut built = small(layout);
    built
        .engine
        .world_mut()
        .resource_mut::<SyncProgress>()
        .target = 16;
    assert!(due(&mut built));

    // Enough blocks since the last checkpoint.
    let mut built = build(
        layout,
        SyncConfig {
            checkpoint_every_blocks: 16,
            ..SyncConfig::default()
        },
    );
    assert!(due(&mut built));

    assert_nothing_ready_is_due_only_for_blocks_imported_since(layout, every_ms);
}

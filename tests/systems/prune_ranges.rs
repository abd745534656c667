//! `prune_ranges`: ranges overtaken by blocks imported meanwhile.

use crate::support::{assert_consistent, fx, range_of, small, stages, state};
use ecsync::testing::world::{Layout, check_world, run_system};
use ecsync_components::ecs::AwaitingImport;
use ecsync_components::resources::Buffer;
use ecsync_systems::prune_ranges;
use ecsync_systems::transitions::RangeState;

#[test]
fn prune_ranges_trims_ranges_overtaken_by_locally_imported_blocks() {
    // 1..17 answered (a download in flight), 17..33 and 33..49 downloaded, 49..65 waiting.
    let mut built = small(Layout {
        delivered: 1,
        pending: 2,
        waiting: 1,
        ..Layout::small()
    });
    for h in 1..=36 {
        built
            .engine
            .import_local(fx().blocks[h].clone())
            .expect("the honest chain");
    }
    assert!(
        check_world(&mut built.engine).is_err(),
        "ranges at or below the head before the prune"
    );
    let gone_blocks = built
        .engine
        .world_mut()
        .get::<AwaitingImport>(built.pending[0])
        .expect("downloaded")
        .blocks
        .clone();

    run_system(&mut built.engine, prune_ranges);

    let world = built.engine.world_mut();
    assert!(world.get_entity(built.pending[0]).is_err(), "17..33 gone");
    assert!(gone_blocks.iter().all(|&b| world.get_entity(b).is_err()));
    assert_eq!(range_of(world, built.pending[1]), (37, 12));
    assert_eq!(
        stages(world, built.pending[1]),
        (37..=48).map(|h| (h, "downloaded")).collect::<Vec<_>>()
    );
    // A download in flight is left alone (trimmed when its answer lands); a waiting range above is untouched.
    assert_eq!(
        state(world, built.downloading[0]),
        Some(RangeState::Delivered)
    );
    assert_eq!(range_of(world, built.downloading[0]), (1, 16));
    assert_eq!(range_of(world, built.waiting[0]), (49, 16));
    let buffer = *world.resource::<Buffer>();
    assert_eq!((buffer.bytes, buffer.blocks), (fx().bytes(37, 49), 12));
    assert_consistent(&mut built.engine);
}

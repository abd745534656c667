//! The consistency check itself: `check_world` catches drift.

use crate::support::{assert_consistent, small};
use ecsync::testing::world::{Layout, check_world};
use ecsync_components::PeerId;
use ecsync_components::ecs::{AwaitingImport, PeerLoad, Validated};
use ecsync_components::resources::{Buffer, PlanCursor};

#[test]
fn check_world_catches_drift() {
    let mut built = small(Layout {
        pending: 1,
        waiting: 1,
        ..Layout::small()
    });
    assert_consistent(&mut built.engine);
    let (pending, waiting) = (built.pending[0], built.waiting[0]);
    let world = built.engine.world_mut();
    let block = world
        .get::<AwaitingImport>(pending)
        .expect("downloaded")
        .blocks[0];

    world.resource_mut::<Buffer>().bytes += 1;
    assert!(check_world(&mut built.engine).is_err(), "buffer bytes");
    let world = built.engine.world_mut();
    world.resource_mut::<Buffer>().bytes -= 1;

    world.entity_mut(waiting).insert(AwaitingImport {
        peer: built.peers[0],
        peer_id: PeerId(1),
        blocks: Vec::new(),
    });
    assert!(check_world(&mut built.engine).is_err(), "two states");
    let world = built.engine.world_mut();
    world.entity_mut(waiting).remove::<AwaitingImport>();

    world.entity_mut(block).insert(Validated);
    assert!(check_world(&mut built.engine).is_err(), "two stages");
    let world = built.engine.world_mut();
    world.entity_mut(block).remove::<Validated>();

    world
        .get_mut::<PeerLoad>(built.peers[0])
        .expect("peer")
        .in_flight = 1;
    assert!(
        check_world(&mut built.engine).is_err(),
        "a load with nothing in flight"
    );
    let world = built.engine.world_mut();
    world
        .get_mut::<PeerLoad>(built.peers[0])
        .expect("peer")
        .in_flight = 0;

    world.resource_mut::<PlanCursor>().next += 1;
    assert!(
        check_world(&mut built.engine).is_err(),
        "a height nobody owns"
    );
    let world = built.engine.world_mut();
    world.resource_mut::<PlanCursor>().next -= 1;
    assert_consistent(&mut built.engine);
}

//! The transitions of `ecsync_systems::transitions`, called directly from wrong states.

use crate::support::{assert_consistent, fx, load, range_of, small, state};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Layout, NOW, run_system};
use ecsync_components::ecs::{AwaitingImport, Delivered, Downloaded, ReadyToImport, Validated};
use ecsync_components::resources::{Buffer, ChainHead, EngineCounters, Outbox, RequestCounter};
use ecsync_systems::transitions;
use ecsync_systems::transitions::{RangeState, TransitionError, Transitions};

/// The error of `transition` refused on `range`, which is in state `found` instead of `expected`.
fn wrong(
    transition: &'static str,
    range: Entity,
    expected: RangeState,
    found: RangeState,
) -> TransitionError {
    TransitionError::WrongState {
        transition,
        range,
        expected,
        found: Some(found),
    }
}

/// Each transition refuses a range in another state than the one it starts from.
fn assert_ranges_in_wrong_states_are_refused(
    world: &mut World,
    [pending, downloading, waiting]: [Entity; 3],
    peer: Entity,
) {
    assert_eq!(
        transitions::start_download(world, downloading, peer, 1_000, 500),
        Err(wrong(
            "start_download",
            downloading,
            RangeState::AwaitingDownload,
            RangeState::Downloading
        ))
    );
    assert_eq!(
        transitions::start_download(world, pending, peer, 1_000, 500),
        Err(wrong(
            "start_download",
            pending,
            RangeState::AwaitingDownload,
            RangeState::AwaitingImport
        ))
    );
    assert_eq!(
        transitions::deliver(
            world,
            waiting,
            Delivered {
                blocks: Vec::new(),
                at_ms: NOW
            }
        ),
        Err(wrong(
            "deliver",
            waiting,
            RangeState::Downloading,
            RangeState::AwaitingDownload
        ))
    );
    assert_eq!(
        transitions::accept_answer(world, downloading, Vec::new(), u64::MAX),
        Err(wrong(
            "accept_answer",
            downloading,
            RangeState::Delivered,
            RangeState::Downloading
        ))
    );
    assert_eq!(
        transitions::import_prefix(world, waiting, 0),
        Err(wrong(
            "import_prefix",
            waiting,
            RangeState::AwaitingImport,
            RangeState::AwaitingDownload
        ))
    );
}

/// Importing blocks not ready, or more than the range holds, and advancing a block from a stage it is not in, are
/// refused; the block stays where it was.
fn assert_blocks_in_wrong_stages_are_refused(world: &mut World, pending: Entity) {
    // Blocks not ready, or more than the range holds.
    assert!(matches!(
        transitions::import_prefix(world, pending, 1),
        Err(TransitionError::WrongStage {
            transition: "import_prefix",
            ..
        })
    ));
    assert!(matches!(
        transitions::import_prefix(world, pending, 17),
        Err(TransitionError::WrongStage { .. })
    ));
    let block = world
        .get::<AwaitingImport>(pending)
        .expect("downloaded")
        .blocks[0];
    assert_eq!(
        transitions::advance_block::<Validated, ReadyToImport>(world, block),
        Err(TransitionError::WrongStage {
            transition: "advance_block",
            block,
            expected: "Validated",
        })
    );
    assert!(world.entity(block).contains::<Downloaded>());
}

/// A transition on what is not a range at all (a peer, a despawned entity) is refused.
fn assert_entities_that_are_not_ranges_are_refused(world: &mut World, peer: Entity) {
    // Not a range at all: a peer, a despawned entity.
    assert_eq!(
        transitions::start_download(world, peer, peer, 1_000, 500),
        Err(TransitionError::NotARange {
            transition: "start_download",
            entity: peer,
        })
    );
    let gone = world.spawn_empty().id();
    world.despawn(gone);
    assert!(matches!(
        transitions::deliver(
            world,
            gone,
            Delivered {
                blocks: Vec::new(),
                at_ms: NOW
            }
        ),
        Err(TransitionError::NotARange { .. })
    ));
}

#[test]
fn transitions_from_a_wrong_state_are_refused_and_change_nothing() {
    let mut built = small(Layout {
        pending: 1,
        downloading: 1,
        waiting: 1,
        ..Layout::small()
    });
    let (pending, downloading, waiting) =
        (built.pending[0], built.downloading[0], built.waiting[0]);
    let peer = built.peers[0];
    let world = built.engine.world_mut();
    let buffer = *world.resource::<Buffer>();
    let requests = world.resource::<RequestCounter>().0;

    assert_ranges_in_wrong_states_are_refused(world, [pending, downloading, waiting], peer);
    assert_blocks_in_wrong_stages_are_refused(world, pending);
    assert_entities_that_are_not_ranges_are_refused(world, peer);

    // Nothing changed.
    assert!(world.resource::<Outbox>().0.is_empty());
    assert_eq!(world.resource::<RequestCounter>().0, requests);
    let after = *world.resource::<Buffer>();
    assert_eq!(
        (after.bytes, after.blocks, after.reserved),
        (buffer.bytes, buffer.blocks, buffer.reserved)
    );
    assert_eq!(load(world, peer), 1);
    assert_eq!(state(world, downloading), Some(RangeState::Downloading));
    assert_eq!(state(world, waiting), Some(RangeState::AwaitingDownload));
    assert_eq!(state(world, pending), Some(RangeState::AwaitingImport));
    assert_eq!(world.resource::<EngineCounters>().transition_errors, 0);
    assert_consistent(&mut built.engine);
}

#[test]
fn the_forward_transitions_keep_the_books() {
    let mut built = small(Layout {
        waiting: 1,
        ..Layout::small()
    });
    let (range, peer) = (built.waiting[0], built.peers[0]);
    let world = built.engine.world_mut();
    let request = transitions::start_download(world, range, peer, 1_000, 500)
        .expect("waiting")
        .expect("the peer is there");
    assert_eq!(world.resource::<Buffer>().reserved, 500);
    transitions::deliver(
        world,
        range,
        Delivered {
            blocks: fx().encodings(1, 17),
            at_ms: NOW,
        },
    )
    .expect("downloading");
    assert_consistent(&mut built.engine);
    let world = built.engine.world_mut();
    let blocks: Vec<_> = (1..=16)
        .map(|h| (fx().blocks[h].clone(), fx().chain.blocks[h].clone()))
        .collect();
    assert_eq!(
        transitions::accept_answer(world, range, blocks, u64::MAX),
        Ok(16)
    );
    assert_eq!(world.resource::<Buffer>().reserved, 0);
    assert_eq!(load(world, peer), 0);
    let ids = world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks
        .clone();
    for &b in &ids[..4] {
        transitions::advance_block::<Downloaded, Validated>(world, b).expect("downloaded");
        transitions::advance_block::<Validated, ReadyToImport>(world, b).expect("validated");
    }
    // (The store would have committed them: the head moves with the import.)
    world.resource_mut::<ChainHead>().0 = fx().chain.block_ref(4);
    transitions::import_prefix(world, range, 4).expect("ready prefix");
    assert_eq!(range_of(world, range), (5, 12));
    assert!(ids[..4].iter().all(|&b| world.get_entity(b).is_err()));
    assert_eq!(world.resource::<Buffer>().bytes, fx().bytes(5, 17));
    assert!(request.0 > 0);
    assert_consistent(&mut built.engine);
}

#[test]
#[should_panic(expected = "start_download: range")]
fn a_queued_transition_from_a_wrong_state_panics_under_strict() {
    let mut built = small(Layout {
        downloading: 1,
        ..Layout::small()
    });
    let (range, peer) = (built.downloading[0], built.peers[0]);
    run_system(&mut built.engine, move |mut commands: Commands| {
        commands.start_download(range, peer, 1_000, 0);
    });
}

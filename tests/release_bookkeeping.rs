//! The node's release behaviour, which the strict test machinery never runs: without strict bookkeeping (the
//! default, and all a running node ever has), a transition from a wrong state is counted in
//! `EngineCounters::transition_errors` and the engine carries on, and the buffer's books saturate instead of
//! panicking. This test binary never turns strictness on: it builds its engine with `SyncEngine::new`, not with
//! the world builder or the simulator (which turn it on for their process).

use std::sync::OnceLock;

use bevy_ecs::prelude::*;
use ecsync::components::{NetEvent, PeerId, StatusMessage, SyncConfig};
use ecsync::engine::SyncEngine;
use ecsync::testing::invariants::check_bookkeeping;
use ecsync::testing::sim::{SIM_EPOCH_MS, SimChain};
use ecsync::testing::world::run_system;
use ecsync_components::ecs::Downloading;
use ecsync_components::resources::Buffer;
use ecsync_systems::transitions::Transitions;

fn chain() -> &'static SimChain {
    static CHAIN: OnceLock<SimChain> = OnceLock::new();
    CHAIN.get_or_init(|| SimChain::generate(21, 200, 64))
}

/// An engine at genesis (as the node builds it) that has sent its first requests to two peers at height 200.
fn engine_with_downloads() -> SyncEngine {
    let c = chain();
    let mut engine = SyncEngine::new(
        c.spec.clone(),
        SyncConfig::default(),
        Box::new(c.store_at(0)),
    )
    .unwrap();
    let proof = c.proof(200).expect("a block above genesis");
    for p in 1..=2 {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(p),
            label: format!("p{p}"),
            status: StatusMessage::proven(c.spec.chain_id, c.spec.genesis_hash, proof.clone()),
        });
    }
    engine.tick(SIM_EPOCH_MS);
    engine
}

#[test]
fn a_transition_from_a_wrong_state_is_counted_not_a_panic() {
    assert!(!ecsync_components::strict(), "strict is off by default");
    let mut engine = engine_with_downloads();
    let (range, peer) = {
        let world = engine.world_mut();
        let mut q = world.query::<(Entity, &Downloading)>();
        q.iter(world)
            .map(|(range, d)| (range, d.peer))
            .next()
            .expect("a range in flight")
    };
    assert_eq!(engine.counters().transition_errors, 0);
    // Starting a download of a range that is already downloading: a bug the strict machinery panics on.
    run_system(&mut engine, move |mut commands: Commands| {
        commands.start_download(range, peer, 1_000, 0);
    });
    assert_eq!(engine.counters().transition_errors, 1, "counted");
    // Nothing else moved: the books still balance, and the engine ticks on.
    check_bookkeeping(&mut engine).unwrap();
    engine.tick(SIM_EPOCH_MS + 100);
    check_bookkeeping(&mut engine).unwrap();
    assert_eq!(engine.counters().transition_errors, 1);
}

#[test]
fn the_buffer_saturates_instead_of_panicking() {
    assert!(!ecsync_components::strict(), "strict is off by default");
    let mut buffer = Buffer::default();
    buffer.reserve(100);
    buffer.release(150);
    assert_eq!(
        buffer.reserved, 0,
        "a release beyond the reservation stops at 0"
    );
    buffer.admit(64);
    buffer.free(100, 3);
    assert_eq!(
        (buffer.bytes, buffer.blocks),
        (0, 0),
        "a free beyond the books stops at 0"
    );
}

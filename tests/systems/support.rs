//! Helpers shared by the tests of the systems.

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use ecsync::engine::SyncEngine;
use ecsync::testing::world::{
    Built, Fixture, Layout, SMALL_CHAIN_LEN, build, check_world, fixture, run_system,
};
use ecsync_components::ecs::{
    AwaitingImport, Downloaded, Peer, PeerBudget, PeerClaim, PeerLoad, PeerProof, PendingBlock,
    Range, RangeAttempts, ReadyToImport, Validated,
};
use ecsync_components::resources::{PeerRecords, ProvenHead};
use ecsync_components::{
    HeadProof, Offence, OutcomeKind, PeerId, PeerOutcome, StatusMessage, SyncConfig,
};
use ecsync_systems::transitions::{RangeState, range_state};
use ecsync_systems::validate_blocks;

/// The tests' chain.
pub fn fx() -> &'static Fixture {
    fixture(SMALL_CHAIN_LEN)
}

/// A small world (`Layout::small` changed by `layout`) with the default config.
pub fn small(layout: Layout) -> Built {
    build(layout, SyncConfig::default())
}

/// Panics with the inconsistency, if the world has one.
pub fn assert_consistent(engine: &mut SyncEngine) {
    if let Err(e) = check_world(engine) {
        panic!("inconsistent world: {e}");
    }
}

pub fn state(world: &World, range: Entity) -> Option<RangeState> {
    range_state(world, range).ok().flatten()
}

pub fn load(world: &World, peer: Entity) -> u32 {
    world.get::<PeerLoad>(peer).expect("a peer").in_flight
}

pub fn failed_peers(world: &World, range: Entity) -> Vec<PeerId> {
    world
        .get::<RangeAttempts>(range)
        .expect("a range")
        .failed_peers
        .clone()
}

pub fn range_of(world: &World, range: Entity) -> (u64, u32) {
    let r = world.get::<Range>(range).expect("a range");
    (r.start, r.count)
}

/// The pending blocks of a downloaded range, as (height, stage name).
pub fn stages(world: &World, range: Entity) -> Vec<(u64, &'static str)> {
    world
        .get::<AwaitingImport>(range)
        .expect("a downloaded range")
        .blocks
        .iter()
        .map(|&b| {
            let e = world.entity(b);
            let stage = if e.contains::<Downloaded>() {
                "downloaded"
            } else if e.contains::<Validated>() {
                "validated"
            } else if e.contains::<ReadyToImport>() {
                "ready"
            } else {
                "none"
            };
            (e.get::<PendingBlock>().expect("pending").height(), stage)
        })
        .collect()
}

/// Heights of the pending blocks in stage `S`, ascending.
pub fn heights_in<S: Component>(world: &mut World) -> Vec<u64> {
    let mut q = world.query_filtered::<&PendingBlock, With<S>>();
    let mut h: Vec<u64> = q.iter(world).map(PendingBlock::height).collect();
    h.sort_unstable();
    h
}

/// The honest status at `head`, with its proof (none at genesis).
pub fn status(head: u64) -> StatusMessage {
    let chain = &fx().chain;
    match chain.proof(head) {
        Some(proof) => StatusMessage::proven(chain.spec.chain_id, chain.spec.genesis_hash, proof),
        None => StatusMessage::unproven(
            chain.spec.chain_id,
            chain.spec.genesis_hash,
            chain.block_ref(head),
        ),
    }
}

/// Until when `id` is banned, if it ever was.
pub fn banned_until(world: &World, id: PeerId) -> Option<u64> {
    let record = world.resource::<PeerRecords>().0.get(&id).copied()?;
    (record.bans > 0).then_some(record.banned_until_ms)
}

pub fn peer_id(world: &World, peer: Entity) -> PeerId {
    world.get::<Peer>(peer).expect("peer").id
}

pub fn set_budgets(world: &mut World, peers: &[Entity], budget: PeerBudget) {
    for &p in peers {
        *world.get_mut::<PeerBudget>(p).expect("peer") = budget;
    }
}

/// A copy of pending block `index` of `range` with the aggregate signature of another block: a bad signature.
pub fn corrupt_signature(world: &mut World, range: Entity, index: usize) -> u64 {
    let block = world
        .get::<AwaitingImport>(range)
        .expect("downloaded")
        .blocks[index];
    let mut p = world.get_mut::<PendingBlock>(block).expect("pending");
    let height = p.height();
    let donor = &fx().blocks[(height % SMALL_CHAIN_LEN + 1) as usize];
    assert_ne!(donor.approval.signature, p.block.approval.signature);
    p.block_mut().approval.signature = donor.approval.signature;
    height
}

pub fn invalid_block_height(outcome: &PeerOutcome) -> Option<u64> {
    match &outcome.kind {
        OutcomeKind::Invalid(Offence::Block { height, .. }) => Some(*height),
        _ => None,
    }
}

/// A small world whose proven head is 10, with peer `i`'s head proof `proofs[i]` waiting (None: none).
pub fn proof_world(proofs: Vec<Option<HeadProof>>) -> Built {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    world.resource_mut::<ProvenHead>().head = fx().chain.block_ref(10);
    for (&p, proof) in built.peers.iter().zip(proofs) {
        world.get_mut::<PeerClaim>(p).expect("peer").proven = 0;
        world.get_mut::<PeerProof>(p).expect("peer").pending = proof.map(Box::new);
    }
    built
}

/// Validation within the tick, for tests of what validation decides rather than when.
pub fn validate_now(engine: &mut SyncEngine) {
    engine
        .world_mut()
        .resource_mut::<SyncConfig>()
        .validation_in_flight = 0;
    run_system(engine, validate_blocks);
}

pub fn world_write_outcomes(engine: &mut SyncEngine, outcomes: Vec<PeerOutcome>) {
    let mut messages = engine.world_mut().resource_mut::<Messages<PeerOutcome>>();
    for o in outcomes {
        messages.write(o);
    }
}

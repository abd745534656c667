//! `gossip_blocks`: gossiped blocks judged, imported or passed on.

use crate::support::{assert_consistent, banned_until, fx, invalid_block_height, small};
use bevy_ecs::prelude::*;
use ecsync::testing::world::{Built, Layout, run_system, take_outcomes};
use ecsync_components::ecs::PeerClaim;
use ecsync_components::resources::{
    ChainHead, Clock, EngineCounters, GossipBlocks, Outbox, Spec, SyncProgress,
};
use ecsync_components::{
    GossipVerdict, Hash32, OutcomeKind, PeerId, Request, SyncConfig, Tolerance,
};
use ecsync_systems::{gossip_blocks, score_peers, update_state};

/// A world at head 10 (imported locally) whose 4 peers claim height 10, with `gossiped` queued (peer, id, bytes).
fn gossip_world(gossiped: Vec<(PeerId, u64, Vec<u8>)>) -> Built {
    let mut built = small(Layout {
        claimed_head: 10,
        ..Layout::small()
    });
    for h in 1..=10 {
        built
            .engine
            .import_local(fx().blocks[h].clone())
            .expect("the honest chain");
    }
    built
        .engine
        .world_mut()
        .resource_mut::<GossipBlocks>()
        .0
        .extend(gossiped);
    built
}

/// The gossip verdicts in the outbox, taken.
fn verdicts(world: &mut World) -> Vec<(u64, GossipVerdict)> {
    std::mem::take(&mut world.resource_mut::<Outbox>().0)
        .into_iter()
        .filter_map(|r| match r {
            Request::GossipVerdict { id, verdict } => Some((id, verdict)),
            _ => None,
        })
        .collect()
}

#[test]
fn gossip_blocks_imports_the_next_block_at_once_and_accepts_it() {
    let mut built = gossip_world(vec![(PeerId(1), 7, fx().chain.blocks[11].clone())]);
    let commits_before = built.store.commits().len();
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(7, GossipVerdict::Accept)]);
    assert_eq!(world.resource::<ChainHead>().0, fx().chain.block_ref(11));
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [1, 0, 0]);
    assert!(world.resource::<GossipBlocks>().0.is_empty());
    assert!(take_outcomes(world).is_empty());
    // One durable commit with its own checkpoint, holding the wire bytes.
    let commits = built.store.commits();
    assert_eq!(commits.len(), commits_before + 1);
    assert!(commits.last().unwrap().checkpoint.is_some(), "{commits:?}");
    let stored = built.engine.store().block(11).unwrap().expect("stored");
    assert_eq!(stored, fx().blocks[11]);
    // The same block again (from another peer): ignored, nobody blamed, nothing written.
    built
        .engine
        .world_mut()
        .resource_mut::<GossipBlocks>()
        .0
        .push_back((PeerId(2), 8, fx().chain.blocks[11].clone()));
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(8, GossipVerdict::Ignore)]);
    assert!(take_outcomes(world).is_empty());
    assert_eq!(built.store.commits().len(), commits_before + 1);
    assert_consistent(&mut built.engine);
}

#[test]
fn gossip_blocks_accepts_a_valid_block_far_ahead_and_raises_its_senders_claim() {
    let mut built = gossip_world(vec![(PeerId(2), 3, fx().chain.blocks[30].clone())]);
    run_system(&mut built.engine, gossip_blocks);
    let sender = built.peers[1];
    let world = built.engine.world_mut();
    assert_eq!(verdicts(world), vec![(3, GossipVerdict::Accept)]);
    assert_eq!(world.resource::<ChainHead>().0.height, 10, "not imported");
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [1, 0, 0]);
    assert_eq!(
        world.get::<PeerClaim>(sender).unwrap().head,
        fx().chain.block_ref(30)
    );
    let other = built.peers[0];
    assert_eq!(world.get::<PeerClaim>(other).unwrap().head.height, 10);
    assert!(take_outcomes(world).is_empty());
    // update_state takes the raised claim as the new target.
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().target,
        30
    );
}

#[test]
fn gossip_blocks_rejects_a_bad_signature_and_penalises_its_sender() {
    // Valid blocks carrying another block's aggregate signature.
    let mut bad = fx().blocks[11].clone();
    bad.approval.signature = fx().blocks[12].approval.signature;
    let mut far = fx().blocks[40].clone();
    far.approval.signature = fx().blocks[41].approval.signature;
    let mut garbage = fx().chain.blocks[12].clone();
    garbage.push(0);
    let mut built = gossip_world(vec![
        (PeerId(3), 1, bad.encode()),
        (PeerId(4), 2, far.encode()),
        (PeerId(1), 3, garbage),
    ]);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![
            (1, GossipVerdict::Reject),
            (2, GossipVerdict::Reject),
            (3, GossipVerdict::Reject)
        ]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [0, 3, 0]);
    assert_eq!(
        world.get::<PeerClaim>(built.peers[3]).unwrap().head.height,
        10
    );
    let outcomes = take_outcomes(world);
    let blamed: Vec<(PeerId, Option<u64>)> = outcomes
        .iter()
        .map(|o| (o.peer_id, invalid_block_height(o)))
        .collect();
    assert_eq!(
        blamed,
        vec![
            (PeerId(3), Some(11)),
            (PeerId(4), Some(40)),
            (PeerId(1), None)
        ]
    );
    assert!(
        outcomes
            .iter()
            .all(|o| o.kind.tolerance() == Some(Tolerance::Fatal))
    );
    assert_eq!(outcomes[0].peer, built.peers[2]);
    // score_peers bans each of them.
    for outcome in outcomes {
        world.write_message(outcome);
    }
    run_system(&mut built.engine, score_peers);
    let world = built.engine.world_mut();
    for id in [PeerId(1), PeerId(3), PeerId(4)] {
        assert!(banned_until(world, id).is_some(), "{id} banned");
    }
    assert!(banned_until(world, PeerId(2)).is_none());
}

#[test]
fn gossip_blocks_ignores_old_blocks_and_a_valid_block_on_another_parent() {
    let generator =
        ecsync_systems::chaingen::ChainGenerator::new(ecsync_systems::chaingen::GenParams {
            seed: ecsync::testing::world::FIXTURE_SEED,
            payload_bytes: ecsync::testing::world::PAYLOAD_BYTES,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        generator.spec(),
        &fx().chain.spec,
        "the fixture's generator"
    );
    let fork = generator.sign(generator.child_with(
        &fx().blocks[10].block.header,
        Hash32([7; 32]),
        Some(fx().blocks[10].approval.clone()),
    ));
    let mut built = gossip_world(vec![
        (PeerId(1), 1, fx().chain.blocks[5].clone()),
        (PeerId(2), 2, fx().chain.blocks[10].clone()),
        (PeerId(3), 3, fork.encode()),
    ]);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![
            (1, GossipVerdict::Ignore),
            (2, GossipVerdict::Ignore),
            (3, GossipVerdict::Ignore)
        ]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(world.resource::<EngineCounters>().gossip_blocks, [0, 0, 3]);
    assert!(take_outcomes(world).is_empty());
}

#[test]
fn gossip_blocks_ignores_a_signed_block_from_beyond_a_slow_clock_and_rejects_a_forged_one() {
    // Block 12 with block 13's signature: from beyond the clock too, but no federation signed it.
    let mut forged = fx().blocks[12].clone();
    forged.approval.signature = fx().blocks[13].approval.signature;
    let mut built = gossip_world(vec![
        (PeerId(1), 9, fx().chain.blocks[11].clone()),
        (PeerId(2), 10, forged.encode()),
    ]);
    let world = built.engine.world_mut();
    let skew = world.resource::<SyncConfig>().max_clock_skew_ms;
    let starts = world
        .resource::<Spec>()
        .0
        .slot_start_ms(fx().chain.block_ref(11).slot);
    world.resource_mut::<Clock>().now_ms = starts - skew - 1;
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world),
        vec![(9, GossipVerdict::Ignore), (10, GossipVerdict::Reject)]
    );
    assert_eq!(world.resource::<ChainHead>().0.height, 10);
    assert_eq!(
        world.resource::<EngineCounters>().clock_behind,
        1,
        "only the signed block is evidence of our clock"
    );
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[..], [o] if o.peer_id == PeerId(2)
            && matches!(o.kind, OutcomeKind::Invalid(_))),
        "the honest sender is not punished, the forger is: {outcomes:?}"
    );
}

#[test]
fn gossip_blocks_judges_a_bounded_number_per_tick() {
    let queued = (0..40)
        .map(|i| (PeerId(1), i, fx().chain.blocks[3].clone()))
        .collect();
    let mut built = gossip_world(queued);
    run_system(&mut built.engine, gossip_blocks);
    let world = built.engine.world_mut();
    assert_eq!(
        verdicts(world).len(),
        ecsync_systems::gossip_blocks::MAX_GOSSIP_PER_TICK
    );
    assert_eq!(
        world.resource::<GossipBlocks>().0.len(),
        40 - ecsync_systems::gossip_blocks::MAX_GOSSIP_PER_TICK
    );
}

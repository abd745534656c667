//! `prove_heads`: head proofs raise the proven head, within the tick budget and each peer's rate.

use crate::support::{assert_consistent, fx, proof_world};
use ecsync::testing::world::{NOW, run_system, take_outcomes};
use ecsync_components::ecs::{PeerClaim, PeerProof};
use ecsync_components::resources::{Clock, EngineCounters, ProvenHead, Spec, SyncProgress};
use ecsync_components::{HeadProof, Offence, OutcomeKind, SyncConfig};
use ecsync_systems::{prove_heads, update_state};

/// Block `h`'s proof with block `h + 1`'s approval: well formed, fails the signature.
fn forged_proof(h: u64) -> HeadProof {
    HeadProof {
        header: fx().blocks[h as usize].block.header.clone(),
        approval: fx().blocks[h as usize + 1].approval.clone(),
    }
}

#[test]
fn prove_heads_raises_the_proven_head_within_the_tick_budget_lowest_first() {
    let chain = &fx().chain;
    let proofs = [40, 30, 20, 5].map(|h| chain.proof(h)).to_vec();
    let mut built = proof_world(proofs);
    let peers = built.peers.clone();
    let budget = built
        .engine
        .world_mut()
        .resource::<SyncConfig>()
        .proofs_per_tick;
    assert_eq!(budget, 2);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    // Height 5 is below the proven head: free. Then 20 and 30, the lowest first; 40 waits for the next tick.
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(30));
    let c = world.resource::<EngineCounters>().clone();
    assert_eq!(
        (c.proofs_verified, c.proofs_free, c.proofs_max_per_tick),
        (2, 1, 2)
    );
    let proven: Vec<u64> = peers
        .iter()
        .map(|&p| world.get::<PeerClaim>(p).unwrap().proven)
        .collect();
    assert_eq!(proven, [0, 30, 20, 0]);
    assert_eq!(
        world.get::<PeerProof>(peers[0]).unwrap().pending_height(),
        Some(40)
    );
    assert!(take_outcomes(world).is_empty());
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(40));
    assert_eq!(world.resource::<EngineCounters>().proofs_verified, 3);
    // update_state follows it.
    run_system(&mut built.engine, update_state);
    assert_eq!(
        built.engine.world_mut().resource::<SyncProgress>().target,
        40
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn prove_heads_punishes_a_forged_proof_and_keeps_each_peer_to_its_rate() {
    let mut built = proof_world(vec![Some(forged_proof(50)), None, None, None]);
    let peers = built.peers.clone();
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10, "not raised");
    assert_eq!(world.resource::<EngineCounters>().proofs_invalid, 1);
    let outcomes = take_outcomes(world);
    assert!(
        matches!(&outcomes[..], [o] if o.peer == peers[0]
            && matches!(&o.kind, OutcomeKind::Invalid(Offence::Block { height: 50, rule })
                if rule.contains("head proof"))),
        "{outcomes:?}"
    );
    // A peer past its burst waits for its next token: its proof is kept, not verified.
    let config = world.resource::<SyncConfig>().clone();
    let chain = &fx().chain;
    let spent = NOW + config.proof_interval_ms * u64::from(config.proof_burst);
    let mut proof = world.get_mut::<PeerProof>(peers[1]).unwrap();
    proof.rate_tat_ms = spent;
    proof.pending = chain.proof(60).map(Box::new);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10);
    assert_eq!(
        world.get::<PeerProof>(peers[1]).unwrap().pending_height(),
        Some(60)
    );
    world.resource_mut::<Clock>().now_ms =
        spent - config.proof_interval_ms * u64::from(config.proof_burst - 1);
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head, chain.block_ref(60));
    assert_consistent(&mut built.engine);
}

#[test]
fn prove_heads_drops_a_proof_from_beyond_the_clock_unpunished() {
    let chain = &fx().chain;
    let mut built = proof_world(vec![chain.proof(100), None, None, None]);
    let world = built.engine.world_mut();
    let skew = world.resource::<SyncConfig>().max_clock_skew_ms;
    let starts = world
        .resource::<Spec>()
        .0
        .slot_start_ms(chain.block_ref(100).slot);
    // Our clock is behind: block 100's slot begins beyond the skew.
    world.resource_mut::<Clock>().now_ms = starts - skew - 1;
    run_system(&mut built.engine, prove_heads);
    let world = built.engine.world_mut();
    assert_eq!(world.resource::<ProvenHead>().head.height, 10);
    let c = world.resource::<EngineCounters>().clone();
    assert_eq!(
        (c.proofs_verified, c.proofs_invalid),
        (0, 0),
        "not verified"
    );
    assert!(take_outcomes(world).is_empty());
    let peer = built.peers[0];
    let proof = built
        .engine
        .world_mut()
        .get::<PeerProof>(peer)
        .unwrap()
        .clone();
    assert_eq!(proof.pending_height(), None, "dropped");
}

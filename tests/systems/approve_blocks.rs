//! `approve_blocks`: a member answers the approval questions members ask. A question asked again costs no
//! verification of its producer's share and no write to the approval memory (a real redb file); a question no
//! honest member sends (a producer share that does not endorse the block, a block breaking a rule on our head)
//! gets its asker an `Invalid` outcome; a refusal that is the state of things (behind, early, gate closed, another
//! block approved at that height) gets none.

use bevy_ecs::prelude::*;
use ecsync::engine::SyncEngine;
use ecsync::store::RedbStore;
use ecsync::store::approvals::ApprovalDb;
use ecsync::testing::world::{run_system, take_outcomes};
use ecsync_components::resources::{
    ApprovalAsks, Clock, EngineCounters, Outbox, PeerIndex, SyncProgress,
};
use ecsync_components::{
    Approval, ApproveAnswer, Block, BlockRef, ChainStore, EncodedBlock, NetEvent, Offence,
    OutcomeKind, PeerId, PeerOutcome, RefusalKind, Request, StatusMessage, SyncConfig, SyncState,
    imports,
};
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use ecsync_systems::consensus::MemberKeys;
use ecsync_systems::{approve_blocks, ingest_events};

/// The authority the member holds.
const ME: usize = 1;

/// A member (authority [`ME`]) at the head of a chain of 10 blocks, its gate open (Synced), peers 1 and 2
/// connected, its approval memory a redb file in its directory.
struct Setup {
    generator: ChainGenerator,
    engine: SyncEngine,
    head: EncodedBlock,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let generator = ChainGenerator::new(GenParams {
        seed: 41,
        payload_bytes: 16,
        ..GenParams::default()
    })
    .unwrap();
    let blocks = EncodedBlock::all(generator.blocks(10));
    let head = blocks.last().unwrap().clone();
    let engine = engine_in(&generator, &blocks, dir.path());
    Setup {
        generator,
        engine,
        head,
        dir,
    }
}

/// The member's engine over `blocks`, its approval memory in `dir` (a second call is the member restarted).
fn engine_in(
    generator: &ChainGenerator,
    blocks: &[EncodedBlock],
    dir: &std::path::Path,
) -> SyncEngine {
    ecsync_components::set_strict(true);
    let spec = generator.spec().clone();
    let mut store = RedbStore::in_memory(&spec, Some(generator.genesis())).unwrap();
    store.import_batch(&imports(blocks), None).unwrap();
    let mut engine = SyncEngine::new(spec.clone(), SyncConfig::default(), Box::new(store)).unwrap();
    let keys =
        MemberKeys::new(&spec, &[(ME, generator.federation().secret_key_bytes(ME))]).unwrap();
    let memory = ApprovalDb::open(&dir.join("approvals.redb")).unwrap();
    engine.set_member(keys, Box::new(memory));
    let head = BlockRef::of(&blocks.last().unwrap().block);
    for p in 1..=2 {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(p),
            label: format!("p{p}"),
            status: StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head),
        });
    }
    run_system(&mut engine, ingest_events);
    set_gate(&mut engine, true);
    engine
}

/// Opens (Synced at the head) or closes (far behind a target) the member's production gate.
fn set_gate(engine: &mut SyncEngine, open: bool) {
    let head = engine.head().height;
    let mut progress = engine.world_mut().resource_mut::<SyncProgress>();
    (progress.state, progress.target) = if open {
        (SyncState::Synced, head)
    } else {
        (SyncState::DownloadingBlocks, head + 1_000)
    };
}

impl Setup {
    /// Another authority's proposal on the head, in the first slot after it that is not [`ME`]'s, and its slot
    /// producer's share; the clock is set 100 ms into that slot.
    fn proposal(&mut self) -> (Block, Approval) {
        let spec = self.generator.spec();
        let slot = (self.head.block.slot() + 1..)
            .find(|s| spec.producer_index(*s) != ME)
            .unwrap();
        let mut block = self
            .generator
            .child(&self.head.block.block.header, self.head.hash);
        block.header.slot = slot;
        block.header.timestamp_ms = spec.slot_start_ms(slot);
        let share = self.share(&block, 1 << spec.producer_index(slot));
        self.engine.world_mut().resource_mut::<Clock>().now_ms = spec.slot_start_ms(slot) + 100;
        (block, share)
    }

    /// `approvers`' share over `block`.
    fn share(&self, block: &Block, approvers: u64) -> Approval {
        self.generator
            .federation()
            .approve(block.header.height, 0, &block.header.hash(), approvers)
    }

    /// `peer` asks about `block` endorsed by `producer`: the member's answer.
    fn ask(&mut self, peer: u64, block: &Block, producer: &Approval) -> ApproveAnswer {
        ask(&mut self.engine, peer, block, producer)
    }

    fn counters(&self) -> EngineCounters {
        self.engine.counters()
    }
}

/// `peer` asks `engine` about `block` endorsed by `producer`: the answer `approve_blocks` gives.
fn ask(engine: &mut SyncEngine, peer: u64, block: &Block, producer: &Approval) -> ApproveAnswer {
    let world = engine.world_mut();
    world.resource_mut::<ApprovalAsks>().0.push_back((
        PeerId(peer),
        77,
        Box::new(block.clone()),
        producer.clone(),
    ));
    run_system(engine, approve_blocks);
    let out = std::mem::take(&mut engine.world_mut().resource_mut::<Outbox>().0);
    match &out[..] {
        [Request::AnswerApproval { ask: 77, answer }] => answer.clone(),
        other => panic!("not one answer: {other:?}"),
    }
}

fn refused(answer: &ApproveAnswer) -> Option<RefusalKind> {
    match answer {
        ApproveAnswer::Refused { kind, .. } => Some(*kind),
        ApproveAnswer::Approved(_) => None,
    }
}

/// The peers whose questions were judged junk, from the outcomes written.
fn offenders(outcomes: &[PeerOutcome]) -> Vec<PeerId> {
    outcomes
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                OutcomeKind::Invalid(Offence::Block { height: 11, .. })
            )
        })
        .map(|o| o.peer_id)
        .collect()
}

#[test]
fn approve_blocks_answers_a_question_asked_again_from_memory() {
    let mut s = setup();
    let (block, producer) = s.proposal();
    let first = s.ask(1, &block, &producer);
    let ApproveAnswer::Approved(share) = first.clone() else {
        panic!("not approved: {first:?}");
    };
    assert_eq!(share, s.share(&block, 1 << ME), "its own key's share");
    let c = s.counters();
    assert_eq!((c.approval_share_checks, c.approval_memory_writes), (1, 1));
    // Asked again (by either member): the same share, no verification, no write.
    for peer in [1, 2, 1] {
        assert_eq!(s.ask(peer, &block, &producer), first);
    }
    let c = s.counters();
    assert_eq!((c.approval_share_checks, c.approval_memory_writes), (1, 1));
    assert_eq!(c.approvals_given, 4);
    // Another share endorsing the same block (its producer's with another authority's): verified once, not
    // written (the approval is remembered already).
    let spec = s.generator.spec();
    let other = (0..4)
        .find(|i| *i != ME && *i != spec.producer_index(block.header.slot))
        .unwrap();
    let wider = s.share(&block, producer.approvers | 1 << other);
    assert_eq!(s.ask(2, &block, &wider), first);
    assert_eq!(s.ask(2, &block, &wider), first);
    let c = s.counters();
    assert_eq!((c.approval_share_checks, c.approval_memory_writes), (2, 1));
    // The decision is still taken each time: with its gate closed it refuses, without a verification.
    set_gate(&mut s.engine, false);
    assert_eq!(
        refused(&s.ask(1, &block, &producer)),
        Some(RefusalKind::GateClosed)
    );
    assert_eq!(s.counters().approval_share_checks, 2);
    assert!(take_outcomes(s.engine.world_mut()).is_empty());

    // Restarted (a new engine, the same approval memory): verified again (the memo is in memory), signed
    // again, the same share; not written again.
    let Setup {
        generator,
        engine,
        head,
        dir,
    } = s;
    drop(engine);
    let blocks = EncodedBlock::all(generator.blocks(10));
    let engine = engine_in(&generator, &blocks, dir.path());
    let mut s = Setup {
        generator,
        engine,
        head,
        dir,
    };
    let (block, producer) = s.proposal();
    assert_eq!(s.ask(1, &block, &producer), first);
    let c = s.counters();
    assert_eq!((c.approval_share_checks, c.approval_memory_writes), (1, 0));
}

#[test]
fn approve_blocks_penalises_a_member_whose_question_is_junk() {
    let mut s = setup();
    let (block, producer) = s.proposal();
    let spec = s.generator.spec().clone();
    let producer_index = spec.producer_index(block.header.slot);
    let peer1 = s.engine.world_mut().resource::<PeerIndex>().0[&PeerId(1)];
    // A share without the slot's producer.
    let not_producer = s.share(&block, 1 << ((producer_index + 2) % 4));
    assert_eq!(
        refused(&s.ask(1, &block, &not_producer)),
        Some(RefusalKind::Invalid)
    );
    let outcomes = take_outcomes(s.engine.world_mut());
    assert_eq!(offenders(&outcomes), [PeerId(1)]);
    assert_eq!(outcomes[0].peer, peer1, "the asker's entity");
    // The producer's bit with a signature over another block.
    let forged = Approval {
        approvers: producer.approvers,
        round: 0,
        signature: s.share(&s.head.block.block, producer.approvers).signature,
    };
    assert_eq!(
        refused(&s.ask(2, &block, &forged)),
        Some(RefusalKind::Invalid)
    );
    assert_eq!(offenders(&take_outcomes(s.engine.world_mut())), [PeerId(2)]);
    assert_eq!(s.counters().approval_share_checks, 2);
    // A block that breaks a rule on our head (its timestamp is not its slot's start): refused before any
    // verification, its asker penalised even though its producer endorsed it.
    let mut late = block.clone();
    late.header.timestamp_ms += 1;
    let endorsed = s.share(&late, producer.approvers);
    assert_eq!(
        refused(&s.ask(1, &late, &endorsed)),
        Some(RefusalKind::Invalid)
    );
    assert_eq!(offenders(&take_outcomes(s.engine.world_mut())), [PeerId(1)]);
    assert_eq!(s.counters().approval_share_checks, 2);
    // Junk with its gate closed: refused as gate closed, still penalised. An asker that left: by id.
    set_gate(&mut s.engine, false);
    assert_eq!(
        refused(&s.ask(7, &block, &forged)),
        Some(RefusalKind::GateClosed)
    );
    let outcomes = take_outcomes(s.engine.world_mut());
    assert_eq!(offenders(&outcomes), [PeerId(7)]);
    assert_eq!(outcomes[0].peer, Entity::PLACEHOLDER);
    // Nothing was approved, remembered or kept.
    let c = s.counters();
    assert_eq!((c.approvals_given, c.approval_memory_writes), (0, 0));
}

#[test]
fn approve_blocks_does_not_penalise_refusals_that_are_the_state_of_things() {
    let mut s = setup();
    let (block, producer) = s.proposal();
    let spec = s.generator.spec().clone();
    let endorse = |s: &Setup, b: &Block| s.share(b, 1 << spec.producer_index(b.header.slot));
    // Not on our head: a child of our parent (the asker's head is not ours).
    let parent = s.generator.blocks(9).pop().unwrap();
    let mut elsewhere = s.generator.child(&parent.block.header, parent.hash());
    elsewhere.header.slot = block.header.slot;
    elsewhere.header.timestamp_ms = block.header.timestamp_ms;
    let share = endorse(&s, &elsewhere);
    assert_eq!(
        refused(&s.ask(1, &elsewhere, &share)),
        Some(RefusalKind::NotOnHead)
    );
    // From a slot that has not begun by our clock (ours may be behind).
    let mut early = block.clone();
    early.header.slot += 3;
    early.header.timestamp_ms = spec.slot_start_ms(early.header.slot);
    let share = endorse(&s, &early);
    assert_eq!(
        refused(&s.ask(1, &early, &share)),
        Some(RefusalKind::SlotNotBegun)
    );
    // Its gate closed: refused, the (valid) producer share checked and the block kept as seen.
    set_gate(&mut s.engine, false);
    assert_eq!(
        refused(&s.ask(2, &block, &producer)),
        Some(RefusalKind::GateClosed)
    );
    assert_eq!(s.counters().approval_share_checks, 1);
    // Another block at a height it approved: the asker may not know (no blame).
    set_gate(&mut s.engine, true);
    assert!(matches!(
        s.ask(2, &block, &producer),
        ApproveAnswer::Approved(_)
    ));
    let mut other = block.clone();
    other.header.slot += 1;
    other.header.timestamp_ms = spec.slot_start_ms(other.header.slot);
    s.engine.world_mut().resource_mut::<Clock>().now_ms = other.header.timestamp_ms + 100;
    let share = endorse(&s, &other);
    assert_eq!(
        refused(&s.ask(1, &other, &share)),
        Some(RefusalKind::Equivocation)
    );
    assert!(take_outcomes(s.engine.world_mut()).is_empty());
    let c = s.counters();
    assert_eq!(c.approvals_refused.iter().sum::<u64>(), 4);
    assert_eq!(c.approval_memory_writes, 1);
}

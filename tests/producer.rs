//! The producer (`produce_blocks`) in one engine, the network played by the test: it proposes only in its own
//! slots and only with its gate open, asks the members (peers that proved themselves: a member that does so
//! during the slot is asked then), ignores (and penalises) a share that does not verify, asks a member again
//! within the slot after a failed question or a refusal that may pass (doubling backoff, bounded attempts), gives
//! a slot up at its end without a quorum, re-proposes the block it approved at that height in its next slot, and
//! at a quorum imports a valid block and publishes it.

use ecsync::components::resources::SkipReason;
use ecsync::components::{
    Approval, ApproveAnswer, Block, ChainSpec, ChainStore, EncodedBlock, NetEvent, PeerId,
    RefusalKind, Request, RequestId, SignedBlock, StatusMessage, SyncConfig, SyncState, imports,
};
use ecsync::engine::SyncEngine;
use ecsync::store::RedbStore;
use ecsync::store::approvals::ApprovalDb;
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use ecsync_systems::consensus::{Authorities, Federation, MemberKeys, validate_block};
use ecsync_systems::produce_blocks::{MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_MAX_MS};

const ME: usize = 1;

/// The approval questions among `requests`: (member, request, block, the producer's share sent with it).
fn asks(requests: &[Request]) -> Vec<(PeerId, RequestId, Block, Approval)> {
    requests
        .iter()
        .filter_map(|r| match r {
            Request::AskApproval {
                peer,
                request,
                block,
                producer,
            } => Some((*peer, *request, (**block).clone(), producer.clone())),
            _ => None,
        })
        .collect()
}

/// Ticks every 250 ms from `from_ms` to `to_ms` (both included), answering status requests with `status`
/// as the peers would; returns every other request.
fn advance(
    engine: &mut SyncEngine,
    from_ms: u64,
    to_ms: u64,
    status: &StatusMessage,
) -> Vec<Request> {
    let mut out = Vec::new();
    let mut now = from_ms;
    loop {
        engine.tick(now);
        for request in engine.drain_outbox() {
            match request {
                Request::Status { peer } => engine.handle(NetEvent::Status {
                    peer,
                    status: status.clone(),
                }),
                other => out.push(other),
            }
        }
        if now >= to_ms {
            return out;
        }
        now = (now + 250).min(to_ms);
    }
}

/// A producing member (authority [`ME`]) over a chain of 10 blocks from `seed`, no peers yet: the generator,
/// the spec, the engine, the head block, and the directory of its approval memory (kept alive by the caller).
fn member(
    seed: u64,
) -> (
    ChainGenerator,
    ChainSpec,
    SyncEngine,
    EncodedBlock,
    tempfile::TempDir,
) {
    let t = tempfile::tempdir().unwrap();
    let (generator, spec, engine, head) = member_in(seed, t.path());
    (generator, spec, engine, head, t)
}

/// The same member with its approval memory in `dir` (a second call is the member restarted: a fresh engine and
/// chain store of the same 10 blocks, the same memory).
fn member_in(
    seed: u64,
    dir: &std::path::Path,
) -> (ChainGenerator, ChainSpec, SyncEngine, EncodedBlock) {
    let generator = ChainGenerator::new(GenParams {
        seed,
        payload_bytes: 16,
        ..GenParams::default()
    })
    .unwrap();
    let spec = generator.spec().clone();
    let mut store = RedbStore::in_memory(&spec, Some(generator.genesis())).unwrap();
    let encoded = EncodedBlock::all(generator.blocks(10));
    store.import_batch(&imports(&encoded), None).unwrap();
    let head = encoded.last().unwrap().clone();
    ecsync_components::set_strict(true); // as the test machinery runs engines
    let mut engine = SyncEngine::new(spec.clone(), SyncConfig::default(), Box::new(store)).unwrap();
    let keys =
        MemberKeys::new(&spec, &[(ME, generator.federation().secret_key_bytes(ME))]).unwrap();
    let memory = ApprovalDb::open(&dir.join("approvals.redb")).unwrap();
    engine.set_member(keys, Box::new(memory));
    engine.set_producing(true);
    (generator, spec, engine, head)
}

/// The authority peer `p` (1..=3) proves it holds: the others of [`ME`].
fn authority_of(p: u64) -> usize {
    [0, 2, 3][p as usize - 1]
}

/// Connects peers 1..=3, each claiming `head` and proving itself a member; returns their status.
fn connect_peers_at(
    engine: &mut SyncEngine,
    spec: &ChainSpec,
    head: &EncodedBlock,
) -> StatusMessage {
    let status = if head.block.height() == 0 {
        StatusMessage::unproven(
            spec.chain_id,
            spec.genesis_hash,
            ecsync::components::BlockRef::of(&head.block),
        )
    } else {
        StatusMessage::proven(
            spec.chain_id,
            spec.genesis_hash,
            ecsync::components::HeadProof::of(&head.block),
        )
    };
    for p in 1..=3 {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(p),
            label: format!("p{p}"),
            status: status.clone(),
        });
        engine.handle(NetEvent::PeerAuthenticated {
            peer: PeerId(p),
            authorities: 1 << authority_of(p),
        });
    }
    status
}

/// Another authority's proposal on `head` in the first slot after it that is not [`ME`]'s, with its slot
/// producer's share: (slot, block, share).
fn their_proposal(
    generator: &ChainGenerator,
    spec: &ChainSpec,
    head: &EncodedBlock,
) -> (u64, Block, Approval) {
    let slot = (head.block.slot() + 1..)
        .find(|s| spec.producer_index(*s) != ME)
        .unwrap();
    let mut theirs = generator.child(&head.block.block.header, head.hash);
    theirs.header.slot = slot;
    theirs.header.timestamp_ms = spec.slot_start_ms(slot);
    let share = generator.federation().approve(
        theirs.header.height,
        0,
        &theirs.header.hash(),
        1 << spec.producer_index(slot),
    );
    (slot, theirs, share)
}

/// A member's answer to approval question `request`.
fn answer(peer: PeerId, request: RequestId, answer: ApproveAnswer) -> NetEvent {
    NetEvent::ApprovalAnswered {
        peer,
        request,
        answer: Box::new(answer),
    }
}

/// In its slot (ticked at `now_ms`) the producer proposes the next block on `head`, slot `slot`, endorsed by
/// itself, and asks all three peers; returns the questions.
fn assert_proposes_the_next_block_to_all_three(
    engine: &mut SyncEngine,
    federation: &Federation,
    head: &EncodedBlock,
    (slot, now_ms): (u64, u64),
    status: &StatusMessage,
) -> Vec<(PeerId, RequestId, Block, Approval)> {
    // Its next slot: it proposes the next block on its head and asks all three.
    let asked = asks(&advance(engine, now_ms, now_ms, status));
    assert_eq!(asked.len(), 3, "{asked:?} {:?}", engine.status());
    let proposal = asked[0].2.clone();
    assert!(asked.iter().all(|a| a.2 == proposal));
    assert_eq!(proposal.header.height, 11);
    assert_eq!(proposal.header.slot, slot);
    assert_eq!(proposal.header.parent_hash, head.hash);
    let hash = proposal.header.hash();
    // Endorsed by itself, the slot's producer.
    assert!(
        asked
            .iter()
            .all(|a| a.3 == federation.approve(proposal.header.height, 0, &hash, 1 << ME))
    );
    asked
}

/// Peer 1 answers with a share over another hash (ignored, penalised), peer 2 refuses, peer 3 approves: 2 of 3.
fn answer_wrong_refused_and_approved(
    engine: &mut SyncEngine,
    federation: &Federation,
    asked: &[(PeerId, RequestId, Block, Approval)],
    head: &EncodedBlock,
) {
    let hash = asked[0].2.header.hash();
    // Peer 1 answers with a share over another hash: ignored, and peer 1 is penalised. Peer 2 refuses.
    // Peer 3 approves: 2 of 3.
    let wrong = federation.approve(head.block.height(), 0, &head.hash, 1 << 0);
    engine.handle(answer(
        asked[0].0,
        asked[0].1,
        ApproveAnswer::Approved(wrong),
    ));
    engine.handle(answer(
        asked[1].0,
        asked[1].1,
        ApproveAnswer::refused(RefusalKind::NotOnHead, "behind"),
    ));
    let share3 = federation.approve(asked[0].2.header.height, 0, &hash, 1 << 3);
    engine.handle(answer(
        asked[2].0,
        asked[2].1,
        ApproveAnswer::Approved(share3),
    ));
}

/// Between its slots (`between`: the requests then) it only asks again for `proposal`, bans the sender of the
/// bad share (`bad`), and gives its slot up without a quorum.
fn assert_slot_given_up_and_the_bad_share_banned(
    engine: &SyncEngine,
    between: &[Request],
    proposal: &Block,
    bad: PeerId,
) {
    // In the others' slots it only asks again for the block it approved at height 11.
    let again = asks(between);
    assert!(!again.is_empty(), "never asked again in the others' slots");
    assert!(
        again.iter().all(|a| a.2 == *proposal),
        "proposed another block"
    );
    assert_eq!(
        engine.counters().peer_bans,
        1,
        "the bad share went unpunished"
    );
    assert!(
        between
            .iter()
            .any(|r| matches!(r, Request::Disconnect { peer, ban: true, .. } if *peer == bad)),
        "its sender stays: {between:?}"
    );
    assert_eq!(
        engine.counters().slots_skipped[SkipReason::NoQuorum.index()],
        1
    );
    assert_eq!(engine.head().height, 10);
}

/// Imported at a quorum (`after`: the requests then, at `now_ms`): published once, with the three shares, valid
/// on `head`, and durable in the store.
fn assert_imported_published_and_durable(
    engine: &SyncEngine,
    spec: &ChainSpec,
    after: Vec<Request>,
    (proposal, head): (&Block, &EncodedBlock),
    now_ms: u64,
) {
    let hash = proposal.header.hash();
    assert_eq!(engine.head().height, 11, "not imported at a quorum");
    assert_eq!(engine.head().hash, hash);
    assert_eq!(engine.counters().blocks_produced, 1);
    let published: Vec<Vec<u8>> = after
        .into_iter()
        .filter_map(|r| match r {
            Request::PublishBlock { bytes } => Some(bytes),
            _ => None,
        })
        .collect();
    assert_eq!(published.len(), 1);
    let block = SignedBlock::decode(&published[0], spec.max_block_bytes as usize).unwrap();
    assert_eq!(block.block, *proposal);
    assert_eq!(block.approval.approvers, (1 << ME) | (1 << 0) | (1 << 3));
    let authorities = Authorities::from_spec(spec).unwrap();
    let parent = ecsync::components::BlockRef::of(&head.block);
    validate_block(spec, &authorities, &parent, &block, now_ms).unwrap();
    assert_eq!(
        engine.store().block(11).unwrap().unwrap().hash(),
        hash,
        "durable in the store"
    );
}

#[test]
fn a_producer_proposes_in_its_slots_with_the_gate_open_and_imports_at_a_quorum() {
    let (generator, spec, mut engine, head, _memory) = member(31);
    let federation = generator.federation();
    let head = &head;

    // The member's slots after the head.
    let mut ours = (head.block.slot() + 1..).filter(|s| spec.producer_index(*s) == ME);
    let at = |slot: u64, offset: u64| spec.slot_start_ms(slot) + offset;

    // No peers: the gate is closed; its slot is skipped, nothing is asked.
    let s1 = ours.next().unwrap();
    engine.tick(at(s1, 10));
    assert!(!engine.can_produce_blocks());
    assert_eq!(
        engine.counters().slots_skipped[SkipReason::GateClosed.index()],
        1
    );
    assert!(asks(&engine.drain_outbox()).is_empty());

    // Three peers at our head: Synced, the gate opens.
    let status = connect_peers_at(&mut engine, &spec, head);
    let s2 = ours.next().unwrap();
    let before = advance(&mut engine, at(s1, 20), at(s2, 0) - 1, &status);
    assert!(asks(&before).is_empty(), "proposed outside its slot");
    assert_eq!(engine.status().state, SyncState::Synced);

    let asked = assert_proposes_the_next_block_to_all_three(
        &mut engine,
        federation,
        head,
        (s2, at(s2, 5)),
        &status,
    );
    let proposal = asked[0].2.clone();
    let hash = proposal.header.hash();
    answer_wrong_refused_and_approved(&mut engine, federation, &asked, head);
    advance(&mut engine, at(s2, 50), at(s2, 50), &status);
    assert_eq!(engine.head().height, 10, "no quorum yet");
    // The slot ends: given up.
    let s3 = ours.next().unwrap();
    let between = advance(&mut engine, at(s2, 60), at(s3, 0) - 1, &status);
    assert_slot_given_up_and_the_bad_share_banned(&engine, &between, &proposal, asked[0].0);

    // Its next slot: it approved `proposal` at height 11, so it proposes THAT block again.
    let asked = asks(&advance(&mut engine, at(s3, 5), at(s3, 5), &status));
    assert!(!asked.is_empty());
    assert!(asked.iter().all(|a| a.2 == proposal), "not re-proposed");
    // A late answer to the earlier question does not count; two valid shares now make the quorum.
    let share0 = federation.approve(proposal.header.height, 0, &hash, 1 << 0);
    for (peer, request, _, _) in &asked {
        let share = if peer.0 == 2 {
            share0.clone()
        } else {
            federation.approve(proposal.header.height, 0, &hash, 1 << 3)
        };
        engine.handle(answer(*peer, *request, ApproveAnswer::Approved(share)));
    }
    let after = advance(&mut engine, at(s3, 50), at(s3, 50), &status);
    assert_imported_published_and_durable(&engine, &spec, after, (&proposal, head), at(s3, 50));
}

#[test]
fn a_producer_proposes_the_first_proposal_it_saw_at_a_height_before_its_own() {
    let (generator, spec, mut engine, head, _memory) = member(32);
    let head = &head;
    let at = |slot: u64, offset: u64| spec.slot_start_ms(slot) + offset;
    // Another authority's proposal at height 11, asked while this member's gate is closed (no peers yet).
    let (other_slot, theirs, endorsement) = their_proposal(&generator, &spec, head);
    let their_producer = spec.producer_index(other_slot);
    // First an outsider's block at that height, endorsed by someone who is not its slot's producer: never kept.
    let mut junk = theirs.clone();
    junk.payload = b"an outsider's block".to_vec();
    junk.header.payload_root = ecsync::components::payload_root(&junk.payload);
    let not_producer = (their_producer + 1) % spec.authority_count();
    let forged = generator.federation().approve(
        junk.header.height,
        0,
        &junk.header.hash(),
        1 << not_producer,
    );
    for (ask, block, producer) in [(1, &junk, forged), (2, &theirs, endorsement.clone())] {
        engine.handle(NetEvent::ApprovalAsked {
            peer: PeerId(9),
            ask,
            block: Box::new(block.clone()),
            producer: Box::new(producer),
        });
    }
    engine.tick(at(other_slot, 10));
    let refused = engine
        .drain_outbox()
        .into_iter()
        .filter(|r| {
            matches!(
                r,
                Request::AnswerApproval {
                    answer: ApproveAnswer::Refused {
                        kind: RefusalKind::GateClosed,
                        ..
                    },
                    ..
                }
            )
        })
        .count();
    assert_eq!(refused, 2, "asked with its gate closed, it must refuse");
    // Peers at its head: the gate opens. In its own slot it proposes the block it saw, not one of its own.
    let status = connect_peers_at(&mut engine, &spec, head);
    let ours = (other_slot + 1..)
        .find(|s| spec.producer_index(*s) == ME)
        .unwrap();
    advance(&mut engine, at(other_slot, 20), at(ours, 0) - 1, &status);
    let asked = asks(&advance(&mut engine, at(ours, 5), at(ours, 5), &status));
    assert!(!asked.is_empty());
    assert!(asked.iter().all(|a| a.2 == theirs), "{asked:?}");
    // With its producer's share: once two more members approve, the block is valid without its producer.
    assert!(asked.iter().all(|a| a.3 == endorsement));
}

#[test]
fn a_restarted_member_proposes_the_block_it_approved_before_the_restart() {
    // Seen in the devnet test: every member approved one block at a height, none imported it, all restarted. The
    // approval binds each of them at that height, so unless the block itself survives the restart the chain stops
    // there for good.
    let t = tempfile::tempdir().unwrap();
    let (generator, spec, mut engine, head) = member_in(33, t.path());
    let at = |slot: u64, offset: u64| spec.slot_start_ms(slot) + offset;
    let status = connect_peers_at(&mut engine, &spec, &head);
    // Another authority's proposal at height 11, endorsed by its slot's producer; the member approves it.
    let (other_slot, theirs, endorsement) = their_proposal(&generator, &spec, &head);
    advance(
        &mut engine,
        at(other_slot, 0) - 500,
        at(other_slot, 0),
        &status,
    );
    engine.handle(NetEvent::ApprovalAsked {
        peer: PeerId(1),
        ask: 1,
        block: Box::new(theirs.clone()),
        producer: Box::new(endorsement.clone()),
    });
    let answers = advance(&mut engine, at(other_slot, 10), at(other_slot, 10), &status);
    assert!(
        answers.iter().any(|r| matches!(
            r,
            Request::AnswerApproval {
                answer: ApproveAnswer::Approved(_),
                ..
            }
        )),
        "not approved: {answers:?}"
    );
    assert_eq!(engine.head().height, 10);

    // The member restarts: a new engine, the same approval memory.
    drop(engine);
    let (_, _, mut engine, _) = member_in(33, t.path());
    let status = connect_peers_at(&mut engine, &spec, &head);
    let ours = (other_slot + 1..)
        .find(|s| spec.producer_index(*s) == ME)
        .unwrap();
    advance(&mut engine, at(other_slot, 20), at(ours, 0) - 1, &status);
    // In its slot it proposes that very block again, with its producer's share; it does not give the slot up.
    let asked = asks(&advance(&mut engine, at(ours, 5), at(ours, 5), &status));
    assert!(
        !asked.is_empty(),
        "gave its slot up: {:?}",
        engine.counters()
    );
    assert!(asked.iter().all(|a| a.2 == theirs), "{asked:?}");
    assert!(asked.iter().all(|a| a.3 == endorsement));
    assert_eq!(
        engine.counters().slots_skipped[SkipReason::OwnRefusal.index()],
        0
    );
}

/// Its first slot after `head` and a function of (slot, offset) to engine time; ticks up to just before that slot
/// (answering status requests with `status`) so that its gate is open when the slot begins.
fn up_to_its_slot(
    engine: &mut SyncEngine,
    spec: &ChainSpec,
    head: &EncodedBlock,
    status: &StatusMessage,
) -> u64 {
    let ours = (head.block.slot() + 1..)
        .find(|s| spec.producer_index(*s) == ME)
        .unwrap();
    let begins = spec.slot_start_ms(ours);
    advance(engine, begins - 2_000, begins - 1, status);
    assert!(engine.can_produce_blocks());
    ours
}

/// Ticks once at `now_ms`; returns the approval questions sent.
fn tick_asks(engine: &mut SyncEngine, now_ms: u64) -> Vec<(PeerId, RequestId, Block, Approval)> {
    engine.tick(now_ms);
    asks(&engine.drain_outbox())
}

#[test]
fn a_producer_asks_members_only_and_a_member_as_soon_as_it_proves_itself() {
    let (generator, spec, mut engine, head, _memory) = member(34);
    let status = connect_peers_at(&mut engine, &spec, &head);
    // Peer 4 connects at our head too, and does not prove itself a member (yet).
    engine.handle(NetEvent::PeerConnected {
        peer: PeerId(4),
        label: "p4".into(),
        status: status.clone(),
    });
    let ours = up_to_its_slot(&mut engine, &spec, &head, &status);
    let t0 = spec.slot_start_ms(ours) + 5;
    let asked = tick_asks(&mut engine, t0);
    let peers: Vec<PeerId> = asked.iter().map(|a| a.0).collect();
    assert_eq!(
        peers,
        [PeerId(1), PeerId(2), PeerId(3)],
        "asked an outsider"
    );
    // Nobody answers: nobody is asked again (a question open is not a question failed).
    assert!(tick_asks(&mut engine, t0 + 1_000).is_empty());
    // Peer 4 proves it holds authority 0 during the slot: asked at the next tick, about the same block with the
    // same producer share.
    engine.handle(NetEvent::PeerAuthenticated {
        peer: PeerId(4),
        authorities: 1 << 0,
    });
    let late = tick_asks(&mut engine, t0 + 1_010);
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].0, PeerId(4));
    assert_eq!((&late[0].2, &late[0].3), (&asked[0].2, &asked[0].3));
    // Its share and peer 3's make the quorum (3 of 4, its own included).
    let hash = asked[0].2.header.hash();
    let height = asked[0].2.header.height;
    let federation = generator.federation();
    let share = |i: usize| ApproveAnswer::Approved(federation.approve(height, 0, &hash, 1 << i));
    engine.handle(answer(PeerId(4), late[0].1, share(0)));
    engine.handle(answer(PeerId(3), asked[2].1, share(3)));
    engine.tick(t0 + 1_020);
    assert_eq!(engine.head().hash, hash, "not imported at a quorum");
}

#[test]
fn a_producer_asks_again_within_its_slot_after_a_failure_or_a_refusal_that_may_pass() {
    let (generator, spec, mut engine, head, _memory) = member(35);
    let status = connect_peers_at(&mut engine, &spec, &head);
    let ours = up_to_its_slot(&mut engine, &spec, &head, &status);
    let t0 = spec.slot_start_ms(ours) + 5;
    let asked = tick_asks(&mut engine, t0);
    assert_eq!(asked.len(), 3);
    // Peer 1's queue is full (refused as busy), peer 2 shed the question (its stream closed unanswered), peer 3
    // approved another block at this height (final: not asked again).
    engine.handle(answer(
        asked[0].0,
        asked[0].1,
        ApproveAnswer::refused(RefusalKind::Busy, "too many questions waiting"),
    ));
    engine.handle(NetEvent::RequestFailed {
        peer: asked[1].0,
        request: asked[1].1,
        reason: ecsync::components::FailureReason::Dropped,
    });
    engine.handle(answer(
        asked[2].0,
        asked[2].1,
        ApproveAnswer::refused(RefusalKind::Equivocation, "approved another"),
    ));
    let t1 = t0 + 10;
    assert!(tick_asks(&mut engine, t1).is_empty());
    // Asked again after the backoff, on the engine's clock, not before.
    assert!(tick_asks(&mut engine, t1 + RETRY_BASE_MS - 1).is_empty());
    let again = tick_asks(&mut engine, t1 + RETRY_BASE_MS);
    let peers: Vec<PeerId> = again.iter().map(|a| a.0).collect();
    assert_eq!(peers, [PeerId(1), PeerId(2)]);
    for a in &again {
        assert_eq!((&a.2, &a.3), (&asked[0].2, &asked[0].3), "another question");
        assert!(asked.iter().all(|old| old.1 != a.1), "a request id reused");
    }
    // An answer to any of a member's questions counts: peer 1 answers its first, peer 2 its second.
    let hash = asked[0].2.header.hash();
    let height = asked[0].2.header.height;
    let federation = generator.federation();
    let share = |i: usize| ApproveAnswer::Approved(federation.approve(height, 0, &hash, 1 << i));
    engine.handle(answer(PeerId(1), asked[0].1, share(authority_of(1))));
    engine.handle(answer(PeerId(2), again[1].1, share(authority_of(2))));
    engine.tick(t1 + RETRY_BASE_MS + 10);
    assert_eq!(engine.head().hash, hash, "not imported at a quorum");
    assert_eq!(engine.counters().blocks_produced, 1);
}

/// A member that refuses as no member has not verified our proof yet (the two proofs of a new connection cross):
/// asked again after the backoff.
#[test]
fn a_producer_asks_again_a_member_that_had_not_yet_proven_it() {
    let (_generator, spec, mut engine, head, _memory) = member(36);
    let status = connect_peers_at(&mut engine, &spec, &head);
    let ours = up_to_its_slot(&mut engine, &spec, &head, &status);
    let t0 = spec.slot_start_ms(ours) + 5;
    let asked = tick_asks(&mut engine, t0);
    engine.handle(answer(
        asked[0].0,
        asked[0].1,
        ApproveAnswer::refused(
            RefusalKind::NotAMember,
            "only proven federation members may ask",
        ),
    ));
    let t1 = t0 + 10;
    assert!(tick_asks(&mut engine, t1).is_empty());
    assert!(tick_asks(&mut engine, t1 + RETRY_BASE_MS - 1).is_empty());
    let again = tick_asks(&mut engine, t1 + RETRY_BASE_MS);
    assert_eq!(again.iter().map(|a| a.0).collect::<Vec<_>>(), [asked[0].0]);
}

#[test]
fn a_producer_asks_a_member_at_most_max_attempts_times_per_proposal_with_a_doubling_backoff() {
    let (_generator, spec, mut engine, head, _memory) = member(36);
    let status = connect_peers_at(&mut engine, &spec, &head);
    let ours = up_to_its_slot(&mut engine, &spec, &head, &status);
    // Through the whole slot, every 50 ms: peer 1 refuses every question (its gate closed), peer 2 does not
    // speak the protocol (a failure that does not pass), peer 3 never answers.
    let mut asked_at: [Vec<u64>; 4] = Default::default();
    let mut now = spec.slot_start_ms(ours) + 5;
    while now < spec.slot_start_ms(ours + 1) {
        for (peer, request, ..) in tick_asks(&mut engine, now) {
            asked_at[peer.0 as usize].push(now);
            match peer.0 {
                1 => engine.handle(answer(
                    peer,
                    request,
                    ApproveAnswer::refused(RefusalKind::GateClosed, "syncing"),
                )),
                2 => engine.handle(NetEvent::RequestFailed {
                    peer,
                    request,
                    reason: ecsync::components::FailureReason::Protocol(
                        ecsync::components::AnswerError::Unsupported,
                    ),
                }),
                _ => {}
            }
        }
        now += 50;
    }
    assert_eq!(asked_at[1].len(), MAX_ATTEMPTS, "{:?}", asked_at[1]);
    for (i, pair) in asked_at[1].windows(2).enumerate() {
        let backoff = (RETRY_BASE_MS << i).min(RETRY_MAX_MS);
        assert!(pair[1] - pair[0] >= backoff, "{:?}", asked_at[1]);
    }
    assert_eq!((asked_at[2].len(), asked_at[3].len()), (1, 1));
    // The slot ends: given up.
    engine.tick(spec.slot_start_ms(ours + 1));
    assert_eq!(
        engine.counters().slots_skipped[SkipReason::NoQuorum.index()],
        1
    );
}

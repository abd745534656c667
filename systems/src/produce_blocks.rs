//! `produce_blocks`: this node as a block producer (`--produce` on a federation member). The chain grows only
//! through it, so it obeys the production gate: in each Aura slot whose producer (`authorities[slot % n]`) this
//! member holds, and ONLY while its gate is open, it proposes the next block on its head, approves it itself
//! (through the same `consensus::decide` and durable memory as any member's approval), asks the members (peers
//! that proved they hold authority keys: `Member`; never an outsider) for their approval, verifies each share as
//! it comes, and at a quorum ⌈2n/3⌉ combines the shares into the block's approval, imports it durably and
//! publishes it.
//!
//! While the proposal lasts (its slot), a member whose question failed (shed, timed out, its connection closed)
//! or was refused for a reason that may pass (busy, gate closed, not on its head, slot not begun by its clock) is
//! asked again, about the same block with the same producer share, after [`RETRY_BASE_MS`] doubling with each
//! attempt up to [`RETRY_MAX_MS`] on the engine's clock, at most [`MAX_ATTEMPTS`] questions per member per
//! proposal; a member that proves itself during the slot is asked then. Every request id asked is kept with the
//! proposal, so an answer to an earlier question still counts. A slot in which it does not produce is counted by
//! reason (`SkipReason`): the gate was closed, the operator paused the node, the head already holds that slot,
//! it could not approve its own proposal, or the slot ended without a quorum.
//!
//! Members approve at most one block per height: once any member approved a block at a height, a different
//! block there can never gather that member's approval. So the federation must converge on one proposal per
//! height: a producer that approved a block at the height it is about to fill proposes THAT block again (kept in
//! `FederationMember::approved_blocks`); one that approved nothing there but was asked about a well-formed
//! proposal (e.g. while its gate was closed) proposes the first one it saw (`seen_blocks`); only otherwise its
//! own. And in the others' slots a member that approved a block at the height to fill asks again for it, so a
//! proposal that gathered some approvals completes as soon as enough members are there to approve it, without
//! waiting for a slot of its own (see docs/ARCHITECTURE.md, "Consensus").

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Member, Peer};
use ecsync_components::resources::{
    ApprovalAnswers, ApprovalReply, Asked, Outbox, PeerIndex, Production, Proposal, RequestCounter,
    SkipReason, SyncControl,
};
use ecsync_components::{
    Approval, ApproveAnswer, Block, BlockRef, ChainSpec, EncodedBlock, FailureReason, Hash32,
    Header, OutcomeKind, PeerId, PeerOutcome, RefusalKind, Request, RequestId, SignedBlock, Slot,
    StoreError, payload_root,
};

use crate::consensus::{
    APPROVAL_ROUND, ApprovalRecord, PreparedApproval, combine, decide, validate_block,
};
use crate::params::{ChainWriter, Rules};
use crate::resources::FederationMember;

/// Most members asked per proposal.
pub const MAX_ASKED: usize = 64;

/// Most questions asked of one member per proposal (the first and its retries).
pub const MAX_ATTEMPTS: usize = 6;

/// A question that failed, or was refused for a reason that may pass, is asked again this long after (engine
/// ms), doubling with each attempt up to [`RETRY_MAX_MS`], while the proposal's slot lasts.
pub const RETRY_BASE_MS: u64 = 100;

/// The longest wait before asking again.
pub const RETRY_MAX_MS: u64 = 1_600;

/// What the producer did in a slot, for the node's log (drained each tick by the node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductionEvent {
    /// A block was produced and imported.
    Produced {
        /// Its height.
        height: u64,
        /// Its slot.
        slot: Slot,
        /// Its approvers.
        approvers: u64,
    },
    /// A slot passed without a block.
    Skipped {
        /// The slot.
        slot: Slot,
        /// Why.
        reason: SkipReason,
        /// More, for people.
        detail: String,
    },
}

/// The producer's log since the node last looked (at most a few per slot).
#[derive(Resource, Clone, Debug, Default)]
pub struct ProductionLog(pub Vec<ProductionEvent>);

/// The next block on `head` in `slot`, as this node builds it: no transactions (ecsync carries no execution
/// layer), the timestamp at the slot's start.
pub fn next_block(spec: &ChainSpec, head: &BlockRef, slot: Slot) -> Block {
    let payload = Vec::new();
    Block {
        header: Header {
            height: head.height + 1,
            slot,
            parent_hash: head.hash,
            timestamp_ms: spec.slot_start_ms(slot),
            payload_root: payload_root(&payload),
            state_root: Hash32::ZERO,
        },
        payload,
    }
}

/// What the producer reads and writes besides the chain.
#[derive(bevy_ecs::system::SystemParam)]
pub struct ProducerState<'w, 's> {
    /// Its state.
    pub production: ResMut<'w, Production>,
    /// Its log.
    pub log: ResMut<'w, ProductionLog>,
    /// The operator's pause.
    pub control: Res<'w, SyncControl>,
    /// Answers to its questions.
    pub answers: ResMut<'w, ApprovalAnswers>,
    /// Peers by id (to blame one).
    pub peers: Res<'w, PeerIndex>,
    /// Who it asks: the peers that proved they are members.
    pub members: Query<'w, 's, (&'static Peer, &'static Member)>,
    /// Request ids.
    pub ids: ResMut<'w, RequestCounter>,
    /// Questions and publications go here.
    pub outbox: ResMut<'w, Outbox>,
}

impl ProducerState<'_, '_> {
    fn skip(&mut self, chain: &mut ChainWriter, slot: Slot, reason: SkipReason, detail: String) {
        chain.counters.slots_skipped[reason.index()] += 1;
        self.log.0.push(ProductionEvent::Skipped {
            slot,
            reason,
            detail,
        });
    }
}

/// Produces in this member's slots. See the module docs.
pub fn produce_blocks(
    rules: Rules,
    mut chain: ChainWriter,
    mut state: ProducerState,
    member: Option<ResMut<FederationMember>>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let Some(mut member) = member else {
        state.answers.0.clear();
        return;
    };
    if !state.production.enabled {
        state.answers.0.clear();
        return;
    }
    // 1. Answers to the proposal's questions.
    take_answers(&rules, &mut state, &mut outcomes);
    // 2. A new slot of ours: propose.
    new_slot(&rules, &mut chain, &mut state, &mut member);
    // 3. A quorum: import and publish. The slot's end: give up.
    conclude(&rules, &mut chain, &mut state);
    // 4. Still collecting: ask the members due again, and those that joined.
    ask_members(&mut state, rules.env.now());
}

/// Takes the answers to the proposal's questions: a share that verifies joins it; one that does not blames the
/// member that sent it. A question that failed, or was refused for a reason that may pass, is asked again later
/// (`retry`). Answers to an earlier proposal's questions, other refusals and shares of authorities it has
/// already are passed over.
fn take_answers(
    rules: &Rules,
    state: &mut ProducerState,
    outcomes: &mut MessageWriter<PeerOutcome>,
) {
    let answers: Vec<_> = state.answers.0.drain(..).collect();
    let Some(proposal) = state.production.proposal.as_mut() else {
        return;
    };
    let now = rules.env.now();
    for (peer, request, reply) in answers {
        if !proposal.asks(peer, request) {
            continue; // an earlier proposal's
        }
        let share = match reply {
            ApprovalReply::Answered(answer) => match *answer {
                ApproveAnswer::Approved(share) => share,
                // A refusal: the member counts it. One that may pass is asked again.
                ApproveAnswer::Refused { kind, .. } => {
                    if passing(kind) {
                        retry(proposal, peer, request, now);
                    }
                    continue;
                }
            },
            ApprovalReply::Failed(reason) => {
                if !matches!(reason, FailureReason::Protocol(_)) {
                    retry(proposal, peer, request, now);
                }
                continue;
            }
        };
        if share.approvers & proposal.approvers != 0 {
            continue; // authorities it has already
        }
        match verify_share(rules, proposal, &share) {
            Ok(()) => {
                proposal.approvers |= share.approvers;
                proposal.shares.push(share);
            }
            Err(rule) => {
                // A member that answers with a share that does not verify is lying.
                if let Some(entity) = state.peers.0.get(&peer) {
                    outcomes.write(PeerOutcome {
                        peer: *entity,
                        peer_id: peer,
                        kind: OutcomeKind::Invalid(ecsync_components::Offence::Block {
                            height: proposal.block.header.height,
                            rule: format!("approval share: {rule}"),
                        }),
                        latency_ms: None,
                    });
                }
            }
        }
    }
}

/// A refusal that says how the member is now, not what it thinks of the block: it may approve when asked again
/// (its queue was full, its gate closed, its head behind ours, its clock behind, or it had not yet verified our
/// membership proof: questions are asked only of members that proved themselves to us, and the two proofs of a
/// new connection cross).
fn passing(kind: RefusalKind) -> bool {
    matches!(
        kind,
        RefusalKind::Busy
            | RefusalKind::GateClosed
            | RefusalKind::NotOnHead
            | RefusalKind::SlotNotBegun
            | RefusalKind::NotAMember
    )
}

/// `peer`'s question `request` failed or was refused for a reason that may pass: it is asked again after the
/// backoff, unless that was not its latest question (a newer one is open), a retry is due already, or it was asked
/// [`MAX_ATTEMPTS`] times.
fn retry(proposal: &mut Proposal, peer: PeerId, request: RequestId, now: u64) {
    let Some(asked) = proposal.asked.iter_mut().find(|a| a.peer == peer) else {
        return;
    };
    let attempts = asked.requests.len();
    if asked.requests.last() != Some(&request)
        || asked.retry_at_ms.is_some()
        || attempts >= MAX_ATTEMPTS
    {
        return;
    }
    let wait = RETRY_BASE_MS
        .saturating_mul(1 << (attempts.saturating_sub(1)).min(16))
        .min(RETRY_MAX_MS);
    asked.retry_at_ms = Some(now.saturating_add(wait));
}

/// When a slot begins: in a slot of its own, or with no proposal running, the old proposal is given up and it
/// proposes.
fn new_slot(
    rules: &Rules,
    chain: &mut ChainWriter,
    state: &mut ProducerState,
    member: &mut FederationMember,
) {
    let spec = &rules.env.spec.0;
    let current = spec.slot_at(rules.env.now());
    if state
        .production
        .last_slot
        .is_some_and(|last| current <= last)
    {
        return;
    }
    state.production.last_slot = Some(current);
    let ours = member.keys.holds(spec.producer_index(current));
    if !ours && state.production.proposal.is_some() {
        return;
    }
    if let Some(old) = state.production.proposal.take()
        && old.ours
    {
        let detail = format!(
            "{} approvers of {}",
            old.approvers.count_ones(),
            spec.quorum()
        );
        state.skip(chain, old.in_slot, SkipReason::NoQuorum, detail);
    }
    // In another's slot it asks again for a block it approved at the height to fill (a proposal that gathered some
    // approvals but not a quorum), so that the height does not wait for that block's producer's next slot.
    propose(rules, chain, state, member, current, ours);
}

/// The proposal's end: at a quorum it imports and publishes; a height filled meanwhile or the slot's end gives it
/// up.
fn conclude(rules: &Rules, chain: &mut ChainWriter, state: &mut ProducerState) {
    let spec = &rules.env.spec.0;
    let Some(proposal) = state.production.proposal.as_ref() else {
        return;
    };
    if proposal.block.header.height <= chain.head.0.height {
        let old = state.production.proposal.take().expect("checked");
        if old.ours {
            let detail = format!("height {} filled meanwhile", old.block.header.height);
            state.skip(chain, old.in_slot, SkipReason::SlotTaken, detail);
        }
        return;
    }
    if proposal.approvers.count_ones() as usize >= spec.quorum() {
        let proposal = state.production.proposal.take().expect("checked");
        finish(rules, chain, state, proposal);
        return;
    }
    if rules.env.now() >= proposal.deadline_ms {
        let old = state.production.proposal.take().expect("checked");
        if !old.ours {
            return;
        }
        let detail = format!(
            "{} approvers of {} by the slot's end",
            old.approvers.count_ones(),
            spec.quorum()
        );
        state.skip(chain, old.in_slot, SkipReason::NoQuorum, detail);
    }
}

/// A share verifies alone: its approvers are authorities and its signature is their precommit for the block in
/// the round asked about ([`APPROVAL_ROUND`]).
fn verify_share(rules: &Rules, proposal: &Proposal, share: &Approval) -> Result<(), String> {
    let n = rules.env.spec.0.authority_count();
    if n < 64 && share.approvers >> n != 0 || share.approvers == 0 {
        return Err("unknown approvers".into());
    }
    if share.round != APPROVAL_ROUND {
        return Err(format!("a share of round {}", share.round));
    }
    let signed = SignedBlock {
        block: proposal.block.clone(),
        approval: share.clone(),
    };
    PreparedApproval::new(&rules.keys.0, &signed, proposal.hash)
        .and_then(|p| p.verify())
        .map_err(|e| e.to_string())
}

/// Why no proposal goes out in a slot: the reason to count (in a slot of its own), or None (another's slot, with
/// nothing approved to ask again for).
type NoProposal = Option<(SkipReason, String)>;

/// Proposes in `slot` (`ours`: a slot of its own; otherwise it only asks again for the block it approved at the
/// height to fill, and counts nothing): the block (the one it approved at that height, else the first proposal it
/// saw there, else its own), its own approval, the questions.
fn propose(
    rules: &Rules,
    chain: &mut ChainWriter,
    state: &mut ProducerState,
    member: &mut FederationMember,
    slot: Slot,
    ours: bool,
) {
    match proposal(rules, chain, state, member, slot, ours) {
        Ok(proposal) => state.production.proposal = Some(proposal),
        Err(Some((reason, detail))) if ours => state.skip(chain, slot, reason, detail),
        Err(_) => {}
    }
}

/// The proposal `propose` makes, its approval remembered and its questions sent.
fn proposal(
    rules: &Rules,
    chain: &mut ChainWriter,
    state: &mut ProducerState,
    member: &mut FederationMember,
    slot: Slot,
    ours: bool,
) -> Result<Proposal, NoProposal> {
    let spec = &rules.env.spec.0;
    let head = chain.head.0;
    may_propose(rules, chain, state, slot)?;
    let (block, producer, approved) = choose_block(spec, member, &head, slot, ours)?;
    // The gate is open (`may_propose`).
    let record = decide(spec, true, &head, &block, rules.env.now(), &*member.memory)
        .map_err(|refusal| Some((SkipReason::OwnRefusal, refusal.to_string())))?;
    let own = member
        .keys
        .approve(record.height, APPROVAL_ROUND, &record.hash);
    // The producer's share travels with the block (members approve only what its producer approved), and counts
    // towards the quorum: a block proposed again completes even while its producer is away.
    let producer = producer.unwrap_or_else(|| own.clone());
    if approved != Some(record) {
        let written = member
            .memory
            .record(record, &block, &producer)
            .map_err(|e| {
                let detail = format!("cannot remember its approval: {e}");
                Some((SkipReason::OwnRefusal, detail))
            })?;
        chain.counters.approval_memory_writes += u64::from(written);
    }
    member.keep_approved(&block, &producer);
    // Its producer share is trusted (its own, or one verified before it was kept): asked about this block with
    // it, this member answers from memory.
    member.answered.note(record.hash, &producer, Some(&own));
    let mut shares = vec![own.clone()];
    if producer.approvers & own.approvers == 0 {
        shares.push(producer.clone());
    }
    let approvers = shares.iter().fold(0, |bits, s| bits | s.approvers);
    // The members are asked at the end of the tick (`ask_members`).
    Ok(Proposal {
        in_slot: slot,
        ours,
        hash: record.hash,
        block,
        producer,
        approvers,
        shares,
        asked: Vec::new(),
        deadline_ms: spec.slot_start_ms(slot.saturating_add(1)),
    })
}

/// Whether it may propose in `slot`: its production gate open, not paused by the operator, the head of an earlier
/// slot.
fn may_propose(
    rules: &Rules,
    chain: &ChainWriter,
    state: &ProducerState,
    slot: Slot,
) -> Result<(), NoProposal> {
    let (head, progress) = (chain.head.0, &chain.progress);
    if !progress.production_gate(head.height, &rules.env.config) {
        let detail = format!(
            "{:?} at {} of {}",
            progress.state, head.height, progress.target
        );
        return Err(Some((SkipReason::GateClosed, detail)));
    }
    if state.control.paused {
        return Err(Some((SkipReason::Paused, "paused by the operator".into())));
    }
    if head.slot >= slot {
        let detail = format!("the head {} is of slot {}", head.height, head.slot);
        return Err(Some((SkipReason::SlotTaken, detail)));
    }
    Ok(())
}

/// The approval memory could not be read: it refuses to sign.
fn unreadable(e: StoreError) -> NoProposal {
    let detail = format!("cannot read its approval memory: {e}");
    Some((SkipReason::OwnRefusal, detail))
}

/// The block to propose on `head` in `slot`, with its slot producer's share when it is another's (None: its own,
/// its share is the producer's), and what it approved at that height before: the block it approved there, else
/// (in a slot of its own) the first proposal it saw there, else its own.
fn choose_block(
    spec: &ChainSpec,
    member: &FederationMember,
    head: &BlockRef,
    slot: Slot,
    ours: bool,
) -> Result<(Block, Option<Approval>, Option<ApprovalRecord>), NoProposal> {
    let height = head.height + 1;
    let approved = member.memory.at_height(height).map_err(unreadable)?;
    let on_head = |kept: &&(Block, Approval)| kept.0.header.parent_hash == head.hash;
    // The block it approved at this height: kept in memory, else in the approval memory (a restart loses the
    // first).
    let kept = match approved.map(|_| member.approved_blocks.get(&height).cloned()) {
        Some(None) => member.memory.block_at(height).map_err(unreadable)?,
        Some(kept) => kept,
        None => None,
    };
    let Some(record) = approved else {
        // Not bound at this height: the first proposal seen there, else its own (in its own slots only).
        if !ours {
            return Err(None);
        }
        return Ok(match member.seen_blocks.get(&height).filter(on_head) {
            Some((seen, producer)) => (seen.clone(), Some(producer.clone()), None),
            None => (next_block(spec, head, slot), None, None),
        });
    };
    match kept.filter(|kept| on_head(&kept)) {
        Some((block, producer)) if block.header.hash() == record.hash => {
            Ok((block, Some(producer), approved))
        }
        _ => {
            let detail = format!(
                "approved {} at height {height} before and no longer has it",
                record.hash
            );
            Err(Some((SkipReason::OwnRefusal, detail)))
        }
    }
}

/// Asks the members about the running proposal: each member not asked yet (at most [`MAX_ASKED`] in all, by
/// id: the first ones, and any that proved itself a member since), and each whose retry is due. Not asked: a
/// member whose authorities' shares it holds already. A member gone keeps its retry until it is back.
fn ask_members(state: &mut ProducerState, now: u64) {
    let Some(proposal) = state.production.proposal.as_mut() else {
        return;
    };
    let mut members: Vec<(PeerId, u64)> = state
        .members
        .iter()
        .map(|(peer, member)| (peer.id, member.authorities))
        .collect();
    members.sort_unstable();
    for (peer, authorities) in members {
        if authorities & !proposal.approvers == 0 {
            continue; // its approvals are in
        }
        let asked = match proposal.asked.iter().position(|a| a.peer == peer) {
            Some(i) if proposal.asked[i].retry_at_ms.is_some_and(|at| at <= now) => i,
            Some(_) => continue,
            None if proposal.asked.len() < MAX_ASKED => {
                proposal.asked.push(Asked {
                    peer,
                    requests: Vec::new(),
                    retry_at_ms: None,
                });
                proposal.asked.len() - 1
            }
            None => continue,
        };
        state.ids.0 += 1;
        let request = RequestId(state.ids.0);
        let asked = &mut proposal.asked[asked];
        asked.requests.push(request);
        asked.retry_at_ms = None;
        state.outbox.0.push(Request::AskApproval {
            peer,
            request,
            block: Box::new(proposal.block.clone()),
            producer: proposal.producer.clone(),
        });
    }
}

/// Combines the shares, checks the block as any block is checked, imports it durably and publishes it.
fn finish(rules: &Rules, chain: &mut ChainWriter, state: &mut ProducerState, proposal: Proposal) {
    let slot = proposal.in_slot;
    let approval = match combine(&proposal.shares) {
        Ok(approval) => approval,
        Err(e) => {
            state.skip(chain, slot, SkipReason::NoQuorum, format!("combine: {e}"));
            return;
        }
    };
    let block = SignedBlock {
        block: proposal.block,
        approval,
    };
    let head = chain.head.0;
    let now = rules.env.now();
    if let Err(e) = validate_block(&rules.env.spec.0, &rules.keys.0, &head, &block, now) {
        state.skip(chain, slot, SkipReason::NoQuorum, format!("invalid: {e}"));
        return;
    }
    let block = EncodedBlock::new(block);
    match chain.import_single(&block, now) {
        Ok(head) => {
            chain.counters.blocks_produced += 1;
            state.log.0.push(ProductionEvent::Produced {
                height: head.height,
                slot: head.slot,
                approvers: block.block.approval.approvers,
            });
            state
                .outbox
                .0
                .push(Request::PublishBlock { bytes: block.bytes });
        }
        Err(e) => {
            let failure = ecsync_components::Failure::Import {
                height: head.height + 1,
                error: e.to_string(),
            };
            chain.progress.fail(now, failure);
            state.skip(chain, slot, SkipReason::NoQuorum, format!("store: {e}"));
        }
    }
}

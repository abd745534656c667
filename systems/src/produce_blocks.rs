//! `produce_blocks`: this node as a block producer (`--produce` on a federation member). The chain grows only
//! through it, so it obeys the production gate: in each Aura slot whose producer (`authorities[slot % n]`) this
//! member holds, and ONLY while its gate is open, it proposes the next block on its head, approves it itself
//! (through the same `consensus::decide` and durable memory as any member's approval), asks every connected peer
//! for their approval, verifies each share as it comes, and at a quorum ⌈2n/3⌉ combines the shares into the
//! block's approval, imports it durably and publishes it. A slot in which it does not produce is counted by
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
use ecsync_components::resources::{
    ApprovalAnswers, Outbox, PeerIndex, Production, Proposal, RequestCounter, SkipReason,
    SyncControl,
};
use ecsync_components::{
    Approval, ApproveAnswer, Block, BlockRef, ChainSpec, EncodedBlock, Hash32, Header, OutcomeKind,
    PeerOutcome, Request, RequestId, SignedBlock, Slot, payload_root,
};

use crate::consensus::{PreparedApproval, combine, decide, validate_block};
use crate::params::{ChainWriter, Rules};
use crate::resources::FederationMember;
use crate::update_state::production_gate;

/// Most members asked per proposal.
pub const MAX_ASKED: usize = 64;

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
pub struct ProducerState<'w> {
    /// Its state.
    pub production: ResMut<'w, Production>,
    /// Its log.
    pub log: ResMut<'w, ProductionLog>,
    /// The operator's pause.
    pub control: Res<'w, SyncControl>,
    /// Answers to its questions.
    pub answers: ResMut<'w, ApprovalAnswers>,
    /// Who it can ask.
    pub peers: Res<'w, PeerIndex>,
    /// Request ids.
    pub ids: ResMut<'w, RequestCounter>,
    /// Questions and publications go here.
    pub outbox: ResMut<'w, Outbox>,
}

impl ProducerState<'_> {
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
    let now = rules.env.now();
    let Some(mut member) = member else {
        state.answers.0.clear();
        return;
    };
    if !state.production.enabled {
        state.answers.0.clear();
        return;
    }
    // 1. Answers to the proposal's questions.
    let answers: Vec<_> = state.answers.0.drain(..).collect();
    if let Some(proposal) = state.production.proposal.as_mut() {
        for (peer, request, answer) in answers {
            if !proposal.asked.contains(&(peer, request)) {
                continue; // an earlier proposal's
            }
            let ApproveAnswer::Approved(share) = *answer else {
                continue; // a refusal: the member counts it
            };
            if share.approvers & proposal.approvers != 0 {
                continue; // authorities it has already
            }
            match verify_share(&rules, proposal, &share) {
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
    // 2. A new slot of ours: propose.
    let spec = &rules.env.spec.0;
    let current = spec.slot_at(now);
    if state.production.last_slot.is_none_or(|last| current > last) {
        state.production.last_slot = Some(current);
        let ours = member.keys.holds(spec.producer_index(current));
        if ours || state.production.proposal.is_none() {
            if let Some(old) = state.production.proposal.take()
                && old.ours
            {
                let detail = format!(
                    "{} approvers of {}",
                    old.approvers.count_ones(),
                    spec.quorum()
                );
                state.skip(&mut chain, old.in_slot, SkipReason::NoQuorum, detail);
            }
            // In another's slot it asks again for a block it approved at the height to fill (a proposal that
            // gathered some approvals but not a quorum), so that the height does not wait for that block's
            // producer's next slot.
            propose(&rules, &mut chain, &mut state, &mut member, current, ours);
        }
    }
    // 3. A quorum: import and publish. The slot's end: give up.
    let Some(proposal) = state.production.proposal.as_ref() else {
        return;
    };
    if proposal.block.header.height <= chain.head.0.height {
        let old = state.production.proposal.take().expect("checked");
        if old.ours {
            let detail = format!("height {} filled meanwhile", old.block.header.height);
            state.skip(&mut chain, old.in_slot, SkipReason::SlotTaken, detail);
        }
        return;
    }
    if proposal.approvers.count_ones() as usize >= spec.quorum() {
        let proposal = state.production.proposal.take().expect("checked");
        finish(&rules, &mut chain, &mut state, proposal);
        return;
    }
    if now >= proposal.deadline_ms {
        let old = state.production.proposal.take().expect("checked");
        if !old.ours {
            return;
        }
        let detail = format!(
            "{} approvers of {} by the slot's end",
            old.approvers.count_ones(),
            spec.quorum()
        );
        state.skip(&mut chain, old.in_slot, SkipReason::NoQuorum, detail);
    }
}

/// A share verifies alone: its approvers are authorities and its signature is theirs over the block hash.
fn verify_share(rules: &Rules, proposal: &Proposal, share: &Approval) -> Result<(), String> {
    let n = rules.env.spec.0.authority_count();
    if n < 64 && share.approvers >> n != 0 || share.approvers == 0 {
        return Err("unknown approvers".into());
    }
    let signed = SignedBlock {
        block: proposal.block.clone(),
        approval: share.clone(),
    };
    PreparedApproval::new(&rules.keys.0, &signed, proposal.hash)
        .and_then(|p| p.verify())
        .map_err(|e| e.to_string())
}

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
    let spec = &rules.env.spec.0;
    let config = &rules.env.config;
    let head = chain.head.0;
    let skip = |state: &mut ProducerState, chain: &mut ChainWriter, reason, detail| {
        if ours {
            state.skip(chain, slot, reason, detail);
        }
    };
    let gate = production_gate(
        chain.progress.state,
        head.height,
        chain.progress.target,
        config.production_progress,
        config.production_max_behind,
    );
    if !gate {
        let detail = format!(
            "{:?} at {} of {}",
            chain.progress.state, head.height, chain.progress.target
        );
        skip(state, chain, SkipReason::GateClosed, detail);
        return;
    }
    if state.control.paused {
        skip(
            state,
            chain,
            SkipReason::Paused,
            "paused by the operator".into(),
        );
        return;
    }
    if head.slot >= slot {
        let detail = format!("the head {} is of slot {}", head.height, head.slot);
        skip(state, chain, SkipReason::SlotTaken, detail);
        return;
    }
    let height = head.height + 1;
    let approved = match member.memory.at_height(height) {
        Ok(approved) => approved,
        Err(e) => {
            let detail = format!("cannot read its approval memory: {e}");
            skip(state, chain, SkipReason::OwnRefusal, detail);
            return;
        }
    };
    let on_head = |kept: &&(Block, Approval)| kept.0.header.parent_hash == head.hash;
    // The block it approved at this height: kept in memory, else in the approval memory (a restart loses the
    // first).
    let kept = match approved.map(|_| member.approved_blocks.get(&height).cloned()) {
        Some(None) => match member.memory.block_at(height) {
            Ok(kept) => kept,
            Err(e) => {
                let detail = format!("cannot read its approval memory: {e}");
                skip(state, chain, SkipReason::OwnRefusal, detail);
                return;
            }
        },
        Some(kept) => kept,
        None => None,
    };
    // The block, and its slot producer's share when it is another's (None: its own, its share is the producer's).
    let (block, producer) = match approved {
        Some(record) => match kept.filter(|kept| on_head(&kept)) {
            Some((block, producer)) if block.header.hash() == record.hash => {
                (block, Some(producer))
            }
            _ => {
                let detail = format!(
                    "approved {} at height {height} before and no longer has it",
                    record.hash
                );
                skip(state, chain, SkipReason::OwnRefusal, detail);
                return;
            }
        },
        // Not bound at this height: the first proposal seen there, else its own (in its own slots only).
        None if !ours => return,
        None => match member.seen_blocks.get(&height).filter(on_head) {
            Some((seen, producer)) => (seen.clone(), Some(producer.clone())),
            None => (next_block(spec, &head, slot), None),
        },
    };
    let record = match decide(spec, gate, &head, &block, rules.env.now(), &*member.memory) {
        Ok(record) => record,
        Err(refusal) => {
            skip(state, chain, SkipReason::OwnRefusal, refusal.to_string());
            return;
        }
    };
    let own = member.keys.approve(&record.hash);
    // The producer's share travels with the block (members approve only what its producer approved), and counts
    // towards the quorum: a block proposed again completes even while its producer is away.
    let producer = producer.unwrap_or_else(|| own.clone());
    if approved != Some(record)
        && let Err(e) = member.memory.record(record, &block, &producer)
    {
        let detail = format!("cannot remember its approval: {e}");
        skip(state, chain, SkipReason::OwnRefusal, detail);
        return;
    }
    member.keep_approved(&block, &producer);
    let mut shares = vec![own.clone()];
    if producer.approvers & own.approvers == 0 {
        shares.push(producer.clone());
    }
    let approvers = shares.iter().fold(0, |bits, s| bits | s.approvers);
    let mut asked = Vec::new();
    let mut peers: Vec<_> = state.peers.0.keys().copied().collect();
    peers.sort_unstable();
    for peer in peers.into_iter().take(MAX_ASKED) {
        state.ids.0 += 1;
        let request = RequestId(state.ids.0);
        asked.push((peer, request));
        state.outbox.0.push(Request::AskApproval {
            peer,
            request,
            block: Box::new(block.clone()),
            producer: producer.clone(),
        });
    }
    state.production.proposal = Some(Proposal {
        in_slot: slot,
        ours,
        hash: record.hash,
        block,
        approvers,
        shares,
        asked,
        deadline_ms: spec.slot_start_ms(slot.saturating_add(1)),
    });
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

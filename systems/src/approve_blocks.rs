//! `approve_blocks`: this node as a federation member answers the approval questions peers asked
//! (`ApprovalAsks`; the network lets only authenticated members ask), after this tick's import, so it judges
//! against its newest head. For each it decides with `consensus::decide` (its production gate, its head, its
//! clock, what it approved before) and checks that the block's slot producer approved it first
//! (`verify_producer_share`: a block no producer endorsed is refused as invalid, whoever sends it), remembers an
//! approval durably in its `ApprovalStore` BEFORE the signature leaves, and answers with its share
//! (`MemberKeys::approve`) or a refusal with its kind. A node that is not a member refuses every question.
//!
//! A question asked again is answered from memory (`FederationMember::answered`): the decision is taken again
//! (it reads the approval memory, no BLS), but a producer share that verified before is not verified again, and
//! an approval remembered with the share it gave is neither written nor signed again (`ApprovalStore::record`
//! does not write what it holds already, either). Counted: `approval_share_checks`, `approval_memory_writes`.
//!
//! Junk costs the asker: a question whose producer share does not endorse the block (not by its slot's producer,
//! an unknown authority, a signature that does not verify), or whose block breaks a rule on our head
//! (`Refusal::Invalid`), is an `Invalid` outcome for the asker (banned), since an honest member only ever asks
//! about blocks it checked with shares that verified. A refusal that is the state of things is never its fault:
//! our gate closed, the block not on our head, its slot not begun by our clock, or another block approved at that
//! height or slot (`Equivocation`: the asker may not know what we approved; and when two blocks endorsed by one
//! slot producer meet, the equivocator is that producer, not whoever relays its block).

use bevy_ecs::prelude::*;
use ecsync_components::resources::{
    ApprovalAsks, ChainHead, EngineCounters, Outbox, PeerIndex, SyncProgress,
};
use ecsync_components::{
    Approval, ApproveAnswer, Block, BlockRef, Hash32, Offence, OutcomeKind, PeerOutcome,
    RefusalKind, Request,
};

use crate::consensus::{APPROVAL_ROUND, ApprovalRecord, Refusal, decide, verify_producer_share};
use crate::params::Rules;
use crate::resources::FederationMember;

/// The kind of a refusal, for the wire and the metrics.
pub fn refusal_kind(refusal: &Refusal) -> RefusalKind {
    match refusal {
        Refusal::NotAMember => RefusalKind::NotAMember,
        Refusal::GateClosed => RefusalKind::GateClosed,
        Refusal::NotOnHead { .. } => RefusalKind::NotOnHead,
        Refusal::SlotNotBegun { .. } => RefusalKind::SlotNotBegun,
        Refusal::Invalid(_) => RefusalKind::Invalid,
        Refusal::Equivocation(_) => RefusalKind::Equivocation,
        Refusal::Storage(_) => RefusalKind::Storage,
    }
}

/// A proposal on `head` that keeps every rule a member checks but the approval's, in a slot that has begun:
/// worth proposing again (see `FederationMember::seen_blocks`).
fn well_formed(
    spec: &ecsync_components::ChainSpec,
    head: &ecsync_components::BlockRef,
    block: &ecsync_components::Block,
    now_ms: u64,
) -> bool {
    let linked = ecsync_components::SignedBlock {
        block: block.clone(),
        approval: ecsync_components::Approval {
            approvers: 0,
            round: APPROVAL_ROUND,
            signature: ecsync_components::SignatureBytes::ZERO,
        },
    };
    crate::consensus::check_link(head, &linked).is_ok()
        && block.header.slot <= spec.slot_at(now_ms)
        && crate::consensus::check_proposal(spec, block, now_ms).is_ok()
}

/// Where the answers go: the network, the counters, and the offences of askers (by peer id).
#[derive(bevy_ecs::system::SystemParam)]
pub struct Replies<'w> {
    /// Answers go out here.
    pub outbox: ResMut<'w, Outbox>,
    /// Approvals given and refused, verifications, writes.
    pub counters: ResMut<'w, EngineCounters>,
    /// Askers' entities.
    pub peers: Res<'w, PeerIndex>,
    /// Askers' offences.
    pub outcomes: MessageWriter<'w, PeerOutcome>,
}

/// Answers every waiting question. See the module docs.
pub fn approve_blocks(
    rules: Rules,
    head: Res<ChainHead>,
    progress: Res<SyncProgress>,
    mut asks: ResMut<ApprovalAsks>,
    member: Option<ResMut<FederationMember>>,
    mut replies: Replies,
) {
    if asks.0.is_empty() {
        return;
    }
    let gate = progress.production_gate(head.0.height, &rules.env.config);
    let mut member = member;
    for (peer, ask, block, producer) in asks.0.drain(..) {
        let (answer, junk) = match member.as_deref_mut() {
            None => (
                ApproveAnswer::refused(RefusalKind::NotAMember, Refusal::NotAMember.to_string()),
                None,
            ),
            Some(member) => {
                let mut judge = Judge {
                    rules: &rules,
                    head: &head.0,
                    gate,
                    member,
                    counters: &mut replies.counters,
                };
                judge.answer(&block, &producer)
            }
        };
        if let Some(rule) = junk {
            // Only members ask (the network refuses the others' questions), and an honest one sends only blocks
            // it checked with shares that verified: this one lies. Punished by id even if it left meanwhile.
            let entity = replies.peers.0.get(&peer).copied();
            replies.outcomes.write(PeerOutcome {
                peer: entity.unwrap_or(Entity::PLACEHOLDER),
                peer_id: peer,
                kind: OutcomeKind::Invalid(Offence::Block {
                    height: block.header.height,
                    rule: format!("approval question: {rule}"),
                }),
                latency_ms: None,
            });
        }
        match &answer {
            ApproveAnswer::Approved(_) => replies.counters.approvals_given += 1,
            ApproveAnswer::Refused { kind, .. } => {
                replies.counters.approvals_refused[kind.index()] += 1
            }
        }
        replies
            .outbox
            .0
            .push(Request::AnswerApproval { ask, answer });
    }
}

/// What answering one question reads and writes.
struct Judge<'a> {
    rules: &'a Rules<'a>,
    head: &'a BlockRef,
    gate: bool,
    member: &'a mut FederationMember,
    counters: &'a mut EngineCounters,
}

impl Judge<'_> {
    /// This member's answer to a question about `block` (endorsed by its slot producer's share `producer`) on its
    /// head with its gate open or not: the decision, the producer's share checked, the approval remembered before
    /// it is signed. With it, the asker's offence if the question is junk no honest member sends (a block that
    /// breaks a rule on our head, a producer share that does not endorse it). A question answered before is
    /// answered from memory: the decision is taken again (cheap: it reads the memory), but the producer's share
    /// is not verified again, the approval not written again, nor signed again.
    fn answer(&mut self, block: &Block, producer: &Approval) -> (ApproveAnswer, Option<String>) {
        let env = &self.rules.env;
        let spec = &env.spec.0;
        let hash = block.header.hash();
        let decision = decide(
            spec,
            self.gate,
            self.head,
            block,
            env.now(),
            &*self.member.memory,
        );
        // The producer's share is checked (one BLS verification) only for a block worth it: one this member would
        // approve, or one it would have approved with its gate open (kept as seen).
        let worth = matches!(decision, Ok(_) | Err(Refusal::GateClosed))
            && well_formed(spec, self.head, block, env.now());
        let endorsed = worth.then(|| self.endorsed(block, &hash, producer));
        if let Some(Ok(())) = endorsed {
            self.member.keep_seen(block, producer);
        }
        // Junk: a producer share that does not endorse the block, or a block that breaks a rule on our head.
        let junk = match (&decision, &endorsed) {
            (_, Some(Err(why))) | (Err(Refusal::Invalid(why)), _) => Some(why.clone()),
            _ => None,
        };
        let decision = match (decision, endorsed) {
            (Ok(_), Some(Err(why))) => Err(Refusal::Invalid(why)),
            (decision, _) => decision,
        };
        match decision {
            Ok(record) => (self.approve(record, block, producer), None),
            Err(refusal) => {
                let answer = ApproveAnswer::refused(refusal_kind(&refusal), refusal.to_string());
                (answer, junk)
            }
        }
    }

    /// Whether `producer` endorses `block` (of hash `hash`): from memory, or by one verification.
    fn endorsed(
        &mut self,
        block: &Block,
        hash: &Hash32,
        producer: &Approval,
    ) -> Result<(), String> {
        if self.member.answered.endorsed(hash, producer) {
            return Ok(());
        }
        self.counters.approval_share_checks += 1;
        let spec = &self.rules.env.spec.0;
        verify_producer_share(spec, &self.rules.keys.0, block, producer, APPROVAL_ROUND)
            .map_err(|e| e.to_string())?;
        self.member.answered.note(*hash, producer, None);
        Ok(())
    }

    /// Approves `block` (its `record` decided, its producer's share verified): remembered durably first, then
    /// signed; or, when it remembers both the record and the share it gave, the same share again.
    fn approve(
        &mut self,
        record: ApprovalRecord,
        block: &Block,
        producer: &Approval,
    ) -> ApproveAnswer {
        let member = &mut *self.member;
        if let Some(share) = member.answered.share(&record.hash)
            && member.memory.at_height(record.height) == Ok(Some(record))
        {
            let share = share.clone();
            member.answered.note(record.hash, producer, Some(&share));
            return ApproveAnswer::Approved(share);
        }
        match member.memory.record(record, block, producer) {
            // Never sign what could not be remembered.
            Err(e) => ApproveAnswer::refused(
                RefusalKind::Storage,
                format!("cannot remember the approval: {e}"),
            ),
            Ok(written) => {
                self.counters.approval_memory_writes += u64::from(written);
                member.keep_approved(block, producer);
                let share = member
                    .keys
                    .approve(record.height, APPROVAL_ROUND, &record.hash);
                member.answered.note(record.hash, producer, Some(&share));
                ApproveAnswer::Approved(share)
            }
        }
    }
}

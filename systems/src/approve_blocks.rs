//! `approve_blocks`: this node as a federation member answers the approval questions peers asked
//! (`ApprovalAsks`), after this tick's import, so it judges against its newest head. For each it decides with
//! `consensus::decide` (its production gate, its head, its clock, what it approved before) and checks that the
//! block's slot producer approved it first (`verify_producer_share`: a block no producer endorsed is refused as
//! invalid, whoever sends it), remembers an
//! approval durably in its `ApprovalStore` BEFORE the signature leaves, and answers with its share
//! (`MemberKeys::approve`) or a refusal with its kind. A node that is not a member refuses every question.

use bevy_ecs::prelude::*;
use ecsync_components::resources::{ApprovalAsks, ChainHead, EngineCounters, Outbox, SyncProgress};
use ecsync_components::{Approval, ApproveAnswer, Block, BlockRef, RefusalKind, Request};

use crate::consensus::{Refusal, decide, verify_producer_share};
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
            signature: ecsync_components::SignatureBytes::ZERO,
        },
    };
    crate::consensus::check_link(head, &linked).is_ok()
        && block.header.slot <= spec.slot_at(now_ms)
        && crate::consensus::check_proposal(spec, block, now_ms).is_ok()
}

/// Answers every waiting question. See the module docs.
pub fn approve_blocks(
    rules: Rules,
    head: Res<ChainHead>,
    progress: Res<SyncProgress>,
    mut asks: ResMut<ApprovalAsks>,
    member: Option<ResMut<FederationMember>>,
    mut outbox: ResMut<Outbox>,
    mut counters: ResMut<EngineCounters>,
) {
    if asks.0.is_empty() {
        return;
    }
    let gate = progress.production_gate(head.0.height, &rules.env.config);
    let mut member = member;
    for (_peer, ask, block, producer) in asks.0.drain(..) {
        let answer = match member.as_deref_mut() {
            None => {
                ApproveAnswer::refused(RefusalKind::NotAMember, Refusal::NotAMember.to_string())
            }
            Some(member) => answer(&rules, &head.0, gate, member, &block, &producer),
        };
        match &answer {
            ApproveAnswer::Approved(_) => counters.approvals_given += 1,
            ApproveAnswer::Refused { kind, .. } => counters.approvals_refused[kind.index()] += 1,
        }
        outbox.0.push(Request::AnswerApproval { ask, answer });
    }
}

/// This member's answer to a question about `block` (endorsed by its slot producer's share `producer`) on `head`
/// with its gate open or not: the decision, the producer's share checked, the approval remembered before it is
/// signed.
fn answer(
    rules: &Rules,
    head: &BlockRef,
    gate: bool,
    member: &mut FederationMember,
    block: &Block,
    producer: &Approval,
) -> ApproveAnswer {
    let env = &rules.env;
    let spec = &env.spec.0;
    let decision = decide(spec, gate, head, block, env.now(), &*member.memory);
    // The producer's share is checked (one BLS verification) only for a block worth it: one this member would
    // approve, or one it would have approved with its gate open (kept as seen).
    let worth = matches!(decision, Ok(_) | Err(Refusal::GateClosed))
        && well_formed(spec, head, block, env.now());
    let endorsed = if worth {
        verify_producer_share(spec, &rules.keys.0, block, producer).map_err(|e| e.to_string())
    } else {
        Err(String::new())
    };
    if worth && endorsed.is_ok() {
        member.keep_seen(block, producer);
    }
    let decision = match (decision, endorsed) {
        (Ok(record), Ok(())) => Ok(record),
        (Ok(_), Err(why)) => Err(Refusal::Invalid(why)),
        (Err(refusal), _) => Err(refusal),
    };
    match decision {
        Err(refusal) => ApproveAnswer::refused(refusal_kind(&refusal), refusal.to_string()),
        Ok(record) => match member.memory.record(record, block, producer) {
            // Never sign what could not be remembered.
            Err(e) => ApproveAnswer::refused(
                RefusalKind::Storage,
                format!("cannot remember the approval: {e}"),
            ),
            Ok(()) => {
                member.keep_approved(block, producer);
                ApproveAnswer::Approved(member.keys.approve(&record.hash))
            }
        },
    }
}

//! `approve_blocks`: this node as a federation member answers the approval questions peers asked
//! (`ApprovalAsks`), after this tick's import, so it judges against its newest head. For each it decides with
//! `consensus::decide` (its production gate, its head, its clock, what it approved before), remembers an
//! approval durably in its `ApprovalStore` BEFORE the signature leaves, and answers with its share
//! (`MemberKeys::approve`) or a refusal with its kind. A node that is not a member refuses every question.

use bevy_ecs::prelude::*;
use ecsync_components::resources::{ApprovalAsks, ChainHead, EngineCounters, Outbox, SyncProgress};
use ecsync_components::{ApproveAnswer, RefusalKind, Request};

use crate::consensus::{Refusal, decide};
use crate::params::Env;
use crate::resources::FederationMember;
use crate::update_state::production_gate;

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
    env: Env,
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
    let config = &env.config;
    let gate = production_gate(
        progress.state,
        head.0.height,
        progress.target,
        config.production_progress,
        config.production_max_behind,
    );
    let mut member = member;
    for (_peer, ask, block) in asks.0.drain(..) {
        let answer = match member.as_deref_mut() {
            None => {
                ApproveAnswer::refused(RefusalKind::NotAMember, Refusal::NotAMember.to_string())
            }
            Some(member) => {
                if well_formed(&env.spec.0, &head.0, &block, env.now()) {
                    member.keep_seen(&block);
                }
                match decide(
                    &env.spec.0,
                    gate,
                    &head.0,
                    &block,
                    env.now(),
                    &*member.memory,
                ) {
                    Err(refusal) => {
                        ApproveAnswer::refused(refusal_kind(&refusal), refusal.to_string())
                    }
                    Ok(record) => match member.memory.record(record) {
                        // Never sign what could not be remembered.
                        Err(e) => ApproveAnswer::refused(
                            RefusalKind::Storage,
                            format!("cannot remember the approval: {e}"),
                        ),
                        Ok(()) => {
                            member.keep_approved(&block);
                            ApproveAnswer::Approved(member.keys.approve(&record.hash))
                        }
                    },
                }
            }
        };
        match &answer {
            ApproveAnswer::Approved(_) => counters.approvals_given += 1,
            ApproveAnswer::Refused { kind, .. } => counters.approvals_refused[kind.index()] += 1,
        }
        outbox.0.push(Request::AnswerApproval { ask, answer });
    }
}

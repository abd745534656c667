//! The checks of one chunk of a validation job (`validate_blocks`), on any thread: each block's standalone rules,
//! its links to the block below it in its range, and the batched BLS check of the approvals the job's plan says
//! to verify: every block's (`--verify full`), or the top of each range's part of the job (`anchored`, the
//! default; docs/VERIFIER.md, "Anchored validation", has the argument).
//!
//! A range stops being checked at its first bad block: the blocks after it in the chunk are `Skipped` (their
//! approvals never verified), and `first_bad` finds a bad signature in about twice a batch's work, however many
//! are bad. Whether the whole range holds is decided where the chunks' results meet (`validate_blocks` rejects a
//! range with any bad block, so a block below a top is valid only if every block up to that top is).

use bevy_ecs::prelude::Entity;
use ecsync_components::ecs::PendingBlock;
use ecsync_components::{Approval, BlockRef, ChainSpec, SignedBlock};

use crate::consensus::{
    Authorities, BlockError, PreparedApproval, Verifier, check_carried_approval, check_link,
    check_standalone, first_bad,
};
pub use crate::resources::Check;

/// The block below a block in its range, as far as the links need it: its height, slot and hash, and the
/// approval it was served with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Below {
    /// Height, slot, hash.
    pub parent: BlockRef,
    /// Its approval, as served.
    pub approval: Approval,
}

impl Below {
    /// What the links need of `p`.
    pub fn of(p: &PendingBlock) -> Self {
        Self {
            parent: BlockRef::new(&p.block.block.header, p.hash),
            approval: p.block.approval.clone(),
        }
    }
}

/// What a job checks of one block besides its standalone rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Verify its approval's aggregate signature: every block in `full` mode; in `anchored` mode only the top
    /// of its range's part of the job (the last block of it the job holds).
    pub verify: bool,
    /// The block below it in its range, when the range holds it (downloaded with it): the links are checked
    /// against it. The first block of a range links to the chain below in `sequence_blocks`.
    pub below: Option<Below>,
}

impl Plan {
    /// Verify its approval; no links (a block checked on its own, as the verification bound does).
    pub const ALONE: Plan = Plan {
        verify: true,
        below: None,
    };
}

/// The links of `block` to `below`, the block below it in its range: height, parent hash and slot
/// ([`check_link`]), and the approval `below` was served with is the one `block` commits to (its
/// `parent_approval`, bound to its header by `parent_approval_root`): below a range's top only the canonical
/// approval is accepted (as `consensus::check_canonical_approval` says).
pub fn check_below(below: &Below, block: &SignedBlock) -> Result<(), BlockError> {
    check_link(&below.parent, block)?;
    check_carried_approval(below.parent.height, &below.approval, &block.block)
}

/// One block's checks but the batched signature: its links to the block below it (if the plan has it), its
/// standalone rules, and its prepared approval when the plan verifies it.
fn check_one(
    spec: &ChainSpec,
    keys: &Authorities,
    now_ms: u64,
    p: &PendingBlock,
    plan: &Plan,
) -> Result<Option<PreparedApproval>, BlockError> {
    if let Some(below) = &plan.below {
        check_below(below, &p.block)?;
    }
    check_standalone(spec, &p.block, p.bytes.len(), now_ms)?;
    if !plan.verify {
        return Ok(None);
    }
    PreparedApproval::new(keys, &p.block, p.hash).map(Some)
}

/// Validates one chunk as `plans` say (one plan per block): results in input order. See the module docs.
pub fn validate_planned(
    spec: &ChainSpec,
    keys: &Authorities,
    verifier: Verifier,
    now_ms: u64,
    chunk: &[(&PendingBlock, &Plan)],
) -> Vec<Check> {
    let mut results = vec![Check::Valid; chunk.len()];
    let mut rejected: Vec<Entity> = Vec::new();
    // The blocks whose approval is to be verified and whose other rules hold: their index, their approval.
    let mut at = Vec::new();
    let mut approvals = Vec::new();
    for (i, (p, plan)) in chunk.iter().enumerate() {
        if rejected.contains(&p.range) {
            results[i] = Check::Skipped;
            continue;
        }
        match check_one(spec, keys, now_ms, p, plan) {
            Ok(Some(approval)) => {
                at.push(i);
                approvals.push(approval);
            }
            Ok(None) => {}
            Err(e) => {
                results[i] = Check::Invalid(e);
                rejected.push(p.range);
            }
        }
    }
    // The common case is one pass: no bad signature. Each bad one found restarts on what follows it.
    while let Some((bad, e)) = first_bad(&approvals, verifier) {
        let i = at[bad];
        results[i] = Check::Invalid(e);
        rejected.push(chunk[i].0.range);
        // What precedes it verified in a batch without a bad one: valid. What follows it in its range: skipped.
        at.drain(..=bad);
        approvals.drain(..=bad);
        let mut k = 0;
        while k < at.len() {
            if rejected.contains(&chunk[at[k]].0.range) {
                results[at[k]] = Check::Skipped;
                at.remove(k);
                approvals.remove(k);
            } else {
                k += 1;
            }
        }
    }
    // A block whose range was rejected after it was found valid stays valid here: its range decides.
    results
}

/// Validates one chunk of blocks each on its own: standalone rules, then batched signature checks of every
/// approval (no links). Results in input order.
pub fn validate_chunk(
    spec: &ChainSpec,
    keys: &Authorities,
    verifier: Verifier,
    now_ms: u64,
    chunk: &[&PendingBlock],
) -> Vec<Check> {
    let planned: Vec<(&PendingBlock, &Plan)> = chunk.iter().map(|p| (*p, &Plan::ALONE)).collect();
    validate_planned(spec, keys, verifier, now_ms, &planned)
}

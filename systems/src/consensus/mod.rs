//! Consensus rules of a federated PoA chain: when a signed block is valid against its parent and the spec.
//!
//! Rules are split the way the engine uses them: [`check_block`] holds every rule but the signature (cheap, runs
//! in block order since it needs the parent), [`verify_approval`] and [`verify_batch`] check the federation's
//! aggregate signature (expensive, parallel, batched). [`validate_block`] runs both for one block.
//!
//! A block's approval is the aggregate of its approvers' precommits in the approval's round: it verifies over
//! `ecsync_components::approval_message(height, round, hash)` under [`BLS_DST`], never over the bare hash.

mod bls;
pub mod driver;
mod error;
pub mod history;
mod keys;
mod member;
mod membership;
pub mod tendermint;

pub use bls::{
    Authorities, BLS_DST, KeyError, PreparedApproval, Verifier, batch_ok, first_bad, verify_batch,
};
pub use error::BlockError;
pub use keys::Federation;
pub use member::{CombineError, MemberKeyError, MemberKeys, combine};
pub use membership::{MEMBERSHIP_DST, membership_message, verify_membership};
pub use tendermint::{HeightSetup, Output, Tendermint, Timeouts, Timer};

use ecsync_components::{
    Approval, Block, BlockRef, ChainSpec, HeadProof, Header, Height, SignatureBytes, SignedBlock,
    approval_root, carries_parent_approval, payload_root,
};

/// What the validity rules need of a block's parent.
pub type ParentRef = BlockRef;

/// Every rule except the signature: [`check_link`] against the parent, then [`check_standalone`]. `encoded_len`
/// is the block's canonical size (from the wire or [`SignedBlock::encoded_len`]); `now_ms` is the local clock.
pub fn check_block(
    spec: &ChainSpec,
    parent: &ParentRef,
    block: &SignedBlock,
    encoded_len: usize,
    now_ms: u64,
) -> Result<(), BlockError> {
    check_link(parent, block)?;
    check_standalone(spec, block, encoded_len, now_ms)
}

/// The rules that need the parent: height = parent height + 1, parent hash links, slot after the parent's.
pub fn check_link(parent: &ParentRef, block: &SignedBlock) -> Result<(), BlockError> {
    let header = &block.block.header;
    if Some(header.height) != parent.height.checked_add(1) {
        return Err(BlockError::HeightMismatch {
            parent: parent.height,
            got: header.height,
        });
    }
    if header.parent_hash != parent.hash {
        return Err(BlockError::ParentHashMismatch {
            expected: parent.hash,
            got: header.parent_hash,
        });
    }
    if header.slot <= parent.slot {
        return Err(BlockError::SlotNotIncreasing {
            parent: parent.slot,
            slot: header.slot,
        });
    }
    Ok(())
}

/// The rules a block keeps on its own, except the signature: size, slot not more than one ahead of the clock,
/// timestamp at the slot's start, payload root, approvers, quorum, producer. Any order of blocks, any thread.
pub fn check_standalone(
    spec: &ChainSpec,
    block: &SignedBlock,
    encoded_len: usize,
    now_ms: u64,
) -> Result<(), BlockError> {
    let max = spec.max_block_bytes as usize;
    if encoded_len > max {
        return Err(BlockError::TooLarge {
            size: encoded_len,
            max,
        });
    }
    let header = &block.block.header;
    let current = spec.slot_at(now_ms);
    if header.slot > current.saturating_add(1) {
        return Err(BlockError::SlotInFuture {
            slot: header.slot,
            current,
        });
    }
    check_timestamp(spec, header)?;
    if payload_root(&block.block.payload) != header.payload_root {
        return Err(BlockError::PayloadRootMismatch);
    }
    check_parent_approval(&block.block)?;
    check_approvers(spec, block)
}

/// The parent approval the block carries: present from height 2 only, and the one its header commits to
/// (`parent_approval_root`). Its signature is not checked here: the block's own approval vouches for it (a member
/// checks it before it votes for the block, [`check_proposal_parent`]).
pub fn check_parent_approval(block: &Block) -> Result<(), BlockError> {
    let header = &block.header;
    let must_carry = carries_parent_approval(header.height);
    if block.parent_approval.is_some() != must_carry {
        return Err(BlockError::ParentApprovalPresence {
            height: header.height,
            must_carry,
        });
    }
    if approval_root(block.parent_approval.as_ref()) != header.parent_approval_root {
        return Err(BlockError::ParentApprovalRootMismatch);
    }
    Ok(())
}

/// Whether `child` commits to `parent`'s approval: the approval a block below the top of a range must have is the
/// one its child carries (the canonical one). `child` is the block after `parent`.
pub fn check_canonical_approval(parent: &SignedBlock, child: &Block) -> Result<(), BlockError> {
    check_carried_approval(parent.height(), &parent.approval, child)
}

/// [`check_canonical_approval`] for a parent known by its height and its approval as served.
pub fn check_carried_approval(
    parent_height: Height,
    parent_approval: &Approval,
    child: &Block,
) -> Result<(), BlockError> {
    if child.parent_approval.as_ref() == Some(parent_approval)
        || !carries_parent_approval(child.header.height)
    {
        Ok(())
    } else {
        Err(BlockError::NotCanonicalApproval {
            height: parent_height,
        })
    }
}

/// What a member checks of the parent approval a proposed block carries, before it votes for the block: the
/// rules of [`check_parent_approval`], and from height 2 a quorum of the federation whose aggregate verifies as the
/// approval of the parent `parent` (one aggregate verification). Honest members voting only for proposals that pass
/// this is what lets one verified approval vouch for every approval below it (docs/VERIFIER.md).
pub fn check_proposal_parent(
    spec: &ChainSpec,
    authorities: &Authorities,
    parent: &ParentRef,
    block: &Block,
) -> Result<(), BlockError> {
    check_parent_approval(block)?;
    let Some(approval) = &block.parent_approval else {
        return Ok(());
    };
    check_approval_bits(spec, approval)?;
    PreparedApproval::of(authorities, approval, parent.height, &parent.hash)?.verify()
}

/// The header's timestamp is the start of its slot.
fn check_timestamp(spec: &ChainSpec, header: &Header) -> Result<(), BlockError> {
    let expected = spec.slot_start_ms(header.slot);
    if header.timestamp_ms != expected {
        return Err(BlockError::TimestampMismatch {
            slot: header.slot,
            expected,
            got: header.timestamp_ms,
        });
    }
    Ok(())
}

/// The rules of [`check_standalone`] but the approval's: what a member checks of a proposed block before it
/// approves it (size with the largest approval, of any round, clock, timestamp, payload root).
pub fn check_proposal(spec: &ChainSpec, block: &Block, now_ms: u64) -> Result<(), BlockError> {
    let largest = SignedBlock {
        block: block.clone(),
        approval: Approval {
            approvers: u64::MAX,
            round: ecsync_components::agreement::Round::MAX,
            signature: SignatureBytes::ZERO,
        },
    };
    let unapproved = |e: &BlockError| {
        matches!(
            e,
            BlockError::UnknownApprover { .. } | BlockError::InsufficientApprovals { .. }
        )
    };
    match check_standalone(spec, &largest, largest.encoded_len(), now_ms) {
        Err(e) if !unapproved(&e) => Err(e),
        _ => Ok(()),
    }
}

/// The approval's bitfield against the federation: known indices, a quorum.
pub fn check_approvers(spec: &ChainSpec, block: &SignedBlock) -> Result<(), BlockError> {
    check_approval_bits(spec, &block.approval)
}

/// [`check_approvers`] for an approval alone. A certificate is the precommits of any quorum: the round's proposer
/// need not be among them (it may have proposed and then gone).
pub fn check_approval_bits(spec: &ChainSpec, approval: &Approval) -> Result<(), BlockError> {
    let count = spec.authority_count();
    if let Some(index) = approval.indices().find(|i| *i >= count) {
        return Err(BlockError::UnknownApprover { index, count });
    }
    let got = approval.count() as usize;
    let quorum = spec.quorum();
    if got < quorum {
        return Err(BlockError::InsufficientApprovals { got, quorum });
    }
    Ok(())
}

/// Verifies one block's aggregate signature (unbatched): over its precommit in the approval's round
/// ([`SignedBlock::approval_message`]). Call after [`check_approvers`] holds.
pub fn verify_approval(authorities: &Authorities, block: &SignedBlock) -> Result<(), BlockError> {
    PreparedApproval::new(authorities, block, block.hash())?.verify()
}

/// All rules for one block: [`check_block`] then [`verify_approval`].
pub fn validate_block(
    spec: &ChainSpec,
    authorities: &Authorities,
    parent: &ParentRef,
    block: &SignedBlock,
    now_ms: u64,
) -> Result<(), BlockError> {
    check_block(spec, parent, block, block.encoded_len(), now_ms)?;
    verify_approval(authorities, block)
}

/// Verifies a head proof: the header's timestamp is its slot's start, its approval names known authorities, a
/// quorum and the slot's producer, and its aggregate signature verifies as the block's approval: over the
/// precommit for the header's hash at its height in the approval's round ([`HeadProof::approval_message`]; one
/// aggregate verification, ~1.2 ms). Returns the head it proves. The clock (a slot not begun) is the caller's check
/// (`ChainSpec::begins_beyond`): a proof from the future is not the sender's offence, a proof that fails here is.
pub fn verify_head_proof(
    spec: &ChainSpec,
    authorities: &Authorities,
    proof: &HeadProof,
) -> Result<BlockRef, BlockError> {
    let header = &proof.header;
    check_timestamp(spec, header)?;
    if header.height == 0 {
        // Genesis is not approved: a proof of it proves nothing.
        return Err(BlockError::GenesisProof);
    }
    check_approval_bits(spec, &proof.approval)?;
    let head = proof.head();
    PreparedApproval::of(authorities, &proof.approval, head.height, &head.hash)?.verify()?;
    Ok(head)
}

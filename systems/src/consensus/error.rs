//! How a block can be invalid: the error of every consensus rule, its own module so that the rules (`consensus`)
//! and the signature checks (`bls`) that both return it need not use each other.

use ecsync_components::{Hash32, Height, Slot};

/// Each way a block can be invalid, so that the peer that sent it can be blamed precisely.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The canonical encoding is larger than the spec allows.
    #[error("encoded block is {size} bytes, the maximum is {max}")]
    TooLarge {
        /// Encoded size.
        size: usize,
        /// Spec maximum.
        max: usize,
    },
    /// Height is not parent height + 1.
    #[error("height {got} does not follow parent height {parent}")]
    HeightMismatch {
        /// Parent height.
        parent: Height,
        /// Block height.
        got: Height,
    },
    /// The parent hash does not link to the parent.
    #[error("parent hash {got} is not the parent's hash {expected}")]
    ParentHashMismatch {
        /// Hash of the actual parent.
        expected: Hash32,
        /// What the block names.
        got: Hash32,
    },
    /// Slot is not after the parent's slot.
    #[error("slot {slot} is not after parent slot {parent}")]
    SlotNotIncreasing {
        /// Parent slot.
        parent: Slot,
        /// Block slot.
        slot: Slot,
    },
    /// Slot is more than one slot ahead of the local clock.
    #[error("slot {slot} is ahead of the current slot {current} by more than one")]
    SlotInFuture {
        /// Block slot.
        slot: Slot,
        /// Local clock's slot.
        current: Slot,
    },
    /// Timestamp is not the start of the block's slot.
    #[error("timestamp {got} is not the start of slot {slot} ({expected})")]
    TimestampMismatch {
        /// Block slot.
        slot: Slot,
        /// Start of that slot.
        expected: u64,
        /// Header timestamp.
        got: u64,
    },
    /// The payload root does not match the payload.
    #[error("payload root does not match the payload")]
    PayloadRootMismatch,
    /// The block carries a parent approval where it must not (heights 0 and 1) or none where it must (from 2).
    #[error("a block at height {height} must {} its parent's approval", if *.must_carry { "carry" } else { "not carry" })]
    ParentApprovalPresence {
        /// The block's height.
        height: u64,
        /// Whether it must carry one.
        must_carry: bool,
    },
    /// The header's `parent_approval_root` is not the root of the parent approval the block carries.
    #[error("parent approval root does not match the parent approval carried")]
    ParentApprovalRootMismatch,
    /// A block's approval is not the canonical one its child carries (`parent_approval`).
    #[error("the approval of block {height} is not the one its child commits to")]
    NotCanonicalApproval {
        /// The height of the block whose approval differs.
        height: u64,
    },
    /// The approval names an authority index outside the federation.
    #[error("approval names authority {index}, the federation has {count}")]
    UnknownApprover {
        /// Offending index.
        index: usize,
        /// Federation size.
        count: usize,
    },
    /// Fewer approvals than the quorum.
    #[error("{got} approvals, the quorum is {quorum}")]
    InsufficientApprovals {
        /// Approvals present.
        got: usize,
        /// Quorum ⌈2n/3⌉.
        quorum: usize,
    },
    /// The signature bytes are not a point of the signature group.
    #[error("malformed aggregate signature")]
    MalformedSignature,
    /// The aggregate signature does not verify against the approvers' keys.
    #[error("aggregate signature does not verify")]
    BadSignature,
    /// A head proof of genesis, which has no approval (a status at genesis carries no proof).
    #[error("a head proof of genesis (genesis carries no approval)")]
    GenesisProof,
}

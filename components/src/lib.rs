//! # ecsync-components
//!
//! Data only: the chain types and spec, the store interface, and the engine's ECS components, resources and
//! messages. Nothing here does IO; behaviour lives in `ecsync-systems`, IO in the `ecsync` package.

static STRICT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns strict bookkeeping on (or off) for the whole process: the engine's bookkeeping assertions
/// ([`strict_assert!`]) then panic instead of the error being counted and corrected. Off by default, as in a
/// running node, which never turns it on; the test machinery (the world builder, the simulator, the tests that
/// build engines themselves) turns it on.
pub fn set_strict(on: bool) {
    STRICT.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether strict bookkeeping is on (see [`set_strict`]).
pub fn strict() -> bool {
    STRICT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Asserts a bookkeeping invariant when [`strict()`] is on; a no-op otherwise (the caller then corrects and
/// counts).
#[macro_export]
macro_rules! strict_assert {
    ($($arg:tt)*) => {
        if $crate::strict() {
            assert!($($arg)*);
        }
    };
}

pub mod agreement;
pub mod backfill;
pub mod bytes;
pub mod chain;
pub mod config;
pub mod ecs;
pub mod messages;
pub mod resources;
pub mod spec;
pub mod status;
pub mod store;

pub use bytes::{Hash32, PublicKeyBytes, SignatureBytes};
pub use chain::{
    Approval, Block, BlockRef, DecodeError, HeadProof, Header, Height, SignedBlock, Slot,
    approval_message, approval_root, carries_parent_approval, decode, encode, encoded_len,
    payload_root,
};
pub use config::{
    ConfigError, MAX_VALIDATION_IN_FLIGHT, Strategy, SyncConfig, Verifier, VerifyMode,
};
pub use messages::{
    AnswerError, FailureReason, GossipVerdict, GotExpected, MAX_BLOCKS_PER_REQUEST,
    MAX_RESPONSE_BYTES, NetEvent, Offence, OutcomeKind, PeerId, PeerOutcome, Request, RequestId,
    StatusMessage, Tolerance,
};
pub use spec::{ChainSpec, SPEC_VERSION, SpecError, quorum};
pub use status::{Failure, SyncState, SyncStatus, WaitReason};
pub use store::{
    ChainStore, Checkpoint, EncodedBlock, ImportBlock, LowestBlock, StoreError, check_imports,
    imports, link_batch, link_below,
};

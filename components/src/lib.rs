//! # ecsync-components
//!
//! Data only: the chain types and spec, the store interface, and the engine's ECS components, resources and
//! messages. Nothing here does IO; behaviour lives in `ecsync-systems`, IO in the `ecsync` package.

/// Whether the `strict` feature is on: the engine's bookkeeping assertions panic (tests, simulations) instead
/// of being counted and corrected (a running node). The test suite turns it on through the `test-utils` feature.
pub const STRICT: bool = cfg!(feature = "strict");

/// Asserts a bookkeeping invariant when [`STRICT`]; a no-op otherwise (the caller then corrects and counts).
#[macro_export]
macro_rules! strict_assert {
    ($($arg:tt)*) => {
        if $crate::STRICT {
            assert!($($arg)*);
        }
    };
}

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
    Approval, Block, BlockRef, DecodeError, HeadProof, Header, Height, SignedBlock, Slot, decode,
    encode, encoded_len, payload_root,
};
pub use config::{ConfigError, MAX_VALIDATION_IN_FLIGHT, Strategy, SyncConfig, Verifier};
pub use messages::{
    AnswerError, ApproveAnswer, FailureReason, GossipVerdict, GotExpected, MAX_BLOCKS_PER_REQUEST,
    MAX_REFUSAL_DETAIL, MAX_RESPONSE_BYTES, NetEvent, Offence, OutcomeKind, PeerId, PeerOutcome,
    RefusalKind, Request, RequestId, StatusMessage, Tolerance,
};
pub use spec::{ChainSpec, SpecError, quorum};
pub use status::{Failure, SyncState, SyncStatus, WaitReason};
pub use store::{
    CHECK_IMPORTS, ChainStore, Checkpoint, EncodedBlock, ImportBlock, StoreError, imports,
    link_batch,
};

//! # ecsync-components
//!
//! Data only: the chain types and spec, the store interface, and the engine's ECS components, resources and
//! messages. Nothing here does IO; behaviour lives in `ecsync-systems`, IO in the `ecsync` package.

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
    Approval, Block, BlockRef, DecodeError, Header, Height, SignedBlock, Slot, decode, encode,
    encoded_len, payload_root,
};
pub use config::{Strategy, SyncConfig};
pub use messages::{
    FailureReason, MAX_BLOCKS_PER_REQUEST, NetEvent, OutcomeKind, PeerId, PeerOutcome, Request,
    RequestId, StatusMessage,
};
pub use spec::{ChainSpec, SpecError, quorum};
pub use status::{SyncState, SyncStatus};
pub use store::{ChainStore, Checkpoint, StoreError};

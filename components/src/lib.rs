//! # ecsync-components
//!
//! Data only: the chain types and spec, the store interface, and (for the engine) the ECS components, resources
//! and messages. Nothing here does IO; behaviour lives in `ecsync-systems`, IO in the `ecsync` package.

pub mod bytes;
pub mod chain;
pub mod spec;
pub mod store;

pub use bytes::{Hash32, PublicKeyBytes, SignatureBytes};
pub use chain::{
    Approval, Block, BlockRef, DecodeError, Header, Height, SignedBlock, Slot, decode, encode,
    encoded_len, payload_root,
};
pub use spec::{ChainSpec, SpecError, quorum};
pub use store::{ChainStore, Checkpoint, StoreError};

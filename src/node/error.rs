//! Why a node could not start, or stopped with an error: [`NodeError`]. Every message names what failed (the file,
//! the flag, the address), on one line.

use ecsync_components::{ChainSpec, ConfigError, Hash32, Height, SpecError, StoreError};

use crate::engine::EngineError;
use crate::network::NetworkError;
use crate::node::checkpoint_sync::CheckpointError;
use crate::node::http::HttpError;
use crate::node::keyfile::KeyFileError;
use crate::util::fs::IoError;

/// Why a node could not start, or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The spec file.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The chain store or the vote file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sync settings.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The member's key file.
    #[error(transparent)]
    Keys(#[from] KeyFileError),
    /// The member's vote file: its file, or an authority another process holds.
    #[error(transparent)]
    Memory(#[from] crate::store::approvals::MemoryError),
    /// The network.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The HTTP endpoints.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Checkpoint sync.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A file, a directory or a thread could not be made.
    #[error(transparent)]
    Io(#[from] IoError),
    /// `--produce` without `--authority-keys`.
    #[error("--produce needs --authority-keys: only a federation member produces")]
    ProduceWithoutKeys,
    /// The data dir holds another chain than `--spec`.
    #[error(
        "{data} holds chain {} (genesis {}), but --spec {given} is chain {} (genesis {})",
        own.chain_id,
        own.genesis_hash,
        other.chain_id,
        other.genesis_hash
    )]
    OtherChain {
        /// The data dir.
        data: String,
        /// Its chain.
        own: Box<ChainSpec>,
        /// The `--spec` file.
        given: String,
        /// Its chain.
        other: Box<ChainSpec>,
    },
    /// A fresh data dir without `--spec`.
    #[error("{0} has no spec.json: give --spec FILE to start a fresh node")]
    NoSpec(String),
    /// `--checkpoint` on a store holding another block at its height.
    #[error(
        "--checkpoint {height}:{hash}: the store holds another block at that height ({stored}); use an empty data dir"
    )]
    CheckpointConflict {
        /// The checkpoint's height.
        height: Height,
        /// Its hash.
        hash: Hash32,
        /// The stored block's hash.
        stored: Hash32,
    },
    /// `--checkpoint` on a store already past genesis without the checkpoint's block.
    #[error(
        "--checkpoint {height}:{hash}: the store is already at height {head} without that block; --checkpoint \
         needs an empty data dir"
    )]
    CheckpointNotEmpty {
        /// The checkpoint's height.
        height: Height,
        /// Its hash.
        hash: Hash32,
        /// The store's head.
        head: Height,
    },
    /// A hook (a wrapper's injection) refused the start.
    #[error("{0}")]
    Hook(Box<dyn std::error::Error + Send + Sync>),
    /// The final checkpoint at stop.
    #[error("final checkpoint")]
    FinalCheckpoint(#[source] StoreError),
    /// The engine thread panicked.
    #[error("the engine thread panicked")]
    EnginePanicked,
}

//! # ecsync
//!
//! The ecsync package: the engine (`engine.rs`, the one schedule), the IO at the edges (the redb store;
//! later the libp2p network and HTTP) and the CLI.
//! Data types live in `ecsync-components`, behaviour in `ecsync-systems`.

pub mod chainio;
pub mod cli;
pub mod dump;
pub mod engine;
pub mod http;
pub mod metrics;
pub mod network;
pub mod node;
pub mod sim;
pub mod store;

pub use ecsync_components as components;
pub use ecsync_systems as systems;

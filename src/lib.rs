//! # ecsync
//!
//! The ecsync package: the engine (`engine.rs`, the one schedule), the IO at the edges (the redb store, the
//! libp2p network, HTTP) and the CLI. Data types live in `ecsync-components`, behaviour in `ecsync-systems`.
//! Test machinery (the deterministic simulator, world builders) is behind the `test-utils` feature, which the
//! package's own tests and benches turn on and a release build of the node leaves out.

pub mod chainio;
pub mod checkpoint_sync;
pub mod cli;
pub mod config_file;
pub mod dump;
pub mod engine;
pub mod fsutil;
pub mod fuzzing;
pub mod http;
pub mod keyfile;
pub mod metrics;
pub mod misbehave;
pub mod network;
pub mod node;
#[cfg(feature = "test-utils")]
pub mod sim;
pub mod store;
#[cfg(feature = "test-utils")]
pub mod test_utils;

pub use ecsync_components as components;
pub use ecsync_systems as systems;

//! # ecsync
//!
//! The ecsync package. Data types live in `ecsync-components`, behaviour in `ecsync-systems`; this crate holds:
//!
//! - [`engine`]: the IO-free engine (`SyncEngine`, the one schedule, the world dump): events in, `tick(now)`,
//!   requests out;
//! - [`network`], [`store`]: the IO adapters at the edges (libp2p, redb);
//! - [`node`]: a running node (the main loop, HTTP, metrics, config and key files, checkpoint sync);
//! - [`cli`]: the `ecsync` command line;
//! - [`util`]: the clocks and atomic file writes;
//! - `testing` (feature `test-utils`): the deterministic simulator, world builders, invariants, fuzz harnesses
//!   and hostile peers. The package's own tests and benches turn it on; the node we ship leaves it out.
//!
//! docs/ARCHITECTURE.md has who may import whom.

pub mod cli;
pub mod engine;
pub mod network;
pub mod node;
pub mod store;
#[cfg(feature = "test-utils")]
pub mod testing;
pub mod util;

pub use ecsync_components as components;
pub use ecsync_systems as systems;

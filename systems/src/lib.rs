//! # ecsync-systems
//!
//! Behaviour: the consensus rules of a federated PoA chain, a deterministic chain generator, and the engine's
//! systems, one file each. Each system's file opens by saying why it exists; its signature says what it
//! touches, and the named transitions (`transitions`) are the only way ranges, blocks and the buffer change.
//! Nothing here touches a
//! socket, a file or a clock: time is the `Clock` resource, storage the `Store` resource behind the
//! `ChainStore` trait. The schedule that orders the systems is in the `ecsync` package (`src/engine/mod.rs`).

// Systems take their data as typed parameters (the contract of each system); nested query types are the norm,
// as in bevy itself. Long parameter lists are grouped in `params` instead.
#![allow(clippy::type_complexity)]

pub mod chaingen;
pub mod consensus;
pub mod params;
pub mod resources;
pub mod transitions;
pub mod validation;

pub mod agree_blocks;
pub mod backfill_blocks;
pub mod backfill_ingest;
pub mod backfill_requests;
pub mod checkpoint_due;
pub mod dispatch_requests;
pub mod gossip_blocks;
pub mod handle_responses;
pub mod handle_timeouts;
pub mod import_blocks;
pub mod ingest_events;
pub mod plan_ranges;
pub mod prove_heads;
pub mod prune_ranges;
pub mod request_status;
pub mod score_peers;
pub mod sequence_blocks;
pub mod sequential;
pub mod size_batches;
pub mod update_state;
pub mod validate_blocks;

pub use agree_blocks::agree_blocks;
pub use backfill_blocks::backfill_blocks;
pub use backfill_ingest::backfill_ingest;
pub use backfill_requests::backfill_requests;
pub use checkpoint_due::checkpoint_due;
pub use dispatch_requests::dispatch_requests;
pub use gossip_blocks::gossip_blocks;
pub use handle_responses::handle_responses;
pub use handle_timeouts::handle_timeouts;
pub use import_blocks::import_blocks;
pub use ingest_events::ingest_events;
pub use plan_ranges::plan_ranges;
pub use prove_heads::prove_heads;
pub use prune_ranges::prune_ranges;
pub use request_status::request_status;
pub use score_peers::score_peers;
pub use sequence_blocks::sequence_blocks;
pub use sequential::sequential_sync;
pub use size_batches::size_batches;
pub use update_state::update_state;
pub use validate_blocks::validate_blocks;

//! Unit tests of the engine's systems: each runs ONE system of the schedule in `src/engine.rs` (with the command
//! application its schedule does, so its transitions apply) on a small world built by `ecsync::testing::world`
//! (4 peers, ranges of 16 blocks of a 256-block chain with real BLS approvals), and checks what the system must
//! have changed and that the world is still consistent (`check_world`: one state per range, one stage per block,
//! and `SyncEngine::check_bookkeeping`). Nothing here depends on the machine's speed: engine time is the `Clock`
//! resource, and no assertion reads a duration.
//!
//! One file per system (named for it); `transitions.rs` calls the transitions of `ecsync_systems::transitions`
//! directly, from wrong states; `check_world.rs` checks that `check_world` catches drift; `unproven_claims.rs`
//! follows a claim nobody proved across systems; `support.rs` holds the helpers the files share. Tests marked
//! `#[ignore = "bug: …"]` reproduce bugs found (run them with `--ignored`).

mod support;

mod backfill;
mod check_world;
mod checkpoint_due;
mod dispatch_requests;
mod gossip_blocks;
mod handle_responses;
mod handle_timeouts;
mod import_blocks;
mod ingest_events;
mod plan_ranges;
mod prove_heads;
mod prune_ranges;
mod request_status;
mod score_peers;
mod sequence_blocks;
mod sequential_sync;
mod size_batches;
mod transitions;
mod unproven_claims;
mod update_state;
mod validate_blocks;

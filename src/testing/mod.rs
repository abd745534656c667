//! Test machinery, apart from the product (TigerBeetle's `src/testing/`), compiled only with the `test-utils`
//! feature: the package's tests, benches and fuzz targets turn it on; `cargo build --release` leaves it out. It
//! only adds: the product behaves the same with or without it.
//!
//! - [`world`]: world builders and fixtures for system tests and benches;
//! - [`invariants`]: the engine's bookkeeping recomputed from its entities and checked;
//! - [`sim`]: the deterministic simulator (virtual time, seeded faults);
//! - [`fuzzing`]: the fuzz harnesses (`fuzz/` calls them; `tests/fuzz_inputs.rs` replays their regressions);
//! - [`hostile`]: hostile peers and a moving head as real processes (the `ecsync-hostile` binary).
//!
//! The world builder and the simulator turn strict bookkeeping on for their process
//! (`ecsync_components::set_strict`): a wrong transition or buffer drift then panics. The node never does.

pub mod agreement;
pub mod fuzzing;
pub mod hostile;
pub mod invariants;
pub mod sim;
pub mod world;

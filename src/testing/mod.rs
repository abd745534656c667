//! Test machinery, apart from the product (TigerBeetle's `src/testing/`), compiled only with the `test-utils`
//! feature: the package's tests, benches and fuzz targets turn it on; `cargo build --release` leaves it out.
//!
//! - [`world`]: world builders and fixtures for system tests and benches;
//! - [`sim`]: the deterministic simulator (virtual time, seeded faults);
//! - [`fuzzing`]: the fuzz harnesses (`fuzz/` calls them; `tests/fuzz_inputs.rs` replays their regressions).

pub mod fuzzing;
pub mod sim;
pub mod world;

//! cargo-fuzz target: `ecsync::testing::fuzzing::status` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::testing::fuzzing::status(data));

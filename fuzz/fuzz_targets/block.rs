//! cargo-fuzz target: `ecsync::testing::fuzzing::block` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::testing::fuzzing::block(data));

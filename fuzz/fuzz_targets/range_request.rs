//! cargo-fuzz target: `ecsync::testing::fuzzing::range_request` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::testing::fuzzing::range_request(data));

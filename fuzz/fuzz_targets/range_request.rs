//! cargo-fuzz target: `ecsync::fuzzing::range_request` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::fuzzing::range_request(data));

//! cargo-fuzz target: `ecsync::fuzzing::approve` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::fuzzing::approve(data));

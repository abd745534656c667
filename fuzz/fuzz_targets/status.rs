//! cargo-fuzz target: `ecsync::fuzzing::status` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::fuzzing::status(data));

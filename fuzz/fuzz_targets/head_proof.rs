//! cargo-fuzz target: `ecsync::fuzzing::head_proof` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ecsync::fuzzing::head_proof(data));

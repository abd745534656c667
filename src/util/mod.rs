//! Small helpers at the process's edge that every IO module shares: the clocks and atomic file writes.
//! `util` imports nothing else of the crate.

pub mod clock;
pub mod fs;

//! The process's clocks: wall-clock Unix milliseconds (slots, checkpoints) and a monotonic nanosecond counter
//! (durations for metrics). Systems never read these; the engine receives the time through `tick(now)`.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix milliseconds of the local clock.
pub fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Nanoseconds since the first call in this process, from the monotonic clock.
pub fn monotonic_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

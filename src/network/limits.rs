//! The token bucket behind serving's rate limits (blocks per peer, status requests per peer). Pure arithmetic
//! over instants the caller passes in, so it is tested without clocks.

use std::time::Duration;

use tokio::time::Instant;

/// A token bucket that may be borrowed against: it holds up to `capacity` tokens and refills at `per_sec`. Taking
/// more than it holds leaves it negative, and the taker waits until the refill has covered the debt, the shape
/// of a GCRA limiter (Lighthouse's RPC rate limiter): requests are spaced out, never queued in the bucket.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    /// Most tokens held (also the most one take may need).
    capacity: f64,
    /// Refill per second.
    per_sec: f64,
    /// Tokens now (as of `updated`); negative while borrowed against.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket of `capacity` tokens refilling at `per_sec` a second, as of `now`.
    pub fn new(capacity: u32, per_sec: u32, now: Instant) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_sec: f64::from(per_sec),
            tokens: f64::from(capacity),
            updated: now,
        }
    }

    /// Adds what was refilled since the last update, up to the capacity.
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.updated = self.updated.max(now);
    }

    /// Tokens available at `now` (negative while borrowed against).
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// Takes `n` tokens (at most the capacity) at `now` and returns how long the taker must wait until they are
    /// covered (zero if the bucket held them); or takes nothing and returns `None` if that wait would exceed
    /// `max_wait`.
    pub fn take(&mut self, n: u32, now: Instant, max_wait: Duration) -> Option<Duration> {
        self.refill(now);
        let n = f64::from(n).min(self.capacity);
        let after = self.tokens - n;
        if after >= 0.0 {
            self.tokens = after;
            return Some(Duration::ZERO);
        }
        if self.per_sec <= 0.0 {
            return None;
        }
        let wait = Duration::from_secs_f64(-after / self.per_sec);
        if wait > max_wait {
            return None;
        }
        self.tokens = after;
        Some(wait)
    }
}

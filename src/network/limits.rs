//! The limits on serving and on connections ([`ServeLimits`], with their defaults), why a request was not served
//! ([`DropReason`]), what serving holds ([`ServeStats`]), and the token bucket behind the rate limits (blocks per
//! peer, status requests per peer): pure arithmetic over instants the caller passes in, tested without clocks.

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

/// The limits on serving and on connections, with their defaults. See `docs/ARCHITECTURE.md`, "Serving limits".
/// Decoding them (the `[serve]` section of an operator's config file) takes the default of every limit left out
/// and refuses unknown ones.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeLimits {
    /// Blocks a peer may be served in one burst: its token bucket's capacity (default 16,384).
    pub blocks_burst: u32,
    /// Blocks per second a peer's bucket refills (default 8,192; an honest sync from one server runs at about
    /// 3,000). A blocks_by_range request takes `min(count, MAX_BLOCKS_PER_REQUEST)` tokens before its blocks are
    /// read, waiting (off the swarm task) until they are covered; a request that would wait more than half the
    /// request timeout is dropped.
    pub blocks_per_sec: u32,
    /// blocks_by_range answers per peer at once (default 4), each counted from the request's arrival until
    /// libp2p reports the answer written (`ResponseSent`) or failed (`InboundFailure`). Further requests from
    /// that peer are dropped, not queued.
    pub max_answers_per_peer: usize,
    /// Bytes of blocks_by_range answers in flight, all peers together (default 64 MiB). Before reading, a request
    /// waits (its rate wait and this one together at most half the request timeout, else it is dropped) until the
    /// most its answer may carry (`min(max_bytes, MAX_RESPONSE_BYTES)` plus framing) fits, the peer holding least
    /// first, then the earliest; once read, it holds its actual encoded size until the answer is written or
    /// fails. (A single block larger than the cap, which the protocol allows, holds only the reservation.)
    pub max_bytes_in_flight: usize,
    /// Bytes in flight for one peer (default 4 MiB); beyond, its requests wait for its own answers to be written.
    /// A peer holding nothing may always take one reservation (its first answer fits even at 8 MiB).
    pub max_bytes_per_peer: usize,
    /// Bytes of `max_bytes_in_flight` only peers with no unwritten answer may take (default 16 MiB).
    pub reserved_for_readers: usize,
    /// Milliseconds an answer handed to libp2p may stay unwritten before its peer is disconnected (default 10,000).
    pub write_timeout_ms: u64,
    /// Status requests a peer may send in one burst (default 16).
    pub status_burst: u32,
    /// Status requests per second a peer's status bucket refills (default 4); excess requests are dropped. An
    /// honest node asks a peer at most every `SyncConfig::announce_min_ms` (500 ms): half this rate.
    pub status_per_sec: u32,
    /// Established connections in total (default 128).
    pub max_connections: u32,
    /// Established connections per peer (default 2).
    pub max_connections_per_peer: u32,
    /// Incoming connections being set up (default 32).
    pub max_pending_incoming: u32,
    /// Outgoing connections being set up (default 32).
    pub max_pending_outgoing: u32,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            blocks_burst: 16_384,
            blocks_per_sec: 8_192,
            max_answers_per_peer: 4,
            max_bytes_in_flight: 64 << 20,
            max_bytes_per_peer: 4 << 20,
            reserved_for_readers: 16 << 20,
            write_timeout_ms: 10_000,
            status_burst: 16,
            status_per_sec: 4,
            max_connections: 128,
            max_connections_per_peer: 2,
            max_pending_incoming: 32,
            max_pending_outgoing: 32,
        }
    }
}

impl ServeLimits {
    /// Checks every limit is at least 1 (a 0 would refuse all service, or all connections, or never refill a
    /// bucket); the error names the limit at fault. The config file's limits must pass it; the network itself
    /// takes any values (tests use a rate of 0 for a bucket that never refills).
    pub fn check(&self) -> Result<(), LimitError> {
        let limits = [
            ("blocks_burst", self.blocks_burst as usize),
            ("blocks_per_sec", self.blocks_per_sec as usize),
            ("max_answers_per_peer", self.max_answers_per_peer),
            ("max_bytes_in_flight", self.max_bytes_in_flight),
            ("max_bytes_per_peer", self.max_bytes_per_peer),
            ("reserved_for_readers", self.reserved_for_readers),
            ("write_timeout_ms", usize::from(self.write_timeout_ms > 0)),
            ("status_burst", self.status_burst as usize),
            ("status_per_sec", self.status_per_sec as usize),
            ("max_connections", self.max_connections as usize),
            (
                "max_connections_per_peer",
                self.max_connections_per_peer as usize,
            ),
            ("max_pending_incoming", self.max_pending_incoming as usize),
            ("max_pending_outgoing", self.max_pending_outgoing as usize),
        ];
        match limits.iter().find(|(_, v)| *v == 0) {
            Some((key, _)) => Err(LimitError::Zero(key)),
            None => Ok(()),
        }
    }
}

/// [`ServeLimits`] that make no sense; each names the limit ([`LimitError::key`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", self.key(), self.problem())]
pub enum LimitError {
    /// A limit is 0.
    Zero(&'static str),
}

impl LimitError {
    /// The limit (a [`ServeLimits`] field name) at fault.
    pub fn key(&self) -> &'static str {
        match self {
            LimitError::Zero(key) => key,
        }
    }

    /// What is wrong with it, without its name.
    pub fn problem(&self) -> &'static str {
        match self {
            LimitError::Zero(_) => "must be at least 1",
        }
    }
}

/// Why a peer's request was not served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// blocks_by_range from a peer whose status has not passed our check.
    Unchecked,
    /// blocks_by_range from a peer on the deny list (another chain, or disconnected at the engine's request).
    Denied,
    /// The peer already has [`ServeLimits::max_answers_per_peer`] answers in flight.
    Concurrency,
    /// The peer's blocks bucket would make the request wait more than half the request timeout.
    Rate,
    /// The byte budget ([`ServeLimits::max_bytes_in_flight`], or the peer's [`ServeLimits::max_bytes_per_peer`])
    /// stayed short for half the request timeout, or the request's reservation alone exceeds the whole budget.
    Memory,
    /// The peer's status bucket is empty.
    StatusRate,
    /// An answer handed to libp2p was not written within [`ServeLimits::write_timeout_ms`]: its peer was
    /// disconnected (counted once per such answer).
    WriteTimeout,
}

impl DropReason {
    /// Every reason, in the order of their counters.
    pub const ALL: [DropReason; 7] = [
        DropReason::Unchecked,
        DropReason::Denied,
        DropReason::Concurrency,
        DropReason::Rate,
        DropReason::Memory,
        DropReason::StatusRate,
        DropReason::WriteTimeout,
    ];

    /// The metric label: `unchecked`, `denied`, `concurrency`, `rate`, `memory`, `status_rate` or `write_timeout`.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Unchecked => "unchecked",
            DropReason::Denied => "denied",
            DropReason::Concurrency => "concurrency",
            DropReason::Rate => "rate",
            DropReason::Memory => "memory",
            DropReason::StatusRate => "status_rate",
            DropReason::WriteTimeout => "write_timeout",
        }
    }

    /// Its place in [`DropReason::ALL`].
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// What serving has refused and holds, as the swarm task last published it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServeStats {
    /// Requests dropped since start, by reason.
    pub dropped: Vec<(DropReason, u64)>,
    /// blocks_by_range answers between arrival and written/failed.
    pub answers_in_flight: usize,
    /// Bytes reserved by those answers.
    pub bytes_in_flight: usize,
    /// Events for the engine dropped because its channel was full.
    pub events_dropped: u64,
    /// Engine requests dropped because the command channel was full.
    pub commands_dropped: u64,
    /// New peers disconnected for not answering our status request within [`behaviour::STATUS_TIMEOUT`].
    pub no_status: u64,
    /// Connected peers proven federation members.
    pub federation_peers: usize,
    /// Peers whose membership proof did not verify (disconnected and denied).
    pub false_members: u64,
    /// Connected peers evicted to make room for a newcomer, and newcomers closed for want of room.
    pub evicted: u64,
    /// The consensus protocol's counts.
    pub consensus: ConsensusStats,
}

/// What the consensus protocol (`consensus.rs`) took, refused and sent, since start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsensusStats {
    /// Messages (proposals and votes) handed to the engine.
    pub accepted: u64,
    /// Requests answered `Busy`: beyond the bounds on what waits for the engine or the sender's rate, or from a
    /// member the engine does not know yet.
    pub busy: u64,
    /// Requests refused at once because their sender is not a proven member (never seen by the engine).
    pub from_outsiders: u64,
    /// Requests this node sent.
    pub sent: u64,
    /// ... that failed without an answer (refused by the receiver's codec, closed, timed out).
    pub sent_failed: u64,
    /// ... answered `Busy` or `Refused`.
    pub sent_not_accepted: u64,
}

impl ServeStats {
    /// Requests dropped for `reason`.
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, n)| *n)
    }

    /// Requests dropped for any reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|(_, n)| n).sum()
    }
}

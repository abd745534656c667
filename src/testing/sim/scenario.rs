//! What a simulation plays: the peers ([`PeerSpec`], [`Behaviour`]), the honest head over time, the node's crashes
//! and partitions ([`Crash`], [`Partition`]), drawn from a seed ([`Scenario::random`]) or chosen.

use ecsync_components::SyncConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How a simulated peer behaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Behaviour {
    /// Serves what it has.
    Honest,
    /// Drops requests and disconnects mid-range now and then (per mille of requests).
    Flaky {
        /// Requests never answered.
        drop_per_mille: u32,
        /// Requests that end in a disconnect (the peer comes back 2 s later).
        disconnect_per_mille: u32,
    },
    /// Claims `extra` blocks more than it has; answers nothing for them.
    Liar {
        /// Height claimed beyond the real head.
        extra: u64,
    },
    /// Corrupts blocks it serves (per mille): bad signatures, changed payloads, garbage, wrong heights.
    Invalid {
        /// Blocks corrupted.
        corrupt_per_mille: u32,
    },
    /// Answers no blocks request it receives before `until_ms` (ms after the start; the engine's timeouts must
    /// catch them), then serves what it has. It answers status requests throughout. Never drawn by
    /// [`Scenario::random`]: for tests of what a peer's failures cost it, and what it gets once they are over.
    Stalled {
        /// End of the stall, ms after the start.
        until_ms: u64,
    },
}

impl Behaviour {
    /// One of the behaviours [`Scenario::random`] draws: honest half the time, else flaky, lying or invalid.
    fn random(rng: &mut ChaCha8Rng) -> Self {
        match rng.random_range(0..6) {
            0 | 1 => Behaviour::Honest,
            2 => Behaviour::Flaky {
                drop_per_mille: rng.random_range(50..400),
                disconnect_per_mille: rng.random_range(20..200),
            },
            3 => Behaviour::Liar {
                extra: rng.random_range(10..5_000),
            },
            4 => Behaviour::Invalid {
                corrupt_per_mille: rng.random_range(5..300),
            },
            _ => Behaviour::Honest,
        }
    }
}

/// A simulated peer's description.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// Behaviour.
    pub behaviour: Behaviour,
    /// One-way latency, ms.
    pub latency_ms: u64,
    /// Link bandwidth, bytes per second.
    pub bytes_per_sec: u64,
    /// When it connects, ms after the start.
    pub join_at_ms: u64,
    /// When it leaves for good, ms after the start.
    pub leave_at_ms: Option<u64>,
}

impl PeerSpec {
    /// The honest anchor peer of [`Scenario::random`]: quick, joining in the first 3 s, never leaving.
    fn random_anchor(rng: &mut ChaCha8Rng) -> Self {
        PeerSpec {
            behaviour: Behaviour::Honest,
            latency_ms: rng.random_range(5..60),
            bytes_per_sec: rng.random_range(200_000..4_000_000),
            join_at_ms: rng.random_range(0..3_000),
            leave_at_ms: None,
        }
    }

    /// Another peer of [`Scenario::random`]: any behaviour, slow in 30 % of the draws, joining late in 30 %,
    /// leaving in 25 %.
    fn random(rng: &mut ChaCha8Rng) -> Self {
        let behaviour = Behaviour::random(rng);
        let slow = rng.random_bool(0.3);
        let join_at_ms = if rng.random_bool(0.3) {
            rng.random_range(0..20_000)
        } else {
            0
        };
        PeerSpec {
            behaviour,
            latency_ms: if slow {
                rng.random_range(200..1_500)
            } else {
                rng.random_range(5..80)
            },
            bytes_per_sec: if slow {
                rng.random_range(5_000..60_000)
            } else {
                rng.random_range(100_000..5_000_000)
            },
            join_at_ms,
            leave_at_ms: rng
                .random_bool(0.25)
                .then(|| join_at_ms + rng.random_range(1_000..30_000)),
        }
    }
}

/// A crash of the node: killed (`kill -9`) at `at_ms` and restarted at once from its store; the restarted node
/// reaches the peers it was connected to `redial_ms` later (plus their round trip).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crash {
    /// When, ms after the start.
    pub at_ms: u64,
    /// How long the restarted node takes to dial its peers again.
    pub redial_ms: u64,
}

/// How the node is cut off from the network during a [`Partition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionKind {
    /// Every peer disconnects (`PeerGone`) at the start and reconnects (`PeerConnected`, with the head it has
    /// then) at the end; nobody connects in between.
    Gone,
    /// Every peer stays connected but nothing reaches the node: requests and answers in flight are lost, so
    /// requests time out; nobody connects in between.
    Silent,
}

impl PartitionKind {
    /// 0 for `Gone`, 1 for `Silent` (an index for per-kind tallies).
    pub fn index(self) -> usize {
        match self {
            PartitionKind::Gone => 0,
            PartitionKind::Silent => 1,
        }
    }
}

/// A window of virtual time in which the node is cut off from every peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// How.
    pub kind: PartitionKind,
    /// Start, ms after the start of the run.
    pub from_ms: u64,
    /// End (exclusive), ms after the start of the run.
    pub until_ms: u64,
}

/// Share of random scenarios with crashes.
pub const CRASH_SHARE: f64 = 0.4;
/// Share of random scenarios with partitions (drawn independently of crashes, so some have both).
pub const PARTITION_SHARE: f64 = 0.4;

/// A simulation's setting.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Seed of the network's randomness.
    pub seed: u64,
    /// The peers.
    pub peers: Vec<PeerSpec>,
    /// The honest head when the run starts…
    pub initial_head: u64,
    /// …grows by one block every this many ms (0: never)…
    pub extend_every_ms: u64,
    /// …up to this height.
    pub final_head: u64,
    /// Where the syncing node's store starts.
    pub start_height: u64,
    /// Virtual time between ticks.
    pub tick_ms: u64,
    /// A run not Synced at the final head by then fails.
    pub max_virtual_ms: u64,
    /// Servers cap an answer at this many bytes.
    pub max_response_bytes: usize,
    /// Crashes of the node, by time.
    pub crashes: Vec<Crash>,
    /// Partitions, by time, disjoint.
    pub partitions: Vec<Partition>,
}

impl Scenario {
    /// A random scenario over a chain of `chain_len` blocks: an honest anchor peer that never leaves, and 2 to 7
    /// more of every kind, some joining late, some leaving; for some seeds, crashes and partitions
    /// ([`Scenario::with_disruptions`]).
    pub fn random(seed: u64, chain_len: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5eed);
        let mut peers = vec![PeerSpec::random_anchor(&mut rng)];
        for _ in 0..rng.random_range(2..=7) {
            peers.push(PeerSpec::random(&mut rng));
        }
        let moving = rng.random_bool(0.5);
        let initial_head = if moving {
            chain_len - rng.random_range(1..=chain_len.min(40))
        } else {
            chain_len
        };
        Self {
            seed,
            peers,
            initial_head,
            extend_every_ms: if moving {
                rng.random_range(100..1_000)
            } else {
                0
            },
            final_head: chain_len,
            start_height: if rng.random_bool(0.2) {
                rng.random_range(0..chain_len / 2)
            } else {
                0
            },
            tick_ms: 50,
            max_virtual_ms: 600_000,
            max_response_bytes: 256 * 1024,
            crashes: Vec::new(),
            partitions: Vec::new(),
        }
        .with_disruptions(seed)
    }

    /// Adds crashes and partitions drawn from `seed` to a scenario without any (with an RNG of their own, so the
    /// peers and the chain of a seed are those it had without them): crashes in [`CRASH_SHARE`] of the seeds,
    /// partitions in [`PARTITION_SHARE`], independently. The time bound grows by the time the disruptions take.
    ///
    /// - Crashes: 1 to 3, each early (in the first 6 s, while a fresh node downloads) or anywhere in the first
    ///   45 s (while a moving head is followed, or after the sync), the restarted node redialling within 3 s.
    /// - Partitions: 1 or 2 disjoint windows, each `Gone` or `Silent`, starting in the first 40 s, lasting 3 s
    ///   to 8 times `stall_timeout_ms` of [`sim_config`]: below the stall timeout (40 %), up to 3 times it
    ///   (30 %), up to 8 times it (30 %, long enough for a stalled engine to fail and recover many times).
    pub fn with_disruptions(mut self, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xc4a5_4ed1_5c0e_0001);
        if rng.random_bool(CRASH_SHARE) {
            let mut crashes: Vec<Crash> = (0..rng.random_range(1..=3))
                .map(|_| Crash {
                    at_ms: if rng.random_bool(0.5) {
                        rng.random_range(100..6_000)
                    } else {
                        rng.random_range(100..45_000)
                    },
                    redial_ms: rng.random_range(0..3_000),
                })
                .collect();
            crashes.sort_by_key(|c| c.at_ms);
            self.crashes = crashes;
        }
        if rng.random_bool(PARTITION_SHARE) {
            let stall = sim_config().stall_timeout_ms;
            let mut from_ms = rng.random_range(500..40_000);
            for _ in 0..if rng.random_bool(0.3) { 2 } else { 1 } {
                let kind = if rng.random_bool(0.5) {
                    PartitionKind::Gone
                } else {
                    PartitionKind::Silent
                };
                let len = match rng.random_range(0..10) {
                    0..=3 => rng.random_range(3_000..stall),
                    4..=6 => rng.random_range(stall..3 * stall),
                    _ => rng.random_range(3 * stall..=8 * stall),
                };
                self.partitions.push(Partition {
                    kind,
                    from_ms,
                    until_ms: from_ms + len,
                });
                from_ms += len + rng.random_range(2_000..30_000);
            }
        }
        let partitioned: u64 = self.partitions.iter().map(|p| p.until_ms - p.from_ms).sum();
        let redials: u64 = self.crashes.iter().map(|c| c.redial_ms).sum();
        self.max_virtual_ms += partitioned + redials;
        self
    }

    /// When the last crash or partition is over, ms after the start (0 without any).
    pub fn disrupted_until_ms(&self) -> u64 {
        let crashes = self.crashes.iter().map(|c| c.at_ms + c.redial_ms);
        let partitions = self.partitions.iter().map(|p| p.until_ms);
        crashes.chain(partitions).max().unwrap_or(0)
    }

    /// Honest peers only, at a fixed head: for comparisons of strategies.
    pub fn honest(seed: u64, peers: usize, head: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Self {
            seed,
            peers: (0..peers)
                .map(|_| PeerSpec {
                    behaviour: Behaviour::Honest,
                    latency_ms: rng.random_range(20..120),
                    bytes_per_sec: rng.random_range(200_000..2_000_000),
                    join_at_ms: 0,
                    leave_at_ms: None,
                })
                .collect(),
            initial_head: head,
            extend_every_ms: 0,
            final_head: head,
            start_height: 0,
            tick_ms: 20,
            max_virtual_ms: 3_600_000,
            max_response_bytes: 4 * 1024 * 1024,
            crashes: Vec::new(),
            partitions: Vec::new(),
        }
    }
}

/// The engine config simulations use: the defaults with a small buffer cap (so the cap is exercised) and
/// quicker status polls.
pub fn sim_config() -> SyncConfig {
    SyncConfig {
        max_buffered_bytes: 96 * 1024,
        status_interval_ms: 1_000,
        stall_timeout_ms: 30_000,
        ..SyncConfig::default()
    }
}

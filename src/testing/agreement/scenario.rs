//! What a seed plays ([`Scenario::random`]): the federation's size, its Byzantine members and their
//! [`Behaviour`]s, the members' clock skews, the network's faults until GST (delays with a heavy tail, drops,
//! duplicates, [`Partition`]s), and honest members' [`Crash`]es, all over by GST.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The slot, ms.
pub const SLOT_MS: u64 = 500;
/// Δ: after GST every message between members arrives within this many ms and none is lost.
pub const DELTA_MS: u64 = 200;
/// The clock skew bound: a member's clock is virtual time plus an offset in ±`MAX_SKEW_MS` (a quarter slot), so
/// two members' clocks differ by at most half a slot.
pub const MAX_SKEW_MS: i64 = (SLOT_MS / 4) as i64;
/// Virtual time at which every member starts (genesis is at 0: slot s starts at s × [`SLOT_MS`]).
pub const START_MS: u64 = SLOT_MS / 2;
/// The latest GST a seed draws, ms.
pub const MAX_GST_MS: u64 = 16_000;

/// What a Byzantine member does. It runs an honest core (so it follows heights and rounds) and bends what
/// leaves it; it signs only with its own authority index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behaviour {
    /// In its rounds, a different valid proposal to each member (and its core's to all, through gossip).
    Equivocate,
    /// Prevotes and precommits every value it sees proposed, beside its core's votes: conflicting votes in one
    /// round.
    DoubleVote,
    /// Sends nothing at all.
    Silent,
    /// Holds its votes and releases them 2 to 6 slots late.
    Withhold,
    /// Votes and proposes block hashes that never existed, and claims commits of them.
    FakeVotes,
    /// One of the above, drawn per message.
    Mixed,
}

impl Behaviour {
    /// The behaviours a seed draws from.
    pub const ALL: [Behaviour; 6] = [
        Behaviour::Equivocate,
        Behaviour::DoubleVote,
        Behaviour::Silent,
        Behaviour::Withhold,
        Behaviour::FakeVotes,
        Behaviour::Mixed,
    ];
}

/// Members on the two sides of a partition do not hear each other from `from_ms` until `until_ms`: what one side
/// sends the other in that window is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Start, virtual ms.
    pub from_ms: u64,
    /// The heal, virtual ms.
    pub until_ms: u64,
    /// The members of one side (bitmask); the others are the other side.
    pub side: u64,
}

impl Partition {
    /// Whether it cuts `a` from `b` at `at_ms`.
    pub fn cuts(&self, a: usize, b: usize, at_ms: u64) -> bool {
        at_ms >= self.from_ms
            && at_ms < self.until_ms
            && ((self.side >> a) & 1) != ((self.side >> b) & 1)
    }
}

/// An honest member crashes at `at_ms` (losing all but its durable round state and its chain) and restarts at
/// `restart_ms`. With `before_broadcast`, the crash waits (from `at_ms`) for the member's next signed message:
/// it dies right after persisting its state, before anything leaves; if none comes by `restart_ms`, it does not
/// crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crash {
    /// The member.
    pub member: usize,
    /// When it crashes (or starts waiting to), virtual ms.
    pub at_ms: u64,
    /// When it restarts, virtual ms.
    pub restart_ms: u64,
    /// Killed between persisting a vote and broadcasting it.
    pub before_broadcast: bool,
}

/// The network's faults before GST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetFaults {
    /// Messages lost, per mille.
    pub drop_per_mille: u32,
    /// Messages delivered twice, per mille (before and after GST).
    pub dup_per_mille: u32,
    /// Messages delayed beyond Δ, per mille.
    pub tail_per_mille: u32,
    /// The longest such delay, ms.
    pub tail_max_ms: u64,
}

/// What one seed plays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The seed.
    pub seed: u64,
    /// Members (one authority each).
    pub n: usize,
    /// Each member's clock offset from virtual time, ms (within ±[`MAX_SKEW_MS`]).
    pub offsets: Vec<i64>,
    /// Each member's Byzantine behaviour; `None`: honest. At most f = ⌊(n−1)/3⌋ are Byzantine.
    pub behaviours: Vec<Option<Behaviour>>,
    /// GST, the last heal: every partition, crash and network fault is over by then.
    pub gst_ms: u64,
    /// The network's faults before GST.
    pub faults: NetFaults,
    /// The partitions, in order, none overlapping.
    pub partitions: Vec<Partition>,
    /// The crashes, in order of `at_ms`.
    pub crashes: Vec<Crash>,
    /// Mixed into every value built, so seeds do not share values.
    pub salt: u64,
}

impl Scenario {
    /// The scenario of `seed`.
    pub fn random(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5ce7_a710_0a61_ee00);
        let n = match rng.random_range(0..10) {
            0..=6 => 4,
            7 | 8 => 5,
            _ => 7,
        };
        let f = (n - 1) / 3;
        let byzantine = if rng.random_bool(0.15) {
            0
        } else {
            rng.random_range(1..=f)
        };
        let mut behaviours = vec![None; n];
        for _ in 0..byzantine {
            let free: Vec<usize> = (0..n).filter(|&i| behaviours[i].is_none()).collect();
            let who = free[rng.random_range(0..free.len())];
            behaviours[who] = Some(Behaviour::ALL[rng.random_range(0..Behaviour::ALL.len())]);
        }
        let offsets = (0..n)
            .map(|_| rng.random_range(-MAX_SKEW_MS..=MAX_SKEW_MS))
            .collect();
        let gst_ms = if rng.random_bool(0.2) {
            START_MS
        } else {
            rng.random_range(2_000..=MAX_GST_MS)
        };
        let faults = NetFaults {
            drop_per_mille: rng.random_range(0..=300),
            dup_per_mille: rng.random_range(0..=100),
            tail_per_mille: rng.random_range(0..=200),
            tail_max_ms: rng.random_range(DELTA_MS..=4 * SLOT_MS),
        };
        let partitions = partitions(&mut rng, n, gst_ms);
        let crashes = crashes(&mut rng, &behaviours, gst_ms);
        Scenario {
            seed,
            n,
            offsets,
            behaviours,
            gst_ms,
            faults,
            partitions,
            crashes,
            salt: rng.random(),
        }
    }

    /// f = ⌊(n−1)/3⌋.
    pub fn f(&self) -> usize {
        (self.n - 1) / 3
    }

    /// The honest members (bitmask).
    pub fn honest(&self) -> u64 {
        (0..self.n)
            .filter(|&i| self.behaviours[i].is_none())
            .fold(0, |m, i| m | 1 << i)
    }

    /// Whether a partition cuts `a` from `b` at `at_ms`.
    pub fn cut(&self, a: usize, b: usize, at_ms: u64) -> bool {
        self.partitions.iter().any(|p| p.cuts(a, b, at_ms))
    }

    /// Whether some partition split four members two against two.
    pub fn splits_halves(&self) -> bool {
        self.n == 4 && self.partitions.iter().any(|p| p.side.count_ones() == 2)
    }
}

/// Up to 2 partitions before `gst_ms`, one after the other; for n = 4, half of them split the members 2/2.
fn partitions(rng: &mut ChaCha8Rng, n: usize, gst_ms: u64) -> Vec<Partition> {
    let mut out = Vec::new();
    let mut cursor = START_MS;
    for _ in 0..rng.random_range(0..=2) {
        if gst_ms < cursor + 1_000 {
            break;
        }
        let from_ms = rng.random_range(cursor..gst_ms - 500);
        let until_ms = rng.random_range(from_ms + 500..=gst_ms.min(from_ms + 10_000));
        let size = if n == 4 && rng.random_bool(0.5) {
            2
        } else {
            rng.random_range(1..n)
        };
        let mut side = 0u64;
        while (side.count_ones() as usize) < size {
            side |= 1 << rng.random_range(0..n);
        }
        out.push(Partition {
            from_ms,
            until_ms,
            side,
        });
        cursor = until_ms;
    }
    out
}

/// Up to 3 crashes of honest members before `gst_ms`, a member's crashes never overlapping; every restart is by
/// `gst_ms`.
fn crashes(rng: &mut ChaCha8Rng, behaviours: &[Option<Behaviour>], gst_ms: u64) -> Vec<Crash> {
    let honest: Vec<usize> = (0..behaviours.len())
        .filter(|&i| behaviours[i].is_none())
        .collect();
    let mut busy_until = vec![0u64; behaviours.len()];
    let mut out = Vec::new();
    for _ in 0..rng.random_range(0..=3) {
        if gst_ms < START_MS + 600 {
            break;
        }
        let member = honest[rng.random_range(0..honest.len())];
        let at_ms = rng.random_range(START_MS..gst_ms - 300);
        if at_ms < busy_until[member] {
            continue;
        }
        let restart_ms = rng.random_range(at_ms + 100..=gst_ms.min(at_ms + 6_000));
        busy_until[member] = restart_ms + 1;
        out.push(Crash {
            member,
            at_ms,
            restart_ms,
            before_broadcast: rng.random_bool(0.5),
        });
    }
    out.sort_by_key(|c| c.at_ms);
    out
}

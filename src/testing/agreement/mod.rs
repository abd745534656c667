//! A deterministic simulation of the federation's agreement (issue 26): n members, each running the Tendermint
//! core (`ecsync_systems::consensus::Tendermint`) behind a driver written here the way the node drives it, over
//! a simulated network, in virtual time, with a seeded RNG; no clock, no thread, no real signature. The same
//! seed replays the same run.
//!
//! Each seed ([`Scenario::random`]) draws n in {4, 5, 7}, up to f = ⌊(n−1)/3⌋ Byzantine members
//! ([`Behaviour`]), clock skews within ±slot/4, and until GST (the last heal): message delays with a heavy
//! tail, drops (up to 30 %), duplicates, partitions that heal (2/2 splits of four members among them), and
//! crashes of honest members (some killed between persisting a vote and sending it) that restart from their
//! durable round state and chain. After GST, every message arrives within Δ = 200 ms and none is lost.
//!
//! The driver (`member.rs`, `run.rs`) persists `Tendermint::state()` before anything a call signed leaves,
//! keeps the timers on its member's clock, builds a fresh block when asked to propose, judges valid(v), keeps
//! up to [`MAX_EARLY`] messages of the next height, and every slot sends again what `gossip()` returns and its
//! last commit; a member behind asks for the commits it misses ([`SYNC_BATCH`] a time) and catches up height
//! by height. It persists nothing beside the core's round state and sends again nothing beside `gossip()`: the
//! votes that justify the state (`RoundState::justification`) are part of it ([`AgreementSim::without_durable_votes`]
//! shows a restart that loses them stalling).
//!
//! Signatures are modelled by the record of what each authority emitted ([`ledger`]): a receiver accepts a vote
//! or proposal only if its author emitted it, so members relay each other's messages and nobody forges
//! another's. A Byzantine member emits anything with its own index.
//!
//! Checked at every step (a run stops at the first violation): safety (at most one value with a quorum
//! certificate per height; honest chains agree), no honest double-signing across restarts, honest members
//! decide only proposed values on real certificates and never report an honest member as equivocating, no
//! message cap hit after GST. Liveness after GST: every honest member reaches [`TARGET_HEIGHTS`] heights past
//! the highest one decided at GST within [`liveness_bound_ms`] of GST, and every height started [`SETTLE_MS`] after
//! GST is decided within [`round_bound`] rounds of the round it started in.
//!
//! - `scenario.rs`: what a seed plays;
//! - `network.rs`: the messages, the event queue, delays, drops and partitions;
//! - `ledger.rs`: what was signed and decided, and the invariants on it;
//! - `member.rs`: the honest driver (persist before sending, timers, proposing, deciding, crash and restart);
//! - `byzantine.rs`: what Byzantine members do to what leaves them;
//! - `run.rs`: the run loop, slots (gossip and commit sync), GST and liveness;
//! - `report.rs`: what a run saw ([`AgreementReport`]).

mod byzantine;
pub mod ledger;
mod member;
mod network;
mod report;
mod run;
mod scenario;

use std::collections::HashMap;

use ecsync_components::agreement::{Round, Step};
use ecsync_systems::consensus::Timeouts;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use member::MAX_EARLY;
pub use network::{Commit, IN_FLIGHT_CAP, Msg, NetStats, SYNC_BATCH};
pub use report::AgreementReport;
pub use scenario::{
    Behaviour, Crash, DELTA_MS, MAX_GST_MS, MAX_SKEW_MS, NetFaults, Partition, SLOT_MS, START_MS,
    Scenario,
};

use ledger::Ledger;
use member::Member;
use network::Network;
use report::Tally;

/// Heights every honest member must add after GST: the liveness target is the highest height an honest member
/// had decided at GST plus this many.
pub const TARGET_HEIGHTS: u64 = 10;

/// After GST, the time the members get to settle before heights count for the round bound: restarted members
/// catch up (two sync round trips of a slot and 3Δ each: 16 heights a trip cover the ≤ 32 heights a member can
/// miss before GST) and messages sent before GST are delivered (by GST + Δ).
pub const SETTLE_MS: u64 = 2 * (SLOT_MS + 3 * DELTA_MS) + DELTA_MS;

/// The events one seed may process before it is stopped as a violation (a livelock in virtual time).
pub const MAX_EVENTS: u64 = 5_000_000;

/// The most rounds a height started [`SETTLE_MS`] after GST may take (decision round minus the round it
/// started in): n. Every n consecutive rounds have every member as proposer once; after GST the round's
/// timeouts are longer than the messages' delays and skews, so every honest member sees an honest proposer's
/// proposal and the prevotes of the same round, and an honest proposer whose valid round is the highest among
/// the honest ones (which every n rounds contain) gets its value decided.
pub fn round_bound(n: usize) -> u32 {
    n as u32
}

/// The longest round `round` may take after GST: its three timeouts, three message delays, the skew between
/// two clocks, and a slot of waiting for the proposer's slot.
pub fn round_ms(t: &Timeouts, round: Round) -> u64 {
    t.of(Step::Propose, round)
        + t.of(Step::Prevote, round)
        + t.of(Step::Precommit, round)
        + 3 * DELTA_MS
        + 2 * MAX_SKEW_MS as u64
        + SLOT_MS
}

/// The longest a height in round `from` may still take after GST: rounds `from` to `from` + [`round_bound`],
/// then the commit's propagation to every member (a slot and 3Δ).
pub fn height_ms(n: usize, t: &Timeouts, from: Round) -> u64 {
    (from..=from + round_bound(n))
        .map(|r| round_ms(t, r))
        .sum::<u64>()
        + SLOT_MS
        + 3 * DELTA_MS
}

/// The virtual time after GST by which every honest member must be at the liveness target, when the highest
/// round an honest member is in at GST is `gst_round`: [`SETTLE_MS`], the height under way at GST (from
/// `gst_round`), then [`TARGET_HEIGHTS`] fresh heights (from round 0).
pub fn liveness_bound_ms(n: usize, t: &Timeouts, gst_round: Round) -> u64 {
    SETTLE_MS + height_ms(n, t, gst_round) + TARGET_HEIGHTS * height_ms(n, t, 0)
}

/// The liveness target, set at GST.
#[derive(Clone, Copy, Debug)]
struct Target {
    /// Every honest member must decide this height...
    height: u64,
    /// ... by this virtual time.
    deadline_ms: u64,
    /// The bound: `deadline_ms` − GST.
    bound_ms: u64,
}

/// One seed's simulation.
pub struct AgreementSim {
    scenario: Scenario,
    timeouts: Timeouts,
    rng: ChaCha8Rng,
    /// Virtual time, ms.
    now: u64,
    members: Vec<Member>,
    net: Network,
    ledger: Ledger,
    violations: Vec<String>,
    trace: bool,
    tally: Tally,
    /// Per height, when an honest member first started it (virtual ms).
    height_started: HashMap<u64, u64>,
    target: Option<Target>,
    /// Whether drivers persist the round state's justification (a test switch: they always should).
    durable_votes: bool,
}

impl AgreementSim {
    /// The simulation of `scenario` (`SIM_TRACE` set: it traces every event to stderr).
    pub fn new(scenario: Scenario) -> Self {
        let members = (0..scenario.n)
            .map(|i| Member::new(scenario.offsets[i], scenario.behaviours[i]))
            .collect();
        AgreementSim {
            timeouts: Timeouts::for_slot(SLOT_MS),
            rng: ChaCha8Rng::seed_from_u64(scenario.seed ^ 0x0a11_ce5e_ed00_0001),
            now: START_MS,
            members,
            net: Network::default(),
            ledger: Ledger::new(scenario.n, scenario.honest(), scenario.salt),
            violations: Vec::new(),
            trace: std::env::var_os("SIM_TRACE").is_some(),
            tally: Tally::default(),
            height_started: HashMap::new(),
            target: None,
            durable_votes: true,
            scenario,
        }
    }

    /// Drivers persist `Tendermint::state()` without its justification (the votes that justify it), as if the
    /// core had none. Two stalls follow, for good, after a restart before GST (tests/agreement_sim.rs shows them
    /// on seeds it finds):
    /// - a member restarted with a valid round whose quorum of prevotes it lost cannot prevote its own
    ///   re-proposal (line 28 needs that quorum); if no live member holds the quorum any more, the members locked
    ///   on that value never vote for another, and no value gets a quorum;
    /// - a member restarted in round r + 1 lost the precommits of round r that moved it there; members that
    ///   missed them before GST stay in round r when the others are just a quorum (line 47 needs a quorum of
    ///   precommits, line 55 f + 1 messages of round r + 1).
    pub fn without_durable_votes(mut self) -> Self {
        self.durable_votes = false;
        self
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    fn honest(&self, i: usize) -> bool {
        self.scenario.behaviours[i].is_none()
    }

    fn violation(&mut self, what: String) {
        if self.trace {
            eprintln!("t={} VIOLATION {what}", self.now);
        }
        self.violations.push(what);
    }
}

/// Runs seed `seed`'s scenario.
pub fn run_seed(seed: u64) -> AgreementReport {
    AgreementSim::new(Scenario::random(seed)).run()
}

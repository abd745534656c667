//! The simulated network and the event queue: what members send each other ([`Msg`]), when it arrives (delays,
//! drops, duplicates and partitions before GST; within Δ and never lost after), and the run's events in virtual
//! time order. At most [`IN_FLIGHT_CAP`] messages are in flight: more are dropped and counted.

use std::collections::BTreeMap;

use ecsync_components::Hash32;
use ecsync_components::agreement::{Proposal, Round, Vote};
use ecsync_systems::consensus::Timer;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::scenario::{DELTA_MS, Scenario};

/// The most messages in flight at once; a message sent beyond it is dropped (and counted).
pub const IN_FLIGHT_CAP: usize = 1 << 15;

/// A decided height's certificate, as a member's last commit or a synced block carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commit {
    /// The height.
    pub height: u64,
    /// The round of the quorum of precommits.
    pub round: Round,
    /// The block hash.
    pub value: Hash32,
    /// The precommits' voters (bitmask).
    pub voters: u64,
}

/// What members send each other. A vote or proposal is "signed": a receiver accepts it only if its author
/// really emitted it (the sim's record stands for the signature), so anyone may relay it and nobody can forge
/// another's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A vote.
    Vote(Vote),
    /// A proposal.
    Proposal(Proposal),
    /// The sender's last decided height (sent every slot).
    Commit(Commit),
    /// "Send me the commits from `height` on" (to a member whose last commit is ahead).
    SyncRequest {
        /// The asker's current height.
        height: u64,
    },
    /// Up to [`SYNC_BATCH`] consecutive commits, the answer to a [`Msg::SyncRequest`].
    Commits(Vec<Commit>),
}

/// The most commits in one [`Msg::Commits`].
pub const SYNC_BATCH: usize = 16;

/// What happens at a point of virtual time.
#[derive(Clone, Debug)]
pub enum Event {
    /// A message reaches `to`.
    Deliver {
        /// The receiver.
        to: usize,
        /// The sender.
        from: usize,
        /// The message.
        msg: Msg,
    },
    /// A member's timer is due (only for the incarnation that set it).
    Timer {
        /// The member.
        member: usize,
        /// Its incarnation when it set the timer.
        incarnation: u32,
        /// The timer.
        timer: Timer,
    },
    /// A slot begins on a member's clock: it gossips and sends its last commit.
    Slot {
        /// The member.
        member: usize,
    },
    /// The scenario's crash number `.0` begins.
    Crash(usize),
    /// A crashed member restarts.
    Restart {
        /// The member.
        member: usize,
    },
    /// A withholding member releases a message it held.
    Release {
        /// The member.
        from: usize,
        /// The message.
        msg: Msg,
    },
    /// GST: the last fault is over; the liveness target is set.
    Gst,
}

/// What the network did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Messages sent (each copy to each receiver).
    pub sent: u64,
    /// Messages lost to the drop rate before GST.
    pub dropped: u64,
    /// Messages lost to a partition.
    pub cut: u64,
    /// Messages dropped because [`IN_FLIGHT_CAP`] were in flight.
    pub capped: u64,
    /// Messages that reached a crashed member (lost).
    pub to_crashed: u64,
    /// Extra copies delivered.
    pub duplicates: u64,
    /// The most messages in flight at once.
    pub peak_in_flight: usize,
}

/// The event queue and the network's fate for each message.
#[derive(Default)]
pub struct Network {
    queue: BTreeMap<(u64, u64), Event>,
    seq: u64,
    in_flight: usize,
    /// What it did.
    pub stats: NetStats,
}

impl Network {
    /// Queues `event` at `at_ms` (after the events already queued at that time).
    pub fn schedule(&mut self, at_ms: u64, event: Event) {
        self.seq += 1;
        self.queue.insert((at_ms, self.seq), event);
    }

    /// The next event and its time.
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let ((at, _), event) = self.queue.pop_first()?;
        if matches!(event, Event::Deliver { .. }) {
            self.in_flight -= 1;
        }
        Some((at, event))
    }

    /// Sends `msg` from `from` to `to` at `now`: lost to a partition or (before GST) the drop rate, else
    /// delivered after a drawn delay (before GST, up to the scenario's tail but never later than GST + Δ; after
    /// it, within Δ), maybe twice. Returns whether the cap dropped it.
    pub fn send(
        &mut self,
        scenario: &Scenario,
        rng: &mut ChaCha8Rng,
        now: u64,
        (from, to): (usize, usize),
        msg: Msg,
    ) -> bool {
        self.stats.sent += 1;
        if scenario.cut(from, to, now) {
            self.stats.cut += 1;
            return false;
        }
        let before_gst = now < scenario.gst_ms;
        if before_gst && rng.random_range(0..1000) < scenario.faults.drop_per_mille {
            self.stats.dropped += 1;
            return false;
        }
        let copies = if rng.random_range(0..1000) < scenario.faults.dup_per_mille {
            self.stats.duplicates += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            if self.in_flight >= IN_FLIGHT_CAP {
                self.stats.capped += 1;
                return true;
            }
            let at = now + delay(scenario, rng, now);
            self.in_flight += 1;
            self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
            let msg = msg.clone();
            self.schedule(at, Event::Deliver { to, from, msg });
        }
        false
    }
}

/// A message's delay sent at `now`: 1..=Δ, or before GST sometimes up to the tail (but arriving by GST + Δ).
fn delay(scenario: &Scenario, rng: &mut ChaCha8Rng, now: u64) -> u64 {
    let faults = &scenario.faults;
    if now < scenario.gst_ms && rng.random_range(0..1000) < faults.tail_per_mille {
        let d = rng.random_range(DELTA_MS..=faults.tail_max_ms);
        d.min(scenario.gst_ms + DELTA_MS - now).max(1)
    } else {
        rng.random_range(1..=DELTA_MS)
    }
}

//! The run loop: tick by tick of virtual time, faults, deliveries, the engine's tick, its requests to the
//! simulated peers, the checks; until Synced at the final head, a violation, or the time bound.

use ecsync_components::SyncState;

use super::report::SentRequest;
use super::{SimReport, Simulation};
use crate::engine::SyncEngine;

/// When a run may end: not before the honest head stopped moving (`final_at`) nor before the last fault is over
/// (`disrupted_until`); virtual time.
#[derive(Clone, Copy)]
struct Goal {
    final_at: u64,
    disrupted_until: u64,
}

/// What a tick leads to.
enum Step {
    /// On to the next tick.
    Go,
    /// Synced at the final head, every fault over.
    Done,
    /// A violation, or no engine after a crash.
    Stop,
}

impl Simulation {
    /// Runs until Synced at the final head (and the head stopped moving, and every crash and partition is
    /// over), a violation, or the time bound.
    pub fn run(self) -> SimReport {
        self.run_observed(|_, _| {}).0
    }

    /// [`Simulation::run`], calling `observe` after every tick (after the checks) with the virtual ms since the
    /// start and the engine; returns the report and every blocks request the engine sent, in order.
    pub fn run_observed(
        mut self,
        mut observe: impl FnMut(u64, &mut SyncEngine),
    ) -> (SimReport, Vec<SentRequest>) {
        let start = self.now;
        let goal = self.goal(start);
        let mut finished = None;
        while self.now - start <= self.scenario.max_virtual_ms {
            match self.step(start, goal, &mut observe) {
                Step::Go => self.now += self.scenario.tick_ms,
                Step::Stop => break,
                Step::Done => {
                    finished = Some(self.now - start);
                    self.check_final_store();
                    break;
                }
            }
        }
        self.report(finished)
    }

    fn goal(&self, start: u64) -> Goal {
        let s = &self.scenario;
        let final_at = if s.extend_every_ms == 0 {
            start
        } else {
            start + (s.final_head - s.initial_head) * s.extend_every_ms
        };
        Goal {
            final_at,
            disrupted_until: start + s.disrupted_until_ms(),
        }
    }

    /// One tick at `self.now`: faults, deliveries, the engine's tick and requests, the checks.
    fn step(
        &mut self,
        start: u64,
        goal: Goal,
        observe: &mut impl FnMut(u64, &mut SyncEngine),
    ) -> Step {
        if self.trace {
            self.trace_tick(self.now - start);
        }
        if !self.disrupt() {
            return Step::Stop;
        }
        self.deliver_due();
        self.engine.tick(self.now);
        self.tally.ticks += 1;
        for request in self.engine.drain_outbox() {
            self.on_request(request);
        }
        self.check_invariants();
        let status = self.engine.status();
        self.observe_partition(status.state);
        observe(self.now - start, &mut self.engine);
        if !self.violations.is_empty() {
            return Step::Stop;
        }
        if self.now >= goal.final_at
            && self.now >= goal.disrupted_until
            && status.state == SyncState::Synced
            && status.current_height == self.scenario.final_head
        {
            return Step::Done;
        }
        Step::Go
    }

    /// `SIM_TRACE`: the engine's status, counters and buffer every virtual second, its world every five.
    fn trace_tick(&mut self, elapsed: u64) {
        if !elapsed.is_multiple_of(1000) {
            return;
        }
        eprintln!(
            "t={}ms {:?} {:?} {:?}",
            elapsed,
            self.engine.status(),
            self.engine.counters(),
            self.engine.buffer()
        );
        if elapsed.is_multiple_of(5000) {
            eprintln!(
                "{}",
                serde_json::to_string(&self.engine.world_dump(false)).unwrap_or_default()
            );
        }
    }
}

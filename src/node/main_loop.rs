//! The node's main loop, on the engine thread: network events go to `handle`, a tick interval (brought forward by
//! events) calls `tick`, the outbox becomes requests; dump and control requests from HTTP are answered between
//! two ticks. The [`NodeHooks`] run before every tick, see every network event before the engine and every
//! request after it.

use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ecsync_components::{NetEvent, SyncState, SyncStatus};
use tokio::sync::watch;

use crate::engine::SyncEngine;
use crate::network::NetworkHandle;
use crate::node::NodeHooks;
use crate::node::error::NodeError;
use crate::node::http::{Control, ControlAnswer, ControlReply, DumpReply, DumpSent};
use crate::node::metrics::Metrics;
use crate::util::clock::unix_now_ms;

/// What reaches the engine thread.
pub(super) enum EngineInput {
    /// A network event.
    Net(NetEvent),
    /// A world dump for HTTP.
    Dump {
        full: bool,
        reply: tokio::sync::oneshot::Sender<DumpReply>,
    },
    /// An operator's command from HTTP.
    Control {
        command: Control,
        reply: tokio::sync::oneshot::Sender<ControlReply>,
    },
    /// Stop (final checkpoint).
    Stop,
}

/// Sends `input` to the engine thread without waiting: the HTTP side learns whether it went.
pub(super) fn try_send(tx: &Mutex<mpsc::SyncSender<EngineInput>>, input: EngineInput) -> DumpSent {
    let Ok(tx) = tx.lock() else {
        return DumpSent::Stopped;
    };
    match tx.try_send(input) {
        Ok(()) => DumpSent::Sent,
        Err(mpsc::TrySendError::Full(_)) => DumpSent::Busy,
        Err(mpsc::TrySendError::Disconnected(_)) => DumpSent::Stopped,
    }
}

/// An event from the network (an answer, a status, a new peer) brings the next tick forward to this long after
/// the last one, so the work it unblocks (validating the blocks that came, sending the next requests) does not
/// wait out the tick interval. At the start of a sync that wait was most of the first 100 ms.
const EARLY_TICK: Duration = Duration::from_millis(2);

/// The main loop's state.
pub(super) struct MainLoop {
    pub(super) engine: SyncEngine,
    pub(super) input: mpsc::Receiver<EngineInput>,
    pub(super) net: NetworkHandle,
    pub(super) status: watch::Sender<SyncStatus>,
    pub(super) metrics: Metrics,
    /// The tick interval.
    pub(super) tick: Duration,
    pub(super) hooks: Box<dyn NodeHooks>,
}

/// The main loop's clocks and counts.
struct Pace {
    next_tick: Instant,
    last_tick: Instant,
    next_log: Instant,
    ticks: u64,
    clock: ClockWatch,
}

impl MainLoop {
    /// Runs until stopped (or the input closes), then writes a final checkpoint.
    pub(super) fn run(mut self) -> Result<(), NodeError> {
        self.engine.set_stopwatch(crate::util::clock::monotonic_ns);
        let now = Instant::now();
        let mut pace = Pace {
            next_tick: now,
            last_tick: now,
            next_log: now,
            ticks: 0,
            clock: ClockWatch::default(),
        };
        while self.take_inputs(&mut pace) {
            if Instant::now() >= pace.next_tick {
                self.tick_once(&mut pace);
            }
        }
        self.finish(pace.ticks)
    }

    /// Waits for input until the next tick is due, then takes everything already waiting. False: stop.
    fn take_inputs(&mut self, pace: &mut Pace) -> bool {
        let wait = pace.next_tick.saturating_duration_since(Instant::now());
        match self.input.recv_timeout(wait) {
            Ok(EngineInput::Net(event)) => {
                self.hooks.incoming(&event);
                self.engine.handle(event);
                pace.next_tick = pace.next_tick.min(pace.last_tick + EARLY_TICK);
            }
            Ok(EngineInput::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return false,
            Ok(other) => self.answer(other),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Take everything that is already waiting before ticking.
        loop {
            match self.input.try_recv() {
                Ok(EngineInput::Net(event)) => {
                    self.hooks.incoming(&event);
                    self.engine.handle(event);
                }
                Ok(EngineInput::Stop) | Err(mpsc::TryRecvError::Disconnected) => return false,
                Ok(other) => self.answer(other),
                Err(mpsc::TryRecvError::Empty) => return true,
            }
        }
    }

    /// Answers a dump or control request.
    fn answer(&mut self, input: EngineInput) {
        match input {
            EngineInput::Dump { full, reply } => {
                // Bounded (see `dump::MAX_LISTED`); the HTTP side encodes it.
                let _ = reply.send(Ok(self.engine.world_dump(full)));
            }
            EngineInput::Control { command, reply } => {
                answer_control(&mut self.engine, command, reply, &self.status);
            }
            EngineInput::Net(_) | EngineInput::Stop => {}
        }
    }

    /// One tick: the hooks, the schedule, the requests out, the log, the metrics, the status.
    fn tick_once(&mut self, pace: &mut Pace) {
        let tick_started = Instant::now();
        pace.last_tick = tick_started;
        pace.ticks += 1;
        let now = unix_now_ms();
        self.hooks.before_tick(&mut self.engine, now);
        self.engine.tick(now);
        let mut requests = self.engine.drain_outbox();
        self.hooks.outgoing(&mut requests, now);
        for request in requests {
            self.net.send(request);
        }
        log_production(self.engine.take_production_log());
        pace.clock.check(self.engine.counters().clock_behind);
        self.metrics
            .update(&mut self.engine, tick_started.elapsed().as_secs_f64());
        self.metrics.update_serving(&self.net.serve_stats());
        let s = self.engine.status();
        if Instant::now() >= pace.next_log {
            pace.next_log = Instant::now() + Duration::from_secs(1);
            log_progress(&s);
        }
        // Only a change wakes the watchers (the node's run loop): an idle node's ticks wake nobody.
        self.status.send_if_modified(|old| {
            let changed = *old != s;
            if changed {
                *old = s;
            }
            changed
        });
        // Fixed rate: a tick that took longer than the interval (a big validation round) is followed at once.
        pace.next_tick = tick_started + self.tick;
    }

    /// The final checkpoint, status and totals.
    fn finish(mut self, ticks: u64) -> Result<(), NodeError> {
        self.engine
            .checkpoint_now(unix_now_ms())
            .map_err(NodeError::FinalCheckpoint)?;
        self.status.send_replace(self.engine.status());
        let c = self.engine.counters();
        tracing::info!(
            "engine totals: {ticks} ticks; blocks downloaded {}, validated {}, imported {}, rejected {}; requests {} \
             ({} timed out), ranges evicted {}, import commits {}",
            c.blocks_downloaded,
            c.blocks_validated,
            c.blocks_imported,
            c.blocks_rejected,
            c.requests_sent,
            c.requests_timed_out,
            c.ranges_evicted,
            c.import_commits
        );
        Ok(())
    }
}

/// The progress line, once a second.
fn log_progress(s: &SyncStatus) {
    let waiting = match (s.state, s.reason) {
        (SyncState::Discovering, Some(reason)) => format!(": {}", reason.as_str()),
        _ => String::new(),
    };
    tracing::info!(
        "sync: height {} of {} ({:?}{waiting}, {:.0} blocks/s, {} peers, durable {})",
        s.current_height,
        s.target_height,
        s.state,
        s.blocks_per_second,
        s.peers_connected,
        s.durable_height
    );
}

/// Says, in one warning line at most once a minute, that this node's clock seems behind: peers gossiped blocks
/// the federation signed, from slots that begin beyond the allowed skew by our clock
/// (`EngineCounters::clock_behind`; nobody is punished for them).
#[derive(Default)]
struct ClockWatch {
    seen: u64,
    warned_at: Option<Instant>,
}

impl ClockWatch {
    /// Looks at the counter after a tick.
    fn check(&mut self, clock_behind: u64) {
        if clock_behind <= self.seen {
            return;
        }
        if self
            .warned_at
            .is_some_and(|at| at.elapsed() < Duration::from_secs(60))
        {
            return;
        }
        tracing::warn!(
            "this node's clock seems behind: {} blocks the federation signed arrived from slots that begin \
             beyond the allowed clock skew (max_clock_skew_ms) by our clock; they are ignored, not punished. \
             Check the system clock (NTP).",
            clock_behind - self.seen
        );
        self.seen = clock_behind;
        self.warned_at = Some(Instant::now());
    }
}

/// One line per block decided and imported, and per note of the agreement (an equivocation seen, a durable
/// write that failed, a decided block refused).
fn log_production(events: Vec<ecsync_systems::agree_blocks::ProductionEvent>) {
    use ecsync_systems::agree_blocks::ProductionEvent;
    for event in events {
        match event {
            ProductionEvent::Produced {
                height,
                slot,
                approvers,
            } => tracing::info!(
                "decided block {height} in slot {slot} (precommits of {:?})",
                (0..64)
                    .filter(|i| approvers & (1u64 << i) != 0)
                    .collect::<Vec<_>>()
            ),
            ProductionEvent::Note { detail } => tracing::warn!("agreement: {detail}"),
        }
    }
}

/// Carries out an operator's command between two ticks (see `http`), then publishes the new status BEFORE
/// replying: whoever reads the status after the reply sees the command's effect.
fn answer_control(
    engine: &mut SyncEngine,
    command: Control,
    reply: tokio::sync::oneshot::Sender<ControlReply>,
    status: &watch::Sender<SyncStatus>,
) {
    let answer = match command {
        Control::Pause | Control::Resume => {
            let pause = command == Control::Pause;
            if engine.set_paused(pause) != pause {
                tracing::info!(
                    "sync {} by the operator at height {}",
                    if pause { "paused" } else { "resumed" },
                    engine.head().height
                );
            }
            Ok(ControlAnswer {
                paused: pause,
                checkpoint: None,
            })
        }
        Control::Checkpoint => match engine.checkpoint_now(unix_now_ms()) {
            Ok(checkpoint) => {
                tracing::info!(
                    "checkpoint at height {} written on the operator's request",
                    checkpoint.head.height
                );
                Ok(ControlAnswer {
                    paused: engine.paused(),
                    checkpoint: Some(checkpoint),
                })
            }
            Err(e) => {
                tracing::error!("the operator's checkpoint failed: {e}");
                Err(format!("cannot write the checkpoint: {e}"))
            }
        },
    };
    status.send_replace(engine.status());
    let _ = reply.send(answer);
}

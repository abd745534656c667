//! Prometheus metrics (prometheus-client, OpenMetrics text), named `ecsync_*`, units in names, counters ending in
//! `_total`. The engine thread updates them after each tick from the engine's status, counters and the tick's
//! observations (and the agreement's, `consensus`, from its resource); the HTTP server encodes the registry.

mod backfill;
mod cache;
mod consensus;

use std::sync::Arc;

use ecsync_components::resources::{EngineCounters, Observations};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::engine::SyncEngine;
use crate::network::ServeStats;

/// The `outcome` label of request latencies.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// served, empty, timeout, failed or invalid.
    pub outcome: String,
}

/// The `reason` label of `sync_waiting`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// `sync_waiting`: no_peers, no_peer_believed or peers_unresponsive; `serve_dropped`: a [`crate::network::DropReason`].
    pub reason: String,
}

/// The `verdict` label of `gossip_blocks`: accept, reject or ignore.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    /// A [`ecsync_components::GossipVerdict`]'s `as_str`.
    pub verdict: String,
}

type HistogramFamily = Family<OutcomeLabel, Histogram, fn() -> Histogram>;

fn seconds_histogram() -> Histogram {
    // 0.5 ms … ~16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// `v` as a gauge value, saturating.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Adds to `counter` what the engine's count gained since `before`.
fn inc(counter: &Counter, now: u64, before: u64) {
    counter.inc_by(now.saturating_sub(before));
}

/// Every metric of the node.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    current_height: Gauge,
    target_height: Gauge,
    claimed_height: Gauge,
    head_slot: Gauge,
    blocks_per_second: Gauge<f64, std::sync::atomic::AtomicU64>,
    sync_state: Gauge,
    sync_waiting: Family<ReasonLabel, Gauge>,
    durable_height: Gauge,
    can_produce_blocks: Gauge,
    sync_paused: Gauge,
    peers_connected: Gauge,
    ranges_in_flight: Gauge,
    pending_blocks: Gauge,
    pending_bytes: Gauge,
    blocks_downloaded: Counter,
    blocks_validated: Counter,
    blocks_imported: Counter,
    blocks_rejected: Counter,
    checkpoints_created: Counter,
    peer_penalties: Counter,
    peer_bans: Counter,
    peer_kicks: Counter,
    claims_refused: Counter,
    clock_behind: Counter,
    proofs_verified: Counter,
    proofs_invalid: Counter,
    proofs_free: Counter,
    proofs_max_per_tick: Gauge,
    chain_conflicts: Counter,
    ranges_held: Gauge,
    requests_sent: Counter,
    validation_seconds: Histogram,
    import_seconds: Histogram,
    tick_seconds: Histogram,
    request_latency: HistogramFamily,
    serve_dropped: Family<ReasonLabel, Counter>,
    blocks_produced: Counter,
    slots_skipped: Family<ReasonLabel, Counter>,
    gossip_blocks: Family<VerdictLabel, Counter>,
    serve_answers_in_flight: Gauge,
    serve_bytes_in_flight: Gauge,
    net_events_dropped: Counter,
    peers_no_status: Counter,
    federation_peers_connected: Gauge,
    peers_banned: Gauge,
    false_member_proofs: Counter,
    peers_evicted: Counter,
    /// The agreement's (`consensus_*`, `equivocations`).
    consensus: consensus::ConsensusMetrics,
    /// The backfill's (`backfill_*`).
    backfill: backfill::BackfillMetrics,
    /// The block cache's (`block_cache_*`).
    cache: cache::CacheMetrics,
    last_serving: ServeStats,
    last: EngineCounters,
    last_checkpoints: u64,
    /// The wait reason last exported.
    last_reason: Option<Option<ecsync_components::WaitReason>>,
    /// Whether every labelled series exists yet.
    primed: bool,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let m = Self::unregistered();
        let mut r = Registry::with_prefix("ecsync");
        m.register_progress(&mut r);
        m.register_node_state(&mut r);
        m.register_block_counters(&mut r);
        m.register_peer_counters(&mut r);
        m.register_durations(&mut r);
        m.register_federation(&mut r);
        m.register_serving(&mut r);
        m.register_membership(&mut r);
        m.consensus.register(&mut r);
        m.backfill.register(&mut r);
        m.cache.register(&mut r);
        Self {
            registry: Arc::new(r),
            ..m
        }
    }

    /// Exports the block cache the node's range reads go through (`block_cache_*`).
    pub fn watch_block_cache(&mut self, cache: Arc<crate::store::BlockCache>) {
        self.cache.watch(cache);
    }

    /// Every metric at zero, none registered yet.
    fn unregistered() -> Self {
        Self {
            registry: Arc::new(Registry::default()),
            current_height: Gauge::default(),
            target_height: Gauge::default(),
            claimed_height: Gauge::default(),
            head_slot: Gauge::default(),
            blocks_per_second: Gauge::default(),
            sync_state: Gauge::default(),
            sync_waiting: Family::default(),
            durable_height: Gauge::default(),
            can_produce_blocks: Gauge::default(),
            sync_paused: Gauge::default(),
            peers_connected: Gauge::default(),
            ranges_in_flight: Gauge::default(),
            pending_blocks: Gauge::default(),
            pending_bytes: Gauge::default(),
            blocks_downloaded: Counter::default(),
            blocks_validated: Counter::default(),
            blocks_imported: Counter::default(),
            blocks_rejected: Counter::default(),
            checkpoints_created: Counter::default(),
            peer_penalties: Counter::default(),
            peer_bans: Counter::default(),
            peer_kicks: Counter::default(),
            claims_refused: Counter::default(),
            clock_behind: Counter::default(),
            proofs_verified: Counter::default(),
            proofs_invalid: Counter::default(),
            proofs_free: Counter::default(),
            proofs_max_per_tick: Gauge::default(),
            chain_conflicts: Counter::default(),
            ranges_held: Gauge::default(),
            requests_sent: Counter::default(),
            validation_seconds: seconds_histogram(),
            import_seconds: seconds_histogram(),
            tick_seconds: seconds_histogram(),
            request_latency: Family::new_with_constructor(seconds_histogram),
            serve_dropped: Family::default(),
            blocks_produced: Counter::default(),
            slots_skipped: Family::default(),
            gossip_blocks: Family::default(),
            serve_answers_in_flight: Gauge::default(),
            serve_bytes_in_flight: Gauge::default(),
            net_events_dropped: Counter::default(),
            peers_no_status: Counter::default(),
            federation_peers_connected: Gauge::default(),
            peers_banned: Gauge::default(),
            false_member_proofs: Counter::default(),
            peers_evicted: Counter::default(),
            consensus: consensus::ConsensusMetrics::new(),
            backfill: backfill::BackfillMetrics::default(),
            cache: cache::CacheMetrics::default(),
            last_serving: ServeStats::default(),
            last: EngineCounters::default(),
            last_checkpoints: 0,
            last_reason: None,
            primed: false,
        }
    }

    /// The sync's progress: heights, rate, state and what it waits for.
    fn register_progress(&self, r: &mut Registry) {
        r.register(
            "current_height",
            "Height of the imported head",
            self.current_height.clone(),
        );
        r.register(
            "target_height",
            "The proven target: the highest head the federation's signature proves (a verified head proof, a \
             validated block); no unproven claim moves it",
            self.target_height.clone(),
        );
        r.register(
            "claimed_height",
            "The highest head a connected peer claims, proven or not (a hint of whom to ask, never the target)",
            self.claimed_height.clone(),
        );
        r.register(
            "head_slot",
            "Slot of the imported head",
            self.head_slot.clone(),
        );
        r.register(
            "blocks_per_second",
            "Import rate, smoothed",
            self.blocks_per_second.clone(),
        );
        r.register(
            "sync_state",
            "Sync state: 0 Idle, 1 Discovering, 2 DownloadingBlocks, 3 CatchingUp, 4 Synced, 5 Failed",
            self.sync_state.clone(),
        );
        r.register(
            "sync_waiting",
            "1 for what a Discovering or Idle engine waits for, by reason",
            self.sync_waiting.clone(),
        );
    }

    /// The node's state: what a crash would keep, the gate, pause, peers, ranges and blocks in flight.
    fn register_node_state(&self, r: &mut Registry) {
        r.register(
            "durable_height",
            "Height of the newest durable checkpoint: what a crash now would keep",
            self.durable_height.clone(),
        );
        r.register(
            "can_produce_blocks",
            "1 when the production gate is open",
            self.can_produce_blocks.clone(),
        );
        r.register(
            "sync_paused",
            "1 while the operator has paused the sync (POST /sync/pause): no request goes out",
            self.sync_paused.clone(),
        );
        r.register(
            "peers_connected",
            "Connected peers",
            self.peers_connected.clone(),
        );
        r.register(
            "ranges_in_flight",
            "Ranges with a request in flight",
            self.ranges_in_flight.clone(),
        );
        r.register(
            "pending_blocks",
            "Downloaded blocks not yet imported",
            self.pending_blocks.clone(),
        );
        r.register_with_unit(
            "pending",
            "Bytes of downloaded blocks not yet imported",
            Unit::Bytes,
            self.pending_bytes.clone(),
        );
    }

    /// What happened to blocks: downloaded, validated, imported, rejected; checkpoints written.
    fn register_block_counters(&self, r: &mut Registry) {
        r.register(
            "blocks_downloaded",
            "Blocks received in answers",
            self.blocks_downloaded.clone(),
        );
        r.register(
            "blocks_validated",
            "Blocks that passed validation",
            self.blocks_validated.clone(),
        );
        r.register(
            "blocks_imported",
            "Blocks imported",
            self.blocks_imported.clone(),
        );
        r.register(
            "blocks_rejected",
            "Blocks rejected as invalid",
            self.blocks_rejected.clone(),
        );
        r.register(
            "checkpoints_created",
            "Durable checkpoints written",
            self.checkpoints_created.clone(),
        );
    }

    /// Peers judged and head proofs verified; conflicts, held ranges and requests sent.
    fn register_peer_counters(&self, r: &mut Registry) {
        r.register(
            "peer_penalties",
            "Penalties applied to peers",
            self.peer_penalties.clone(),
        );
        r.register(
            "peer_bans",
            "Peers banned (invalid data, or a reputation below the ban threshold)",
            self.peer_bans.clone(),
        );
        r.register(
            "peer_kicks",
            "Peers disconnected for a reputation below the disconnect threshold (not banned)",
            self.peer_kicks.clone(),
        );
        r.register(
            "claims_refused",
            "Peer statuses not believed: a head from a slot beyond the clock plus the allowed skew (not punished)",
            self.claims_refused.clone(),
        );
        r.register(
            "clock_behind",
            "Gossiped blocks the federation signed, from slots beyond our clock plus the allowed skew: a sign that \
             this node's clock is behind (nobody is punished for them)",
            self.clock_behind.clone(),
        );
        r.register(
            "head_proofs_verified",
            "Head proofs (a status's header and approval) that verified: each may raise the proven target",
            self.proofs_verified.clone(),
        );
        r.register(
            "head_proofs_invalid",
            "Head proofs that did not verify (each bans its sender)",
            self.proofs_invalid.clone(),
        );
        r.register(
            "head_proofs_free",
            "Head proofs at or below the proven head: not verified, nothing spent",
            self.proofs_free.clone(),
        );
        r.register(
            "head_proofs_max_per_tick",
            "Most head proofs verified in one tick since start (never above the sync setting proofs_per_tick)",
            self.proofs_max_per_tick.clone(),
        );
        r.register(
            "chain_conflicts",
            "Signed blocks that do not extend our head: another branch, kept out",
            self.chain_conflicts.clone(),
        );
        r.register(
            "ranges_held",
            "Downloaded ranges waiting for a block's slot to begin by our clock",
            self.ranges_held.clone(),
        );
        r.register(
            "requests_sent",
            "blocks_by_range requests sent",
            self.requests_sent.clone(),
        );
    }

    /// Durations: validation, import, tick, request latency.
    fn register_durations(&self, r: &mut Registry) {
        r.register_with_unit(
            "validation",
            "Duration of one signature batch's validation on a compute worker",
            Unit::Seconds,
            self.validation_seconds.clone(),
        );
        r.register_with_unit(
            "import",
            "Duration of an import transaction",
            Unit::Seconds,
            self.import_seconds.clone(),
        );
        r.register_with_unit(
            "tick_duration",
            "Duration of an engine tick",
            Unit::Seconds,
            self.tick_seconds.clone(),
        );
        r.register_with_unit(
            "request_latency",
            "Request to outcome, by outcome",
            Unit::Seconds,
            self.request_latency.clone(),
        );
    }

    /// The federation member's work: blocks produced, skipped slots, gossip verdicts.
    fn register_federation(&self, r: &mut Registry) {
        r.register(
            "blocks_produced",
            "Blocks this producer proposed, had approved by a quorum and imported",
            self.blocks_produced.clone(),
        );
        r.register(
            "slots_skipped",
            "Slots of this producer's authorities without a block, by reason (gate_closed, no_quorum, slot_taken, paused)",
            self.slots_skipped.clone(),
        );
        r.register(
            "gossip_blocks",
            "Gossiped blocks the engine judged, by verdict (accept: valid, forwarded; reject: invalid, its sender banned; ignore: old, a fork, not yet due or too many waiting)",
            self.gossip_blocks.clone(),
        );
    }

    /// Serving peers and the network's channel: requests dropped, answers in flight, events dropped.
    fn register_serving(&self, r: &mut Registry) {
        r.register(
            "serve_dropped",
            "Peer requests not served, by reason: unchecked, denied, concurrency, rate, memory, status_rate, write_timeout",
            self.serve_dropped.clone(),
        );
        r.register(
            "serve_answers_in_flight",
            "blocks_by_range answers between arrival and written",
            self.serve_answers_in_flight.clone(),
        );
        r.register_with_unit(
            "serve_in_flight",
            "Bytes held by blocks_by_range answers in flight",
            Unit::Bytes,
            self.serve_bytes_in_flight.clone(),
        );
        r.register(
            "net_events_dropped",
            "Network events dropped because the engine's channel was full",
            self.net_events_dropped.clone(),
        );
        r.register(
            "peers_no_status",
            "New peers disconnected for not answering our status request in time",
            self.peers_no_status.clone(),
        );
    }

    /// Federation members among the peers, and what outsiders were refused.
    fn register_membership(&self, r: &mut Registry) {
        r.register(
            "federation_peers_connected",
            "Connected peers that proved they hold authority keys of the federation",
            self.federation_peers_connected.clone(),
        );
        r.register(
            "peers_banned",
            "Peers the operator banned (POST /peers/ban) whose ban has not ended",
            self.peers_banned.clone(),
        );
        r.register(
            "false_member_proofs",
            "Peers whose membership proof did not verify (disconnected and denied)",
            self.false_member_proofs.clone(),
        );
        r.register(
            "peers_evicted",
            "Unreserved peers disconnected to make room for a newcomer at the connection limit, and newcomers closed for want of room",
            self.peers_evicted.clone(),
        );
    }

    /// Sets the number of peers the operator banned (read from the network when /metrics is scraped).
    pub fn set_peers_banned(&self, banned: usize) {
        self.peers_banned
            .set(i64::try_from(banned).unwrap_or(i64::MAX));
    }

    /// Updates the membership metrics from the network's latest [`ServeStats`].
    fn update_membership(&mut self, stats: &ServeStats) {
        let last = &self.last_serving;
        self.federation_peers_connected
            .set(i64::try_from(stats.federation_peers).unwrap_or(i64::MAX));
        self.false_member_proofs
            .inc_by(stats.false_members.saturating_sub(last.false_members));
        self.peers_evicted
            .inc_by(stats.evicted.saturating_sub(last.evicted));
    }

    /// Updates the serving metrics from the network's latest [`ServeStats`].
    pub fn update_serving(&mut self, stats: &ServeStats) {
        for (reason, n) in &stats.dropped {
            let before = self.last_serving.dropped(*reason);
            let counter = self.serve_dropped.get_or_create(&ReasonLabel {
                reason: reason.as_str().to_string(),
            });
            counter.inc_by(n.saturating_sub(before));
        }
        self.peers_no_status
            .inc_by(stats.no_status.saturating_sub(self.last_serving.no_status));
        self.net_events_dropped.inc_by(
            stats
                .events_dropped
                .saturating_sub(self.last_serving.events_dropped),
        );
        let to_i64 = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        self.serve_answers_in_flight
            .set(to_i64(stats.answers_in_flight));
        self.serve_bytes_in_flight
            .set(to_i64(stats.bytes_in_flight));
        self.update_membership(stats);
        self.last_serving = stats.clone();
    }

    /// Updates from the engine after a tick that took `tick_seconds`.
    pub fn update(&mut self, engine: &mut SyncEngine, tick_seconds: f64) {
        self.update_status(engine);
        let c = engine.counters();
        self.update_counters(&c);
        self.update_labelled_counters(&c);
        let checkpoints = engine.checkpoints_written();
        inc(
            &self.checkpoints_created,
            checkpoints,
            self.last_checkpoints,
        );
        self.last_checkpoints = checkpoints;
        self.last = c;
        self.observe(engine.observations(), tick_seconds);
        self.consensus.update(engine.consensus());
        self.backfill.update(&engine.backfill());
        self.cache.update();
    }

    /// The gauges of the engine's status, ranges in flight and buffer.
    fn update_status(&mut self, engine: &mut SyncEngine) {
        let s = engine.status();
        self.current_height.set(to_i64(s.current_height));
        self.target_height.set(to_i64(s.target_height));
        self.claimed_height.set(to_i64(s.claimed_height));
        self.head_slot.set(to_i64(s.head_slot));
        self.blocks_per_second.set(s.blocks_per_second);
        self.sync_state.set(i64::from(s.state.as_number()));
        // Labelled series are looked up by an owned label (an allocation and a hash each): only on a change.
        if self.last_reason != Some(s.reason) {
            for reason in ecsync_components::WaitReason::ALL {
                let label = ReasonLabel {
                    reason: reason.as_str().to_string(),
                };
                self.sync_waiting
                    .get_or_create(&label)
                    .set(i64::from(s.reason == Some(reason)));
            }
            self.last_reason = Some(s.reason);
        }
        self.durable_height.set(to_i64(s.durable_height));
        self.can_produce_blocks.set(i64::from(s.can_produce_blocks));
        self.sync_paused.set(i64::from(s.paused));
        self.peers_connected.set(s.peers_connected as i64);
        self.ranges_in_flight.set(engine.ranges_in_flight() as i64);
        let buffer = engine.buffer();
        self.pending_blocks.set(to_i64(buffer.blocks));
        self.pending_bytes.set(to_i64(buffer.bytes));
    }

    /// The unlabelled counters by what they gained since the last update, and the gauges kept with them.
    fn update_counters(&self, c: &EngineCounters) {
        let last = &self.last;
        inc(
            &self.blocks_downloaded,
            c.blocks_downloaded,
            last.blocks_downloaded,
        );
        inc(
            &self.blocks_validated,
            c.blocks_validated,
            last.blocks_validated,
        );
        inc(
            &self.blocks_imported,
            c.blocks_imported,
            last.blocks_imported,
        );
        inc(
            &self.blocks_rejected,
            c.blocks_rejected,
            last.blocks_rejected,
        );
        inc(&self.peer_penalties, c.peer_penalties, last.peer_penalties);
        inc(&self.peer_bans, c.peer_bans, last.peer_bans);
        inc(&self.peer_kicks, c.peer_kicks, last.peer_kicks);
        inc(
            &self.blocks_produced,
            c.blocks_produced,
            last.blocks_produced,
        );
        inc(&self.claims_refused, c.claims_refused, last.claims_refused);
        inc(&self.clock_behind, c.clock_behind, last.clock_behind);
        inc(
            &self.proofs_verified,
            c.proofs_verified,
            last.proofs_verified,
        );
        inc(&self.proofs_invalid, c.proofs_invalid, last.proofs_invalid);
        inc(&self.proofs_free, c.proofs_free, last.proofs_free);
        self.proofs_max_per_tick
            .set(i64::from(c.proofs_max_per_tick));
        inc(
            &self.chain_conflicts,
            c.chain_conflicts,
            last.chain_conflicts,
        );
        self.ranges_held.set(to_i64(c.ranges_held));
        inc(&self.requests_sent, c.requests_sent, last.requests_sent);
    }

    /// The counters kept per kind (gossip verdicts, skipped slots).
    fn update_labelled_counters(&mut self, c: &EngineCounters) {
        // Every labelled series appears at the first update (at 0); later only those that moved are looked up.
        let primed = self.primed;
        self.primed = true;
        for verdict in ecsync_components::GossipVerdict::ALL {
            let i = verdict.index();
            if primed && c.gossip_blocks[i] == self.last.gossip_blocks[i] {
                continue;
            }
            self.gossip_blocks
                .get_or_create(&VerdictLabel {
                    verdict: verdict.as_str().to_string(),
                })
                .inc_by(c.gossip_blocks[i].saturating_sub(self.last.gossip_blocks[i]));
        }
        for reason in ecsync_components::resources::SkipReason::ALL {
            let i = reason.index();
            if primed && c.slots_skipped[i] == self.last.slots_skipped[i] {
                continue;
            }
            self.slots_skipped
                .get_or_create(&ReasonLabel {
                    reason: reason.as_str().to_string(),
                })
                .inc_by(c.slots_skipped[i].saturating_sub(self.last.slots_skipped[i]));
        }
    }

    /// The tick's observed durations, and the tick's own.
    fn observe(&self, obs: &Observations, tick_seconds: f64) {
        for (secs, _) in &obs.validation {
            self.validation_seconds.observe(*secs);
        }
        for (secs, _) in &obs.import {
            self.import_seconds.observe(*secs);
        }
        for (outcome, secs) in &obs.request_latency {
            self.request_latency
                .get_or_create(&OutcomeLabel {
                    outcome: (*outcome).to_string(),
                })
                .observe(*secs);
        }
        self.tick_seconds.observe(tick_seconds);
    }

    /// The registry in OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String");
        out
    }
}

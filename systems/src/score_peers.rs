//! `score_peers`: what peers did (`PeerOutcome`s) becomes their statistics and two numbers: a performance score
//! (who gets work first) and a reputation (who may stay).
//!
//! The score rewards measured speed and reliability: `10·ln(1 + blocks/s) · reliability − 5·consecutive failures −
//! 100·invalid`, where reliability is the share of requests answered with blocks. New peers start at 0, between a
//! proven fast peer and a failing one.
//!
//! The reputation only falls, by the outcome's tolerance class (`OutcomeKind::tolerance`: fatal → −100, low −10,
//! mid −5, high −1), and decays back towards 0 with `reputation_half_life_ms`. It is kept by peer id in
//! `PeerRecords`, so a reconnect resets nothing. Falling to `disconnect_below` disconnects the peer (it may come
//! back); to `ban_below` (or a fatal offence) bans it for `ban_ms`, doubled with each ban up to `max_ban_ms`, with
//! its reputation held at the minimum until the ban ends: a repeat offender is banned again after its next few
//! offences. Below `stop_using_below` a peer only gets work nobody better can take (`dispatch_requests`). A peer
//! that told no believable status for `status_dead_ms` is disconnected too (not banned); while the operator has
//! paused the sync we ask nothing, so silence counts only from the resume.

use bevy_ecs::prelude::*;
use ecsync_components::SyncConfig;
use ecsync_components::ecs::{Peer, PeerClaim, PeerReputation, PeerScore, PeerStats};
use ecsync_components::resources::{EngineCounters, MIN_REPUTATION, PeerRecord, PeerRecords};
use ecsync_components::{OutcomeKind, PeerId, PeerOutcome, Request, Tolerance};

use crate::params::{Env, PeerBook, Timing};
use crate::transitions::Transitions;

/// Weight of a new sample in a peer's latency and rate averages.
const EWMA: f64 = 0.3;

/// The score of a peer with these statistics.
pub fn score(stats: &PeerStats) -> f64 {
    let answered = stats.requests_ok as f64;
    let failed = f64::from(stats.timeouts + stats.failures + stats.empty);
    let reliability = (answered + 1.0) / (answered + failed + 1.0);
    10.0 * (1.0 + stats.blocks_per_sec).ln() * reliability
        - 5.0 * f64::from(stats.consecutive_failures)
        - 100.0 * f64::from(stats.invalid)
}

/// Adds one outcome to a peer's statistics. Returns whether it was a penalty.
pub fn record(stats: &mut PeerStats, kind: &OutcomeKind) -> bool {
    let OutcomeKind::Served {
        blocks,
        bytes,
        latency_ms,
    } = kind
    else {
        match kind {
            OutcomeKind::Empty { .. } => stats.empty += 1,
            OutcomeKind::Timeout => {
                stats.timeouts += 1;
                // A stalled peer's rate estimate decays, so its batches and score shrink.
                stats.blocks_per_sec *= 0.5;
            }
            OutcomeKind::Failed | OutcomeKind::Dropped => stats.failures += 1,
            OutcomeKind::Invalid(_) => stats.invalid += 1,
            OutcomeKind::Served { .. } => {}
        }
        stats.consecutive_failures += 1;
        return true;
    };
    let latency = (*latency_ms).max(1) as f64;
    let rate = f64::from(*blocks) * 1000.0 / latency;
    if stats.requests_ok == 0 {
        stats.latency_ms = latency;
        stats.blocks_per_sec = rate;
    } else {
        stats.latency_ms = stats.latency_ms * (1.0 - EWMA) + latency * EWMA;
        stats.blocks_per_sec = stats.blocks_per_sec * (1.0 - EWMA) + rate * EWMA;
    }
    stats.requests_ok += 1;
    stats.blocks_served += u64::from(*blocks);
    stats.bytes_served += bytes;
    stats.consecutive_failures = 0;
    false
}

/// What a penalty leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The peer stays.
    Stay,
    /// Its reputation fell to `disconnect_below`: disconnected, not banned.
    Kick,
    /// Banned (a fatal offence, or its reputation fell to `ban_below`).
    Ban,
}

/// Applies a penalty of `tolerance` to `record` at `now`. See the module docs.
pub fn punish(
    config: &SyncConfig,
    record: &mut PeerRecord,
    tolerance: Tolerance,
    now: u64,
) -> Verdict {
    let half_life = config.reputation_half_life_ms;
    let before = record.reputation_at(now, half_life);
    let after = (before - tolerance.penalty()).max(MIN_REPUTATION);
    record.reputation = after;
    record.updated_ms = record.updated_ms.max(now);
    if tolerance == Tolerance::Fatal || after <= config.ban_below {
        let duration = config
            .ban_ms
            .saturating_mul(1u64 << record.bans.min(30))
            .min(config.max_ban_ms.max(config.ban_ms));
        record.bans = record.bans.saturating_add(1);
        record.banned_until_ms = now.saturating_add(duration);
        // Held at the minimum while banned: decay starts when the ban ends.
        record.reputation = MIN_REPUTATION;
        record.updated_ms = record.banned_until_ms;
        Verdict::Ban
    } else if after <= config.disconnect_below && before > config.disconnect_below {
        Verdict::Kick
    } else {
        Verdict::Stay
    }
}

/// Forgets the least notable records while there are more than `max`, never a connected peer's.
fn forget_excess(
    records: &mut PeerRecords,
    connected: impl Fn(&PeerId) -> bool,
    config: &SyncConfig,
    now: u64,
) {
    let max = config.max_peer_records;
    if records.0.len() <= max {
        return;
    }
    // Not banned first (reputation nearest 0 first), then banned ones (the ban ending soonest first): a flood of
    // banned identities must not grow the map either.
    let mut candidates: Vec<((Option<u64>, f64), PeerId)> = records
        .0
        .iter()
        .filter(|(id, _)| !connected(id))
        .map(|(id, r)| {
            let banned = r.is_banned(now).then_some(r.banned_until_ms);
            let calm = r.reputation_at(now, config.reputation_half_life_ms).abs();
            ((banned, calm), *id)
        })
        .collect();
    candidates.sort_by(|a, b| {
        (a.0.0.cmp(&b.0.0))
            .then(a.0.1.total_cmp(&b.0.1))
            .then(a.1.cmp(&b.1))
    });
    let excess = records.0.len() - max;
    for (_, id) in candidates.into_iter().take(excess) {
        records.0.remove(&id);
    }
}

/// What `score_peers` reads and writes of each peer.
type Scored<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static Peer,
        &'static PeerClaim,
        &'static mut PeerStats,
        &'static mut PeerScore,
        &'static mut PeerReputation,
    ),
>;

/// Applies this tick's outcomes, rescores, refreshes reputations. See the module docs.
pub fn score_peers(
    mut commands: Commands,
    env: Env,
    mut book: PeerBook,
    mut counters: ResMut<EngineCounters>,
    mut timing: Timing,
    mut outcomes: MessageReader<PeerOutcome>,
    mut peers: Scored,
) {
    let now = env.now();
    // Peers sent away this tick: later outcomes of the same tick do not send them away again.
    let mut gone: Vec<PeerId> = Vec::new();
    for outcome in outcomes.read() {
        if let Some(ms) = outcome.latency_ms {
            let latency = (outcome.kind.label(), ms as f64 / 1000.0);
            timing.observations.request_latency.push(latency);
        }
        // A peer that left is still punished by id (it may come back, or sent a bad block and ran).
        let present = match peers.get_mut(outcome.peer) {
            Ok((_, peer, _, mut stats, ..)) if peer.id == outcome.peer_id => {
                if record(&mut stats, &outcome.kind) {
                    counters.peer_penalties += 1;
                }
                true
            }
            _ => {
                counters.peer_penalties += u64::from(outcome.kind.tolerance().is_some());
                false
            }
        };
        if gone.contains(&outcome.peer_id) {
            continue;
        }
        if send_away(&env.config, &mut book, &mut counters, outcome, now) {
            gone.push(outcome.peer_id);
            if present {
                commands.remove_peer(outcome.peer);
            }
        }
    }
    kick_silent(&mut commands, &env, &mut book, &mut counters, &peers, &gone);
    let half_life = env.config.reputation_half_life_ms;
    for (_, peer, _, stats, mut s, mut reputation) in &mut peers {
        s.0 = score(&stats);
        reputation.0 = book
            .records
            .0
            .get(&peer.id)
            .map_or(0.0, |r| r.reputation_at(now, half_life));
    }
    let index = &book.index;
    forget_excess(
        &mut book.records,
        |id| index.0.contains_key(id),
        &env.config,
        now,
    );
}

/// Punishes the peer of `outcome` by id, if the outcome is a penalty; when that sends it away (kicked or banned),
/// counts it and asks the network to disconnect it, saying why. Returns whether it is sent away.
fn send_away(
    config: &SyncConfig,
    book: &mut PeerBook,
    counters: &mut EngineCounters,
    outcome: &PeerOutcome,
    now: u64,
) -> bool {
    let Some(tolerance) = outcome.kind.tolerance() else {
        return false;
    };
    let id = outcome.peer_id;
    let entry = book.records.0.entry(id).or_default();
    let verdict = punish(config, entry, tolerance, now);
    let reputation = entry.reputation;
    let (reason, ban) = match (verdict, &outcome.kind) {
        (Verdict::Stay, _) => return false,
        (Verdict::Ban, OutcomeKind::Invalid(offence)) => (format!("invalid data: {offence}"), true),
        (Verdict::Ban, kind) => (
            format!("reputation {reputation:.0} after: {}", describe(kind)),
            true,
        ),
        (Verdict::Kick, kind) => (
            format!("reputation {reputation:.0} after: {}", describe(kind)),
            false,
        ),
    };
    if ban {
        counters.peer_bans += 1;
    } else {
        counters.peer_kicks += 1;
    }
    book.outbox.0.push(Request::Disconnect {
        peer: id,
        reason,
        ban,
    });
    true
}

/// Disconnects (not bans) every peer not `gone` that told no believable status for `status_dead_ms`, counting
/// only while the sync is not paused, and from the resume.
fn kick_silent(
    commands: &mut Commands,
    env: &Env,
    book: &mut PeerBook,
    counters: &mut EngineCounters,
    peers: &Scored,
    gone: &[PeerId],
) {
    let now = env.now();
    for (entity, peer, claim, ..) in peers {
        let control = &book.control;
        let silent_ms = now.saturating_sub(claim.updated_ms.max(control.resumed_at_ms));
        if !control.paused && silent_ms > env.config.status_dead_ms && !gone.contains(&peer.id) {
            counters.peer_kicks += 1;
            let reason = format!("no believable status for {} s", silent_ms / 1000);
            book.outbox.0.push(Request::Disconnect {
                peer: peer.id,
                reason,
                ban: false,
            });
            commands.remove_peer(entity);
        }
    }
}

/// What a peer did, for a log line.
fn describe(kind: &OutcomeKind) -> String {
    match kind {
        OutcomeKind::Empty { at } => format!("withheld height {at} it claimed"),
        OutcomeKind::Timeout => "a request timed out".into(),
        OutcomeKind::Failed => "its connection closed under a request".into(),
        OutcomeKind::Dropped => "it closed a request unanswered".into(),
        OutcomeKind::Invalid(offence) => offence.to_string(),
        OutcomeKind::Served { .. } => "served".into(),
    }
}

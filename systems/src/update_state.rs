//! `update_state`: the target height (the proven head: what the federation's signature proves, never a peer's
//! unproven word), the highest claim (a hint, for the status), the import rate and the sync state machine; on
//! recovery from Failed it queues `reset_sync`.
//!
//! Nothing a peer can say without the federation's signature moves the target, the state or the production
//! gate: claims above the proven head only decide whom to ask for blocks (`plan_ranges`), and a peer counts as
//! ahead (for "every peer ahead is unresponsive") only while the proven target is above the head.
//!
//! States: Idle (no peer since start) · Discovering (waiting for peers that serve: none connected any more, none
//! believed (a peer whose claim is above the head is believed while no discredit covers it; a claim at or below
//! the head always is: what the peer failed to serve there we hold), none answering, or every peer ahead unresponsive — see [`WaitReason`]; what was downloaded and validated is kept and
//! the stall clock does not run) · DownloadingBlocks (far behind) · CatchingUp (within `catch_up_distance`, or
//! following the head after having been synced) · Synced (at the target) · Failed (no import progress for
//! `stall_timeout_ms` while a responsive peer is ahead, or the store failed). Failed is never final: it recovers
//! by resetting sync from the head after `recovery_backoff_ms`, doubled with each failure in a row up to
//! `max_recovery_backoff_ms`, for ever (a node that must not go on exits on its own, `--exit-on-failure`).
//! While the operator has paused the sync (`SyncControl`) the stall clock does not run either.

use bevy_ecs::prelude::*;
use ecsync_components::SyncConfig;
use ecsync_components::ecs::{PeerClaim, PeerStats};
use ecsync_components::resources::{ChainHead, ProvenHead, SyncControl, SyncProgress};

use crate::params::Env;
use ecsync_components::{Failure, Height, SyncState, WaitReason};

use crate::transitions::reset_sync;

/// Rate samples are taken at least this far apart.
const RATE_SAMPLE_MS: u64 = 1_000;
/// Weight of a new rate sample.
const RATE_EWMA: f64 = 0.5;

/// Takes a rate sample at least every `RATE_SAMPLE_MS`.
fn sample_rate(progress: &mut SyncProgress, now: u64, height: Height) {
    if progress.rate_at_ms == 0 {
        progress.rate_at_ms = now;
        progress.rate_height = height;
        progress.last_progress_ms = now;
    } else if now.saturating_sub(progress.rate_at_ms) >= RATE_SAMPLE_MS {
        let secs = (now - progress.rate_at_ms) as f64 / 1000.0;
        let sample = height.saturating_sub(progress.rate_height) as f64 / secs;
        progress.blocks_per_sec = progress.blocks_per_sec * (1.0 - RATE_EWMA) + sample * RATE_EWMA;
        progress.rate_at_ms = now;
        progress.rate_height = height;
    }
}

/// What the peers look like from the head at one moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeerView {
    /// Connected peers.
    pub peers: usize,
    /// Peers whose whole claim is believed.
    pub believed: usize,
    /// Peers answering: fewer than `unresponsive_after_failures` failures in a row, a status within
    /// `status_stale_ms`.
    pub responsive: usize,
    /// Peers believed to hold blocks above the head…
    pub ahead: usize,
    /// …of which responsive.
    pub responsive_ahead: usize,
}

/// What the engine waits for, if it cannot sync now (None: it can).
fn waiting(view: PeerView) -> Option<WaitReason> {
    if view.peers == 0 {
        Some(WaitReason::NoPeers)
    } else if view.believed == 0 {
        Some(WaitReason::NoPeerBelieved)
    } else if view.responsive == 0 || (view.ahead > 0 && view.responsive_ahead == 0) {
        Some(WaitReason::PeersUnresponsive)
    } else {
        None
    }
}

/// The state the claims and the head call for (Failed aside).
fn next_state(
    config: &SyncConfig,
    progress: &SyncProgress,
    view: PeerView,
    height: Height,
    target: Height,
) -> SyncState {
    if view.peers == 0 && !progress.had_peers {
        SyncState::Idle
    } else if waiting(view).is_some() {
        SyncState::Discovering
    } else if target <= height {
        SyncState::Synced
    } else if progress.was_synced || target - height <= config.catch_up_distance {
        SyncState::CatchingUp
    } else {
        SyncState::DownloadingBlocks
    }
}

/// The wait in Failed before the next recovery: the base backoff doubled per recovery in a row, capped.
pub fn recovery_backoff(config: &SyncConfig, recoveries: u32) -> u64 {
    config
        .recovery_backoff_ms
        .saturating_mul(1u64 << recoveries.min(20))
        .min(
            config
                .max_recovery_backoff_ms
                .max(config.recovery_backoff_ms),
        )
}

/// Updates target, rate and state. See the module docs.
pub fn update_state(
    mut commands: Commands,
    env: Env,
    head: Res<ChainHead>,
    control: Res<SyncControl>,
    proven: Res<ProvenHead>,
    mut progress: ResMut<SyncProgress>,
    peers: Query<(&PeerClaim, &PeerStats)>,
) {
    let (now, config) = (env.now(), &env.config);
    let height = head.0.height;
    let target = proven.head.height.max(height);
    let mut view = PeerView::default();
    let mut claimed = height;
    for (claim, stats) in &peers {
        let usable = claim.usable_head(now);
        let backed = claim.backed_head(now);
        let responsive = stats.consecutive_failures < config.unresponsive_after_failures
            && now.saturating_sub(claim.updated_ms) <= config.status_stale_ms;
        view.peers += 1;
        // A claim at or below the head is believed whatever the peer failed to serve: it asks nothing of us.
        view.believed += usize::from(usable == claim.head.height || claim.head.height <= height);
        view.responsive += usize::from(responsive);
        // A peer that serves nothing at head + 1 (its lowest is above) is no peer to sync from.
        if backed > height && claim.lowest <= height + 1 && target > height {
            view.ahead += 1;
            view.responsive_ahead += usize::from(responsive);
        }
        claimed = claimed.max(claim.head.height);
    }
    progress.had_peers |= view.peers > 0;
    progress.target = target;
    progress.claimed = claimed;
    sample_rate(&mut progress, now, height);

    if progress.state == SyncState::Failed {
        let backoff = recovery_backoff(config, progress.recoveries);
        if now.saturating_sub(progress.failed_at_ms) >= backoff {
            progress.recoveries = progress.recoveries.saturating_add(1);
            progress.failure = None;
            progress.last_progress_ms = now;
            progress.state = SyncState::Discovering;
            commands.queue(reset_sync);
        }
        return;
    }

    let behind = target > height;
    progress.waiting = waiting(view);
    if !behind || progress.waiting.is_some() || control.paused {
        // Nothing to wait for, waiting for peers rather than stalled, or paused by the operator: the stall clock
        // restarts.
        progress.last_progress_ms = now;
    } else if now.saturating_sub(progress.last_progress_ms) >= config.stall_timeout_ms {
        let failure = Failure::Stalled {
            height,
            target,
            stalled_ms: now.saturating_sub(progress.last_progress_ms),
        };
        progress.fail(now, failure);
        return;
    }
    let next = next_state(config, &progress, view, height, target);
    if next == SyncState::Synced {
        progress.was_synced = true;
        progress.recoveries = 0;
    }
    progress.state = next;
}

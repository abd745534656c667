//! The engine's configuration (a resource), with the defaults a node uses.

use bevy_ecs::prelude::Resource;
use serde::{Deserialize, Serialize};

/// How the engine syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// ecsync: many peers, adaptive batches, parallel batched validation, batched in-order import.
    #[default]
    Engine,
    /// Today's sync, as the baseline: one peer at a time, fixed 1024-block requests, each block validated alone
    /// and imported with its own commit, next peer after 3 failed tries, stop when a response comes back short.
    Sequential,
}

/// How a batch of aggregate signatures (approvals) is verified. Both are the standard small-exponent batch
/// check (an independent random 64-bit scalar per signature, every signature subgroup-checked); they differ in
/// how many Miller loops a batch costs. docs/VERIFIER.md has the equations and the soundness argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Verifier {
    /// Approvals by the same approver set share a Miller loop: K + 1 Miller loops and one final exponentiation
    /// per batch of N approvals from K approver sets, the sums by multi-scalar multiplication.
    #[default]
    Grouped,
    /// blst's `verify_multiple_aggregate_signatures`: N + 1 Miller loops per batch of N. For comparison.
    Standard,
}

/// How much of a downloaded range's signatures the engine verifies (docs/VERIFIER.md, "Anchored validation").
/// Both run every rule that costs no pairing on every block; they differ in whose approval is BLS-verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// One approval per range and job: the block at its top. Every block below it is valid when the blocks link
    /// up to that top (height, parent hash, slot, and the parent's approval the child commits to), so the one
    /// quorum aggregate vouches for every header, payload and approval below it while fewer than a third of the
    /// federation is faulty.
    #[default]
    Anchored,
    /// Every block's approval is verified (the same links checked too): for auditors. `chain verify` always is.
    Full,
}

impl VerifyMode {
    /// Its name, as `--verify` and the config file spell it.
    pub fn name(self) -> &'static str {
        match self {
            VerifyMode::Anchored => "anchored",
            VerifyMode::Full => "full",
        }
    }
}

/// Engine configuration. Decoding it (an operator's config file, `ecsync node --config`) takes the default of
/// every setting left out and refuses unknown ones.
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// Which strategy runs.
    pub strategy: Strategy,
    /// Smallest batch (blocks per request).
    pub min_batch: u32,
    /// Largest batch: the protocol cap.
    pub max_batch: u32,
    /// Batch size for a peer with no measurements yet; a peer's batch is at most this doubled per answered
    /// request (slow start).
    pub initial_batch: u32,
    /// A request should take about this long at the peer's measured throughput.
    pub target_request_ms: u64,
    /// Most requests in flight to one peer.
    pub max_in_flight_per_peer: u32,
    /// Cap on downloaded-but-not-imported block bytes (plus bytes reserved for requests in flight), counted as
    /// the blocks' encoded sizes. A pending block keeps its wire bytes (which the store writes as they are)
    /// besides the decoded block, so the memory it takes is about twice what it counts for here. The default,
    /// 16 MiB, is about 12,000 blocks of 1.3 kB: seconds of validation work, so the validators never wait on a
    /// peer's latency, and small enough that a long sync fills it as early as a short one: the syncing node's
    /// memory does not grow with the chain.
    pub max_buffered_bytes: u64,
    /// Blocks handed to validation per tick at most (a node raises it to one `signature_batch` per compute
    /// worker when that is more).
    pub validate_per_tick: usize,
    /// Validation jobs left running on the compute pool when a tick ends (see `validate_blocks`): 0 validates
    /// within the tick (the ticking thread waits, so the store's commit and the network wait too); 1 takes a
    /// tick's validation results at the next tick, so the import, the checkpoint's fsync and the network overlap
    /// the validation. Either is deterministic: a job's results are taken at a fixed tick, however fast it ran.
    #[serde(default = "default_validation_in_flight")]
    pub validation_in_flight: usize,
    /// Blocks handed to validation per tick at most with anchored validation (`verify`): a block below its
    /// range's top costs a few microseconds (every rule but the signature), so a job holds many more than
    /// `validate_per_tick`, which bounds a job of blocks whose every signature is verified (`full`).
    pub anchored_per_tick: usize,
    /// Approvals per batched signature verification.
    pub signature_batch: usize,
    /// Blocks imported per store transaction at most.
    pub import_batch: usize,
    /// A durable checkpoint at least every this many imported blocks…
    pub checkpoint_every_blocks: u64,
    /// …and at least every this many milliseconds while importing: a crash loses at most this much work.
    pub checkpoint_every_ms: u64,
    /// Checkpoints kept in the store (the newest).
    pub max_checkpoints: usize,
    /// Request timeout for a peer with no measurements yet.
    pub initial_timeout_ms: u64,
    /// Lower bound of an adaptive request timeout.
    pub min_timeout_ms: u64,
    /// Upper bound of an adaptive request timeout.
    pub max_timeout_ms: u64,
    /// Ask each peer for its status this often.
    pub status_interval_ms: u64,
    /// A node at the head announces a new head (by asking the status of each peer that lacks it: the request
    /// carries its own); no peer is asked for its status more often than this, announcements and polls together,
    /// so a serving node's status rate (`ServeLimits`: 4 a second, a burst of 16) never drops an honest node's
    /// requests.
    pub announce_min_ms: u64,
    /// How long a peer that failed to serve a height it claimed (an empty answer or a timeout) is first not
    /// believed above it; each further failure in a row doubles it…
    pub discredit_ms: u64,
    /// …up to this.
    pub max_discredit_ms: u64,
    /// A peer's first ban lasts this long; each further ban twice the one before…
    pub ban_ms: u64,
    /// …up to this.
    pub max_ban_ms: u64,
    /// A peer's reputation (0 neutral, −100 worst; lowered by misbehaviour by tolerance class: fatal → −100, low
    /// −10, mid −5, high −1) halves back towards 0 in this time.
    pub reputation_half_life_ms: u64,
    /// Below this reputation a peer gets requests only when no better peer can take them.
    pub stop_using_below: f64,
    /// Falling to or below this reputation disconnects a peer (it may come back, with its reputation).
    pub disconnect_below: f64,
    /// Falling to or below this reputation bans a peer.
    pub ban_below: f64,
    /// Peer ids remembered (reputation, bans) at most.
    pub max_peer_records: usize,
    /// Clocks may differ this much: a status whose head slot begins later than this ahead of our clock is not
    /// believed (not penalised: the fault may be our clock; counted as a sign of it); a block from a slot that has not begun yet by our clock, but begins within this, is held
    /// until it does (not punished).
    pub max_clock_skew_ms: u64,
    /// Head proofs (a status's header and approval) verified per tick at most, all peers together: each is one
    /// aggregate verification (~1.2 ms), so this bounds what proving costs the ticking thread. Proofs beyond it
    /// wait (one per peer, the newest kept), the lowest height above the proven head first.
    pub proofs_per_tick: u32,
    /// One peer's proofs are verified at most once per this many ms on average…
    pub proof_interval_ms: u64,
    /// …with a burst of this many. A proof beyond its peer's rate waits for the next token (only the peer's
    /// newest is kept); a proof at or below the proven head costs nothing and takes no token.
    pub proof_burst: u32,
    /// No import progress for this long while behind, with peers: the engine fails and recovers.
    pub stall_timeout_ms: u64,
    /// Wait this long in Failed before the first recovery; each failure in a row doubles it…
    pub recovery_backoff_ms: u64,
    /// …up to this. Recovery never stops: a Failed engine is never final.
    pub max_recovery_backoff_ms: u64,
    /// A peer that failed this many requests in a row, or whose last status is older than `status_stale_ms`, is
    /// unresponsive; when every peer (or every peer ahead) is, the engine waits in Discovering instead of counting
    /// a stall or believing itself synced.
    pub unresponsive_after_failures: u32,
    /// See `unresponsive_after_failures`.
    pub status_stale_ms: u64,
    /// A peer that told no believable status for this long is disconnected (not banned): it answers nothing, or
    /// only lies about the future.
    pub status_dead_ms: u64,
    /// Within this many blocks of the target the state is CatchingUp rather than DownloadingBlocks.
    pub catch_up_distance: u64,
    /// Production gate: progress at least this fraction…
    pub production_progress: f64,
    /// …and at most this many blocks behind.
    pub production_max_behind: u64,
    /// Sequential strategy: failed tries on one peer before moving to the next.
    pub sequential_tries_per_peer: u32,
    /// How batches of approvals are verified.
    #[serde(default)]
    pub verifier: Verifier,
    /// Whose approvals are verified: the top of each range (`anchored`, the default) or every block's (`full`).
    #[serde(default)]
    pub verify: VerifyMode,
}

impl SyncConfig {
    /// Blocks a validation job takes at most: `anchored_per_tick` with anchored validation, `validate_per_tick`
    /// with full.
    pub fn job_blocks(&self) -> usize {
        match self.verify {
            VerifyMode::Anchored => self.anchored_per_tick,
            VerifyMode::Full => self.validate_per_tick,
        }
    }
}

/// Most validation jobs left running between ticks (each holds copies of up to `validate_per_tick` blocks).
pub const MAX_VALIDATION_IN_FLIGHT: usize = 4;

fn default_validation_in_flight() -> usize {
    1
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            strategy: Strategy::Engine,
            min_batch: 32,
            max_batch: 1024,
            initial_batch: 64,
            target_request_ms: 1_000,
            max_in_flight_per_peer: 4,
            max_buffered_bytes: 16 << 20,
            validate_per_tick: 256,
            validation_in_flight: default_validation_in_flight(),
            anchored_per_tick: 4096,
            signature_batch: 64,
            import_batch: 2048,
            checkpoint_every_blocks: 1_000,
            checkpoint_every_ms: 1_000,
            max_checkpoints: 10,
            initial_timeout_ms: 10_000,
            min_timeout_ms: 1_000,
            max_timeout_ms: 30_000,
            status_interval_ms: 2_000,
            announce_min_ms: 500,
            discredit_ms: 5_000,
            max_discredit_ms: 600_000,
            ban_ms: 600_000,
            max_ban_ms: 24 * 3_600_000,
            reputation_half_life_ms: 600_000,
            stop_using_below: -5.0,
            // Just above a whole number of penalties: decay between them must not save a peer.
            disconnect_below: -9.0,
            ban_below: -45.0,
            max_peer_records: 4_096,
            max_clock_skew_ms: 10_000,
            proofs_per_tick: 2,
            proof_interval_ms: 250,
            proof_burst: 8,
            stall_timeout_ms: 60_000,
            recovery_backoff_ms: 2_000,
            max_recovery_backoff_ms: 60_000,
            unresponsive_after_failures: 2,
            status_stale_ms: 6_000,
            status_dead_ms: 30_000,
            catch_up_distance: 64,
            production_progress: 0.995,
            production_max_behind: 10,
            sequential_tries_per_peer: 3,
            verifier: Verifier::Grouped,
            verify: VerifyMode::Anchored,
        }
    }
}

impl SyncConfig {
    /// The sequential baseline with otherwise default settings.
    pub fn sequential() -> Self {
        Self {
            strategy: Strategy::Sequential,
            ..Self::default()
        }
    }

    /// Checks the settings make sense together.
    pub fn check(&self) -> Result<(), ConfigError> {
        let positive = [
            ("min_batch", self.min_batch as usize),
            (
                "max_in_flight_per_peer",
                self.max_in_flight_per_peer as usize,
            ),
            ("validate_per_tick", self.validate_per_tick),
            ("anchored_per_tick", self.anchored_per_tick),
            ("import_batch", self.import_batch),
            ("signature_batch", self.signature_batch),
            ("max_checkpoints", self.max_checkpoints),
            ("max_peer_records", self.max_peer_records),
            ("proofs_per_tick", self.proofs_per_tick as usize),
            ("proof_burst", self.proof_burst as usize),
            (
                "reputation_half_life_ms",
                usize::from(self.reputation_half_life_ms > 0),
            ),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError::Zero(name));
        }
        if self.min_batch > self.max_batch {
            return Err(ConfigError::EmptyBatchBounds {
                min: self.min_batch,
                max: self.max_batch,
            });
        }
        if self.max_batch > crate::messages::MAX_BLOCKS_PER_REQUEST {
            return Err(ConfigError::BatchAboveProtocolCap(self.max_batch));
        }
        if self.min_timeout_ms > self.max_timeout_ms {
            return Err(ConfigError::TimeoutBounds {
                min: self.min_timeout_ms,
                max: self.max_timeout_ms,
            });
        }
        // -100 <= ban_below <= disconnect_below <= stop_using_below <= 0; the first threshold that breaks it.
        let thresholds = [
            ("ban_below", self.ban_below),
            ("disconnect_below", self.disconnect_below),
            ("stop_using_below", self.stop_using_below),
        ];
        let mut floor = -100.0;
        for (name, t) in thresholds {
            if !(floor..=0.0).contains(&t) {
                return Err(ConfigError::Reputation(name));
            }
            floor = t;
        }
        if !(0.0..=1.0).contains(&self.production_progress) {
            return Err(ConfigError::ProductionProgress(self.production_progress));
        }
        if self.validation_in_flight > MAX_VALIDATION_IN_FLIGHT {
            return Err(ConfigError::ValidationInFlight(self.validation_in_flight));
        }
        Ok(())
    }
}

/// A [`SyncConfig`] whose settings do not make sense together; each names the setting ([`ConfigError::key`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{} {}", self.key(), self.problem())]
pub enum ConfigError {
    /// `min_batch` above `max_batch`.
    EmptyBatchBounds {
        /// `min_batch`.
        min: u32,
        /// `max_batch`.
        max: u32,
    },
    /// `max_batch` above [`crate::MAX_BLOCKS_PER_REQUEST`].
    BatchAboveProtocolCap(u32),
    /// A setting that must be positive is 0.
    Zero(&'static str),
    /// `validation_in_flight` above [`MAX_VALIDATION_IN_FLIGHT`].
    ValidationInFlight(usize),
    /// `min_timeout_ms` above `max_timeout_ms`.
    TimeoutBounds {
        /// `min_timeout_ms`.
        min: u64,
        /// `max_timeout_ms`.
        max: u64,
    },
    /// This reputation threshold breaks `-100 <= ban_below <= disconnect_below <= stop_using_below <= 0`.
    Reputation(&'static str),
    /// `production_progress` outside 0..=1.
    ProductionProgress(f64),
}

impl ConfigError {
    /// The setting (a [`SyncConfig`] field name) at fault.
    pub fn key(&self) -> &'static str {
        match self {
            ConfigError::EmptyBatchBounds { .. } => "min_batch",
            ConfigError::BatchAboveProtocolCap(_) => "max_batch",
            ConfigError::Zero(name) | ConfigError::Reputation(name) => name,
            ConfigError::ValidationInFlight(_) => "validation_in_flight",
            ConfigError::TimeoutBounds { .. } => "min_timeout_ms",
            ConfigError::ProductionProgress(_) => "production_progress",
        }
    }

    /// What is wrong with it, without its name.
    pub fn problem(&self) -> String {
        match self {
            ConfigError::EmptyBatchBounds { min, max } => {
                format!("{min} exceeds max_batch {max}")
            }
            ConfigError::BatchAboveProtocolCap(v) => format!(
                "{v} exceeds the protocol cap {}",
                crate::MAX_BLOCKS_PER_REQUEST
            ),
            ConfigError::Zero(_) => "must be at least 1".into(),
            ConfigError::ValidationInFlight(v) => {
                format!("{v} exceeds {MAX_VALIDATION_IN_FLIGHT}")
            }
            ConfigError::TimeoutBounds { min, max } => {
                format!("{min} exceeds max_timeout_ms {max}")
            }
            ConfigError::Reputation(_) => "breaks -100 <= ban_below <= disconnect_below <= \
                                           stop_using_below <= 0"
                .into(),
            ConfigError::ProductionProgress(v) => format!("{v} is not within 0..=1"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_check() {
        assert_eq!(SyncConfig::default().check(), Ok(()));
        assert_eq!(SyncConfig::sequential().check(), Ok(()));
    }

    /// The error `check` gives for the default config changed by `f`.
    fn bad(f: fn(&mut SyncConfig)) -> ConfigError {
        let mut c = SyncConfig::default();
        f(&mut c);
        c.check().expect_err("refused")
    }

    #[test]
    fn inconsistent_settings_are_named() {
        assert_eq!(
            bad(|c| c.validate_per_tick = 0),
            ConfigError::Zero("validate_per_tick")
        );
        assert_eq!(
            bad(|c| c.signature_batch = 0),
            ConfigError::Zero("signature_batch")
        );
        assert_eq!(
            bad(|c| c.validation_in_flight = MAX_VALIDATION_IN_FLIGHT + 1),
            ConfigError::ValidationInFlight(MAX_VALIDATION_IN_FLIGHT + 1)
        );
        assert_eq!(
            bad(|c| c.min_batch = c.max_batch + 1),
            ConfigError::EmptyBatchBounds {
                min: SyncConfig::default().max_batch + 1,
                max: SyncConfig::default().max_batch
            }
        );
        assert_eq!(bad(|c| c.min_batch = 0), ConfigError::Zero("min_batch"));
        assert_eq!(
            bad(|c| c.reputation_half_life_ms = 0),
            ConfigError::Zero("reputation_half_life_ms")
        );
        assert_eq!(
            bad(|c| c.min_timeout_ms = c.max_timeout_ms + 1),
            ConfigError::TimeoutBounds {
                min: 30_001,
                max: 30_000
            }
        );
    }

    #[test]
    fn reputation_thresholds_out_of_order_are_named() {
        assert_eq!(
            bad(|c| c.ban_below = -101.0),
            ConfigError::Reputation("ban_below")
        );
        assert_eq!(
            bad(|c| c.disconnect_below = c.ban_below - 1.0),
            ConfigError::Reputation("disconnect_below")
        );
        assert_eq!(
            bad(|c| c.stop_using_below = 0.5),
            ConfigError::Reputation("stop_using_below")
        );
        assert_eq!(
            bad(|c| c.stop_using_below = f64::NAN),
            ConfigError::Reputation("stop_using_below")
        );
    }

    #[test]
    fn each_refusal_reads_as_a_line_naming_a_field_of_the_config() {
        assert_eq!(
            bad(|c| c.production_progress = 1.5).to_string(),
            "production_progress 1.5 is not within 0..=1"
        );
        assert_eq!(
            bad(|c| c.max_batch = 2_000).to_string(),
            "max_batch 2000 exceeds the protocol cap 1024"
        );
        assert_eq!(
            bad(|c| c.import_batch = 0).to_string(),
            "import_batch must be at least 1"
        );
        let fields = serde_json::to_value(SyncConfig::default()).expect("encodes");
        for e in [
            bad(|c| c.min_batch = c.max_batch + 1),
            bad(|c| c.min_timeout_ms = c.max_timeout_ms + 1),
            bad(|c| c.ban_below = 1.0),
            bad(|c| c.validation_in_flight = 9),
        ] {
            assert!(fields.get(e.key()).is_some(), "{e}");
        }
    }

    #[test]
    fn zero_validation_in_flight_validates_within_the_tick() {
        let zero_in_flight = SyncConfig {
            validation_in_flight: 0,
            ..SyncConfig::default()
        };
        assert_eq!(
            zero_in_flight.check(),
            Ok(()),
            "0 validates within the tick"
        );
    }

    #[test]
    fn a_config_without_the_newer_settings_takes_their_defaults() {
        let mut json = serde_json::to_value(SyncConfig::default()).expect("encodes");
        let map = json.as_object_mut().expect("an object");
        map.remove("validation_in_flight");
        map.remove("verifier");
        map.remove("verify");
        map.remove("anchored_per_tick");
        let back: SyncConfig = serde_json::from_value(json).expect("decodes");
        assert_eq!(back, SyncConfig::default());
        let partial: SyncConfig = serde_json::from_str(r#"{"min_batch": 7}"#).expect("decodes");
        assert_eq!(
            partial,
            SyncConfig {
                min_batch: 7,
                ..SyncConfig::default()
            }
        );
        let unknown = serde_json::from_str::<SyncConfig>(r#"{"min_bacth": 7}"#);
        assert!(
            unknown.is_err_and(|e| e.to_string().contains("min_bacth")),
            "an unknown setting is refused"
        );
    }
}

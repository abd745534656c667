//! What the tables show, derived from the dump: typed views of its components and resources, and the state and
//! progress of the header.

use std::collections::BTreeMap;

use anyhow::Context;
use ecsync_components::{BlockRef, Checkpoint, Failure, PeerId, SyncState, SyncStatus};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::cells::relative_ms;
use crate::engine::dump::{
    AwaitingImportSummary, EntityDump, PendingBlockSummary, StageSummary, WorldDump,
};

// What the tables read: typed views of the dump's components and resources. A `…View` is an entity (its
// components by name, extra ones ignored), a `…C` the fields shown of one component, a `…R` of one resource.

/// A peer entity's components.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PeerView {
    pub(super) peer: PeerC,
    pub(super) member: Option<MemberC>,
    pub(super) peer_claim: Option<ClaimC>,
    pub(super) peer_stats: Option<StatsC>,
    pub(super) peer_score: Option<f64>,
    pub(super) peer_reputation: Option<f64>,
    pub(super) peer_budget: Option<BudgetC>,
    pub(super) peer_load: Option<LoadC>,
}

/// A proven federation member's authorities.
#[derive(Debug, Deserialize)]
pub(super) struct MemberC {
    pub(super) authorities: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct PeerC {
    pub(super) id: PeerId,
    pub(super) label: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct ClaimC {
    pub(super) head: BlockRef,
    pub(super) discredited_from: Option<u64>,
    pub(super) discredited_until_ms: u64,
    /// The highest height the peer proved (absent in dumps from before head proofs).
    #[serde(default)]
    pub(super) proven: u64,
}

/// Rates are `Option`: a non-finite float is serialized as `null`.
#[derive(Debug, Deserialize)]
pub(super) struct StatsC {
    pub(super) latency_ms: Option<f64>,
    pub(super) blocks_per_sec: Option<f64>,
    pub(super) blocks_served: u64,
    pub(super) timeouts: u32,
    pub(super) invalid: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct BudgetC {
    pub(super) batch: u32,
    pub(super) max_in_flight: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct LoadC {
    pub(super) in_flight: u32,
}

/// A range entity's components; its state is whichever of the three state components it has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RangeView {
    pub(super) range: RangeC,
    pub(super) range_attempts: Option<AttemptsC>,
    #[serde(default, deserialize_with = "present")]
    pub(super) awaiting_download: bool,
    pub(super) downloading: Option<DownloadingC>,
    pub(super) awaiting_import: Option<AwaitingImportSummary>,
    #[serde(default, deserialize_with = "present")]
    pub(super) delivered: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct RangeC {
    pub(super) start: u64,
    pub(super) count: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct AttemptsC {
    pub(super) attempts: u32,
    pub(super) failed_peers: Vec<PeerId>,
}

#[derive(Debug, Deserialize)]
pub(super) struct DownloadingC {
    pub(super) peer_id: PeerId,
    pub(super) deadline_ms: u64,
}

/// A pending block entity (full dumps): the block and its stage markers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct BlockView {
    pub(super) pending_block: PendingBlockSummary,
    #[serde(default, deserialize_with = "present")]
    pub(super) downloaded: bool,
    #[serde(default, deserialize_with = "present")]
    pub(super) validating: bool,
    #[serde(default, deserialize_with = "present")]
    pub(super) validated: bool,
    #[serde(default, deserialize_with = "present")]
    pub(super) ready_to_import: bool,
}

/// A marker component (dumped as `null`) is there when its key is.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// The resources the tables show; a dump carries only those the world has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Resources {
    pub(super) clock: Option<ClockR>,
    pub(super) chain_head: Option<BlockRef>,
    pub(super) plan_cursor: Option<PlanCursorR>,
    pub(super) buffer: Option<BufferR>,
    pub(super) sync_progress: Option<ProgressR>,
    pub(super) checkpoint_state: Option<CheckpointR>,
    #[serde(default, deserialize_with = "counters")]
    pub(super) engine_counters: Option<BTreeMap<String, u64>>,
    pub(super) sync_config: Option<ConfigR>,
}

/// `EngineCounters` as name → count: a counter kept per kind (an array, e.g. `slots_skipped`) shows as its
/// total; anything else that is not a count is left out.
fn counters<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, u64>>, D::Error> {
    let raw: Option<BTreeMap<String, Value>> = Option::deserialize(d)?;
    Ok(raw.map(|fields| {
        fields
            .into_iter()
            .filter_map(|(name, value)| match value {
                Value::Number(n) => n.as_u64().map(|n| (name, n)),
                Value::Array(items) => {
                    Some((name, items.iter().filter_map(Value::as_u64).sum::<u64>()))
                }
                _ => None,
            })
            .collect()
    }))
}

#[derive(Debug, Deserialize)]
pub(super) struct ClockR {
    pub(super) now_ms: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct PlanCursorR {
    pub(super) next: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct BufferR {
    pub(super) bytes: u64,
    pub(super) blocks: u64,
    pub(super) reserved: u64,
    pub(super) peak_bytes: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct ProgressR {
    pub(super) state: SyncState,
    pub(super) target: u64,
    pub(super) blocks_per_sec: Option<f64>,
    pub(super) failure: Option<Failure>,
    pub(super) recoveries: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct CheckpointR {
    pub(super) last: Option<Checkpoint>,
    pub(super) blocks_since: u64,
    pub(super) due: bool,
    pub(super) written: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct ConfigR {
    pub(super) strategy: String,
    pub(super) max_buffered_bytes: u64,
    pub(super) production_progress: Option<f64>,
    pub(super) production_max_behind: u64,
}

/// A world dump in the views above: peers best score first, ranges and blocks lowest height first.
pub(super) struct Dump {
    pub(super) peers: Vec<PeerView>,
    pub(super) ranges: Vec<RangeView>,
    pub(super) stages: BTreeMap<String, StageSummary>,
    pub(super) blocks: Option<Vec<BlockView>>,
    pub(super) other: usize,
    pub(super) res: Resources,
}

impl Dump {
    pub(super) fn from_world(world: WorldDump) -> anyhow::Result<Self> {
        let mut peers: Vec<PeerView> = views("peer", world.peers)?;
        let score = |p: &PeerView| p.peer_score.unwrap_or(f64::NEG_INFINITY);
        peers.sort_by(|a, b| score(b).total_cmp(&score(a)));
        let mut ranges: Vec<RangeView> = views("range", world.ranges)?;
        ranges.sort_by_key(|r| r.range.start);
        let mut blocks = world
            .blocks
            .map(|b| views::<BlockView>("block", b))
            .transpose()?;
        if let Some(blocks) = &mut blocks {
            blocks.sort_by_key(|b| b.pending_block.height);
        }
        let resources = Value::Object(world.resources.into_iter().collect());
        Ok(Self {
            peers,
            ranges,
            stages: world.blocks_by_stage,
            blocks,
            other: world.other.len(),
            res: serde_json::from_value(resources).context("resources")?,
        })
    }

    /// Engine time, when the dump has it.
    pub(super) fn now_ms(&self) -> Option<u64> {
        self.res.clock.as_ref().map(|c| c.now_ms).filter(|&n| n > 0)
    }
}

/// Each entity's components as `T`; an error names the entity.
fn views<T: DeserializeOwned>(kind: &str, entities: Vec<EntityDump>) -> anyhow::Result<Vec<T>> {
    entities
        .into_iter()
        .map(|e| {
            let components = Value::Object(e.components.into_iter().collect());
            serde_json::from_value(components).with_context(|| format!("{kind} {}", e.entity))
        })
        .collect()
}
impl RangeView {
    /// The state components it has, in their order (exactly one unless the engine is wrong).
    pub(super) fn states(&self) -> Vec<&'static str> {
        [
            (self.awaiting_download, "AwaitingDownload"),
            (self.downloading.is_some(), "Downloading"),
            (self.awaiting_import.is_some(), "AwaitingImport"),
        ]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect()
    }

    pub(super) fn state_text(&self) -> String {
        let states = self.states();
        let mut text = if states.is_empty() {
            "?".to_string()
        } else {
            states.join("+")
        };
        if self.delivered {
            text.push_str(" (delivered)");
        }
        text
    }

    pub(super) fn peer_id(&self) -> Option<PeerId> {
        let serving = self.awaiting_import.as_ref().map(|a| a.peer_id);
        self.downloading.as_ref().map(|d| d.peer_id).or(serving)
    }

    /// When a download times out, or how many blocks await import.
    pub(super) fn detail(&self, now_ms: Option<u64>) -> String {
        match (&self.downloading, &self.awaiting_import, now_ms) {
            (Some(d), _, Some(now)) => format!("deadline {}", relative_ms(d.deadline_ms, now)),
            (Some(d), _, None) => format!("deadline at {} ms", d.deadline_ms),
            (None, Some(a), _) => format!("{} blocks", a.blocks),
            (None, None, _) => "-".into(),
        }
    }
}

/// State and progress, from the node's status or else computed from the resources as the node would.
pub(super) struct Progress {
    pub(super) state: Option<SyncState>,
    pub(super) current: Option<u64>,
    pub(super) target: Option<u64>,
    pub(super) rate: Option<f64>,
    pub(super) eta: Option<f64>,
    pub(super) gate: Option<bool>,
    pub(super) failure: Option<String>,
}

impl Progress {
    pub(super) fn from_status(s: &SyncStatus) -> Self {
        Self {
            state: Some(s.state),
            current: Some(s.current_height),
            target: Some(s.target_height),
            rate: Some(s.blocks_per_second),
            eta: s.estimated_completion_seconds,
            gate: Some(s.can_produce_blocks),
            failure: s.failure.as_ref().map(ToString::to_string),
        }
    }

    pub(super) fn from_resources(res: &Resources) -> Self {
        let progress = res.sync_progress.as_ref();
        let state = progress.map(|p| p.state);
        let current = res.chain_head.map(|h| h.height);
        let target = progress.map(|p| p.target);
        let rate = progress.and_then(|p| p.blocks_per_sec);
        let eta = match (current, target, rate) {
            (Some(c), Some(t), _) if c >= t => Some(0.0),
            (Some(c), Some(t), Some(r)) if r > 0.0 => Some((t - c) as f64 / r),
            _ => None,
        };
        let gate = match (state, current, target, &res.sync_config) {
            (Some(s), Some(c), Some(t), Some(cfg)) => cfg
                .production_progress
                .map(|min| s.production_gate(c, t, min, cfg.production_max_behind)),
            _ => None,
        };
        let failure = progress
            .and_then(|p| p.failure.as_ref())
            .map(ToString::to_string);
        Self {
            state,
            current,
            target,
            rate,
            eta,
            gate,
            failure,
        }
    }

    /// Percent of the target reached.
    pub(super) fn percent(&self) -> Option<f64> {
        match (self.current, self.target) {
            (Some(_), Some(0)) => Some(100.0),
            (Some(c), Some(t)) => Some((c as f64 / t as f64).min(1.0) * 100.0),
            _ => None,
        }
    }
}

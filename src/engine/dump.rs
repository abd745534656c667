//! The world dump: every entity with its components, and the resources, as serializable data. Pending blocks are
//! summarised by stage (count and bytes) unless a full dump lists each.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use bevy_ecs::resource::IsResource;
use bevy_ecs::world::EntityRef;
use ecsync_components::agreement::Consensus;
use ecsync_components::backfill::Backfill;
use ecsync_components::ecs::*;
use ecsync_components::resources::{
    Buffer, ChainHead, CheckpointState, Clock, EngineCounters, Membership, PlanCursor, Production,
    ProvenHead, SequentialState, SyncControl, SyncProgress,
};
use ecsync_components::{Hash32, PeerId, SyncConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entity and its components (name → value; `null` for markers and components without a value to show).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityDump {
    /// The entity, as bevy prints it.
    pub entity: String,
    /// Its components.
    pub components: BTreeMap<String, Value>,
}

/// Pending blocks of one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageSummary {
    /// Blocks.
    pub count: u64,
    /// Their encoded bytes.
    pub bytes: u64,
    /// Lowest height.
    pub min_height: Option<u64>,
    /// Highest height.
    pub max_height: Option<u64>,
}

/// The world.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorldDump {
    /// Peer entities.
    pub peers: Vec<EntityDump>,
    /// Range entities.
    pub ranges: Vec<EntityDump>,
    /// Pending blocks by stage (`downloaded`, `validating`, `validated`, `ready_to_import`).
    pub blocks_by_stage: BTreeMap<String, StageSummary>,
    /// Each pending block entity (full dumps only).
    pub blocks: Option<Vec<EntityDump>>,
    /// Entities of no known kind (should be empty).
    pub other: Vec<EntityDump>,
    /// Entities not listed, by kind (`peers`, `ranges`, `blocks`, `other`), beyond [`MAX_LISTED`] of each.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub omitted: BTreeMap<String, u64>,
    /// The resources.
    pub resources: BTreeMap<String, Value>,
}

/// How the dump shows an `AwaitingImport` range state (its block entities only counted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AwaitingImportSummary {
    /// The peer that served the range.
    pub peer_id: PeerId,
    /// Its pending blocks.
    pub blocks: usize,
}

/// How the dump shows a `Delivered` answer (its encodings only counted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveredSummary {
    /// Blocks in the answer.
    pub blocks: usize,
    /// When it arrived.
    pub at_ms: u64,
}

/// How the dump shows a `PendingBlock` (without the block itself).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingBlockSummary {
    /// Its height.
    pub height: u64,
    /// Its hash.
    pub hash: Hash32,
    /// Its encoded size.
    pub bytes: u32,
    /// The range entity it belongs to, as bevy prints it.
    pub range: String,
}

fn val<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn entity_components(world: &World, e: EntityRef<'_>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    macro_rules! show {
        ($($t:ty),*) => {$(
            if let Some(c) = e.get::<$t>() {
                out.insert(stringify!($t).to_string(), val(c));
            }
        )*};
    }
    show!(
        Peer,
        Member,
        PeerClaim,
        PeerProof,
        PeerStats,
        PeerScore,
        PeerReputation,
        PeerBudget,
        PeerLoad,
        Range,
        RangeAttempts,
        Downloading
    );
    if let Some(a) = e.get::<AwaitingImport>() {
        let summary = AwaitingImportSummary {
            peer_id: a.peer_id,
            blocks: a.blocks.len(),
        };
        out.insert("AwaitingImport".into(), val(&summary));
    }
    if let Some(d) = e.get::<Delivered>() {
        let summary = DeliveredSummary {
            blocks: d.blocks.len(),
            at_ms: d.at_ms,
        };
        out.insert("Delivered".into(), val(&summary));
    }
    if let Some(p) = e.get::<PendingBlock>() {
        let summary = PendingBlockSummary {
            height: p.height(),
            hash: p.hash,
            bytes: p.encoded_len(),
            range: p.range.to_string(),
        };
        out.insert("PendingBlock".into(), val(&summary));
    }
    // Every other component by name (markers such as AwaitingDownload, Downloaded, Validating, Validated, ReadyToImport).
    if let Ok(infos) = world.inspect_entity(e.id()) {
        for (_, info) in infos {
            let name = info.name().shortname().to_string();
            out.entry(name).or_insert(Value::Null);
        }
    }
    out
}

/// Most entities a dump lists of each kind (peers, ranges, pending blocks in a full dump, others): the first by
/// the kind's order (peers by score, ranges and blocks by height). The rest are only counted, in
/// [`WorldDump::omitted`], so that a dump's size and the engine thread's time making it stay bounded whatever
/// the world holds (a full dump of the benches' mid-sync world, 19,200 pending blocks, is under 1 MiB).
pub const MAX_LISTED: usize = 1_000;

/// Keeps the first [`MAX_LISTED`] of `items` by `key`, counting the rest under `kind` in `omitted`.
fn first_listed<K: PartialOrd>(
    mut items: Vec<(K, Entity)>,
    kind: &str,
    omitted: &mut BTreeMap<String, u64>,
) -> Vec<Entity> {
    items.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if items.len() > MAX_LISTED {
        omitted.insert(kind.to_string(), (items.len() - MAX_LISTED) as u64);
        items.truncate(MAX_LISTED);
    }
    items.into_iter().map(|(_, e)| e).collect()
}

/// The entities of each kind, each with the key to order it by: peers by descending score, ranges and blocks by
/// height, others by id; and the pending blocks summarised by stage.
struct Kinds {
    peers: Vec<(f64, Entity)>,
    ranges: Vec<(u64, Entity)>,
    /// Only in a full dump.
    blocks: Vec<(u64, Entity)>,
    other: Vec<(Entity, Entity)>,
    stages: BTreeMap<String, StageSummary>,
}

impl Kinds {
    /// One pass over the entities of `world`.
    fn of(world: &mut World, full: bool) -> Self {
        let mut q = world.query_filtered::<Entity, Without<IsResource>>();
        let entities: Vec<Entity> = q.iter(world).collect();
        let mut kinds = Self {
            peers: Vec::new(),
            ranges: Vec::new(),
            blocks: Vec::new(),
            other: Vec::new(),
            stages: ["downloaded", "validating", "validated", "ready_to_import"]
                .into_iter()
                .map(|s| (s.to_string(), StageSummary::default()))
                .collect(),
        };
        for entity in entities {
            let Ok(e) = world.get_entity(entity) else {
                continue;
            };
            if let Some(p) = e.get::<PendingBlock>() {
                let s = kinds.stages.get_mut(stage_of(e)).expect("known stage");
                s.add(p);
                if full {
                    kinds.blocks.push((p.height(), entity));
                }
            } else if e.contains::<Peer>() {
                let score = e.get::<PeerScore>().map_or(0.0, |s| s.0);
                kinds.peers.push((-score, entity));
            } else if let Some(r) = e.get::<Range>() {
                kinds.ranges.push((r.start, entity));
            } else {
                kinds.other.push((entity, entity));
            }
        }
        kinds
    }
}

/// The stage of a pending block entity: the furthest of its markers.
fn stage_of(e: EntityRef<'_>) -> &'static str {
    if e.contains::<ReadyToImport>() {
        "ready_to_import"
    } else if e.contains::<Validated>() {
        "validated"
    } else if e.contains::<Validating>() {
        "validating"
    } else {
        "downloaded"
    }
}

impl StageSummary {
    /// Counts one more pending block of this stage.
    fn add(&mut self, p: &PendingBlock) {
        self.count += 1;
        self.bytes += u64::from(p.encoded_len());
        self.min_height = Some(self.min_height.map_or(p.height(), |m| m.min(p.height())));
        self.max_height = Some(self.max_height.map_or(p.height(), |m| m.max(p.height())));
    }
}

/// Dumps `world`. See [`WorldDump`]. The engine thread's work is one pass over the entities plus the
/// components of at most [`MAX_LISTED`] entities of each kind; encoding the dump is the caller's.
pub fn dump(world: &mut World, full: bool) -> WorldDump {
    let kinds = Kinds::of(world, full);
    let world: &World = world;
    let mut omitted = BTreeMap::new();
    let peers = listed(world, first_listed(kinds.peers, "peers", &mut omitted));
    let ranges = listed(world, first_listed(kinds.ranges, "ranges", &mut omitted));
    let blocks = listed(world, first_listed(kinds.blocks, "blocks", &mut omitted));
    let other = listed(world, first_listed(kinds.other, "other", &mut omitted));
    WorldDump {
        peers,
        ranges,
        blocks_by_stage: kinds.stages,
        blocks: full.then_some(blocks),
        other,
        omitted,
        resources: resources(world),
    }
}

/// The entities `keys`, with their components.
fn listed(world: &World, keys: Vec<Entity>) -> Vec<EntityDump> {
    keys.into_iter()
        .filter_map(|entity| {
            let e = world.get_entity(entity).ok()?;
            Some(EntityDump {
                entity: entity.to_string(),
                components: entity_components(world, e),
            })
        })
        .collect()
}

/// The resources the world has, by name.
fn resources(world: &World) -> BTreeMap<String, Value> {
    let mut resources = BTreeMap::new();
    macro_rules! res {
        ($($t:ty),*) => {$(
            if let Some(r) = world.get_resource::<$t>() {
                resources.insert(stringify!($t).to_string(), val(r));
            }
        )*};
    }
    res!(
        SyncConfig,
        Clock,
        ChainHead,
        ProvenHead,
        PlanCursor,
        Buffer,
        SyncProgress,
        SyncControl,
        Membership,
        Production,
        CheckpointState,
        EngineCounters,
        SequentialState,
        Consensus,
        Backfill
    );
    resources
}

#[cfg(test)]
mod tests {
    use ecsync_components::agreement::{Consensus, Proposal, RoundValue, Step, VoteKind, VoteSeen};
    use ecsync_components::{Hash32, SyncConfig};

    use crate::engine::SyncEngine;
    use crate::testing::sim::SimChain;

    #[test]
    fn the_dump_shows_the_consensus_with_its_lock_valid_value_proposals_and_votes() {
        let chain = SimChain::generate(3, 4, 16);
        let mut engine = SyncEngine::new(
            chain.spec.clone(),
            SyncConfig::default(),
            Box::new(chain.store_at(4)),
        )
        .unwrap();
        let before = engine.world_dump(false);
        assert_eq!(
            before.resources.get("Consensus").map(|c| &c["member"]),
            Some(&serde_json::Value::Bool(false)),
            "a node that is no member shows an empty agreement"
        );
        let value = Hash32([7; 32]);
        let consensus = Consensus {
            member: true,
            height: 5,
            round: 1,
            step: Step::Precommit,
            proposer: 2,
            gate_open: true,
            locked: Some(RoundValue { round: 1, value }),
            valid: Some(RoundValue { round: 1, value }),
            proposals: vec![Proposal {
                height: 5,
                round: 1,
                value,
                valid_round: None,
                proposer: 2,
            }],
            votes: vec![VoteSeen {
                round: 1,
                kind: VoteKind::Prevote,
                voter: 3,
                value: Some(value),
            }],
            decided: 4,
            decided_rounds: vec![0, 0, 1, 0],
            ..Consensus::default()
        };
        engine.world_mut().insert_resource(consensus.clone());
        let dump = engine.world_dump(false);
        let shown = dump
            .resources
            .get("Consensus")
            .expect("the Consensus resource");
        assert_eq!(shown["locked"]["round"], 1);
        assert_eq!(shown["valid"]["round"], 1);
        assert_eq!(shown["proposals"][0]["proposer"], 2);
        assert_eq!(shown["votes"][0]["voter"], 3);
        assert_eq!(shown["votes"][0]["kind"], "Prevote");
        let back: Consensus = serde_json::from_value(shown.clone()).unwrap();
        assert_eq!(back, consensus, "every field, as it is");
    }
}

//! The world dump: every entity with its components, and the resources, as serializable data. Pending blocks are
//! summarised by stage (count and bytes) unless a full dump lists each.

use std::collections::BTreeMap;

use bevy_ecs::prelude::*;
use bevy_ecs::resource::IsResource;
use bevy_ecs::world::EntityRef;
use ecsync_components::ecs::*;
use ecsync_components::resources::{
    Buffer, ChainHead, CheckpointState, Clock, EngineCounters, PlanCursor, SequentialState,
    SyncProgress,
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
    /// Pending blocks by stage (`downloaded`, `validated`, `ready_to_import`).
    pub blocks_by_stage: BTreeMap<String, StageSummary>,
    /// Each pending block entity (full dumps only).
    pub blocks: Option<Vec<EntityDump>>,
    /// Entities of no known kind (should be empty).
    pub other: Vec<EntityDump>,
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
        PeerClaim,
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
            bytes: p.encoded_len,
            range: p.range.to_string(),
        };
        out.insert("PendingBlock".into(), val(&summary));
    }
    // Every other component by name (markers such as AwaitingDownload, Downloaded, Validated, ReadyToImport).
    if let Ok(infos) = world.inspect_entity(e.id()) {
        for (_, info) in infos {
            let name = info.name().shortname().to_string();
            out.entry(name).or_insert(Value::Null);
        }
    }
    out
}

/// Dumps `world`. See [`WorldDump`].
pub fn dump(world: &mut World, full: bool) -> WorldDump {
    let mut q = world.query_filtered::<Entity, Without<IsResource>>();
    let entities: Vec<Entity> = q.iter(world).collect();
    let mut peers = Vec::new();
    let mut ranges = Vec::new();
    let mut blocks = Vec::new();
    let mut other = Vec::new();
    let mut stages: BTreeMap<String, StageSummary> = ["downloaded", "validated", "ready_to_import"]
        .into_iter()
        .map(|s| (s.to_string(), StageSummary::default()))
        .collect();
    for entity in entities {
        let Ok(e) = world.get_entity(entity) else {
            continue;
        };
        if let Some(p) = e.get::<PendingBlock>() {
            let stage = if e.contains::<ReadyToImport>() {
                "ready_to_import"
            } else if e.contains::<Validated>() {
                "validated"
            } else {
                "downloaded"
            };
            let s = stages.get_mut(stage).expect("known stage");
            s.count += 1;
            s.bytes += u64::from(p.encoded_len);
            s.min_height = Some(s.min_height.map_or(p.height(), |m| m.min(p.height())));
            s.max_height = Some(s.max_height.map_or(p.height(), |m| m.max(p.height())));
            if full {
                blocks.push(EntityDump {
                    entity: entity.to_string(),
                    components: entity_components(world, e),
                });
            }
            continue;
        }
        let d = EntityDump {
            entity: entity.to_string(),
            components: entity_components(world, e),
        };
        if e.contains::<Peer>() {
            peers.push(d);
        } else if e.contains::<Range>() {
            ranges.push(d);
        } else {
            other.push(d);
        }
    }
    let score = |d: &EntityDump| {
        d.components
            .get("PeerScore")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
    };
    peers.sort_by(|a, b| score(b).total_cmp(&score(a)));
    let start = |d: &EntityDump| {
        d.components
            .get("Range")
            .and_then(|r| r.get("start"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    ranges.sort_by_key(start);
    blocks.sort_by_key(|d| {
        d.components
            .get("PendingBlock")
            .and_then(|p| p.get("height"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    });

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
        PlanCursor,
        Buffer,
        SyncProgress,
        CheckpointState,
        EngineCounters,
        SequentialState
    );
    WorldDump {
        peers,
        ranges,
        blocks_by_stage: stages,
        blocks: full.then_some(blocks),
        other,
        resources,
    }
}

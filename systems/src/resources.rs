//! Resources that hold behaviour-crate types (decoded BLS keys, validation tasks), which `ecsync-components`
//! cannot name.

use std::collections::VecDeque;
use std::sync::Arc;

use bevy_ecs::prelude::{Entity, Resource};

use crate::consensus::{ApprovalStore, Authorities, MemberKeys};
use crate::validate_blocks::ValidationTask;

/// The federation's decoded, subgroup-checked public keys.
#[derive(Resource, Clone, Debug)]
pub struct FederationKeys(pub Arc<Authorities>);

/// A federation member's keys (`--authority-keys`) and its durable memory of the approvals it gave; absent on a
/// node that only syncs.
#[derive(Resource)]
pub struct FederationMember {
    /// The secret keys of the authorities this node is.
    pub keys: Arc<MemberKeys>,
    /// What it approved (injected, like the chain store).
    pub memory: Box<dyn ApprovalStore>,
}

/// One validation job: the blocks handed to the compute pool in one tick (block and range entities, in the order
/// checked) and its tasks, one per signature batch, each answering its blocks' checks and the seconds it took.
pub struct ValidationJob {
    /// The run of `validate_blocks` (`ValidationJobs::runs`) that handed it out.
    pub handed_out: u64,
    /// (block, range) per block checked, in order.
    pub blocks: Vec<(Entity, Entity)>,
    /// The chunks' tasks, in order.
    pub tasks: Vec<ValidationTask>,
}

/// Validation jobs running on the compute pool, oldest first (`validate_blocks`). Dropping it cancels them.
#[derive(Resource, Default)]
pub struct ValidationJobs {
    /// Runs of `validate_blocks` so far (one per tick).
    pub runs: u64,
    /// The jobs, oldest first.
    pub jobs: VecDeque<ValidationJob>,
}

//! Resources that hold behaviour-crate types (decoded BLS keys, validation tasks), which `ecsync-components`
//! cannot name.

use std::collections::VecDeque;
use std::sync::Arc;

use bevy_ecs::prelude::{Entity, Resource};

use ecsync_components::store::VoteStore;

use crate::consensus::{Authorities, BlockError, MemberKeys};

/// The federation's decoded, subgroup-checked public keys.
#[derive(Resource, Clone, Debug)]
pub struct FederationKeys(pub Arc<Authorities>);

/// A federation member's keys (`--authority-keys`) and the durable record of what it signed in the agreement
/// (its round state, written before any signature leaves); absent on a node that only syncs.
#[derive(Resource)]
pub struct FederationMember {
    /// The secret keys of the authorities this node is.
    pub keys: Arc<MemberKeys>,
    /// Its round state, durable (injected, like the chain store).
    pub votes: Box<dyn VoteStore>,
    /// Whether its round state could be read when its height started: a member that cannot read what it signed
    /// signs nothing (it could sign against it).
    pub readable: bool,
}

impl FederationMember {
    /// A member holding `keys`, keeping its round state in `votes`.
    pub fn new(keys: Arc<MemberKeys>, votes: Box<dyn VoteStore>) -> Self {
        Self {
            keys,
            votes,
            readable: true,
        }
    }
}

/// What validation found for one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Its links to the block below it in its range and every standalone rule hold, and its signature verifies
    /// if its plan verifies it (in `anchored` mode only a range's top's is; the blocks below it are valid once
    /// their whole range is: `validate_blocks` rejects a range with any bad block).
    Valid,
    /// It breaks this rule.
    Invalid(BlockError),
    /// Not checked: a lower block of its range is invalid (the whole range is rejected).
    Skipped,
}

/// A job's chunk: running on the pool, or (a pool without workers) validated already.
pub enum ValidationTask {
    /// Running.
    Running(bevy_tasks::Task<(Vec<Check>, f64)>),
    /// Done: its checks and the seconds it took.
    Done((Vec<Check>, f64)),
}

impl ValidationTask {
    /// Its result, waiting for it if need be.
    pub fn join(self) -> (Vec<Check>, f64) {
        match self {
            ValidationTask::Running(task) => bevy_tasks::block_on(task),
            ValidationTask::Done(result) => result,
        }
    }
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

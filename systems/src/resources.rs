//! Resources that hold behaviour-crate types (decoded BLS keys, validation tasks), which `ecsync-components`
//! cannot name.

use std::collections::VecDeque;
use std::sync::Arc;

use bevy_ecs::prelude::{Entity, Resource};

use crate::consensus::{ApprovalStore, Authorities, BlockError, MemberKeys};

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
    /// The blocks it approved lately, by height (at most [`KEPT_APPROVED_BLOCKS`], the highest): a producer that
    /// approved another's block at a height re-proposes that block instead of its own (the members' rule binds
    /// the height). In memory only.
    pub approved_blocks: std::collections::BTreeMap<
        ecsync_components::Height,
        (ecsync_components::Block, ecsync_components::Approval),
    >,
    /// The first well-formed proposal on its head it was asked about at each height, approved or not (e.g. asked
    /// while its gate was closed), at most [`KEPT_APPROVED_BLOCKS`]: a producer with nothing approved at a height
    /// proposes this one before a block of its own, so the federation converges on the first proposal it saw
    /// instead of splitting its approvals between two.
    pub seen_blocks: std::collections::BTreeMap<
        ecsync_components::Height,
        (ecsync_components::Block, ecsync_components::Approval),
    >,
    /// The questions it answered lately, so that one asked again costs neither a verification nor a signature
    /// nor a write (see [`Answered`]).
    pub answered: Answered,
}

/// The questions a member answered lately: (block hash, producer share) pairs whose share verified, each with the
/// share it gave for that block if it approved it. At most [`KEPT_ANSWERS`], the oldest forgotten first. Both
/// are pure functions of the pair (a share's verification; its own deterministic signature over the hash), so
/// the memo is never wrong, only forgetful: a question it forgot costs what a new one does.
#[derive(Clone, Debug, Default)]
pub struct Answered(VecDeque<AnsweredQuestion>);

/// One entry of [`Answered`].
#[derive(Clone, Debug)]
struct AnsweredQuestion {
    hash: ecsync_components::Hash32,
    producer: ecsync_components::Approval,
    share: Option<ecsync_components::Approval>,
}

/// Questions a member remembers answering: enough for the few heights around its head that producers ask about,
/// a block with a handful of producer shares each.
pub const KEPT_ANSWERS: usize = 64;

impl Answered {
    /// Whether `producer` was found to endorse the block `hash` (its share verified).
    pub fn endorsed(
        &self,
        hash: &ecsync_components::Hash32,
        producer: &ecsync_components::Approval,
    ) -> bool {
        self.0
            .iter()
            .any(|q| q.hash == *hash && q.producer == *producer)
    }

    /// The share this member gave for the block `hash`, if it remembers giving one.
    pub fn share(&self, hash: &ecsync_components::Hash32) -> Option<&ecsync_components::Approval> {
        self.0
            .iter()
            .filter(|q| q.hash == *hash)
            .find_map(|q| q.share.as_ref())
    }

    /// Notes that `producer` endorses the block `hash` (its share verified) and, with `share`, that this member
    /// approved it with that share.
    pub fn note(
        &mut self,
        hash: ecsync_components::Hash32,
        producer: &ecsync_components::Approval,
        share: Option<&ecsync_components::Approval>,
    ) {
        match self
            .0
            .iter_mut()
            .find(|q| q.hash == hash && q.producer == *producer)
        {
            Some(q) => q.share = q.share.take().or_else(|| share.cloned()),
            None => {
                if self.0.len() >= KEPT_ANSWERS {
                    self.0.pop_front();
                }
                self.0.push_back(AnsweredQuestion {
                    hash,
                    producer: producer.clone(),
                    share: share.cloned(),
                });
            }
        }
    }

    /// Questions remembered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it remembers none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Approved blocks a member keeps to re-propose.
pub const KEPT_APPROVED_BLOCKS: usize = 16;

impl FederationMember {
    /// A member holding `keys`, remembering its approvals in `memory`.
    pub fn new(keys: Arc<MemberKeys>, memory: Box<dyn ApprovalStore>) -> Self {
        Self {
            keys,
            memory,
            approved_blocks: Default::default(),
            seen_blocks: Default::default(),
            answered: Answered::default(),
        }
    }

    /// Keeps `block` (with its slot producer's verified share) as the proposal seen at its height, unless one was
    /// seen there already.
    pub fn keep_seen(
        &mut self,
        block: &ecsync_components::Block,
        producer: &ecsync_components::Approval,
    ) {
        self.seen_blocks
            .entry(block.header.height)
            .or_insert_with(|| (block.clone(), producer.clone()));
        while self.seen_blocks.len() > KEPT_APPROVED_BLOCKS {
            self.seen_blocks.pop_first();
        }
    }

    /// Keeps `block`, which it just approved, with its slot producer's (verified) share (dropping the lowest
    /// beyond [`KEPT_APPROVED_BLOCKS`]).
    pub fn keep_approved(
        &mut self,
        block: &ecsync_components::Block,
        producer: &ecsync_components::Approval,
    ) {
        self.approved_blocks
            .insert(block.header.height, (block.clone(), producer.clone()));
        while self.approved_blocks.len() > KEPT_APPROVED_BLOCKS {
            self.approved_blocks.pop_first();
        }
    }
}

/// What validation found for one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Every standalone rule holds, its signature included.
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

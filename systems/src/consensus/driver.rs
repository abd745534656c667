//! The driver of a member's agreement: the [`Tendermint`] state machine of the height on its head, fed with the
//! signed messages members send it (each signature checked once, before the rules see it), its timers kept on
//! the engine's clock, its outputs done: a fresh block built when it proposes, the state made durable BEFORE
//! any signature leaves, votes and proposals signed with the member's keys, and the decided block assembled
//! with its quorum certificate (the aggregate of the precommits of one round). No IO: the caller hands in the
//! durable store and sends what [`Effects`] lists.

use std::collections::BTreeMap;

use ecsync_components::agreement::{
    Consensus, DECIDED_ROUNDS_KEPT, Round, Vote, VoteKind, VoteSeen,
};
use ecsync_components::messages::{ConsensusMessage, SignedProposal, SignedVote};
use ecsync_components::store::VoteStore;
use ecsync_components::{
    Approval, Block, BlockRef, ChainSpec, Hash32, SignatureBytes, SignedBlock, approval_root,
    carries_parent_approval,
};

use super::tendermint::{HeightSetup, MAX_ROUNDS_AHEAD, Output, Tendermint, Timeouts, Timer};
use super::{
    Authorities, MemberKeys, PreparedApproval, check_link, check_proposal, check_proposal_parent,
    combine,
};

/// Most proposals (with their blocks) kept for the current height.
pub const MAX_PROPOSALS_KEPT: usize = 32;

/// Most timers pending.
pub const MAX_TIMERS: usize = 64;

/// Most vote signatures kept for the current height.
pub const MAX_SIGNATURES: usize = 4_096;

/// Most messages of the next height kept until this node gets there.
pub const MAX_EARLY: usize = 256;

/// What the rules judge a proposal against: the spec, the keys, the head (the parent of the height agreed
/// on) and the clock.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The spec.
    pub spec: &'a ChainSpec,
    /// The federation's keys.
    pub authorities: &'a Authorities,
    /// The head.
    pub head: BlockRef,
    /// The engine's clock.
    pub now_ms: u64,
}

impl Context<'_> {
    /// The setup of the height on the head, for a member holding `held`.
    pub fn setup(&self, held: u64) -> HeightSetup {
        HeightSetup {
            height: self.head.height + 1,
            authorities: self.spec.authority_count(),
            held,
            first_slot: self.head.slot + 1,
            genesis_ms: self.spec.genesis_time_ms,
            slot_ms: self.spec.slot_duration_ms,
            timeouts: Timeouts::for_slot(self.spec.slot_duration_ms),
        }
    }
}

/// A vote's signature is kept by (round, kind, voter, value): a faulty member's conflicting votes each keep
/// theirs (each counts for the value it names, and a certificate may need one).
type SignatureKey = (Round, VoteKind, u16, Option<Hash32>);

/// Most different values one authority's votes of one round and kind are verified and counted for (the first
/// and 8 conflicting ones); beyond, dropped unread.
pub const MAX_VALUES_PER_VOTER: usize = 9;

/// What the caller must do after [`Agreement::step`].
#[derive(Debug, Default)]
pub struct Effects {
    /// Send these to every member.
    pub send: Vec<ConsensusMessage>,
    /// Import (after checking it as any block) and publish this block: the decided one, with its certificate.
    pub decided: Option<SignedBlock>,
    /// Log lines: equivocations seen, a durable write that failed (nothing was signed then).
    pub log: Vec<String>,
}

/// Counters for /metrics.
#[derive(Clone, Debug, Default)]
pub struct AgreementCounters {
    /// Equivocations seen, by authority.
    pub equivocations: BTreeMap<u16, u64>,
    /// Timeouts that fired and acted, by step (propose, prevote, precommit).
    pub timeouts: [u64; 3],
    /// The round each height was decided in since the last view (at most 1,024 kept).
    pub decided_rounds: Vec<Round>,
    /// Messages whose signature did not verify.
    pub bad_signatures: u64,
    /// Votes signed (prevotes, precommits), re-sent ones not counted.
    pub signed: [u64; 2],
}

/// A member's agreement. See the module docs.
#[derive(Default, bevy_ecs::resource::Resource)]
pub struct Agreement {
    core: Option<Tendermint>,
    timers: Vec<(Timer, u64)>,
    proposals: Vec<SignedProposal>,
    signatures: BTreeMap<SignatureKey, SignatureBytes>,
    early: Vec<ConsensusMessage>,
    pending: Vec<Output>,
    next_gossip_ms: u64,
    own: Option<Block>,
    /// The head's approval as this member's store holds it: what its fresh proposals carry as their parent's
    /// (`Block::parent_approval`). `None` on genesis, or when the store could not say (it then proposes no fresh
    /// block above height 1).
    head_approval: Option<Approval>,
    /// Counters for /metrics.
    pub counters: AgreementCounters,
}

impl Agreement {
    /// The agreement on the current height, if started.
    pub fn core(&self) -> Option<&Tendermint> {
        self.core.as_ref()
    }

    /// Whether the agreement must (re)start: no height yet, or the head moved past it.
    pub fn needs_start(&self, height: u64) -> bool {
        self.core.as_ref().is_none_or(|c| c.height() != height)
    }

    /// Starts the agreement on `setup.height` (resuming `saved` when it is that height's), forgetting the last
    /// height's messages, and replays the messages of this height that came early. `head_approval` is the head's
    /// approval as the store holds it (what a fresh proposal carries).
    pub fn start(
        &mut self,
        setup: HeightSetup,
        saved: Option<ecsync_components::agreement::RoundState>,
        (gate_open, head_approval): (bool, Option<Approval>),
        ctx: &Context,
    ) -> Vec<String> {
        let (core, out) = Tendermint::new(setup, saved, gate_open, ctx.now_ms);
        self.core = Some(core);
        self.head_approval = head_approval;
        self.timers.clear();
        self.proposals.clear();
        self.signatures.clear();
        self.own = None;
        self.pending = out;
        self.next_gossip_ms = 0;
        let early = std::mem::take(&mut self.early);
        early
            .into_iter()
            .filter_map(|m| self.receive(&m, ctx).err())
            .collect()
    }

    /// Opens or closes the production gate.
    pub fn set_gate(&mut self, open: bool, now_ms: u64) {
        if let Some(core) = self.core.as_mut()
            && core.gate_open() != open
        {
            let out = core.set_gate(open, now_ms);
            self.pending.extend(out);
        }
    }

    /// A member's message: checked (signature, proposer, block hash), judged (a proposal's block against the
    /// head) and handed to the rules. `Err` names what makes its sender a liar (a signature that does not
    /// verify, a proposal whose block is not the one it names). A message of another height, a repeat, or one
    /// too far ahead is dropped unread.
    pub fn receive(&mut self, message: &ConsensusMessage, ctx: &Context) -> Result<(), String> {
        let Some(core) = self.core.as_ref() else {
            return Ok(());
        };
        let (height, round) = match message {
            ConsensusMessage::Proposal(p) => (p.proposal.height, p.proposal.round),
            ConsensusMessage::Vote(v) => (v.vote.height, v.vote.round),
        };
        if height == core.height() + 1 {
            if self.early.len() < MAX_EARLY {
                self.early.push(message.clone());
            }
            return Ok(());
        }
        if height != core.height() || round > core.round().saturating_add(MAX_ROUNDS_AHEAD) {
            return Ok(());
        }
        match message {
            ConsensusMessage::Proposal(p) => self.receive_proposal(p, ctx),
            ConsensusMessage::Vote(v) => self.receive_vote(v, ctx.authorities, ctx.now_ms),
        }
    }

    fn receive_vote(
        &mut self,
        signed: &SignedVote,
        keys: &Authorities,
        now_ms: u64,
    ) -> Result<(), String> {
        let v = signed.vote;
        if usize::from(v.voter) >= keys.len() {
            return Err(format!("vote of unknown authority {}", v.voter));
        }
        let key = (v.round, v.kind, v.voter, v.value);
        if self.signatures.contains_key(&key) || self.values_of(&v) >= MAX_VALUES_PER_VOTER {
            return Ok(()); // a repeat, or a faulty member's flood of values: no verification
        }
        if !verify_one(keys, v.voter, &v.message(), &signed.signature) {
            self.counters.bad_signatures += 1;
            return Err(format!(
                "{} of authority {} does not verify",
                v.kind.name(),
                v.voter
            ));
        }
        if self.signatures.len() < MAX_SIGNATURES {
            self.signatures.insert(key, signed.signature);
        }
        let out = self
            .core
            .as_mut()
            .map(|c| c.on_vote(v, now_ms))
            .unwrap_or_default();
        self.pending.extend(out);
        Ok(())
    }

    /// How many values `v`'s voter has signatures kept for in `v`'s round and kind.
    fn values_of(&self, v: &Vote) -> usize {
        let low = (v.round, v.kind, v.voter, None);
        let high = (v.round, v.kind, v.voter, Some(Hash32([0xff; 32])));
        self.signatures.range(low..=high).count()
    }

    fn receive_proposal(&mut self, signed: &SignedProposal, ctx: &Context) -> Result<(), String> {
        let p = signed.proposal;
        let Some(core) = self.core.as_ref() else {
            return Ok(());
        };
        if self.proposals.iter().any(|k| k.proposal == p) {
            return Ok(());
        }
        if p.proposer != core.setup().proposer(p.round) {
            return Err(format!(
                "proposal of round {} by authority {}, not its proposer",
                p.round, p.proposer
            ));
        }
        if signed.block.header.hash() != p.value {
            return Err(format!(
                "proposal of round {} names another block than it carries",
                p.round
            ));
        }
        if !verify_one(ctx.authorities, p.proposer, &p.message(), &signed.signature) {
            self.counters.bad_signatures += 1;
            return Err(format!("proposal of round {} does not verify", p.round));
        }
        let valid = judge(ctx, &signed.block);
        self.keep_proposal(signed.clone());
        let out = self
            .core
            .as_mut()
            .map(|c| c.on_proposal(p, valid, ctx.now_ms))
            .unwrap_or_default();
        self.pending.extend(out);
        Ok(())
    }

    fn keep_proposal(&mut self, signed: SignedProposal) {
        if self.proposals.len() >= MAX_PROPOSALS_KEPT {
            let needed = self.core.as_ref().map(|c| {
                let s = c.state();
                [s.locked.map(|l| l.value), s.valid.map(|v| v.value)]
            });
            let needed = needed.unwrap_or_default();
            match self
                .proposals
                .iter()
                .position(|k| !needed.contains(&Some(k.proposal.value)))
            {
                Some(i) => {
                    self.proposals.remove(i);
                }
                None => return,
            }
        }
        self.proposals.push(signed);
    }

    /// Hands the due timers to the rules.
    pub fn fire_timers(&mut self, now_ms: u64) {
        let (due, rest): (Vec<_>, Vec<_>) =
            self.timers.drain(..).partition(|(_, at)| *at <= now_ms);
        self.timers = rest;
        let Some(core) = self.core.as_mut() else {
            return;
        };
        for (timer, _) in due {
            let before = (core.round(), core.state().step);
            let out = core.on_timeout(timer, now_ms);
            if (core.round(), core.state().step) != before {
                let step = match timer {
                    Timer::ProposeAt { .. } => None,
                    Timer::Propose { .. } => Some(0),
                    Timer::Prevote { .. } => Some(1),
                    Timer::Precommit { .. } => Some(2),
                };
                if let Some(i) = step {
                    self.counters.timeouts[i] += 1;
                }
            }
            self.pending.extend(out);
        }
    }

    /// Does what the rules asked: proposes (when `producing`), keeps timers, makes the state durable, signs and
    /// lists what to send, assembles a decided block.
    pub fn step(
        &mut self,
        ctx: &Context,
        keys: &MemberKeys,
        producing: bool,
        store: &mut dyn VoteStore,
    ) -> Effects {
        let mut effects = Effects::default();
        let mut unsigned = Vec::new();
        // Acting on an output may add outputs (a proposal made, its own votes counted): in order, batch by batch,
        // a bounded number of batches (the rules' outputs of one tick are finite; the bound only guards a bug).
        for _ in 0..64 {
            let batch = std::mem::take(&mut self.pending);
            if batch.is_empty() {
                break;
            }
            for o in batch {
                self.act(o, ctx, producing, &mut unsigned, &mut effects);
            }
        }
        if !unsigned.is_empty() {
            self.sign_and_send(unsigned, keys, store, &mut effects);
        }
        effects
    }

    fn act(
        &mut self,
        o: Output,
        ctx: &Context,
        producing: bool,
        unsigned: &mut Vec<Output>,
        effects: &mut Effects,
    ) {
        match o {
            Output::Propose { round, valid, .. } if producing => {
                let block = match valid {
                    Some(rv) => self.block_of(&rv.value),
                    None => fresh_block(
                        ctx,
                        self.core.as_ref().map_or(0, |c| c.setup().first_slot),
                        round,
                        self.head_approval.as_ref(),
                    ),
                };
                if let (Some(block), Some(core)) = (block, self.core.as_mut()) {
                    let value = block.header.hash();
                    self.own = Some(block);
                    let out = core.propose(value, ctx.now_ms);
                    self.pending.extend(out);
                }
            }
            Output::Propose { .. } => {}
            Output::Vote(_) | Output::Proposal(_) => unsigned.push(o),
            Output::Schedule { timer, at_ms } => {
                if self.timers.len() < MAX_TIMERS {
                    self.timers.push((timer, at_ms));
                }
            }
            Output::Decide {
                round,
                value,
                voters,
                ..
            } => {
                self.counters.decided_rounds.push(round);
                if self.counters.decided_rounds.len() > 1_024 {
                    self.counters.decided_rounds.remove(0);
                }
                effects.decided = self.certificate(round, value, voters);
            }
            Output::Equivocation {
                authority,
                round,
                kind,
            } => {
                *self.counters.equivocations.entry(authority).or_default() += 1;
                effects.log.push(format!(
                    "authority {authority} signed two different {kind}s in round {round}"
                ));
            }
        }
    }
}

impl Agreement {
    /// The block of `value` among the proposals kept (or its own).
    fn block_of(&self, value: &Hash32) -> Option<Block> {
        self.own
            .iter()
            .chain(self.proposals.iter().map(|p| &p.block))
            .find(|b| b.header.hash() == *value)
            .cloned()
    }

    /// The decided block with its certificate: the precommit signatures of `voters` in `round` for `value`,
    /// aggregated. None when a signature is missing (a certificate learned elsewhere) or the block is unknown.
    fn certificate(&self, round: Round, value: Hash32, voters: u64) -> Option<SignedBlock> {
        let block = self.block_of(&value)?;
        let quorum = self.core.as_ref()?.setup().quorum();
        let shares: Vec<Approval> = (0..64u16)
            .filter(|i| voters & (1u64 << i) != 0)
            .filter_map(|voter| {
                let key = (round, VoteKind::Precommit, voter, Some(value));
                self.signatures.get(&key).map(|signature| Approval {
                    round,
                    approvers: 1u64 << voter,
                    signature: *signature,
                })
            })
            .collect();
        if shares.len() < quorum {
            return None;
        }
        let mut approval = combine(&shares).ok()?;
        approval.round = round;
        Some(SignedBlock { block, approval })
    }

    /// Makes the state durable, then signs the votes and proposals and lists them to send. If the write fails,
    /// nothing is signed (the rules believe they voted: this node is then as a member whose votes were lost).
    fn sign_and_send(
        &mut self,
        unsigned: Vec<Output>,
        keys: &MemberKeys,
        store: &mut dyn VoteStore,
        effects: &mut Effects,
    ) {
        let Some(core) = self.core.as_ref() else {
            return;
        };
        if let Err(e) = store.save_round_state(core.state()) {
            effects
                .log
                .push(format!("cannot make its votes durable, signs nothing: {e}"));
            return;
        }
        for o in unsigned {
            match o {
                Output::Vote(vote) => {
                    let Some(signature) = keys.sign_as(usize::from(vote.voter), &vote.message())
                    else {
                        continue;
                    };
                    let fresh = self
                        .signatures
                        .insert((vote.round, vote.kind, vote.voter, vote.value), signature)
                        .is_none();
                    self.counters.signed[vote.kind as usize] += u64::from(fresh);
                    effects
                        .send
                        .push(ConsensusMessage::Vote(SignedVote { vote, signature }));
                }
                Output::Proposal(proposal) => {
                    let Some(block) = self.block_of(&proposal.value) else {
                        continue;
                    };
                    let Some(signature) =
                        keys.sign_as(usize::from(proposal.proposer), &proposal.message())
                    else {
                        continue;
                    };
                    let signed = SignedProposal {
                        proposal,
                        block,
                        signature,
                    };
                    self.keep_proposal(signed.clone());
                    effects.send.push(ConsensusMessage::Proposal(signed));
                }
                _ => {}
            }
        }
    }

    /// What to send again, once a slot: the rules' gossip ([`Tendermint::gossip`]) with the signatures kept.
    pub fn gossip(&mut self, now_ms: u64, slot_ms: u64) -> Vec<ConsensusMessage> {
        let Some(core) = self.core.as_ref() else {
            return Vec::new();
        };
        if now_ms < self.next_gossip_ms {
            return Vec::new();
        }
        self.next_gossip_ms = now_ms.saturating_add(slot_ms.max(1));
        let (proposals, votes) = core.gossip();
        let mut out: Vec<ConsensusMessage> = proposals
            .iter()
            .filter_map(|p| self.proposals.iter().find(|k| k.proposal == *p))
            .map(|k| ConsensusMessage::Proposal(k.clone()))
            .collect();
        for vote in votes {
            if let Some(signature) = self
                .signatures
                .get(&(vote.round, vote.kind, vote.voter, vote.value))
            {
                let signature = *signature;
                out.push(ConsensusMessage::Vote(SignedVote { vote, signature }));
            }
        }
        out
    }
}

impl Agreement {
    /// Refreshes the world dump's and /metrics' view.
    pub fn view(&mut self, view: &mut Consensus) {
        view.member = true;
        view.equivocations = self.counters.equivocations.clone();
        view.timeouts = self.counters.timeouts;
        view.signed = self.counters.signed;
        let fresh = std::mem::take(&mut self.counters.decided_rounds);
        view.decided += fresh.len() as u64;
        view.decided_rounds.extend(fresh);
        let extra = view
            .decided_rounds
            .len()
            .saturating_sub(DECIDED_ROUNDS_KEPT);
        view.decided_rounds.drain(..extra);
        let Some(core) = self.core.as_ref() else {
            return;
        };
        let s = core.state();
        view.height = core.height();
        view.round = s.round;
        view.step = s.step;
        view.proposer = core.setup().proposer(s.round);
        view.gate_open = core.gate_open();
        view.locked = s.locked;
        view.valid = s.valid;
        view.proposals = self.proposals.iter().map(|p| p.proposal).collect();
        view.votes.clear();
        for round in [s.round.checked_sub(1), Some(s.round)]
            .into_iter()
            .flatten()
        {
            for kind in [VoteKind::Prevote, VoteKind::Precommit] {
                let Some(tally) = core.tally(round, kind) else {
                    continue;
                };
                view.votes
                    .extend(tally.iter().map(|(voter, value)| VoteSeen {
                        round,
                        kind,
                        voter,
                        value,
                    }));
            }
        }
    }
}

/// Whether `signature` is authority `index`'s over `message`.
fn verify_one(
    keys: &Authorities,
    index: u16,
    message: &Hash32,
    signature: &SignatureBytes,
) -> bool {
    PreparedApproval::of_message(keys, 1u64 << (index % 64), *message, signature)
        .and_then(|p| p.verify())
        .is_ok()
}

/// valid(v): the block extends the head, keeps every rule a block keeps but its approval's, and the parent
/// approval it carries is a quorum certificate of the head (one aggregate verification).
fn judge(ctx: &Context, block: &Block) -> bool {
    let linked = SignedBlock {
        block: block.clone(),
        approval: Approval {
            round: 0,
            approvers: 0,
            signature: SignatureBytes::ZERO,
        },
    };
    check_link(&ctx.head, &linked).is_ok()
        && check_proposal(ctx.spec, block, ctx.now_ms).is_ok()
        && check_proposal_parent(ctx.spec, ctx.authorities, &ctx.head, block).is_ok()
}

/// A fresh block for `round`: on the head, in the later of the round's slot and the current one, carrying
/// `head_approval` as its parent's (none when the head is genesis; no block when it is not and there is none).
fn fresh_block(
    ctx: &Context,
    first_slot: u64,
    round: Round,
    head_approval: Option<&Approval>,
) -> Option<Block> {
    let slot = (first_slot + u64::from(round)).max(ctx.spec.slot_at(ctx.now_ms));
    let parent_approval = match carries_parent_approval(ctx.head.height + 1) {
        true => Some(head_approval?.clone()),
        false => None,
    };
    Some(next_block(ctx.spec, &ctx.head, slot, parent_approval))
}

/// The next block on `head` in `slot`, as this node builds it: no transactions (ecsync carries no execution
/// layer), the timestamp at the slot's start, carrying `parent_approval` (the head's, from height 2).
pub fn next_block(
    spec: &ChainSpec,
    head: &BlockRef,
    slot: u64,
    parent_approval: Option<Approval>,
) -> Block {
    let payload = Vec::new();
    Block {
        header: ecsync_components::Header {
            height: head.height + 1,
            slot,
            parent_hash: head.hash,
            parent_approval_root: approval_root(parent_approval.as_ref()),
            timestamp_ms: spec.slot_start_ms(slot),
            payload_root: ecsync_components::payload_root(&payload),
            state_root: Hash32::ZERO,
        },
        payload,
        parent_approval,
    }
}

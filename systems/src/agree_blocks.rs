//! `agree_blocks`: this node as a federation member takes part in the agreement on each block — Tendermint
//! (docs/CONSENSUS.md): proposals, prevotes and precommits in rounds, locks, growing timeouts. Each tick, after
//! the import (so it works on its newest head): it starts the height above its head when the head moved
//! (resuming the round it was in from its durable round state), opens or closes its participation with the
//! production gate, reads the members' messages (`ConsensusInbox`: each signature checked once; a message that
//! does not verify, or a proposal whose block is not the one it names, bans its sender), fires its due timers,
//! and does what the rules say through the driver (`consensus::driver::Agreement`): proposes in its rounds (a
//! member started with `--produce`; without it, it votes but never proposes), makes its round state durable
//! BEFORE signing, sends its votes and proposals to every member (`Request::SendConsensus`), and imports the
//! decided block with its certificate (the aggregate of the deciding round's precommits), durably, then
//! publishes it. Once a slot it sends its current messages again (what makes a member that missed them, in a
//! partition or a restart, catch up: the gossip the protocol's liveness needs).

use bevy_ecs::prelude::*;
use ecsync_components::agreement::Consensus;
use ecsync_components::ecs::{Member, Peer};
use ecsync_components::messages::ConsensusMessage;
use ecsync_components::resources::{
    ConsensusInbox, Outbox, PeerIndex, Production, SkipReason, SyncControl,
};
use ecsync_components::{
    Approval, EncodedBlock, Offence, OutcomeKind, PeerId, PeerOutcome, Request, SignedBlock, Slot,
};

use crate::consensus::driver::{Agreement, Context};
use crate::consensus::validate_block;
use crate::params::{ChainWriter, Rules};
use crate::resources::FederationMember;

/// Most messages in one request to a member.
pub const MAX_MESSAGES_PER_SEND: usize = 64;

/// What happened to blocks, for the node's log (drained each tick by the node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductionEvent {
    /// A block was decided and imported.
    Produced {
        /// Its height.
        height: u64,
        /// Its slot.
        slot: Slot,
        /// Its certificate's precommitters.
        approvers: u64,
    },
    /// Something for the operator: an equivocation seen, a durable write that failed, a decided block refused.
    Note {
        /// What.
        detail: String,
    },
}

/// The log since the node last looked.
#[derive(Resource, Clone, Debug, Default)]
pub struct ProductionLog(pub Vec<ProductionEvent>);

/// What the agreement reads and writes besides the chain.
#[derive(bevy_ecs::system::SystemParam)]
pub struct AgreeState<'w, 's> {
    /// The driver and its rules.
    pub agreement: ResMut<'w, Agreement>,
    /// The members' messages.
    pub inbox: ResMut<'w, ConsensusInbox>,
    /// Whether it proposes (`--produce`).
    pub production: Res<'w, Production>,
    /// The operator's pause.
    pub control: Res<'w, SyncControl>,
    /// Its log.
    pub log: ResMut<'w, ProductionLog>,
    /// Peers by id (to blame one).
    pub peers: Res<'w, PeerIndex>,
    /// The members it sends to: peers that proved they are members.
    pub members: Query<'w, 's, (&'static Peer, &'static Member)>,
    /// Messages go out here.
    pub outbox: ResMut<'w, Outbox>,
    /// The dump's and /metrics' view.
    pub view: ResMut<'w, Consensus>,
}

/// Takes part in the agreement. See the module docs.
pub fn agree_blocks(
    rules: Rules,
    mut chain: ChainWriter,
    mut state: AgreeState,
    member: Option<ResMut<FederationMember>>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let Some(mut member) = member else {
        state.inbox.take();
        return;
    };
    let now = rules.env.now();
    let spec = &rules.env.spec.0;
    let ctx = Context {
        spec,
        authorities: &rules.keys.0,
        head: chain.head.0,
        now_ms: now,
    };
    let gate = chain
        .progress
        .production_gate(ctx.head.height, &rules.env.config)
        && !state.control.paused;
    if state.agreement.needs_start(ctx.head.height + 1) {
        chain.counters.blocks_produced += u64::from(proposed_the_head(&state, &ctx));
        let head_approval = head_approval(&chain, &mut state, ctx.head.height);
        start_height(&mut state, &mut member, &ctx, (gate, head_approval));
    }
    state.agreement.set_gate(gate, now);
    let messages = state.inbox.take();
    for (peer, message) in messages {
        if let Err(reason) = state.agreement.receive(&message, &ctx) {
            blame(&state, &mut outcomes, peer, ctx.head.height + 1, reason);
        }
    }
    state.agreement.fire_timers(now);
    let producing = state.production.enabled;
    let keys = member.keys.clone();
    let effects = state
        .agreement
        .step(&ctx, &keys, producing, &mut *member.votes);
    for detail in effects.log {
        state.log.0.push(ProductionEvent::Note { detail });
    }
    send(&mut state, effects.send);
    if let Some(block) = effects.decided {
        finish(&rules, &mut chain, &mut state, block);
    }
    let again = state.agreement.gossip(now, spec.slot_duration_ms);
    send(&mut state, again);
    state.agreement.view(&mut state.view);
}

/// Whether the head is the block this member proposed at its height (however it was imported: decided here, or
/// gossiped by a member that decided first).
fn proposed_the_head(state: &AgreeState, ctx: &Context) -> bool {
    state.agreement.core().is_some_and(|c| {
        c.height() == ctx.head.height
            && c.state().proposed.is_some_and(|p| p.value == ctx.head.hash)
    })
}

/// Starts the agreement on the height above the head when the head moved (or at the first tick), resuming the
/// durable round state. If that state cannot be read, the member must not sign (it could sign against a vote it
/// forgot): it starts with its gate closed and says so.
fn start_height(
    state: &mut AgreeState,
    member: &mut FederationMember,
    ctx: &Context,
    (gate, head_approval): (bool, Option<Approval>),
) {
    let (saved, readable) = match member.votes.load_round_state() {
        Ok(saved) => (saved, true),
        Err(e) => {
            let detail = format!("cannot read its round state, votes nothing: {e}");
            state.log.0.push(ProductionEvent::Note { detail });
            (None, false)
        }
    };
    member.readable = readable;
    let setup = ctx.setup(member.keys.approvers());
    let refused =
        state
            .agreement
            .start(setup, saved, (gate && member.readable, head_approval), ctx);
    for detail in refused {
        state.log.0.push(ProductionEvent::Note { detail });
    }
}

/// The head's approval as the store holds it (none on genesis): what this member's fresh proposals carry as
/// their parent's. A store that cannot say is logged; the member then proposes no fresh block at this height.
fn head_approval(chain: &ChainWriter, state: &mut AgreeState, height: u64) -> Option<Approval> {
    if height == 0 {
        return None;
    }
    match chain.store.0.block(height) {
        Ok(Some(block)) => Some(block.approval),
        Ok(None) => None,
        Err(e) => {
            let detail = format!("cannot read the head's approval, proposes no fresh block: {e}");
            state.log.0.push(ProductionEvent::Note { detail });
            None
        }
    }
}

/// Sends `messages` to every member, in requests of at most [`MAX_MESSAGES_PER_SEND`].
fn send(state: &mut AgreeState, messages: Vec<ConsensusMessage>) {
    if messages.is_empty() {
        return;
    }
    let mut members: Vec<PeerId> = state.members.iter().map(|(p, _)| p.id).collect();
    members.sort_unstable();
    for chunk in messages.chunks(MAX_MESSAGES_PER_SEND) {
        for peer in &members {
            state.outbox.0.push(Request::SendConsensus {
                peer: *peer,
                messages: chunk.to_vec(),
            });
        }
    }
}

/// A member whose message does not verify is lying: banned.
fn blame(
    state: &AgreeState,
    outcomes: &mut MessageWriter<PeerOutcome>,
    peer: PeerId,
    height: u64,
    reason: String,
) {
    if let Some(entity) = state.peers.0.get(&peer) {
        outcomes.write(PeerOutcome {
            peer: *entity,
            peer_id: peer,
            kind: OutcomeKind::Invalid(Offence::Block {
                height,
                rule: format!("consensus: {reason}"),
            }),
            latency_ms: None,
        });
    }
}

/// Checks the decided block as any block is checked, imports it durably and publishes it.
fn finish(rules: &Rules, chain: &mut ChainWriter, state: &mut AgreeState, block: SignedBlock) {
    let head = chain.head.0;
    let now = rules.env.now();
    if let Err(e) = validate_block(&rules.env.spec.0, &rules.keys.0, &head, &block, now) {
        let detail = format!("decided block {} refused: {e}", block.block.header.height);
        state.log.0.push(ProductionEvent::Note { detail });
        chain.counters.slots_skipped[SkipReason::NoQuorum.index()] += 1;
        return;
    }
    let block = EncodedBlock::new(block);
    match chain.import_single(&block, now) {
        Ok(head) => {
            state.log.0.push(ProductionEvent::Produced {
                height: head.height,
                slot: head.slot,
                approvers: block.block.approval.approvers,
            });
            state
                .outbox
                .0
                .push(Request::PublishBlock { bytes: block.bytes });
        }
        Err(e) => {
            let failure = ecsync_components::Failure::Import {
                height: head.height + 1,
                error: e.to_string(),
            };
            chain.progress.fail(now, failure);
        }
    }
}

//! `gossip_blocks`: the engine's verdict on blocks gossiped to it (`GossipBlocks`, queued by `ingest_events`).
//! Gossipsub forwards nothing before this verdict, so an invalid block stops at the first honest node, and a node
//! at the head takes a new block the moment it is gossiped instead of at the next status poll.
//!
//! For each block (at most [`MAX_GOSSIP_PER_TICK`] a tick, oldest first; each costs one signature check,
//! ~1.2 ms):
//!
//! - it does not decode (size first, canonical): **Reject**, its sender penalised as for an invalid block;
//! - at or below the head: **Ignore** (we have it, or it is stale: not the sender's fault);
//! - from a slot that has not begun by our clock: **Ignore**, its sender not punished. Within
//!   `max_clock_skew_ms` clocks simply differ (range sync holds such blocks too). Beyond it, the block is
//!   checked with every rule but the clock (`check_standalone` as at its slot's start, and the
//!   signature): if the federation signed it, our clock is the likely culprit (an honest federation signs only
//!   blocks of slots that began by its clocks), so it is counted in `clock_behind` (the node logs that its clock
//!   seems behind); if not, it is invalid whatever the clock, and rejected as below. The block is not lost: its peers' statuses
//!   name it, and range sync fetches it once its slot has begun by our clock;
//! - at head + 1 and linked to the head: every rule against the head and the signature (`validate_block`), then
//!   imported durably with its own checkpoint (`ChainWriter::import_single`) and **Accept**, so it is forwarded
//!   only once it is on disk. Under the sequential strategy with its one range in flight it is accepted but not
//!   imported (the range's answer carries it; importing under it would make that answer fail the link);
//! - at head + 1 but naming another parent: a fork or a duplicate producer. A chain without reorgs should never
//!   see one, but a block that keeps every standalone rule and carries a valid approval is not proof that its
//!   sender is malicious (it may simply be on a branch we are not): **Ignore**, no penalty. If it breaks a rule,
//!   Reject as below;
//! - above head + 1: the rules that need no parent (`check_standalone`) and the signature (`verify_approval`);
//!   valid: **Accept**, the proven head is raised to it (the federation signed it) and so is the sender's claim,
//!   so the target moves and range sync fetches the gap (the sender forwarded it, so it validated it; if it cannot serve it, the usual
//!   withholding rules discredit that claim);
//! - anything that breaks a rule: **Reject**, and a `PeerOutcome` of kind `Invalid` for the sender (fatal:
//!   `score_peers` bans and disconnects it, even if it left).
//!
//! Every verdict goes out as `Request::GossipVerdict` and is counted in `EngineCounters::gossip_blocks`.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{PeerClaim, Range};
use ecsync_components::resources::GossipBlocks;
use ecsync_components::{
    AnswerError, BlockRef, EncodedBlock, Failure, GossipVerdict, Offence, OutcomeKind, PeerId,
    PeerOutcome, Request, SignedBlock, Strategy,
};

use crate::consensus::{BlockError, check_standalone, validate_block, verify_approval};
use crate::params::{ChainWriter, PeerBook, Rules};

/// Gossiped blocks judged per tick at most; the rest wait for the next tick (the queue holds at most
/// `MAX_GOSSIP_BLOCKS`, beyond that `ingest_events` ignores them).
pub const MAX_GOSSIP_PER_TICK: usize = 16;

/// What the engine makes of one gossiped block.
enum Judgement {
    /// Valid at head + 1: import it, then accept.
    Import(Box<EncodedBlock>),
    /// Valid above head + 1: accept, and raise the sender's claim to it.
    Ahead(BlockRef),
    /// Forward it, nothing more.
    Accept,
    /// Not forwarded, nobody blamed.
    Ignore,
    /// Validly signed, from a slot that begins beyond the clock skew by our clock: ignored, nobody blamed, our
    /// clock suspected.
    Early,
    /// Invalid: not forwarded, the sender blamed.
    Reject(Offence),
}

/// A rule broken by the block at `height`.
fn broken(height: u64, error: BlockError) -> Judgement {
    Judgement::Reject(Offence::Block {
        height,
        rule: error.to_string(),
    })
}

/// Judges every waiting gossiped block (up to [`MAX_GOSSIP_PER_TICK`]). See the module docs.
pub fn gossip_blocks(
    rules: Rules,
    mut queue: ResMut<GossipBlocks>,
    mut writer: ChainWriter,
    mut book: PeerBook,
    mut claims: Query<&mut PeerClaim>,
    ranges: Query<(), With<Range>>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let now = rules.env.now();
    let take = queue.0.len().min(MAX_GOSSIP_PER_TICK);
    for (peer, id, bytes) in queue.0.drain(..take).collect::<Vec<_>>() {
        let sequential_busy =
            rules.env.config.strategy == Strategy::Sequential && !ranges.is_empty();
        let judgement = judge(&rules, writer.head.0, &bytes, sequential_busy);
        let verdict = match judgement {
            Judgement::Import(block) => match writer.import_single(&block, now) {
                Ok(_) => GossipVerdict::Accept,
                Err(e) => {
                    // Not the sender's fault; the engine fails and recovers as for any import.
                    let failure = Failure::Import {
                        height: block.block.height(),
                        error: e.to_string(),
                    };
                    writer.progress.fail(now, failure);
                    GossipVerdict::Ignore
                }
            },
            Judgement::Ahead(head) => {
                writer.proven.raise(head);
                raise_claim(&book, &mut claims, peer, head, now);
                GossipVerdict::Accept
            }
            Judgement::Accept => GossipVerdict::Accept,
            Judgement::Early => {
                writer.counters.clock_behind += 1;
                GossipVerdict::Ignore
            }
            Judgement::Ignore => GossipVerdict::Ignore,
            Judgement::Reject(offence) => {
                let entity = book
                    .index
                    .0
                    .get(&peer)
                    .copied()
                    .unwrap_or(Entity::PLACEHOLDER);
                outcomes.write(PeerOutcome {
                    peer: entity,
                    peer_id: peer,
                    kind: OutcomeKind::Invalid(offence),
                    latency_ms: None,
                });
                GossipVerdict::Reject
            }
        };
        writer.counters.gossip_blocks[verdict.index()] += 1;
        book.outbox.0.push(Request::GossipVerdict { id, verdict });
    }
}

/// Raises `peer`'s claimed head to `head` if that is higher.
fn raise_claim(
    book: &PeerBook,
    claims: &mut Query<&mut PeerClaim>,
    peer: PeerId,
    head: BlockRef,
    now: u64,
) {
    let Some(&entity) = book.index.0.get(&peer) else {
        return;
    };
    if let Ok(mut claim) = claims.get_mut(entity) {
        claim.proven = claim.proven.max(head.height);
        if head.height > claim.head.height {
            claim.head = head;
            claim.updated_ms = now;
        }
    }
}

/// The judgement on `bytes` against `head`. See the module docs.
fn judge(rules: &Rules, head: BlockRef, bytes: &[u8], sequential_busy: bool) -> Judgement {
    let spec = &rules.env.spec.0;
    let now = rules.env.now();
    let block = match SignedBlock::decode(bytes, spec.max_block_bytes as usize) {
        Ok(block) => block,
        Err(e) => {
            return Judgement::Reject(Offence::Answer(AnswerError::BadBlock {
                index: 0,
                error: format!("gossiped block: {e}"),
            }));
        }
    };
    let height = block.height();
    if height <= head.height {
        return Judgement::Ignore;
    }
    let keys = &rules.keys.0;
    if spec.begins_beyond(block.slot(), now, rules.env.config.max_clock_skew_ms) {
        // Evidence that our clock is behind only if the federation signed it (no peer can forge that signal);
        // a block that breaks a rule other than the clock is invalid whatever the clock says.
        let at_its_slot = spec.slot_start_ms(block.slot());
        let signed = check_standalone(spec, &block, bytes.len(), at_its_slot)
            .and_then(|()| verify_approval(keys, &block));
        return match signed {
            Ok(()) => Judgement::Early,
            Err(e) => broken(height, e),
        };
    }
    if spec.begins_beyond(block.slot(), now, 0) {
        return Judgement::Ignore;
    }
    if height == head.height + 1 {
        if block.block.header.parent_hash != head.hash {
            // Another branch: not provably malicious if it is otherwise valid.
            return match check_standalone(spec, &block, bytes.len(), now)
                .and_then(|()| verify_approval(keys, &block))
            {
                Ok(()) => Judgement::Ignore,
                Err(e) => broken(height, e),
            };
        }
        return match validate_block(spec, keys, &head, &block, now) {
            Err(e) => broken(height, e),
            Ok(()) if sequential_busy => Judgement::Accept,
            Ok(()) => {
                let hash = block.hash();
                Judgement::Import(Box::new(EncodedBlock {
                    block,
                    hash,
                    bytes: bytes.to_vec(),
                }))
            }
        };
    }
    match check_standalone(spec, &block, bytes.len(), now)
        .and_then(|()| verify_approval(keys, &block))
    {
        Ok(()) => Judgement::Ahead(BlockRef::of(&block)),
        Err(e) => broken(height, e),
    }
}

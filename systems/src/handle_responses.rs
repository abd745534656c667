//! `handle_responses`: answers to `blocks_by_range` become pending blocks.
//!
//! Checks here are about the answer, not the blocks' validity: at most the requested count, each encoding within
//! the spec's size limit and canonical, heights consecutive from the range's start. A malformed answer blames
//! the peer (an `Invalid` outcome); an empty answer for a height the peer claims discredits its claim from
//! there (`PeerClaim::discredit`); a good one is accepted (`accept_answer`), as far as the byte buffer allows.

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{CheckedBlock, Delivered, Downloading, Peer, PeerClaim, Range};
use ecsync_components::resources::PeerRecords;
use ecsync_components::{AnswerError, OutcomeKind, PeerOutcome};

use crate::consensus::history::decode_history;
use crate::params::Env;
use crate::transitions::Transitions;

/// Decodes and checks an answer for `range`: each block with its canonical encoding (`raw`'s own buffers, moved),
/// in height order (the same checks as an answer of history: `consensus::history::decode_history`).
pub fn check_answer(
    range: &Range,
    raw: Vec<Vec<u8>>,
    max_block_bytes: usize,
) -> Result<Vec<CheckedBlock>, AnswerError> {
    decode_history(range.start, range.count, raw, max_block_bytes)
}

/// Takes each delivered answer. See the module docs.
pub fn handle_responses(
    mut commands: Commands,
    env: Env,
    mut ranges: Query<(Entity, &Range, &Downloading, &mut Delivered)>,
    mut records: ResMut<PeerRecords>,
    mut claims: Query<(&Peer, &mut PeerClaim)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let max_block = env.spec.0.max_block_bytes as usize;
    for (range_entity, range, dl, mut delivered) in &mut ranges {
        let latency_ms = delivered.at_ms.saturating_sub(dl.sent_at_ms);
        let outcome = |kind| PeerOutcome {
            peer: dl.peer,
            peer_id: dl.peer_id,
            kind,
            latency_ms: Some(latency_ms),
        };
        // The answer's buffers move on into the pending blocks (the range leaves `Delivered` with the transition
        // queued below, whatever it is).
        match check_answer(range, std::mem::take(&mut delivered.blocks), max_block) {
            Err(error) => {
                outcomes.write(outcome(OutcomeKind::Invalid(error.into())));
                commands.fail_range(range_entity, Some(dl.peer_id));
            }
            Ok(blocks) if blocks.is_empty() => {
                if let Ok((peer, mut claim)) = claims.get_mut(dl.peer)
                    && range.start <= claim.head.height
                    && range.start >= claim.lowest
                {
                    let record = records.0.entry(peer.id).or_default();
                    claim.discredit(record, &env.config, range.start, env.now());
                    outcomes.write(outcome(OutcomeKind::Empty { at: range.start }));
                }
                commands.fail_range(range_entity, Some(dl.peer_id));
            }
            Ok(blocks) => {
                if let Ok((_, mut claim)) = claims.get_mut(dl.peer) {
                    let record = records.0.entry(dl.peer_id).or_default();
                    claim.served_from(record, range.start);
                }
                outcomes.write(outcome(OutcomeKind::Served {
                    blocks: blocks.len() as u32,
                    bytes: blocks.iter().map(|(_, bytes)| bytes.len() as u64).sum(),
                    latency_ms,
                }));
                commands.accept_answer(range_entity, blocks);
            }
        }
    }
}

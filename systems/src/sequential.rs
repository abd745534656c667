//! `sequential_sync`: today's sync, faithfully, as the baseline every speed claim is measured against. It runs
//! instead of the block pipeline when `Strategy::Sequential` is configured, and moves its one range through the
//! same transitions as the engine (`start_download`, `abandon_range`).
//!
//! One peer at a time; one request at a time of a fixed 1024 blocks from head + 1; each block decoded, checked
//! and its signature verified alone, then imported in its own store transaction; the first bad block ends the
//! answer and counts as a failed try; after `sequential_tries_per_peer` failed tries the next peer (by id) is
//! used; an answer shorter than asked ends the round, and a new round starts only when a later status shows a
//! peer ahead. Timeouts are fixed (`initial_timeout_ms`), not adaptive.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use ecsync_components::ecs::{AwaitingDownload, Delivered, Downloading, Peer, PeerClaim, Range};
use ecsync_components::resources::{
    ChainHead, Clock, EngineCounters, SequentialState, Spec, Store, SyncProgress,
};
use ecsync_components::{
    AnswerError, BlockRef, Failure, ImportBlock, MAX_BLOCKS_PER_REQUEST, Offence, OutcomeKind,
    PeerOutcome, SignedBlock, SyncConfig,
};

use crate::consensus::{check_block, verify_approval};
use crate::resources::FederationKeys;
use crate::transitions::Transitions;

/// What the sequential sync imports with: the rules and the store.
#[derive(SystemParam)]
pub struct Importer<'w> {
    clock: Res<'w, Clock>,
    spec: Res<'w, Spec>,
    keys: Res<'w, FederationKeys>,
    store: ResMut<'w, Store>,
    head: ResMut<'w, ChainHead>,
    progress: ResMut<'w, SyncProgress>,
    counters: ResMut<'w, EngineCounters>,
}

/// The answer was cut short by a bad block, or the store failed.
enum Stop {
    Offence(Offence),
    Store,
}

impl Importer<'_> {
    /// Checks and imports an answer's blocks one by one, each in its own transaction, until the first bad one.
    /// Returns the blocks imported and why it stopped early, if it did.
    fn import_each(&mut self, answer: &[Vec<u8>]) -> (u32, Option<Stop>) {
        let (max, now) = (self.spec.0.max_block_bytes as usize, self.clock.now_ms);
        for (i, bytes) in answer.iter().enumerate() {
            let block = match SignedBlock::decode(bytes, max) {
                Ok(b) => b,
                Err(e) => {
                    let error = AnswerError::BadBlock {
                        index: i as u32,
                        error: e.to_string(),
                    };
                    return (i as u32, Some(Stop::Offence(error.into())));
                }
            };
            let checked = check_block(&self.spec.0, &self.head.0, &block, bytes.len(), now)
                .and_then(|()| verify_approval(&self.keys.0, &block));
            if let Err(e) = checked {
                self.counters.blocks_rejected += 1;
                let rule = e.to_string();
                let offence = Offence::Block {
                    height: block.height(),
                    rule,
                };
                return (i as u32, Some(Stop::Offence(offence)));
            }
            self.counters.blocks_downloaded += 1;
            self.counters.blocks_validated += 1;
            // Stored as the bytes that came off the wire (canonical: `decode` checked it).
            let hash = block.hash();
            let import = ImportBlock {
                block: &block,
                hash,
                bytes,
            };
            if let Err(e) = self.store.0.import_batch(&[import], None) {
                let failure = Failure::Import {
                    height: block.height(),
                    error: e.to_string(),
                };
                self.progress.fail(now, failure);
                return (i as u32, Some(Stop::Store));
            }
            self.counters.import_commits += 1;
            self.counters.blocks_imported += 1;
            self.head.0 = BlockRef::new(&block.block.header, hash);
            self.progress.last_progress_ms = now;
        }
        (answer.len() as u32, None)
    }
}

/// One step of the sequential sync. See the module docs.
pub fn sequential_sync(
    mut commands: Commands,
    config: Res<SyncConfig>,
    mut seq: ResMut<SequentialState>,
    mut importer: Importer,
    ranges: Query<(
        Entity,
        &Range,
        Option<&Downloading>,
        Option<&Delivered>,
        Has<AwaitingDownload>,
    )>,
    peers: Query<(Entity, &Peer, &PeerClaim)>,
    mut outcomes: MessageWriter<PeerOutcome>,
) {
    let Some((range_entity, range, dl, delivered, failed)) = ranges.iter().next() else {
        start_request(&mut commands, &config, &mut seq, &importer, &peers);
        return;
    };
    if failed {
        // Timed out or the peer left (fail_range already released the slot).
        seq.tries += 1;
        commands.abandon_range(range_entity);
        return;
    }
    let (Some(dl), Some(delivered)) = (dl, delivered) else {
        return; // still waiting
    };
    commands.abandon_range(range_entity);
    let latency_ms = delivered.at_ms.saturating_sub(dl.sent_at_ms);
    let (imported, stop) = importer.import_each(&delivered.blocks);
    let outcome = |kind| PeerOutcome {
        peer: dl.peer,
        peer_id: dl.peer_id,
        kind,
        latency_ms: Some(latency_ms),
    };
    if imported > 0 {
        outcomes.write(outcome(OutcomeKind::Served {
            blocks: imported,
            bytes: delivered.blocks.iter().map(|b| b.len() as u64).sum(),
            latency_ms,
        }));
    }
    match stop {
        Some(Stop::Store) => {}
        Some(Stop::Offence(offence)) => {
            seq.tries += 1;
            outcomes.write(outcome(OutcomeKind::Invalid(offence)));
        }
        None if delivered.blocks.is_empty() => seq.tries += 1,
        None if (delivered.blocks.len() as u32) < range.count => {
            seq.round_over = true;
            seq.round_over_ms = importer.clock.now_ms;
        }
        None => {}
    }
}

/// Nothing in flight: picks a peer and asks it for the next 1024 blocks.
fn start_request(
    commands: &mut Commands,
    config: &SyncConfig,
    seq: &mut SequentialState,
    importer: &Importer,
    peers: &Query<(Entity, &Peer, &PeerClaim)>,
) {
    let height = importer.head.0.height;
    if seq.round_over {
        let news = peers
            .iter()
            .any(|(_, _, c)| c.updated_ms > seq.round_over_ms && c.head.height > height);
        if !news {
            return;
        }
        seq.round_over = false;
    }
    let mut ahead: Vec<(u64, Entity)> = peers
        .iter()
        .filter(|(_, _, c)| c.head.height > height)
        .map(|(e, p, _)| (p.id.0, e))
        .collect();
    if ahead.is_empty() {
        return;
    }
    ahead.sort_unstable();
    let current = seq
        .peer
        .and_then(|id| ahead.iter().find(|(pid, _)| *pid == id.0).copied());
    let chosen = match current {
        Some(c) if seq.tries < config.sequential_tries_per_peer => c,
        _ => {
            let after = seq.peer.map_or(0, |p| p.0);
            seq.tries = 0;
            *ahead
                .iter()
                .find(|(pid, _)| seq.peer.is_none() || *pid > after)
                .unwrap_or(&ahead[0])
        }
    };
    seq.peer = Some(ecsync_components::PeerId(chosen.0));
    let range = commands
        .spawn(Range::waiting(height + 1, MAX_BLOCKS_PER_REQUEST))
        .id();
    commands.start_download(range, chosen.1, config.initial_timeout_ms, 0);
}

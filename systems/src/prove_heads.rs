//! `prove_heads`: verifies the head proofs peers sent with their statuses (`PeerProof::pending`, kept by
//! `ingest_events`) and raises the `ProvenHead`, the only thing the target follows.
//!
//! What proving may cost is bounded:
//! - at most `proofs_per_tick` verifications a tick, all peers together (one aggregate verification each,
//!   ~1.2 ms); the rest wait for a later tick, the lowest height above the proven head first (an honest peer's
//!   proof of the next block goes before a liar's claim of a thousand more);
//! - a proof at or below the proven head costs nothing (every proof verified raises it, so it is the cache of
//!   what was proven: the same (height, hash) is never verified twice);
//! - each peer has a proof rate (`proof_interval_ms`, burst `proof_burst`): a proof beyond it waits on the peer
//!   (only its newest is kept);
//! - a proof that does not verify is an `Invalid` outcome for its peer: a fatal offence (banned);
//! - a proof from a slot that begins later than `max_clock_skew_ms` from now is dropped unverified and
//!   unpunished: our clock may be the one that is wrong. (`ingest_events` keeps no proof of a status from
//!   beyond the skew, so this guards only against the clock moving back meanwhile.)
//!
//! The imported head is proven too (every imported block was validated), and so are validated downloads and
//! gossiped blocks (their systems raise `ProvenHead` themselves).

use bevy_ecs::prelude::*;
use ecsync_components::ecs::{Peer, PeerClaim, PeerProof};
use ecsync_components::resources::{ChainHead, EngineCounters, ProvenHead};
use ecsync_components::{Height, Offence, OutcomeKind, PeerOutcome, SyncConfig};

use crate::consensus::verify_head_proof;
use crate::params::Rules;

/// Whether a peer's proof rate lets it have a proof verified at `now` (a GCRA over `rate_tat_ms`).
pub fn proof_allowed(config: &SyncConfig, proof: &PeerProof, now: u64) -> bool {
    let tolerance = config
        .proof_interval_ms
        .saturating_mul(u64::from(config.proof_burst.saturating_sub(1)));
    proof.rate_tat_ms <= now.saturating_add(tolerance)
}

/// Takes one token of a peer's proof rate at `now`.
fn spend(config: &SyncConfig, proof: &mut PeerProof, now: u64) {
    proof.rate_tat_ms = proof.rate_tat_ms.max(now) + config.proof_interval_ms;
}

/// Verifies waiting head proofs within the tick's budget and raises the proven head. See the module docs.
pub fn prove_heads(
    rules: Rules,
    head: Res<ChainHead>,
    mut proven: ResMut<ProvenHead>,
    mut counters: ResMut<EngineCounters>,
    mut outcomes: MessageWriter<PeerOutcome>,
    mut peers: Query<(Entity, &Peer, &mut PeerClaim, &mut PeerProof)>,
) {
    proven.raise(head.0);
    let config = &rules.env.config;
    let now = rules.env.now();
    let mut waiting: Vec<(Height, Entity)> = Vec::new();
    for (entity, _, _, mut proof) in &mut peers {
        let Some(height) = proof.pending_height() else {
            continue;
        };
        if height <= proven.head.height {
            proof.pending = None;
            counters.proofs_free += 1;
        } else if proof_allowed(config, &proof, now) {
            waiting.push((height, entity));
        }
    }
    waiting.sort_unstable();
    let mut verified = 0;
    for (height, entity) in waiting {
        if verified >= config.proofs_per_tick {
            break;
        }
        let Ok((_, peer, mut claim, mut proof)) = peers.get_mut(entity) else {
            continue;
        };
        if height <= proven.head.height {
            proof.pending = None;
            counters.proofs_free += 1;
            continue;
        }
        let Some(pending) = proof.pending.take() else {
            continue;
        };
        let spec = &rules.env.spec.0;
        if spec.begins_beyond(pending.header.slot, now, config.max_clock_skew_ms) {
            continue;
        }
        spend(config, &mut proof, now);
        verified += 1;
        match verify_head_proof(spec, &rules.keys.0, &pending) {
            Ok(head) => {
                counters.proofs_verified += 1;
                proof.verified = proof.verified.saturating_add(1);
                claim.proven = claim.proven.max(head.height);
                proven.raise(head);
            }
            Err(e) => {
                counters.proofs_invalid += 1;
                outcomes.write(PeerOutcome {
                    peer: entity,
                    peer_id: peer.id,
                    kind: OutcomeKind::Invalid(Offence::Block {
                        height,
                        rule: format!("head proof: {e}"),
                    }),
                    latency_ms: None,
                });
            }
        }
    }
    counters.proofs_max_per_tick = counters.proofs_max_per_tick.max(verified);
}

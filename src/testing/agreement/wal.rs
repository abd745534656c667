//! What this harness's driver does beside the core's API, to work around what the core's durable
//! `RoundState` and `gossip()` miss (see [`super::AgreementSim::without_durable_votes`] and
//! [`super::AgreementSim::without_vote_relay`]):
//!
//! - it persists, with the round state and before anything leaves, every vote the core holds for the current and
//!   the previous round (its own and the others': what justifies its round, line 47's quorum of precommits or
//!   line 55's f + 1 messages) and the prevotes for its locked and valid values in their rounds (the polka line 28
//!   needs); on a restart it hands them back to the core (`on_vote`) after `Tendermint::new`;
//! - every slot it sends again every vote the core holds for the current and the previous round (the paper's
//!   gossip: a message one correct member holds reaches every correct one).

use ecsync_components::agreement::{Round, Vote, VoteKind};
use ecsync_systems::consensus::Tendermint;

/// Every vote `core` holds for `rounds`.
pub(super) fn held_votes(core: &Tendermint, rounds: &[Round]) -> Vec<Vote> {
    let mut out = Vec::new();
    for &round in rounds {
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let Some(tally) = core.tally(round, kind) else {
                continue;
            };
            out.extend(tally.iter().map(|(voter, value)| Vote {
                height: core.height(),
                round,
                kind,
                value,
                voter,
            }));
        }
    }
    out
}

/// The current and the previous round of `core`.
pub(super) fn recent_rounds(core: &Tendermint) -> Vec<Round> {
    let round = core.round();
    [round.checked_sub(1), Some(round)]
        .into_iter()
        .flatten()
        .collect()
}

/// What the driver keeps durable after a call of `core`, given what was durable `before`: the votes of the
/// current and previous round and the prevotes for the locked and valid values in their rounds, those `core`
/// holds and those of `before` (a restart may have lost them).
pub(super) fn durable_votes(core: &Tendermint, before: &[Vote]) -> Vec<Vote> {
    let s = core.state();
    let recent = recent_rounds(core);
    let backing: Vec<_> = [s.locked, s.valid].into_iter().flatten().collect();
    let polka_rounds: Vec<Round> = backing.iter().map(|rv| rv.round).collect();
    let polka = |v: &Vote| {
        v.kind == VoteKind::Prevote
            && backing
                .iter()
                .any(|rv| rv.round == v.round && v.value == Some(rv.value))
    };
    let candidates = before
        .iter()
        .copied()
        .chain(held_votes(core, &recent))
        .chain(held_votes(core, &polka_rounds));
    let mut out: Vec<Vote> = Vec::new();
    for v in candidates {
        let kept = v.height == core.height() && (recent.contains(&v.round) || polka(&v));
        if kept && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

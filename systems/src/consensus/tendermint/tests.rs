//! Unit tests of the rules, one member (or four, delivered at once) at a time.

use super::*;
use ecsync_components::agreement::MAX_JUSTIFICATION;

const H: u64 = 7;

fn setup(held: u64) -> HeightSetup {
    HeightSetup {
        height: H,
        authorities: 4,
        held,
        first_slot: 10,
        genesis_ms: 0,
        slot_ms: 100,
        timeouts: Timeouts::for_slot(100),
    }
}

fn value(b: u8) -> Hash32 {
    Hash32([b; 32])
}

fn vote(round: Round, kind: VoteKind, value: Option<Hash32>, voter: u16) -> Vote {
    Vote {
        height: H,
        round,
        kind,
        value,
        voter,
    }
}

fn votes(out: &[Output]) -> Vec<Vote> {
    out.iter()
        .filter_map(|o| match o {
            Output::Vote(v) => Some(*v),
            _ => None,
        })
        .collect()
}

fn proposal(round: Round, v: Hash32, valid_round: Option<Round>) -> Proposal {
    Proposal {
        height: H,
        round,
        value: v,
        valid_round,
        proposer: setup(0).proposer(round),
    }
}

/// Four members, every message delivered to every other at once, until nothing is left.
fn run_four(now: u64) -> Vec<Tendermint> {
    let mut nodes = Vec::new();
    let mut queue = Vec::new();
    for i in 0..4 {
        let (t, out) = Tendermint::new(setup(1 << i), None, true, now);
        nodes.push(t);
        queue.push((i, out));
    }
    while let Some((from, out)) = queue.pop() {
        for o in out {
            match o {
                Output::Propose { .. } => {
                    let more = nodes[from].propose(value(9), now);
                    queue.push((from, more));
                }
                Output::Vote(v) => {
                    for to in (0..4).filter(|to| *to != from) {
                        let more = nodes[to].on_vote(v, now);
                        queue.push((to, more));
                    }
                }
                Output::Proposal(p) => {
                    for to in (0..4).filter(|to| *to != from) {
                        let more = nodes[to].on_proposal(p, true, now);
                        queue.push((to, more));
                    }
                }
                _ => {}
            }
        }
    }
    nodes
}

#[test]
fn four_members_decide_the_proposal_in_round_zero() {
    let now = setup(0).earliest_proposal_ms(0);
    let nodes = run_four(now);
    for n in &nodes {
        assert_eq!(n.decided(), Some((0, value(9))));
    }
}

#[test]
fn the_proposer_waits_for_its_slot() {
    let s = setup(1 << setup(0).proposer(0));
    let (_t, out) = Tendermint::new(s, None, true, s.earliest_proposal_ms(0) - 1);
    assert!(!out.iter().any(|o| matches!(o, Output::Propose { .. })));
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Schedule { timer: Timer::ProposeAt { .. }, at_ms } if *at_ms == s.earliest_proposal_ms(0)
    )));
}

/// A member locked on `a` in round 0 (it saw a quorum prevote `a` and precommitted it).
fn locked_on_a() -> Tendermint {
    let me = 3u16;
    let now = 10_000;
    let (mut t, _) = Tendermint::new(setup(1 << me), None, true, now);
    t.on_proposal(proposal(0, value(1), None), true, now);
    for voter in [0, 1] {
        t.on_vote(vote(0, VoteKind::Prevote, Some(value(1)), voter), now);
    }
    assert_eq!(t.state().locked.map(|l| l.value), Some(value(1)));
    assert_eq!(t.state().step, Step::Precommit);
    t
}

#[test]
fn a_locked_member_prevotes_nil_for_another_fresh_value() {
    let mut t = locked_on_a();
    let out = t.on_timeout(
        Timer::Precommit {
            height: H,
            round: 0,
        },
        20_000,
    );
    assert!(votes(&out).is_empty());
    assert_eq!(t.round(), 1);
    let out = t.on_proposal(proposal(1, value(2), None), true, 20_000);
    assert_eq!(votes(&out), vec![vote(1, VoteKind::Prevote, None, 3)]);
}

#[test]
fn a_locked_member_follows_a_later_polka() {
    let mut t = locked_on_a();
    let now = 20_000;
    t.on_timeout(
        Timer::Precommit {
            height: H,
            round: 0,
        },
        now,
    );
    // Round 1: a quorum prevoted b (this member did not see the proposal in time).
    for voter in [0, 1, 2] {
        t.on_vote(vote(1, VoteKind::Prevote, Some(value(2)), voter), now);
    }
    t.on_timeout(
        Timer::Propose {
            height: H,
            round: 1,
        },
        now,
    );
    t.on_timeout(
        Timer::Prevote {
            height: H,
            round: 1,
        },
        now,
    );
    t.on_timeout(
        Timer::Precommit {
            height: H,
            round: 1,
        },
        now,
    );
    assert_eq!(t.round(), 2);
    // Round 2 re-proposes b with valid round 1: the polka of round 1 is above the lock of round 0.
    let out = t.on_proposal(proposal(2, value(2), Some(1)), true, now);
    assert_eq!(
        votes(&out),
        vec![vote(2, VoteKind::Prevote, Some(value(2)), 3)]
    );
    // The same proposal with valid round 0 (no polka for b there) is not acted on.
    let mut u = locked_on_a();
    u.on_timeout(
        Timer::Precommit {
            height: H,
            round: 0,
        },
        now,
    );
    u.on_timeout(
        Timer::Propose {
            height: H,
            round: 1,
        },
        now,
    );
    assert_eq!(u.state().step, Step::Prevote);
}

#[test]
fn an_invalid_proposal_gets_a_nil_prevote() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    let out = t.on_proposal(proposal(0, value(1), None), false, 10_000);
    assert_eq!(votes(&out), vec![vote(0, VoteKind::Prevote, None, 3)]);
}

#[test]
fn a_proposal_from_another_authority_is_ignored() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    let mut p = proposal(0, value(1), None);
    p.proposer = (p.proposer + 1) % 4;
    assert!(t.on_proposal(p, true, 10_000).is_empty());
    assert_eq!(t.state().step, Step::Propose);
}

#[test]
fn conflicting_votes_are_reported_once_and_the_first_counts() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    t.on_vote(vote(0, VoteKind::Prevote, Some(value(1)), 0), 10_000);
    let out = t.on_vote(vote(0, VoteKind::Prevote, Some(value(2)), 0), 10_000);
    assert!(out.contains(&Output::Equivocation {
        authority: 0,
        round: 0,
        kind: "prevote"
    }));
    let again = t.on_vote(vote(0, VoteKind::Prevote, None, 0), 10_000);
    assert!(
        !again
            .iter()
            .any(|o| matches!(o, Output::Equivocation { .. }))
    );
    assert_eq!(
        t.tally(0, VoteKind::Prevote).and_then(|t| t.of(0)),
        Some(Some(value(1)))
    );
}

#[test]
fn a_closed_gate_signs_nothing_and_reopening_resumes() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, false, 10_000);
    let out = t.on_proposal(proposal(0, value(1), None), true, 10_000);
    assert!(votes(&out).is_empty(), "closed gate: no prevote");
    assert_eq!(t.state().prevoted, None);
    let (mut u, _) = Tendermint::new(setup(1 << 3), None, false, 10_000);
    assert!(votes(&u.set_gate(true, 10_000)).is_empty());
    let out = u.on_proposal(proposal(0, value(1), None), true, 10_000);
    assert_eq!(
        votes(&out),
        vec![vote(0, VoteKind::Prevote, Some(value(1)), 3)]
    );
}

#[test]
fn a_resumed_member_sends_its_votes_again_and_never_another() {
    let t = locked_on_a();
    let saved = t.state().clone();
    let (mut r, out) = Tendermint::new(setup(1 << 3), Some(saved), true, 10_000);
    let sent = votes(&out);
    assert!(sent.contains(&vote(0, VoteKind::Prevote, Some(value(1)), 3)));
    assert!(sent.contains(&vote(0, VoteKind::Precommit, Some(value(1)), 3)));
    // A different proposal and nil quorums in round 0 make it sign nothing new.
    let out = r.on_proposal(proposal(0, value(2), None), true, 10_000);
    assert!(votes(&out).is_empty());
    for voter in [0, 1, 2] {
        assert!(votes(&r.on_vote(vote(0, VoteKind::Prevote, None, voter), 10_000)).is_empty());
    }
    assert_eq!(r.state().locked.map(|l| l.value), Some(value(1)));
}

#[test]
fn f_plus_one_messages_of_a_later_round_move_a_member_there() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    t.on_vote(vote(5, VoteKind::Prevote, None, 0), 10_000);
    assert_eq!(t.round(), 0, "one authority may be faulty");
    t.on_vote(vote(5, VoteKind::Precommit, None, 1), 10_000);
    assert_eq!(t.round(), 5);
}

#[test]
fn messages_too_far_ahead_or_of_another_height_are_ignored() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    for voter in [0, 1, 2] {
        t.on_vote(
            vote(MAX_ROUNDS_AHEAD + 1, VoteKind::Prevote, None, voter),
            10_000,
        );
        t.on_vote(
            Vote {
                height: H + 1,
                ..vote(1, VoteKind::Prevote, None, voter)
            },
            10_000,
        );
        t.on_vote(vote(0, VoteKind::Prevote, None, voter + 10), 10_000);
    }
    assert_eq!(t.round(), 0);
    assert_eq!(t.rounds_kept(), 0);
}

#[test]
fn a_quorum_of_precommits_decides_only_a_valid_proposal() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    for voter in [0, 1, 2] {
        t.on_vote(vote(0, VoteKind::Precommit, Some(value(4)), voter), 10_000);
    }
    assert_eq!(t.decided(), None, "no proposal for it");
    let out = t.on_proposal(proposal(0, value(4), None), true, 10_000);
    assert!(out.contains(&Output::Decide {
        height: H,
        round: 0,
        value: value(4),
        voters: 0b111
    }));
}

#[test]
fn timeouts_grow_per_round_and_stop_growing() {
    let t = Timeouts::for_slot(500);
    assert_eq!(t.of(Step::Propose, 0), 500);
    assert_eq!(t.of(Step::Prevote, 2), 250 + 500);
    assert_eq!(t.of(Step::Precommit, 1_000), t.of(Step::Precommit, 64));
}

fn has_timer(out: &[Output], want: fn(&Timer) -> bool) -> bool {
    out.iter()
        .any(|o| matches!(o, Output::Schedule { timer, .. } if want(timer)))
}

/// Fix 1: a faulty authority's votes for two values count for both, whatever order they arrive in, so two
/// members that got them in opposite orders agree that the proposal has a quorum.
#[test]
fn a_double_voters_votes_count_for_both_values_in_any_order() {
    let (a, b) = (value(1), value(2));
    for order in [[Some(a), Some(b)], [Some(b), Some(a)]] {
        let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
        t.on_proposal(proposal(0, a, None), true, 10_000);
        t.on_vote(vote(0, VoteKind::Prevote, Some(a), 1), 10_000);
        let mut out = Vec::new();
        for v in order {
            out.extend(t.on_vote(vote(0, VoteKind::Prevote, v, 0), 10_000));
        }
        assert_eq!(t.state().locked.map(|l| l.value), Some(a), "{order:?}");
        assert!(votes(&out).contains(&vote(0, VoteKind::Precommit, Some(a), 3)));
        let reported = out
            .iter()
            .filter(|o| matches!(o, Output::Equivocation { authority: 0, .. }))
            .count();
        assert_eq!(reported, 1, "evidence, once");
        let tally = t.tally(0, VoteKind::Prevote).unwrap();
        assert_eq!((tally.count(Some(a)), tally.count(Some(b))), (3, 1));
    }
}

/// Fix 1: a double voter is one authority in "2f + 1 votes of any value" (line 34).
#[test]
fn a_double_voter_counts_once_among_any_votes() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    let timeout = Timer::Propose {
        height: H,
        round: 0,
    };
    t.on_timeout(timeout, 10_000);
    let is_prevote = |t: &Timer| matches!(t, Timer::Prevote { .. });
    for b in [1, 2, 4] {
        let out = t.on_vote(vote(0, VoteKind::Prevote, Some(value(b)), 0), 10_000);
        assert!(
            !has_timer(&out, is_prevote),
            "two authorities of a quorum of three"
        );
    }
    let out = t.on_vote(vote(0, VoteKind::Prevote, Some(value(5)), 1), 10_000);
    assert!(has_timer(&out, is_prevote), "three authorities");
}

/// Fix 2–3: the state carries the votes that justify it: every first vote of the current and the previous
/// round, and the prevotes for the locked and valid value in their round, nothing older.
#[test]
fn the_state_carries_the_votes_that_justify_it() {
    let a = Some(value(1));
    let mut t = locked_on_a();
    t.on_vote(vote(0, VoteKind::Precommit, None, 0), 20_000);
    t.on_vote(vote(0, VoteKind::Prevote, None, 2), 20_000);
    let round0 = [
        vote(0, VoteKind::Prevote, a, 0),
        vote(0, VoteKind::Prevote, a, 1),
        vote(0, VoteKind::Prevote, a, 3),
        vote(0, VoteKind::Prevote, None, 2),
        vote(0, VoteKind::Precommit, a, 3),
        vote(0, VoteKind::Precommit, None, 0),
    ];
    let sorted = |mut v: Vec<Vote>| {
        v.sort_by_key(|v| (v.round, v.kind, v.voter));
        v
    };
    assert_eq!(
        sorted(t.state().justification.clone()),
        sorted(round0.to_vec())
    );
    let precommit = Timer::Precommit {
        height: H,
        round: 0,
    };
    t.on_timeout(precommit, 20_000);
    assert_eq!(t.round(), 1);
    assert_eq!(
        t.state().justification.len(),
        round0.len(),
        "the previous round"
    );
    // f + 1 authorities in round 5 move it there: their votes, and the polka of its lock, are what it keeps.
    t.on_vote(vote(5, VoteKind::Prevote, None, 0), 20_000);
    t.on_vote(vote(5, VoteKind::Precommit, None, 1), 20_000);
    assert_eq!(t.round(), 5);
    let mut want = vec![
        vote(5, VoteKind::Prevote, None, 0),
        vote(5, VoteKind::Precommit, None, 1),
    ];
    want.extend(round0[..3].iter().copied());
    assert_eq!(sorted(t.state().justification.clone()), sorted(want));
}

/// A member locked on `a` in round 0 that f + 1 authorities moved to round 2, restarted from its saved state
/// (with its justification, or with it dropped).
fn restarted_in_round_two(keep_justification: bool) -> Tendermint {
    let mut t = locked_on_a();
    for voter in [0, 1] {
        t.on_vote(vote(2, VoteKind::Prevote, None, voter), 20_000);
    }
    assert_eq!(t.round(), 2);
    let mut saved = t.state().clone();
    if !keep_justification {
        saved.justification.clear();
    }
    Tendermint::new(setup(1 << 3), Some(saved), true, 20_000).0
}

/// Fix 2 (seed 7719): restarted, a member still holds the quorum of prevotes behind its valid round, so it
/// prevotes its value re-proposed with that valid round (line 28); without them it could not.
#[test]
fn a_restarted_member_still_holds_the_polka_of_its_valid_round() {
    let reproposed = proposal(2, value(1), Some(0));
    let mut r = restarted_in_round_two(true);
    let out = r.on_proposal(reproposed, true, 20_000);
    assert_eq!(
        votes(&out),
        vec![vote(2, VoteKind::Prevote, Some(value(1)), 3)]
    );
    let mut lost = restarted_in_round_two(false);
    assert!(votes(&lost.on_proposal(reproposed, true, 20_000)).is_empty());
}

/// Fix 3 (seed 4065): a member moved to round 1 by 2f + 1 precommits of round 0 still holds them after a
/// restart, and its gossip passes them on (line 47 for a member that missed them).
#[test]
fn a_restarted_member_still_holds_and_gossips_what_moved_it_to_its_round() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    for voter in [0, 1, 2] {
        t.on_vote(vote(0, VoteKind::Precommit, None, voter), 10_000);
    }
    let precommit = Timer::Precommit {
        height: H,
        round: 0,
    };
    t.on_timeout(precommit, 10_000);
    assert_eq!(t.round(), 1);
    let (r, _) = Tendermint::new(setup(1 << 3), Some(t.state().clone()), true, 10_000);
    assert_eq!(r.round(), 1);
    assert_eq!(r.tally(0, VoteKind::Precommit).map(Tally::total), Some(3));
    let (_, gossiped) = r.gossip();
    for voter in [0, 1, 2] {
        assert!(gossiped.contains(&vote(0, VoteKind::Precommit, None, voter)));
    }
}

/// On resume, the justification's votes go through the checks of `on_vote`, and at most
/// [`MAX_JUSTIFICATION`] of them are read.
#[test]
fn a_resumed_justification_is_checked_and_bounded() {
    let (t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    let mut saved = t.state().clone();
    let other_height = Vote {
        height: H + 1,
        ..vote(0, VoteKind::Prevote, None, 0)
    };
    saved.justification = vec![
        other_height,
        vote(0, VoteKind::Prevote, None, 4),
        vote(MAX_ROUNDS_AHEAD + 1, VoteKind::Prevote, None, 1),
    ];
    saved.justification.extend(std::iter::repeat_n(
        vote(0, VoteKind::Precommit, None, 1),
        MAX_JUSTIFICATION,
    ));
    saved
        .justification
        .push(vote(0, VoteKind::Prevote, None, 2));
    let (r, _) = Tendermint::new(setup(1 << 3), Some(saved), true, 10_000);
    assert_eq!(r.tally(0, VoteKind::Precommit).map(Tally::total), Some(1));
    assert_eq!(
        r.tally(0, VoteKind::Prevote).map(Tally::total),
        Some(0),
        "none admitted"
    );
    assert_eq!(r.rounds_kept(), 1);
    assert_eq!(r.round(), 0);
}

/// Fix 4: gossip relays every vote held of the current and the previous round, from every authority (a double
/// voter's both), and nothing older outside the valid round.
#[test]
fn gossip_relays_every_vote_of_the_current_and_previous_round() {
    let (mut t, _) = Tendermint::new(setup(1 << 3), None, true, 10_000);
    let round0 = [
        vote(0, VoteKind::Prevote, None, 0),
        vote(0, VoteKind::Precommit, None, 1),
        vote(0, VoteKind::Prevote, Some(value(1)), 2),
        vote(0, VoteKind::Prevote, Some(value(2)), 2),
    ];
    for v in round0 {
        t.on_vote(v, 10_000);
    }
    let (_, gossiped) = t.gossip();
    assert!(round0.iter().all(|v| gossiped.contains(v)), "{gossiped:?}");
    let precommit = Timer::Precommit {
        height: H,
        round: 0,
    };
    t.on_timeout(precommit, 10_000);
    assert!(
        round0.iter().all(|v| t.gossip().1.contains(v)),
        "round 0 is the previous"
    );
    for voter in [0, 1] {
        t.on_vote(vote(3, VoteKind::Prevote, None, voter), 10_000);
    }
    assert_eq!(t.round(), 3);
    let (_, gossiped) = t.gossip();
    assert!(!gossiped.iter().any(|v| v.round == 0), "{gossiped:?}");
    assert!(gossiped.contains(&vote(3, VoteKind::Prevote, None, 1)));
}

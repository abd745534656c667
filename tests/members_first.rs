//! Members first (issue 25), with real processes: a live federation whose members are crowded by outsiders.
//!
//! - 150 well-behaved outsider identities connected to every member (more than its 128 connection slots) and 32
//!   more rotating identities: a member restarted meanwhile gets back in (its peers evict an outsider for it),
//!   proves itself, and the chain goes on.
//! - 32 outsider identities flooding every member with approval questions: every question is refused at once by
//!   the network (none reaches the engine, none costs a BLS verification or a disk write), and the federation
//!   produces at least 90 % of its undisturbed rate, measured in blocks per slot over windows of the same length.
//!
//! The federations of this file run one at a time (a lock), so the rates compare windows of one federation on
//! an otherwise equal machine. Every wait is on a condition; none is timed.

mod common;

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use common::crowd::{Crowd, genesis_status, junk_proposal, load_spec};
use common::federation::{self, Federation, metric};
use common::{NodeProc, wait_until};
use ecsync::components::ChainSpec;
use libp2p::Multiaddr;

/// One federation at a time in this binary.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Outsiders connected to every member.
const CROWD: usize = 150;
/// Outsiders rotating identities, and outsiders flooding questions.
const ROTATING: usize = 32;
/// Slots in each window the production rate is measured over.
const WINDOW_SLOTS: u64 = 25;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn addrs(f: &Federation) -> Vec<Multiaddr> {
    f.members
        .iter()
        .flatten()
        .map(|m| m.addr.parse().unwrap())
        .collect()
}

fn peers_connected(node: &NodeProc) -> u64 {
    node.status()["peers_connected"].as_u64().unwrap_or(0)
}

#[test]
fn a_member_restarted_among_150_outsiders_rejoins_and_the_chain_goes_on() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut f = federation::start(dir.path());
    federation::wait_all_at(&f, "the federation produces", 2);
    let spec = load_spec(&f.spec);
    let crowd = Crowd::new();
    let status = genesis_status(&spec);
    crowd.join(&addrs(&f), &status, CROWD);
    crowd.rotate(&addrs(&f), &status, ROTATING);
    wait_until(
        "every member's slots full of outsiders",
        || {
            let full = |m: &NodeProc| peers_connected(m) >= 120;
            f.members.iter().flatten().all(full).then_some(())
        },
        || {
            format!(
                "{:?}",
                f.members
                    .iter()
                    .flatten()
                    .map(peers_connected)
                    .collect::<Vec<_>>()
            )
        },
    );
    f.members[3].take().expect("member 3").terminate();
    let before = f.heights().into_iter().max().unwrap();
    f.start_member(3, &[]);
    wait_until(
        "the restarted member proves itself to the others and they to it",
        || (metric(f.member(3), "ecsync_federation_peers_connected", "") >= 3).then_some(()),
        || f.describe(),
    );
    federation::wait_all_at(&f, "the chain goes on with member 3", before + 6);
    // The others were still full of outsiders: member 3 got in by eviction, not because they left.
    let crowded: Vec<u64> = (0..3).map(|i| peers_connected(f.member(i))).collect();
    assert!(
        crowded.iter().all(|&n| n >= 100),
        "the outsiders left before the end: {crowded:?}"
    );
    assert!(
        (0..3).all(|i| metric(f.member(i), "ecsync_peers_evicted_total", "") > 0),
        "no member evicted anyone"
    );
}

/// Blocks the federation adds per slot from now over [`WINDOW_SLOTS`] slots, as the follower sees them.
fn blocks_per_slot(f: &Federation, spec: &ChainSpec) -> f64 {
    let slot = spec.slot_at(now_ms());
    let start_height = f.follower.height();
    let end_slot = slot + WINDOW_SLOTS;
    wait_until(
        "the window's last slot",
        || (spec.slot_at(now_ms()) > end_slot).then_some(()),
        || f.describe(),
    );
    (f.follower.height() - start_height) as f64 / WINDOW_SLOTS as f64
}

#[test]
fn thirty_two_outsiders_flooding_approval_questions_do_not_slow_the_federation() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let f = federation::start(dir.path());
    federation::wait_all_at(&f, "the federation produces", 2);
    let spec = load_spec(&f.spec);
    let undisturbed = blocks_per_slot(&f, &spec);
    let crowd = Crowd::new();
    crowd.flood(
        &addrs(&f),
        &genesis_status(&spec),
        ROTATING,
        &junk_proposal(&spec),
    );
    wait_until(
        "every member refuses outsiders' questions",
        || {
            let refusing =
                |m: &NodeProc| metric(m, "ecsync_approval_asks_from_outsiders_total", "") >= 100;
            f.members.iter().flatten().all(refusing).then_some(())
        },
        || f.describe(),
    );
    let flooded = blocks_per_slot(&f, &spec);
    let counts = &crowd.flood;
    let asked = counts.asked.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "undisturbed {undisturbed:.2} blocks/slot, flooded {flooded:.2}; {asked} questions asked"
    );
    assert_eq!(
        counts.approved.load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    assert!(asked > 0);
    for m in f.members.iter().flatten() {
        assert_eq!(
            metric(m, "ecsync_approvals_refused_total", "not_a_member"),
            0,
            "an outsider's question reached the engine"
        );
    }
    assert!(
        flooded >= 0.9 * undisturbed,
        "flooded {flooded:.2} blocks/slot, undisturbed {undisturbed:.2}"
    );
}

//! Members first (issue 25), with real processes: a live federation whose members are crowded by outsiders.
//!
//! - 150 well-behaved outsider identities connected to every member (more than its 128 connection slots) and 32
//!   more rotating identities: a member restarted meanwhile gets back in (its peers evict an outsider for it),
//!   proves itself, and the chain goes on.
//!
//! (Outsiders' proposals and votes are refused on the swarm task, never reaching the engine:
//! src/network/tests/consensus.rs.) Every wait is on a condition; none is timed.

mod common;

use common::crowd::{Crowd, genesis_status, load_spec};
use common::federation::{self, Federation, metric};
use common::{NodeProc, wait_until};
use libp2p::Multiaddr;

/// Outsiders connected to every member.
const CROWD: usize = 150;
/// Outsiders rotating identities.
const ROTATING: usize = 32;

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

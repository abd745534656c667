//! The production gate at its threshold on real nodes (≥ 99.5 % synced and ≤ 10 blocks behind): a node whose
//! store holds a prefix of a chain, started paused beside a serving node of the whole chain, learns the proven
//! target from that node's status and stays exactly that far behind (paused, it imports nothing; the server's
//! own status polls keep it responsive). Nothing depends on speed: every read waits for the proven target first.
//!
//! - 1,000-block chain: 5 behind is 99.5 % (open), 6 behind is 99.4 % (closed), both within 10 blocks;
//! - 3,000-block chain: 10 behind is 99.67 % (open), 11 behind is 99.63 % (closed by the distance alone).

mod common;

use std::path::Path;

use common::{NodeProc, copy_chain, wait_until};

/// The status of a node holding the first `held` blocks of the chain of `seed`, paused beside `server`, once
/// it knows the proven target `total`.
fn gate_at(dir: &Path, seed: u64, total: u64, held: u64, server: &NodeProc) -> serde_json::Value {
    // Block h of a generated chain depends only on the seed and h: the shorter chain is a prefix.
    copy_chain(&common::template(seed, held), dir);
    let node = NodeProc::start(&[
        "--data",
        dir.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
        "--start-paused",
        "--peer",
        &server.addr,
    ]);
    let status = wait_until(
        &format!("the proven target {total} at height {held}"),
        || {
            let s = node.status();
            (s["target_height"].as_u64() == Some(total)).then_some(s)
        },
        || node.status().to_string(),
    );
    assert_eq!(status["current_height"].as_u64(), Some(held), "{status}");
    assert_eq!(status["state"], "CatchingUp", "{status}");
    status
}

fn server(dir: &Path, seed: u64, total: u64) -> NodeProc {
    copy_chain(&common::template(seed, total), dir);
    NodeProc::start(&["--data", dir.to_str().unwrap()])
}

/// The gate of a node `total - open` behind is open, of one a block further behind closed.
fn threshold(seed: u64, total: u64, open: u64) {
    let t = tempfile::tempdir().unwrap();
    let s = server(&t.path().join("server"), seed, total);
    for (behind, expected) in [(open, true), (open + 1, false)] {
        let held = total - behind;
        let status = gate_at(&t.path().join(held.to_string()), seed, total, held, &s);
        assert_eq!(
            status["can_produce_blocks"], expected,
            "{held} of {total} ({behind} behind): {status}"
        );
    }
}

#[test]
fn the_gate_opens_at_99_5_percent_and_not_below() {
    // Both within 10 blocks: 99.5 % decides.
    threshold(41, 1_000, 5);
}

#[test]
fn the_gate_opens_at_10_behind_and_not_at_11() {
    // Both above 99.5 % (99.67 and 99.63): the distance decides.
    threshold(42, 3_000, 10);
}

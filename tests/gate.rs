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

#[test]
fn the_gate_opens_at_99_5_percent_and_not_below() {
    let t = tempfile::tempdir().unwrap();
    let s = server(&t.path().join("server"), 41, 1_000);
    let open = gate_at(&t.path().join("at995"), 41, 1_000, 995, &s);
    assert_eq!(open["can_produce_blocks"], true, "995 of 1,000: {open}");
    let closed = gate_at(&t.path().join("at994"), 41, 1_000, 994, &s);
    assert_eq!(
        closed["can_produce_blocks"], false,
        "994 of 1,000: {closed}"
    );
}

#[test]
fn the_gate_opens_at_10_behind_and_not_at_11() {
    let t = tempfile::tempdir().unwrap();
    let s = server(&t.path().join("server"), 42, 3_000);
    let open = gate_at(&t.path().join("at2990"), 42, 3_000, 2_990, &s);
    assert_eq!(open["can_produce_blocks"], true, "10 behind: {open}");
    let closed = gate_at(&t.path().join("at2989"), 42, 3_000, 2_989, &s);
    assert_eq!(
        closed["can_produce_blocks"], false,
        "11 behind (99.63 %): {closed}"
    );
}

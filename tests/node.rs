//! Real processes on loopback: serving nodes, a fresh node syncing from them, a serving node killed mid-sync, a
//! peer of another chain refused, the sequential strategy, SIGTERM and SIGKILL with restarts, a moving head
//! followed. Every wait has a generous deadline and watches a condition (an address line, a log line, a status
//! endpoint, a process exit); children are killed on every exit path.

mod common;

use std::path::{Path, PathBuf};

use common::{NodeProc, copy_chain, head_hash, head_json, verify, wait_until};

const BLOCKS: u64 = 3000;

fn template(seed: u64) -> PathBuf {
    common::template(seed, BLOCKS)
}

fn head_of(dir: &Path) -> String {
    head_hash(dir)
}

fn serve(dir: &Path, extra: &[&str]) -> NodeProc {
    let mut args = vec!["--data", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    NodeProc::start(&args)
}

fn fresh(dir: &Path, seed: u64, peers: &[&NodeProc], extra: &[&str]) -> NodeProc {
    let spec = template(seed).join("spec.json");
    let mut args: Vec<String> = vec![
        "--data".into(),
        dir.to_str().unwrap().into(),
        "--spec".into(),
        spec.to_str().unwrap().into(),
    ];
    for p in peers {
        args.push("--peer".into());
        args.push(p.addr.clone());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    NodeProc::start(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_fresh_node_syncs_from_four_serving_nodes() {
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..4)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template(1), &dir);
            serve(&dir, &["--latency-ms", &(5 * i).to_string()])
        })
        .collect();
    let dir = t.path().join("fresh");
    let mut node = fresh(
        &dir,
        1,
        &servers.iter().collect::<Vec<_>>(),
        &["--exit-when-synced"],
    );
    node.expect_success();
    assert_eq!(head_of(&dir), head_of(&template(1)));
    assert_eq!(verify(&dir), BLOCKS);
}

#[test]
fn a_serving_node_killed_mid_sync_does_not_stop_the_sync() {
    let t = tempfile::tempdir().unwrap();
    let mut servers: Vec<NodeProc> = (0..3)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template(1), &dir);
            // Slow links, so that the sync takes a while.
            serve(
                &dir,
                &["--serve-bandwidth", "150kB/s", "--latency-ms", "20"],
            )
        })
        .collect();
    let dir = t.path().join("fresh");
    let mut node = fresh(
        &dir,
        1,
        &servers.iter().collect::<Vec<_>>(),
        &["--exit-when-synced"],
    );
    node.wait_progress("showing progress", |h| h > 0 && h < BLOCKS);
    let mut victim = servers.remove(0);
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    node.expect_success();
    assert_eq!(head_of(&dir), head_of(&template(1)));
    assert_eq!(verify(&dir), BLOCKS);
}

#[test]
fn a_peer_of_another_chain_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    copy_chain(&template(1), &a);
    let server = serve(&a, &[]);
    let b = t.path().join("b");
    copy_chain(&template(2), &b);
    let mut other = serve(&b, &["--peer", &server.addr]);
    let line = other.wait_log("refusing the other chain", |l| {
        l.contains("refus") && l.contains("chain")
    });
    assert!(line.contains("genesis"), "{line}");
    // It never counts as a peer: a progress line logged after the refusal (the first one comes before any dial,
    // so it would prove nothing) still counts none.
    let refused_at = other.drain_log().len();
    let progress = wait_until(
        "a progress line after the refusal",
        || {
            let log = other.drain_log();
            log[refused_at..]
                .iter()
                .find(|l| l.contains("sync: height"))
                .cloned()
        },
        || "no progress line".to_string(),
    );
    assert!(progress.contains(" 0 peers"), "{progress}");
}

#[test]
fn the_sequential_strategy_also_reaches_the_head() {
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..2)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template(1), &dir);
            serve(&dir, &[])
        })
        .collect();
    let dir = t.path().join("fresh");
    let mut node = fresh(
        &dir,
        1,
        &servers.iter().collect::<Vec<_>>(),
        &["--exit-when-synced", "--strategy", "sequential"],
    );
    node.expect_success();
    assert_eq!(head_of(&dir), head_of(&template(1)));
    assert_eq!(verify(&dir), BLOCKS);
}

#[test]
fn sigterm_stops_cleanly_with_a_durable_checkpoint_and_the_peer_id_survives() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_chain(&template(1), &s);
    let server = serve(&s, &["--serve-bandwidth", "300kB/s"]);
    let dir = t.path().join("fresh");
    let mut node = fresh(&dir, 1, &[&server], &[]);
    let first_addr = node.addr.clone();
    node.wait_progress("some progress", |h| h > 0);
    node.terminate();
    let head = head_json(&dir);
    assert!(head["height"].as_u64().unwrap() > 0);
    assert_eq!(
        head["checkpoint"], head["height"],
        "the final checkpoint is at the head: {head}"
    );
    drop(node);
    // Restart: same identity, resumes from the head and finishes.
    let mut again = fresh(&dir, 1, &[&server], &["--exit-when-synced"]);
    let id = |a: &str| a.rsplit("/p2p/").next().unwrap().to_string();
    assert_eq!(id(&again.addr), id(&first_addr));
    assert!(again.wait_exit().success());
    assert_eq!(head_of(&dir), head_of(&template(1)));
}

/// Serving nodes extend their chain every `EXTEND_MS` and announce each new head to their peers at once; a
/// follower that reached Synced catches up, `FOLLOW_ROUNDS` times over, with a head the servers reached after
/// it did (how far behind it runs meanwhile depends on the machine, and is not asserted).
const EXTEND_MS: u64 = 200;
const FOLLOW_ROUNDS: usize = 3;

#[test]
fn a_moving_head_is_followed_and_extended_blocks_are_valid() {
    let t = tempfile::tempdir().unwrap();
    let every = EXTEND_MS.to_string();
    let servers: Vec<NodeProc> = (0..2)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template(1), &dir);
            serve(
                &dir,
                &["--extend-every-ms", &every, "--http", "127.0.0.1:0"],
            )
        })
        .collect();
    let served_head = || servers.iter().map(NodeProc::height).max().unwrap();
    // The head is already moving when the follower starts: however fast this machine syncs 3,000 blocks, it
    // cannot finish before the extension shows.
    wait_until(
        "the servers extend past the generated chain",
        || (servers.iter().map(NodeProc::height).min().unwrap() > BLOCKS + 1).then_some(()),
        || format!("served head {}", served_head()),
    );
    let dir = t.path().join("fresh");
    let mut node = fresh(
        &dir,
        1,
        &servers.iter().collect::<Vec<_>>(),
        &["--http", "127.0.0.1:0"],
    );
    wait_until(
        "the follower reaches Synced",
        || (node.status()["state"] == "Synced").then_some(()),
        || format!("follower {}, served {}", node.status(), served_head()),
    );
    let caught_up_at = node.height();
    assert!(caught_up_at > BLOCKS + 1);
    // Follow: each round, the servers move past the follower, and the follower reaches where they were then.
    for round in 0..FOLLOW_ROUNDS {
        let at = node.height();
        let target = wait_until(
            &format!("round {round}: the servers move past {at}"),
            || Some(served_head()).filter(|h| *h > at),
            || format!("served head {}", served_head()),
        );
        wait_until(
            &format!("round {round}: the follower reaches {target}"),
            || (node.height() >= target).then_some(()),
            || format!("follower at {}, served {}", node.height(), served_head()),
        );
    }
    let final_height = node.height();
    assert!(
        final_height > caught_up_at,
        "the follower did not move: {final_height}"
    );
    // SIGTERM: a clean stop with a durable checkpoint of what it followed.
    node.terminate();
    let head = head_json(&dir)["height"].as_u64().unwrap();
    assert!(
        head >= final_height && head > BLOCKS,
        "{head} < {final_height}"
    );
    // Every block it took, the extended ones included, is valid (signatures and links from genesis).
    assert_eq!(verify(&dir), head);
}

#[test]
fn a_node_killed_mid_sync_resumes_from_its_store_and_finishes() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_chain(&template(1), &s);
    let server = serve(&s, &["--serve-bandwidth", "300kB/s"]);
    let dir = t.path().join("fresh");
    let mut node = fresh(&dir, 1, &[&server], &[]);
    node.wait_progress("some progress", |h| h > 0);
    // SIGKILL: no shutdown path runs.
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    drop(node);
    let after_crash = head_json(&dir);
    let height = after_crash["height"].as_u64().unwrap();
    assert!(height < BLOCKS, "{after_crash}");
    // What survived is a valid prefix of the chain.
    assert_eq!(verify(&dir), height);
    let mut again = fresh(&dir, 1, &[&server], &["--exit-when-synced"]);
    assert!(again.wait_exit().success(), "log: {:?}", again.drain_log());
    assert_eq!(head_of(&dir), head_of(&template(1)));
    assert_eq!(verify(&dir), BLOCKS);
}

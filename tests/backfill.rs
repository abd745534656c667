//! The backfill with real processes on loopback: a node checkpoint-synced from serving nodes fetches the history
//! below its trusted block in the background, down to genesis, and `chain verify` then passes from genesis; it
//! serves what it holds (a fresh node syncs from it alone); a server whose history does not link, carries a
//! tampered payload or approvals other than the chain's is rejected and banned and the backfill completes from an
//! honest one; a peer that claims the whole
//! history and serves none of it is discredited and stalls nothing; a node killed (SIGKILL) mid-backfill keeps
//! what was durable and resumes. Hostile servers are `ecsync-hostile --misbehave KIND --misbehave-below AT`:
//! honest from the trusted block up (so the checkpoint's block comes from them), hostile below.

mod common;

use std::path::{Path, PathBuf};

use common::{NodeProc, copy_chain, head_json, request, verify, wait_until};

const BLOCKS: u64 = 3000;
/// The trusted block: the forward sync runs above it while the backfill runs below.
const AT: u64 = 2000;
const SEED: u64 = 41;

/// The template chain and the checkpoint `at:HASH` of its block `at`.
fn chain(at: u64) -> (PathBuf, String) {
    let template = common::template(SEED, BLOCKS);
    let trusted = common::with_store_lock(|| {
        let (_, store) = ecsync::store::chain_dir::open_chain_dir(&template).unwrap();
        use ecsync::components::ChainStore;
        store.block(at).unwrap().unwrap().hash().to_hex()
    });
    (template, format!("{at}:{trusted}"))
}

/// A serving node on a copy of the chain in `dir`, with `extra` flags.
fn server(template: &Path, dir: &Path, extra: &[&str]) -> NodeProc {
    copy_chain(template, dir);
    let mut args = vec!["--data", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    NodeProc::start(&args)
}

/// A node on `dir` (fresh or restarted) started from `checkpoint` (`HEIGHT:HASH`), dialing `peers`, with HTTP.
fn checkpointed(template: &Path, dir: &Path, checkpoint: &str, peers: &[&str]) -> NodeProc {
    NodeProc::syncing(template, dir, peers, &["--checkpoint", checkpoint])
}

/// A metric's value on `node`'s /metrics (0 when absent).
fn metric(node: &NodeProc, name: &str) -> u64 {
    let (_, body) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

/// Waits until `node` holds its whole chain and is synced at the head.
fn wait_backfilled(node: &NodeProc) {
    wait_until(
        "backfilled to genesis and synced",
        || {
            let s = node.status();
            (s["lowest_height"] == 0
                && s["backfill"]["state"] == "complete"
                && s["state"] == "Synced"
                && s["current_height"] == BLOCKS)
                .then_some(())
        },
        || format!("{}", node.status()),
    );
}

/// After the node stopped: the store holds the whole chain and verifies from genesis.
fn assert_whole_chain(dir: &Path) {
    let head = head_json(dir);
    assert_eq!(
        (head["lowest"].as_u64(), head["anchor"].as_u64()),
        (Some(0), Some(0)),
        "{head}"
    );
    assert_eq!(head["height"], BLOCKS, "{head}");
    assert_eq!(verify(dir), BLOCKS, "verified from genesis");
}

#[test]
fn a_checkpoint_synced_node_backfills_to_genesis_verifies_and_serves_its_history() {
    let (template, trusted) = chain(AT);
    let template = template.as_path();
    let t = tempfile::tempdir().unwrap();
    let a = server(template, &t.path().join("a"), &[]);
    let b = server(template, &t.path().join("b"), &[]);
    let dir = t.path().join("node");
    let mut node = checkpointed(template, &dir, &trusted, &[&a.addr, &b.addr]);
    let s = node.status();
    assert!(
        s["lowest_height"].as_u64().unwrap() >= 1,
        "a checkpoint sync starts above genesis: {s}"
    );
    wait_backfilled(&node);
    let s = node.status();
    assert_eq!(s["backfill"]["blocks"], AT - 1, "{s}");
    assert_eq!(s["backfill"]["durable_height"], 0, "{s}");
    assert_eq!(metric(&node, "ecsync_backfill_lowest_height"), 0);
    assert_eq!(metric(&node, "ecsync_backfill_blocks_total"), AT - 1);
    let dump = common::get_json(node.http.as_deref().unwrap(), "/debug/world");
    assert_eq!(
        dump["resources"]["Backfill"]["state"], "complete",
        "{}",
        dump["resources"]
    );
    node.wait_log("the completion line", |l| l.contains("backfill complete"));

    // It serves what it holds: a fresh node syncs the whole chain from it alone.
    drop((a, b));
    let spec = template.join("spec.json");
    let fresh = t.path().join("fresh");
    let mut from_it = NodeProc::start(&[
        "--data",
        fresh.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--peer",
        &node.addr,
        "--exit-when-synced",
    ]);
    from_it.expect_success();
    assert_eq!(verify(&fresh), BLOCKS);
    // What it served went through its block cache (read from the store once, then held), as /metrics shows.
    let served = || {
        let blocks = metric(&node, "ecsync_block_cache_blocks");
        let misses = metric(&node, "ecsync_block_cache_misses_total");
        (blocks > 0 && misses > 0).then_some(())
    };
    wait_until("the block cache's metrics", served, || {
        let (_, body) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
        body.lines()
            .filter(|l| l.contains("block_cache"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    node.terminate();
    assert_whole_chain(&dir);
}

#[test]
fn a_cheating_history_server_is_banned_and_the_backfill_completes_from_an_honest_one() {
    let (template, trusted) = chain(AT);
    let template = template.as_path();
    let below = AT.to_string();
    // A link, a payload, and approvals the hash does not cover (another block's signature, another round): the
    // block above commits to its parent's approval, so each is caught without a signature check.
    for kind in ["broken-link", "bad-payload", "bad-signature", "wrong-round"] {
        let t = tempfile::tempdir().unwrap();
        let hostile = server(
            template,
            &t.path().join("hostile"),
            &["--misbehave", kind, "--misbehave-below", &below],
        );
        let dir = t.path().join("node");
        let node = checkpointed(template, &dir, &trusted, &[&hostile.addr]);
        wait_until(
            "the cheating server rejected and banned",
            || {
                (metric(&node, "ecsync_backfill_rejected_total") >= 1
                    && metric(&node, "ecsync_peer_bans_total") >= 1)
                    .then_some(())
            },
            || format!("{kind}: {}", node.status()),
        );
        assert_eq!(
            node.status()["lowest_height"],
            AT,
            "{kind}: nothing of it written"
        );
        // An honest server dials the node; the backfill completes from it.
        let honest = server(template, &t.path().join("honest"), &["--peer", &node.addr]);
        wait_backfilled(&node);
        let mut node = node;
        node.terminate();
        drop((hostile, honest));
        assert_whole_chain(&dir);
    }
}

#[test]
fn a_peer_claiming_history_it_withholds_is_discredited_and_stalls_nothing() {
    let (template, trusted) = chain(AT);
    let template = template.as_path();
    let t = tempfile::tempdir().unwrap();
    let below = AT.to_string();
    let withholder = server(
        template,
        &t.path().join("withholder"),
        &["--misbehave", "withhold", "--misbehave-below", &below],
    );
    let dir = t.path().join("node");
    let mut node = checkpointed(template, &dir, &trusted, &[&withholder.addr]);
    // It claims the whole history (its status says lowest 0), is asked, serves nothing: its claim is
    // discredited and it is sent away (an empty answer for a claimed height costs it 10; it may come back).
    wait_until(
        "the withholder sent away",
        || (metric(&node, "ecsync_peer_kicks_total") >= 1).then_some(()),
        || format!("{}", node.status()),
    );
    assert_eq!(node.status()["lowest_height"], AT);
    let honest = server(template, &t.path().join("honest"), &["--peer", &node.addr]);
    wait_backfilled(&node);
    assert_eq!(
        metric(&node, "ecsync_peer_bans_total"),
        0,
        "withholding is no ban"
    );
    node.terminate();
    drop((withholder, honest));
    assert_whole_chain(&dir);
}

#[test]
fn a_node_killed_mid_backfill_keeps_what_was_durable_and_resumes() {
    // Three batches of history below the trusted block, one throttled server (~85 blocks/s): it takes two at a
    // time, so the third is still on its way, seconds later, when the first two are written.
    const HIGH: u64 = 2_900;
    let (template, trusted) = chain(HIGH);
    let template = template.as_path();
    let t = tempfile::tempdir().unwrap();
    let a = server(
        template,
        &t.path().join("a"),
        &["--serve-bandwidth", "60kB/s"],
    );
    let dir = t.path().join("node");
    let mut node = checkpointed(template, &dir, &trusted, &[&a.addr]);
    let durable = wait_until(
        "some history written durably",
        || {
            let s = node.status();
            let durable = s["backfill"]["durable_height"].as_u64()?;
            (durable < HIGH && durable > 0).then_some(durable)
        },
        || format!("{}", node.status()),
    );
    node.child.kill().unwrap();
    node.child.wait().unwrap();
    drop(node);
    let head = head_json(&dir);
    let lowest = head["lowest"].as_u64().unwrap();
    assert!(
        lowest <= durable,
        "the durable history survived: lowest {lowest}, durable {durable}"
    );
    assert!(lowest > 0, "not complete yet: {head}");
    assert_eq!(head["anchor"], lowest, "{head}");
    // Restarted with the same flags: it resumes from there, down to genesis.
    let mut again = checkpointed(template, &dir, &trusted, &[&a.addr]);
    let first = again.status();
    assert!(
        first["lowest_height"].as_u64().unwrap() <= lowest,
        "resumed from the store's lowest block: {first}"
    );
    wait_backfilled(&again);
    again.terminate();
    drop(a);
    assert_whole_chain(&dir);
}

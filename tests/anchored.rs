//! Anchored validation (the default: one quorum aggregate per downloaded range, its top's) against servers that
//! cheat, real processes. For each way a server could cheat, one honest serving node, one `ecsync-hostile`
//! serving node cheating so, and a fresh `ecsync node` syncing from both on loopback. The fresh node must reject
//! the cheater's ranges for the rule the cheat breaks (the line that bans it names it), count the rejected
//! blocks and the ban in /metrics, never send the honest server away, reach the honest head Synced, and its
//! store must be the honest chain (`chain verify` passes on it). The honest server is throttled so that the
//! cheater is asked for blocks several times. docs/VERIFIER.md ("Anchored validation") lists these tests.

mod common;

use std::path::{Path, PathBuf};

use common::{NodeProc, copy_chain, head_hash, request, verify, wait_until};

const BLOCKS: u64 = 3000;

/// The rule a bad aggregate signature breaks.
const NOT_VERIFIED: &str = "aggregate signature does not verify";

fn template() -> PathBuf {
    common::template(11, BLOCKS)
}

/// The template's head hash, read once (tests run in parallel, and a store is opened by one process at a time).
fn honest_head() -> &'static str {
    static HEAD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HEAD.get_or_init(|| head_hash(&template()))
}

fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

/// Blocks rejected and peers banned, from the node's /metrics.
fn rejected_and_bans(node: &NodeProc) -> (u64, u64) {
    let (status, body) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    assert_eq!(status, 200);
    (
        counter(&body, "ecsync_blocks_rejected_total"),
        counter(&body, "ecsync_peer_bans_total"),
    )
}

fn serve(dir: &Path, extra: &[&str]) -> NodeProc {
    let mut args = vec!["--data", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    NodeProc::start(&args)
}

/// A node's libp2p peer id, from its address.
fn id_of(p: &NodeProc) -> String {
    p.addr.rsplit("/p2p/").next().unwrap().to_string()
}

/// The log lines in which a node disconnects or sends away peer `id`.
fn sent_away_lines(log: &[String], id: &str) -> Vec<String> {
    log.iter()
        .filter(|l| (l.contains("disconnecting") || l.contains("sending away")) && l.contains(id))
        .cloned()
        .collect()
}

/// A fresh node in `dir`, from genesis, syncing from `servers`, with `--verify MODE` if given and patient deadlines
/// (`common::patient_config`: the honest server must never be sent away); once it said which mode it verifies in.
fn start_fresh(dir: &Path, servers: &[&NodeProc], verify_mode: Option<&str>) -> NodeProc {
    let peers: Vec<&str> = servers.iter().map(|s| s.addr.as_str()).collect();
    let config = common::patient_config(dir);
    let mut extra = vec!["--config", config.to_str().unwrap()];
    if let Some(mode) = verify_mode {
        extra.extend(["--verify", mode]);
    }
    let mut node = NodeProc::syncing(&template(), dir, &peers, &extra);
    let mode = verify_mode.unwrap_or("anchored");
    node.wait_log("naming the verify mode", |l| {
        l.contains(&format!("verify {mode}:"))
    });
    node
}

/// A fresh node syncing from the honest server and a server cheating as `kind`, verifying as `verify` (None:
/// the default); the cheater must be banned with a reason naming one of `rules`. See the module docs.
///
/// A block the cheat breaks below the top of its answer is a top itself when a validation job (or the buffer's
/// cap) happens to end right at it: then its own signature is verified, and that is what fails first. So the
/// kinds that break a block in the middle accept "does not verify" too; whichever rule, the range is rejected.
fn cheater(kind: &str, verify_mode: Option<&str>, rules: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let honest_dir = t.path().join("honest");
    copy_chain(&template(), &honest_dir);
    let honest = serve(&honest_dir, &["--serve-bandwidth", "400kB/s"]);
    let hostile_dir = t.path().join("hostile");
    copy_chain(&template(), &hostile_dir);
    let hostile = serve(&hostile_dir, &["--misbehave", kind]);

    let dir = t.path().join("fresh");
    let mut node = start_fresh(&dir, &[&hostile, &honest], verify_mode);
    let mode = verify_mode.unwrap_or("anchored");
    let (hostile_id, honest_id) = (id_of(&hostile), id_of(&honest));
    let last = std::cell::RefCell::new(String::new());
    let banned_for = wait_until(
        &format!("{kind} ({mode}): synced to the honest head, the cheater banned for {rules:?}"),
        || {
            let s = node.status();
            let synced = s["state"] == "Synced" && s["current_height"].as_u64() == Some(BLOCKS);
            let log = node.drain_log();
            let away = sent_away_lines(&log, &hostile_id);
            *last.borrow_mut() = format!("status {s}, sent away {away:?}");
            let line = away
                .into_iter()
                .find(|l| rules.iter().any(|rule| l.contains(rule)));
            synced.then_some(line).flatten()
        },
        || last.borrow().clone(),
    );
    assert!(
        banned_for.contains("invalid data: block "),
        "{kind}: {banned_for}"
    );
    eprintln!("{kind} ({mode}): {banned_for}");
    let log = node.drain_log();
    let honest_away = sent_away_lines(&log, &honest_id);
    assert!(
        honest_away.is_empty(),
        "{kind}: the honest server was sent away: {honest_away:?}"
    );
    // The counters follow the log lines (the engine's metrics update at its next tick).
    wait_until(
        &format!("{kind}: /metrics counts the rejected blocks and the ban"),
        || {
            let (rejected, bans) = rejected_and_bans(&node);
            (rejected >= 1 && bans >= 1).then_some(())
        },
        || format!("{:?}", rejected_and_bans(&node)),
    );
    node.terminate();
    assert_eq!(head_hash(&dir), honest_head(), "{kind}");
    assert_eq!(verify(&dir), BLOCKS, "{kind}");
}

/// A block below the top served with another block's approval: the approval its child commits to tells.
#[test]
fn swapped_approval() {
    cheater(
        "swapped-approval",
        None,
        &["is not the one its child commits to", NOT_VERIFIED],
    );
}

/// A payload that does not match its header's root, below the top.
#[test]
fn tampered_payload() {
    cheater("bad-payload", None, &["payload root does not match"]);
}

/// A header changed in the middle (its approval kept): the block above it does not link to it.
#[test]
fn changed_header() {
    cheater("changed-header", None, &["parent hash", NOT_VERIFIED]);
}

/// A block in the middle names a wrong parent (re-signed): it does not link to the block below it.
#[test]
fn broken_link() {
    cheater("broken-link", None, &["parent hash"]);
}

/// The top's approval is not a valid quorum aggregate of it: the one signature verified fails.
#[test]
fn forged_top() {
    cheater("forged-top", None, &[NOT_VERIFIED]);
}

/// The blocks from a tampered middle up to the top relinked: every link holds but the one into the valid top.
#[test]
fn valid_top_over_a_tampered_middle() {
    cheater("tampered-middle", None, &["parent hash", NOT_VERIFIED]);
}

/// `--verify full` rejects the same cheat: there the tampered middle's own signature fails first.
#[test]
fn full_verification_rejects_a_tampered_middle_too() {
    cheater("tampered-middle", Some("full"), &[NOT_VERIFIED]);
}

/// A bad `--verify` value is one clear line naming the flag, and the node does not start.
#[test]
fn a_bad_verify_value_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let out = common::output_within(
        std::process::Command::new(common::exe())
            .args(["node", "--verify", "some", "--data"])
            .arg(t.path()),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = common::text(&out.stderr);
    assert!(
        err.contains("--verify") && err.contains("'some'") && err.lines().count() == 1,
        "{err}"
    );
}

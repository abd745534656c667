//! Hostile peers, real processes: for every `--misbehave` kind, one honest serving node, one hostile serving node
//! of that kind and a fresh node syncing from both, on loopback. The fresh node must reach the honest head with
//! the honest chain, open its production gate and keep it open, and the hostile peer must end banned or
//! disconnected, as /metrics shows. The honest server is throttled so that the sync lasts long enough for the
//! hostile one to be asked for blocks several times. `mixed_crowd` puts six hostile kinds beside the honest
//! server at once. Every wait watches a condition with a generous deadline. The hostile servers are
//! `ecsync-hostile node` processes (`common::NodeProc` starts that binary for `--misbehave`; the `ecsync` we
//! ship has no such flag); the honest server and the fresh node are `ecsync node`.

mod common;

use std::path::{Path, PathBuf};

use common::{NodeProc, copy_chain, head_hash, request, verify, wait_until};

const BLOCKS: u64 = 3000;
/// Fork: the fresh node starts with the first `PREFIX` blocks, above the fork's first height (BLOCKS − 1000).
const PREFIX: u64 = 2500;

fn template() -> PathBuf {
    common::template(7, BLOCKS)
}

/// The template's head hash, read once (tests run in parallel, and a store is opened by one process at a time).
fn honest_head() -> &'static str {
    static HEAD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HEAD.get_or_init(|| head_hash(&template()))
}

/// Counters from /metrics: peers banned, disconnected for their reputation, disconnected for giving no status in
/// time; chain conflicts.
#[derive(Debug, Default, Clone, Copy)]
struct Sent {
    bans: u64,
    kicks: u64,
    no_status: u64,
    conflicts: u64,
}

fn counter(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

fn sent_away(node: &NodeProc) -> Sent {
    let (status, body) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    assert_eq!(status, 200);
    Sent {
        bans: counter(&body, "ecsync_peer_bans_total"),
        kicks: counter(&body, "ecsync_peer_kicks_total"),
        no_status: counter(&body, "ecsync_peers_no_status_total"),
        conflicts: counter(&body, "ecsync_chain_conflicts_total"),
    }
}

fn serve(dir: &Path, extra: &[&str]) -> NodeProc {
    let mut args = vec!["--data", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    NodeProc::start(&args)
}

/// Runs one hostile `kind` beside an honest server; returns what the fresh node's /metrics said at the end.
fn against(kind: &str, fresh_from: Option<&Path>) -> Sent {
    against_all(&[kind], fresh_from)
}

/// Runs one hostile server of each of `kinds` beside one honest server; returns what the fresh node's /metrics
/// said at the end, when it had sent away at least as many peers as there are hostile ones.
fn against_all(kinds: &[&str], fresh_from: Option<&Path>) -> Sent {
    let kind = kinds.join("+");
    let t = tempfile::tempdir().unwrap();
    let honest_dir = t.path().join("honest");
    copy_chain(&template(), &honest_dir);
    let honest = serve(&honest_dir, &["--serve-bandwidth", "400kB/s"]);
    let hostiles: Vec<NodeProc> = kinds
        .iter()
        .map(|k| {
            let dir = t.path().join(format!("hostile-{k}"));
            copy_chain(&template(), &dir);
            serve(&dir, &["--misbehave", k])
        })
        .collect();
    let dir = t.path().join("fresh");
    let servers: Vec<&NodeProc> = hostiles.iter().chain([&honest]).collect();
    let mut node = start_fresh(&dir, fresh_from, &servers);

    // Sent away must be the hostile peers, each of them, and never the honest one (the counters alone would
    // also count a kicked honest server): read from the node's log lines about the peers it disconnects.
    let hostile_ids: Vec<String> = hostiles.iter().map(id_of).collect();
    wait_synced_and_sent_away(&mut node, &kind, &hostile_ids);
    let log = node.drain_log();
    let honest_away = sent_away_lines(&log, &id_of(&honest));
    assert!(
        honest_away.is_empty(),
        "{kind}: the honest server was sent away: {honest_away:?}"
    );
    // The counters follow the log lines (the engine's metrics update at its next tick).
    let done = wait_until(
        &format!("{kind}: the counters count every hostile peer sent away"),
        || {
            let sent = sent_away(&node);
            (sent.bans + sent.kicks + sent.no_status >= kinds.len() as u64).then_some(sent)
        },
        || format!("{:?}", sent_away(&node)),
    );
    assert_gate_stays_open(&node, &kind);
    node.terminate();
    assert_eq!(head_hash(&dir), honest_head(), "{kind}");
    assert_eq!(verify(&dir), BLOCKS, "{kind}");
    drop(hostiles);
    done
}

/// A fresh node in `dir` (from genesis, or from a copy of `fresh_from`) syncing from `servers`, with HTTP and
/// patient deadlines (`common::patient_config`).
fn start_fresh(dir: &Path, fresh_from: Option<&Path>, servers: &[&NodeProc]) -> NodeProc {
    let config = common::patient_config(dir);
    let mut args: Vec<String> = vec!["--data".into(), dir.to_str().unwrap().into()];
    args.extend(["--config".into(), config.to_str().unwrap().into()]);
    match fresh_from {
        Some(prefix) => copy_chain(prefix, dir),
        None => {
            let spec = template().join("spec.json");
            args.extend(["--spec".into(), spec.to_str().unwrap().into()]);
        }
    }
    for p in servers {
        args.extend(["--peer".into(), p.addr.clone()]);
    }
    args.extend(["--http".into(), "127.0.0.1:0".into()]);
    NodeProc::start(&args.iter().map(String::as_str).collect::<Vec<_>>())
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

/// Waits until `node` is synced to the honest head with its gate open and has sent away every peer of
/// `hostile_ids` (a log line each).
fn wait_synced_and_sent_away(node: &mut NodeProc, kind: &str, hostile_ids: &[String]) {
    let last = std::cell::RefCell::new(String::new());
    wait_until(
        &format!("{kind}: synced to the honest head, gate open, every hostile peer sent away"),
        || {
            let s = node.status();
            let sent = sent_away(node);
            let synced = s["state"] == "Synced"
                && s["current_height"].as_u64() == Some(BLOCKS)
                && s["can_produce_blocks"] == true;
            let log = node.drain_log();
            let away = hostile_ids
                .iter()
                .all(|id| !sent_away_lines(&log, id).is_empty());
            *last.borrow_mut() = format!("status {s}, metrics {sent:?}");
            (synced && away).then_some(())
        },
        || last.borrow().clone(),
    );
}

/// The gate stays open: no claim of a hostile peer closes it again (20 looks, 100 ms apart).
fn assert_gate_stays_open(node: &NodeProc, kind: &str) {
    for _ in 0..20 {
        let s = node.status();
        assert_eq!(
            (
                s["can_produce_blocks"].as_bool(),
                s["current_height"].as_u64()
            ),
            (Some(true), Some(BLOCKS)),
            "{kind}: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

macro_rules! hostile {
    ($($name:ident: $kind:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            against($kind, None);
        }
    )*};
}

hostile! {
    bad_signature: "bad-signature",
    wrong_round: "wrong-round",
    few_approvals: "few-approvals",
    broken_link: "broken-link",
    bad_payload: "bad-payload",
    out_of_range: "out-of-range",
    too_many: "too-many",
    oversized: "oversized",
    garbage: "garbage",
    height_lie: "height-lie",
    withhold: "withhold",
    slow_loris: "slow-loris",
    disconnect: "disconnect",
}

#[test]
fn fork() {
    let prefix = common::template(7, PREFIX);
    let sent = against("fork", Some(&prefix));
    assert!(sent.conflicts >= 1, "the conflict is counted: {sent:?}");
}

/// One honest peer among six hostile ones of different kinds at once: lies about the head, withholds, forges
/// signatures, sends garbage and too many blocks, never answers a status. The node still reaches the honest head
/// and keeps its gate open; the three that sent invalid data are banned.
#[test]
fn mixed_crowd() {
    let kinds = [
        "height-lie",
        "withhold",
        "bad-signature",
        "garbage",
        "too-many",
        "slow-loris",
    ];
    let sent = against_all(&kinds, None);
    assert!(
        sent.bans >= 3,
        "bad-signature, garbage and too-many banned: {sent:?}"
    );
}

//! Recovery with real processes on loopback: a syncing node killed with SIGKILL ten times at random moments keeps
//! every durable checkpoint and finishes with the source chain; every serving node frozen (SIGSTOP) and then
//! killed mid-sync, the sync waits in Discovering and completes when they return with a head that moved on; a
//! checkpoint sync downloads the blocks above its trusted block as the forward sync (the history below it is the
//! backfill's, tests/backfill.rs) and refuses a peer with another block there.
//!
//! The serving links are throttled (the sync is bounded by them, not by this machine's speed), and every wait
//! watches a condition with a generous deadline. The only fixed durations are the scenario's own: how long the
//! serving nodes stay away (10 s), and a random delay before each kill.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{NodeProc, copy_chain, get_json, head_hash, head_json, request, verify, wait_until};

/// Each serving node sends each peer at most this much (~780-byte blocks: ~75 blocks/s per link).
const THROTTLE: &str = "60kB/s";

fn start(dir: &Path, extra: &[&str]) -> NodeProc {
    let mut args = vec!["--data", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    NodeProc::start(&args)
}

/// A fresh (or restarted) node syncing from `peers`, with HTTP.
fn syncing(dir: &Path, template: &Path, peers: &[&str], extra: &[&str]) -> NodeProc {
    NodeProc::syncing(template, dir, peers, extra)
}

fn signal(node: &NodeProc, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &node.pid()])
        .status()
        .unwrap();
    assert!(ok.success(), "kill {sig}");
}

/// SIGKILL and reap.
fn kill9(mut node: NodeProc) {
    node.child.kill().unwrap();
    node.child.wait().unwrap();
}

/// The TCP port of a listen address `/ip4/127.0.0.1/tcp/PORT/p2p/ID`.
fn port_of(addr: &str) -> String {
    addr.split("/tcp/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// A small xorshift, seeded from the clock and printed, so a failing run's kill moments can be read back.
struct Moments(u64);

impl Moments {
    fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        eprintln!("kill moments seed: {seed}");
        Self(seed)
    }

    fn next_ms(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn ten_sigkills_never_lose_a_durable_checkpoint() {
    const BLOCKS: u64 = 8000;
    const KILLS: usize = 10;
    let template = common::template(31, BLOCKS);
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..2)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template, &dir);
            start(&dir, &["--serve-bandwidth", THROTTLE])
        })
        .collect();
    let peers: Vec<&str> = servers.iter().map(|s| s.addr.as_str()).collect();
    let dir = t.path().join("node");
    let mut moments = Moments::new();
    let mut durable = 0u64;
    for kill in 1..=KILLS {
        let node = syncing(&dir, &template, &peers, &[]);
        let restarted_at = node.status()["current_height"].as_u64().unwrap();
        assert!(
            restarted_at >= durable,
            "kill {kill}: restarted at {restarted_at}, below the durable {durable}"
        );
        // Wait for a checkpoint above the last kill's, then kill at a random moment up to 1.5 s later.
        let reported = wait_until(
            "a new durable checkpoint",
            || {
                let d = node.status()["durable_height"].as_u64().unwrap();
                (d > durable).then_some(d)
            },
            || format!("status {}", node.status()),
        );
        std::thread::sleep(Duration::from_millis(moments.next_ms(1500)));
        let before = node.status();
        let reported = reported.max(before["durable_height"].as_u64().unwrap());
        kill9(node);
        let after = head_json(&dir);
        let height = after["height"].as_u64().unwrap();
        assert!(
            height >= reported,
            "kill {kill}: the store is at {height} after the node reported {reported} durable"
        );
        assert!(
            height > durable,
            "kill {kill}: no durable progress since {durable}"
        );
        assert_eq!(
            after["checkpoint"].as_u64(),
            Some(height),
            "kill {kill}: the store rolled back to its last checkpoint: {after}"
        );
        assert!(
            height < BLOCKS,
            "kill {kill}: the sync finished before {KILLS} kills (height {height}); throttle harder"
        );
        eprintln!(
            "kill {kill}: durable {height} (reported {reported}, was importing at {})",
            before["current_height"]
        );
        durable = height;
    }
    let mut node = syncing(&dir, &template, &peers, &["--exit-when-synced"]);
    node.expect_success();
    assert_eq!(head_hash(&dir), head_hash(&template));
    assert_eq!(verify(&dir), BLOCKS);
}

/// The node's current height.
fn height(n: &NodeProc) -> u64 {
    n.status()["current_height"].as_u64().unwrap()
}

/// Two throttled servers of the `template` chain, in directories under `t`: (their directories, the servers).
fn two_throttled_servers(t: &Path, template: &Path) -> (Vec<PathBuf>, Vec<NodeProc>) {
    let dirs: Vec<_> = (0..2).map(|i| t.join(format!("s{i}"))).collect();
    for d in &dirs {
        copy_chain(template, d);
    }
    let servers: Vec<NodeProc> = dirs
        .iter()
        .map(|d| start(d, &["--serve-bandwidth", THROTTLE]))
        .collect();
    (dirs, servers)
}

/// Connected but unresponsive: every server frozen (SIGSTOP) until the node waits in Discovering (never Failed
/// nor Synced, keeping what it has, its gate closed); then thawed, the sync resumes.
fn assert_waits_in_discovering_while_every_server_is_frozen(
    node: &NodeProc,
    servers: &[NodeProc],
    blocks: u64,
) {
    // 1. Connected but unresponsive: both servers frozen until the node notices.
    for s in servers {
        signal(s, "-STOP");
    }
    // The node notices (its peers' statuses go stale, their requests time out) and waits in Discovering: it
    // neither believes itself synced nor counts a stall (never Failed), and it keeps what it has.
    let before = height(node);
    let mut seen: Vec<String> = Vec::new();
    let waiting = wait_until(
        "Discovering while every server is frozen",
        || {
            let s = node.status();
            let state = format!("{} {}", s["state"], s["reason"]);
            if seen.last() != Some(&state) {
                seen.push(state);
            }
            assert!(s["state"] != "Failed" && s["state"] != "Synced", "{s}");
            assert!(s["current_height"].as_u64().unwrap() >= before, "{s}");
            (s["state"] == "Discovering").then_some(s)
        },
        || format!("{}", node.status()),
    );
    eprintln!("states while every server was frozen: {seen:?}");
    assert_eq!(waiting["can_produce_blocks"], false, "{waiting}");
    for s in servers {
        signal(s, "-CONT");
    }
    let resumed_from = height(node);
    assert!(resumed_from < blocks, "synced before the partition");
    wait_until(
        "the sync resumes after the freeze",
        || (height(node) >= resumed_from + 300).then_some(()),
        || format!("{}", node.status()),
    );
}

/// Gone: every server killed; the node waits in Discovering for peers (and says so in /metrics), keeping what
/// it has, for `away`.
fn assert_waits_for_peers_while_every_server_is_gone(
    node: &NodeProc,
    servers: Vec<NodeProc>,
    away: Duration,
) {
    for s in servers {
        kill9(s);
    }
    let waiting = wait_until(
        "Discovering, waiting for peers",
        || {
            let s = node.status();
            (s["state"] == "Discovering" && s["reason"] == "no_peers").then_some(s)
        },
        || format!("{}", node.status()),
    );
    let (code, metrics) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    assert_eq!(code, 200);
    assert!(
        metrics.contains("ecsync_sync_waiting{reason=\"no_peers\"} 1"),
        "{metrics}"
    );
    let kept = waiting["current_height"].as_u64().unwrap();
    std::thread::sleep(away);
    let s = node.status();
    assert_eq!(s["state"], "Discovering", "{s}");
    assert!(s["current_height"].as_u64().unwrap() >= kept);
}

#[test]
fn every_serving_node_away_for_ten_seconds_then_back_with_a_new_head() {
    const BLOCKS: u64 = 4000;
    const AWAY: Duration = Duration::from_secs(10);
    let template = common::template(32, BLOCKS);
    let t = tempfile::tempdir().unwrap();
    let (dirs, servers) = two_throttled_servers(t.path(), &template);
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
    let peers: Vec<&str> = addrs.iter().map(String::as_str).collect();
    let dir = t.path().join("node");
    let mut node = syncing(&dir, &template, &peers, &[]);
    wait_until(
        "some progress",
        || (height(&node) >= 500).then_some(()),
        || format!("{}", node.status()),
    );

    assert_waits_in_discovering_while_every_server_is_frozen(&node, &servers, BLOCKS);

    // 2. Gone: both servers killed; the node waits in Discovering for peers, keeping what it has.
    let ports: Vec<String> = addrs.iter().map(|a| port_of(a)).collect();
    assert_waits_for_peers_while_every_server_is_gone(&node, servers, AWAY);

    // 3. Back, on the same addresses and identities, extending their chain: the sync completes at a head that
    // moved on meanwhile.
    let servers: Vec<NodeProc> = dirs
        .iter()
        .zip(&ports)
        .map(|(d, port)| {
            let listen = format!("/ip4/127.0.0.1/tcp/{port}");
            start(
                d,
                &[
                    "--listen",
                    &listen,
                    "--serve-bandwidth",
                    THROTTLE,
                    "--extend-every-ms",
                    "300",
                ],
            )
        })
        .collect();
    for (s, a) in servers.iter().zip(&addrs) {
        assert_eq!(&s.addr, a, "restarted with the same address and peer id");
    }
    let synced = wait_until(
        "Synced past the generated chain",
        || {
            let s = node.status();
            let h = s["current_height"].as_u64().unwrap();
            (s["state"] == "Synced" && h > BLOCKS).then_some(h)
        },
        || format!("{}", node.status()),
    );
    node.terminate();
    drop(servers);
    let head = head_json(&dir)["height"].as_u64().unwrap();
    assert!(head >= synced);
    assert_eq!(verify(&dir), head);
}

/// A checkpoint sync (into `dir`) at a block `server` does not have at height `at` (it has `trusted` there):
/// the peer is refused, nothing is stored.
fn assert_a_checkpoint_the_peer_lacks_refuses_it(
    dir: &Path,
    template: &Path,
    server: &NodeProc,
    (at, trusted): (u64, &str),
) {
    // A checkpoint the peer does not have: the peer is refused, nothing is stored.
    let wrong = format!("{at}:{}", "ab".repeat(32));
    let spec = template.join("spec.json");
    let mut node = NodeProc::start(&[
        "--data",
        dir.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--peer",
        &server.addr,
        "--checkpoint",
        &wrong,
    ]);
    let line = node.wait_log("refusing the peer", |l| l.contains("refused peer"));
    assert!(
        line.contains(&format!("another block there ({trusted})")),
        "{line}"
    );
    drop(node);
    assert_eq!(head_json(dir)["height"], 0);
}

#[test]
fn a_checkpoint_sync_starts_above_its_trusted_block_and_refuses_another_block_there() {
    const BLOCKS: u64 = 3000;
    const AT: u64 = 2000;
    let template = common::template(33, BLOCKS);
    let trusted = common::with_store_lock(|| {
        let (_, store) = ecsync::store::chain_dir::open_chain_dir(&template).unwrap();
        use ecsync::components::ChainStore;
        store.block(AT).unwrap().unwrap().hash().to_hex()
    });
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_chain(&template, &s);
    let server = start(&s, &[]);

    assert_a_checkpoint_the_peer_lacks_refuses_it(
        &t.path().join("wrong"),
        &template,
        &server,
        (AT, &trusted),
    );

    // The right checkpoint: the sync starts at AT + 1.
    let dir = t.path().join("right");
    let right = format!("{AT}:{trusted}");
    let mut node = syncing(&dir, &template, &[&server.addr], &["--checkpoint", &right]);
    wait_until(
        "Synced",
        || {
            let s = node.status();
            (s["state"] == "Synced" && s["current_height"] == BLOCKS).then_some(())
        },
        || format!("{}", node.status()),
    );
    let (_, metrics) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    let downloaded: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("ecsync_blocks_downloaded_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no download counter in {metrics}"));
    assert_eq!(
        downloaded,
        BLOCKS - AT,
        "the forward sync downloads only the blocks above the checkpoint (the backfill counts its own)"
    );
    let status = get_json(node.http.as_deref().unwrap(), "/sync/status");
    assert!(status["durable_height"].as_u64().unwrap() >= AT);
    node.terminate();
    // A restart with the same flag keeps the store as it is (and its backfill goes on, to genesis).
    let mut again = syncing(
        &dir,
        &template,
        &[&server.addr],
        &[
            "--checkpoint",
            &right,
            "--exit-when-synced",
            "--exit-when-backfilled",
        ],
    );
    again.expect_success();
    let head = head_json(&dir);
    assert_eq!(head["anchor"], 0, "{head}");
    assert_eq!(head["hash"], head_hash(&template).as_str());
    assert_eq!(verify(&dir), BLOCKS);
}

#[test]
fn a_node_started_on_a_store_with_a_corrupted_head_record_rolls_back_and_says_so() {
    const BLOCKS: u64 = 3000;
    let template = common::template(33, BLOCKS);
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("node");
    copy_chain(&template, &dir);
    {
        // The head record overwritten with garbage, as a damaged disk would.
        let db = redb::Database::open(dir.join("chain.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
            let mut meta = txn.open_table(meta).unwrap();
            meta.insert("head", [7u8; 20].as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let mut node = start(&dir, &["--http", "127.0.0.1:0"]);
    let line = node.wait_log("the rollback line", |l| l.contains("rolled back"));
    assert!(
        line.contains("head record is unreadable")
            && line.contains(&format!("checkpoint at height {BLOCKS}")),
        "{line}"
    );
    assert_eq!(
        node.drain_log()
            .iter()
            .filter(|l| l.contains("rolled back"))
            .count(),
        1,
        "one line"
    );
    assert_eq!(node.status()["current_height"], BLOCKS);
    node.terminate();
    assert_eq!(head_hash(&dir), head_hash(&template));
    assert_eq!(verify(&dir), BLOCKS);
}

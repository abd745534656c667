//! Real processes on loopback: serving nodes, a fresh node syncing from them, a serving node killed mid-sync, a
//! peer of another chain refused, the sequential strategy. Every wait has a generous deadline and watches a
//! condition (an address line, a log line, a process exit); children are killed on every exit path.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const BLOCKS: u64 = 3000;
const DEADLINE: Duration = Duration::from_secs(180);

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_ecsync")
}

/// Chains generated once per test binary (by seed); tests copy them.
fn template(seed: u64) -> PathBuf {
    static DIRS: OnceLock<Mutex<Vec<(u64, tempfile::TempDir)>>> = OnceLock::new();
    let dirs = DIRS.get_or_init(|| Mutex::new(Vec::new()));
    let mut dirs = dirs.lock().unwrap();
    if let Some((_, d)) = dirs.iter().find(|(s, _)| *s == seed) {
        return d.path().join("chain");
    }
    let d = tempfile::tempdir().unwrap();
    let out = Command::new(exe())
        .args([
            "chain",
            "generate",
            "--blocks",
            &BLOCKS.to_string(),
            "--payload-bytes",
            "512",
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(d.path().join("chain"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = d.path().join("chain");
    dirs.push((seed, d));
    path
}

fn copy_chain(seed: u64, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["spec.json", "chain.redb", "generator.json"] {
        std::fs::copy(template(seed).join(f), to.join(f)).unwrap();
    }
}

fn head_of(dir: &Path) -> String {
    head_json(dir)["hash"].as_str().unwrap().to_string()
}

/// A node process: its address, its log lines, killed on drop.
struct NodeProc {
    child: Child,
    addr: String,
    log: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProc {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(exe())
            .arg("node")
            .args(args)
            .env("ECSYNC_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (addr_tx, addr_rx) = channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = addr_tx.send(line);
            }
        });
        let (log_tx, log) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = log_tx.send(line);
            }
        });
        let mut node = Self {
            child,
            addr: String::new(),
            log,
            seen: Vec::new(),
        };
        match addr_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => {
                assert!(addr.contains("/p2p/"), "not an address: {addr}");
                node.addr = addr;
            }
            Err(_) => panic!("node printed no address; log: {:?}", node.drain_log()),
        }
        node
    }

    fn drain_log(&mut self) -> Vec<String> {
        while let Ok(line) = self.log.try_recv() {
            self.seen.push(line);
        }
        self.seen.clone()
    }

    /// Waits until a log line satisfies `pred`.
    fn wait_log(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        if let Some(l) = self.seen.iter().find(|l| pred(l)) {
            return l.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left.min(Duration::from_millis(500))) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) if Instant::now() >= deadline => {
                    panic!(
                        "no log line {what} within {DEADLINE:?}; log: {:?}",
                        self.seen
                    )
                }
                Err(_) => {}
            }
        }
    }

    /// Waits until a "sync: height H of …" log line has `pred(H)`.
    fn wait_progress(&mut self, what: &str, pred: impl Fn(u64) -> bool) -> String {
        self.wait_log(what, |l| {
            l.split("sync: height ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|h| h.parse::<u64>().ok())
                .is_some_and(&pred)
        })
    }

    /// Waits for the process to exit and fails the test unless it exited 0.
    fn expect_success(&mut self) {
        let status = self.wait_exit();
        assert!(
            status.success(),
            "exit {status}; log: {:?}",
            self.drain_log()
        );
    }

    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "node did not exit within {DEADLINE:?}; log: {:?}",
                    self.drain_log()
                );
            }
            self.drain_log();
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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

fn verify(dir: &Path) {
    let out = Command::new(exe())
        .args(["chain", "verify"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("verified {BLOCKS} blocks")));
}

#[test]
fn a_fresh_node_syncs_from_four_serving_nodes() {
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..4)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(1, &dir);
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
    verify(&dir);
}

#[test]
fn a_serving_node_killed_mid_sync_does_not_stop_the_sync() {
    let t = tempfile::tempdir().unwrap();
    let mut servers: Vec<NodeProc> = (0..3)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(1, &dir);
            // Slow links, so that the sync takes a while.
            serve(&dir, &["--bandwidth-kbps", "150", "--latency-ms", "20"])
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
    verify(&dir);
}

#[test]
fn a_peer_of_another_chain_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    copy_chain(1, &a);
    let server = serve(&a, &[]);
    let b = t.path().join("b");
    copy_chain(2, &b);
    let mut other = serve(&b, &["--peer", &server.addr]);
    let line = other.wait_log("refusing the other chain", |l| {
        l.contains("refus") && l.contains("chain")
    });
    assert!(line.contains("genesis"), "{line}");
    // It never counts as a peer.
    let progress = other.wait_log("a progress line", |l| l.contains("sync: height"));
    assert!(progress.contains(" 0 peers"), "{progress}");
}

#[test]
fn the_sequential_strategy_also_reaches_the_head() {
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..2)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(1, &dir);
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
    verify(&dir);
}

fn head_json(dir: &Path) -> serde_json::Value {
    let out = Command::new(exe())
        .args(["chain", "head", "--json"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sigterm_stops_cleanly_with_a_durable_checkpoint_and_the_peer_id_survives() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_chain(1, &s);
    let server = serve(&s, &["--bandwidth-kbps", "300"]);
    let dir = t.path().join("fresh");
    let mut node = fresh(&dir, 1, &[&server], &[]);
    let first_addr = node.addr.clone();
    node.wait_progress("some progress", |h| h > 0);
    let pid = node.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    node.expect_success();
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

#[test]
fn a_moving_head_is_followed_and_extended_blocks_are_valid() {
    let t = tempfile::tempdir().unwrap();
    let servers: Vec<NodeProc> = (0..2)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(1, &dir);
            serve(&dir, &["--extend-every-ms", "300"])
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
    let out = Command::new(exe())
        .args(["chain", "verify"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = head_json(&dir)["height"].as_u64().unwrap();
    assert!(
        head > BLOCKS,
        "the head moved past the generated {BLOCKS}: {head}"
    );
}

#[test]
fn a_node_killed_mid_sync_resumes_from_its_store_and_finishes() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_chain(1, &s);
    let server = serve(&s, &["--bandwidth-kbps", "300"]);
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
    let out = Command::new(exe())
        .args(["chain", "verify"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut again = fresh(&dir, 1, &[&server], &["--exit-when-synced"]);
    assert!(again.wait_exit().success(), "log: {:?}", again.drain_log());
    assert_eq!(head_of(&dir), head_of(&template(1)));
    verify(&dir);
}

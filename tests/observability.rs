//! Observability during a real multi-process sync: /metrics is valid exposition text with every metric,
//! /sync/status shows can_produce_blocks turning true, /debug/world shows the peers and ranges that exist, `ecsync
//! dump` prints tables, and bad requests get 404/405.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

const BLOCKS: u64 = 4000;
const DEADLINE: Duration = Duration::from_secs(180);

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_ecsync")
}

struct Proc {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `ecsync node ARGS` and reads `n` lines of its stdout (address, then the HTTP URL).
fn start(args: &[&str], n: usize) -> Proc {
    let mut child = Command::new(exe())
        .arg("node")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut proc = Proc {
        child,
        lines: Vec::new(),
    };
    for _ in 0..n {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => proc.lines.push(line),
            Err(_) => panic!(
                "node printed {} of {n} lines: {:?}",
                proc.lines.len(),
                proc.lines
            ),
        }
    }
    proc
}

/// A minimal HTTP/1.1 GET for the test (status, body).
fn request(base: &str, method: &str, path: &str) -> (u16, String) {
    let hostport = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "chunked body: {head}"
    );
    (status, body.to_string())
}

fn get_json(base: &str, path: &str) -> serde_json::Value {
    let (status, body) = request(base, "GET", path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Checks OpenMetrics text and returns family name → type.
fn parse_exposition(text: &str) -> BTreeMap<String, String> {
    let mut types = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.last(),
        Some(&"# EOF"),
        "exposition must end with # EOF"
    );
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["gauge", "counter", "histogram"].contains(&kind), "{line}");
            types.insert(name.to_string(), kind.to_string());
        } else if line.starts_with("# HELP ") || line.starts_with("# UNIT ") {
        } else {
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("bad sample line {line:?}"));
            value
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("bad value in {line:?}"));
            let name = series.split('{').next().unwrap();
            assert!(name.starts_with("ecsync_"), "{line}");
            let family = types
                .keys()
                .filter(|f| name.starts_with(f.as_str()))
                .max_by_key(|f| f.len())
                .unwrap_or_else(|| panic!("sample before its TYPE: {line}"));
            let suffix = &name[family.len()..];
            match types[family].as_str() {
                "counter" => assert_eq!(suffix, "_total", "{line}"),
                "histogram" => assert!(["_bucket", "_sum", "_count"].contains(&suffix), "{line}"),
                _ => assert_eq!(suffix, "", "{line}"),
            }
        }
    }
    types
}

fn copy_chain(template: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["spec.json", "chain.redb", "generator.json"] {
        std::fs::copy(template.join(f), to.join(f)).unwrap();
    }
}

#[test]
fn metrics_status_and_dump_during_a_real_sync() {
    let t = tempfile::tempdir().unwrap();
    let template: PathBuf = t.path().join("chain");
    let out = Command::new(exe())
        .args([
            "chain",
            "generate",
            "--blocks",
            &BLOCKS.to_string(),
            "--payload-bytes",
            "512",
            "--out",
        ])
        .arg(&template)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let servers: Vec<Proc> = (0..3)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template, &dir);
            // Slow links, so that the sync lasts long enough to look at.
            start(
                &[
                    "--data",
                    dir.to_str().unwrap(),
                    "--bandwidth-kbps",
                    "250",
                    "--latency-ms",
                    "20",
                ],
                1,
            )
        })
        .collect();
    let fresh = t.path().join("fresh");
    let spec = template.join("spec.json");
    let mut args = vec![
        "--data",
        fresh.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
    ];
    for s in &servers {
        args.push("--peer");
        args.push(&s.lines[0]);
    }
    let node = start(&args, 2);
    let base = node.lines[1].clone();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    // Hostile clients: connections that send half a request and then nothing, held for the whole sync. The
    // sync must finish and the endpoints must keep answering regardless.
    let hostport = base.trim_start_matches("http://").to_string();
    let _stallers: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut s = TcpStream::connect(&hostport).unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();

    // Bad requests.
    assert_eq!(request(&base, "GET", "/nope").0, 404);
    assert_eq!(request(&base, "POST", "/metrics").0, 405);
    assert_eq!(request(&base, "DELETE", "/sync/status").0, 405);

    // Mid-sync: wait until blocks flow but the node is still far behind.
    let deadline = Instant::now() + DEADLINE;
    let mut saw_gate_closed = false;
    let mut looked_mid_sync = false;
    loop {
        assert!(
            Instant::now() < deadline,
            "sync did not finish in {DEADLINE:?}"
        );
        let status = get_json(&base, "/sync/status");
        for field in [
            "state",
            "current_height",
            "target_height",
            "blocks_per_second",
            "peers_connected",
            "estimated_completion_seconds",
            "can_produce_blocks",
            "head_slot",
            "sync_distance",
            "is_syncing",
        ] {
            assert!(status.get(field).is_some(), "{field} missing from {status}");
        }
        let height = status["current_height"].as_u64().unwrap();
        let target = status["target_height"].as_u64().unwrap();
        let gate = status["can_produce_blocks"].as_bool().unwrap();
        if target == BLOCKS && height < BLOCKS / 2 {
            assert!(!gate, "the gate must be closed far behind: {status}");
            assert_eq!(status["sync_distance"].as_u64().unwrap(), target - height);
            assert_eq!(status["is_syncing"], true);
            saw_gate_closed = true;
            if height > 0 && !looked_mid_sync {
                looked_mid_sync = true;
                // The world as it is now: three peers; ranges in flight or waiting for import.
                let world = get_json(&base, "/debug/world");
                let peers = world["peers"].as_array().unwrap();
                assert_eq!(peers.len(), 3, "{world}");
                for p in peers {
                    for c in [
                        "Peer",
                        "PeerClaim",
                        "PeerStats",
                        "PeerScore",
                        "PeerBudget",
                        "PeerLoad",
                    ] {
                        assert!(p["components"].get(c).is_some(), "{c} missing: {p}");
                    }
                }
                let ranges = world["ranges"].as_array().unwrap();
                assert!(!ranges.is_empty(), "no ranges mid-sync: {world}");
                for r in ranges {
                    let c = &r["components"];
                    let states = ["AwaitingDownload", "Downloading", "AwaitingImport"]
                        .iter()
                        .filter(|s| c.get(**s).is_some())
                        .count();
                    assert_eq!(states, 1, "a range has exactly one state: {r}");
                }
                assert!(world["resources"]["SyncProgress"].is_object());
                assert!(world["blocks"].is_null());
                let full = get_json(&base, "/debug/world?full=1");
                assert!(full["blocks"].is_array());

                // Metrics mid-sync.
                let (code, text) = request(&base, "GET", "/metrics");
                assert_eq!(code, 200);
                let types = parse_exposition(&text);
                let want = [
                    ("ecsync_current_height", "gauge"),
                    ("ecsync_target_height", "gauge"),
                    ("ecsync_blocks_per_second", "gauge"),
                    ("ecsync_sync_state", "gauge"),
                    ("ecsync_can_produce_blocks", "gauge"),
                    ("ecsync_peers_connected", "gauge"),
                    ("ecsync_ranges_in_flight", "gauge"),
                    ("ecsync_pending_blocks", "gauge"),
                    ("ecsync_pending_bytes", "gauge"),
                    ("ecsync_blocks_downloaded", "counter"),
                    ("ecsync_blocks_validated", "counter"),
                    ("ecsync_blocks_imported", "counter"),
                    ("ecsync_blocks_rejected", "counter"),
                    ("ecsync_checkpoints_created", "counter"),
                    ("ecsync_peer_penalties", "counter"),
                    ("ecsync_peer_bans", "counter"),
                    ("ecsync_validation_seconds", "histogram"),
                    ("ecsync_import_seconds", "histogram"),
                    ("ecsync_tick_duration_seconds", "histogram"),
                    ("ecsync_request_latency_seconds", "histogram"),
                ];
                for (name, kind) in want {
                    assert_eq!(
                        types.get(name).map(String::as_str),
                        Some(kind),
                        "{name} in:\n{text}"
                    );
                }
                assert!(text.contains("ecsync_peers_connected 3"), "{text}");
                assert!(
                    text.contains("ecsync_request_latency_seconds_count{outcome=\"served\"}"),
                    "{text}"
                );

                // `ecsync dump` against the running node.
                let out = Command::new(exe())
                    .args(["dump", "--node", &base])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let tables = String::from_utf8_lossy(&out.stdout).to_uppercase();
                for heading in ["PEERS", "RANGES", "PENDING"] {
                    assert!(
                        tables.contains(heading),
                        "{heading} missing from:\n{tables}"
                    );
                }
                let out = Command::new(exe())
                    .args(["dump", "--node", &base, "--json"])
                    .output()
                    .unwrap();
                assert!(out.status.success());
                let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            }
        }
        if gate {
            assert!(saw_gate_closed, "the gate was never seen closed");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(looked_mid_sync, "never caught the node mid-sync");
}

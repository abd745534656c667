//! Observability during a real multi-process sync: /metrics is valid exposition text with every metric,
//! /sync/status shows can_produce_blocks turning true, /debug/world shows the peers and ranges that exist, `ecsync
//! dump` prints tables, and bad requests get 404/405.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::time::Instant;

use common::{DEADLINE, NodeProc, copy_chain, exe, get_json, request};

const BLOCKS: u64 = 4000;

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

#[test]
fn metrics_status_and_dump_during_a_real_sync() {
    let t = tempfile::tempdir().unwrap();
    let template = common::template(1, BLOCKS);
    let servers: Vec<NodeProc> = (0..3)
        .map(|i| {
            let dir = t.path().join(format!("s{i}"));
            copy_chain(&template, &dir);
            // Slow links, so that the sync lasts long enough to look at.
            NodeProc::start(&[
                "--data",
                dir.to_str().unwrap(),
                "--serve-bandwidth",
                "250kB/s",
                "--latency-ms",
                "20",
            ])
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
        args.push(&s.addr);
    }
    let node = NodeProc::start(&args);
    let base = node.http.clone().unwrap();

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
                    ("ecsync_serve_dropped", "counter"),
                    ("ecsync_serve_answers_in_flight", "gauge"),
                    ("ecsync_serve_in_flight_bytes", "gauge"),
                    ("ecsync_net_events_dropped", "counter"),
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
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(looked_mid_sync, "never caught the node mid-sync");
}

//! The tests of `ecsync dump`: rendering (a sample world, a real engine's dump), the URL and the client.

use std::io::{Read, Write};
use std::net::TcpListener;

use std::time::Duration;

use ecsync_components::Hash32;
use serde_json::{Value, json};

use super::cells::{bytes, duration, relative_ms};
use super::client::{Client, NodeUrl};
use super::render::{COUNTERS, render};
use crate::engine::dump::WorldDump;
use crate::node::http::StatusBody;

fn hash(byte: u8) -> String {
    Hash32([byte; 32]).to_hex()
}

fn peer(entity: &str, id: u64, label: &str, score: f64, head: u64) -> Value {
    json!({
        "entity": entity,
        "components": {
            "Peer": { "id": id, "label": label, "connected_at_ms": 1000 },
            "PeerClaim": {
                "head": { "height": head, "slot": head + 3, "hash": hash(0xab) },
                "updated_ms": 1000, "discredited_from": null, "discredited_until_ms": 0,
                "status_requested_ms": 1000, "proven": head.saturating_sub(10)
            },
            "PeerStats": {
                "latency_ms": 12.4, "blocks_per_sec": 850.25, "requests_ok": 3, "blocks_served": 192,
                "bytes_served": 19200, "timeouts": 1, "failures": 0, "empty": 0, "invalid": 0,
                "consecutive_failures": 0
            },
            "PeerScore": score,
            "PeerReputation": -score * 4.0,
            "PeerBudget": { "batch": 64, "max_in_flight": 4, "timeout_ms": 10000 },
            "PeerLoad": { "in_flight": 2 }
        }
    })
}

/// `peer` proven a member holding `authorities`.
fn member(mut peer: Value, authorities: u64) -> Value {
    peer["components"]["Member"] = json!({ "authorities": authorities });
    peer
}

fn sample() -> Value {
    json!({
        "peers": [
            peer("3v0", 3, "p-low", 0.25, 900),
            member(peer("1v0", 1, "p-high", 2.5, 1000), 0b101),
            // A peer with almost nothing known about it.
            { "entity": "9v0", "components": { "Peer": { "id": 9, "label": "p-bare" } } },
            peer("2v0", 2, "p-mid", 1.0, 1000),
        ],
        "ranges": [
            { "entity": "10v0", "components": {
                "Range": { "start": 65, "count": 64 },
                "RangeAttempts": { "attempts": 1, "failed_peers": [] },
                "Downloading": { "peer": 4294967297u64, "peer_id": 2, "request": 7, "sent_at_ms": 5000,
                                 "deadline_ms": 7500, "reserved_bytes": 65536 }
            }},
            { "entity": "11v0", "components": {
                "Range": { "start": 1, "count": 64 },
                "RangeAttempts": { "attempts": 2, "failed_peers": [3] },
                "AwaitingImport": { "peer_id": 1, "blocks": 40 }
            }},
            { "entity": "12v0", "components": {
                "Range": { "start": 129, "count": 32 },
                "RangeAttempts": { "attempts": 0, "failed_peers": [] },
                "AwaitingDownload": null
            }}
        ],
        "blocks_by_stage": {
            "downloaded": { "count": 10, "bytes": 10240, "min_height": 31, "max_height": 40 },
            "validated": { "count": 20, "bytes": 20480, "min_height": 11, "max_height": 30 },
            "ready_to_import": { "count": 0, "bytes": 0, "min_height": null, "max_height": null }
        },
        "blocks": null,
        "other": [],
        "resources": {
            "Clock": { "now_ms": 6000 },
            "ChainHead": { "height": 10, "slot": 12, "hash": hash(0x12) },
            "PlanCursor": { "next": 161 },
            "Buffer": { "bytes": 30720, "blocks": 30, "reserved": 65536, "avg_block_bytes": 1024.0,
                        "peak_bytes": 40000 },
            "SyncProgress": { "state": "DownloadingBlocks", "target": 1000, "blocks_per_sec": 100.0,
                              "rate_height": 10, "rate_at_ms": 5000, "last_progress_ms": 5000,
                              "failed_at_ms": 0, "failure": null, "recoveries": 0, "was_synced": false },
            "CheckpointState": { "last": null, "window_start_ms": 0, "blocks_since": 10, "due": false,
                                 "written": 0 },
            "EngineCounters": { "blocks_downloaded": 40, "blocks_validated": 30, "blocks_imported": 10,
                                "blocks_rejected": 3, "requests_sent": 5, "requests_timed_out": 1,
                                "peer_penalties": 2, "peer_bans": 1, "import_commits": 1,
                                "ranges_evicted": 0 },
            "SyncConfig": { "strategy": "engine", "max_buffered_bytes": 67108864,
                            "production_progress": 0.995, "production_max_behind": 10 }
        }
    })
}

fn world(v: Value) -> WorldDump {
    serde_json::from_value(v).unwrap()
}

fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
}

/// The lines of the section titled `title` (up to the blank line after it).
fn section_of<'a>(out: &'a str, title: &str) -> Vec<&'a str> {
    let start = out.find(&format!("\n{title}")).expect(title) + 1;
    out[start..].lines().take_while(|l| !l.is_empty()).collect()
}

#[test]
fn the_header_shows_state_and_progress_from_the_resources() {
    let out = render(world(sample()), None, "http://127.0.0.1:1").unwrap();
    assert!(
        out.starts_with("node http://127.0.0.1:1  (strategy engine)\n"),
        "{out}"
    );
    // 990 to go at 100 blocks/s.
    let header = line_with(&out, "state ");
    assert_eq!(
        header,
        "state DownloadingBlocks  height 10/1000 (1.0%)  100.0 blocks/s  ETA 10s  \
         can_produce_blocks false  buffered 30.0 KiB"
    );
    let buffer = line_with(&out, "buffer ");
    assert!(
        buffer.contains("30 blocks, 64.0 KiB reserved, peak 39.1 KiB, cap 64.0 MiB"),
        "{buffer}"
    );
    assert!(
        buffer.contains(&format!("head hash {}", hash(0x12))),
        "{buffer}"
    );
    assert!(buffer.ends_with("plan cursor 161"), "{buffer}");
    assert_eq!(
        line_with(&out, "checkpoint "),
        "checkpoint - (0 written, 10 blocks since)  recoveries 0"
    );
    assert!(
        !out.contains("failure:") && !out.contains("WARNING"),
        "{out}"
    );
}

#[test]
fn peers_are_listed_by_score_with_their_measurements() {
    let out = render(world(sample()), None, "x").unwrap();
    let peers = section_of(&out, "PEERS (4)");
    assert!(
        peers[1].starts_with("label ") && peers[1].contains("in flight/max"),
        "{out}"
    );
    assert!(peers[2].starts_with("-----"), "{out}");
    let labels: Vec<&str> = peers[3..]
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(labels, ["p-high", "p-mid", "p-low", "p-bare"], "{out}");
    let high: Vec<&str> = peers[3].split_whitespace().collect();
    assert_eq!(
        high,
        [
            "p-high", "1", "a0,a2", "2.50", "-10.0", "1000", "990", "850.2", "12", "64", "2/4",
            "192", "1", "0"
        ]
    );
    let bare: Vec<&str> = peers[6].split_whitespace().collect();
    assert_eq!(
        bare,
        [
            "p-bare", "9", "-", "-", "-", "-", "-", "-", "-", "-", "-/-", "-", "-", "-"
        ]
    );
    // Right-aligned numbers end in the same column as their header.
    let score_end = peers[1].find("score").unwrap() + "score".len();
    assert_eq!(&peers[3][score_end - 4..score_end], "2.50", "{out}");
    assert_eq!(&peers[5][score_end - 4..score_end], "0.25", "{out}");
}

#[test]
fn ranges_are_listed_by_start_with_state_peer_and_detail() {
    let out = render(world(sample()), None, "x").unwrap();
    let ranges = section_of(&out, "RANGES");
    assert_eq!(
        ranges[0],
        "RANGES (3: 1 awaiting download, 1 downloading, 1 awaiting import)"
    );
    let rows: Vec<Vec<&str>> = ranges[3..]
        .iter()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec![
                "1",
                "64",
                "AwaitingImport",
                "p-high",
                "2 (1 failed)",
                "40 blocks"
            ],
            vec!["65", "64", "Downloading", "p-mid", "1", "deadline in 1.5s"],
            vec!["129", "32", "AwaitingDownload", "-", "0", "-"],
        ],
        "{out}"
    );
}

#[test]
fn pending_blocks_are_summarised_by_stage() {
    let out = render(world(sample()), None, "x").unwrap();
    assert_eq!(
        section_of(&out, "PENDING BLOCKS").join("\n"),
        "PENDING BLOCKS\n\
         stage            count     bytes  heights\n\
         ---------------- ------ --------- --------\n\
         downloaded          10  10.0 KiB  31-40\n\
         validated           20  20.0 KiB  11-30\n\
         ready_to_import      0       0 B  -\n\
         total               30  30.0 KiB"
    );
}

#[test]
fn counters_follow_the_reading_order_then_unknown_ones() {
    let mut v = sample();
    v["resources"]["EngineCounters"]["zz_new_counter"] = json!(7);
    let out = render(world(v), None, "x").unwrap();
    let counters = section_of(&out, "COUNTERS");
    let names: Vec<&str> = counters[3..]
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut want = COUNTERS.to_vec();
    want.push("zz_new_counter");
    assert_eq!(names, want, "{out}");
    assert!(line_with(&out, "blocks_rejected").ends_with(" 3"));
    assert!(line_with(&out, "peer_bans").ends_with(" 1"));
    assert!(line_with(&out, "zz_new_counter").ends_with(" 7"));
}

#[test]
fn durations_and_bytes() {
    assert_eq!(duration(9.9), "10s");
    assert_eq!(duration(594.0), "9m54s");
    assert_eq!(duration(7265.0), "2h01m");
    assert_eq!(duration(f64::INFINITY), "-");
    assert_eq!(bytes(1000), "1000 B");
    assert_eq!(bytes(64 << 20), "64.0 MiB");
    assert_eq!(relative_ms(7500, 6000), "in 1.5s");
    assert_eq!(relative_ms(5000, 6000), "1.0s ago");
}

#[test]
fn the_status_overrides_the_header() {
    let status: StatusBody = serde_json::from_value(json!({
        "state": "CatchingUp", "current_height": 995, "target_height": 1000, "blocks_per_second": 50.0,
        "peers_connected": 4, "estimated_completion_seconds": null, "can_produce_blocks": true,
        "head_slot": 1100, "sync_distance": 5, "is_syncing": true, "buffered_bytes": 1,
        "failure": { "kind": "import", "height": 996, "error": "disk full" },
    }))
    .unwrap();
    let out = render(world(sample()), Some(&status.status), "x").unwrap();
    assert_eq!(
        line_with(&out, "state "),
        "state CatchingUp  height 995/1000 (99.5%)  50.0 blocks/s  ETA -  can_produce_blocks true  \
         buffered 30.0 KiB"
    );
    assert!(
        out.contains("\nfailure: import at height 996: disk full\n"),
        "{out}"
    );
}

#[test]
fn an_empty_world_prints_dashes() {
    let empty = json!({ "peers": [], "ranges": [], "blocks_by_stage": {}, "blocks": null, "other": [],
                        "resources": {} });
    let out = render(world(empty), None, "x").unwrap();
    assert!(
        out.contains(
            "\nstate -  height -/- (-%)  - blocks/s  ETA -  can_produce_blocks -  buffered -\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("\ncheckpoint - (- written, - blocks since)  recoveries -\n"),
        "{out}"
    );
    assert_eq!(section_of(&out, "PEERS (0)").len(), 3, "{out}");
    assert!(line_with(&out, "ready_to_import").ends_with(" -"), "{out}");
    assert!(line_with(&out, "blocks_imported").ends_with(" -"), "{out}");
    let mut other = sample();
    other["other"] = json!([{ "entity": "99v0", "components": {} }]);
    let out = render(world(other), None, "x").unwrap();
    assert!(
        out.ends_with("\n\nWARNING: 1 entities of no known kind (see --json)\n"),
        "{out}"
    );
}

#[test]
fn a_component_of_the_wrong_shape_is_a_one_line_error_naming_the_entity() {
    let cases = [
        ("/peers/1/components/Peer/label", json!(5), "peer 1v0"),
        ("/ranges/0/components/Range", json!("x"), "range 10v0"),
        (
            "/resources/SyncProgress/state",
            json!("Sleeping"),
            "resources",
        ),
        (
            "/ranges/1/components/AwaitingImport/peer_id",
            json!("one"),
            "range 11v0",
        ),
        ("/resources/Clock/now_ms", json!(-1), "resources"),
    ];
    for (pointer, value, names) in cases {
        let mut v = sample();
        *v.pointer_mut(pointer).unwrap() = value;
        let e = format!("{:#}", render(world(v), None, "x").unwrap_err());
        assert!(e.starts_with(names), "{pointer}: {e}");
        assert!(!e.contains('\n'), "{pointer}: {e}");
    }
    for not_a_world in [
        json!({ "hello": 1 }),
        json!([1, 2]),
        json!({ "peers": "nope" }),
    ] {
        assert!(serde_json::from_value::<WorldDump>(not_a_world).is_err());
    }
}

/// The JSON of a full dump of an engine with three peers, ranges in flight and the highest range's blocks
/// pending behind the lower ones; with that range's start and length.
fn real_dump() -> (String, u64, u32) {
    use crate::engine::SyncEngine;
    use crate::testing::sim::{SIM_EPOCH_MS, SimChain};
    use ecsync_components::{NetEvent, PeerId, Request, StatusMessage, SyncConfig};

    let chain = SimChain::generate(5, 200, 16);
    let mut engine = SyncEngine::new(
        chain.spec.clone(),
        SyncConfig::default(),
        Box::new(chain.store_at(0)),
    )
    .unwrap();
    for p in 1..=3 {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(p),
            label: format!("peer-{p}"),
            status: StatusMessage::proven(
                chain.spec.chain_id,
                chain.spec.genesis_hash,
                chain.proof(200).expect("block 200"),
            ),
        });
    }
    engine.tick(SIM_EPOCH_MS);
    // Answer the highest range only: its blocks stay pending behind the lower ones.
    let (peer, request, start, count) = engine
        .drain_outbox()
        .into_iter()
        .filter_map(|r| match r {
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
                ..
            } => Some((peer, request, start, count)),
            _ => None,
        })
        .max_by_key(|r| r.2)
        .unwrap();
    assert!(start > 1);
    engine.handle(NetEvent::Blocks {
        peer,
        request,
        blocks: (start..start + u64::from(count))
            .map(|h| chain.blocks[h as usize].clone())
            .collect(),
    });
    engine.tick(SIM_EPOCH_MS + 50);
    let text = serde_json::to_string(&engine.world_dump(true)).unwrap();
    (text, start, count)
}

#[test]
fn renders_a_real_engine_dump() {
    let (text, start, count) = real_dump();
    // The node's JSON deserializes into the dump's types and serializes back to the same bytes.
    let parsed: WorldDump = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&parsed).unwrap(), text);

    let out = render(parsed, None, "test").unwrap();
    for label in ["peer-1", "peer-2", "peer-3"] {
        assert!(out.contains(label), "{out}");
    }
    assert!(out.contains("Downloading"), "{out}");
    let header = line_with(&out, "state ");
    assert!(header.contains("/200 ("), "{header}");
    assert!(!header.contains("state -"), "{header}");
    assert!(
        line_with(&out, "blocks_downloaded").ends_with(&format!(" {count}")),
        "{out}"
    );
    assert!(out.contains("1 awaiting import)"), "{out}");
    // The full dump lists each pending block, lowest first, with its stage.
    let blocks = section_of(&out, &format!("BLOCKS ({count})"));
    assert_eq!(blocks.len(), 3 + count as usize, "{out}");
    let first: Vec<&str> = blocks[3].split_whitespace().collect();
    assert_eq!(first[0], start.to_string(), "{out}");
    assert!(
        ["Downloaded", "Validating", "Validated", "ReadyToImport"].contains(&first[1]),
        "{out}"
    );
    assert!(first[3].starts_with("0x") && first[3].len() == 66, "{out}");
    assert!(!out.contains("WARNING"), "{out}");
}

#[test]
fn url_parsing() {
    let base = |s: &str| NodeUrl::parse(s).unwrap().base().to_string();
    assert_eq!(base("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    assert_eq!(base("http://localhost:9/"), "http://localhost:9");
    assert_eq!(base("HTTP://[::1]:80"), "http://[::1]:80");
    assert_eq!(base("http://127.0.0.1"), "http://127.0.0.1:80");
    assert_eq!(
        NodeUrl::parse("http://a:1").unwrap().url("/sync/status"),
        "http://a:1/sync/status"
    );
    for (bad, why) in [
        ("https://127.0.0.1:8080", "only plain http://"),
        ("ftp://127.0.0.1:21", "only plain http://"),
        ("127.0.0.1:8080", "not a URL"),
        ("garbage", "not a URL"),
        ("", "not a URL"),
        ("http://:8080", "empty host"),
        ("http://127.0.0.1:0", "invalid port"),
        ("http://127.0.0.1:99999", "invalid port"),
        ("http://127.0.0.1:+80", "invalid port"),
        ("http://127.0.0.1:80/debug/world", "no path"),
        ("http://127.0.0.1:80?x=1", "no path"),
        ("http://127.0.0.1:80#top", "no path"),
        ("http://user@127.0.0.1:80", "no user"),
        ("http://bad host:80", "invalid"),
        ("http://[::1:80", "invalid IPv6"),
        ("http://[zz]:80", "invalid IPv6"),
    ] {
        let e = NodeUrl::parse(bad).unwrap_err().to_string();
        assert!(e.contains(why), "{bad:?}: {e}");
        assert!(
            e.contains("expected http://HOST:PORT") && !e.contains('\n'),
            "{bad:?}: {e}"
        );
    }
}

/// Serves `answers` (raw HTTP responses), one per connection, on a loopback port.
fn serve(answers: Vec<Vec<u8>>) -> (NodeUrl, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for answer in answers {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            requests.push(String::from_utf8_lossy(&buf).into_owned());
            if answer.is_empty() {
                // Never answer: hold the connection until the client gives up.
                std::thread::sleep(Duration::from_millis(1500));
            } else {
                let _ = s.write_all(&answer);
            }
        }
        requests
    });
    let node = NodeUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    (node, handle)
}

fn http(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn the_client_gets_json() {
    let (node, server) = serve(vec![http("200 OK", &sample().to_string())]);
    let client = Client::new(node.clone(), Duration::from_secs(5), 1 << 20);
    let got: WorldDump = client
        .get_json("/debug/world?full=1", "a world dump")
        .unwrap();
    assert_eq!(serde_json::to_value(got).unwrap(), sample());
    let request = server.join().unwrap().remove(0).to_ascii_lowercase();
    assert!(
        request.starts_with("get /debug/world?full=1 http/1.1\r\n"),
        "{request}"
    );
    let authority = node.base().trim_start_matches("http://");
    assert!(
        request.contains(&format!("\r\nhost: {authority}\r\n")),
        "{request}"
    );
    assert!(
        request.contains("\r\naccept: application/json\r\n"),
        "{request}"
    );
}

#[test]
fn the_client_reports_each_failure_in_one_line() {
    let (node, server) = serve(vec![
        http("404 Not Found", "no such\nroute"),
        http("200 OK", "{not json"),
        http("200 OK", r#"{"hello": 1}"#),
        http("200 OK", &"x".repeat(5000)),
        http("302 Found", ""),
        Vec::new(),
    ]);
    let client = Client::new(node.clone(), Duration::from_millis(500), 8192);
    let small = Client::new(node.clone(), Duration::from_millis(500), 4096);
    let cases = [
        (&client, "the node answered 404 Not Found: no such route"),
        (
            &client,
            "the answer is not a world dump: key must be a string",
        ),
        (
            &client,
            "the answer is not a world dump: missing field `peers`",
        ),
        (&small, "the answer is larger than 4.0 KiB"),
        (&client, "the node answered 302 Found"),
        (&client, "no complete answer within 0.5 s"),
    ];
    for (client, want) in cases {
        let got = client.get_json::<WorldDump>("/debug/world", "a world dump");
        let got = format!("{:#}", got.unwrap_err());
        let want = format!("GET {}: {want}", node.url("/debug/world"));
        assert!(got.starts_with(&want), "{got}\nwanted {want}");
        assert!(!got.contains('\n'), "{got}");
    }
    assert_eq!(server.join().unwrap().len(), 6);
}

#[test]
fn a_refused_connection_names_the_address() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let node = NodeUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let client = Client::new(node, Duration::from_secs(5), 1024);
    let e = format!("{:#}", client.get("/debug/world").unwrap_err());
    assert!(
        e.starts_with(&format!(
            "cannot reach the node at http://127.0.0.1:{port}: "
        )),
        "{e}"
    );
    assert!(e.contains("refused"), "{e}");
}

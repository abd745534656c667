//! Observability during a real multi-process sync: /metrics is valid exposition text with every metric,
//! /sync/status shows can_produce_blocks turning true, /debug/world shows the peers and ranges that exist, `ecsync
//! dump` prints tables, and bad requests get 404/405.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{DEADLINE, NodeProc, copy_chain, exe, get_json, request};
use ecsync::components::SyncStatus;
use ecsync::engine::dump::WorldDump;
use ecsync::node::http::{
    Control, ControlAnswer, ControlRequester, DumpLimits, DumpReply, DumpRequester, DumpSent,
    HttpState, RateLimit, router,
};
use tokio::sync::oneshot;

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

/// Three servers of `BLOCKS` blocks behind slow links, and a fresh node with HTTP, syncing from them.
fn three_slow_servers_and_a_fresh_node(t: &Path) -> (Vec<NodeProc>, NodeProc) {
    let template = common::template(1, BLOCKS);
    let servers: Vec<NodeProc> = (0..3)
        .map(|i| {
            let dir = t.join(format!("s{i}"));
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
    let peers: Vec<&str> = servers.iter().map(|s| s.addr.as_str()).collect();
    let node = NodeProc::syncing(&template, &t.join("fresh"), &peers, &[]);
    (servers, node)
}

/// Every field of /sync/status is present.
fn assert_status_has_every_field(status: &serde_json::Value) {
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
}

/// /debug/world mid-sync: three peers with their components; ranges in flight or waiting for import, each in
/// exactly one state; blocks listed only in the full dump.
fn assert_world_shows_the_peers_and_ranges_mid_sync(base: &str) {
    // The world as it is now: three peers; ranges in flight or waiting for import.
    let world = get_json(base, "/debug/world");
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
    let full = get_json(base, "/debug/world?full=1");
    assert!(full["blocks"].is_array());
}

/// Every metric family /metrics must have, with its type.
const METRIC_FAMILIES: [(&str, &str); 24] = [
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

/// /metrics mid-sync: valid exposition text with every family of `METRIC_FAMILIES`, three peers, served latencies.
fn assert_metrics_complete_mid_sync(base: &str) {
    // Metrics mid-sync.
    let (code, text) = request(base, "GET", "/metrics");
    assert_eq!(code, 200);
    let types = parse_exposition(&text);
    for (name, kind) in METRIC_FAMILIES {
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
}

/// `ecsync dump` against the running node prints its tables, and JSON with `--json`.
fn assert_dump_prints_tables_and_json(base: &str) {
    // `ecsync dump` against the running node.
    let out = Command::new(exe())
        .args(["dump", "--node", base])
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
        .args(["dump", "--node", base, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
}

#[test]
fn metrics_status_and_dump_during_a_real_sync() {
    let t = tempfile::tempdir().unwrap();
    let (_servers, node) = three_slow_servers_and_a_fresh_node(t.path());
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
        assert_status_has_every_field(&status);
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
                assert_world_shows_the_peers_and_ranges_mid_sync(&base);
                assert_metrics_complete_mid_sync(&base);
                assert_dump_prints_tables_and_json(&base);
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

/// A full dump of the benches' mid-sync world (100 peers, 1,000 ranges, 19,200 pending blocks) lists at most
/// `MAX_LISTED` of each kind, counts the rest, and stays under 1 MiB.
#[test]
fn world_dump_is_bounded() {
    use ecsync::engine::dump::MAX_LISTED;
    use ecsync::testing::world::{Layout, build, mid_sync_config};

    let layout = Layout::mid_sync();
    let mut built = build(layout, mid_sync_config());
    let full = built.engine.world_dump(true);
    let blocks = full.blocks.as_ref().expect("a full dump lists blocks");
    assert_eq!(blocks.len(), MAX_LISTED);
    let pending = layout.pending as u64 * u64::from(layout.range);
    assert_eq!(
        full.omitted.get("blocks"),
        Some(&(pending - MAX_LISTED as u64))
    );
    let heights: Vec<u64> = blocks
        .iter()
        .map(|b| b.components["PendingBlock"]["height"].as_u64().unwrap())
        .collect();
    assert!(
        heights.windows(2).all(|w| w[0] < w[1]),
        "lowest heights first"
    );
    let ranges = layout.pending + layout.downloading + layout.waiting;
    assert_eq!(full.ranges.len(), MAX_LISTED.min(ranges));
    assert_eq!(
        full.omitted.get("ranges").copied().unwrap_or(0),
        ranges.saturating_sub(MAX_LISTED) as u64
    );
    assert_eq!(full.peers.len(), layout.peers);
    assert_eq!(full.blocks_by_stage["downloaded"].count, pending);
    let bytes = serde_json::to_vec(&full).unwrap().len();
    assert!(bytes < 1 << 20, "a full dump of {bytes} bytes");
    let summary = built.engine.world_dump(false);
    assert!(summary.blocks.is_none() && !summary.omitted.contains_key("blocks"));
}

/// What the fake engine does with the next world-dump request: answer, hold it (the sender is kept), or refuse.
#[derive(Clone, Copy)]
enum FakeEngine {
    Answer,
    Hold,
    Busy,
}

/// The replies the fake engine holds.
type Held = Arc<Mutex<Vec<oneshot::Sender<DumpReply>>>>;

/// A fake engine's dump requester: it does what `mode` says with each request, answering with `world`.
fn fake_engine(mode: &Arc<Mutex<FakeEngine>>, held: &Held, world: &WorldDump) -> DumpRequester {
    let (mode, held, world) = (mode.clone(), held.clone(), world.clone());
    Arc::new(move |_full, reply| match *mode.lock().unwrap() {
        FakeEngine::Answer => {
            let _ = reply.send(Ok(world.clone()));
            DumpSent::Sent
        }
        FakeEngine::Hold => {
            held.lock().unwrap().push(reply);
            DumpSent::Sent
        }
        FakeEngine::Busy => DumpSent::Busy,
    })
}

/// The HTTP router with `dump` behind /debug/world, limited by `dump_limits`.
fn dump_router(
    status: tokio::sync::watch::Receiver<SyncStatus>,
    dump: DumpRequester,
    dump_limits: Arc<DumpLimits>,
) -> axum::Router {
    router(HttpState {
        status,
        metrics: ecsync::node::metrics::Metrics::new(),
        dump,
        dump_limits,
        control: None,
        control_limits: Arc::default(),
        network: None,
    })
}

/// GET /debug/world: (status, Retry-After, body).
async fn get_world(app: axum::Router) -> (StatusCode, Option<String>, String) {
    call(
        app,
        Request::get("/debug/world").body(Body::empty()).unwrap(),
    )
    .await
}

/// While the engine holds a dump, a concurrent request is refused at once (one at a time), and takes no token.
async fn assert_one_dump_at_a_time(
    app: &axum::Router,
    mode: &Mutex<FakeEngine>,
    held: &Held,
    world: &WorldDump,
) {
    *mode.lock().unwrap() = FakeEngine::Hold;
    let first = tokio::spawn(get_world(app.clone()));
    while held.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    let (code, retry, body) = get_world(app.clone()).await;
    assert_eq!(code, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("another world dump"), "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    held.lock()
        .unwrap()
        .pop()
        .unwrap()
        .send(Ok(world.clone()))
        .unwrap();
    assert_eq!(first.await.unwrap().0, StatusCode::OK);
}

/// /debug/world: one dump at a time, a burst then a rate (429 with Retry-After beyond it), 503 when the engine is
/// busy or gone; the JSON is encoded off the engine thread.
#[test]
fn world_dump_is_rate_limited() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world: WorldDump = serde_json::from_value(serde_json::json!({
        "peers": [], "ranges": [], "blocks_by_stage": {}, "blocks": null, "other": [], "resources": {}
    }))
    .unwrap();
    let mode = Arc::new(Mutex::new(FakeEngine::Answer));
    let held: Held = Arc::default();
    let dump = fake_engine(&mode, &held, &world);
    let (_status_tx, status) =
        tokio::sync::watch::channel(SyncStatus::starting(Default::default()));
    // A burst of 3 that never refills: the test does not depend on how fast it runs.
    let app = dump_router(status, dump, Arc::new(DumpLimits::new(3, 0)));
    runtime.block_on(async {
        // 1: answered, JSON.
        let (code, _, body) = get_world(app.clone()).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let _: WorldDump = serde_json::from_str(&body).unwrap();

        // 2: held by the engine; a concurrent request is refused at once (one at a time), and takes no token.
        assert_one_dump_at_a_time(&app, &mode, &held, &world).await;

        // 3: the engine's input is full: 503, and it took the last token.
        *mode.lock().unwrap() = FakeEngine::Busy;
        let (code, retry, body) = get_world(app.clone()).await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("busy"), "{body}");
        assert_eq!(retry.as_deref(), Some("1"));

        // The burst is spent: rate limited, whatever the engine would do.
        *mode.lock().unwrap() = FakeEngine::Answer;
        for _ in 0..3 {
            let (code, retry, body) = get_world(app.clone()).await;
            assert_eq!(code, StatusCode::TOO_MANY_REQUESTS, "{body}");
            assert!(body.contains("rate limited"), "{body}");
            assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
        }
    });

    // A stopped engine is a 503 that says so.
    let (_status_tx, status) =
        tokio::sync::watch::channel(SyncStatus::starting(Default::default()));
    let stopped: DumpRequester = Arc::new(|_, _| DumpSent::Stopped);
    let app = dump_router(status, stopped, Arc::default());
    runtime.block_on(async {
        let (code, _, body) = get_world(app).await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("stopped"), "{body}");
    });
}

/// The sum of every sample of `name` (e.g. `ecsync_requests_sent_total`) in the node's /metrics.
fn metric(base: &str, name: &str) -> f64 {
    let (code, text) = request(base, "GET", "/metrics");
    assert_eq!(code, 200, "{text}");
    let samples: Vec<f64> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(series, _)| series.split('{').next() == Some(name))
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .collect();
    assert!(!samples.is_empty(), "no {name} in /metrics");
    samples.iter().sum()
}

/// POST `path`; (status, body).
fn post(base: &str, path: &str) -> (u16, String) {
    request(base, "POST", path)
}

/// A server of `BLOCKS` blocks behind a slow link, and a fresh node with HTTP syncing from it.
fn a_slow_server_and_a_fresh_node(t: &Path) -> (NodeProc, NodeProc) {
    let template = common::template(1, BLOCKS);
    let server_dir = t.join("server");
    copy_chain(&template, &server_dir);
    // A slow link: the sync lasts long enough to pause it midway, however fast the machine.
    let server = NodeProc::start(&[
        "--data",
        server_dir.to_str().unwrap(),
        "--serve-bandwidth",
        "200kB/s",
    ]);
    let fresh = t.join("fresh");
    let spec = template.join("spec.json");
    let node = NodeProc::start(&[
        "--data",
        fresh.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
        "--peer",
        &server.addr,
    ]);
    (server, node)
}

/// `POST /sync/pause` answers paused, the status says so, and pausing twice is harmless.
fn assert_pause_answers_paused(base: &str, node: &NodeProc) {
    let (code, body) = post(base, "/sync/pause");
    assert_eq!(code, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["paused"], true, "{body}");
    assert_eq!(node.status()["paused"], true);
    // Pausing twice is harmless.
    assert_eq!(post(base, "/sync/pause").0, 200);
}

/// Paused: once what was in flight is in, no request goes out and the height stands still over 300 ticks and
/// 5 s, and the sync does not fail. Returns (requests sent, height) at the pause.
fn assert_nothing_moves_while_paused(base: &str, node: &NodeProc) -> (f64, u64) {
    // What was in flight comes in; then nothing moves.
    common::wait_until(
        "the requests in flight answered and their blocks imported",
        || {
            (metric(base, "ecsync_ranges_in_flight") == 0.0
                && metric(base, "ecsync_pending_blocks") == 0.0)
                .then_some(())
        },
        || format!("{}", node.status()),
    );
    let sent = metric(base, "ecsync_requests_sent_total");
    let height = node.height();
    let ticks = metric(base, "ecsync_tick_duration_seconds_count");
    let since = Instant::now();
    // Long enough for a status poll (every 2 s) and many dispatch rounds to have gone out, had it not paused.
    common::wait_until(
        "300 ticks and 5 s paused",
        || {
            (metric(base, "ecsync_tick_duration_seconds_count") >= ticks + 300.0
                && since.elapsed() >= std::time::Duration::from_secs(5))
            .then_some(())
        },
        || format!("{}", node.status()),
    );
    assert_eq!(
        metric(base, "ecsync_requests_sent_total"),
        sent,
        "a request went out while paused"
    );
    let status = node.status();
    assert_eq!(
        status["current_height"].as_u64().unwrap(),
        height,
        "{status}"
    );
    assert!(
        height < BLOCKS,
        "the sync finished before the pause: {status}"
    );
    assert_eq!(status["paused"], true, "{status}");
    assert_ne!(status["state"], "Failed", "{status}");
    assert_eq!(metric(base, "ecsync_sync_paused"), 1.0);
    (sent, height)
}

/// `POST /sync/checkpoint` while paused makes the head (`height`) durable.
fn assert_checkpoint_makes_the_head_durable(base: &str, node: &NodeProc, height: u64) {
    // A checkpoint on request: the head, durable.
    let (code, body) = post(base, "/sync/checkpoint");
    assert_eq!(code, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer["checkpoint"]["head"]["height"].as_u64(),
        Some(height),
        "{body}"
    );
    assert_eq!(answer["paused"], true, "{body}");
    assert_eq!(node.status()["durable_height"].as_u64(), Some(height));
}

/// The operator's control over HTTP, on a real sync: `POST /sync/pause` stops every request (the node's request
/// counter stands still over many ticks and more than two status intervals, its height stops once the answers
/// in flight are in, and the stall clock does not fail it); `POST /sync/checkpoint` makes the head durable;
/// `POST /sync/resume` goes on to the head. Other methods answer 405.
#[test]
fn pause_sends_no_requests_and_resume_continues() {
    let t = tempfile::tempdir().unwrap();
    let (_server, node) = a_slow_server_and_a_fresh_node(t.path());
    let base = node.http.clone().unwrap();
    assert_eq!(request(&base, "GET", "/sync/pause").0, 405);
    assert_eq!(request(&base, "GET", "/sync/checkpoint").0, 405);

    common::wait_until(
        "the sync moving",
        || (node.height() > 0).then_some(()),
        || format!("{}", node.status()),
    );
    assert_pause_answers_paused(&base, &node);
    let (sent, height) = assert_nothing_moves_while_paused(&base, &node);
    assert_checkpoint_makes_the_head_durable(&base, &node, height);

    let (code, body) = post(&base, "/sync/resume");
    assert_eq!(code, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["paused"],
        false
    );
    common::wait_until(
        "the sync at the head after resume",
        || (node.height() == BLOCKS).then_some(()),
        || format!("{}", node.status()),
    );
    assert!(metric(&base, "ecsync_requests_sent_total") > sent);
    assert_eq!(node.status()["paused"], false);
    assert_eq!(metric(&base, "ecsync_sync_paused"), 0.0);
}

/// The control endpoints through the router: 403 where control is off (a public address), the engine's answer
/// as JSON, 503 when the engine's input is full, 429 with Retry-After once the burst is spent.
#[test]
fn control_endpoints_are_loopback_only_and_rate_limited() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = |control: Option<ControlRequester>, limits: RateLimit| {
        let (_tx, status) = tokio::sync::watch::channel(SyncStatus::starting(Default::default()));
        router(HttpState {
            status,
            metrics: ecsync::node::metrics::Metrics::new(),
            dump: Arc::new(|_, _| DumpSent::Stopped),
            dump_limits: Arc::default(),
            control,
            control_limits: Arc::new(limits),
            network: None,
        })
    };
    let post = |app: axum::Router, path: &'static str| {
        call(app, Request::post(path).body(Body::empty()).unwrap())
    };
    runtime.block_on(async {
        // Public: refused, and the engine never hears of it.
        let public = app(None, RateLimit::new(8, 0));
        for path in ["/sync/pause", "/sync/resume", "/sync/checkpoint"] {
            let (code, _, body) = post(public.clone(), path).await;
            assert_eq!(code, StatusCode::FORBIDDEN, "{path}: {body}");
            assert!(body.contains("loopback"), "{body}");
        }

        // Loopback: the engine's answer; a burst of 3 that never refills.
        let engine: ControlRequester = Arc::new(|command, reply| {
            if command == Control::Checkpoint {
                return DumpSent::Busy;
            }
            let _ = reply.send(Ok(ControlAnswer {
                paused: command == Control::Pause,
                checkpoint: None,
            }));
            DumpSent::Sent
        });
        let local = app(Some(engine), RateLimit::new(3, 0));
        let (code, _, body) = post(local.clone(), "/sync/pause").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let answer: ControlAnswer = serde_json::from_str(&body).unwrap();
        assert!(answer.paused);
        let (code, _, body) = post(local.clone(), "/sync/resume").await;
        assert_eq!(code, StatusCode::OK, "{body}");
        assert!(!serde_json::from_str::<ControlAnswer>(&body).unwrap().paused);
        let (code, retry, body) = post(local.clone(), "/sync/checkpoint").await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(retry.as_deref(), Some("1"));
        let (code, retry, body) = post(local.clone(), "/sync/pause").await;
        assert_eq!(code, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(body.contains("rate limited"), "{body}");
        assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    });
}

/// Sends `request` to the router: (status, Retry-After, body).
async fn call(
    app: axum::Router,
    request: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, Option<String>, String) {
    use tower::ServiceExt;
    let response = app.oneshot(request).await.unwrap();
    let code = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (code, retry, String::from_utf8_lossy(&body).into_owned())
}

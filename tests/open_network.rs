//! The open network, serving half (issue 10): identities that pass the status check against a serving `ecsync
//! node`, open as many blocks_by_range requests of 1,024 blocks as the protocol lets them, and never read the
//! answers. The serving process's resident memory must stay under [`RSS_CAP_MIB`] (without limits it grew to
//! hundreds of MiB), and an honest node syncing from it meanwhile must still reach its head.
//!
//! The attackers are [`RawPeer`]s in this process; their codec never reads an answer, so the server's writes
//! stall once the streams' windows are full. Every wait watches a condition (the server's drop counter, the
//! honest node's exit) with a generous deadline; the memory is sampled from `/proc/<pid>/status` throughout.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use common::{DEADLINE, NodeProc, exe, head_hash, text, wait_until};
use ecsync::components::{MAX_RESPONSE_BYTES, StatusMessage};
use ecsync::network::testkit::{RawPeer, RawPeerConfig};
use ecsync::network::{MAX_CONCURRENT_STREAMS, ServeLimits};
use libp2p::Multiaddr;

/// Identities attacking the server.
const ATTACKERS: usize = 8;
/// Blocks in the served chain.
const BLOCKS: u64 = 3000;
/// Payload bytes per block: an answer of 1,024 blocks is about 1.2 MB.
const PAYLOAD_BYTES: u64 = 1024;
/// The serving node's resident memory must stay under this many MiB while attacked.
const RSS_CAP_MIB: u64 = 256;

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The sum of the samples of metric family `name` (every label set) in OpenMetrics text.
fn metric_sum(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Generates the served chain in `dir`.
fn generate(dir: &Path) {
    let out = Command::new(exe())
        .args(["chain", "generate", "--seed", "7"])
        .args(["--blocks", &BLOCKS.to_string()])
        .args(["--payload-bytes", &PAYLOAD_BYTES.to_string()])
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Connects an attacker to `server`, passes the status check, sends every request the protocol lets one
/// connection have, and returns it (to be driven without ever reading an answer).
async fn attack(server: Multiaddr, status: StatusMessage) -> RawPeer {
    let mut config = RawPeerConfig::new(status);
    config.read_answers = false;
    let mut raw = RawPeer::new(config).expect("attacker");
    let peer = raw.connect(server).await.expect("attacker connects");
    raw.status_check(peer)
        .await
        .expect("attacker passes the check");
    for i in 0..MAX_CONCURRENT_STREAMS as u64 {
        let start = 1 + (i * 37) % (BLOCKS - 1024);
        raw.request_blocks(peer, start, 1024, MAX_RESPONSE_BYTES);
    }
    raw
}

/// Samples a process's resident memory every 10 ms on a thread, keeping the peak, until stopped.
struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    /// Starts sampling process `pid`, whose memory now is `baseline` KiB.
    fn start(pid: u32, baseline: u64) -> Self {
        let peak = Arc::new(AtomicU64::new(baseline));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (peak, stop) = (peak.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kib) = rss_kib(pid) {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        Self { peak, stop, thread }
    }

    /// Stops sampling; the peak, KiB.
    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
        self.peak.load(Ordering::Relaxed)
    }
}

/// [`ATTACKERS`] attackers on `server`, each with every request the protocol lets it have, driven on `rt`
/// without ever reading an answer.
fn attackers(
    rt: &tokio::runtime::Runtime,
    server: &NodeProc,
    status: &StatusMessage,
) -> Vec<tokio::task::JoinHandle<()>> {
    let server_addr: Multiaddr = server.addr.parse().unwrap();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..ATTACKERS {
            let raw = tokio::time::timeout(DEADLINE, attack(server_addr.clone(), status.clone()))
                .await
                .expect("attackers set up in time");
            // Keeps the connection alive (answers pings and status requests), never reads an answer.
            tasks.push(tokio::spawn(raw.run()));
        }
        tasks
    })
}

/// Waits until the server (HTTP at `url`) has refused every request beyond the per-peer bound; the admitted
/// ones stay unread.
fn wait_until_the_excess_requests_are_refused(url: &str) {
    // Every request beyond the per-peer bound is refused at once; the admitted ones stay unread.
    let allowed = ServeLimits::default().max_answers_per_peer;
    let refused = (ATTACKERS * (MAX_CONCURRENT_STREAMS - allowed)) as f64;
    let metrics = || common::request(url, "GET", "/metrics").1;
    let seen = wait_until(
        "the server refused the attackers' excess requests",
        || {
            let m = metrics();
            (metric_sum(&m, "ecsync_serve_dropped_total") >= refused).then_some(m)
        },
        metrics,
    );
    eprintln!(
        "attack in place: {} dropped, {} answers in flight holding {} bytes",
        metric_sum(&seen, "ecsync_serve_dropped_total"),
        metric_sum(&seen, "ecsync_serve_answers_in_flight"),
        metric_sum(&seen, "ecsync_serve_in_flight_bytes"),
    );
}

/// An honest node (in `fresh_dir`) syncs `chain` from the attacked `server` to its head, `served_head`.
fn assert_an_honest_node_syncs(
    fresh_dir: &Path,
    chain: &Path,
    server: &NodeProc,
    served_head: &str,
) {
    let spec_path = chain.join("spec.json");
    let mut fresh = NodeProc::start(&[
        "--data",
        fresh_dir.to_str().unwrap(),
        "--spec",
        spec_path.to_str().unwrap(),
        "--peer",
        &server.addr,
        "--exit-when-synced",
    ]);
    fresh.expect_success();
    assert_eq!(head_hash(fresh_dir), served_head);
}

#[test]
fn unread_answers_do_not_grow_the_server_and_an_honest_node_still_syncs() {
    let t = tempfile::tempdir().unwrap();
    let chain = t.path().join("chain");
    generate(&chain);
    let spec = ecsync::store::chain_dir::load_spec(&chain.join("spec.json")).unwrap();
    // Read before the server opens the store.
    let served_head = head_hash(&chain);
    let mut server = NodeProc::start(&["--data", chain.to_str().unwrap(), "--http", "0"]);
    let url = server.http.clone().unwrap();
    let pid = server.child.id();

    // Sample the server's memory until the end.
    let baseline = rss_kib(pid).expect("the server's VmRSS");
    let sampler = RssSampler::start(pid, baseline);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let status = StatusMessage::unproven(spec.chain_id, spec.genesis_hash, spec.genesis_ref());
    let attackers = attackers(&rt, &server, &status);
    wait_until_the_excess_requests_are_refused(&url);

    // An honest node syncs from the attacked server.
    assert_an_honest_node_syncs(&t.path().join("fresh"), &chain, &server, &served_head);

    let peak_mib = sampler.stop() / 1024;
    eprintln!(
        "serving node RSS: {} MiB before the attack, peak {peak_mib} MiB (cap {RSS_CAP_MIB} MiB)",
        baseline / 1024
    );
    assert!(
        peak_mib < RSS_CAP_MIB,
        "the serving node's RSS reached {peak_mib} MiB; log: {:?}",
        server.drain_log()
    );
    for task in attackers {
        task.abort();
    }
    drop(rt);
}

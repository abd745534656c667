//! `ecsync bench`: the figures of issue 11 in ONE run, on one generated chain and the same serving processes on
//! loopback (the demo's links):
//! - the verification bound of the engine's verifier and of blst's standard batch: every block of the chain
//!   (at most [`BOUND_BLOCKS`]) preloaded in memory and validated as `validate_blocks` does (standalone rules,
//!   then chunks of `signature_batch` approvals, one batch check each) on `--threads` threads while nothing else
//!   works (the serving processes are started but idle);
//! - the engine's throughput: a fresh `ecsync node` child process synced from an empty store to Synced
//!   (`--exit-when-synced`), timed from its start to its exit (polled every [`EXIT_POLL`]), with the default
//!   anchored validation (one quorum aggregate per downloaded range);
//! - the same with `--verify full` (every block's aggregate verified, as before issue 27);
//! - these four in `--rounds` interleaved rounds (standard bound, grouped bound, engine sync, full-verify sync;
//!   default [`DEFAULT_ROUNDS`]), the best of each counting: on a shared machine noise only ever slows a run, and
//!   interleaving keeps a slow spell from landing on one figure alone (on the 2-core VM of the README one
//!   bound's rounds differ by up to 20 %). Every round is printed, and listed in the JSON;
//! - the backfill's throughput: a fresh node started from a checkpoint at the chain's head (`--checkpoint
//!   HEAD:HASH --exit-when-backfilled`) fetches the history below it, timed from its start to its exit (the best
//!   of `--rounds` runs);
//! - the sequential strategy's throughput, once (it runs for tens of seconds, so short spells average out);
//! - the syncing processes' peak RSS (`VmHWM`) and thread count, read from /proc while they run.
//!
//! A table (with progress bars on a terminal), or with `--json` one JSON object on stdout (progress on stderr).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bevy_ecs::entity::Entity;
use ecsync_components::ecs::PendingBlock;
use ecsync_components::{ChainStore, SignedBlock, SyncConfig, Verifier};
use ecsync_systems::consensus::Authorities;
use ecsync_systems::validate_blocks::{Check, validate_chunk};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::Serialize;

use super::BenchArgs;
use super::chain::progress_bar;
use super::demo::{Children, cached_chain, start_servers};
use crate::store::SPEC_FILE;
use crate::store::chain_dir::open_chain_dir;
use crate::util::clock::unix_now_ms;

/// Most blocks the verification bounds validate (the first of the chain).
pub const BOUND_BLOCKS: u64 = 20_000;

/// Rounds of the bounds and the engine's sync by default; the best of each counts.
pub const DEFAULT_ROUNDS: u64 = 5;

/// How often the bench looks whether a syncing child has exited: the error of its time.
pub const EXIT_POLL: Duration = Duration::from_millis(5);

/// How often the bench reads a syncing child's status for the progress bar.
const STATUS_POLL: Duration = Duration::from_millis(100);

/// What `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Blocks in the chain.
    pub blocks: u64,
    /// Serving processes.
    pub peers: u64,
    /// Threads validating in the bounds (`--threads`, default: the cores).
    pub threads: usize,
    /// Cores of the machine.
    pub cores: usize,
    /// The engine's sync: blocks per second from an empty store to Synced (the best round), with the default
    /// anchored validation.
    pub engine_bps: f64,
    /// The engine's sync with `--verify full` (every block's approval verified; the best round).
    pub full_verify_bps: f64,
    /// The sequential strategy's (null with `--skip-sequential`).
    pub sequential_bps: Option<f64>,
    /// The engine's verifier (grouped) over preloaded blocks, all threads: blocks per second (the best round).
    pub verify_bound_bps: f64,
    /// The same with blst's standard batch.
    pub standard_bound_bps: f64,
    /// Rounds of the four figures above.
    pub rounds: u64,
    /// Each round's engine sync, blocks per second.
    pub engine_rounds_bps: Vec<f64>,
    /// Each round's engine sync with `--verify full`.
    pub full_verify_rounds_bps: Vec<f64>,
    /// Each round's grouped bound.
    pub verify_rounds_bps: Vec<f64>,
    /// Each round's standard bound.
    pub standard_rounds_bps: Vec<f64>,
    /// engine / sequential (null with `--skip-sequential`).
    pub speedup: Option<f64>,
    /// engine / verify bound.
    pub bound_ratio: f64,
    /// full-verify sync / verify bound.
    pub full_verify_bound_ratio: f64,
    /// engine (anchored) / full-verify sync.
    pub anchored_speedup: f64,
    /// verify bound / standard bound.
    pub verifier_ratio: f64,
    /// Peak RSS of the engine's syncing process (the most of its rounds).
    pub engine_peak_rss_bytes: u64,
    /// Peak RSS of the full-verify syncing process (the most of its rounds).
    pub full_verify_peak_rss_bytes: u64,
    /// Peak RSS of the sequential syncing process (null with `--skip-sequential`).
    pub sequential_peak_rss_bytes: Option<u64>,
    /// The backfill: the history below a checkpoint at the chain's head, blocks per second from the node's start
    /// to its exit (the best of the rounds).
    pub backfill_bps: f64,
    /// backfill / verify bound.
    pub backfill_bound_ratio: f64,
    /// Peak RSS of the backfilling process (the most of its rounds).
    pub backfill_peak_rss_bytes: u64,
    /// Most threads the engine's syncing process had (in any round).
    pub engine_process_threads: u64,
    /// Blocks the bounds validated.
    pub bound_blocks: u64,
    /// Approvals per batch check (`signature_batch`).
    pub signature_batch: usize,
}

/// One sync by a child process.
struct SyncRun {
    blocks: u64,
    secs: f64,
    peak_rss_bytes: u64,
    max_threads: u64,
}

/// `VmHWM` (bytes) and `Threads` of a running process, from /proc (None where there is no /proc).
fn proc_status(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
    };
    Some((field("VmHWM:")? * 1024, field("Threads:")?))
}

/// Every block of the chain in `dir` up to `limit`, decoded, as pending blocks (no range).
fn preload(dir: &Path, limit: u64) -> anyhow::Result<Vec<PendingBlock>> {
    let (spec, store) = open_chain_dir(dir)?;
    let head = store.head()?.height.min(limit);
    let mut out = Vec::with_capacity(head as usize);
    let mut next = 1;
    while next <= head {
        let encodings = store.encoded_range(next, (head - next + 1).min(1024), usize::MAX)?;
        if encodings.is_empty() {
            bail!("{}: block {next} is missing", dir.display());
        }
        for bytes in encodings {
            let block = SignedBlock::decode(&bytes, spec.max_block_bytes as usize)
                .with_context(|| format!("{}: block {next} does not decode", dir.display()))?;
            let hash = block.hash();
            out.push(PendingBlock::new(block, hash, bytes, Entity::PLACEHOLDER));
            next += 1;
        }
    }
    Ok(out)
}

/// Validates `blocks` as `validate_blocks` does, on `threads` threads, with `verifier`; blocks per second.
fn verify_bound(
    dir: &Path,
    blocks: &[PendingBlock],
    verifier: Verifier,
    threads: usize,
    batch: usize,
) -> anyhow::Result<f64> {
    let (spec, _) = open_chain_dir(dir)?;
    let keys = Authorities::from_spec(&spec)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("ecsync-bench-{i}"))
        .build()?;
    let refs: Vec<&PendingBlock> = blocks.iter().collect();
    let now = unix_now_ms();
    let started = Instant::now();
    let valid = pool.install(|| {
        refs.par_chunks(batch)
            .map(|chunk| {
                validate_chunk(&spec, &keys, verifier, now, chunk)
                    .iter()
                    .filter(|c| **c == Check::Valid)
                    .count()
            })
            .sum::<usize>()
    });
    let secs = started.elapsed().as_secs_f64();
    if valid != blocks.len() {
        bail!(
            "{} of {} blocks did not validate",
            blocks.len() - valid,
            blocks.len()
        );
    }
    Ok(blocks.len() as f64 / secs)
}

/// What every sync by a child process shares: the executable, the chain's spec, the serving peers, the directory
/// of the run, `--threads` and the height to reach.
struct SyncSetup<'a> {
    exe: &'a Path,
    spec: &'a Path,
    run_dir: &'a Path,
    peers: &'a [String],
    threads: Option<u64>,
    expected_height: u64,
}

/// A syncing child process from its start to its exit, as watched.
struct Watched {
    code: ExitStatus,
    secs: f64,
    peak_rss_bytes: u64,
    max_threads: u64,
}

impl SyncSetup<'_> {
    /// Syncs a fresh `ecsync node` child process from the peers with `strategy` (`engine` or `sequential`) and
    /// `--verify verify` (none: the default) until it exits Synced; watches its status (for the bar) and its
    /// /proc entry (peak RSS, threads).
    fn sync_child(&self, strategy: &str, verify: Option<&str>) -> anyhow::Result<SyncRun> {
        let name = match verify {
            Some(mode) => format!("{strategy}-{mode}"),
            None => strategy.to_string(),
        };
        let data = self.run_dir.join(format!("fresh-{name}"));
        let log = self.run_dir.join(format!("fresh-{name}.log"));
        if data.exists() {
            std::fs::remove_dir_all(&data)
                .with_context(|| format!("cannot clear {}", data.display()))?;
        }
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let mut command = self.node_command(&data, strategy);
        if let Some(mode) = verify {
            command.args(["--verify", mode]);
        }
        let started = Instant::now();
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .stdin(Stdio::null())
            .spawn()
            .context("cannot start the syncing node")?;
        let mut children = Children(vec![child]);
        let run = watch(
            &mut children.0[0],
            started,
            &name,
            self.expected_height,
            &log,
        )?;
        if !run.code.success() {
            bail!(
                "the {name} sync exited with {}; see {}",
                run.code,
                log.display()
            );
        }
        let (_, store) = open_chain_dir(&data)?;
        let head = store.head()?.height;
        if head != self.expected_height {
            bail!(
                "the {name} sync stopped at {head} of {}",
                self.expected_height
            );
        }
        Ok(SyncRun {
            blocks: head,
            secs: run.secs,
            peak_rss_bytes: run.peak_rss_bytes,
            max_threads: run.max_threads,
        })
    }

    /// `ecsync node` syncing into `data` with `strategy`, exiting when synced, its HTTP API on a free port.
    fn node_command(&self, data: &Path, strategy: &str) -> Command {
        let mut command = Command::new(self.exe);
        command
            .arg("node")
            .arg("--data")
            .arg(data)
            .arg("--spec")
            .arg(self.spec)
            .args(["--strategy", strategy, "--exit-when-synced"])
            .args(["--http", "127.0.0.1:0"]);
        for p in self.peers {
            command.args(["--peer", p]);
        }
        if let Some(n) = self.threads {
            command.args(["--threads", &n.to_string()]);
        }
        command
    }
}

/// Watches a syncing child started at `started` until it exits (at most an hour): its /proc entry every
/// [`EXIT_POLL`], its status for the progress bar every [`STATUS_POLL`] once it printed its HTTP address.
fn watch(
    child: &mut Child,
    started: Instant,
    strategy: &str,
    expected_height: u64,
    log: &Path,
) -> anyhow::Result<Watched> {
    let pid = child.id();
    let addresses = http_address(child);
    let bar = progress_bar(expected_height, strategy);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(500)))
        .build()
        .into();
    let mut http: Option<String> = None;
    let (mut peak, mut max_threads) = (0u64, 0u64);
    let mut next_status = Instant::now();
    let code = loop {
        if let Some((rss, threads)) = proc_status(pid) {
            peak = peak.max(rss);
            max_threads = max_threads.max(threads);
        }
        if let Some(status) = child.try_wait().context("waiting for the syncing node")? {
            break status;
        }
        if http.is_none() {
            http = addresses.try_recv().ok();
        }
        if let Some(base) = &http
            && Instant::now() >= next_status
            && show_status(&agent, base, &bar)
        {
            next_status = Instant::now() + STATUS_POLL;
        }
        if started.elapsed() > Duration::from_secs(3600) {
            bail!(
                "the {strategy} sync did not finish in an hour; see {}",
                log.display()
            );
        }
        std::thread::sleep(EXIT_POLL);
    };
    let secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    Ok(Watched {
        code,
        secs,
        peak_rss_bytes: peak,
        max_threads,
    })
}

/// The HTTP address the child prints on its stdout (`http://…`), read by a thread.
fn http_address(child: &mut Child) -> Receiver<String> {
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("http://") {
                let _ = tx.send(line);
            }
        }
    });
    rx
}

/// Shows the node's height and rate (`GET base/sync/status`) on `bar`; false when there is no status to show.
fn show_status(agent: &ureq::Agent, base: &str, bar: &ProgressBar) -> bool {
    let Ok(mut response) = agent.get(&format!("{base}/sync/status")).call() else {
        return false;
    };
    let Ok(text) = response.body_mut().read_to_string() else {
        return false;
    };
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    bar.set_position(body["current_height"].as_u64().unwrap_or(0));
    bar.set_message(format!(
        "{:.0} blocks/s",
        body["blocks_per_second"].as_f64().unwrap_or(0.0)
    ));
    true
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / f64::from(1 << 20))
}

/// A line of progress: on stdout, or on stderr when stdout carries the JSON.
fn say(json: bool, line: &str) {
    if json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// Runs the bench.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let chain = cached_chain(&args.dir, args.seed, args.blocks, args.json)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = args.threads.map_or(cores, |n| n as usize);
    let batch = SyncConfig::default().signature_batch;

    let preloaded = preload(&chain, BOUND_BLOCKS)?;
    let bound_blocks = preloaded.len() as u64;
    let exe = std::env::current_exe().context("cannot find the ecsync executable")?;
    let run_dir: PathBuf = args.dir.join("run");
    std::fs::create_dir_all(&run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;
    let (servers, addrs) = start_servers(&exe, &chain, &run_dir, args.peers, |line| {
        if args.json {
            eprintln!("{line}");
        }
    })?;
    say(
        args.json,
        &format!(
            "{} serving nodes on loopback (links as the demo's); bounds over {bound_blocks} preloaded blocks, \
             {threads} threads, batches of {batch}; {} rounds, the best of each counts",
            args.peers, args.rounds
        ),
    );
    let spec = chain.join(SPEC_FILE);
    let setup = SyncSetup {
        exe: &exe,
        spec: &spec,
        run_dir: &run_dir,
        peers: &addrs,
        threads: args.threads,
        expected_height: args.blocks,
    };
    let bound = |verifier| verify_bound(&chain, &preloaded, verifier, threads, batch);
    let rounds = interleaved_rounds(args.rounds, args.json, &setup, bound)?;
    drop(preloaded);
    let backfill = backfill_sync(&setup, &chain, args.rounds, args.json)?;
    let sequential = if args.skip_sequential {
        None
    } else {
        Some(sequential_sync(&setup, args.json)?)
    };
    drop(servers);
    let validation = Validation {
        threads,
        cores,
        bound_blocks,
        signature_batch: batch,
    };
    let report = BenchReport::new(&args, &validation, rounds, sequential, backfill);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    print_table(&report);
    Ok(())
}

/// How the bounds validated: threads of the machine's cores, blocks, approvals per batch check.
struct Validation {
    threads: usize,
    cores: usize,
    bound_blocks: u64,
    signature_batch: usize,
}

/// Each round's figures, and the engine's syncing process at its largest.
#[derive(Default)]
struct Rounds {
    verify: Vec<f64>,
    standard: Vec<f64>,
    engine: Vec<f64>,
    full: Vec<f64>,
    engine_peak: u64,
    full_peak: u64,
    engine_threads: u64,
}

/// `rounds` rounds of the standard bound, the grouped bound (`bound` with each verifier), the engine's sync
/// (anchored, the default) and its sync with `--verify full`, each round printed.
fn interleaved_rounds(
    rounds: u64,
    json: bool,
    setup: &SyncSetup,
    bound: impl Fn(Verifier) -> anyhow::Result<f64>,
) -> anyhow::Result<Rounds> {
    let mut r = Rounds::default();
    for round in 1..=rounds {
        // The grouped bound next to the engine's sync: the two the ratio compares.
        let standard = bound(Verifier::Standard)?;
        let grouped = bound(Verifier::Grouped)?;
        let engine = setup.sync_child("engine", None)?;
        let full = setup.sync_child("engine", Some("full"))?;
        let engine_bps = engine.blocks as f64 / engine.secs;
        let full_bps = full.blocks as f64 / full.secs;
        say(
            json,
            &format!(
                "  round {round}: bound grouped (the engine's) {grouped:.0} blocks/s, standard (blst) \
                 {standard:.0} blocks/s; engine sync {} blocks in {:.2} s = {engine_bps:.0} blocks/s, peak RSS {}; \
                 --verify full {:.2} s = {full_bps:.0} blocks/s, peak RSS {}",
                engine.blocks,
                engine.secs,
                mib(engine.peak_rss_bytes),
                full.secs,
                mib(full.peak_rss_bytes)
            ),
        );
        r.verify.push(grouped);
        r.standard.push(standard);
        r.engine.push(engine_bps);
        r.full.push(full_bps);
        r.engine_peak = r.engine_peak.max(engine.peak_rss_bytes);
        r.full_peak = r.full_peak.max(full.peak_rss_bytes);
        r.engine_threads = r.engine_threads.max(engine.max_threads);
    }
    Ok(r)
}

/// The backfill, `rounds` times: a fresh node started from a checkpoint at the head of the chain in `chain`
/// (`--checkpoint HEAD:HASH --exit-when-backfilled`), timed from its start to its exit, each printed; the fastest
/// run (blocks: the history below the head), with the most peak RSS of them.
fn backfill_sync(
    setup: &SyncSetup,
    chain: &Path,
    rounds: u64,
    json: bool,
) -> anyhow::Result<SyncRun> {
    let head = open_chain_dir(chain)?.1.head()?;
    let (data, log) = (
        setup.run_dir.join("fresh-backfill"),
        setup.run_dir.join("fresh-backfill.log"),
    );
    let mut best: Option<SyncRun> = None;
    for round in 1..=rounds.max(1) {
        if data.exists() {
            std::fs::remove_dir_all(&data)
                .with_context(|| format!("cannot clear {}", data.display()))?;
        }
        let mut command = setup.node_command(&data, "engine");
        let checkpoint = format!("{}:{}", head.height, head.hash);
        command.args(["--checkpoint", &checkpoint, "--exit-when-backfilled"]);
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let started = Instant::now();
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .stdin(Stdio::null())
            .spawn();
        let mut children = Children(vec![child.context("cannot start the backfilling node")?]);
        let run = watch(&mut children.0[0], started, "backfill", head.height, &log)?;
        let (_, store) = open_chain_dir(&data)?;
        if !run.code.success() || store.anchor().height != 0 || store.head()? != head {
            bail!(
                "the backfill did not reach genesis (exit {}); see {}",
                run.code,
                log.display()
            );
        }
        let blocks = head.height - 1;
        say(
            json,
            &format!(
                "  backfill round {round}: {blocks} blocks below the head in {:.2} s = {:.0} blocks/s, peak RSS {}",
                run.secs,
                blocks as f64 / run.secs,
                mib(run.peak_rss_bytes)
            ),
        );
        let peak = best
            .as_ref()
            .map_or(0, |b| b.peak_rss_bytes)
            .max(run.peak_rss_bytes);
        if best.as_ref().is_none_or(|b| run.secs < b.secs) {
            best = Some(SyncRun {
                blocks,
                secs: run.secs,
                peak_rss_bytes: 0,
                max_threads: run.max_threads,
            });
        }
        if let Some(b) = best.as_mut() {
            b.peak_rss_bytes = peak;
        }
    }
    best.context("no backfill round")
}

/// The sequential strategy's sync, once, printed.
fn sequential_sync(setup: &SyncSetup, json: bool) -> anyhow::Result<SyncRun> {
    let run = setup.sync_child("sequential", None)?;
    say(
        json,
        &format!(
            "  sequential sync {} blocks in {:.1} s = {:.0} blocks/s, peak RSS {}",
            run.blocks,
            run.secs,
            run.blocks as f64 / run.secs,
            mib(run.peak_rss_bytes)
        ),
    );
    Ok(run)
}

impl BenchReport {
    /// The report of the rounds and the sequential sync: the best round of each figure, and their ratios.
    fn new(
        args: &BenchArgs,
        validation: &Validation,
        rounds: Rounds,
        sequential: Option<SyncRun>,
        backfill: SyncRun,
    ) -> Self {
        let best = |v: &[f64]| v.iter().copied().fold(0f64, f64::max);
        let (engine_bps, full_verify_bps, verify_bound_bps, standard_bound_bps) = (
            best(&rounds.engine),
            best(&rounds.full),
            best(&rounds.verify),
            best(&rounds.standard),
        );
        let sequential_bps = sequential.as_ref().map(|s| s.blocks as f64 / s.secs);
        Self {
            blocks: args.blocks,
            peers: args.peers,
            threads: validation.threads,
            cores: validation.cores,
            engine_bps,
            full_verify_bps,
            sequential_bps,
            verify_bound_bps,
            standard_bound_bps,
            speedup: sequential_bps.map(|s| engine_bps / s),
            bound_ratio: engine_bps / verify_bound_bps,
            full_verify_bound_ratio: full_verify_bps / verify_bound_bps,
            anchored_speedup: engine_bps / full_verify_bps,
            verifier_ratio: verify_bound_bps / standard_bound_bps,
            rounds: args.rounds,
            engine_rounds_bps: rounds.engine,
            full_verify_rounds_bps: rounds.full,
            verify_rounds_bps: rounds.verify,
            standard_rounds_bps: rounds.standard,
            engine_peak_rss_bytes: rounds.engine_peak,
            full_verify_peak_rss_bytes: rounds.full_peak,
            sequential_peak_rss_bytes: sequential.map(|s| s.peak_rss_bytes),
            backfill_bps: backfill.blocks as f64 / backfill.secs,
            backfill_bound_ratio: backfill.blocks as f64 / backfill.secs / verify_bound_bps,
            backfill_peak_rss_bytes: backfill.peak_rss_bytes,
            engine_process_threads: rounds.engine_threads,
            bound_blocks: validation.bound_blocks,
            signature_batch: validation.signature_batch,
        }
    }
}

/// The report as a table, with the targets of issues 11 and 27.
fn print_table(report: &BenchReport) {
    let mut table = comfy_table::Table::new();
    table.set_header(["figure", "value", "target"]);
    for (what, value, target) in table_rows(report) {
        table.add_row([what.to_string(), value, target.to_string()]);
    }
    println!("{table}");
    println!(
        "{} blocks, {} serving nodes, {} validation threads on {} cores",
        report.blocks, report.peers, report.threads, report.cores
    );
}

/// Figure, value, target.
fn table_rows(report: &BenchReport) -> Vec<(&'static str, String, &'static str)> {
    let bps = |v: f64| format!("{v:.0} blocks/s");
    let skipped = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("skipped".into(), f);
    [
        (
            "engine sync, anchored (best round)",
            bps(report.engine_bps),
            "",
        ),
        (
            "engine sync, --verify full (best round)",
            bps(report.full_verify_bps),
            "",
        ),
        ("sequential sync", skipped(report.sequential_bps, &bps), ""),
        (
            "speedup (engine / sequential)",
            skipped(report.speedup, &|s| format!("{s:.2}x")),
            "≥ 30 (issue 27)",
        ),
        (
            "anchored / full",
            format!("{:.2}x", report.anchored_speedup),
            "",
        ),
        (
            "verify bound, grouped (engine's; best)",
            bps(report.verify_bound_bps),
            "",
        ),
        (
            "verify bound, standard (blst; best)",
            bps(report.standard_bound_bps),
            "",
        ),
        (
            "grouped / standard",
            format!("{:.2}x", report.verifier_ratio),
            "≥ 1.6",
        ),
        (
            "engine / verify bound",
            format!("{:.2}", report.bound_ratio),
            "≥ 3 (issue 27)",
        ),
        (
            "full verify / verify bound",
            format!("{:.2}", report.full_verify_bound_ratio),
            "≥ 0.9 (issue 11)",
        ),
        (
            "backfill below a checkpoint at the head (best) / verify bound",
            format!(
                "{}, {:.2}",
                bps(report.backfill_bps),
                report.backfill_bound_ratio
            ),
            "≥ 3 (issue 27)",
        ),
    ]
    .into_iter()
    .chain(rss_rows(report))
    .collect()
}

/// The processes' peak RSS: figure, value, target.
fn rss_rows(report: &BenchReport) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "engine process: peak RSS, threads",
            format!(
                "{}, {}",
                mib(report.engine_peak_rss_bytes),
                report.engine_process_threads
            ),
            "< 256 MiB",
        ),
        (
            "full-verify process: peak RSS",
            mib(report.full_verify_peak_rss_bytes),
            "< 256 MiB",
        ),
        (
            "backfill process: peak RSS",
            mib(report.backfill_peak_rss_bytes),
            "< 256 MiB",
        ),
        (
            "sequential process: peak RSS",
            report
                .sequential_peak_rss_bytes
                .map_or("skipped".into(), mib),
            "",
        ),
    ]
}

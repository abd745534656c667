//! `ecsync demo`: the main job. Generates (or reuses) a chain, starts N serving nodes as child processes on
//! loopback with different link speeds, syncs a fresh node with the engine while a progress bar shows height,
//! blocks/s, peers and ETA, syncs another fresh node with the sequential strategy from the same peers, and prints
//! both throughputs and the speedup. Children are killed on every exit path.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ecsync_components::{ChainStore, Strategy, SyncConfig};
use ecsync_systems::chaingen::GenParams;

use super::DemoArgs;
use super::chain::progress_bar;
use super::node::{runtime, shutdown_signal};
use crate::node::{Node, NodeOptions, StopReason};
use crate::store::chain_dir::{GENERATOR_FILE, generate_chain, open_chain_dir};
use crate::store::{SPEC_FILE, STORE_FILE};

/// Emulated links of the serving nodes: (latency ms, bandwidth kB/s), cycled.
const LINKS: [(u64, u64); 4] = [(2, 40_000), (10, 20_000), (25, 10_000), (50, 5_000)];

/// Child processes, killed when dropped.
pub(super) struct Children(pub(super) Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn copy_chain(from: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("cannot clear {}", to.display()))?;
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for f in [SPEC_FILE, STORE_FILE, GENERATOR_FILE] {
        std::fs::copy(from.join(f), to.join(f)).with_context(|| format!("cannot copy {f}"))?;
    }
    Ok(())
}

/// The cached chain of `blocks` blocks from `seed` under `base`, generated if missing or incomplete. Progress
/// and what happened go to stderr when `quiet`.
pub(super) fn cached_chain(
    base: &Path,
    seed: u64,
    blocks: u64,
    quiet: bool,
) -> anyhow::Result<PathBuf> {
    let dir = base.join(format!("chain-seed{seed}-blocks{blocks}"));
    let say = |line: String| {
        if quiet {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    if let Ok((_, store)) = open_chain_dir(&dir)
        && store.head()?.height == blocks
    {
        say(format!("using the cached chain in {}", dir.display()));
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    let bar = progress_bar(blocks, "generating");
    let started = Instant::now();
    let params = GenParams {
        seed,
        ..GenParams::default()
    };
    generate_chain(&dir, params, blocks, |done| bar.set_position(done))?;
    bar.finish_and_clear();
    say(format!(
        "generated {blocks} blocks (4 authorities, 1 KiB payloads, BLS approvals) in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(dir)
}

fn spawn_server(
    exe: &Path,
    data: &Path,
    latency: u64,
    bandwidth: u64,
    log: &Path,
) -> anyhow::Result<(Child, String)> {
    let log_file =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let mut child = Command::new(exe)
        .arg("node")
        .arg("--data")
        .arg(data)
        .args(["--listen", "/ip4/127.0.0.1/tcp/0"])
        .args([
            "--latency-ms",
            &latency.to_string(),
            "--serve-bandwidth",
            &format!("{bandwidth}kB/s"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .stdin(Stdio::null())
        .spawn()
        .context("cannot start a serving node")?;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok);
        let _ = tx.send(first);
        for _ in lines {}
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(addr)) if addr.contains("/p2p/") => Ok((child, addr)),
        _ => {
            let _ = child.kill();
            bail!(
                "a serving node did not print its address; see {}",
                log.display()
            )
        }
    }
}

/// Starts `peers` serving nodes of `chain` (each on its own copy, under `run_dir`), with the [`LINKS`] in turn;
/// `say` gets one line per node. Returns them (killed when dropped) and their listen addresses.
pub(super) fn start_servers(
    exe: &Path,
    chain: &Path,
    run_dir: &Path,
    peers: u64,
    say: impl Fn(String),
) -> anyhow::Result<(Children, Vec<String>)> {
    let mut children = Children(Vec::new());
    let mut addrs = Vec::new();
    for i in 0..peers as usize {
        let data = run_dir.join(format!("peer-{i}"));
        copy_chain(chain, &data)?;
        let (latency, bandwidth) = LINKS[i % LINKS.len()];
        let (child, addr) = spawn_server(
            exe,
            &data,
            latency,
            bandwidth,
            &run_dir.join(format!("peer-{i}.log")),
        )?;
        children.0.push(child);
        say(format!(
            "serving node {i}: {latency} ms latency, {} MB/s: {addr}",
            bandwidth / 1000
        ));
        addrs.push(addr);
    }
    Ok((children, addrs))
}

/// Syncs a fresh node from `peers` with `strategy`; returns (blocks, seconds, head hash).
async fn sync_fresh(
    spec: &Path,
    data: PathBuf,
    peers: &[libp2p::Multiaddr],
    strategy: Strategy,
    label: &str,
) -> anyhow::Result<(u64, f64, String)> {
    if data.exists() {
        std::fs::remove_dir_all(&data)
            .with_context(|| format!("cannot clear {}", data.display()))?;
    }
    let opts = NodeOptions {
        spec: Some(spec.to_path_buf()),
        peers: peers.to_vec(),
        sync: SyncConfig {
            strategy,
            ..SyncConfig::default()
        },
        exit_when_synced: true,
        ..NodeOptions::new(data.clone())
    };
    let started = Instant::now();
    let shutdown = shutdown_signal();
    let node = Node::start(opts).await?;
    let mut status = node.status();
    let bar = progress_bar(0, label);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{label:>10} [{{bar:30}}] {{pos}}/{{len}} {{msg}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    let watcher = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while status.changed().await.is_ok() {
                let s = status.borrow_and_update().clone();
                bar.set_length(s.target_height.max(1));
                bar.set_position(s.current_height);
                let eta = s
                    .estimated_completion_seconds
                    .map_or("?".into(), |e| format!("{e:.0}s"));
                bar.set_message(format!(
                    "{:.0} blocks/s, {} peers, eta {eta}, {:?}",
                    s.blocks_per_second, s.peers_connected, s.state
                ));
            }
        })
    };
    let outcome = node.run_until(true, shutdown).await?;
    watcher.abort();
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    match outcome.reason {
        StopReason::Synced | StopReason::Backfilled => {}
        StopReason::Shutdown => bail!("interrupted"),
        StopReason::EngineStopped | StopReason::Failed => bail!(
            "{label} sync: the engine stopped: {:?}",
            outcome.status.failure
        ),
    }
    let (_, store) = open_chain_dir(&data)?;
    let head = store.head()?;
    Ok((head.height, secs, head.hash.to_hex()))
}

/// Runs the demo.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let chain = cached_chain(&args.dir, args.seed, args.blocks, false)?;
    let (spec, store) = open_chain_dir(&chain)?;
    let expected = store.head()?;
    drop(store);
    let exe = std::env::current_exe().context("cannot find the ecsync executable")?;
    let run_dir = args.dir.join("run");
    std::fs::create_dir_all(&run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;

    let (children, addrs) = start_servers(&exe, &chain, &run_dir, args.peers, |line| {
        println!("{line}");
    })?;
    let addrs = addrs
        .iter()
        .map(|a| a.parse::<libp2p::Multiaddr>())
        .collect::<Result<Vec<_>, _>>()
        .context("a serving node printed a bad address")?;
    let spec_path = chain.join(SPEC_FILE);
    let rt = runtime()?;
    let (blocks, engine_secs, engine_hash) = rt.block_on(sync_fresh(
        &spec_path,
        run_dir.join("fresh-engine"),
        &addrs,
        Strategy::Engine,
        "engine",
    ))?;
    let engine_rate = blocks as f64 / engine_secs;
    println!(
        "engine:     synced {blocks} blocks in {engine_secs:.1} s = {engine_rate:.0} blocks/s, head {engine_hash}"
    );
    if engine_hash != expected.hash.to_hex() {
        bail!(
            "the engine's head {engine_hash} is not the chain's {}",
            expected.hash
        );
    }
    if !args.skip_sequential {
        let (blocks, seq_secs, seq_hash) = rt.block_on(sync_fresh(
            &spec_path,
            run_dir.join("fresh-sequential"),
            &addrs,
            Strategy::Sequential,
            "sequential",
        ))?;
        let seq_rate = blocks as f64 / seq_secs;
        println!(
            "sequential: synced {blocks} blocks in {seq_secs:.1} s = {seq_rate:.0} blocks/s, head {seq_hash}"
        );
        if seq_hash != expected.hash.to_hex() {
            bail!(
                "the sequential head {seq_hash} is not the chain's {}",
                expected.hash
            );
        }
        println!(
            "speedup: {:.1}x ({} peers, {} blocks, chain {} on {} cores)",
            engine_rate / seq_rate,
            args.peers,
            args.blocks,
            spec.chain_id,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
    }
    drop(children);
    Ok(())
}

//! `ecsync devnet`: a small federation on loopback in one command. It makes a chain of `--members` authorities
//! (a dev federation derived from `--seed`, genesis only), one key file per member, and starts every member
//! (`--authority-keys --produce`) and `--followers` plain nodes as child processes, each connected to all started
//! before it. Then it shows every node's head, state, production gate and production counters, refreshed each
//! second, until Ctrl-C (or, with `--until-height H`, until every node holds H). Children are killed on every
//! exit path; their data and logs stay in `--dir`, and a second run in the same directory continues the chain.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ecsync_components::SyncStatus;
use ecsync_systems::chaingen::GenParams;
use serde::{Deserialize, Serialize};

use super::DevnetArgs;
use super::demo::Children;
use super::dump::{Client, NodeUrl};
use super::node::{runtime, shutdown_signal};
use crate::store::SPEC_FILE;
use crate::store::chain_dir::{generate_chain, open_chain_dir};

/// What a devnet directory was made for; a later run must ask for the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DevnetFile {
    members: u64,
    followers: u64,
    slot_ms: u64,
    seed: u64,
}

const DEVNET_FILE: &str = "devnet.json";

/// A node of the devnet.
struct DevNode {
    name: String,
    http: Client,
    log: PathBuf,
}

/// What one poll of a node shows.
#[derive(Default)]
struct Seen {
    status: Option<SyncStatus>,
    produced: u64,
    timeouts: u64,
    votes: u64,
}

/// Runs the devnet.
pub fn run(args: DevnetArgs) -> anyhow::Result<()> {
    let wanted = DevnetFile {
        members: args.members,
        followers: args.followers,
        slot_ms: args.slot_ms,
        seed: args.seed,
    };
    prepare(&args.dir, &wanted)?;
    let (mut children, nodes) = start_nodes(&args)?;
    watch(&args, &nodes, &mut children)
}

/// Starts every member, then every follower, each connected to all started before it.
fn start_nodes(args: &DevnetArgs) -> anyhow::Result<(Children, Vec<DevNode>)> {
    let dir = &args.dir;
    let spec = dir.join("chain").join(SPEC_FILE);
    let exe = std::env::current_exe().context("cannot find the ecsync executable")?;
    let mut children = Children(Vec::new());
    let mut nodes = Vec::new();
    let mut addrs: Vec<String> = Vec::new();
    let roles = (0..args.members)
        .map(|i| (format!("member-{i}"), Some(i)))
        .chain((0..args.followers).map(|j| (format!("follower-{j}"), None)));
    for (name, authority) in roles {
        let log = dir.join(format!("{name}.log"));
        let command = node_command(&exe, dir, &spec, &name, authority.is_some(), &addrs);
        let (child, addr, http) = spawn(command, &log)?;
        children.0.push(child);
        println!("{name}: {addr} (http {http}, log {})", log.display());
        addrs.push(addr);
        nodes.push(DevNode {
            name,
            http: Client::new(NodeUrl::parse(&http)?, Duration::from_secs(2), 1 << 20),
            log,
        });
    }
    Ok((children, nodes))
}

/// `ecsync node` named `name` in `dir`, on loopback, connected to `peers`; a member produces with its keys.
fn node_command(
    exe: &Path,
    dir: &Path,
    spec: &Path,
    name: &str,
    member: bool,
    peers: &[String],
) -> Command {
    let mut command = Command::new(exe);
    command
        .arg("node")
        .arg("--data")
        .arg(dir.join(name))
        .arg("--spec")
        .arg(spec)
        .args(["--listen", "/ip4/127.0.0.1/tcp/0", "--http", "127.0.0.1:0"]);
    if member {
        command
            .arg("--authority-keys")
            .arg(dir.join(format!("{name}.keys")))
            .arg("--produce");
    }
    for addr in peers {
        command.args(["--peer", addr]);
    }
    command
}

/// Shows every node each second until Ctrl-C, a node exits (an error) or, with `--until-height`, every node
/// holds that height.
fn watch(args: &DevnetArgs, nodes: &[DevNode], children: &mut Children) -> anyhow::Result<()> {
    let rt = runtime()?;
    let mut stop = {
        // The handlers register inside the runtime.
        let _inside = rt.enter();
        Box::pin(shutdown_signal())
    };
    let terminal = std::io::stdout().is_terminal();
    let started = Instant::now();
    loop {
        let seen: Vec<Seen> = nodes.iter().map(poll).collect();
        show(nodes, &seen, terminal, started.elapsed(), args.slot_ms)?;
        for (node, child) in nodes.iter().zip(children.0.iter_mut()) {
            if let Ok(Some(code)) = child.try_wait() {
                bail!("{} exited ({code}); see {}", node.name, node.log.display());
            }
        }
        if let Some(h) = args.until_height
            && seen
                .iter()
                .all(|s| s.status.as_ref().is_some_and(|s| s.current_height >= h))
        {
            println!("every node holds height {h}");
            return Ok(());
        }
        let interrupted = rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(1), &mut stop)
                .await
                .is_ok()
        });
        if interrupted {
            println!(
                "stopping the devnet (its data stays in {})",
                args.dir.display()
            );
            return Ok(());
        }
    }
}

/// Makes a new devnet directory (chain, keys, devnet.json), or checks that an existing one is the same devnet.
fn prepare(dir: &Path, wanted: &DevnetFile) -> anyhow::Result<()> {
    let marker = dir.join(DEVNET_FILE);
    if marker.exists() {
        let text = std::fs::read_to_string(&marker)
            .with_context(|| format!("cannot read {}", marker.display()))?;
        let have: DevnetFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a devnet file", marker.display()))?;
        if &have != wanted {
            bail!(
                "{} holds a devnet of {} members, {} followers, {} ms slots, seed {}; give the same, or another --dir",
                dir.display(),
                have.members,
                have.followers,
                have.slot_ms,
                have.seed
            );
        }
        open_chain_dir(&dir.join("chain"))?;
        println!("continuing the devnet in {}", dir.display());
        return Ok(());
    }
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} exists and is not a devnet directory; give an empty or new --dir",
            dir.display()
        );
    }
    let params = GenParams {
        seed: wanted.seed,
        authorities: wanted.members as usize,
        payload_bytes: 0,
        slot_ms: wanted.slot_ms,
        ..GenParams::default()
    };
    let chain = dir.join("chain");
    generate_chain(&chain, params.clone(), 0, |_| {})?;
    let (spec, _) = open_chain_dir(&chain)?;
    let generator = ecsync_systems::chaingen::ChainGenerator::new(params)?;
    for i in 0..wanted.members as usize {
        let file = crate::node::keyfile::dev_key_file(&spec, generator.federation(), &[i]);
        crate::node::keyfile::write_key_file(&dir.join(format!("member-{i}.keys")), &file)?;
    }
    let json = serde_json::to_string_pretty(wanted).expect("serializes");
    crate::util::fs::write_atomic(&marker, json.as_bytes(), false)
        .with_context(|| format!("cannot write {}", marker.display()))?;
    println!(
        "a new devnet in {}: chain {} with {} authorities (quorum {}), {} ms slots",
        dir.display(),
        spec.chain_id,
        spec.authority_count(),
        spec.quorum(),
        spec.slot_duration_ms
    );
    Ok(())
}

/// Starts a node; returns it, its listen address and its HTTP URL (the first two lines it prints).
fn spawn(mut command: Command, log: &Path) -> anyhow::Result<(Child, String, String)> {
    let log_file =
        std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .stdin(Stdio::null())
        .spawn()
        .context("cannot start a node")?;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for _ in 0..2 {
            let _ = tx.send(lines.next().and_then(Result::ok));
        }
        for _ in lines {}
    });
    let line = || rx.recv_timeout(Duration::from_secs(60)).ok().flatten();
    match (line(), line()) {
        (Some(addr), Some(http)) if addr.contains("/p2p/") && http.starts_with("http://") => {
            Ok((child, addr, http))
        }
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            bail!("a node did not start; see {}", log.display())
        }
    }
}

/// The node's status and production counters (what it does not answer stays empty).
fn poll(node: &DevNode) -> Seen {
    let status = node
        .http
        .get_json::<SyncStatus>("/sync/status", "a status")
        .ok();
    let metrics = node
        .http
        .get("/metrics")
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Seen {
        status,
        produced: metric_sum(&metrics, "ecsync_blocks_produced_total"),
        timeouts: metric_sum(&metrics, "ecsync_consensus_timeouts_total"),
        votes: metric_sum(&metrics, "ecsync_consensus_votes_signed_total"),
    }
}

/// The sum of a metric's samples in a Prometheus text exposition.
pub fn metric_sum(text: &str, name: &str) -> u64 {
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

/// Prints the table (redrawn in place on a terminal).
fn show(
    nodes: &[DevNode],
    seen: &[Seen],
    terminal: bool,
    elapsed: Duration,
    slot_ms: u64,
) -> anyhow::Result<()> {
    use comfy_table::CellAlignment::{Left, Right};
    let mut table = super::dump::table(&[
        ("node", Left),
        ("height", Right),
        ("head", Left),
        ("state", Left),
        ("gate", Left),
        ("peers", Right),
        ("produced", Right),
        ("timeouts", Right),
        ("votes", Right),
    ]);
    for (node, s) in nodes.iter().zip(seen) {
        let row: Vec<String> = match &s.status {
            Some(st) => vec![
                node.name.clone(),
                st.current_height.to_string(),
                short(&st.head_hash.to_hex()),
                format!("{:?}{}", st.state, if st.paused { " (paused)" } else { "" }),
                if st.can_produce_blocks {
                    "open"
                } else {
                    "closed"
                }
                .into(),
                st.peers_connected.to_string(),
                s.produced.to_string(),
                s.timeouts.to_string(),
                s.votes.to_string(),
            ],
            None => vec![node.name.clone(), "-".into(), "(no answer)".into()],
        };
        table.add_row(row);
    }
    let mut out = std::io::stdout().lock();
    if terminal {
        write!(out, "\x1b[2J\x1b[H")?;
    }
    writeln!(
        out,
        "devnet: {} nodes, {slot_ms} ms slots, up {:.0} s{}",
        nodes.len(),
        elapsed.as_secs_f64(),
        if terminal { " (Ctrl-C stops it)" } else { "" }
    )?;
    writeln!(out, "{table}")?;
    out.flush()?;
    Ok(())
}

fn short(hex: &str) -> String {
    hex.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::metric_sum;

    #[test]
    fn metric_sums_add_every_label_and_only_that_metric() {
        let text = "# HELP ecsync_slots_skipped_total x\n\
                    ecsync_slots_skipped_total{reason=\"a\"} 2\n\
                    ecsync_slots_skipped_total{reason=\"b\"} 3\n\
                    ecsync_slots_skipped_total_other 7\n\
                    ecsync_blocks_produced_total 5\n";
        assert_eq!(metric_sum(text, "ecsync_slots_skipped_total"), 5);
        assert_eq!(metric_sum(text, "ecsync_blocks_produced_total"), 5);
        assert_eq!(metric_sum(text, "ecsync_missing"), 0);
    }
}

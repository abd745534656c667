//! The `ecsync` command line: argument types (clap) and one module per command group.

pub mod bench;
pub mod chain;
pub mod config;
pub mod demo;
pub mod devnet;
pub mod dump;
pub mod node;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ecsync: a data-oriented block-sync engine for proof-of-authority chains.
#[derive(Debug, Parser)]
#[command(name = "ecsync", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate, verify and inspect chains on disk.
    #[command(subcommand)]
    Chain(ChainCommand),
    /// Run a node: serve the blocks it has, sync those it lacks.
    Node(Box<NodeArgs>),
    /// The main job: N serving nodes on loopback, a fresh node synced by the engine and then by the sequential
    /// strategy, both throughputs and the speedup.
    Demo(DemoArgs),
    /// A local federation on loopback: N producing members and M followers as child processes, every node's
    /// head, state and production gate shown live, until Ctrl-C.
    Devnet(DevnetArgs),
    /// Print a running node's world: peers by score, ranges in flight, pending blocks by stage, state and progress.
    Dump(DumpArgs),
    /// Measure in one run: the engine's and the sequential sync's throughput from serving processes on loopback,
    /// the verification bounds of the grouped and the standard verifier, the syncing process's peak RSS.
    Bench(BenchArgs),
    /// The operator's config file (`ecsync node --config FILE`): print the defaults, check a file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `ecsync config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a default config file: every key, its default value and what it means (TOML, `[sync]` and
    /// `[serve]`).
    Defaults,
    /// Print the effective config of FILE (TOML, defaults filled in), or one line saying what is wrong with it.
    Check(ConfigCheckArgs),
}

/// `ecsync config check`
#[derive(Debug, Args)]
pub struct ConfigCheckArgs {
    /// The config file (TOML).
    pub file: PathBuf,
}

/// `ecsync node`
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Data directory (spec.json, chain.redb, node.key); a generated chain directory is served as it is.
    #[arg(long)]
    pub data: PathBuf,
    /// Spec of the chain, to start a fresh data directory from genesis.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Listen address.
    #[arg(long, default_value = "/ip4/127.0.0.1/tcp/0")]
    pub listen: libp2p::Multiaddr,
    /// A peer to dial (with /p2p/<peer id>); repeat for more.
    #[arg(long = "peer")]
    pub peers: Vec<libp2p::Multiaddr>,
    /// Settings of the engine (`[sync]`) and limits of serving (`[serve]`), TOML; every key optional. Flags that
    /// set the same thing override it. `ecsync config defaults` prints every key with its default.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Sync strategy [default: engine, or the config file's sync.strategy].
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// Whose approvals a sync verifies: `anchored`, the top block's of each downloaded range (the links bind
    /// every block below it to that one quorum aggregate), or `full`, every block's (for auditors)
    /// [default: anchored, or the config file's sync.verify].
    #[arg(long, value_enum, value_name = "MODE")]
    pub verify: Option<VerifyArg>,
    /// Exit 0 once Synced with no peer ahead.
    #[arg(long)]
    pub exit_when_synced: bool,
    /// Exit 0 once the store holds its whole chain: the backfill below a `--checkpoint` reached genesis (at once
    /// for a store synced from genesis). With `--exit-when-synced`, once both hold.
    #[arg(long)]
    pub exit_when_backfilled: bool,
    /// Threads validating blocks: N compute workers besides the engine thread (default: the cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,
    /// Exit non-zero when the sync fails (a stall, a store error) instead of recovering with backoff.
    #[arg(long)]
    pub exit_on_failure: bool,
    /// Checkpoint sync: start an EMPTY store from the trusted block HEIGHT with hash HASH (hex), fetched from
    /// peers, and sync from there; the history below it is fetched in the background, backwards, checked by the
    /// hash chain (backfill). A peer whose block there has another hash is refused.
    #[arg(long, value_parser = parse_checkpoint, value_name = "HEIGHT:HASH")]
    pub checkpoint: Option<(u64, ecsync_components::Hash32)>,
    /// Emulated latency added to every answer this node serves, ms.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub latency_ms: u64,
    /// Emulated serving bandwidth per peer, with its unit: e.g. 250kB/s, 2MB/s, 800B/s (1 kB = 1000 bytes).
    /// Unlimited when absent.
    #[arg(long, value_parser = parse_rate, value_name = "RATE")]
    pub serve_bandwidth: Option<u64>,
    /// Serve /metrics, /sync/status and /debug/world on this address (a bare port binds 127.0.0.1).
    /// A non-loopback address is refused unless `--http-public` is given too.
    #[arg(long, value_parser = crate::node::http::parse_http_addr)]
    pub http: Option<std::net::SocketAddr>,
    /// Allow `--http` on a non-loopback address: anyone who reaches it can read the metrics and dump the world.
    #[arg(long, requires = "http")]
    pub http_public: bool,
    /// Be a federation member holding the authority keys in FILE (`ecsync chain keys` writes one; mode 0600).
    #[arg(long, value_name = "FILE")]
    pub authority_keys: Option<PathBuf>,
    /// Propose blocks in the rounds of the authorities held (`--authority-keys`), only while synced (a member
    /// without it still votes): the agreement decides each block, which is imported and published.
    #[arg(long, requires = "authority_keys")]
    pub produce: bool,
    /// Start with the sync paused: connect and learn the peers' heads, but send no request (no download) and take
    /// no part in the agreement until `POST /sync/resume` on the `--http` address.
    #[arg(long, requires = "http")]
    pub start_paused: bool,
}

/// `--strategy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyArg {
    /// ecsync's engine.
    Engine,
    /// Today's sequential sync (the baseline).
    Sequential,
}

impl From<StrategyArg> for ecsync_components::Strategy {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::Engine => Self::Engine,
            StrategyArg::Sequential => Self::Sequential,
        }
    }
}

/// `--verify`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyArg {
    /// One quorum aggregate per range: its top's; the blocks below it by their links (the default).
    Anchored,
    /// Every block's approval.
    Full,
}

impl From<VerifyArg> for ecsync_components::VerifyMode {
    fn from(v: VerifyArg) -> Self {
        match v {
            VerifyArg::Anchored => Self::Anchored,
            VerifyArg::Full => Self::Full,
        }
    }
}

/// `ecsync demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Serving nodes.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub peers: u64,
    /// Blocks in the chain.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub blocks: u64,
    /// Where the chain is cached and the nodes keep their data.
    #[arg(long, default_value = "demo-data")]
    pub dir: PathBuf,
    /// Seed of the chain.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Skip the sequential run.
    #[arg(long)]
    pub skip_sequential: bool,
}

/// `ecsync devnet`
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Federation members (one authority each, all producing).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub members: u64,
    /// Nodes that only follow.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=16))]
    pub followers: u64,
    /// Aura slot duration, ms.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub slot_ms: u64,
    /// Where the chain, the key files and every node's data and log are kept (a second run continues).
    #[arg(long, default_value = "devnet-data")]
    pub dir: PathBuf,
    /// Seed of the dev federation's keys.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop (exit 0) once every node holds this height.
    #[arg(long, value_name = "HEIGHT")]
    pub until_height: Option<u64>,
}

/// `ecsync bench`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Blocks in the chain.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub blocks: u64,
    /// Serving nodes.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub peers: u64,
    /// Validation threads: the bounds' pool, and the syncing nodes' `--threads` (default: the cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,
    /// Print one JSON object on stdout (progress on stderr).
    #[arg(long)]
    pub json: bool,
    /// Only the engine's sync (for memory runs on long chains: the sequential sync of 200,000 blocks takes
    /// minutes); the sequential figures and the speedup are then null.
    #[arg(long)]
    pub skip_sequential: bool,
    /// Interleaved rounds of the two verification bounds and the engine's sync; the best of each counts.
    #[arg(long, default_value_t = crate::cli::bench::DEFAULT_ROUNDS, value_parser = clap::value_parser!(u64).range(1..=20))]
    pub rounds: u64,
    /// Where the chain is cached and the nodes keep their data.
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// Seed of the chain.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `ecsync dump`
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The node's HTTP base URL (its `--http` address), e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub node: String,
    /// Print the raw world JSON (pretty) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Also list every pending block.
    #[arg(long)]
    pub full: bool,
}

/// `ecsync chain …`
#[derive(Debug, Subcommand)]
pub enum ChainCommand {
    /// Generate a deterministic BLS-approved chain: DIR/spec.json and DIR/chain.redb.
    Generate(GenerateArgs),
    /// Re-validate every stored block from genesis, in parallel; exit non-zero naming the first invalid height.
    Verify(DirArgs),
    /// Print the head's height and hash.
    Head(HeadArgs),
    /// Export the secret keys of some authorities of a generated chain's dev federation (derived from its seed)
    /// to a new key file (mode 0600), for `ecsync node --authority-keys`.
    Keys(KeysArgs),
}

/// `ecsync chain keys`
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// A generated chain's directory (with generator.json).
    pub dir: PathBuf,
    /// An authority (index in the spec) whose key to export; repeat for more.
    #[arg(long = "authority", required = true, value_parser = clap::value_parser!(u64).range(0..64))]
    pub authorities: Vec<u64>,
    /// The key file to create (never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// `ecsync chain generate`
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Output directory (created if missing; must not hold a chain already).
    #[arg(long)]
    pub out: PathBuf,
    /// Blocks after genesis.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub blocks: u64,
    /// Federation size.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub authorities: u64,
    /// Payload bytes per block.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(0..=16_000_000))]
    pub payload_bytes: u64,
    /// Seed of keys, slots and payloads: the same arguments give byte-identical chains.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Aura slot duration in milliseconds.
    #[arg(long, default_value_t = ecsync_components::spec::DEFAULT_SLOT_MS, value_parser = clap::value_parser!(u64).range(1..))]
    pub slot_ms: u64,
    /// Chain id.
    #[arg(long, default_value_t = ecsync_systems::chaingen::DEFAULT_CHAIN_ID)]
    pub chain_id: u64,
}

/// A chain directory argument.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// Directory holding spec.json and chain.redb.
    pub dir: PathBuf,
}

/// `ecsync chain head`
#[derive(Debug, Args)]
pub struct HeadArgs {
    /// Directory holding spec.json and chain.redb.
    pub dir: PathBuf,
    /// Print `{"height":…,"hash":"0x…"}`.
    #[arg(long)]
    pub json: bool,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Chain(ChainCommand::Generate(args)) => chain::generate(&args),
        Command::Chain(ChainCommand::Verify(args)) => chain::verify(&args.dir),
        Command::Chain(ChainCommand::Head(args)) => chain::head(&args.dir, args.json),
        Command::Chain(ChainCommand::Keys(args)) => chain::keys(&args),
        Command::Node(args) => node::run(*args),
        Command::Demo(args) => demo::run(args),
        Command::Devnet(args) => devnet::run(args),
        Command::Dump(args) => dump::run(&args),
        Command::Bench(args) => bench::run(args),
        Command::Config(ConfigCommand::Defaults) => config::defaults(),
        Command::Config(ConfigCommand::Check(args)) => config::check(&args.file),
    }
}

/// Parses a byte rate with its unit (`B/s`, `kB/s`, `MB/s`, `GB/s`; decimal: 1 kB = 1000 bytes) into bytes per
/// second. A bare number is refused: "kbps" reads as kilobits to many, so the unit is always spelled out.
pub fn parse_rate(s: &str) -> Result<u64, String> {
    let units = [
        ("GB/s", 1_000_000_000u64),
        ("MB/s", 1_000_000),
        ("kB/s", 1_000),
        ("KB/s", 1_000),
        ("B/s", 1),
    ];
    let (number, scale) = units
        .iter()
        .find_map(|(unit, scale)| s.strip_suffix(unit).map(|n| (n.trim(), *scale)))
        .ok_or_else(|| format!("{s:?} needs a unit: B/s, kB/s, MB/s or GB/s (e.g. 250kB/s)"))?;
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{number:?} is not a number (in {s:?})"))?;
    let bytes = value * scale as f64;
    if !(bytes.is_finite() && (1.0..=1e12).contains(&bytes)) {
        return Err(format!("{s} is outside 1 B/s ..= 1000 GB/s"));
    }
    Ok(bytes.round() as u64)
}

/// Parses `HEIGHT:HASH` (a height above 0, a 32-byte hash in hex, with or without `0x`).
pub fn parse_checkpoint(s: &str) -> Result<(u64, ecsync_components::Hash32), String> {
    let (height, hash) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not HEIGHT:HASH"))?;
    let height: u64 = height
        .trim()
        .parse()
        .map_err(|_| format!("{height:?} is not a height (in {s:?})"))?;
    if height == 0 {
        return Err("the checkpoint height must be above 0 (genesis is in the spec)".into());
    }
    let hash = ecsync_components::Hash32::from_hex(hash.trim())
        .map_err(|e| format!("{hash:?} is not a 32-byte hex hash: {e}"))?;
    Ok((height, hash))
}

#[cfg(test)]
mod tests {
    use super::{parse_checkpoint, parse_rate};

    #[test]
    fn checkpoints_are_height_colon_hash() {
        let hash = "ab".repeat(32);
        let (h, parsed) = parse_checkpoint(&format!("1200:{hash}")).unwrap();
        assert_eq!((h, parsed.to_hex()), (1200, format!("0x{hash}")));
        assert_eq!(parse_checkpoint(&format!("7:0x{hash}")).unwrap().0, 7);
        for bad in [
            "1200".to_string(),
            format!("0:{hash}"),
            format!("x:{hash}"),
            "5:abcd".to_string(),
            format!("5:{}", "zz".repeat(32)),
        ] {
            assert!(parse_checkpoint(&bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn rates_need_a_unit_and_a_sane_size() {
        assert_eq!(parse_rate("250kB/s"), Ok(250_000));
        assert_eq!(parse_rate("2MB/s"), Ok(2_000_000));
        assert_eq!(parse_rate("1.5 MB/s"), Ok(1_500_000));
        assert_eq!(parse_rate("800B/s"), Ok(800));
        for bad in [
            "250", "250kbps", "kB/s", "-1kB/s", "0B/s", "NaNMB/s", "1e9GB/s",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad} accepted");
        }
    }
}

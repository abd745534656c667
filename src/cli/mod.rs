//! The `ecsync` command line: argument types (clap) and one module per command group.

pub mod chain;

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
    }
}

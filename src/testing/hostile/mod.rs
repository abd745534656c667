//! Hostile peers and a moving head, as real processes: the `ecsync-hostile` binary (`main.rs`, built only with
//! the `test-utils` feature; the process tests start it through `tests/common`). It is `ecsync node` plus
//!
//! - `--misbehave KIND` ([`misbehave`]): serve the chain broken in one way, or, for the member kinds
//!   `equivocate` and `double-vote` (with `--authority-keys FILE`), break the agreement ([`consensus`]);
//! - `--extend-every-ms N` ([`extend`]): extend the generated chain on a timer.
//!
//! Both go through the node's fault-injection points ([`NodeHooks`], implemented by [`Hostile`]): the served
//! [`BlockSource`] wrapped, the network's [`ServeFaults`], a hook before every tick, the network events seen and
//! the requests rewritten. The node we ship has none of this: `ecsync node` knows neither flag.

pub mod consensus;
pub mod extend;
pub mod misbehave;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use ecsync_components::{ChainSpec, NetEvent, Request};
use ecsync_systems::chaingen::ChainGenerator;

use crate::cli::NodeArgs;
use crate::engine::SyncEngine;
use crate::network::{BlockSource, NoFaults, ServeFaults};
use crate::node::NodeHooks;
use crate::store::chain_dir::load_generator;
use consensus::ConsensusFaults;
use extend::Extender;
use misbehave::{Misbehaving, Misbehaviour};

/// ecsync-hostile: an ecsync node that misbehaves on purpose, for tests only. Never on a real network.
#[derive(Debug, Parser)]
#[command(name = "ecsync-hostile", version)]
pub struct HostileCli {
    /// What to do.
    #[command(subcommand)]
    pub command: HostileCommand,
}

/// Its commands.
#[derive(Debug, Subcommand)]
pub enum HostileCommand {
    /// `ecsync node` with the hostile modes.
    Node(Box<HostileNodeArgs>),
}

/// `ecsync-hostile node`: every flag of `ecsync node`, and the hostile modes.
#[derive(Debug, Args)]
pub struct HostileNodeArgs {
    /// The node's flags.
    #[command(flatten)]
    pub node: NodeArgs,
    /// Serve the chain broken in this way (a hostile peer).
    #[arg(long, value_enum, value_name = "KIND")]
    pub misbehave: Option<Misbehaviour>,
    /// Misbehave only in answers to requests starting below HEIGHT (the kinds that change what is served):
    /// honest at and above it, e.g. a server that hands out a checkpoint's block honestly and breaks the
    /// history below it (a backfill's).
    #[arg(long, value_name = "HEIGHT", requires = "misbehave")]
    pub misbehave_below: Option<u64>,
    /// Extend the (generated) chain by one block every N ms, signed with every key of the dev federation, in
    /// lockstep with other nodes of the same seed, ignoring the production gate (0: never).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=86_400_000))]
    pub extend_every_ms: u64,
}

/// Runs `ecsync-hostile`'s command.
pub fn run(cli: HostileCli) -> anyhow::Result<()> {
    match cli.command {
        HostileCommand::Node(args) => {
            let hooks = Hostile {
                data: args.node.data.clone(),
                authority_keys: args.node.authority_keys.clone(),
                misbehave: args.misbehave,
                misbehave_below: args.misbehave_below,
                extend_every_ms: args.extend_every_ms,
                extender: None,
                consensus: None,
            };
            crate::cli::node::run_with(args.node, Box::new(hooks))
        }
    }
}

/// The hostile modes, injected into a node.
pub struct Hostile {
    /// The node's data dir (its `generator.json`).
    pub data: PathBuf,
    /// The member's key file (`--authority-keys`), which the member kinds sign with.
    pub authority_keys: Option<PathBuf>,
    /// How it serves the chain broken, if at all.
    pub misbehave: Option<Misbehaviour>,
    /// Only in answers to requests starting below this height, if given.
    pub misbehave_below: Option<u64>,
    /// Extend the chain every this many ms (0: never).
    pub extend_every_ms: u64,
    /// The extender, once the chain is known.
    extender: Option<Extender>,
    /// The member kinds' rewriting of proposals and votes, once the keys are loaded.
    consensus: Option<ConsensusFaults>,
}

impl NodeHooks for Hostile {
    fn serve_from(
        &mut self,
        spec: &ChainSpec,
        honest: Arc<dyn BlockSource>,
    ) -> Result<Arc<dyn BlockSource>, Box<dyn std::error::Error + Send + Sync>> {
        if self.extend_every_ms > 0 {
            let generator = chain_generator(&self.data, spec, "--extend-every-ms")?;
            tracing::warn!(
                "--extend-every-ms: extending the chain on a timer with every key, ignoring the production gate \
                 (a test node; real nodes produce with --authority-keys and --produce)"
            );
            self.extender = Some(Extender::new(generator, self.extend_every_ms));
        }
        let Some(kind) = self.misbehave else {
            return Ok(honest);
        };
        if let Some(fault) = kind.consensus_fault() {
            let path = self.authority_keys.as_ref().with_context(|| {
                format!(
                    "--misbehave {kind:?} is a federation member: it needs --authority-keys FILE"
                )
            })?;
            let keys = crate::node::keyfile::load_member_keys(path, spec)?;
            tracing::warn!(
                "misbehaving on purpose as authorities {:?}: {kind:?} (a test node; never use on a real network)",
                keys.authorities()
            );
            self.consensus = Some(ConsensusFaults::new(fault, keys));
            return Ok(honest);
        }
        let generator = chain_generator(&self.data, spec, "--misbehave").ok();
        let source =
            Misbehaving::new(honest, kind, spec.clone(), generator)?.below(self.misbehave_below);
        tracing::warn!(
            "misbehaving on purpose: {kind:?}{} (a test node; never use on a real network)",
            self.misbehave_below
                .map_or(String::new(), |h| format!(" below height {h}"))
        );
        Ok(Arc::new(source))
    }

    fn serve_faults(&self) -> Arc<dyn ServeFaults> {
        match self.misbehave {
            Some(kind) => Arc::new(kind),
            None => Arc::new(NoFaults),
        }
    }

    fn before_tick(&mut self, engine: &mut SyncEngine, now_ms: u64) {
        if let Some(extender) = &mut self.extender {
            extender.before_tick(engine, now_ms);
        }
    }

    fn incoming(&mut self, event: &NetEvent) {
        if let Some(consensus) = &mut self.consensus {
            consensus.incoming(event);
        }
    }

    fn outgoing(&mut self, requests: &mut Vec<Request>, _now_ms: u64) {
        if let Some(consensus) = &mut self.consensus {
            consensus.outgoing(requests);
        }
    }
}

/// The generator of the chain in `data` (which must be a generated chain), for `what` (a flag that needs it).
pub fn chain_generator(
    data: &Path,
    spec: &ChainSpec,
    what: &str,
) -> anyhow::Result<ChainGenerator> {
    let params = load_generator(data)?.with_context(|| {
        format!(
            "{what} needs a generated chain ({} has no generator.json)",
            data.display()
        )
    })?;
    let generator = ChainGenerator::new(params)?;
    if generator.spec() != spec {
        bail!(
            "generator.json does not describe the chain in {}",
            data.display()
        );
    }
    Ok(generator)
}

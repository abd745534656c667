//! The node: the engine on its own thread, the libp2p network on tokio, the redb store shared between them (the
//! engine writes, the network serves reads). The engine thread runs the node's main loop (`main_loop.rs`):
//! network events go to `handle`, a tick interval (brought forward by events) calls `tick`, the outbox becomes
//! requests. Validation runs on that thread and the compute pool, never on the network's, so the network stays
//! responsive while blocks validate. [`Node::start`] goes step by step: the data dir, the member's keys, what is
//! served ([`Source`] over the store), the network, HTTP, the engine thread. [`hooks`] holds the points where a
//! wrapper may inject faults from outside (tests only; the node we ship injects none).

pub mod checkpoint_sync;
pub mod config_file;
pub mod error;
pub mod hooks;
pub mod http;
pub mod keyfile;
mod main_loop;
pub mod metrics;
mod source;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecsync_components::backfill::BackfillState;
use ecsync_components::{ChainSpec, NetEvent, SyncConfig, SyncState, SyncStatus};
use libp2p::Multiaddr;
use libp2p::identity::Keypair;
use tokio::sync::watch;

use crate::engine::SyncEngine;
use crate::network::{
    BlockSource, CHANNEL_CAPACITY, Network, NetworkConfig, NetworkHandle, ServeFaults, ServeLimits,
    load_or_create_keypair,
};
use crate::node::checkpoint_sync::{Input, TrustedCheckpoint, start_from_checkpoint};
use crate::node::error::NodeError;
use crate::node::http::{ControlRequester, DumpRequester, HttpState};
use crate::node::main_loop::{EngineInput, MainLoop, try_send};
use crate::node::metrics::Metrics;
use crate::store::approvals::ApprovalDb;
use crate::store::chain_dir::load_spec;
use crate::store::{RedbStore, SPEC_FILE, STORE_FILE};
use crate::util::fs::IoError;
use ecsync_systems::consensus::MemberKeys;
pub use hooks::{NoHooks, NodeHooks};
pub(crate) use source::Source;

/// Name of the node's identity key file in its data dir.
pub const KEY_FILE: &str = "node.key";

/// How a node runs.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// Data directory: spec.json, chain.redb, node.key (and generator.json for a generated chain).
    pub data: PathBuf,
    /// Spec to start a fresh data dir from.
    pub spec: Option<PathBuf>,
    /// Listen address.
    pub listen: Multiaddr,
    /// Bootnodes.
    pub peers: Vec<Multiaddr>,
    /// The engine's settings (`--config`'s `[sync]`, `--strategy`).
    pub sync: SyncConfig,
    /// Raise `sync.validate_per_tick` to one `signature_batch` per compute worker when that is more (unless the
    /// config file sets it).
    pub auto_validate_per_tick: bool,
    /// Exit once Synced with no peer ahead.
    pub exit_when_synced: bool,
    /// Exit once the store holds its whole chain (the backfill reached genesis); with `exit_when_synced`, once
    /// both hold.
    pub exit_when_backfilled: bool,
    /// Stop (non-zero exit) when the engine fails, instead of recovering.
    pub exit_on_failure: bool,
    /// Start an empty store from this trusted block (height, hash): checkpoint sync.
    pub checkpoint: Option<(u64, ecsync_components::Hash32)>,
    /// Emulated latency added to each answer served, ms.
    pub latency_ms: u64,
    /// Emulated serving bandwidth per peer, bytes per second (0 = unlimited).
    pub serve_bytes_per_sec: u64,
    /// The federation member's key file (`--authority-keys`).
    pub authority_keys: Option<PathBuf>,
    /// Produce blocks in this member's slots (needs `authority_keys`).
    pub produce: bool,
    /// Start paused (until the operator resumes).
    pub start_paused: bool,
    /// Engine tick interval, ms.
    pub tick_ms: u64,
    /// Serve /metrics, /sync/status and /debug/world here.
    pub http: Option<std::net::SocketAddr>,
    /// The limits on serving peers and on connections.
    pub limits: ServeLimits,
}

impl NodeOptions {
    /// Options for a data dir with everything else at its default.
    pub fn new(data: PathBuf) -> Self {
        Self {
            data,
            spec: None,
            listen: "/ip4/127.0.0.1/tcp/0".parse().expect("valid multiaddr"),
            peers: Vec::new(),
            sync: SyncConfig::default(),
            auto_validate_per_tick: true,
            exit_when_synced: false,
            exit_when_backfilled: false,
            exit_on_failure: false,
            checkpoint: None,
            latency_ms: 0,
            serve_bytes_per_sec: 0,
            authority_keys: None,
            produce: false,
            start_paused: false,
            tick_ms: 20,
            http: None,
            limits: ServeLimits::default(),
        }
    }

    /// The engine's settings, checked: the config's, with `validate_per_tick` raised when asked.
    fn sync_config(&self) -> Result<SyncConfig, NodeError> {
        let mut config = self.sync.clone();
        if self.auto_validate_per_tick {
            // Every compute worker gets a signature batch each tick.
            config.validate_per_tick = config
                .validate_per_tick
                .max(crate::engine::compute_workers().saturating_mul(config.signature_batch));
        }
        config.check()?;
        Ok(config)
    }

    /// The network's configuration for `spec`'s chain.
    fn net_config(
        &self,
        spec: &ChainSpec,
        keypair: Keypair,
        faults: Arc<dyn ServeFaults>,
    ) -> NetworkConfig {
        NetworkConfig {
            bootnodes: self.peers.clone(),
            latency_ms: self.latency_ms,
            serve_bytes_per_sec: self.serve_bytes_per_sec,
            limits: self.limits,
            faults,
            ..NetworkConfig::new(keypair, self.listen.clone(), spec)
        }
    }

    /// The federation member's keys and vote file (`--authority-keys`), if it is one.
    fn member(&self, spec: &ChainSpec) -> Result<Option<(MemberKeys, ApprovalDb)>, NodeError> {
        if self.produce && self.authority_keys.is_none() {
            return Err(NodeError::ProduceWithoutKeys);
        }
        let Some(path) = &self.authority_keys else {
            return Ok(None);
        };
        let keys = crate::node::keyfile::load_member_keys(path, spec)?;
        let memory_path = crate::store::approvals::approval_db_path(path);
        // Locked per authority, machine-wide: a copy of the key file elsewhere cannot sign beside this node.
        let memory = ApprovalDb::open_member(&memory_path, spec, &keys.authorities())?;
        tracing::info!(
            "a member of the federation: authorities {:?} (keys from {}, round state kept in {})",
            keys.authorities(),
            path.display(),
            memory_path.display()
        );
        Ok(Some((keys, memory)))
    }
}

/// Opens (or initialises from `--spec`) a node's data dir: its spec and store.
pub fn open_data_dir(
    data: &Path,
    spec: Option<&Path>,
) -> Result<(ChainSpec, RedbStore), NodeError> {
    std::fs::create_dir_all(data).map_err(IoError::on("create data dir", data.display()))?;
    let spec_path = data.join(SPEC_FILE);
    let chain_spec = match (spec_path.exists(), spec) {
        (true, given) => {
            let own = load_spec(&spec_path)?;
            if let Some(given) = given {
                let other = load_spec(given)?;
                if other != own {
                    return Err(NodeError::OtherChain {
                        data: data.display().to_string(),
                        own: Box::new(own),
                        given: given.display().to_string(),
                        other: Box::new(other),
                    });
                }
            }
            own
        }
        (false, Some(given)) => {
            let spec = load_spec(given)?;
            crate::util::fs::write_atomic(&spec_path, spec.to_json().as_bytes(), false)
                .map_err(IoError::on("write", spec_path.display()))?;
            spec
        }
        (false, None) => return Err(NodeError::NoSpec(data.display().to_string())),
    };
    let store = RedbStore::open_or_create(&data.join(STORE_FILE), &chain_spec)?;
    Ok((chain_spec, store))
}

/// Whether a store started with `--checkpoint` still needs its trusted block: yes when it is empty; no when it
/// already holds that block (a restart); an error when it holds another chain above genesis.
fn check_checkpoint_start(store: &RedbStore, cp: TrustedCheckpoint) -> Result<bool, NodeError> {
    use ecsync_components::ChainStore;
    let head = store.head()?;
    if head.height == 0 {
        return Ok(true);
    }
    let stored = store.block(cp.height)?.map(|b| b.hash());
    match stored {
        Some(hash) if hash == cp.hash => Ok(false),
        Some(stored) => Err(NodeError::CheckpointConflict {
            height: cp.height,
            hash: cp.hash,
            stored,
        }),
        None => Err(NodeError::CheckpointNotEmpty {
            height: cp.height,
            hash: cp.hash,
            head: head.height,
        }),
    }
}

/// How a node run ended.
#[derive(Debug, Clone)]
pub struct NodeOutcome {
    /// The last status.
    pub status: SyncStatus,
    /// Why it stopped.
    pub reason: StopReason,
}

/// Why a node stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Synced with no peer ahead, with `--exit-when-synced`.
    Synced,
    /// The store holds its whole chain (the backfill reached genesis), with `--exit-when-backfilled` (and
    /// synced too, if `--exit-when-synced`).
    Backfilled,
    /// Ctrl-C, SIGTERM, or the caller's shutdown signal.
    Shutdown,
    /// The engine thread ended by itself (it panicked); the engine's own Failed state recovers and never stops
    /// the node…
    EngineStopped,
    /// …unless the node runs with `--exit-on-failure`: the engine entered Failed.
    Failed,
}

/// What `run_until` watches in each status: when to stop, and the one log line per failure.
struct StatusWatch {
    exit_when_synced: bool,
    exit_when_backfilled: bool,
    exit_on_failure: bool,
    /// The previous status was Failed (a failure is logged when it starts, not on every status).
    was_failed: bool,
    /// The backfill's state in the previous status (its end is logged once).
    backfill: Option<BackfillState>,
}

impl StatusWatch {
    /// A watch stopping on the given conditions.
    fn new(exit_when_synced: bool, exit_when_backfilled: bool, exit_on_failure: bool) -> Self {
        Self {
            exit_when_synced,
            exit_when_backfilled,
            exit_on_failure,
            was_failed: false,
            backfill: None,
        }
    }

    /// Why to stop now, if at all.
    fn on_status(&mut self, s: &SyncStatus) -> Option<StopReason> {
        self.log_backfill(s);
        let synced = s.state == SyncState::Synced
            && s.peers_connected > 0
            && s.current_height >= s.target_height;
        let backfilled = s.lowest_height == 0;
        if (self.exit_when_synced || self.exit_when_backfilled)
            && (synced || !self.exit_when_synced)
            && (backfilled || !self.exit_when_backfilled)
        {
            return Some(if self.exit_when_backfilled {
                StopReason::Backfilled
            } else {
                StopReason::Synced
            });
        }
        let failed = s.state == SyncState::Failed;
        let entered = failed && !self.was_failed;
        self.was_failed = failed;
        if !entered {
            return None;
        }
        let failure = s
            .failure
            .as_ref()
            .map_or("unknown".into(), |f| f.to_string());
        if self.exit_on_failure {
            tracing::error!("sync failed: {failure}; stopping (--exit-on-failure)");
            return Some(StopReason::Failed);
        }
        tracing::warn!("sync failed: {failure}; recovering after a backoff");
        None
    }

    /// Logs the backfill's end once: complete (with its rate) or stopped (with why).
    fn log_backfill(&mut self, s: &SyncStatus) {
        let Some(b) = &s.backfill else {
            return;
        };
        if self.backfill == Some(b.state) {
            return;
        }
        self.backfill = Some(b.state);
        match b.state {
            BackfillState::Running => tracing::info!(
                "backfill: fetching the history below height {} in the background",
                b.lowest_height
            ),
            BackfillState::Complete => tracing::info!(
                "backfill complete: {} blocks in {:.2} s ({:.0} blocks/s); the store holds its chain from genesis",
                b.blocks,
                b.seconds,
                b.blocks_per_second
            ),
            BackfillState::Stopped => tracing::error!(
                "backfill stopped at height {}: {}",
                b.lowest_height,
                b.stopped.as_deref().unwrap_or("unknown")
            ),
            BackfillState::Idle => {}
        }
    }
}

/// A running node.
pub struct Node {
    network: NetworkHandle,
    status: watch::Receiver<SyncStatus>,
    input: mpsc::SyncSender<EngineInput>,
    http_addr: Option<std::net::SocketAddr>,
    engine_thread: Option<std::thread::JoinHandle<Result<(), NodeError>>>,
    exit_on_failure: bool,
    exit_when_backfilled: bool,
}

/// What the engine thread starts with.
struct EngineStart {
    boot: Boot,
    member: Option<(MemberKeys, ApprovalDb)>,
    produce: bool,
    start_paused: bool,
    tick: Duration,
    hooks: Box<dyn NodeHooks>,
}

impl Node {
    /// Starts a node: opens its data dir, starts the network and the engine thread. Call inside a tokio runtime.
    pub async fn start(opts: NodeOptions) -> Result<Self, NodeError> {
        Self::start_with(opts, Box::new(NoHooks)).await
    }

    /// [`Node::start`] with `hooks` injected (see [`hooks`]; the node we ship runs [`NoHooks`]).
    pub async fn start_with(
        opts: NodeOptions,
        mut hooks: Box<dyn NodeHooks>,
    ) -> Result<Self, NodeError> {
        let (spec, mut store) = open_data_dir(&opts.data, opts.spec.as_deref())?;
        let member = opts.member(&spec)?;
        let keypair = load_or_create_keypair(&opts.data.join(KEY_FILE))?;
        let honest: Arc<dyn BlockSource> = Arc::new(Source::new(store.reader()));
        let block_cache = store.shared_block_cache();
        let source = hooks.serve_from(&spec, honest).map_err(NodeError::Hook)?;
        let mut net_config = opts.net_config(&spec, keypair, hooks.serve_faults());
        net_config.member_keys = member.as_ref().map(|(keys, _)| Arc::new(keys.clone()));
        let config = opts.sync_config()?;
        store.keep_checkpoints(config.max_checkpoints);
        let mut initial = SyncStatus::starting(ecsync_components::ChainStore::head(&store)?);
        // An empty store started from a checkpoint holds nothing below it, from the start.
        initial.lowest_height = match opts.checkpoint {
            Some((height, _)) if initial.current_height == 0 => height,
            _ => store.anchor().height,
        };
        let boot = Boot::new(&opts, store, spec, config)?;
        let (network, events) = Network::start(net_config, source).await?;
        let mut metrics = Metrics::new();
        metrics.watch_block_cache(block_cache);
        // Bounded end to end: the forwarding thread waits when the engine's input is full, the network's event
        // channel then fills, and the swarm task drops (and counts) events rather than waiting.
        let (input, input_rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
        forward_events(events, input.clone())?;
        let (status_tx, status) = watch::channel(initial);
        let http_addr = match opts.http {
            None => None,
            Some(addr) => Some(serve_http(addr, &input, &status, &metrics, &network).await?),
        };
        let start = EngineStart {
            boot,
            member,
            produce: opts.produce,
            start_paused: opts.start_paused,
            tick: Duration::from_millis(opts.tick_ms.max(1)),
            hooks,
        };
        let engine_thread = spawn_engine(start, input_rx, network.clone(), status_tx, metrics)?;
        Ok(Self {
            network,
            status,
            input,
            http_addr,
            engine_thread: Some(engine_thread),
            exit_on_failure: opts.exit_on_failure,
            exit_when_backfilled: opts.exit_when_backfilled,
        })
    }

    /// The full listen address, with `/p2p/<peer id>`.
    pub fn listen_addr(&self) -> Multiaddr {
        self.network.listen_addr()
    }

    /// The bound HTTP address, when serving HTTP.
    pub fn http_addr(&self) -> Option<std::net::SocketAddr> {
        self.http_addr
    }

    /// The latest status (updated every tick).
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Runs until `--exit-when-synced` holds (if `exit_when_synced`), the engine fails (with
    /// `--exit-on-failure`), or `shutdown` resolves; then stops the engine (with a final durable checkpoint) and
    /// the network. Each failure is logged once, when the engine enters Failed.
    pub async fn run_until(
        self,
        exit_when_synced: bool,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<NodeOutcome, NodeError> {
        let mut status = self.status.clone();
        tokio::pin!(shutdown);
        let mut watch = StatusWatch::new(
            exit_when_synced,
            self.exit_when_backfilled,
            self.exit_on_failure,
        );
        let reason = loop {
            if let Some(reason) = watch.on_status(&status.borrow_and_update()) {
                break reason;
            }
            tokio::select! {
                changed = status.changed() => if changed.is_err() { break StopReason::EngineStopped },
                () = &mut shutdown => break StopReason::Shutdown,
            }
        };
        let last = self.status.borrow().clone();
        self.stop().await?;
        Ok(NodeOutcome {
            status: last,
            reason,
        })
    }

    /// Stops the engine (final checkpoint) and the network.
    pub async fn stop(mut self) -> Result<(), NodeError> {
        // The engine drains its input, so this wait ends; off the runtime's worker, as it may wait.
        let input = self.input.clone();
        let _ = tokio::task::spawn_blocking(move || input.send(EngineInput::Stop).is_ok()).await;
        let result = match self.engine_thread.take() {
            Some(t) => tokio::task::spawn_blocking(move || t.join())
                .await
                .map_err(|_| NodeError::EnginePanicked)?
                .map_err(|_| NodeError::EnginePanicked)?,
            None => Ok(()),
        };
        self.network.clone().shutdown().await;
        result
    }
}

/// The engine, or what is needed to build it once the checkpoint's block is fetched.
enum Boot {
    /// Built.
    Ready(Box<SyncEngine>),
    /// `--checkpoint` on an empty store: fetched first, on the engine thread.
    Anchor(Box<AnchorBoot>),
}

/// What building the engine after a checkpoint sync needs.
struct AnchorBoot {
    store: RedbStore,
    spec: ChainSpec,
    config: SyncConfig,
    checkpoint: TrustedCheckpoint,
}

impl Boot {
    /// The engine, built now (so that its errors are the start's), or, with `--checkpoint` on an empty store,
    /// what building it once the checkpoint's block is fetched needs.
    fn new(
        opts: &NodeOptions,
        store: RedbStore,
        spec: ChainSpec,
        config: SyncConfig,
    ) -> Result<Self, NodeError> {
        let checkpoint = opts
            .checkpoint
            .map(|(height, hash)| TrustedCheckpoint { height, hash });
        if let Some(checkpoint) = checkpoint
            && check_checkpoint_start(&store, checkpoint)?
        {
            return Ok(Boot::Anchor(Box::new(AnchorBoot {
                store,
                spec,
                config,
                checkpoint,
            })));
        }
        Ok(Boot::Ready(Box::new(SyncEngine::new(
            spec,
            config,
            Box::new(store),
        )?)))
    }

    /// The engine: built, or built after fetching the checkpoint's block (None: the node stopped meanwhile). The
    /// network events seen while fetching are handed to it; dump requests meanwhile are answered with an error.
    fn engine(
        self,
        input: &mpsc::Receiver<EngineInput>,
        net: &NetworkHandle,
    ) -> Result<Option<SyncEngine>, NodeError> {
        let AnchorBoot {
            mut store,
            spec,
            config,
            checkpoint,
        } = match self {
            Boot::Ready(engine) => return Ok(Some(*engine)),
            Boot::Anchor(boot) => *boot,
        };
        let recv = |wait| match input.recv_timeout(wait) {
            Ok(EngineInput::Net(event)) => Input::Event(event),
            Ok(EngineInput::Dump { reply, .. }) => {
                let _ = reply.send(Err("the node is fetching its checkpoint's block".into()));
                Input::Idle
            }
            Ok(EngineInput::Control { reply, .. }) => {
                let _ = reply.send(Err("the node is fetching its checkpoint's block".into()));
                Input::Idle
            }
            Ok(EngineInput::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => Input::Stop,
            Err(mpsc::RecvTimeoutError::Timeout) => Input::Idle,
        };
        let Some(seen) = start_from_checkpoint(&mut store, &spec, checkpoint, net, recv)? else {
            return Ok(None);
        };
        let mut engine = SyncEngine::new(spec, config, Box::new(store))?;
        for event in seen {
            engine.handle(event);
        }
        Ok(Some(engine))
    }
}

/// A thread handing the network's events to the engine's input; it ends with the network (or the engine).
fn forward_events(
    mut events: tokio::sync::mpsc::Receiver<NetEvent>,
    forward: mpsc::SyncSender<EngineInput>,
) -> Result<(), NodeError> {
    std::thread::Builder::new()
        .name("ecsync-net-events".into())
        .spawn(move || {
            while let Some(event) = events.blocking_recv() {
                if forward.send(EngineInput::Net(event)).is_err() {
                    break;
                }
            }
        })
        .map_err(IoError::on("start", "the network event thread"))?;
    Ok(())
}

/// Serves HTTP on `addr`: the status, the metrics, dumps, and (on loopback only) the operator's control.
async fn serve_http(
    addr: std::net::SocketAddr,
    input: &mpsc::SyncSender<EngineInput>,
    status: &watch::Receiver<SyncStatus>,
    metrics: &Metrics,
    network: &NetworkHandle,
) -> Result<std::net::SocketAddr, NodeError> {
    let dump_input = Mutex::new(input.clone());
    let dump: DumpRequester =
        Arc::new(move |full, reply| try_send(&dump_input, EngineInput::Dump { full, reply }));
    // Anyone who reaches a public address could stop the sync: control stays on loopback.
    let control: Option<ControlRequester> = addr.ip().is_loopback().then(|| {
        let control_input = Mutex::new(input.clone());
        Arc::new(move |command, reply| {
            try_send(&control_input, EngineInput::Control { command, reply })
        }) as ControlRequester
    });
    let state = HttpState {
        status: status.clone(),
        metrics: metrics.clone(),
        dump,
        dump_limits: Arc::default(),
        control,
        control_limits: Arc::default(),
        network: Some(network.clone()),
    };
    Ok(crate::node::http::serve(addr, state).await?)
}

/// Starts the engine thread: builds the engine (after fetching the checkpoint's block, if it must), makes it a
/// member, then runs the main loop.
fn spawn_engine(
    start: EngineStart,
    input: mpsc::Receiver<EngineInput>,
    net: NetworkHandle,
    status: watch::Sender<SyncStatus>,
    metrics: Metrics,
) -> Result<std::thread::JoinHandle<Result<(), NodeError>>, NodeError> {
    std::thread::Builder::new()
        .name("ecsync-engine".into())
        .spawn(move || {
            let Some(mut engine) = start.boot.engine(&input, &net)? else {
                return Ok(());
            };
            if let Some((keys, memory)) = start.member {
                engine.set_member(keys, Box::new(memory));
                engine.set_producing(start.produce);
            }
            if start.start_paused {
                engine.set_paused(true);
                tracing::info!("started paused: POST /sync/resume to begin");
            }
            MainLoop {
                engine,
                input,
                net,
                status,
                metrics,
                tick: start.tick,
                hooks: start.hooks,
            }
            .run()
        })
        .map_err(|e| IoError::on("start", "the engine thread")(e).into())
}

#[cfg(test)]
mod watch_tests {
    use super::*;
    use ecsync_components::{BlockRef, Failure};

    fn status(state: SyncState) -> SyncStatus {
        let mut s = SyncStatus::starting(BlockRef::default());
        s.state = state;
        s.peers_connected = 1;
        if state == SyncState::Failed {
            s.failure = Some(Failure::Import {
                height: 1,
                error: "disk".into(),
            });
        }
        s
    }

    #[test]
    fn a_failure_stops_the_node_only_with_exit_on_failure() {
        let run = |exit_on_failure| {
            let mut w = StatusWatch::new(false, false, exit_on_failure);
            [
                SyncState::DownloadingBlocks,
                SyncState::Failed,
                SyncState::Failed,
                SyncState::Discovering,
                SyncState::Synced,
            ]
            .map(|state| w.on_status(&status(state)))
        };
        assert_eq!(run(false), [None; 5], "recovering, never stopping");
        assert_eq!(run(true)[1], Some(StopReason::Failed));
        let mut w = StatusWatch::new(true, false, false);
        assert_eq!(
            w.on_status(&status(SyncState::Synced)),
            Some(StopReason::Synced)
        );
    }

    #[test]
    fn exit_when_backfilled_waits_for_the_lowest_height_0_and_for_synced_when_both_are_asked() {
        let mut behind = status(SyncState::Synced);
        behind.lowest_height = 500;
        let mut downloading = status(SyncState::DownloadingBlocks);
        downloading.lowest_height = 0;
        downloading.target_height = 10;
        let done = status(SyncState::Synced);
        let mut w = StatusWatch::new(false, true, false);
        assert_eq!(w.on_status(&behind), None, "history missing");
        assert_eq!(w.on_status(&downloading), Some(StopReason::Backfilled));
        let mut both = StatusWatch::new(true, true, false);
        assert_eq!(both.on_status(&behind), None);
        assert_eq!(both.on_status(&downloading), None, "not synced");
        assert_eq!(both.on_status(&done), Some(StopReason::Backfilled));
    }
}

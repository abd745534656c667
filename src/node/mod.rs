//! The node: the engine on its own thread, the libp2p network on tokio, the redb store shared between them (the
//! engine writes, the network serves reads). The engine thread is the node's main loop: network events go to
//! `handle`, a tick interval (brought forward by events) calls `tick`, the outbox becomes requests. Validation
//! runs on that thread and the compute pool, never on the network's, so the network stays responsive while blocks
//! validate.

pub mod checkpoint_sync;
pub mod config_file;
pub mod http;
pub mod keyfile;
pub mod metrics;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ecsync_components::{
    BlockRef, ChainSpec, HeadProof, NetEvent, SignedBlock, StatusMessage, SyncConfig, SyncState,
    SyncStatus,
};
use ecsync_systems::chaingen::ChainGenerator;
use libp2p::Multiaddr;
use tokio::sync::watch;

use crate::engine::SyncEngine;
use crate::misbehave::{Misbehaving, Misbehaviour};
use crate::network::{
    BlockSource, CHANNEL_CAPACITY, Network, NetworkConfig, NetworkHandle, Sabotage, ServeLimits,
    load_or_create_keypair,
};
use crate::node::checkpoint_sync::{Input, TrustedCheckpoint, start_from_checkpoint};
use crate::node::http::{
    Control, ControlAnswer, ControlReply, ControlRequester, DumpReply, DumpRequester, DumpSent,
    HttpState,
};
use crate::node::metrics::Metrics;
use crate::store::chain_dir::{load_generator, load_spec};
use crate::store::{RedbStore, SPEC_FILE, STORE_FILE, StoreReader};
use crate::util::clock::unix_now_ms;

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
    /// Stop (non-zero exit) when the engine fails, instead of recovering.
    pub exit_on_failure: bool,
    /// Start an empty store from this trusted block (height, hash): checkpoint sync.
    pub checkpoint: Option<(u64, ecsync_components::Hash32)>,
    /// Emulated latency added to each answer served, ms.
    pub latency_ms: u64,
    /// Emulated serving bandwidth per peer, bytes per second (0 = unlimited).
    pub serve_bytes_per_sec: u64,
    /// Extend the deterministic chain by one block every this many ms (0 = never).
    pub extend_every_ms: u64,
    /// The federation member's key file (`--authority-keys`).
    pub authority_keys: Option<PathBuf>,
    /// Produce blocks in this member's slots (needs `authority_keys`).
    pub produce: bool,
    /// Start paused (until the operator resumes).
    pub start_paused: bool,
    /// Serve the chain broken in this way (tests of hostile peers).
    pub misbehave: Option<Misbehaviour>,
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
            exit_on_failure: false,
            checkpoint: None,
            latency_ms: 0,
            serve_bytes_per_sec: 0,
            extend_every_ms: 0,
            authority_keys: None,
            produce: false,
            start_paused: false,
            misbehave: None,
            tick_ms: 20,
            http: None,
            limits: ServeLimits::default(),
        }
    }
}

/// Serving reads over the node's store.
pub(crate) struct Source {
    pub(crate) reader: StoreReader,
    /// The proof of the last head read (its header and approval), so a status costs one head read, not a block
    /// read, while the head stands.
    pub(crate) proof: Mutex<Option<HeadProof>>,
}

impl Source {
    /// Serving over `reader`.
    pub(crate) fn new(reader: StoreReader) -> Self {
        Self {
            reader,
            proof: Mutex::new(None),
        }
    }

    /// The proof of `head`: the cached one, or its block's header and approval read from the store (none at
    /// genesis, or if the block cannot be read).
    fn proof_of(&self, head: BlockRef) -> Option<HeadProof> {
        if head.height == 0 {
            return None;
        }
        let mut cached = self.proof.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(proof) = cached.as_ref().filter(|p| p.head() == head) {
            return Some(proof.clone());
        }
        let max = self.reader.spec().max_block_bytes as usize;
        let bytes = self.reader.encoded_range(head.height, 1, max).ok()?;
        let block = SignedBlock::decode(bytes.first()?, max).ok()?;
        let proof = HeadProof::of(&block);
        if proof.head() != head {
            return None;
        }
        *cached = Some(proof.clone());
        Some(proof)
    }
}

impl BlockSource for Source {
    fn status(&self) -> StatusMessage {
        let spec = self.reader.spec();
        let head = self.reader.head().unwrap_or_else(|_| spec.genesis_ref());
        let mut status = StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head);
        status.proof = self.proof_of(head).map(Box::new);
        status
    }

    fn blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Vec<u8>> {
        self.reader
            .encoded_range(start, u64::from(count), max_bytes)
            .unwrap_or_default()
    }
}

/// The generator of the chain in `data` (which must be a generated chain), for `what` (a flag that needs it).
fn chain_generator(data: &Path, spec: &ChainSpec, what: &str) -> anyhow::Result<ChainGenerator> {
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

/// What the node serves from: its store, broken as `--misbehave` says (with what the network must break).
fn serving_source(
    opts: &NodeOptions,
    spec: &ChainSpec,
    store: &RedbStore,
) -> anyhow::Result<(Arc<dyn BlockSource>, Sabotage)> {
    let honest: Arc<dyn BlockSource> = Arc::new(Source::new(store.reader()));
    let Some(kind) = opts.misbehave else {
        return Ok((honest, Sabotage::default()));
    };
    let generator = chain_generator(&opts.data, spec, "--misbehave").ok();
    let source = Misbehaving::new(honest, kind, spec.clone(), generator)?;
    tracing::warn!("misbehaving on purpose: {kind:?} (a test node; never use on a real network)");
    Ok((Arc::new(source), kind.sabotage()))
}

/// Opens (or initialises from `--spec`) a node's data dir: its spec and store.
pub fn open_data_dir(data: &Path, spec: Option<&Path>) -> anyhow::Result<(ChainSpec, RedbStore)> {
    std::fs::create_dir_all(data)
        .with_context(|| format!("cannot create data dir {}", data.display()))?;
    let spec_path = data.join(SPEC_FILE);
    let chain_spec = match (spec_path.exists(), spec) {
        (true, given) => {
            let own = load_spec(&spec_path)?;
            if let Some(given) = given {
                let other = load_spec(given)?;
                if other != own {
                    bail!(
                        "{} holds chain {} (genesis {}), but --spec {} is chain {} (genesis {})",
                        data.display(),
                        own.chain_id,
                        own.genesis_hash,
                        given.display(),
                        other.chain_id,
                        other.genesis_hash
                    );
                }
            }
            own
        }
        (false, Some(given)) => {
            let spec = load_spec(given)?;
            crate::util::fs::write_atomic(&spec_path, spec.to_json().as_bytes(), false)
                .with_context(|| format!("cannot write {}", spec_path.display()))?;
            spec
        }
        (false, None) => bail!(
            "{} has no spec.json: give --spec FILE to start a fresh node",
            data.display()
        ),
    };
    let store = RedbStore::open_or_create(&data.join(STORE_FILE), &chain_spec)?;
    Ok((chain_spec, store))
}

/// Whether a store started with `--checkpoint` still needs its trusted block: yes when it is empty; no when it
/// already holds that block (a restart); an error when it holds another chain above genesis.
fn check_checkpoint_start(store: &RedbStore, cp: TrustedCheckpoint) -> anyhow::Result<bool> {
    use ecsync_components::ChainStore;
    let head = store.head()?;
    if head.height == 0 {
        return Ok(true);
    }
    let stored = store.block(cp.height)?.map(|b| b.hash());
    match stored {
        Some(hash) if hash == cp.hash => Ok(false),
        Some(hash) => bail!(
            "--checkpoint {}:{}: the store holds another block at that height ({hash}); use an empty data dir",
            cp.height,
            cp.hash
        ),
        None => bail!(
            "--checkpoint {}:{}: the store is already at height {} without that block; --checkpoint needs an empty \
             data dir",
            cp.height,
            cp.hash,
            head.height
        ),
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
    exit_on_failure: bool,
    /// The previous status was Failed (a failure is logged when it starts, not on every status).
    was_failed: bool,
}

impl StatusWatch {
    /// Why to stop now, if at all.
    fn on_status(&mut self, s: &SyncStatus) -> Option<StopReason> {
        if self.exit_when_synced
            && s.state == SyncState::Synced
            && s.peers_connected > 0
            && s.current_height >= s.target_height
        {
            return Some(StopReason::Synced);
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
}

enum EngineInput {
    Net(NetEvent),
    Dump {
        full: bool,
        reply: tokio::sync::oneshot::Sender<DumpReply>,
    },
    Control {
        command: Control,
        reply: tokio::sync::oneshot::Sender<ControlReply>,
    },
    Stop,
}

/// Sends `input` to the engine thread without waiting: the HTTP side learns whether it went.
fn try_send(tx: &Mutex<mpsc::SyncSender<EngineInput>>, input: EngineInput) -> DumpSent {
    let Ok(tx) = tx.lock() else {
        return DumpSent::Stopped;
    };
    match tx.try_send(input) {
        Ok(()) => DumpSent::Sent,
        Err(mpsc::TrySendError::Full(_)) => DumpSent::Busy,
        Err(mpsc::TrySendError::Disconnected(_)) => DumpSent::Stopped,
    }
}

/// A running node.
pub struct Node {
    network: NetworkHandle,
    status: watch::Receiver<SyncStatus>,
    input: mpsc::SyncSender<EngineInput>,
    http_addr: Option<std::net::SocketAddr>,
    engine_thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    exit_on_failure: bool,
}

impl Node {
    /// Starts a node: opens its data dir, starts the network and the engine thread. Call inside a tokio runtime.
    pub async fn start(opts: NodeOptions) -> anyhow::Result<Self> {
        let (spec, mut store) = open_data_dir(&opts.data, opts.spec.as_deref())?;
        let generator = if opts.extend_every_ms > 0 {
            let generator = chain_generator(&opts.data, &spec, "--extend-every-ms")?;
            tracing::warn!(
                "--extend-every-ms: extending the chain on a timer with every key, ignoring the production gate (a \
                 test node; real nodes produce with --authority-keys and --produce)"
            );
            Some((generator, opts.extend_every_ms))
        } else {
            None
        };
        if opts.produce && opts.authority_keys.is_none() {
            bail!("--produce needs --authority-keys: only a federation member produces");
        }
        let member = match &opts.authority_keys {
            Some(path) => {
                let keys = crate::node::keyfile::load_member_keys(path, &spec)?;
                let memory_path = crate::store::approvals::approval_db_path(path);
                let memory = crate::store::approvals::ApprovalDb::open(&memory_path)?;
                tracing::info!(
                    "a member of the federation: authorities {:?} (keys from {}, approvals remembered in {})",
                    keys.authorities(),
                    path.display(),
                    memory_path.display()
                );
                Some((keys, memory))
            }
            None => None,
        };
        let keypair = load_or_create_keypair(&opts.data.join(KEY_FILE))?;
        let (source, sabotage) = serving_source(&opts, &spec, &store)?;
        let mut config = opts.sync.clone();
        if opts.auto_validate_per_tick {
            // Every compute worker gets a signature batch each tick.
            config.validate_per_tick = config
                .validate_per_tick
                .max(crate::engine::compute_workers().saturating_mul(config.signature_batch));
        }
        config.check()?;
        store.keep_checkpoints(config.max_checkpoints);
        let checkpoint = opts
            .checkpoint
            .map(|(height, hash)| TrustedCheckpoint { height, hash });
        let needs_anchor = match checkpoint {
            Some(cp) => check_checkpoint_start(&store, cp)?,
            None => false,
        };
        let net_config = NetworkConfig {
            keypair,
            listen: opts.listen.clone(),
            bootnodes: opts.peers.clone(),
            chain_id: spec.chain_id,
            genesis_hash: spec.genesis_hash,
            max_block_bytes: spec.max_block_bytes,
            latency_ms: opts.latency_ms,
            serve_bytes_per_sec: opts.serve_bytes_per_sec,
            request_timeout: Duration::from_secs(60),
            limits: opts.limits,
            sabotage,
        };
        let initial = SyncStatus::starting(ecsync_components::ChainStore::head(&store)?);
        // Without a checkpoint to fetch, the engine is built here, so that its errors are the start's.
        let boot = match checkpoint.filter(|_| needs_anchor) {
            Some(checkpoint) => {
                config.check()?;
                Boot::Anchor(Box::new(AnchorBoot {
                    store,
                    spec: spec.clone(),
                    config,
                    checkpoint,
                }))
            }
            None => Boot::Ready(Box::new(SyncEngine::new(
                spec.clone(),
                config,
                Box::new(store),
            )?)),
        };
        let (network, mut events) = Network::start(net_config, source).await?;
        let metrics = Metrics::new();
        // Bounded end to end: this thread waits when the engine's input is full, the network's event channel then
        // fills, and the swarm task drops (and counts) events rather than waiting. It ends with the network.
        let (input, input_rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
        let forward = input.clone();
        std::thread::Builder::new()
            .name("ecsync-net-events".into())
            .spawn(move || {
                while let Some(event) = events.blocking_recv() {
                    if forward.send(EngineInput::Net(event)).is_err() {
                        break;
                    }
                }
            })
            .context("cannot start the network event thread")?;
        let (status_tx, status) = watch::channel(initial);
        let http_addr = match opts.http {
            None => None,
            Some(addr) => {
                let dump_input = Mutex::new(input.clone());
                let dump: DumpRequester = Arc::new(move |full, reply| {
                    try_send(&dump_input, EngineInput::Dump { full, reply })
                });
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
                };
                Some(crate::node::http::serve(addr, state).await?)
            }
        };
        let net = network.clone();
        let produce = opts.produce;
        let start_paused = opts.start_paused;
        let tick = Duration::from_millis(opts.tick_ms.max(1));
        let engine_thread = std::thread::Builder::new()
            .name("ecsync-engine".into())
            .spawn(move || {
                let Some(mut engine) = boot.engine(&input_rx, &net)? else {
                    return Ok(());
                };
                if let Some((keys, memory)) = member {
                    engine.set_member(keys, Box::new(memory));
                    engine.set_producing(produce);
                }
                if start_paused {
                    engine.set_paused(true);
                    tracing::info!("started paused: POST /sync/resume to begin");
                }
                engine_loop(engine, input_rx, net, status_tx, metrics, tick, generator)
            })
            .context("cannot start the engine thread")?;
        Ok(Self {
            network,
            status,
            input,
            http_addr,
            engine_thread: Some(engine_thread),
            exit_on_failure: opts.exit_on_failure,
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
    ) -> anyhow::Result<NodeOutcome> {
        let mut status = self.status.clone();
        tokio::pin!(shutdown);
        let mut watch = StatusWatch {
            exit_when_synced,
            exit_on_failure: self.exit_on_failure,
            was_failed: false,
        };
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
    pub async fn stop(mut self) -> anyhow::Result<()> {
        // The engine drains its input, so this wait ends; off the runtime's worker, as it may wait.
        let input = self.input.clone();
        let _ = tokio::task::spawn_blocking(move || input.send(EngineInput::Stop).is_ok()).await;
        let result = match self.engine_thread.take() {
            Some(t) => tokio::task::spawn_blocking(move || t.join())
                .await
                .context("engine thread")?
                .map_err(|_| anyhow::anyhow!("the engine thread panicked"))?,
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
    /// The engine: built, or built after fetching the checkpoint's block (None: the node stopped meanwhile). The
    /// network events seen while fetching are handed to it; dump requests meanwhile are answered with an error.
    fn engine(
        self,
        input: &mpsc::Receiver<EngineInput>,
        net: &NetworkHandle,
    ) -> anyhow::Result<Option<SyncEngine>> {
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

/// An event from the network (an answer, a status, a new peer) brings the next tick forward to this long after
/// the last one, so the work it unblocks (validating the blocks that came, sending the next requests) does not
/// wait out the tick interval. At the start of a sync that wait was most of the first 100 ms.
const EARLY_TICK: Duration = Duration::from_millis(2);

fn engine_loop(
    mut engine: SyncEngine,
    input: mpsc::Receiver<EngineInput>,
    net: NetworkHandle,
    status: watch::Sender<SyncStatus>,
    mut metrics: Metrics,
    tick: Duration,
    generator: Option<(ChainGenerator, u64)>,
) -> anyhow::Result<()> {
    engine.set_stopwatch(crate::util::clock::monotonic_ns);
    let mut next_tick = Instant::now();
    let mut last_tick = Instant::now();
    let mut next_log = Instant::now();
    let extend_every_ms = generator.as_ref().map_or(1, |(_, every)| (*every).max(1));
    let mut last_extension_slot = unix_now_ms() / extend_every_ms;
    let mut ticks: u64 = 0;
    let mut clock = ClockWatch::default();
    'run: loop {
        let wait = next_tick.saturating_duration_since(Instant::now());
        match input.recv_timeout(wait) {
            Ok(EngineInput::Net(event)) => {
                engine.handle(event);
                next_tick = next_tick.min(last_tick + EARLY_TICK);
            }
            Ok(EngineInput::Dump { full, reply }) => answer_dump(&mut engine, full, reply),
            Ok(EngineInput::Control { command, reply }) => {
                answer_control(&mut engine, command, reply, &status);
            }
            Ok(EngineInput::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break 'run,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Take everything that is already waiting before ticking.
        loop {
            match input.try_recv() {
                Ok(EngineInput::Net(event)) => engine.handle(event),
                Ok(EngineInput::Dump { full, reply }) => answer_dump(&mut engine, full, reply),
                Ok(EngineInput::Control { command, reply }) => {
                    answer_control(&mut engine, command, reply, &status);
                }
                Ok(EngineInput::Stop) | Err(mpsc::TryRecvError::Disconnected) => break 'run,
                Err(mpsc::TryRecvError::Empty) => break,
            }
        }
        if Instant::now() < next_tick {
            continue;
        }
        let tick_started = Instant::now();
        last_tick = tick_started;
        ticks += 1;
        let now = unix_now_ms();
        if let Some((generator, _)) = &generator {
            // Extend on the multiples of the interval since the Unix epoch: nodes of the same chain extend at the
            // same instants, with the same blocks.
            let slot = now / extend_every_ms;
            if slot > last_extension_slot {
                last_extension_slot = slot;
                extend(&mut engine, generator);
            }
        }
        engine.tick(now);
        for request in engine.drain_outbox() {
            net.send(request);
        }
        log_production(engine.take_production_log());
        clock.check(engine.counters().clock_behind);
        metrics.update(&mut engine, tick_started.elapsed().as_secs_f64());
        metrics.update_serving(&net.serve_stats());
        let s = engine.status();
        if Instant::now() >= next_log {
            next_log = Instant::now() + Duration::from_secs(1);
            let waiting = match (s.state, s.reason) {
                (SyncState::Discovering, Some(reason)) => format!(": {}", reason.as_str()),
                _ => String::new(),
            };
            tracing::info!(
                "sync: height {} of {} ({:?}{waiting}, {:.0} blocks/s, {} peers, durable {})",
                s.current_height,
                s.target_height,
                s.state,
                s.blocks_per_second,
                s.peers_connected,
                s.durable_height
            );
        }
        // Only a change wakes the watchers (the node's run loop): an idle node's ticks wake nobody.
        status.send_if_modified(|old| {
            let changed = *old != s;
            if changed {
                *old = s;
            }
            changed
        });
        // Fixed rate: a tick that took longer than the interval (a big validation round) is followed at once.
        next_tick = tick_started + tick;
    }
    engine
        .checkpoint_now(unix_now_ms())
        .context("final checkpoint")?;
    status.send_replace(engine.status());
    let c = engine.counters();
    tracing::info!(
        "engine totals: {ticks} ticks; blocks downloaded {}, validated {}, imported {}, rejected {}; requests {} ({} timed out), \
         ranges evicted {}, import commits {}",
        c.blocks_downloaded,
        c.blocks_validated,
        c.blocks_imported,
        c.blocks_rejected,
        c.requests_sent,
        c.requests_timed_out,
        c.ranges_evicted,
        c.import_commits
    );
    Ok(())
}

/// Says, in one warning line at most once a minute, that this node's clock seems behind: peers gossiped blocks
/// the federation signed, from slots that begin beyond the allowed skew by our clock
/// (`EngineCounters::clock_behind`; nobody is punished for them).
#[derive(Default)]
struct ClockWatch {
    seen: u64,
    warned_at: Option<Instant>,
}

impl ClockWatch {
    /// Looks at the counter after a tick.
    fn check(&mut self, clock_behind: u64) {
        if clock_behind <= self.seen {
            return;
        }
        if self
            .warned_at
            .is_some_and(|at| at.elapsed() < Duration::from_secs(60))
        {
            return;
        }
        tracing::warn!(
            "this node's clock seems behind: {} blocks the federation signed arrived from slots that begin \
             beyond the allowed clock skew (max_clock_skew_ms) by our clock; they are ignored, not punished. \
             Check the system clock (NTP).",
            clock_behind - self.seen
        );
        self.seen = clock_behind;
        self.warned_at = Some(Instant::now());
    }
}

/// One line per block produced and per slot skipped.
fn log_production(events: Vec<ecsync_systems::produce_blocks::ProductionEvent>) {
    use ecsync_systems::produce_blocks::ProductionEvent;
    for event in events {
        match event {
            ProductionEvent::Produced {
                height,
                slot,
                approvers,
            } => tracing::info!(
                "produced block {height} in slot {slot} (approvers {:?})",
                (0..64)
                    .filter(|i| approvers & (1u64 << i) != 0)
                    .collect::<Vec<_>>()
            ),
            ProductionEvent::Skipped {
                slot,
                reason,
                detail,
            } => tracing::info!("skipped slot {slot}: {} ({detail})", reason.as_str()),
        }
    }
}

/// Copies the world for a dump (bounded: see `dump::MAX_LISTED`); the HTTP side encodes it.
fn answer_dump(
    engine: &mut SyncEngine,
    full: bool,
    reply: tokio::sync::oneshot::Sender<DumpReply>,
) {
    let _ = reply.send(Ok(engine.world_dump(full)));
}

/// Carries out an operator's command between two ticks (see `http`).
/// Carries out an operator's command, then publishes the new status BEFORE replying: whoever reads the status
/// after the reply sees the command's effect.
fn answer_control(
    engine: &mut SyncEngine,
    command: Control,
    reply: tokio::sync::oneshot::Sender<ControlReply>,
    status: &watch::Sender<SyncStatus>,
) {
    let answer = match command {
        Control::Pause | Control::Resume => {
            let pause = command == Control::Pause;
            if engine.set_paused(pause) != pause {
                tracing::info!(
                    "sync {} by the operator at height {}",
                    if pause { "paused" } else { "resumed" },
                    engine.head().height
                );
            }
            Ok(ControlAnswer {
                paused: pause,
                checkpoint: None,
            })
        }
        Control::Checkpoint => match engine.checkpoint_now(unix_now_ms()) {
            Ok(checkpoint) => {
                tracing::info!(
                    "checkpoint at height {} written on the operator's request",
                    checkpoint.head.height
                );
                Ok(ControlAnswer {
                    paused: engine.paused(),
                    checkpoint: Some(checkpoint),
                })
            }
            Err(e) => {
                tracing::error!("the operator's checkpoint failed: {e}");
                Err(format!("cannot write the checkpoint: {e}"))
            }
        },
    };
    status.send_replace(engine.status());
    let _ = reply.send(answer);
}

fn extend(engine: &mut SyncEngine, generator: &ChainGenerator) {
    let head = engine.head();
    let parent = if head.height == 0 {
        Some(generator.genesis().block.header.clone())
    } else {
        engine
            .store()
            .block(head.height)
            .ok()
            .flatten()
            .map(|b| b.block.header)
    };
    let Some(parent) = parent else {
        tracing::warn!("cannot extend: block {} is not in the store", head.height);
        return;
    };
    let block = generator.sign(generator.child(&parent, head.hash));
    if let Err(e) = engine.import_local(block) {
        tracing::warn!("cannot extend the chain at {}: {e}", head.height + 1);
    }
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
            let mut w = StatusWatch {
                exit_when_synced: false,
                exit_on_failure,
                was_failed: false,
            };
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
        let mut w = StatusWatch {
            exit_when_synced: true,
            exit_on_failure: false,
            was_failed: false,
        };
        assert_eq!(
            w.on_status(&status(SyncState::Synced)),
            Some(StopReason::Synced)
        );
    }
}

//! `ecsync node`.

use ecsync_components::SyncConfig;

use super::NodeArgs;
use crate::network::ServeLimits;
use crate::node::{NoHooks, Node, NodeHooks, NodeOptions, StopReason};

/// A tokio runtime for the network: one worker (the engine has its own thread and compute pool).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(2)
        .enable_all()
        .build()?)
}

/// Installs the Ctrl-C and SIGTERM handlers NOW (call it inside the runtime, before starting the node: a signal
/// that arrives while the node starts then stops it cleanly instead of killing the process) and returns the
/// future that resolves on either.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            match (term, interrupt) {
                (Some(mut term), Some(mut interrupt)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                (Some(mut one), None) | (None, Some(mut one)) => {
                    one.recv().await;
                }
                (None, None) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `ecsync node` until exit-when-synced, Ctrl-C or SIGTERM.
pub fn run(args: NodeArgs) -> anyhow::Result<()> {
    run_with(args, Box::new(NoHooks))
}

/// [`run`] with `hooks` injected into the node (see `crate::node::hooks`; `ecsync node` injects none).
pub fn run_with(args: NodeArgs, hooks: Box<dyn NodeHooks>) -> anyhow::Result<()> {
    let opts = options(args)?;
    runtime()?.block_on(serve(opts, hooks))
}

/// The node's options from its flags and config file (checking the HTTP exposure, sizing the compute pool).
fn options(args: NodeArgs) -> anyhow::Result<NodeOptions> {
    if let Some(addr) = args.http {
        crate::node::http::check_exposure(addr, args.http_public)?;
    }
    if let Some(threads) = args.threads {
        // N validating workers; the engine thread commits and talks to peers meanwhile.
        crate::engine::init_compute_workers(threads as usize);
    }
    // The config file, then the flags that override it.
    let (mut sync, limits, auto_validate_per_tick) = match &args.config {
        Some(path) => {
            let loaded = crate::node::config_file::load(path)?;
            let set: Vec<&str> = loaded.set.iter().map(String::as_str).collect();
            let set = if set.is_empty() {
                "nothing".to_string()
            } else {
                set.join(", ")
            };
            tracing::info!("config {}: {set} set, the rest default", path.display());
            let auto = loaded.auto_validate_per_tick();
            (loaded.config.sync, loaded.config.serve, auto)
        }
        None => (SyncConfig::default(), ServeLimits::default(), true),
    };
    if let Some(strategy) = args.strategy {
        sync.strategy = strategy.into();
    }
    if let Some(verify) = args.verify {
        sync.verify = verify.into();
    }
    Ok(NodeOptions {
        spec: args.spec,
        listen: args.listen,
        peers: args.peers,
        sync,
        auto_validate_per_tick,
        limits,
        exit_when_synced: args.exit_when_synced,
        exit_on_failure: args.exit_on_failure,
        checkpoint: args.checkpoint,
        latency_ms: args.latency_ms,
        serve_bytes_per_sec: args.serve_bandwidth.unwrap_or(0),
        authority_keys: args.authority_keys,
        produce: args.produce,
        start_paused: args.start_paused,
        http: args.http,
        ..NodeOptions::new(args.data)
    })
}

/// Starts the node, prints its addresses, runs it until it stops and says why.
async fn serve(opts: NodeOptions, hooks: Box<dyn NodeHooks>) -> anyhow::Result<()> {
    let exit_when_synced = opts.exit_when_synced;
    let verify = opts.sync.verify;
    let shutdown = shutdown_signal();
    let node = Node::start_with(opts, hooks).await?;
    // Said once the node started (a node that fails to start says one line: why).
    tracing::info!(
        "verify {}: {}",
        verify.name(),
        match verify {
            ecsync_components::VerifyMode::Anchored => {
                "one quorum aggregate per downloaded range, its top's; the blocks below it by their links"
            }
            ecsync_components::VerifyMode::Full => "every downloaded block's quorum aggregate",
        }
    );
    // The one line scripts read: the full listen address.
    println!("{}", node.listen_addr());
    if let Some(http) = node.http_addr() {
        // Second line, for scripts: where the HTTP endpoints are.
        println!("http://{http}");
        tracing::info!("serving /metrics, /sync/status and /debug/world on http://{http}");
    }
    let outcome = node.run_until(exit_when_synced, shutdown).await?;
    let s = &outcome.status;
    tracing::info!(
        "stopped ({:?}): {:?} at height {} of {}",
        outcome.reason,
        s.state,
        s.current_height,
        s.target_height
    );
    match (outcome.reason, &s.failure) {
        (StopReason::EngineStopped, Some(failure)) => {
            anyhow::bail!("the engine stopped: {failure}")
        }
        (StopReason::EngineStopped, None) => anyhow::bail!("the engine stopped"),
        (StopReason::Failed, Some(failure)) => anyhow::bail!("sync failed: {failure}"),
        (StopReason::Failed, None) => anyhow::bail!("sync failed"),
        (StopReason::Synced | StopReason::Shutdown, _) => {}
    }
    Ok(())
}

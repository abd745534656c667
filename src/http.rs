//! The node's HTTP endpoints (off unless `--http` is given; on a loopback address unless `--http-public` is given
//! too, see [`check_exposure`]):
//!
//! - `GET /metrics`: the Prometheus registry in OpenMetrics text.
//! - `GET /sync/status`: the engine's `SyncStatus` plus `head_slot`, `sync_distance` and `is_syncing`, the fields
//!   of the beacon node API's `/eth/v1/node/syncing`.
//! - `GET /debug/world[?full=1]`: the world dump (every entity with its components, and the resources).
//!
//! Unknown paths answer 404, other methods 405. The server runs on the tokio runtime, the engine on its own
//! thread: a slow or hostile client holds at most a connection task, never the sync. The world dump is made by
//! the engine thread between two ticks and awaited with a timeout.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ecsync_components::{SyncState, SyncStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

use crate::metrics::Metrics;

/// Asks the engine thread for a world dump (JSON).
pub type DumpRequester =
    std::sync::Arc<dyn Fn(bool, oneshot::Sender<String>) -> bool + Send + Sync>;

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The engine's latest status.
    pub status: watch::Receiver<SyncStatus>,
    /// The metrics.
    pub metrics: Metrics,
    /// Sends a dump request to the engine thread; false if it is gone.
    pub dump: DumpRequester,
}

/// `/sync/status` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusBody {
    /// The engine's status.
    #[serde(flatten)]
    pub status: SyncStatus,
    /// Blocks between the head and the target.
    pub sync_distance: u64,
    /// Whether the node is still syncing (not Synced).
    pub is_syncing: bool,
}

#[derive(Deserialize)]
struct DumpQuery {
    full: Option<String>,
}

async fn metrics(State(state): State<HttpState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

async fn sync_status(State(state): State<HttpState>) -> Response {
    let status = state.status.borrow().clone();
    let body = StatusBody {
        sync_distance: status.target_height.saturating_sub(status.current_height),
        is_syncing: status.state != SyncState::Synced,
        status,
    };
    axum::Json(body).into_response()
}

async fn world(State(state): State<HttpState>, Query(q): Query<DumpQuery>) -> Response {
    let full = matches!(q.full.as_deref(), Some("1" | "true" | "yes"));
    let (tx, rx) = oneshot::channel();
    if !(state.dump)(full, tx) {
        return (StatusCode::SERVICE_UNAVAILABLE, "the engine has stopped\n").into_response();
    }
    match tokio::time::timeout(Duration::from_secs(10), rx).await {
        Ok(Ok(json)) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the engine did not answer in time\n",
        )
            .into_response(),
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "not found: try /metrics, /sync/status or /debug/world\n",
    )
        .into_response()
}

/// The router (exposed for tests).
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/sync/status", get(sync_status))
        .route("/debug/world", get(world))
        .fallback(not_found)
        .layer(tower::limit::ConcurrencyLimitLayer::new(64))
        .with_state(state)
}

/// Parses `--http`: an address, or a bare port on 127.0.0.1.
pub fn parse_http_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse::<SocketAddr>()
        .map_err(|_| format!("{s:?} is not an address like 127.0.0.1:9100 (or a port)"))
}

/// Refuses an HTTP address that is not loopback unless `public` (`--http-public`) says it is meant: the endpoints
/// are unauthenticated, and `/debug/world` makes the engine thread dump its world.
pub fn check_exposure(addr: SocketAddr, public: bool) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() && !public {
        anyhow::bail!(
            "--http {addr} is not a loopback address; the HTTP endpoints have no authentication: add --http-public to serve them there"
        );
    }
    Ok(())
}

/// Binds and serves in the background; returns the bound address.
pub async fn serve(addr: SocketAddr, state: HttpState) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for HTTP on {addr}"))?;
    let bound = listener.local_addr()?;
    let app = router(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!("HTTP server stopped: {e}");
        }
    });
    Ok(bound)
}

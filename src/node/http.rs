//! The node's HTTP endpoints (off unless `--http` is given; on a loopback address unless `--http-public` is given
//! too, see [`check_exposure`]):
//!
//! - `GET /metrics`: the Prometheus registry in OpenMetrics text.
//! - `GET /sync/status`: the engine's `SyncStatus` plus `head_slot`, `sync_distance` and `is_syncing`, the fields
//!   of the beacon node API's `/eth/v1/node/syncing`.
//! - `GET /debug/world[?full=1]`: the world dump (entities with their components, and the resources; at most
//!   [`MAX_LISTED`](crate::engine::dump::MAX_LISTED) entities of each kind, the rest counted).
//! - `POST /sync/pause`, `POST /sync/resume`: the operator pauses the sync (no request goes out; answers already
//!   on their way are still imported) and resumes it; `POST /sync/checkpoint` writes a durable checkpoint of the
//!   head now. Each answers `{"paused": …, "checkpoint": …}`. Served on a loopback address only (on an
//!   `--http-public` one they answer 403: anyone there could stop the sync), and rate limited ([`CONTROL_BURST`],
//!   [`CONTROL_PER_SEC`]).
//! - `POST /peers/ban` `{"peer": "<libp2p peer id>", "seconds": N}` (1 ≤ N ≤ 7 days): the operator bans a peer
//!   for a while (Bitcoin Core's `setban`): disconnected at once, neither dialed nor accepted until the ban ends
//!   (then a known peer is dialed again). `POST /peers/unban` `{"peer": "…"}` lifts a ban at once (404 if there
//!   was none). Loopback only and rate limited like the control commands; a body of at most
//!   [`PEERS_BODY_MAX`] bytes of JSON, else 400 (413 when longer) with `{"error": …}`. `GET /peers/banned`: the
//!   bans with the seconds left and the connections refused. At most [`MAX_BANS`] bans: when full, a new one
//!   lifts the one ending first and says so (`lifted`).
//!
//! Unknown paths answer 404, other methods 405. The server runs on the tokio runtime, the engine on its own
//! thread: a slow or hostile client holds at most a connection task, never the sync. The world dump is the
//! engine's only HTTP work, and it is bounded three ways: the engine thread copies at most `MAX_LISTED` entities
//! of each kind between two ticks (never inside one) and hands the copy over; encoding it as JSON happens here,
//! on tokio's blocking pool; and dumps are rate limited ([`DumpLimits`]: one at a time, a burst of
//! [`DUMP_BURST`], then [`DUMP_PER_SEC`] a second; beyond that `429 Too Many Requests` with `Retry-After`).

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ecsync_components::{SyncState, SyncStatus};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

use crate::engine::dump::WorldDump;
use crate::network::{BanError, MAX_BAN, MAX_BANS, MIN_BAN, NetworkHandle, TokenBucket};
use crate::node::metrics::Metrics;

/// What the engine thread answers a dump request with: the world, or why there is none yet.
pub type DumpReply = Result<WorldDump, String>;

/// Asks the engine thread for a world dump (`full`: list pending blocks too), to be answered on the sender.
pub type DumpRequester =
    std::sync::Arc<dyn Fn(bool, oneshot::Sender<DumpReply>) -> DumpSent + Send + Sync>;

/// Whether a dump request reached the engine thread's input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpSent {
    /// Queued; the engine answers between two ticks.
    Sent,
    /// The engine's input is full (it is behind on network events): try again later.
    Busy,
    /// The engine has stopped.
    Stopped,
}

/// An operator's command to the engine (`POST /sync/...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Send no more requests until resumed.
    Pause,
    /// Send requests again.
    Resume,
    /// Write a durable checkpoint of the head now.
    Checkpoint,
}

/// What the engine answers a command with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlAnswer {
    /// Whether the sync is paused now.
    pub paused: bool,
    /// The checkpoint written (`/sync/checkpoint`).
    pub checkpoint: Option<ecsync_components::Checkpoint>,
}

/// The engine's answer to a command, or why there is none.
pub type ControlReply = Result<ControlAnswer, String>;

/// Sends a command to the engine thread, to be answered on the sender.
pub type ControlRequester =
    std::sync::Arc<dyn Fn(Control, oneshot::Sender<ControlReply>) -> DumpSent + Send + Sync>;

/// Control commands allowed at once before the rate applies.
pub const CONTROL_BURST: u32 = 8;
/// Control commands a second, sustained (a checkpoint is an fsync).
pub const CONTROL_PER_SEC: u32 = 2;
/// How long a command may take the engine to answer.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// Dumps allowed at once before the rate applies.
pub const DUMP_BURST: u32 = 4;
/// Dumps a second, sustained.
pub const DUMP_PER_SEC: u32 = 1;
/// How long a dump may take the engine to answer.
const DUMP_TIMEOUT: Duration = Duration::from_secs(10);

/// A token bucket for an endpoint: a burst, then a rate; a refused call learns when to try again.
#[derive(Debug)]
pub struct RateLimit {
    bucket: std::sync::Mutex<TokenBucket>,
    per_sec: u32,
}

impl RateLimit {
    /// `burst` calls at once, then `per_sec` a second.
    pub fn new(burst: u32, per_sec: u32) -> Self {
        Self {
            bucket: std::sync::Mutex::new(TokenBucket::new(
                burst,
                per_sec,
                tokio::time::Instant::now(),
            )),
            per_sec,
        }
    }

    /// Takes one call's token, or says in how many whole seconds (at this bucket's rate) to try again.
    pub fn take(&self) -> Result<(), u64> {
        let now = tokio::time::Instant::now();
        let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        match bucket.take(1, now, Duration::ZERO) {
            Some(_) => Ok(()),
            None => {
                let missing = 1.0 - bucket.available(now);
                Err((missing / f64::from(self.per_sec.max(1))).ceil().max(1.0) as u64)
            }
        }
    }
}

impl Default for RateLimit {
    /// The control endpoints' limit.
    fn default() -> Self {
        Self::new(CONTROL_BURST, CONTROL_PER_SEC)
    }
}

/// The world dump's rate limit: a token bucket ([`DUMP_BURST`], [`DUMP_PER_SEC`]) and one dump at a time.
#[derive(Debug)]
pub struct DumpLimits {
    rate: RateLimit,
    one_at_a_time: tokio::sync::Semaphore,
}

impl Default for DumpLimits {
    fn default() -> Self {
        Self::new(DUMP_BURST, DUMP_PER_SEC)
    }
}

impl DumpLimits {
    /// `burst` dumps at once, then `per_sec` a second; one at a time.
    pub fn new(burst: u32, per_sec: u32) -> Self {
        Self {
            rate: RateLimit::new(burst, per_sec),
            one_at_a_time: tokio::sync::Semaphore::new(1),
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The engine's latest status.
    pub status: watch::Receiver<SyncStatus>,
    /// The metrics.
    pub metrics: Metrics,
    /// Sends a dump request to the engine thread.
    pub dump: DumpRequester,
    /// The dump's rate limit.
    pub dump_limits: std::sync::Arc<DumpLimits>,
    /// Sends a control command to the engine thread; `None` on a public address (the commands answer 403).
    pub control: Option<ControlRequester>,
    /// The control commands' rate limit.
    pub control_limits: std::sync::Arc<RateLimit>,
    /// The network, for the operator's peer bans (`/peers/…`); `None`: they answer 503.
    pub network: Option<NetworkHandle>,
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
    if let Some(network) = &state.network {
        state.metrics.set_peers_banned(network.banned_count());
    }
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

fn too_many(retry_after_s: u64, why: &str) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, retry_after_s.to_string())],
        format!("{why}; try again in {retry_after_s} s\n"),
    )
        .into_response()
}

fn unavailable(why: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1".to_string())],
        format!("{why}\n"),
    )
        .into_response()
}

async fn world(State(state): State<HttpState>, Query(q): Query<DumpQuery>) -> Response {
    let full = matches!(q.full.as_deref(), Some("1" | "true" | "yes"));
    let Ok(_one) = state.dump_limits.one_at_a_time.try_acquire() else {
        return too_many(1, "another world dump is being made");
    };
    if let Err(retry) = state.dump_limits.rate.take() {
        return too_many(retry, "world dumps are rate limited");
    }
    let (tx, rx) = oneshot::channel();
    match (state.dump)(full, tx) {
        DumpSent::Sent => {}
        DumpSent::Busy => return unavailable("the engine is busy; try again"),
        DumpSent::Stopped => return unavailable("the engine has stopped"),
    }
    let world = match tokio::time::timeout(DUMP_TIMEOUT, rx).await {
        Ok(Ok(Ok(world))) => world,
        Ok(Ok(Err(why))) => return unavailable(&why),
        Ok(Err(_)) => return unavailable("the engine has stopped"),
        Err(_) => return unavailable("the engine did not answer in time"),
    };
    match tokio::task::spawn_blocking(move || serde_json::to_vec(&world)).await {
        Ok(Ok(json)) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode the world dump: {e}\n"),
        )
            .into_response(),
        Err(_) => unavailable("the node is stopping"),
    }
}

async fn control(state: HttpState, command: Control) -> Response {
    let Some(requester) = &state.control else {
        return (
            StatusCode::FORBIDDEN,
            "control commands are served on a loopback --http address only\n",
        )
            .into_response();
    };
    if let Err(retry) = state.control_limits.take() {
        return too_many(retry, "control commands are rate limited");
    }
    let (tx, rx) = oneshot::channel();
    match requester(command, tx) {
        DumpSent::Sent => {}
        DumpSent::Busy => return unavailable("the engine is busy; try again"),
        DumpSent::Stopped => return unavailable("the engine has stopped"),
    }
    match tokio::time::timeout(CONTROL_TIMEOUT, rx).await {
        Ok(Ok(Ok(answer))) => axum::Json(answer).into_response(),
        Ok(Ok(Err(why))) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response(),
        Ok(Err(_)) => unavailable("the engine has stopped"),
        Err(_) => unavailable("the engine did not answer in time"),
    }
}

async fn pause(State(state): State<HttpState>) -> Response {
    control(state, Control::Pause).await
}

async fn resume(State(state): State<HttpState>) -> Response {
    control(state, Control::Resume).await
}

async fn checkpoint(State(state): State<HttpState>) -> Response {
    control(state, Control::Checkpoint).await
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "not found: try GET /metrics, /sync/status, /debug/world or /peers/banned, or POST /sync/pause, \
         /sync/resume, /sync/checkpoint, /peers/ban or /peers/unban\n",
    )
        .into_response()
}

/// The router (exposed for tests).
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/sync/status", get(sync_status))
        .route("/debug/world", get(world))
        .route("/sync/pause", post(pause))
        .route("/sync/resume", post(resume))
        .route("/sync/checkpoint", post(checkpoint))
        .route("/peers/ban", post(ban))
        .route("/peers/unban", post(unban))
        .route("/peers/banned", get(banned))
        .fallback(not_found)
        .layer(tower::limit::ConcurrencyLimitLayer::new(64))
        .with_state(state)
}

/// The largest body of `POST /peers/ban|unban`, bytes.
pub const PEERS_BODY_MAX: usize = 1024;

/// `POST /peers/ban` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BanBody {
    /// The libp2p peer id to ban.
    pub peer: String,
    /// For how long, seconds.
    pub seconds: serde_json::Number,
}

/// `POST /peers/unban` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnbanBody {
    /// The libp2p peer id whose ban to lift.
    pub peer: String,
}

/// `POST /peers/ban` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BanAnswer {
    /// The peer banned.
    pub peer: String,
    /// For how long from now, seconds.
    pub seconds: u64,
    /// It was connected and has been disconnected.
    pub disconnected: bool,
    /// It was banned already; the ban now ends `seconds` from now.
    pub renewed: bool,
    /// The list was full ([`MAX_BANS`]): this peer's ban, the one ending first, was lifted to make room.
    pub lifted: Option<String>,
}

/// One entry of `GET /peers/banned`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BannedEntry {
    /// The banned peer.
    pub peer: String,
    /// Seconds until the ban ends (rounded up).
    pub seconds_left: u64,
    /// Its connections refused while banned.
    pub refused: u64,
}

/// `GET /peers/banned` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BannedAnswer {
    /// The bans, ending first first.
    pub banned: Vec<BannedEntry>,
    /// The most bans held at once.
    pub max: usize,
}

/// An error answer of the `/peers` endpoints: `{"error": why}` with its status (and `Retry-After`).
#[derive(Debug)]
struct PeersError {
    code: StatusCode,
    why: String,
    retry_after: Option<u64>,
}

impl PeersError {
    fn new(code: StatusCode, why: impl std::fmt::Display) -> Self {
        Self {
            code,
            why: why.to_string(),
            retry_after: None,
        }
    }

    fn bad(why: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, why)
    }

    fn unavailable(why: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, why)
    }
}

impl IntoResponse for PeersError {
    fn into_response(self) -> Response {
        let body = axum::Json(serde_json::json!({ "error": self.why }));
        match self.retry_after {
            Some(s) => (self.code, [(header::RETRY_AFTER, s.to_string())], body).into_response(),
            None => (self.code, body).into_response(),
        }
    }
}

impl From<BanError> for PeersError {
    fn from(e: BanError) -> Self {
        match e {
            BanError::Duration | BanError::Itself => Self::bad(e),
            BanError::Busy | BanError::Stopped => Self::unavailable(e),
        }
    }
}

/// The network, if the operator's peer commands may be served here: on a loopback address only (a public one has
/// no control commands), and with a network.
fn peer_admin(state: &HttpState) -> Result<NetworkHandle, PeersError> {
    if state.control.is_none() {
        return Err(PeersError::new(
            StatusCode::FORBIDDEN,
            "peer bans are served on a loopback --http address only",
        ));
    }
    state
        .network
        .clone()
        .ok_or_else(|| PeersError::unavailable("no network"))
}

/// Reads a `/peers` command's JSON body: at most [`PEERS_BODY_MAX`] bytes (413), valid JSON of `T` (400).
async fn read_body<T: serde::de::DeserializeOwned>(
    body: axum::body::Body,
) -> Result<T, PeersError> {
    let bytes = axum::body::to_bytes(body, PEERS_BODY_MAX)
        .await
        .map_err(|_| {
            PeersError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body must be JSON of at most {PEERS_BODY_MAX} bytes"),
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|e| PeersError::bad(format!("bad JSON: {e}")))
}

/// A libp2p peer id, or a 400.
fn parse_peer(peer: &str) -> Result<libp2p::PeerId, PeersError> {
    peer.parse()
        .map_err(|e| PeersError::bad(format!("bad peer id {peer:?}: {e}")))
}

/// A ban's length in whole seconds within the bounds, or a 400.
fn parse_seconds(seconds: &serde_json::Number) -> Result<u64, PeersError> {
    let (min, max) = (MIN_BAN.as_secs(), MAX_BAN.as_secs());
    seconds
        .as_u64()
        .filter(|s| (min..=max).contains(s))
        .ok_or_else(|| {
            PeersError::bad(format!(
                "bad duration {seconds}: seconds must be a whole number from {min} to {max} (7 days)"
            ))
        })
}

/// Takes a token of the control commands' rate limit, or answers 429 with `Retry-After`.
fn peers_rate(state: &HttpState) -> Result<(), PeersError> {
    state.control_limits.take().map_err(|retry| PeersError {
        retry_after: Some(retry),
        ..PeersError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("peer commands are rate limited; try again in {retry} s"),
        )
    })
}

/// Waits for the network's answer to a ban command, at most [`CONTROL_TIMEOUT`].
async fn network_answer<T>(
    answer: impl std::future::Future<Output = Result<T, BanError>>,
) -> Result<T, PeersError> {
    tokio::time::timeout(CONTROL_TIMEOUT, answer)
        .await
        .map_err(|_| PeersError::unavailable("the network did not answer in time"))?
        .map_err(PeersError::from)
}

async fn ban(
    State(state): State<HttpState>,
    body: axum::body::Body,
) -> Result<axum::Json<BanAnswer>, PeersError> {
    let network = peer_admin(&state)?;
    let body: BanBody = read_body(body).await?;
    let peer = parse_peer(&body.peer)?;
    let seconds = parse_seconds(&body.seconds)?;
    peers_rate(&state)?;
    let outcome = network_answer(network.ban(peer, Duration::from_secs(seconds))).await?;
    Ok(axum::Json(BanAnswer {
        peer: peer.to_string(),
        seconds,
        disconnected: outcome.disconnected,
        renewed: outcome.renewed,
        lifted: outcome.lifted.map(|p| p.to_string()),
    }))
}

async fn unban(
    State(state): State<HttpState>,
    body: axum::body::Body,
) -> Result<axum::Json<serde_json::Value>, PeersError> {
    let network = peer_admin(&state)?;
    let body: UnbanBody = read_body(body).await?;
    let peer = parse_peer(&body.peer)?;
    peers_rate(&state)?;
    if !network_answer(network.unban(peer)).await? {
        return Err(PeersError::new(
            StatusCode::NOT_FOUND,
            format!("{peer} is not banned"),
        ));
    }
    Ok(axum::Json(
        serde_json::json!({ "peer": peer.to_string(), "unbanned": true }),
    ))
}

async fn banned(State(state): State<HttpState>) -> Result<axum::Json<BannedAnswer>, PeersError> {
    let network = state
        .network
        .as_ref()
        .ok_or_else(|| PeersError::unavailable("no network"))?;
    let banned = network
        .banned_peers()
        .into_iter()
        .map(|b| BannedEntry {
            peer: b.peer.to_string(),
            seconds_left: b.left.as_secs() + u64::from(b.left.subsec_nanos() > 0),
            refused: b.refused,
        })
        .collect();
    Ok(axum::Json(BannedAnswer {
        banned,
        max: MAX_BANS,
    }))
}

/// Why the HTTP endpoints could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// `--http` is neither an address nor a port.
    #[error("{0:?} is not an address like 127.0.0.1:9100 (or a port)")]
    BadAddress(String),
    /// A non-loopback address without `--http-public`.
    #[error(
        "--http {0} is not a loopback address; the HTTP endpoints have no authentication: add --http-public to serve them there"
    )]
    Exposed(SocketAddr),
    /// The listener could not be bound.
    #[error("cannot listen for HTTP on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
}

/// Parses `--http`: an address, or a bare port on 127.0.0.1.
pub fn parse_http_addr(s: &str) -> Result<SocketAddr, HttpError> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse::<SocketAddr>()
        .map_err(|_| HttpError::BadAddress(s.to_string()))
}

/// Refuses an HTTP address that is not loopback unless `public` (`--http-public`) says it is meant: the endpoints
/// are unauthenticated, and `/debug/world` makes the engine thread dump its world.
pub fn check_exposure(addr: SocketAddr, public: bool) -> Result<(), HttpError> {
    if !addr.ip().is_loopback() && !public {
        return Err(HttpError::Exposed(addr));
    }
    Ok(())
}

/// Binds and serves in the background; returns the bound address.
pub async fn serve(addr: SocketAddr, state: HttpState) -> Result<SocketAddr, HttpError> {
    let bind = |source| HttpError::Bind { addr, source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind)?;
    let bound = listener.local_addr().map_err(bind)?;
    let app = router(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!("HTTP server stopped: {e}");
        }
    });
    Ok(bound)
}

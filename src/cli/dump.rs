//! `ecsync dump`: a running node's world, read over its HTTP API (`GET /debug/world`, `GET /sync/status`) and
//! printed as tables (state and progress, peers by score, ranges in flight, pending blocks by stage, counters) or
//! as the raw JSON.
//!
//! Three seams: [`NodeUrl`] (the `--node` value, parsed by `url`), the client (`ureq`: plain HTTP, no proxy, no
//! redirects, a timeout over the whole exchange and a cap on the body) and [`render`] (the JSON deserialized into
//! [`WorldDump`], its components into typed views, laid out by `comfy-table`). Every failure is one line.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use std::io::Read as _;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use comfy_table::CellAlignment::{self, Left, Right};
use comfy_table::{ContentLineStyle, LineStyle, Table, TableStyle};
use ecsync_components::{BlockRef, Checkpoint, Failure, PeerId, SyncState, SyncStatus};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use ureq::http::StatusCode;

use super::DumpArgs;
use crate::engine::dump::{
    AwaitingImportSummary, EntityDump, PendingBlockSummary, StageSummary, WorldDump,
};
use crate::node::http::StatusBody;

/// Largest answer read from the node; a larger one is an error, never an unbounded read.
pub const MAX_BODY_BYTES: u64 = 256 << 20;
/// Longest `Retry-After` waited out when the node rate limits (429); beyond it, the 429 is the error.
const MAX_RETRY_AFTER_S: u64 = 5;
/// The whole exchange (connect, request, body) must finish within this.
const TIMEOUT: Duration = Duration::from_secs(30);

/// `ecsync dump`.
pub fn run(args: &DumpArgs) -> anyhow::Result<()> {
    let node = NodeUrl::parse(&args.node)?;
    let client = Client::new(node.clone(), TIMEOUT, MAX_BODY_BYTES);
    let path = if args.full {
        "/debug/world?full=1"
    } else {
        "/debug/world"
    };
    let world: WorldDump = client.get_json(path, "a world dump")?;
    if args.json {
        return emit(&(serde_json::to_string_pretty(&world)? + "\n"));
    }
    // The status adds what the world does not hold (the ETA and the production gate as the node computes
    // them); without it the header is computed from the resources.
    let status = client.get_json::<StatusBody>("/sync/status", "a sync status");
    let status = status.ok().map(|s| s.status);
    let text = render(world, status.as_ref(), node.base())
        .with_context(|| format!("GET {}: the answer is not a world dump", node.url(path)))?;
    emit(&text)
}

/// Writes `text` to stdout; a closed pipe (`ecsync dump … | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("writing to stdout"))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The node's address

/// A node's base URL: `http://host[:port][/]`, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeUrl {
    /// `http://host:port`, the host normalised (an IPv6 address in brackets).
    base: String,
}

impl NodeUrl {
    /// Parses an `http://` URL without user, path, query or fragment (the port defaults to 80).
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let err =
            |why: &dyn Display| anyhow!("invalid --node {s:?}: {why} (expected http://HOST:PORT)");
        if !s.contains("://") {
            return Err(err(&"not a URL"));
        }
        let url = url::Url::parse(s).map_err(|e| err(&e))?;
        if url.scheme() != "http" {
            let why = format!("only plain http:// is supported, not {}://", url.scheme());
            return Err(err(&why));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err(&"a node URL has no user or password"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(err(&"a node URL has no path, query or fragment"));
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Err(err(&"missing host"));
        };
        if port == 0 {
            return Err(err(&"invalid port 0"));
        }
        Ok(Self {
            base: format!("http://{host}:{port}"),
        })
    }

    /// `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `path` (which starts with `/`) on this node.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The HTTP client

/// GETs from one node: plain HTTP/1.1, no proxy, no redirects, a timeout and a cap on the body.
pub(super) struct Client {
    agent: ureq::Agent,
    node: NodeUrl,
    timeout: Duration,
    max_body: u64,
}

impl Client {
    pub(super) fn new(node: NodeUrl, timeout: Duration, max_body: u64) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(concat!("ecsync/", env!("CARGO_PKG_VERSION")))
            .accept("application/json")
            .build();
        Self {
            agent: config.into(),
            node,
            timeout,
            max_body,
        }
    }

    /// `GET path` deserialized from JSON; `what` names the expected answer in the error.
    pub(super) fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &str,
    ) -> anyhow::Result<T> {
        let body = self.get(path)?;
        serde_json::from_slice(&body)
            .with_context(|| format!("GET {}: the answer is not {what}", self.node.url(path)))
    }

    /// The body of a 200 answer to `GET path`.
    pub(super) fn get(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let url = self.node.url(path);
        let mut attempts = 0;
        let mut response = loop {
            let response = self
                .agent
                .get(&url)
                .call()
                .map_err(|e| self.error(&url, e))?;
            // The node rate limits world dumps: wait as long as it says (a few seconds at most) and ask again.
            let retry_after = (response.status() == StatusCode::TOO_MANY_REQUESTS)
                .then(|| response.headers().get("retry-after"))
                .flatten()
                .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
                .filter(|s| *s <= MAX_RETRY_AFTER_S);
            match retry_after {
                Some(seconds) if attempts < 3 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_secs(seconds));
                }
                _ => break response,
            }
        };
        let status = response.status();
        if status != StatusCode::OK {
            let snippet = snippet(response.body_mut().as_reader());
            bail!("GET {url}: the node answered {status}{snippet}");
        }
        let body = response.body_mut().with_config().limit(self.max_body);
        body.read_to_vec().map_err(|e| match e {
            ureq::Error::Io(e) => anyhow!("GET {url}: reading the answer failed: {e}"),
            e => self.error(&url, e),
        })
    }

    /// One line for a failed exchange.
    fn error(&self, url: &str, e: ureq::Error) -> anyhow::Error {
        match e {
            ureq::Error::Timeout(_) => anyhow!(
                "GET {url}: no complete answer within {} s",
                self.timeout.as_secs_f64()
            ),
            ureq::Error::BodyExceedsLimit(_) => anyhow!(
                "GET {url}: the answer is larger than {}",
                bytes(self.max_body)
            ),
            ureq::Error::Io(e) => anyhow!("cannot reach the node at {}: {e}", self.node.base()),
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                anyhow!("cannot reach the node at {}: {e}", self.node.base())
            }
            e => anyhow!("GET {url}: {e}"),
        }
    }
}

/// `": <start of the body>"` on one line, or nothing for an empty or unreadable body.
fn snippet(body: impl std::io::Read) -> String {
    let mut buf = Vec::new();
    let _ = body.take(1024).read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let words: Vec<&str> = text.split_whitespace().collect();
    let line: String = words.join(" ").chars().take(200).collect();
    if line.is_empty() {
        line
    } else {
        format!(": {line}")
    }
}

// ---------------------------------------------------------------------------------------------------------------
// What the tables read: typed views of the dump's components and resources. A `…View` is an entity (its
// components by name, extra ones ignored), a `…C` the fields shown of one component, a `…R` of one resource.

/// A peer entity's components.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PeerView {
    peer: PeerC,
    peer_claim: Option<ClaimC>,
    peer_stats: Option<StatsC>,
    peer_score: Option<f64>,
    peer_reputation: Option<f64>,
    peer_budget: Option<BudgetC>,
    peer_load: Option<LoadC>,
}

#[derive(Debug, Deserialize)]
struct PeerC {
    id: PeerId,
    label: String,
}

#[derive(Debug, Deserialize)]
struct ClaimC {
    head: BlockRef,
    discredited_from: Option<u64>,
    discredited_until_ms: u64,
    /// The highest height the peer proved (absent in dumps from before head proofs).
    #[serde(default)]
    proven: u64,
}

/// Rates are `Option`: a non-finite float is serialized as `null`.
#[derive(Debug, Deserialize)]
struct StatsC {
    latency_ms: Option<f64>,
    blocks_per_sec: Option<f64>,
    blocks_served: u64,
    timeouts: u32,
    invalid: u32,
}

#[derive(Debug, Deserialize)]
struct BudgetC {
    batch: u32,
    max_in_flight: u32,
}

#[derive(Debug, Deserialize)]
struct LoadC {
    in_flight: u32,
}

/// A range entity's components; its state is whichever of the three state components it has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RangeView {
    range: RangeC,
    range_attempts: Option<AttemptsC>,
    #[serde(default, deserialize_with = "present")]
    awaiting_download: bool,
    downloading: Option<DownloadingC>,
    awaiting_import: Option<AwaitingImportSummary>,
    #[serde(default, deserialize_with = "present")]
    delivered: bool,
}

#[derive(Debug, Deserialize)]
struct RangeC {
    start: u64,
    count: u32,
}

#[derive(Debug, Deserialize)]
struct AttemptsC {
    attempts: u32,
    failed_peers: Vec<PeerId>,
}

#[derive(Debug, Deserialize)]
struct DownloadingC {
    peer_id: PeerId,
    deadline_ms: u64,
}

/// A pending block entity (full dumps): the block and its stage markers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BlockView {
    pending_block: PendingBlockSummary,
    #[serde(default, deserialize_with = "present")]
    downloaded: bool,
    #[serde(default, deserialize_with = "present")]
    validating: bool,
    #[serde(default, deserialize_with = "present")]
    validated: bool,
    #[serde(default, deserialize_with = "present")]
    ready_to_import: bool,
}

/// A marker component (dumped as `null`) is there when its key is.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// The resources the tables show; a dump carries only those the world has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resources {
    clock: Option<ClockR>,
    chain_head: Option<BlockRef>,
    plan_cursor: Option<PlanCursorR>,
    buffer: Option<BufferR>,
    sync_progress: Option<ProgressR>,
    checkpoint_state: Option<CheckpointR>,
    #[serde(default, deserialize_with = "counters")]
    engine_counters: Option<BTreeMap<String, u64>>,
    sync_config: Option<ConfigR>,
}

/// `EngineCounters` as name → count: a counter kept per kind (an array, e.g. `approvals_refused`) shows as its
/// total; anything else that is not a count is left out.
fn counters<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, u64>>, D::Error> {
    let raw: Option<BTreeMap<String, Value>> = Option::deserialize(d)?;
    Ok(raw.map(|fields| {
        fields
            .into_iter()
            .filter_map(|(name, value)| match value {
                Value::Number(n) => n.as_u64().map(|n| (name, n)),
                Value::Array(items) => {
                    Some((name, items.iter().filter_map(Value::as_u64).sum::<u64>()))
                }
                _ => None,
            })
            .collect()
    }))
}

#[derive(Debug, Deserialize)]
struct ClockR {
    now_ms: u64,
}

#[derive(Debug, Deserialize)]
struct PlanCursorR {
    next: u64,
}

#[derive(Debug, Deserialize)]
struct BufferR {
    bytes: u64,
    blocks: u64,
    reserved: u64,
    peak_bytes: u64,
}

#[derive(Debug, Deserialize)]
struct ProgressR {
    state: SyncState,
    target: u64,
    blocks_per_sec: Option<f64>,
    failure: Option<Failure>,
    recoveries: u32,
}

#[derive(Debug, Deserialize)]
struct CheckpointR {
    last: Option<Checkpoint>,
    blocks_since: u64,
    due: bool,
    written: u64,
}

#[derive(Debug, Deserialize)]
struct ConfigR {
    strategy: String,
    max_buffered_bytes: u64,
    production_progress: Option<f64>,
    production_max_behind: u64,
}

/// A world dump in the views above: peers best score first, ranges and blocks lowest height first.
struct Dump {
    peers: Vec<PeerView>,
    ranges: Vec<RangeView>,
    stages: BTreeMap<String, StageSummary>,
    blocks: Option<Vec<BlockView>>,
    other: usize,
    res: Resources,
}

impl Dump {
    fn from_world(world: WorldDump) -> anyhow::Result<Self> {
        let mut peers: Vec<PeerView> = views("peer", world.peers)?;
        let score = |p: &PeerView| p.peer_score.unwrap_or(f64::NEG_INFINITY);
        peers.sort_by(|a, b| score(b).total_cmp(&score(a)));
        let mut ranges: Vec<RangeView> = views("range", world.ranges)?;
        ranges.sort_by_key(|r| r.range.start);
        let mut blocks = world
            .blocks
            .map(|b| views::<BlockView>("block", b))
            .transpose()?;
        if let Some(blocks) = &mut blocks {
            blocks.sort_by_key(|b| b.pending_block.height);
        }
        let resources = Value::Object(world.resources.into_iter().collect());
        Ok(Self {
            peers,
            ranges,
            stages: world.blocks_by_stage,
            blocks,
            other: world.other.len(),
            res: serde_json::from_value(resources).context("resources")?,
        })
    }

    /// Engine time, when the dump has it.
    fn now_ms(&self) -> Option<u64> {
        self.res.clock.as_ref().map(|c| c.now_ms).filter(|&n| n > 0)
    }
}

/// Each entity's components as `T`; an error names the entity.
fn views<T: DeserializeOwned>(kind: &str, entities: Vec<EntityDump>) -> anyhow::Result<Vec<T>> {
    entities
        .into_iter()
        .map(|e| {
            let components = Value::Object(e.components.into_iter().collect());
            serde_json::from_value(components).with_context(|| format!("{kind} {}", e.entity))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/// The pending block stages, in their order (keys of `blocks_by_stage`).
const STAGES: [&str; 3] = ["downloaded", "validated", "ready_to_import"];
/// `EngineCounters` fields, in a reading order; unknown ones follow.
const COUNTERS: [&str; 10] = [
    "blocks_downloaded",
    "blocks_validated",
    "blocks_imported",
    "blocks_rejected",
    "requests_sent",
    "requests_timed_out",
    "peer_penalties",
    "peer_bans",
    "import_commits",
    "ranges_evicted",
];

/// Renders a world dump, and the node's status when it was read, as text; `source` names the node. Errors
/// (one line, naming the entity) when a component the tables read has an unexpected shape.
pub fn render(
    world: WorldDump,
    status: Option<&SyncStatus>,
    source: &str,
) -> anyhow::Result<String> {
    let dump = Dump::from_world(world)?;
    let now_ms = dump.now_ms();
    let labels: HashMap<u64, &str> = dump
        .peers
        .iter()
        .map(|p| (p.peer.id.0, p.peer.label.as_str()))
        .collect();
    let mut sections = vec![
        header(&dump.res, status, source),
        peers_section(&dump.peers, now_ms),
        ranges_section(&dump.ranges, &labels, now_ms),
        stages_section(&dump.stages),
    ];
    if let Some(blocks) = &dump.blocks {
        sections.push(blocks_section(blocks));
    }
    sections.push(counters_section(dump.res.engine_counters.as_ref()));
    if dump.other > 0 {
        let n = dump.other;
        sections.push(format!(
            "WARNING: {n} entities of no known kind (see --json)"
        ));
    }
    Ok(sections.join("\n\n") + "\n")
}

/// State and progress, from the node's status or else computed from the resources as the node would.
struct Progress {
    state: Option<SyncState>,
    current: Option<u64>,
    target: Option<u64>,
    rate: Option<f64>,
    eta: Option<f64>,
    gate: Option<bool>,
    failure: Option<String>,
}

impl Progress {
    fn from_status(s: &SyncStatus) -> Self {
        Self {
            state: Some(s.state),
            current: Some(s.current_height),
            target: Some(s.target_height),
            rate: Some(s.blocks_per_second),
            eta: s.estimated_completion_seconds,
            gate: Some(s.can_produce_blocks),
            failure: s.failure.as_ref().map(ToString::to_string),
        }
    }

    fn from_resources(res: &Resources) -> Self {
        let progress = res.sync_progress.as_ref();
        let state = progress.map(|p| p.state);
        let current = res.chain_head.map(|h| h.height);
        let target = progress.map(|p| p.target);
        let rate = progress.and_then(|p| p.blocks_per_sec);
        let eta = match (current, target, rate) {
            (Some(c), Some(t), _) if c >= t => Some(0.0),
            (Some(c), Some(t), Some(r)) if r > 0.0 => Some((t - c) as f64 / r),
            _ => None,
        };
        let gate = match (state, current, target, &res.sync_config) {
            (Some(s), Some(c), Some(t), Some(cfg)) => cfg
                .production_progress
                .map(|min| s.production_gate(c, t, min, cfg.production_max_behind)),
            _ => None,
        };
        let failure = progress
            .and_then(|p| p.failure.as_ref())
            .map(ToString::to_string);
        Self {
            state,
            current,
            target,
            rate,
            eta,
            gate,
            failure,
        }
    }

    /// Percent of the target reached.
    fn percent(&self) -> Option<f64> {
        match (self.current, self.target) {
            (Some(_), Some(0)) => Some(100.0),
            (Some(c), Some(t)) => Some((c as f64 / t as f64).min(1.0) * 100.0),
            _ => None,
        }
    }
}

/// The lines above the tables: node, state and progress, buffer, checkpoint, failure.
fn header(res: &Resources, status: Option<&SyncStatus>, source: &str) -> String {
    let p = status.map_or_else(|| Progress::from_resources(res), Progress::from_status);
    let buffered = res
        .buffer
        .as_ref()
        .map(|b| b.bytes)
        .or(status.map(|s| s.buffered_bytes));
    let strategy = res.sync_config.as_ref();
    let strategy = strategy.map_or(String::new(), |c| format!("  (strategy {})", c.strategy));
    let mut lines = vec![
        format!("node {source}{strategy}"),
        format!(
            "state {}  height {}/{} ({}%)  {} blocks/s  ETA {}  can_produce_blocks {}  buffered {}",
            dash(p.state.map(|s| format!("{s:?}"))),
            dash(p.current),
            dash(p.target),
            fixed(p.percent(), 1),
            fixed(p.rate, 1),
            dash(p.eta.map(duration)),
            dash(p.gate),
            dash(buffered.map(bytes)),
        ),
        buffer_line(res, buffered),
        checkpoint_line(res),
    ];
    if let Some(failure) = &p.failure {
        lines.push(format!("failure: {failure}"));
    }
    lines.join("\n")
}

fn buffer_line(res: &Resources, buffered: Option<u64>) -> String {
    let b = res.buffer.as_ref();
    format!(
        "buffer {} in {} blocks, {} reserved, peak {}, cap {}  head hash {}  plan cursor {}",
        dash(buffered.map(bytes)),
        dash(b.map(|b| b.blocks)),
        dash(b.map(|b| bytes(b.reserved))),
        dash(b.map(|b| bytes(b.peak_bytes))),
        dash(
            res.sync_config
                .as_ref()
                .map(|c| bytes(c.max_buffered_bytes))
        ),
        dash(res.chain_head.map(|h| h.hash)),
        dash(res.plan_cursor.as_ref().map(|p| p.next)),
    )
}

fn checkpoint_line(res: &Resources) -> String {
    let c = res.checkpoint_state.as_ref();
    let due = if c.is_some_and(|c| c.due) {
        ", next import carries one"
    } else {
        ""
    };
    format!(
        "checkpoint {} ({} written, {} blocks since{due})  recoveries {}",
        dash(c.and_then(|c| c.last).map(|l| l.head.height)),
        dash(c.map(|c| c.written)),
        dash(c.map(|c| c.blocks_since)),
        dash(res.sync_progress.as_ref().map(|p| p.recoveries)),
    )
}

/// Borderless, columns two spaces apart, a rule under the header.
const STYLE: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none().junction(' '))
    .content_lines(ContentLineStyle::none().junction(' '))
    .header_separator(LineStyle::none().fill('-').junction(' '));

/// An empty table with these columns (header, alignment).
pub(super) fn table(columns: &[(&str, CellAlignment)]) -> Table {
    let mut t = Table::new();
    t.load_style(STYLE);
    t.set_header(columns.iter().map(|c| c.0).collect::<Vec<_>>());
    for (column, &(_, align)) in t.column_iter_mut().zip(columns) {
        column.set_padding((0, 1));
        column.set_cell_alignment(align);
    }
    t
}

/// A title line over a table.
fn section(title: &str, table: &Table) -> String {
    format!("{title}\n{}", table.trim_fmt())
}

const PEER_COLUMNS: [(&str, CellAlignment); 13] = [
    ("label", Left),
    ("id", Right),
    ("score", Right),
    ("reputation", Right),
    ("claimed head", Right),
    ("proven", Right),
    ("blocks/s", Right),
    ("latency ms", Right),
    ("batch", Right),
    ("in flight/max", Right),
    ("served", Right),
    ("timeouts", Right),
    ("invalid", Right),
];

fn peers_section(peers: &[PeerView], now_ms: Option<u64>) -> String {
    let mut t = table(&PEER_COLUMNS);
    for p in peers {
        let stats = p.peer_stats.as_ref();
        let budget = p.peer_budget.as_ref();
        let load = p.peer_load.as_ref();
        t.add_row(vec![
            p.peer.label.clone(),
            p.peer.id.0.to_string(),
            fixed(p.peer_score, 2),
            fixed(p.peer_reputation, 1),
            claimed(p.peer_claim.as_ref(), now_ms),
            dash(p.peer_claim.as_ref().map(|c| c.proven)),
            fixed(stats.and_then(|s| s.blocks_per_sec), 1),
            fixed(stats.and_then(|s| s.latency_ms), 0),
            dash(budget.map(|b| b.batch)),
            format!(
                "{}/{}",
                dash(load.map(|l| l.in_flight)),
                dash(budget.map(|b| b.max_in_flight))
            ),
            dash(stats.map(|s| s.blocks_served)),
            dash(stats.map(|s| s.timeouts)),
            dash(stats.map(|s| s.invalid)),
        ]);
    }
    section(&format!("PEERS ({})", peers.len()), &t)
}

/// The claimed head, and the height from which it is not believed while that lasts.
fn claimed(claim: Option<&ClaimC>, now_ms: Option<u64>) -> String {
    let Some(c) = claim else {
        return "-".into();
    };
    match c.discredited_from {
        Some(from) if now_ms.is_none_or(|now| now < c.discredited_until_ms) => {
            format!("{} (discredited from {from})", c.head.height)
        }
        _ => c.head.height.to_string(),
    }
}

impl RangeView {
    /// The state components it has, in their order (exactly one unless the engine is wrong).
    fn states(&self) -> Vec<&'static str> {
        [
            (self.awaiting_download, "AwaitingDownload"),
            (self.downloading.is_some(), "Downloading"),
            (self.awaiting_import.is_some(), "AwaitingImport"),
        ]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect()
    }

    fn state_text(&self) -> String {
        let states = self.states();
        let mut text = if states.is_empty() {
            "?".to_string()
        } else {
            states.join("+")
        };
        if self.delivered {
            text.push_str(" (delivered)");
        }
        text
    }

    fn peer_id(&self) -> Option<PeerId> {
        let serving = self.awaiting_import.as_ref().map(|a| a.peer_id);
        self.downloading.as_ref().map(|d| d.peer_id).or(serving)
    }

    /// When a download times out, or how many blocks await import.
    fn detail(&self, now_ms: Option<u64>) -> String {
        match (&self.downloading, &self.awaiting_import, now_ms) {
            (Some(d), _, Some(now)) => format!("deadline {}", relative_ms(d.deadline_ms, now)),
            (Some(d), _, None) => format!("deadline at {} ms", d.deadline_ms),
            (None, Some(a), _) => format!("{} blocks", a.blocks),
            (None, None, _) => "-".into(),
        }
    }
}

fn ranges_section(
    ranges: &[RangeView],
    labels: &HashMap<u64, &str>,
    now_ms: Option<u64>,
) -> String {
    let mut t = table(&[
        ("start", Right),
        ("count", Right),
        ("state", Left),
        ("peer", Left),
        ("attempts", Right),
        ("deadline / blocks", Left),
    ]);
    for r in ranges {
        let peer = r.peer_id().map(|id| match labels.get(&id.0) {
            Some(label) => label.to_string(),
            None => format!("#{}", id.0),
        });
        let attempts = r
            .range_attempts
            .as_ref()
            .map(|a| match a.failed_peers.len() {
                0 => a.attempts.to_string(),
                n => format!("{} ({n} failed)", a.attempts),
            });
        t.add_row(vec![
            r.range.start.to_string(),
            r.range.count.to_string(),
            r.state_text(),
            dash(peer),
            dash(attempts),
            r.detail(now_ms),
        ]);
    }
    let only = |state: &str| ranges.iter().filter(|r| r.states() == [state]).count();
    let title = format!(
        "RANGES ({}: {} awaiting download, {} downloading, {} awaiting import)",
        ranges.len(),
        only("AwaitingDownload"),
        only("Downloading"),
        only("AwaitingImport"),
    );
    section(&title, &t)
}

fn stages_section(stages: &BTreeMap<String, StageSummary>) -> String {
    let mut t = table(&[
        ("stage", Left),
        ("count", Right),
        ("bytes", Right),
        ("heights", Left),
    ]);
    let extra = stages
        .keys()
        .map(String::as_str)
        .filter(|k| !STAGES.contains(k));
    let (mut count, mut total) = (0, 0);
    for name in STAGES.into_iter().chain(extra) {
        let s = stages.get(name);
        count += s.map_or(0, |s| s.count);
        total += s.map_or(0, |s| s.bytes);
        let heights = s.and_then(|s| s.min_height.zip(s.max_height));
        t.add_row(vec![
            name.to_string(),
            dash(s.map(|s| s.count)),
            dash(s.map(|s| bytes(s.bytes))),
            dash(heights.map(|(lo, hi)| format!("{lo}-{hi}"))),
        ]);
    }
    t.add_row(vec![
        "total".into(),
        count.to_string(),
        bytes(total),
        String::new(),
    ]);
    section("PENDING BLOCKS", &t)
}

fn blocks_section(blocks: &[BlockView]) -> String {
    let mut t = table(&[
        ("height", Right),
        ("stage", Left),
        ("bytes", Right),
        ("hash", Left),
        ("range", Left),
    ]);
    for b in blocks {
        let stages: Vec<&str> = [
            (b.downloaded, "Downloaded"),
            (b.validating, "Validating"),
            (b.validated, "Validated"),
            (b.ready_to_import, "ReadyToImport"),
        ]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect();
        let p = &b.pending_block;
        t.add_row(vec![
            p.height.to_string(),
            dash((!stages.is_empty()).then(|| stages.join("+"))),
            p.bytes.to_string(),
            p.hash.to_string(),
            p.range.clone(),
        ]);
    }
    section(&format!("BLOCKS ({})", blocks.len()), &t)
}

fn counters_section(counters: Option<&BTreeMap<String, u64>>) -> String {
    let mut t = table(&[("counter", Left), ("value", Right)]);
    let extra = counters
        .into_iter()
        .flat_map(BTreeMap::keys)
        .map(String::as_str)
        .filter(|k| !COUNTERS.contains(k));
    for name in COUNTERS.into_iter().chain(extra) {
        let value = counters.and_then(|c| c.get(name));
        t.add_row(vec![name.to_string(), dash(value)]);
    }
    section("COUNTERS", &t)
}

// ---------------------------------------------------------------------------------------------------------------
// Cell formats

fn dash<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

fn fixed(v: Option<f64>, decimals: usize) -> String {
    dash(
        v.filter(|x| x.is_finite())
            .map(|x| format!("{x:.decimals$}")),
    )
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "-".into();
    }
    let s = secs.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `at_ms` relative to `now_ms`: `in 1.2s` / `1.2s ago`.
fn relative_ms(at_ms: u64, now_ms: u64) -> String {
    if at_ms >= now_ms {
        format!("in {:.1}s", (at_ms - now_ms) as f64 / 1000.0)
    } else {
        format!("{:.1}s ago", (now_ms - at_ms) as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use ecsync_components::Hash32;
    use serde_json::json;

    use super::*;

    fn hash(byte: u8) -> String {
        Hash32([byte; 32]).to_hex()
    }

    fn peer(entity: &str, id: u64, label: &str, score: f64, head: u64) -> Value {
        json!({
            "entity": entity,
            "components": {
                "Peer": { "id": id, "label": label, "connected_at_ms": 1000 },
                "PeerClaim": {
                    "head": { "height": head, "slot": head + 3, "hash": hash(0xab) },
                    "updated_ms": 1000, "discredited_from": null, "discredited_until_ms": 0,
                    "status_requested_ms": 1000, "proven": head.saturating_sub(10)
                },
                "PeerStats": {
                    "latency_ms": 12.4, "blocks_per_sec": 850.25, "requests_ok": 3, "blocks_served": 192,
                    "bytes_served": 19200, "timeouts": 1, "failures": 0, "empty": 0, "invalid": 0,
                    "consecutive_failures": 0
                },
                "PeerScore": score,
                "PeerReputation": -score * 4.0,
                "PeerBudget": { "batch": 64, "max_in_flight": 4, "timeout_ms": 10000 },
                "PeerLoad": { "in_flight": 2 }
            }
        })
    }

    fn sample() -> Value {
        json!({
            "peers": [
                peer("3v0", 3, "p-low", 0.25, 900),
                peer("1v0", 1, "p-high", 2.5, 1000),
                // A peer with almost nothing known about it.
                { "entity": "9v0", "components": { "Peer": { "id": 9, "label": "p-bare" } } },
                peer("2v0", 2, "p-mid", 1.0, 1000),
            ],
            "ranges": [
                { "entity": "10v0", "components": {
                    "Range": { "start": 65, "count": 64 },
                    "RangeAttempts": { "attempts": 1, "failed_peers": [] },
                    "Downloading": { "peer": 4294967297u64, "peer_id": 2, "request": 7, "sent_at_ms": 5000,
                                     "deadline_ms": 7500, "reserved_bytes": 65536 }
                }},
                { "entity": "11v0", "components": {
                    "Range": { "start": 1, "count": 64 },
                    "RangeAttempts": { "attempts": 2, "failed_peers": [3] },
                    "AwaitingImport": { "peer_id": 1, "blocks": 40 }
                }},
                { "entity": "12v0", "components": {
                    "Range": { "start": 129, "count": 32 },
                    "RangeAttempts": { "attempts": 0, "failed_peers": [] },
                    "AwaitingDownload": null
                }}
            ],
            "blocks_by_stage": {
                "downloaded": { "count": 10, "bytes": 10240, "min_height": 31, "max_height": 40 },
                "validated": { "count": 20, "bytes": 20480, "min_height": 11, "max_height": 30 },
                "ready_to_import": { "count": 0, "bytes": 0, "min_height": null, "max_height": null }
            },
            "blocks": null,
            "other": [],
            "resources": {
                "Clock": { "now_ms": 6000 },
                "ChainHead": { "height": 10, "slot": 12, "hash": hash(0x12) },
                "PlanCursor": { "next": 161 },
                "Buffer": { "bytes": 30720, "blocks": 30, "reserved": 65536, "avg_block_bytes": 1024.0,
                            "peak_bytes": 40000 },
                "SyncProgress": { "state": "DownloadingBlocks", "target": 1000, "blocks_per_sec": 100.0,
                                  "rate_height": 10, "rate_at_ms": 5000, "last_progress_ms": 5000,
                                  "failed_at_ms": 0, "failure": null, "recoveries": 0, "was_synced": false },
                "CheckpointState": { "last": null, "window_start_ms": 0, "blocks_since": 10, "due": false,
                                     "written": 0 },
                "EngineCounters": { "blocks_downloaded": 40, "blocks_validated": 30, "blocks_imported": 10,
                                    "blocks_rejected": 3, "requests_sent": 5, "requests_timed_out": 1,
                                    "peer_penalties": 2, "peer_bans": 1, "import_commits": 1,
                                    "ranges_evicted": 0 },
                "SyncConfig": { "strategy": "engine", "max_buffered_bytes": 67108864,
                                "production_progress": 0.995, "production_max_behind": 10 }
            }
        })
    }

    fn world(v: Value) -> WorldDump {
        serde_json::from_value(v).unwrap()
    }

    fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
    }

    /// The lines of the section titled `title` (up to the blank line after it).
    fn section_of<'a>(out: &'a str, title: &str) -> Vec<&'a str> {
        let start = out.find(&format!("\n{title}")).expect(title) + 1;
        out[start..].lines().take_while(|l| !l.is_empty()).collect()
    }

    #[test]
    fn the_header_shows_state_and_progress_from_the_resources() {
        let out = render(world(sample()), None, "http://127.0.0.1:1").unwrap();
        assert!(
            out.starts_with("node http://127.0.0.1:1  (strategy engine)\n"),
            "{out}"
        );
        // 990 to go at 100 blocks/s.
        let header = line_with(&out, "state ");
        assert_eq!(
            header,
            "state DownloadingBlocks  height 10/1000 (1.0%)  100.0 blocks/s  ETA 10s  \
             can_produce_blocks false  buffered 30.0 KiB"
        );
        let buffer = line_with(&out, "buffer ");
        assert!(
            buffer.contains("30 blocks, 64.0 KiB reserved, peak 39.1 KiB, cap 64.0 MiB"),
            "{buffer}"
        );
        assert!(
            buffer.contains(&format!("head hash {}", hash(0x12))),
            "{buffer}"
        );
        assert!(buffer.ends_with("plan cursor 161"), "{buffer}");
        assert_eq!(
            line_with(&out, "checkpoint "),
            "checkpoint - (0 written, 10 blocks since)  recoveries 0"
        );
        assert!(
            !out.contains("failure:") && !out.contains("WARNING"),
            "{out}"
        );
    }

    #[test]
    fn peers_are_listed_by_score_with_their_measurements() {
        let out = render(world(sample()), None, "x").unwrap();
        let peers = section_of(&out, "PEERS (4)");
        assert!(
            peers[1].starts_with("label ") && peers[1].contains("in flight/max"),
            "{out}"
        );
        assert!(peers[2].starts_with("-----"), "{out}");
        let labels: Vec<&str> = peers[3..]
            .iter()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        assert_eq!(labels, ["p-high", "p-mid", "p-low", "p-bare"], "{out}");
        let high: Vec<&str> = peers[3].split_whitespace().collect();
        assert_eq!(
            high,
            [
                "p-high", "1", "2.50", "-10.0", "1000", "990", "850.2", "12", "64", "2/4", "192",
                "1", "0"
            ]
        );
        let bare: Vec<&str> = peers[6].split_whitespace().collect();
        assert_eq!(
            bare,
            [
                "p-bare", "9", "-", "-", "-", "-", "-", "-", "-", "-/-", "-", "-", "-"
            ]
        );
        // Right-aligned numbers end in the same column as their header.
        let score_end = peers[1].find("score").unwrap() + "score".len();
        assert_eq!(&peers[3][score_end - 4..score_end], "2.50", "{out}");
        assert_eq!(&peers[5][score_end - 4..score_end], "0.25", "{out}");
    }

    #[test]
    fn ranges_are_listed_by_start_with_state_peer_and_detail() {
        let out = render(world(sample()), None, "x").unwrap();
        let ranges = section_of(&out, "RANGES");
        assert_eq!(
            ranges[0],
            "RANGES (3: 1 awaiting download, 1 downloading, 1 awaiting import)"
        );
        let rows: Vec<Vec<&str>> = ranges[3..]
            .iter()
            .map(|l| {
                l.split("  ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .collect();
        assert_eq!(
            rows,
            [
                vec![
                    "1",
                    "64",
                    "AwaitingImport",
                    "p-high",
                    "2 (1 failed)",
                    "40 blocks"
                ],
                vec!["65", "64", "Downloading", "p-mid", "1", "deadline in 1.5s"],
                vec!["129", "32", "AwaitingDownload", "-", "0", "-"],
            ],
            "{out}"
        );
    }

    #[test]
    fn pending_blocks_are_summarised_by_stage() {
        let out = render(world(sample()), None, "x").unwrap();
        assert_eq!(
            section_of(&out, "PENDING BLOCKS").join("\n"),
            "PENDING BLOCKS\n\
             stage            count     bytes  heights\n\
             ---------------- ------ --------- --------\n\
             downloaded          10  10.0 KiB  31-40\n\
             validated           20  20.0 KiB  11-30\n\
             ready_to_import      0       0 B  -\n\
             total               30  30.0 KiB"
        );
    }

    #[test]
    fn counters_follow_the_reading_order_then_unknown_ones() {
        let mut v = sample();
        v["resources"]["EngineCounters"]["zz_new_counter"] = json!(7);
        let out = render(world(v), None, "x").unwrap();
        let counters = section_of(&out, "COUNTERS");
        let names: Vec<&str> = counters[3..]
            .iter()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let mut want = COUNTERS.to_vec();
        want.push("zz_new_counter");
        assert_eq!(names, want, "{out}");
        assert!(line_with(&out, "blocks_rejected").ends_with(" 3"));
        assert!(line_with(&out, "peer_bans").ends_with(" 1"));
        assert!(line_with(&out, "zz_new_counter").ends_with(" 7"));
    }

    #[test]
    fn durations_and_bytes() {
        assert_eq!(duration(9.9), "10s");
        assert_eq!(duration(594.0), "9m54s");
        assert_eq!(duration(7265.0), "2h01m");
        assert_eq!(duration(f64::INFINITY), "-");
        assert_eq!(bytes(1000), "1000 B");
        assert_eq!(bytes(64 << 20), "64.0 MiB");
        assert_eq!(relative_ms(7500, 6000), "in 1.5s");
        assert_eq!(relative_ms(5000, 6000), "1.0s ago");
    }

    #[test]
    fn the_status_overrides_the_header() {
        let status: StatusBody = serde_json::from_value(json!({
            "state": "CatchingUp", "current_height": 995, "target_height": 1000, "blocks_per_second": 50.0,
            "peers_connected": 4, "estimated_completion_seconds": null, "can_produce_blocks": true,
            "head_slot": 1100, "sync_distance": 5, "is_syncing": true, "buffered_bytes": 1,
            "failure": { "kind": "import", "height": 996, "error": "disk full" },
        }))
        .unwrap();
        let out = render(world(sample()), Some(&status.status), "x").unwrap();
        assert_eq!(
            line_with(&out, "state "),
            "state CatchingUp  height 995/1000 (99.5%)  50.0 blocks/s  ETA -  can_produce_blocks true  \
             buffered 30.0 KiB"
        );
        assert!(
            out.contains("\nfailure: import at height 996: disk full\n"),
            "{out}"
        );
    }

    #[test]
    fn an_empty_world_prints_dashes() {
        let empty = json!({ "peers": [], "ranges": [], "blocks_by_stage": {}, "blocks": null, "other": [],
                            "resources": {} });
        let out = render(world(empty), None, "x").unwrap();
        assert!(
            out.contains(
                "\nstate -  height -/- (-%)  - blocks/s  ETA -  can_produce_blocks -  buffered -\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("\ncheckpoint - (- written, - blocks since)  recoveries -\n"),
            "{out}"
        );
        assert_eq!(section_of(&out, "PEERS (0)").len(), 3, "{out}");
        assert!(line_with(&out, "ready_to_import").ends_with(" -"), "{out}");
        assert!(line_with(&out, "blocks_imported").ends_with(" -"), "{out}");
        let mut other = sample();
        other["other"] = json!([{ "entity": "99v0", "components": {} }]);
        let out = render(world(other), None, "x").unwrap();
        assert!(
            out.ends_with("\n\nWARNING: 1 entities of no known kind (see --json)\n"),
            "{out}"
        );
    }

    #[test]
    fn a_component_of_the_wrong_shape_is_a_one_line_error_naming_the_entity() {
        let cases = [
            ("/peers/1/components/Peer/label", json!(5), "peer 1v0"),
            ("/ranges/0/components/Range", json!("x"), "range 10v0"),
            (
                "/resources/SyncProgress/state",
                json!("Sleeping"),
                "resources",
            ),
            (
                "/ranges/1/components/AwaitingImport/peer_id",
                json!("one"),
                "range 11v0",
            ),
            ("/resources/Clock/now_ms", json!(-1), "resources"),
        ];
        for (pointer, value, names) in cases {
            let mut v = sample();
            *v.pointer_mut(pointer).unwrap() = value;
            let e = format!("{:#}", render(world(v), None, "x").unwrap_err());
            assert!(e.starts_with(names), "{pointer}: {e}");
            assert!(!e.contains('\n'), "{pointer}: {e}");
        }
        for not_a_world in [
            json!({ "hello": 1 }),
            json!([1, 2]),
            json!({ "peers": "nope" }),
        ] {
            assert!(serde_json::from_value::<WorldDump>(not_a_world).is_err());
        }
    }

    /// The JSON of a full dump of an engine with three peers, ranges in flight and the highest range's blocks
    /// pending behind the lower ones; with that range's start and length.
    fn real_dump() -> (String, u64, u32) {
        use crate::engine::SyncEngine;
        use crate::testing::sim::{SIM_EPOCH_MS, SimChain};
        use ecsync_components::{NetEvent, PeerId, Request, StatusMessage, SyncConfig};

        let chain = SimChain::generate(5, 200, 16);
        let mut engine = SyncEngine::new(
            chain.spec.clone(),
            SyncConfig::default(),
            Box::new(chain.store_at(0)),
        )
        .unwrap();
        for p in 1..=3 {
            engine.handle(NetEvent::PeerConnected {
                peer: PeerId(p),
                label: format!("peer-{p}"),
                status: StatusMessage::proven(
                    chain.spec.chain_id,
                    chain.spec.genesis_hash,
                    chain.proof(200).expect("block 200"),
                ),
            });
        }
        engine.tick(SIM_EPOCH_MS);
        // Answer the highest range only: its blocks stay pending behind the lower ones.
        let (peer, request, start, count) = engine
            .drain_outbox()
            .into_iter()
            .filter_map(|r| match r {
                Request::BlocksByRange {
                    peer,
                    request,
                    start,
                    count,
                    ..
                } => Some((peer, request, start, count)),
                _ => None,
            })
            .max_by_key(|r| r.2)
            .unwrap();
        assert!(start > 1);
        engine.handle(NetEvent::Blocks {
            peer,
            request,
            blocks: (start..start + u64::from(count))
                .map(|h| chain.blocks[h as usize].clone())
                .collect(),
        });
        engine.tick(SIM_EPOCH_MS + 50);
        let text = serde_json::to_string(&engine.world_dump(true)).unwrap();
        (text, start, count)
    }

    #[test]
    fn renders_a_real_engine_dump() {
        let (text, start, count) = real_dump();
        // The node's JSON deserializes into the dump's types and serializes back to the same bytes.
        let parsed: WorldDump = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), text);

        let out = render(parsed, None, "test").unwrap();
        for label in ["peer-1", "peer-2", "peer-3"] {
            assert!(out.contains(label), "{out}");
        }
        assert!(out.contains("Downloading"), "{out}");
        let header = line_with(&out, "state ");
        assert!(header.contains("/200 ("), "{header}");
        assert!(!header.contains("state -"), "{header}");
        assert!(
            line_with(&out, "blocks_downloaded").ends_with(&format!(" {count}")),
            "{out}"
        );
        assert!(out.contains("1 awaiting import)"), "{out}");
        // The full dump lists each pending block, lowest first, with its stage.
        let blocks = section_of(&out, &format!("BLOCKS ({count})"));
        assert_eq!(blocks.len(), 3 + count as usize, "{out}");
        let first: Vec<&str> = blocks[3].split_whitespace().collect();
        assert_eq!(first[0], start.to_string(), "{out}");
        assert!(
            ["Downloaded", "Validating", "Validated", "ReadyToImport"].contains(&first[1]),
            "{out}"
        );
        assert!(first[3].starts_with("0x") && first[3].len() == 66, "{out}");
        assert!(!out.contains("WARNING"), "{out}");
    }

    #[test]
    fn url_parsing() {
        let base = |s: &str| NodeUrl::parse(s).unwrap().base().to_string();
        assert_eq!(base("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(base("http://localhost:9/"), "http://localhost:9");
        assert_eq!(base("HTTP://[::1]:80"), "http://[::1]:80");
        assert_eq!(base("http://127.0.0.1"), "http://127.0.0.1:80");
        assert_eq!(
            NodeUrl::parse("http://a:1").unwrap().url("/sync/status"),
            "http://a:1/sync/status"
        );
        for (bad, why) in [
            ("https://127.0.0.1:8080", "only plain http://"),
            ("ftp://127.0.0.1:21", "only plain http://"),
            ("127.0.0.1:8080", "not a URL"),
            ("garbage", "not a URL"),
            ("", "not a URL"),
            ("http://:8080", "empty host"),
            ("http://127.0.0.1:0", "invalid port"),
            ("http://127.0.0.1:99999", "invalid port"),
            ("http://127.0.0.1:+80", "invalid port"),
            ("http://127.0.0.1:80/debug/world", "no path"),
            ("http://127.0.0.1:80?x=1", "no path"),
            ("http://127.0.0.1:80#top", "no path"),
            ("http://user@127.0.0.1:80", "no user"),
            ("http://bad host:80", "invalid"),
            ("http://[::1:80", "invalid IPv6"),
            ("http://[zz]:80", "invalid IPv6"),
        ] {
            let e = NodeUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad:?}: {e}");
            assert!(
                e.contains("expected http://HOST:PORT") && !e.contains('\n'),
                "{bad:?}: {e}"
            );
        }
    }

    /// Serves `answers` (raw HTTP responses), one per connection, on a loopback port.
    fn serve(answers: Vec<Vec<u8>>) -> (NodeUrl, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for answer in answers {
                let (mut s, _) = listener.accept().unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut chunk).unwrap();
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                requests.push(String::from_utf8_lossy(&buf).into_owned());
                if answer.is_empty() {
                    // Never answer: hold the connection until the client gives up.
                    std::thread::sleep(Duration::from_millis(1500));
                } else {
                    let _ = s.write_all(&answer);
                }
            }
            requests
        });
        let node = NodeUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        (node, handle)
    }

    fn http(status: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[test]
    fn the_client_gets_json() {
        let (node, server) = serve(vec![http("200 OK", &sample().to_string())]);
        let client = Client::new(node.clone(), Duration::from_secs(5), 1 << 20);
        let got: WorldDump = client
            .get_json("/debug/world?full=1", "a world dump")
            .unwrap();
        assert_eq!(serde_json::to_value(got).unwrap(), sample());
        let request = server.join().unwrap().remove(0).to_ascii_lowercase();
        assert!(
            request.starts_with("get /debug/world?full=1 http/1.1\r\n"),
            "{request}"
        );
        let authority = node.base().trim_start_matches("http://");
        assert!(
            request.contains(&format!("\r\nhost: {authority}\r\n")),
            "{request}"
        );
        assert!(
            request.contains("\r\naccept: application/json\r\n"),
            "{request}"
        );
    }

    #[test]
    fn the_client_reports_each_failure_in_one_line() {
        let (node, server) = serve(vec![
            http("404 Not Found", "no such\nroute"),
            http("200 OK", "{not json"),
            http("200 OK", r#"{"hello": 1}"#),
            http("200 OK", &"x".repeat(5000)),
            http("302 Found", ""),
            Vec::new(),
        ]);
        let client = Client::new(node.clone(), Duration::from_millis(500), 8192);
        let small = Client::new(node.clone(), Duration::from_millis(500), 4096);
        let cases = [
            (&client, "the node answered 404 Not Found: no such route"),
            (
                &client,
                "the answer is not a world dump: key must be a string",
            ),
            (
                &client,
                "the answer is not a world dump: missing field `peers`",
            ),
            (&small, "the answer is larger than 4.0 KiB"),
            (&client, "the node answered 302 Found"),
            (&client, "no complete answer within 0.5 s"),
        ];
        for (client, want) in cases {
            let got = client.get_json::<WorldDump>("/debug/world", "a world dump");
            let got = format!("{:#}", got.unwrap_err());
            let want = format!("GET {}: {want}", node.url("/debug/world"));
            assert!(got.starts_with(&want), "{got}\nwanted {want}");
            assert!(!got.contains('\n'), "{got}");
        }
        assert_eq!(server.join().unwrap().len(), 6);
    }

    #[test]
    fn a_refused_connection_names_the_address() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let node = NodeUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
        let client = Client::new(node, Duration::from_secs(5), 1024);
        let e = format!("{:#}", client.get("/debug/world").unwrap_err());
        assert!(
            e.starts_with(&format!(
                "cannot reach the node at http://127.0.0.1:{port}: "
            )),
            "{e}"
        );
        assert!(e.contains("refused"), "{e}");
    }
}

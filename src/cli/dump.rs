//! `ecsync dump`: a running node's world, read over its HTTP API (`GET /debug/world`, `GET /sync/status`) and
//! printed as tables (peers by score, ranges in flight, pending blocks by stage, state and progress, counters) or
//! as the raw JSON.
//!
//! The client is a bare hyper 1 HTTP/1.1 connection on a current-thread tokio runtime: one request per
//! connection, a timeout over the whole exchange and a cap on the body. Rendering never trusts the JSON's shape:
//! a missing or unexpected field prints as `-`.

use std::fmt::Write as _;
use std::net::Ipv6Addr;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use ecsync_components::SyncState;
use ecsync_systems::update_state::production_gate;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::DumpArgs;

/// The whole exchange (connect, request, body) must finish within this.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest body read.
const MAX_BODY_BYTES: usize = 64 << 20;

/// `ecsync dump`.
pub fn run(args: &DumpArgs) -> anyhow::Result<()> {
    let node = NodeUrl::parse(&args.node)?;
    let client = Client::new(node, TIMEOUT, MAX_BODY_BYTES)?;
    let path = if args.full {
        "/debug/world?full=1"
    } else {
        "/debug/world"
    };
    let world = client.get_json(path)?;
    if args.json {
        let mut text = serde_json::to_string_pretty(&world)?;
        text.push('\n');
        return emit(&text);
    }
    // The status adds what the world does not hold (the ETA and the production gate as the node computes
    // them); without it the header is computed from the resources.
    let status = client.get_json("/sync/status").ok();
    emit(&render(&world, status.as_ref(), &client.node.base())?)
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

/// A node's base URL: `http://host:port[/]`, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeUrl {
    /// Host name or IP address (an IPv6 address without its brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl NodeUrl {
    /// Parses `http://host:port` with an optional trailing `/`.
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        let err = |why: &str| anyhow!("invalid --node {s:?}: {why} (expected http://HOST:PORT)");
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(err("not a URL"));
        };
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(err(&format!(
                "only plain http:// is supported, not {scheme}://"
            )));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(err("a base URL has no path, query, fragment or user"));
        }
        let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
            let Some((ip, port)) = bracketed.split_once(']') else {
                return Err(err("unclosed '[' in the host"));
            };
            if ip.parse::<Ipv6Addr>().is_err() {
                return Err(err("invalid IPv6 address"));
            }
            let Some(port) = port.strip_prefix(':') else {
                return Err(err("missing port"));
            };
            (ip, port)
        } else {
            let Some((host, port)) = rest.rsplit_once(':') else {
                return Err(err("missing port"));
            };
            if host.is_empty() {
                return Err(err("missing host"));
            }
            if !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                return Err(err("invalid host"));
            }
            (host, port)
        };
        let port = match port.parse::<u16>() {
            Ok(p) if p != 0 && port.chars().all(|c| c.is_ascii_digit()) => p,
            _ => return Err(err("invalid port")),
        };
        Ok(Self {
            host: host.to_string(),
            port,
        })
    }

    /// `host:port`, with brackets around an IPv6 address (the `Host` header).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `http://host:port`.
    pub fn base(&self) -> String {
        format!("http://{}", self.authority())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The HTTP client

/// GETs from one node on a current-thread runtime.
struct Client {
    rt: tokio::runtime::Runtime,
    node: NodeUrl,
    timeout: Duration,
    max_body: usize,
}

impl Client {
    fn new(node: NodeUrl, timeout: Duration, max_body: usize) -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the HTTP client's runtime")?;
        Ok(Self {
            rt,
            node,
            timeout,
            max_body,
        })
    }

    /// The body of a 200 answer to `GET path`.
    fn get(&self, path: &str) -> anyhow::Result<Bytes> {
        let url = format!("{}{path}", self.node.base());
        let exchange = async { tokio::time::timeout(self.timeout, self.exchange(path)).await };
        match self.rt.block_on(exchange) {
            Ok(result) => result,
            Err(_) => bail!(
                "GET {url}: no complete answer within {} s",
                self.timeout.as_secs_f64()
            ),
        }
    }

    /// `GET path` parsed as JSON.
    fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        let body = self.get(path)?;
        serde_json::from_slice(&body).with_context(|| {
            format!(
                "GET {}{path}: the answer is not valid JSON",
                self.node.base()
            )
        })
    }

    async fn exchange(&self, path: &str) -> anyhow::Result<Bytes> {
        let base = self.node.base();
        let url = format!("{base}{path}");
        let stream = tokio::net::TcpStream::connect((self.node.host.as_str(), self.node.port))
            .await
            .with_context(|| format!("cannot connect to the node at {base}"))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
                .await
                .with_context(|| format!("GET {url}: HTTP handshake failed"))?;
        let driver = tokio::spawn(async move {
            // Errors surface through `send_request` or the body.
            let _ = connection.await;
        });
        let request = Request::get(path)
            .header(header::HOST, self.node.authority())
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("ecsync/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::new())
            .context("building the request")?;
        let response = sender
            .send_request(request)
            .await
            .with_context(|| format!("GET {url}: request failed"))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), self.max_body)
            .collect()
            .await;
        driver.abort();
        let body = match body {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => bail!(
                "GET {url}: the answer is larger than {} bytes",
                self.max_body
            ),
            Err(e) => bail!("GET {url}: reading the answer failed: {e}"),
        };
        if status != StatusCode::OK {
            let text = String::from_utf8_lossy(&body);
            let text = text.trim();
            if text.is_empty() {
                bail!("GET {url}: the node answered {status}");
            }
            let snippet: String = text.chars().take(200).collect();
            bail!("GET {url}: the node answered {status}: {snippet}");
        }
        Ok(body)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the JSON without trusting it

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, key| v.get(key))
}

fn u64_at(v: &Value, path: &[&str]) -> Option<u64> {
    at(v, path).and_then(Value::as_u64)
}

fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    at(v, path).and_then(Value::as_f64)
}

fn bool_at(v: &Value, path: &[&str]) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

/// A scalar as text (strings without quotes); `None` for null, missing, arrays and objects.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".into())
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

/// Milliseconds from now (signed) as `in 1.2s` / `1.2s ago`.
fn relative_ms(at_ms: u64, now_ms: u64) -> String {
    if at_ms >= now_ms {
        format!("in {:.1}s", (at_ms - now_ms) as f64 / 1000.0)
    } else {
        format!("{:.1}s ago", (now_ms - at_ms) as f64 / 1000.0)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/// Plain-text table: columns padded to their widest cell, numbers right-aligned.
struct Table {
    headers: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns`: (header, right-aligned).
    fn new(columns: &[(&'static str, bool)]) -> Self {
        Self {
            headers: columns.iter().map(|c| c.0).collect(),
            right: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self, out: &mut String) {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, (&width, &right)) in widths.iter().zip(&self.right).enumerate() {
                let cell = row.get(i).map_or("-", String::as_str);
                let pad = width.saturating_sub(cell.chars().count());
                if i > 0 {
                    line.push_str("  ");
                }
                if right {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/// The range states, in their order.
const RANGE_STATES: [&str; 3] = ["AwaitingDownload", "Downloading", "AwaitingImport"];
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

fn entities(world: &Value, key: &str) -> Vec<Value> {
    world
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn components(entity: &Value) -> &Value {
    entity.get("components").unwrap_or(&Value::Null)
}

/// Renders a world dump (and optionally the node's `/sync/status`) read from JSON text.
pub fn render_json(world: &str, status: Option<&str>, source: &str) -> anyhow::Result<String> {
    let world: Value = serde_json::from_str(world).context("the world dump is not valid JSON")?;
    let status = status.and_then(|s| serde_json::from_str::<Value>(s).ok());
    render(&world, status.as_ref(), source)
}

/// Renders a world dump (the JSON of `ecsync::dump::WorldDump`) as text. Errors when it is not a JSON object
/// with any of the dump's fields; any field inside may be missing.
pub fn render(world: &Value, status: Option<&Value>, source: &str) -> anyhow::Result<String> {
    let Some(obj) = world.as_object() else {
        bail!("the world dump is not a JSON object");
    };
    if !["peers", "ranges", "blocks_by_stage", "resources"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        bail!("the JSON is not a world dump (no peers, ranges, blocks_by_stage or resources)");
    }
    let status = status.filter(|s| s.is_object());
    let res = world.get("resources").unwrap_or(&Value::Null);
    let now_ms = u64_at(res, &["Clock", "now_ms"]).filter(|&n| n > 0);
    let mut out = String::new();

    // Header: state and progress.
    let state_value = status
        .and_then(|s| s.get("state"))
        .or_else(|| at(res, &["SyncProgress", "state"]));
    let state = dash(text(state_value).or_else(|| state_value.map(Value::to_string)));
    let current = status
        .and_then(|s| u64_at(s, &["current_height"]))
        .or_else(|| u64_at(res, &["ChainHead", "height"]));
    let target = status
        .and_then(|s| u64_at(s, &["target_height"]))
        .or_else(|| u64_at(res, &["SyncProgress", "target"]));
    let rate = status
        .and_then(|s| f64_at(s, &["blocks_per_second"]))
        .or_else(|| f64_at(res, &["SyncProgress", "blocks_per_sec"]));
    let progress = match (current, target) {
        (Some(c), Some(t)) if t > 0 => Some((c as f64 / t as f64).min(1.0) * 100.0),
        (Some(_), Some(0)) => Some(100.0),
        _ => None,
    };
    let eta = match status {
        Some(s) => f64_at(s, &["estimated_completion_seconds"]),
        None => match (current, target, rate) {
            (Some(c), Some(t), _) if c >= t => Some(0.0),
            (Some(c), Some(t), Some(r)) if r > 0.0 => Some((t - c) as f64 / r),
            _ => None,
        },
    };
    let gate = status
        .and_then(|s| bool_at(s, &["can_produce_blocks"]))
        .or_else(|| {
            let state: SyncState = serde_json::from_value(state_value?.clone()).ok()?;
            Some(production_gate(
                state,
                current?,
                target?,
                f64_at(res, &["SyncConfig", "production_progress"])?,
                u64_at(res, &["SyncConfig", "production_max_behind"])?,
            ))
        });
    let buffered = u64_at(res, &["Buffer", "bytes"])
        .or_else(|| status.and_then(|s| u64_at(s, &["buffered_bytes"])));

    let strategy = text(at(res, &["SyncConfig", "strategy"]));
    let _ = writeln!(
        out,
        "node {source}{}",
        strategy.map_or(String::new(), |s| format!("  (strategy {s})"))
    );
    let _ = writeln!(
        out,
        "state {state}  height {}/{} ({}%)  {} blocks/s  ETA {}  can_produce_blocks {}  buffered {}",
        dash(current.map(|c| c.to_string())),
        dash(target.map(|t| t.to_string())),
        fixed(progress, 1),
        fixed(rate, 1),
        dash(eta.map(duration)),
        dash(gate.map(|g| g.to_string())),
        dash(buffered.map(bytes)),
    );
    let _ = writeln!(
        out,
        "buffer {} in {} blocks, {} reserved, peak {}, cap {}  head hash {}  plan cursor {}",
        dash(buffered.map(bytes)),
        dash(u64_at(res, &["Buffer", "blocks"]).map(|n| n.to_string())),
        dash(u64_at(res, &["Buffer", "reserved"]).map(bytes)),
        dash(u64_at(res, &["Buffer", "peak_bytes"]).map(bytes)),
        dash(u64_at(res, &["SyncConfig", "max_buffered_bytes"]).map(bytes)),
        dash(text(at(res, &["ChainHead", "hash"]))),
        dash(u64_at(res, &["PlanCursor", "next"]).map(|n| n.to_string())),
    );
    let _ = writeln!(
        out,
        "checkpoint {} ({} written, {} blocks since{})  recoveries {}",
        dash(u64_at(res, &["CheckpointState", "last", "head", "height"]).map(|h| h.to_string())),
        dash(u64_at(res, &["CheckpointState", "written"]).map(|n| n.to_string())),
        dash(u64_at(res, &["CheckpointState", "blocks_since"]).map(|n| n.to_string())),
        if bool_at(res, &["CheckpointState", "due"]) == Some(true) {
            ", next import carries one"
        } else {
            ""
        },
        dash(u64_at(res, &["SyncProgress", "recoveries"]).map(|n| n.to_string())),
    );
    let failure = status
        .and_then(|s| text(s.get("failure")))
        .or_else(|| text(at(res, &["SyncProgress", "failure"])));
    if let Some(failure) = failure {
        let _ = writeln!(out, "failure: {failure}");
    }

    // Peers, best score first.
    let mut peers = entities(world, "peers");
    let score = |p: &Value| f64_at(components(p), &["PeerScore"]);
    peers.sort_by(|a, b| {
        let key = |p: &Value| {
            score(p)
                .filter(|s| !s.is_nan())
                .unwrap_or(f64::NEG_INFINITY)
        };
        key(b).total_cmp(&key(a))
    });
    let mut labels = std::collections::HashMap::new();
    let mut table = Table::new(&[
        ("label", false),
        ("id", true),
        ("score", true),
        ("claimed head", true),
        ("blocks/s", true),
        ("latency ms", true),
        ("batch", true),
        ("in flight/max", true),
        ("served", true),
        ("timeouts", true),
        ("invalid", true),
    ]);
    for p in &peers {
        let c = components(p);
        let id = text(at(c, &["Peer", "id"]));
        let label = text(at(c, &["Peer", "label"]));
        if let (Some(id), Some(label)) = (&id, &label) {
            labels.insert(id.clone(), label.clone());
        }
        let mut claimed = dash(u64_at(c, &["PeerClaim", "head", "height"]).map(|h| h.to_string()));
        if let Some(from) = u64_at(c, &["PeerClaim", "discredited_from"]) {
            let until = u64_at(c, &["PeerClaim", "discredited_until_ms"]).unwrap_or(u64::MAX);
            if now_ms.is_none_or(|now| now < until) {
                claimed = format!("{claimed} (discredited from {from})");
            }
        }
        let stat = |k: &str| dash(text(at(c, &["PeerStats", k])));
        table.row(vec![
            dash(label.or_else(|| text(p.get("entity")))),
            dash(id),
            fixed(score(p), 2),
            claimed,
            fixed(f64_at(c, &["PeerStats", "blocks_per_sec"]), 1),
            fixed(f64_at(c, &["PeerStats", "latency_ms"]), 0),
            dash(text(at(c, &["PeerBudget", "batch"]))),
            format!(
                "{}/{}",
                dash(text(at(c, &["PeerLoad", "in_flight"]))),
                dash(text(at(c, &["PeerBudget", "max_in_flight"])))
            ),
            stat("blocks_served"),
            stat("timeouts"),
            stat("invalid"),
        ]);
    }
    let _ = writeln!(out, "\nPEERS ({})", peers.len());
    table.render(&mut out);

    // Ranges, lowest first.
    let mut ranges = entities(world, "ranges");
    ranges.sort_by_key(|r| u64_at(components(r), &["Range", "start"]).unwrap_or(u64::MAX));
    let mut by_state = [0usize; RANGE_STATES.len()];
    let mut table = Table::new(&[
        ("start", true),
        ("count", true),
        ("state", false),
        ("peer", false),
        ("attempts", true),
        ("deadline / blocks", false),
    ]);
    for r in &ranges {
        let c = components(r);
        let present: Vec<usize> = (0..RANGE_STATES.len())
            .filter(|&i| c.get(RANGE_STATES[i]).is_some())
            .collect();
        if let [i] = present[..] {
            by_state[i] += 1;
        }
        let mut state = if present.is_empty() {
            "?".to_string()
        } else {
            present
                .iter()
                .map(|&i| RANGE_STATES[i])
                .collect::<Vec<_>>()
                .join("+")
        };
        if c.get("Delivered").is_some() {
            state.push_str(" (delivered)");
        }
        let peer_id = text(at(c, &["Downloading", "peer_id"]))
            .or_else(|| text(at(c, &["AwaitingImport", "peer_id"])));
        let peer = peer_id.map(|id| labels.get(&id).cloned().unwrap_or(format!("#{id}")));
        let mut attempts = dash(text(at(c, &["RangeAttempts", "attempts"])));
        if let Some(n) = at(c, &["RangeAttempts", "failed_peers"])
            .and_then(Value::as_array)
            .map(Vec::len)
            .filter(|&n| n > 0)
        {
            attempts = format!("{attempts} ({n} failed)");
        }
        let detail = if let Some(deadline) = u64_at(c, &["Downloading", "deadline_ms"]) {
            match now_ms {
                Some(now) => format!("deadline {}", relative_ms(deadline, now)),
                None => format!("deadline at {deadline} ms"),
            }
        } else if let Some(n) = at(c, &["AwaitingImport", "blocks"]).and_then(|b| match b {
            Value::Array(a) => Some(a.len() as u64),
            other => other.as_u64(),
        }) {
            format!("{n} blocks")
        } else {
            "-".to_string()
        };
        table.row(vec![
            dash(text(at(c, &["Range", "start"]))),
            dash(text(at(c, &["Range", "count"]))),
            state,
            dash(peer),
            attempts,
            detail,
        ]);
    }
    let _ = writeln!(
        out,
        "\nRANGES ({}: {} awaiting download, {} downloading, {} awaiting import)",
        ranges.len(),
        by_state[0],
        by_state[1],
        by_state[2]
    );
    table.render(&mut out);

    // Pending blocks by stage.
    let stages = world.get("blocks_by_stage");
    let mut names: Vec<String> = STAGES.iter().map(|s| s.to_string()).collect();
    if let Some(obj) = stages.and_then(Value::as_object) {
        names.extend(
            obj.keys()
                .filter(|k| !STAGES.contains(&k.as_str()))
                .cloned(),
        );
    }
    let mut table = Table::new(&[
        ("stage", false),
        ("count", true),
        ("bytes", true),
        ("heights", false),
    ]);
    let (mut total_count, mut total_bytes) = (0u64, 0u64);
    for name in &names {
        let s = stages.and_then(|s| s.get(name)).unwrap_or(&Value::Null);
        let count = u64_at(s, &["count"]);
        let b = u64_at(s, &["bytes"]);
        total_count += count.unwrap_or(0);
        total_bytes += b.unwrap_or(0);
        let heights = match (u64_at(s, &["min_height"]), u64_at(s, &["max_height"])) {
            (Some(lo), Some(hi)) => format!("{lo}-{hi}"),
            _ => "-".to_string(),
        };
        table.row(vec![
            name.clone(),
            dash(count.map(|n| n.to_string())),
            dash(b.map(bytes)),
            heights,
        ]);
    }
    table.row(vec![
        "total".into(),
        total_count.to_string(),
        bytes(total_bytes),
        String::new(),
    ]);
    let _ = writeln!(out, "\nPENDING BLOCKS");
    table.render(&mut out);

    // Each pending block (full dumps).
    if let Some(blocks) = world.get("blocks").and_then(Value::as_array) {
        let mut table = Table::new(&[
            ("height", true),
            ("stage", false),
            ("bytes", true),
            ("hash", false),
            ("range", false),
        ]);
        for b in blocks {
            let c = components(b);
            let stage = ["Downloaded", "Validated", "ReadyToImport"]
                .into_iter()
                .filter(|s| c.get(*s).is_some())
                .collect::<Vec<_>>()
                .join("+");
            table.row(vec![
                dash(text(at(c, &["PendingBlock", "height"]))),
                if stage.is_empty() { "-".into() } else { stage },
                dash(text(at(c, &["PendingBlock", "bytes"]))),
                dash(text(at(c, &["PendingBlock", "hash"]))),
                dash(text(at(c, &["PendingBlock", "range"]))),
            ]);
        }
        let _ = writeln!(out, "\nBLOCKS ({})", blocks.len());
        table.render(&mut out);
    }

    // Counters.
    let counters = res.get("EngineCounters");
    let mut keys: Vec<String> = COUNTERS.iter().map(|s| s.to_string()).collect();
    if let Some(obj) = counters.and_then(Value::as_object) {
        keys.extend(
            obj.keys()
                .filter(|k| !COUNTERS.contains(&k.as_str()))
                .cloned(),
        );
    }
    let mut table = Table::new(&[("counter", false), ("value", true)]);
    for k in &keys {
        table.row(vec![k.clone(), dash(text(counters.and_then(|c| c.get(k))))]);
    }
    let _ = writeln!(out, "\nCOUNTERS");
    table.render(&mut out);

    let other = entities(world, "other");
    if !other.is_empty() {
        let _ = writeln!(
            out,
            "\nWARNING: {} entities of no known kind (see --json)",
            other.len()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use serde_json::json;

    use super::*;

    fn peer(entity: &str, id: u64, label: &str, score: f64, head: u64) -> Value {
        json!({
            "entity": entity,
            "components": {
                "Peer": { "id": id, "label": label, "connected_at_ms": 1000 },
                "PeerClaim": {
                    "head": { "height": head, "slot": head + 3, "hash": "0xab" },
                    "updated_ms": 1000, "discredited_from": null, "discredited_until_ms": 0,
                    "status_requested_ms": 1000
                },
                "PeerStats": {
                    "latency_ms": 12.4, "blocks_per_sec": 850.25, "requests_ok": 3, "blocks_served": 192,
                    "bytes_served": 19200, "timeouts": 1, "failures": 0, "empty": 0, "invalid": 0,
                    "consecutive_failures": 0
                },
                "PeerScore": score,
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
                "ChainHead": { "height": 10, "slot": 12, "hash": "0x1234" },
                "PlanCursor": { "next": 161 },
                "Buffer": { "bytes": 30720, "blocks": 30, "reserved": 65536, "avg_block_bytes": 1024.0,
                            "peak_bytes": 40000 },
                "SyncProgress": { "state": "DownloadingBlocks", "target": 1000, "blocks_per_sec": 100.0,
                                  "rate_height": 10, "rate_at_ms": 5000, "last_progress_ms": 5000,
                                  "failed_at_ms": 0, "failure": null, "recoveries": 0, "was_synced": false },
                "CheckpointState": { "last": null, "blocks_since": 10, "due": false, "written": 0 },
                "EngineCounters": { "blocks_downloaded": 40, "blocks_validated": 30, "blocks_imported": 10,
                                    "blocks_rejected": 3, "requests_sent": 5, "requests_timed_out": 1,
                                    "peer_penalties": 2, "peer_bans": 1, "import_commits": 1,
                                    "ranges_evicted": 0 },
                "SyncConfig": { "strategy": "Engine", "max_buffered_bytes": 67108864,
                                "production_progress": 0.995, "production_max_behind": 10 }
            }
        })
    }

    fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
    }

    #[test]
    fn renders_peers_by_score_ranges_and_stages() {
        let out = render(&sample(), None, "http://127.0.0.1:1").unwrap();
        // Header from the resources: 990 to go at 100 blocks/s.
        let header = line_with(&out, "state ");
        assert!(header.contains("state DownloadingBlocks"), "{header}");
        assert!(header.contains("height 10/1000 (1.0%)"), "{header}");
        assert!(header.contains("100.0 blocks/s"), "{header}");
        assert!(header.contains("ETA 10s"), "{header}");
        assert!(header.contains("can_produce_blocks false"), "{header}");
        assert!(header.contains("buffered 30.0 KiB"), "{header}");

        // Peers in score order, the unscored one last.
        let order: Vec<usize> = ["p-high", "p-mid", "p-low", "p-bare"]
            .iter()
            .map(|l| out.find(&format!("\n{l} ")).expect(l))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
        let high = line_with(&out, "p-high");
        for cell in ["2.50", "1000", "850.2", "12", "64", "2/4", "192"] {
            assert!(high.contains(cell), "{cell} in {high}");
        }
        let bare = line_with(&out, "p-bare");
        assert!(bare.contains("-/-"), "{bare}");

        // Ranges by start, with their states, peers and details.
        let r1 = line_with(&out, "AwaitingImport ");
        assert!(r1.trim_start().starts_with("1 "), "{r1}");
        assert!(r1.contains("p-high"), "{r1}");
        assert!(r1.contains("2 (1 failed)"), "{r1}");
        assert!(r1.contains("40 blocks"), "{r1}");
        let r65 = line_with(&out, "Downloading ");
        assert!(
            r65.contains("p-mid") && r65.contains("deadline in 1.5s"),
            "{r65}"
        );
        let r129 = line_with(&out, "AwaitingDownload ");
        assert!(r129.trim_start().starts_with("129 "), "{r129}");
        assert!(
            out.find("AwaitingImport ").unwrap() < out.find("Downloading ").unwrap()
                && out.find("Downloading ").unwrap() < out.find("AwaitingDownload ").unwrap()
        );
        assert!(out.contains("RANGES (3: 1 awaiting download, 1 downloading, 1 awaiting import)"));

        // Stages.
        let downloaded = line_with(&out, "downloaded ");
        assert!(
            downloaded.contains(" 10 ")
                && downloaded.contains("10.0 KiB")
                && downloaded.contains("31-40"),
            "{downloaded}"
        );
        let validated = line_with(&out, "validated ");
        assert!(
            validated.contains(" 20 ") && validated.contains("11-30"),
            "{validated}"
        );
        let ready = line_with(&out, "ready_to_import ");
        assert!(ready.contains(" 0 ") && ready.ends_with('-'), "{ready}");
        let total = line_with(&out, "total ");
        assert!(
            total.contains(" 30 ") && total.contains("30.0 KiB"),
            "{total}"
        );

        // Counters.
        assert!(line_with(&out, "blocks_rejected").ends_with(" 3"));
        assert!(line_with(&out, "peer_bans").ends_with(" 1"));
        assert!(!out.contains("WARNING"));
    }

    #[test]
    fn durations_and_bytes() {
        assert_eq!(duration(9.9), "10s");
        assert_eq!(duration(594.0), "9m54s");
        assert_eq!(duration(7265.0), "2h01m");
        assert_eq!(duration(f64::INFINITY), "-");
        assert_eq!(bytes(1000), "1000 B");
        assert_eq!(bytes(64 << 20), "64.0 MiB");
    }

    #[test]
    fn the_status_overrides_the_header() {
        let status = json!({
            "state": "CatchingUp", "current_height": 995, "target_height": 1000, "blocks_per_second": 50.0,
            "peers_connected": 4, "estimated_completion_seconds": null, "can_produce_blocks": true,
            "head_slot": 1100, "sync_distance": 5, "is_syncing": true, "buffered_bytes": 1,
        });
        let out = render(&sample(), Some(&status), "http://127.0.0.1:1").unwrap();
        let header = line_with(&out, "state ");
        assert!(header.contains("state CatchingUp"), "{header}");
        assert!(header.contains("height 995/1000 (99.5%)"), "{header}");
        assert!(header.contains("ETA -"), "{header}");
        assert!(header.contains("can_produce_blocks true"), "{header}");
    }

    #[test]
    fn missing_fields_print_dashes() {
        for world in [
            json!({ "peers": [] }),
            json!({ "resources": {} }),
            json!({ "peers": [{}], "ranges": [{ "components": { "Range": "x" } }], "blocks_by_stage": 3,
                    "blocks": [{}], "other": [1], "resources": { "SyncProgress": { "state": { "odd": 1 } } } }),
            json!({ "peers": "nope", "ranges": null, "resources": [] }),
        ] {
            let out = render(&world, Some(&json!("not an object")), "x").unwrap();
            assert!(out.contains("PEERS") && out.contains("COUNTERS"), "{out}");
        }
        let out = render(&json!({ "resources": {} }), None, "x").unwrap();
        assert!(
            out.contains("height -/- (-%)  - blocks/s  ETA -  can_produce_blocks -"),
            "{out}"
        );
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(render_json("{\"peers\": [", None, "x").is_err());
        assert!(render_json("", None, "x").is_err());
        assert!(render_json("[1, 2]", None, "x").is_err());
        assert!(render_json("{\"hello\": 1}", None, "x").is_err());
        assert!(render_json(&sample().to_string(), Some("garbage"), "x").is_ok());
    }

    #[test]
    fn renders_a_real_engine_dump() {
        use crate::engine::SyncEngine;
        use crate::sim::{SIM_EPOCH_MS, SimChain};
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
                status: StatusMessage {
                    chain_id: chain.spec.chain_id,
                    genesis_hash: chain.spec.genesis_hash,
                    head: chain.block_ref(200),
                },
            });
        }
        engine.tick(SIM_EPOCH_MS);
        let (peer, request, start, count) = engine
            .drain_outbox()
            .into_iter()
            .find_map(|r| match r {
                Request::BlocksByRange {
                    peer,
                    request,
                    start,
                    count,
                } => Some((peer, request, start, count)),
                _ => None,
            })
            .unwrap();
        engine.handle(NetEvent::Blocks {
            peer,
            request,
            blocks: (start..start + u64::from(count))
                .map(|h| chain.blocks[h as usize].clone())
                .collect(),
        });
        engine.tick(SIM_EPOCH_MS + 50);
        let text = serde_json::to_string(&engine.world_dump(true)).unwrap();
        let out = render_json(&text, None, "test").unwrap();
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
        assert!(!out.contains("WARNING"), "{out}");
    }

    #[test]
    fn url_parsing() {
        let ok = |s: &str| NodeUrl::parse(s).unwrap();
        assert_eq!(
            ok("http://127.0.0.1:8080"),
            NodeUrl {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(ok("http://localhost:9/").base(), "http://localhost:9");
        assert_eq!(ok("HTTP://[::1]:80").authority(), "[::1]:80");
        for (bad, why) in [
            ("https://127.0.0.1:8080", "only plain http://"),
            ("ftp://127.0.0.1:21", "only plain http://"),
            ("127.0.0.1:8080", "not a URL"),
            ("garbage", "not a URL"),
            ("", "not a URL"),
            ("http://127.0.0.1", "missing port"),
            ("http://:8080", "missing host"),
            ("http://127.0.0.1:0", "invalid port"),
            ("http://127.0.0.1:99999", "invalid port"),
            ("http://127.0.0.1:+80", "invalid port"),
            ("http://127.0.0.1:80/debug/world", "no path"),
            ("http://127.0.0.1:80?x=1", "no path"),
            ("http://user@127.0.0.1:80", "no path"),
            ("http://bad host:80", "invalid host"),
            ("http://[::1:80", "unclosed"),
            ("http://[zz]:80", "invalid IPv6"),
            ("http://::1:80", "invalid host"),
        ] {
            let e = NodeUrl::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad:?}: {e}");
            assert!(!e.contains('\n'), "{bad:?}: {e}");
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
        (
            NodeUrl {
                host: "127.0.0.1".into(),
                port,
            },
            handle,
        )
    }

    fn http(status: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[test]
    fn the_client_gets_json_and_reports_errors() {
        let world = sample().to_string();
        let (node, server) = serve(vec![
            http("200 OK", &world),
            http("404 Not Found", "no such route"),
            http("200 OK", "{not json"),
            http("200 OK", &"x".repeat(5000)),
            Vec::new(),
        ]);
        let client = Client::new(node.clone(), Duration::from_millis(500), 4096 * 2).unwrap();
        let got = client.get_json("/debug/world?full=1").unwrap();
        assert_eq!(got, sample());
        let e = client.get_json("/debug/world").unwrap_err().to_string();
        assert!(
            e.contains("404 Not Found") && e.contains("no such route"),
            "{e}"
        );
        let e = format!("{:#}", client.get_json("/debug/world").unwrap_err());
        assert!(e.contains("not valid JSON"), "{e}");
        let small = Client::new(node.clone(), Duration::from_millis(500), 4096).unwrap();
        let e = small.get_json("/debug/world").unwrap_err().to_string();
        assert!(e.contains("larger than 4096 bytes"), "{e}");
        let e = client.get_json("/debug/world").unwrap_err().to_string();
        assert!(e.contains("within 0.5 s"), "{e}");
        let requests = server.join().unwrap();
        assert!(
            requests[0].starts_with("GET /debug/world?full=1 HTTP/1.1\r\n"),
            "{requests:?}"
        );
        assert!(
            requests[0]
                .to_ascii_lowercase()
                .contains(&format!("host: {}", node.authority())),
            "{requests:?}"
        );
    }

    #[test]
    fn a_refused_connection_names_the_address() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let node = NodeUrl {
            host: "127.0.0.1".into(),
            port,
        };
        let client = Client::new(node, Duration::from_secs(5), 1024).unwrap();
        let e = format!("{:#}", client.get("/debug/world").unwrap_err());
        assert!(
            e.contains(&format!(
                "cannot connect to the node at http://127.0.0.1:{port}"
            )),
            "{e}"
        );
    }
}

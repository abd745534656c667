//! The text of a dump: the header lines and the tables (`comfy-table`).

use std::collections::{BTreeMap, HashMap};

use comfy_table::CellAlignment::{self, Left, Right};
use comfy_table::{ContentLineStyle, LineStyle, Table, TableStyle};
use ecsync_components::SyncStatus;

use super::cells::{bytes, dash, duration, fixed};
use super::views::{BlockView, ClaimC, Dump, MemberC, PeerView, Progress, RangeView, Resources};
use crate::engine::dump::{StageSummary, WorldDump};

/// The pending block stages, in their order (keys of `blocks_by_stage`).
const STAGES: [&str; 3] = ["downloaded", "validated", "ready_to_import"];
/// `EngineCounters` fields, in a reading order; unknown ones follow.
pub(super) const COUNTERS: [&str; 10] = [
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
pub(in crate::cli) fn table(columns: &[(&str, CellAlignment)]) -> Table {
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

const PEER_COLUMNS: [(&str, CellAlignment); 14] = [
    ("label", Left),
    ("id", Right),
    ("member", Left),
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
            member(p.member.as_ref()),
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

/// A proven member's authorities (`a0,a2`), or `-`.
fn member(member: Option<&MemberC>) -> String {
    let Some(m) = member else {
        return "-".into();
    };
    let indices: Vec<String> = (0..64)
        .filter(|i| m.authorities & (1u64 << i) != 0)
        .map(|i| format!("a{i}"))
        .collect();
    indices.join(",")
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

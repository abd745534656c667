//! `ecsync dump`: a running node's world, read over its HTTP API (`GET /debug/world`, `GET /sync/status`) and
//! printed as tables (state and progress, peers by score, ranges in flight, pending blocks by stage, counters) or
//! as the raw JSON.
//!
//! Three seams: [`NodeUrl`] (the `--node` value, parsed by `url`), the client (`client.rs`, `ureq`: plain HTTP,
//! no proxy, no redirects, a timeout over the whole exchange and a cap on the body) and [`render`] (the JSON
//! deserialized into [`WorldDump`], its components into the typed views of `views.rs`, laid out by `comfy-table`
//! in `render.rs`, cells formatted by `cells.rs`). Every failure is one line.

mod cells;
mod client;
mod render;
mod views;

#[cfg(test)]
mod tests;

use std::time::Duration;

use anyhow::Context;

use super::DumpArgs;
use crate::engine::dump::WorldDump;
use crate::node::http::StatusBody;

pub(super) use client::Client;
pub use client::{MAX_BODY_BYTES, NodeUrl};
pub use render::render;
pub(super) use render::table;

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

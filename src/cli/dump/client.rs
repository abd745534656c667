//! The node's address and the HTTP client that GETs from it.

use std::fmt::Display;
use std::io::Read as _;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde::de::DeserializeOwned;
use ureq::http::StatusCode;

use super::cells::bytes;

/// Largest answer read from the node; a larger one is an error, never an unbounded read.
pub const MAX_BODY_BYTES: u64 = 256 << 20;
/// Longest `Retry-After` waited out when the node rate limits (429); beyond it, the 429 is the error.
const MAX_RETRY_AFTER_S: u64 = 5;

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
pub(in crate::cli) struct Client {
    agent: ureq::Agent,
    node: NodeUrl,
    timeout: Duration,
    max_body: u64,
}

impl Client {
    pub(in crate::cli) fn new(node: NodeUrl, timeout: Duration, max_body: u64) -> Self {
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
    pub(in crate::cli) fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &str,
    ) -> anyhow::Result<T> {
        let body = self.get(path)?;
        serde_json::from_slice(&body)
            .with_context(|| format!("GET {}: the answer is not {what}", self.node.url(path)))
    }

    /// The body of a 200 answer to `GET path`.
    pub(in crate::cli) fn get(&self, path: &str) -> anyhow::Result<Vec<u8>> {
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

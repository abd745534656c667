//! The operator's config file: `ecsync node --config FILE`, `ecsync config defaults`, `ecsync config check FILE`.
//!
//! TOML with two sections, every key optional (a key left out keeps its default): `[sync]`, every
//! [`SyncConfig`] setting under its field name, and `[serve]`, every [`ServeLimits`] limit. An unknown section or
//! key, a value of the wrong type and a value that [`SyncConfig::check`] or [`ServeLimits::check`] refuses are
//! each ONE line naming the file, the line and the key. Files above [`MAX_CONFIG_BYTES`] are refused unread.
//!
//! `validate_per_tick` is special: left out, the node raises it to one `signature_batch` per compute worker when
//! that is more than its default; set, it is used as it is. So the printed default file leaves it commented out.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use ecsync_components::SyncConfig;
use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};

use crate::network::ServeLimits;

/// The largest config file read (1 MiB): a config is a few kB; a larger file is a mistake (or not a config).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The key the node raises by itself unless the file sets it.
const AUTO_KEY: &str = "validate_per_tick";

/// Everything a config file sets: the engine's settings and the serving limits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// `[sync]`: the engine.
    pub sync: SyncConfig,
    /// `[serve]`: what serving peers may cost.
    pub serve: ServeLimits,
}

/// A parsed, checked config file.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedConfig {
    /// The effective config: the file's values, defaults for the rest.
    pub config: NodeConfig,
    /// The keys the file sets, as `section.key`.
    pub set: BTreeSet<String>,
}

impl LoadedConfig {
    /// Whether the file sets `key` (`section.key`).
    pub fn sets(&self, key: &str) -> bool {
        self.set.contains(key)
    }

    /// Whether the node may raise `validate_per_tick` (the file does not set it).
    pub fn auto_validate_per_tick(&self) -> bool {
        !self.sets(&format!("sync.{AUTO_KEY}"))
    }
}

/// What each `[sync]` key means, in [`SyncConfig`]'s order (the comments of `ecsync config defaults`).
pub const SYNC_HELP: &[(&str, &str)] = &[
    (
        "strategy",
        "Which strategy runs: \"engine\" (many peers, adaptive batches, parallel batched validation) or \
         \"sequential\" (today's sync, the baseline). The --strategy flag overrides it.",
    ),
    ("min_batch", "Smallest batch (blocks per request)."),
    (
        "max_batch",
        "Largest batch (blocks per request); at most the protocol cap, 1024.",
    ),
    (
        "initial_batch",
        "Batch size for a peer with no measurements yet; then at most this doubled per answered request.",
    ),
    (
        "target_request_ms",
        "A request should take about this long at the peer's measured throughput, ms.",
    ),
    (
        "max_in_flight_per_peer",
        "Most requests in flight to one peer.",
    ),
    (
        "max_buffered_bytes",
        "Cap on downloaded-but-not-imported block bytes (plus bytes reserved for requests in flight), counted \
         as encoded sizes; the memory they take is about twice this.",
    ),
    (
        AUTO_KEY,
        "Blocks handed to validation per tick at most. Left out, the node raises the default to one \
         signature_batch per compute worker when that is more; set, it is used as it is.",
    ),
    (
        "validation_in_flight",
        "Validation jobs left running when a tick ends (0..=4): 0 validates within the tick, 1 overlaps the \
         import, the checkpoint and the network with the validation.",
    ),
    (
        "anchored_per_tick",
        "Blocks handed to validation per tick at most with verify = \"anchored\" (every rule but the \
         signature costs microseconds a block; validate_per_tick bounds a job with verify = \"full\").",
    ),
    (
        "signature_batch",
        "Approvals per batched signature verification.",
    ),
    (
        "import_batch",
        "Blocks imported per store transaction at most.",
    ),
    (
        "checkpoint_every_blocks",
        "A durable checkpoint at least every this many imported blocks...",
    ),
    (
        "checkpoint_every_ms",
        "...and at least every this many ms while importing: a crash loses at most this much work.",
    ),
    (
        "max_checkpoints",
        "Checkpoints kept in the store (the newest).",
    ),
    (
        "initial_timeout_ms",
        "Request timeout for a peer with no measurements yet, ms.",
    ),
    (
        "min_timeout_ms",
        "Lower bound of an adaptive request timeout, ms.",
    ),
    (
        "max_timeout_ms",
        "Upper bound of an adaptive request timeout, ms.",
    ),
    (
        "status_interval_ms",
        "Ask each peer for its status this often, ms.",
    ),
    (
        "announce_min_ms",
        "No peer is asked for its status more often than this, ms (a new head is announced to each peer that \
         lacks it by asking its status).",
    ),
    (
        "discredit_ms",
        "How long a peer that failed to serve a height it claimed is first not believed above it, ms; each \
         further failure in a row doubles it...",
    ),
    ("max_discredit_ms", "...up to this, ms."),
    (
        "ban_ms",
        "A peer's first ban lasts this long, ms; each further ban twice the one before...",
    ),
    ("max_ban_ms", "...up to this, ms."),
    (
        "reputation_half_life_ms",
        "A peer's reputation (0 neutral, -100 worst) halves back towards 0 in this time, ms.",
    ),
    (
        "stop_using_below",
        "Below this reputation a peer gets requests only when no better peer can take them. The thresholds \
         must satisfy -100 <= ban_below <= disconnect_below <= stop_using_below <= 0.",
    ),
    (
        "disconnect_below",
        "Falling to or below this reputation disconnects a peer (it may come back, with its reputation).",
    ),
    (
        "ban_below",
        "Falling to or below this reputation bans a peer.",
    ),
    (
        "max_peer_records",
        "Peer ids remembered (reputation, bans) at most.",
    ),
    (
        "max_clock_skew_ms",
        "Clocks may differ this much, ms: a status whose head slot begins later than this ahead of our clock \
         is not believed; a block from a slot beginning within this is held until it does.",
    ),
    (
        "proofs_per_tick",
        "Head proofs verified per tick at most, all peers together (one aggregate verification each).",
    ),
    (
        "proof_interval_ms",
        "One peer's head proofs are verified at most once per this many ms on average...",
    ),
    (
        "proof_burst",
        "...with a burst of this many (a proof at or below the proven head costs nothing).",
    ),
    (
        "stall_timeout_ms",
        "No import progress for this long while behind, with peers, ms: the engine fails and recovers.",
    ),
    (
        "recovery_backoff_ms",
        "Wait this long in Failed before the first recovery, ms; each failure in a row doubles it...",
    ),
    (
        "max_recovery_backoff_ms",
        "...up to this, ms. Recovery never stops.",
    ),
    (
        "unresponsive_after_failures",
        "A peer that failed this many requests in a row, or whose last status is older than status_stale_ms, \
         is unresponsive.",
    ),
    ("status_stale_ms", "See unresponsive_after_failures, ms."),
    (
        "status_dead_ms",
        "A peer that told no believable status for this long is disconnected (not banned), ms.",
    ),
    (
        "catch_up_distance",
        "Within this many blocks of the target the state is CatchingUp rather than DownloadingBlocks.",
    ),
    (
        "production_progress",
        "Production gate: progress at least this fraction (0..=1)...",
    ),
    (
        "production_max_behind",
        "...and at most this many blocks behind.",
    ),
    (
        "sequential_tries_per_peer",
        "Sequential strategy: failed tries on one peer before moving to the next.",
    ),
    (
        "verifier",
        "How batches of approvals are verified: \"grouped\" (one Miller loop per approver set) or \"standard\" \
         (blst's, one per approval; for comparison).",
    ),
    (
        "verify",
        "Whose approvals a sync verifies: \"anchored\" (the top block's of each downloaded range; the blocks \
         below it by their links) or \"full\" (every block's). The --verify flag overrides it.",
    ),
];

/// What each `[serve]` key means, in [`ServeLimits`]' order. Every limit must be at least 1.
pub const SERVE_HELP: &[(&str, &str)] = &[
    (
        "blocks_burst",
        "Blocks a peer may be served in one burst: its token bucket's capacity.",
    ),
    (
        "blocks_per_sec",
        "Blocks per second a peer's bucket refills; a request that would wait more than half the request \
         timeout for its tokens is dropped.",
    ),
    (
        "max_answers_per_peer",
        "Block answers per peer at once; further requests from that peer are dropped, not queued.",
    ),
    (
        "max_bytes_in_flight",
        "Bytes of block answers in flight, all peers together. A request reserves min(its max_bytes, 8 MiB) + \
         16 KiB before it is read; one whose reservation exceeds this is always dropped.",
    ),
    (
        "max_bytes_per_peer",
        "Bytes of block answers in flight for one peer; a peer holding nothing may always take one \
         reservation, beyond which its requests wait for its own answers to be written.",
    ),
    (
        "reserved_for_readers",
        "Bytes of max_bytes_in_flight only peers with no unwritten answer may take.",
    ),
    (
        "write_timeout_ms",
        "Milliseconds an answer may stay unwritten before its peer is disconnected.",
    ),
    (
        "status_burst",
        "Status requests a peer may send in one burst.",
    ),
    (
        "status_per_sec",
        "Status requests per second a peer's status bucket refills; excess requests are dropped.",
    ),
    ("max_connections", "Established connections in total."),
    (
        "max_connections_per_peer",
        "Established connections per peer.",
    ),
    ("max_pending_incoming", "Incoming connections being set up."),
    ("max_pending_outgoing", "Outgoing connections being set up."),
];

/// Why a config file was refused: one line naming the file (and the line and key).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be opened or read.
    #[error("config {path}: cannot {action}")]
    Io {
        /// "open" or "read".
        action: &'static str,
        /// The file.
        path: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// A directory.
    #[error("config {0}: is a directory")]
    IsDirectory(String),
    /// Larger than [`MAX_CONFIG_BYTES`].
    #[error(
        "config {0}: larger than {kib} KiB; a config file is a few kB (see `ecsync config defaults`)",
        kib = MAX_CONFIG_BYTES >> 10
    )]
    TooLarge(String),
    /// Not UTF-8.
    #[error("config {path}: not UTF-8 text (byte {byte})")]
    NotUtf8 {
        /// The file.
        path: String,
        /// The first byte that is not.
        byte: usize,
    },
    /// Not a valid config.
    #[error("config {path}: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// The line, the key and what is wrong.
        problem: InvalidConfig,
    },
}

/// What is wrong with a config file's text: the line and key (without the file), and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidConfig(pub String);

impl PartialEq<String> for InvalidConfig {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

/// Reads and checks the config file at `path`. Every error is one line naming the file (and the key).
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = read_bounded(path)?;
    parse(&text).map_err(|problem| ConfigError::Invalid {
        path: path.display().to_string(),
        problem,
    })
}

/// The file's text, refused unread when larger than [`MAX_CONFIG_BYTES`] (and never read beyond it).
fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    let shown = || path.display().to_string();
    let io = |action| {
        move |source| ConfigError::Io {
            action,
            path: shown(),
            source,
        }
    };
    let file = std::fs::File::open(path).map_err(io("open"))?;
    let meta = file.metadata().map_err(io("read"))?;
    if meta.is_dir() {
        return Err(ConfigError::IsDirectory(shown()));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge(shown()));
    }
    // Bounded even if the file grows meanwhile or is not a regular file.
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io("read"))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge(shown()));
    }
    String::from_utf8(bytes).map_err(|e| ConfigError::NotUtf8 {
        path: shown(),
        byte: e.utf8_error().valid_up_to(),
    })
}

/// Parses and checks a config file's text; the error is one line naming the line and the key (without the
/// file).
pub fn parse(text: &str) -> Result<LoadedConfig, InvalidConfig> {
    parse_text(text).map_err(InvalidConfig)
}

fn parse_text(text: &str) -> Result<LoadedConfig, String> {
    let line_of = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
    let doc = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        format!("line {}: {}", line_of(at), one_line(e.message()))
    })?;
    let doc = doc.get_ref();
    let config: NodeConfig = toml::from_str(text).map_err(|e| {
        let message = one_line(e.message());
        let Some(at) = e.span().map(|s| s.start) else {
            return message;
        };
        match locate(doc, at) {
            Some((key, key_at)) => {
                let message = if message.starts_with("unknown field") {
                    if key.contains('.') {
                        "unknown key (`ecsync config defaults` lists every key)".to_string()
                    } else {
                        "unknown section (the sections are [sync] and [serve])".to_string()
                    }
                } else {
                    message
                };
                format!("line {}: {key}: {message}", line_of(key_at))
            }
            None => format!("line {}: {message}", line_of(at)),
        }
    })?;
    let mut set = BTreeSet::new();
    let mut key_lines = Vec::new();
    for (section, value) in doc.iter() {
        if let DeValue::Table(table) = value.get_ref() {
            for (key, _) in table.iter() {
                let name = format!("{}.{}", section.get_ref(), key.get_ref());
                key_lines.push((name.clone(), line_of(key.span().start)));
                set.insert(name);
            }
        }
    }
    // A value refused by the checks: named with its line when the file sets it.
    let refused = |key: String, problem: String| match key_lines.iter().find(|(k, _)| *k == key) {
        Some((_, line)) => format!("line {line}: {key}: {problem}"),
        None => format!("{key}: {problem} (with the defaults of the keys not set)"),
    };
    if let Err(e) = config.sync.check() {
        return Err(refused(format!("sync.{}", e.key()), e.problem()));
    }
    if let Err(e) = config.serve.check() {
        return Err(refused(
            format!("serve.{}", e.key()),
            e.problem().to_string(),
        ));
    }
    Ok(LoadedConfig { config, set })
}

/// The `section.key` (or `section`) whose key or value covers byte `at`, with where its key starts.
fn locate(doc: &DeTable<'_>, at: usize) -> Option<(String, usize)> {
    let covers =
        |span: std::ops::Range<usize>| span.start <= at && at < span.end.max(span.start + 1);
    for (section, value) in doc.iter() {
        if let DeValue::Table(table) = value.get_ref() {
            for (key, value) in table.iter() {
                if covers(key.span()) || covers(value.span()) {
                    let name = format!("{}.{}", section.get_ref(), key.get_ref());
                    return Some((name, key.span().start));
                }
            }
        }
        if covers(section.span()) || covers(value.span()) {
            return Some((section.get_ref().to_string(), section.span().start));
        }
    }
    None
}

/// `text` on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `ecsync config defaults`: every key with its default value and what it means, as a file that parses back to
/// exactly the defaults. `validate_per_tick` is commented out (see the module's doc).
pub fn defaults_file() -> String {
    let mut out = String::from(
        "# ecsync node configuration: `ecsync node --config FILE`. Every key is optional: a key left out (or\n\
         # commented out) keeps the default shown here. A command-line flag that sets the same thing (--strategy)\n\
         # overrides this file. `ecsync config check FILE` prints what a file amounts to, or what is wrong with it.\n",
    );
    out.push_str(&render(&NodeConfig::default(), true, true));
    out
}

/// The effective config as TOML: both sections, every key; with `help`, each key's meaning as a comment above
/// it. With `auto_validate_per_tick` (the file did not set it), `validate_per_tick` is commented out, so that
/// using the output as a config keeps the node's raise.
pub fn render(config: &NodeConfig, help: bool, auto_validate_per_tick: bool) -> String {
    let mut out = String::new();
    let sections = [
        (
            "sync",
            "the sync engine",
            toml::to_string(&config.sync),
            SYNC_HELP,
        ),
        (
            "serve",
            "what serving peers may cost (docs/ARCHITECTURE.md, \"Serving limits\")",
            toml::to_string(&config.serve),
            SERVE_HELP,
        ),
    ];
    for (name, about, body, table) in sections {
        let body = body.expect("plain settings encode as TOML");
        if help {
            out.push_str(&format!("\n# [{name}]: {about}.\n"));
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("[{name}]\n"));
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let key = line.split('=').next().unwrap_or_default().trim();
            if help {
                out.push('\n');
                let text = table
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or("", |(_, text)| text);
                for comment in wrap(text, 110) {
                    out.push_str(&format!("# {comment}\n"));
                }
            }
            if name == "sync" && key == AUTO_KEY && auto_validate_per_tick {
                let note = if help {
                    ""
                } else {
                    "  (not set: raised to one signature_batch per compute worker when that is more)"
                };
                out.push_str(&format!("# {line}{note}\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `text`'s words in lines of at most `width` characters (a longer word alone on its line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecsync_components::{Strategy, Verifier, VerifyMode};

    /// The keys of a struct as TOML encodes it, in its order.
    fn keys_of<T: Serialize>(value: &T) -> Vec<String> {
        toml::to_string(value)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('=').next().unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn the_help_tables_have_exactly_the_serialized_keys() {
        let help = |table: &[(&str, &str)]| -> Vec<String> {
            table.iter().map(|(k, _)| k.to_string()).collect()
        };
        assert_eq!(help(SYNC_HELP), keys_of(&SyncConfig::default()));
        assert_eq!(help(SERVE_HELP), keys_of(&ServeLimits::default()));
        // Every table entry says something.
        for (key, text) in SYNC_HELP.iter().chain(SERVE_HELP) {
            assert!(text.len() > 10, "{key}: {text:?}");
        }
        // Every encoded key is a plain `key = value` line (no nested tables to mis-render).
        let toml_table: toml::Table =
            toml::from_str(&toml::to_string(&NodeConfig::default()).unwrap()).unwrap();
        assert_eq!(
            toml_table["sync"].as_table().unwrap().len(),
            SYNC_HELP.len()
        );
        assert_eq!(
            toml_table["serve"].as_table().unwrap().len(),
            SERVE_HELP.len()
        );
    }

    #[test]
    fn the_default_file_parses_back_to_the_defaults() {
        let text = defaults_file();
        let loaded = parse(&text).expect("the defaults parse");
        assert_eq!(loaded.config, NodeConfig::default());
        assert!(loaded.auto_validate_per_tick(), "left to the node");
        // Every key is in it, with its help text's first words as a comment.
        for (section, table) in [("sync", SYNC_HELP), ("serve", SERVE_HELP)] {
            assert!(text.contains(&format!("\n[{section}]\n")), "{section}");
            for (key, help) in table {
                let line = text
                    .lines()
                    .find(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = ")))
                    .unwrap_or_else(|| panic!("{key} missing"));
                let first_words: String = help
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                assert!(text.contains(&format!("# {first_words}")), "{key}: {line}");
            }
        }
        assert!(text.contains("\n# validate_per_tick = 256\n"), "{text}");
        assert_eq!(
            loaded.set.len(),
            SYNC_HELP.len() + SERVE_HELP.len() - 1,
            "every key but validate_per_tick set"
        );
    }

    #[test]
    fn rendering_round_trips_any_config() {
        let config = NodeConfig {
            sync: SyncConfig {
                strategy: Strategy::Sequential,
                min_batch: 3,
                validate_per_tick: 7,
                stop_using_below: -2.5,
                production_progress: 0.5,
                verifier: Verifier::Standard,
                verify: VerifyMode::Full,
                ..SyncConfig::default()
            },
            serve: ServeLimits {
                max_bytes_in_flight: 1234,
                status_per_sec: 1,
                ..ServeLimits::default()
            },
        };
        for help in [false, true] {
            let loaded = parse(&render(&config, help, false)).unwrap();
            assert_eq!(loaded.config, config);
            assert!(!loaded.auto_validate_per_tick());
        }
        let loaded = parse(&render(&config, false, true)).unwrap();
        assert_eq!(loaded.config.sync.validate_per_tick, 256, "commented out");
    }

    #[test]
    fn missing_keys_keep_their_defaults() {
        let loaded = parse("[sync]\nmin_batch = 8\n\n[serve]\nstatus_burst = 3\n").unwrap();
        let expected = NodeConfig {
            sync: SyncConfig {
                min_batch: 8,
                ..SyncConfig::default()
            },
            serve: ServeLimits {
                status_burst: 3,
                ..ServeLimits::default()
            },
        };
        assert_eq!(loaded.config, expected);
        assert_eq!(
            loaded.set,
            BTreeSet::from([
                "sync.min_batch".to_string(),
                "serve.status_burst".to_string()
            ])
        );
        assert_eq!(parse("").unwrap().config, NodeConfig::default());
        assert_eq!(
            parse("# nothing\n[sync]\n").unwrap().config,
            NodeConfig::default()
        );
        // Dotted keys and inline tables are TOML too.
        let dotted = parse("sync.min_batch = 8\nserve = { status_burst = 3 }\n").unwrap();
        assert_eq!(dotted.config, expected);
        // An integer where a float is expected.
        let int = parse("[sync]\nstop_using_below = -2\n").unwrap();
        assert_eq!(int.config.sync.stop_using_below, -2.0);
    }

    #[test]
    fn each_error_is_one_line_naming_the_key() {
        let cases = [
            (
                "[sync]\nmin_bacth = 3\n",
                "line 2: sync.min_bacth: unknown key",
            ),
            ("[serve]\nfoo = 1\n", "line 2: serve.foo: unknown key"),
            ("[synk]\nmin_batch = 3\n", "line 1: synk: unknown section"),
            ("top = 1\n", "line 1: top: unknown section"),
            (
                "[sync]\nmin_batch = \"x\"\n",
                "line 2: sync.min_batch: invalid type: string",
            ),
            (
                "\n[sync]\nmin_batch = -1\n",
                "line 3: sync.min_batch: invalid value: integer `-1`",
            ),
            (
                "[sync]\nmax_buffered_bytes = 1.5\n",
                "sync.max_buffered_bytes: invalid type: floating point",
            ),
            (
                "[sync]\nstrategy = \"fast\"\n",
                "sync.strategy: unknown variant `fast`",
            ),
            ("sync = 3\n", "line 1: sync: invalid type: integer"),
            (
                "[sync]\nmin_batch = 0\n",
                "line 2: sync.min_batch: must be at least 1",
            ),
            (
                "[sync]\nmin_batch = 2000\n",
                "line 2: sync.min_batch: 2000 exceeds max_batch 1024",
            ),
            (
                "[sync]\nmax_batch = 2000\nmin_batch = 2000\n",
                "line 2: sync.max_batch: 2000 exceeds the protocol cap",
            ),
            (
                "[sync]\nproduction_progress = nan\n",
                "sync.production_progress: NaN is not within 0..=1",
            ),
            (
                "[sync]\nban_below = 1.0\n",
                "line 2: sync.ban_below: breaks -100 <= ban_below",
            ),
            (
                "[sync]\nmax_timeout_ms = 10\n",
                "sync.min_timeout_ms: 1000 exceeds max_timeout_ms 10 (with the defaults",
            ),
            (
                "[serve]\nmax_connections = 0\n",
                "line 2: serve.max_connections: must be at least 1",
            ),
            ("[sync]\nmin_batch = 3\n[sync]\n", "line 3: "),
            ("[sync\n", "line 1: "),
            ("[sync]\nmin_batch = \n", "line 2: "),
        ];
        for (text, expected) in cases {
            let e = parse(text).expect_err(text).0;
            assert!(
                e.starts_with(expected) || e.contains(expected),
                "{text:?}: {e}"
            );
            assert_eq!(e.lines().count(), 1, "{text:?}: {e}");
            assert!(e.len() < 300, "{text:?}: {e}");
        }
    }

    #[test]
    fn a_bad_verify_mode_is_one_line_naming_the_choices() {
        let e = parse("[sync]\nverify = \"some\"\n").expect_err("refused").0;
        let expected = "line 2: sync.verify: unknown variant `some`, expected `anchored` or `full`";
        assert_eq!(e, expected);
    }

    #[test]
    fn every_serve_limit_must_be_positive() {
        for (key, _) in SERVE_HELP {
            let e = parse(&format!("[serve]\n{key} = 0\n")).expect_err(key);
            assert_eq!(e, format!("line 2: serve.{key}: must be at least 1"));
        }
        assert_eq!(ServeLimits::default().check(), Ok(()));
    }

    #[test]
    fn files_are_read_with_a_bound() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        let mut text = "# padding\n".repeat((MAX_CONFIG_BYTES / 10) as usize + 1);
        text.push_str("[sync]\n");
        std::fs::write(&big, &text).unwrap();
        let e = load(&big).unwrap_err().to_string();
        assert!(e.contains("larger than 1024 KiB"), "{e}");
        let ok = dir.path().join("ok.toml");
        std::fs::write(&ok, "[sync]\nmin_batch = 9\n").unwrap();
        assert_eq!(load(&ok).unwrap().config.sync.min_batch, 9);
        let e = load(&dir.path().join("missing.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("cannot open"), "{e:#}");
        std::fs::write(&ok, b"[sync]\nmin_batch = 9 # \xff\n").unwrap();
        assert!(load(&ok).unwrap_err().to_string().contains("not UTF-8"));
    }
}

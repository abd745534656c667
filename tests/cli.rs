//! The `ecsync chain` and `ecsync config` commands as a user runs them: output formats, and bad input giving one
//! clear line; nodes started with a config file run with it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{NodeProc, copy_chain, get_json, request, wait_until};

fn ecsync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecsync"))
        .args(args)
        .output()
        .expect("run ecsync")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fails the test unless the command failed with exactly one line on stderr and no panic.
fn assert_clean_failure(out: &Output, expect: &str) {
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(
        !stderr.contains("RUST_BACKTRACE"),
        "backtrace hint: {stderr}"
    );
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected:\n{stderr}"
    );
    assert!(stderr.contains(expect), "expected {expect:?} in: {stderr}");
}

fn generate(dir: &Path, blocks: &str, seed: &str) -> Output {
    ecsync(&[
        "chain",
        "generate",
        "--out",
        dir.to_str().unwrap(),
        "--blocks",
        blocks,
        "--seed",
        seed,
        "--payload-bytes",
        "64",
    ])
}

#[test]
fn generate_verify_head() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("c");
    let out = generate(&dir, "150", "5");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("generated 150 blocks"));

    let out = ecsync(&["chain", "verify", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let verified = text(&out.stdout);
    assert!(verified.contains("verified 150 blocks"), "{verified}");

    let out = ecsync(&["chain", "head", dir.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["height"], 150);
    let hash = json["hash"].as_str().unwrap();
    assert!(hash.starts_with("0x") && hash.len() == 66, "{hash}");
    assert!(verified.contains(hash), "verify prints the same head");

    let out = ecsync(&["chain", "head", dir.to_str().unwrap()]);
    assert_eq!(text(&out.stdout).trim(), format!("150 {hash}"));

    // Generating into a directory that holds a chain is refused.
    assert_clean_failure(&generate(&dir, "10", "5"), "already holds a chain");

    // A store a node runs on is in use, not corrupt: the commands say so.
    let _node = NodeProc::start(&["--data", dir.to_str().unwrap()]);
    for command in ["head", "verify"] {
        let out = ecsync(&["chain", command, dir.to_str().unwrap()]);
        assert_clean_failure(&out, "in use by another process");
    }
}

#[test]
fn bad_input_exits_with_one_clear_line() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    assert_clean_failure(&generate(&root.join("x"), "0", "1"), "--blocks");
    assert_clean_failure(
        &ecsync(&[
            "chain",
            "generate",
            "--out",
            "y",
            "--blocks",
            "5",
            "--authorities",
            "0",
        ]),
        "--authorities",
    );
    assert_clean_failure(
        &ecsync(&["chain", "generate", "--out", "y", "--blocks", "ten"]),
        "--blocks",
    );
    assert_clean_failure(
        &ecsync(&["chain", "verify", root.join("missing").to_str().unwrap()]),
        "is not a directory",
    );
    assert_clean_failure(
        &ecsync(&["chain", "head", root.join("missing").to_str().unwrap()]),
        "is not a directory",
    );
    assert_clean_failure(&ecsync(&["chain", "frobnicate"]), "frobnicate");

    // An out dir that cannot be created (a file is in the way).
    std::fs::write(root.join("file"), b"x").unwrap();
    assert_clean_failure(
        &generate(&root.join("file").join("sub"), "5", "1"),
        "cannot create",
    );

    assert_bad_specs_and_stores_are_refused(root);
}

/// `chain verify` and `chain head` on a directory (under `root`) without a spec, with a malformed spec, a spec
/// with zero authorities, a spec of another format (or none), a corrupt store, another chain's store: one clear
/// line each.
fn assert_bad_specs_and_stores_are_refused(root: &Path) {
    // A directory without a spec, a malformed spec, a spec with zero authorities.
    let d = root.join("d");
    std::fs::create_dir(&d).unwrap();
    assert_clean_failure(
        &ecsync(&["chain", "verify", d.to_str().unwrap()]),
        "cannot read spec",
    );
    std::fs::write(d.join("spec.json"), b"{ not json").unwrap();
    assert_clean_failure(
        &ecsync(&["chain", "verify", d.to_str().unwrap()]),
        "malformed spec",
    );
    let good = root.join("good");
    assert!(generate(&good, "3", "1").status.success());
    let spec = std::fs::read_to_string(good.join("spec.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&spec).unwrap();
    json["authorities"] = serde_json::json!([]);
    std::fs::write(d.join("spec.json"), json.to_string()).unwrap();
    assert_clean_failure(
        &ecsync(&["chain", "verify", d.to_str().unwrap()]),
        "zero authorities",
    );
    // The spec of an older ecsync (no format) or a newer one: generate the chain again.
    let mut json: serde_json::Value = serde_json::from_str(&spec).unwrap();
    for (format, version) in [(1, None), (2, Some(2)), (4, Some(4))] {
        match version {
            None => json.as_object_mut().unwrap().remove("version"),
            Some(v) => json
                .as_object_mut()
                .unwrap()
                .insert("version".into(), v.into()),
        };
        std::fs::write(d.join("spec.json"), json.to_string()).unwrap();
        let expect = format!(
            "spec.json is format {format}; this ecsync reads format {}: generate the chain again",
            ecsync_components::SPEC_VERSION
        );
        assert_clean_failure(&ecsync(&["chain", "head", d.to_str().unwrap()]), &expect);
    }

    // A valid spec beside a corrupt store, and beside another chain's store.
    std::fs::write(d.join("spec.json"), &spec).unwrap();
    std::fs::write(d.join("chain.redb"), vec![0xa5u8; 8192]).unwrap();
    let out = ecsync(&["chain", "verify", d.to_str().unwrap()]);
    assert_clean_failure(&out, "error:");
    let other = root.join("other");
    assert!(generate(&other, "3", "2").status.success());
    std::fs::copy(other.join("chain.redb"), d.join("chain.redb")).unwrap();
    assert_clean_failure(
        &ecsync(&["chain", "head", d.to_str().unwrap()]),
        "holds chain",
    );
}

#[test]
fn http_binds_loopback_unless_public_is_explicit() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("node");
    let data = data.to_str().unwrap();
    for addr in ["0.0.0.0:0", "192.0.2.1:9100", "[::]:9100"] {
        assert_clean_failure(
            &ecsync(&["node", "--data", data, "--http", addr]),
            "--http-public",
        );
    }
    assert!(
        !Path::new(data).exists(),
        "refused before touching the data dir"
    );
    // --http-public alone means nothing.
    assert_clean_failure(
        &ecsync(&["node", "--data", data, "--http-public"]),
        "required arguments",
    );
    // Explicitly public, or loopback: past the check (this data dir then has no spec).
    for args in [
        &["--http", "0.0.0.0:0", "--http-public"][..],
        &["--http", "127.0.0.1:0"][..],
        &["--http", "[::1]:0"][..],
    ] {
        let mut all = vec!["node", "--data", data];
        all.extend_from_slice(args);
        assert_clean_failure(&ecsync(&all), "no spec.json");
    }
}

/// Figure `k` of a bench report.
fn figure(report: &serde_json::Value, k: &str) -> f64 {
    report[k]
        .as_f64()
        .unwrap_or_else(|| panic!("{k} missing: {report}"))
}

/// Every figure of a bench report of 300 blocks, one thread, is there and positive, and the ratios are its
/// quotients.
fn assert_every_figure_there_and_the_ratios_its_quotients(report: &serde_json::Value) {
    let num = |k: &str| figure(report, k);
    for k in [
        "engine_bps",
        "full_verify_bps",
        "sequential_bps",
        "verify_bound_bps",
        "standard_bound_bps",
        "engine_peak_rss_bytes",
        "full_verify_peak_rss_bytes",
        "threads",
    ] {
        assert!(num(k) > 0.0, "{k}: {report}");
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    assert!(close(
        num("speedup"),
        num("engine_bps") / num("sequential_bps")
    ));
    assert!(close(
        num("bound_ratio"),
        num("engine_bps") / num("verify_bound_bps")
    ));
    assert!(close(
        num("anchored_speedup"),
        num("engine_bps") / num("full_verify_bps")
    ));
    // One thread: one validation worker besides the engine thread.
    assert_eq!(num("threads"), 1.0);
    assert_eq!(num("bound_blocks"), 300.0);
    assert_eq!(num("blocks"), 300.0);
}

/// A bench report of two rounds lists every round; each figure is its best round.
fn assert_each_figure_is_its_best_round(report: &serde_json::Value) {
    let num = |k: &str| figure(report, k);
    // Every round is listed; each figure is its best round.
    assert_eq!(num("rounds"), 2.0);
    for (figure, rounds) in [
        ("engine_bps", "engine_rounds_bps"),
        ("full_verify_bps", "full_verify_rounds_bps"),
        ("verify_bound_bps", "verify_rounds_bps"),
        ("standard_bound_bps", "standard_rounds_bps"),
    ] {
        let each: Vec<f64> = report[rounds]
            .as_array()
            .unwrap_or_else(|| panic!("{rounds} missing: {report}"))
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(each.len(), 2, "{rounds}: {report}");
        assert!(each.iter().all(|v| *v > 0.0), "{rounds}: {report}");
        assert_eq!(num(figure), each[0].max(each[1]), "{figure}: {report}");
    }
}

/// `ecsync bench --skip-sequential` (in `dir`): the engine's sync alone, the sequential figures null.
fn assert_the_engine_alone_has_no_sequential_figures(dir: &str) {
    // The engine's sync alone: the sequential figures are null, the rest is there.
    let out = ecsync(&[
        "bench",
        "--blocks",
        "300",
        "--peers",
        "1",
        "--threads",
        "1",
        "--rounds",
        "1",
        "--json",
        "--skip-sequential",
        "--dir",
        dir,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    for k in ["sequential_bps", "speedup", "sequential_peak_rss_bytes"] {
        assert!(report[k].is_null(), "{k}: {report}");
    }
    assert!(report["engine_bps"].as_f64().is_some_and(|v| v > 0.0));
    assert!(
        report["engine_peak_rss_bytes"]
            .as_u64()
            .is_some_and(|v| v > 0)
    );
}

/// `ecsync bench --json` on a small chain: one JSON object with every figure, consistent with itself (nothing
/// here depends on how fast the machine is: only that each figure is there and the ratios are its quotients).
#[test]
fn bench_prints_one_json_object() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().to_str().unwrap();
    let out = ecsync(&[
        "bench",
        "--blocks",
        "300",
        "--peers",
        "2",
        "--threads",
        "1",
        "--rounds",
        "2",
        "--json",
        "--dir",
        dir,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_every_figure_there_and_the_ratios_its_quotients(&report);
    assert_each_figure_is_its_best_round(&report);

    assert_the_engine_alone_has_no_sequential_figures(dir);

    let out = ecsync(&["bench", "--blocks", "0", "--dir", dir]);
    assert_clean_failure(&out, "--blocks");
    let out = ecsync(&["bench", "--threads", "0", "--dir", dir]);
    assert_clean_failure(&out, "--threads");
    let out = ecsync(&["bench", "--rounds", "0", "--dir", dir]);
    assert_clean_failure(&out, "--rounds");
}

/// Writes `text` to `dir/name` and returns the path as a string.
fn write_config(dir: &Path, name: &str, text: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `ecsync config defaults` prints every key with a comment; `ecsync config check` of that file prints the
/// effective config, which is exactly the defaults.
#[test]
fn config_defaults_round_trip_through_check() {
    let t = tempfile::tempdir().unwrap();
    let out = ecsync(&["config", "defaults"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let defaults = text(&out.stdout);
    let help_lines = defaults.lines().filter(|l| l.starts_with("# ")).count();
    for (key, _) in ecsync::node::config_file::SYNC_HELP
        .iter()
        .chain(ecsync::node::config_file::SERVE_HELP)
    {
        assert!(
            defaults
                .lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = "))),
            "{key} missing"
        );
    }
    assert!(
        help_lines
            > ecsync::node::config_file::SYNC_HELP.len()
                + ecsync::node::config_file::SERVE_HELP.len(),
        "commented"
    );
    let file = write_config(t.path(), "defaults.toml", defaults.as_bytes());
    let out = ecsync(&["config", "check", &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let effective = text(&out.stdout);
    let parsed = ecsync::node::config_file::parse(&effective).expect("check prints a config");
    assert_eq!(
        parsed.config,
        ecsync::node::config_file::NodeConfig::default()
    );
    // Independently of ecsync's own parser: plain TOML with the default values.
    let table: toml::Table = toml::from_str(&effective).unwrap();
    assert_eq!(table["sync"]["min_batch"].as_integer(), Some(32));
    assert_eq!(table["sync"]["strategy"].as_str(), Some("engine"));
    assert_eq!(table["serve"]["max_connections"].as_integer(), Some(128));

    // A partial file: its values, defaults for the rest.
    let file = write_config(
        t.path(),
        "partial.toml",
        b"[sync]\nmin_batch = 7\nstrategy = \"sequential\"\n[serve]\nstatus_burst = 3\n",
    );
    let out = ecsync(&["config", "check", &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table: toml::Table = toml::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(table["sync"]["min_batch"].as_integer(), Some(7));
    assert_eq!(table["sync"]["strategy"].as_str(), Some("sequential"));
    assert_eq!(table["sync"]["max_batch"].as_integer(), Some(1024));
    assert_eq!(table["serve"]["status_burst"].as_integer(), Some(3));
    assert_eq!(table["serve"]["status_per_sec"].as_integer(), Some(4));
}

/// An unknown key, a wrong type, a bad value, an oversized file: one line naming the file and the key, a
/// non-zero exit, from `config check` and from `node --config` alike (before the node touches its data dir).
#[test]
fn bad_config_files_exit_with_one_clear_line() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("node");
    let data = data.to_str().unwrap();
    let mut big = b"# padding\n".repeat(200_000);
    big.extend_from_slice(b"[sync]\nmin_batch = 7\n");
    let cases: [(&str, &[u8], &str); 7] = [
        (
            "unknown.toml",
            b"[sync]\nmin_batch = 40\nmin_bacth = 3\n",
            "line 3: sync.min_bacth: unknown key",
        ),
        (
            "section.toml",
            b"[synk]\nmin_batch = 3\n",
            "line 1: synk: unknown section",
        ),
        (
            "type.toml",
            b"[serve]\nmax_connections = \"many\"\n",
            "line 2: serve.max_connections: invalid type: string \"many\"",
        ),
        (
            "zero.toml",
            b"[sync]\nmin_batch = 0\n",
            "line 2: sync.min_batch: must be at least 1",
        ),
        (
            "serve_zero.toml",
            b"[serve]\nmax_answers_per_peer = 0\n",
            "line 2: serve.max_answers_per_peer: must be at least 1",
        ),
        ("syntax.toml", b"[sync\nmin_batch = 3\n", "line 1: "),
        ("big.toml", &big, "larger than 1024 KiB"),
    ];
    for (name, contents, expected) in cases {
        let file = write_config(t.path(), name, contents);
        let expected = format!("error: config {file}: {expected}");
        assert_clean_failure(&ecsync(&["config", "check", &file]), &expected);
        assert_clean_failure(
            &ecsync(&["node", "--data", data, "--config", &file]),
            &expected,
        );
    }
    let missing = t.path().join("missing.toml");
    let missing = missing.to_str().unwrap();
    assert_clean_failure(
        &ecsync(&["config", "check", missing]),
        &format!("error: config {missing}: cannot open"),
    );
    assert!(
        !Path::new(data).exists(),
        "refused before touching the data dir"
    );
}

/// A node started with `--config` runs with the file's settings (its world dump shows the engine's
/// SyncConfig); `--strategy` given explicitly overrides the file, and its default does not; `validate_per_tick`
/// is raised to one signature batch per compute worker only when the file does not set it.
#[test]
fn a_node_runs_with_its_config_file_and_flags_override_it() {
    let t = tempfile::tempdir().unwrap();
    let template = common::template(3, 20);
    let sequential = write_config(
        t.path(),
        "sequential.toml",
        b"[sync]\nstrategy = \"sequential\"\nmin_batch = 7\nvalidate_per_tick = 3\nverify = \"full\"\n",
    );
    let plain = write_config(t.path(), "plain.toml", b"[sync]\nmin_batch = 9\n");
    let config_of = |name: &str, args: &[&str]| -> serde_json::Value {
        let dir = t.path().join(name);
        copy_chain(&template, &dir);
        let mut all = vec!["--data", dir.to_str().unwrap(), "--http", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let node = NodeProc::start(&all);
        let world = get_json(node.http.as_deref().unwrap(), "/debug/world");
        world["resources"]["SyncConfig"].clone()
    };
    // The file alone: its strategy and values, its validate_per_tick as it is.
    let c = config_of("a", &["--config", &sequential, "--threads", "8"]);
    assert_eq!(c["strategy"], "sequential", "{c}");
    assert_eq!(c["min_batch"], 7, "{c}");
    assert_eq!(c["validate_per_tick"], 3, "{c}");
    assert_eq!(c["verify"], "full", "{c}");
    assert_eq!(c["max_batch"], 1024, "the rest default: {c}");
    // An explicit flag wins over the file.
    let c = config_of(
        "b",
        &[
            "--config",
            &sequential,
            "--strategy",
            "engine",
            "--verify",
            "anchored",
            "--threads",
            "8",
        ],
    );
    assert_eq!(c["strategy"], "engine", "{c}");
    assert_eq!(c["verify"], "anchored", "{c}");
    assert_eq!(c["min_batch"], 7, "{c}");
    // validate_per_tick not in the file: 8 workers x 64 approvals.
    let c = config_of("c", &["--config", &plain, "--threads", "8"]);
    assert_eq!(c["min_batch"], 9, "{c}");
    assert_eq!(c["validate_per_tick"], 8 * 64, "{c}");
    assert_eq!(c["strategy"], "engine", "{c}");
    // No file: the defaults.
    let c = config_of("d", &["--strategy", "sequential"]);
    assert_eq!(c["strategy"], "sequential", "{c}");
    assert_eq!(c["min_batch"], 32, "{c}");
    assert_eq!(c["verify"], "anchored", "the default: {c}");
}

/// The `[serve]` limits reach the network: a server whose byte budget is below any request's reservation drops
/// every blocks request for `memory` (a default server never does at this size).
#[test]
fn a_node_serves_within_its_config_file_limits() {
    let t = tempfile::tempdir().unwrap();
    let template = common::template(3, 20);
    let server_dir = t.path().join("server");
    copy_chain(&template, &server_dir);
    let config = write_config(
        t.path(),
        "tight.toml",
        b"[serve]\nmax_bytes_in_flight = 1\n",
    );
    let server = NodeProc::start(&[
        "--data",
        server_dir.to_str().unwrap(),
        "--config",
        &config,
        "--http",
        "127.0.0.1:0",
    ]);
    let fresh = t.path().join("fresh");
    let spec = template.join("spec.json");
    let _fresh = NodeProc::start(&[
        "--data",
        fresh.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
        "--peer",
        &server.addr,
    ]);
    let url = server.http.clone().unwrap();
    let memory_drops = || {
        let (_, body) = request(&url, "GET", "/metrics");
        body.lines()
            .find(|l| {
                l.starts_with("ecsync_serve_dropped_total{") && l.contains("reason=\"memory\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    wait_until(
        "the server drops blocks requests for memory",
        || (memory_drops() >= 1.0).then_some(()),
        || request(&url, "GET", "/metrics").1,
    );
}

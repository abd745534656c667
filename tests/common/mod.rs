//! Shared machinery of the multi-process tests: the binary, generated chains (made once per test binary and
//! copied), node processes (address and HTTP URL read from stdout, log lines captured, killed on drop), the
//! chain commands, a minimal HTTP client, and waiting on a condition with a deadline. Every wait watches a
//! condition; none sleeps a fixed time in place of one.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod crowd;
pub mod federation;
pub mod wire;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Generous: a loaded 2-core machine must never hit it; a hung test still ends.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// The `ecsync` binary under test: the node we ship (the test build's `test-utils` feature only adds to the
/// library; it changes nothing the binary does).
pub fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_ecsync")
}

/// The `ecsync-hostile` binary (`src/testing/hostile/`): `ecsync node` plus the test-only flags
/// [`HOSTILE_FLAGS`]. `cargo test` builds it (the dev-dependency on the package turns `test-utils` on).
pub fn hostile_exe() -> &'static str {
    env!("CARGO_BIN_EXE_ecsync-hostile")
}

/// The flags only `ecsync-hostile node` knows: a node started with one of them runs [`hostile_exe`].
pub const HOSTILE_FLAGS: [&str; 3] = ["--misbehave", "--misbehave-below", "--extend-every-ms"];

/// A chain of `blocks` blocks (512-byte payloads) from `seed`, generated once per test binary; tests copy it.
pub fn template(seed: u64, blocks: u64) -> PathBuf {
    type Made = Vec<((u64, u64), tempfile::TempDir)>;
    static DIRS: OnceLock<Mutex<Made>> = OnceLock::new();
    let mut dirs = DIRS.get_or_init(Default::default).lock().unwrap();
    if let Some((_, d)) = dirs.iter().find(|(k, _)| *k == (seed, blocks)) {
        return d.path().join("chain");
    }
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("chain");
    let out = Command::new(exe())
        .args(["chain", "generate", "--payload-bytes", "512"])
        .args(["--blocks", &blocks.to_string(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    dirs.push(((seed, blocks), d));
    path
}

/// Copies a generated chain (spec, store, generator) to `to`. Under the store-command lock: a store copied while
/// another test's `ecsync chain head` has the template open can be torn (seen under load: redb then panicked
/// opening the copy).
pub fn copy_chain(template: &Path, to: &Path) {
    let _one = STORE_COMMAND.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(to).unwrap();
    for f in ["spec.json", "chain.redb", "generator.json"] {
        std::fs::copy(template.join(f), to.join(f)).unwrap();
    }
}

/// Lossy UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One `ecsync chain …` command on a store at a time in this test binary: tests running in parallel read the same
/// template, and a redb store is opened by one process at a time.
static STORE_COMMAND: Mutex<()> = Mutex::new(());

/// Runs `f` (which opens a template's store in this process) under the store-command lock.
pub fn with_store_lock<T>(f: impl FnOnce() -> T) -> T {
    let _one = STORE_COMMAND.lock().unwrap_or_else(|e| e.into_inner());
    f()
}

/// `ecsync chain head --json DIR`.
pub fn head_json(dir: &Path) -> serde_json::Value {
    let _one = STORE_COMMAND.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(exe())
        .args(["chain", "head", "--json"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The head hash of the store in `dir`.
pub fn head_hash(dir: &Path) -> String {
    head_json(dir)["hash"].as_str().unwrap().to_string()
}

/// The head height of the store in `dir`.
pub fn head_height(dir: &Path) -> u64 {
    head_json(dir)["height"].as_u64().unwrap()
}

/// `ecsync chain verify DIR` must succeed; returns the number of blocks it verified.
pub fn verify(dir: &Path) -> u64 {
    let _one = STORE_COMMAND.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(exe())
        .args(["chain", "verify"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "verify failed: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout
        .split("verified ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no block count in {stdout:?}"))
}

/// Calls `probe` until it returns `Some`, at most until `DEADLINE`; panics naming `what` (and what `context`
/// says then) if it never does.
pub fn wait_until<T>(
    what: &str,
    mut probe: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {DEADLINE:?}; {}",
            context()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `command` to its end, at most until [`DEADLINE`]: a command that hangs gets SIGTERM (so that it stops its
/// own children), SIGKILL 30 s later, and the test fails with what it printed.
pub fn output_within(command: &mut Command) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    fn read_all(mut from: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = from.read_to_end(&mut all);
            all
        })
    }
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    let deadline = Instant::now() + DEADLINE;
    let mut signalled: Option<Instant> = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        match signalled {
            None if Instant::now() >= deadline => {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status();
                signalled = Some(Instant::now());
            }
            Some(at) if at.elapsed() > Duration::from_secs(30) => {
                let _ = child.kill();
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(
        signalled.is_none(),
        "{command:?} did not end within {DEADLINE:?}; stdout: {}; stderr: {}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

/// A node process: its listen address, its HTTP URL (when started with `--http`), its log lines; killed on
/// drop.
pub struct NodeProc {
    /// The process.
    pub child: Child,
    /// Its full listen address, with `/p2p/<id>`.
    pub addr: String,
    /// `http://…` when started with `--http`.
    pub http: Option<String>,
    log: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The request-deadline floor of a node in a test that asserts an honest server is never sent away: tests about
/// hostility, not speed. With the default 1 s floor, an honest server on a loaded 2-core machine (eight processes
/// per test, fifteen tests at once) was seen missing a 1.8 s deadline for a 0.55 s answer twice in a row, and was
/// sent away for it (two timeouts are −10). A slow-loris still times out: its answers never finish.
pub const PATIENT_MIN_TIMEOUT_MS: u64 = 5_000;

/// Writes a config file beside `dir` (`DIR.toml`) with [`PATIENT_MIN_TIMEOUT_MS`], and returns its path (for
/// `--config`).
pub fn patient_config(dir: &Path) -> PathBuf {
    let config = dir.with_extension("toml");
    let text = format!("[sync]\nmin_timeout_ms = {PATIENT_MIN_TIMEOUT_MS}\n");
    std::fs::write(&config, text).unwrap();
    config
}

impl NodeProc {
    /// A node on `dir` (fresh or restarted) of `template`'s chain (its spec.json), with HTTP on a loopback port,
    /// dialing `peers`, with `extra` flags.
    pub fn syncing(template: &Path, dir: &Path, peers: &[&str], extra: &[&str]) -> Self {
        let spec = template.join("spec.json");
        let mut args = vec![
            "--data",
            dir.to_str().unwrap(),
            "--spec",
            spec.to_str().unwrap(),
            "--http",
            "127.0.0.1:0",
        ];
        for p in peers {
            args.extend(["--peer", p]);
        }
        args.extend_from_slice(extra);
        Self::start(&args)
    }

    /// Starts `ecsync node ARGS` (`ecsync-hostile node ARGS` when ARGS hold one of [`HOSTILE_FLAGS`]) and reads
    /// its address (and HTTP URL, with `--http`) from stdout.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// [`NodeProc::start`] with `env` added to the process's environment (e.g. a clock set back from outside).
    pub fn start_with_env<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Self {
        let wants_http = args.iter().any(|a| a.as_ref() == "--http");
        let hostile = args
            .iter()
            .any(|a| HOSTILE_FLAGS.iter().any(|f| a.as_ref() == *f));
        let mut child = Command::new(if hostile { hostile_exe() } else { exe() })
            .arg("node")
            .args(args)
            .envs(env.iter().copied())
            .env("ECSYNC_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines_of(child.stdout.take().unwrap());
        let log = lines_of(child.stderr.take().unwrap());
        let mut node = Self {
            child,
            addr: String::new(),
            http: None,
            log,
            seen: Vec::new(),
        };
        node.addr = node.stdout_line(&stdout, "an address");
        assert!(node.addr.contains("/p2p/"), "not an address: {}", node.addr);
        if wants_http {
            let url = node.stdout_line(&stdout, "the HTTP URL");
            assert!(url.starts_with("http://127.0.0.1:"), "not a URL: {url}");
            node.http = Some(url);
        }
        node
    }

    fn stdout_line(&mut self, stdout: &Receiver<String>, what: &str) -> String {
        match stdout.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => panic!("node printed no {what}; log: {:?}", self.drain_log()),
        }
    }

    /// The process id, as a string for `kill`.
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Every log line so far.
    pub fn drain_log(&mut self) -> Vec<String> {
        while let Ok(line) = self.log.try_recv() {
            self.seen.push(line);
        }
        self.seen.clone()
    }

    /// Waits until a log line satisfies `pred`.
    pub fn wait_log(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        if let Some(l) = self.seen.iter().find(|l| pred(l)) {
            return l.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left.min(Duration::from_millis(500))) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(_) if Instant::now() >= deadline => {
                    panic!(
                        "no log line {what} within {DEADLINE:?}; log: {:?}",
                        self.seen
                    )
                }
                Err(_) => {}
            }
        }
    }

    /// Waits until a "sync: height H of …" log line has `pred(H)`.
    pub fn wait_progress(&mut self, what: &str, pred: impl Fn(u64) -> bool) -> String {
        self.wait_log(what, |l| {
            l.split("sync: height ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|h| h.parse::<u64>().ok())
                .is_some_and(&pred)
        })
    }

    /// Waits for the process to exit and fails the test unless it exited 0.
    pub fn expect_success(&mut self) {
        let status = self.wait_exit();
        assert!(
            status.success(),
            "exit {status}; log: {:?}",
            self.drain_log()
        );
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "node did not exit within {DEADLINE:?}; log: {:?}",
                    self.drain_log()
                );
            }
            self.drain_log();
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then waits for a clean exit (0).
    pub fn terminate(&mut self) {
        let killed = Command::new("kill").args(["-TERM", &self.pid()]).status();
        assert!(killed.unwrap().success());
        self.expect_success();
    }

    /// Its /sync/status (started with `--http`).
    pub fn status(&self) -> serde_json::Value {
        get_json(
            self.http.as_deref().expect("started without --http"),
            "/sync/status",
        )
    }

    /// Its current height, from /sync/status.
    pub fn height(&self) -> u64 {
        self.status()["current_height"].as_u64().unwrap()
    }
}

/// A thread forwarding each line of `pipe` to the returned channel.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// A minimal HTTP/1.1 request (status, body); the answer must not be chunked.
pub fn request(base: &str, method: &str, path: &str) -> (u16, String) {
    let hostport = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "chunked body: {head}"
    );
    (status, body.to_string())
}

/// POST `body` (JSON) to `path`: (status, body). The server may answer (and close) before reading all of an
/// oversized body: what arrived is the answer.
pub fn post_json(base: &str, path: &str, body: &str) -> (u16, String) {
    let hostport = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    // The server may answer (and close) before reading all of an oversized body: what arrived is the answer.
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    (status, body.to_string())
}

/// A node's libp2p peer id, from its address.
pub fn peer_id(node: &NodeProc) -> String {
    node.addr.rsplit("/p2p/").next().unwrap().to_string()
}

/// GET `path` and parse the JSON body (status 200 required).
pub fn get_json(base: &str, path: &str) -> serde_json::Value {
    let (status, body) = request(base, "GET", path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

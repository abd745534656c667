//! A live federation on loopback, shared by the tests that need one: four members (one authority each, quorum 3,
//! all `--produce`) and one follower, real processes, 500 ms slots.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{NodeProc, exe, request, text, wait_until};

/// The slot length of the federation's chain, ms.
pub const SLOT_MS: &str = "500";

/// The sum of a metric's samples whose labels contain `label` ("" for all).
pub fn metric(node: &NodeProc, name: &str, label: &str) -> u64 {
    let (status, body) = request(node.http.as_deref().unwrap(), "GET", "/metrics");
    assert_eq!(status, 200);
    body.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|r| r.starts_with(' ') || r.starts_with('{'))
                && l.contains(label)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

/// The federation's processes and files.
pub struct Federation {
    /// Where its files are.
    pub dir: PathBuf,
    /// Its chain spec.
    pub spec: PathBuf,
    /// Members by authority index (None: down).
    pub members: Vec<Option<NodeProc>>,
    /// A node without keys.
    pub follower: NodeProc,
}

impl Federation {
    pub fn member_args(&self, i: usize, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "--data".to_string(),
            self.data(i).display().to_string(),
            "--spec".into(),
            self.spec.display().to_string(),
            "--authority-keys".into(),
            self.dir
                .join(format!("member-{i}.keys"))
                .display()
                .to_string(),
            "--produce".into(),
            "--http".into(),
            "127.0.0.1:0".into(),
        ];
        for (j, m) in self.members.iter().enumerate() {
            if let Some(m) = m
                && j != i
            {
                args.extend(["--peer".into(), m.addr.clone()]);
            }
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    pub fn data(&self, i: usize) -> PathBuf {
        self.dir.join(format!("member-{i}"))
    }

    pub fn start_member(&mut self, i: usize, extra: &[&str]) {
        let args = self.member_args(i, extra);
        self.members[i] = Some(NodeProc::start(&args));
    }

    pub fn member(&self, i: usize) -> &NodeProc {
        self.members[i].as_ref().expect("member running")
    }

    pub fn live(&self) -> impl Iterator<Item = &NodeProc> {
        self.members
            .iter()
            .flatten()
            .chain(std::iter::once(&self.follower))
    }

    pub fn heights(&self) -> Vec<u64> {
        self.live().map(NodeProc::height).collect()
    }

    pub fn describe(&self) -> String {
        format!("heights {:?}", self.heights())
    }
}

fn ecsync(args: &[&str]) {
    let out = Command::new(exe()).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
}

/// A seed no other federation on this machine uses now: each member locks its authority machine-wide (per
/// chain and key), so two federations of one seed at once would refuse each other's members.
fn unique_seed() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (u64::from(std::process::id()) * 1000 + n).to_string()
}

/// Generates the chain and the members' keys in `dir` and starts the follower and the four members.
pub fn start(dir: &Path) -> Federation {
    start_with(dir, |_| Vec::new())
}

/// [`start`], member `i` started with the extra flags `extra(i)` (e.g. a hostile kind).
pub fn start_with(dir: &Path, extra: impl Fn(usize) -> Vec<&'static str>) -> Federation {
    let chain = dir.join("chain");
    let seed = unique_seed();
    ecsync(&[
        "chain",
        "generate",
        "--out",
        chain.to_str().unwrap(),
        "--blocks",
        "1",
        "--payload-bytes",
        "0",
        "--slot-ms",
        SLOT_MS,
        "--seed",
        &seed,
    ]);
    for i in 0..4 {
        let out = dir.join(format!("member-{i}.keys"));
        ecsync(&[
            "chain",
            "keys",
            chain.to_str().unwrap(),
            "--authority",
            &i.to_string(),
            "--out",
            out.to_str().unwrap(),
        ]);
    }
    let spec = chain.join("spec.json");
    let mut federation = Federation {
        dir: dir.to_path_buf(),
        spec: spec.clone(),
        members: (0..4).map(|_| None).collect(),
        follower: NodeProc::start(&[
            "--data",
            dir.join("follower").to_str().unwrap(),
            "--spec",
            spec.to_str().unwrap(),
            "--http",
            "127.0.0.1:0",
        ]),
    };
    // Paused until all four are connected, so that every test starts from a whole federation (the agreement no
    // longer needs it: a member that starts alone only runs rounds until the others come).
    for i in 0..4 {
        let follower = federation.follower.addr.clone();
        let mut flags = vec!["--peer", &follower, "--start-paused"];
        flags.extend(extra(i));
        federation.start_member(i, &flags);
    }
    resume_when_connected(&federation);
    federation
}

/// Waits until every member is connected to the other three and the follower, then resumes them all.
fn resume_when_connected(federation: &Federation) {
    wait_until(
        "every member connected to the other three and the follower",
        || {
            let connected = |m: &NodeProc| m.status()["peers_connected"].as_u64().unwrap_or(0) >= 4;
            federation
                .members
                .iter()
                .flatten()
                .all(connected)
                .then_some(())
        },
        || federation.describe(),
    );
    for m in federation.members.iter().flatten() {
        let (code, body) = request(m.http.as_deref().unwrap(), "POST", "/sync/resume");
        assert_eq!(code, 200, "{body}");
    }
}

/// Waits until every live node is at `height` or above.
pub fn wait_all_at(f: &Federation, what: &str, height: u64) {
    wait_until(
        what,
        || f.heights().iter().all(|h| *h >= height).then_some(()),
        || f.describe(),
    );
}

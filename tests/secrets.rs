//! Secret files (issue 25), with real processes: the node key, a member's key file and its vote file are
//! created mode 0600 and refused (one error line, with the fix) when group or others may read them or when they are
//! symbolic links; a link planted at a temporary name is never written through; one authority is held by one
//! process of the machine, whatever the key file's path or data dir; `chain generate` writes the dev seed 0600
//! and says what it is. No chain sync: each test starts nodes on a 20-block chain and stops them.

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{NodeProc, copy_chain, exe, output_within, text};

/// Each test its own chain (seed), so that no two tests hold one authority's lock at once.
const NODE_KEY_SEED: u64 = 2501;
const KEY_FILE_SEED: u64 = 2502;
const LOCK_SEED: u64 = 2503;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A data dir at `dir` holding a copy of the 20-block chain of `seed`.
fn data_dir(dir: &Path, seed: u64) -> PathBuf {
    copy_chain(&common::template(seed, 20), dir);
    dir.to_path_buf()
}

/// `--data DATA [--authority-keys KEYS]`.
fn node_args(data: &Path, keys: Option<&Path>) -> Vec<String> {
    let mut args = vec!["--data".to_string(), data.display().to_string()];
    if let Some(keys) = keys {
        args.extend(["--authority-keys".into(), keys.display().to_string()]);
    }
    args
}

/// `ecsync node …` run to its end (it is expected to stop at start).
fn node_run(data: &Path, keys: Option<&Path>) -> Output {
    output_within(
        Command::new(exe())
            .arg("node")
            .args(node_args(data, keys))
            .env("ECSYNC_LOG", "info"),
    )
}

/// Fails unless the command failed, without a panic, with one error line holding every one of `expect`.
fn assert_refused(out: &Output, expect: &[&str]) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "expected a failure: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    for e in expect {
        assert!(errors[0].contains(e), "expected {e:?} in: {}", errors[0]);
    }
}

/// `ecsync chain keys CHAIN --authority … --out OUT`, which must succeed.
fn export_keys(chain: &Path, authorities: &[usize], out: &Path) {
    let mut command = Command::new(exe());
    command.args(["chain", "keys"]).arg(chain);
    for a in authorities {
        command.args(["--authority", &a.to_string()]);
    }
    let done = output_within(command.arg("--out").arg(out));
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert_eq!(mode(out), 0o600);
}

/// The peer id at the end of a listen address.
fn peer_id(addr: &str) -> &str {
    addr.rsplit("/p2p/").next().unwrap()
}

#[test]
fn the_node_key_is_private_and_refused_when_others_may_read_it_or_it_is_a_link() {
    let t = tempfile::tempdir().unwrap();
    let data = data_dir(&t.path().join("node"), NODE_KEY_SEED);
    let key = data.join("node.key");
    // A link planted at the key's temporary name, to a file others may read: removed, never written through.
    let victim = t.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    chmod(&victim, 0o644);
    symlink(&victim, data.join("node.key.tmp")).unwrap();
    let first = NodeProc::start(&node_args(&data, None));
    let id = peer_id(&first.addr).to_string();
    drop(first);
    assert_eq!(mode(&key), 0o600, "node.key is created 0600");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(mode(&victim), 0o644);
    assert!(std::fs::symlink_metadata(data.join("node.key.tmp")).is_err());

    // Readable by group or others: refused, with the fix.
    for open in [0o644, 0o640, 0o604] {
        chmod(&key, open);
        let hint = format!("chmod 600 {}", key.display());
        assert_refused(&node_run(&data, None), &["node.key", &hint]);
    }
    chmod(&key, 0o600);

    // A symbolic link to a private key: refused too.
    let moved = t.path().join("real.key");
    std::fs::rename(&key, &moved).unwrap();
    symlink(&moved, &key).unwrap();
    assert_refused(&node_run(&data, None), &["node.key", "symbolic link"]);

    // The file itself, private, is the same identity as before.
    std::fs::remove_file(&key).unwrap();
    std::fs::rename(&moved, &key).unwrap();
    let again = NodeProc::start(&node_args(&data, None));
    assert_eq!(peer_id(&again.addr), id, "another identity");
}

#[test]
fn a_key_file_through_a_link_and_an_approval_memory_others_may_read_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let data = data_dir(&t.path().join("member"), KEY_FILE_SEED);
    let keys = t.path().join("member.keys");
    export_keys(&data, &[0], &keys);

    // The key file through a symbolic link, and the key file readable by the group.
    let link = t.path().join("link.keys");
    symlink(&keys, &link).unwrap();
    assert_refused(
        &node_run(&data, Some(&link)),
        &["link.keys", "symbolic link"],
    );
    chmod(&keys, 0o640);
    let hint = format!("chmod 600 {}", keys.display());
    assert_refused(&node_run(&data, Some(&keys)), &[&hint]);
    chmod(&keys, 0o600);

    // A member creates its vote file 0600.
    let memory = t.path().join("member.keys.approvals.redb");
    assert!(!memory.exists());
    drop(NodeProc::start(&node_args(&data, Some(&keys))));
    assert_eq!(mode(&memory), 0o600, "the vote file is created 0600");

    // Readable by others: refused, with the fix.
    chmod(&memory, 0o644);
    let hint = format!("chmod 600 {}", memory.display());
    assert_refused(&node_run(&data, Some(&keys)), &[&hint]);
    chmod(&memory, 0o600);

    // A symbolic link in its place (to the real memory, private): refused.
    let moved = t.path().join("moved.redb");
    std::fs::rename(&memory, &moved).unwrap();
    symlink(&moved, &memory).unwrap();
    assert_refused(
        &node_run(&data, Some(&keys)),
        &["approvals.redb", "symbolic link"],
    );

    // Put back, the member starts again.
    std::fs::remove_file(&memory).unwrap();
    std::fs::rename(&moved, &memory).unwrap();
    drop(NodeProc::start(&node_args(&data, Some(&keys))));
}

#[test]
fn one_authority_is_held_by_one_process_whatever_the_key_files_path_or_data_dir() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let chain = data_dir(&root.join("chain"), LOCK_SEED);
    let (a, c, d) = (
        root.join("a.keys"),
        root.join("c.keys"),
        root.join("d.keys"),
    );
    export_keys(&chain, &[0, 1], &a);
    export_keys(&chain, &[1, 2], &c);
    export_keys(&chain, &[3], &d);
    std::fs::create_dir(root.join("copy")).unwrap();
    let copy = root.join("copy").join("a.keys");
    std::fs::copy(&a, &copy).unwrap();
    let data = |name: &str| data_dir(&root.join(name), LOCK_SEED);

    // The first member runs (it printed its address).
    let mut first = NodeProc::start(&node_args(&data("n1"), Some(&a)));

    // A copy of its key file at another path, on another data dir: refused, naming the first authority held.
    let out = node_run(&data("n2"), Some(&copy));
    assert_refused(
        &out,
        &["authority 0 is held by another process", "vote file"],
    );
    // Another key file sharing authority 1 only: refused on authority 1.
    let out = node_run(&data("n3"), Some(&c));
    assert_refused(&out, &["authority 1 is held by another process"]);
    // A key file of other authorities: runs beside it.
    let other = NodeProc::start(&node_args(&data("n4"), Some(&d)));
    assert!(
        first.child.try_wait().unwrap().is_none(),
        "the first stopped"
    );

    // Killed with SIGKILL, the first releases its authorities at once: the kernel frees the lock.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let second = NodeProc::start(&node_args(&root.join("n3"), Some(&c)));
    assert!(second.addr.contains("/p2p/"));
    drop((second, other));
}

#[test]
fn chain_generate_writes_the_dev_seed_private_and_says_what_it_is() {
    let t = tempfile::tempdir().unwrap();
    let out_dir = t.path().join("chain");
    let out = output_within(
        Command::new(exe())
            .args([
                "chain", "generate", "--blocks", "2", "--seed", "77", "--out",
            ])
            .arg(&out_dir),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let generator = out_dir.join("generator.json");
    assert_eq!(
        mode(&generator),
        0o600,
        "generator.json holds every key's seed"
    );
    let stdout = text(&out.stdout);
    for said in [
        "a dev federation",
        &generator.display().to_string(),
        "holds seed 77",
        "anyone with the seed can derive the keys",
    ] {
        assert!(stdout.contains(said), "{said:?} not in: {stdout}");
    }
}

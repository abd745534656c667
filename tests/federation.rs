//! Federation members (issue 12): key files exported from a generated chain's dev federation, and nodes that
//! hold them (or not). Real processes. (What members sign is the agreement's: tests/agreement*.rs.)

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::federation::metric;
use common::{NodeProc, copy_chain, exe, get_json, text};

fn ecsync(args: &[&str]) -> Output {
    Command::new(exe()).args(args).output().expect("run ecsync")
}

/// Fails unless the command failed with one line on stderr containing `expect`, and no panic.
fn assert_clean_failure(out: &Output, expect: &str) {
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "expected failure: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{stderr}");
    assert!(
        errors[0].contains(expect),
        "expected {expect:?} in: {stderr}"
    );
}

fn keys(chain: &Path, authorities: &[&str], out: &Path) -> Output {
    let mut args = vec!["chain", "keys", chain.to_str().unwrap()];
    for a in authorities {
        args.extend(["--authority", a]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    ecsync(&args)
}

/// Exports authorities 2 and 0 of `chain` into `file`: readable by its owner only, with both keys, in order.
/// Returns the file's JSON.
fn assert_keys_exported_private_in_order(chain: &Path, file: &Path) -> serde_json::Value {
    let out = keys(chain, &["2", "0"], file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("authorities [0, 2]"),
        "{}",
        text(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let indices: Vec<u64> = parsed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["authority"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 2]);
    parsed
}

/// A node on `data` holding `file` is a member: its world says which authorities it is; its vote file
/// sits beside the key file, and a second node cannot sign with the same keys meanwhile.
fn assert_a_node_with_the_keys_is_a_member_and_holds_its_memory(
    t: &Path,
    data: &Path,
    file: &Path,
) {
    // A node holding the file is a member: its world says which authorities it is.
    copy_chain(&common::template(3, 20), data);
    let node = NodeProc::start(&[
        "--data",
        data.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
    ]);
    let world = get_json(node.http.as_deref().unwrap(), "/debug/world");
    assert_eq!(
        world["resources"]["Membership"]["authorities"],
        serde_json::json!([0, 2]),
        "{}",
        world["resources"]
    );
    // Its vote file sits beside the key file, and a second node cannot sign with the same keys meanwhile.
    assert!(t.join("member.keys.approvals.redb").exists());
    let twin = t.join("twin");
    copy_chain(&common::template(3, 20), &twin);
    let out = ecsync(&[
        "node",
        "--data",
        twin.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
    ]);
    assert_clean_failure(&out, "vote file");
    drop(node);
}

/// A node on `data` refuses, with one clear line each, key files readable by others, of another chain, with a
/// key under another authority's index (`parsed`, the good file's JSON, tampered), not key files, oversized, or
/// missing.
fn assert_bad_key_files_are_refused(
    t: &Path,
    data: &Path,
    file: &Path,
    parsed: &serde_json::Value,
) {
    let start = |keys: &Path| {
        ecsync(&[
            "node",
            "--data",
            data.to_str().unwrap(),
            "--authority-keys",
            keys.to_str().unwrap(),
        ])
    };
    // Readable by others: refused, with the fix.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open = t.join("open.keys");
        std::fs::copy(file, &open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_clean_failure(&start(&open), "chmod 600");
    }
    // Keys of another chain.
    let other = t.join("other-chain");
    copy_chain(&common::template(4, 20), &other);
    let other_keys = t.join("other-chain.keys");
    assert!(keys(&other, &["0"], &other_keys).status.success());
    assert_clean_failure(&start(&other_keys), "not of this chain");
    // A key under another authority's index.
    let mut swapped = parsed.clone();
    swapped["keys"][0]["authority"] = serde_json::json!(1);
    let tampered = write_private(t, "tampered.keys", &swapped.to_string());
    assert_clean_failure(
        &start(&tampered),
        "does not match that authority's public key",
    );
    // Not a key file at all, and an oversized one.
    let junk = write_private(t, "junk.keys", "{\"chain_id\": 1, \"extra\": true}");
    assert_clean_failure(&start(&junk), "not a key file");
    let huge = write_private(t, "huge.keys", &" ".repeat(100_000));
    assert_clean_failure(&start(&huge), "more than a key file's");
    assert_clean_failure(&start(&t.join("missing.keys")), "cannot open");
}

#[test]
fn exported_keys_make_a_member_and_bad_key_files_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let chain = t.path().join("chain");
    copy_chain(&common::template(3, 20), &chain);
    let file = t.path().join("member.keys");

    let parsed = assert_keys_exported_private_in_order(&chain, &file);

    // Never overwritten; an authority outside the federation is one clear line.
    let out = keys(&chain, &["1"], &file);
    assert_clean_failure(&out, "never overwritten");
    let out = keys(&chain, &["4"], &t.path().join("other.keys"));
    assert_clean_failure(&out, "--authority 4");
    assert!(!t.path().join("other.keys").exists());

    let data = t.path().join("member");
    assert_a_node_with_the_keys_is_a_member_and_holds_its_memory(t.path(), &data, &file);
    assert_bad_key_files_are_refused(t.path(), &data, &file, &parsed);
}

/// Writes `text` to a new file readable by its owner only.
fn write_private(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// A node without keys is no member: its world names no authority, it proves nothing to a member (which counts
/// it as no federation peer), while it counts the member it is connected to as one.
#[test]
fn a_node_without_keys_is_no_member() {
    let t = tempfile::tempdir().unwrap();
    let template = common::template(5, 20);
    let data = t.path().join("member");
    copy_chain(&template, &data);
    let file = t.path().join("member.keys");
    assert!(keys(&data, &["1"], &file).status.success());
    let member = NodeProc::start(&[
        "--data",
        data.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
        "--http",
        "127.0.0.1:0",
    ]);
    let plain_data = t.path().join("plain");
    copy_chain(&template, &plain_data);
    let plain = NodeProc::start(&[
        "--data",
        plain_data.to_str().unwrap(),
        "--peer",
        &member.addr,
        "--http",
        "127.0.0.1:0",
    ]);
    common::wait_until(
        "the plain node has the member proven",
        || (metric(&plain, "ecsync_federation_peers_connected", "") >= 1).then_some(()),
        || format!("{}", plain.status()),
    );
    let world = get_json(plain.http.as_deref().unwrap(), "/debug/world");
    assert_eq!(
        world["resources"]["Membership"]["authorities"],
        serde_json::json!([]),
        "{}",
        world["resources"]
    );
    assert!(member.status()["peers_connected"].as_u64().unwrap_or(0) >= 1);
    assert_eq!(
        metric(&member, "ecsync_federation_peers_connected", ""),
        0,
        "the member counts a node without keys as a federation peer"
    );
}

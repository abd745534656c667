//! Federation members (issue 12): key files exported from a generated chain's dev federation, and nodes that
//! hold them. Real processes.

mod common;

use std::path::Path;
use std::process::{Command, Output};

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

#[test]
fn exported_keys_make_a_member_and_bad_key_files_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let chain = t.path().join("chain");
    copy_chain(&common::template(3, 20), &chain);
    let file = t.path().join("member.keys");

    let out = keys(&chain, &["2", "0"], &file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("authorities [0, 2]"),
        "{}",
        text(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
    let parsed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let indices: Vec<u64> = parsed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["authority"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, vec![0, 2]);

    // Never overwritten; an authority outside the federation is one clear line.
    let out = keys(&chain, &["1"], &file);
    assert_clean_failure(&out, "never overwritten");
    let out = keys(&chain, &["4"], &t.path().join("other.keys"));
    assert_clean_failure(&out, "--authority 4");
    assert!(!t.path().join("other.keys").exists());

    // A node holding the file is a member: its world says which authorities it is.
    let data = t.path().join("member");
    copy_chain(&common::template(3, 20), &data);
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
    // Its approval memory sits beside the key file, and a second node cannot sign with the same keys meanwhile.
    assert!(t.path().join("member.keys.approvals.redb").exists());
    let twin = t.path().join("twin");
    copy_chain(&common::template(3, 20), &twin);
    let out = ecsync(&[
        "node",
        "--data",
        twin.to_str().unwrap(),
        "--authority-keys",
        file.to_str().unwrap(),
    ]);
    assert_clean_failure(&out, "approval memory");
    drop(node);

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
        let open = t.path().join("open.keys");
        std::fs::copy(&file, &open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_clean_failure(&start(&open), "chmod 600");
    }
    // Keys of another chain.
    let other = t.path().join("other-chain");
    copy_chain(&common::template(4, 20), &other);
    let other_keys = t.path().join("other-chain.keys");
    assert!(keys(&other, &["0"], &other_keys).status.success());
    assert_clean_failure(&start(&other_keys), "not of this chain");
    // A key under another authority's index.
    let mut swapped = parsed.clone();
    swapped["keys"][0]["authority"] = serde_json::json!(1);
    let tampered = write_private(t.path(), "tampered.keys", &swapped.to_string());
    assert_clean_failure(
        &start(&tampered),
        "does not match that authority's public key",
    );
    // Not a key file at all, and an oversized one.
    let junk = write_private(t.path(), "junk.keys", "{\"chain_id\": 1, \"extra\": true}");
    assert_clean_failure(&start(&junk), "not a key file");
    let huge = write_private(t.path(), "huge.keys", &" ".repeat(100_000));
    assert_clean_failure(&start(&huge), "more than a key file's");
    assert_clean_failure(&start(&t.path().join("missing.keys")), "cannot open");
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

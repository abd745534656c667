//! The node we ship has no test mode: `ecsync --help` and every subcommand's `--help` (found recursively from
//! each help's own command list) name no test-only flag or mode, hidden flags included (`ecsync node` refuses
//! the hostile binary's flags as unknown). The test modes live in `ecsync-hostile` (`src/testing/hostile/`).

mod common;

use std::process::Command;

use common::{HOSTILE_FLAGS, exe, text};

/// Words no help of the shipped binary may contain (case-insensitive), and words no help may start a word with.
const FORBIDDEN: [&str; 5] = ["misbehave", "extend", "fuzz", "hostile", "sabotage"];
const FORBIDDEN_WORD_START: &str = "test";

/// `ecsync PATH --help`'s text (it must succeed).
fn help(path: &[String]) -> String {
    let out = Command::new(exe())
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{path:?} --help: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The subcommands a help lists under "Commands:" (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path from the root, each with its help, depth first.
fn every_help() -> Vec<(Vec<String>, String)> {
    let mut todo = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    while let Some(path) = todo.pop() {
        let text = help(&path);
        for sub in subcommands(&text) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
        seen.push((path, text));
    }
    seen
}

/// What in `text` is forbidden: the words of [`FORBIDDEN`] it contains, and its words that start with
/// [`FORBIDDEN_WORD_START`].
fn forbidden_in(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found: Vec<String> = FORBIDDEN
        .iter()
        .filter(|w| lower.contains(*w))
        .map(|w| w.to_string())
        .collect();
    found.extend(
        lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.starts_with(FORBIDDEN_WORD_START))
            .map(str::to_string),
    );
    found
}

#[test]
fn no_help_of_the_shipped_binary_names_a_test_mode() {
    let helps = every_help();
    let paths: Vec<String> = helps.iter().map(|(p, _)| p.join(" ")).collect();
    // The walk found the command tree (a broken parse would check the root alone).
    for expected in ["node", "chain generate", "config check", "devnet", "dump"] {
        assert!(
            paths.iter().any(|p| p == expected),
            "`{expected}` not reached: {paths:?}"
        );
    }
    for (path, text) in &helps {
        let found = forbidden_in(text);
        assert!(
            found.is_empty(),
            "`ecsync {} --help` names {found:?}:\n{text}",
            path.join(" ")
        );
    }
}

#[test]
fn the_check_catches_what_it_looks_for() {
    assert_eq!(
        forbidden_in("--misbehave KIND  TESTS ONLY"),
        ["misbehave", "tests"]
    );
    assert_eq!(forbidden_in("Extend the chain"), ["extend"]);
    assert!(forbidden_in("the latest head, contested").is_empty());
    assert_eq!(
        subcommands("Usage: x\n\nCommands:\n  a  A\n  b  B\n  help  H\n\nOptions:\n  -h\n"),
        ["a", "b"]
    );
}

/// Hidden flags do not show in a help: `ecsync node` must refuse them as unknown.
#[test]
fn the_shipped_node_refuses_the_hostile_flags() {
    let dir = tempfile::tempdir().unwrap();
    for flag in HOSTILE_FLAGS {
        let out = Command::new(exe())
            .args(["node", "--data"])
            .arg(dir.path())
            .args([flag, "1"])
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains(&format!("unexpected argument '{flag}'")),
            "{flag}: {stderr}"
        );
    }
}

//! The house rules, checked on the source tree: no file over 800 lines, no function over 70 lines (but flat
//! registration lists that say so), no import circle between the modules of a crate, and the ecsync package's
//! top-level modules import only what docs/ARCHITECTURE.md's layout table allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The largest file allowed, in lines.
const MAX_FILE_LINES: usize = 800;
/// The longest function allowed, in lines from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 70;
/// What a comment right above a longer function must say for it to be allowed.
const FLAT_LIST: &str = "flat registration list";
/// The directories the rules cover.
const CHECKED: [&str; 4] = ["src", "systems/src", "components/src", "tests"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The name of the function a line opens, if it opens one with a body.
fn opens_fn(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
        "extern \"C\" ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let name = rest.strip_prefix("fn ")?;
    if line.trim_end().ends_with(';') {
        return None;
    }
    let end = name.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(&name[..end])
}

/// The length in lines of the function opened at `lines[start]`: up to the first line that closes at its indent.
fn fn_length(lines: &[&str], start: usize) -> usize {
    let line = lines[start];
    if line.contains('{') && line.trim_end().ends_with('}') {
        return 1;
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let close = format!("{indent}}}");
    let end = (start + 1..lines.len())
        .find(|&i| lines[i].starts_with(&close))
        .unwrap_or(lines.len() - 1);
    end - start + 1
}

/// Whether the comment block right above `lines[start]` says the function is a flat registration list.
fn allowed_long(lines: &[&str], start: usize) -> bool {
    lines[..start]
        .iter()
        .rev()
        .take_while(|l| {
            let t = l.trim_start();
            t.starts_with("//") || t.starts_with("#[")
        })
        .any(|l| l.contains(FLAT_LIST))
}

#[test]
fn no_file_over_800_lines_and_no_function_over_70() {
    let mut over = Vec::new();
    for dir in CHECKED {
        for path in rust_files(&root().join(dir)) {
            let text = read(&path);
            let lines: Vec<&str> = text.lines().collect();
            if lines.len() > MAX_FILE_LINES {
                over.push(format!("{}: {} lines", shown(&path), lines.len()));
            }
            for (i, line) in lines.iter().enumerate() {
                let Some(name) = opens_fn(line) else { continue };
                let n = fn_length(&lines, i);
                if n > MAX_FN_LINES && !allowed_long(&lines, i) {
                    over.push(format!("{}:{} fn {name}: {n} lines", shown(&path), i + 1));
                }
            }
        }
    }
    assert!(over.is_empty(), "over the size rules:\n{}", over.join("\n"));
}

#[test]
fn the_size_rules_catch_what_they_should() {
    let long: Vec<String> = std::iter::once("fn long() {".to_string())
        .chain((0..MAX_FN_LINES).map(|i| format!("    let _x{i} = {i};")))
        .chain(std::iter::once("}".to_string()))
        .collect();
    let lines: Vec<&str> = long.iter().map(String::as_str).collect();
    assert_eq!(opens_fn(lines[0]), Some("long"));
    assert_eq!(fn_length(&lines, 0), MAX_FN_LINES + 2);
    assert!(!allowed_long(&lines, 0));
    let listed = [
        "// A flat registration list: one line per metric.",
        "fn f() {",
        "}",
    ];
    assert!(allowed_long(&listed, 1));
    assert_eq!(
        opens_fn("    pub(crate) async fn go(x: u8) -> u8 {"),
        Some("go")
    );
    assert_eq!(opens_fn("    fn declared(&self);"), None);
    assert_eq!(fn_length(&["fn one() {}"], 0), 1);
}

/// A crate's modules: the module path of each file (`a/b.rs` and `a/b/mod.rs` are `a::b`; the crate root and
/// binaries' `main.rs` files and unit-test modules are left out).
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    for path in rust_files(src) {
        let rel = path.strip_prefix(src).unwrap();
        let mut parts: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        // Unit-test modules (`tests.rs`, `tests/`) may use anything, e.g. the simulator.
        if parts.iter().any(|p| p == "tests") {
            continue;
        }
        match parts.last().map(String::as_str) {
            Some("lib" | "main") => continue,
            Some("mod") => {
                parts.pop();
            }
            _ => {}
        }
        out.insert(parts, path);
    }
    out
}

/// Splits a `use` tree (`a::{b, c::d}`) into its paths.
fn use_paths(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or("");
        return vec![path.split("::").map(|s| s.trim().to_string()).collect()];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[from..]);
    let parts = parts.into_iter().filter(|p| !p.trim().is_empty());
    parts
        .flat_map(|p| {
            use_paths(p)
                .into_iter()
                .map(|rest| [prefix.clone(), rest].concat())
        })
        .collect()
}

/// The paths a file names below its crate root: `use crate::…` trees, inline `crate::a::b` paths, and top-level
/// `use super::…` (resolved against the file's module); unit-test modules left out.
fn referenced(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let parent = &module[..module.len().saturating_sub(1)];
    let mut statement = String::new();
    // A unit-test module (last in its file by convention) may use anything, e.g. the chain generator.
    for line in text.lines().take_while(|l| !l.starts_with("#[cfg(test)]")) {
        let top = !line.starts_with(' ');
        let t = line.trim();
        if top
            && (t.starts_with("use ")
                || t.starts_with("pub use ")
                || t.starts_with("pub(crate) use "))
            || !statement.is_empty()
        {
            statement.push_str(t);
            if !t.ends_with(';') {
                continue;
            }
            let tree = statement[statement.find("use ").unwrap() + 4..].trim_end_matches(';');
            for path in use_paths(tree) {
                match path.first().map(String::as_str) {
                    Some("crate") => out.push(path[1..].to_vec()),
                    Some("super") => out.push([parent, &path[1..]].concat()),
                    _ => {}
                }
            }
            statement.clear();
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        for (i, _) in line.match_indices("crate::") {
            if i > 0 && line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &line[i + "crate::".len()..];
            let path: Vec<String> = rest
                .split("::")
                .map_while(|seg| {
                    let end = seg
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(seg.len());
                    (end > 0).then(|| seg[..end].to_string())
                })
                .collect();
            out.push(path);
        }
    }
    out
}

/// The module a path names: its longest prefix that is a module.
fn target(path: &[String], mods: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| mods.contains_key(p))
}

/// Edges between sibling modules: for a file in module F naming module M, the children of their closest common
/// ancestor that contain F and M. A module using its ancestor's items, or an ancestor using its descendant's,
/// makes no edge. Keyed by the parent.
type Siblings = BTreeMap<Vec<String>, BTreeSet<(String, String)>>;

fn sibling_edges(src: &Path) -> Siblings {
    let mods = modules(src);
    let mut edges: Siblings = BTreeMap::new();
    for (module, path) in &mods {
        for r in referenced(&read(path), module) {
            let Some(to) = target(&r, &mods) else {
                continue;
            };
            let common = module.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == module.len() || common == to.len() {
                continue;
            }
            let pair = (module[common].clone(), to[common].clone());
            edges
                .entry(module[..common].to_vec())
                .or_default()
                .insert(pair);
        }
    }
    edges
}

/// A cycle in a directed graph, if there is one.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeSet<(String, String)>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == n) {
            return Some([&stack[at..], &[n.to_string()]].concat());
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for (_, to) in edges.iter().filter(|(from, _)| from == n) {
            if let Some(c) = visit(to, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .iter()
        .find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_import_circle_between_modules() {
    let mut circles = Vec::new();
    for src in ["src", "systems/src", "components/src"] {
        for (parent, edges) in sibling_edges(&root().join(src)) {
            if let Some(cycle) = find_cycle(&edges) {
                circles.push(format!(
                    "{src} {}: {}",
                    parent.join("::"),
                    cycle.join(" → ")
                ));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_circle_check_catches_a_circle() {
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    let acyclic = BTreeSet::from([pair("a", "b"), pair("b", "c"), pair("a", "c")]);
    assert_eq!(find_cycle(&acyclic), None);
    let circle = BTreeSet::from([pair("a", "b"), pair("b", "c"), pair("c", "a")]);
    assert!(find_cycle(&circle).is_some());
    assert_eq!(
        use_paths("crate::{a::{b, c as d}, e}"),
        vec![
            vec!["crate", "a", "b"],
            vec!["crate", "a", "c"],
            vec!["crate", "e"]
        ]
    );
    let module = vec!["store".to_string(), "recover".to_string()];
    let refs = referenced(
        "use super::RedbStore;\nfn f() { crate::util::clock::now(); }\n",
        &module,
    );
    assert_eq!(
        refs,
        vec![vec!["store", "RedbStore"], vec!["util", "clock", "now"]]
    );
}

/// docs/ARCHITECTURE.md's layout table: each top-level module of src/ and the modules it may import.
fn layout_table() -> BTreeMap<String, BTreeSet<String>> {
    let doc = read(&root().join("docs/ARCHITECTURE.md"));
    let start = doc
        .find("| module of src/ | role | may import |")
        .expect("the layout table");
    let mut table = BTreeMap::new();
    for row in doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`').to_string();
        let allowed = cells[3]
            .split(',')
            .map(|s| s.trim().trim_matches('`').to_string())
            .filter(|s| !s.is_empty() && s != "—")
            .collect();
        table.insert(name, allowed);
    }
    table
}

#[test]
fn src_modules_import_only_what_the_layout_table_allows() {
    let table = layout_table();
    let present: BTreeSet<String> = modules(&root().join("src"))
        .keys()
        .filter_map(|m| m.first().cloned())
        .collect();
    let listed: BTreeSet<String> = table.keys().cloned().collect();
    assert_eq!(
        present, listed,
        "src/'s top-level modules and the layout table differ"
    );
    let edges = sibling_edges(&root().join("src"))
        .remove(&Vec::new())
        .unwrap_or_default();
    let forbidden: Vec<String> = edges
        .iter()
        .filter(|(from, to)| !table[from].contains(to))
        .map(|(from, to)| format!("{from} imports {to}"))
        .collect();
    assert!(
        forbidden.is_empty(),
        "not in the layout table:\n{}",
        forbidden.join("\n")
    );
}

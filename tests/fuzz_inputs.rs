//! The fuzz harnesses (`ecsync::testing::fuzzing`) run on stable in the ordinary test run: every seed input, and every input
//! a fuzzer ever found (`fuzz/regressions/<harness>/`, one file per finding, named after what it found), must pass.
//! `cargo test --release --test fuzz_inputs -- --ignored write_seeds` rewrites `fuzz/seeds/` from the fuzz chain
//! (fuzz/run.sh does it before fuzzing).

use std::path::{Path, PathBuf};

use ecsync::testing::fuzzing::{HARNESSES, harness, seeds};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file under `fuzz/<kind>/<harness>/`.
fn inputs(kind: &str, name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fuzz_dir().join(kind).join(name);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("a readable input");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_harness_takes_its_seeds() {
    let seeds = seeds();
    for name in HARNESSES {
        let run = harness(name).expect("a harness of that name");
        let mine: Vec<_> = seeds.iter().filter(|(h, ..)| *h == name).collect();
        assert!(!mine.is_empty(), "no seed for {name}");
        for (_, _, bytes) in mine {
            run(bytes);
        }
    }
    assert!(harness("nothing").is_none());
}

#[test]
fn committed_seeds_are_current() {
    for (name, seed, bytes) in seeds() {
        let path = fuzz_dir().join("seeds").join(name).join(&seed);
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (rewrite with `cargo test --release --test fuzz_inputs -- --ignored write_seeds`)",
                path.display()
            )
        });
        assert_eq!(committed, bytes, "{} is stale", path.display());
    }
}

#[test]
fn every_finding_stays_fixed() {
    let mut replayed = 0;
    for name in HARNESSES {
        let run = harness(name).expect("a harness of that name");
        for (path, bytes) in inputs("regressions", name) {
            eprintln!("replaying {}", path.display());
            run(&bytes);
            replayed += 1;
        }
    }
    eprintln!("{replayed} findings replayed");
    // The findings are committed: a missing or emptied fuzz/regressions/ must fail, not replay nothing.
    assert!(
        replayed >= 1,
        "no finding replayed: is {} missing?",
        fuzz_dir().join("regressions").display()
    );
}

#[test]
fn truncations_of_every_seed_pass() {
    // Every prefix of a valid input is an input a slow or cut-off peer sends.
    for (name, _, bytes) in seeds() {
        let run = harness(name).expect("a harness of that name");
        for len in 0..bytes.len().min(512) {
            run(&bytes[..len]);
        }
    }
}

#[test]
#[ignore = "writes fuzz/seeds/; run by fuzz/run.sh"]
fn write_seeds() {
    for (name, seed, bytes) in seeds() {
        let dir = fuzz_dir().join("seeds").join(name);
        std::fs::create_dir_all(&dir).expect("the seeds directory");
        std::fs::write(dir.join(seed), bytes).expect("a seed file");
    }
}

//! The redb chain store and chain directories: generation is deterministic and verifies, batches are all or
//! nothing (also across a real SIGKILL), bad files give clear errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use ecsync::chainio::{generate_chain, open_chain_dir, verify_store};
use ecsync::components::{BlockRef, ChainStore, Checkpoint, SignatureBytes, StoreError};
use ecsync::store::RedbStore;
use ecsync::systems::chaingen::GenParams;

const NOW: u64 = u64::MAX / 2;

fn params(seed: u64) -> GenParams {
    GenParams {
        seed,
        payload_bytes: 128,
        ..GenParams::default()
    }
}

/// A 300-block chain generated once per test binary; tests copy it.
fn template() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        generate_chain(dir.path(), params(7), 300, |_| {}).unwrap();
        dir
    })
    .path()
}

fn copy_template() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["spec.json", "chain.redb"] {
        std::fs::copy(template().join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn generated_chain_verifies() {
    let (_t, dir) = copy_template();
    let (spec, store) = open_chain_dir(&dir).unwrap();
    let report = verify_store(&spec, &store, NOW).unwrap().unwrap();
    assert_eq!(report.head.height, 300);
    assert_eq!(report.head, store.head().unwrap());
    let cp = store
        .latest_checkpoint()
        .unwrap()
        .expect("generation ends with a checkpoint");
    assert_eq!(cp.head, report.head);
}

#[test]
fn generation_is_deterministic_per_seed() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let ha = generate_chain(a.path(), params(7), 300, |_| {}).unwrap();
    let hb = generate_chain(b.path(), params(7), 300, |_| {}).unwrap();
    let hc = generate_chain(c.path(), params(8), 300, |_| {}).unwrap();
    assert_eq!(ha, hb);
    assert_ne!(ha.hash, hc.hash);
    let (_, sa) = open_chain_dir(a.path()).unwrap();
    let (_, sb) = open_chain_dir(b.path()).unwrap();
    assert_eq!(
        sa.encoded_range(0, 301, usize::MAX).unwrap(),
        sb.encoded_range(0, 301, usize::MAX).unwrap()
    );
    assert_eq!(
        std::fs::read(a.path().join("spec.json")).unwrap(),
        std::fs::read(b.path().join("spec.json")).unwrap()
    );
    // The template (same seed, same count) has the same head too.
    let (_, st) = open_chain_dir(template()).unwrap();
    assert_eq!(st.head().unwrap(), ha);
}

#[test]
fn a_failing_batch_leaves_nothing_behind() {
    let (_t, dir) = copy_template();
    let (spec, mut store) = open_chain_dir(&dir).unwrap();
    let head = store.head().unwrap();
    // Blocks 201..=300 exist; rebuild a short store at 200 by generating a fresh one and extending it.
    let gen_ = ecsync::systems::chaingen::ChainGenerator::new(params(7)).unwrap();
    let tip = store.block(300).unwrap().unwrap();
    let mut batch = gen_.extend(&tip, 10);
    batch[6].block.header.parent_hash.0[0] ^= 1; // the 7th does not link
    let err = store
        .import_batch(&batch.iter().collect::<Vec<_>>(), None)
        .unwrap_err();
    assert!(matches!(err, StoreError::NotContiguous(_)), "{err}");
    assert_eq!(store.head().unwrap(), head);
    assert!(
        store.block(301).unwrap().is_none(),
        "no part of the batch is stored"
    );
    drop(store);
    let store = RedbStore::open(&dir.join("chain.redb"), &spec).unwrap();
    assert_eq!(store.head().unwrap(), head);
    assert!(store.block(301).unwrap().is_none());
}

#[test]
fn batches_and_checkpoints_move_the_head_together() {
    let (_t, dir) = copy_template();
    let (spec, mut store) = open_chain_dir(&dir).unwrap();
    let gen_ = ecsync::systems::chaingen::ChainGenerator::new(params(7)).unwrap();
    let tip = store.block(300).unwrap().unwrap();
    let batch = gen_.extend(&tip, 20);
    let new_head = BlockRef::of(batch.last().unwrap());
    let wrong = Checkpoint::of(&batch[3], batch[3].hash(), 1, 400);
    assert!(
        store
            .import_batch(&batch.iter().collect::<Vec<_>>(), Some(wrong))
            .is_err()
    );
    let last = batch.last().unwrap();
    let cp = Checkpoint::of(last, last.hash(), 2, 400);
    store
        .import_batch(&batch.iter().collect::<Vec<_>>(), Some(cp))
        .unwrap();
    drop(store);
    let store = RedbStore::open(&dir.join("chain.redb"), &spec).unwrap();
    assert_eq!(store.head().unwrap(), new_head);
    assert_eq!(store.latest_checkpoint().unwrap(), Some(cp));
    assert_eq!(store.height_of(&new_head.hash).unwrap(), Some(320));
    assert_eq!(
        verify_store(&spec, &store, NOW).unwrap().unwrap().head,
        new_head
    );
}

#[test]
fn range_reads_respect_count_and_bytes() {
    let (_, store) = open_chain_dir(template()).unwrap();
    let all = store.encoded_range(295, 100, usize::MAX).unwrap();
    assert_eq!(all.len(), 6, "only 295..=300 exist");
    let one_size = all[0].len();
    let capped = store.encoded_range(10, 100, one_size * 3 + 1).unwrap();
    assert!(capped.len() == 3 || capped.len() == 4, "{}", capped.len());
    assert!(capped.iter().map(Vec::len).sum::<usize>() <= one_size * 3 + 1 + 16);
    assert_eq!(
        store.encoded_range(10, 100, 1).unwrap().len(),
        1,
        "at least one block"
    );
    assert!(store.encoded_range(301, 5, usize::MAX).unwrap().is_empty());
}

#[test]
fn verify_names_the_first_invalid_height() {
    let (_t, dir) = copy_template();
    let (spec, mut store) = open_chain_dir(&dir).unwrap();
    let gen_ = ecsync::systems::chaingen::ChainGenerator::new(params(7)).unwrap();
    let tip = store.block(300).unwrap().unwrap();
    let mut batch = gen_.extend(&tip, 40);
    // Links fine (the store checks links only) but its approval is another block's.
    batch[17].approval.signature = batch[18].approval.signature;
    batch[30].approval.signature = SignatureBytes([0x11; 96]);
    store
        .import_batch(&batch.iter().collect::<Vec<_>>(), None)
        .unwrap();
    let invalid = verify_store(&spec, &store, NOW).unwrap().unwrap_err();
    assert_eq!(invalid.height, 318);
    assert!(invalid.reason.contains("signature"), "{}", invalid.reason);
}

#[test]
fn bad_files_give_clear_errors() {
    let (spec, _) = open_chain_dir(template()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = RedbStore::open(&dir.path().join("nope.redb"), &spec)
        .err()
        .unwrap();
    assert!(missing.to_string().contains("no such file"), "{missing}");

    let garbage = dir.path().join("garbage.redb");
    std::fs::write(&garbage, vec![0x5au8; 10_000]).unwrap();
    let err = RedbStore::open(&garbage, &spec).err().unwrap();
    assert!(
        matches!(err, StoreError::Corrupt(_) | StoreError::Io(_)),
        "{err}"
    );

    let mut other = spec.clone();
    other.chain_id += 1;
    let err = RedbStore::open(&template().join("chain.redb"), &other)
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::OtherChain { .. }), "{err}");
    assert!(err.to_string().contains("holds chain"));
}

#[test]
fn a_killed_generation_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chain");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecsync"))
        .args([
            "chain",
            "generate",
            "--blocks",
            "1000000",
            "--payload-bytes",
            "64",
            "--seed",
            "3",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait (bounded) for a few batches to be written, then kill the process mid-generation.
    let store_file = out.join("chain.redb");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::fs::metadata(&store_file).map(|m| m.len()).unwrap_or(0) < 3_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "generation wrote nothing"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "generator exited early"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (spec, store) = open_chain_dir(&out).unwrap();
    let head = store.head().unwrap();
    assert!(head.height < 1_000_000);
    let report = verify_store(&spec, &store, NOW).unwrap().unwrap();
    assert_eq!(report.head, head);
    // Whole batches only: the generator writes 2048 blocks per transaction.
    assert_eq!(
        head.height % 2048,
        0,
        "head {} is not at a batch boundary",
        head.height
    );
}

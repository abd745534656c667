//! The store's side of the backfill (`ChainStore::backfill`, `ChainStore::lowest`, `StoreReader::lowest`) on
//! real redb files: history below a checkpoint-synced store's lowest block is written batch by batch, the lowest
//! block's record moving down in the same transaction, to genesis; a batch that does not link to it is refused
//! whole; the boot-time check accepts a store whose lowest block is above 0 and moves down (reopened between
//! batches, and after a volatile batch that a reopen keeps); `chain verify` checks from the lowest block held,
//! and from genesis once the backfill reached it.

use std::path::Path;

use ecsync::components::{
    BlockRef, ChainSpec, ChainStore, EncodedBlock, Hash32, LowestBlock, SignedBlock, StoreError,
    imports,
};
use ecsync::store::RedbStore;
use ecsync::store::verify::verify_store;
use ecsync::systems::chaingen::{ChainGenerator, GenParams};

const NOW: u64 = u64::MAX / 2;
const LEN: u64 = 300;
const ANCHOR: u64 = 250;

/// A generated chain's spec and blocks 0..=LEN.
fn chain() -> (ChainSpec, Vec<SignedBlock>) {
    let generator = ChainGenerator::new(GenParams {
        seed: 11,
        payload_bytes: 64,
        ..GenParams::default()
    })
    .unwrap();
    let mut blocks = vec![generator.genesis().clone()];
    blocks.extend(generator.blocks(LEN as usize));
    (generator.spec().clone(), blocks)
}

/// A file store at `path` started from block `ANCHOR` (a checkpoint sync).
fn started(path: &Path, spec: &ChainSpec, blocks: &[SignedBlock]) -> RedbStore {
    let mut store = RedbStore::create(path, spec, None).unwrap();
    let anchor = EncodedBlock::new(blocks[ANCHOR as usize].clone());
    store.start_from(anchor.as_import(), 1).unwrap();
    store
}

/// Blocks `from..to`, encoded.
fn run(blocks: &[SignedBlock], from: u64, to: u64) -> Vec<EncodedBlock> {
    EncodedBlock::all(blocks[from as usize..to as usize].iter().cloned())
}

fn lowest_height(store: &RedbStore) -> u64 {
    store
        .lowest()
        .unwrap()
        .map_or(0, |l: LowestBlock| l.block.height)
}

#[test]
fn history_moves_the_lowest_block_down_to_genesis_durably_and_verifies_from_there() {
    let (spec, blocks) = chain();
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("chain.redb");
    let mut store = started(&path, &spec, &blocks);
    let reader = store.reader();
    let lowest = store.lowest().unwrap().expect("above genesis");
    assert_eq!(lowest.block, BlockRef::of(&blocks[ANCHOR as usize]));
    assert_eq!(
        lowest.parent_hash,
        blocks[ANCHOR as usize].block.header.parent_hash
    );
    assert_eq!(reader.lowest().unwrap(), ANCHOR);

    // Durably, then volatile: both survive a reopen (a clean close makes the volatile one durable).
    store
        .backfill(&imports(&run(&blocks, 200, 250)), true)
        .unwrap();
    assert_eq!(
        (lowest_height(&store), reader.lowest().unwrap()),
        (200, 200)
    );
    store
        .backfill(&imports(&run(&blocks, 120, 200)), false)
        .unwrap();
    assert_eq!(lowest_height(&store), 120);
    // Verification starts from the lowest block held: its approval, then every block above it.
    let report = verify_store(&spec, &store, NOW).unwrap().unwrap();
    assert_eq!((report.head.height, report.blocks), (ANCHOR, ANCHOR - 120));
    drop((store, reader));

    let mut store = RedbStore::open(&path, &spec).unwrap();
    assert_eq!(
        store.recovery(),
        None,
        "the boot-time check accepts a store whose history grows down"
    );
    assert_eq!(lowest_height(&store), 120);
    assert_eq!(store.head().unwrap().height, ANCHOR);
    store
        .backfill(&imports(&run(&blocks, 1, 120)), true)
        .unwrap();
    assert_eq!(
        store.lowest().unwrap(),
        None,
        "genesis reached: the store holds its chain from there"
    );
    assert_eq!(store.anchor(), spec.genesis_ref());
    assert_eq!(store.reader().lowest().unwrap(), 0);
    for h in 1..=ANCHOR {
        assert_eq!(
            store.block(h).unwrap().map(|b| b.hash()),
            Some(blocks[h as usize].hash())
        );
    }
    drop(store);
    let store = RedbStore::open(&path, &spec).unwrap();
    assert_eq!((store.recovery(), store.anchor().height), (None, 0));
    let report = verify_store(&spec, &store, NOW).unwrap().unwrap();
    assert_eq!(
        (report.head.height, report.blocks),
        (ANCHOR, ANCHOR),
        "verified from genesis"
    );
}

#[test]
fn a_batch_that_does_not_link_to_the_lowest_block_is_refused_whole() {
    let (spec, blocks) = chain();
    let t = tempfile::tempdir().unwrap();
    let mut store = started(&t.path().join("chain.redb"), &spec, &blocks);
    let refused = |store: &mut RedbStore, batch: Vec<EncodedBlock>, what: &str| {
        let err = store.backfill(&imports(&batch), true).expect_err(what);
        assert!(matches!(err, StoreError::NotContiguous(_)), "{what}: {err}");
        assert_eq!(lowest_height(store), ANCHOR, "{what}: nothing written");
        assert_eq!(store.block(ANCHOR - 1).unwrap(), None, "{what}");
    };
    refused(
        &mut store,
        run(&blocks, 200, 249),
        "a gap below the lowest block",
    );
    refused(&mut store, run(&blocks, 200, 251), "the lowest block again");
    let mut broken = run(&blocks, 200, 250);
    let mut b = broken[20].block.clone();
    b.block.header.parent_hash = Hash32([0xbb; 32]);
    broken[20] = EncodedBlock::new(b);
    refused(
        &mut store,
        broken,
        "a block that does not link to the one below it",
    );
    let mut swapped = run(&blocks, 200, 250);
    let mut top = swapped[49].block.clone();
    top.block.header.state_root = Hash32([1; 32]);
    swapped[49] = EncodedBlock::new(top);
    refused(
        &mut store,
        swapped,
        "a top whose hash is not the parent the lowest block names",
    );
    // The same blocks (same hashes) with an approval other than the one the block above commits to.
    let mut approval = run(&blocks, 200, 250);
    approval[49].block.approval = blocks[10].approval.clone();
    approval[49] = EncodedBlock::new(approval[49].block.clone());
    refused(
        &mut store,
        approval,
        "a top whose approval is not the one the lowest block carries",
    );
    let mut inside = run(&blocks, 200, 250);
    inside[10].block.approval.round += 1;
    inside[10] = EncodedBlock::new(inside[10].block.clone());
    refused(
        &mut store,
        inside,
        "a block whose approval is not the one the block above carries",
    );
    store
        .backfill(&imports(&run(&blocks, 1, 250)), true)
        .unwrap();
    assert_eq!(store.lowest().unwrap(), None);
    // Nothing below genesis.
    assert!(store.backfill(&imports(&run(&blocks, 1, 2)), true).is_err());
}

#[test]
fn history_whose_block_1_names_another_genesis_than_the_spec_is_refused() {
    // The trusted block is of a chain whose genesis is not the spec's: its block 1 names another parent.
    let (mut spec, blocks) = chain();
    spec.genesis_hash = Hash32([3; 32]);
    let t = tempfile::tempdir().unwrap();
    let mut store = started(&t.path().join("chain.redb"), &spec, &blocks);
    store
        .backfill(&imports(&run(&blocks, 2, 250)), true)
        .unwrap();
    let err = store
        .backfill(&imports(&run(&blocks, 1, 2)), true)
        .expect_err("block 1 of another genesis");
    assert!(err.to_string().contains("not the genesis"), "{err}");
    assert_eq!(lowest_height(&store), 2, "nothing written");
}

#[test]
fn a_store_from_genesis_has_no_lowest_block_and_takes_no_history() {
    let (spec, blocks) = chain();
    let t = tempfile::tempdir().unwrap();
    let mut store =
        RedbStore::create(&t.path().join("chain.redb"), &spec, Some(&blocks[0])).unwrap();
    store
        .import_batch(&imports(&run(&blocks, 1, 11)), None)
        .unwrap();
    assert_eq!(store.lowest().unwrap(), None);
    assert_eq!(store.reader().lowest().unwrap(), 0);
    assert!(store.backfill(&imports(&run(&blocks, 1, 2)), true).is_err());
    // A durable commit of nothing is fine anywhere.
    store.backfill(&[], true).unwrap();
}

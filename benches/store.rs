//! The redb store's commits on a real file (what the checkpoint interval is chosen from):
//!
//! - `store/commit_volatile`: one `import_batch` of `BATCH` blocks (~1.2 KB each) with `Durability::None`, as the
//!   engine commits between checkpoints;
//! - `store/commit_durable`: the same batch carrying a checkpoint (`Durability::Immediate`: fsync), as every
//!   `checkpoint_every_blocks` / `checkpoint_every_ms`.
//!
//! The difference is the price of one checkpoint. The file lives in a temporary directory (on this machine's
//! disk); each iteration appends to the chain, so the store grows as during a sync.

use std::cell::RefCell;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecsync::store::RedbStore;
use ecsync::testing::sim::SimChain;
use ecsync_components::{ChainStore, Checkpoint, EncodedBlock, SignedBlock, imports};

/// Blocks per import batch (about one tick's worth at 2,000 blocks/s).
const BATCH: usize = 40;
/// Blocks generated: iterations cycle through them, starting a new store when they run out.
const BLOCKS: u64 = 4000;

fn bench_commits(c: &mut Criterion) {
    let chain = SimChain::generate(0x5709e, BLOCKS, 1024);
    // Each block with its hash and encoding, as the engine hands them to the store.
    let blocks: Vec<EncodedBlock> = (1..=BLOCKS as usize)
        .map(|h| EncodedBlock {
            block: SignedBlock::decode(&chain.blocks[h], usize::MAX).expect("own encoding"),
            hash: chain.hashes[h],
            bytes: chain.blocks[h].clone(),
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, durable) in [("commit_volatile", false), ("commit_durable", true)] {
        let fresh = |n: &mut u32| {
            *n += 1;
            let path = dir.path().join(format!("{name}-{n}.redb"));
            RedbStore::create(&path, &chain.spec, Some(&chain.genesis)).expect("store")
        };
        let mut stores = 0u32;
        let state = RefCell::new((fresh(&mut stores), 0usize));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut s = state.borrow_mut();
                if s.1 + BATCH > blocks.len() {
                    *s = (fresh(&mut stores), 0);
                }
                let batch = imports(&blocks[s.1..s.1 + BATCH]);
                let last = batch[BATCH - 1];
                let checkpoint = durable.then(|| Checkpoint::of(last.block, last.hash, 1, BLOCKS));
                s.0.import_batch(&batch, checkpoint).expect("import");
                s.1 += BATCH;
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_commits);
criterion_main!(benches);

//! Benches of whole ticks (`SyncEngine::tick`: the full schedule):
//!
//! - `tick/idle_100_peers`: 100 connected peers, all at the engine's head, nothing to download; virtual time
//!   advances 50 ms a tick, so every peer is asked for its status every 40 ticks, as in a synced node.
//! - `tick/loaded_64_peers_1024_ranges_10k_blocks`: one tick of a loaded world with validation excluded (see
//!   `bench_loaded`); issue 11's target is ≤ 1 ms.
//! - `sync/engine` and `sync/sequential`: a complete sync of a generated chain (3,072 blocks with real BLS
//!   approvals, ~1.2 KB each) from genesis, from 4 honest peers, with `SyncConfig::default()` (strategy Engine)
//!   and `SyncConfig::sequential()`. The driver answers every request before the next tick (no virtual latency,
//!   no bandwidth limit), so the time is the engine's CPU cost: parallel batched validation and batched imports
//!   against one-by-one validation and one commit per block. Throughput is in blocks.
//!
//! The setup (generating the chain, building the engine over an in-memory store, the peers' connect events)
//! is not measured.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ecsync::engine::SyncEngine;
use ecsync::store::RedbStore;
use ecsync::testing::sim::{SIM_EPOCH_MS, SimChain};
use ecsync_components::{NetEvent, PeerId, Request, StatusMessage, SyncConfig, SyncState};

/// Blocks of the chain synced.
const SYNC_BLOCKS: u64 = 3072;
/// Payload bytes per block.
const PAYLOAD_BYTES: usize = 1024;
/// Peers serving the sync.
const SYNC_PEERS: u64 = 4;
/// Peers connected in the idle bench.
const IDLE_PEERS: u64 = 100;
/// Virtual time between ticks of a sync.
const SYNC_TICK_MS: u64 = 10;
/// Virtual time between idle ticks.
const IDLE_TICK_MS: u64 = 50;

fn chain() -> &'static SimChain {
    static CHAIN: OnceLock<SimChain> = OnceLock::new();
    CHAIN.get_or_init(|| SimChain::generate(0x71c4, SYNC_BLOCKS, PAYLOAD_BYTES))
}

/// What every peer says: the chain's head.
fn status(chain: &SimChain) -> StatusMessage {
    let proof = chain.proof(chain.len()).expect("a chain above genesis");
    StatusMessage::proven(chain.spec.chain_id, chain.spec.genesis_hash, proof)
}

/// An engine over an in-memory store holding `0..=height`, with `peers` peers' connects in its inbox.
fn engine(chain: &SimChain, config: SyncConfig, height: u64, peers: u64) -> SyncEngine {
    let store = if height == 0 {
        RedbStore::in_memory(&chain.spec, Some(&chain.genesis)).expect("in-memory store")
    } else {
        chain.store_at(height)
    };
    let mut engine = SyncEngine::new(chain.spec.clone(), config, Box::new(store)).expect("engine");
    for id in 1..=peers {
        engine.handle(NetEvent::PeerConnected {
            peer: PeerId(id),
            label: format!("bench-{id}"),
            status: status(chain),
        });
    }
    engine
}

/// Ticks `engine` until its head is the chain's, answering each request at once. Returns the ticks run.
fn sync(engine: &mut SyncEngine, chain: &SimChain) -> u64 {
    let target = chain.len();
    let mut now = SIM_EPOCH_MS;
    let mut ticks = 0;
    loop {
        engine.tick(now);
        ticks += 1;
        for request in engine.drain_outbox() {
            match request {
                Request::BlocksByRange {
                    peer,
                    request,
                    start,
                    count,
                    ..
                } => {
                    let end = start.saturating_add(u64::from(count)).min(target + 1);
                    let blocks = chain.blocks[start.min(end) as usize..end as usize].to_vec();
                    engine.handle(NetEvent::Blocks {
                        peer,
                        request,
                        blocks,
                    });
                }
                Request::Status { peer } => engine.handle(NetEvent::Status {
                    peer,
                    status: status(chain),
                }),
                Request::GossipVerdict { .. }
                | Request::PublishBlock { .. }
                | Request::SendConsensus { .. } => {}
                Request::Disconnect { peer, reason, .. } => {
                    panic!("the engine dropped honest {peer}: {reason}")
                }
            }
        }
        if engine.head().height == target {
            return ticks;
        }
        assert!(ticks < 100_000, "sync stalled: {:?}", engine.status());
        now += SYNC_TICK_MS;
    }
}

fn bench_idle(c: &mut Criterion) {
    let chain = chain();
    let mut engine = engine(chain, SyncConfig::default(), chain.len(), IDLE_PEERS);
    let mut now = SIM_EPOCH_MS;
    engine.tick(now);
    engine.drain_outbox();
    let check = |engine: &SyncEngine| {
        let status = engine.status();
        assert_eq!(status.state, SyncState::Synced);
        assert_eq!(status.peers_connected, IDLE_PEERS as usize);
        assert_eq!(status.current_height, chain.len());
    };
    check(&engine);

    let mut group = c.benchmark_group("tick");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("idle_100_peers", |b| {
        b.iter(|| {
            now += IDLE_TICK_MS;
            engine.tick(now);
            black_box(engine.drain_outbox())
        });
    });
    group.finish();
    check(&engine);
    assert_eq!(engine.counters().requests_sent, 0);
}

fn bench_sync(c: &mut Criterion) {
    let chain = chain();
    let mut group = c.benchmark_group("sync");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .throughput(Throughput::Elements(chain.len()));
    for (name, config) in [
        ("engine", SyncConfig::default()),
        ("sequential", SyncConfig::sequential()),
    ] {
        // One run first: checks the sync completes, and sizes the measurement: 10 samples of one sync each
        // (criterion then warns that it cannot complete 10 samples in the target time; expected).
        let mut e = engine(chain, config.clone(), 0, SYNC_PEERS);
        let started = Instant::now();
        let ticks = sync(&mut e, chain);
        let took = started.elapsed();
        let counters = e.counters();
        assert_eq!(counters.blocks_imported, chain.len());
        assert_eq!(counters.blocks_rejected, 0);
        assert_eq!(
            e.store().head().expect("store head"),
            chain.block_ref(chain.len())
        );
        eprintln!(
            "sync/{name}: {} blocks in {ticks} ticks, {} requests, {} store commits, {:.0} blocks/s",
            chain.len(),
            counters.requests_sent,
            counters.import_commits,
            chain.len() as f64 / took.as_secs_f64()
        );
        drop(e);
        group.measurement_time(took.mul_f64(8.0));
        group.bench_function(name, |b| {
            b.iter_batched(
                || engine(chain, config.clone(), 0, SYNC_PEERS),
                |mut e| {
                    sync(&mut e, chain);
                    e
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

/// One tick of a loaded mid-sync world, the shape issue 11 bounds: 64 peers, 1,024 ranges in flight (16 a
/// peer), 157 downloaded ranges = 10,048 pending blocks, every peer claiming height 1,000,000. Validation is
/// excluded by the world, not by the schedule: every pending block's slot is moved to the next slot, which has
/// not begun by the (fixed) clock, so `validate_blocks` holds them all, and nothing links or imports. The clock
/// does not move, so no request times out and no status is due: what is measured is the full schedule's own
/// cost over that world (every system runs and queries it).
fn bench_loaded(c: &mut Criterion) {
    use ecsync::testing::world::{BENCH_CHAIN_LEN, Layout, NOW, build};
    use ecsync_components::ecs::PendingBlock;
    use ecsync_components::resources::Spec;

    let layout = Layout {
        chain_len: BENCH_CHAIN_LEN,
        peers: 64,
        range: 64,
        claimed_head: 1_000_000,
        delivered: 0,
        pending: 157,
        ready: 0,
        validated: 0,
        downloading: 1024,
        expired: 0,
        waiting: 0,
        reserve: None,
    };
    let config = SyncConfig {
        max_in_flight_per_peer: 16,
        max_buffered_bytes: 256 << 20,
        ..SyncConfig::default()
    };
    let mut engine = build(layout, config).engine;
    let world = engine.world_mut();
    let next_slot = world.resource::<Spec>().0.slot_at(NOW) + 1;
    let mut pending = world.query::<&mut PendingBlock>();
    for mut p in pending.iter_mut(world) {
        p.block_mut().block.header.slot = next_slot;
    }
    let blocks = pending.iter(world).count();
    assert_eq!(blocks, 10_048);
    engine.tick(NOW);
    engine.drain_outbox();
    let check = |engine: &SyncEngine| {
        let counters = engine.counters();
        assert_eq!(counters.blocks_validated, 0, "validation is excluded");
        assert_eq!(counters.blocks_imported, 0);
        assert_eq!(counters.ranges_held, 157);
        let status = engine.status();
        assert_eq!(status.peers_connected, 64);
    };
    check(&engine);

    let mut group = c.benchmark_group("tick");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("loaded_64_peers_1024_ranges_10k_blocks", |b| {
        b.iter(|| {
            engine.tick(NOW);
            black_box(engine.drain_outbox())
        });
    });
    group.finish();
    check(&engine);
}

criterion_group!(benches, bench_idle, bench_loaded, bench_sync);
criterion_main!(benches);

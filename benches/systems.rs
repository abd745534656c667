//! Benches of the engine's systems: one per system of the schedule in `src/engine.rs`.
//!
//! Each bench runs exactly one system, in a one-system `Schedule` with the engine's single-threaded executor (so
//! the commands it queues are applied inside the measurement, as they are in a tick), against the world of a real
//! [`SyncEngine`] (every resource `SyncEngine::new` inserts, an in-memory redb store, blocks with real BLS
//! approvals) put into a realistic mid-sync state:
//!
//! - 100 peers with measured statistics, scores and budgets, each believed up to height 1,000,000;
//! - about 1,000 ranges of 64 blocks: 300 downloaded ranges (`AwaitingImport`: 19,200 pending blocks, ~23 MB,
//!   from head + 1; the first 4,096 are the blocks of a generated chain, the rest copies that no system reaches),
//!   300 or 400 in flight (`Downloading`, 3 or 4 per peer) and the rest waiting (`AwaitingDownload`).
//!
//! Setup is never measured. Benches of systems that change the world in ways that are cheap to undo restore it
//! before every iteration (`iter_batched` with `BatchSize::PerIteration`: prepare, then time one run); benches of
//! systems that consume the world (answers decoded into new entities, blocks imported into the store) get a
//! freshly built engine per iteration (`BatchSize::LargeInput`). Every bench first runs its system and checks
//! that it did the work the bench is meant to measure (and, for the restored worlds, that it does it again after
//! a restore).

use std::cell::RefCell;
use std::sync::OnceLock;
use std::time::Duration;

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{IntoScheduleConfigs, SingleThreadedExecutor};
use bevy_ecs::system::ScheduleSystem;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ecsync::engine::SyncEngine;
use ecsync::sim::{SIM_EPOCH_MS, SimChain};
use ecsync::store::RedbStore;
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloaded, Downloading, Peer, PeerClaim,
    PeerLoad, PeerScore, PeerStats, PendingBlock, Range, RangeAttempts, ReadyToImport, Validated,
};
use ecsync_components::resources::{
    Buffer, ChainHead, CheckpointState, Clock, EngineCounters, Inbox, Outbox, PeerIndex,
    PlanCursor, RequestCounter, SequentialState, SyncProgress,
};
use ecsync_components::{
    BlockRef, Hash32, NetEvent, OutcomeKind, PeerId, PeerOutcome, Request, RequestId, SignedBlock,
    StatusMessage, SyncConfig, SyncState,
};
use ecsync_systems::score_peers::score;
use ecsync_systems::size_batches::budget;
use ecsync_systems::{
    checkpoint, dispatch_requests, handle_responses, handle_timeouts, import_blocks, ingest_events,
    plan_ranges, request_status, score_peers, sequence_blocks, sequential_sync, size_batches,
    update_state, validate_blocks,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Blocks of the generated chain (real approvals; signing costs ~0.4 ms a block, so it is generated once).
const CHAIN_LEN: u64 = 4096;
/// Payload bytes per block (a block encodes to ~1.2 KB).
const PAYLOAD_BYTES: usize = 1024;
/// Peers connected.
const PEERS: usize = 100;
/// Blocks per range.
const RANGE: u32 = 64;
/// Downloaded ranges waiting for validation and import.
const PENDING_RANGES: usize = 300;
/// The height every peer claims (the target).
const CLAIMED_HEAD: u64 = 1_000_000;
/// Engine time of every bench: after every generated slot.
const NOW: u64 = SIM_EPOCH_MS;

/// The generated chain and its blocks decoded, shared by every bench.
struct Fixture {
    chain: SimChain,
    /// Decoded blocks by height (0 = genesis).
    blocks: Vec<SignedBlock>,
    /// Average encoded block size.
    avg_bytes: f64,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let chain = SimChain::generate(0xbe7c4, CHAIN_LEN, PAYLOAD_BYTES);
        let blocks = chain
            .blocks
            .iter()
            .map(|b| SignedBlock::decode(b, usize::MAX).expect("own encoding"))
            .collect();
        let avg_bytes =
            chain.blocks[1..].iter().map(Vec::len).sum::<usize>() as f64 / chain.len() as f64;
        Fixture {
            chain,
            blocks,
            avg_bytes,
        }
    })
}

/// A world's layout, in height order from head + 1: answered downloads, downloaded ranges, downloads in flight,
/// waiting ranges. Every range holds [`RANGE`] heights.
#[derive(Clone, Copy)]
struct Layout {
    /// `Downloading` ranges whose answer (the real blocks) arrived: `Delivered`.
    delivered: usize,
    /// `AwaitingImport` ranges with their pending blocks…
    pending: usize,
    /// …of which, from the lowest, this many blocks are `ReadyToImport`…
    ready: u64,
    /// …then this many `Validated`; the rest are `Downloaded`.
    validated: u64,
    /// `Downloading` ranges without an answer (spread over the peers, at most 4 each with `delivered`)…
    downloading: usize,
    /// …of which this many are past their deadline.
    expired: usize,
    /// `AwaitingDownload` ranges.
    waiting: usize,
}

impl Layout {
    /// The common mid-sync state: 300 downloaded ranges (all blocks `Downloaded`), 400 in flight (every peer
    /// full), 300 waiting.
    fn mid_sync() -> Self {
        Self {
            delivered: 0,
            pending: PENDING_RANGES,
            ready: 0,
            validated: 0,
            downloading: 400,
            expired: 0,
            waiting: 300,
        }
    }
}

/// An engine in the state of a [`Layout`], and its entities.
struct Built {
    engine: SyncEngine,
    peers: Vec<Entity>,
    /// Downloading ranges with an answer, then those without, in height order.
    downloading: Vec<Entity>,
    /// The waiting ranges.
    waiting: Vec<Entity>,
}

/// Statistics of a peer that has served a while (deterministic per index).
fn peer_stats(rng: &mut ChaCha8Rng) -> PeerStats {
    let requests_ok = rng.random_range(5..60);
    let blocks_per_sec = rng.random_range(50.0..3_000.0);
    PeerStats {
        latency_ms: rng.random_range(20.0..400.0),
        blocks_per_sec,
        requests_ok,
        blocks_served: requests_ok * u64::from(RANGE),
        bytes_served: requests_ok * u64::from(RANGE) * 1_200,
        timeouts: rng.random_range(0..3),
        failures: rng.random_range(0..2),
        empty: 0,
        invalid: 0,
        consecutive_failures: 0,
    }
}

fn claimed_head() -> BlockRef {
    BlockRef {
        height: CLAIMED_HEAD,
        slot: CLAIMED_HEAD + CLAIMED_HEAD / 8,
        hash: Hash32([0xab; 32]),
    }
}

/// Where [`build`] is: the next height, requests issued, buffer accounting, downloads spawned.
struct Cursor {
    next: u64,
    requests: u64,
    /// Bytes reserved per download.
    reserve: u64,
    buffer: Buffer,
    downloading: Vec<Entity>,
}

impl Cursor {
    /// Spawns a `Downloading` range at the next heights, to the next peer in turn (with its answer, if given).
    fn download(
        &mut self,
        world: &mut World,
        peers: &[Entity],
        answer: Option<Vec<Vec<u8>>>,
        expired: bool,
    ) {
        let n = self.downloading.len() % peers.len();
        let peer = peers[n];
        self.requests += 1;
        let mut range = world.spawn((
            Range {
                start: self.next,
                count: RANGE,
            },
            RangeAttempts {
                attempts: 1,
                failed_peers: Vec::new(),
            },
            Downloading {
                peer,
                peer_id: PeerId(n as u64 + 1),
                request: RequestId(self.requests),
                sent_at_ms: NOW - 300,
                deadline_ms: if expired { NOW - 1 } else { NOW + 10_000 },
                reserved_bytes: self.reserve,
            },
        ));
        if let Some(blocks) = answer {
            range.insert(Delivered { blocks, at_ms: NOW });
        }
        self.downloading.push(range.id());
        world.get_mut::<PeerLoad>(peer).expect("peer").in_flight += 1;
        self.buffer.reserved += self.reserve;
        self.next += u64::from(RANGE);
    }
}

/// Builds an engine over an in-memory store at genesis and puts it into the state of `layout`.
fn build(layout: Layout, config: SyncConfig) -> Built {
    let fx = fixture();
    let chain = &fx.chain;
    let store = RedbStore::in_memory(&chain.spec, Some(&chain.genesis)).expect("in-memory store");
    let mut engine =
        SyncEngine::new(chain.spec.clone(), config.clone(), Box::new(store)).expect("engine");
    let world = engine.world_mut();
    world.resource_mut::<Clock>().now_ms = NOW;

    // Peers.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut peers = Vec::with_capacity(PEERS);
    for i in 0..PEERS {
        let id = PeerId(i as u64 + 1);
        let stats = peer_stats(&mut rng);
        let entity = world
            .spawn((
                Peer {
                    id,
                    label: format!("bench-{}", i + 1),
                    connected_at_ms: NOW - 60_000,
                },
                PeerClaim {
                    head: claimed_head(),
                    updated_ms: NOW - 1_000,
                    discredited_from: None,
                    discredited_until_ms: 0,
                    status_requested_ms: NOW - 1_000,
                },
                PeerScore(score(&stats)),
                budget(&config, &stats),
                PeerLoad::default(),
                stats,
            ))
            .id();
        world.resource_mut::<PeerIndex>().0.insert(id, entity);
        peers.push(entity);
    }

    let mut cursor = Cursor {
        next: 1,
        requests: 0,
        reserve: (fx.avg_bytes * f64::from(RANGE)).ceil() as u64,
        buffer: Buffer {
            avg_block_bytes: fx.avg_bytes,
            ..Buffer::default()
        },
        downloading: Vec::new(),
    };

    for _ in 0..layout.delivered {
        let end = cursor.next + u64::from(RANGE);
        assert!(end - 1 <= CHAIN_LEN, "answers are real blocks");
        let blocks = (cursor.next..end)
            .map(|h| chain.blocks[h as usize].clone())
            .collect();
        cursor.download(world, &peers, Some(blocks), false);
    }

    for r in 0..layout.pending {
        let range = world
            .spawn(Range {
                start: cursor.next,
                count: RANGE,
            })
            .id();
        let mut blocks = Vec::with_capacity(RANGE as usize);
        for h in cursor.next..cursor.next + u64::from(RANGE) {
            // Above the generated chain: copies of its blocks, which no system reaches.
            let src = if h <= CHAIN_LEN {
                h
            } else {
                (h - 1) % CHAIN_LEN + 1
            };
            let block = fx.blocks[src as usize].clone();
            let pending = PendingBlock {
                hash: chain.hashes[src as usize],
                encoded_len: chain.blocks[src as usize].len() as u32,
                range,
                block,
            };
            let i = cursor.buffer.blocks;
            let entity = if i < layout.ready {
                world.spawn((pending, ReadyToImport)).id()
            } else if i < layout.ready.saturating_add(layout.validated) {
                world.spawn((pending, Validated)).id()
            } else {
                world.spawn((pending, Downloaded)).id()
            };
            cursor.buffer.bytes += chain.blocks[src as usize].len() as u64;
            cursor.buffer.blocks += 1;
            blocks.push(entity);
        }
        world.entity_mut(range).insert((
            RangeAttempts {
                attempts: 1,
                failed_peers: Vec::new(),
            },
            AwaitingImport {
                peer: peers[r % PEERS],
                peer_id: PeerId((r % PEERS) as u64 + 1),
                blocks,
            },
        ));
        cursor.next += u64::from(RANGE);
    }

    for i in 0..layout.downloading {
        cursor.download(world, &peers, None, i < layout.expired);
    }

    let mut waiting = Vec::with_capacity(layout.waiting);
    for _ in 0..layout.waiting {
        waiting.push(
            world
                .spawn((
                    Range {
                        start: cursor.next,
                        count: RANGE,
                    },
                    RangeAttempts {
                        attempts: 1,
                        failed_peers: Vec::new(),
                    },
                    AwaitingDownload,
                ))
                .id(),
        );
        cursor.next += u64::from(RANGE);
    }

    let buffer = Buffer {
        peak_bytes: cursor.buffer.bytes,
        ..cursor.buffer
    };
    assert!(
        buffer.bytes + buffer.reserved <= config.max_buffered_bytes,
        "layout over the buffer cap"
    );
    *world.resource_mut::<Buffer>() = buffer;
    world.resource_mut::<RequestCounter>().0 = cursor.requests;
    world.resource_mut::<PlanCursor>().next = cursor.next;
    *world.resource_mut::<SyncProgress>() = SyncProgress {
        state: SyncState::DownloadingBlocks,
        target: CLAIMED_HEAD,
        blocks_per_sec: 800.0,
        rate_height: 0,
        rate_at_ms: NOW - 500,
        last_progress_ms: NOW - 500,
        ..SyncProgress::default()
    };
    for &peer in &peers {
        let load = world.get::<PeerLoad>(peer).expect("peer").in_flight;
        let max = world
            .get::<ecsync_components::ecs::PeerBudget>(peer)
            .expect("peer")
            .max_in_flight;
        assert!(load <= max, "peer over its in-flight budget");
    }
    Built {
        engine,
        peers,
        downloading: cursor.downloading,
        waiting,
    }
}

/// A schedule that runs `system` alone, with the engine's executor.
fn one_system<M>(system: impl IntoScheduleConfigs<ScheduleSystem, M>) -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.add_systems(system);
    schedule
}

/// How long a bench measures.
#[derive(Clone, Copy)]
struct Plan {
    /// Samples (criterion's minimum is 10).
    samples: usize,
    /// Measurement time.
    measure: Duration,
    /// Elements (blocks) one run handles, if reported.
    elements: Option<u64>,
}

/// A system that runs in microseconds.
const FAST: Plan = Plan {
    samples: 50,
    measure: Duration::from_secs(2),
    elements: None,
};

/// A system that runs for milliseconds or more, handling `elements` blocks.
const fn slow(measure_secs: u64, elements: u64) -> Plan {
    Plan {
        samples: 10,
        measure: Duration::from_secs(measure_secs),
        elements: Some(elements),
    }
}

fn group<'a>(
    c: &'a mut Criterion,
    plan: Plan,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group("systems");
    group
        .sample_size(plan.samples)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(plan.measure);
    if plan.samples <= 10 {
        group.sampling_mode(SamplingMode::Flat);
    }
    if let Some(n) = plan.elements {
        group.throughput(Throughput::Elements(n));
    }
    group
}

/// Benches `system` on one world that `prepare` restores before every run (not measured). `check` runs after
/// a first run, after a second run on the restored world, and after the bench.
fn bench_in_place<M>(
    c: &mut Criterion,
    name: &str,
    plan: Plan,
    mut engine: SyncEngine,
    system: impl IntoScheduleConfigs<ScheduleSystem, M>,
    mut prepare: impl FnMut(&mut World),
    check: impl Fn(&mut World),
) {
    let mut schedule = one_system(system);
    for _ in 0..2 {
        let world = engine.world_mut();
        prepare(world);
        schedule.run(world);
        check(world);
    }
    let cell = RefCell::new((engine, schedule));
    let mut group = group(c, plan);
    group.bench_function(name, |b| {
        b.iter_batched(
            || prepare(cell.borrow_mut().0.world_mut()),
            |()| {
                let (engine, schedule) = &mut *cell.borrow_mut();
                schedule.run(engine.world_mut());
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let (engine, schedule) = &mut *cell.borrow_mut();
    let world = engine.world_mut();
    prepare(world);
    schedule.run(world);
    check(world);
}

/// Benches `system` on a fresh world from `build` per iteration (built and initialised outside the
/// measurement; dropped after it). `check` runs after a first run.
fn bench_fresh<M, S>(
    c: &mut Criterion,
    name: &str,
    plan: Plan,
    build: impl Fn() -> SyncEngine,
    system: S,
    check: impl Fn(&mut World),
) where
    S: IntoScheduleConfigs<ScheduleSystem, M> + Copy,
{
    let mut engine = build();
    one_system(system).run(engine.world_mut());
    check(engine.world_mut());
    drop(engine);
    let mut group = group(c, plan);
    group.bench_function(name, |b| {
        b.iter_batched(
            || {
                let mut engine = build();
                let mut schedule = one_system(system);
                schedule
                    .initialize(engine.world_mut())
                    .expect("one-system schedule");
                (engine, schedule)
            },
            |(mut engine, mut schedule)| {
                schedule.run(engine.world_mut());
                (engine, schedule)
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn count<F: bevy_ecs::query::QueryFilter>(world: &mut World) -> usize {
    world.query_filtered::<(), F>().iter(world).count()
}

fn entities<F: bevy_ecs::query::QueryFilter>(world: &mut World) -> Vec<Entity> {
    world.query_filtered::<Entity, F>().iter(world).collect()
}

/// Saved copies of every peer's load and statistics.
fn peer_snapshot(world: &World, peers: &[Entity]) -> Vec<(Entity, PeerLoad, PeerStats, PeerClaim)> {
    peers
        .iter()
        .map(|&p| {
            (
                p,
                *world.get::<PeerLoad>(p).expect("peer"),
                world.get::<PeerStats>(p).expect("peer").clone(),
                world.get::<PeerClaim>(p).expect("peer").clone(),
            )
        })
        .collect()
}

fn restore_peers(world: &mut World, saved: &[(Entity, PeerLoad, PeerStats, PeerClaim)]) {
    for (p, load, stats, claim) in saved {
        let mut e = world.entity_mut(*p);
        *e.get_mut::<PeerLoad>().expect("peer") = *load;
        *e.get_mut::<PeerStats>().expect("peer") = stats.clone();
        *e.get_mut::<PeerClaim>().expect("peer") = claim.clone();
    }
}

fn clear_messages(world: &mut World) {
    world.resource_mut::<Messages<PeerOutcome>>().clear();
}

// ---------------------------------------------------------------------------------------------------------------
// One bench per system, in schedule order.

/// A busy tick's inbox: every peer's status and 25 answers of 64 blocks, on the mid-sync world (400 downloads
/// to search for each answer's range).
fn bench_ingest_events(c: &mut Criterion) {
    const ANSWERS: usize = 25;
    let built = build(Layout::mid_sync(), SyncConfig::default());
    let fx = fixture();
    let mut engine = built.engine;
    let world = engine.world_mut();
    let mut events: Vec<NetEvent> = (1..=PEERS as u64)
        .map(|id| NetEvent::Status {
            peer: PeerId(id),
            status: StatusMessage {
                chain_id: fx.chain.spec.chain_id,
                genesis_hash: fx.chain.spec.genesis_hash,
                head: claimed_head(),
            },
        })
        .collect();
    let answer: Vec<Vec<u8>> = fx.chain.blocks[1..=RANGE as usize].to_vec();
    for &range in built.downloading.iter().step_by(16).take(ANSWERS) {
        let dl = *world.get::<Downloading>(range).expect("downloading");
        events.push(NetEvent::Blocks {
            peer: dl.peer_id,
            request: dl.request,
            blocks: answer.clone(),
        });
    }
    assert_eq!(events.len(), PEERS + ANSWERS);
    bench_in_place(
        c,
        "ingest_events",
        FAST,
        engine,
        ingest_events,
        |world| {
            for e in entities::<With<Delivered>>(world) {
                world.entity_mut(e).remove::<Delivered>();
            }
            world
                .resource_mut::<Inbox>()
                .0
                .extend(events.iter().cloned());
        },
        |world| {
            assert!(world.resource::<Inbox>().0.is_empty());
            assert_eq!(count::<With<Delivered>>(world), ANSWERS);
            assert!(world.resource::<Outbox>().0.is_empty());
        },
    );
}

/// 16 answers of 64 real blocks (1,024 blocks) become pending blocks: decoding, hashing, buffer accounting,
/// spawning; 384 more downloads in flight, 300 downloaded ranges, 300 waiting.
fn bench_handle_responses(c: &mut Criterion) {
    const ANSWERS: usize = 16;
    let layout = Layout {
        delivered: ANSWERS,
        validated: u64::MAX,
        downloading: 400 - ANSWERS,
        ..Layout::mid_sync()
    };
    bench_fresh(
        c,
        "handle_responses",
        slow(4, ANSWERS as u64 * u64::from(RANGE)),
        || build(layout, SyncConfig::default()).engine,
        handle_responses,
        |world| {
            assert_eq!(count::<With<Delivered>>(world), 0);
            assert_eq!(
                count::<With<Downloaded>>(world),
                ANSWERS * RANGE as usize,
                "every answered block pending"
            );
            let counters = world.resource::<EngineCounters>();
            assert_eq!(
                counters.blocks_downloaded,
                ANSWERS as u64 * u64::from(RANGE)
            );
            assert_eq!(
                count::<With<AwaitingImport>>(world),
                PENDING_RANGES + ANSWERS
            );
        },
    );
}

/// 400 downloads in flight, 16 of them past their deadline: they fail (back to waiting, peer blamed).
fn bench_handle_timeouts(c: &mut Criterion) {
    const EXPIRED: usize = 16;
    let layout = Layout {
        expired: EXPIRED,
        ..Layout::mid_sync()
    };
    let built = build(layout, SyncConfig::default());
    let mut engine = built.engine;
    let world = engine.world_mut();
    let expired: Vec<(Entity, Downloading)> = built.downloading[..EXPIRED]
        .iter()
        .map(|&e| (e, *world.get::<Downloading>(e).expect("downloading")))
        .collect();
    let peers = peer_snapshot(world, &built.peers);
    let buffer = *world.resource::<Buffer>();
    let waiting = layout.waiting;
    bench_in_place(
        c,
        "handle_timeouts",
        FAST,
        engine,
        handle_timeouts,
        |world| {
            for (e, dl) in &expired {
                let mut range = world.entity_mut(*e);
                range.remove::<AwaitingDownload>().insert((
                    *dl,
                    RangeAttempts {
                        attempts: 1,
                        failed_peers: Vec::new(),
                    },
                ));
            }
            restore_peers(world, &peers);
            *world.resource_mut::<Buffer>() = buffer;
            *world.resource_mut::<EngineCounters>() = EngineCounters::default();
            clear_messages(world);
        },
        |world| {
            assert_eq!(
                world.resource::<EngineCounters>().requests_timed_out,
                EXPIRED as u64
            );
            assert_eq!(count::<With<AwaitingDownload>>(world), waiting + EXPIRED);
            assert_eq!(
                world.resource::<Messages<PeerOutcome>>().len(),
                EXPIRED,
                "one timeout outcome each"
            );
        },
    );
}

/// A tick's outcomes, one per peer (90 served, 5 timeouts, 5 empty answers), applied and every peer rescored.
fn bench_score_peers(c: &mut Criterion) {
    let built = build(Layout::mid_sync(), SyncConfig::default());
    let mut engine = built.engine;
    let world = engine.world_mut();
    let peers = peer_snapshot(world, &built.peers);
    let outcomes: Vec<PeerOutcome> = built
        .peers
        .iter()
        .enumerate()
        .map(|(i, &peer)| PeerOutcome {
            peer,
            kind: match i % 20 {
                9 => OutcomeKind::Timeout,
                19 => OutcomeKind::Empty { at: 5_000 },
                _ => OutcomeKind::Served {
                    blocks: RANGE,
                    bytes: u64::from(RANGE) * 1_200,
                    latency_ms: 40 + 3 * i as u64,
                },
            },
            latency_ms: Some(40 + 3 * i as u64),
        })
        .collect();
    bench_in_place(
        c,
        "score_peers",
        FAST,
        engine,
        score_peers,
        |world| {
            restore_peers(world, &peers);
            *world.resource_mut::<EngineCounters>() = EngineCounters::default();
            let mut messages = world.resource_mut::<Messages<PeerOutcome>>();
            messages.clear();
            for o in &outcomes {
                messages.write(o.clone());
            }
        },
        |world| {
            assert_eq!(world.resource::<EngineCounters>().peer_penalties, 10);
            assert!(world.resource::<Outbox>().0.is_empty(), "nobody banned");
        },
    );
}

/// Target, rate and state from 100 peers' claims, mid-sync.
fn bench_update_state(c: &mut Criterion) {
    let mut engine = build(Layout::mid_sync(), SyncConfig::default()).engine;
    let progress = engine.world_mut().resource::<SyncProgress>().clone();
    bench_in_place(
        c,
        "update_state",
        FAST,
        engine,
        update_state,
        |world| *world.resource_mut::<SyncProgress>() = progress.clone(),
        |world| {
            let p = world.resource::<SyncProgress>();
            assert_eq!(p.state, SyncState::DownloadingBlocks);
            assert_eq!(p.target, CLAIMED_HEAD);
        },
    );
}

/// Every one of the 100 peers due for a status request (as after they connected together).
fn bench_request_status(c: &mut Criterion) {
    let built = build(Layout::mid_sync(), SyncConfig::default());
    let peers = built.peers;
    bench_in_place(
        c,
        "request_status",
        FAST,
        built.engine,
        request_status,
        |world| {
            for &p in &peers {
                world
                    .get_mut::<PeerClaim>(p)
                    .expect("peer")
                    .status_requested_ms = NOW - 10_000;
            }
            world.resource_mut::<Outbox>().0.clear();
        },
        |world| assert_eq!(world.resource::<Outbox>().0.len(), PEERS),
    );
}

/// Budgets (batch, in-flight limit, timeout) of 100 measured peers.
fn bench_size_batches(c: &mut Criterion) {
    let built = build(Layout::mid_sync(), SyncConfig::default());
    let peers = built.peers;
    bench_in_place(
        c,
        "size_batches",
        FAST,
        built.engine,
        size_batches,
        |_| {},
        |world| {
            let config = world.resource::<SyncConfig>().clone();
            for &p in &peers {
                let stats = world.get::<PeerStats>(p).expect("peer");
                let b = world
                    .get::<ecsync_components::ecs::PeerBudget>(p)
                    .expect("peer");
                assert_eq!(b.batch, budget(&config, stats).batch);
            }
        },
    );
}

/// 100 peers with one free request slot each (300 downloads in flight), nothing waiting: 100 new ranges.
fn bench_plan_ranges(c: &mut Criterion) {
    let layout = Layout {
        downloading: 300,
        waiting: 0,
        ..Layout::mid_sync()
    };
    let mut engine = build(layout, SyncConfig::default()).engine;
    let cursor = *engine.world_mut().resource::<PlanCursor>();
    bench_in_place(
        c,
        "plan_ranges",
        FAST,
        engine,
        plan_ranges,
        |world| {
            for e in entities::<With<AwaitingDownload>>(world) {
                world.despawn(e);
            }
            *world.resource_mut::<PlanCursor>() = cursor;
        },
        |world| {
            assert_eq!(count::<With<AwaitingDownload>>(world), PEERS);
            assert!(world.resource::<PlanCursor>().next > cursor.next);
        },
    );
}

/// 400 waiting ranges, 100 free request slots (300 downloads in flight): 100 requests go out, 300 ranges find
/// no free peer.
fn bench_dispatch_requests(c: &mut Criterion) {
    let layout = Layout {
        downloading: 300,
        waiting: 400,
        ..Layout::mid_sync()
    };
    let built = build(layout, SyncConfig::default());
    let mut engine = built.engine;
    let world = engine.world_mut();
    let peers = peer_snapshot(world, &built.peers);
    let buffer = *world.resource::<Buffer>();
    let requests = world.resource::<RequestCounter>().0;
    let waiting = built.waiting;
    bench_in_place(
        c,
        "dispatch_requests",
        FAST,
        engine,
        dispatch_requests,
        |world| {
            for &e in &waiting {
                let mut range = world.entity_mut(e);
                if range.contains::<Downloading>() {
                    range.remove::<Downloading>().insert((
                        AwaitingDownload,
                        RangeAttempts {
                            attempts: 1,
                            failed_peers: Vec::new(),
                        },
                    ));
                }
            }
            restore_peers(world, &peers);
            *world.resource_mut::<Buffer>() = buffer;
            world.resource_mut::<RequestCounter>().0 = requests;
            *world.resource_mut::<EngineCounters>() = EngineCounters::default();
            world.resource_mut::<Outbox>().0.clear();
        },
        |world| {
            let outbox = &world.resource::<Outbox>().0;
            assert_eq!(outbox.len(), PEERS);
            assert!(
                outbox
                    .iter()
                    .all(|r| matches!(r, Request::BlocksByRange { .. }))
            );
            assert_eq!(count::<With<AwaitingDownload>>(world), 300);
        },
    );
}

/// The lowest 256 of 19,200 downloaded blocks (`validate_per_tick`), in chunks of 32 (`signature_batch`) over
/// the compute pool: standalone rules and one BLS multi-pairing per chunk.
fn bench_validate_blocks(c: &mut Criterion) {
    let engine = build(Layout::mid_sync(), SyncConfig::default()).engine;
    let per_tick = SyncConfig::default().validate_per_tick;
    bench_in_place(
        c,
        "validate_blocks",
        slow(6, per_tick as u64),
        engine,
        validate_blocks,
        |world| {
            for e in entities::<With<Validated>>(world) {
                world.entity_mut(e).remove::<Validated>().insert(Downloaded);
            }
            *world.resource_mut::<EngineCounters>() = EngineCounters::default();
            clear_messages(world);
        },
        |world| {
            assert_eq!(count::<With<Validated>>(world), per_tick);
            let counters = world.resource::<EngineCounters>();
            assert_eq!(counters.blocks_validated, per_tick as u64);
            assert_eq!(counters.blocks_rejected, 0);
        },
    );
}

/// 4,096 validated blocks from head + 1: the first 2,048 (`import_batch`) are linked and marked ready.
fn bench_sequence_blocks(c: &mut Criterion) {
    let layout = Layout {
        validated: CHAIN_LEN,
        ..Layout::mid_sync()
    };
    let engine = build(layout, SyncConfig::default()).engine;
    let batch = SyncConfig::default().import_batch;
    bench_in_place(
        c,
        "sequence_blocks",
        slow(3, batch as u64),
        engine,
        sequence_blocks,
        |world| {
            for e in entities::<With<ReadyToImport>>(world) {
                world
                    .entity_mut(e)
                    .remove::<ReadyToImport>()
                    .insert(Validated);
            }
        },
        |world| {
            assert_eq!(count::<With<ReadyToImport>>(world), batch);
            assert_eq!(world.resource::<EngineCounters>().blocks_rejected, 0);
        },
    );
}

/// 2,048 blocks ready to import (then 2,048 validated, the rest downloaded): is a checkpoint due?
fn bench_checkpoint(c: &mut Criterion) {
    let batch = SyncConfig::default().import_batch as u64;
    let layout = Layout {
        ready: batch,
        validated: batch,
        ..Layout::mid_sync()
    };
    let engine = build(layout, SyncConfig::default()).engine;
    bench_in_place(
        c,
        "checkpoint",
        FAST,
        engine,
        checkpoint,
        |world| world.resource_mut::<CheckpointState>().due = false,
        // No checkpoint yet and the clock well past `checkpoint_every_ms`: due.
        |world| assert!(world.resource::<CheckpointState>().due),
    );
}

/// 2,048 ready blocks imported into the (in-memory redb) store in one transaction, their entities and ranges
/// despawned.
fn bench_import_blocks(c: &mut Criterion) {
    let batch = SyncConfig::default().import_batch as u64;
    let layout = Layout {
        ready: batch,
        validated: batch,
        ..Layout::mid_sync()
    };
    bench_fresh(
        c,
        "import_blocks",
        slow(5, batch),
        || build(layout, SyncConfig::default()).engine,
        import_blocks,
        |world| {
            assert_eq!(world.resource::<ChainHead>().0.height, batch);
            assert_eq!(world.resource::<EngineCounters>().blocks_imported, batch);
            assert_eq!(count::<With<ReadyToImport>>(world), 0);
            let store_head = world
                .resource::<ecsync_components::resources::Store>()
                .0
                .head()
                .expect("store head");
            assert_eq!(store_head.height, batch);
        },
    );
}

/// The baseline's tick with work: a full answer of 1,024 blocks, each checked, verified alone and imported in
/// its own store transaction (100 peers connected, strategy Sequential).
fn bench_sequential_sync(c: &mut Criterion) {
    const BLOCKS: u64 = 1024;
    let fx = fixture();
    let build_sequential = || {
        let layout = Layout {
            pending: 0,
            downloading: 0,
            waiting: 0,
            ..Layout::mid_sync()
        };
        let built = build(layout, SyncConfig::sequential());
        let mut engine = built.engine;
        let world = engine.world_mut();
        let peer = built.peers[0];
        world.get_mut::<PeerLoad>(peer).expect("peer").in_flight = 1;
        world.resource_mut::<SequentialState>().peer = Some(PeerId(1));
        world.resource_mut::<RequestCounter>().0 = 1;
        world.spawn((
            Range {
                start: 1,
                count: BLOCKS as u32,
            },
            Downloading {
                peer,
                peer_id: PeerId(1),
                request: RequestId(1),
                sent_at_ms: NOW - 300,
                deadline_ms: NOW + 10_000,
                reserved_bytes: 0,
            },
            Delivered {
                blocks: fx.chain.blocks[1..=BLOCKS as usize].to_vec(),
                at_ms: NOW,
            },
        ));
        engine
    };
    bench_fresh(
        c,
        "sequential_sync",
        // One run per sample (criterion warns that 10 samples do not fit; expected).
        slow(12, BLOCKS),
        build_sequential,
        sequential_sync,
        |world| {
            assert_eq!(world.resource::<ChainHead>().0.height, BLOCKS);
            let counters = world.resource::<EngineCounters>();
            assert_eq!(counters.blocks_imported, BLOCKS);
            assert_eq!(counters.import_commits, BLOCKS);
            assert_eq!(count::<With<Range>>(world), 0);
        },
    );
}

criterion_group!(
    benches,
    bench_ingest_events,
    bench_handle_responses,
    bench_handle_timeouts,
    bench_score_peers,
    bench_update_state,
    bench_request_status,
    bench_size_batches,
    bench_plan_ranges,
    bench_dispatch_requests,
    bench_validate_blocks,
    bench_sequence_blocks,
    bench_checkpoint,
    bench_import_blocks,
    bench_sequential_sync
);
criterion_main!(benches);

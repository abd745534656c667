//! Benches of the engine's systems: one per system of the schedule in `src/engine.rs`.
//!
//! Each bench runs exactly one system, in a one-system `Schedule` with the engine's single-threaded executor (so
//! the commands it queues are applied inside the measurement, as they are in a tick), against the world of a real
//! [`SyncEngine`] (every resource `SyncEngine::new` inserts, an in-memory redb store, blocks with real BLS
//! approvals) put into a realistic mid-sync state by `ecsync::testing::world::build` (`Layout::mid_sync`, varied per
//! bench; the builder and the one-system schedule are shared with the system tests in `tests/systems.rs`):
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
use std::time::Duration;

use bevy_ecs::message::Messages;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::IntoScheduleConfigs;
use bevy_ecs::system::ScheduleSystem;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ecsync::engine::SyncEngine;
use ecsync::testing::world::{
    BENCH_CHAIN_LEN, Layout, NOW, build, count, entities, fixture, mid_sync_config, one_system,
};
use ecsync_components::ecs::{
    AwaitingDownload, AwaitingImport, Delivered, Downloaded, Downloading, PeerClaim, PeerLoad,
    PeerStats, Range, RangeAttempts, ReadyToImport, Validated,
};
use ecsync_components::resources::{
    Buffer, ChainHead, CheckpointState, EngineCounters, Inbox, Outbox, PlanCursor, RequestCounter,
    SequentialState, SyncProgress,
};
use ecsync_components::{
    NetEvent, OutcomeKind, PeerId, PeerOutcome, Request, RequestId, StatusMessage, SyncConfig,
    SyncState, VerifyMode,
};
use ecsync_systems::size_batches::budget;
use ecsync_systems::{
    checkpoint_due, dispatch_requests, handle_responses, handle_timeouts, import_blocks,
    ingest_events, plan_ranges, request_status, score_peers, sequence_blocks, sequential_sync,
    size_batches, update_state, validate_blocks,
};

/// The benches' world (`Layout::mid_sync`) and its numbers.
const MID: Layout = Layout::mid_sync();
/// Blocks of the generated chain (real approvals; the rest of the pending blocks are copies of them).
const CHAIN_LEN: u64 = BENCH_CHAIN_LEN;
/// Peers connected.
const PEERS: usize = MID.peers;
/// Blocks per range.
const RANGE: u32 = MID.range;
/// Downloaded ranges waiting for validation and import.
const PENDING_RANGES: usize = MID.pending;
/// The height every peer claims (the target).
const CLAIMED_HEAD: u64 = MID.claimed_head;

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
    let built = build(Layout::mid_sync(), mid_sync_config());
    let fx = fixture(CHAIN_LEN);
    let mut engine = built.engine;
    let world = engine.world_mut();
    let mut events: Vec<NetEvent> = (1..=PEERS as u64)
        .map(|id| NetEvent::Status {
            peer: PeerId(id),
            status: StatusMessage::unproven(
                fx.chain.spec.chain_id,
                fx.chain.spec.genesis_hash,
                MID.claimed_ref(),
            ),
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
        || build(layout, mid_sync_config()).engine,
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
    let built = build(layout, mid_sync_config());
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
/// Nobody is sent away (the disconnect threshold is lowered to the ban threshold), so the world stays the same
/// from run to run.
fn bench_score_peers(c: &mut Criterion) {
    let config = SyncConfig {
        disconnect_below: SyncConfig::default().ban_below,
        ..mid_sync_config()
    };
    let built = build(Layout::mid_sync(), config);
    let mut engine = built.engine;
    let world = engine.world_mut();
    let peers = peer_snapshot(world, &built.peers);
    let outcomes: Vec<PeerOutcome> = built
        .peers
        .iter()
        .enumerate()
        .map(|(i, &peer)| PeerOutcome {
            peer,
            peer_id: ecsync_components::PeerId(i as u64 + 1),
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
            // Reputations start neutral again, and the last run's disconnects are forgotten.
            world
                .resource_mut::<ecsync_components::resources::PeerRecords>()
                .0
                .clear();
            world.resource_mut::<Outbox>().0.clear();
            let mut messages = world.resource_mut::<Messages<PeerOutcome>>();
            messages.clear();
            for o in &outcomes {
                messages.write(o.clone());
            }
        },
        |world| {
            assert_eq!(world.resource::<EngineCounters>().peer_penalties, 10);
            assert!(world.resource::<Outbox>().0.is_empty(), "nobody sent away");
        },
    );
}

/// Target, rate and state from 100 peers' claims, mid-sync.
fn bench_update_state(c: &mut Criterion) {
    let mut engine = build(Layout::mid_sync(), mid_sync_config()).engine;
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
    let built = build(Layout::mid_sync(), mid_sync_config());
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
    let built = build(Layout::mid_sync(), mid_sync_config());
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
    let mut engine = build(layout, mid_sync_config()).engine;
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
    let built = build(layout, mid_sync_config());
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

/// The lowest 256 of 19,200 downloaded blocks (`validate_per_tick`), in chunks of 64 (`signature_batch`) over
/// the compute pool: standalone rules and one BLS multi-pairing per chunk (`--verify full`), taken within the
/// run (`validation_in_flight` 0) so that one run is one job's whole work; and the lowest 4,096
/// (`anchored_per_tick`) with anchored validation (the default): every rule on each block, the links, one
/// aggregate per range of 64 verified.
fn bench_validate_blocks(c: &mut Criterion) {
    for (name, verify) in [
        ("validate_blocks", VerifyMode::Full),
        ("validate_blocks_anchored", VerifyMode::Anchored),
    ] {
        let config = SyncConfig {
            validation_in_flight: 0,
            verify,
            ..mid_sync_config()
        };
        let per_tick = config.job_blocks();
        let engine = build(Layout::mid_sync(), config).engine;
        bench_in_place(
            c,
            name,
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
}

/// The two batch verifiers on one thread, at batch sizes 32, 64 and 128 of the fixture chain's approvals (4
/// authorities, several approver sets): time per batch, throughput in approvals. The grouped verifier's ratio
/// over the standard one is the verifier's share of issue 11's speedup.
fn bench_verifiers(c: &mut Criterion) {
    use ecsync_systems::consensus::{Authorities, PreparedApproval, Verifier, batch_ok};
    let fx = fixture(BENCH_CHAIN_LEN);
    let keys = Authorities::from_spec(&fx.chain.spec).expect("keys");
    let approvals: Vec<PreparedApproval> = fx.blocks[1..=128]
        .iter()
        .map(|b| PreparedApproval::new(&keys, b, b.hash()).expect("a prepared approval"))
        .collect();
    for n in [32usize, 64, 128] {
        for (name, verifier) in [
            ("grouped", Verifier::Grouped),
            ("standard", Verifier::Standard),
        ] {
            let mut group = group(c, slow(4, n as u64));
            group.bench_function(format!("verify_{name}_{n}"), |b| {
                b.iter(|| assert!(batch_ok(&approvals[..n], verifier)));
            });
            group.finish();
        }
    }
}

/// 64 approvals of the fixture chain prepared for a batch check, one thread: each signature decoded and the
/// approvers' aggregate key taken (the per-block work of `validate_blocks` besides the rules and the batch check;
/// the keys are the same `Authorities` every iteration, as the engine's are for a whole sync).
fn bench_prepare_approvals(c: &mut Criterion) {
    use ecsync_systems::consensus::{Authorities, PreparedApproval};
    const N: usize = 64;
    let fx = fixture(BENCH_CHAIN_LEN);
    let keys = Authorities::from_spec(&fx.chain.spec).expect("keys");
    let blocks = &fx.blocks[1..=N];
    let hashes = &fx.chain.hashes[1..=N];
    let plan = Plan {
        samples: 50,
        measure: Duration::from_secs(3),
        elements: Some(N as u64),
    };
    let mut group = group(c, plan);
    group.bench_function(format!("prepare_approvals_{N}"), |b| {
        b.iter(|| {
            let prepared: Vec<PreparedApproval> = blocks
                .iter()
                .zip(hashes)
                .map(|(block, hash)| {
                    PreparedApproval::new(&keys, block, *hash).expect("a prepared approval")
                })
                .collect();
            assert_eq!(prepared.len(), N);
            prepared
        });
    });
    group.finish();
}

/// The approvers' aggregate keys of 64 blocks of the fixture chain, one thread: from `Authorities`' cache (warm,
/// as during a sync: the chain has a handful of approver sets) and computed each time (as before the cache).
fn bench_aggregate_keys(c: &mut Criterion) {
    use ecsync_systems::consensus::Authorities;
    const N: usize = 64;
    let fx = fixture(BENCH_CHAIN_LEN);
    let keys = Authorities::from_spec(&fx.chain.spec).expect("keys");
    let sets: Vec<u64> = fx.blocks[1..=N]
        .iter()
        .map(|b| b.approval.approvers)
        .collect();
    for &set in &sets {
        assert_eq!(keys.aggregate(set), keys.aggregate_uncached(set));
    }
    let plan = Plan {
        samples: 50,
        measure: Duration::from_secs(2),
        elements: Some(N as u64),
    };
    let mut group = group(c, plan);
    group.bench_function(format!("aggregate_cached_{N}"), |b| {
        b.iter(|| {
            for &set in &sets {
                std::hint::black_box(keys.aggregate(set).expect("an aggregate"));
            }
        });
    });
    group.bench_function(format!("aggregate_uncached_{N}"), |b| {
        b.iter(|| {
            for &set in &sets {
                std::hint::black_box(keys.aggregate_uncached(set).expect("an aggregate"));
            }
        });
    });
    group.finish();
}

/// A flood of head proofs from 64 identities: 64 of the mid-sync world's peers each hold a proof above the
/// proven head that is well formed (a real approval's signature point, every check before the pairing passes)
/// but signed over another header, so each costs a full aggregate verification and fails (the peer would be
/// banned). `prove_heads_flood_64_tick`: one tick at the default budget (`proofs_per_tick`, 2): what a flood
/// can cost a tick. `prove_heads_flood_64_all`: all 64 in one run: what the whole flood costs. And
/// `prove_heads_free_64`: 64 proofs at or below the proven head, which cost nothing to check.
fn bench_prove_heads(c: &mut Criterion) {
    use ecsync_components::HeadProof;
    use ecsync_components::ecs::{Peer, PeerProof};
    use ecsync_components::resources::ProvenHead;
    use ecsync_systems::prove_heads;
    const FLOOD: usize = 64;
    let fx = fixture(CHAIN_LEN);
    let head = build(MID, mid_sync_config()).engine.head();
    // Block i's header, moved above the head, with block i + 1's approval: only the pairing fails.
    let proofs: Vec<HeadProof> = (1..=FLOOD)
        .map(|i| {
            let mut header = fx.blocks[i].block.header.clone();
            header.height = head.height + i as u64;
            HeadProof {
                header,
                approval: fx.blocks[i + 1].approval.clone(),
            }
        })
        .collect();
    let prepare = |world: &mut World, above: bool| {
        world.resource_mut::<Messages<PeerOutcome>>().clear();
        *world.resource_mut::<EngineCounters>() = EngineCounters::default();
        world.resource_mut::<ProvenHead>().head = head;
        let mut peers: Vec<(PeerId, Entity)> = world
            .query::<(Entity, &Peer)>()
            .iter(world)
            .map(|(e, p)| (p.id, e))
            .collect();
        peers.sort_unstable();
        for (&(_, p), proof) in peers.iter().zip(&proofs) {
            let mut proof = proof.clone();
            if !above {
                proof.header.height = head.height;
            }
            world.entity_mut(p).insert(PeerProof {
                pending: Some(Box::new(proof)),
                ..PeerProof::default()
            });
        }
    };
    let counted = |verified: u64, free: u64| {
        move |world: &mut World| {
            let c = world.resource::<EngineCounters>();
            assert_eq!((c.proofs_invalid, c.proofs_free), (verified, free));
            assert_eq!(
                world.resource::<Messages<PeerOutcome>>().len() as u64,
                verified,
                "one Invalid outcome per proof verified"
            );
            let mut peers = world.query::<&Peer>();
            assert!(peers.iter(world).count() >= FLOOD);
        }
    };
    let budget = u64::from(SyncConfig::default().proofs_per_tick);
    bench_in_place(
        c,
        "prove_heads_flood_64_tick",
        slow(3, budget),
        build(MID, mid_sync_config()).engine,
        prove_heads,
        |w| prepare(w, true),
        counted(budget, 0),
    );
    let all = SyncConfig {
        proofs_per_tick: FLOOD as u32,
        ..mid_sync_config()
    };
    bench_in_place(
        c,
        "prove_heads_flood_64_all",
        slow(5, FLOOD as u64),
        build(MID, all).engine,
        prove_heads,
        |w| prepare(w, true),
        counted(FLOOD as u64, 0),
    );
    bench_in_place(
        c,
        "prove_heads_free_64",
        FAST,
        build(MID, mid_sync_config()).engine,
        prove_heads,
        |w| prepare(w, false),
        counted(0, FLOOD as u64),
    );
}

/// 4,096 validated blocks from head + 1: the first 2,048 (`import_batch`) are linked and marked ready.
fn bench_sequence_blocks(c: &mut Criterion) {
    let layout = Layout {
        validated: CHAIN_LEN,
        ..Layout::mid_sync()
    };
    let engine = build(layout, mid_sync_config()).engine;
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
    let engine = build(layout, mid_sync_config()).engine;
    bench_in_place(
        c,
        "checkpoint_due",
        FAST,
        engine,
        checkpoint_due,
        // The blocks count towards the next checkpoint since `checkpoint_every_ms` ago: due.
        |world| {
            let every_ms = world.resource::<SyncConfig>().checkpoint_every_ms;
            let mut state = world.resource_mut::<CheckpointState>();
            state.due = false;
            state.window_start_ms = NOW - every_ms;
        },
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
        || build(layout, mid_sync_config()).engine,
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
    let fx = fixture(CHAIN_LEN);
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
    bench_prove_heads,
    bench_update_state,
    bench_request_status,
    bench_size_batches,
    bench_plan_ranges,
    bench_dispatch_requests,
    bench_validate_blocks,
    bench_verifiers,
    bench_prepare_approvals,
    bench_aggregate_keys,
    bench_sequence_blocks,
    bench_checkpoint,
    bench_import_blocks,
    bench_sequential_sync
);
criterion_main!(benches);

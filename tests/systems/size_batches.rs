//! `size_batches`: each peer's batch and in-flight budget from its measurements.

use crate::support::{assert_consistent, small};
use ecsync::testing::world::{Layout, run_system};
use ecsync_components::SyncConfig;
use ecsync_components::ecs::{PeerBudget, PeerStats};
use ecsync_systems::size_batches;

#[test]
fn size_batches_sizes_each_peer_from_its_measurements() {
    let mut built = small(Layout::small());
    let world = built.engine.world_mut();
    let stats = [
        // 200 blocks/s, 100 ms: a batch of 200 (1 s of it), timeout 3 × (100 + 1000) + 500.
        PeerStats {
            requests_ok: 3,
            blocks_per_sec: 200.0,
            latency_ms: 100.0,
            ..PeerStats::default()
        },
        // Never measured.
        PeerStats::default(),
        // 1 block/s after failures: the smallest batch, one request at a time, the longest timeout.
        PeerStats {
            requests_ok: 10,
            blocks_per_sec: 1.0,
            latency_ms: 50.0,
            consecutive_failures: 2,
            ..PeerStats::default()
        },
        // 5,000 blocks/s: the protocol's largest batch, timeout 3 × (20 + 204.8) + 500.
        PeerStats {
            requests_ok: 20,
            blocks_per_sec: 5_000.0,
            latency_ms: 20.0,
            ..PeerStats::default()
        },
    ];
    for (&p, s) in built.peers.iter().zip(&stats) {
        *world.get_mut::<PeerStats>(p).expect("peer") = s.clone();
    }

    run_system(&mut built.engine, size_batches);

    let world = built.engine.world_mut();
    let budgets: Vec<(u32, u32, u64)> = built
        .peers
        .iter()
        .map(|&p| {
            let b = world.get::<PeerBudget>(p).expect("peer");
            (b.batch, b.max_in_flight, b.timeout_ms)
        })
        .collect();
    assert_eq!(
        budgets,
        [
            (200, 4, 3_800),
            (64, 1, 10_000),
            (32, 1, 30_000),
            (1024, 4, 1_174)
        ]
    );
    assert_consistent(&mut built.engine);
}

#[test]
fn a_new_peers_batch_starts_slow_and_doubles_per_answer() {
    let config = SyncConfig::default();
    // A fast peer (5,000 blocks/s: a full second of it is over the protocol's largest batch).
    let batch = |requests_ok: u64| {
        let stats = PeerStats {
            requests_ok,
            blocks_per_sec: 5_000.0,
            latency_ms: 2.0,
            ..PeerStats::default()
        };
        ecsync_systems::size_batches::budget(&config, &stats).batch
    };
    let sizes: Vec<u32> = (0..7).map(batch).collect();
    assert_eq!(sizes, [64, 128, 256, 512, 1024, 1024, 1024]);
    // A slow peer's batch is its measured second, whichever is smaller.
    let slow = PeerStats {
        requests_ok: 6,
        blocks_per_sec: 100.0,
        latency_ms: 2.0,
        ..PeerStats::default()
    };
    assert_eq!(
        ecsync_systems::size_batches::budget(&config, &slow).batch,
        100
    );
}

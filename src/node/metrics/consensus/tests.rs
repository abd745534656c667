//! The agreement's metrics through the node's [`crate::node::metrics::Metrics`], from a real engine's world.

use std::collections::BTreeMap;

use ecsync_components::Hash32;
use ecsync_components::SyncConfig;
use ecsync_components::agreement::{Consensus, RoundValue, Step};

use crate::engine::SyncEngine;
use crate::node::metrics::Metrics;
use crate::testing::sim::SimChain;

fn engine() -> SyncEngine {
    let chain = SimChain::generate(3, 4, 16);
    SyncEngine::new(
        chain.spec.clone(),
        SyncConfig::default(),
        Box::new(chain.store_at(4)),
    )
    .unwrap()
}

/// The value of the series `series` (name and labels, exactly) in `text`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| {
            l.strip_prefix(series)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn member() -> Consensus {
    Consensus {
        member: true,
        height: 5,
        round: 2,
        step: Step::Prevote,
        proposer: 1,
        gate_open: true,
        locked: Some(RoundValue {
            round: 1,
            value: Hash32([9; 32]),
        }),
        decided: 3,
        decided_rounds: vec![0, 0, 4],
        timeouts: [2, 1, 0],
        equivocations: BTreeMap::from([(3, 1)]),
        ..Consensus::default()
    }
}

/// Asserts each of `expected` (series, value) in `text`.
fn assert_series(text: &str, expected: &[(&str, f64)]) {
    for (series, want) in expected {
        assert_eq!(value(text, series), Some(*want), "{series} in:\n{text}");
    }
}

#[test]
fn a_members_consensus_is_exported_and_each_decided_height_observed_once() {
    let mut engine = engine();
    let mut metrics = Metrics::new();
    engine.world_mut().insert_resource(member());
    metrics.update(&mut engine, 0.0);
    assert_series(
        &metrics.encode(),
        &[
            ("ecsync_consensus_height", 5.0),
            ("ecsync_consensus_round", 2.0),
            ("ecsync_consensus_gate_open", 1.0),
            ("ecsync_consensus_timeouts_total{step=\"propose\"}", 2.0),
            ("ecsync_consensus_timeouts_total{step=\"prevote\"}", 1.0),
            ("ecsync_consensus_timeouts_total{step=\"precommit\"}", 0.0),
            ("ecsync_equivocations_total{authority=\"3\"}", 1.0),
            ("ecsync_consensus_rounds_per_height_count", 3.0),
            ("ecsync_consensus_rounds_per_height_sum", 4.0),
            ("ecsync_consensus_rounds_per_height_bucket{le=\"0.0\"}", 2.0),
        ],
    );

    // A tick with nothing new decided: nothing observed again.
    metrics.update(&mut engine, 0.0);
    assert_series(
        &metrics.encode(),
        &[("ecsync_consensus_rounds_per_height_count", 3.0)],
    );

    // Two more heights decided (in rounds 1 and 7), a timeout, an equivocation of another authority.
    {
        let mut c = engine.world_mut().resource_mut::<Consensus>();
        c.height = 7;
        c.round = 0;
        c.gate_open = false;
        c.decided = 5;
        c.decided_rounds.extend([1, 7]);
        c.timeouts[2] = 4;
        c.equivocations.insert(0, 2);
    }
    metrics.update(&mut engine, 0.0);
    assert_series(
        &metrics.encode(),
        &[
            ("ecsync_consensus_height", 7.0),
            ("ecsync_consensus_round", 0.0),
            ("ecsync_consensus_gate_open", 0.0),
            ("ecsync_consensus_rounds_per_height_count", 5.0),
            ("ecsync_consensus_rounds_per_height_sum", 12.0),
            ("ecsync_consensus_rounds_per_height_bucket{le=\"1.0\"}", 3.0),
            ("ecsync_consensus_rounds_per_height_bucket{le=\"5.0\"}", 4.0),
            ("ecsync_consensus_rounds_per_height_bucket{le=\"8.0\"}", 5.0),
            ("ecsync_consensus_timeouts_total{step=\"precommit\"}", 4.0),
            ("ecsync_consensus_timeouts_total{step=\"propose\"}", 2.0),
            ("ecsync_equivocations_total{authority=\"0\"}", 2.0),
            ("ecsync_equivocations_total{authority=\"3\"}", 1.0),
        ],
    );
}

#[test]
fn more_heights_decided_than_kept_observe_only_those_kept() {
    let mut engine = engine();
    let mut metrics = Metrics::new();
    engine.world_mut().insert_resource(Consensus {
        decided: 100,
        decided_rounds: vec![1; 64],
        ..member()
    });
    metrics.update(&mut engine, 0.0);
    let text = metrics.encode();
    assert_eq!(
        value(&text, "ecsync_consensus_rounds_per_height_count"),
        Some(64.0),
        "{text}"
    );
}

#[test]
fn a_node_that_is_no_member_has_the_families_at_zero() {
    let mut engine = engine();
    let mut metrics = Metrics::new();
    metrics.update(&mut engine, 0.0);
    engine.world_mut().insert_resource(Consensus {
        member: false,
        ..member()
    });
    metrics.update(&mut engine, 0.0);
    let text = metrics.encode();
    for family in [
        "ecsync_consensus_height",
        "ecsync_consensus_round",
        "ecsync_consensus_gate_open",
    ] {
        assert_eq!(value(&text, family), Some(0.0), "{family}: {text}");
    }
    assert_eq!(
        value(&text, "ecsync_consensus_rounds_per_height_count"),
        Some(0.0)
    );
    assert_eq!(
        value(&text, "ecsync_consensus_timeouts_total{step=\"propose\"}"),
        Some(0.0)
    );
    // prometheus-client writes a labelled family only with a series: equivocations appear with the first one
    // (a member's), never from a node that is no member.
    assert!(!text.contains("ecsync_equivocations"), "{text}");
}

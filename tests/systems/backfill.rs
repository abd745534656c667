//! The backfill's systems (`backfill_ingest`, `backfill_blocks`, `backfill_requests`) and what the forward sync
//! does with a peer's lowest height, through a whole engine: a real redb store (in memory) started from a
//! trusted block of the fixture chain, peers played by the test (each answers the engine's requests as its kind
//! says), the engine ticked in virtual time. Each test checks what it must and that the books still balance
//! (`check_world`, with the backfill's loads).

use ecsync::engine::SyncEngine;
use ecsync::store::RedbStore;
use ecsync::testing::world::{NOW, check_world, fixture};
use ecsync_components::backfill::{
    BACKFILL_IN_FLIGHT, BACKFILL_IN_FLIGHT_BEHIND, BACKFILL_MAX_BYTES, Backfill, BackfillState,
};
use ecsync_components::ecs::{Peer, PeerLoad};
use ecsync_components::resources::PeerRecords;
use ecsync_components::{
    EncodedBlock, Hash32, NetEvent, PeerId, Request, SignedBlock, StatusMessage, SyncConfig,
};

/// The fixture chain's length: three batches of history below the anchor and more.
const LEN: u64 = 2_600;
/// The trusted block the store starts from.
const ANCHOR: u64 = 2_500;
/// Virtual time per step.
const STEP_MS: u64 = 20;

/// How a peer played by the test serves history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Honest,
    /// The middle block of each answer names another parent (its hash then differs too).
    BrokenLink,
    /// The middle block of each answer carries a payload its root does not match.
    BadPayload,
    /// The middle block of each answer carries another block's approval (a valid signature, of another block).
    SwappedApproval,
    /// Answers empty.
    Withhold,
    /// Never answers.
    Silent,
    /// Answers the lower half of what was asked.
    Short,
}

/// A peer played by the test.
struct Played {
    id: PeerId,
    kind: Kind,
    /// Its requests so far: (start, count).
    asked: Vec<(u64, u32)>,
}

/// An engine on a store started from block `ANCHOR`, and the peers it knows.
struct Harness {
    engine: SyncEngine,
    now: u64,
    peers: Vec<Played>,
}

fn chain() -> &'static ecsync::testing::sim::SimChain {
    &fixture(LEN).chain
}

/// Block `h` of the fixture, decoded.
fn block(h: u64) -> SignedBlock {
    fixture(LEN).blocks[h as usize].clone()
}

/// The honest status at `head` claiming history from `lowest`.
fn status(head: u64, lowest: u64) -> StatusMessage {
    let c = chain();
    StatusMessage::proven(
        c.spec.chain_id,
        c.spec.genesis_hash,
        c.proof(head).expect("above 0"),
    )
    .serving_from(lowest)
}

/// `kind`'s answer to a request for `count` blocks from `start`.
fn answer(kind: Kind, start: u64, count: u32) -> Option<Vec<Vec<u8>>> {
    let end = (start + u64::from(count)).min(LEN + 1);
    let mut blocks: Vec<Vec<u8>> = (start..end)
        .map(|h| chain().blocks[h as usize].clone())
        .collect();
    let middle = blocks.len() / 2;
    match kind {
        Kind::Honest => {}
        Kind::Silent => return None,
        Kind::Withhold => blocks.clear(),
        Kind::Short => blocks.truncate(blocks.len().div_ceil(2)),
        Kind::BrokenLink => {
            let mut b = block(start + middle as u64);
            b.block.header.parent_hash = Hash32([0xbb; 32]);
            blocks[middle] = b.encode();
        }
        Kind::BadPayload => {
            let mut b = block(start + middle as u64);
            b.block.payload[0] ^= 0xff;
            blocks[middle] = b.encode();
        }
        Kind::SwappedApproval => {
            let mut b = block(start + middle as u64);
            b.approval = block(start + middle as u64 + 1).approval;
            blocks[middle] = b.encode();
        }
    }
    Some(blocks)
}

impl Harness {
    /// An engine whose store holds block `ANCHOR` alone (a checkpoint sync), with `config`.
    fn new(config: SyncConfig) -> Self {
        ecsync_components::set_strict(true);
        let c = chain();
        let mut store = RedbStore::in_memory(&c.spec, None).expect("a store");
        store
            .start_from(EncodedBlock::new(block(ANCHOR)).as_import(), NOW)
            .expect("the anchor");
        let engine = SyncEngine::new(c.spec.clone(), config, Box::new(store)).expect("an engine");
        Self {
            engine,
            now: NOW,
            peers: Vec::new(),
        }
    }

    /// A peer of `kind` connects, claiming `head` and history from `lowest`.
    fn connect(&mut self, kind: Kind, head: u64, lowest: u64) -> PeerId {
        let id = PeerId(self.peers.len() as u64 + 1);
        self.engine.handle(NetEvent::PeerConnected {
            peer: id,
            label: format!("{kind:?}-{}", id.0),
            status: status(head, lowest),
        });
        self.peers.push(Played {
            id,
            kind,
            asked: Vec::new(),
        });
        id
    }

    /// One tick; the requests it sent are answered (or not) by their peers, for the next tick. Returns the
    /// disconnections it asked for.
    fn step(&mut self) -> Vec<(PeerId, bool)> {
        self.engine.tick(self.now);
        self.now += STEP_MS;
        let mut gone = Vec::new();
        for request in self.engine.drain_outbox() {
            match request {
                Request::BlocksByRange {
                    peer,
                    request,
                    start,
                    count,
                    ..
                } => {
                    let played = self
                        .peers
                        .iter_mut()
                        .find(|p| p.id == peer)
                        .expect("a peer");
                    played.asked.push((start, count));
                    if let Some(blocks) = answer(played.kind, start, count) {
                        self.engine.handle(NetEvent::Blocks {
                            peer,
                            request,
                            blocks,
                        });
                    }
                }
                Request::Disconnect { peer, ban, .. } => {
                    gone.push((peer, ban));
                    self.engine.handle(NetEvent::PeerGone { peer });
                }
                _ => {}
            }
        }
        if let Err(e) = check_world(&mut self.engine) {
            panic!("inconsistent world: {e}");
        }
        gone
    }

    /// Steps until `done` holds (at most `steps` steps); panics with the backfill's state otherwise.
    fn until(&mut self, what: &str, steps: usize, done: impl Fn(&mut Self) -> bool) {
        for _ in 0..steps {
            if done(self) {
                return;
            }
            self.step();
        }
        panic!(
            "{what}: not within {steps} steps: {:?}",
            self.engine.backfill()
        );
    }

    fn backfill(&self) -> ecsync_components::backfill::BackfillStatus {
        self.engine.backfill()
    }

    /// Requests to `id` so far.
    fn asked(&self, id: PeerId) -> &[(u64, u32)] {
        &self
            .peers
            .iter()
            .find(|p| p.id == id)
            .expect("a peer")
            .asked
    }

    /// The store holds the honest chain from genesis to the anchor, and says so.
    fn assert_whole_chain(&self) {
        let store = self.engine.store();
        assert_eq!(
            store.lowest().unwrap(),
            None,
            "the store holds its chain from genesis"
        );
        for h in 1..=ANCHOR {
            let b = store
                .block(h)
                .unwrap()
                .unwrap_or_else(|| panic!("block {h} missing"));
            assert_eq!(b.hash(), chain().hashes[h as usize], "block {h}");
        }
    }

    fn record(&mut self, id: PeerId) -> ecsync_components::resources::PeerRecord {
        self.engine
            .world_mut()
            .resource::<PeerRecords>()
            .0
            .get(&id)
            .copied()
            .unwrap_or_default()
    }
}

fn complete(h: &mut Harness) -> bool {
    h.backfill().state == BackfillState::Complete
}

#[test]
fn backfill_blocks_fills_the_store_down_to_genesis_from_honest_peers_within_its_bounds() {
    let mut h = Harness::new(SyncConfig::default());
    assert_eq!(h.backfill().state, BackfillState::Running);
    assert_eq!(h.engine.status().lowest_height, ANCHOR);
    let a = h.connect(Kind::Honest, LEN, 0);
    let b = h.connect(Kind::Honest, LEN, 0);
    let mut lowest = ANCHOR;
    for _ in 0..2_000 {
        let s = h.backfill();
        assert!(
            s.lowest_height <= lowest,
            "the lowest height only moves down"
        );
        lowest = s.lowest_height;
        assert!(s.requests_in_flight <= BACKFILL_IN_FLIGHT);
        let world = h.engine.world_mut();
        assert!(world.resource::<Backfill>().bytes <= BACKFILL_MAX_BYTES + (1 << 20));
        if s.state == BackfillState::Complete {
            break;
        }
        h.step();
    }
    let s = h.backfill();
    assert_eq!(s.state, BackfillState::Complete, "{s:?}");
    assert_eq!((s.lowest_height, s.durable_height), (0, 0));
    assert_eq!(s.blocks, ANCHOR - 1);
    assert_eq!(h.engine.status().lowest_height, 0);
    h.assert_whole_chain();
    // Both peers served, a new peer first a small request (its budget's slow start), and nothing is left in
    // flight on their books.
    assert!(!h.asked(a).is_empty() && !h.asked(b).is_empty());
    let initial = SyncConfig::default().initial_batch;
    assert!(h.asked(a)[0].1 <= initial && h.asked(b)[0].1 <= initial);
    assert!(
        h.asked(a).iter().any(|&(_, count)| count > initial),
        "batches grow with the peer's rate"
    );
    let world = h.engine.world_mut();
    let mut q = world.query::<(&Peer, &PeerLoad)>();
    assert!(q.iter(world).all(|(_, l)| l.backfill == 0));
}

#[test]
fn backfill_blocks_bans_a_peer_whose_history_does_not_link_or_is_tampered_and_another_completes() {
    for kind in [Kind::BrokenLink, Kind::BadPayload, Kind::SwappedApproval] {
        let mut h = Harness::new(SyncConfig::default());
        let liar = h.connect(kind, ANCHOR, 0);
        let mut banned = false;
        for _ in 0..200 {
            banned |= h.step().contains(&(liar, true));
            if banned {
                break;
            }
        }
        assert!(banned, "{kind:?}: the liar is banned");
        assert!(h.backfill().rejected >= 1, "{kind:?}");
        assert_eq!(
            h.backfill().lowest_height,
            ANCHOR,
            "{kind:?}: nothing of it written"
        );
        h.connect(Kind::Honest, LEN, 0);
        h.until("complete from the honest peer", 2_000, complete);
        h.assert_whole_chain();
    }
}

#[test]
fn backfill_blocks_discredits_a_peer_claiming_history_it_does_not_serve_and_moves_on() {
    for kind in [Kind::Withhold, Kind::Silent] {
        let mut h = Harness::new(SyncConfig::default());
        // Its head is ours: the forward sync asks it nothing, the backfill all it can.
        let liar = h.connect(kind, ANCHOR, 0);
        h.until("the claim discredited", 1_000, |h| {
            h.record(liar).history_until_ms > h.now
        });
        let asked = h.asked(liar).len();
        assert!(asked >= 1, "{kind:?}");
        let until = h.record(liar).history_until_ms;
        h.connect(Kind::Honest, LEN, 0);
        h.until("complete beside the liar", 2_000, complete);
        assert!(
            h.now < until,
            "{kind:?}: completed while the discredit runs"
        );
        // (A withholder is also disconnected: an empty answer for a claimed height costs it -10.)
        assert_eq!(
            h.asked(liar).len(),
            asked,
            "{kind:?}: not asked again meanwhile"
        );
        h.assert_whole_chain();
    }
}

#[test]
fn backfill_requests_never_asks_a_peer_below_its_lowest_height() {
    let mut h = Harness::new(SyncConfig::default());
    // A peer that is checkpoint-synced itself (its history starts at the same block): nothing we need.
    let shallow = h.connect(Kind::Honest, LEN, ANCHOR);
    for _ in 0..50 {
        h.step();
    }
    assert!(
        h.asked(shallow).iter().all(|&(start, _)| start >= ANCHOR),
        "{:?}",
        h.asked(shallow)
    );
    assert_eq!(h.record(shallow).reputation, 0.0, "not blamed");
    assert_eq!(h.backfill().lowest_height, ANCHOR);
    // One whose history starts at 1,000: asked for what it holds only; the rest waits for someone else.
    let partial = h.connect(Kind::Honest, LEN, 1_000);
    h.until("down to 1,000", 2_000, |h| {
        h.backfill().lowest_height == 1_000
    });
    for _ in 0..50 {
        h.step();
    }
    assert!(h.asked(partial).iter().all(|&(start, _)| start >= 1_000));
    assert_eq!(h.backfill().lowest_height, 1_000);
    h.connect(Kind::Honest, LEN, 0);
    h.until("complete", 2_000, complete);
    h.assert_whole_chain();
}

#[test]
fn backfill_blocks_takes_a_short_answer_and_asks_for_the_rest() {
    let mut h = Harness::new(SyncConfig::default());
    let short = h.connect(Kind::Short, LEN, 0);
    h.until("complete from short answers", 5_000, complete);
    // A request answered with its lower half is followed by one for the rest.
    let asked = h.asked(short);
    let rest_asked = asked.iter().any(|&(start, count)| {
        let rest = start + u64::from(count).div_ceil(2);
        count > 1
            && asked
                .iter()
                .any(|&(s, c)| s == rest && s + u64::from(c) == start + u64::from(count))
    });
    assert!(rest_asked, "{asked:?}");
    assert_eq!(
        h.record(short).reputation,
        0.0,
        "a short answer is no offence"
    );
    h.assert_whole_chain();
}

#[test]
fn backfill_requests_keeps_to_a_few_requests_and_leaves_a_slot_while_the_forward_sync_is_behind() {
    let mut h = Harness::new(SyncConfig::default());
    for _ in 0..4 {
        h.connect(Kind::Honest, LEN, 0);
    }
    let mut forward = 0;
    for _ in 0..400 {
        h.step();
        let behind = h.engine.status().target_height > h.engine.head().height;
        let s = h.backfill();
        if behind {
            assert!(s.requests_in_flight <= BACKFILL_IN_FLIGHT_BEHIND, "{s:?}");
        }
        let world = h.engine.world_mut();
        let mut q = world.query::<(&PeerLoad, &ecsync_components::ecs::PeerBudget)>();
        for (load, budget) in q.iter(world) {
            assert!(
                load.total() <= budget.max_in_flight.max(1),
                "{load:?} {budget:?}"
            );
            forward = forward.max(load.in_flight);
        }
        if s.state == BackfillState::Complete && !behind {
            break;
        }
    }
    assert_eq!(
        h.engine.head().height,
        LEN,
        "the forward sync reached the head"
    );
    assert!(forward >= 1, "the forward sync had requests out");
    assert_eq!(h.backfill().state, BackfillState::Complete);
    h.assert_whole_chain();
}

#[test]
fn the_forward_sync_asks_no_peer_below_its_lowest_height_and_blames_none_for_it() {
    // A store from genesis; its only peer holds history from 1,000 on.
    ecsync_components::set_strict(true);
    let c = chain();
    let store = RedbStore::in_memory(&c.spec, Some(&c.genesis)).expect("a store");
    let engine = SyncEngine::new(c.spec.clone(), SyncConfig::default(), Box::new(store)).unwrap();
    let mut h = Harness {
        engine,
        now: NOW,
        peers: Vec::new(),
    };
    assert_eq!(
        h.backfill().state,
        BackfillState::Idle,
        "nothing below genesis"
    );
    let shallow = h.connect(Kind::Honest, LEN, 1_000);
    for _ in 0..100 {
        h.step();
    }
    assert!(h.asked(shallow).is_empty(), "{:?}", h.asked(shallow));
    assert_eq!(h.record(shallow).reputation, 0.0);
    // A peer with the whole chain: the sync goes on from it.
    h.connect(Kind::Honest, LEN, 0);
    h.until("synced", 3_000, |h| h.engine.head().height == LEN);
    assert!(
        h.asked(shallow).iter().all(|&(start, _)| start >= 1_000),
        "{:?}",
        h.asked(shallow)
    );
}

//! The agreement (`agree_blocks`, Tendermint: docs/CONSENSUS.md) in four real engines, one per authority, in
//! virtual time: real BLS keys and signatures, each member's chain and round state in its own redb file, the
//! network played by the test (it routes each engine's requests to the engine they name). The federation grows
//! with every member, the decided blocks carry quorum certificates every store verifies, a member whose gate is
//! closed signs nothing, two members down stop the chain and one back resumes it, and a member killed between
//! making its vote durable and sending it never signs against that vote after its restart.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ecsync::components::agreement::{Consensus, Round, VoteKind};
use ecsync::components::messages::{ConsensusMessage, SignedVote};
use ecsync::components::{
    ChainSpec, ChainStore, EncodedBlock, HeadProof, Height, NetEvent, PeerId, Request,
    StatusMessage, SyncConfig, imports,
};
use ecsync::engine::SyncEngine;
use ecsync::store::RedbStore;
use ecsync::store::approvals::ApprovalDb;
use ecsync_systems::chaingen::{ChainGenerator, GenParams};
use ecsync_systems::consensus::{Authorities, MemberKeys, validate_block};

/// Members in the federation.
const N: usize = 4;
/// Blocks every member starts with.
const START_BLOCKS: usize = 10;
/// Virtual ms between ticks.
const TICK_MS: u64 = 50;

/// What one member signed: (height, round, kind) → the values.
type Signed = BTreeMap<(Height, Round, VoteKind), Vec<Option<ecsync::components::Hash32>>>;

/// One member: its engine (None while it is down) and its files.
struct Member {
    engine: Option<SyncEngine>,
    chain: PathBuf,
    votes: PathBuf,
}

/// The federation and the network between its members.
struct Federation {
    spec: ChainSpec,
    generator: ChainGenerator,
    members: Vec<Member>,
    now: u64,
    gossip_id: u64,
    /// Every vote each member sent: (height, round, kind) → the values it signed.
    signed: Vec<Signed>,
    /// (member, kills left): the member is killed in each tick that signs a vote it never sent before, after
    /// that tick made its state durable and before anything leaves, then restarted from its files at once.
    kill_on_vote: Option<(usize, usize)>,
    /// Votes of its own a killed member had signed (and saved) but never sent.
    votes_lost: usize,
    /// Members no agreement message (proposal, vote, decided block) reaches or leaves (what they sign is still
    /// recorded); statuses and ranges still flow.
    isolated: Vec<usize>,
    /// The values of the votes lost in kills.
    lost_values: Vec<Option<ecsync::components::Hash32>>,
    _dir: tempfile::TempDir,
}

impl Federation {
    fn new(seed: u64) -> Self {
        let generator = ChainGenerator::new(GenParams {
            seed,
            authorities: N,
            payload_bytes: 16,
            ..GenParams::default()
        })
        .unwrap();
        let spec = generator.spec().clone();
        let dir = tempfile::tempdir().unwrap();
        let encoded = EncodedBlock::all(generator.blocks(START_BLOCKS));
        let mut members = Vec::new();
        for i in 0..N {
            let chain = dir.path().join(format!("chain{i}.redb"));
            let mut store = RedbStore::create(&chain, &spec, Some(generator.genesis())).unwrap();
            store.import_batch(&imports(&encoded), None).unwrap();
            drop(store);
            members.push(Member {
                engine: None,
                chain,
                votes: dir.path().join(format!("votes{i}.redb")),
            });
        }
        let head_slot = encoded.last().unwrap().block.block.header.slot;
        let mut fed = Self {
            now: spec.slot_start_ms(head_slot + 1),
            spec,
            generator,
            members,
            gossip_id: 0,
            signed: vec![BTreeMap::new(); N],
            kill_on_vote: None,
            votes_lost: 0,
            isolated: Vec::new(),
            lost_values: Vec::new(),
            _dir: dir,
        };
        for i in 0..N {
            fed.start(i);
        }
        fed
    }

    /// Starts (or restarts) member `i` from its files and connects it to the members that are up.
    fn start(&mut self, i: usize) {
        ecsync_components::set_strict(true); // as the test machinery runs engines
        let store = RedbStore::open(&self.members[i].chain, &self.spec).unwrap();
        let mut engine =
            SyncEngine::new(self.spec.clone(), SyncConfig::default(), Box::new(store)).unwrap();
        let secret = self.generator.federation().secret_key_bytes(i);
        let keys = MemberKeys::new(&self.spec, &[(i, secret)]).unwrap();
        let votes = ApprovalDb::open(&self.members[i].votes).unwrap();
        engine.set_member(keys, Box::new(votes));
        engine.set_producing(true);
        self.members[i].engine = Some(engine);
        let up: Vec<usize> = (0..N)
            .filter(|&j| j != i && self.members[j].engine.is_some())
            .collect();
        for j in up {
            self.connect(i, j);
            self.connect(j, i);
        }
    }

    /// Member `i` learns of member `j` (connected, proven).
    fn connect(&mut self, i: usize, j: usize) {
        let status = self.status_of(j);
        let engine = self.members[i].engine.as_mut().unwrap();
        engine.handle(NetEvent::PeerConnected {
            peer: peer(j),
            label: format!("m{j}"),
            status,
        });
        engine.handle(NetEvent::PeerAuthenticated {
            peer: peer(j),
            authorities: 1 << j,
        });
    }

    /// Member `i` is killed: its engine dropped, its peers told.
    fn stop(&mut self, i: usize) {
        self.members[i].engine = None;
        for j in (0..N).filter(|&j| j != i) {
            if let Some(e) = self.members[j].engine.as_mut() {
                e.handle(NetEvent::PeerGone { peer: peer(i) });
            }
        }
    }

    fn status_of(&self, j: usize) -> StatusMessage {
        let engine = self.members[j].engine.as_ref().unwrap();
        let head = engine.head();
        let block = engine.store().block(head.height).unwrap().unwrap();
        StatusMessage::proven(
            self.spec.chain_id,
            self.spec.genesis_hash,
            HeadProof::of(&block),
        )
    }

    /// One tick of every member that is up, then its requests delivered.
    fn tick(&mut self) {
        self.now += TICK_MS;
        for i in 0..N {
            let Some(engine) = self.members[i].engine.as_mut() else {
                continue;
            };
            engine.tick(self.now);
            let requests = engine.drain_outbox();
            if let Some((victim, kills)) = self.kill_on_vote
                && victim == i
                && kills > 0
            {
                let lost = self.unsent_votes(i, &requests);
                if lost > 0 {
                    self.votes_lost += lost;
                    self.kill_on_vote = Some((victim, kills - 1));
                    self.lost_values.extend(own_values(i, &requests));
                    for request in &requests {
                        if let Request::SendConsensus { messages, .. } = request {
                            self.note_signed(i, messages); // signed, though never sent
                        }
                    }
                    self.stop(i);
                    self.isolated.clear();
                    self.start(i);
                    continue;
                }
            }
            for request in requests {
                self.route(i, request);
            }
        }
    }

    fn route(&mut self, from: usize, request: Request) {
        if let Request::SendConsensus { messages, .. } = &request {
            self.note_signed(from, messages);
        }
        let agreement = matches!(
            request,
            Request::SendConsensus { .. } | Request::PublishBlock { .. }
        );
        if agreement && self.cut_off(from) {
            return;
        }
        match request {
            Request::Status { peer } => {
                let to = index(peer);
                if self.members[to].engine.is_some() {
                    let status = self.status_of(to);
                    self.deliver(from, NetEvent::Status { peer, status });
                }
            }
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
                ..
            } => {
                let blocks = self.serve(index(peer), start, count);
                self.deliver(
                    from,
                    NetEvent::Blocks {
                        peer,
                        request,
                        blocks,
                    },
                );
            }
            Request::SendConsensus { peer, messages } => {
                let event = NetEvent::Consensus {
                    peer: self::peer(from),
                    messages,
                };
                self.deliver(index(peer), event);
            }
            Request::PublishBlock { bytes } => {
                for to in (0..N).filter(|&to| to != from) {
                    self.gossip_id += 1;
                    let event = NetEvent::GossipBlock {
                        peer: peer(from),
                        id: self.gossip_id,
                        bytes: bytes.clone(),
                    };
                    self.deliver(to, event);
                }
            }
            _ => {}
        }
    }

    /// Whether member `i` is isolated now.
    fn cut_off(&self, i: usize) -> bool {
        self.isolated.contains(&i)
    }

    fn deliver(&mut self, to: usize, event: NetEvent) {
        let agreement = matches!(
            event,
            NetEvent::Consensus { .. } | NetEvent::GossipBlock { .. }
        );
        if agreement && self.cut_off(to) {
            return;
        }
        if let Some(engine) = self.members[to].engine.as_mut() {
            engine.handle(event);
        }
    }

    /// The encodings member `j` serves for `start..start + count` (what it holds of them).
    fn serve(&self, j: usize, start: Height, count: u32) -> Vec<Vec<u8>> {
        let Some(engine) = self.members[j].engine.as_ref() else {
            return Vec::new();
        };
        (start..start + u64::from(count))
            .map_while(|h| engine.store().block(h).unwrap())
            .map(|b| EncodedBlock::new(b).bytes)
            .collect()
    }

    /// Member `i`'s own votes among `requests` that it never sent before (counted once: the same messages go to
    /// each member).
    fn unsent_votes(&self, i: usize, requests: &[Request]) -> usize {
        let mut votes = std::collections::BTreeSet::new();
        for r in requests {
            let Request::SendConsensus { messages, .. } = r else {
                continue;
            };
            for m in messages {
                if let ConsensusMessage::Vote(SignedVote { vote, .. }) = m
                    && usize::from(vote.voter) == i
                    && !self.signed[i]
                        .get(&(vote.height, vote.round, vote.kind))
                        .is_some_and(|v| v.contains(&vote.value))
                {
                    votes.insert((vote.height, vote.round, vote.kind, vote.value));
                }
            }
        }
        votes.len()
    }

    /// Records the votes `from` signed among `messages` (its own: voter `from`).
    fn note_signed(&mut self, from: usize, messages: &[ConsensusMessage]) {
        for m in messages {
            if let ConsensusMessage::Vote(SignedVote { vote, .. }) = m
                && usize::from(vote.voter) == from
            {
                let values = self.signed[from]
                    .entry((vote.height, vote.round, vote.kind))
                    .or_default();
                if !values.contains(&vote.value) {
                    values.push(vote.value);
                }
            }
        }
    }

    /// Ticks until `done` holds; panics after `max_slots` slots of virtual time (the rules' own bound).
    fn run_until(&mut self, max_slots: u64, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = self.now + max_slots * self.spec.slot_duration_ms;
        while !done(self) {
            assert!(self.now < deadline, "{what}: not within {max_slots} slots");
            self.tick();
        }
    }

    fn height(&self, i: usize) -> Height {
        self.members[i]
            .engine
            .as_ref()
            .map_or(0, |e| e.head().height)
    }

    fn max_height(&self) -> Height {
        (0..N).map(|i| self.height(i)).max().unwrap()
    }

    /// Member `i`'s agreement as its world shows it.
    fn view(&mut self, i: usize) -> Consensus {
        let engine = self.members[i].engine.as_mut().unwrap();
        engine.world_mut().resource::<Consensus>().clone()
    }

    fn min_height(&self, up: &[usize]) -> Height {
        up.iter().map(|&i| self.height(i)).min().unwrap()
    }

    /// Every member up holds the same chain, each block valid on its parent with its certificate.
    fn assert_one_valid_chain(&self) {
        let keys = Authorities::from_spec(&self.spec).unwrap();
        let up: Vec<&SyncEngine> = self
            .members
            .iter()
            .filter_map(|m| m.engine.as_ref())
            .collect();
        let top = up.iter().map(|e| e.head().height).min().unwrap();
        for h in 1..=top {
            let first = up[0].store().block(h).unwrap().unwrap();
            for e in &up[1..] {
                assert_eq!(e.store().block(h).unwrap().unwrap(), first, "fork at {h}");
            }
            let parent = up[0].store().block(h - 1).unwrap().unwrap();
            let parent = ecsync::components::BlockRef::of(&parent);
            validate_block(&self.spec, &keys, &parent, &first, self.now).unwrap();
        }
    }

    /// No member signed two different values for one (height, round, kind).
    fn assert_no_double_signing(&self) {
        for (i, votes) in self.signed.iter().enumerate() {
            for (at, values) in votes {
                assert!(values.len() <= 1, "member {i} signed {values:?} at {at:?}");
            }
        }
    }
}

/// The values of member `i`'s own votes among `requests`.
fn own_values(i: usize, requests: &[Request]) -> Vec<Option<ecsync::components::Hash32>> {
    let mut out = Vec::new();
    for r in requests {
        if let Request::SendConsensus { messages, .. } = r {
            for m in messages {
                if let ConsensusMessage::Vote(SignedVote { vote, .. }) = m
                    && usize::from(vote.voter) == i
                    && !out.contains(&vote.value)
                {
                    out.push(vote.value);
                }
            }
        }
    }
    out
}

fn peer(i: usize) -> PeerId {
    PeerId(i as u64 + 1)
}

fn index(peer: PeerId) -> usize {
    peer.0 as usize - 1
}

#[test]
fn four_members_decide_blocks_with_quorum_certificates_and_agree() {
    let mut fed = Federation::new(21);
    let all = [0, 1, 2, 3];
    let start = fed.min_height(&all);
    fed.run_until(40, "8 blocks decided", |f| f.min_height(&all) >= start + 8);
    fed.assert_one_valid_chain();
    fed.assert_no_double_signing();
    // Each member proposed: the proposer rotates with the slots.
    let produced: Vec<u64> = (0..N)
        .map(|i| {
            fed.members[i]
                .engine
                .as_ref()
                .unwrap()
                .counters()
                .blocks_produced
        })
        .collect();
    assert!(
        produced.iter().filter(|&&p| p > 0).count() >= 3,
        "{produced:?}"
    );
}

#[test]
fn two_members_down_stop_the_chain_and_one_back_resumes_it() {
    let mut fed = Federation::new(22);
    let all = [0, 1, 2, 3];
    let start = fed.min_height(&all);
    fed.run_until(20, "2 blocks", |f| f.min_height(&all) >= start + 2);
    fed.stop(2);
    fed.stop(3);
    let stopped = fed.height(0).max(fed.height(1));
    // Three rounds' worth of slots: two of four is no quorum, so nothing is decided.
    for _ in 0..(30 * fed.spec.slot_duration_ms / TICK_MS) {
        fed.tick();
    }
    assert!(fed.height(0).max(fed.height(1)) <= stopped + 1);
    fed.start(2);
    let three = [0, 1, 2];
    let resumed_from = fed.min_height(&three).max(stopped);
    fed.run_until(80, "growth with three of four", |f| {
        f.min_height(&three) >= resumed_from + 3
    });
    fed.assert_one_valid_chain();
    fed.assert_no_double_signing();
}

#[test]
fn a_member_killed_between_its_durable_vote_and_its_send_never_signs_against_it() {
    let mut fed = Federation::new(23);
    let all = [0, 1, 2, 3];
    let start = fed.min_height(&all);
    fed.run_until(20, "2 blocks", |f| f.min_height(&all) >= start + 2);
    let h = fed.max_height();
    fed.run_until(20, "a new height", |f| f.min_height(&all) > h);
    // Two members that do not propose this height's first round hear no agreement message: the other two cannot
    // decide, and
    // the victim times out and prevotes nil. It is killed in the tick that signed that prevote, after making its
    // state durable and before the vote left; it restarts from its files and the isolation ends. The round's
    // proposal then reaches it: a member that forgot its nil prevote would prevote the proposal.
    let proposer = usize::from(fed.view(0).proposer);
    let mut others = (0..N).filter(|&i| i != proposer);
    let victim = others.next().unwrap();
    fed.isolated = vec![victim, others.next().unwrap()];
    fed.kill_on_vote = Some((victim, 1));
    fed.run_until(20, "the kill", |f| f.kill_on_vote == Some((victim, 0)));
    assert_eq!(
        fed.lost_values,
        vec![None],
        "the vote lost is not the nil prevote"
    );
    let h = fed.max_height();
    fed.run_until(60, "growth after the kill", |f| f.min_height(&all) >= h + 3);
    fed.assert_one_valid_chain();
    fed.assert_no_double_signing();
}

#[test]
fn a_member_with_its_gate_closed_signs_nothing() {
    let mut fed = Federation::new(24);
    fed.members[3].engine.as_mut().unwrap().set_paused(true);
    let up = [0, 1, 2];
    let start = fed.min_height(&up);
    fed.run_until(60, "growth without member 3", |f| {
        f.min_height(&up) >= start + 3
    });
    assert!(
        fed.signed[3].is_empty(),
        "a paused member signed {:?}",
        fed.signed[3]
    );
    fed.assert_no_double_signing();
}

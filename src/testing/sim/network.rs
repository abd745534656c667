//! The simulated network: the peers' view of the node (connected, dropped, banned), what they answer to the
//! engine's requests and when (latency, bandwidth, jitter, their [`Behaviour`]), and the queue of events on their
//! way to the node, delivered when their virtual time has come.

use std::cmp::Reverse;

use ecsync_components::{
    BlockRef, Hash32, NetEvent, PeerId, Request, RequestId, SignedBlock, StatusMessage,
};
use rand::Rng;

use super::report::SentRequest;
use super::scenario::{Behaviour, PartitionKind, PeerSpec};
use super::{SIM_EPOCH_MS, Simulation};

/// A simulated peer and what it knows of its connection to the node.
pub(super) struct SimPeer {
    pub(super) spec: PeerSpec,
    pub(super) id: PeerId,
    /// Connected from the network's point of view.
    pub(super) connected: bool,
    /// Dropped by the engine: stays away (but tries once more, to exercise bans).
    pub(super) dropped: bool,
    pub(super) retried: bool,
}

impl SimPeer {
    /// A peer not connected yet.
    pub(super) fn new(spec: PeerSpec, id: PeerId) -> Self {
        Self {
            spec,
            id,
            connected: false,
            dropped: false,
            retried: false,
        }
    }
}

/// An event on its way to the node.
pub(super) struct Scheduled {
    /// The simulated peer it comes from.
    peer: usize,
    event: NetEvent,
    /// The engine incarnation it answers (None: a connection event, independent of the node's process).
    pub(super) engine: Option<u64>,
}

impl Simulation {
    /// The honest head at virtual time `at`.
    pub(super) fn honest_head(&self, at: u64) -> u64 {
        let s = &self.scenario;
        if s.extend_every_ms == 0 {
            return s.initial_head;
        }
        (s.initial_head + (at - SIM_EPOCH_MS) / s.extend_every_ms).min(s.final_head)
    }

    fn claimed_head(&self, peer: usize, at: u64) -> BlockRef {
        let real = self.chain.block_ref(self.honest_head(at));
        match self.peers[peer].spec.behaviour {
            Behaviour::Liar { extra } => BlockRef {
                height: real.height + extra,
                slot: real.slot + extra,
                hash: Hash32([0xee; 32]),
            },
            _ => real,
        }
    }

    fn status(&self, peer: usize, at: u64) -> StatusMessage {
        let spec = &self.chain.spec;
        let head = self.claimed_head(peer, at);
        match self.peers[peer].spec.behaviour {
            Behaviour::Liar { .. } => {
                StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head)
            }
            _ => match self.chain.proof(head.height) {
                Some(proof) => StatusMessage::proven(spec.chain_id, spec.genesis_hash, proof),
                None => StatusMessage::unproven(spec.chain_id, spec.genesis_hash, head),
            },
        }
    }

    /// The event of `peer` connecting at `at`, with the status it has then.
    pub(super) fn connect_event(&self, peer: usize, at: u64) -> NetEvent {
        NetEvent::PeerConnected {
            peer: self.peers[peer].id,
            label: format!("sim-{}", peer + 1),
            status: self.status(peer, at),
        }
    }

    /// Schedules `event` from `peer` at `at`; `engine`: the incarnation it answers, if it answers one.
    pub(super) fn schedule(&mut self, at: u64, peer: usize, event: NetEvent, engine: Option<u64>) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.pending.insert(
            self.seq,
            Scheduled {
                peer,
                event,
                engine,
            },
        );
    }

    /// `peer` connects again at `at`.
    fn reconnect_at(&mut self, peer: usize, at: u64) {
        let connect = self.connect_event(peer, at);
        self.schedule(at, peer, connect, None);
    }

    /// Whether a `Silent` partition swallows everything now.
    pub(super) fn silent(&self) -> bool {
        matches!(&self.partition, Some((p, _)) if p.kind == PartitionKind::Silent)
    }

    fn peer_index(&self, id: PeerId) -> Option<usize> {
        self.peers.iter().position(|p| p.id == id)
    }

    /// A request of the engine reaches the network.
    pub(super) fn on_request(&mut self, request: Request) {
        match request {
            Request::Status { peer } => self.on_status_request(peer),
            Request::Disconnect { peer, ban, .. } => self.on_disconnect(peer, ban),
            // The simulated peers are not federation members and ask nothing.
            Request::GossipVerdict { .. }
            | Request::PublishBlock { .. }
            | Request::SendConsensus { .. } => {}
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
                ..
            } => self.on_blocks_request(peer, request, start, count),
        }
    }

    fn on_status_request(&mut self, peer: PeerId) {
        let Some(i) = self.peer_index(peer) else {
            return;
        };
        if !self.peers[i].connected || self.silent() {
            return;
        }
        let at = self.now + self.peers[i].spec.latency_ms * 2;
        let status = self.status(i, at);
        let incarnation = Some(self.incarnation);
        self.schedule(at, i, NetEvent::Status { peer, status }, incarnation);
    }

    fn on_disconnect(&mut self, peer: PeerId, ban: bool) {
        let Some(i) = self.peer_index(peer) else {
            return;
        };
        self.peers[i].connected = false;
        if !ban {
            // Not banned: redialed, as the network redials known peers.
            self.reconnect_at(i, self.now + 5_000);
            return;
        }
        self.peers[i].dropped = true;
        if !self.peers[i].retried {
            // It comes back once, to find itself banned.
            self.peers[i].retried = true;
            self.reconnect_at(i, self.now + 5_000);
        }
    }

    /// A blocks request: answered (or not) as the peer's behaviour says, and logged.
    fn on_blocks_request(&mut self, peer: PeerId, request: RequestId, start: u64, count: u32) {
        let Some(i) = self.peer_index(peer) else {
            return;
        };
        let answered = self.answer_blocks(i, request, start, count);
        self.sent.push(SentRequest {
            at_ms: self.now - SIM_EPOCH_MS,
            peer: i,
            start,
            count,
            answered,
        });
    }

    /// Schedules peer `i`'s answer to a blocks request; returns the blocks it carries (None: no answer).
    fn answer_blocks(
        &mut self,
        i: usize,
        request: RequestId,
        start: u64,
        count: u32,
    ) -> Option<usize> {
        if !self.peers[i].connected || self.silent() {
            return None;
        }
        let spec = self.peers[i].spec.clone();
        if self.flaky_loses(i, &spec) {
            return None;
        }
        if let Behaviour::Stalled { until_ms } = spec.behaviour
            && self.now < SIM_EPOCH_MS + until_ms
        {
            return None; // never answered: the engine's timeout must catch it
        }
        let (blocks, bytes) = self.read_range(&spec.behaviour, start, count);
        let jitter = self.rng.random_range(0..=spec.latency_ms / 4 + 1);
        let at = self.now
            + 2 * spec.latency_ms
            + (bytes as u64 * 1000) / spec.bytes_per_sec.max(1)
            + jitter;
        let served = blocks.len();
        let peer = self.peers[i].id;
        let answer = NetEvent::Blocks {
            peer,
            request,
            blocks,
        };
        self.schedule(at, i, answer, Some(self.incarnation));
        Some(served)
    }

    /// A flaky peer's roll for one request: dropped (never answered), or a disconnect (gone after its latency,
    /// back 2 s later). True when the request is lost either way.
    fn flaky_loses(&mut self, i: usize, spec: &PeerSpec) -> bool {
        let Behaviour::Flaky {
            drop_per_mille,
            disconnect_per_mille,
        } = spec.behaviour
        else {
            return false;
        };
        let roll = self.rng.random_range(0..1000);
        if roll < drop_per_mille {
            return true; // never answered: the engine's timeout must catch it
        }
        if roll < drop_per_mille + disconnect_per_mille {
            let gone_at = self.now + spec.latency_ms;
            let peer = self.peers[i].id;
            let incarnation = Some(self.incarnation);
            self.schedule(gone_at, i, NetEvent::PeerGone { peer }, incarnation);
            self.reconnect_at(i, gone_at + 2_000);
            return true;
        }
        false
    }

    /// The blocks from `start` a peer answers with: up to `count`, up to the honest head, within the answer cap;
    /// an invalid peer corrupts some. Returns them with their bytes.
    fn read_range(
        &mut self,
        behaviour: &Behaviour,
        start: u64,
        count: u32,
    ) -> (Vec<Vec<u8>>, usize) {
        let head = self.honest_head(self.now);
        let mut blocks = Vec::new();
        let mut bytes = 0usize;
        let end = start.saturating_add(u64::from(count)).min(head + 1);
        for h in start..end {
            let raw = self.chain.blocks[h as usize].clone();
            if !blocks.is_empty() && bytes + raw.len() > self.scenario.max_response_bytes {
                break;
            }
            let raw = match *behaviour {
                Behaviour::Invalid { corrupt_per_mille }
                    if self.rng.random_range(0..1000) < corrupt_per_mille =>
                {
                    self.corrupt(&raw, h)
                }
                _ => raw,
            };
            bytes += raw.len();
            blocks.push(raw);
        }
        (blocks, bytes)
    }

    fn corrupt(&mut self, bytes: &[u8], height: u64) -> Vec<u8> {
        let mut block = SignedBlock::decode(bytes, usize::MAX).expect("own encoding");
        match self.rng.random_range(0..4) {
            0 => {
                let other = (height % self.chain.len()) + 1;
                let donor = SignedBlock::decode(&self.chain.blocks[other as usize], usize::MAX)
                    .expect("own encoding");
                if donor.approval.signature == block.approval.signature {
                    block.approval.signature.0[5] ^= 1;
                } else {
                    block.approval.signature = donor.approval.signature;
                }
                block.encode()
            }
            1 => {
                if block.block.payload.is_empty() {
                    block.block.payload.push(1);
                } else {
                    block.block.payload[0] ^= 0x40;
                }
                block.encode()
            }
            2 => {
                let mut garbage = bytes.to_vec();
                let at = self.rng.random_range(0..garbage.len());
                garbage.truncate(at.max(1));
                garbage
            }
            _ => {
                block.block.header.height += 1;
                block.encode()
            }
        }
    }

    /// Hands the node every event whose time has come, unless the network swallows it.
    pub(super) fn deliver_due(&mut self) {
        while let Some(Reverse((at, seq))) = self.queue.peek().copied() {
            if at > self.now {
                break;
            }
            self.queue.pop();
            let Some(Scheduled {
                peer: i,
                event,
                engine,
            }) = self.pending.remove(&seq)
            else {
                continue;
            };
            if engine.is_some_and(|e| e != self.incarnation) {
                continue; // an answer to a process that was killed
            }
            if self.passes(i, at, &event) {
                self.engine.handle(event);
            }
        }
    }

    /// Whether `event` of peer `i`, due at `at`, reaches the node (and the peer's connection as it changes).
    fn passes(&mut self, i: usize, at: u64, event: &NetEvent) -> bool {
        let left = self.peers[i]
            .spec
            .leave_at_ms
            .is_some_and(|l| at >= SIM_EPOCH_MS + l);
        match event {
            NetEvent::PeerConnected { .. } => {
                if let Some((partition, _)) = &self.partition {
                    // Nobody gets through while partitioned: the peer tries again when it ends, with the head it
                    // has then.
                    let back =
                        SIM_EPOCH_MS + partition.until_ms + 2 * self.peers[i].spec.latency_ms;
                    self.reconnect_at(i, back);
                    return false;
                }
                let peer = &mut self.peers[i];
                if left || peer.connected || (peer.dropped && !peer.retried) {
                    return false;
                }
                peer.connected = true;
                peer.dropped = false;
                true
            }
            NetEvent::PeerGone { .. } => {
                let was = self.peers[i].connected;
                self.peers[i].connected = false;
                was
            }
            _ => self.peers[i].connected && !left && !self.silent(),
        }
    }
}

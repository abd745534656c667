//! The consensus protocol on the swarm task (`/ecsync/req/consensus/2/postcard`, [`super::CONSENSUS_PROTOCOL`]):
//! proposals and votes between federation members, for the engine's agreement driver.
//!
//! Receiving. A request is at most [`MAX_CONSENSUS_BATCH`] messages within the codec's cap (the chain's
//! `max_block_bytes` + 4 KiB; a longer frame is refused at its length prefix, before its body is read). It is
//! answered at once, on the swarm task, with a [`ConsensusAck`]:
//! - from a peer that has not proven it is a member (`members.rs`): `Refused`, counted, never seen by the engine,
//!   no BLS work;
//! - from a member the engine does not know yet (its status not checked), or beyond the bounds below: `Busy` (the
//!   sender's next gossip sends them again);
//! - otherwise the messages go to the engine as ONE [`NetEvent::Consensus`], unchecked (the engine verifies the
//!   signatures), and the answer is `Accepted`.
//!
//! Bounds. What waits in the engine's event channel is counted exactly: the task counts every event it sends
//! (`count_sent`), and the channel's free capacity tells how many the engine has not taken yet, so an event sent
//! as the `k`-th is taken once `sent − waiting > k`. Consensus messages waiting there: at most
//! [`MAX_QUEUED_PER_PEER`] and [`MAX_QUEUED_BYTES_PER_PEER`] request caps of one peer, at most [`MAX_QUEUED`] and
//! [`MAX_QUEUED_BYTES`] request caps of all peers together. And each peer's messages pass a token bucket of
//! [`MESSAGES_BURST`] refilled at [`MESSAGES_PER_SEC`] a second (the engine's signature checks are what a flood
//! costs). A request that does not fit whole is `Busy`; nothing is queued on the swarm task.
//!
//! Sending. `Request::SendConsensus` is split into requests of at most [`MAX_CONSENSUS_BATCH`] messages within
//! the cap; a single message above the cap is dropped (and logged). Answers and failures are only counted: a
//! lost message is sent again by the engine's next gossip.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ecsync_components::messages::{ConsensusAck, ConsensusMessage, MAX_CONSENSUS_BATCH};
use ecsync_components::{NetEvent, PeerId, encoded_len};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{self, Message, ResponseChannel};
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

use super::Shared;
use super::behaviour::EcsyncSwarm;
use super::codec::{ConsensusCodec, ConsensusRequest};
use super::dialer::Dialer;
use super::limits::{ConsensusStats, TokenBucket};
use super::members::Members;
use super::peers::Peers;

/// Consensus messages of one peer waiting in the engine's event channel, at most: four full requests, so that
/// a member's gossip of a slot (its proposals and votes, and the prevotes of a polka: up to about 70 messages,
/// two requests sent back to back) fits before the engine has read the first.
pub const MAX_QUEUED_PER_PEER: usize = 4 * MAX_CONSENSUS_BATCH;
/// Consensus messages of all peers waiting in the engine's event channel, at most.
pub const MAX_QUEUED: usize = 1024;
/// Bytes of one peer's waiting consensus requests, at most, in request caps (a peer holding nothing always fits
/// one request).
pub const MAX_QUEUED_BYTES_PER_PEER: usize = 4;
/// Bytes of all peers' waiting consensus requests, at most, in request caps.
pub const MAX_QUEUED_BYTES: usize = 16;
/// Consensus messages a peer may send in one burst.
pub const MESSAGES_BURST: u32 = 1024;
/// ... and per second after it.
pub const MESSAGES_PER_SEC: u32 = 512;

/// What the task knows of the sender of a request.
#[derive(Clone, Copy, Debug)]
pub(super) struct Origin {
    /// On the deny list: its request is dropped unanswered.
    pub(super) denied: bool,
    /// A proven federation member.
    pub(super) member: bool,
    /// Its engine id, once its status passed our check.
    pub(super) engine: Option<PeerId>,
}

impl Origin {
    /// What the task's parts know of `peer`.
    pub(super) fn of(peer: &Libp2pPeer, members: &Members, peers: &Peers, dialer: &Dialer) -> Self {
        Self {
            denied: dialer.is_denied(peer),
            member: members.is_member(peer),
            engine: peers.announced(peer).filter(|_| peers.is_checked(peer)),
        }
    }
}

/// Messages and bytes waiting in the engine's channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Load {
    /// Messages.
    messages: usize,
    /// Encoded bytes.
    bytes: usize,
}

/// One of our events in the engine's channel.
#[derive(Clone, Copy, Debug)]
struct Queued {
    /// Its place in the order of every event the task sent (0 the first).
    seq: u64,
    /// Its sender.
    peer: Libp2pPeer,
    /// What it holds.
    load: Load,
}

/// The counters the handles read ([`ConsensusStats`]).
#[derive(Debug, Default)]
pub(super) struct ConsensusCounters {
    accepted: AtomicU64,
    busy: AtomicU64,
    from_outsiders: AtomicU64,
    sent: AtomicU64,
    sent_failed: AtomicU64,
    sent_not_accepted: AtomicU64,
}

impl ConsensusCounters {
    /// Their values now.
    pub(super) fn stats(&self) -> ConsensusStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ConsensusStats {
            accepted: get(&self.accepted),
            busy: get(&self.busy),
            from_outsiders: get(&self.from_outsiders),
            sent: get(&self.sent),
            sent_failed: get(&self.sent_failed),
            sent_not_accepted: get(&self.sent_not_accepted),
        }
    }
}

/// Adds `n` to `counter`.
fn bump(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// The protocol's state on the swarm task. See the module docs.
pub(super) struct Consensus {
    /// The codec's request cap (bytes).
    request_cap: usize,
    /// Events the task sent to the engine's channel, of every kind.
    sent: AtomicU64,
    /// Our events in the channel, in the order sent.
    queued: VecDeque<Queued>,
    /// What each peer has waiting.
    loads: HashMap<Libp2pPeer, Load>,
    /// What all have waiting.
    total: Load,
    /// Each connected peer's message bucket.
    buckets: HashMap<Libp2pPeer, TokenBucket>,
    /// Their capacity and refill per second ([`MESSAGES_BURST`], [`MESSAGES_PER_SEC`]).
    rate: (u32, u32),
    /// Where the counters are.
    shared: Arc<Shared>,
}

impl Consensus {
    /// The protocol's state for a chain whose blocks are at most `max_block_bytes`.
    pub(super) fn new(max_block_bytes: u32, shared: Arc<Shared>) -> Self {
        Self {
            request_cap: ConsensusCodec { max_block_bytes }.request_cap(),
            sent: AtomicU64::new(0),
            queued: VecDeque::new(),
            loads: HashMap::new(),
            total: Load::default(),
            buckets: HashMap::new(),
            rate: (MESSAGES_BURST, MESSAGES_PER_SEC),
            shared,
        }
    }

    /// The same with buckets of `burst` refilled at `per_sec` (tests: 0 never refills).
    #[cfg(test)]
    pub(super) fn with_rate(mut self, burst: u32, per_sec: u32) -> Self {
        self.rate = (burst, per_sec);
        self
    }

    /// The task sent an event to the engine's channel (of any kind).
    pub(super) fn count_sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// `peer`'s last connection closed: its bucket goes (its waiting messages stay counted until taken).
    pub(super) fn forget(&mut self, peer: &Libp2pPeer) {
        self.buckets.remove(peer);
    }

    /// Routes a consensus protocol event: a request is answered at once (see the module docs); answers to ours
    /// and their failures are counted.
    pub(super) fn on_event(
        &mut self,
        swarm: &mut EcsyncSwarm,
        events: &mpsc::Sender<NetEvent>,
        event: request_response::Event<ConsensusRequest, ConsensusAck>,
        origin: impl Fn(&Libp2pPeer) -> Origin,
    ) {
        let shared = self.shared.clone();
        let counters = &shared.consensus;
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                Message::Request {
                    request, channel, ..
                } => self.on_request(swarm, events, peer, origin(&peer), request, channel),
                Message::Response { response, .. } => {
                    if response != ConsensusAck::Accepted {
                        tracing::debug!(%peer, ?response, "consensus messages not taken");
                        bump(&counters.sent_not_accepted, 1);
                    }
                }
            },
            request_response::Event::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, "sending consensus messages failed: {error}");
                bump(&counters.sent_failed, 1);
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, "answering consensus messages failed: {error}");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Answers `peer`'s request (the answer may be lost if the peer went: nothing to do then).
    fn on_request(
        &mut self,
        swarm: &mut EcsyncSwarm,
        events: &mpsc::Sender<NetEvent>,
        peer: Libp2pPeer,
        origin: Origin,
        request: ConsensusRequest,
        channel: ResponseChannel<ConsensusAck>,
    ) {
        if origin.denied {
            return;
        }
        let ack = self.admit(events, peer, origin, request);
        if swarm
            .behaviour_mut()
            .consensus
            .send_response(channel, ack)
            .is_err()
        {
            tracing::debug!(%peer, "consensus request closed before the answer");
        }
    }

    /// Hands `peer`'s request to the engine if it may, and says what came of it.
    pub(super) fn admit(
        &mut self,
        events: &mpsc::Sender<NetEvent>,
        peer: Libp2pPeer,
        origin: Origin,
        request: ConsensusRequest,
    ) -> ConsensusAck {
        let shared = self.shared.clone();
        let counters = &shared.consensus;
        if !origin.member {
            bump(&counters.from_outsiders, 1);
            return ConsensusAck::refused(
                "only proven federation members may send consensus messages",
            );
        }
        let Some(engine_peer) = origin.engine else {
            bump(&counters.busy, 1);
            return ConsensusAck::Busy;
        };
        if request.messages.is_empty() {
            return ConsensusAck::Accepted;
        }
        let load = Load {
            messages: request.messages.len(),
            bytes: encoded_len(&request),
        };
        if !self.fits(events, peer, load) {
            bump(&counters.busy, 1);
            return ConsensusAck::Busy;
        }
        let seq = self.sent.load(Ordering::Relaxed);
        let event = NetEvent::Consensus {
            peer: engine_peer,
            messages: request.messages,
        };
        match events.try_send(event) {
            Ok(()) => {
                self.count_sent();
                self.hold(Queued { seq, peer, load });
                bump(&counters.accepted, load.messages as u64);
                ConsensusAck::Accepted
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                shared.events_dropped.fetch_add(1, Ordering::Relaxed);
                bump(&counters.busy, 1);
                ConsensusAck::Busy
            }
            // The engine has gone.
            Err(mpsc::error::TrySendError::Closed(_)) => ConsensusAck::Busy,
        }
    }

    /// Whether `load` from `peer` fits the bounds now, taking its tokens if it does.
    fn fits(&mut self, events: &mpsc::Sender<NetEvent>, peer: Libp2pPeer, load: Load) -> bool {
        self.release(events);
        let theirs = self.loads.get(&peer).copied().unwrap_or_default();
        let cap = self.request_cap;
        let within = |held: Load, max_messages: usize, max_bytes: usize| {
            held.messages + load.messages <= max_messages
                && (held.bytes == 0 || held.bytes + load.bytes <= max_bytes)
        };
        if !within(theirs, MAX_QUEUED_PER_PEER, MAX_QUEUED_BYTES_PER_PEER * cap)
            || !within(self.total, MAX_QUEUED, MAX_QUEUED_BYTES * cap)
        {
            return false;
        }
        let now = Instant::now();
        let tokens = u32::try_from(load.messages).unwrap_or(u32::MAX);
        let (burst, per_sec) = self.rate;
        self.buckets
            .entry(peer)
            .or_insert_with(|| TokenBucket::new(burst, per_sec, now))
            .take(tokens, now, Duration::ZERO)
            .is_some()
    }

    /// Counts `queued` as waiting in the engine's channel.
    fn hold(&mut self, queued: Queued) {
        let load = queued.load;
        let theirs = self.loads.entry(queued.peer).or_default();
        theirs.messages += load.messages;
        theirs.bytes += load.bytes;
        self.total.messages += load.messages;
        self.total.bytes += load.bytes;
        self.queued.push_back(queued);
    }

    /// Forgets the events the engine has taken from its channel since the last call.
    fn release(&mut self, events: &mpsc::Sender<NetEvent>) {
        let waiting = events.max_capacity().saturating_sub(events.capacity()) as u64;
        let taken = self.sent.load(Ordering::Relaxed).saturating_sub(waiting);
        while let Some(front) = self.queued.front().copied() {
            if front.seq >= taken {
                break;
            }
            self.queued.pop_front();
            let load = front.load;
            self.total.messages -= load.messages;
            self.total.bytes -= load.bytes;
            if let Some(theirs) = self.loads.get_mut(&front.peer) {
                theirs.messages -= load.messages;
                theirs.bytes -= load.bytes;
                if *theirs == Load::default() {
                    self.loads.remove(&front.peer);
                }
            }
        }
    }

    /// Sends `messages` to `target`, in requests of at most [`MAX_CONSENSUS_BATCH`] messages within the cap.
    pub(super) fn send(
        &mut self,
        swarm: &mut EcsyncSwarm,
        target: Libp2pPeer,
        messages: Vec<ConsensusMessage>,
    ) {
        for request in batches(messages, self.request_cap) {
            swarm
                .behaviour_mut()
                .consensus
                .send_request(&target, request);
            bump(&self.shared.consensus.sent, 1);
        }
    }
}

/// `messages` in order, in requests of at most [`MAX_CONSENSUS_BATCH`] messages and `cap` encoded bytes; a
/// message that alone exceeds `cap` is dropped (logged).
pub(super) fn batches(messages: Vec<ConsensusMessage>, cap: usize) -> Vec<ConsensusRequest> {
    // The sequence length takes at most 1 byte more when it grows (it stays below 128).
    let mut out = Vec::new();
    let mut current = ConsensusRequest::default();
    let mut bytes = 1;
    for message in messages {
        let size = encoded_len(&message);
        if size + 1 > cap {
            tracing::warn!(
                height = message.height(),
                round = message.round(),
                "a consensus message of {size} bytes exceeds the request cap of {cap}; not sent"
            );
            continue;
        }
        if current.messages.len() == MAX_CONSENSUS_BATCH || bytes + size > cap {
            out.push(std::mem::take(&mut current));
            bytes = 1;
        }
        bytes += size;
        current.messages.push(message);
    }
    if !current.messages.is_empty() {
        out.push(current);
    }
    out
}

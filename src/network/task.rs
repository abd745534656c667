//! The swarm task: owns the libp2p swarm and all per-peer state; the only place that touches sockets.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ecsync_components::{
    FailureReason, Hash32, MAX_BLOCKS_PER_REQUEST, NetEvent, PeerId, Request, RequestId,
    StatusMessage,
};
use libp2p::futures::StreamExt;
use libp2p::request_response::{
    self, InboundRequestId, OutboundFailure, OutboundRequestId, ProtocolSupport, ResponseChannel,
};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, DialError, NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, StreamProtocol, Swarm, identify, noise, ping, tcp, yamux};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::codec::{BlocksByRangeRequest, BlocksCodec, StatusCodec};
use super::{
    BLOCKS_BY_RANGE_PROTOCOL, BlockSource, Command, IDENTIFY_PROTOCOL_VERSION, MAX_DENIED,
    MAX_RESPONSE_BYTES, MAX_SERVING_PER_PEER, NetworkConfig, REDIAL_INITIAL, REDIAL_MAX,
    REFUSAL_GRACE, STATUS_PROTOCOL, Shared,
};

type Libp2pPeer = libp2p::PeerId;

/// The behaviours, combined.
#[derive(NetworkBehaviour)]
pub(super) struct Behaviour {
    identify: identify::Behaviour,
    ping: ping::Behaviour,
    status: request_response::Behaviour<StatusCodec>,
    blocks: request_response::Behaviour<BlocksCodec>,
}

/// Connections stay open while idle (the engine asks for status every few seconds anyway; ping detects dead ones).
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Concurrent substreams per connection and protocol.
const MAX_CONCURRENT_STREAMS: usize = 64;

/// Builds the swarm: TCP + noise + yamux, identify, ping, status and blocks_by_range.
pub(super) fn build_swarm(config: &NetworkConfig) -> anyhow::Result<Swarm<Behaviour>> {
    let rr_config = request_response::Config::default()
        .with_request_timeout(config.request_timeout)
        .with_max_concurrent_streams(MAX_CONCURRENT_STREAMS);
    let blocks_codec = BlocksCodec {
        max_block_bytes: config.max_block_bytes,
    };
    let swarm = libp2p::SwarmBuilder::with_existing_identity(config.keypair.clone())
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_behaviour(|key| Behaviour {
            identify: identify::Behaviour::new(identify::Config::new(
                IDENTIFY_PROTOCOL_VERSION.to_string(),
                key.public(),
            )),
            ping: ping::Behaviour::default(),
            status: request_response::Behaviour::with_codec(
                StatusCodec,
                [(StreamProtocol::new(STATUS_PROTOCOL), ProtocolSupport::Full)],
                rr_config.clone(),
            ),
            blocks: request_response::Behaviour::with_codec(
                blocks_codec,
                [(
                    StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL),
                    ProtocolSupport::Full,
                )],
                rr_config,
            ),
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    Ok(swarm)
}

/// A peer with at least one open connection.
struct Connected {
    /// Its engine id.
    id: PeerId,
    /// Whether `PeerConnected` went to the engine (its status check passed).
    announced: bool,
}

/// Why a peer is on the deny list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DenyKind {
    /// Its status names another chain.
    OtherChain,
    /// The engine asked to disconnect it.
    Engine,
}

/// Peers never to redial, with the reason; bounded, the oldest forgotten first.
#[derive(Default)]
struct DenyList {
    entries: HashMap<Libp2pPeer, (DenyKind, String)>,
    order: VecDeque<Libp2pPeer>,
}

impl DenyList {
    fn kind(&self, peer: &Libp2pPeer) -> Option<DenyKind> {
        self.entries.get(peer).map(|(k, _)| *k)
    }

    /// Adds or updates `peer`; returns whether its entry is new or its reason changed.
    fn insert(&mut self, peer: Libp2pPeer, kind: DenyKind, reason: String) -> bool {
        match self.entries.get_mut(&peer) {
            Some(entry) => {
                if *entry == (kind, reason.clone()) {
                    return false;
                }
                *entry = (kind, reason);
                true
            }
            None => {
                while self.order.len() >= MAX_DENIED {
                    if let Some(old) = self.order.pop_front() {
                        self.entries.remove(&old);
                    }
                }
                self.entries.insert(peer, (kind, reason));
                self.order.push_back(peer);
                true
            }
        }
    }

    fn remove(&mut self, peer: &Libp2pPeer) {
        if self.entries.remove(peer).is_some() {
            self.order.retain(|p| p != peer);
        }
    }

    fn snapshot(&self) -> Vec<(Libp2pPeer, String)> {
        self.order
            .iter()
            .filter_map(|p| self.entries.get(p).map(|(_, r)| (*p, r.clone())))
            .collect()
    }
}

/// A bootnode and its redial schedule.
struct Bootnode {
    addr: Multiaddr,
    backoff: Duration,
    redial_at: Option<Instant>,
    /// Whether the current run of failures has been logged.
    warned: bool,
}

/// An outbound status request in flight.
struct StatusPending {
    peer: Libp2pPeer,
    /// Sent on connection: the peer is not announced until it is answered.
    initial: bool,
}

/// An outbound blocks_by_range request in flight.
struct BlocksPending {
    peer: PeerId,
    request: RequestId,
    count: u32,
}

/// An answer ready to go out, from a serving task.
enum Served {
    Status {
        channel: ResponseChannel<StatusMessage>,
        status: StatusMessage,
    },
    Blocks {
        peer: Libp2pPeer,
        channel: ResponseChannel<Vec<Vec<u8>>>,
        /// `None`: reading the source failed; the request is dropped unanswered.
        blocks: Option<Vec<Vec<u8>>>,
    },
}

/// Serving emulation: per-peer link bandwidth and a fixed extra latency.
#[derive(Clone, Copy, Debug)]
struct Emulation {
    latency: Duration,
    bandwidth_kbps: u64,
}

impl Emulation {
    fn is_off(&self) -> bool {
        self.latency.is_zero() && self.bandwidth_kbps == 0
    }

    /// Waits until an answer of `bytes` bytes may go out on `link` (the instant the link is next free).
    async fn wait(self, link: &Mutex<Instant>, bytes: usize) {
        let now = Instant::now();
        let sent = if self.bandwidth_kbps == 0 {
            now
        } else {
            let transfer =
                Duration::from_secs_f64(bytes as f64 / (self.bandwidth_kbps as f64 * 1000.0));
            let mut free = link.lock().unwrap_or_else(PoisonError::into_inner);
            let start = (*free).max(now);
            *free = start + transfer;
            *free
        };
        tokio::time::sleep_until(sent + self.latency).await;
    }
}

/// Keeps a prefix of what the source returned that honours the protocol: at most `count` blocks, each at most
/// `max_block_bytes`, in total at most [`MAX_RESPONSE_BYTES`] unless it is a single block.
pub(super) fn sanitize(
    mut blocks: Vec<Vec<u8>>,
    count: u32,
    max_block_bytes: usize,
) -> Vec<Vec<u8>> {
    let mut total = 0usize;
    let mut keep = 0;
    for block in blocks.iter().take(count as usize) {
        if block.len() > max_block_bytes || (keep > 0 && total + block.len() > MAX_RESPONSE_BYTES) {
            break;
        }
        total += block.len();
        keep += 1;
    }
    if keep < blocks.len().min(count as usize) {
        tracing::warn!(
            "block source returned blocks outside the protocol limits; serving the first {keep} of {}",
            blocks.len()
        );
    }
    blocks.truncate(keep);
    blocks
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Maps a transport failure of an outbound request to the engine's reason.
fn failure_reason(error: &OutboundFailure) -> FailureReason {
    match error {
        OutboundFailure::Timeout => FailureReason::Timeout,
        OutboundFailure::DialFailure | OutboundFailure::ConnectionClosed => {
            FailureReason::Disconnected
        }
        OutboundFailure::UnsupportedProtocols => {
            FailureReason::Protocol("peer does not support blocks_by_range".into())
        }
        OutboundFailure::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            FailureReason::Protocol(e.to_string())
        }
        OutboundFailure::Io(_) => FailureReason::Disconnected,
    }
}

/// The swarm task's state.
pub(super) struct SwarmTask {
    swarm: Swarm<Behaviour>,
    source: Arc<dyn BlockSource>,
    shared: Arc<Shared>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<NetEvent>,
    served_tx: mpsc::UnboundedSender<Served>,
    served_rx: mpsc::UnboundedReceiver<Served>,
    chain_id: u64,
    genesis_hash: Hash32,
    max_block_bytes: usize,
    emulation: Emulation,
    /// libp2p peer → engine peer, for every peer seen.
    ids: HashMap<Libp2pPeer, PeerId>,
    /// Engine peer → libp2p peer.
    by_engine: HashMap<PeerId, Libp2pPeer>,
    next_id: u64,
    connected: HashMap<Libp2pPeer, Connected>,
    status_pending: HashMap<OutboundRequestId, StatusPending>,
    blocks_pending: HashMap<OutboundRequestId, BlocksPending>,
    /// Answers in preparation per peer.
    serving: HashMap<Libp2pPeer, usize>,
    /// Emulated serving link per peer: when it is next free.
    links: HashMap<Libp2pPeer, Arc<Mutex<Instant>>>,
    deny: DenyList,
    bootnodes: HashMap<Libp2pPeer, Bootnode>,
    /// Refused peers still connected, and when to disconnect them: not at once, as closing a connection with
    /// unread data resets it, and the peer could lose our last status message and never learn why.
    refusals: HashMap<Libp2pPeer, Instant>,
}

impl SwarmTask {
    pub(super) fn new(
        swarm: Swarm<Behaviour>,
        config: &NetworkConfig,
        source: Arc<dyn BlockSource>,
        shared: Arc<Shared>,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<NetEvent>,
    ) -> Self {
        let (served_tx, served_rx) = mpsc::unbounded_channel();
        Self {
            swarm,
            source,
            shared,
            commands,
            events,
            served_tx,
            served_rx,
            chain_id: config.chain_id,
            genesis_hash: config.genesis_hash,
            max_block_bytes: config.max_block_bytes as usize,
            emulation: Emulation {
                latency: Duration::from_millis(config.latency_ms),
                bandwidth_kbps: config.bandwidth_kbps,
            },
            ids: HashMap::new(),
            by_engine: HashMap::new(),
            next_id: 1,
            connected: HashMap::new(),
            status_pending: HashMap::new(),
            blocks_pending: HashMap::new(),
            serving: HashMap::new(),
            links: HashMap::new(),
            deny: DenyList::default(),
            bootnodes: HashMap::new(),
            refusals: HashMap::new(),
        }
    }

    /// Registers a bootnode and dials it.
    pub(super) fn add_bootnode(&mut self, peer: Libp2pPeer, addr: Multiaddr) {
        self.bootnodes.insert(
            peer,
            Bootnode {
                addr,
                backoff: REDIAL_INITIAL,
                redial_at: None,
                warned: false,
            },
        );
        self.dial(peer);
    }

    /// The event loop; returns on shutdown or when every handle is gone.
    pub(super) async fn run(mut self) {
        loop {
            let wake_at = self
                .bootnodes
                .values()
                .filter_map(|b| b.redial_at)
                .chain(self.refusals.values().copied())
                .min();
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(Command::Request(request)) => self.on_request(request),
                    Some(Command::Shutdown) | None => break,
                },
                Some(served) = self.served_rx.recv() => self.on_served(served),
                () = sleep_until_opt(wake_at) => {
                    self.redial_due();
                    self.refusals_due();
                }
            }
        }
        tracing::debug!("network task stopped");
    }

    fn emit(&self, event: NetEvent) {
        // The engine may have gone; we keep serving.
        let _ = self.events.send(event);
    }

    fn engine_id(&mut self, peer: Libp2pPeer) -> PeerId {
        if let Some(id) = self.ids.get(&peer) {
            return *id;
        }
        let id = PeerId(self.next_id);
        self.next_id += 1;
        self.ids.insert(peer, id);
        self.by_engine.insert(id, peer);
        self.shared
            .peers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, peer);
        id
    }

    fn publish_deny(&self) {
        *self
            .shared
            .denied
            .write()
            .unwrap_or_else(PoisonError::into_inner) = self.deny.snapshot();
    }

    fn local_status(&self) -> StatusMessage {
        self.source.status()
    }

    // ---- dialing ------------------------------------------------------------------------------------------------

    fn dial(&mut self, peer: Libp2pPeer) {
        let Some(boot) = self.bootnodes.get(&peer) else {
            return;
        };
        let opts = DialOpts::peer_id(peer)
            .addresses(vec![boot.addr.clone()])
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        match self.swarm.dial(opts) {
            Ok(()) | Err(DialError::DialPeerConditionFalse(_)) => {}
            Err(e) => self.dial_failed(peer, &e),
        }
    }

    fn dial_failed(&mut self, peer: Libp2pPeer, error: &DialError) {
        if let Some(boot) = self.bootnodes.get_mut(&peer)
            && !boot.warned
        {
            boot.warned = true;
            tracing::info!(
                "cannot reach bootnode {} ({error}); retrying with backoff",
                boot.addr
            );
        } else {
            tracing::debug!(%peer, "dial failed: {error}");
        }
        self.schedule_redial(peer);
    }

    fn schedule_redial(&mut self, peer: Libp2pPeer) {
        if self.deny.kind(&peer).is_some() || self.connected.contains_key(&peer) {
            return;
        }
        let Some(boot) = self.bootnodes.get_mut(&peer) else {
            return;
        };
        if boot.redial_at.is_none() {
            boot.redial_at = Some(Instant::now() + boot.backoff);
            boot.backoff = (boot.backoff * 2).min(REDIAL_MAX);
        }
    }

    /// Disconnects the refused peers whose grace period is over.
    fn refusals_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Libp2pPeer> = self
            .refusals
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in due {
            self.refusals.remove(&peer);
            if self.is_refused(&peer) {
                let _ = self.swarm.disconnect_peer_id(peer);
            }
        }
    }

    fn redial_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Libp2pPeer> = self
            .bootnodes
            .iter_mut()
            .filter(|(_, b)| b.redial_at.is_some_and(|at| at <= now))
            .map(|(p, b)| {
                b.redial_at = None;
                *p
            })
            .collect();
        for peer in due {
            if self.deny.kind(&peer).is_none() && !self.connected.contains_key(&peer) {
                self.dial(peer);
            }
        }
    }

    // ---- swarm events -------------------------------------------------------------------------------------------

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Status(event)) => self.on_status_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Blocks(event)) => self.on_blocks_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Ping(ping::Event {
                peer,
                connection,
                result: Err(ping::Failure::Timeout),
            })) => {
                tracing::debug!(%peer, "ping timed out; closing the connection");
                self.swarm.close_connection(connection);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => {
                tracing::debug!(peer = %peer_id, agent = %info.agent_version, "identified");
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                num_established,
                endpoint,
                ..
            } => self.on_connection_established(
                peer_id,
                connection_id,
                num_established.get(),
                endpoint.get_remote_address(),
            ),
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established,
                cause,
                ..
            } => {
                tracing::debug!(peer = %peer_id, ?cause, remaining = num_established, "connection closed");
                if num_established == 0 {
                    self.on_peer_disconnected(peer_id);
                }
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id: Some(peer),
                error,
                ..
            } if !matches!(error, DialError::DialPeerConditionFalse(_))
                && !self.connected.contains_key(&peer) =>
            {
                self.dial_failed(peer, &error);
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                tracing::info!("listening on {address}");
            }
            SwarmEvent::ListenerError { error, .. } => {
                tracing::warn!("listener error: {error}");
            }
            SwarmEvent::ListenerClosed {
                addresses, reason, ..
            } => {
                tracing::warn!("listener on {addresses:?} closed: {reason:?}");
            }
            _ => {}
        }
    }

    fn on_connection_established(
        &mut self,
        peer: Libp2pPeer,
        connection: ConnectionId,
        num_established: u32,
        addr: &Multiaddr,
    ) {
        tracing::debug!(%peer, ?connection, %addr, num_established, "connection established");
        if let Some(boot) = self.bootnodes.get_mut(&peer) {
            boot.redial_at = None;
            boot.warned = false;
        }
        if self.connected.contains_key(&peer) {
            return;
        }
        let id = self.engine_id(peer);
        self.connected.insert(
            peer,
            Connected {
                id,
                announced: false,
            },
        );
        self.shared
            .connected
            .store(self.connected.len(), Ordering::Relaxed);
        self.request_status(peer, true);
    }

    fn on_peer_disconnected(&mut self, peer: Libp2pPeer) {
        self.links.remove(&peer);
        self.refusals.remove(&peer);
        if let Some(state) = self.connected.remove(&peer) {
            self.shared
                .connected
                .store(self.connected.len(), Ordering::Relaxed);
            if state.announced {
                self.emit(NetEvent::PeerGone { peer: state.id });
            }
        }
        self.schedule_redial(peer);
    }

    fn request_status(&mut self, peer: Libp2pPeer, initial: bool) {
        let status = self.local_status();
        let id = self
            .swarm
            .behaviour_mut()
            .status
            .send_request(&peer, status);
        self.status_pending
            .insert(id, StatusPending { peer, initial });
    }

    /// Checks a peer's status against our chain. A foreign peer is put on the deny list (logged once), its
    /// disconnection scheduled [`REFUSAL_GRACE`] from now, and `false` returned. A peer on our chain leaves the deny
    /// list if it was there for another chain.
    fn check_status(&mut self, peer: Libp2pPeer, status: &StatusMessage) -> bool {
        if status.chain_id == self.chain_id && status.genesis_hash == self.genesis_hash {
            if self.deny.kind(&peer) == Some(DenyKind::OtherChain) {
                self.deny.remove(&peer);
                self.refusals.remove(&peer);
                self.publish_deny();
            }
            return true;
        }
        let reason = format!(
            "on chain {} (genesis {})",
            status.chain_id, status.genesis_hash
        );
        let already = self.deny.kind(&peer) == Some(DenyKind::OtherChain);
        if self.deny.insert(peer, DenyKind::OtherChain, reason.clone()) {
            self.publish_deny();
        }
        if self.connected.contains_key(&peer) {
            self.refusals
                .entry(peer)
                .or_insert_with(|| Instant::now() + REFUSAL_GRACE);
        }
        if !already {
            tracing::warn!(
                "refusing peer {peer}: it is on chain {} (genesis {}), we are on chain {} (genesis {})",
                status.chain_id,
                status.genesis_hash,
                self.chain_id,
                self.genesis_hash
            );
        }
        false
    }

    fn is_refused(&self, peer: &Libp2pPeer) -> bool {
        self.deny.kind(peer) == Some(DenyKind::OtherChain)
    }

    // ---- status protocol ----------------------------------------------------------------------------------------

    fn on_status_event(&mut self, event: request_response::Event<StatusMessage, StatusMessage>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => self.on_status_request(peer, request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => self.on_status_response(peer, request_id, response),
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let Some(pending) = self.status_pending.remove(&request_id) else {
                    return;
                };
                tracing::debug!(%peer, "status request failed: {error}");
                let unannounced = self
                    .connected
                    .get(&pending.peer)
                    .is_some_and(|c| !c.announced);
                if pending.initial && unannounced {
                    tracing::debug!(%peer, "no status from a new peer; disconnecting it");
                    let _ = self.swarm.disconnect_peer_id(pending.peer);
                }
            }
            request_response::Event::InboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %request_id, "answering a status request failed: {error}");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_status_request(
        &mut self,
        peer: Libp2pPeer,
        their_status: StatusMessage,
        channel: ResponseChannel<StatusMessage>,
    ) {
        // Answer even a foreign peer, so it learns we are on another chain and refuses us too (the connection is
        // closed after the refusal's grace period).
        if self.check_status(peer, &their_status)
            && let Some(state) = self.connected.get(&peer)
            && state.announced
        {
            let id = state.id;
            self.emit(NetEvent::Status {
                peer: id,
                status: their_status,
            });
        }
        let status = self.local_status();
        if self.emulation.is_off() {
            if self
                .swarm
                .behaviour_mut()
                .status
                .send_response(channel, status)
                .is_err()
            {
                tracing::debug!(%peer, "status request closed before the answer");
            }
            return;
        }
        let link = self.link(peer);
        let emulation = self.emulation;
        let tx = self.served_tx.clone();
        let bytes = ecsync_components::encoded_len(&status);
        tokio::spawn(async move {
            emulation.wait(&link, bytes).await;
            let _ = tx.send(Served::Status { channel, status });
        });
    }

    fn on_status_response(
        &mut self,
        peer: Libp2pPeer,
        request_id: OutboundRequestId,
        status: StatusMessage,
    ) {
        if self.status_pending.remove(&request_id).is_none() {
            return;
        }
        if !self.check_status(peer, &status) {
            return;
        }
        let Some(state) = self.connected.get_mut(&peer) else {
            return;
        };
        let id = state.id;
        if state.announced {
            self.emit(NetEvent::Status { peer: id, status });
            return;
        }
        state.announced = true;
        if let Some(boot) = self.bootnodes.get_mut(&peer) {
            boot.backoff = REDIAL_INITIAL;
        }
        tracing::debug!(%peer, engine_peer = %id, head = status.head.height, "peer connected");
        self.emit(NetEvent::PeerConnected {
            peer: id,
            label: peer.to_string(),
            status,
        });
    }

    // ---- blocks_by_range protocol -------------------------------------------------------------------------------

    fn on_blocks_event(
        &mut self,
        event: request_response::Event<BlocksByRangeRequest, Vec<Vec<u8>>>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request_id,
                    request,
                    channel,
                } => self.on_blocks_request(peer, request_id, request, channel),
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    let Some(pending) = self.blocks_pending.remove(&request_id) else {
                        return;
                    };
                    let event = if response.len() > pending.count as usize {
                        NetEvent::RequestFailed {
                            peer: pending.peer,
                            request: pending.request,
                            reason: FailureReason::Protocol(format!(
                                "{} blocks in answer to a request for {}",
                                response.len(),
                                pending.count
                            )),
                        }
                    } else {
                        NetEvent::Blocks {
                            peer: pending.peer,
                            request: pending.request,
                            blocks: response,
                        }
                    };
                    self.emit(event);
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let Some(pending) = self.blocks_pending.remove(&request_id) else {
                    return;
                };
                tracing::debug!(%peer, request = pending.request.0, "blocks_by_range failed: {error}");
                self.emit(NetEvent::RequestFailed {
                    peer: pending.peer,
                    request: pending.request,
                    reason: failure_reason(&error),
                });
            }
            request_response::Event::InboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %request_id, "serving blocks_by_range failed: {error}");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn link(&mut self, peer: Libp2pPeer) -> Arc<Mutex<Instant>> {
        self.links
            .entry(peer)
            .or_insert_with(|| Arc::new(Mutex::new(Instant::now())))
            .clone()
    }

    fn on_blocks_request(
        &mut self,
        peer: Libp2pPeer,
        request_id: InboundRequestId,
        request: BlocksByRangeRequest,
        channel: ResponseChannel<Vec<Vec<u8>>>,
    ) {
        if self.is_refused(&peer) {
            return;
        }
        let serving = self.serving.entry(peer).or_default();
        if *serving >= MAX_SERVING_PER_PEER {
            tracing::debug!(%peer, %request_id, "too many requests in progress; dropping one");
            return;
        }
        *serving += 1;
        let count = request.count.min(MAX_BLOCKS_PER_REQUEST);
        let source = self.source.clone();
        let max_block_bytes = self.max_block_bytes;
        let emulation = self.emulation;
        let link = self.link(peer);
        let tx = self.served_tx.clone();
        tokio::spawn(async move {
            let blocks = if count == 0 {
                Some(Vec::new())
            } else {
                match tokio::task::spawn_blocking(move || {
                    source.blocks(request.start, count, MAX_RESPONSE_BYTES)
                })
                .await
                {
                    Ok(blocks) => Some(sanitize(blocks, count, max_block_bytes)),
                    Err(e) => {
                        tracing::error!("block source failed serving {request:?}: {e}");
                        None
                    }
                }
            };
            if let Some(blocks) = &blocks
                && !emulation.is_off()
            {
                let bytes = super::codec::encoded_blocks_len(blocks);
                emulation.wait(&link, bytes).await;
            }
            let _ = tx.send(Served::Blocks {
                peer,
                channel,
                blocks,
            });
        });
    }

    fn on_served(&mut self, served: Served) {
        match served {
            Served::Status { channel, status } => {
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .status
                    .send_response(channel, status);
            }
            Served::Blocks {
                peer,
                channel,
                blocks,
            } => {
                if let Some(n) = self.serving.get_mut(&peer) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        self.serving.remove(&peer);
                    }
                }
                if let Some(blocks) = blocks
                    && self
                        .swarm
                        .behaviour_mut()
                        .blocks
                        .send_response(channel, blocks)
                        .is_err()
                {
                    tracing::debug!(%peer, "blocks_by_range request closed before the answer");
                }
            }
        }
    }

    // ---- engine requests ----------------------------------------------------------------------------------------

    /// The libp2p peer behind an engine peer, if connected and not being refused.
    fn reachable(&self, peer: PeerId) -> Option<Libp2pPeer> {
        self.by_engine
            .get(&peer)
            .copied()
            .filter(|p| self.connected.contains_key(p) && !self.is_refused(p))
    }

    fn on_request(&mut self, request: Request) {
        match request {
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
            } => {
                let Some(target) = self.reachable(peer) else {
                    self.emit(NetEvent::RequestFailed {
                        peer,
                        request,
                        reason: FailureReason::Disconnected,
                    });
                    return;
                };
                let id = self
                    .swarm
                    .behaviour_mut()
                    .blocks
                    .send_request(&target, BlocksByRangeRequest { start, count });
                self.blocks_pending.insert(
                    id,
                    BlocksPending {
                        peer,
                        request,
                        count,
                    },
                );
            }
            Request::Status { peer } => {
                if let Some(target) = self.reachable(peer) {
                    self.request_status(target, false);
                }
            }
            Request::Disconnect { peer, reason } => {
                let Some(&target) = self.by_engine.get(&peer) else {
                    return;
                };
                let connected = self.connected.contains_key(&target);
                let changed = if self.deny.kind(&target) == Some(DenyKind::OtherChain) {
                    false
                } else {
                    let changed = self.deny.insert(target, DenyKind::Engine, reason.clone());
                    if changed {
                        self.publish_deny();
                    }
                    changed
                };
                if connected || changed {
                    tracing::info!("disconnecting {peer} ({target}): {reason}");
                }
                if let Some(boot) = self.bootnodes.get_mut(&target) {
                    boot.redial_at = None;
                }
                if connected {
                    let _ = self.swarm.disconnect_peer_id(target);
                }
            }
        }
    }
}

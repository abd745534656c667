//! The swarm task: owns the libp2p swarm and the parts that keep per-peer state (peer table, dialer, status
//! exchange, server, fetches); the only place that touches sockets. It runs the event loop, routes each swarm
//! event and engine command to the part concerned, and is the only sender of events to the engine.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ecsync_components::{
    FailureReason, GossipVerdict, NetEvent, PeerId, Request, RequestId, StatusMessage,
};
use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId, PublishError};
use libp2p::request_response::{self, Message};
use libp2p::swarm::{ConnectionId, DialError, SwarmEvent};
use libp2p::{Multiaddr, PeerId as Libp2pPeer, identify, ping};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::behaviour::{EcsyncBehaviourEvent, EcsyncSwarm};
use super::codec::{BlocksByRangeRequest, MemberChallenge, MemberProof};
use super::consensus::{Consensus, Origin};
use super::dialer::Dialer;
use super::eviction::Usefulness;
use super::fetch::Fetches;
use super::gossip::{Gossip, acceptance};
use super::members::{Members, Verdict};
use super::peers::Peers;
use super::serving::Server;
use super::status::StatusExchange;
use super::{BlockSource, Command, DropReason, NetworkConfig, Shared};
use ecsync_systems::consensus::Authorities;

/// The swarm task's state.
pub(super) struct SwarmTask {
    /// The libp2p swarm.
    swarm: EcsyncSwarm,
    /// What the handles ask.
    commands: mpsc::Receiver<Command>,
    /// Where events for the engine go (never waited on: full means dropped).
    events: mpsc::Sender<NetEvent>,
    /// What the handles read (the dropped-event count, here).
    shared: Arc<Shared>,
    /// Engine ids and connected peers.
    peers: Peers,
    /// Bootnodes, deny list, refusals.
    dialer: Dialer,
    /// Our status requests and the check of peers' status.
    status: StatusExchange,
    /// Answers to peers' requests.
    server: Server,
    /// The engine's blocks_by_range requests in flight.
    fetches: Fetches,
    /// Proposals and votes between members, and what of theirs waits for the engine.
    consensus: Consensus,
    /// The block topic and the gossiped blocks waiting for the engine's verdict.
    gossip: Gossip,
    /// Which peers proved they are federation members; our own proofs.
    members: Members,
    /// What each connected peer did for us, to choose whom to evict at the connection limit.
    usefulness: Usefulness,
    /// Established connections beyond which a newcomer evicts an unreserved peer.
    max_connections: usize,
    /// Breaks exact ties in eviction; keys the netgroups.
    rng: rand::rngs::StdRng,
}

impl SwarmTask {
    /// A task driving `swarm` for `config`, serving from `source`, publishing to `shared`, reading `commands` and
    /// sending `events`.
    pub(super) fn new(
        swarm: EcsyncSwarm,
        config: &NetworkConfig,
        source: Arc<dyn BlockSource>,
        authorities: Arc<Authorities>,
        shared: Arc<Shared>,
        commands: mpsc::Receiver<Command>,
        events: mpsc::Sender<NetEvent>,
    ) -> Self {
        let gossip = Gossip::new(config.chain_id, &config.genesis_hash);
        let mut swarm = swarm;
        if let Err(e) = swarm.behaviour_mut().gossipsub.subscribe(&gossip.topic) {
            tracing::warn!("cannot subscribe to {}: {e}", gossip.topic);
        }
        let members = Members::new(
            config.chain_id,
            config.genesis_hash,
            *swarm.local_peer_id(),
            config.member_keys.clone(),
            authorities,
            shared.clone(),
        );
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
        Self {
            gossip,
            members,
            usefulness: Usefulness::new(&mut rng),
            max_connections: config.limits.max_connections as usize,
            rng,
            swarm,
            commands,
            events,
            peers: Peers::new(shared.clone()),
            dialer: Dialer::new(shared.clone()),
            status: StatusExchange::new(config, source.clone()),
            server: Server::new(config, source, shared.clone()),
            shared: shared.clone(),
            fetches: Fetches::default(),
            consensus: Consensus::new(config.max_block_bytes, shared),
        }
    }

    /// Registers a bootnode and dials it.
    pub(super) fn add_bootnode(&mut self, peer: Libp2pPeer, addr: Multiaddr) {
        self.dialer
            .add_bootnode(&mut self.swarm, &self.peers, peer, addr);
    }

    /// The event loop; returns on shutdown or when every handle is gone.
    pub(super) async fn run(mut self) {
        loop {
            let wake_at = self.dialer.wake_at();
            let write_deadline = self.server.next_deadline();
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(Command::Request(request)) => self.on_request(request),
                    Some(Command::Ban(ban)) => self.dialer.on_ban_command(&mut self.swarm, &self.peers, ban),
                    Some(Command::Shutdown) | None => break,
                },
                Some(served) = self.server.next_served() => self.server.on_served(&mut self.swarm, served),
                () = sleep_until_opt(wake_at) => self.dialer.due(&mut self.swarm, &self.peers),
                () = sleep_until_opt(write_deadline) => self.server.on_deadline(&mut self.swarm),
            }
        }
        tracing::debug!("network task stopped");
    }

    /// Sends `event` (if any) to the engine, without waiting: when the channel is full the event is dropped and
    /// counted (a dropped answer times out at the engine; a dropped status is superseded by the next).
    fn emit(&self, event: impl Into<Option<NetEvent>>) {
        if let Some(event) = event.into() {
            self.try_emit(event);
        }
    }

    /// Sends `event` to the engine without waiting; whether it went.
    fn try_emit(&self, event: NetEvent) -> bool {
        match self.events.try_send(event) {
            Ok(()) => {
                self.consensus.count_sent();
                true
            }
            Err(mpsc::error::TrySendError::Full(event)) => {
                tracing::debug!(
                    ?event,
                    "the engine's event channel is full; dropping an event"
                );
                self.shared.events_dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
            // The engine has gone; we keep serving.
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    // ---- swarm events -------------------------------------------------------------------------------------------

    /// Routes a swarm event.
    fn on_swarm_event(&mut self, event: SwarmEvent<EcsyncBehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
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
                self.usefulness.on_closed(&peer_id, num_established);
                if num_established == 0 {
                    self.on_peer_disconnected(peer_id);
                }
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id: Some(peer),
                error,
                ..
            } if !matches!(error, DialError::DialPeerConditionFalse(_))
                && !self.peers.is_connected(&peer) =>
            {
                self.dialer.dial_failed(&self.peers, peer, &error);
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

    /// Routes an event of one of our behaviours.
    fn on_behaviour_event(&mut self, event: EcsyncBehaviourEvent) {
        match event {
            EcsyncBehaviourEvent::Status(event) => self.on_status_event(event),
            EcsyncBehaviourEvent::Blocks(event) => self.on_blocks_event(event),
            EcsyncBehaviourEvent::Member(event) => self.on_member_event(event),
            EcsyncBehaviourEvent::Consensus(event) => {
                let who = |p: &Libp2pPeer| Origin::of(p, &self.members, &self.peers, &self.dialer);
                self.consensus
                    .on_event(&mut self.swarm, &self.events, event, who);
            }
            EcsyncBehaviourEvent::Gossipsub(event) => self.on_gossip_event(event),
            EcsyncBehaviourEvent::Ping(ping::Event {
                peer,
                result: Ok(rtt),
                ..
            }) => self.usefulness.on_ping(&peer, rtt),
            EcsyncBehaviourEvent::Ping(ping::Event {
                peer,
                connection,
                result: Err(ping::Failure::Timeout),
            }) => {
                tracing::debug!(%peer, "ping timed out; closing the connection");
                self.swarm.close_connection(connection);
            }
            EcsyncBehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                tracing::debug!(peer = %peer_id, agent = %info.agent_version, "identified");
                self.dialer.learn(peer_id, &info.listen_addrs);
            }
            EcsyncBehaviourEvent::Ping(_) | EcsyncBehaviourEvent::Identify(_) => {}
        }
    }

    /// A connection opened: a peer's first one gets an engine id and a status request.
    fn on_connection_established(
        &mut self,
        peer: Libp2pPeer,
        connection: ConnectionId,
        num_established: u32,
        addr: &Multiaddr,
    ) {
        tracing::debug!(%peer, ?connection, %addr, num_established, "connection established");
        if self.dialer.refuse_banned(&mut self.swarm, peer, connection) {
            return;
        }
        self.usefulness.on_connected(peer, addr, Instant::now());
        if !self.make_room(peer, connection) {
            return;
        }
        self.dialer.on_connected(&peer);
        if self.peers.connect(peer) {
            self.status.request(&mut self.swarm, peer, true);
            self.members.connected(&mut self.swarm, peer);
        }
    }

    /// Keeps established connections at `max_connections`: when `newcomer`'s connection takes the node above it,
    /// an unreserved peer chosen by `eviction.rs` is disconnected; with none to choose, the newcomer's connection is
    /// closed instead (and `false` returned). Reserved: proven members and configured peers.
    fn make_room(&mut self, newcomer: Libp2pPeer, connection: ConnectionId) -> bool {
        let established = self
            .swarm
            .network_info()
            .connection_counters()
            .num_established() as usize;
        if established <= self.max_connections {
            return true;
        }
        self.shared.evicted.fetch_add(1, Ordering::Relaxed);
        let (members, dialer) = (&self.members, &self.dialer);
        let reserved = |p: &Libp2pPeer| members.is_member(p) || dialer.is_configured(p);
        match self.usefulness.victim(&newcomer, reserved, &mut self.rng) {
            Some(victim) => {
                tracing::debug!(%victim, %newcomer, established, "at the connection limit: evicting a peer");
                self.usefulness.on_disconnected(&victim);
                let _ = self.swarm.disconnect_peer_id(victim);
                true
            }
            None => {
                tracing::debug!(%newcomer, established, "at the connection limit and nobody may go: closing the newcomer");
                self.swarm.close_connection(connection);
                false
            }
        }
    }

    /// `peer`'s last connection closed: the engine hears `PeerGone` if it was announced; a bootnode is redialed.
    fn on_peer_disconnected(&mut self, peer: Libp2pPeer) {
        self.server.forget(&peer);
        self.consensus.forget(&peer);
        self.members.disconnected(&peer);
        if let Some(state) = self.peers.disconnect(&peer)
            && state.announced
        {
            self.emit(NetEvent::PeerGone { peer: state.id });
        }
        self.dialer.on_disconnected(&self.peers, peer);
    }

    // ---- request-response protocols -----------------------------------------------------------------------------

    /// Routes a status protocol event: peers' requests are checked, then answered by the server.
    fn on_status_event(&mut self, event: request_response::Event<StatusMessage, StatusMessage>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                Message::Request {
                    request, channel, ..
                } => {
                    // Banned, or over its rate: dropped unread (the channel closes the stream).
                    if self.dialer.is_banned(&peer) || !self.server.allow_status(peer) {
                        return;
                    }
                    let event = self.status.on_their_request(
                        &mut self.dialer,
                        &mut self.peers,
                        peer,
                        request,
                    );
                    self.emit(event);
                    self.server.answer_status(&mut self.swarm, peer, channel);
                    self.after_status(peer);
                }
                Message::Response {
                    request_id,
                    response,
                } => {
                    let event = self.status.on_response(
                        &mut self.dialer,
                        &mut self.peers,
                        peer,
                        request_id,
                        response,
                    );
                    let connected = matches!(event, Some(NetEvent::PeerConnected { .. }));
                    self.emit(event);
                    if connected {
                        self.announce_member(peer);
                    }
                    self.after_status(peer);
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                if self
                    .status
                    .on_failure(&mut self.swarm, &self.peers, peer, request_id, &error)
                {
                    self.peers.count_no_status();
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

    /// Routes a blocks_by_range event: peers' requests go to the server if the peer's status passed our check and
    /// it is not on the deny list (otherwise they are dropped), answers to ours and their failures to the fetches;
    /// the server hears when its answers are written or failed.
    fn on_blocks_event(
        &mut self,
        event: request_response::Event<BlocksByRangeRequest, Vec<bytes::Bytes>>,
    ) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                Message::Request {
                    request_id,
                    request,
                    channel,
                } => {
                    if self.server.faults().disconnect_on_request() {
                        let _ = self.swarm.disconnect_peer_id(peer);
                    } else if self.dialer.is_denied(&peer) {
                        self.server.dropped(&peer, DropReason::Denied);
                    } else if !self.peers.is_checked(&peer) {
                        self.server.dropped(&peer, DropReason::Unchecked);
                    } else {
                        self.server
                            .answer_blocks(peer, request_id, request, channel);
                    }
                }
                Message::Response {
                    request_id,
                    response,
                } => {
                    if !response.is_empty() {
                        self.usefulness.on_blocks(&peer, Instant::now());
                    }
                    let event = self.fetches.on_response(request_id, response);
                    self.emit(event);
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                let event = self.fetches.on_failure(peer, request_id, &error);
                self.emit(event);
            }
            request_response::Event::InboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %request_id, "serving blocks_by_range failed: {error}");
                self.server.on_answer_done(request_id);
            }
            request_response::Event::ResponseSent { request_id, .. } => {
                self.server.on_answer_done(request_id);
            }
        }
    }

    // ---- federation members -------------------------------------------------------------------------------------

    /// Routes a member protocol event: peers' challenges are answered (`members.rs` decides), proofs of ours
    /// verified; a proven member is announced to the engine, a false one disconnected and denied.
    fn on_member_event(&mut self, event: request_response::Event<MemberChallenge, MemberProof>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                Message::Request {
                    request, channel, ..
                } => {
                    let trusted = self.members.is_member(&peer) || self.dialer.is_configured(&peer);
                    self.members
                        .on_challenge(&mut self.swarm, peer, request, channel, trusted);
                }
                Message::Response {
                    request_id,
                    response,
                } => {
                    if let Some((peer, verdict)) = self.members.on_proof(request_id, response) {
                        self.on_verdict(peer, verdict);
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, "membership challenge failed: {error}");
                self.members.on_failure(request_id);
            }
            request_response::Event::InboundFailure { .. }
            | request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// What `peer`'s membership proof showed.
    fn on_verdict(&mut self, peer: Libp2pPeer, verdict: Verdict) {
        match verdict {
            Verdict::Member(authorities) => {
                tracing::info!(%peer, authorities = format!("{authorities:#x}"), "a federation member connected");
                self.announce_member(peer);
            }
            Verdict::Invalid(reason) => {
                self.shared.false_members.fetch_add(1, Ordering::Relaxed);
                tracing::info!(%peer, "disconnecting a peer: {reason}");
                self.dialer.deny_by_engine(peer, reason);
                let _ = self.swarm.disconnect_peer_id(peer);
            }
            Verdict::NotMember | Verdict::Deferred => {}
        }
    }

    /// Tells the engine that `peer` is a proven member, once it is both proven and announced.
    fn announce_member(&mut self, peer: Libp2pPeer) {
        let authorities = self.members.authorities(&peer);
        if authorities == 0 {
            return;
        }
        if let Some(id) = self.peers.announced(&peer) {
            self.emit(NetEvent::PeerAuthenticated {
                peer: id,
                authorities,
            });
        }
    }

    /// After a status from `peer` passed or failed: a membership challenge that failed is asked again.
    fn after_status(&mut self, peer: Libp2pPeer) {
        if self.peers.is_checked(&peer) {
            self.members.retry(&mut self.swarm, peer);
        }
    }

    // ---- block gossip -------------------------------------------------------------------------------------------

    /// A gossipsub event: a block from a peer the engine knows goes to the engine for its verdict (bounded, see
    /// `gossip.rs`); from a peer it does not know, or beyond the bound, it is ignored at once.
    fn on_gossip_event(&mut self, event: gossipsub::Event) {
        let gossipsub::Event::Message {
            propagation_source,
            message_id,
            message,
        } = event
        else {
            if let gossipsub::Event::Subscribed { peer_id, topic, .. } = &event {
                tracing::debug!(peer = %peer_id, %topic, "subscribed");
            }
            return;
        };
        let now = Instant::now();
        for (message, source) in self.gossip.expired(now) {
            tracing::debug!(%source, %message, "no verdict in time; ignoring a gossiped block");
            self.report(&message, &source, MessageAcceptance::Ignore);
        }
        let known = self
            .peers
            .announced(&propagation_source)
            .filter(|_| !self.dialer.is_denied(&propagation_source));
        let Some(peer) = known else {
            tracing::debug!(source = %propagation_source, "gossip from a peer the engine does not know; ignored");
            self.report(&message_id, &propagation_source, MessageAcceptance::Ignore);
            return;
        };
        let Some(id) = self
            .gossip
            .admit(message_id.clone(), propagation_source, now)
        else {
            tracing::debug!(
                waiting = self.gossip.waiting(),
                "too many gossiped blocks waiting; ignored"
            );
            self.report(&message_id, &propagation_source, MessageAcceptance::Ignore);
            return;
        };
        let event = NetEvent::GossipBlock {
            peer,
            id,
            bytes: message.data,
        };
        if !self.try_emit(event) {
            self.gossip.take(id);
            self.report(&message_id, &propagation_source, MessageAcceptance::Ignore);
        }
    }

    /// Reports a verdict on `message` from `source` to gossipsub.
    fn report(&mut self, message: &MessageId, source: &Libp2pPeer, verdict: MessageAcceptance) {
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(message, source, verdict);
    }

    /// The engine's verdict on gossiped block `id` (unknown when it expired meanwhile: nothing to do).
    fn gossip_verdict(&mut self, id: u64, verdict: GossipVerdict) {
        if let Some((message, source)) = self.gossip.take(id) {
            if verdict == GossipVerdict::Accept {
                self.usefulness.on_gossip_accepted(&source, Instant::now());
            }
            self.report(&message, &source, acceptance(verdict));
        }
    }

    /// Publishes a block this node produced. No peer on the topic (yet), or the same block published before,
    /// is not an error: the block is served by range sync anyway.
    fn publish(&mut self, bytes: Vec<u8>) {
        let topic = self.gossip.topic.clone();
        match self.swarm.behaviour_mut().gossipsub.publish(topic, bytes) {
            Ok(id) => tracing::debug!(message = %id, "published a block"),
            Err(e @ (PublishError::NoPeersSubscribedToTopic | PublishError::Duplicate)) => {
                tracing::debug!("block not published: {e}");
            }
            Err(e) => tracing::warn!("block not published: {e}"),
        }
    }

    // ---- engine requests ----------------------------------------------------------------------------------------

    /// The libp2p peer behind an engine peer, if connected and not being refused.
    fn reachable(&self, peer: PeerId) -> Option<Libp2pPeer> {
        self.peers
            .libp2p_peer(peer)
            .filter(|p| self.peers.is_connected(p) && !self.dialer.is_refused(p))
    }

    /// Carries out an engine request.
    fn on_request(&mut self, request: Request) {
        match request {
            Request::BlocksByRange {
                peer,
                request,
                start,
                count,
                max_bytes,
            } => self.fetch(
                peer,
                request,
                BlocksByRangeRequest {
                    start,
                    count,
                    max_bytes,
                },
            ),
            Request::Status { peer } => {
                if let Some(target) = self.reachable(peer) {
                    self.status.request(&mut self.swarm, target, false);
                }
            }
            Request::Disconnect { peer, reason, ban } => self.disconnect(peer, reason, ban),
            Request::GossipVerdict { id, verdict } => self.gossip_verdict(id, verdict),
            Request::PublishBlock { bytes } => self.publish(bytes),
            Request::SendConsensus { peer, messages } => match self.reachable(peer) {
                Some(target) => self.consensus.send(&mut self.swarm, target, messages),
                None => {
                    tracing::debug!(%peer, "consensus messages for a peer not connected: dropped")
                }
            },
        }
    }

    /// Sends the engine's blocks_by_range `request` to `peer`; fails it at once if the peer is not reachable.
    fn fetch(&mut self, peer: PeerId, request: RequestId, range: BlocksByRangeRequest) {
        match self.reachable(peer) {
            Some(target) => self
                .fetches
                .send(&mut self.swarm, target, peer, request, range),
            None => self.emit(NetEvent::RequestFailed {
                peer,
                request,
                reason: FailureReason::Disconnected,
            }),
        }
    }

    /// Disconnects engine peer `peer` at the engine's request; a banned one goes on the deny list (never
    /// redialed), another may be redialed like any known peer.
    fn disconnect(&mut self, peer: PeerId, reason: String, ban: bool) {
        let Some(target) = self.peers.libp2p_peer(peer) else {
            return;
        };
        let connected = self.peers.is_connected(&target);
        let changed = ban && self.dialer.deny_by_engine(target, reason.clone());
        if connected || changed {
            tracing::info!("disconnecting {peer} ({target}): {reason}");
        } else {
            // It left first (e.g. it closed the connection under a request): still one line per peer sent away.
            tracing::info!("sending away {peer} ({target}), already disconnected: {reason}");
        }
        if connected {
            let _ = self.swarm.disconnect_peer_id(target);
        }
    }
}

/// Sleeps until `at`, or forever if `None`.
async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

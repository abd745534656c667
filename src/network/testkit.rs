//! A bare libp2p peer that speaks ecsync's protocols by hand, for tests of how a node treats peers that do not
//! behave (behind the `test-utils` feature). A [`RawPeer`] can answer status requests or sit on them, read the
//! answers to its blocks_by_range requests or never read them (its codec's `read_response` never completes, so
//! the server's writes stall once the stream's window is full), and answer blocks requests with fixed blocks
//! whatever they ask (a server that ignores `max_bytes`). It can also open a new connection and tell whether the
//! other side admitted it ([`RawPeer::open_connection`]), for tests of connection limits.

use std::time::Duration;

use ecsync_components::StatusMessage;
use libp2p::futures::{AsyncRead, AsyncWrite, StreamExt};
use libp2p::request_response::{
    self, Message, OutboundRequestId, ProtocolSupport, ResponseChannel,
};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId as Libp2pPeer, StreamProtocol, Swarm, identify, noise, tcp, yamux};

use super::codec::{
    BlocksByRangeRequest, BlocksCodec, MemberChallenge, MemberCodec, MemberProof, StatusCodec,
};
use super::{
    BLOCKS_BY_RANGE_PROTOCOL, IDENTIFY_PROTOCOL_VERSION, MEMBER_PROTOCOL, STATUS_PROTOCOL,
};
use ecsync_components::Hash32;
use ecsync_systems::consensus::{MemberKeys, membership_message};
use std::sync::Arc;

/// The blocks codec of a [`RawPeer`]: ecsync's, except that a peer that does not read answers never reads them.
#[derive(Clone, Copy, Debug)]
pub struct RawBlocksCodec {
    /// ecsync's codec.
    inner: BlocksCodec,
    /// Whether answers are read at all.
    read_answers: bool,
}

impl request_response::Codec for RawBlocksCodec {
    type Protocol = StreamProtocol;
    type Request = BlocksByRangeRequest;
    type Response = Vec<Vec<u8>>;

    async fn read_request<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<BlocksByRangeRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.inner.read_request(p, io).await
    }

    async fn read_response<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
    ) -> std::io::Result<Vec<Vec<u8>>>
    where
        T: AsyncRead + Unpin + Send,
    {
        if !self.read_answers {
            std::future::pending::<()>().await;
        }
        let blocks = self.inner.read_response(p, io).await?;
        Ok(blocks.into_iter().map(Vec::from).collect())
    }

    async fn write_request<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
        request: BlocksByRangeRequest,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.inner.write_request(p, io, request).await
    }

    async fn write_response<T>(
        &mut self,
        p: &StreamProtocol,
        io: &mut T,
        response: Vec<Vec<u8>>,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let response = response.into_iter().map(bytes::Bytes::from).collect();
        self.inner.write_response(p, io, response).await
    }
}

/// A [`RawPeer`]'s behaviours.
#[derive(NetworkBehaviour)]
struct RawBehaviour {
    /// Tells us the other side's agent version.
    identify: identify::Behaviour,
    /// The status exchange.
    status: request_response::Behaviour<StatusCodec>,
    /// blocks_by_range.
    blocks: request_response::Behaviour<RawBlocksCodec>,
    /// Membership challenges (answered as [`RawPeerConfig::member`] says).
    member: request_response::Behaviour<MemberCodec>,
}

/// How a [`RawPeer`] answers membership challenges: as a member holding `keys` of the chain `chain_id` /
/// `genesis` (a valid proof), or with a proof by `keys` over the wrong message (`forge`: a false claim).
#[derive(Clone)]
pub struct RawMember {
    /// The authority keys it holds.
    pub keys: Arc<MemberKeys>,
    /// The chain id bound into proofs.
    pub chain_id: u64,
    /// The genesis hash bound into proofs.
    pub genesis: Hash32,
    /// Sign a wrong message (a proof that does not verify).
    pub forge: bool,
}

impl std::fmt::Debug for RawMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawMember")
            .field("authorities", &self.keys.authorities())
            .field("forge", &self.forge)
            .finish()
    }
}

/// How a [`RawPeer`] behaves.
#[derive(Clone, Debug)]
pub struct RawPeerConfig {
    /// The status it sends and answers with.
    pub status: StatusMessage,
    /// Whether it answers status requests (otherwise it holds them unanswered).
    pub answer_status: bool,
    /// Whether it reads the answers to its blocks_by_range requests.
    pub read_answers: bool,
    /// What it answers any blocks_by_range request with (`None`: such requests are held unanswered).
    pub serve: Option<Vec<Vec<u8>>>,
    /// Largest block it accepts in an answer.
    pub max_block_bytes: u32,
    /// Whether it proves membership when challenged (`None`: it says it is no member).
    pub member: Option<RawMember>,
}

impl RawPeerConfig {
    /// A peer on `status`'s chain that answers status requests, reads answers and serves nothing.
    pub fn new(status: StatusMessage) -> Self {
        Self {
            status,
            answer_status: true,
            read_answers: true,
            serve: None,
            max_block_bytes: 1 << 20,
            member: None,
        }
    }
}

/// What a [`RawPeer`] saw.
#[derive(Debug)]
pub enum RawEvent {
    /// A connection to `peer` is open.
    Connected(Libp2pPeer),
    /// The last connection to `peer` closed.
    Disconnected(Libp2pPeer),
    /// The answer to our status request.
    Status(StatusMessage),
    /// Our status request failed.
    StatusFailed(String),
    /// The answer to a blocks_by_range request.
    Blocks(OutboundRequestId, Vec<Vec<u8>>),
    /// A blocks_by_range request failed (dropped by the server, refused by our codec, ...).
    BlocksFailed(OutboundRequestId, String),
    /// Identify told us the other side's agent version.
    Agent(String),
    /// Something else.
    Other,
}

/// What the other side did with a connection a [`RawPeer`] opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// It answered identify over the connection: it runs its protocols there.
    Admitted,
    /// It closed the connection before answering anything, or the dial failed (why, as libp2p tells it).
    Refused(String),
}

/// A bare libp2p peer speaking ecsync's protocols (see the module doc).
pub struct RawPeer {
    /// The swarm.
    swarm: Swarm<RawBehaviour>,
    /// How it behaves.
    config: RawPeerConfig,
    /// Status requests held unanswered.
    held_status: Vec<ResponseChannel<StatusMessage>>,
    /// blocks_by_range requests held unanswered.
    held_blocks: Vec<ResponseChannel<Vec<Vec<u8>>>>,
    /// The agent version identify last reported (kept, as the helpers skip events they do not wait for).
    agent: Option<String>,
}

impl RawPeer {
    /// A new identity behaving as `config` says. Its own requests never time out (an hour): a request whose
    /// answer it does not read stays open. Call inside a tokio runtime.
    pub fn new(config: RawPeerConfig) -> anyhow::Result<Self> {
        let rr = request_response::Config::default()
            .with_request_timeout(Duration::from_secs(3600))
            .with_max_concurrent_streams(super::MAX_CONCURRENT_STREAMS);
        let codec = RawBlocksCodec {
            inner: BlocksCodec::new(config.max_block_bytes),
            read_answers: config.read_answers,
        };
        let swarm = libp2p::SwarmBuilder::with_new_identity()
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )?
            .with_behaviour(|key| RawBehaviour {
                identify: identify::Behaviour::new(identify::Config::new(
                    IDENTIFY_PROTOCOL_VERSION.to_string(),
                    key.public(),
                )),
                status: request_response::Behaviour::with_codec(
                    StatusCodec,
                    [(StreamProtocol::new(STATUS_PROTOCOL), ProtocolSupport::Full)],
                    rr.clone(),
                ),
                blocks: request_response::Behaviour::with_codec(
                    codec,
                    [(
                        StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL),
                        ProtocolSupport::Full,
                    )],
                    rr.clone(),
                ),
                member: request_response::Behaviour::with_codec(
                    MemberCodec,
                    [(StreamProtocol::new(MEMBER_PROTOCOL), ProtocolSupport::Full)],
                    rr,
                ),
            })?
            .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
            .build();
        Ok(Self {
            swarm,
            config,
            held_status: Vec::new(),
            held_blocks: Vec::new(),
            agent: None,
        })
    }

    /// The agent version the other side last reported through identify.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// Its peer id.
    pub fn peer_id(&self) -> Libp2pPeer {
        *self.swarm.local_peer_id()
    }

    /// Listens on 127.0.0.1 (a free port) and returns the address with `/p2p/<peer id>`.
    pub async fn listen(&mut self) -> anyhow::Result<Multiaddr> {
        self.swarm.listen_on("/ip4/127.0.0.1/tcp/0".parse()?)?;
        loop {
            if let SwarmEvent::NewListenAddr { address, .. } = self.swarm.select_next_some().await {
                return Ok(address.with(libp2p::multiaddr::Protocol::P2p(self.peer_id())));
            }
        }
    }

    /// Dials `addr` (with `/p2p/<peer id>`) and drives the swarm until the connection is open.
    pub async fn connect(&mut self, addr: Multiaddr) -> anyhow::Result<Libp2pPeer> {
        self.swarm.dial(addr)?;
        loop {
            if let RawEvent::Connected(peer) = self.next_event().await {
                return Ok(peer);
            }
        }
    }

    /// Opens a NEW connection to `peer` at `addr` (even if one is open already) and drives the swarm until the
    /// other side admits it (answers identify over it) or refuses it (closes it first, or the dial fails). Both
    /// are events: nothing is judged by how long the connection stays.
    pub async fn open_connection(
        &mut self,
        peer: Libp2pPeer,
        addr: Multiaddr,
    ) -> anyhow::Result<Admission> {
        let opts = DialOpts::peer_id(peer)
            .addresses(vec![addr])
            .condition(PeerCondition::Always)
            .build();
        let id = opts.connection_id();
        self.swarm.dial(opts)?;
        loop {
            let event = self.swarm.select_next_some().await;
            let outcome = match &event {
                SwarmEvent::Behaviour(RawBehaviourEvent::Identify(identify::Event::Received {
                    connection_id,
                    ..
                })) if *connection_id == id => Some(Admission::Admitted),
                SwarmEvent::ConnectionClosed {
                    connection_id,
                    cause,
                    ..
                } if *connection_id == id => Some(Admission::Refused(format!("closed: {cause:?}"))),
                SwarmEvent::OutgoingConnectionError {
                    connection_id,
                    error,
                    ..
                } if *connection_id == id => Some(Admission::Refused(error.to_string())),
                _ => None,
            };
            self.on_event(event);
            if let Some(outcome) = outcome {
                return Ok(outcome);
            }
        }
    }

    /// Sends our status to `peer` and drives the swarm until it answers: once it has, our status passed its
    /// check (it checks a request's status before answering).
    pub async fn status_check(&mut self, peer: Libp2pPeer) -> anyhow::Result<StatusMessage> {
        self.swarm
            .behaviour_mut()
            .status
            .send_request(&peer, self.config.status.clone());
        loop {
            match self.next_event().await {
                RawEvent::Status(status) => return Ok(status),
                RawEvent::StatusFailed(e) => anyhow::bail!("status request failed: {e}"),
                _ => {}
            }
        }
    }

    /// Sends a status request without waiting for the answer.
    pub fn send_status(&mut self, peer: Libp2pPeer) {
        self.swarm
            .behaviour_mut()
            .status
            .send_request(&peer, self.config.status.clone());
    }

    /// Sends a blocks_by_range request (the swarm must be driven for it to go out).
    pub fn request_blocks(
        &mut self,
        peer: Libp2pPeer,
        start: u64,
        count: u32,
        max_bytes: u32,
    ) -> OutboundRequestId {
        self.swarm.behaviour_mut().blocks.send_request(
            &peer,
            BlocksByRangeRequest {
                start,
                count,
                max_bytes,
            },
        )
    }

    /// Drives the swarm until its last connection to `peer` closes.
    pub async fn disconnected(&mut self, peer: Libp2pPeer) {
        loop {
            if let RawEvent::Disconnected(gone) = self.next_event().await
                && gone == peer
            {
                return;
            }
        }
    }

    /// Our answer to a membership challenge.
    fn member_proof(&self, challenge: &MemberChallenge) -> MemberProof {
        let proof = self.config.member.as_ref().map(|m| {
            let mut nonce = challenge.nonce;
            if m.forge {
                nonce[0] ^= 1;
            }
            let message =
                membership_message(m.chain_id, &m.genesis, &self.peer_id().to_bytes(), &nonce);
            m.keys.prove_membership(&message)
        });
        MemberProof { proof }
    }

    /// Drives the swarm until something happens, answering (or holding) the requests it receives.
    pub async fn next_event(&mut self) -> RawEvent {
        let event = self.swarm.select_next_some().await;
        self.on_event(event)
    }

    /// Drives the swarm for ever (spawn it: the peer stays connected, and never reads answers if so configured).
    pub async fn run(mut self) {
        loop {
            self.next_event().await;
        }
    }

    /// Handles one swarm event.
    fn on_event(&mut self, event: SwarmEvent<RawBehaviourEvent>) -> RawEvent {
        match event {
            SwarmEvent::ConnectionEstablished { peer_id, .. } => RawEvent::Connected(peer_id),
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => RawEvent::Disconnected(peer_id),
            SwarmEvent::Behaviour(RawBehaviourEvent::Identify(identify::Event::Received {
                info,
                ..
            })) => {
                self.agent = Some(info.agent_version.clone());
                RawEvent::Agent(info.agent_version)
            }
            SwarmEvent::Behaviour(RawBehaviourEvent::Status(event)) => self.on_status(event),
            SwarmEvent::Behaviour(RawBehaviourEvent::Blocks(event)) => self.on_blocks(event),
            SwarmEvent::Behaviour(RawBehaviourEvent::Member(
                request_response::Event::Message {
                    message:
                        Message::Request {
                            request, channel, ..
                        },
                    ..
                },
            )) => {
                let proof = self.member_proof(&request);
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .member
                    .send_response(channel, proof);
                RawEvent::Other
            }
            _ => RawEvent::Other,
        }
    }

    /// A status protocol event: a request answered (or held), an answer or failure of ours.
    fn on_status(
        &mut self,
        event: request_response::Event<StatusMessage, StatusMessage>,
    ) -> RawEvent {
        use request_response::Event;
        match event {
            Event::Message {
                message: Message::Request { channel, .. },
                ..
            } => {
                if self.config.answer_status {
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .status
                        .send_response(channel, self.config.status.clone());
                } else {
                    self.held_status.push(channel);
                }
                RawEvent::Other
            }
            Event::Message {
                message: Message::Response { response, .. },
                ..
            } => RawEvent::Status(response),
            Event::OutboundFailure { error, .. } => RawEvent::StatusFailed(error.to_string()),
            _ => RawEvent::Other,
        }
    }

    /// A blocks_by_range event: a request served (or held), an answer or failure of ours.
    fn on_blocks(
        &mut self,
        event: request_response::Event<BlocksByRangeRequest, Vec<Vec<u8>>>,
    ) -> RawEvent {
        use request_response::Event;
        match event {
            Event::Message {
                message: Message::Request { channel, .. },
                ..
            } => {
                match &self.config.serve {
                    Some(blocks) => {
                        let _ = self
                            .swarm
                            .behaviour_mut()
                            .blocks
                            .send_response(channel, blocks.clone());
                    }
                    None => self.held_blocks.push(channel),
                }
                RawEvent::Other
            }
            Event::Message {
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => RawEvent::Blocks(request_id, response),
            Event::OutboundFailure {
                request_id, error, ..
            } => RawEvent::BlocksFailed(request_id, error.to_string()),
            _ => RawEvent::Other,
        }
    }
}

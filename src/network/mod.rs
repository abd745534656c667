//! The network adapter: libp2p on one side, the engine's [`NetEvent`]s and [`Request`]s on the other.
//!
//! The engine never touches a socket. [`Network::start`] binds, dials the bootnodes and spawns ONE swarm task; the
//! engine reads [`NetEvent`]s from the returned receiver and hands [`Request`]s to [`NetworkHandle::send`].
//!
//! - Transport: TCP + noise + yamux. Behaviours: identify, ping, and four request-response protocols,
//!   [`STATUS_PROTOCOL`], [`BLOCKS_BY_RANGE_PROTOCOL`], [`MEMBER_PROTOCOL`] and [`CONSENSUS_PROTOCOL`], framed
//!   and capped as described in [`codec`].
//! - Gossip: blocks on the chain's gossipsub topic ([`topic_name`]), handed to the engine as
//!   [`NetEvent::GossipBlock`] and forwarded only after its `Request::GossipVerdict` accepts them (bounded: see
//!   `gossip.rs`); `Request::PublishBlock` publishes a block this node produced.
//! - Consensus: members' proposals and votes on [`CONSENSUS_PROTOCOL`], acked at once and handed to the engine as
//!   [`NetEvent::Consensus`] (only from proven members; bounded per peer and in all: `consensus.rs`);
//!   `Request::SendConsensus` sends them.
//! - Peers: each libp2p peer id gets an engine [`PeerId`] for the lifetime of the process. On a peer's first
//!   connection we ask for its status (our request carries our own status). A peer on another chain (chain id or
//!   genesis hash), seen in its answer or in its own request, is refused with ONE warning line, nothing about it
//!   reaches the engine, and it is disconnected [`REFUSAL_GRACE`] later (so the status messages in flight both ways
//!   still arrive and it learns why too). Otherwise the engine gets [`NetEvent::PeerConnected`] (first answer) or
//!   [`NetEvent::Status`] (later answers, and the status a peer sends with its own status requests). When the last
//!   connection to an announced peer closes: [`NetEvent::PeerGone`].
//! - Requests: every `BlocksByRange` ends in exactly one [`NetEvent::Blocks`] or [`NetEvent::RequestFailed`]
//!   (a request to a peer that is not connected fails at once with [`Disconnected`]; the adapter never dials for a
//!   request). A transport timeout maps to [`Timeout`], a closed connection or a broken stream to [`Disconnected`],
//!   an answer outside the protocol (over a cap, malformed, more blocks than asked) to [`Protocol`].
//! - Serving: status from [`BlockSource::status`], blocks from [`BlockSource::shared_blocks`] (on the blocking
//!   pool; the node's store hands out the encodings its block cache holds, uncopied), cut at the request's
//!   `max_bytes` (at most [`MAX_RESPONSE_BYTES`]; always the first block), within the [`ServeLimits`] of
//!   [`NetworkConfig::limits`]: blocks go only to peers whose status passed our check (in its answer to our
//!   request, or in its own request) and that are not on the deny list; per peer, a token bucket of
//!   blocks (a request waits for its tokens off the swarm task, or is dropped if that would take more than half
//!   the request timeout), a bound on answers in flight counted from the request's arrival until libp2p reports
//!   the answer WRITTEN or failed (a peer that stops reading keeps its slots, and further requests are dropped),
//!   and a status bucket; in total, a byte budget for the answers in flight (a request waits for its reservation,
//!   bounded, then holds its actual size until written) and libp2p's connection limits. A dropped request is
//!   never answered (libp2p closes its stream) and is counted by reason ([`DropReason`],
//!   [`NetworkHandle::serve_stats`]). With emulation configured, each answer is held back, without blocking the
//!   swarm: each PEER has one emulated link of `serve_bytes_per_sec` bytes per second that sends answers one
//!   after the other (an answer of `n` bytes occupies it `n / bandwidth` from when the link is free), and every
//!   answer then waits `latency_ms` more.
//! - Requesting: the codec reads an answer to our request up to that request's `max_bytes` (plus one block, plus
//!   framing), and refuses an answer of more than one block beyond it ([`Protocol`]); see [`codec`].
//! - Channels: events to the engine and requests from it go through channels of [`CHANNEL_CAPACITY`]. The swarm
//!   task never waits on them: an event that finds the engine's channel full is dropped and counted (a dropped
//!   answer times out at the engine), as is a request that finds the command channel full.
//! - Known peers: the bootnodes, dialed at start, and up to [`dialer::MAX_LEARNED`] peers that connected to us,
//!   at the listen address their identify reported. Each is redialed, with exponential backoff from
//!   [`REDIAL_INITIAL`] to [`REDIAL_MAX`] (reset once a status check passes), whenever the dial fails or the last
//!   connection closes — for ever, so a partition heals from both sides. A peer refused for
//!   being on another chain, or disconnected at the engine's request, is put on a small deny list (with the reason)
//!   and never redialed. Such a peer may still connect to us: it goes through the status check again (a foreign
//!   peer is refused again, silently), and the engine decides about the others (its bans expire).
//! - Operator bans ([`NetworkHandle::ban`], `bans.rs`): a peer banned for a while is disconnected, never dialed
//!   and its connections closed at once until the ban ends or is lifted; then a known peer is dialed again.
//!
//! The swarm task stops on [`NetworkHandle::shutdown`] or when every handle is dropped; it keeps serving when the
//! event receiver is dropped.
//!
//! Layout: this file is the public face (configuration, start, handle, keys). `behaviour.rs` builds the swarm
//! (`EcsyncBehaviour`); `task.rs` is the swarm task's event loop, routing each swarm event and engine command to
//! one of the parts it holds: `peers.rs` (engine ids, connected peers), `dialer.rs` (bootnodes, redial backoff,
//! refusals, over the deny list of `deny.rs`), `status.rs` (status requests and the chain check), `members.rs`
//! (membership challenges and proofs: which peers are federation members), `eviction.rs` (whom to evict at the
//! connection limit), `consensus.rs` (members' proposals and votes), `gossip.rs`, `serving.rs` (answering peers
//! from the [`BlockSource`] within the byte budget of `budget.rs`, link emulation) and `fetch.rs` (the engine's
//! blocks_by_range requests), with the limits and the token bucket in `limits.rs`. `testkit.rs` (tests only) is a
//! bare peer that misbehaves on purpose. Inside this module libp2p's peer id is always `Libp2pPeer`; [`PeerId`] is the engine's.
//!
//! [`Disconnected`]: ecsync_components::FailureReason::Disconnected
//! [`Timeout`]: ecsync_components::FailureReason::Timeout
//! [`Protocol`]: ecsync_components::FailureReason::Protocol

mod bans;
mod behaviour;
mod budget;
pub mod codec;
mod consensus;
mod deny;
mod dialer;
mod eviction;
mod fetch;
mod gossip;
mod limits;
mod members;
mod peers;
mod serving;
mod status;
mod task;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use ecsync_components::{ChainSpec, Hash32, NetEvent, PeerId, Request, StatusMessage};
use libp2p::futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, PeerId as Libp2pPeer, identity::Keypair};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::util::fs::IoError;

pub use bans::{BanError, BanOutcome, BannedPeer};
use behaviour::EcsyncSwarm;
pub use behaviour::MAX_CONCURRENT_STREAMS;
pub use codec::BlocksByRangeRequest;
pub use deny::{MAX_BAN, MAX_BANS, MIN_BAN};
pub use gossip::{MAX_PENDING_VALIDATIONS, VALIDATION_TTL, topic_name};
pub use limits::{ConsensusStats, DropReason, LimitError, ServeLimits, ServeStats, TokenBucket};
#[cfg(feature = "test-utils")]
pub(crate) use serving::read_answer;

/// Protocol name of the status exchange (version 3: the head proof's approval names its round).
pub const STATUS_PROTOCOL: &str = "/ecsync/req/status/4/postcard";
/// Protocol name of the membership challenge (`members.rs`; version 2: the proof's encoding has a round).
pub const MEMBER_PROTOCOL: &str = "/ecsync/req/member/2/postcard";
/// Protocol name of blocks_by_range (version 2: the request carries `max_bytes`; version 3: a block's approval is
/// its precommits' aggregate and names its round).
pub const BLOCKS_BY_RANGE_PROTOCOL: &str = "/ecsync/req/blocks_by_range/4/postcard";
/// A blocks_by_range answer is cut at this many bytes of block encodings (but carries at least one block); a
/// request's `max_bytes` lowers it. The protocol cap of `ecsync_components`, as a `usize`.
pub const MAX_RESPONSE_BYTES: usize = ecsync_components::MAX_RESPONSE_BYTES as usize;
/// Identify's protocol version string (2: blocks approved by their precommits).
pub const IDENTIFY_PROTOCOL_VERSION: &str = "/ecsync/3";
/// Identify's agent version: `ecsync/<package version>`.
pub const AGENT_VERSION: &str = concat!("ecsync/", env!("CARGO_PKG_VERSION"));
/// Capacity of the event channel to the engine and of the command channel from the handles. The swarm task
/// never waits on either: an event that finds the channel full is dropped and counted
/// ([`ServeStats::events_dropped`]); a blocks_by_range answer dropped so simply times out at the engine.
pub const CHANNEL_CAPACITY: usize = 4096;
/// First bootnode redial delay.
pub const REDIAL_INITIAL: Duration = Duration::from_millis(250);
/// Largest bootnode redial delay.
pub const REDIAL_MAX: Duration = Duration::from_secs(10);
/// A peer refused for being on another chain is disconnected this long after the refusal.
pub const REFUSAL_GRACE: Duration = Duration::from_secs(2);
/// Most entries on the deny list; the oldest is forgotten first.
pub const MAX_DENIED: usize = 1024;
/// Protocol name of the agreement's proposals and votes between federation members (`consensus.rs`).
pub const CONSENSUS_PROTOCOL: &str = "/ecsync/req/consensus/2/postcard";

/// What the node serves from: implemented by the node over its redb store (reads only; must be cheap to call from
/// the network task).
pub trait BlockSource: Send + Sync + 'static {
    /// This node's status (chain and head). Called on the swarm task for every status request sent or answered.
    fn status(&self) -> StatusMessage;
    /// Canonical encodings of up to `count` consecutive blocks from `start`, total ≤ max_bytes (but at least one if
    /// `start` exists). Called on tokio's blocking pool.
    fn blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Vec<u8>>;
    /// What [`BlockSource::blocks`] returns, each encoding shared: what serving calls (on tokio's blocking pool). A
    /// source that keeps encodings in memory hands them out without a copy (the node's store, through its block
    /// cache); by default, [`BlockSource::blocks`]'s vectors, moved (not copied).
    fn shared_blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Bytes> {
        self.blocks(start, count, max_bytes)
            .into_iter()
            .map(Bytes::from)
            .collect()
    }
}

/// How to run the network.
#[derive(Clone, Debug)]
pub struct NetworkConfig {
    /// This node's identity.
    pub keypair: Keypair,
    /// Where to listen, e.g. `/ip4/127.0.0.1/tcp/0`.
    pub listen: Multiaddr,
    /// Peers to dial and keep dialing, each with `/p2p/<peer id>`.
    pub bootnodes: Vec<Multiaddr>,
    /// Our chain id: peers on another are refused.
    pub chain_id: u64,
    /// Our genesis hash: peers with another are refused.
    pub genesis_hash: Hash32,
    /// Decoding limit per block of a blocks_by_range answer.
    pub max_block_bytes: u32,
    /// Emulated extra latency before answering each request we serve (0 = none).
    pub latency_ms: u64,
    /// Emulated serving bandwidth per peer, bytes per second (0 = unlimited).
    pub serve_bytes_per_sec: u64,
    /// Transport-level request timeout, also the limit for serving one inbound request.
    pub request_timeout: Duration,
    /// What serving may cost us, per peer and in total.
    pub limits: ServeLimits,
    /// Protocol breaches to commit when serving: [`NoFaults`] (none) unless a wrapper injects some.
    pub faults: Arc<dyn ServeFaults>,
    /// The federation's public keys (the spec's authorities): membership proofs are checked against them.
    pub authorities: Vec<ecsync_components::PublicKeyBytes>,
    /// This node's authority keys, if it is a federation member: it proves its membership to peers with them.
    pub member_keys: Option<Arc<ecsync_systems::consensus::MemberKeys>>,
}

/// Fault injection from outside (TigerBeetle's vortex): the breaches of the protocol a wrapper around the node may
/// ask the network to commit when it serves, so that tests can put hostile peers (real processes) beside honest
/// ones. The node we ship injects none: it runs [`NoFaults`], and nothing in the product implements this trait
/// otherwise (the test binary `ecsync-hostile`, in `src/testing/hostile/`, does). What is served is injected
/// through [`BlockSource`]; this covers what the block source cannot do. Each method is asked per request.
pub trait ServeFaults: Send + Sync + std::fmt::Debug + 'static {
    /// Send what the block source returns as it is, not cut to the protocol's limits (the count asked for, the
    /// block size limit, the request's byte limit). Default: no.
    fn unchecked_answers(&self) -> bool {
        false
    }
    /// Hold every answer (status and blocks) back this long before sending it. Default: none.
    fn hold_answers(&self) -> Option<Duration> {
        None
    }
    /// Close the connection when a blocks_by_range request arrives, instead of answering it. Default: no.
    fn disconnect_on_request(&self) -> bool {
        false
    }
}

/// No fault: the network as it is shipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFaults;

impl ServeFaults for NoFaults {}

impl NetworkConfig {
    /// A configuration for `spec`'s chain: no bootnodes, no emulation, a 60 s request timeout.
    pub fn new(keypair: Keypair, listen: Multiaddr, spec: &ChainSpec) -> Self {
        Self {
            keypair,
            listen,
            bootnodes: Vec::new(),
            chain_id: spec.chain_id,
            genesis_hash: spec.genesis_hash,
            max_block_bytes: spec.max_block_bytes,
            latency_ms: 0,
            serve_bytes_per_sec: 0,
            request_timeout: Duration::from_secs(60),
            limits: ServeLimits::default(),
            faults: Arc::new(NoFaults),
            authorities: spec.authorities.clone(),
            member_keys: None,
        }
    }
}

/// State the swarm task shares with the handles.
#[derive(Default)]
struct Shared {
    /// Engine peer id → libp2p peer id, for every peer seen.
    peers: RwLock<HashMap<PeerId, Libp2pPeer>>,
    /// Peers with at least one open connection.
    connected: AtomicUsize,
    /// The deny list's current contents, with reasons.
    denied: RwLock<Vec<(Libp2pPeer, String)>>,
    /// The operator's bans (`bans.rs`).
    bans: RwLock<Vec<deny::BanEntry>>,
    /// Known peers redialed when they go: bootnodes and peers learned from identify.
    known: AtomicUsize,
    /// Requests dropped by serving, by [`DropReason::index`].
    serve_dropped: [AtomicU64; DropReason::ALL.len()],
    /// blocks_by_range answers in flight.
    answers_in_flight: AtomicUsize,
    /// Bytes reserved by them.
    bytes_in_flight: AtomicUsize,
    /// Events dropped because the engine's channel was full.
    events_dropped: AtomicU64,
    /// Engine requests dropped because the command channel was full.
    commands_dropped: AtomicU64,
    /// New peers disconnected for not answering our status request in time.
    no_status: AtomicU64,
    /// Connected peers proven federation members.
    federation_peers: AtomicUsize,
    /// Peers whose membership proof did not verify.
    false_members: AtomicU64,
    /// Connected peers evicted to make room for a newcomer, and newcomers closed for want of room.
    evicted: AtomicU64,
    /// The consensus protocol's counters.
    consensus: consensus::ConsensusCounters,
    /// What the dialer did, in order (tests wait on it; see `dialer::DialRecord`).
    #[cfg(test)]
    dial_log: Mutex<Vec<dialer::DialRecord>>,
}

impl Shared {
    /// Counts a request dropped for `reason`.
    fn count_drop(&self, reason: DropReason) {
        self.serve_dropped[reason.index()].fetch_add(1, Ordering::Relaxed);
    }
}

/// What the handles tell the swarm task.
enum Command {
    /// A request of the engine, to carry out.
    Request(Request),
    /// An operator's ban command (`bans.rs`).
    Ban(bans::BanCommand),
    /// Stop the task.
    Shutdown,
}

/// Starts the network.
pub struct Network;

impl Network {
    /// Binds, starts dialing bootnodes, returns the handle plus the receiver of NetEvents for the engine.
    /// Must be called inside a tokio runtime; spawns the swarm task.
    pub async fn start(
        config: NetworkConfig,
        source: Arc<dyn BlockSource>,
    ) -> Result<(NetworkHandle, mpsc::Receiver<NetEvent>), NetworkError> {
        if config.max_block_bytes == 0 {
            return Err(NetworkError::ZeroBlockBytes);
        }
        let local_peer_id = config.keypair.public().to_peer_id();
        let bootnodes = bootnodes(&config.bootnodes, local_peer_id)?;

        check_port_free(&config.listen)?;
        let mut swarm =
            behaviour::build_swarm(&config).map_err(|e| NetworkError::Swarm(e.into()))?;
        swarm
            .listen_on(config.listen.clone())
            .map_err(|e| NetworkError::Listen {
                addr: config.listen.to_string(),
                source: e.into(),
            })?;
        let bound = tokio::time::timeout(Duration::from_secs(10), listen_addr(&mut swarm, &config))
            .await
            .map_err(|_| NetworkError::NoListenAddr(config.listen.to_string()))??;
        let listen_addr = bound.with(Protocol::P2p(local_peer_id));
        tracing::info!(peer_id = %local_peer_id, "listening on {listen_addr}");

        let shared = Arc::new(Shared::default());
        let (command_tx, command_rx) = mpsc::channel(CHANNEL_CAPACITY);
        let (event_tx, event_rx) = mpsc::channel(CHANNEL_CAPACITY);
        let authorities = Arc::new(ecsync_systems::consensus::Authorities::from_keys(
            &config.authorities,
        )?);
        let mut task = task::SwarmTask::new(
            swarm,
            &config,
            source,
            authorities,
            shared.clone(),
            command_rx,
            event_tx,
        );
        for (peer, addr) in bootnodes {
            task.add_bootnode(peer, addr);
        }
        let join = tokio::spawn(task.run());
        let handle = NetworkHandle {
            commands: command_tx,
            shared,
            local_peer_id,
            listen_addr,
            task: Arc::new(Mutex::new(Some(join))),
        };
        Ok((handle, event_rx))
    }
}

/// The bootnodes' peer ids and addresses; fails on an address without `/p2p/<peer id>`, skips (with a warning) one
/// that is this node.
fn bootnodes(
    addrs: &[Multiaddr],
    local_peer_id: Libp2pPeer,
) -> Result<Vec<(Libp2pPeer, Multiaddr)>, NetworkError> {
    let mut bootnodes = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let Some(Protocol::P2p(peer)) = addr.iter().last() else {
            return Err(NetworkError::Bootnode(addr.to_string()));
        };
        if peer == local_peer_id {
            tracing::warn!("ignoring bootnode {addr}: it is this node");
            continue;
        }
        bootnodes.push((peer, addr.clone()));
    }
    Ok(bootnodes)
}

/// Drives `swarm` until its listener on `config.listen` reports its address (or fails).
async fn listen_addr(
    swarm: &mut EcsyncSwarm,
    config: &NetworkConfig,
) -> Result<Multiaddr, NetworkError> {
    let failed = |what: String| NetworkError::Listener {
        addr: config.listen.to_string(),
        what,
    };
    loop {
        match swarm.select_next_some().await {
            SwarmEvent::NewListenAddr { address, .. } => return Ok(address),
            SwarmEvent::ListenerClosed { reason, .. } => {
                return Err(failed(format!("closed: {reason:?}")));
            }
            SwarmEvent::ListenerError { error, .. } => {
                return Err(failed(format!("failed: {error}")));
            }
            _ => {}
        }
    }
}

/// Fails if `addr` names a TCP port something already listens on. libp2p's TCP listeners set `SO_REUSEPORT`, so
/// two nodes would otherwise share one port silently (the kernel splitting the connections between them).
fn check_port_free(addr: &Multiaddr) -> Result<(), NetworkError> {
    let mut ip = None;
    let mut port = None;
    for protocol in addr.iter() {
        match protocol {
            Protocol::Ip4(a) => ip = Some(std::net::IpAddr::V4(a)),
            Protocol::Ip6(a) => ip = Some(std::net::IpAddr::V6(a)),
            Protocol::Tcp(p) => port = Some(p),
            _ => {}
        }
    }
    if let (Some(ip), Some(port)) = (ip, port)
        && port != 0
    {
        // A plain bind (no SO_REUSEPORT) fails while another socket listens there; dropped at once.
        std::net::TcpListener::bind((ip, port)).map_err(|e| NetworkError::Listen {
            addr: addr.to_string(),
            source: e.into(),
        })?;
    }
    Ok(())
}

/// The engine's side of the network: send requests, look peers up, stop.
#[derive(Clone)]
pub struct NetworkHandle {
    /// To the swarm task.
    commands: mpsc::Sender<Command>,
    /// What the swarm task publishes.
    shared: Arc<Shared>,
    /// This node's libp2p peer id.
    local_peer_id: Libp2pPeer,
    /// The bound listen address, with `/p2p/<local peer id>`.
    listen_addr: Multiaddr,
    /// The swarm task, until the first shutdown takes it.
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl NetworkHandle {
    /// Hands a request to the swarm task. Non-blocking; from any thread. Ignored once the network has stopped;
    /// dropped (and counted in [`ServeStats::commands_dropped`]) when [`CHANNEL_CAPACITY`] requests are already
    /// waiting: the engine then sees it time out.
    pub fn send(&self, request: Request) {
        if let Err(mpsc::error::TrySendError::Full(_)) =
            self.commands.try_send(Command::Request(request))
        {
            self.shared.commands_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What serving has refused and holds, and what the channels dropped.
    pub fn serve_stats(&self) -> ServeStats {
        let s = &self.shared;
        ServeStats {
            dropped: DropReason::ALL
                .iter()
                .map(|r| (*r, s.serve_dropped[r.index()].load(Ordering::Relaxed)))
                .collect(),
            answers_in_flight: s.answers_in_flight.load(Ordering::Relaxed),
            bytes_in_flight: s.bytes_in_flight.load(Ordering::Relaxed),
            events_dropped: s.events_dropped.load(Ordering::Relaxed),
            commands_dropped: s.commands_dropped.load(Ordering::Relaxed),
            no_status: s.no_status.load(Ordering::Relaxed),
            federation_peers: s.federation_peers.load(Ordering::Relaxed),
            false_members: s.false_members.load(Ordering::Relaxed),
            evicted: s.evicted.load(Ordering::Relaxed),
            consensus: s.consensus.stats(),
        }
    }

    /// The bound listen address including `/p2p/<local peer id>` (the actual port, never 0). For an unspecified
    /// listen IP (`0.0.0.0`), the first interface address libp2p reported.
    pub fn listen_addr(&self) -> Multiaddr {
        self.listen_addr.clone()
    }

    /// This node's libp2p peer id.
    pub fn local_peer_id(&self) -> Libp2pPeer {
        self.local_peer_id
    }

    /// The libp2p peer id string of an engine peer id (known for every peer seen since start).
    pub fn label_of(&self, peer: PeerId) -> Option<String> {
        self.libp2p_peer_of(peer).map(|p| p.to_string())
    }

    /// The libp2p peer id of an engine peer id.
    pub fn libp2p_peer_of(&self, peer: PeerId) -> Option<Libp2pPeer> {
        let peers = self
            .shared
            .peers
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        peers.get(&peer).copied()
    }

    /// The engine peer id of a libp2p peer, if it has been seen.
    pub fn engine_peer_of(&self, peer: &Libp2pPeer) -> Option<PeerId> {
        let peers = self
            .shared
            .peers
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        peers.iter().find(|(_, p)| *p == peer).map(|(id, _)| *id)
    }

    /// Number of peers with at least one open connection (whether or not their status check passed).
    pub fn connected_peers(&self) -> usize {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// The deny list: peers refused for another chain or disconnected at the engine's request, with the reason.
    /// They are never redialed.
    pub fn denied_peers(&self) -> Vec<(Libp2pPeer, String)> {
        self.shared
            .denied
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Peers redialed whenever they go: the bootnodes and the peers learned from identify.
    pub fn known_peers(&self) -> usize {
        self.shared.known.load(Ordering::Relaxed)
    }

    /// Stops the swarm task (closing every connection) and waits for it. Other clones of the handle then do
    /// nothing; the event receiver ends.
    pub async fn shutdown(self) {
        // Waits for room: the task drains the channel until it reads this.
        let _ = self.commands.send(Command::Shutdown).await;
        let join = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(join) = join
            && let Err(e) = join.await
        {
            tracing::error!("network task ended abnormally: {e}");
        }
    }
}

/// Loads the node's keypair from `path` (libp2p protobuf encoding), or creates an ed25519 one there (creating the
/// parent directories), so the peer id survives restarts.
pub fn load_or_create_keypair(path: &Path) -> Result<Keypair, NetworkError> {
    // A secret file: refused when others may read it or when it is a symbolic link; written 0600, never through one.
    if let Some(bytes) = crate::util::fs::read_secret(path, 64 * 1024)? {
        return Keypair::from_protobuf_encoding(&bytes).map_err(|e| NetworkError::CorruptKey {
            path: path.display().to_string(),
            what: e.to_string(),
        });
    }
    let keypair = Keypair::generate_ed25519();
    let bytes = keypair
        .to_protobuf_encoding()
        .expect("an ed25519 key encodes");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(IoError::on("create", dir.display()))?;
    }
    crate::util::fs::write_atomic(path, &bytes, true)
        .map_err(IoError::on("write the node key to", path.display()))?;
    tracing::info!(
        "created a new node key in {} (peer id {})",
        path.display(),
        keypair.public().to_peer_id()
    );
    Ok(keypair)
}

/// Why the network could not start, or the node's key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// `max_block_bytes` is zero.
    #[error("max_block_bytes must be positive")]
    ZeroBlockBytes,
    /// A bootnode address without a peer id.
    #[error("bootnode address {0} does not end with /p2p/<peer id>")]
    Bootnode(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The listener closed or failed before it had an address.
    #[error("listener on {addr} {what}")]
    Listener {
        /// The address.
        addr: String,
        /// What happened.
        what: String,
    },
    /// No address after 10 s.
    #[error("no listen address on {0} after 10 s")]
    NoListenAddr(String),
    /// An authority key of the spec does not decode.
    #[error("the spec's authority keys: {0}")]
    Authorities(#[from] ecsync_systems::consensus::KeyError),
    /// The swarm could not be built.
    #[error("cannot build the libp2p swarm")]
    Swarm(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The node key file does not decode.
    #[error(
        "the node key file {path} is corrupt ({what}); delete it to create a new identity (a new peer id)"
    )]
    CorruptKey {
        /// The file.
        path: String,
        /// What the decoder said.
        what: String,
    },
    /// The node key file could not be read or written.
    #[error(transparent)]
    KeyFile(#[from] IoError),
    /// The node key file is readable by others, a symbolic link, not a file, or too large.
    #[error(transparent)]
    SecretKey(#[from] crate::util::fs::SecretFileError),
}

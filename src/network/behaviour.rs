//! The libp2p side of the swarm: which behaviours run and how the swarm is built. Kept apart from the task so the
//! protocol stack (transport, behaviours, their limits) can be read in one place.

use std::time::Duration;

use libp2p::connection_limits::{self, ConnectionLimits};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::NetworkBehaviour;
use libp2p::{StreamProtocol, Swarm, identify, noise, ping, tcp, yamux};

use super::codec::{BlocksCodec, ConsensusCodec, MemberCodec, StatusCodec};
use super::{
    AGENT_VERSION, BLOCKS_BY_RANGE_PROTOCOL, CONSENSUS_PROTOCOL, IDENTIFY_PROTOCOL_VERSION,
    MEMBER_PROTOCOL, NetworkConfig, STATUS_PROTOCOL,
};

/// Connections stay open while idle (the engine asks for status every few seconds anyway; ping detects dead ones).
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Concurrent substreams per connection and protocol (libp2p drops inbound streams beyond it). Serving holds at
/// most `max_answers_per_peer` of them per peer for long; the others are dropped at once.
pub const MAX_CONCURRENT_STREAMS: usize = 64;

/// ecsync's behaviours, combined: connection limits, identify, ping, the four request-response protocols and
/// block gossip.
#[derive(NetworkBehaviour)]
pub(super) struct EcsyncBehaviour {
    /// Refuses connections beyond [`super::ServeLimits`]' connection limits.
    pub(super) limits: connection_limits::Behaviour,
    /// Exchanges agent and protocol versions.
    pub(super) identify: identify::Behaviour,
    /// Detects dead connections.
    pub(super) ping: ping::Behaviour,
    /// The status exchange ([`STATUS_PROTOCOL`]).
    pub(super) status: request_response::Behaviour<StatusCodec>,
    /// blocks_by_range ([`BLOCKS_BY_RANGE_PROTOCOL`]).
    pub(super) blocks: request_response::Behaviour<BlocksCodec>,
    /// Membership challenges and proofs ([`MEMBER_PROTOCOL`], `members.rs`).
    pub(super) member: request_response::Behaviour<MemberCodec>,
    /// Proposals and votes between federation members ([`CONSENSUS_PROTOCOL`], `consensus.rs`).
    pub(super) consensus: request_response::Behaviour<ConsensusCodec>,
    /// Block gossip on the chain's topic, validated by the engine before forwarding (`gossip.rs`).
    pub(super) gossipsub: libp2p::gossipsub::Behaviour,
}

/// The swarm the network task drives.
pub(super) type EcsyncSwarm = Swarm<EcsyncBehaviour>;

/// Builds the swarm: TCP + noise + yamux, identify, ping, status and blocks_by_range.
pub(super) fn build_swarm(config: &NetworkConfig) -> Result<EcsyncSwarm, super::NetworkError> {
    let swarm_error = |e: Box<dyn std::error::Error + Send + Sync>| super::NetworkError::Swarm(e);
    let swarm = libp2p::SwarmBuilder::with_existing_identity(config.keypair.clone())
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| swarm_error(e.into()))?
        .with_behaviour(|key| behaviour(config, key))
        .map_err(|e| swarm_error(e.to_string().into()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    Ok(swarm)
}

/// Timeout of a status request: a new peer that has not answered ours by then is disconnected.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(10);

/// The behaviours for `config`, identified by `key`.
fn behaviour(config: &NetworkConfig, key: &libp2p::identity::Keypair) -> EcsyncBehaviour {
    let rr_config = request_response::Config::default()
        .with_request_timeout(config.request_timeout)
        .with_max_concurrent_streams(MAX_CONCURRENT_STREAMS);
    // A status is a few dozen bytes: a peer that takes longer than this to answer one is not answering.
    let status_config = rr_config
        .clone()
        .with_request_timeout(config.request_timeout.min(STATUS_TIMEOUT));
    let blocks_codec = BlocksCodec::new(config.max_block_bytes);
    let l = &config.limits;
    // The task keeps established connections at `max_connections` by evicting unreserved peers (`eviction.rs`);
    // libp2p's own limit, a little above, is what a newcomer needs to get in and be judged.
    let limits = ConnectionLimits::default()
        .with_max_established(Some(l.max_connections.saturating_add(CONNECTION_HEADROOM)))
        .with_max_established_per_peer(Some(l.max_connections_per_peer))
        .with_max_pending_incoming(Some(l.max_pending_incoming))
        .with_max_pending_outgoing(Some(l.max_pending_outgoing));
    EcsyncBehaviour {
        limits: connection_limits::Behaviour::new(limits),
        identify: identify::Behaviour::new(
            identify::Config::new(IDENTIFY_PROTOCOL_VERSION.to_string(), key.public())
                .with_agent_version(AGENT_VERSION.to_string()),
        ),
        ping: ping::Behaviour::default(),
        status: request_response::Behaviour::with_codec(
            StatusCodec,
            [(StreamProtocol::new(STATUS_PROTOCOL), ProtocolSupport::Full)],
            status_config.clone(),
        ),
        blocks: request_response::Behaviour::with_codec(
            blocks_codec,
            [(
                StreamProtocol::new(BLOCKS_BY_RANGE_PROTOCOL),
                ProtocolSupport::Full,
            )],
            rr_config.clone(),
        ),
        member: request_response::Behaviour::with_codec(
            MemberCodec,
            [(StreamProtocol::new(MEMBER_PROTOCOL), ProtocolSupport::Full)],
            status_config,
        ),
        consensus: request_response::Behaviour::with_codec(
            ConsensusCodec {
                max_block_bytes: config.max_block_bytes,
            },
            [(
                StreamProtocol::new(CONSENSUS_PROTOCOL),
                ProtocolSupport::Full,
            )],
            // Acked at once on the swarm task: a request unanswered by then is lost (gossip sends it again).
            rr_config.with_request_timeout(config.request_timeout.min(CONSENSUS_TIMEOUT)),
        ),
        gossipsub: super::gossip::behaviour(key, config.max_block_bytes),
    }
}

/// Established connections libp2p allows beyond `ServeLimits::max_connections`: room for newcomers (a member
/// reconnecting to a full node) while the task evicts an unreserved peer for each.
pub const CONNECTION_HEADROOM: u32 = 16;

/// Timeout of a consensus request (its ack comes at once).
pub const CONSENSUS_TIMEOUT: Duration = Duration::from_secs(5);

//! The status exchange: asking peers for their status, checking it against our chain (refusing foreign peers), and
//! turning what passes into the engine's `PeerConnected` / `Status` events. Answering peers' status requests is
//! serving (see `serving.rs`); what their requests carry is checked here.

use std::collections::HashMap;
use std::sync::Arc;

use ecsync_components::{Hash32, NetEvent, StatusMessage};
use libp2p::PeerId as Libp2pPeer;
use libp2p::request_response::{OutboundFailure, OutboundRequestId};

use super::behaviour::EcsyncSwarm;
use super::dialer::Dialer;
use super::peers::Peers;
use super::{BlockSource, NetworkConfig};

/// An outbound status request in flight.
struct StatusPending {
    /// Whom we asked.
    peer: Libp2pPeer,
    /// Sent on connection: the peer is not announced until it is answered.
    initial: bool,
}

/// Our chain, our status requests in flight, and the check of every status a peer sends.
pub(super) struct StatusExchange {
    /// Our chain id: peers on another are refused.
    chain_id: u64,
    /// Our genesis hash: peers with another are refused.
    genesis_hash: Hash32,
    /// Our status, sent with each request.
    source: Arc<dyn BlockSource>,
    /// Our requests in flight.
    pending: HashMap<OutboundRequestId, StatusPending>,
}

impl StatusExchange {
    /// An exchange for `config`'s chain, sending the status of `source`.
    pub(super) fn new(config: &NetworkConfig, source: Arc<dyn BlockSource>) -> Self {
        Self {
            chain_id: config.chain_id,
            genesis_hash: config.genesis_hash,
            source,
            pending: HashMap::new(),
        }
    }

    /// Asks `peer` for its status (sending ours); `initial` on its first connection.
    pub(super) fn request(&mut self, swarm: &mut EcsyncSwarm, peer: Libp2pPeer, initial: bool) {
        let status = self.source.status();
        let id = swarm.behaviour_mut().status.send_request(&peer, status);
        self.pending.insert(id, StatusPending { peer, initial });
    }

    /// Checks a peer's status against our chain and records the outcome in `peers` (only checked peers are served
    /// blocks). A foreign peer is refused by the dialer (logged once) and `false` returned. A peer on our chain is
    /// accepted again if it had been refused.
    fn check(
        &self,
        dialer: &mut Dialer,
        peers: &mut Peers,
        peer: Libp2pPeer,
        status: &StatusMessage,
    ) -> bool {
        let ours = status.chain_id == self.chain_id && status.genesis_hash == self.genesis_hash;
        peers.set_checked(&peer, ours);
        if ours {
            dialer.accept(&peer);
            return true;
        }
        let reason = format!(
            "on chain {} (genesis {})",
            status.chain_id, status.genesis_hash
        );
        if dialer.refuse(peer, reason, peers.is_connected(&peer)) {
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

    /// `peer` asked for our status, sending its own: checked, and passed to the engine as `Status` if the peer is
    /// announced. (The answer is the server's business: even a foreign peer gets one, so it learns we are on
    /// another chain and refuses us too.)
    pub(super) fn on_their_request(
        &self,
        dialer: &mut Dialer,
        peers: &mut Peers,
        peer: Libp2pPeer,
        status: StatusMessage,
    ) -> Option<NetEvent> {
        if !self.check(dialer, peers, peer, &status) {
            return None;
        }
        let id = peers.announced(&peer)?;
        Some(NetEvent::Status { peer: id, status })
    }

    /// `peer` answered our request: if its status passes, the engine gets `PeerConnected` (first answer; the peer
    /// is now announced) or `Status`.
    pub(super) fn on_response(
        &mut self,
        dialer: &mut Dialer,
        peers: &mut Peers,
        peer: Libp2pPeer,
        request_id: OutboundRequestId,
        status: StatusMessage,
    ) -> Option<NetEvent> {
        self.pending.remove(&request_id)?;
        if !self.check(dialer, peers, peer, &status) {
            return None;
        }
        let state = peers.get_mut(&peer)?;
        let id = state.id;
        if state.announced {
            return Some(NetEvent::Status { peer: id, status });
        }
        state.announced = true;
        dialer.on_announced(&peer);
        tracing::debug!(%peer, engine_peer = %id, head = status.head.height, "peer connected");
        Some(NetEvent::PeerConnected {
            peer: id,
            label: peer.to_string(),
            status,
        })
    }

    /// Our request to `peer` failed: a new peer that never answered its first one is disconnected.
    pub(super) fn on_failure(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peers: &Peers,
        peer: Libp2pPeer,
        request_id: OutboundRequestId,
        error: &OutboundFailure,
    ) -> bool {
        let Some(pending) = self.pending.remove(&request_id) else {
            return false;
        };
        tracing::debug!(%peer, "status request failed: {error}");
        let unannounced = peers.get(&pending.peer).is_some_and(|c| !c.announced);
        if pending.initial && unannounced {
            tracing::info!(%peer, "no status from a new peer ({error}); disconnecting it");
            let _ = swarm.disconnect_peer_id(pending.peer);
            return true;
        }
        false
    }
}

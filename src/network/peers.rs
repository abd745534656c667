//! The peer table: which libp2p peers are connected, and the engine [`PeerId`] each one gets for the lifetime of the
//! process. Kept apart so the two id spaces meet in one place, and the handles' shared view stays in step with it.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use ecsync_components::PeerId;
use libp2p::PeerId as Libp2pPeer;

use super::Shared;

/// A peer with at least one open connection.
pub(super) struct Connected {
    /// Its engine id.
    pub(super) id: PeerId,
    /// Whether `PeerConnected` went to the engine (its answer to our status request passed the check).
    pub(super) announced: bool,
    /// Whether the last status it sent us (in its answer or its own request) passed the check: only such peers
    /// are served blocks.
    pub(super) checked: bool,
}

/// Engine ids of every peer seen, and the peers with at least one open connection.
pub(super) struct Peers {
    /// What the handles read: the id map and the connected count.
    shared: Arc<Shared>,
    /// libp2p peer → engine peer, for every peer seen.
    ids: HashMap<Libp2pPeer, PeerId>,
    /// Engine peer → libp2p peer.
    by_engine: HashMap<PeerId, Libp2pPeer>,
    /// The engine id the next new peer gets.
    next_id: u64,
    /// Peers with at least one open connection.
    connected: HashMap<Libp2pPeer, Connected>,
}

impl Peers {
    /// Counts a new peer disconnected for not answering our status request in time.
    pub(super) fn count_no_status(&self) {
        self.shared
            .no_status
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// An empty table publishing to `shared`.
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            ids: HashMap::new(),
            by_engine: HashMap::new(),
            next_id: 1,
            connected: HashMap::new(),
        }
    }

    /// The engine id of `peer`, assigned (and published) on first sight.
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

    /// Records `peer`'s first open connection (not yet announced); returns `false` if it was already connected.
    pub(super) fn connect(&mut self, peer: Libp2pPeer) -> bool {
        if self.connected.contains_key(&peer) {
            return false;
        }
        let id = self.engine_id(peer);
        self.connected.insert(
            peer,
            Connected {
                id,
                announced: false,
                checked: false,
            },
        );
        self.publish_count();
        true
    }

    /// Forgets `peer`'s connection state once its last connection closed; returns it if it was connected.
    pub(super) fn disconnect(&mut self, peer: &Libp2pPeer) -> Option<Connected> {
        let state = self.connected.remove(peer)?;
        self.publish_count();
        Some(state)
    }

    /// Whether `peer` has at least one open connection.
    pub(super) fn is_connected(&self, peer: &Libp2pPeer) -> bool {
        self.connected.contains_key(peer)
    }

    /// `peer`'s connection state, if connected.
    pub(super) fn get(&self, peer: &Libp2pPeer) -> Option<&Connected> {
        self.connected.get(peer)
    }

    /// `peer`'s connection state, if connected, for updating.
    pub(super) fn get_mut(&mut self, peer: &Libp2pPeer) -> Option<&mut Connected> {
        self.connected.get_mut(peer)
    }

    /// Whether `peer` is connected and the last status it sent passed our check.
    pub(super) fn is_checked(&self, peer: &Libp2pPeer) -> bool {
        self.connected.get(peer).is_some_and(|state| state.checked)
    }

    /// Records whether the status `peer` just sent passed our check (nothing if it is not connected).
    pub(super) fn set_checked(&mut self, peer: &Libp2pPeer, checked: bool) {
        if let Some(state) = self.connected.get_mut(peer) {
            state.checked = checked;
        }
    }

    /// The engine id of `peer` if it is connected and announced to the engine.
    pub(super) fn announced(&self, peer: &Libp2pPeer) -> Option<PeerId> {
        self.connected
            .get(peer)
            .filter(|state| state.announced)
            .map(|state| state.id)
    }

    /// The libp2p peer behind an engine id, if that id was ever given out.
    pub(super) fn libp2p_peer(&self, peer: PeerId) -> Option<Libp2pPeer> {
        self.by_engine.get(&peer).copied()
    }

    /// Tells the handles how many peers are connected.
    fn publish_count(&self) {
        self.shared
            .connected
            .store(self.connected.len(), Ordering::Relaxed);
    }
}

//! The deny list: peers never to redial, with the reason. A bounded container of its own so the dialer's logic
//! does not mix with its bookkeeping (insertion order, eviction of the oldest entry).

use std::collections::{HashMap, VecDeque};

use libp2p::PeerId as Libp2pPeer;

use super::MAX_DENIED;

/// Why a peer is on the deny list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DenyKind {
    /// Its status names another chain.
    OtherChain,
    /// The engine asked to disconnect it.
    Engine,
}

/// Peers never to redial, with the reason; at most [`MAX_DENIED`], the oldest forgotten first.
#[derive(Default)]
pub(super) struct DenyList {
    /// Each denied peer's kind and reason.
    entries: HashMap<Libp2pPeer, (DenyKind, String)>,
    /// The denied peers, oldest first.
    order: VecDeque<Libp2pPeer>,
}

impl DenyList {
    /// Why `peer` is denied, if it is.
    pub(super) fn kind(&self, peer: &Libp2pPeer) -> Option<DenyKind> {
        self.entries.get(peer).map(|(k, _)| *k)
    }

    /// Adds or updates `peer`; returns whether its entry is new or its reason changed.
    pub(super) fn insert(&mut self, peer: Libp2pPeer, kind: DenyKind, reason: String) -> bool {
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

    /// Takes `peer` off the list.
    pub(super) fn remove(&mut self, peer: &Libp2pPeer) {
        if self.entries.remove(peer).is_some() {
            self.order.retain(|p| p != peer);
        }
    }

    /// The list's contents with reasons, oldest first.
    pub(super) fn snapshot(&self) -> Vec<(Libp2pPeer, String)> {
        self.order
            .iter()
            .filter_map(|p| self.entries.get(p).map(|(_, r)| (*p, r.clone())))
            .collect()
    }
}

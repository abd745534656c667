//! The deny list: peers never to redial, with the reason; and the operator's bans, which end. Bounded containers
//! of their own so the dialer's logic does not mix with their bookkeeping (insertion order, ends, eviction).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use libp2p::PeerId as Libp2pPeer;
use tokio::time::Instant;

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

/// Most peers banned by the operator at once; when full, a new ban lifts the one that ends first.
pub const MAX_BANS: usize = 1024;
/// The shortest ban.
pub const MIN_BAN: Duration = Duration::from_secs(1);
/// The longest ban: 7 days.
pub const MAX_BAN: Duration = Duration::from_secs(7 * 24 * 3600);

/// One ban as the handles see it.
#[derive(Clone, Debug)]
pub(super) struct BanEntry {
    /// The banned peer.
    pub(super) peer: Libp2pPeer,
    /// When the ban ends (the network task's clock).
    pub(super) until: Instant,
    /// Connections of the peer refused while banned (shared with the task, which counts them).
    pub(super) refused: Arc<AtomicU64>,
}

/// Peers the operator banned until a time: never dialed, their connections closed at once, at most
/// [`MAX_BANS`] (a new ban beyond lifts the one ending first). Kept apart from the deny list: a ban ends, a
/// denial does not, and a peer may be both.
#[derive(Default)]
pub(super) struct Bans {
    /// Each banned peer's end and refusal count.
    by_peer: HashMap<Libp2pPeer, (Instant, Arc<AtomicU64>)>,
    /// The bans by end, earliest first.
    by_end: BTreeSet<(Instant, Libp2pPeer)>,
}

impl Bans {
    /// Whether `peer` is banned.
    pub(super) fn contains(&self, peer: &Libp2pPeer) -> bool {
        self.by_peer.contains_key(peer)
    }

    /// Bans `peer` until `until`, replacing its ban if it has one. Returns whether it had one, and the peer whose
    /// ban was lifted to make room (the one ending first) when the list was full.
    pub(super) fn insert(
        &mut self,
        peer: Libp2pPeer,
        until: Instant,
    ) -> (bool, Option<Libp2pPeer>) {
        if let Some((end, refused)) = self.by_peer.get(&peer).cloned() {
            self.by_end.remove(&(end, peer));
            self.by_end.insert((until, peer));
            self.by_peer.insert(peer, (until, refused));
            return (true, None);
        }
        let mut lifted = None;
        if self.by_peer.len() >= MAX_BANS
            && let Some((_, first)) = self.by_end.pop_first()
        {
            self.by_peer.remove(&first);
            lifted = Some(first);
        }
        self.by_end.insert((until, peer));
        self.by_peer.insert(peer, (until, Arc::default()));
        (false, lifted)
    }

    /// Lifts `peer`'s ban; whether it had one.
    pub(super) fn remove(&mut self, peer: &Libp2pPeer) -> bool {
        match self.by_peer.remove(peer) {
            Some((end, _)) => self.by_end.remove(&(end, *peer)),
            None => false,
        }
    }

    /// When the first ban ends.
    pub(super) fn next_end(&self) -> Option<Instant> {
        self.by_end.first().map(|(end, _)| *end)
    }

    /// Lifts the bans ended by `now`; returns their peers.
    pub(super) fn expire(&mut self, now: Instant) -> Vec<Libp2pPeer> {
        let mut ended = Vec::new();
        while let Some(&(end, peer)) = self.by_end.first()
            && end <= now
        {
            self.by_end.pop_first();
            self.by_peer.remove(&peer);
            ended.push(peer);
        }
        ended
    }

    /// Counts a connection of banned `peer` refused.
    pub(super) fn count_refused(&self, peer: &Libp2pPeer) {
        if let Some((_, refused)) = self.by_peer.get(peer) {
            refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The bans, ending first first.
    pub(super) fn snapshot(&self) -> Vec<BanEntry> {
        self.by_end
            .iter()
            .filter_map(|(until, peer)| {
                let (_, refused) = self.by_peer.get(peer)?;
                Some(BanEntry {
                    peer: *peer,
                    until: *until,
                    refused: refused.clone(),
                })
            })
            .collect()
    }
}

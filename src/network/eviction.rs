//! Which connected peer to disconnect when a new connection takes the node above
//! [`ServeLimits::max_connections`](super::ServeLimits): Bitcoin Core's inbound eviction (`SelectNodeToEvict` in
//! src/node/eviction.cpp, called by `CConnman::AttemptToEvictConnection` in src/net.cpp when an inbound connection
//! finds the inbound slots full), adapted to ecsync. Pure: no IO, no clock (every instant is passed in), randomness
//! only from the rng passed in.
//!
//! [`Usefulness`] is the book the swarm task keeps: one [`Candidate`] per connected peer (created by its first
//! connection, dropped when its last one closes or when it is evicted), with what it has done for us. The rule is
//! [`select_victim`], over the candidates the caller allows (never the reserved peers, never the newcomer):
//!
//! 1. Protect one peer in each of the [`PROTECT_BY_NETGROUP`] netgroups with the highest KEYED netgroup value
//!    (SHA-256 of a secret drawn at start and the group): an attacker cannot tell which groups are favoured. Bitcoin
//!    protects the 4 peers with the highest keyed values, which may all share one group; we protect 4 DISTINCT
//!    groups (the longest-connected peer of each), the diversity the rule is there for.
//! 2. Protect the [`PROTECT_BY_PING`] peers with the lowest ping round trip (the lowest ever measured, as Bitcoin's
//!    `m_min_ping_time`): cannot be faked without moving closer.
//! 3. Protect the [`PROTECT_BY_GOSSIP`] peers whose accepted gossip block came most recently (Bitcoin's slot for
//!    novel transactions: useful data it had to do work for).
//! 4. Protect the [`PROTECT_BY_BLOCKS`] peers that most recently answered one of our block requests with blocks
//!    (Bitcoin's slot for novel blocks).
//! 5. Protect the longest-connected half of the rest (Bitcoin's `ProtectEvictionCandidatesByRatio`, without its
//!    Tor/I2P/CJDNS/localhost quota: ecsync runs on TCP/IP only), so attacks that start later cannot displace the
//!    peers we had before.
//! 6. Among what remains, take the netgroup with the most connections (a tie goes to the group whose youngest
//!    member is youngest) and evict its YOUNGEST peer, as Bitcoin does.
//!
//! Steps 2–4 protect only peers with the evidence (a ping measured, blocks delivered, gossip accepted); Bitcoin
//! fills these slots with the oldest peers when fewer have it, which step 5 already does by age. Ties in 1–4 go to
//! the longer-connected peer.
//!
//! The youngest, not a random peer of the worst group (the "at random among the worst"): an outsider that
//! keeps redialing to win a slot then evicts, each time, the previous youngest of the most crowded group, usually
//! its own earlier connection, so churn cannot wear down the peers that stayed (a random pick would evict a
//! settled peer of that group with each reconnection, and over time hand the group to whoever churns). The rng only
//! breaks exact ties (equal instants), after candidates are put in peer-id order, so a seeded rng gives one answer.
//!
//! Netgroups ([`Netgroup`]): IPv4 /16, IPv6 /32 (an IPv4-mapped IPv6 address counts as IPv4), from the
//! connection's remote address; loopback addresses share a group; anything else (a DNS name, a relay) is one
//! group of its own. Bitcoin's finer cases (ASN maps, tunnelled IPv6 prefixes) are left out.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use libp2p::PeerId as Libp2pPeer;
use libp2p::multiaddr::{Multiaddr, Protocol};
use rand::Rng;
use rand::seq::SliceRandom;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

/// Peers protected by keyed netgroup: one in each of this many distinct groups (Bitcoin: 4).
pub(super) const PROTECT_BY_NETGROUP: usize = 4;
/// Peers protected for the lowest ping round trip (Bitcoin: 8).
pub(super) const PROTECT_BY_PING: usize = 8;
/// Peers protected for the most recent accepted gossip block (Bitcoin: 4, for transactions).
pub(super) const PROTECT_BY_GOSSIP: usize = 4;
/// Peers protected for the most recent blocks delivered to our requests (Bitcoin: 4).
pub(super) const PROTECT_BY_BLOCKS: usize = 4;

/// The netgroup of an address: peers in one group are likely under one operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Netgroup {
    /// An IPv4 /16 (its first two octets).
    V4([u8; 2]),
    /// An IPv6 /32 (its first four octets).
    V6([u8; 4]),
    /// Not an IP address (a DNS name, a relayed address): all in one group.
    Other,
}

impl Netgroup {
    /// The group of a connection's remote address (its first component).
    pub(super) fn of(remote: &Multiaddr) -> Self {
        match remote.iter().next() {
            Some(Protocol::Ip4(ip)) => Self::v4(ip),
            Some(Protocol::Ip6(ip)) => Self::v6(ip),
            _ => Self::Other,
        }
    }

    fn v4(ip: Ipv4Addr) -> Self {
        let [a, b, _, _] = ip.octets();
        Self::V4([a, b])
    }

    fn v6(ip: Ipv6Addr) -> Self {
        if let Some(v4) = ip.to_ipv4_mapped() {
            return Self::v4(v4);
        }
        let [a, b, c, d, ..] = ip.octets();
        Self::V6([a, b, c, d])
    }

    /// A tag and the prefix: distinct for distinct groups.
    fn bytes(self) -> [u8; 5] {
        match self {
            Self::V4([a, b]) => [4, a, b, 0, 0],
            Self::V6([a, b, c, d]) => [6, a, b, c, d],
            Self::Other => [0; 5],
        }
    }
}

/// A peer that could be evicted, with what it has done for us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    /// The peer.
    pub(super) peer: Libp2pPeer,
    /// When its first open connection was established.
    pub(super) connected_at: Instant,
    /// Its open connections (each counts toward its netgroup's size).
    pub(super) connections: u32,
    /// Its keyed netgroup: equal for peers of one group, unpredictable without the book's secret.
    pub(super) netgroup: u64,
    /// The lowest ping round trip measured on any of its connections.
    pub(super) min_ping: Option<Duration>,
    /// When it last answered one of our block requests with blocks.
    pub(super) last_blocks: Option<Instant>,
    /// When a gossip block it sent us was last accepted.
    pub(super) last_gossip: Option<Instant>,
}

/// The eviction book of the swarm task: one [`Candidate`] per connected peer, nothing else, so it is bounded by
/// libp2p's connection limit. Events about a peer it does not hold are ignored.
pub(super) struct Usefulness {
    /// The secret the netgroups are keyed with.
    key: [u8; 32],
    /// The connected peers.
    peers: HashMap<Libp2pPeer, Candidate>,
}

impl Usefulness {
    /// An empty book, its netgroup key drawn from `rng`.
    pub(super) fn new<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self {
            key: rng.random(),
            peers: HashMap::new(),
        }
    }

    /// The keyed value of `group`: the first 8 bytes of SHA-256(key ‖ group).
    pub(super) fn keyed(&self, group: Netgroup) -> u64 {
        let digest = Sha256::new()
            .chain_update(self.key)
            .chain_update(group.bytes())
            .finalize();
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }

    /// A connection to `peer` was established at `now` from/to `remote` (libp2p's
    /// `ConnectedPoint::get_remote_address`). The first one makes the record (its time and netgroup); later ones
    /// only add to its connection count.
    pub(super) fn on_connected(&mut self, peer: Libp2pPeer, remote: &Multiaddr, now: Instant) {
        if let Some(c) = self.peers.get_mut(&peer) {
            c.connections = c.connections.saturating_add(1);
            return;
        }
        let netgroup = self.keyed(Netgroup::of(remote));
        self.peers.insert(
            peer,
            Candidate {
                peer,
                connected_at: now,
                connections: 1,
                netgroup,
                min_ping: None,
                last_blocks: None,
                last_gossip: None,
            },
        );
    }

    /// A connection to `peer` closed, leaving `remaining` open (libp2p's `num_established`); at 0 the peer is
    /// forgotten.
    pub(super) fn on_closed(&mut self, peer: &Libp2pPeer, remaining: u32) {
        if remaining == 0 {
            self.peers.remove(peer);
        } else if let Some(c) = self.peers.get_mut(peer) {
            c.connections = remaining;
        }
    }

    /// Forgets `peer` at once: call it when disconnecting it (evicted), so it is not picked again while its
    /// connections are still closing.
    pub(super) fn on_disconnected(&mut self, peer: &Libp2pPeer) {
        self.peers.remove(peer);
    }

    /// A ping to `peer` came back after `rtt`.
    pub(super) fn on_ping(&mut self, peer: &Libp2pPeer, rtt: Duration) {
        if let Some(c) = self.peers.get_mut(peer) {
            c.min_ping = Some(c.min_ping.map_or(rtt, |m| m.min(rtt)));
        }
    }

    /// `peer` answered one of our block requests with blocks, at `now`.
    pub(super) fn on_blocks(&mut self, peer: &Libp2pPeer, now: Instant) {
        if let Some(c) = self.peers.get_mut(peer) {
            c.last_blocks = Some(c.last_blocks.map_or(now, |t| t.max(now)));
        }
    }

    /// A gossip block `peer` sent us was accepted, at `now`.
    pub(super) fn on_gossip_accepted(&mut self, peer: &Libp2pPeer, now: Instant) {
        if let Some(c) = self.peers.get_mut(peer) {
            c.last_gossip = Some(c.last_gossip.map_or(now, |t| t.max(now)));
        }
    }

    /// The record of `peer`, if it is connected.
    #[cfg(test)]
    pub(super) fn get(&self, peer: &Libp2pPeer) -> Option<&Candidate> {
        self.peers.get(peer)
    }

    /// Peers in the book.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.peers.len()
    }

    /// Whether the book is empty.
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Open connections in the book.
    #[cfg(test)]
    pub(super) fn connections(&self) -> u64 {
        self.peers.values().map(|c| u64::from(c.connections)).sum()
    }

    /// The peer to evict so that `newcomer` can stay: [`select_victim`] over every peer but `newcomer` and the
    /// reserved ones. `None`: nobody may go (then the newcomer should be closed instead).
    pub(super) fn victim<R: Rng + ?Sized>(
        &self,
        newcomer: &Libp2pPeer,
        is_reserved: impl Fn(&Libp2pPeer) -> bool,
        rng: &mut R,
    ) -> Option<Libp2pPeer> {
        let candidates = self
            .peers
            .values()
            .filter(|c| c.peer != *newcomer && !is_reserved(&c.peer))
            .cloned()
            .collect();
        select_victim(candidates, rng)
    }
}

/// The rule of the module docs over `candidates` (every one may be evicted): the peer to evict, or `None` when
/// all are protected (or there are none). The same candidates, in any order, and the same rng state give the same
/// answer.
pub(super) fn select_victim<R: Rng + ?Sized>(
    mut candidates: Vec<Candidate>,
    rng: &mut R,
) -> Option<Libp2pPeer> {
    // One order whatever the caller's (a hash map's), then shuffled: exact ties below go by this order, as every
    // sort below is stable.
    candidates.sort_by_key(|c| c.peer);
    candidates.shuffle(rng);
    protect_by_netgroup(&mut candidates, PROTECT_BY_NETGROUP);
    protect_best(&mut candidates, PROTECT_BY_PING, |c| {
        c.min_ping.map(Reverse)
    });
    protect_best(&mut candidates, PROTECT_BY_GOSSIP, |c| c.last_gossip);
    protect_best(&mut candidates, PROTECT_BY_BLOCKS, |c| c.last_blocks);
    protect_oldest_half(&mut candidates);
    youngest_of_largest_group(&candidates)
}

/// Removes (protects) one peer, the longest-connected, in each of the `k` distinct netgroups with the highest
/// keyed values.
fn protect_by_netgroup(candidates: &mut Vec<Candidate>, k: usize) {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| (Reverse(candidates[i].netgroup), candidates[i].connected_at));
    let mut protected = Vec::with_capacity(k);
    let mut last_group = None;
    for i in order {
        if protected.len() == k {
            break;
        }
        if last_group != Some(candidates[i].netgroup) {
            last_group = Some(candidates[i].netgroup);
            protected.push(i);
        }
    }
    remove_indices(candidates, &protected);
}

/// Removes (protects) the `k` candidates with the highest `score`, among those that have one; ties go to the
/// longer-connected.
fn protect_best<K: Ord>(
    candidates: &mut Vec<Candidate>,
    k: usize,
    score: impl Fn(&Candidate) -> Option<K>,
) {
    let mut ranked: Vec<(K, Instant, usize)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| score(c).map(|s| (s, c.connected_at, i)))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let protected: Vec<usize> = ranked.iter().take(k).map(|r| r.2).collect();
    remove_indices(candidates, &protected);
}

/// Removes (protects) the longest-connected half (rounded down) of `candidates`, leaving the rest oldest first.
fn protect_oldest_half(candidates: &mut Vec<Candidate>) {
    candidates.sort_by_key(|c| c.connected_at);
    let half = candidates.len() / 2;
    candidates.drain(..half);
}

/// The youngest peer of the netgroup with the most connections; a tie between groups goes to the one whose
/// youngest peer is youngest, an exact tie to the first in `candidates`' order.
fn youngest_of_largest_group(candidates: &[Candidate]) -> Option<Libp2pPeer> {
    let mut groups: HashMap<u64, (u64, Instant)> = HashMap::new();
    for c in candidates {
        let group = groups.entry(c.netgroup).or_insert((0, c.connected_at));
        group.0 += u64::from(c.connections.max(1));
        group.1 = group.1.max(c.connected_at);
    }
    let rank = |c: &Candidate| {
        let (size, youngest) = groups[&c.netgroup];
        (size, youngest, c.connected_at)
    };
    let mut best: Option<&Candidate> = None;
    for c in candidates {
        if best.is_none_or(|b| rank(c) > rank(b)) {
            best = Some(c);
        }
    }
    best.map(|c| c.peer)
}

/// Removes the candidates at `indices` (distinct, in any order), keeping the others in their order.
fn remove_indices(candidates: &mut Vec<Candidate>, indices: &[usize]) {
    let mut i = 0;
    candidates.retain(|_| {
        let keep = !indices.contains(&i);
        i += 1;
        keep
    });
}

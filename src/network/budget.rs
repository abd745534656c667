//! The serving byte budget: how many bytes of blocks_by_range answers each peer, and all of them, may hold, and
//! who goes first when the bytes are short. Owned by the server, shared with its serving tasks (which wait for
//! their reservations); the bookkeeping itself ([`Book`]) is plain arithmetic, tested without clocks or sockets.
//!
//! An answer has an entry from its request's arrival until libp2p reports it written or failed ([`Book::done`]).
//! Its serving task asks for a reservation (the most the answer may carry) before reading ([`Book::ask`]), keeps
//! the answer's encoded size once read ([`Book::shrink`]), and from the moment the answer is handed to libp2p
//! until it is written, the answer is *unwritten* ([`Book::hand_off`]). A peer with an unwritten answer is not a
//! *reader* (yet): it may be a peer that stopped reading. The limits, in budget units:
//!
//! - all peers together hold at most `total`;
//! - one peer holds at most `per_peer`, except that a peer holding nothing may always take one reservation (so
//!   that its first answer fits, even at the protocol's largest); beyond, its requests wait until its own answers
//!   are written, the way Bitcoin Core stops serving a peer whose send buffer is full (`fPauseSend`);
//! - the last `reserved` units of `total` go only to readers: peers that stopped reading fill at most
//!   `total - reserved`, and a reader is served from the rest whatever they hold.
//!
//! Order: the waiter whose peer holds the fewest units goes first, then the earliest. A waiter that does not fit
//! waits and nobody behind it overtakes it (so a large reservation is never starved by small ones), except that a
//! waiter kept out only of the readers' share holds back no reader.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

/// The budget's limits, in budget units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shares {
    /// All peers together.
    pub total: usize,
    /// One peer (beyond its first reservation).
    pub per_peer: usize,
    /// The part of `total` only readers (peers with no unwritten answer) may take.
    pub reserved: usize,
}

/// Where an answer's entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Admitted; its task has not asked (it waits out the rate limit), or gave up waiting.
    Idle,
    /// Waiting for `units`, in arrival order `seq`.
    Waiting { units: usize, seq: u64 },
    /// Holding `units`; `handed` once given to libp2p (unwritten until done).
    Held { units: usize, handed: bool },
}

/// One answer's entry.
#[derive(Clone, Copy, Debug)]
struct Entry<P> {
    /// Who asked.
    peer: P,
    /// Where it stands.
    state: State,
}

/// One peer's totals.
#[derive(Clone, Copy, Debug, Default)]
struct PeerTotals {
    /// Units its entries hold.
    held: usize,
    /// Its answers handed to libp2p and not yet written.
    unwritten: usize,
    /// Its entries.
    entries: usize,
}

/// The budget's books: every answer's entry (key `K`) and every peer's (`P`) totals. See the module doc.
#[derive(Debug)]
pub(super) struct Book<K, P> {
    /// The limits.
    shares: Shares,
    /// Units held, all peers together.
    used: usize,
    /// The next waiter's arrival number.
    next_seq: u64,
    /// Every answer's entry.
    entries: HashMap<K, Entry<P>>,
    /// Totals of every peer with an entry.
    peers: HashMap<P, PeerTotals>,
}

impl<K: Copy + Eq + Hash, P: Copy + Eq + Hash> Book<K, P> {
    /// Empty books with `shares`.
    pub fn new(shares: Shares) -> Self {
        Self {
            shares,
            used: 0,
            next_seq: 0,
            entries: HashMap::new(),
            peers: HashMap::new(),
        }
    }

    /// Units held, all peers together.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Units `peer` holds.
    pub fn held(&self, peer: &P) -> usize {
        self.peers.get(peer).map_or(0, |t| t.held)
    }

    /// Opens an entry for answer `key` of `peer` (nothing if it has one).
    pub fn admit(&mut self, key: K, peer: P) {
        if self.entries.contains_key(&key) {
            return;
        }
        self.entries.insert(
            key,
            Entry {
                peer,
                state: State::Idle,
            },
        );
        self.peers.entry(peer).or_default().entries += 1;
    }

    /// Answer `key` waits for `units`; false if it has no entry or is not idle (then nothing changes). Call
    /// [`Book::grant`] next.
    pub fn ask(&mut self, key: K, units: usize) -> bool {
        let seq = self.next_seq;
        match self.entries.get_mut(&key) {
            Some(entry) if entry.state == State::Idle => {
                entry.state = State::Waiting { units, seq };
                self.next_seq += 1;
                true
            }
            _ => false,
        }
    }

    /// Answer `key` stops waiting (or gives back what it was granted meanwhile) and is idle again.
    pub fn withdraw(&mut self, key: K) {
        if let Some(entry) = self.entries.get_mut(&key) {
            let (peer, state) = (entry.peer, entry.state);
            entry.state = State::Idle;
            self.release(peer, state);
        }
    }

    /// Answer `key`, holding a reservation, keeps only `units` of it (never more than it holds).
    pub fn shrink(&mut self, key: K, units: usize) {
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        if let State::Held {
            units: held,
            handed,
        } = entry.state
            && units < held
        {
            entry.state = State::Held { units, handed };
            let freed = held - units;
            self.used -= freed;
            if let Some(totals) = self.peers.get_mut(&entry.peer) {
                totals.held -= freed;
            }
        }
    }

    /// Answer `key` was handed to libp2p: unwritten until [`Book::done`]. False if it holds nothing.
    pub fn hand_off(&mut self, key: K) -> bool {
        let Some(entry) = self.entries.get_mut(&key) else {
            return false;
        };
        match entry.state {
            State::Held {
                units,
                handed: false,
            } => {
                entry.state = State::Held {
                    units,
                    handed: true,
                };
                if let Some(totals) = self.peers.get_mut(&entry.peer) {
                    totals.unwritten += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// Answer `key` was written, failed or dropped: its entry closes and what it held goes back.
    pub fn done(&mut self, key: K) {
        let Some(entry) = self.entries.remove(&key) else {
            return;
        };
        self.release(entry.peer, entry.state);
        if let Some(totals) = self.peers.get_mut(&entry.peer) {
            totals.entries -= 1;
            if totals.entries == 0 {
                self.peers.remove(&entry.peer);
            }
        }
    }

    /// Gives back what an entry of `peer` in `state` held.
    fn release(&mut self, peer: P, state: State) {
        if let State::Held { units, handed } = state {
            self.used -= units;
            if let Some(totals) = self.peers.get_mut(&peer) {
                totals.held -= units;
                totals.unwritten -= usize::from(handed);
            }
        }
    }

    /// Grants what fits, in order (see the module doc); returns the keys granted.
    pub fn grant(&mut self) -> Vec<K> {
        let mut waiting: Vec<(usize, u64, K, P, usize)> = self
            .entries
            .iter()
            .filter_map(|(key, e)| match e.state {
                State::Waiting { units, seq } => {
                    Some((self.held(&e.peer), seq, *key, e.peer, units))
                }
                _ => None,
            })
            .collect();
        waiting.sort_unstable_by_key(|w| (w.0, w.1));
        let mut granted = Vec::new();
        // Set once a waiter that is not a reader is kept out of the readers' share: no other such waiter may
        // overtake it, but readers may.
        let mut readers_only = false;
        for (_, _, key, peer, units) in waiting {
            let totals = self.peers.get(&peer).copied().unwrap_or_default();
            if totals.held > 0 && totals.held + units > self.shares.per_peer {
                // Waits for its own answers to be written.
                continue;
            }
            let reader = totals.unwritten == 0;
            if !reader && readers_only {
                continue;
            }
            let limit = if reader {
                self.shares.total
            } else {
                self.shares.total.saturating_sub(self.shares.reserved)
            };
            if self.used + units <= limit {
                self.hold(key, peer, units);
                granted.push(key);
            } else if reader {
                break;
            } else {
                readers_only = true;
            }
        }
        granted
    }

    /// Answer `key` of `peer` now holds `units`.
    fn hold(&mut self, key: K, peer: P, units: usize) {
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.state = State::Held {
                units,
                handed: false,
            };
            self.used += units;
            if let Some(totals) = self.peers.get_mut(&peer) {
                totals.held += units;
            }
        }
    }
}

/// The books and the serving tasks waiting on them.
#[derive(Debug)]
struct Inner<K, P> {
    /// The books.
    book: Book<K, P>,
    /// Where each waiting entry is told it was granted.
    wakers: HashMap<K, oneshot::Sender<()>>,
}

impl<K: Copy + Eq + Hash, P: Copy + Eq + Hash> Inner<K, P> {
    /// Grants what fits and wakes the tasks granted.
    fn grant(&mut self) {
        for key in self.book.grant() {
            if let Some(waker) = self.wakers.remove(&key) {
                // A task that stopped waiting meanwhile withdraws its entry itself.
                let _ = waker.send(());
            }
        }
    }
}

/// The budget shared by the server (on the swarm task) and its serving tasks: [`Book`] behind a lock, and the
/// tasks waiting for a grant.
#[derive(Debug)]
pub(super) struct Budget<K, P> {
    /// The books and the waiting tasks.
    inner: Mutex<Inner<K, P>>,
}

impl<K: Copy + Eq + Hash, P: Copy + Eq + Hash> Budget<K, P> {
    /// An empty budget with `shares`.
    pub fn new(shares: Shares) -> Self {
        Self {
            inner: Mutex::new(Inner {
                book: Book::new(shares),
                wakers: HashMap::new(),
            }),
        }
    }

    /// The lock (a panic elsewhere leaves the books usable: every change is a few assignments).
    fn lock(&self) -> MutexGuard<'_, Inner<K, P>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Units held, all peers together.
    pub fn used(&self) -> usize {
        self.lock().book.used()
    }

    /// Units `peer` holds.
    #[cfg(test)]
    pub fn held(&self, peer: &P) -> usize {
        self.lock().book.held(peer)
    }

    /// Whether a task waits for answer `key`'s grant.
    #[cfg(test)]
    pub fn waiting(&self, key: &K) -> bool {
        self.lock().wakers.contains_key(key)
    }

    /// Opens an entry for answer `key` of `peer`.
    pub fn admit(&self, key: K, peer: P) {
        self.lock().book.admit(key, peer);
    }

    /// Waits (at most `max_wait`) until answer `key` is granted `units`; whether it was. An answer that is not
    /// granted in time is idle again; one whose entry closes meanwhile (its request failed) is not granted.
    pub async fn acquire(&self, key: K, units: usize, max_wait: Duration) -> bool {
        let granted = {
            let mut inner = self.lock();
            if !inner.book.ask(key, units) {
                return false;
            }
            let (waker, granted) = oneshot::channel();
            inner.wakers.insert(key, waker);
            inner.grant();
            granted
        };
        if let Ok(Ok(())) = tokio::time::timeout(max_wait, granted).await {
            return true;
        }
        let mut inner = self.lock();
        inner.wakers.remove(&key);
        inner.book.withdraw(key);
        inner.grant();
        false
    }

    /// Answer `key` keeps only `units` of its reservation.
    pub fn shrink(&self, key: K, units: usize) {
        let mut inner = self.lock();
        inner.book.shrink(key, units);
        inner.grant();
    }

    /// Answer `key` was handed to libp2p.
    pub fn hand_off(&self, key: K) {
        // Makes its peer no reader: nothing more fits than before.
        self.lock().book.hand_off(key);
    }

    /// Answer `key` is done (written, failed or dropped): a task still waiting for it is told no.
    pub fn done(&self, key: K) {
        let mut inner = self.lock();
        inner.wakers.remove(&key);
        inner.book.done(key);
        inner.grant();
    }
}

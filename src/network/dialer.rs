//! Dialing: the known peers (the bootnodes, and up to [`MAX_LEARNED`] peers that connected to us, at the listen
//! address identify told us) and their redial backoff, capped and for ever, the deny list of peers never to redial,
//! the operator's bans (no dial, connections closed at once, a dial when the ban ends), and the refused peers
//! waiting out their grace period before being disconnected. Everything about whom we connect to (or stop
//! connecting to) lives here; the task only tells it what happened and when its timer fired.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use libp2p::Multiaddr;
use libp2p::PeerId as Libp2pPeer;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, DialError};
use tokio::time::Instant;

use super::bans::{BanCommand, BanOutcome};
use super::behaviour::EcsyncSwarm;
use super::deny::{Bans, DenyKind, DenyList};
use super::peers::Peers;
use super::{MAX_BANS, REDIAL_INITIAL, REDIAL_MAX, REFUSAL_GRACE, Shared};

/// Peers learned from identify (beyond the bootnodes) that are redialed; more are not remembered.
pub const MAX_LEARNED: usize = 64;

/// What the dialer did about a known peer, recorded in order for tests (`Shared::dial_log`): they wait on these
/// records to know that a redial was, or was not, decided, instead of waiting a while and hoping.
#[cfg(test)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum DialRecord {
    /// A dial of the peer was started.
    Dialed(Libp2pPeer),
    /// A dial of the peer failed (the error, with its causes).
    Failed(Libp2pPeer, String),
    /// A redial of the peer was scheduled this long from now.
    RedialScheduled(Libp2pPeer, Duration),
    /// The peer's connection closed, or a dial of it failed, and it is not redialed: it is denied or banned.
    NotRedialed(Libp2pPeer),
    /// A connection of the peer was closed as soon as it was established: it is banned.
    Refused(Libp2pPeer),
}

/// A known peer (a bootnode, or a peer learned from identify) and its redial schedule.
struct Bootnode {
    /// Where to dial it.
    addr: Multiaddr,
    /// The delay before the next redial is scheduled.
    backoff: Duration,
    /// When it is to be redialed, if scheduled.
    redial_at: Option<Instant>,
    /// Whether the current run of failures has been logged.
    warned: bool,
    /// Learned from identify rather than configured.
    learned: bool,
}

/// Bootnodes with their redial schedule, the deny list, and refused peers awaiting disconnection.
pub(super) struct Dialer {
    /// Where the deny list is published for the handles.
    shared: Arc<Shared>,
    /// The bootnodes by peer.
    bootnodes: HashMap<Libp2pPeer, Bootnode>,
    /// Peers never to redial.
    deny: DenyList,
    /// Peers the operator banned for a while.
    bans: Bans,
    /// Refused peers still connected, and when to disconnect them: not at once, as closing a connection with
    /// unread data resets it, and the peer could lose our last status message and never learn why.
    refusals: HashMap<Libp2pPeer, Instant>,
}

impl Dialer {
    /// No bootnodes, an empty deny list published to `shared`.
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            bootnodes: HashMap::new(),
            deny: DenyList::default(),
            bans: Bans::default(),
            refusals: HashMap::new(),
        }
    }

    /// Registers a bootnode and dials it.
    pub(super) fn add_bootnode(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peers: &Peers,
        peer: Libp2pPeer,
        addr: Multiaddr,
    ) {
        let bootnode = Bootnode {
            addr,
            backoff: REDIAL_INITIAL,
            redial_at: None,
            warned: false,
            learned: false,
        };
        self.bootnodes.insert(peer, bootnode);
        self.publish_known();
        self.dial(swarm, peers, peer);
    }

    /// `peer` (connected) listens at `addrs` (from identify): it becomes a known peer, redialed when it goes,
    /// unless it is a bootnode already, denied, or [`MAX_LEARNED`] peers are known already.
    pub(super) fn learn(&mut self, peer: Libp2pPeer, addrs: &[Multiaddr]) {
        let learned = self.bootnodes.values().filter(|b| b.learned).count();
        if self.bootnodes.contains_key(&peer) || self.is_denied(&peer) || learned >= MAX_LEARNED {
            return;
        }
        let tcp = |a: &&Multiaddr| {
            a.iter()
                .any(|p| matches!(p, libp2p::multiaddr::Protocol::Tcp(port) if port != 0))
        };
        let Some(addr) = addrs.iter().find(tcp) else {
            return;
        };
        tracing::debug!(%peer, %addr, "learned a peer's listen address");
        self.bootnodes.insert(
            peer,
            Bootnode {
                addr: addr.clone(),
                backoff: REDIAL_INITIAL,
                redial_at: None,
                warned: false,
                learned: true,
            },
        );
        self.publish_known();
    }

    /// When [`Dialer::due`] has something to do next: the earliest redial, end of a refusal's grace or end of a
    /// ban.
    pub(super) fn wake_at(&self) -> Option<Instant> {
        self.bootnodes
            .values()
            .filter_map(|b| b.redial_at)
            .chain(self.refusals.values().copied())
            .chain(self.bans.next_end())
            .min()
    }

    /// Lifts the bans that ended, redials the bootnodes that are due, then disconnects the refused peers whose
    /// grace period is over.
    pub(super) fn due(&mut self, swarm: &mut EcsyncSwarm, peers: &Peers) {
        let ended = self.bans.expire(Instant::now());
        if !ended.is_empty() {
            self.publish_bans();
        }
        for peer in ended {
            tracing::info!(%peer, "a ban ended");
            self.after_ban(swarm, peers, peer);
        }
        self.redial_due(swarm, peers);
        self.refusals_due(swarm);
    }

    /// Dials bootnode `peer` (if it is one), unless a dial or connection is already under way.
    fn dial(&mut self, swarm: &mut EcsyncSwarm, peers: &Peers, peer: Libp2pPeer) {
        let Some(boot) = self
            .bootnodes
            .get(&peer)
            .filter(|_| !self.bans.contains(&peer))
        else {
            return;
        };
        let opts = DialOpts::peer_id(peer)
            .addresses(vec![boot.addr.clone()])
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        match swarm.dial(opts) {
            Ok(()) => {
                #[cfg(test)]
                self.record(DialRecord::Dialed(peer));
            }
            Err(DialError::DialPeerConditionFalse(_)) => {}
            Err(e) => self.dial_failed(peers, peer, &e),
        }
    }

    /// A dial of `peer` failed: logs it (once per run of failures for a bootnode) and schedules a redial.
    pub(super) fn dial_failed(&mut self, peers: &Peers, peer: Libp2pPeer, error: &DialError) {
        #[cfg(test)]
        self.record(DialRecord::Failed(peer, error_chain(error)));
        if let Some(boot) = self.bootnodes.get_mut(&peer)
            && !boot.warned
        {
            boot.warned = true;
            let what = if boot.learned { "peer" } else { "bootnode" };
            tracing::info!(
                "cannot reach {what} {} ({error}); retrying with backoff",
                boot.addr
            );
        } else {
            tracing::debug!(%peer, "dial failed: {error}");
        }
        self.schedule_redial(peers, peer);
    }

    /// Schedules a redial of bootnode `peer` after its backoff (doubling it), unless it is denied, connected or
    /// already scheduled.
    fn schedule_redial(&mut self, peers: &Peers, peer: Libp2pPeer) {
        if self.is_denied(&peer) {
            #[cfg(test)]
            self.record(DialRecord::NotRedialed(peer));
            return;
        }
        if peers.is_connected(&peer) {
            return;
        }
        let Some(boot) = self.bootnodes.get_mut(&peer) else {
            return;
        };
        if boot.redial_at.is_none() {
            let delay = boot.backoff;
            boot.redial_at = Some(Instant::now() + delay);
            boot.backoff = (delay * 2).min(REDIAL_MAX);
            #[cfg(test)]
            self.record(DialRecord::RedialScheduled(peer, delay));
        }
    }

    /// Dials the bootnodes whose redial is due and that are neither denied nor connected.
    fn redial_due(&mut self, swarm: &mut EcsyncSwarm, peers: &Peers) {
        let now = Instant::now();
        let due: Vec<Libp2pPeer> = self
            .bootnodes
            .iter_mut()
            .filter(|(_, b)| b.redial_at.is_some_and(|at| at <= now))
            .map(|(p, b)| {
                b.redial_at = None;
                *p
            })
            .collect();
        for peer in due {
            if !self.is_denied(&peer) && !peers.is_connected(&peer) {
                self.dial(swarm, peers, peer);
            }
        }
    }

    /// Disconnects the refused peers whose grace period is over.
    fn refusals_due(&mut self, swarm: &mut EcsyncSwarm) {
        let now = Instant::now();
        let due: Vec<Libp2pPeer> = self
            .refusals
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(p, _)| *p)
            .collect();
        for peer in due {
            self.refusals.remove(&peer);
            if self.is_refused(&peer) {
                let _ = swarm.disconnect_peer_id(peer);
            }
        }
    }

    /// A connection to `peer` is open: no redial pending, and the next failure is logged again.
    pub(super) fn on_connected(&mut self, peer: &Libp2pPeer) {
        if let Some(boot) = self.bootnodes.get_mut(peer) {
            boot.redial_at = None;
            boot.warned = false;
        }
    }

    /// `peer`'s last connection closed (it is no longer in `peers`): no refusal pending, and a bootnode is redialed.
    pub(super) fn on_disconnected(&mut self, peers: &Peers, peer: Libp2pPeer) {
        self.refusals.remove(&peer);
        self.schedule_redial(peers, peer);
    }

    /// `peer` passed its status check and was announced: its redial backoff starts over.
    pub(super) fn on_announced(&mut self, peer: &Libp2pPeer) {
        if let Some(boot) = self.bootnodes.get_mut(peer) {
            boot.backoff = REDIAL_INITIAL;
        }
    }

    /// Whether `peer` is a configured peer (a bootnode, `--peer`), not one learned from identify.
    pub(super) fn is_configured(&self, peer: &Libp2pPeer) -> bool {
        self.bootnodes.get(peer).is_some_and(|b| !b.learned)
    }

    /// Whether `peer` is on the deny list (refused for another chain, or disconnected at the engine's request) or
    /// banned by the operator: such a peer is not redialed, nor served blocks.
    pub(super) fn is_denied(&self, peer: &Libp2pPeer) -> bool {
        self.deny.kind(peer).is_some() || self.bans.contains(peer)
    }

    /// Whether the operator banned `peer`: its status requests are not answered either.
    pub(super) fn is_banned(&self, peer: &Libp2pPeer) -> bool {
        self.bans.contains(peer)
    }

    /// A connection of `peer` was established: if the peer is banned, the connection is closed at once (and
    /// counted), and `true` returned (the task then ignores it).
    pub(super) fn refuse_banned(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peer: Libp2pPeer,
        connection: ConnectionId,
    ) -> bool {
        if !self.bans.contains(&peer) {
            return false;
        }
        tracing::debug!(%peer, "closing a connection of a banned peer");
        self.bans.count_refused(&peer);
        #[cfg(test)]
        self.record(DialRecord::Refused(peer));
        swarm.close_connection(connection);
        true
    }

    /// Carries out an operator's ban command and answers it.
    pub(super) fn on_ban_command(
        &mut self,
        swarm: &mut EcsyncSwarm,
        peers: &Peers,
        command: BanCommand,
    ) {
        match command {
            BanCommand::Ban {
                peer,
                duration,
                reply,
            } => {
                let (renewed, lifted) = self.bans.insert(peer, Instant::now() + duration);
                if let Some(boot) = self.bootnodes.get_mut(&peer) {
                    boot.redial_at = None;
                }
                let disconnected = swarm.disconnect_peer_id(peer).is_ok();
                tracing::info!(%peer, seconds = duration.as_secs(), disconnected, "banned by the operator");
                if let Some(lifted) = lifted {
                    tracing::info!(peer = %lifted, "{MAX_BANS} bans: lifting the one that ends first");
                    self.after_ban(swarm, peers, lifted);
                }
                self.publish_bans();
                let _ = reply.send(BanOutcome {
                    disconnected,
                    renewed,
                    lifted,
                });
            }
            BanCommand::Unban { peer, reply } => {
                let was = self.bans.remove(&peer);
                if was {
                    tracing::info!(%peer, "ban lifted by the operator");
                    self.publish_bans();
                    self.after_ban(swarm, peers, peer);
                }
                let _ = reply.send(was);
            }
        }
    }

    /// `peer`'s ban ended or was lifted: a known peer's backoff starts over and it is dialed at once (unless it
    /// is denied, connected or being dialed); a failure is then redialed on its normal schedule.
    fn after_ban(&mut self, swarm: &mut EcsyncSwarm, peers: &Peers, peer: Libp2pPeer) {
        let Some(boot) = self.bootnodes.get_mut(&peer) else {
            return;
        };
        boot.backoff = REDIAL_INITIAL;
        boot.redial_at = None;
        boot.warned = false;
        if !self.is_denied(&peer) && !peers.is_connected(&peer) {
            self.dial(swarm, peers, peer);
        }
    }

    /// Whether `peer` is refused for being on another chain.
    pub(super) fn is_refused(&self, peer: &Libp2pPeer) -> bool {
        self.deny.kind(peer) == Some(DenyKind::OtherChain)
    }

    /// `peer` is on our chain: it leaves the deny list (and its pending disconnection is cancelled) if it was there
    /// for another chain.
    pub(super) fn accept(&mut self, peer: &Libp2pPeer) {
        if self.is_refused(peer) {
            self.deny.remove(peer);
            self.refusals.remove(peer);
            self.publish_deny();
        }
    }

    /// `peer` is on another chain (`reason`): it goes on the deny list and, if `connected`, is disconnected
    /// [`REFUSAL_GRACE`] from now. Returns whether it is newly refused (to be logged).
    pub(super) fn refuse(&mut self, peer: Libp2pPeer, reason: String, connected: bool) -> bool {
        let already = self.is_refused(&peer);
        if self.deny.insert(peer, DenyKind::OtherChain, reason) {
            self.publish_deny();
        }
        if connected {
            self.refusals
                .entry(peer)
                .or_insert_with(|| Instant::now() + REFUSAL_GRACE);
        }
        !already
    }

    /// The engine asked to disconnect `peer` for `reason`: it goes on the deny list (unless already refused for
    /// another chain) and any pending redial is cancelled. Returns whether its deny entry is new or changed.
    pub(super) fn deny_by_engine(&mut self, peer: Libp2pPeer, reason: String) -> bool {
        let changed = !self.is_refused(&peer) && self.deny.insert(peer, DenyKind::Engine, reason);
        if changed {
            self.publish_deny();
        }
        if let Some(boot) = self.bootnodes.get_mut(&peer) {
            boot.redial_at = None;
        }
        changed
    }

    /// Tells the handles how many peers are known (redialed).
    fn publish_known(&self) {
        self.shared
            .known
            .store(self.bootnodes.len(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Appends `record` to the dial log the tests read.
    #[cfg(test)]
    fn record(&self, record: DialRecord) {
        self.shared
            .dial_log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    /// Tells the handles the bans in force.
    fn publish_bans(&self) {
        *self
            .shared
            .bans
            .write()
            .unwrap_or_else(PoisonError::into_inner) = self.bans.snapshot();
    }

    /// Tells the handles the deny list's current contents.
    fn publish_deny(&self) {
        *self
            .shared
            .denied
            .write()
            .unwrap_or_else(PoisonError::into_inner) = self.deny.snapshot();
    }
}

/// `error` and its causes, one after the other (a denied dial says why only in its cause).
#[cfg(test)]
fn error_chain(error: &DialError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

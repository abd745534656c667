//! The operator's peer bans (Bitcoin Core's `setban`), as the handles see them: ban a peer for a while, lift a
//! ban, list the bans. A ban disconnects the peer at once; while it lasts the peer is never dialed (a configured
//! `--peer` included) and each of its connections, inbound or outbound, is closed as soon as it is established
//! (and counted); when it ends, or is lifted, a known peer (configured, or learned from identify) is dialed at once
//! and then redialed as before. Bans end on the network task's clock, at a timer (no polling). At most
//! [`MAX_BANS`](super::MAX_BANS): a new ban beyond lifts the one that ends first, and says so. The list lives in `deny.rs`, what a
//! ban does to dialing in `dialer.rs`.

use std::sync::PoisonError;
use std::time::Duration;

use libp2p::PeerId as Libp2pPeer;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::deny::{MAX_BAN, MIN_BAN};
use super::{Command, NetworkHandle};

/// What the handles ask the swarm task about bans.
pub(super) enum BanCommand {
    /// Ban `peer` for `duration` from now.
    Ban {
        /// The peer.
        peer: Libp2pPeer,
        /// How long.
        duration: Duration,
        /// Where the task says what it did.
        reply: oneshot::Sender<BanOutcome>,
    },
    /// Lift `peer`'s ban.
    Unban {
        /// The peer.
        peer: Libp2pPeer,
        /// Whether it was banned.
        reply: oneshot::Sender<bool>,
    },
}

/// What banning a peer did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BanOutcome {
    /// It was connected, and has been disconnected.
    pub disconnected: bool,
    /// It was banned already: its ban now ends at the new time.
    pub renewed: bool,
    /// The list held [`MAX_BANS`](super::MAX_BANS) bans: this peer's, the one ending first, was lifted to make room.
    pub lifted: Option<Libp2pPeer>,
}

/// A banned peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BannedPeer {
    /// Its libp2p peer id.
    pub peer: Libp2pPeer,
    /// How long the ban still lasts.
    pub left: Duration,
    /// Its connections refused since it was banned.
    pub refused: u64,
}

/// Why a ban command was not carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BanError {
    /// The duration is out of bounds.
    #[error(
        "a ban lasts from {} s to {} s (7 days)",
        MIN_BAN.as_secs(),
        MAX_BAN.as_secs()
    )]
    Duration,
    /// The peer is this node.
    #[error("a node cannot ban itself")]
    Itself,
    /// The command channel is full.
    #[error("the network is busy; try again")]
    Busy,
    /// The network has stopped.
    #[error("the network has stopped")]
    Stopped,
}

impl NetworkHandle {
    /// Bans `peer` for `duration` ([`MIN_BAN`] to [`MAX_BAN`]) from now: it is disconnected at once and refused
    /// until the ban ends (a ban it already has is replaced). Returns once the swarm task has done it.
    pub async fn ban(&self, peer: Libp2pPeer, duration: Duration) -> Result<BanOutcome, BanError> {
        if !(MIN_BAN..=MAX_BAN).contains(&duration) {
            return Err(BanError::Duration);
        }
        if peer == self.local_peer_id {
            return Err(BanError::Itself);
        }
        let (reply, answer) = oneshot::channel();
        self.ban_command(BanCommand::Ban {
            peer,
            duration,
            reply,
        })?;
        answer.await.map_err(|_| BanError::Stopped)
    }

    /// Lifts `peer`'s ban at once (a known peer is dialed); whether it was banned.
    pub async fn unban(&self, peer: Libp2pPeer) -> Result<bool, BanError> {
        let (reply, answer) = oneshot::channel();
        self.ban_command(BanCommand::Unban { peer, reply })?;
        answer.await.map_err(|_| BanError::Stopped)
    }

    /// The bans in force, ending first first (at most [`MAX_BANS`](super::MAX_BANS)).
    pub fn banned_peers(&self) -> Vec<BannedPeer> {
        let now = Instant::now();
        self.shared
            .bans
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|b| b.until > now)
            .map(|b| BannedPeer {
                peer: b.peer,
                left: b.until - now,
                refused: b.refused.load(std::sync::atomic::Ordering::Relaxed),
            })
            .collect()
    }

    /// How many bans are in force.
    pub fn banned_count(&self) -> usize {
        let now = Instant::now();
        self.shared
            .bans
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|b| b.until > now)
            .count()
    }

    /// Hands `command` to the swarm task without waiting.
    fn ban_command(&self, command: BanCommand) -> Result<(), BanError> {
        self.commands
            .try_send(Command::Ban(command))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => BanError::Busy,
                mpsc::error::TrySendError::Closed(_) => BanError::Stopped,
            })
    }
}

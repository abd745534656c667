//! Checkpoint sync, as Lighthouse's: `ecsync node --checkpoint HEIGHT:HASH` on an empty store starts from a
//! block the operator trusts instead of genesis. Before the engine starts, the node asks the connected peers that
//! claim HEIGHT for that one block; the first answer whose hash is HASH and whose approval verifies (with every
//! rule a block keeps on its own) becomes the store's anchor: its first block, head and checkpoint, durably. A peer
//! answering another block there is refused (disconnected and denied, one log line). The engine then syncs from
//! HEIGHT + 1 as usual, its link rules binding every later block to HASH, and fetches the history below HEIGHT in
//! the background, bound to HASH by the parent hashes (the backfill: `ecsync_systems::backfill_blocks`).
//!
//! This runs at the IO edge, on the node's engine thread before the engine exists (the node already listens and
//! serves): the network events it sees are handed back so that the engine starts with every peer it would have
//! seen.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use ecsync_components::StoreError;
use ecsync_components::{
    ChainSpec, EncodedBlock, Hash32, Height, NetEvent, PeerId, Request, RequestId, SignedBlock,
    StatusMessage,
};
use ecsync_systems::consensus::{Authorities, KeyError, check_standalone, verify_approval};
use std::time::Instant;

use crate::network::NetworkHandle;
use crate::store::RedbStore;
use crate::util::clock::unix_now_ms;

/// A peer asked for the block is asked again (or another one) after this long without an answer.
const ASK_AGAIN: Duration = Duration::from_secs(10);
/// How often the waiting is logged.
const LOG_EVERY: Duration = Duration::from_secs(10);
/// Request ids of these requests count down from here, far from the engine's (which count up from 0), so a late
/// answer reaching the engine matches none of its requests.
const FIRST_REQUEST_ID: u64 = u64::MAX;

/// The trusted block: where an empty store starts.
#[derive(Debug, Clone, Copy)]
pub struct TrustedCheckpoint {
    /// Its height (above 0).
    pub height: Height,
    /// Its hash.
    pub hash: Hash32,
}

/// What the node's input gave the fetch.
pub enum Input {
    /// A network event.
    Event(NetEvent),
    /// Nothing within the wait.
    Idle,
    /// The node is stopping.
    Stop,
}

/// What checking one answer concluded.
enum Verdict {
    /// The trusted block, with its hash and the bytes it came as.
    Anchor(Box<EncodedBlock>),
    /// The peer does not have the block (an empty answer): ask another one later.
    Lacks,
    /// The peer answered something else at the checkpoint's height: refuse it.
    Refuse(String),
}

/// Checks a peer's answer for the checkpoint's block.
fn judge(
    spec: &ChainSpec,
    authorities: &Authorities,
    checkpoint: TrustedCheckpoint,
    blocks: &[Vec<u8>],
) -> Verdict {
    let Some(bytes) = blocks.first() else {
        return Verdict::Lacks;
    };
    let block = match SignedBlock::decode(bytes, spec.max_block_bytes as usize) {
        Ok(b) => b,
        Err(e) => return Verdict::Refuse(format!("an undecodable block ({e})")),
    };
    if block.height() != checkpoint.height {
        return Verdict::Refuse(format!("block {} instead", block.height()));
    }
    let hash = block.hash();
    if hash != checkpoint.hash {
        return Verdict::Refuse(format!("another block there ({hash})"));
    }
    if let Err(e) = check_standalone(spec, &block, bytes.len(), unix_now_ms())
        .and_then(|()| verify_approval(authorities, &block))
    {
        return Verdict::Refuse(format!(
            "the checkpoint's block with an invalid approval ({e})"
        ));
    }
    Verdict::Anchor(Box::new(EncodedBlock {
        block,
        hash,
        bytes: bytes.clone(),
    }))
}

/// The peers seen while fetching, and what was asked of whom.
#[derive(Default)]
struct Fetching {
    /// Connected peers: label and latest status (one entry per peer, however many events it sends).
    peers: HashMap<PeerId, (String, StatusMessage)>,
    /// Outstanding requests: peer → (request id, when asked).
    asked: HashMap<PeerId, (RequestId, Instant)>,
    /// Peers refused for answering another block.
    refused: HashSet<PeerId>,
    /// Peers that proved they are federation members, with their authorities.
    members: HashMap<PeerId, u64>,
    /// The next request id (counting down).
    next_id: u64,
}

impl Fetching {
    /// Asks every peer that claims the height and is neither refused nor waited for.
    fn ask(&mut self, network: &NetworkHandle, height: Height) {
        let now = Instant::now();
        for (&peer, (_, status)) in &self.peers {
            let head = status.head.height;
            let waiting = self
                .asked
                .get(&peer)
                .is_some_and(|(_, at)| now.duration_since(*at) < ASK_AGAIN);
            // A peer whose history starts above the height lacks the block: not asked.
            let lacks = head < height || status.lowest > height;
            if lacks || waiting || self.refused.contains(&peer) {
                continue;
            }
            let request = RequestId(self.next_id);
            self.next_id -= 1;
            self.asked.insert(peer, (request, now));
            network.send(Request::BlocksByRange {
                peer,
                request,
                start: height,
                count: 1,
                max_bytes: ecsync_components::MAX_RESPONSE_BYTES,
            });
        }
    }

    /// The peers connected now, as the events that tell the engine so (ordered by id; a member's
    /// `PeerAuthenticated` right after its `PeerConnected`).
    fn connected_events(self) -> Vec<NetEvent> {
        let mut peers: Vec<_> = self.peers.into_iter().collect();
        peers.sort_unstable_by_key(|(peer, _)| *peer);
        let members = self.members;
        peers
            .into_iter()
            .flat_map(|(peer, (label, status))| {
                let connected = NetEvent::PeerConnected {
                    peer,
                    label,
                    status,
                };
                let member = members
                    .get(&peer)
                    .map(|&authorities| NetEvent::PeerAuthenticated { peer, authorities });
                std::iter::once(connected).chain(member)
            })
            .collect()
    }

    /// Whether `request` is the one outstanding to `peer` (and forgets it).
    fn answered(&mut self, peer: PeerId, request: RequestId) -> bool {
        if self.asked.get(&peer).is_some_and(|(r, _)| *r == request) {
            // Asked again only after ASK_AGAIN, by keeping the time and forgetting the id.
            if let Some(entry) = self.asked.get_mut(&peer) {
                entry.0 = RequestId(0);
            }
            return true;
        }
        false
    }

    /// Logs how many peers are connected and how many claim the checkpoint's height.
    fn log_waiting(&self, height: Height) {
        let claiming = self
            .peers
            .values()
            .filter(|(_, s)| s.head.height >= height)
            .count();
        tracing::info!(
            "checkpoint sync: waiting for block {height}: {} peers connected, {claiming} claim it",
            self.peers.len()
        );
    }

    /// Follows an event other than an answer with blocks (which the caller judges): the peers and their statuses,
    /// failed requests; ignores consensus messages and gossip (nothing to judge a block against yet).
    fn follow(&mut self, event: &NetEvent, network: &NetworkHandle) {
        match event {
            NetEvent::PeerConnected {
                peer,
                label,
                status,
            } => {
                if !self.refused.contains(peer) {
                    self.peers.insert(*peer, (label.clone(), status.clone()));
                }
            }
            NetEvent::Status { peer, status } => {
                if let Some(entry) = self.peers.get_mut(peer) {
                    entry.1 = status.clone();
                }
            }
            NetEvent::PeerGone { peer } => {
                self.peers.remove(peer);
                self.asked.remove(peer);
                self.members.remove(peer);
            }
            NetEvent::PeerAuthenticated { peer, authorities } => {
                if self.peers.contains_key(peer) {
                    self.members.insert(*peer, *authorities);
                }
            }
            NetEvent::RequestFailed { peer, request, .. } => {
                self.answered(*peer, *request);
            }
            // Nothing to agree on before the first block: the members gossip them again.
            NetEvent::Consensus { .. } => {}
            // Nothing to judge a block against yet: not forwarded, no blame.
            NetEvent::GossipBlock { id, .. } => network.send(Request::GossipVerdict {
                id: *id,
                verdict: ecsync_components::GossipVerdict::Ignore,
            }),
            NetEvent::Blocks { .. } => {}
        }
    }

    /// Refuses `peer` for answering `what` at the checkpoint's height: one log line, disconnected and banned,
    /// never asked again.
    fn refuse(
        &mut self,
        peer: PeerId,
        what: &str,
        checkpoint: TrustedCheckpoint,
        network: &NetworkHandle,
    ) {
        let label = network
            .label_of(peer)
            .unwrap_or_else(|| format!("{peer:?}"));
        let reason = format!(
            "it answered {what} when asked for the checkpoint {}:{}",
            checkpoint.height, checkpoint.hash
        );
        tracing::warn!("checkpoint sync: refused peer {label}: {reason}");
        self.refused.insert(peer);
        self.peers.remove(&peer);
        network.send(Request::Disconnect {
            peer,
            reason,
            ban: true,
        });
    }
}

/// Why a checkpoint sync could not start.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The spec's federation keys.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// Storing the checkpoint's block as the anchor.
    #[error("cannot store the checkpoint's block")]
    Store(#[source] StoreError),
}

/// Fetches the checkpoint's block from the peers and makes it the store's anchor. `recv` waits up to the given
/// time for the node's next input. Returns what the engine must hear of the peers seen meanwhile — one
/// `PeerConnected` with the latest status per peer still connected and not refused (bounded by the connected
/// peers, however many events they sent) — or `None` if the node stopped first.
pub fn start_from_checkpoint(
    store: &mut RedbStore,
    spec: &ChainSpec,
    checkpoint: TrustedCheckpoint,
    network: &NetworkHandle,
    mut recv: impl FnMut(Duration) -> Input,
) -> Result<Option<Vec<NetEvent>>, CheckpointError> {
    let authorities = Authorities::from_spec(spec)?;
    let mut state = Fetching {
        next_id: FIRST_REQUEST_ID,
        ..Fetching::default()
    };
    let mut next_log = Instant::now();
    tracing::info!(
        "checkpoint sync: fetching block {} ({}) from peers",
        checkpoint.height,
        checkpoint.hash
    );
    loop {
        if Instant::now() >= next_log {
            next_log = Instant::now() + LOG_EVERY;
            state.log_waiting(checkpoint.height);
        }
        state.ask(network, checkpoint.height);
        let event = match recv(Duration::from_secs(1)) {
            Input::Idle => continue,
            Input::Stop => return Ok(None),
            Input::Event(event) => event,
        };
        let NetEvent::Blocks {
            peer,
            request,
            blocks,
        } = &event
        else {
            state.follow(&event, network);
            continue;
        };
        if !state.answered(*peer, *request) {
            continue;
        }
        match judge(spec, &authorities, checkpoint, blocks) {
            Verdict::Lacks => {}
            Verdict::Refuse(what) => state.refuse(*peer, &what, checkpoint, network),
            Verdict::Anchor(block) => {
                store
                    .start_from(block.as_import(), unix_now_ms())
                    .map_err(CheckpointError::Store)?;
                tracing::info!(
                    "checkpoint sync: starting from block {} ({}); the history below it is fetched in the background (backfill)",
                    checkpoint.height,
                    checkpoint.hash
                );
                return Ok(Some(state.connected_events()));
            }
        }
    }
}

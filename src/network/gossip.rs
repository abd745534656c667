//! Block gossip on the swarm task: the chain's gossipsub topic, its configuration, and the messages waiting for
//! the engine's verdict.
//!
//! One topic per chain, [`topic_name`]: `/ecsync/<chain id>/<genesis hash hex>/blocks/3/postcard`. Messages are
//! signed by their author (`MessageAuthenticity::Signed`, `ValidationMode::Strict`), identified by the SHA-256 of
//! their data (the same block from two authors is one message), and NOTHING is forwarded before the engine
//! judged it (`validate_messages`): each received message becomes a [`NetEvent::GossipBlock`] with a `u64` id,
//! and the engine's `Request::GossipVerdict` for that id is reported to gossipsub (accept: forwarded; reject: the
//! propagation source is blamed by gossipsub, the engine bans it itself; ignore: dropped).
//!
//! Bounds: at most [`MAX_PENDING_VALIDATIONS`] messages wait for a verdict (a message beyond it is ignored at
//! once, without reaching the engine); one waiting longer than [`VALIDATION_TTL`] is ignored and forgotten (the
//! message cache holds it [`HISTORY_LENGTH`] heartbeats, longer than that, so an accept within the TTL still
//! finds it). Messages from a peer the engine does not know (its status has not passed our check) are ignored at
//! once: the engine can only judge, and penalise, peers it knows.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use ecsync_components::Hash32;
use libp2p::PeerId as Libp2pPeer;
use libp2p::gossipsub::{
    self, IdentTopic, MessageAcceptance, MessageAuthenticity, MessageId, ValidationMode,
};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

/// Messages waiting for the engine's verdict, all peers together; beyond, a new one is ignored at once.
pub const MAX_PENDING_VALIDATIONS: usize = 256;
/// A message without a verdict after this long is ignored and forgotten.
pub const VALIDATION_TTL: Duration = Duration::from_secs(5);
/// Gossipsub heartbeat: short, so that the meshes of small networks form within a second.
pub const HEARTBEAT: Duration = Duration::from_millis(250);
/// Heartbeats a message stays in the message cache (and can still be accepted and forwarded): 6 s, more than
/// [`VALIDATION_TTL`].
pub const HISTORY_LENGTH: usize = 24;
/// Bytes a gossipsub frame may carry beyond one block of the spec's `max_block_bytes` (the message's author,
/// sequence number, signature and key, the topic, and control messages piggybacked on the frame).
pub const TRANSMIT_SLACK: usize = 4 * 1024;

/// The chain's block topic.
pub fn topic_name(chain_id: u64, genesis_hash: &Hash32) -> String {
    format!(
        "/ecsync/{chain_id}/{}/blocks/3/postcard",
        hex::encode(genesis_hash.0)
    )
}

/// The gossipsub behaviour for a chain whose blocks are at most `max_block_bytes`, signing with `key`.
pub(super) fn behaviour(
    key: &libp2p::identity::Keypair,
    max_block_bytes: u32,
) -> gossipsub::Behaviour {
    let config = gossipsub::ConfigBuilder::default()
        .heartbeat_interval(HEARTBEAT)
        .history_length(HISTORY_LENGTH)
        .history_gossip(3)
        // Networks of 2 to 10 nodes: a mesh of 4 (2 to 8), at least 1 outbound (2·1 ≤ 4).
        .mesh_n(4)
        .mesh_n_low(2)
        .mesh_n_high(8)
        .mesh_outbound_min(1)
        .gossip_lazy(3)
        .validation_mode(ValidationMode::Strict)
        .validate_messages()
        .message_id_fn(|message: &gossipsub::Message| {
            MessageId::from(Sha256::digest(&message.data).to_vec())
        })
        .max_transmit_size(max_block_bytes as usize + TRANSMIT_SLACK)
        .build()
        .expect("the gossipsub parameters are consistent");
    gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), config)
        .expect("signed gossipsub with strict validation")
}

/// A message waiting for the engine's verdict.
struct Waiting {
    message: MessageId,
    source: Libp2pPeer,
    since: Instant,
}

/// The topic and the messages waiting for verdicts.
pub(super) struct Gossip {
    /// The chain's topic.
    pub(super) topic: IdentTopic,
    /// Engine id → message.
    waiting: HashMap<u64, Waiting>,
    /// Ids in arrival order, for expiry (an id may have been answered already).
    order: VecDeque<u64>,
    /// The next engine id.
    next: u64,
}

impl Gossip {
    /// No message waiting, on the chain's topic.
    pub(super) fn new(chain_id: u64, genesis_hash: &Hash32) -> Self {
        Self {
            topic: IdentTopic::new(topic_name(chain_id, genesis_hash)),
            waiting: HashMap::new(),
            order: VecDeque::new(),
            next: 1,
        }
    }

    /// Messages waiting for a verdict.
    pub(super) fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Keeps `message` from `source` until its verdict; its engine id, or `None` when too many wait.
    pub(super) fn admit(
        &mut self,
        message: MessageId,
        source: Libp2pPeer,
        now: Instant,
    ) -> Option<u64> {
        if self.waiting.len() >= MAX_PENDING_VALIDATIONS {
            return None;
        }
        let id = self.next;
        self.next += 1;
        self.waiting.insert(
            id,
            Waiting {
                message,
                source,
                since: now,
            },
        );
        self.order.push_back(id);
        Some(id)
    }

    /// The message and source of `id`, forgotten (once).
    pub(super) fn take(&mut self, id: u64) -> Option<(MessageId, Libp2pPeer)> {
        let waiting = self.waiting.remove(&id)?;
        Some((waiting.message, waiting.source))
    }

    /// Messages waiting since before `now − VALIDATION_TTL`, forgotten.
    pub(super) fn expired(&mut self, now: Instant) -> Vec<(MessageId, Libp2pPeer)> {
        let mut out = Vec::new();
        while let Some(&id) = self.order.front() {
            match self.waiting.get(&id) {
                None => {
                    self.order.pop_front();
                }
                Some(w) if now.duration_since(w.since) >= VALIDATION_TTL => {
                    self.order.pop_front();
                    out.extend(self.take(id));
                }
                Some(_) => break,
            }
        }
        // Ids answered long ago stay in `order` only until they reach its front; keep it bounded anyway.
        if self.order.len() > 4 * MAX_PENDING_VALIDATIONS {
            let waiting = &self.waiting;
            self.order.retain(|id| waiting.contains_key(id));
        }
        out
    }
}

/// gossipsub's acceptance for an engine verdict.
pub(super) fn acceptance(verdict: ecsync_components::GossipVerdict) -> MessageAcceptance {
    match verdict {
        ecsync_components::GossipVerdict::Accept => MessageAcceptance::Accept,
        ecsync_components::GossipVerdict::Reject => MessageAcceptance::Reject,
        ecsync_components::GossipVerdict::Ignore => MessageAcceptance::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_messages_are_bounded_and_expire() {
        let mut gossip = Gossip::new(7, &Hash32([1; 32]));
        assert_eq!(
            gossip.topic.to_string(),
            format!("/ecsync/7/{}/blocks/3/postcard", "01".repeat(32))
        );
        let peer = Libp2pPeer::random();
        let t0 = Instant::now();
        let ids: Vec<u64> = (0..MAX_PENDING_VALIDATIONS)
            .map(|i| {
                gossip
                    .admit(MessageId::from(vec![i as u8]), peer, t0)
                    .unwrap()
            })
            .collect();
        assert!(gossip.admit(MessageId::from(vec![0]), peer, t0).is_none());
        assert!(gossip.take(ids[0]).is_some());
        assert!(gossip.take(ids[0]).is_none(), "a verdict is taken once");
        let later = t0 + Duration::from_millis(10);
        let id = gossip.admit(MessageId::from(vec![9]), peer, later).unwrap();
        assert!(gossip.expired(t0 + VALIDATION_TTL / 2).is_empty());
        let gone = gossip.expired(t0 + VALIDATION_TTL);
        assert_eq!(gone.len(), MAX_PENDING_VALIDATIONS - 1);
        assert_eq!(gossip.waiting(), 1);
        assert!(gossip.take(id).is_some());
    }
}

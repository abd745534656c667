//! What crosses the engine's boundary: network events in, requests out. And the engine-internal messages
//! systems send one another.

use bevy_ecs::prelude::{Entity, Message};
use serde::{Deserialize, Serialize};

use crate::agreement::{Proposal, Vote};
use crate::bytes::{Hash32, SignatureBytes};
use crate::chain::{Block, BlockRef, HeadProof, Height};

/// Protocol cap on blocks per `blocks_by_range` request.
pub const MAX_BLOCKS_PER_REQUEST: u32 = 1024;

/// Protocol cap on the block bytes of one `blocks_by_range` answer (a single block larger than this is still
/// served alone). A request's `max_bytes` lowers it.
pub const MAX_RESPONSE_BYTES: u32 = 8 * 1024 * 1024;

/// A peer, as the engine knows it: a number the network adapter assigns (the adapter maps it to its transport's
/// peer identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PeerId(pub u64);

impl std::fmt::Display for PeerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "peer{}", self.0)
    }
}

/// Identifies one request, so that a late answer to a timed-out request is recognised and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RequestId(pub u64);

/// A peer's status (`/ecsync/req/status/2`): its chain, its head, and the proof of its head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMessage {
    /// Chain id.
    pub chain_id: u64,
    /// Genesis hash.
    pub genesis_hash: Hash32,
    /// The peer's head: a claim, a hint of whom to ask for blocks until it is proven.
    pub head: BlockRef,
    /// The head's header and approval (none at genesis). Only a proof that names exactly `head` and verifies as
    /// a quorum aggregate moves the target; one that names another head, or does not verify, is an invalid
    /// message (a fatal offence).
    pub proof: Option<Box<HeadProof>>,
    /// The lowest height it serves: it holds every block from here to its head (0: from genesis; a
    /// checkpoint-synced node's trusted block, moving down as it backfills). Nobody asks it for blocks below, so
    /// it is never blamed for not serving them; a claim it does not serve is discredited like a head's.
    pub lowest: Height,
}

impl StatusMessage {
    /// A status claiming `head` without a proof.
    pub fn unproven(chain_id: u64, genesis_hash: Hash32, head: BlockRef) -> Self {
        Self {
            chain_id,
            genesis_hash,
            head,
            proof: None,
            lowest: 0,
        }
    }

    /// A status whose head is proven by `proof` (the head is the proof's).
    pub fn proven(chain_id: u64, genesis_hash: Hash32, proof: HeadProof) -> Self {
        Self {
            chain_id,
            genesis_hash,
            head: proof.head(),
            proof: Some(Box::new(proof)),
            lowest: 0,
        }
    }

    /// This status, saying it serves heights from `lowest` only.
    pub fn serving_from(mut self, lowest: Height) -> Self {
        self.lowest = lowest;
        self
    }
}

/// One value where another was expected (as Reth's `GotExpected`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GotExpected<T> {
    /// What arrived.
    pub got: T,
    /// What was due.
    pub expected: T,
}

/// What is wrong with an answer to a `blocks_by_range` request, wherever it is found: the codec (frames and the
/// list of encodings), the network task (the count) and `handle_responses` (each block's encoding and height).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AnswerError {
    /// More blocks than asked for.
    #[error("{} blocks in answer to a request for {}", .0.got, .0.expected)]
    TooManyBlocks(GotExpected<u32>),
    /// A block at another height than its place in the answer.
    #[error("height {} where {} was due", .0.got, .0.expected)]
    WrongHeight(GotExpected<u64>),
    /// A block that does not decode (too large, malformed, not canonical).
    #[error("block {index} of the answer: {error}")]
    BadBlock {
        /// Its place in the answer.
        index: u32,
        /// The decoder's complaint.
        error: String,
    },
    /// The answer's frame or list is malformed (the codec's complaint).
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// The peer does not speak the protocol.
    #[error("peer does not support blocks_by_range")]
    Unsupported,
}

/// Why a request failed at the transport.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureReason {
    /// The transport gave up waiting.
    Timeout,
    /// The connection closed with the request open (or the peer was not connected).
    Disconnected,
    /// The peer closed the request's stream without an answer (a server sheds requests over its limits).
    Dropped,
    /// The peer answered outside the protocol.
    Protocol(AnswerError),
}

/// Invalid data a peer sent: a bad answer, or a block that breaks a consensus rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Offence {
    /// The answer itself is wrong.
    #[error(transparent)]
    Answer(#[from] AnswerError),
    /// A block breaks a rule.
    #[error("block {height}: {rule}")]
    Block {
        /// Its height.
        height: Height,
        /// The rule it breaks, as the consensus code words it.
        rule: String,
    },
}

/// A network event handed to the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetEvent {
    /// A peer connected and told its status.
    PeerConnected {
        /// The peer.
        peer: PeerId,
        /// A display name (e.g. the libp2p peer id).
        label: String,
        /// Its status.
        status: StatusMessage,
    },
    /// A peer's new status.
    Status {
        /// The peer.
        peer: PeerId,
        /// Its status.
        status: StatusMessage,
    },
    /// The answer to a `blocks_by_range` request: canonical block encodings, unchecked.
    Blocks {
        /// The peer.
        peer: PeerId,
        /// The request answered.
        request: RequestId,
        /// The encodings, in the order sent.
        blocks: Vec<Vec<u8>>,
    },
    /// A request failed.
    RequestFailed {
        /// The peer.
        peer: PeerId,
        /// The request.
        request: RequestId,
        /// Why.
        reason: FailureReason,
    },
    /// A peer disconnected.
    PeerGone {
        /// The peer.
        peer: PeerId,
    },
    /// A connected peer proved that it holds the keys of these authorities of the federation (a BLS signature over
    /// our fresh nonce and its libp2p identity, checked by the network once per connection). Sent after its
    /// `PeerConnected`, at most once per connection.
    PeerAuthenticated {
        /// The peer.
        peer: PeerId,
        /// The authorities it proved, as an approvers bitfield (never zero).
        authorities: u64,
    },
    /// A block gossiped on the chain's topic, not yet forwarded: the engine judges it and answers
    /// [`Request::GossipVerdict`] with the same `id` (only an accepted block is forwarded to other peers).
    GossipBlock {
        /// The peer it came from (the propagation source, not necessarily its author).
        peer: PeerId,
        /// The network's id of the message (its pending validation).
        id: u64,
        /// The canonical block encoding, unchecked (at most the spec's `max_block_bytes`).
        bytes: Vec<u8>,
    },
    /// Proposals and votes a proven federation member sent (`/ecsync/req/consensus/2`), in the order sent. The
    /// network checked who sent them and how many, nothing else: no signature, no block. At most
    /// [`MAX_CONSENSUS_BATCH`].
    Consensus {
        /// The member.
        peer: PeerId,
        /// Its messages, unchecked.
        messages: Vec<ConsensusMessage>,
    },
}

/// What the engine says of a gossiped block ([`NetEvent::GossipBlock`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GossipVerdict {
    /// Valid: forward it.
    Accept,
    /// Invalid: do not forward it; its sender is penalised.
    Reject,
    /// Not worth forwarding (old, a duplicate, or too much waiting), but not the sender's fault.
    Ignore,
}

impl GossipVerdict {
    /// Every verdict, in the order of their counters.
    pub const ALL: [GossipVerdict; 3] = [
        GossipVerdict::Accept,
        GossipVerdict::Reject,
        GossipVerdict::Ignore,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            GossipVerdict::Accept => "accept",
            GossipVerdict::Reject => "reject",
            GossipVerdict::Ignore => "ignore",
        }
    }

    /// Its place in [`GossipVerdict::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Most messages in one request of the consensus protocol (a proposal or a vote each).
pub const MAX_CONSENSUS_BATCH: usize = 64;

/// A proposal as it travels: the proposal, the proposed block (its header hash is `proposal.value`) and the
/// proposer's BLS signature over [`Proposal::message`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedProposal {
    /// The proposal.
    pub proposal: Proposal,
    /// The proposed block.
    pub block: Block,
    /// The proposer's signature over `proposal.message()`.
    pub signature: SignatureBytes,
}

impl SignedProposal {
    /// Whether `block` is the block proposed: its header hash is `proposal.value` and its height
    /// `proposal.height` (one SHA-256 of the header; no signature is checked).
    pub fn carries_its_block(&self) -> bool {
        self.block.header.height == self.proposal.height
            && self.block.header.hash() == self.proposal.value
    }
}

/// A vote as it travels: the vote and its voter's BLS signature over [`Vote::message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedVote {
    /// The vote.
    pub vote: Vote,
    /// The voter's signature over `vote.message()`.
    pub signature: SignatureBytes,
}

/// One message of the agreement on a block (`/ecsync/req/consensus/2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// A vote is ~150 bytes, a proposal ~450 (its block's header and parent certificate inline): the messages are
// transient and at most MAX_CONSENSUS_BATCH travel together, so boxing would only add an allocation per proposal.
#[allow(clippy::large_enum_variant)]
pub enum ConsensusMessage {
    /// A round's proposal, with its block.
    Proposal(SignedProposal),
    /// A prevote or a precommit.
    Vote(SignedVote),
}

impl ConsensusMessage {
    /// The height it is about.
    pub fn height(&self) -> Height {
        match self {
            ConsensusMessage::Proposal(p) => p.proposal.height,
            ConsensusMessage::Vote(v) => v.vote.height,
        }
    }

    /// The round it is about.
    pub fn round(&self) -> crate::agreement::Round {
        match self {
            ConsensusMessage::Proposal(p) => p.proposal.round,
            ConsensusMessage::Vote(v) => v.vote.round,
        }
    }
}

/// Longest reason a [`ConsensusAck::Refused`] carries (a longer one is cut).
pub const MAX_ACK_REASON: usize = 128;

/// The receiver's answer to a consensus request: a tiny ack, sent at once by its network (before its engine saw
/// the messages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsensusAck {
    /// Handed to its engine.
    Accepted,
    /// Not taken, for good (the sender is no proven member). At most [`MAX_ACK_REASON`] bytes.
    Refused {
        /// Why, for people.
        reason: String,
    },
    /// Not taken now (too many of the sender's messages wait, or it sends too fast): send again later.
    Busy,
}

impl ConsensusAck {
    /// A refusal, its reason cut to [`MAX_ACK_REASON`] bytes.
    pub fn refused(reason: impl Into<String>) -> Self {
        let mut reason = reason.into();
        if reason.len() > MAX_ACK_REASON {
            let mut cut = MAX_ACK_REASON;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
        }
        Self::Refused { reason }
    }
}

/// A request the engine wants sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// Ask a peer for `count` blocks from `start`.
    BlocksByRange {
        /// The peer.
        peer: PeerId,
        /// Id to echo in the answer.
        request: RequestId,
        /// First height.
        start: Height,
        /// Blocks wanted (≤ [`MAX_BLOCKS_PER_REQUEST`]).
        count: u32,
        /// Block bytes the answer may carry at most (≤ [`MAX_RESPONSE_BYTES`]): the buffer space reserved for
        /// it. A server stops before a block that would exceed it, but always sends a first block; an answer
        /// of more than one block beyond it is refused and its peer penalised.
        max_bytes: u32,
    },
    /// Ask a peer for its status.
    Status {
        /// The peer.
        peer: PeerId,
    },
    /// The engine's verdict on a gossiped block ([`NetEvent::GossipBlock`] with the same `id`).
    GossipVerdict {
        /// The message's id.
        id: u64,
        /// Forward, drop and penalise, or drop.
        verdict: GossipVerdict,
    },
    /// Publish a block this node produced on the chain's gossip topic.
    PublishBlock {
        /// Its canonical encoding.
        bytes: Vec<u8>,
    },
    /// Send proposals and votes to a federation member (`/ecsync/req/consensus/2`); the network splits them into
    /// requests of at most [`MAX_CONSENSUS_BATCH`] messages within the protocol's size cap. Nothing comes back
    /// to the engine: a message lost is sent again by the next gossip.
    SendConsensus {
        /// The member.
        peer: PeerId,
        /// The messages, signed.
        messages: Vec<ConsensusMessage>,
    },
    /// Drop a peer (it sent invalid data, is on another chain, or its reputation fell too low).
    Disconnect {
        /// The peer.
        peer: PeerId,
        /// Why, for the log.
        reason: String,
        /// Banned (or foreign): never dial it again. Otherwise it may be redialed and come back.
        ban: bool,
    },
}

/// What a peer did, for scoring. Written by the systems that observe it, read by `score_peers`.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct PeerOutcome {
    /// The peer's entity (gone if the peer left since).
    pub peer: Entity,
    /// The peer's id: its record is punished even if it left.
    pub peer_id: PeerId,
    /// What happened.
    pub kind: OutcomeKind,
    /// Request to outcome, engine milliseconds, when the outcome ends a request.
    pub latency_ms: Option<u64>,
}

impl OutcomeKind {
    /// A short name, for metric labels: served, empty, timeout, failed, dropped, invalid.
    pub fn label(&self) -> &'static str {
        match self {
            OutcomeKind::Served { .. } => "served",
            OutcomeKind::Empty { .. } => "empty",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Dropped => "dropped",
            OutcomeKind::Invalid { .. } => "invalid",
        }
    }

    /// How much of this is tolerated (None: nothing wrong), as Lighthouse's peer actions: a fatal offence bans at
    /// once, a low-tolerance one after a few, a high-tolerance one after many.
    pub fn tolerance(&self) -> Option<Tolerance> {
        match self {
            OutcomeKind::Served { .. } => None,
            OutcomeKind::Invalid(_) => Some(Tolerance::Fatal),
            OutcomeKind::Empty { .. } => Some(Tolerance::Low),
            OutcomeKind::Timeout | OutcomeKind::Failed => Some(Tolerance::Mid),
            OutcomeKind::Dropped => Some(Tolerance::High),
        }
    }
}

/// Tolerance classes of misbehaviour (see [`OutcomeKind::tolerance`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tolerance {
    /// Provably malicious (invalid data): banned at once.
    Fatal,
    /// Hard to excuse (withholding a claimed height): −10.
    Low,
    /// Possibly honest (a timeout, a connection closed under a request): −5.
    Mid,
    /// Usually honest (a request shed by a busy server): −1.
    High,
}

impl Tolerance {
    /// The reputation change (see `SyncConfig::reputation_half_life_ms`); Fatal goes to the minimum.
    pub fn penalty(self) -> f64 {
        match self {
            Tolerance::Fatal => 100.0,
            Tolerance::Low => 10.0,
            Tolerance::Mid => 5.0,
            Tolerance::High => 1.0,
        }
    }
}

/// The kinds of [`PeerOutcome`].
#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeKind {
    /// Delivered `blocks` blocks (`bytes` bytes) `latency_ms` after the request.
    Served {
        /// Blocks delivered.
        blocks: u32,
        /// Bytes delivered.
        bytes: u64,
        /// Request to response.
        latency_ms: u64,
    },
    /// Answered nothing for a height at or below its claimed head.
    Empty {
        /// The height asked for.
        at: Height,
    },
    /// Did not answer in time.
    Timeout,
    /// The connection closed with the request open.
    Failed,
    /// The peer closed the request unanswered (shed it).
    Dropped,
    /// Sent something invalid: a malformed answer or a block that breaks a rule.
    Invalid(Offence),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reason_is_cut_at_a_char_boundary() {
        let ConsensusAck::Refused { reason } = ConsensusAck::refused("é".repeat(100)) else {
            panic!("not a refusal")
        };
        assert_eq!(reason, "é".repeat(MAX_ACK_REASON / 2));
        let short = ConsensusAck::refused("no");
        assert_eq!(
            short,
            ConsensusAck::Refused {
                reason: "no".into()
            }
        );
    }

    #[test]
    fn a_signed_proposal_carries_its_block_only_if_it_names_it() {
        let block = Block {
            parent_approval: None,
            header: crate::chain::Header {
                parent_approval_root: crate::Hash32::ZERO,
                height: 4,
                slot: 9,
                parent_hash: Hash32([1; 32]),
                timestamp_ms: 9_000,
                payload_root: crate::chain::payload_root(&[]),
                state_root: Hash32::ZERO,
            },
            payload: Vec::new(),
        };
        let mut signed = SignedProposal {
            proposal: Proposal {
                height: 4,
                round: 2,
                value: block.header.hash(),
                valid_round: Some(1),
                proposer: 3,
            },
            block,
            signature: SignatureBytes::ZERO,
        };
        assert!(signed.carries_its_block());
        let message = ConsensusMessage::Proposal(signed.clone());
        assert_eq!((message.height(), message.round()), (4, 2));
        signed.proposal.height = 5;
        assert!(!signed.carries_its_block());
        signed.proposal.height = 4;
        signed.block.header.state_root = Hash32([2; 32]);
        assert!(!signed.carries_its_block());
    }
}

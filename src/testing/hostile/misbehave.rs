//! `ecsync-hostile node --misbehave KIND`: a serving node that breaks the protocol or the chain's rules in one
//! way, so that tests can put hostile peers beside honest ones with real processes. Never for production.
//!
//! Most kinds wrap the node's [`BlockSource`] ([`Misbehaving`]): they change what is served (one block in the
//! middle of every answer broken, or its last, an answer cut, lengthened, shifted or replaced, a status that
//! lies). Kinds that break a rule a signature protects re-sign the broken block with the dev federation's keys,
//! which a generated chain's `generator.json` derives, so that exactly that rule fails and not the signature. The transport kinds
//! (`slow-loris`, `disconnect`) and those that break the answer's framing limits are carried out by the network
//! task, through the kind's [`ServeFaults`]. The member kinds (`equivocate`, `double-vote`) serve honestly and
//! break the agreement instead, by rewriting the member's proposals and votes ([`super::consensus`]).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use ecsync_components::{
    BlockRef, ChainSpec, Hash32, MAX_RESPONSE_BYTES, SignedBlock, StatusMessage,
};
use ecsync_systems::chaingen::ChainGenerator;

use crate::network::{BlockSource, ServeFaults};

/// How a serving node misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Misbehaviour {
    /// One block per answer carries another block's aggregate signature.
    BadSignature,
    /// One block per answer carries its real approval relabelled with another round (the aggregate then signs
    /// a precommit of a round it does not name).
    WrongRound,
    /// One block per answer is approved (validly signed) by fewer authorities than the quorum.
    FewApprovals,
    /// One block per answer names a wrong parent hash (validly signed).
    BrokenLink,
    /// One block per answer carries a payload that does not match its header's payload root.
    BadPayload,
    /// A block below the top of each answer (its middle one) carries another block's approval (its
    /// neighbour's: a valid quorum aggregate, of another block). Anchored validation never verifies that
    /// approval: the approval its child commits to (`parent_approval`) tells it.
    SwappedApproval,
    /// The last block of each answer (the top of its range) carries an approval that is no valid quorum
    /// aggregate of it: a quorum's bitfield with another block's signature. The blocks below it are honest.
    ForgedTop,
    /// A block below the top of each answer (its middle one) has another state root, its approval kept (not
    /// re-signed): the block above it no longer links to it (and its approval no longer verifies, which anchored
    /// validation does not look at).
    ChangedHeader,
    /// A valid top over a tampered middle: the middle block of each answer has another state root, and every
    /// block above it but the last is relinked to it (parent hashes made to match), approvals kept. Every link
    /// holds but the last one, into the answer's last block, which stays honest and valid.
    TamperedMiddle,
    /// Answers start one height above the height asked for.
    OutOfRange,
    /// Answers carry one block more than asked for.
    TooMany,
    /// Answers end with a block larger than the chain allows, ignoring the request's byte limit.
    Oversized,
    /// Answers are random bytes.
    Garbage,
    /// The status claims `LIE_BLOCKS` blocks more than the node has (at the current slot, so the claim is
    /// believable by the clock), without a proof; heights above its real head are answered empty.
    HeightLie,
    /// Every blocks_by_range request is answered empty, though the status claims the real head.
    Withhold,
    /// Answers (status and blocks) are held back until the requester has long given up.
    SlowLoris,
    /// Every blocks_by_range request closes the connection.
    Disconnect,
    /// Serves a conflicting chain, validly signed, that leaves this node's chain `FORK_DEPTH` blocks below its
    /// head (with a different state root, so different hashes, from there on).
    Fork,
    /// A federation member (`--authority-keys FILE`) that, as a round's proposer, sends each member peer a
    /// different valid proposal: the block with another state root, the proposal signed again with its key
    ///. It serves its chain honestly.
    Equivocate,
    /// A federation member (`--authority-keys FILE`) that, besides its own votes, sends every member peer a
    /// prevote and a precommit, signed, for every proposal it sees (received or its own), in that proposal's
    /// round. It serves its chain honestly.
    DoubleVote,
}

/// `height-lie` claims this many blocks more than the node has.
pub const LIE_BLOCKS: u64 = 1_000;
/// `fork` leaves the real chain this many blocks below the head (or at height 1).
pub const FORK_DEPTH: u64 = 1_000;
/// How long `slow-loris` holds an answer back.
pub const SLOW_LORIS_HOLD: Duration = Duration::from_secs(3_600);

/// What the network task must do for a kind (nothing for most).
impl ServeFaults for Misbehaviour {
    fn unchecked_answers(&self) -> bool {
        matches!(self, Self::TooMany | Self::Oversized | Self::Garbage)
    }

    fn hold_answers(&self) -> Option<Duration> {
        (*self == Self::SlowLoris).then_some(SLOW_LORIS_HOLD)
    }

    fn disconnect_on_request(&self) -> bool {
        *self == Self::Disconnect
    }
}

impl Misbehaviour {
    /// Whether breaking this rule needs the federation's keys (a generated chain).
    fn needs_keys(self) -> bool {
        matches!(self, Self::FewApprovals | Self::BrokenLink | Self::Fork)
    }

    /// The agreement's rule this kind breaks as a member, if it is one of those (it then serves honestly).
    pub fn consensus_fault(self) -> Option<super::consensus::ConsensusFault> {
        use super::consensus::ConsensusFault;
        match self {
            Self::Equivocate => Some(ConsensusFault::Equivocate),
            Self::DoubleVote => Some(ConsensusFault::DoubleVote),
            _ => None,
        }
    }
}

/// A conflicting chain, prepared at start.
struct Fork {
    /// Its first height (below it, it is the real chain).
    from: u64,
    /// Its blocks from `from`, encoded.
    blocks: Vec<Vec<u8>>,
    /// Its head.
    head: BlockRef,
}

/// A [`BlockSource`] that serves `inner`'s chain broken as its [`Misbehaviour`] says.
pub struct Misbehaving {
    inner: Arc<dyn BlockSource>,
    kind: Misbehaviour,
    spec: ChainSpec,
    generator: Option<ChainGenerator>,
    fork: Option<Fork>,
    /// Only answers to requests starting below this height are broken (`--misbehave-below`).
    below: Option<u64>,
}

impl Misbehaving {
    /// Wraps `inner` (the node's honest source over a chain of `spec`). Kinds that re-sign need `generator`,
    /// the chain's generator; `fork` prepares its conflicting chain here (signing about `FORK_DEPTH` blocks).
    pub fn new(
        inner: Arc<dyn BlockSource>,
        kind: Misbehaviour,
        spec: ChainSpec,
        generator: Option<ChainGenerator>,
    ) -> anyhow::Result<Self> {
        if kind.needs_keys() && generator.is_none() {
            bail!(
                "--misbehave {kind:?} re-signs blocks with the dev federation: it needs a generated chain \
                 (a data dir with generator.json)"
            );
        }
        let mut source = Self {
            inner,
            kind,
            spec,
            generator,
            fork: None,
            below: None,
        };
        if kind == Misbehaviour::Fork {
            source.fork = Some(source.prepare_fork().context("cannot prepare the fork")?);
        }
        Ok(source)
    }

    /// This source, breaking only answers to requests that start below `height` (honest from it on), if given.
    pub fn below(mut self, height: Option<u64>) -> Self {
        self.below = height;
        self
    }

    /// The real chain re-made from `FORK_DEPTH` below the head with another state root, relinked and re-signed.
    fn prepare_fork(&self) -> anyhow::Result<Fork> {
        let generator = self.generator.as_ref().context("no generator")?;
        let head = self.inner.status().head.height;
        if head == 0 {
            bail!("a fork needs a chain with blocks");
        }
        let from = head.saturating_sub(FORK_DEPTH).max(1);
        let mut parent = self
            .block(from - 1)
            .context("the fork's parent is missing")?;
        let mut blocks = Vec::new();
        for height in from..=head {
            let mut block = self
                .block(height)
                .context("a block of the chain is missing")?
                .block;
            block.header.parent_hash = parent.hash();
            block.header.state_root = Hash32([0xf0; 32]);
            if height > from {
                // The fork's parent was signed again: its child carries that approval (a coherent fork).
                block.parent_approval = Some(parent.approval.clone());
                block.header.parent_approval_root =
                    ecsync_components::approval_root(block.parent_approval.as_ref());
            }
            parent = generator.sign(block);
            blocks.push(parent.encode());
        }
        let head = BlockRef::new(&parent.block.header, parent.hash());
        Ok(Fork { from, blocks, head })
    }

    /// Block `height` of the real chain.
    fn block(&self, height: u64) -> Option<SignedBlock> {
        if height == 0 {
            return self.generator.as_ref().map(|g| g.genesis().clone());
        }
        let raw = self.inner.blocks(height, 1, MAX_RESPONSE_BYTES as usize);
        let bytes = raw.first()?;
        SignedBlock::decode(bytes, self.spec.max_block_bytes as usize).ok()
    }

    /// `block` approved by `approvers` (their precommits in the block's approval's round), signed with the
    /// federation's keys (unchanged without a generator).
    fn resign(&self, block: SignedBlock, approvers: u64) -> SignedBlock {
        let Some(g) = self.generator.as_ref() else {
            return block;
        };
        let round = block.approval.round;
        let approval = g
            .federation()
            .approve(block.height(), round, &block.hash(), approvers);
        SignedBlock {
            block: block.block,
            approval,
        }
    }

    /// `block` (the `i`th of `raw`) with another block's aggregate signature: its neighbour's in `raw`, or, for a
    /// single block, one over another message.
    fn forge_signature(&self, raw: &[Vec<u8>], i: usize, mut block: SignedBlock) -> SignedBlock {
        let max = self.spec.max_block_bytes as usize;
        let donor = raw
            .get(i.saturating_sub(1).max(usize::from(i == 0)))
            .and_then(|b| SignedBlock::decode(b, max).ok());
        match donor {
            Some(d) if d.approval.signature != block.approval.signature => {
                block.approval.signature = d.approval.signature;
            }
            _ => {
                // A single block: sign another message.
                let mut other = block.clone();
                other.block.header.state_root = Hash32([0xee; 32]);
                let forged = self.resign(other, block.approval.approvers);
                block.approval.signature = forged.approval.signature;
            }
        }
        block
    }

    /// `block` (the `i`th of `raw`) with its neighbour's approval in `raw` (unchanged for a single block).
    fn swap_approval(&self, raw: &[Vec<u8>], i: usize, mut block: SignedBlock) -> SignedBlock {
        let max = self.spec.max_block_bytes as usize;
        let donor = raw
            .get(i.saturating_sub(1).max(usize::from(i == 0)))
            .and_then(|b| SignedBlock::decode(b, max).ok());
        if let Some(d) = donor {
            block.approval = d.approval;
        }
        block
    }

    /// `raw` with block `i` given another state root and the blocks above it, but the last, relinked to it.
    fn relink_from(&self, mut raw: Vec<Vec<u8>>, i: usize) -> Vec<Vec<u8>> {
        let max = self.spec.max_block_bytes as usize;
        // Up to, not including, the last block (a single block is tampered itself).
        let end = (raw.len() - 1).max(i + 1);
        let mut parent = None;
        for bytes in &mut raw[i..end] {
            let Ok(mut block) = SignedBlock::decode(bytes, max) else {
                break;
            };
            match parent {
                None => block.block.header.state_root = Hash32([0xdd; 32]),
                Some(hash) => block.block.header.parent_hash = hash,
            }
            parent = Some(block.hash());
            *bytes = block.encode();
        }
        raw
    }

    /// `raw` with one block broken as the kind says: its last for `forged-top`, its middle one for the others.
    fn break_one(&self, mut raw: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        if raw.is_empty() {
            return raw;
        }
        let i = if self.kind == Misbehaviour::ForgedTop {
            raw.len() - 1
        } else {
            raw.len() / 2
        };
        let Ok(mut block) = SignedBlock::decode(&raw[i], self.spec.max_block_bytes as usize) else {
            return raw;
        };
        let n = self.spec.authorities.len();
        let producer = self.spec.producer_index(block.slot());
        block = match self.kind {
            Misbehaviour::BadSignature | Misbehaviour::ForgedTop => {
                self.forge_signature(&raw, i, block)
            }
            Misbehaviour::SwappedApproval => self.swap_approval(&raw, i, block),
            Misbehaviour::ChangedHeader => {
                block.block.header.state_root = Hash32([0xcc; 32]);
                block
            }
            Misbehaviour::TamperedMiddle => return self.relink_from(raw, i),
            Misbehaviour::WrongRound => {
                block.approval.round = block.approval.round.wrapping_add(1);
                block
            }
            Misbehaviour::FewApprovals => {
                let quorum = self.spec.quorum();
                let mut bits = 1u64 << producer;
                let mut i = 0;
                while (bits.count_ones() as usize) + 1 < quorum && i < n {
                    bits |= 1u64 << i;
                    i += 1;
                }
                self.resign(block, bits)
            }
            Misbehaviour::BrokenLink => {
                block.block.header.parent_hash = Hash32([0xbb; 32]);
                let approvers = block.approval.approvers;
                self.resign(block, approvers)
            }
            Misbehaviour::BadPayload => {
                if let Some(byte) = block.block.payload.first_mut() {
                    *byte ^= 0xff;
                } else {
                    block.block.payload.push(1);
                }
                block
            }
            _ => return raw,
        };
        raw[i] = block.encode();
        raw
    }

    /// The fork's answer for `start..start + count`, if `start` is on it.
    fn fork_blocks(&self, start: u64, count: u32, max_bytes: usize) -> Option<Vec<Vec<u8>>> {
        let fork = self.fork.as_ref()?;
        if start < fork.from {
            return None;
        }
        let first = usize::try_from(start - fork.from).ok()?;
        let mut out = Vec::new();
        let mut bytes = 0;
        for block in fork.blocks.iter().skip(first).take(count as usize) {
            if !out.is_empty() && bytes + block.len() > max_bytes {
                break;
            }
            bytes += block.len();
            out.push(block.clone());
        }
        Some(out)
    }
}

impl BlockSource for Misbehaving {
    fn status(&self) -> StatusMessage {
        let mut status = self.inner.status();
        match self.kind {
            Misbehaviour::HeightLie => {
                status.head.height += LIE_BLOCKS;
                let now = crate::util::clock::unix_now_ms();
                status.head.slot = status.head.slot.max(self.spec.slot_at(now));
                status.head.hash = Hash32([0x11; 32]);
                // A claim it cannot prove: a hint that never moves the target.
                status.proof = None;
            }
            Misbehaviour::Fork => {
                if let Some(fork) = &self.fork {
                    status.head = fork.head;
                    status.proof = None;
                }
            }
            _ => {}
        }
        status
    }

    fn blocks(&self, start: u64, count: u32, max_bytes: usize) -> Vec<Vec<u8>> {
        if self.below.is_some_and(|below| start >= below) {
            return self.inner.blocks(start, count, max_bytes);
        }
        let max_block = self.spec.max_block_bytes as usize;
        match self.kind {
            Misbehaviour::Withhold => Vec::new(),
            Misbehaviour::OutOfRange => self.inner.blocks(start + 1, count, max_bytes),
            Misbehaviour::TooMany => {
                let mut raw = self.inner.blocks(start, count, max_bytes);
                if let Some(last) = raw.last().cloned() {
                    raw.push(last);
                }
                raw
            }
            Misbehaviour::Oversized => {
                let mut raw = self.inner.blocks(start, count, MAX_RESPONSE_BYTES as usize);
                raw.push(vec![0u8; max_block + 1]);
                raw
            }
            Misbehaviour::Garbage => {
                let n = count.clamp(1, 16) as usize;
                (0..n)
                    .map(|i| (0..64 + i).map(|j| (j * 31 + i * 7) as u8).collect())
                    .collect()
            }
            Misbehaviour::Fork => self
                .fork_blocks(start, count, max_bytes)
                .unwrap_or_else(|| self.inner.blocks(start, count, max_bytes)),
            _ => self.break_one(self.inner.blocks(start, count, max_bytes)),
        }
    }
}

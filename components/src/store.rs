//! The store interface the engine is given: a chain of signed blocks with a head and checkpoints. The node
//! implements it over redb; the engine sees only this trait.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

use crate::agreement::RoundState;
use crate::bytes::Hash32;
use crate::chain::{BlockRef, Height, SignedBlock};

/// A durable record of sync progress: the head at a moment (height, hash, slot), its parent's hash, when, and the
/// sync target then. Written in the same transaction as the blocks it covers, so a store that holds a checkpoint
/// holds every block up to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The head the checkpoint records.
    pub head: BlockRef,
    /// The head's parent hash (zero for genesis).
    pub parent_hash: Hash32,
    /// Unix milliseconds (engine time) when it was made.
    pub created_at_ms: u64,
    /// The sync target at that moment (the head itself when not syncing).
    pub target: Height,
}

impl Checkpoint {
    /// A checkpoint of `block` (the head) made at `created_at_ms` while syncing towards `target`.
    pub fn of(block: &SignedBlock, hash: Hash32, created_at_ms: u64, target: Height) -> Self {
        let header = &block.block.header;
        Self {
            head: BlockRef::new(header, hash),
            parent_hash: header.parent_hash,
            created_at_ms,
            target: target.max(header.height),
        }
    }
}

/// Whether stores check that an [`ImportBlock`]'s hash and bytes are its block's (by hashing and encoding it
/// again): in debug builds and under [`strict`](crate::strict()) bookkeeping (the test machinery), so a caller
/// that passes the wrong ones is caught; a release node does none of that work.
pub fn check_imports() -> bool {
    cfg!(debug_assertions) || crate::strict()
}

/// A block handed to [`ChainStore::import_batch`], with what the caller already knows of it: its hash and its
/// canonical encoding (for a downloaded block, the very bytes that came off the wire). The store links the batch
/// by `hash` and writes `bytes`; it neither hashes nor encodes the block again.
#[derive(Clone, Copy, Debug)]
pub struct ImportBlock<'a> {
    /// The block.
    pub block: &'a SignedBlock,
    /// Its hash (`block.hash()`).
    pub hash: Hash32,
    /// Its canonical encoding (`block.encode()`).
    pub bytes: &'a [u8],
}

impl ImportBlock<'_> {
    /// Its height.
    pub fn height(&self) -> Height {
        self.block.height()
    }

    /// Its reference (height, slot, the given hash).
    pub fn block_ref(&self) -> BlockRef {
        BlockRef::new(&self.block.block.header, self.hash)
    }

    /// Panics when `hash` or `bytes` are not the block's, if [`check_imports`]; nothing otherwise.
    pub fn check(&self) {
        if check_imports() {
            assert_eq!(
                self.hash,
                self.block.hash(),
                "the hash given for block {} is not its hash",
                self.height()
            );
            assert!(
                self.bytes == self.block.encode().as_slice(),
                "the bytes given for block {} are not its canonical encoding",
                self.height()
            );
        }
    }
}

/// A block with its hash and canonical encoding, owned: for callers that have only the block (chain generation,
/// blocks made locally, tests), which encode and hash it once here. [`EncodedBlock::as_import`] lends it to
/// [`ChainStore::import_batch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedBlock {
    /// The block.
    pub block: SignedBlock,
    /// Its hash.
    pub hash: Hash32,
    /// Its canonical encoding.
    pub bytes: Vec<u8>,
}

impl EncodedBlock {
    /// Encodes and hashes `block`.
    pub fn new(block: SignedBlock) -> Self {
        let hash = block.hash();
        let bytes = block.encode();
        Self { block, hash, bytes }
    }

    /// Encodes and hashes each block.
    pub fn all(blocks: impl IntoIterator<Item = SignedBlock>) -> Vec<Self> {
        blocks.into_iter().map(Self::new).collect()
    }

    /// The block as an import.
    pub fn as_import(&self) -> ImportBlock<'_> {
        ImportBlock {
            block: &self.block,
            hash: self.hash,
            bytes: &self.bytes,
        }
    }
}

/// The imports of `blocks`, in order.
pub fn imports(blocks: &[EncodedBlock]) -> Vec<ImportBlock<'_>> {
    blocks.iter().map(EncodedBlock::as_import).collect()
}

/// What every store checks before writing a batch: each block extends the one before it (the first the head
/// `head`), and the checkpoint, if any, is the batch's last block. The links use the hashes the batch carries
/// (checked against the blocks only if [`check_imports`]). Returns the blocks' references and the new head.
pub fn link_batch(
    head: BlockRef,
    blocks: &[ImportBlock<'_>],
    checkpoint: Option<&Checkpoint>,
) -> Result<(Vec<BlockRef>, BlockRef), StoreError> {
    let mut head = head;
    let mut refs = Vec::with_capacity(blocks.len());
    for block in blocks {
        block.check();
        let r = block.block_ref();
        if r.height != head.height + 1 || block.block.block.header.parent_hash != head.hash {
            return Err(StoreError::NotContiguous(format!(
                "block {} ({}) does not extend head {} ({})",
                r.height, r.hash, head.height, head.hash
            )));
        }
        refs.push(r);
        head = r;
    }
    if let Some(cp) = checkpoint
        && cp.head != head
    {
        return Err(StoreError::NotContiguous(format!(
            "checkpoint at {} is not the batch's head {}",
            cp.head.height, head.height
        )));
    }
    Ok((refs, head))
}

/// The lowest block a store holds, with what the block below it must be: its height and slot, its hash, its
/// parent's hash (the hash the next block down must have) and its parent approval root (the root of the approval
/// the next block down must carry: the canonical one, which this block carries). A store that holds its chain
/// from genesis has genesis here (height 0: nothing below it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowestBlock {
    /// The block (height, slot, hash).
    pub block: BlockRef,
    /// Its parent's hash (zero at genesis).
    pub parent_hash: Hash32,
    /// Its header's `parent_approval_root`: the root of its parent's canonical approval (zero at heights 0 and 1).
    pub parent_approval_root: Hash32,
}

impl LowestBlock {
    /// The lowest block `block` (its hash `hash`).
    pub fn of(block: &SignedBlock, hash: Hash32) -> Self {
        let header = &block.block.header;
        Self {
            block: BlockRef::new(header, hash),
            parent_hash: header.parent_hash,
            parent_approval_root: header.parent_approval_root,
        }
    }

    /// Genesis (`hash`): nothing below it.
    pub fn genesis(hash: Hash32) -> Self {
        Self {
            block: BlockRef {
                height: 0,
                slot: 0,
                hash,
            },
            parent_hash: Hash32::ZERO,
            parent_approval_root: Hash32::ZERO,
        }
    }

    /// Whether `below` (a block of the height below, with its hash `hash`) is this block's parent: the hash this
    /// block names and the approval it commits to (from height 2; below that no approval is committed).
    pub fn is_parent(&self, below: &ImportBlock<'_>) -> bool {
        Some(below.height()) == self.block.height.checked_sub(1)
            && below.hash == self.parent_hash
            && (!crate::chain::carries_parent_approval(self.block.height)
                || crate::chain::approval_root(Some(&below.block.approval))
                    == self.parent_approval_root)
    }
}

/// What every store checks before writing a batch of history below its lowest block `lowest` (backfill): the
/// batch is consecutive and ascending, each block is the parent of the one after it and its last block the parent
/// of `lowest` (by the given hashes, and by the approval each child commits to: `LowestBlock::is_parent`), and a
/// batch that reaches height 1 names `genesis` as its first block's parent. Returns the new lowest block: the
/// batch's first, or genesis (`genesis`, height 0) when the batch reaches height 1.
pub fn link_below(
    lowest: &LowestBlock,
    genesis: Hash32,
    blocks: &[ImportBlock<'_>],
) -> Result<LowestBlock, StoreError> {
    let broken = |what: String| Err(StoreError::NotContiguous(format!("backfill: {what}")));
    let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
        return Ok(*lowest);
    };
    if !lowest.is_parent(last) {
        return broken(format!(
            "block {} ({}) is not the parent of the lowest block {} (parent {})",
            last.height(),
            last.hash,
            lowest.block.height,
            lowest.parent_hash
        ));
    }
    for pair in blocks.windows(2) {
        pair[0].check();
        let (below, above) = (&pair[0], &pair[1]);
        if !LowestBlock::of(above.block, above.hash).is_parent(below) {
            return broken(format!(
                "block {} does not link to block {} ({}) below it",
                above.height(),
                below.height(),
                below.hash
            ));
        }
    }
    last.check();
    let header = &first.block.block.header;
    if header.height == 1 {
        if header.parent_hash != genesis {
            return broken(format!(
                "block 1 names parent {}, not the genesis {genesis}",
                header.parent_hash
            ));
        }
        return Ok(LowestBlock::genesis(genesis));
    }
    Ok(LowestBlock::of(first.block, first.hash))
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The file cannot be opened or read or written.
    #[error("store I/O: {0}")]
    Io(String),
    /// The file is not an ecsync store or is damaged.
    #[error("store is corrupt or not an ecsync store: {0}")]
    Corrupt(String),
    /// Another process has the store open (a node running on it).
    #[error(
        "store {0} is in use by another process (a node running on it?): stop that process first, or ask the running \
         node (`ecsync dump`, its /sync/status)"
    )]
    InUse(String),
    /// The store holds another chain.
    #[error(
        "store holds chain {found_chain} (genesis {found_genesis}), expected chain {chain} (genesis {genesis})"
    )]
    OtherChain {
        /// Expected chain id.
        chain: u64,
        /// Expected genesis hash.
        genesis: String,
        /// Stored chain id.
        found_chain: u64,
        /// Stored genesis hash.
        found_genesis: String,
    },
    /// A batch does not extend the head.
    #[error("batch does not extend the head: {0}")]
    NotContiguous(String),
}

/// A chain store: blocks by height, the head, checkpoints.
pub trait ChainStore: Send + Sync {
    /// The head: the highest imported block.
    fn head(&self) -> Result<BlockRef, StoreError>;

    /// The block at `height`, if stored.
    fn block(&self, height: Height) -> Result<Option<SignedBlock>, StoreError>;

    /// Canonical encodings of up to `count` consecutive stored blocks from `start`, stopping early when the next
    /// block would take the total past `max_bytes` (at least one block is returned if `start` is stored).
    fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Appends `blocks` (consecutive, the first extending the head), moves the head to the last, and writes
    /// `checkpoint` if given, all in ONE transaction. A batch with a checkpoint is durable when this returns.
    /// Each block is linked by its given hash and stored as its given bytes (see [`link_batch`]), so a block
    /// downloaded from a peer is stored as the bytes that came off the wire, neither hashed nor encoded again.
    fn import_batch(
        &mut self,
        blocks: &[ImportBlock<'_>],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError>;

    /// The latest checkpoint, if any.
    fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError>;

    /// The lowest block the store holds when it is above genesis (every block from it to the head is stored):
    /// the trusted block of a checkpoint sync, moving down as [`ChainStore::backfill`] stores history below it.
    /// `None` for a store that holds its chain from genesis (the default).
    fn lowest(&self) -> Result<Option<LowestBlock>, StoreError> {
        Ok(None)
    }

    /// Stores `blocks` (history: consecutive, ascending, the last the parent of the lowest block; see
    /// [`link_below`]) below the lowest block, which moves down to the first of them (to genesis when they reach
    /// height 1), in ONE transaction, durable when this returns if `durable` (else made durable by the next
    /// durable commit). A store that keeps no history below its lowest block (the default) refuses.
    fn backfill(&mut self, blocks: &[ImportBlock<'_>], durable: bool) -> Result<(), StoreError> {
        let _ = (blocks, durable);
        Err(StoreError::NotContiguous(
            "this store takes no history below its lowest block".into(),
        ))
    }
}

/// Where a federation member keeps its round state (`RoundState`: height, round, step, lock, valid value, what
/// it signed in the round and the votes that justify them) so that a restart never makes it sign against its own votes (issue 26). The
/// agreement driver saves the state after every change and BEFORE any signature that change implies leaves the
/// node; at start it resumes from what [`VoteStore::load_round_state`] gives. Only the newest state is kept. The
/// node's is the one row of its vote file (`<keys>.approvals.redb`, fsynced: `src/store/approvals.rs`); tests and the
/// simulator use [`MemoryVoteStore`].
pub trait VoteStore: Send + Sync {
    /// The newest state saved, if any. An error when it cannot be read or does not decode: the member must then
    /// not sign (it does not know what it signed).
    fn load_round_state(&self) -> Result<Option<RoundState>, StoreError>;

    /// Saves `state` as the newest, replacing the one before, durably before it returns. Writes nothing when
    /// `state` is the one stored. Returns whether it wrote.
    fn save_round_state(&mut self, state: &RoundState) -> Result<bool, StoreError>;
}

/// A [`VoteStore`] in memory, for tests and the simulator. Its clones share one state, as a process and its
/// restart share a file: keep a clone, drop the engine (a crash), and start a new one on the clone. It can be
/// made to fail ([`MemoryVoteStore::set_failing`]), as a disk that fails.
#[derive(Clone, Debug, Default)]
pub struct MemoryVoteStore(Arc<Mutex<MemoryVotes>>);

/// What a [`MemoryVoteStore`] holds.
#[derive(Debug, Default)]
struct MemoryVotes {
    /// The newest state saved.
    state: Option<RoundState>,
    /// States written (saves of a state not stored already).
    writes: u64,
    /// Whether loads and saves fail.
    failing: bool,
}

impl MemoryVoteStore {
    /// The shared state (a panic elsewhere while holding it leaves plain data: taken as it is).
    fn votes(&self) -> MutexGuard<'_, MemoryVotes> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// States written since it was made (a save of the state stored already writes nothing).
    pub fn writes(&self) -> u64 {
        self.votes().writes
    }

    /// Makes loads and saves fail (`StoreError::Io`) from now on, or work again.
    pub fn set_failing(&self, failing: bool) {
        self.votes().failing = failing;
    }

    /// The error of a failing store.
    fn failure() -> StoreError {
        StoreError::Io("the vote store fails (as asked)".into())
    }
}

impl VoteStore for MemoryVoteStore {
    fn load_round_state(&self) -> Result<Option<RoundState>, StoreError> {
        let votes = self.votes();
        if votes.failing {
            return Err(Self::failure());
        }
        Ok(votes.state.clone())
    }

    fn save_round_state(&mut self, state: &RoundState) -> Result<bool, StoreError> {
        let mut votes = self.votes();
        if votes.failing {
            return Err(Self::failure());
        }
        if votes.state.as_ref() == Some(state) {
            return Ok(false);
        }
        votes.state = Some(state.clone());
        votes.writes += 1;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::SignatureBytes;
    use crate::chain::{Approval, Block, Header};

    /// A block on `parent` (its approval is not valid; stores check links only).
    fn child(parent: &BlockRef, payload: u8) -> SignedBlock {
        SignedBlock {
            block: Block {
                parent_approval: None,
                header: Header {
                    parent_approval_root: crate::Hash32::ZERO,
                    height: parent.height + 1,
                    slot: parent.slot + 1,
                    parent_hash: parent.hash,
                    timestamp_ms: 1_000 * (parent.slot + 1),
                    payload_root: Hash32([payload; 32]),
                    state_root: Hash32::ZERO,
                },
                payload: vec![payload; 16],
            },
            approval: Approval {
                approvers: 0b111,
                round: 0,
                signature: SignatureBytes([payload; 96]),
            },
        }
    }

    /// `n` linked blocks on a genesis reference.
    fn chain(n: u8) -> (BlockRef, Vec<EncodedBlock>) {
        let genesis = BlockRef {
            height: 0,
            slot: 0,
            hash: Hash32([0x9e; 32]),
        };
        let mut head = genesis;
        let mut out = Vec::new();
        for i in 0..n {
            let block = EncodedBlock::new(child(&head, i));
            head = block.as_import().block_ref();
            out.push(block);
        }
        (genesis, out)
    }

    #[test]
    fn an_encoded_block_carries_its_hash_and_canonical_bytes() {
        let (_, blocks) = chain(3);
        for b in &blocks {
            assert_eq!(b.hash, b.block.hash());
            assert_eq!(b.bytes, b.block.encode());
            assert_eq!(
                crate::decode::<SignedBlock>(&b.bytes, usize::MAX).as_ref(),
                Ok(&b.block)
            );
            b.as_import().check();
        }
    }

    #[test]
    fn link_batch_links_by_the_given_hashes() {
        let (genesis, blocks) = chain(5);
        let batch = imports(&blocks);
        let last = blocks.last().expect("5 blocks");
        let cp = Checkpoint::of(&last.block, last.hash, 7, 5);
        let (refs, head) = link_batch(genesis, &batch, Some(&cp)).expect("the batch links");
        let given: Vec<Hash32> = blocks.iter().map(|b| b.hash).collect();
        assert_eq!(refs.iter().map(|r| r.hash).collect::<Vec<_>>(), given);
        assert_eq!(
            refs.iter().map(|r| r.height).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(head, refs[4]);
        assert_eq!(head, cp.head);

        // A block that does not name the given hash of the block before it does not link.
        let mut broken = blocks.clone();
        broken[3] = EncodedBlock::new(child(
            &BlockRef {
                hash: Hash32([1; 32]),
                ..refs[2]
            },
            3,
        ));
        let err = link_batch(genesis, &imports(&broken), None).expect_err("block 4 does not link");
        assert!(
            matches!(err, StoreError::NotContiguous(ref m) if m.contains("block 4")),
            "{err}"
        );
        // Nor does a batch that skips the head's successor, nor a checkpoint that is not the batch's head.
        assert!(link_batch(genesis, &batch[1..], None).is_err());
        assert!(link_batch(genesis, &batch[..4], Some(&cp)).is_err());
    }

    /// With [`check_imports`] (debug builds, strict bookkeeping: the test machinery) a hash or encoding that is
    /// not the block's is caught; without, the store takes what it is given: it links by the given hash (nothing recomputed).
    #[test]
    fn link_batch_checks_the_given_hash_and_bytes_when_checks_are_on() {
        let (genesis, blocks) = chain(2);
        let wrong_hash = Hash32([0x55; 32]);
        let mut other_bytes = blocks[0].bytes.clone();
        other_bytes.push(0);
        let cases = [
            ImportBlock {
                hash: wrong_hash,
                ..blocks[0].as_import()
            },
            ImportBlock {
                bytes: &other_bytes,
                ..blocks[0].as_import()
            },
            ImportBlock {
                bytes: &blocks[1].bytes,
                ..blocks[0].as_import()
            },
        ];
        let checks = check_imports();
        for (i, bad) in cases.into_iter().enumerate() {
            let outcome = std::panic::catch_unwind(|| link_batch(genesis, &[bad], None));
            if checks {
                assert!(outcome.is_err(), "case {i}: a mismatch is caught");
            } else {
                let (refs, head) = outcome.expect("no check").expect("it links");
                assert_eq!(refs[0].hash, bad.hash, "case {i}: the given hash is used");
                assert_eq!(head.hash, bad.hash);
            }
        }
        // The block after one with the wrong hash does not link, whatever the checks (it names the real hash).
        if !checks {
            let batch = [cases[0], blocks[1].as_import()];
            assert!(link_batch(genesis, &batch, None).is_err());
        }
    }

    #[test]
    fn a_memory_vote_store_keeps_the_newest_state_shared_by_its_clones() {
        let mut store = MemoryVoteStore::default();
        assert_eq!(store.load_round_state(), Ok(None));
        let mut state = RoundState {
            height: 3,
            ..RoundState::default()
        };
        assert_eq!(store.save_round_state(&state), Ok(true));
        assert_eq!(store.save_round_state(&state), Ok(false), "unchanged");
        state.round = 1;
        let restarted = store.clone();
        assert_eq!(store.save_round_state(&state), Ok(true));
        assert_eq!(restarted.load_round_state(), Ok(Some(state.clone())));
        assert_eq!(restarted.writes(), 2);
        restarted.set_failing(true);
        assert!(store.save_round_state(&RoundState::default()).is_err());
        assert!(store.load_round_state().is_err());
        restarted.set_failing(false);
        assert_eq!(store.load_round_state(), Ok(Some(state)));
    }
}

//! Re-verifying every block of a chain directory's store in parallel (`ecsync chain verify`).

use ecsync_components::{BlockRef, ChainSpec, ChainStore, Height, SignedBlock, StoreError, decode};
use ecsync_systems::consensus::{
    Authorities, BlockError, KeyError, PreparedApproval, Verifier, check_block,
    check_canonical_approval, check_standalone, verify_approval, verify_batch,
};
use rayon::prelude::*;

use crate::store::RedbStore;

/// Blocks read and verified per round of `verify`.
const VERIFY_CHUNK: u64 = 4096;
/// Approvals per batched signature verification.
pub const SIGNATURE_BATCH: usize = 64;

/// Why a store could not be verified at all (an invalid block is not this: it is an [`InvalidBlock`]).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The spec's federation keys.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// Reading the store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a successful verification saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The store's head, every block up to which verified.
    pub head: BlockRef,
    /// Blocks verified (after genesis).
    pub blocks: u64,
}

/// The first invalid block of a store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("block {height} is invalid: {reason}")]
pub struct InvalidBlock {
    /// Its height.
    pub height: Height,
    /// Why.
    pub reason: String,
}

/// Re-validates every stored block from genesis against the spec: structure in order, signatures in parallel
/// batches. Returns the first invalid height as `Err(InvalidBlock)` inside `Ok`; IO failures as the outer error.
pub fn verify_store(
    spec: &ChainSpec,
    store: &RedbStore,
    now_ms: u64,
) -> Result<Result<VerifyReport, InvalidBlock>, VerifyError> {
    let authorities = Authorities::from_spec(spec)?;
    let invalid = |height, reason: String| Ok(Err(InvalidBlock { height, reason }));
    let anchor = store.anchor();
    if anchor.height > 0 {
        // A checkpoint-synced store: its first block was trusted by hash; its approval is still checked.
        return verify_from_anchor(spec, store, &authorities, anchor, now_ms);
    }
    let parent = match store.block(0)? {
        Some(genesis) => {
            let r = BlockRef::of(&genesis);
            if r.hash != spec.genesis_hash || r.slot != 0 {
                return invalid(
                    0,
                    format!(
                        "genesis hash {} is not the spec's {}",
                        r.hash, spec.genesis_hash
                    ),
                );
            }
            r
        }
        None => spec.genesis_ref(),
    };
    verify_above(spec, store, &authorities, parent, now_ms)
}

/// Verifies a checkpoint-synced store: the approval of its first (trusted) block, then every block above it.
fn verify_from_anchor(
    spec: &ChainSpec,
    store: &RedbStore,
    authorities: &Authorities,
    anchor: BlockRef,
    now_ms: u64,
) -> Result<Result<VerifyReport, InvalidBlock>, VerifyError> {
    let invalid = |reason: String| {
        Ok(Err(InvalidBlock {
            height: anchor.height,
            reason,
        }))
    };
    let Some(block) = store.block(anchor.height)? else {
        return invalid("the trusted checkpoint block is missing".into());
    };
    if BlockRef::of(&block) != anchor {
        return invalid("the trusted checkpoint block does not have its hash".into());
    }
    if let Err(e) = check_standalone(spec, &block, block.encoded_len(), now_ms)
        .and_then(|()| verify_approval(authorities, &block))
    {
        return invalid(e.to_string());
    }
    let report = verify_above(spec, store, authorities, anchor, now_ms)?;
    Ok(report.map(|r| VerifyReport {
        blocks: r.head.height - anchor.height,
        ..r
    }))
}

/// A stored block as read: its height in the store, its length, the block or why it does not decode.
type Stored = (Height, usize, Result<SignedBlock, String>);

/// Verifies every stored block above `parent` (already verified) up to the head.
fn verify_above(
    spec: &ChainSpec,
    store: &RedbStore,
    authorities: &Authorities,
    mut parent: BlockRef,
    now_ms: u64,
) -> Result<Result<VerifyReport, InvalidBlock>, VerifyError> {
    let head = store.head()?;
    let invalid = |height, reason: String| Ok(Err(InvalidBlock { height, reason }));
    let mut next = parent.height + 1;
    let mut prev = store.block(parent.height)?;
    while next <= head.height {
        let count = VERIFY_CHUNK.min(head.height - next + 1);
        let decoded = decode_stored(store.raw_range(next, count)?, spec);
        let (checked, structural) = check_structure(
            spec,
            (&mut parent, &mut prev),
            &decoded,
            next,
            count,
            now_ms,
        );
        if let Some((h, e)) = first_bad_approval(authorities, &checked) {
            return invalid(h, e.to_string());
        }
        if let Some(s) = structural {
            return Ok(Err(s));
        }
        next += count;
    }
    if parent != head {
        return invalid(
            head.height,
            format!(
                "the store's head {} is not the last verified block {}",
                head.hash, parent.hash
            ),
        );
    }
    Ok(Ok(VerifyReport {
        head,
        blocks: head.height,
    }))
}

/// Decodes (and hashes) stored blocks in parallel.
fn decode_stored(raw: Vec<(Height, Vec<u8>)>, spec: &ChainSpec) -> Vec<Stored> {
    let max = spec.max_block_bytes as usize;
    raw.par_iter()
        .map(|(h, bytes)| {
            (
                *h,
                bytes.len(),
                decode::<SignedBlock>(bytes, max).map_err(|e| e.to_string()),
            )
        })
        .collect()
}

/// The structure of the blocks read from `next` (`count` asked), in order, each on its parent (`parent` moves
/// up with them, and `prev`, the parent block once read, whose approval must be the one its child carries) until
/// the first failure: the blocks that passed, and the failure.
fn check_structure<'a>(
    spec: &ChainSpec,
    (parent, prev): (&mut BlockRef, &mut Option<SignedBlock>),
    decoded: &'a [Stored],
    next: Height,
    count: u64,
    now_ms: u64,
) -> (
    Vec<(Height, PreparedApprovalInput<'a>)>,
    Option<InvalidBlock>,
) {
    let mut checked: Vec<(Height, PreparedApprovalInput<'a>)> = Vec::with_capacity(decoded.len());
    for (i, stored) in decoded.iter().enumerate() {
        match check_stored(spec, parent, next + i as u64, stored, now_ms) {
            Ok(block) => {
                let hash = block.hash();
                *parent = BlockRef::new(&block.block.header, hash);
                if let Some(prev) = prev.as_ref()
                    && let Err(e) = check_canonical_approval(prev, &block.block)
                {
                    let height = prev.height();
                    let invalid = InvalidBlock {
                        height,
                        reason: e.to_string(),
                    };
                    return (checked, Some(invalid));
                }
                *prev = Some(block.clone());
                checked.push((stored.0, PreparedApprovalInput { block, hash }));
            }
            Err(invalid) => return (checked, Some(invalid)),
        }
    }
    let missing = (decoded.len() as u64 != count).then(|| InvalidBlock {
        height: next + decoded.len() as u64,
        reason: "missing from the store".into(),
    });
    (checked, missing)
}

/// One stored block's structure: stored at the height `expected`, decodable, that height's block, valid on
/// `parent`.
fn check_stored<'a>(
    spec: &ChainSpec,
    parent: &BlockRef,
    expected: Height,
    (h, len, block): &'a Stored,
    now_ms: u64,
) -> Result<&'a SignedBlock, InvalidBlock> {
    if *h != expected {
        return Err(InvalidBlock {
            height: expected,
            reason: "missing from the store".into(),
        });
    }
    let invalid = |reason: String| InvalidBlock { height: *h, reason };
    let block = block
        .as_ref()
        .map_err(|e| invalid(format!("undecodable: {e}")))?;
    if block.height() != *h {
        return Err(invalid(format!(
            "stored under height {h} but is block {}",
            block.height()
        )));
    }
    check_block(spec, parent, block, *len, now_ms).map_err(|e| invalid(e.to_string()))?;
    Ok(block)
}

/// The lowest of `checked` whose approval does not verify; signatures in parallel batches.
fn first_bad_approval(
    authorities: &Authorities,
    checked: &[(Height, PreparedApprovalInput<'_>)],
) -> Option<(Height, BlockError)> {
    let mut failures: Vec<(Height, BlockError)> = checked
        .par_chunks(SIGNATURE_BATCH)
        .flat_map_iter(|chunk| bad_approvals(authorities, chunk))
        .collect();
    failures.sort_by_key(|(h, _)| *h);
    failures.into_iter().next()
}

/// The blocks of one batch whose approval does not verify, with why.
fn bad_approvals(
    authorities: &Authorities,
    chunk: &[(Height, PreparedApprovalInput<'_>)],
) -> Vec<(Height, BlockError)> {
    let mut bad = Vec::new();
    let mut prepared = Vec::with_capacity(chunk.len());
    let mut heights = Vec::with_capacity(chunk.len());
    for (h, input) in chunk {
        match PreparedApproval::new(authorities, input.block, input.hash) {
            Ok(p) => {
                prepared.push(p);
                heights.push(*h);
            }
            Err(e) => bad.push((*h, e)),
        }
    }
    bad.extend(
        verify_batch(&prepared, Verifier::default())
            .into_iter()
            .map(|(i, e)| (heights[i], e)),
    );
    bad
}

struct PreparedApprovalInput<'a> {
    block: &'a SignedBlock,
    hash: ecsync_components::Hash32,
}

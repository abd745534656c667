//! Re-verifying every block of a chain directory's store in parallel (`ecsync chain verify`).

use ecsync_components::{BlockRef, ChainSpec, ChainStore, Height, SignedBlock, decode};
use ecsync_systems::consensus::{
    Authorities, BlockError, PreparedApproval, Verifier, check_block, check_standalone,
    verify_approval, verify_batch,
};
use rayon::prelude::*;

use crate::store::RedbStore;

/// Blocks read and verified per round of `verify`.
const VERIFY_CHUNK: u64 = 4096;
/// Approvals per batched signature verification.
pub const SIGNATURE_BATCH: usize = 64;

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
) -> anyhow::Result<Result<VerifyReport, InvalidBlock>> {
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
) -> anyhow::Result<Result<VerifyReport, InvalidBlock>> {
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

/// Verifies every stored block above `parent` (already verified) up to the head.
fn verify_above(
    spec: &ChainSpec,
    store: &RedbStore,
    authorities: &Authorities,
    mut parent: BlockRef,
    now_ms: u64,
) -> anyhow::Result<Result<VerifyReport, InvalidBlock>> {
    let head = store.head()?;
    let invalid = |height, reason: String| Ok(Err(InvalidBlock { height, reason }));
    let max = spec.max_block_bytes as usize;
    let mut next = parent.height + 1;
    while next <= head.height {
        let count = VERIFY_CHUNK.min(head.height - next + 1);
        let raw = store.raw_range(next, count)?;
        // Decode and hash in parallel.
        let decoded: Vec<(Height, usize, Result<SignedBlock, String>)> = raw
            .par_iter()
            .map(|(h, bytes)| {
                (
                    *h,
                    bytes.len(),
                    decode::<SignedBlock>(bytes, max).map_err(|e| e.to_string()),
                )
            })
            .collect();
        // Structure, in order, until the first failure.
        let mut checked: Vec<(Height, PreparedApprovalInput<'_>)> =
            Vec::with_capacity(decoded.len());
        let mut structural: Option<InvalidBlock> = None;
        for (i, (h, len, block)) in decoded.iter().enumerate() {
            let expected = next + i as u64;
            if *h != expected {
                structural = Some(InvalidBlock {
                    height: expected,
                    reason: "missing from the store".into(),
                });
                break;
            }
            let block = match block {
                Ok(b) => b,
                Err(e) => {
                    structural = Some(InvalidBlock {
                        height: *h,
                        reason: format!("undecodable: {e}"),
                    });
                    break;
                }
            };
            if block.height() != *h {
                structural = Some(InvalidBlock {
                    height: *h,
                    reason: format!("stored under height {h} but is block {}", block.height()),
                });
                break;
            }
            if let Err(e) = check_block(spec, &parent, block, *len, now_ms) {
                structural = Some(InvalidBlock {
                    height: *h,
                    reason: e.to_string(),
                });
                break;
            }
            let hash = block.hash();
            parent = BlockRef::new(&block.block.header, hash);
            checked.push((*h, PreparedApprovalInput { block, hash }));
        }
        if structural.is_none() && decoded.len() as u64 != count {
            structural = Some(InvalidBlock {
                height: next + decoded.len() as u64,
                reason: "missing from the store".into(),
            });
        }
        // Signatures of the structurally valid prefix, in parallel batches.
        let mut failures: Vec<(Height, BlockError)> = checked
            .par_chunks(SIGNATURE_BATCH)
            .flat_map_iter(|chunk| {
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
            })
            .collect();
        failures.sort_by_key(|(h, _)| *h);
        if let Some((h, e)) = failures.into_iter().next() {
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

struct PreparedApprovalInput<'a> {
    block: &'a SignedBlock,
    hash: ecsync_components::Hash32,
}

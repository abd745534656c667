//! The rules of history: blocks below a store's lowest block (the backfill) are accepted by the hash chain alone,
//! as Lighthouse's backfill sync accepts them: the lowest block is trusted (a checkpoint the operator gave, then
//! each block linked to it), so a block below it is the chain's when its hash is the one the block above names,
//! and its approval the chain's when it is the one the block above carries (`parent_approval`, which that
//! block's header commits to). No signature is verified: the trusted block vouches for both.
//!
//! [`decode_history`] checks an answer's shape, [`check_history`] the blocks of one answer on their own (every
//! standalone rule but the signature, and the links between them; a slot long past is fine, the clock rule only
//! refuses slots that have not begun), [`check_edge`] the top of a run against the lowest stored block.

use ecsync_components::{
    AnswerError, BlockRef, ChainSpec, EncodedBlock, GotExpected, Height, LowestBlock, SignedBlock,
};

use super::{BlockError, check_canonical_approval, check_link, check_standalone};

/// Decodes an answer for the `count` heights from `start`: at most `count` blocks, each canonical and within
/// `max_block_bytes`, at consecutive heights from `start`. Each block keeps its encoding (the answer's buffers,
/// moved).
pub fn decode_history(
    start: Height,
    count: u32,
    raw: Vec<Vec<u8>>,
    max_block_bytes: usize,
) -> Result<Vec<(SignedBlock, Vec<u8>)>, AnswerError> {
    if raw.len() > count as usize {
        return Err(AnswerError::TooManyBlocks(GotExpected {
            got: u32::try_from(raw.len()).unwrap_or(u32::MAX),
            expected: count,
        }));
    }
    let mut blocks = Vec::with_capacity(raw.len());
    for (i, bytes) in raw.into_iter().enumerate() {
        let block =
            SignedBlock::decode(&bytes, max_block_bytes).map_err(|e| AnswerError::BadBlock {
                index: i as u32,
                error: e.to_string(),
            })?;
        let expected = start + i as u64;
        if block.height() != expected {
            return Err(AnswerError::WrongHeight(GotExpected {
                got: block.height(),
                expected,
            }));
        }
        blocks.push((block, bytes));
    }
    Ok(blocks)
}

/// Checks consecutive blocks of history (ascending, as [`decode_history`] gives them) on their own: every
/// standalone rule but the signature (size, timestamp, payload root, approvers and quorum; a slot that has not
/// begun by `now_ms` is refused, an old one is fine; the parent approval it carries is the one its header commits
/// to), and each block is the parent of the one above it (its hash is the one named, its slot earlier, its
/// approval the one the block above carries). Returns the blocks with their hashes, or the first bad block's
/// height and the rule it breaks.
pub fn check_history(
    spec: &ChainSpec,
    blocks: Vec<(SignedBlock, Vec<u8>)>,
    now_ms: u64,
) -> Result<Vec<EncodedBlock>, (Height, BlockError)> {
    let mut out: Vec<EncodedBlock> = Vec::with_capacity(blocks.len());
    for (block, bytes) in blocks {
        let height = block.height();
        check_standalone(spec, &block, bytes.len(), now_ms).map_err(|e| (height, e))?;
        if let Some(below) = out.last() {
            let parent = BlockRef::new(&below.block.block.header, below.hash);
            check_link(&parent, &block).map_err(|e| (height, e))?;
            check_canonical_approval(&below.block, &block.block).map_err(|e| (height - 1, e))?;
        }
        let hash = block.hash();
        out.push(EncodedBlock { block, hash, bytes });
    }
    Ok(out)
}

/// Checks that `top` is the parent of the store's lowest block `edge`: one height below it, its hash the one
/// `edge` names as its parent, its slot earlier, its approval the one `edge` commits to (from height 2). The
/// errors read as `check_link`'s and `check_canonical_approval`'s with `top` the parent.
pub fn check_edge(edge: &LowestBlock, top: &EncodedBlock) -> Result<(), BlockError> {
    let header = &top.block.block.header;
    if Some(header.height) != edge.block.height.checked_sub(1) {
        return Err(BlockError::HeightMismatch {
            parent: header.height,
            got: edge.block.height,
        });
    }
    if top.hash != edge.parent_hash {
        return Err(BlockError::ParentHashMismatch {
            expected: top.hash,
            got: edge.parent_hash,
        });
    }
    if header.slot >= edge.block.slot {
        return Err(BlockError::SlotNotIncreasing {
            parent: header.slot,
            slot: edge.block.slot,
        });
    }
    if !edge.is_parent(&top.as_import()) {
        return Err(BlockError::NotCanonicalApproval {
            height: header.height,
        });
    }
    Ok(())
}

/// Whether block 1 (`first`, the lowest of a run reaching height 1) names the spec's genesis as its parent: the
/// history then leads to the chain's genesis (height 0). Only asked of a run linked to the lowest block (so of
/// the chain's own block 1): false means the trusted block is on another chain than the spec's.
pub fn reaches_genesis(spec: &ChainSpec, first: &EncodedBlock) -> bool {
    check_link(&spec.genesis_ref(), &first.block).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaingen::{ChainGenerator, GenParams};

    /// A generated chain's blocks 1..=n with their encodings.
    fn chain(n: u64) -> (ChainSpec, Vec<(SignedBlock, Vec<u8>)>) {
        let generator = ChainGenerator::new(GenParams::default()).expect("a generator");
        let blocks = generator.blocks(n as usize);
        let spec = generator.spec().clone();
        let with_bytes = blocks
            .into_iter()
            .map(|b| {
                let bytes = b.encode();
                (b, bytes)
            })
            .collect();
        (spec, with_bytes)
    }

    const FAR_FUTURE: u64 = u64::MAX / 2;

    #[test]
    fn a_run_of_history_checks_and_links_to_the_block_above() {
        let (spec, blocks) = chain(6);
        let top = blocks.len() - 1;
        let (head, head_bytes) = blocks[top].clone();
        let run = check_history(&spec, blocks[..top].to_vec(), FAR_FUTURE).expect("valid");
        assert_eq!(run.len(), 5);
        assert!(run.iter().all(|b| b.hash == b.block.hash()));
        let edge = LowestBlock::of(&head, head.hash());
        assert_eq!(check_edge(&edge, &run[4]), Ok(()));
        assert!(reaches_genesis(&spec, &run[0]));
        // Not the parent: one lower, or the lowest block's own.
        assert!(matches!(
            check_edge(&edge, &run[3]),
            Err(BlockError::HeightMismatch { .. })
        ));
        let own = EncodedBlock::new(head);
        assert!(check_edge(&edge, &own).is_err());
        drop(head_bytes);
    }

    #[test]
    fn a_tampered_payload_or_a_broken_link_is_named_by_height() {
        let (spec, blocks) = chain(5);
        let mut payload = blocks.clone();
        payload[2].0.block.payload[0] ^= 1;
        payload[2].1 = payload[2].0.encode();
        assert_eq!(
            check_history(&spec, payload, FAR_FUTURE).map(|_| ()),
            Err((3, BlockError::PayloadRootMismatch))
        );
        let mut link = blocks.clone();
        link[3].0.block.header.parent_hash = ecsync_components::Hash32([0xbb; 32]);
        link[3].1 = link[3].0.encode();
        assert!(matches!(
            check_history(&spec, link, FAR_FUTURE),
            Err((4, BlockError::ParentHashMismatch { .. }))
        ));
        // A block of the run changed (its hash then differs): the block above it no longer links.
        let mut changed = blocks;
        changed[1].0.block.header.state_root = ecsync_components::Hash32([1; 32]);
        changed[1].1 = changed[1].0.encode();
        assert!(matches!(
            check_history(&spec, changed, FAR_FUTURE),
            Err((3, BlockError::ParentHashMismatch { .. }))
        ));
    }

    /// An approval is part of the history only as the block above carries it: another one (a valid signature of
    /// another block, or garbage) is refused, inside a run and at its top.
    #[test]
    fn an_approval_other_than_the_one_the_block_above_carries_is_refused() {
        let (spec, blocks) = chain(6);
        let mut swapped = blocks.clone();
        swapped[2].0.approval = blocks[3].0.approval.clone();
        swapped[2].1 = swapped[2].0.encode();
        assert_eq!(
            check_history(&spec, swapped, FAR_FUTURE).map(|_| ()),
            Err((3, BlockError::NotCanonicalApproval { height: 3 }))
        );
        let (head, _) = blocks[5].clone();
        let edge = LowestBlock::of(&head, head.hash());
        let run = check_history(&spec, blocks[..5].to_vec(), FAR_FUTURE).expect("valid");
        let mut top = run[4].clone();
        top.block.approval.round += 1;
        top.bytes = top.block.encode();
        assert_eq!(top.hash, top.block.hash(), "the approval is not hashed");
        assert_eq!(
            check_edge(&edge, &top),
            Err(BlockError::NotCanonicalApproval { height: 5 })
        );
        assert_eq!(check_edge(&edge, &run[4]), Ok(()));
    }

    #[test]
    fn an_answer_of_the_wrong_shape_is_refused() {
        let (_, blocks) = chain(4);
        let raw: Vec<Vec<u8>> = blocks.iter().map(|(_, b)| b.clone()).collect();
        assert!(decode_history(1, 4, raw.clone(), 1 << 20).is_ok());
        assert!(matches!(
            decode_history(1, 3, raw.clone(), 1 << 20),
            Err(AnswerError::TooManyBlocks(_))
        ));
        assert!(matches!(
            decode_history(2, 4, raw.clone(), 1 << 20),
            Err(AnswerError::WrongHeight(_))
        ));
        let mut garbage = raw;
        garbage[1] = vec![1, 2, 3];
        assert!(matches!(
            decode_history(1, 4, garbage, 1 << 20),
            Err(AnswerError::BadBlock { index: 1, .. })
        ));
    }
}

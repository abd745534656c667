//! Each validity rule, broken alone in an otherwise valid block, gives exactly its own error; batches bisect to
//! the exact bad blocks; byte flips never decode into a different valid block.

use ecsync::components::{Block, BlockRef, ChainSpec, SignatureBytes, SignedBlock, payload_root};
use ecsync::systems::chaingen::{ChainGenerator, GenParams};
use ecsync::systems::consensus::{
    Authorities, BlockError, PreparedApproval, Verifier, batch_ok, check_block, first_bad,
    validate_block, verify_batch,
};
use proptest::prelude::*;
use std::sync::OnceLock;

struct Fixture {
    generator: ChainGenerator,
    authorities: Authorities,
    blocks: Vec<SignedBlock>,
}

/// One small chain per test binary: signing costs ~0.4 ms per block.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let generator = ChainGenerator::new(GenParams {
            seed: 42,
            payload_bytes: 256,
            max_block_bytes: 1024,
            ..GenParams::default()
        })
        .unwrap();
        let authorities = Authorities::from_spec(generator.spec()).unwrap();
        let mut blocks = vec![generator.genesis().clone()];
        blocks.extend(generator.blocks(80));
        Fixture {
            generator,
            authorities,
            blocks,
        }
    })
}

fn spec() -> &'static ChainSpec {
    fixture().generator.spec()
}

/// A clock well past every generated slot.
const NOW: u64 = u64::MAX / 2;

/// Block 5 and its parent, with all four authorities approving (so every mutation below keeps the quorum and
/// the producer unless it means to break them).
fn parent_and_block() -> (BlockRef, Block) {
    let f = fixture();
    (BlockRef::of(&f.blocks[4]), f.blocks[5].block.clone())
}

fn sign(block: Block, approvers: u64) -> SignedBlock {
    let hash = block.header.hash();
    SignedBlock {
        approval: fixture().generator.federation().approve(&hash, approvers),
        block,
    }
}

fn validate(parent: &BlockRef, block: &SignedBlock, now: u64) -> Result<(), BlockError> {
    validate_block(spec(), &fixture().authorities, parent, block, now)
}

const ALL: u64 = 0b1111;

#[test]
fn generated_blocks_are_valid() {
    let f = fixture();
    for pair in f.blocks.windows(2) {
        validate(&BlockRef::of(&pair[0]), &pair[1], NOW).unwrap();
    }
    let (parent, block) = parent_and_block();
    validate(&parent, &sign(block, ALL), NOW).unwrap();
}

#[test]
fn too_large() {
    let (parent, mut block) = parent_and_block();
    block.payload = vec![7; 2000];
    block.header.payload_root = payload_root(&block.payload);
    let b = sign(block, ALL);
    assert!(matches!(
        validate(&parent, &b, NOW),
        Err(BlockError::TooLarge { max: 1024, .. })
    ));
}

#[test]
fn height_mismatch() {
    let (parent, mut block) = parent_and_block();
    block.header.height += 1;
    assert_eq!(
        validate(&parent, &sign(block, ALL), NOW),
        Err(BlockError::HeightMismatch { parent: 4, got: 6 })
    );
}

#[test]
fn parent_hash_mismatch() {
    let (parent, mut block) = parent_and_block();
    block.header.parent_hash.0[0] ^= 1;
    let got = block.header.parent_hash;
    assert_eq!(
        validate(&parent, &sign(block, ALL), NOW),
        Err(BlockError::ParentHashMismatch {
            expected: parent.hash,
            got
        })
    );
}

#[test]
fn slot_not_increasing() {
    let (parent, mut block) = parent_and_block();
    block.header.slot = parent.slot;
    block.header.timestamp_ms = spec().slot_start_ms(parent.slot);
    assert_eq!(
        validate(&parent, &sign(block, ALL), NOW),
        Err(BlockError::SlotNotIncreasing {
            parent: parent.slot,
            slot: parent.slot
        })
    );
}

#[test]
fn slot_in_future() {
    let (parent, block) = parent_and_block();
    let slot = block.header.slot;
    let b = sign(block, ALL);
    // One slot ahead of the clock is allowed, two are not.
    validate(&parent, &b, spec().slot_start_ms(slot - 1)).unwrap();
    let now = spec().slot_start_ms(slot - 2);
    assert_eq!(
        validate(&parent, &b, now),
        Err(BlockError::SlotInFuture {
            slot,
            current: slot - 2
        })
    );
}

#[test]
fn timestamp_mismatch() {
    let (parent, mut block) = parent_and_block();
    block.header.timestamp_ms += 1;
    assert!(matches!(
        validate(&parent, &sign(block, ALL), NOW),
        Err(BlockError::TimestampMismatch { .. })
    ));
}

#[test]
fn payload_root_mismatch() {
    let (parent, mut block) = parent_and_block();
    block.payload[0] ^= 0xff;
    // The hash covers the header only, so the approval still verifies: only the payload rule is broken.
    assert_eq!(
        validate(&parent, &sign(block, ALL), NOW),
        Err(BlockError::PayloadRootMismatch)
    );
}

#[test]
fn unknown_approver() {
    let (parent, block) = parent_and_block();
    let mut b = sign(block, ALL);
    b.approval.approvers |= 1 << 4;
    assert_eq!(
        validate(&parent, &b, NOW),
        Err(BlockError::UnknownApprover { index: 4, count: 4 })
    );
}

#[test]
fn insufficient_approvals() {
    let (parent, block) = parent_and_block();
    let producer = spec().producer_index(block.header.slot);
    let other = (producer + 1) % 4;
    let approvers = (1 << producer) | (1 << other);
    assert_eq!(
        validate(&parent, &sign(block, approvers), NOW),
        Err(BlockError::InsufficientApprovals { got: 2, quorum: 3 })
    );
}

#[test]
fn producer_not_approving() {
    let (parent, block) = parent_and_block();
    let slot = block.header.slot;
    let producer = spec().producer_index(slot);
    let approvers = ALL & !(1 << producer);
    assert_eq!(
        validate(&parent, &sign(block, approvers), NOW),
        Err(BlockError::ProducerNotApproving { slot, producer })
    );
}

#[test]
fn malformed_signature() {
    let (parent, block) = parent_and_block();
    let mut b = sign(block, ALL);
    b.approval.signature = SignatureBytes([0x11; 96]);
    assert_eq!(
        validate(&parent, &b, NOW),
        Err(BlockError::MalformedSignature)
    );
}

#[test]
fn bad_signature() {
    let (parent, block) = parent_and_block();
    let producer = spec().producer_index(block.header.slot);
    // Signed by all four, but claiming only three approved.
    let mut b = sign(block.clone(), ALL);
    b.approval.approvers = ALL & !(1 << ((producer + 1) % 4));
    assert_eq!(validate(&parent, &b, NOW), Err(BlockError::BadSignature));
    // A valid signature of another block.
    let mut c = sign(block, ALL);
    c.approval.signature = fixture().blocks[6].approval.signature;
    assert_eq!(validate(&parent, &c, NOW), Err(BlockError::BadSignature));
}

#[test]
fn one_signing_equals_aggregating_each_approver() {
    let f = fixture();
    for block in &f.blocks[1..6] {
        let hash = block.hash();
        for approvers in [0b0111u64, 0b1011, 0b1111, 0b0001] {
            assert_eq!(
                f.generator.federation().approve(&hash, approvers),
                f.generator
                    .federation()
                    .approve_by_aggregation(&hash, approvers)
            );
        }
    }
}

const VERIFIERS: [Verifier; 2] = [Verifier::Grouped, Verifier::Standard];

fn prepare(blocks: &[SignedBlock]) -> Vec<PreparedApproval> {
    let f = fixture();
    blocks
        .iter()
        .map(|b| PreparedApproval::new(&f.authorities, b, b.hash()).unwrap())
        .collect()
}

#[test]
fn batch_verification_bisects_to_the_exact_bad_blocks() {
    let f = fixture();
    for verifier in VERIFIERS {
        let mut blocks: Vec<SignedBlock> = f.blocks[1..].to_vec();
        assert_eq!(blocks.len(), 80);
        assert!(verify_batch(&prepare(&blocks), verifier).is_empty());
        for bad in [3usize, 41, 42, 79] {
            let other = (bad + 1) % blocks.len();
            blocks[bad].approval.signature = f.blocks[other + 1].approval.signature;
        }
        let failed: Vec<usize> = verify_batch(&prepare(&blocks), verifier)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(failed, vec![3, 41, 42, 79], "{verifier:?}");
    }
}

/// The grouped check is as strict as the standard one: in a batch of 64 honest approvals (from several approver
/// sets), each single bad one, wherever it is, fails the batch and is the one blamed. Bad in three ways: a
/// signature swapped in from another block (valid, over another message), a forgery by fewer authorities than
/// the approval names (valid for another approver set), and a signature negated (a valid point, in the group,
/// off by a sign).
#[test]
fn every_single_bad_signature_in_a_batch_of_64_is_caught() {
    let f = fixture();
    let honest: Vec<SignedBlock> = f.blocks[1..=64].to_vec();
    let sets: std::collections::BTreeSet<u64> =
        honest.iter().map(|b| b.approval.approvers).collect();
    assert!(sets.len() > 1, "the batch mixes approver sets: {sets:?}");
    for verifier in VERIFIERS {
        assert!(batch_ok(&prepare(&honest), verifier), "{verifier:?}");
        assert_eq!(first_bad(&prepare(&honest), verifier), None);
    }
    for at in 0..honest.len() {
        let block = &honest[at];
        let swapped = honest[(at + 1) % honest.len()].approval.signature;
        // Signed by the producer alone, claimed as the block's approver set.
        let producer = spec().producer_index(block.slot());
        let forged = f
            .generator
            .federation()
            .approve(&block.hash(), 1 << producer)
            .signature;
        let negated = {
            let sig =
                blst::min_pk::Signature::from_bytes(block.approval.signature.as_bytes()).unwrap();
            let mut point: blst::blst_p2 = blst::blst_p2::default();
            let mut affine: blst::blst_p2_affine = sig.into();
            unsafe {
                blst::blst_p2_from_affine(&mut point, &affine);
                blst::blst_p2_cneg(&mut point, true);
                blst::blst_p2_to_affine(&mut affine, &point);
            }
            SignatureBytes(blst::min_pk::Signature::from(affine).to_bytes())
        };
        for (what, bad) in [
            ("swapped", swapped),
            ("forged", forged),
            ("negated", negated),
        ] {
            let mut blocks = honest.clone();
            blocks[at].approval.signature = bad;
            let prepared = prepare(&blocks);
            for verifier in VERIFIERS {
                // The standard verifier is checked at a few positions only (it is the slow one).
                if verifier == Verifier::Standard && at % 16 != 0 {
                    continue;
                }
                assert!(
                    !batch_ok(&prepared, verifier),
                    "{verifier:?}: a {what} signature at {at} passed"
                );
                let blamed = first_bad(&prepared, verifier).map(|(i, _)| i);
                assert_eq!(blamed, Some(at), "{verifier:?}: {what} at {at}");
            }
        }
    }
}

#[test]
fn check_block_skips_only_the_signature() {
    let (parent, block) = parent_and_block();
    let mut b = sign(block, ALL);
    b.approval.signature = SignatureBytes([0x11; 96]);
    check_block(spec(), &parent, &b, b.encoded_len(), NOW).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A flipped byte either fails to decode, or decodes to a block that fails validation: never to a
    /// different valid block.
    #[test]
    fn byte_flips_never_make_a_different_valid_block(index in 1usize..80, pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let f = fixture();
        let parent = BlockRef::of(&f.blocks[index - 1]);
        let original = &f.blocks[index];
        let mut bytes = original.encode();
        let at = pos.index(bytes.len());
        bytes[at] ^= 1 << bit;
        if let Ok(decoded) = SignedBlock::decode(&bytes, spec().max_block_bytes as usize) {
            prop_assert_ne!(&decoded, original);
            prop_assert!(validate(&parent, &decoded, NOW).is_err());
        }
    }
}

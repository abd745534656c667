//! Each validity rule, broken alone in an otherwise valid block, gives exactly its own error; batches bisect to
//! the exact bad blocks; byte flips never decode into a different valid block; a block's approval verifies only
//! as its precommits' aggregate in the round it names.

use ecsync::components::agreement::{VoteKind, proposal_message, vote_message};
use ecsync::components::{
    Approval, Block, BlockRef, ChainSpec, HeadProof, SignatureBytes, SignedBlock, approval_message,
    approval_root, payload_root,
};
use ecsync::systems::chaingen::{ChainGenerator, GenParams};
use ecsync::systems::consensus::{
    Authorities, BLS_DST, BlockError, PreparedApproval, Verifier, batch_ok, check_block,
    check_canonical_approval, check_proposal_parent, first_bad, validate_block, verify_batch,
    verify_head_proof,
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
        approval: fixture().generator.federation().approve(
            block.header.height,
            0,
            &hash,
            approvers,
        ),
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

/// The parent approval a block carries: its root in the header, present from height 2 only; a member judging a
/// proposal also verifies it as a certificate of its head.
#[test]
fn parent_approval_rules() {
    let f = fixture();
    let (parent, block) = parent_and_block();
    // Another approval carried, the header unchanged: the root does not match.
    let mut swapped = block.clone();
    swapped.parent_approval = Some(f.blocks[3].approval.clone());
    assert_eq!(
        validate(&parent, &sign(swapped, ALL), NOW),
        Err(BlockError::ParentApprovalRootMismatch)
    );
    // None carried at height 5; one carried at height 1.
    let mut none = block.clone();
    none.parent_approval = None;
    none.header.parent_approval_root = approval_root(None);
    assert_eq!(
        validate(&parent, &sign(none, ALL), NOW),
        Err(BlockError::ParentApprovalPresence {
            height: 5,
            must_carry: true
        })
    );
    let mut first = f.blocks[1].block.clone();
    first.parent_approval = Some(f.blocks[2].approval.clone());
    first.header.parent_approval_root = approval_root(first.parent_approval.as_ref());
    let genesis = BlockRef::of(&f.blocks[0]);
    assert_eq!(
        validate(&genesis, &sign(first, ALL), NOW),
        Err(BlockError::ParentApprovalPresence {
            height: 1,
            must_carry: false
        })
    );
    // A proposal: the carried certificate verifies as the head's; a forged one (root recomputed, so the block's
    // own rules hold) does not, nor does a real certificate of another block.
    assert_eq!(
        check_proposal_parent(spec(), &f.authorities, &parent, &block),
        Ok(())
    );
    let mut forged = block.clone();
    let mut bad = f.blocks[4].approval.clone();
    bad.signature = f.blocks[3].approval.signature;
    forged.parent_approval = Some(bad);
    forged.header.parent_approval_root = approval_root(forged.parent_approval.as_ref());
    assert_eq!(validate(&parent, &sign(forged.clone(), ALL), NOW), Ok(()));
    assert_eq!(
        check_proposal_parent(spec(), &f.authorities, &parent, &forged),
        Err(BlockError::BadSignature)
    );
    let other = BlockRef::of(&f.blocks[3]);
    assert!(check_proposal_parent(spec(), &f.authorities, &other, &block).is_err());
    // The canonical approval: a block's approval is the one its child carries.
    assert_eq!(check_canonical_approval(&f.blocks[4], &block), Ok(()));
    assert_eq!(
        check_canonical_approval(&f.blocks[3], &block),
        Err(BlockError::NotCanonicalApproval { height: 3 })
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

/// A certificate is the precommits of any quorum: the slot's producer (the round's proposer) need not be in it.
#[test]
fn a_quorum_without_the_slot_producer_is_valid() {
    let (parent, block) = parent_and_block();
    let producer = spec().producer_index(block.header.slot);
    let approvers = ALL & !(1 << producer);
    assert_eq!(validate(&parent, &sign(block, approvers), NOW), Ok(()));
}

/// An approval relabelled with another round signs a precommit of a round it does not name.
#[test]
fn a_relabelled_round_does_not_verify() {
    let (parent, block) = parent_and_block();
    let mut b = sign(block, ALL);
    b.approval.round = 1;
    assert_eq!(validate(&parent, &b, NOW), Err(BlockError::BadSignature));
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
        for (approvers, round) in [(0b0111u64, 0), (0b1011, 1), (0b1111, 7), (0b0001, u32::MAX)] {
            assert_eq!(
                f.generator
                    .federation()
                    .approve(block.height(), round, &hash, approvers),
                f.generator.federation().approve_by_aggregation(
                    block.height(),
                    round,
                    &hash,
                    approvers
                )
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
            .approve(block.height(), 0, &block.hash(), 1 << producer)
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

/// A block's approval is the aggregate of its approvers' precommits in ONE round, named by the approval: block
/// 5's approval, whatever message its signature is over and whatever round it names, as the rules see it alone,
/// in a batch of honest approvals of the same approver set (both verifiers), and as a head proof.
fn judged(block: &Block, round: u32, signature: SignatureBytes) -> Vec<Result<(), BlockError>> {
    let f = fixture();
    let (parent, _) = parent_and_block();
    let signed = SignedBlock {
        block: block.clone(),
        approval: Approval {
            approvers: ALL,
            round,
            signature,
        },
    };
    let mut batch: Vec<SignedBlock> = f.blocks[10..40]
        .iter()
        .filter(|b| b.approval.approvers == ALL)
        .take(7)
        .cloned()
        .collect();
    assert_eq!(batch.len(), 7, "honest approvals of the same set");
    batch.push(signed.clone());
    let mut verdicts = vec![validate(&parent, &signed, NOW)];
    for verifier in VERIFIERS {
        verdicts.push(match first_bad(&prepare(&batch), verifier) {
            None => Ok(()),
            Some((7, e)) => Err(e),
            Some(other) => panic!("an honest approval blamed: {other:?}"),
        });
    }
    let proof = HeadProof::of(&signed);
    verdicts.push(verify_head_proof(spec(), &f.authorities, &proof).map(|_| ()));
    verdicts
}

fn refused(verdicts: Vec<Result<(), BlockError>>) -> bool {
    verdicts.iter().all(|v| *v == Err(BlockError::BadSignature))
}

fn accepted(verdicts: Vec<Result<(), BlockError>>) -> bool {
    verdicts.iter().all(Result::is_ok)
}

/// An approval of round 1 does not verify as round 0, nor one of round 0 as round 1 (or any other round): the
/// round it names is part of what it signs.
#[test]
fn an_approval_verifies_only_in_the_round_it_names() {
    let (_, block) = parent_and_block();
    let hash = block.header.hash();
    let federation = fixture().generator.federation();
    for (signed_in, named) in [(0u32, 1u32), (1, 0), (1, 2), (0, u32::MAX), (u32::MAX, 0)] {
        let approval = federation.approve(block.header.height, signed_in, &hash, ALL);
        assert_eq!(approval.round, signed_in);
        assert!(accepted(judged(&block, signed_in, approval.signature)));
        assert!(
            refused(judged(&block, named, approval.signature)),
            "signed in round {signed_in}, named round {named}"
        );
    }
}

/// The same voters' prevotes for the same block, aggregated, never verify as its approval (in the round they are
/// of, or any other); nor their precommits for nil, for the block at another height, or the round's proposal.
#[test]
fn a_prevote_aggregate_never_verifies_as_a_blocks_approval() {
    let (_, block) = parent_and_block();
    let (h, hash) = (block.header.height, block.header.hash());
    let federation = fixture().generator.federation();
    for round in [0u32, 1, 9] {
        let precommit = vote_message(VoteKind::Precommit, h, round, Some(&hash));
        // The control: the same signing over the precommit is the approval, and it verifies.
        let signature = federation.sign(&precommit, ALL);
        assert_eq!(
            signature,
            federation.approve(h, round, &hash, ALL).signature
        );
        assert!(accepted(judged(&block, round, signature)));
        let confusable = [
            vote_message(VoteKind::Prevote, h, round, Some(&hash)),
            vote_message(VoteKind::Precommit, h, round, None),
            vote_message(VoteKind::Precommit, h + 1, round, Some(&hash)),
            proposal_message(h, round, &hash, None),
        ];
        for message in confusable {
            for named in [round, round + 1] {
                let signature = federation.sign(&message, ALL);
                assert!(refused(judged(&block, named, signature)), "round {round}");
            }
        }
    }
}

/// The tag the agreement signs under, and the tag of ecsync 1 (whose approvals signed the bare block hash).
const V1_DST: &[u8] = b"ECSYNC_V1_BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// The aggregate of every authority's signature over `message` under `dst`, made with blst directly.
fn signed_by_all(message: &[u8], dst: &[u8]) -> SignatureBytes {
    let federation = fixture().generator.federation();
    let signatures: Vec<blst::min_pk::Signature> = (0..federation.len())
        .map(|i| {
            let key = blst::min_pk::SecretKey::from_bytes(&federation.secret_key_bytes(i)).unwrap();
            key.sign(message, dst, &[])
        })
        .collect();
    let refs: Vec<&blst::min_pk::Signature> = signatures.iter().collect();
    let aggregate = blst::min_pk::AggregateSignature::aggregate(&refs, false).unwrap();
    SignatureBytes(aggregate.to_signature().compress())
}

/// A block approved as ecsync 1 approved it (every approver over the bare block hash, under the V1 tag) is
/// refused; so is the bare hash under the V2 tag, and the right precommit under the V1 tag. The right precommit
/// under the V2 tag, signed the same way, verifies (so the refusals are the message's and the tag's).
#[test]
fn a_block_approved_under_the_old_bare_hash_scheme_is_refused() {
    assert!(BLS_DST.starts_with(b"ECSYNC_V2_") && BLS_DST != V1_DST);
    let (_, block) = parent_and_block();
    let hash = block.header.hash();
    let precommit = approval_message(block.header.height, 0, &hash);
    assert_ne!(precommit, hash);
    assert!(accepted(judged(
        &block,
        0,
        signed_by_all(precommit.as_bytes(), BLS_DST)
    )));
    for (message, dst) in [(hash, V1_DST), (hash, BLS_DST), (precommit, V1_DST)] {
        assert!(refused(judged(
            &block,
            0,
            signed_by_all(message.as_bytes(), dst)
        )));
    }
}

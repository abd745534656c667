//! The federation's BLS: decoded authority keys, prepared approvals, and batched verification that bisects a
//! failing batch down to the exact bad blocks.
//!
//! Two batch checks ([`Verifier`]), both the small-exponent batch test with an independent random 64-bit scalar
//! per signature and every signature subgroup-checked:
//! - **standard**: blst's `verify_multiple_aggregate_signatures`, which checks
//!   `e(g1, Σ r_i·σ_i) = Π_i e(r_i·PK_i, H(m_i))`: one Miller loop per approval.
//! - **grouped**: a federation has few approver sets, and approvals by the same set have the same aggregate key,
//!   so the pairings of one set combine by bilinearity: `e(g1, Σ_i r_i·σ_i) = Π_k e(PK_k, Σ_{i∈k} r_i·H(m_i))`,
//!   K + 1 Miller loops for K approver sets, the sums by Pippenger multi-scalar multiplication. Per approval
//!   what remains is the subgroup check, hash-to-G2 and two 64-bit scalar terms. docs/VERIFIER.md has the
//!   argument that it is exactly as sound as the standard check.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use blst::min_pk::{AggregatePublicKey, PublicKey, Signature};
use blst::{
    BLST_ERROR, MultiPoint, blst_fp12, blst_fp12_finalverify, blst_miller_loop, blst_miller_loop_n,
    blst_p1_affine, blst_p1_affine_generator, blst_p2, blst_p2_affine, blst_p2_to_affine,
    blst_scalar, p2_affines,
};
pub use ecsync_components::Verifier;
use ecsync_components::{ChainSpec, Hash32, Height, SignedBlock};
use rand::RngCore;

use super::error::BlockError;

/// Domain-separation tag of the federation's agreement signatures (hash-to-G2, proof-of-possession scheme): votes
/// (prevotes and precommits, whose aggregate is a block's approval) and proposals. Every message signed under it
/// is a tagged SHA-256 digest (`ecsync_components::agreement::vote_message`, `proposal_message`), never bytes a
/// peer chooses; membership proofs have their own tag ([`super::MEMBERSHIP_DST`]). Version 2: under version 1 an
/// approval signed the bare block hash.
pub const BLS_DST: &[u8] = b"ECSYNC_V2_BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Random bits per scalar in batched verification (as Lighthouse uses).
const RAND_BITS: usize = 64;

/// A spec key that is not a valid BLS public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authority {index} public key is invalid: {reason}")]
pub struct KeyError {
    /// Index in the spec.
    pub index: usize,
    /// blst's verdict.
    pub reason: String,
}

/// Approver sets whose aggregate key [`Authorities`] keeps. A federation's chain has a handful of sets (the
/// quorums its authorities happen to form); blocks from a hostile peer can name up to 2^n, so past this many
/// the aggregate of a new set is computed each time and not kept (the map then holds about 215 KB: 2,048
/// buckets of a 104-byte entry).
pub const AGGREGATE_CACHE_SETS: usize = 1024;

/// The federation's public keys, decoded and subgroup-checked once, and the aggregate keys of the approver sets
/// seen so far (at most [`AGGREGATE_CACHE_SETS`]), so that a block's approval costs no key aggregation when its
/// set was seen before. Shared by the validation tasks on several threads: the cache is behind a lock, read
/// (shared) on every approval, written once per new set.
#[derive(Debug)]
pub struct Authorities {
    keys: Vec<PublicKey>,
    /// Aggregate key by approver set (the bitfield). Only sets whose aggregation succeeded are kept.
    aggregates: RwLock<HashMap<u64, PublicKey>>,
}

impl Clone for Authorities {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            aggregates: RwLock::new(read(&self.aggregates).clone()),
        }
    }
}

/// The map behind `lock`, for reading. A panic while the lock was held cannot leave the map half-written in a
/// way that matters here (an entry is either in or not), so a poisoned lock is used as it is.
fn read(lock: &RwLock<HashMap<u64, PublicKey>>) -> RwLockReadGuard<'_, HashMap<u64, PublicKey>> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

impl Authorities {
    /// Decodes and validates (not infinity, in the subgroup) every key of the spec.
    pub fn from_spec(spec: &ChainSpec) -> Result<Self, KeyError> {
        Self::from_keys(&spec.authorities)
    }

    /// Decodes and validates (not infinity, in the subgroup) every key of `authorities`, in order.
    pub fn from_keys(authorities: &[ecsync_components::PublicKeyBytes]) -> Result<Self, KeyError> {
        let keys = authorities
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                PublicKey::key_validate(bytes.as_bytes()).map_err(|e| KeyError {
                    index,
                    reason: format!("{e:?}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            keys,
            aggregates: RwLock::new(HashMap::new()),
        })
    }

    /// Number of authorities.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none (never, for a checked spec).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The aggregate key of the authorities whose bits are set in `approvers`: kept from an earlier call with
    /// the same set, or computed (and kept while fewer than [`AGGREGATE_CACHE_SETS`] sets are).
    pub fn aggregate(&self, approvers: u64) -> Result<PublicKey, BlockError> {
        if let Some(key) = read(&self.aggregates).get(&approvers) {
            return Ok(*key);
        }
        let key = self.aggregate_uncached(approvers)?;
        let mut cache = self
            .aggregates
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if cache.len() < AGGREGATE_CACHE_SETS {
            cache.insert(approvers, key);
        }
        Ok(key)
    }

    /// Approver sets whose aggregate key is kept.
    pub fn cached_sets(&self) -> usize {
        read(&self.aggregates).len()
    }

    /// The aggregate key of the authorities whose bits are set in `approvers`, computed (the cache neither read
    /// nor written).
    pub fn aggregate_uncached(&self, approvers: u64) -> Result<PublicKey, BlockError> {
        let count = self.keys.len();
        let mut selected = Vec::with_capacity(approvers.count_ones() as usize);
        for index in (0..64).filter(|i| approvers & (1u64 << i) != 0) {
            match self.keys.get(index) {
                Some(key) => selected.push(key),
                None => return Err(BlockError::UnknownApprover { index, count }),
            }
        }
        if selected.is_empty() {
            return Err(BlockError::InsufficientApprovals {
                got: 0,
                quorum: ecsync_components::quorum(count),
            });
        }
        AggregatePublicKey::aggregate(&selected, false)
            .map(|agg| agg.to_public_key())
            .map_err(|_| BlockError::BadSignature)
    }
}

/// One block's approval, ready to verify: the message (the precommit for the block in the approval's round), the
/// approvers' aggregate key, the decoded signature.
#[derive(Clone, Debug)]
pub struct PreparedApproval {
    message: Hash32,
    /// The approver set (the bitfield), which names `key`: approvals with equal sets share it.
    approvers: u64,
    key: PublicKey,
    signature: Signature,
}

impl PreparedApproval {
    /// Decodes the signature and aggregates the approvers' keys. `hash` is the block's hash (the caller has it);
    /// the message is the block's approval message in its approval's round.
    pub fn new(
        authorities: &Authorities,
        block: &SignedBlock,
        hash: Hash32,
    ) -> Result<Self, BlockError> {
        Self::of(authorities, &block.approval, block.height(), &hash)
    }

    /// [`PreparedApproval::new`] for `approval` of the block of hash `hash` at `height` (a header's, as in a head
    /// proof): what it verifies is `approval.message(height, hash)`, the precommit in the approval's round.
    pub fn of(
        authorities: &Authorities,
        approval: &ecsync_components::Approval,
        height: Height,
        hash: &Hash32,
    ) -> Result<Self, BlockError> {
        let signature = Signature::from_bytes(approval.signature.as_bytes())
            .map_err(|_| BlockError::MalformedSignature)?;
        let key = authorities.aggregate(approval.approvers)?;
        Ok(Self {
            message: approval.message(height, hash),
            approvers: approval.approvers,
            key,
            signature,
        })
    }

    /// `signature` by the authorities `approvers` over `message` itself (a vote's or a proposal's message, not a
    /// block's), ready to verify.
    pub fn of_message(
        authorities: &Authorities,
        approvers: u64,
        message: Hash32,
        signature: &ecsync_components::SignatureBytes,
    ) -> Result<Self, BlockError> {
        let signature = Signature::from_bytes(signature.as_bytes())
            .map_err(|_| BlockError::MalformedSignature)?;
        let key = authorities.aggregate(approvers)?;
        Ok(Self {
            message,
            approvers,
            key,
            signature,
        })
    }

    /// Verifies alone (with the signature subgroup check).
    pub fn verify(&self) -> Result<(), BlockError> {
        match self.signature.verify(
            true,
            self.message.as_bytes(),
            BLS_DST,
            &[],
            &self.key,
            false,
        ) {
            BLST_ERROR::BLST_SUCCESS => Ok(()),
            BLST_ERROR::BLST_POINT_NOT_IN_GROUP | BLST_ERROR::BLST_BAD_ENCODING => {
                Err(BlockError::MalformedSignature)
            }
            _ => Err(BlockError::BadSignature),
        }
    }
}

/// Verifies many approvals with one multi-pairing (random 64-bit scalars), on the calling thread. When the batch
/// fails it is bisected until each bad approval is found alone. Returns the indices (into `items`) that fail, with
/// their error; empty when all verify.
pub fn verify_batch(items: &[PreparedApproval], verifier: Verifier) -> Vec<(usize, BlockError)> {
    let mut failed = Vec::new();
    bisect(items, 0, verifier, &mut failed);
    failed
}

/// The first approval in `items` that fails, if any: one multi-pairing for all, then a binary search that checks
/// one half per step, so about twice the pairings of the batch at most (instead of bisecting down to every bad
/// approval). For a caller that rejects everything from the first bad one on (a range of blocks).
pub fn first_bad(items: &[PreparedApproval], verifier: Verifier) -> Option<(usize, BlockError)> {
    match items {
        [] => return None,
        [one] => return one.verify().err().map(|e| (0, e)),
        _ if batch_ok(items, verifier) => return None,
        _ => {}
    }
    // items[lo..hi] holds a bad approval: its batch failed.
    let (mut lo, mut hi) = (0, items.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if batch_ok(&items[lo..mid], verifier) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    match items[lo].verify() {
        Err(e) => Some((lo, e)),
        // Only if a random batch check erred (probability about 2^-64): the exhaustive way.
        Ok(()) => verify_batch(items, verifier).into_iter().next(),
    }
}

fn bisect(
    items: &[PreparedApproval],
    offset: usize,
    verifier: Verifier,
    failed: &mut Vec<(usize, BlockError)>,
) {
    match items.len() {
        0 => {}
        1 => {
            if let Err(e) = items[0].verify() {
                failed.push((offset, e));
            }
        }
        n => {
            if batch_ok(items, verifier) {
                return;
            }
            let mid = n / 2;
            bisect(&items[..mid], offset, verifier, failed);
            bisect(&items[mid..], offset + mid, verifier, failed);
        }
    }
}

/// One batch check of `items`: true when every approval verifies; a batch holding a bad approval passes with
/// probability about 2^-64 at most (the random scalars).
pub fn batch_ok(items: &[PreparedApproval], verifier: Verifier) -> bool {
    match verifier {
        Verifier::Grouped => grouped_ok(items),
        Verifier::Standard => standard_ok(items),
    }
}

/// An independent, uniformly random, non-zero 64-bit scalar per item, as little-endian bytes.
fn random_scalars(n: usize) -> Vec<u64> {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| {
            loop {
                let r = rng.next_u64();
                if r != 0 {
                    break r;
                }
            }
        })
        .collect()
}

fn standard_ok(items: &[PreparedApproval]) -> bool {
    let rands: Vec<blst_scalar> = random_scalars(items.len())
        .into_iter()
        .map(|r| {
            let mut scalar = blst_scalar::default();
            scalar.b[..8].copy_from_slice(&r.to_le_bytes());
            scalar
        })
        .collect();
    let msgs: Vec<&[u8]> = items.iter().map(|i| i.message.as_bytes()).collect();
    let keys: Vec<&PublicKey> = items.iter().map(|i| &i.key).collect();
    let sigs: Vec<&Signature> = items.iter().map(|i| &i.signature).collect();
    Signature::verify_multiple_aggregate_signatures(
        &msgs, BLS_DST, &keys, false, &sigs, true, &rands, RAND_BITS,
    ) == BLST_ERROR::BLST_SUCCESS
}

/// H(m) in G2 with ecsync's DST.
#[cfg(test)]
fn hash_to_g2(message: &Hash32) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: blst reads `msg_len` bytes of the message and `DST_len` of the tag (both live slices) and writes
    // one point to `out`; no augmentation (null, 0).
    unsafe {
        blst::blst_hash_to_g2(
            &mut out,
            message.as_bytes().as_ptr(),
            message.as_bytes().len(),
            BLS_DST.as_ptr(),
            BLS_DST.len(),
            std::ptr::null(),
            0,
        );
    }
    out
}

// The two functions the vendored blst adds (vendor/blst/ECSYNC.md).
unsafe extern "C" {
    fn blst_hash_to_g2_uncleared(
        out: *mut blst_p2,
        msg: *const u8,
        msg_len: usize,
        dst: *const u8,
        dst_len: usize,
    );
    fn blst_p2_clear_cofactor(out: *mut blst_p2, point: *const blst_p2);
}

/// `hash_to_g2` without its last step, the cofactor clearing: a point of E2, not yet of G2.
/// `clear_cofactor(hash_to_e2(m)) == hash_to_g2(m)`.
fn hash_to_e2(message: &Hash32) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: as `hash_to_g2`: blst reads the two live slices and writes one point to `out`.
    unsafe {
        blst_hash_to_g2_uncleared(
            &mut out,
            message.as_bytes().as_ptr(),
            message.as_bytes().len(),
            BLS_DST.as_ptr(),
            BLS_DST.len(),
        );
    }
    out
}

/// Clears the cofactor of a point of E2: a group homomorphism onto G2 (so it commutes with sums and scalars).
fn clear_cofactor(point: &blst_p2) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: one live point in, one out.
    unsafe { blst_p2_clear_cofactor(&mut out, point) };
    out
}

/// Σ scalars[i]·points[i] (64-bit scalars) by Pippenger; `points` is not empty.
fn msm(points: &[blst_p2_affine], scalars: &[u64]) -> blst_p2 {
    debug_assert_eq!(points.len(), scalars.len());
    let bytes: Vec<u8> = scalars.iter().flat_map(|r| r.to_le_bytes()).collect();
    points.mult(&bytes, RAND_BITS)
}

fn to_affine(point: &blst_p2) -> blst_p2_affine {
    let mut out = blst_p2_affine::default();
    // SAFETY: one point in, one point out, both live.
    unsafe { blst_p2_to_affine(&mut out, point) };
    out
}

/// The grouped batch check (see the module docs): every signature not infinity and in the subgroup, then
/// `e(g1, Σ_i r_i·σ_i) = Π_k e(PK_k, Σ_{i∈k} r_i·H(m_i))` over the approver sets k.
fn grouped_ok(items: &[PreparedApproval]) -> bool {
    if items.is_empty() {
        return true;
    }
    if items.iter().any(|i| i.signature.validate(true).is_err()) {
        return false;
    }
    let r = random_scalars(items.len());
    let signatures: Vec<blst_p2_affine> = items
        .iter()
        .map(|i| *<&blst_p2_affine>::from(&i.signature))
        .collect();
    let signature_sum = to_affine(&msm(&signatures, &r));

    // H(m_i) = clear(Q_i) with Q_i the hash to E2 (the cofactor not yet cleared), to affine in one batch
    // inversion. Clearing is a homomorphism: Σ r_i·H(m_i) = clear(Σ r_i·Q_i), once per approver set instead of
    // once per message (docs/VERIFIER.md).
    let hashes: Vec<blst_p2> = items.iter().map(|i| hash_to_e2(&i.message)).collect();
    let hashes = p2_affines::from(&hashes);
    // The approver sets, in order of first appearance (a batch has a handful).
    let mut sets: Vec<(u64, &PublicKey, Vec<usize>)> = Vec::new();
    for (n, item) in items.iter().enumerate() {
        match sets.iter_mut().find(|(set, ..)| *set == item.approvers) {
            Some((_, _, members)) => members.push(n),
            None => sets.push((item.approvers, &item.key, vec![n])),
        }
    }
    let message_sums: Vec<blst_p2_affine> = sets
        .iter()
        .map(|(_, _, members)| {
            let points: Vec<blst_p2_affine> = members.iter().map(|&n| hashes[n]).collect();
            let scalars: Vec<u64> = members.iter().map(|&n| r[n]).collect();
            to_affine(&clear_cofactor(&msm(&points, &scalars)))
        })
        .collect();
    let keys: Vec<&blst_p1_affine> = sets
        .iter()
        .map(|(_, key, _)| <&blst_p1_affine>::from(*key))
        .collect();

    let mut left = blst_fp12::default();
    let mut right = blst_fp12::default();
    let qs: Vec<*const blst_p2_affine> = message_sums.iter().map(|q| q as *const _).collect();
    let ps: Vec<*const blst_p1_affine> = keys.iter().map(|p| *p as *const _).collect();
    // SAFETY: every pointer is to a live affine point (the generator is blst's static); `qs` and `ps` have
    // `sets.len()` entries each; the outputs are live.
    unsafe {
        blst_miller_loop(&mut left, &signature_sum, blst_p1_affine_generator());
        blst_miller_loop_n(&mut right, qs.as_ptr(), ps.as_ptr(), sets.len());
        blst_fp12_finalverify(&left, &right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaingen::{ChainGenerator, GenParams};

    fn authorities(n: usize) -> Authorities {
        let generator = ChainGenerator::new(GenParams {
            authorities: n,
            ..GenParams::default()
        })
        .expect("a federation");
        Authorities::from_spec(generator.spec()).expect("its keys")
    }

    /// The vendored blst's hash to E2, cleared, is blst's hash to G2, for many messages; the uncleared point is
    /// (almost surely) not in G2 itself, so the clearing does something.
    #[test]
    fn clearing_the_hash_to_e2_gives_the_hash_to_g2() {
        use blst::{blst_p2_in_g2, blst_p2_is_equal};
        let mut not_in_g2 = 0;
        for n in 0..200u32 {
            let mut bytes = [0u8; 32];
            bytes[..4].copy_from_slice(&n.to_le_bytes());
            let m = Hash32(bytes);
            let uncleared = hash_to_e2(&m);
            // SAFETY: live points.
            unsafe {
                assert!(
                    blst_p2_is_equal(&clear_cofactor(&uncleared), &hash_to_g2(&m)),
                    "message {n}"
                );
                if !blst_p2_in_g2(&uncleared) {
                    not_in_g2 += 1;
                }
            }
        }
        assert_eq!(not_in_g2, 200);
    }

    /// Every approver set of a 6-authority federation, and sets naming a seventh, unknown authority (bit 6) or
    /// the last bit: the cached aggregate (a miss, then a hit) is the computed one, errors included, and only
    /// sets that aggregate are kept.
    #[test]
    fn cached_aggregates_are_the_computed_ones_for_every_subset() {
        let keys = authorities(6);
        let sets: Vec<u64> = (0..1u64 << 7).chain([1 << 63, (1 << 63) | 0b111]).collect();
        for &set in &sets {
            let computed = keys.aggregate_uncached(set);
            assert_eq!(keys.aggregate(set), computed, "set {set:#b}, first call");
            assert_eq!(
                keys.aggregate(set),
                computed,
                "set {set:#b}, from the cache"
            );
            match set {
                0 => assert!(matches!(
                    computed,
                    Err(BlockError::InsufficientApprovals { .. })
                )),
                s if s >= 1 << 6 => assert!(
                    matches!(computed, Err(BlockError::UnknownApprover { count: 6, .. })),
                    "set {s:#b}: {computed:?}"
                ),
                _ => assert!(computed.is_ok(), "set {set:#b}"),
            }
        }
        assert_eq!(
            keys.cached_sets(),
            63,
            "the non-empty subsets of the 6 authorities"
        );
        // The aggregate of one key is that key; of a set, the sum of its keys (which two halves also give).
        assert_eq!(keys.aggregate(0b100), Ok(keys.keys[2]));
        let halves = AggregatePublicKey::aggregate(
            &[
                &keys.aggregate(0b000111).unwrap(),
                &keys.aggregate(0b111000).unwrap(),
            ],
            false,
        )
        .unwrap()
        .to_public_key();
        assert_eq!(keys.aggregate(0b111111), Ok(halves));
        // A clone keeps what was cached and agrees.
        let copy = keys.clone();
        assert_eq!(copy.cached_sets(), 63);
        assert_eq!(copy.aggregate(0b101010), keys.aggregate_uncached(0b101010));
    }

    /// More distinct sets than the cache holds (a hostile peer's blocks): it stops growing at the bound, and a
    /// set beyond it is still aggregated correctly, every time.
    #[test]
    fn the_aggregate_cache_is_bounded() {
        let keys = authorities(12);
        let sets: Vec<u64> = (1..=2 * AGGREGATE_CACHE_SETS as u64).collect();
        for &set in &sets {
            assert_eq!(
                keys.aggregate(set),
                keys.aggregate_uncached(set),
                "set {set:#b}"
            );
            assert!(keys.cached_sets() <= AGGREGATE_CACHE_SETS);
        }
        assert_eq!(keys.cached_sets(), AGGREGATE_CACHE_SETS);
        for set in [
            1,
            AGGREGATE_CACHE_SETS as u64,
            2 * AGGREGATE_CACHE_SETS as u64,
            0xfff,
        ] {
            assert_eq!(
                keys.aggregate(set),
                keys.aggregate_uncached(set),
                "set {set:#b}"
            );
        }
        assert_eq!(keys.cached_sets(), AGGREGATE_CACHE_SETS);
    }
}

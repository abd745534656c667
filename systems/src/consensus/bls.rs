//! The federation's BLS: decoded authority keys, prepared approvals, and batched verification that bisects a
//! failing batch down to the exact bad blocks.

use blst::min_pk::{AggregatePublicKey, PublicKey, Signature};
use blst::{BLST_ERROR, blst_scalar};
use ecsync_components::{ChainSpec, Hash32, SignedBlock};
use rand::RngCore;

use super::BlockError;

/// Domain-separation tag of ecsync's approval signatures (hash-to-G2, proof-of-possession scheme).
pub const BLS_DST: &[u8] = b"ECSYNC_V1_BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

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

/// The federation's public keys, decoded and subgroup-checked once.
#[derive(Clone, Debug)]
pub struct Authorities {
    keys: Vec<PublicKey>,
}

impl Authorities {
    /// Decodes and validates (not infinity, in the subgroup) every key of the spec.
    pub fn from_spec(spec: &ChainSpec) -> Result<Self, KeyError> {
        let keys = spec
            .authorities
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                PublicKey::key_validate(bytes.as_bytes()).map_err(|e| KeyError {
                    index,
                    reason: format!("{e:?}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// Number of authorities.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none (never, for a checked spec).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The aggregate key of the authorities whose bits are set in `approvers`.
    pub fn aggregate(&self, approvers: u64) -> Result<PublicKey, BlockError> {
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

/// One block's approval, ready to verify: the message, the approvers' aggregate key, the decoded signature.
#[derive(Clone, Debug)]
pub struct PreparedApproval {
    message: Hash32,
    key: PublicKey,
    signature: Signature,
}

impl PreparedApproval {
    /// Decodes the signature and aggregates the approvers' keys. `hash` is the block's hash.
    pub fn new(
        authorities: &Authorities,
        block: &SignedBlock,
        hash: Hash32,
    ) -> Result<Self, BlockError> {
        let signature = Signature::from_bytes(block.approval.signature.as_bytes())
            .map_err(|_| BlockError::MalformedSignature)?;
        let key = authorities.aggregate(block.approval.approvers)?;
        Ok(Self {
            message: hash,
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
pub fn verify_batch(items: &[PreparedApproval]) -> Vec<(usize, BlockError)> {
    let mut failed = Vec::new();
    bisect(items, 0, &mut failed);
    failed
}

/// The first approval in `items` that fails, if any: one multi-pairing for all, then a binary search that checks
/// one half per step, so about twice the pairings of the batch at most (instead of bisecting down to every bad
/// approval). For a caller that rejects everything from the first bad one on (a range of blocks).
pub fn first_bad(items: &[PreparedApproval]) -> Option<(usize, BlockError)> {
    match items {
        [] => return None,
        [one] => return one.verify().err().map(|e| (0, e)),
        _ if batch_ok(items) => return None,
        _ => {}
    }
    // items[lo..hi] holds a bad approval: its batch failed.
    let (mut lo, mut hi) = (0, items.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if batch_ok(&items[lo..mid]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    match items[lo].verify() {
        Err(e) => Some((lo, e)),
        // Only if a random batch check erred (probability about 2^-64): the exhaustive way.
        Ok(()) => verify_batch(items).into_iter().next(),
    }
}

fn bisect(items: &[PreparedApproval], offset: usize, failed: &mut Vec<(usize, BlockError)>) {
    match items.len() {
        0 => {}
        1 => {
            if let Err(e) = items[0].verify() {
                failed.push((offset, e));
            }
        }
        n => {
            if batch_ok(items) {
                return;
            }
            let mid = n / 2;
            bisect(&items[..mid], offset, failed);
            bisect(&items[mid..], offset + mid, failed);
        }
    }
}

fn batch_ok(items: &[PreparedApproval]) -> bool {
    let mut rng = rand::rng();
    let rands: Vec<blst_scalar> = items
        .iter()
        .map(|_| {
            let mut scalar = blst_scalar::default();
            let mut r = 0u64;
            while r == 0 {
                r = rng.next_u64();
            }
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

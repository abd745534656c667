//! The federation's secret keys, derived deterministically from a seed: used by the chain generator and tests to
//! approve blocks (an approval is the aggregate of the approvers' precommits for the block in one round). A real federation keeps its keys elsewhere; sync never needs them.

use blst::min_pk::{AggregateSignature, SecretKey, Signature};
use blst::{blst_bendian_from_scalar, blst_scalar, blst_scalar_from_bendian, blst_sk_add_n_check};
use ecsync_components::agreement::Round;
use ecsync_components::{
    Approval, Hash32, Height, PublicKeyBytes, SignatureBytes, approval_message,
};
use sha2::{Digest, Sha256};

use super::bls::BLS_DST;

/// A federation of `n` authorities whose secret keys derive from a seed.
pub struct Federation {
    secret_keys: Vec<SecretKey>,
}

impl Federation {
    /// Derives `n` keys from `seed` (authority `i` from SHA-256 of the seed and `i`).
    pub fn from_seed(seed: u64, n: usize) -> Self {
        let secret_keys = (0..n)
            .map(|i| {
                let ikm: [u8; 32] = Sha256::new()
                    .chain_update(b"ecsync-authority-key")
                    .chain_update(seed.to_le_bytes())
                    .chain_update((i as u64).to_le_bytes())
                    .finalize()
                    .into();
                SecretKey::key_gen(&ikm, &[]).expect("32 bytes of key material suffice")
            })
            .collect();
        Self { secret_keys }
    }

    /// Number of authorities.
    pub fn len(&self) -> usize {
        self.secret_keys.len()
    }

    /// Whether the federation is empty.
    pub fn is_empty(&self) -> bool {
        self.secret_keys.is_empty()
    }

    /// The public keys, as a spec lists them.
    pub fn public_keys(&self) -> Vec<PublicKeyBytes> {
        self.secret_keys
            .iter()
            .map(|sk| PublicKeyBytes(sk.sk_to_pk().compress()))
            .collect()
    }

    /// Authority `index`'s secret key, 32 bytes big-endian (for `ecsync chain keys`: a member of a generated
    /// chain's dev federation).
    pub fn secret_key_bytes(&self, index: usize) -> [u8; 32] {
        self.secret_keys[index].to_bytes()
    }

    /// Authority `index` signs `message` alone under [`BLS_DST`]: a message of the agreement (a vote's, whose
    /// precommit for a block is [`approval_message`], or a proposal's).
    pub fn sign_one(&self, index: usize, message: &Hash32) -> Signature {
        self.secret_keys[index].sign(message.as_bytes(), BLS_DST, &[])
    }

    /// The approval of the block of hash `hash` at `height` in `round` by the authorities in `approvers`: each
    /// signs the precommit ([`approval_message`]), the signatures are aggregated.
    pub fn approve_by_aggregation(
        &self,
        height: Height,
        round: Round,
        hash: &Hash32,
        approvers: u64,
    ) -> Approval {
        let message = approval_message(height, round, hash);
        let sigs: Vec<Signature> = self
            .indices(approvers)
            .map(|i| self.sign_one(i, &message))
            .collect();
        let refs: Vec<&Signature> = sigs.iter().collect();
        let agg = AggregateSignature::aggregate(&refs, false).expect("at least one approver");
        Approval {
            approvers,
            round,
            signature: SignatureBytes(agg.to_signature().compress()),
        }
    }

    /// The same approval as [`Self::approve_by_aggregation`], made with one signing: BLS is linear, so the
    /// aggregate of the approvers' signatures is the signature of the sum of their secret keys. Byte-identical,
    /// and one signing per block instead of one per approver.
    pub fn approve(&self, height: Height, round: Round, hash: &Hash32, approvers: u64) -> Approval {
        Approval {
            approvers,
            round,
            signature: self.sign(&approval_message(height, round, hash), approvers),
        }
    }

    /// The aggregate signature of the authorities in `approvers` over `message` under [`BLS_DST`] (one signing
    /// with the sum of their keys): of a vote's or a proposal's message. [`Self::approve`] is this over a block's
    /// precommit.
    pub fn sign(&self, message: &Hash32, approvers: u64) -> SignatureBytes {
        let mut sum: Option<blst_scalar> = None;
        for i in self.indices(approvers) {
            let s = scalar(&self.secret_keys[i]);
            sum = Some(match sum {
                None => s,
                Some(acc) => {
                    let mut out = blst_scalar::default();
                    // SAFETY: all three point at valid, initialised scalars.
                    let ok = unsafe { blst_sk_add_n_check(&mut out, &acc, &s) };
                    assert!(ok, "sum of secret keys is a valid scalar");
                    out
                }
            });
        }
        let sum = sum.expect("at least one approver");
        let mut bytes = [0u8; 32];
        // SAFETY: `bytes` has room for the 32 bytes written; `sum` is initialised.
        unsafe { blst_bendian_from_scalar(bytes.as_mut_ptr(), &sum) };
        let key = SecretKey::from_bytes(&bytes).expect("non-zero scalar below the group order");
        SignatureBytes(key.sign(message.as_bytes(), BLS_DST, &[]).compress())
    }

    fn indices(&self, approvers: u64) -> impl Iterator<Item = usize> + '_ {
        (0..self.secret_keys.len()).filter(move |i| approvers & (1u64 << i) != 0)
    }
}

fn scalar(key: &SecretKey) -> blst_scalar {
    let bytes = key.to_bytes();
    let mut out = blst_scalar::default();
    // SAFETY: `bytes` holds the 32 bytes read; `out` is a valid destination.
    unsafe { blst_scalar_from_bendian(&mut out, bytes.as_ptr()) };
    out
}

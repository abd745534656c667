//! Proof of membership: a federation member proves, once per connection, that it holds authority keys of the
//! spec, by signing a challenge that binds the chain, the connection's libp2p identity and a fresh nonce of the
//! asker's choosing. The signature uses its own domain separation tag ([`MEMBERSHIP_DST`]), so a proof can never
//! be taken for a block approval (signed under [`super::BLS_DST`]), whatever nonce an asker picks.

use blst::BLST_ERROR;
use blst::min_pk::Signature;
use ecsync_components::{Approval, Hash32};
use sha2::{Digest, Sha256};

use super::{Authorities, BlockError};

/// The domain separation tag of membership proofs (never a block approval's).
pub const MEMBERSHIP_DST: &[u8] =
    b"ECSYNC_V1_MEMBER_AUTH_BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// What a member signs to prove it is one: SHA-256 of a tag, the chain id, the genesis hash, the prover's libp2p
/// peer id (its bytes, length-prefixed) and the asker's nonce. The peer id binds the proof to the connection
/// (noise authenticated it), so a proof cannot be replayed by another identity; the nonce, to this question.
pub fn membership_message(
    chain_id: u64,
    genesis_hash: &Hash32,
    prover: &[u8],
    nonce: &[u8; 32],
) -> Hash32 {
    let mut h = Sha256::new();
    h.update(b"ecsync/member-auth/1");
    h.update(chain_id.to_le_bytes());
    h.update(genesis_hash.as_bytes());
    h.update((prover.len() as u64).to_le_bytes());
    h.update(prover);
    h.update(nonce);
    Hash32(h.finalize().into())
}

/// Verifies a membership proof over `message`: its approvers are authorities of the spec (at least one) and its
/// signature is their aggregate under [`MEMBERSHIP_DST`] (with the subgroup check). One pairing, ~1.2 ms.
pub fn verify_membership(
    authorities: &Authorities,
    proof: &Approval,
    message: &Hash32,
) -> Result<(), BlockError> {
    let signature = Signature::from_bytes(proof.signature.as_bytes())
        .map_err(|_| BlockError::MalformedSignature)?;
    let key = authorities.aggregate_uncached(proof.approvers)?;
    match signature.verify(true, message.as_bytes(), MEMBERSHIP_DST, &[], &key, false) {
        BLST_ERROR::BLST_SUCCESS => Ok(()),
        BLST_ERROR::BLST_POINT_NOT_IN_GROUP | BLST_ERROR::BLST_BAD_ENCODING => {
            Err(BlockError::MalformedSignature)
        }
        _ => Err(BlockError::BadSignature),
    }
}

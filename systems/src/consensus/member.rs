//! A federation member's own secret keys (`ecsync node --authority-keys FILE`): it signs its approvals with them.
//! Only a member holds keys; a syncing node never needs any.

use blst::min_pk::{AggregateSignature, SecretKey, Signature};
use ecsync_components::agreement::Round;
use ecsync_components::{Approval, ChainSpec, Hash32, Height, SignatureBytes, approval_message};

use super::bls::BLS_DST;
use super::membership::MEMBERSHIP_DST;

/// Why a set of secret keys does not make a member of a federation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberKeyError {
    /// No key at all.
    #[error("no authority key given")]
    Empty,
    /// The index is not an authority of the spec.
    #[error("authority {index} is not in the federation of {count}")]
    OutOfRange {
        /// Index given.
        index: usize,
        /// Authorities in the spec.
        count: usize,
    },
    /// The same authority twice.
    #[error("authority {index} is given twice")]
    Duplicate {
        /// Index given twice.
        index: usize,
    },
    /// Not a BLS secret key (zero, or not below the group order).
    #[error("the key given for authority {index} is not a valid BLS secret key")]
    Invalid {
        /// Index of the key.
        index: usize,
    },
    /// A valid key, but not the one the spec lists for that authority.
    #[error(
        "the key given for authority {index} does not match that authority's public key in the spec"
    )]
    WrongKey {
        /// Index of the key.
        index: usize,
    },
}

/// The keys of the authorities this node is, checked against the spec, in ascending authority order. (Cloned
/// once, for the network's membership proofs.)
#[derive(Clone)]
pub struct MemberKeys {
    keys: Vec<(usize, SecretKey)>,
}

impl std::fmt::Debug for MemberKeys {
    /// Never prints a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberKeys")
            .field("authorities", &self.authorities())
            .finish_non_exhaustive()
    }
}

impl MemberKeys {
    /// The member holding `keys` (authority index, 32-byte big-endian secret key) of `spec`'s federation: each
    /// key must be the secret of the public key the spec lists at its index.
    pub fn new(spec: &ChainSpec, keys: &[(usize, [u8; 32])]) -> Result<Self, MemberKeyError> {
        if keys.is_empty() {
            return Err(MemberKeyError::Empty);
        }
        let count = spec.authorities.len();
        let mut out: Vec<(usize, SecretKey)> = Vec::with_capacity(keys.len());
        for &(index, bytes) in keys {
            if index >= count {
                return Err(MemberKeyError::OutOfRange { index, count });
            }
            if out.iter().any(|(i, _)| *i == index) {
                return Err(MemberKeyError::Duplicate { index });
            }
            let key =
                SecretKey::from_bytes(&bytes).map_err(|_| MemberKeyError::Invalid { index })?;
            if key.sk_to_pk().compress() != *spec.authorities[index].as_bytes() {
                return Err(MemberKeyError::WrongKey { index });
            }
            out.push((index, key));
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(Self { keys: out })
    }

    /// The authorities this member is, ascending.
    pub fn authorities(&self) -> Vec<usize> {
        self.keys.iter().map(|(i, _)| *i).collect()
    }

    /// Whether this member is authority `index`.
    pub fn holds(&self, index: usize) -> bool {
        self.keys.iter().any(|(i, _)| *i == index)
    }

    /// The approvers bitset of this member's authorities.
    pub fn approvers(&self) -> u64 {
        self.keys.iter().fold(0, |bits, (i, _)| bits | (1u64 << i))
    }

    /// This member's share of the approval of the block of hash `hash` at `height` in `round`: every key it holds
    /// signs the block's precommit in that round ([`approval_message`]), the signatures aggregated; the share
    /// names the round.
    pub fn approve(&self, height: Height, round: Round, hash: &Hash32) -> Approval {
        let message = approval_message(height, round, hash);
        Approval {
            round,
            ..self.sign(&message, BLS_DST)
        }
    }

    /// Authority `index`'s own signature over `message` under the agreement's tag: a vote's or a proposal's
    /// ([`ecsync_components::agreement::Vote::message`], [`ecsync_components::agreement::Proposal::message`]).
    /// `None` when this member is not authority `index`.
    pub fn sign_as(&self, index: usize, message: &Hash32) -> Option<SignatureBytes> {
        let (_, key) = self.keys.iter().find(|(i, _)| *i == index)?;
        Some(SignatureBytes(
            key.sign(message.as_bytes(), BLS_DST, &[]).compress(),
        ))
    }

    /// This member's proof of membership over `message` (see [`super::membership_message`]): every key it holds
    /// signs it under [`MEMBERSHIP_DST`], never the agreement's tag. (Its `round` is 0 and means nothing.)
    pub fn prove_membership(&self, message: &Hash32) -> Approval {
        self.sign(message, MEMBERSHIP_DST)
    }

    /// Every key it holds signs `message` under `dst`, the signatures aggregated, named by its approvers (round
    /// 0).
    fn sign(&self, message: &Hash32, dst: &[u8]) -> Approval {
        let sigs: Vec<Signature> = self
            .keys
            .iter()
            .map(|(_, k)| k.sign(message.as_bytes(), dst, &[]))
            .collect();
        let refs: Vec<&Signature> = sigs.iter().collect();
        let agg = AggregateSignature::aggregate(&refs, false).expect("a member holds a key");
        Approval {
            approvers: self.approvers(),
            round: 0,
            signature: SignatureBytes(agg.to_signature().compress()),
        }
    }
}

/// Why shares of an approval cannot be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CombineError {
    /// Nothing to combine.
    #[error("no approval to combine")]
    Empty,
    /// Two shares name the same authority.
    #[error("two approvals name authority {index}")]
    Overlap {
        /// The authority named twice.
        index: usize,
    },
    /// A share's signature does not decode (it must have been checked before).
    #[error("an approval's signature does not decode")]
    BadSignature,
    /// Two shares are of different rounds: their signatures are over different messages.
    #[error("approvals of rounds {first} and {other} do not combine")]
    Rounds {
        /// The first share's round.
        first: Round,
        /// A later share's other round.
        other: Round,
    },
}

/// One approval from shares by disjoint sets of authorities in one round: the union of their approvers and the
/// aggregate of their signatures. Each share must have been verified on its own (this checks no signature).
pub fn combine(shares: &[Approval]) -> Result<Approval, CombineError> {
    let mut approvers = 0u64;
    let mut sigs = Vec::with_capacity(shares.len());
    let round = shares.first().map_or(0, |s| s.round);
    for share in shares {
        if share.round != round {
            return Err(CombineError::Rounds {
                first: round,
                other: share.round,
            });
        }
        let overlap = approvers & share.approvers;
        if overlap != 0 {
            return Err(CombineError::Overlap {
                index: overlap.trailing_zeros() as usize,
            });
        }
        approvers |= share.approvers;
        sigs.push(
            Signature::from_bytes(share.signature.as_bytes())
                .map_err(|_| CombineError::BadSignature)?,
        );
    }
    let refs: Vec<&Signature> = sigs.iter().collect();
    let agg = AggregateSignature::aggregate(&refs, false).map_err(|_| CombineError::Empty)?;
    Ok(Approval {
        approvers,
        round,
        signature: SignatureBytes(agg.to_signature().compress()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chaingen::{ChainGenerator, GenParams};

    fn generator() -> ChainGenerator {
        ChainGenerator::new(GenParams::default()).unwrap()
    }

    fn key(g: &ChainGenerator, index: usize) -> (usize, [u8; 32]) {
        (index, g.federation().secret_key_bytes(index))
    }

    #[test]
    fn members_shares_combine_into_the_federations_approval() {
        let g = generator();
        let spec = g.spec();
        let hash = Hash32([7; 32]);
        let members: Vec<MemberKeys> = [vec![key(&g, 0)], vec![key(&g, 1), key(&g, 3)]]
            .iter()
            .map(|keys| MemberKeys::new(spec, keys).unwrap())
            .collect();
        let shares: Vec<Approval> = members.iter().map(|m| m.approve(5, 2, &hash)).collect();
        assert_eq!(shares[1].approvers, 0b1010);
        assert_eq!(shares[1].round, 2);
        let combined = combine(&shares).unwrap();
        // BLS is linear: the aggregate of the shares is the approval the whole set would make.
        assert_eq!(combined, g.federation().approve(5, 2, &hash, 0b1011));
        assert_ne!(combined, g.federation().approve(5, 1, &hash, 0b1011));
        assert_eq!(
            combine(&[shares[0].clone(), shares[0].clone()]),
            Err(CombineError::Overlap { index: 0 })
        );
        assert_eq!(combine(&[]), Err(CombineError::Empty));
        // Shares of two rounds sign two messages: they never combine.
        let other_round = members[1].approve(5, 3, &hash);
        assert_eq!(
            combine(&[shares[0].clone(), other_round]),
            Err(CombineError::Rounds { first: 2, other: 3 })
        );
    }

    #[test]
    fn keys_that_are_not_the_specs_are_refused() {
        let g = generator();
        let spec = g.spec();
        let err = |keys: &[(usize, [u8; 32])]| MemberKeys::new(spec, keys).unwrap_err();
        assert_eq!(err(&[]), MemberKeyError::Empty);
        assert_eq!(
            err(&[(0, key(&g, 1).1)]),
            MemberKeyError::WrongKey { index: 0 }
        );
        assert_eq!(
            err(&[key(&g, 2), key(&g, 2)]),
            MemberKeyError::Duplicate { index: 2 }
        );
        assert_eq!(
            err(&[(4, key(&g, 0).1)]),
            MemberKeyError::OutOfRange { index: 4, count: 4 }
        );
        assert_eq!(err(&[(1, [0; 32])]), MemberKeyError::Invalid { index: 1 });
        assert_eq!(
            err(&[(1, [0xff; 32])]),
            MemberKeyError::Invalid { index: 1 }
        );
        let member = MemberKeys::new(spec, &[key(&g, 3), key(&g, 1)]).unwrap();
        assert_eq!(member.authorities(), vec![1, 3]);
        assert!(member.holds(3) && !member.holds(0));
        assert_eq!(
            format!("{member:?}"),
            "MemberKeys { authorities: [1, 3], .. }"
        );
    }
}

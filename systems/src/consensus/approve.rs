//! When a federation member approves a proposed block (issue 12's approval protocol; the network side and the
//! producer build on this). A member signs only while its own production gate is open, only a valid block that
//! extends its head, in a slot that has begun by its clock, and never two different blocks at one height or at
//! one slot: what it signed is remembered ([`ApprovalMemory`], kept durably by the node, so a restart cannot make
//! it equivocate). Asked again for the block it already signed at that height, it signs it again (the same
//! signature).

use ecsync_components::agreement::Round;
use ecsync_components::{
    Approval, Block, BlockRef, ChainSpec, Hash32, Height, SignatureBytes, SignedBlock, Slot,
    StoreError,
};
use serde::{Deserialize, Serialize};

use super::bls::{Authorities, PreparedApproval};
use super::error::BlockError;
use super::{check_link, check_proposal};

/// The round of this approval protocol's shares and approvals: it has one round per height (what a member signs
/// is the block's precommit in round 0, `ecsync_components::approval_message`). The Tendermint driver, with its
/// rounds, replaces it.
pub const APPROVAL_ROUND: Round = 0;

/// One approval a member gave: the block at that height and slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// Height of the approved block.
    pub height: Height,
    /// Its slot.
    pub slot: Slot,
    /// Its hash.
    pub hash: Hash32,
}

/// What a member remembers of the approvals it gave.
pub trait ApprovalMemory {
    /// The block it approved at `height`, if any; an error if the memory cannot be read (then nothing is signed).
    fn at_height(&self, height: Height) -> Result<Option<ApprovalRecord>, StoreError>;
    /// The block it approved in `slot`, if any; an error if the memory cannot be read.
    fn at_slot(&self, slot: Slot) -> Result<Option<ApprovalRecord>, StoreError>;
}

/// The approval memory a member writes to (the node's is a redb file beside its key file): what it signs is
/// recorded, durably, before the signature leaves — with the block itself, since what a member signed binds it
/// at that height: a member that restarted without the block could never sign at that height again, and if every
/// member approved the same block and none had imported it, the chain would stop there for good.
pub trait ApprovalStore: ApprovalMemory + Send + Sync {
    /// Remembers `record` durably, with `block` (whose hash it is) and its slot producer's share. Returns whether
    /// it wrote: `false` when that approval is remembered already, with its block (then nothing is written).
    fn record(
        &mut self,
        record: ApprovalRecord,
        block: &Block,
        producer: &Approval,
    ) -> Result<bool, StoreError>;
    /// The block approved at `height`, with its slot producer's share, if it is still kept (the last few heights
    /// approved are).
    fn block_at(&self, height: Height) -> Result<Option<(Block, Approval)>, StoreError>;
}

/// Why a member does not approve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Refusal {
    /// This node holds no authority key.
    #[error("not a federation member")]
    NotAMember,
    /// Its production gate is closed: it is not synced enough to judge.
    #[error("not synced: the production gate is closed")]
    GateClosed,
    /// The block does not extend its head.
    #[error("does not extend the head {head_height} ({head_hash})")]
    NotOnHead {
        /// The member's head height.
        head_height: Height,
        /// Its hash.
        head_hash: Hash32,
    },
    /// The block's slot has not begun by the member's clock.
    #[error("slot {slot} has not begun (now {current})")]
    SlotNotBegun {
        /// The block's slot.
        slot: Slot,
        /// The member's current slot.
        current: Slot,
    },
    /// The block breaks a rule.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Its memory of what it approved cannot be read: it signs nothing.
    #[error("cannot read its approval memory: {0}")]
    Storage(String),
    /// It approved another block at this height or in this slot.
    #[error("already approved {} at height {} in slot {}", .0.hash, .0.height, .0.slot)]
    Equivocation(ApprovalRecord),
}

/// Decides whether a member with head `head` and production gate `gate_open` approves `block` at `now_ms`,
/// given what it approved before. `Ok` carries the record to remember (durably, before the signature leaves).
pub fn decide(
    spec: &ChainSpec,
    gate_open: bool,
    head: &BlockRef,
    block: &Block,
    now_ms: u64,
    memory: &(impl ApprovalMemory + ?Sized),
) -> Result<ApprovalRecord, Refusal> {
    if !gate_open {
        return Err(Refusal::GateClosed);
    }
    let header = &block.header;
    let record = ApprovalRecord {
        height: header.height,
        slot: header.slot,
        hash: header.hash(),
    };
    let storage = |e: StoreError| Refusal::Storage(e.to_string());
    let earlier_at_height = memory.at_height(record.height).map_err(storage)?;
    let earlier_in_slot = memory.at_slot(record.slot).map_err(storage)?;
    for earlier in [earlier_at_height, earlier_in_slot].into_iter().flatten() {
        if earlier.hash != record.hash {
            return Err(Refusal::Equivocation(earlier));
        }
    }
    // Linked to the head? (A placeholder approval: the link rules do not read it.)
    let proposal = SignedBlock {
        block: block.clone(),
        approval: Approval {
            approvers: 0,
            round: APPROVAL_ROUND,
            signature: SignatureBytes::ZERO,
        },
    };
    match check_link(head, &proposal) {
        Ok(()) => {}
        Err(BlockError::HeightMismatch { .. } | BlockError::ParentHashMismatch { .. }) => {
            return Err(Refusal::NotOnHead {
                head_height: head.height,
                head_hash: head.hash,
            });
        }
        Err(e) => return Err(Refusal::Invalid(e.to_string())),
    }
    let current = spec.slot_at(now_ms);
    if header.slot > current {
        return Err(Refusal::SlotNotBegun {
            slot: header.slot,
            current,
        });
    }
    check_proposal(spec, block, now_ms).map_err(|e| Refusal::Invalid(e.to_string()))?;
    Ok(record)
}

/// Whether `producer` is an approval of `block` in `round` by (at least) its slot's producer,
/// `authorities[slot % n]`, that verifies (its precommit for the block in that round): a member approves only what
/// its slot's producer approved first, so no one outside the federation can make it sign (and bind it at a height
/// with) a block of its own making. One BLS verification.
pub fn verify_producer_share(
    spec: &ChainSpec,
    authorities: &Authorities,
    block: &Block,
    producer: &Approval,
    round: Round,
) -> Result<(), ShareError> {
    if producer.round != round {
        return Err(ShareError::Round {
            got: producer.round,
            expected: round,
        });
    }
    let index = spec.producer_index(block.header.slot);
    if !producer.includes(index) {
        return Err(ShareError::NotByProducer(index));
    }
    if let Some(unknown) = producer.indices().find(|i| *i >= spec.authority_count()) {
        return Err(ShareError::UnknownAuthority(unknown));
    }
    let signed = SignedBlock {
        block: block.clone(),
        approval: producer.clone(),
    };
    PreparedApproval::new(authorities, &signed, block.header.hash())
        .and_then(|p| p.verify())
        .map_err(ShareError::Signature)
}

/// Why a proposal's producer share does not endorse it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    /// The share lacks the slot's producer.
    #[error("not approved by its slot's producer (authority {0})")]
    NotByProducer(usize),
    /// The share names an authority the federation does not have.
    #[error("names authority {0}, not in the federation")]
    UnknownAuthority(usize),
    /// The share is of another round than the one asked about.
    #[error("a share of round {got}, not of round {expected}")]
    Round {
        /// The share's round.
        got: Round,
        /// The round asked about.
        expected: Round,
    },
    /// The share's signature.
    #[error("its producer's approval: {0}")]
    Signature(super::BlockError),
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::chaingen::{ChainGenerator, GenParams};

    #[derive(Default)]
    struct Memory(HashMap<Height, ApprovalRecord>);

    impl ApprovalMemory for Memory {
        fn at_height(&self, height: Height) -> Result<Option<ApprovalRecord>, StoreError> {
            Ok(self.0.get(&height).copied())
        }
        fn at_slot(&self, slot: Slot) -> Result<Option<ApprovalRecord>, StoreError> {
            Ok(self.0.values().find(|r| r.slot == slot).copied())
        }
    }

    /// A generated chain of 3 blocks, the head at 2, and a proposal at 3 (with a variant in another slot).
    fn setup() -> (ChainGenerator, BlockRef, Block, u64) {
        let g = ChainGenerator::new(GenParams::default()).unwrap();
        let blocks = g.blocks(2);
        let head = BlockRef::of(&blocks[1]);
        let proposal = g.child(&blocks[1].block.header, head.hash);
        // Long after the proposal's slot began.
        let now = g.spec().slot_start_ms(proposal.header.slot) + 60_000;
        (g, head, proposal, now)
    }

    #[test]
    fn a_member_approves_a_valid_block_on_its_head_once_per_height_and_slot() {
        let (g, head, proposal, now) = setup();
        let spec = g.spec();
        let mut memory = Memory::default();
        let record = decide(spec, true, &head, &proposal, now, &memory).unwrap();
        assert_eq!(record.hash, proposal.header.hash());
        memory.0.insert(record.height, record);
        // The same block again: approved again (the same signature).
        assert_eq!(
            decide(spec, true, &head, &proposal, now, &memory),
            Ok(record)
        );
        // Another block at that height (a later slot): never.
        let mut other = proposal.clone();
        other.header.slot += 1;
        other.header.timestamp_ms = spec.slot_start_ms(other.header.slot);
        assert_eq!(
            decide(spec, true, &head, &other, now, &memory),
            Err(Refusal::Equivocation(record))
        );
        // Another block in that slot (at another height, e.g. on another head): never.
        let mut moved = proposal.clone();
        moved.header.height += 1;
        assert_eq!(
            decide(spec, true, &head, &moved, now, &memory),
            Err(Refusal::Equivocation(record))
        );
    }

    /// A memory whose disk fails.
    struct Unreadable;

    impl ApprovalMemory for Unreadable {
        fn at_height(&self, _: Height) -> Result<Option<ApprovalRecord>, StoreError> {
            Err(StoreError::Io("disk gone".into()))
        }
        fn at_slot(&self, _: Slot) -> Result<Option<ApprovalRecord>, StoreError> {
            Err(StoreError::Io("disk gone".into()))
        }
    }

    #[test]
    fn a_member_whose_memory_cannot_be_read_refuses_as_storage() {
        let (g, head, proposal, now) = setup();
        let refusal = decide(g.spec(), true, &head, &proposal, now, &Unreadable).unwrap_err();
        assert!(
            matches!(refusal, Refusal::Storage(ref e) if e.contains("disk gone")),
            "{refusal:?}"
        );
    }

    #[test]
    fn a_member_refuses_with_its_gate_closed_off_its_head_early_or_invalid() {
        let (g, head, proposal, now) = setup();
        let spec = g.spec();
        let memory = Memory::default();
        let ask = |b: &Block, gate: bool, now: u64| decide(spec, gate, &head, b, now, &memory);
        assert_eq!(ask(&proposal, false, now), Err(Refusal::GateClosed));
        let mut elsewhere = proposal.clone();
        elsewhere.header.parent_hash = Hash32([9; 32]);
        assert_eq!(
            ask(&elsewhere, true, now),
            Err(Refusal::NotOnHead {
                head_height: head.height,
                head_hash: head.hash
            })
        );
        let begins = spec.slot_start_ms(proposal.header.slot);
        assert!(matches!(
            ask(&proposal, true, begins - 1),
            Err(Refusal::SlotNotBegun { .. })
        ));
        assert!(ask(&proposal, true, begins).is_ok());
        let mut tampered = proposal.clone();
        tampered.payload.push(1);
        assert!(matches!(
            ask(&tampered, true, now),
            Err(Refusal::Invalid(_))
        ));
        let mut stale = proposal.clone();
        stale.header.slot = head.slot;
        stale.header.timestamp_ms = spec.slot_start_ms(stale.header.slot);
        assert!(matches!(ask(&stale, true, now), Err(Refusal::Invalid(_))));
    }

    /// A producer share endorses its block only as the precommit of the round asked about, by the slot's
    /// producer: another round (its round field or the round it signed), another height, the prevote, or the bare
    /// hash are refused.
    #[test]
    fn a_producer_share_is_the_producers_precommit_in_the_round_asked() {
        use ecsync_components::agreement::{VoteKind, vote_message};
        let (g, _, proposal, _) = setup();
        let spec = g.spec();
        let keys = Authorities::from_spec(spec).unwrap();
        let hash = proposal.header.hash();
        let height = proposal.header.height;
        let producer = 1u64 << spec.producer_index(proposal.header.slot);
        let check =
            |share: &Approval, round| verify_producer_share(spec, &keys, &proposal, share, round);
        let share = g.federation().approve(height, 0, &hash, producer);
        assert_eq!(check(&share, 0), Ok(()));
        assert_eq!(
            check(&share, 1),
            Err(ShareError::Round {
                got: 0,
                expected: 1
            })
        );
        let later = g.federation().approve(height, 1, &hash, producer);
        assert_eq!(check(&later, 1), Ok(()));
        let relabelled = Approval {
            round: 0,
            ..later.clone()
        };
        assert!(matches!(
            check(&relabelled, 0),
            Err(ShareError::Signature(BlockError::BadSignature))
        ));
        let signed = |message: &Hash32| Approval {
            approvers: producer,
            round: 0,
            signature: g.federation().sign(message, producer),
        };
        for message in [
            hash,
            vote_message(VoteKind::Prevote, height, 0, Some(&hash)),
            ecsync_components::approval_message(height + 1, 0, &hash),
        ] {
            assert!(matches!(
                check(&signed(&message), 0),
                Err(ShareError::Signature(BlockError::BadSignature))
            ));
        }
        let index = spec.producer_index(proposal.header.slot);
        let not_producer = 1u64 << ((index + 1) % spec.authority_count());
        let other = g.federation().approve(height, 0, &hash, not_producer);
        assert_eq!(check(&other, 0), Err(ShareError::NotByProducer(index)));
    }
}

//! A deterministic chain: block `h` is a pure function of the seed and `h` (through its ancestors), so
//! independent peers given the same parameters hold byte-identical chains and can extend them in lockstep.
//!
//! Blocks are made in order: each header names its parent's hash and commits to its parent's approval
//! (`parent_approval_root`), so each block's approval (one BLS signing) is made before its child.

use ecsync_components::agreement::Round;
use ecsync_components::spec::{DEFAULT_MAX_BLOCK_BYTES, DEFAULT_SLOT_MS, SPEC_VERSION};
use ecsync_components::{
    Approval, Block, ChainSpec, Hash32, Header, SignatureBytes, SignedBlock, approval_root,
    carries_parent_approval, payload_root,
};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

use crate::consensus::Federation;

/// The Alys testnet's chain id, the generator's default.
pub const DEFAULT_CHAIN_ID: u64 = 212_121;
/// The round of a generated block's approval: every block is agreed on in the first round of its height.
pub const GENERATED_ROUND: Round = 0;
/// Default genesis time: 2025-01-01T00:00:00Z, far enough in the past that generated slots are never ahead of a
/// real clock.
pub const DEFAULT_GENESIS_TIME_MS: u64 = 1_735_689_600_000;

/// What a generated chain is made of. Written beside a generated chain as `generator.json`, so that a node
/// serving it can extend it in lockstep with other nodes of the same parameters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenParams {
    /// Seed of everything: keys, slots, payloads, approvers.
    pub seed: u64,
    /// Federation size (1..=64).
    pub authorities: usize,
    /// Payload bytes per block.
    pub payload_bytes: usize,
    /// Aura slot duration.
    pub slot_ms: u64,
    /// Chain id.
    pub chain_id: u64,
    /// Start of slot 0.
    pub genesis_time_ms: u64,
    /// Largest encoded block.
    pub max_block_bytes: u32,
}

impl Default for GenParams {
    fn default() -> Self {
        Self {
            seed: 1,
            authorities: 4,
            payload_bytes: 1024,
            slot_ms: DEFAULT_SLOT_MS,
            chain_id: DEFAULT_CHAIN_ID,
            genesis_time_ms: DEFAULT_GENESIS_TIME_MS,
            max_block_bytes: DEFAULT_MAX_BLOCK_BYTES,
        }
    }
}

/// Why parameters cannot make a chain.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The spec the parameters imply is invalid.
    #[error(transparent)]
    Spec(#[from] ecsync_components::SpecError),
    /// A block with this payload would exceed the maximum block size.
    #[error(
        "a block with {payload} payload bytes encodes to {size} bytes, over the maximum of {max}"
    )]
    PayloadTooLarge {
        /// Requested payload bytes.
        payload: usize,
        /// Resulting encoded size.
        size: usize,
        /// Spec maximum.
        max: u32,
    },
}

/// Builds the chain of a [`GenParams`].
pub struct ChainGenerator {
    params: GenParams,
    federation: Federation,
    spec: ChainSpec,
    genesis: SignedBlock,
}

impl ChainGenerator {
    /// Derives the federation, the genesis block and the spec.
    pub fn new(params: GenParams) -> Result<Self, GenError> {
        let federation = Federation::from_seed(params.seed, params.authorities);
        let mut spec = ChainSpec {
            version: SPEC_VERSION,
            chain_id: params.chain_id,
            genesis_hash: Hash32::ZERO,
            genesis_time_ms: params.genesis_time_ms,
            slot_duration_ms: params.slot_ms,
            authorities: federation.public_keys(),
            max_block_bytes: params.max_block_bytes,
        };
        spec.check()?;
        check_payload_fits(&params)?;
        let header = Header {
            height: 0,
            slot: 0,
            parent_hash: Hash32::ZERO,
            parent_approval_root: Hash32::ZERO,
            timestamp_ms: params.genesis_time_ms,
            payload_root: payload_root(&[]),
            state_root: Hash32(derive(params.seed, b"state", 0)),
        };
        let hash = header.hash();
        let all = all_bits(params.authorities);
        let genesis = SignedBlock {
            block: Block {
                header,
                payload: Vec::new(),
                parent_approval: None,
            },
            approval: federation.approve(0, GENERATED_ROUND, &hash, all),
        };
        spec.genesis_hash = hash;
        Ok(Self {
            params,
            federation,
            spec,
            genesis,
        })
    }

    /// The chain's spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The parameters.
    pub fn params(&self) -> &GenParams {
        &self.params
    }

    /// The genesis block (height 0).
    pub fn genesis(&self) -> &SignedBlock {
        &self.genesis
    }

    /// The federation that approves this chain's blocks.
    pub fn federation(&self) -> &Federation {
        &self.federation
    }

    /// The unsigned child of `parent`, carrying its approval (from height 2).
    pub fn child(&self, parent: &SignedBlock) -> Block {
        self.child_with(
            &parent.block.header,
            parent.hash(),
            Some(parent.approval.clone()),
        )
    }

    /// The unsigned child of the block of header `parent` and hash `parent_hash` (which may be made up), carrying
    /// `parent_approval` from height 2 (dropped below).
    pub fn child_with(
        &self,
        parent: &Header,
        parent_hash: Hash32,
        parent_approval: Option<Approval>,
    ) -> Block {
        let height = parent.height + 1;
        let parent_approval = parent_approval.filter(|_| carries_parent_approval(height));
        let r = derive(self.params.seed, b"block", height);
        let slot = parent.slot + 1 + u64::from(r[0].is_multiple_of(8));
        let mut payload = vec![0u8; self.params.payload_bytes];
        ChaCha8Rng::from_seed(derive(self.params.seed, b"payload", height))
            .fill_bytes(&mut payload);
        Block {
            header: Header {
                height,
                slot,
                parent_hash,
                parent_approval_root: approval_root(parent_approval.as_ref()),
                timestamp_ms: self.spec.slot_start_ms(slot),
                payload_root: payload_root(&payload),
                state_root: Hash32(derive(self.params.seed, b"state", height)),
            },
            payload,
            parent_approval,
        }
    }

    /// The approvers of a block: everyone, except that now and then one non-producer is missing when the quorum
    /// still holds without it.
    pub fn approvers(&self, header: &Header) -> u64 {
        let n = self.params.authorities;
        let mut bits = all_bits(n);
        let r = derive(self.params.seed, b"approvers", header.height);
        if n > self.spec.quorum() && r[0].is_multiple_of(4) {
            let producer = self.spec.producer_index(header.slot);
            let skip = (producer + 1 + (r[1] as usize) % (n - 1)) % n;
            bits &= !(1u64 << skip);
        }
        bits
    }

    /// Signs a block with its approvers: their precommits' aggregate in round [`GENERATED_ROUND`].
    pub fn sign(&self, block: Block) -> SignedBlock {
        let hash = block.header.hash();
        let approvers = self.approvers(&block.header);
        let approval =
            self.federation
                .approve(block.header.height, GENERATED_ROUND, &hash, approvers);
        SignedBlock { block, approval }
    }

    /// The `count` blocks after `parent`, in order: each header commits to its parent's approval, so a block is
    /// signed before its child is made (one signing per block, on this thread).
    pub fn extend(&self, parent: &SignedBlock, count: usize) -> Vec<SignedBlock> {
        let mut blocks: Vec<SignedBlock> = Vec::with_capacity(count);
        for _ in 0..count {
            let block = self.child(blocks.last().unwrap_or(parent));
            blocks.push(self.sign(block));
        }
        blocks
    }

    /// Blocks `1..=count` from genesis.
    pub fn blocks(&self, count: usize) -> Vec<SignedBlock> {
        self.extend(&self.genesis, count)
    }
}

/// The largest block the parameters make (the largest approvals, heights and slots) fits the size limit.
fn check_payload_fits(params: &GenParams) -> Result<(), GenError> {
    let largest = SignedBlock {
        block: Block {
            header: Header {
                height: u64::MAX,
                slot: u64::MAX,
                parent_hash: Hash32::ZERO,
                parent_approval_root: Hash32::ZERO,
                timestamp_ms: u64::MAX,
                payload_root: Hash32::ZERO,
                state_root: Hash32::ZERO,
            },
            payload: vec![0; params.payload_bytes],
            parent_approval: Some(Approval {
                approvers: u64::MAX,
                round: Round::MAX,
                signature: SignatureBytes::ZERO,
            }),
        },
        approval: Approval {
            approvers: u64::MAX,
            round: Round::MAX,
            signature: SignatureBytes::ZERO,
        },
    };
    let size = largest.encoded_len();
    if size > params.max_block_bytes as usize {
        return Err(GenError::PayloadTooLarge {
            payload: params.payload_bytes,
            size,
            max: params.max_block_bytes,
        });
    }
    Ok(())
}

fn all_bits(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

fn derive(seed: u64, tag: &[u8], height: u64) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"ecsync-chaingen")
        .chain_update(seed.to_le_bytes())
        .chain_update(tag)
        .chain_update(height.to_le_bytes())
        .finalize()
        .into()
}

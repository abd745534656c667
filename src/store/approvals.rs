//! A federation member's durable memory of the approvals it gave ([`ApprovalMemory`]): a small redb file beside
//! its key file (`<keys>.approvals.redb`, see [`approval_db_path`]), not in the chain store, so that a restart —
//! even one with an empty chain store — cannot make it sign a second block at a height or in a slot. A record is
//! committed with `Durability::Immediate` (fsynced) before the signature leaves the node.
//!
//! The file is a secret file (src/util/fs.rs): created mode 0600, refused when group or others may read it or
//! when it is a symbolic link. A member's memory is locked per AUTHORITY, not per file: [`ApprovalDb::open_member`]
//! first takes, for each authority the member holds, a machine-wide [`NameLock`] named after the chain id, the
//! genesis and that authority's public key ([`authority_lock_name`]), held as long as the memory is open. So two
//! processes holding one authority's key on one machine (a copy of the key file at another path, another data
//! dir) cannot both sign: the second stops at start, naming the authority ([`MemoryError::Held`]). Redb's own file
//! lock still keeps two processes off one file.
//!
//! Reads go to the file (redb's cache), so memory does not grow with the records. The file keeps the approvals of
//! the last [`KEEP_APPROVALS`] heights and slots below the newest: older ones are pruned in the transaction of
//! every `KEEP_APPROVALS / 64`th height's record, so the file stays around 10 MB. A member signs only a block on
//! its head, so a pruned record could matter only to a member whose head fell that far below where it once signed
//! while its gate is open, i.e. whose peers all claim a chain 100,000 blocks shorter.
//!
//! The same file keeps the member's round state of the agreement (issue 26, [`VoteStore`]): ONE row of table
//! `round_state`, the postcard encoding of its newest `RoundState` (height, round, step, lock, valid value, what it
//! signed in the round, and the others' votes that justify them), replaced by each save, committed with `Durability::Immediate` before the save returns and
//! not written at all when the state is the one stored. Read back bounded ([`MAX_ROUND_STATE_BYTES`]); a row that
//! does not decode is `StoreError::Corrupt` naming the file, never a panic.

use std::path::{Path, PathBuf};

use ecsync_components::agreement::{MAX_JUSTIFICATION, RoundState};
use ecsync_components::store::VoteStore;
use ecsync_components::{
    Approval, Block, ChainSpec, Hash32, Height, SignedBlock, Slot, StoreError,
};
use ecsync_systems::consensus::{ApprovalMemory, ApprovalRecord, ApprovalStore};
use redb::{Database, Durability, ReadableDatabase, TableDefinition};
use sha2::{Digest, Sha256};

use crate::util::fs::{IoError, NameLock, SecretFileError};

/// height → slot (8 bytes) ‖ hash (32 bytes).
const BY_HEIGHT: TableDefinition<u64, &[u8]> = TableDefinition::new("approved_by_height");
/// slot → height (8 bytes) ‖ hash (32 bytes).
const BY_SLOT: TableDefinition<u64, &[u8]> = TableDefinition::new("approved_by_slot");
/// height → the approved block with its slot producer's share, as a signed block's canonical encoding; only the
/// last [`KEEP_BLOCKS`] heights approved.
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("approved_blocks");

/// The member's round state: key 0 → the postcard encoding of its newest `RoundState` (one row).
const ROUND_STATE: TableDefinition<u64, &[u8]> = TableDefinition::new("round_state");

/// Largest round state row read back; a larger one is corrupt. A state encodes in under 300 bytes plus its
/// justification: at most [`MAX_JUSTIFICATION`] votes of at most 52 bytes each (about 20 KB).
pub const MAX_ROUND_STATE_BYTES: usize = 512 + 64 * MAX_JUSTIFICATION;

/// Heights below the newest approval whose blocks are kept (a member needs the block it approved at the height
/// it fills: its head + 1).
pub const KEEP_BLOCKS: u64 = 16;

fn io<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Where the approval memory of the key file `keys` lives.
pub fn approval_db_path(keys: &Path) -> PathBuf {
    let mut name = keys.as_os_str().to_owned();
    name.push(".approvals.redb");
    PathBuf::from(name)
}

/// Heights (and slots) of approvals kept below the newest.
pub const KEEP_APPROVALS: u64 = 100_000;

/// Why a member's approval memory could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    /// Another process of this machine holds the authority (or this one does, through another memory).
    #[error(
        "authority {authority} is held by another process on this machine (a copy of its key file, another data \
         dir?): its approval memory is locked per authority key, so that two processes cannot both sign for it; \
         stop the other one first"
    )]
    Held {
        /// The authority's index in the spec.
        authority: usize,
    },
    /// The lock could not be taken for another reason.
    #[error("cannot lock the approval memory of authority {authority}")]
    Lock {
        /// The authority's index in the spec.
        authority: usize,
        /// Why.
        #[source]
        source: IoError,
    },
    /// The file: readable by others, a symbolic link, not a file, or not openable.
    #[error(transparent)]
    File(#[from] SecretFileError),
    /// Redb could not open it, or it is damaged.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The machine-wide lock name of authority `index` of `spec`: a hash of the chain id, the genesis hash, the index
/// and the authority's public key.
pub fn authority_lock_name(spec: &ChainSpec, index: usize) -> String {
    let mut hash = Sha256::new();
    hash.update(b"ecsync authority lock v1");
    hash.update(spec.chain_id.to_le_bytes());
    hash.update(spec.genesis_hash.as_bytes());
    hash.update((index as u64).to_le_bytes());
    if let Some(key) = spec.authorities.get(index) {
        hash.update(key.as_bytes());
    }
    format!("authority-{}", hex::encode(&hash.finalize()[..20]))
}

/// The locks of a member's authorities, held while its memory is open (dropped after it: see [`ApprovalDb`]).
#[derive(Debug)]
pub struct AuthorityLocks {
    _held: Vec<NameLock>,
}

/// Takes the lock of each of `authorities` of `spec`, in order; the first one held elsewhere is the error (the
/// locks taken before it are released).
pub fn lock_authorities(
    spec: &ChainSpec,
    authorities: &[usize],
) -> Result<AuthorityLocks, MemoryError> {
    let mut locks = Vec::with_capacity(authorities.len());
    for &authority in authorities {
        match NameLock::try_take(&authority_lock_name(spec, authority)) {
            Ok(Some(lock)) => locks.push(lock),
            Ok(None) => return Err(MemoryError::Held { authority }),
            Err(source) => return Err(MemoryError::Lock { authority, source }),
        }
    }
    Ok(AuthorityLocks { _held: locks })
}

/// The memory.
pub struct ApprovalDb {
    db: Database,
    keep: u64,
    /// The file, for errors.
    path: PathBuf,
    /// Round states written (committed) since it was opened.
    round_state_writes: u64,
    /// Dropped after `db` (fields drop in order): the authorities stay locked until the file is closed.
    _locks: Option<AuthorityLocks>,
}

impl ApprovalDb {
    /// Opens the memory of the member holding `authorities` of `spec` at `path`: locks each authority
    /// machine-wide ([`lock_authorities`]), then opens the file as [`ApprovalDb::open`] does.
    pub fn open_member(
        path: &Path,
        spec: &ChainSpec,
        authorities: &[usize],
    ) -> Result<Self, MemoryError> {
        let locks = lock_authorities(spec, authorities)?;
        let mut db = Self::open(path)?;
        db._locks = Some(locks);
        Ok(db)
    }

    /// Opens the memory at `path`, creating it (mode 0600, and its tables) if it does not exist; refuses a file
    /// others may read or a symbolic link. Takes no authority lock (see [`ApprovalDb::open_member`]).
    pub fn open(path: &Path) -> Result<Self, MemoryError> {
        Self::open_keeping(path, KEEP_APPROVALS)
    }

    /// Opens the memory keeping the approvals of the last `keep` heights and slots (tests use a few).
    pub fn open_keeping(path: &Path, keep: u64) -> Result<Self, MemoryError> {
        let file = crate::util::fs::open_or_create_secret(path)?;
        // Guarded: redb asserts on some damaged files; a damaged memory is an error, not a panic.
        let db = super::guarded_open(path, || {
            redb::Builder::new().create_with_backend(redb::backends::FileBackend::new(file)?)
        })
        .map_err(|e| StoreError::Io(format!("approval memory: {e}")))?;
        let txn = db.begin_write().map_err(io)?;
        txn.open_table(BY_HEIGHT).map_err(io)?;
        txn.open_table(BY_SLOT).map_err(io)?;
        txn.open_table(BLOCKS).map_err(io)?;
        txn.open_table(ROUND_STATE).map_err(io)?;
        txn.commit().map_err(io)?;
        Ok(Self {
            db,
            keep: keep.max(1),
            path: path.to_path_buf(),
            round_state_writes: 0,
            _locks: None,
        })
    }

    /// Remembers `record` and its block (with the slot producer's share), durably, before the approval is sent.
    /// Returns whether it wrote: an approval remembered already at its height and slot, with its block kept, is
    /// not written again (whatever producer share is kept with it: any verified one will do), so a question asked
    /// again costs no write and no fsync.
    pub fn remember(
        &mut self,
        record: ApprovalRecord,
        block: &Block,
        producer: &Approval,
    ) -> Result<bool, StoreError> {
        if self.remembers(record)? {
            return Ok(false);
        }
        let mut txn = self.db.begin_write().map_err(io)?;
        txn.set_durability(Durability::Immediate).map_err(io)?;
        {
            let mut blocks = txn.open_table(BLOCKS).map_err(io)?;
            let kept = SignedBlock {
                block: block.clone(),
                approval: producer.clone(),
            };
            blocks
                .insert(record.height, kept.encode().as_slice())
                .map_err(io)?;
            blocks
                .retain_in(..record.height.saturating_sub(KEEP_BLOCKS), |_, _| false)
                .map_err(io)?;
            let mut by_height = txn.open_table(BY_HEIGHT).map_err(io)?;
            by_height
                .insert(record.height, pair(record.slot, &record.hash).as_slice())
                .map_err(io)?;
            let mut by_slot = txn.open_table(BY_SLOT).map_err(io)?;
            by_slot
                .insert(record.slot, pair(record.height, &record.hash).as_slice())
                .map_err(io)?;
            if record.height.is_multiple_of((self.keep / 64).max(1)) {
                let below_height = record.height.saturating_sub(self.keep);
                by_height
                    .retain_in(..below_height, |_, _| false)
                    .map_err(io)?;
                let below_slot = record.slot.saturating_sub(self.keep);
                by_slot.retain_in(..below_slot, |_, _| false).map_err(io)?;
            }
        }
        txn.commit().map_err(io)?;
        Ok(true)
    }

    /// Whether `record` is remembered at its height and its slot, with its block.
    fn remembers(&self, record: ApprovalRecord) -> Result<bool, StoreError> {
        Ok(self.at_height(record.height)? == Some(record)
            && self.at_slot(record.slot)? == Some(record)
            && self
                .block_at(record.height)?
                .is_some_and(|(block, _)| block.header.hash() == record.hash))
    }

    fn get(
        &self,
        table: TableDefinition<u64, &[u8]>,
        key: u64,
    ) -> Result<Option<(u64, Hash32)>, StoreError> {
        let read = || -> Result<Option<(u64, Hash32)>, StoreError> {
            let txn = self.db.begin_read().map_err(io)?;
            let table = txn.open_table(table).map_err(io)?;
            let Some(value) = table.get(key).map_err(io)? else {
                return Ok(None);
            };
            let bytes = value.value();
            if bytes.len() != 40 {
                return Err(StoreError::Io(format!(
                    "approval record of {} bytes",
                    bytes.len()
                )));
            }
            let number = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
            let hash = Hash32(bytes[8..].try_into().expect("32 bytes"));
            Ok(Some((number, hash)))
        };
        // A memory that cannot be read must not approve: the error refuses (`Refusal::Storage`).
        read().inspect_err(|e| {
            tracing::error!("cannot read the approval memory: {e}; refusing to approve");
        })
    }
}

impl ApprovalDb {
    /// Round states written (committed, fsynced) since the file was opened: a save of the state stored already
    /// writes nothing.
    pub fn round_state_writes(&self) -> u64 {
        self.round_state_writes
    }

    /// An error about the round state, naming the file.
    fn round_state_error(&self, what: impl std::fmt::Display) -> StoreError {
        StoreError::Io(format!(
            "the round state in the approval memory {}: {what}",
            self.path.display()
        ))
    }

    /// Whether the stored round state is exactly `bytes`.
    fn round_state_is(&self, bytes: &[u8]) -> Result<bool, StoreError> {
        let err = |e: &dyn std::fmt::Display| self.round_state_error(e);
        let txn = self.db.begin_read().map_err(|e| err(&e))?;
        let table = txn.open_table(ROUND_STATE).map_err(|e| err(&e))?;
        let stored = table.get(0).map_err(|e| err(&e))?;
        Ok(stored.is_some_and(|v| v.value() == bytes))
    }
}

impl VoteStore for ApprovalDb {
    fn load_round_state(&self) -> Result<Option<RoundState>, StoreError> {
        let err = |e: &dyn std::fmt::Display| self.round_state_error(e);
        let txn = self.db.begin_read().map_err(|e| err(&e))?;
        let table = txn.open_table(ROUND_STATE).map_err(|e| err(&e))?;
        let Some(row) = table.get(0).map_err(|e| err(&e))? else {
            return Ok(None);
        };
        ecsync_components::decode::<RoundState>(row.value(), MAX_ROUND_STATE_BYTES)
            .map(Some)
            .map_err(|e| {
                StoreError::Corrupt(format!(
                    "the round state in the approval memory {} does not decode ({e}); the member cannot know \
                     what it signed: restore the file from a backup",
                    self.path.display()
                ))
            })
    }

    fn save_round_state(&mut self, state: &RoundState) -> Result<bool, StoreError> {
        let bytes = ecsync_components::encode(state);
        if self.round_state_is(&bytes)? {
            return Ok(false);
        }
        let err = |e: &dyn std::fmt::Display| self.round_state_error(e);
        let mut txn = self.db.begin_write().map_err(|e| err(&e))?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| err(&e))?;
        {
            let mut table = txn.open_table(ROUND_STATE).map_err(|e| err(&e))?;
            table.insert(0, bytes.as_slice()).map_err(|e| err(&e))?;
        }
        txn.commit().map_err(|e| err(&e))?;
        self.round_state_writes += 1;
        Ok(true)
    }
}

fn pair(number: u64, hash: &Hash32) -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    out.extend_from_slice(&number.to_le_bytes());
    out.extend_from_slice(hash.as_bytes());
    out
}

impl ApprovalStore for ApprovalDb {
    fn record(
        &mut self,
        record: ApprovalRecord,
        block: &Block,
        producer: &Approval,
    ) -> Result<bool, StoreError> {
        self.remember(record, block, producer)
    }

    fn block_at(&self, height: Height) -> Result<Option<(Block, Approval)>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(BLOCKS).map_err(io)?;
        let Some(value) = table.get(height).map_err(io)? else {
            return Ok(None);
        };
        let bytes = value.value();
        let kept = SignedBlock::decode(bytes, bytes.len())
            .map_err(|e| StoreError::Io(format!("approved block at {height}: {e}")))?;
        Ok(Some((kept.block, kept.approval)))
    }
}

impl ApprovalMemory for ApprovalDb {
    fn at_height(&self, height: Height) -> Result<Option<ApprovalRecord>, StoreError> {
        Ok(self
            .get(BY_HEIGHT, height)?
            .map(|(slot, hash)| ApprovalRecord { height, slot, hash }))
    }

    fn at_slot(&self, slot: Slot) -> Result<Option<ApprovalRecord>, StoreError> {
        Ok(self
            .get(BY_SLOT, slot)?
            .map(|(height, hash)| ApprovalRecord { height, slot, hash }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecsync_components::{Header, SignatureBytes, payload_root};

    /// A block at `height` with `approvers`' share (the signature bytes are not checked here).
    fn kept(height: Height, slot: Slot, approvers: u64) -> (Block, Approval) {
        let payload = height.to_le_bytes().to_vec();
        let block = Block {
            header: Header {
                height,
                slot,
                parent_hash: Hash32([1; 32]),
                timestamp_ms: slot * 1000,
                payload_root: payload_root(&payload),
                state_root: Hash32([2; 32]),
            },
            payload,
        };
        let share = Approval {
            approvers,
            round: 0,
            signature: SignatureBytes([7; 96]),
        };
        (block, share)
    }

    fn remember(db: &mut ApprovalDb, record: ApprovalRecord) {
        let (block, share) = kept(record.height, record.slot, 1);
        db.remember(record, &block, &share).unwrap();
    }

    #[test]
    fn old_approvals_are_pruned_and_recent_ones_kept() {
        let t = tempfile::tempdir().unwrap();
        let mut db = ApprovalDb::open_keeping(&t.path().join("a.redb"), 64).unwrap();
        for height in 1..=1000u64 {
            let record = ApprovalRecord {
                height,
                slot: height * 2,
                hash: Hash32([height as u8; 32]),
            };
            remember(&mut db, record);
        }
        // The last 64 heights (and slots) are certainly kept, nothing far below them is.
        for height in 1000 - 63..=1000 {
            assert!(db.at_height(height).unwrap().is_some(), "{height} pruned");
        }
        assert!(db.at_slot(2000).unwrap().is_some());
        assert_eq!(db.at_height(800).unwrap(), None, "not pruned");
        assert_eq!(db.at_slot(1600).unwrap(), None, "not pruned");
        let txn = db.db.begin_read().unwrap();
        use redb::ReadableTableMetadata;
        let kept = txn.open_table(BY_HEIGHT).unwrap().len().unwrap();
        assert!(kept <= 64 + 1, "{kept} records kept");
        // Blocks: only the last KEEP_BLOCKS heights.
        let blocks = txn.open_table(BLOCKS).unwrap().len().unwrap();
        assert_eq!(blocks, KEEP_BLOCKS + 1, "{blocks} blocks kept");
        assert!(db.block_at(1000).unwrap().is_some());
        assert!(db.block_at(1000 - KEEP_BLOCKS).unwrap().is_some());
        assert_eq!(db.block_at(1000 - KEEP_BLOCKS - 1).unwrap(), None);
    }

    #[test]
    fn an_approval_remembered_already_is_not_written_again() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a.redb");
        let record = ApprovalRecord {
            height: 7,
            slot: 42,
            hash: kept(7, 42, 1).0.header.hash(),
        };
        let (block, share) = kept(7, 42, 1);
        let mut db = ApprovalDb::open(&path).unwrap();
        assert!(db.remember(record, &block, &share).unwrap(), "new: written");
        assert!(!db.remember(record, &block, &share).unwrap(), "the same");
        // Another producer share with the same block: one share is kept, the first.
        let (_, wider) = kept(7, 42, 0b11);
        assert!(!db.remember(record, &block, &wider).unwrap());
        assert_eq!(db.block_at(7).unwrap(), Some((block.clone(), share)));
        drop(db);
        let mut db = ApprovalDb::open(&path).unwrap();
        assert!(!db.remember(record, &block, &wider).unwrap(), "reopened");
        // Its block pruned (approvals far above it): the record is written again, with its block.
        for height in 8..8 + KEEP_BLOCKS + 1 {
            let (b, s) = kept(height, height * 6, 1);
            let r = ApprovalRecord {
                height,
                slot: height * 6,
                hash: b.header.hash(),
            };
            assert!(db.remember(r, &b, &s).unwrap());
        }
        assert_eq!(db.block_at(7).unwrap(), None);
        assert!(db.remember(record, &block, &wider).unwrap(), "block pruned");
        assert_eq!(db.block_at(7).unwrap(), Some((block, wider)));
    }

    #[test]
    fn a_damaged_memory_is_an_error_not_a_panic() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a.redb");
        drop(ApprovalDb::open(&path).unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        for b in bytes.iter_mut().skip(64) {
            *b = 0xa5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let e = ApprovalDb::open(&path)
            .err()
            .expect("opened a damaged file");
        assert!(e.to_string().contains("approval memory"), "{e}");
    }

    #[test]
    fn approvals_are_remembered_across_a_reopen() {
        let t = tempfile::tempdir().unwrap();
        let path = approval_db_path(&t.path().join("member.keys"));
        assert!(
            path.to_str()
                .unwrap()
                .ends_with("member.keys.approvals.redb")
        );
        let record = ApprovalRecord {
            height: 7,
            slot: 42,
            hash: Hash32([3; 32]),
        };
        {
            let mut db = ApprovalDb::open(&path).unwrap();
            assert_eq!(db.at_height(7).unwrap(), None);
            assert_eq!(db.block_at(7).unwrap(), None);
            let (block, share) = kept(7, 42, 1 << 3);
            db.remember(record, &block, &share).unwrap();
            assert_eq!(db.at_height(7).unwrap(), Some(record));
            assert_eq!(db.at_slot(42).unwrap(), Some(record));
            // A second node cannot open the same memory while the first holds it.
            assert!(ApprovalDb::open(&path).is_err());
        }
        let db = ApprovalDb::open(&path).unwrap();
        assert_eq!(db.at_height(7).unwrap(), Some(record));
        // The block itself survives the restart, with its producer's share: the member can propose it again.
        assert_eq!(db.block_at(7).unwrap(), Some(kept(7, 42, 1 << 3)));
        assert_eq!(db.at_slot(42).unwrap(), Some(record));
        assert_eq!(db.at_height(8).unwrap(), None);
        assert_eq!(db.at_slot(41).unwrap(), None);
    }

    /// A spec of four made-up authorities on a chain no other test or process uses.
    fn spec() -> ChainSpec {
        ChainSpec {
            version: ecsync_components::SPEC_VERSION,
            chain_id: rand::random(),
            genesis_hash: Hash32(rand::random()),
            genesis_time_ms: 1_000,
            slot_duration_ms: 5_000,
            authorities: (0..4)
                .map(|i| ecsync_components::PublicKeyBytes([i as u8; 48]))
                .collect(),
            max_block_bytes: 1 << 20,
        }
    }

    #[test]
    fn an_authority_is_held_by_one_memory_at_a_time_whatever_its_path() {
        let t = tempfile::tempdir().unwrap();
        let at = |name: &str| t.path().join(name);
        let spec = spec();
        let held = |e: Result<ApprovalDb, MemoryError>| match e {
            Err(MemoryError::Held { authority }) => authority,
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("opened"),
        };
        let first = ApprovalDb::open_member(&at("a"), &spec, &[0, 1]).unwrap();
        assert_eq!(held(ApprovalDb::open_member(&at("b"), &spec, &[0, 1])), 0);
        assert_eq!(held(ApprovalDb::open_member(&at("c"), &spec, &[1, 2])), 1);
        let e = ApprovalDb::open_member(&at("c"), &spec, &[2, 1])
            .err()
            .unwrap();
        assert!(e.to_string().contains("authority 1 is held"), "{e}");
        // Authority 2 was taken and released again when 1 failed; 3 is free; another chain is another name.
        let other = ApprovalDb::open_member(&at("d"), &spec, &[2, 3]).unwrap();
        let mut elsewhere = spec.clone();
        elsewhere.chain_id ^= 1;
        let third = ApprovalDb::open_member(&at("e"), &elsewhere, &[0]).unwrap();
        assert_ne!(
            authority_lock_name(&spec, 0),
            authority_lock_name(&elsewhere, 0)
        );
        assert_ne!(authority_lock_name(&spec, 0), authority_lock_name(&spec, 1));
        drop(first);
        drop(other);
        let again = ApprovalDb::open_member(&at("c"), &spec, &[1, 2]).unwrap();
        drop((again, third));
    }

    #[cfg(unix)]
    #[test]
    fn the_memory_is_private_and_refused_when_others_may_read_it_or_a_link() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("m.keys.approvals.redb");
        drop(ApprovalDb::open(&path).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = ApprovalDb::open(&path)
            .err()
            .expect("opened a readable memory");
        assert!(
            e.to_string()
                .contains(&format!("chmod 600 {}", path.display())),
            "{e}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = t.path().join("link.redb");
        symlink(&path, &link).unwrap();
        let e = ApprovalDb::open(&link)
            .err()
            .expect("opened through a link");
        assert!(
            matches!(e, MemoryError::File(SecretFileError::Symlink { .. })),
            "{e:?}"
        );
        assert!(ApprovalDb::open(&path).is_ok());
    }

    /// A round state that uses every field, at `round`.
    fn round_state(round: u32) -> RoundState {
        use ecsync_components::agreement::{Proposal, RoundValue, Step, Vote, VoteKind};
        let value = Hash32([round as u8; 32]);
        let vote = |kind| Vote {
            height: 9,
            round,
            kind,
            value: Some(value),
            voter: 2,
        };
        RoundState {
            height: 9,
            round,
            step: Step::Precommit,
            locked: Some(RoundValue { round, value }),
            valid: Some(RoundValue {
                round: round.saturating_sub(1),
                value,
            }),
            proposed: Some(Proposal {
                height: 9,
                round,
                value,
                valid_round: None,
                proposer: 2,
            }),
            prevoted: Some(vote(VoteKind::Prevote)),
            precommitted: Some(vote(VoteKind::Precommit)),
            justification: vec![vote(VoteKind::Prevote), vote(VoteKind::Precommit)],
        }
    }

    /// The largest state the core makes: every field at its widest, a full justification.
    fn largest_round_state() -> RoundState {
        let mut state = round_state(u32::MAX);
        state.height = u64::MAX;
        let widest = ecsync_components::agreement::Vote {
            height: u64::MAX,
            voter: u16::MAX,
            ..state.precommitted.unwrap()
        };
        (state.prevoted, state.precommitted) = (Some(widest), Some(widest));
        state.justification = vec![widest; MAX_JUSTIFICATION];
        state
    }

    fn round_state_rows(db: &ApprovalDb) -> u64 {
        use redb::ReadableTableMetadata;
        let txn = db.db.begin_read().unwrap();
        txn.open_table(ROUND_STATE).unwrap().len().unwrap()
    }

    #[test]
    fn the_round_state_survives_a_reopen_and_only_the_newest_is_kept() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("m.keys.approvals.redb");
        let mut db = ApprovalDb::open(&path).unwrap();
        assert_eq!(db.load_round_state().unwrap(), None);
        for round in 0..5 {
            assert!(db.save_round_state(&round_state(round)).unwrap());
        }
        assert_eq!(round_state_rows(&db), 1);
        assert_eq!(db.load_round_state().unwrap(), Some(round_state(4)));
        drop(db);
        let db = ApprovalDb::open(&path).unwrap();
        assert_eq!(db.load_round_state().unwrap(), Some(round_state(4)));
        assert_eq!(db.round_state_writes(), 0);
        // The approvals beside it are untouched, and it beside them.
        let record = ApprovalRecord {
            height: 7,
            slot: 42,
            hash: kept(7, 42, 1).0.header.hash(),
        };
        let mut db = db;
        remember(&mut db, record);
        assert_eq!(db.at_height(7).unwrap(), Some(record));
        assert_eq!(db.load_round_state().unwrap(), Some(round_state(4)));
    }

    #[test]
    fn saving_the_stored_round_state_again_writes_nothing() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a.redb");
        let mut db = ApprovalDb::open(&path).unwrap();
        assert!(db.save_round_state(&round_state(1)).unwrap());
        assert!(!db.save_round_state(&round_state(1)).unwrap());
        assert_eq!(db.round_state_writes(), 1);
        let mut next = round_state(1);
        next.step = ecsync_components::agreement::Step::Prevote;
        assert!(db.save_round_state(&next).unwrap());
        assert_eq!(db.round_state_writes(), 2);
        drop(db);
        // Compared with what the file holds, not with what this process saved.
        let mut db = ApprovalDb::open(&path).unwrap();
        assert!(!db.save_round_state(&next).unwrap());
        assert_eq!(db.round_state_writes(), 0);
    }

    #[test]
    fn a_corrupt_round_state_is_a_typed_error_naming_the_file() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("a.redb");
        let mut db = ApprovalDb::open(&path).unwrap();
        db.save_round_state(&round_state(3)).unwrap();
        let damaged: [&[u8]; 3] = [&[0xff; 12], &[], &[0u8; MAX_ROUND_STATE_BYTES + 1]];
        let mut encoded = ecsync_components::encode(&round_state(3));
        encoded.push(0);
        for row in damaged.into_iter().chain([encoded.as_slice()]) {
            let txn = db.db.begin_write().unwrap();
            txn.open_table(ROUND_STATE).unwrap().insert(0, row).unwrap();
            txn.commit().unwrap();
            match db.load_round_state() {
                Err(StoreError::Corrupt(what)) => {
                    assert!(what.contains(&path.display().to_string()), "{what}");
                }
                other => panic!("a row of {} bytes loaded as {other:?}", row.len()),
            }
        }
        // Saving a state replaces the damaged row; the largest one fits the bound.
        let largest = largest_round_state();
        let bytes = ecsync_components::encode(&largest).len();
        assert!(bytes <= MAX_ROUND_STATE_BYTES, "{bytes} bytes");
        assert!(db.save_round_state(&largest).unwrap());
        assert_eq!(db.load_round_state().unwrap(), Some(largest));
    }

    /// The child half of the next test: saves round states 1, 2, 3, ... to the memory at `ECSYNC_VOTE_CHILD`,
    /// printing `saved N` after each save returned, until it is killed.
    #[test]
    #[ignore = "run by a_saved_round_state_survives_a_kill in a child process"]
    fn child_saves_round_states_until_killed() {
        let Ok(path) = std::env::var("ECSYNC_VOTE_CHILD") else {
            return;
        };
        let mut db = ApprovalDb::open(Path::new(&path)).unwrap();
        for round in 1..=1_000_000 {
            db.save_round_state(&round_state(round)).unwrap();
            println!("saved {round}");
        }
        std::process::abort();
    }

    #[cfg(unix)]
    #[test]
    fn a_saved_round_state_survives_a_kill() {
        use std::io::BufRead;
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("killed.approvals.redb");
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::approvals::tests::child_saves_round_states_until_killed",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("ECSYNC_VOTE_CHILD", &path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Read until the child says it saved round 20; the pipe stays open until it is killed (it never sees a
        // closed stdout, nor exits by itself).
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut saved = 0u32;
        while saved < 20 {
            let Some(line) = lines.next() else { break };
            if let Some(round) = line.unwrap().strip_prefix("saved ") {
                saved = round.parse().unwrap();
            }
        }
        // SIGKILL: no destructor, no close; what the saves made durable is all there is.
        let _ = child.kill();
        child.wait().unwrap();
        drop(lines);
        assert_eq!(saved, 20, "the child stopped before saving 20 round states");
        let db = ApprovalDb::open(&path).unwrap();
        let state = db.load_round_state().unwrap().expect("a round state");
        assert!(
            state.round >= 20,
            "round 20 was saved, then lost: {state:?}"
        );
        assert_eq!(state, round_state(state.round));
    }
}

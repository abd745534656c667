//! A federation member's durable vote file (issue 26, [`VoteStore`]): a small redb file beside its key file
//! (`<keys>.approvals.redb`, see [`approval_db_path`]), not in the chain store, so that a restart — even one with
//! an empty chain store — cannot make it sign against its own earlier votes.
//!
//! The file is a secret file (src/util/fs.rs): created mode 0600, refused when group or others may read it or
//! when it is a symbolic link. A member's file is locked per AUTHORITY, not per file: [`ApprovalDb::open_member`]
//! first takes, for each authority the member holds, a machine-wide [`NameLock`] named after the chain id, the
//! genesis and that authority's public key ([`authority_lock_name`]), held as long as the file is open. So two
//! processes holding one authority's key on one machine (a copy of the key file at another path, another data
//! dir) cannot both sign: the second stops at start, naming the authority ([`MemoryError::Held`]). Redb's own file
//! lock still keeps two processes off one file.
//!
//! It keeps the member's round state of the agreement: ONE row of table `round_state`, the postcard encoding of
//! its newest `RoundState` (height, round, step, lock, valid value, what it signed in the round, and the others'
//! votes that justify them), replaced by each save, committed with `Durability::Immediate` before the save
//! returns (so before the signature leaves the node) and not written at all when the state is the one stored.
//! Read back bounded ([`MAX_ROUND_STATE_BYTES`]); a row that does not decode is `StoreError::Corrupt` naming the
//! file, never a panic.

use std::path::{Path, PathBuf};

use ecsync_components::agreement::{MAX_JUSTIFICATION, RoundState};
use ecsync_components::store::VoteStore;
use ecsync_components::{ChainSpec, StoreError};
use redb::{Database, Durability, ReadableDatabase, TableDefinition};
use sha2::{Digest, Sha256};

use crate::util::fs::{IoError, NameLock, SecretFileError};

/// The member's round state: key 0 → the postcard encoding of its newest `RoundState` (one row).
const ROUND_STATE: TableDefinition<u64, &[u8]> = TableDefinition::new("round_state");

/// Largest round state row read back; a larger one is corrupt. A state encodes in under 300 bytes plus its
/// justification: at most [`MAX_JUSTIFICATION`] votes of at most 52 bytes each (about 20 KB).
pub const MAX_ROUND_STATE_BYTES: usize = 512 + 64 * MAX_JUSTIFICATION;

fn io<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Where the vote file of the key file `keys` lives.
pub fn approval_db_path(keys: &Path) -> PathBuf {
    let mut name = keys.as_os_str().to_owned();
    name.push(".approvals.redb");
    PathBuf::from(name)
}

/// Why a member's vote file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    /// Another process of this machine holds the authority (or this one does, through another memory).
    #[error(
        "authority {authority} is held by another process on this machine (a copy of its key file, another data \
         dir?): its vote file is locked per authority key, so that two processes cannot both sign for it; \
         stop the other one first"
    )]
    Held {
        /// The authority's index in the spec.
        authority: usize,
    },
    /// The lock could not be taken for another reason.
    #[error("cannot lock the vote file of authority {authority}")]
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

/// The locks of a member's authorities, held while its vote file is open (dropped after it: see [`ApprovalDb`]).
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

/// The vote file.
pub struct ApprovalDb {
    db: Database,
    /// The file, for errors.
    path: PathBuf,
    /// Round states written (committed) since it was opened.
    round_state_writes: u64,
    /// Dropped after `db` (fields drop in order): the authorities stay locked until the file is closed.
    _locks: Option<AuthorityLocks>,
}

impl ApprovalDb {
    /// Opens the vote file of the member holding `authorities` of `spec` at `path`: locks each authority
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

    /// Opens the vote file at `path`, creating it (mode 0600, and its table) if it does not exist; refuses a
    /// file others may read or a symbolic link. Takes no authority lock (see [`ApprovalDb::open_member`]).
    pub fn open(path: &Path) -> Result<Self, MemoryError> {
        let file = crate::util::fs::open_or_create_secret(path)?;
        // Guarded: redb asserts on some damaged files; a damaged memory is an error, not a panic.
        let db = super::guarded_open(path, || {
            redb::Builder::new().create_with_backend(redb::backends::FileBackend::new(file)?)
        })
        .map_err(|e| StoreError::Io(format!("vote file: {e}")))?;
        let txn = db.begin_write().map_err(io)?;
        txn.open_table(ROUND_STATE).map_err(io)?;
        txn.commit().map_err(io)?;
        Ok(Self {
            db,
            path: path.to_path_buf(),
            round_state_writes: 0,
            _locks: None,
        })
    }

    /// Round states written (committed, fsynced) since the file was opened: a save of the state stored already
    /// writes nothing.
    pub fn round_state_writes(&self) -> u64 {
        self.round_state_writes
    }

    /// An error about the round state, naming the file.
    fn round_state_error(&self, what: impl std::fmt::Display) -> StoreError {
        StoreError::Io(format!(
            "the round state in the vote file {}: {what}",
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
                    "the round state in the vote file {} does not decode ({e}); the member cannot know \
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

#[cfg(test)]
mod tests {
    use super::*;
    use ecsync_components::Hash32;

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
        assert!(e.to_string().contains("vote file"), "{e}");
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
        let path = approval_db_path(&t.path().join("m.keys"));
        assert!(path.to_str().unwrap().ends_with("m.keys.approvals.redb"));
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
        // A second process cannot open the same file while the first holds it.
        assert!(ApprovalDb::open(&path).is_err());
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

//! The redb chain store: one file holding blocks by height, heights by hash, the head, the chain's identity and
//! checkpoints. Every import is one write transaction, so after a crash the file holds all of a batch or none.
//!
//! Durability: a batch that carries a checkpoint commits with `Durability::Immediate` (fsync); other batches
//! commit with `Durability::None` and become durable with the next checkpoint. A crash loses at most the blocks
//! since the last checkpoint, never the store's consistency.

use std::path::Path;
use std::sync::Arc;

use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Checkpoint, Height, SignedBlock, StoreError, decode, encode,
};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const HEIGHTS: TableDefinition<&[u8], u64> = TableDefinition::new("height_by_hash");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Checkpoints by height (v2: with parent hash and target; the v1 table of older stores is ignored).
const CHECKPOINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoints_v2");

const META_CHAIN_ID: &str = "chain_id";
const META_GENESIS: &str = "genesis_hash";
const META_HEAD: &str = "head";

/// Name of the store file inside a chain or node directory.
pub const STORE_FILE: &str = "chain.redb";
/// Name of the spec file inside a chain or node directory.
pub const SPEC_FILE: &str = "spec.json";

/// A chain store over one redb file.
pub struct RedbStore {
    db: Arc<Database>,
    spec: ChainSpec,
    head: BlockRef,
}

fn io<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Io(e.to_string())
}

fn db_error(path: &Path, e: redb::DatabaseError) -> StoreError {
    match e {
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(m)) => {
            StoreError::Corrupt(format!("{}: {m}", path.display()))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::InvalidData =>
        {
            StoreError::Corrupt(format!("{}: {e}", path.display()))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) => {
            StoreError::Io(format!("{}: {e}", path.display()))
        }
        other => StoreError::Corrupt(format!("{}: {other}", path.display())),
    }
}

/// Runs redb's open, turning a panic inside it (redb debug builds assert on some corrupt files) into an error.
fn guarded_open(
    path: &Path,
    open: impl FnOnce() -> Result<Database, redb::DatabaseError>,
) -> Result<Database, StoreError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(open)) {
        Ok(result) => result.map_err(|e| db_error(path, e)),
        Err(_) => Err(StoreError::Corrupt(format!(
            "{}: not a readable redb file",
            path.display()
        ))),
    }
}

impl RedbStore {
    /// Creates a new store at `path` (which must not exist) for `spec`. `genesis`, when known, is stored as block
    /// 0; its hash must be the spec's. The head starts at genesis.
    pub fn create(
        path: &Path,
        spec: &ChainSpec,
        genesis: Option<&SignedBlock>,
    ) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Io(format!("{} already exists", path.display())));
        }
        let head = match genesis {
            Some(g) => {
                let r = BlockRef::of(g);
                if r.height != 0 || r.slot != 0 || r.hash != spec.genesis_hash {
                    return Err(StoreError::NotContiguous(format!(
                        "genesis block {} at height {} is not the spec's genesis {}",
                        r.hash, r.height, spec.genesis_hash
                    )));
                }
                r
            }
            None => spec.genesis_ref(),
        };
        let db = guarded_open(path, || Database::create(path))?;
        Self::init(db, spec, genesis, head)
    }

    /// A store held in memory (for simulations and benches): the same tables and transactions, no file.
    pub fn in_memory(spec: &ChainSpec, genesis: Option<&SignedBlock>) -> Result<Self, StoreError> {
        let head = match genesis {
            Some(g) => BlockRef::of(g),
            None => spec.genesis_ref(),
        };
        if head.hash != spec.genesis_hash {
            return Err(StoreError::NotContiguous(
                "genesis is not the spec's".into(),
            ));
        }
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(io)?;
        Self::init(db, spec, genesis, head)
    }

    fn init(
        db: Database,
        spec: &ChainSpec,
        genesis: Option<&SignedBlock>,
        head: BlockRef,
    ) -> Result<Self, StoreError> {
        let mut txn = db.begin_write().map_err(io)?;
        txn.set_durability(Durability::Immediate).map_err(io)?;
        {
            let mut meta = txn.open_table(META).map_err(io)?;
            meta.insert(META_CHAIN_ID, spec.chain_id.to_le_bytes().as_slice())
                .map_err(io)?;
            meta.insert(META_GENESIS, spec.genesis_hash.as_bytes())
                .map_err(io)?;
            meta.insert(META_HEAD, encode(&head).as_slice())
                .map_err(io)?;
            let mut blocks = txn.open_table(BLOCKS).map_err(io)?;
            let mut heights = txn.open_table(HEIGHTS).map_err(io)?;
            if let Some(g) = genesis {
                blocks.insert(0, encode(g).as_slice()).map_err(io)?;
            }
            heights.insert(head.hash.as_bytes(), 0).map_err(io)?;
            txn.open_table(CHECKPOINTS).map_err(io)?;
        }
        txn.commit().map_err(io)?;
        Ok(Self {
            db: Arc::new(db),
            spec: spec.clone(),
            head,
        })
    }

    /// Opens an existing store and checks that it holds `spec`'s chain.
    pub fn open(path: &Path, spec: &ChainSpec) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Io(format!("{}: no such file", path.display())));
        }
        let db = guarded_open(path, || Database::open(path))?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("{}: {what}", path.display()));
        let (chain_id, genesis, head) = {
            let txn = db.begin_read().map_err(io)?;
            let meta = txn.open_table(META).map_err(|_| corrupt("no meta table"))?;
            let get = |key: &str| -> Result<Vec<u8>, StoreError> {
                meta.get(key)
                    .map_err(io)?
                    .map(|v| v.value().to_vec())
                    .ok_or_else(|| corrupt(&format!("missing {key}")))
            };
            let chain_id = u64::from_le_bytes(
                get(META_CHAIN_ID)?
                    .try_into()
                    .map_err(|_| corrupt("bad chain id"))?,
            );
            let genesis = ecsync_components::Hash32::from_slice(&get(META_GENESIS)?)
                .ok_or_else(|| corrupt("bad genesis hash"))?;
            let head: BlockRef = decode(&get(META_HEAD)?, 64).map_err(|_| corrupt("bad head"))?;
            (chain_id, genesis, head)
        };
        if chain_id != spec.chain_id || genesis != spec.genesis_hash {
            return Err(StoreError::OtherChain {
                chain: spec.chain_id,
                genesis: spec.genesis_hash.to_hex(),
                found_chain: chain_id,
                found_genesis: genesis.to_hex(),
            });
        }
        Ok(Self {
            db: Arc::new(db),
            spec: spec.clone(),
            head,
        })
    }

    /// Opens `path` if it exists, else creates it (without a genesis body).
    pub fn open_or_create(path: &Path, spec: &ChainSpec) -> Result<Self, StoreError> {
        if path.exists() {
            Self::open(path, spec)
        } else {
            Self::create(path, spec, None)
        }
    }

    /// The spec this store was opened with.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// Height of the block with `hash`, if stored.
    pub fn height_of(
        &self,
        hash: &ecsync_components::Hash32,
    ) -> Result<Option<Height>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(HEIGHTS).map_err(io)?;
        Ok(table.get(hash.as_bytes()).map_err(io)?.map(|v| v.value()))
    }

    /// Encoded blocks `start..start+count` read in one transaction (for bulk verification), with their heights.
    pub fn raw_range(
        &self,
        start: Height,
        count: u64,
    ) -> Result<Vec<(Height, Vec<u8>)>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(BLOCKS).map_err(io)?;
        let end = start.saturating_add(count);
        let mut out = Vec::new();
        for entry in table.range(start..end).map_err(io)? {
            let (k, v) = entry.map_err(io)?;
            out.push((k.value(), v.value().to_vec()));
        }
        Ok(out)
    }
}

/// A read-only view of a [`RedbStore`] that other threads (the network, serving peers) can hold while the engine
/// writes: redb readers see the last committed transaction.
#[derive(Clone)]
pub struct StoreReader {
    db: Arc<Database>,
    spec: ChainSpec,
}

impl StoreReader {
    /// The committed head.
    pub fn head(&self) -> Result<BlockRef, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let meta = txn.open_table(META).map_err(io)?;
        let bytes = meta
            .get(META_HEAD)
            .map_err(io)?
            .ok_or_else(|| StoreError::Corrupt("missing head".into()))?;
        decode(bytes.value(), 64).map_err(|e| StoreError::Corrupt(format!("head: {e}")))
    }

    /// Like [`ChainStore::encoded_range`].
    pub fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        read_range(&self.db, start, count, max_bytes)
    }

    /// The spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }
}

fn read_range(
    db: &Database,
    start: Height,
    count: u64,
    max_bytes: usize,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let txn = db.begin_read().map_err(io)?;
    let table = txn.open_table(BLOCKS).map_err(io)?;
    let end = start.saturating_add(count);
    let mut out = Vec::new();
    let mut total = 0usize;
    for (expected, entry) in (start..).zip(table.range(start..end).map_err(io)?) {
        let (k, v) = entry.map_err(io)?;
        if k.value() != expected {
            break;
        }
        let bytes = v.value();
        if !out.is_empty() && total + bytes.len() > max_bytes {
            break;
        }
        total += bytes.len();
        out.push(bytes.to_vec());
    }
    Ok(out)
}

impl RedbStore {
    /// A reader sharing this store's database.
    pub fn reader(&self) -> StoreReader {
        StoreReader {
            db: Arc::clone(&self.db),
            spec: self.spec.clone(),
        }
    }
}

impl ChainStore for RedbStore {
    fn head(&self) -> Result<BlockRef, StoreError> {
        Ok(self.head)
    }

    fn block(&self, height: Height) -> Result<Option<SignedBlock>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(BLOCKS).map_err(io)?;
        match table.get(height).map_err(io)? {
            None => Ok(None),
            Some(v) => decode(v.value(), self.spec.max_block_bytes as usize)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("block {height}: {e}"))),
        }
    }

    fn encoded_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        read_range(&self.db, start, count, max_bytes)
    }

    fn import_batch(
        &mut self,
        blocks: &[&SignedBlock],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError> {
        if blocks.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        // Check the whole batch links before writing anything.
        let mut head = self.head;
        let mut refs = Vec::with_capacity(blocks.len());
        for block in blocks {
            let r = BlockRef::of(block);
            if r.height != head.height + 1 || block.block.header.parent_hash != head.hash {
                return Err(StoreError::NotContiguous(format!(
                    "block {} ({}) does not extend head {} ({})",
                    r.height, r.hash, head.height, head.hash
                )));
            }
            refs.push(r);
            head = r;
        }
        if let Some(cp) = &checkpoint
            && cp.head != head
        {
            return Err(StoreError::NotContiguous(format!(
                "checkpoint at {} is not the batch's head {}",
                cp.head.height, head.height
            )));
        }
        let mut txn = self.db.begin_write().map_err(io)?;
        txn.set_durability(if checkpoint.is_some() {
            Durability::Immediate
        } else {
            Durability::None
        })
        .map_err(io)?;
        {
            let mut table = txn.open_table(BLOCKS).map_err(io)?;
            let mut heights = txn.open_table(HEIGHTS).map_err(io)?;
            for (block, r) in blocks.iter().zip(&refs) {
                table
                    .insert(r.height, encode(block).as_slice())
                    .map_err(io)?;
                heights.insert(r.hash.as_bytes(), r.height).map_err(io)?;
            }
            let mut meta = txn.open_table(META).map_err(io)?;
            meta.insert(META_HEAD, encode(&head).as_slice())
                .map_err(io)?;
            if let Some(cp) = &checkpoint {
                let mut cps = txn.open_table(CHECKPOINTS).map_err(io)?;
                cps.insert(cp.head.height, encode(cp).as_slice())
                    .map_err(io)?;
            }
        }
        txn.commit().map_err(io)?;
        self.head = head;
        Ok(())
    }

    fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(CHECKPOINTS).map_err(io)?;
        match table.last().map_err(io)? {
            None => Ok(None),
            Some((_, v)) => decode(v.value(), 256)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("checkpoint: {e}"))),
        }
    }
}

//! The redb chain store: one file holding blocks by height, heights by hash, the head, the chain's identity and
//! checkpoints. Every import is one write transaction, so after a crash the file holds all of a batch or none.
//!
//! Durability: a batch that carries a checkpoint commits with `Durability::Immediate` (fsync, ~0.2–0.3 ms here);
//! other batches commit with `Durability::None` and become durable with the next checkpoint. A crash loses at
//! most the blocks since the last checkpoint (the engine writes one at least every `checkpoint_every_blocks` /
//! `checkpoint_every_ms`), never the store's consistency. The newest [`DEFAULT_KEEP_CHECKPOINTS`] checkpoints are
//! kept, older ones pruned in the same transaction.
//!
//! Opening a store runs the boot-time consistency check of `recover.rs` and rolls back to the newest consistent
//! checkpoint when it fails. A new store is created under a temporary name and renamed into place after its
//! first durable commit, so a crash while creating it leaves no half-made store.
//!
//! Range reads (serving peers, `encoded_range`) go through the [`BlockCache`] (cache.rs): the encodings of the
//! blocks last read, bounded by bytes, shared with the answers that carry them.

use std::path::Path;
use std::sync::Arc;

use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Checkpoint, Height, ImportBlock, LowestBlock, SignedBlock,
    StoreError, decode, encode, link_batch,
};
pub mod approvals;
mod backfill;
pub mod cache;
pub mod chain_dir;
mod recover;
pub mod verify;

pub use cache::{BLOCK_CACHE_BYTES, BlockCache};
pub use recover::Recovery;

use bytes::Bytes;

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    TableHandle,
};

const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Checkpoints by height (v2: with parent hash and target; the v1 table of older stores is ignored).
const CHECKPOINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoints_v2");

const META_CHAIN_ID: &str = "chain_id";
const META_GENESIS: &str = "genesis_hash";
const META_HEAD: &str = "head";
/// The lowest block a checkpoint-synced store holds: its trusted checkpoint block at first, moved down as the
/// backfill stores the history below it, in the same transaction (absent: the store holds its chain from genesis,
/// from the start or once the backfill reached it).
const META_ANCHOR: &str = "anchor";

/// Checkpoints kept by default (`max_checkpoints`).
pub const DEFAULT_KEEP_CHECKPOINTS: usize = 10;

/// Name of the store file inside a chain or node directory.
pub const STORE_FILE: &str = "chain.redb";

/// redb's page cache (its default is 1 GiB, which lets a node's memory grow with its chain). Blocks are appended
/// at the right edge of their table and read back in ranges, so a small cache holds the working set; the
/// hash → height index is the one random-access table (≈ 40 bytes an entry).
pub const STORE_CACHE_BYTES: usize = 16 << 20;

/// A redb builder with ecsync's settings.
fn builder() -> redb::Builder {
    let mut builder = Database::builder();
    builder.set_cache_size(STORE_CACHE_BYTES);
    builder
}
/// Name of the spec file inside a chain or node directory.
pub const SPEC_FILE: &str = "spec.json";

/// A chain store over one redb file.
pub struct RedbStore {
    db: Arc<Database>,
    spec: ChainSpec,
    head: BlockRef,
    /// The block the store starts from: genesis, or the trusted checkpoint of a checkpoint sync (moved down by
    /// the backfill).
    anchor: BlockRef,
    /// The anchor with what the block below it must be (its parent hash and approval root; zero at genesis).
    lowest: LowestBlock,
    /// Checkpoints kept; older ones are pruned when a new one is written.
    keep_checkpoints: usize,
    /// What the boot-time check did, if it had to repair the store.
    recovery: Option<Recovery>,
    /// Recently read encodings, shared with the readers (cache.rs).
    cache: Arc<BlockCache>,
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
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(path.display().to_string()),
        other => StoreError::Corrupt(format!("{}: {other}", path.display())),
    }
}

/// Stores written before checkpoints recorded their parent hash and target have a `checkpoints` table in the old
/// format: it is dropped and the new table created (the boot-time check then checkpoints the head).
fn migrate_checkpoints(db: &Database) -> Result<(), StoreError> {
    const OLD: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoints");
    let names: Vec<String> = {
        let txn = db.begin_read().map_err(io)?;
        txn.list_tables()
            .map_err(io)?
            .map(|t| t.name().to_string())
            .collect()
    };
    if names.iter().any(|n| n == CHECKPOINTS.name()) {
        return Ok(());
    }
    let mut txn = db.begin_write().map_err(io)?;
    txn.set_durability(Durability::Immediate).map_err(io)?;
    txn.open_table(CHECKPOINTS).map_err(io)?;
    if names.iter().any(|n| n == OLD.name()) {
        txn.delete_table(OLD).map_err(io)?;
    }
    txn.commit().map_err(io)
}

/// The head of a new store: `genesis` (which must be the spec's) or the spec's genesis reference.
fn genesis_head(spec: &ChainSpec, genesis: Option<&SignedBlock>) -> Result<BlockRef, StoreError> {
    let Some(g) = genesis else {
        return Ok(spec.genesis_ref());
    };
    let r = BlockRef::of(g);
    if r.height != 0 || r.slot != 0 || r.hash != spec.genesis_hash {
        return Err(StoreError::NotContiguous(format!(
            "genesis block {} at height {} is not the spec's genesis {}",
            r.hash, r.height, spec.genesis_hash
        )));
    }
    Ok(r)
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
    /// 0; its hash must be the spec's. The head starts at genesis. The file is made as `path.tmp` and renamed to
    /// `path` after its first durable commit.
    pub fn create(
        path: &Path,
        spec: &ChainSpec,
        genesis: Option<&SignedBlock>,
    ) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::Io(format!("{} already exists", path.display())));
        }
        let head = genesis_head(spec, genesis)?;
        let tmp = crate::util::fs::temp_path(path);
        if tmp.exists() {
            std::fs::remove_file(&tmp)
                .map_err(|e| StoreError::Io(format!("{}: {e}", tmp.display())))?;
        }
        let db = guarded_open(&tmp, || builder().create(&tmp))?;
        let store = Self::init(db, spec, genesis, head)?;
        std::fs::rename(&tmp, path)
            .and_then(|()| crate::util::fs::sync_parent(path))
            .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        Ok(store)
    }

    /// A store held in memory (for simulations, benches and fuzz harnesses): the same tables and transactions, no
    /// file.
    pub fn in_memory(spec: &ChainSpec, genesis: Option<&SignedBlock>) -> Result<Self, StoreError> {
        let head = genesis_head(spec, genesis)?;
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
            if let Some(g) = genesis {
                blocks.insert(0, encode(g).as_slice()).map_err(io)?;
            }
            txn.open_table(CHECKPOINTS).map_err(io)?;
        }
        txn.commit().map_err(io)?;
        Ok(Self {
            db: Arc::new(db),
            spec: spec.clone(),
            head,
            anchor: head,
            lowest: LowestBlock::genesis(spec.genesis_hash),
            keep_checkpoints: DEFAULT_KEEP_CHECKPOINTS,
            recovery: None,
            cache: Arc::new(BlockCache::new(BLOCK_CACHE_BYTES)),
        })
    }

    /// Opens an existing store, checks that it holds `spec`'s chain, and runs the boot-time consistency check
    /// (rolling back to the newest consistent checkpoint if it fails; see [`RedbStore::recovery`]). A file
    /// created but never committed to (a crash during an older version's create) is initialised.
    pub fn open(path: &Path, spec: &ChainSpec) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Io(format!("{}: no such file", path.display())));
        }
        let db = guarded_open(path, || builder().open(path))?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("{}: {what}", path.display()));
        let never_committed = {
            let txn = db.begin_read().map_err(io)?;
            let tables = txn.list_tables().map_err(io)?.count();
            tables == 0
        };
        if never_committed {
            tracing::warn!(
                "store {}: created but never committed to (a crash while creating it); initialised",
                path.display()
            );
            return Self::init(db, spec, None, spec.genesis_ref());
        }
        let (chain_id, genesis, head, anchor) = {
            let txn = db.begin_read().map_err(io)?;
            let meta = txn.open_table(META).map_err(|_| corrupt("no meta table"))?;
            let get = |key: &str| -> Result<Option<Vec<u8>>, StoreError> {
                Ok(meta.get(key).map_err(io)?.map(|v| v.value().to_vec()))
            };
            let need = |key: &str| get(key)?.ok_or_else(|| corrupt(&format!("missing {key}")));
            let chain_id = u64::from_le_bytes(
                need(META_CHAIN_ID)?
                    .try_into()
                    .map_err(|_| corrupt("bad chain id"))?,
            );
            let genesis = ecsync_components::Hash32::from_slice(&need(META_GENESIS)?)
                .ok_or_else(|| corrupt("bad genesis hash"))?;
            // A damaged head is repaired by the check below; a damaged anchor is not repairable.
            let head: Option<BlockRef> = get(META_HEAD)?.and_then(|b| decode(&b, 64).ok());
            let anchor: Option<BlockRef> = match get(META_ANCHOR)? {
                None => None,
                Some(b) => Some(decode(&b, 64).map_err(|_| corrupt("bad anchor"))?),
            };
            (chain_id, genesis, head, anchor)
        };
        if chain_id != spec.chain_id || genesis != spec.genesis_hash {
            return Err(StoreError::OtherChain {
                chain: spec.chain_id,
                genesis: spec.genesis_hash.to_hex(),
                found_chain: chain_id,
                found_genesis: genesis.to_hex(),
            });
        }
        migrate_checkpoints(&db)?;
        let anchor = anchor.unwrap_or_else(|| spec.genesis_ref());
        let mut store = Self {
            db: Arc::new(db),
            spec: spec.clone(),
            head: head.unwrap_or(anchor),
            anchor,
            lowest: LowestBlock::genesis(spec.genesis_hash),
            keep_checkpoints: DEFAULT_KEEP_CHECKPOINTS,
            recovery: None,
            cache: Arc::new(BlockCache::new(BLOCK_CACHE_BYTES)),
        };
        store.recovery = recover::check_and_repair(&mut store, head)?;
        store.lowest = backfill::lowest_of(&store)?;
        if let Some(r) = &store.recovery {
            tracing::warn!("store {}: {r}", path.display());
        }
        Ok(store)
    }

    /// Opens `path` if it exists, else creates it (without a genesis body).
    pub fn open_or_create(path: &Path, spec: &ChainSpec) -> Result<Self, StoreError> {
        if path.exists() {
            Self::open(path, spec)
        } else {
            Self::create(path, spec, None)
        }
    }

    /// Keeps the newest `n` checkpoints (at least 1) from the next one written on.
    pub fn keep_checkpoints(&mut self, n: usize) {
        self.keep_checkpoints = n.max(1);
    }

    /// What the boot-time check repaired when the store was opened, if anything.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The block the store starts from: genesis, or the trusted block of a checkpoint sync.
    pub fn anchor(&self) -> BlockRef {
        self.anchor
    }

    /// Every checkpoint, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(CHECKPOINTS).map_err(io)?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(io)? {
            let (_, v) = entry.map_err(io)?;
            out.push(
                decode(v.value(), 256)
                    .map_err(|e| StoreError::Corrupt(format!("checkpoint: {e}")))?,
            );
        }
        Ok(out)
    }

    /// Makes an EMPTY store (head at genesis, no block above it) start from `block`, the trusted block of a
    /// checkpoint sync: it is stored (its given bytes), becomes the head and the anchor, with a durable
    /// checkpoint. Blocks below it are never stored.
    pub fn start_from(&mut self, block: ImportBlock<'_>, now_ms: u64) -> Result<(), StoreError> {
        if self.head.height != 0 {
            return Err(StoreError::NotContiguous(format!(
                "a checkpoint start needs an empty store; this one is at height {}",
                self.head.height
            )));
        }
        block.check();
        let r = block.block_ref();
        let checkpoint = Checkpoint::of(block.block, r.hash, now_ms, r.height);
        let mut txn = self.db.begin_write().map_err(io)?;
        txn.set_durability(Durability::Immediate).map_err(io)?;
        {
            let mut blocks = txn.open_table(BLOCKS).map_err(io)?;
            blocks.insert(r.height, block.bytes).map_err(io)?;
            let mut meta = txn.open_table(META).map_err(io)?;
            meta.insert(META_HEAD, encode(&r).as_slice()).map_err(io)?;
            meta.insert(META_ANCHOR, encode(&r).as_slice())
                .map_err(io)?;
            let mut cps = txn.open_table(CHECKPOINTS).map_err(io)?;
            cps.insert(r.height, encode(&checkpoint).as_slice())
                .map_err(io)?;
        }
        txn.commit().map_err(io)?;
        self.head = r;
        self.anchor = r;
        self.lowest = LowestBlock::of(block.block, r.hash);
        Ok(())
    }

    /// The spec this store was opened with.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
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
/// writes: redb readers see the last committed transaction. Ranges are read through the store's [`BlockCache`].
#[derive(Clone)]
pub struct StoreReader {
    db: Arc<Database>,
    spec: ChainSpec,
    cache: Arc<BlockCache>,
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
        read_range(&self.db, &self.cache, start, count, max_bytes).map(owned)
    }

    /// Like [`StoreReader::encoded_range`], each encoding shared with the block cache (no copy when cached).
    pub fn shared_range(
        &self,
        start: Height,
        count: u64,
        max_bytes: usize,
    ) -> Result<Vec<Bytes>, StoreError> {
        read_range(&self.db, &self.cache, start, count, max_bytes)
    }

    /// The block cache the reads go through.
    pub fn block_cache(&self) -> &BlockCache {
        &self.cache
    }

    /// The spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }
}

/// Encodings as owned vectors (a copy of those the cache shares).
fn owned(blocks: Vec<Bytes>) -> Vec<Vec<u8>> {
    blocks.into_iter().map(Vec::from).collect()
}

/// Encoded blocks `start..start+count`: consecutive from `start` (a gap ends the range), at most `max_bytes` in
/// total but at least the first. Runs of cached blocks come from `cache`; each part between them from a redb read
/// transaction begun after the cache was looked up, so that the part's last block and the cached run after it are
/// of one committed state (a block's approval is its child's `parent_approval`); what it reads enters the cache
/// but a block whose child it did not see (the head, which the next import may store again).
fn read_range(
    db: &Database,
    cache: &BlockCache,
    start: Height,
    count: u64,
    max_bytes: usize,
) -> Result<Vec<Bytes>, StoreError> {
    let end = start.saturating_add(count);
    let (mut out, mut total) = (Vec::new(), 0usize);
    let mut at = start;
    loop {
        let run = cache.take_run(at, end, max_bytes, &mut out, &mut total);
        if run.complete {
            return Ok(out);
        }
        // The blocks of `out` are the heights from `start` on, all below `end`.
        at = start + out.len() as u64;
        let stop = run.resume.unwrap_or(end);
        // Begun after the lookup: it holds the cached block `stop` (committed before it) and, a rollback after
        // the lookup aside (which changes the generation), nothing the cache does not.
        let txn = db.begin_read().map_err(io)?;
        let table = txn.open_table(BLOCKS).map_err(io)?;
        let first = out.len();
        let part = read_stored(&table, at, stop, max_bytes, &mut out, &mut total)?;
        cache.fill(run.generation, at, &out[first..first + part.settled]);
        if !part.whole || stop == end {
            return Ok(out);
        }
        at = stop;
    }
}

/// What [`read_stored`] read.
struct Part {
    /// Every height of the part was read.
    whole: bool,
    /// How many of the blocks read had their child in the transaction (their encoding is final).
    settled: usize,
}

/// Appends the stored blocks `at..stop` to `out` (whose bytes `total` counts) while they are consecutive and
/// within `max_bytes` (but the first block of `out` always); looks at the entry after the last one read, to know
/// whether that block's child is stored.
fn read_stored(
    table: &redb::ReadOnlyTable<u64, &[u8]>,
    at: Height,
    stop: Height,
    max_bytes: usize,
    out: &mut Vec<Bytes>,
    total: &mut usize,
) -> Result<Part, StoreError> {
    let first = out.len();
    // The height each entry must have. Counted by hand, not with `(at..)`, which would step past u64::MAX for a
    // request starting there.
    let mut expected = Some(at);
    let mut child_seen = false;
    for entry in table.range(at..=stop).map_err(io)? {
        let (k, v) = entry.map_err(io)?;
        if Some(k.value()) != expected {
            break;
        }
        // The next block is stored: the last one read is settled, whether this one is read or not.
        child_seen = true;
        let bytes = v.value();
        if k.value() == stop || (!out.is_empty() && *total + bytes.len() > max_bytes) {
            break;
        }
        child_seen = false;
        expected = k.value().checked_add(1);
        *total += bytes.len();
        out.push(Bytes::copy_from_slice(bytes));
    }
    let read = out.len() - first;
    Ok(Part {
        whole: expected == Some(stop),
        settled: if child_seen {
            read
        } else {
            read.saturating_sub(1)
        },
    })
}

/// For each block of `blocks` (already inserted, in order) that carries one, its parent is stored again with it
/// when it holds another: the head a batch builds on when this node took another valid certificate of it (gossip,
/// a range's top, its own decision), or a block of the batch whose server sent another one (the rules refuse that
/// before the import; here it is only made impossible to store). A comparison per block (the batch's own blocks
/// are at hand), one read and decode of the head per batch, an encode only on a rewrite. Returns the heights
/// rewritten (the block cache forgets them).
fn keep_canonical_approvals(
    table: &mut redb::Table<u64, &[u8]>,
    blocks: &[ImportBlock<'_>],
    max_block_bytes: usize,
) -> Result<Vec<Height>, StoreError> {
    let mut rewritten = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Some(canonical) = &block.block.block.parent_approval else {
            continue;
        };
        let parent = block.height() - 1;
        let mut old = match i.checked_sub(1).map(|p| blocks[p].block) {
            Some(p) if p.approval == *canonical => continue,
            Some(p) => p.clone(),
            None => {
                let Some(stored) = table.get(parent).map_err(io)? else {
                    continue;
                };
                decode::<SignedBlock>(stored.value(), max_block_bytes)
                    .map_err(|e| StoreError::Corrupt(format!("block {parent}: {e}")))?
            }
        };
        if old.approval == *canonical {
            continue;
        }
        old.approval = canonical.clone();
        table.insert(parent, encode(&old).as_slice()).map_err(io)?;
        rewritten.push(parent);
    }
    Ok(rewritten)
}

impl RedbStore {
    /// A reader sharing this store's database and block cache.
    pub fn reader(&self) -> StoreReader {
        StoreReader {
            db: Arc::clone(&self.db),
            spec: self.spec.clone(),
            cache: Arc::clone(&self.cache),
        }
    }

    /// The block cache in front of this store's reads.
    pub fn block_cache(&self) -> &BlockCache {
        &self.cache
    }

    /// The block cache, shared (for its metrics).
    pub fn shared_block_cache(&self) -> Arc<BlockCache> {
        Arc::clone(&self.cache)
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
        read_range(&self.db, &self.cache, start, count, max_bytes).map(owned)
    }

    fn import_batch(
        &mut self,
        blocks: &[ImportBlock<'_>],
        checkpoint: Option<Checkpoint>,
    ) -> Result<(), StoreError> {
        if blocks.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        // Check the whole batch links (by the hashes it carries) before writing anything.
        let (refs, head) = link_batch(self.head, blocks, checkpoint.as_ref())?;
        let mut txn = self.db.begin_write().map_err(io)?;
        txn.set_durability(if checkpoint.is_some() {
            Durability::Immediate
        } else {
            Durability::None
        })
        .map_err(io)?;
        let rewritten;
        {
            let mut table = txn.open_table(BLOCKS).map_err(io)?;
            // The canonical bytes as given (a downloaded block's wire bytes): nothing is encoded again.
            for (block, r) in blocks.iter().zip(&refs) {
                table.insert(r.height, block.bytes).map_err(io)?;
            }
            rewritten =
                keep_canonical_approvals(&mut table, blocks, self.spec.max_block_bytes as usize)?;
            let mut meta = txn.open_table(META).map_err(io)?;
            meta.insert(META_HEAD, encode(&head).as_slice())
                .map_err(io)?;
            if let Some(cp) = &checkpoint {
                let mut cps = txn.open_table(CHECKPOINTS).map_err(io)?;
                cps.insert(cp.head.height, encode(cp).as_slice())
                    .map_err(io)?;
                while cps.len().map_err(io)? > self.keep_checkpoints as u64 {
                    cps.pop_first().map_err(io)?;
                }
            }
        }
        txn.commit().map_err(io)?;
        self.head = head;
        if !rewritten.is_empty() {
            self.cache.forget(&rewritten);
        }
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

    fn lowest(&self) -> Result<Option<LowestBlock>, StoreError> {
        Ok((self.anchor.height > 0).then_some(self.lowest))
    }

    fn backfill(&mut self, blocks: &[ImportBlock<'_>], durable: bool) -> Result<(), StoreError> {
        backfill::write(self, blocks, durable)
    }
}

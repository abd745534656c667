//! Chain directories on disk: `spec.json` + `chain.redb`. Generating one and opening one.

use std::path::{Path, PathBuf};

use ecsync_components::{
    BlockRef, ChainSpec, ChainStore, Checkpoint, EncodedBlock, SpecError, StoreError, imports,
};
use ecsync_systems::chaingen::{ChainGenerator, GenError, GenParams};

use crate::store::{RedbStore, SPEC_FILE, STORE_FILE};
use crate::util::clock::unix_now_ms;
use crate::util::fs::IoError;

/// Why a chain directory could not be generated, opened or read.
#[derive(Debug, thiserror::Error)]
pub enum ChainDirError {
    /// The path is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(String),
    /// `chain generate` into a directory that already holds a chain.
    #[error("{0} already holds a chain")]
    AlreadyHoldsChain(String),
    /// A file could not be read, written or created.
    #[error(transparent)]
    Io(#[from] IoError),
    /// `generator.json` is not the generator's parameters.
    #[error("malformed {path}")]
    Generator {
        /// The file.
        path: String,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
    /// The spec file.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The generator's parameters.
    #[error(transparent)]
    Params(#[from] GenError),
}

/// Name of the generator parameters file beside a generated chain.
pub const GENERATOR_FILE: &str = "generator.json";

/// Reads `DIR/generator.json`, if the chain was generated.
pub fn load_generator(dir: &Path) -> Result<Option<GenParams>, ChainDirError> {
    let path = dir.join(GENERATOR_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let json = std::fs::read_to_string(&path).map_err(IoError::on("read", path.display()))?;
    let params = serde_json::from_str(&json).map_err(|source| ChainDirError::Generator {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Some(params))
}

/// Blocks generated, signed and imported per transaction.
const GENERATE_CHUNK: usize = 2048;

/// Reads, parses and checks a spec file. Files over 1 MiB are refused before they are read whole.
pub fn load_spec(path: &Path) -> Result<ChainSpec, SpecError> {
    let shown = path.display().to_string();
    let read_err = |source| SpecError::Read {
        path: shown.clone(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > 1 << 20 {
        return Err(SpecError::Malformed {
            path: shown,
            message: format!("{len} bytes is too large for a spec"),
        });
    }
    let json = std::fs::read_to_string(path).map_err(read_err)?;
    ChainSpec::from_json(&json, &shown)
}

/// `DIR/spec.json` and `DIR/chain.redb`.
pub fn chain_paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join(SPEC_FILE), dir.join(STORE_FILE))
}

/// Opens a chain directory: reads and checks its spec, opens its store for that spec.
pub fn open_chain_dir(dir: &Path) -> Result<(ChainSpec, RedbStore), ChainDirError> {
    if !dir.is_dir() {
        return Err(ChainDirError::NotADirectory(dir.display().to_string()));
    }
    let (spec_path, store_path) = chain_paths(dir);
    let spec = load_spec(&spec_path)?;
    let store = RedbStore::open(&store_path, &spec)?;
    Ok((spec, store))
}

/// Generates the chain of `params` with `blocks` blocks after genesis into `dir`; `progress` is called with the
/// number of blocks done so far. Returns the head.
pub fn generate_chain(
    dir: &Path,
    params: GenParams,
    blocks: u64,
    mut progress: impl FnMut(u64),
) -> Result<BlockRef, ChainDirError> {
    let generator = ChainGenerator::new(params)?;
    std::fs::create_dir_all(dir).map_err(IoError::on("create", dir.display()))?;
    let (spec_path, store_path) = chain_paths(dir);
    if store_path.exists() {
        return Err(ChainDirError::AlreadyHoldsChain(dir.display().to_string()));
    }
    crate::util::fs::write_atomic(&spec_path, generator.spec().to_json().as_bytes(), false)
        .map_err(IoError::on("write", spec_path.display()))?;
    let gen_path = dir.join(GENERATOR_FILE);
    let gen_json = serde_json::to_string_pretty(generator.params()).expect("params serialize");
    // The dev federation's seed: every secret key derives from it (mode 0600).
    crate::util::fs::write_atomic(&gen_path, gen_json.as_bytes(), true)
        .map_err(IoError::on("write", gen_path.display()))?;
    let mut store = RedbStore::create(&store_path, generator.spec(), Some(generator.genesis()))?;
    let mut parent = generator.genesis().clone();
    let mut done = 0u64;
    while done < blocks {
        let n = (blocks - done).min(GENERATE_CHUNK as u64) as usize;
        let batch = EncodedBlock::all(generator.extend(&parent, n));
        done += n as u64;
        let last = batch.last().expect("n > 0");
        let checkpoint =
            (done == blocks).then(|| Checkpoint::of(&last.block, last.hash, unix_now_ms(), done));
        store.import_batch(&imports(&batch), checkpoint)?;
        parent = last.block.clone();
        progress(done);
    }
    Ok(store.head()?)
}

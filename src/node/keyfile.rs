//! A federation member's key file: `ecsync chain keys` writes it, `ecsync node --authority-keys FILE` reads it.
//!
//! JSON: `{"chain_id": …, "genesis_hash": "0x…", "keys": [{"authority": 0, "secret_key": "0x…"}]}`, created
//! with mode 0600 and never overwritten. Reading refuses a file larger than [`MAX_KEY_FILE_BYTES`], one that
//! group or others may read (as ssh does), one of another chain, and keys that are not the spec's authorities'.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use ecsync_components::{ChainSpec, Hash32};
use ecsync_systems::consensus::{Federation, MemberKeys};
use serde::{Deserialize, Serialize};

/// The largest key file read (64 authorities take about 6 KB).
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// The file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// The chain these keys sign for.
    pub chain_id: u64,
    /// Its genesis.
    pub genesis_hash: Hash32,
    /// The member's authorities.
    pub keys: Vec<KeyEntry>,
}

/// One authority's secret key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// Its index in the spec's authorities.
    pub authority: usize,
    /// 32 bytes, big-endian, hex with `0x`.
    pub secret_key: String,
}

/// The key file of `authorities` of a dev federation (`federation`, of `spec`'s chain).
pub fn dev_key_file(spec: &ChainSpec, federation: &Federation, authorities: &[usize]) -> KeyFile {
    KeyFile {
        chain_id: spec.chain_id,
        genesis_hash: spec.genesis_hash,
        keys: authorities
            .iter()
            .map(|&authority| KeyEntry {
                authority,
                secret_key: format!("0x{}", hex::encode(federation.secret_key_bytes(authority))),
            })
            .collect(),
    }
}

/// Writes `file` to a NEW file at `path`, readable by its owner only.
pub fn write_key_file(path: &Path, file: &KeyFile) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} exists; a key file is never overwritten", path.display())
        } else {
            anyhow::anyhow!("cannot create {}: {e}", path.display())
        }
    })?;
    let json = serde_json::to_vec_pretty(file)?;
    out.write_all(&json)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Reads and checks the key file at `path` against `spec`: the member's keys.
pub fn load_member_keys(path: &Path, spec: &ChainSpec) -> anyhow::Result<MemberKeys> {
    let what = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {what}"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot stat {what}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{what} holds secret keys but group or others may read it (mode {mode:o}): chmod 600 {what}"
            );
        }
    }
    if meta.len() > MAX_KEY_FILE_BYTES {
        bail!(
            "{what} is {} bytes, more than a key file's {MAX_KEY_FILE_BYTES}",
            meta.len()
        );
    }
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {what}"))?;
    let parsed: KeyFile =
        serde_json::from_str(&text).with_context(|| format!("{what} is not a key file"))?;
    if parsed.chain_id != spec.chain_id || parsed.genesis_hash != spec.genesis_hash {
        bail!(
            "{what} holds keys of chain {} (genesis {}), not of this chain {} (genesis {})",
            parsed.chain_id,
            parsed.genesis_hash,
            spec.chain_id,
            spec.genesis_hash
        );
    }
    let mut keys = Vec::with_capacity(parsed.keys.len());
    for entry in &parsed.keys {
        let hex_text = entry
            .secret_key
            .strip_prefix("0x")
            .unwrap_or(&entry.secret_key);
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_text, &mut bytes).map_err(|_| {
            anyhow::anyhow!(
                "{what}: the key of authority {} is not 32 bytes of hex",
                entry.authority
            )
        })?;
        keys.push((entry.authority, bytes));
    }
    MemberKeys::new(spec, &keys).with_context(|| format!("{what}"))
}

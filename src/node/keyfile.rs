//! A federation member's key file: `ecsync chain keys` writes it, `ecsync node --authority-keys FILE` reads it.
//!
//! JSON: `{"chain_id": …, "genesis_hash": "0x…", "keys": [{"authority": 0, "secret_key": "0x…"}]}`, created
//! with mode 0600 and never overwritten (nor created through a symbolic link). Reading refuses a symbolic link, a
//! file larger than [`MAX_KEY_FILE_BYTES`], one that group or others may read (as ssh does), one of another chain,
//! and keys that are not the spec's authorities'.

use std::io::{Read, Write};
use std::path::Path;

use ecsync_components::{ChainSpec, Hash32};
use ecsync_systems::consensus::{Federation, MemberKeyError, MemberKeys};
use serde::{Deserialize, Serialize};

use crate::util::fs::{IoError, SecretFileError};

/// The largest key file read (64 authorities take about 6 KB).
pub const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Why a key file could not be written or read; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// `write_key_file` never overwrites.
    #[error("{0} exists; a key file is never overwritten")]
    Exists(String),
    /// A file could not be read, written or created.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Group or others may read the secret keys, or it is a symbolic link, or not a file.
    #[error(transparent)]
    Secret(#[from] SecretFileError),
    /// Larger than any key file.
    #[error("{path} is {len} bytes, more than a key file's {MAX_KEY_FILE_BYTES}")]
    TooLarge {
        /// The file.
        path: String,
        /// Its length.
        len: u64,
    },
    /// Not the JSON of a key file.
    #[error("{path} is not a key file")]
    Malformed {
        /// The file.
        path: String,
        /// What the parser said.
        #[source]
        source: serde_json::Error,
    },
    /// Keys of another chain.
    #[error(
        "{path} holds keys of chain {chain_id} (genesis {genesis}), not of this chain {spec_chain_id} (genesis \
         {spec_genesis})"
    )]
    OtherChain {
        /// The file.
        path: String,
        /// The file's chain.
        chain_id: u64,
        /// The file's genesis.
        genesis: Hash32,
        /// This chain.
        spec_chain_id: u64,
        /// This chain's genesis.
        spec_genesis: Hash32,
    },
    /// A key that is not 32 bytes of hex.
    #[error("{path}: the key of authority {authority} is not 32 bytes of hex")]
    BadKey {
        /// The file.
        path: String,
        /// The authority whose key it is.
        authority: usize,
    },
    /// Keys that are not the spec's authorities'.
    #[error("{path}")]
    Keys {
        /// The file.
        path: String,
        /// Which key and why.
        #[source]
        source: MemberKeyError,
    },
}

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
pub fn write_key_file(path: &Path, file: &KeyFile) -> Result<(), KeyFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists(path.display().to_string())
        } else {
            IoError::on("create", path.display())(e).into()
        }
    })?;
    let json = serde_json::to_vec_pretty(file).expect("a key file serializes");
    out.write_all(&json)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.sync_all())
        .map_err(IoError::on("write", path.display()))?;
    Ok(())
}

/// Reads and checks the key file at `path` against `spec`: the member's keys.
pub fn load_member_keys(path: &Path, spec: &ChainSpec) -> Result<MemberKeys, KeyFileError> {
    let parsed = read_key_file(path)?;
    let what = path.display().to_string();
    if parsed.chain_id != spec.chain_id || parsed.genesis_hash != spec.genesis_hash {
        return Err(KeyFileError::OtherChain {
            path: what,
            chain_id: parsed.chain_id,
            genesis: parsed.genesis_hash,
            spec_chain_id: spec.chain_id,
            spec_genesis: spec.genesis_hash,
        });
    }
    let mut keys = Vec::with_capacity(parsed.keys.len());
    for entry in &parsed.keys {
        let hex_text = entry
            .secret_key
            .strip_prefix("0x")
            .unwrap_or(&entry.secret_key);
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_text, &mut bytes).map_err(|_| KeyFileError::BadKey {
            path: what.clone(),
            authority: entry.authority,
        })?;
        keys.push((entry.authority, bytes));
    }
    MemberKeys::new(spec, &keys).map_err(|source| KeyFileError::Keys { path: what, source })
}

/// Reads and parses the key file at `path`, refusing a link, one that others may read, or one too large.
fn read_key_file(path: &Path) -> Result<KeyFile, KeyFileError> {
    let what = path.display().to_string();
    let Some(file) = crate::util::fs::open_secret(path, std::fs::OpenOptions::new().read(true))?
    else {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        return Err(IoError::on("open", path.display())(missing).into());
    };
    let meta = file
        .metadata()
        .map_err(IoError::on("stat", path.display()))?;
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(KeyFileError::TooLarge {
            path: what,
            len: meta.len(),
        });
    }
    let mut text = String::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(IoError::on("read", path.display()))?;
    serde_json::from_str(&text).map_err(|source| KeyFileError::Malformed { path: what, source })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn file() -> KeyFile {
        KeyFile {
            chain_id: 7,
            genesis_hash: Hash32([1; 32]),
            keys: vec![KeyEntry {
                authority: 0,
                secret_key: format!("0x{}", "11".repeat(32)),
            }],
        }
    }

    #[test]
    fn a_key_file_is_read_only_when_private_and_not_through_a_link() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("member.keys");
        write_key_file(&path, &file()).unwrap();
        assert_eq!(read_key_file(&path).unwrap().chain_id, 7);
        let link = t.path().join("link.keys");
        symlink(&path, &link).unwrap();
        let e = read_key_file(&link).unwrap_err();
        assert!(
            matches!(e, KeyFileError::Secret(SecretFileError::Symlink { .. })),
            "{e:?}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = read_key_file(&path).unwrap_err().to_string();
        assert!(e.contains(&format!("chmod 600 {}", path.display())), "{e}");
    }

    #[test]
    fn a_key_file_is_never_written_through_a_link() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("elsewhere");
        let link = t.path().join("member.keys");
        symlink(&target, &link).unwrap();
        let e = write_key_file(&link, &file()).unwrap_err();
        assert!(matches!(e, KeyFileError::Exists(_)), "{e:?}");
        assert!(!target.exists(), "written through the link");
    }
}

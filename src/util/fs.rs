//! Files the node writes, written atomically: a temporary file beside the target, synced, then renamed over it and
//! the directory synced. A crash leaves the old file or the new one, never a torn one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file, directory or thread operation that failed: what was tried, on what, and the OS's reason. The one IO
/// error the typed errors of the crate's edges carry (`NodeError`, `NetworkError`, `ChainDirError`,
/// `KeyFileError`).
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {what}")]
pub struct IoError {
    /// What was tried: "read", "write", "create", …
    pub action: &'static str,
    /// On what: a path, or a thread's name.
    pub what: String,
    /// The OS's reason.
    #[source]
    pub source: std::io::Error,
}

impl IoError {
    /// For `map_err`: the error of `action` on `what`.
    pub fn on(
        action: &'static str,
        what: impl std::fmt::Display,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.to_string();
        move |source| Self {
            action,
            what,
            source,
        }
    }
}

/// The temporary name used while `path` is being written: `path` + `.tmp`.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

/// Writes `bytes` to `path` atomically; `private` makes the file readable by its owner only (mode 0600).
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let tmp = temp_path(path);
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    sync_parent(path)
}

/// Syncs the directory holding `path`, so a rename into it is durable.
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

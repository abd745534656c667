//! Files the node writes, written atomically: a temporary file beside the target, synced, then renamed over it and
//! the directory synced. A crash leaves the old file or the new one, never a torn one. Secret files (the node key,
//! a member's key file, its vote file) are created mode 0600 and refused when group or others may read them
//! or when they are a symbolic link ([`open_secret`]); nothing is written through a link ([`write_atomic`]). A
//! [`NameLock`] is held by one process of the machine at a time.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
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

/// Why a secret file (the node key, a member's key file, its vote file) was refused. Every message names the
/// file.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// Group or others may read it (its mode bits say so: root reads everything, so access(2) would not).
    #[error(
        "{path} is a secret file but group or others may read it (mode {mode:o}): chmod 600 {path}"
    )]
    Readable {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// A symbolic link: followed, it could make the node read a secret someone else planted, or write one where
    /// someone else can read it.
    #[error(
        "{path} is a symbolic link: ecsync reads no secret and writes no file through one; give the file itself"
    )]
    Symlink {
        /// The link.
        path: String,
    },
    /// A directory, a device, a pipe, …
    #[error("{path} is not a regular file")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// Another file was put in its place between the check and the open.
    #[error("{path} was replaced while it was being opened; refusing it")]
    Replaced {
        /// The path.
        path: String,
    },
    /// Larger than any file of its kind.
    #[error("{path} is {len} bytes, more than the {max} such a file holds")]
    TooLarge {
        /// The file.
        path: String,
        /// Its length.
        len: u64,
        /// The most it may hold.
        max: u64,
    },
    /// A file could not be opened, read, created or checked.
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Opens the existing secret file at `path` with `options` (which must not create), or `Ok(None)` when there is
/// none. Refused: a symbolic link (the path is checked, then the opened file must be the one checked, so a link
/// swapped in between is refused too), anything but a regular file, and a file whose mode lets group or others
/// read it. Only the last component of `path` is checked: the directories above it may be links.
pub fn open_secret(path: &Path, options: &OpenOptions) -> Result<Option<File>, SecretFileError> {
    let before = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::on("stat", path.display())(e).into()),
    };
    let shown = || path.display().to_string();
    if before.file_type().is_symlink() {
        return Err(SecretFileError::Symlink { path: shown() });
    }
    if !before.is_file() {
        return Err(SecretFileError::NotAFile { path: shown() });
    }
    let file = options
        .open(path)
        .map_err(IoError::on("open", path.display()))?;
    let opened = file
        .metadata()
        .map_err(IoError::on("stat", path.display()))?;
    check_opened(path, &before, &opened)?;
    Ok(Some(file))
}

/// The opened file is the one checked before (no link swapped in), and only its owner may read it.
#[cfg(unix)]
fn check_opened(
    path: &Path,
    before: &std::fs::Metadata,
    opened: &std::fs::Metadata,
) -> Result<(), SecretFileError> {
    use std::os::unix::fs::MetadataExt;
    let path = path.display().to_string();
    if (before.dev(), before.ino()) != (opened.dev(), opened.ino()) {
        return Err(SecretFileError::Replaced { path });
    }
    let mode = opened.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretFileError::Readable { path, mode });
    }
    Ok(())
}

/// Elsewhere: no mode bits to check.
#[cfg(not(unix))]
fn check_opened(
    _path: &Path,
    _before: &std::fs::Metadata,
    _opened: &std::fs::Metadata,
) -> Result<(), SecretFileError> {
    Ok(())
}

/// Reads the secret file at `path` (as [`open_secret`] checks it), at most `max` bytes; `Ok(None)` when there is
/// none.
pub fn read_secret(path: &Path, max: u64) -> Result<Option<Vec<u8>>, SecretFileError> {
    let Some(file) = open_secret(path, OpenOptions::new().read(true))? else {
        return Ok(None);
    };
    let len = file
        .metadata()
        .map_err(IoError::on("stat", path.display()))?
        .len();
    if len > max {
        return Err(SecretFileError::TooLarge {
            path: path.display().to_string(),
            len,
            max,
        });
    }
    let mut bytes = Vec::new();
    file.take(max)
        .read_to_end(&mut bytes)
        .map_err(IoError::on("read", path.display()))?;
    Ok(Some(bytes))
}

/// Opens the secret file at `path` for reading and writing (as [`open_secret`] checks it), creating it mode 0600
/// if there is none (exclusively: a link planted meanwhile is refused, never followed).
pub fn open_or_create_secret(path: &Path) -> Result<File, SecretFileError> {
    for _ in 0..2 {
        if let Some(file) = open_secret(path, OpenOptions::new().read(true).write(true))? {
            return Ok(file);
        }
        match private_options().read(true).open(path) {
            Ok(file) => return Ok(file),
            // Made meanwhile (by another process, or a link planted): check what is there now.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(IoError::on("create", path.display())(e).into()),
        }
    }
    Err(SecretFileError::Replaced {
        path: path.display().to_string(),
    })
}

/// Options that create a NEW file (O_EXCL: an existing file or link fails the open, a link is never followed),
/// for writing, mode 0600 where there are modes.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Writes `bytes` to `path` atomically; `private` makes the file readable by its owner only (mode 0600). Nothing is
/// written through a symbolic link: `path` being one is refused ([`SecretFileError::Symlink`] inside the IO
/// error), a stale temporary file (or anything planted in its place) is removed, and the new one is created
/// exclusively; the rename replaces the directory entry `path` itself, never what a link there points to.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let path = path.display().to_string();
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            SecretFileError::Symlink { path },
        ));
    }
    let tmp = temp_path(path);
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    {
        let mut file = if private {
            private_options().open(&tmp)?
        } else {
            OpenOptions::new().write(true).create_new(true).open(&tmp)?
        };
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

/// A name held by one process of the machine at a time, for as long as the value lives. On Linux an abstract unix
/// socket bound to `ecsync/NAME`: no file, nothing stale, no link to plant, and the kernel frees it when the process
/// ends, however it ends (`kill -9` included). The abstract namespace belongs to the network namespace, so "the
/// machine" is one network namespace (containers with their own network do not see each other's names), and any
/// local user may bind a name first (keeping the holder from starting, never letting two hold it). Elsewhere, a
/// best-effort fallback: an advisory lock (`flock`) on `NAME.lock` in the temp directory ([`NameLock::try_file`]).
#[derive(Debug)]
pub struct NameLock {
    _held: Held,
}

/// What keeps the name: held, never read.
#[derive(Debug)]
#[allow(dead_code)]
enum Held {
    /// The bound socket.
    #[cfg(target_os = "linux")]
    Socket(std::os::unix::net::UnixListener),
    /// The locked file (the fallback).
    File(File),
}

impl NameLock {
    /// Takes `name` (ASCII letters, digits and `-`, at most 90 bytes), or `Ok(None)` when another holder (this
    /// process included) has it.
    pub fn try_take(name: &str) -> Result<Option<Self>, IoError> {
        #[cfg(target_os = "linux")]
        {
            use std::os::linux::net::SocketAddrExt;
            use std::os::unix::net::{SocketAddr, UnixListener};
            let what = format!("the lock socket @ecsync/{name}");
            let addr = SocketAddr::from_abstract_name(format!("ecsync/{name}"))
                .map_err(IoError::on("name", &what))?;
            match UnixListener::bind_addr(&addr) {
                Ok(socket) => Ok(Some(Self {
                    _held: Held::Socket(socket),
                })),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Ok(None),
                Err(e) => Err(IoError::on("bind", what)(e)),
            }
        }
        #[cfg(not(target_os = "linux"))]
        Self::try_file(&std::env::temp_dir(), name)
    }

    /// The fallback: an advisory lock on `dir/NAME.lock` (created mode 0600 if missing, kept afterwards; a link
    /// there is refused). Released when the process ends. Best effort: every process must use the same `dir`.
    pub fn try_file(dir: &Path, name: &str) -> Result<Option<Self>, IoError> {
        let path = dir.join(format!("{name}.lock"));
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            let shown = path.display().to_string();
            return Err(IoError::on("lock", shown.clone())(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                SecretFileError::Symlink { path: shown },
            )));
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(IoError::on("open", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self {
                _held: Held::File(file),
            })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(IoError::on("lock", path.display())(e)),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// `dir/victim`, holding "precious": what a planted link points to.
    fn victim(dir: &Path) -> PathBuf {
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").unwrap();
        victim
    }

    #[test]
    fn write_atomic_refuses_a_symlinked_target() {
        let t = tempfile::tempdir().unwrap();
        let victim = victim(t.path());
        let link = t.path().join("spec.json");
        symlink(&victim, &link).unwrap();
        for private in [false, true] {
            let e = write_atomic(&link, b"new", private).unwrap_err();
            let inner = e
                .get_ref()
                .and_then(|i| i.downcast_ref::<SecretFileError>());
            assert!(
                matches!(inner, Some(SecretFileError::Symlink { .. })),
                "{e:?}"
            );
            assert!(e.to_string().contains("is a symbolic link"), "{e}");
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(!temp_path(&link).exists());
    }

    #[test]
    fn write_atomic_removes_a_planted_temp_and_makes_a_private_file() {
        let t = tempfile::tempdir().unwrap();
        let victim = victim(t.path());
        chmod(&victim, 0o644);
        let path = t.path().join("node.key");
        // A link planted at the temporary name is removed, not written through.
        symlink(&victim, temp_path(&path)).unwrap();
        write_atomic(&path, b"key", true).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(mode(&victim), 0o644);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "key");
        assert_eq!(mode(&path), 0o600);
        assert!(!temp_path(&path).exists());
        // A stale temporary file others may read, and a target others may read: the new file is private anyway.
        std::fs::write(temp_path(&path), "stale").unwrap();
        chmod(&temp_path(&path), 0o644);
        chmod(&path, 0o644);
        write_atomic(&path, b"key2", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "key2");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn open_secret_refuses_links_readable_files_and_non_files() {
        let t = tempfile::tempdir().unwrap();
        let read = |p: &Path| open_secret(p, OpenOptions::new().read(true));
        assert!(read(&t.path().join("missing")).unwrap().is_none());
        let secret = t.path().join("secret");
        std::fs::write(&secret, "s").unwrap();
        chmod(&secret, 0o600);
        assert!(read(&secret).unwrap().is_some());
        for open in [0o644, 0o640, 0o604, 0o660] {
            chmod(&secret, open);
            let e = read(&secret).unwrap_err();
            assert!(
                matches!(e, SecretFileError::Readable { mode, .. } if mode == open),
                "{e:?}"
            );
            let hint = format!("chmod 600 {}", secret.display());
            assert!(e.to_string().contains(&hint), "{e}");
        }
        chmod(&secret, 0o400);
        assert!(read(&secret).unwrap().is_some());
        let link = t.path().join("link");
        symlink(&secret, &link).unwrap();
        assert!(matches!(read(&link), Err(SecretFileError::Symlink { .. })));
        assert!(matches!(
            read(t.path()),
            Err(SecretFileError::NotAFile { .. })
        ));
        // Bounded reads.
        chmod(&secret, 0o600);
        std::fs::write(&secret, [7u8; 100]).unwrap();
        assert_eq!(read_secret(&secret, 100).unwrap().unwrap().len(), 100);
        assert!(matches!(
            read_secret(&secret, 99),
            Err(SecretFileError::TooLarge { len: 100, .. })
        ));
    }

    #[test]
    fn open_or_create_secret_creates_private_files_and_never_follows_a_link() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("memory");
        let mut file = open_or_create_secret(&path).unwrap();
        file.write_all(b"x").unwrap();
        drop(file);
        assert_eq!(mode(&path), 0o600);
        // Opened again, not recreated.
        let mut text = String::new();
        open_or_create_secret(&path)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x");
        chmod(&path, 0o644);
        assert!(matches!(
            open_or_create_secret(&path),
            Err(SecretFileError::Readable { .. })
        ));
        // A dangling link: refused, and nothing created where it points.
        let link = t.path().join("dangling");
        let target = t.path().join("target");
        symlink(&target, &link).unwrap();
        assert!(matches!(
            open_or_create_secret(&link),
            Err(SecretFileError::Symlink { .. })
        ));
        assert!(!target.exists());
    }

    /// A name no other test or process uses.
    fn unique(tag: &str) -> String {
        format!(
            "test-{tag}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        )
    }

    #[test]
    fn a_name_is_held_once_until_its_lock_is_dropped() {
        let name = unique("socket");
        let held = NameLock::try_take(&name).unwrap().expect("free");
        assert!(NameLock::try_take(&name).unwrap().is_none(), "taken twice");
        assert!(NameLock::try_take(&unique("other")).unwrap().is_some());
        drop(held);
        assert!(NameLock::try_take(&name).unwrap().is_some(), "not freed");
    }

    #[test]
    fn the_file_fallback_holds_a_name_once_and_refuses_a_link() {
        let t = tempfile::tempdir().unwrap();
        let name = unique("file");
        let held = NameLock::try_file(t.path(), &name).unwrap().expect("free");
        assert!(NameLock::try_file(t.path(), &name).unwrap().is_none());
        drop(held);
        assert!(NameLock::try_file(t.path(), &name).unwrap().is_some());
        assert_eq!(mode(&t.path().join(format!("{name}.lock"))), 0o600);
        let victim = victim(t.path());
        symlink(&victim, t.path().join("linked.lock")).unwrap();
        let e = NameLock::try_file(t.path(), "linked").unwrap_err();
        assert!(format!("{e:#}").contains("lock"), "{e}");
        assert!(
            std::error::Error::source(&e)
                .unwrap()
                .to_string()
                .contains("symbolic link")
        );
    }
}

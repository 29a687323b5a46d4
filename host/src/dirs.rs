//! The per-user directories codemode writes: the compile cache (the
//! compiled guest, see `sandbox`) and the state directory (learned result
//! types, see `shapes`). Both are used only if they are private: a
//! directory owned by this user that nobody else can write to (one created
//! here is 0700). Files are written atomically: a private temporary file in
//! the same directory, synced, then renamed into place, so readers and
//! racing writers in other processes only ever see whole files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// `$CODEMODE_CACHE_DIR`, else `$XDG_CACHE_HOME/codemode`, else
/// `$HOME/.cache/codemode`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    user_dir("CODEMODE_CACHE_DIR", "XDG_CACHE_HOME", &[".cache"])
}

/// `$CODEMODE_STATE_DIR`, else `$XDG_STATE_HOME/codemode`, else
/// `$HOME/.local/state/codemode`.
pub(crate) fn state_dir() -> Option<PathBuf> {
    user_dir("CODEMODE_STATE_DIR", "XDG_STATE_HOME", &[".local", "state"])
}

/// `$own`, else `$xdg/codemode`, else `$HOME/<home...>/codemode`. Empty
/// values are ignored, and so are relative ones but in `$own` (the XDG spec
/// says so).
fn user_dir(own: &str, xdg: &str, home: &[&str]) -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let absolute = |name: &str| var(name).filter(|p| p.is_absolute());
    var(own)
        .or_else(|| absolute(xdg).map(|p| p.join("codemode")))
        .or_else(|| absolute("HOME").map(|p| home.iter().fold(p, |path, part| path.join(part)).join("codemode")))
}

/// Creates `dir` (0700) if needed and checks that only we can write to it.
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)?;
    let meta = fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other("not a directory"));
    }
    private(&meta)
}

/// Owned by this user and not writable by anyone else.
#[cfg(unix)]
pub(crate) fn private(meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(io::Error::other("owned by another user"));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(io::Error::other("writable by other users"));
    }
    Ok(())
}

/// Without Unix permissions there is nothing to check a directory against,
/// so none is used.
#[cfg(not(unix))]
pub(crate) fn private(_: &fs::Metadata) -> io::Result<()> {
    Err(io::Error::other("private directories need Unix permissions"))
}

/// Distinguishes the temporary files of one process's threads.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` (in `dir`) atomically: a private temporary file
/// in `dir`, synced, then renamed over `path`.
pub(crate) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".write-{}-{n}.tmp", std::process::id()));
    let written = write_new(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Creates `path` (0600), which must not exist, with `bytes`, synced.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

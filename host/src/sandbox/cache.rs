//! The compiled guest, cached on disk: compiling the guest with Cranelift
//! takes most of a second, loading the compiled form is an `mmap`. The first
//! executor built with a given engine configuration, Wasmtime version and
//! guest compiles it and stores the result; later ones (in any process) map
//! that file.
//!
//! The cache directory is `$CODEMODE_CACHE_DIR`, else `$XDG_CACHE_HOME/codemode`,
//! else `$HOME/.cache/codemode`. It is only used if it is a directory owned
//! by this user that nobody else can write to (one we create is 0700). Any
//! problem with it (missing and not creatable, not private, a file that
//! fails to load, a failed write) falls back to compiling in memory; a file
//! that fails to load is deleted and replaced.

use crate::dirs::{self, private, private_dir};
use sha2::{Digest, Sha256};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Changes whenever the layout of the cache or its key does.
const FORMAT: &str = "codemode-guest-cache-v1";

/// Where an executor caches the compiled guest.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    /// The directory from the environment (see the module docs).
    Default,
    /// This directory.
    Dir(PathBuf),
    /// No cache: compile in memory, write nothing.
    Off,
}

impl Location {
    /// The directory to use, if any.
    pub(crate) fn resolve(&self) -> Option<PathBuf> {
        match self {
            Location::Default => dirs::cache_dir(),
            Location::Dir(dir) => Some(dir.clone()),
            Location::Off => None,
        }
    }
}

/// The guest compiled for `engine`, and whether it came from the cache.
pub(crate) fn load_or_compile(engine: &Engine, wasm: &[u8], dir: Option<&Path>) -> wasmtime::Result<(Component, bool)> {
    let Some(dir) = dir else {
        return Ok((Component::new(engine, wasm)?, false));
    };
    if let Err(e) = private_dir(dir) {
        tracing::debug!(dir = %dir.display(), "not caching the compiled guest: {e}");
        return Ok((Component::new(engine, wasm)?, false));
    }
    let path = dir.join(format!("guest-{}.cwasm", key(engine, wasm)));
    match load(engine, &path) {
        Ok(Some(component)) => {
            tracing::debug!(path = %path.display(), "loaded the compiled guest from the cache");
            return Ok((component, true));
        }
        Ok(None) => {}
        Err(e) => {
            tracing::debug!(path = %path.display(), "discarding a cached guest that does not load: {e:#}");
            if let Err(e) = fs::remove_file(&path) {
                tracing::debug!(path = %path.display(), "removing it: {e}");
            }
        }
    }
    let component = Component::new(engine, wasm)?;
    match store(&component, dir, &path) {
        Ok(()) => tracing::debug!(path = %path.display(), "cached the compiled guest"),
        Err(e) => tracing::debug!(path = %path.display(), "not caching the compiled guest: {e:#}"),
    }
    Ok((component, false))
}

/// The cache key: SHA-256 of everything the compiled form depends on. The
/// engine's compatibility hash covers the target triple, the Cranelift
/// flags and ISA features, the tunables (fuel, memory layout), the
/// Wasm features and the Wasmtime version; the guest is hashed whole.
fn key(engine: &Engine, wasm: &[u8]) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    FORMAT.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    std::env::consts::ARCH.hash(&mut hasher);
    std::env::consts::OS.hash(&mut hasher);
    wasm.hash(&mut hasher);
    hasher.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds a [`Hash`] implementation into SHA-256 (`finish` is never used).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("only the SHA-256 digest is read")
    }
}

/// The cached component at `path`: `None` if there is none, an error if
/// there is a file but it cannot be used.
fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Option<Component>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !meta.is_file() {
        wasmtime::bail!("not a regular file");
    }
    private(&meta)?;
    deserialize(engine, path).map(Some)
}

/// Maps a compiled guest this module wrote.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: `deserialize_file` maps the file and runs its code, so it must
    // be a compiled component Wasmtime produced and nobody may modify it
    // while it is mapped. Both hold:
    // - Only `store` writes into the cache: it writes the whole of
    //   `Component::serialize` to a fresh temporary file (0600, `create_new`,
    //   synced) and renames it into place, so a file under a cache name is
    //   always complete and is never written again. Replacing or deleting it
    //   (another process discarding a bad file, or racing to store) swaps the
    //   directory entry; a mapping keeps the old inode.
    // - The directory and file were checked just before to be owned by this
    //   user and not writable by anyone else (`private_dir`, `load`); we create
    //   the directory 0700. Anyone who can write there can already run code
    //   as this user.
    // - The name is the SHA-256 of the guest bytes and of the engine's
    //   compilation settings and Wasmtime version (`key`), so the file was
    //   compiled from this guest for an engine configured like this one.
    // - Wasmtime itself checks the header on load (ELF, its version string,
    //   flags, ISA features, tunables, Wasm features) and rejects anything
    //   else; such files are discarded and recompiled by the caller.
    unsafe { Component::deserialize_file(engine, path) }
}

/// Writes `component` to `path` atomically (see [`dirs::write_atomically`]).
/// Processes racing here each rename a complete file; the last one wins and
/// they are identical.
fn store(component: &Component, dir: &Path, path: &Path) -> wasmtime::Result<()> {
    let bytes = component.serialize()?;
    Ok(dirs::write_atomically(dir, path, &bytes)?)
}

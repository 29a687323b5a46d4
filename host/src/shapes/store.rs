//! Learned shapes on disk: one JSON file per server identity in the state
//! directory's `shapes/` folder, so that a later process (`codemode types`,
//! `serve`, `run`) starts with what earlier ones learned.
//!
//! A file is keyed by the server's name in the config and the name and
//! version it reports, so a new server version starts afresh; each tool in it
//! carries a hash of its `inputSchema`, so a changed tool does too. Several
//! processes may learn at once: an update takes the file's lock, reads what
//! is there, adds only what this process learned since its last update, and
//! writes the whole file atomically (see `crate::dirs`). A file that cannot
//! be read as ours (corrupt, foreign, another format) is ignored with a
//! warning and replaced by the next update; it is never fatal. A file stays
//! under [`MAX_FILE_BYTES`]: past it, the tools seen least are dropped.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::shape::Shape;
use crate::dirs;

/// The format of a file; a file of another format is ignored.
const FORMAT: &str = "codemode-shapes-v1";

/// The largest file written.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Which server a file is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerKey {
    /// Its name in the config.
    pub name: String,
    /// The name and version it reports in `initialize` (`serverInfo`).
    pub identity: String,
}

/// What is known of one tool's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Hash of the tool's `inputSchema` when the shape was learned.
    pub input: String,
    /// How many results the shape was learned from.
    pub observations: u32,
    /// The shape.
    pub shape: Shape,
}

#[derive(Serialize, Deserialize)]
struct ShapesFile {
    format: String,
    server: String,
    identity: String,
    tools: BTreeMap<String, Entry>,
}

/// The `shapes/` folder of a state directory.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `state_dir`, created private if needed.
    pub fn open(state_dir: &Path) -> io::Result<Store> {
        dirs::private_dir(state_dir)?;
        let dir = state_dir.join("shapes");
        dirs::private_dir(&dir)?;
        Ok(Store { dir })
    }

    /// Everything stored for `server`: empty when nothing is, or when its
    /// file cannot be used (said in a warning).
    pub fn load(&self, server: &ServerKey) -> BTreeMap<String, Entry> {
        self.read(server).unwrap_or_default()
    }

    /// Adds `learned` (what this process learned since its last update,
    /// by tool) to `server`'s file and returns everything the file now
    /// holds.
    pub fn update(&self, server: &ServerKey, learned: BTreeMap<String, Entry>) -> io::Result<BTreeMap<String, Entry>> {
        let lock = fs::OpenOptions::new().create(true).truncate(false).write(true).open(self.lock_path(server))?;
        lock.lock()?;
        let mut tools = self.read(server).unwrap_or_default();
        for (tool, entry) in learned {
            match tools.get_mut(&tool) {
                Some(stored) if stored.input == entry.input => {
                    stored.shape.merge(entry.shape);
                    stored.shape.fit();
                    stored.observations = stored.observations.saturating_add(entry.observations);
                }
                _ => {
                    tools.insert(tool, entry);
                }
            }
        }
        let bytes = loop {
            let file = ShapesFile {
                format: FORMAT.to_owned(),
                server: server.name.clone(),
                identity: server.identity.clone(),
                tools,
            };
            let bytes = serde_json::to_vec(&file).map_err(io::Error::other)?;
            tools = file.tools;
            if bytes.len() <= MAX_FILE_BYTES || tools.is_empty() {
                break bytes;
            }
            if let Some(least) = tools.iter().min_by_key(|(_, entry)| entry.observations).map(|(tool, _)| tool.clone())
            {
                tools.remove(&least);
            }
        };
        dirs::write_atomically(&self.dir, &self.path(server), &bytes)?;
        lock.unlock()?;
        Ok(tools)
    }

    /// Removes what is stored, for every server or for the one named
    /// `server` in the config; the number of files removed.
    pub fn forget(&self, server: Option<&str>) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let matches = match server {
                None => true,
                Some(name) => read_file(&path).ok().flatten().is_some_and(|file| file.server == name),
            };
            if matches {
                fs::remove_file(&path)?;
                let _ = fs::remove_file(path.with_extension("lock"));
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The file's tools, `None` when there is none or it cannot be used.
    fn read(&self, server: &ServerKey) -> Option<BTreeMap<String, Entry>> {
        let path = self.path(server);
        match read_file(&path) {
            Ok(Some(file)) if file.server == server.name && file.identity == server.identity => Some(file.tools),
            Ok(Some(_)) => {
                tracing::warn!(path = %path.display(), "ignoring learned types that belong to another server");
                None
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(path = %path.display(), "ignoring a file of learned types that cannot be read: {e}");
                None
            }
        }
    }

    fn path(&self, server: &ServerKey) -> PathBuf {
        self.dir.join(format!("{}.json", file_stem(server)))
    }

    fn lock_path(&self, server: &ServerKey) -> PathBuf {
        self.dir.join(format!("{}.lock", file_stem(server)))
    }
}

/// The server's name, kept to letters, digits, `-` and `_` and short, then a
/// hash of the whole key: readable, and distinct for distinct keys.
fn file_stem(server: &ServerKey) -> String {
    let readable: String = server
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    let digest = Sha256::new().chain_update(&server.name).chain_update([0]).chain_update(&server.identity).finalize();
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{readable}-{hash}")
}

/// The file at `path` if it is one of ours; `Ok(None)` if there is none.
fn read_file(path: &Path) -> io::Result<Option<ShapesFile>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(io::Error::other("larger than a file of learned types can be"));
    }
    let file: ShapesFile = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
    if file.format != FORMAT {
        return Err(io::Error::other(format!("format {:?}, not {FORMAT:?}", file.format)));
    }
    Ok(Some(file))
}

/// A short hash of a tool's input schema, which keys its learned shape.
pub fn input_hash(schema: &serde_json::Value) -> String {
    let digest = Sha256::digest(schema.to_string());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

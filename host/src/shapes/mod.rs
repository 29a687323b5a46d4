//! Result types learned from results: for a tool without an `outputSchema`,
//! every successful result codemode sees is reduced to its shape (never its
//! values, see [`shape`]) and merged with the shapes seen before; the
//! declarations then give the tool a return type instead of `unknown`, with
//! a remark that it was observed, not declared. A declared `outputSchema`
//! always wins; such tools are not learned.
//!
//! A [`Learner`] does the work on a thread of its own, so that a call's
//! result reaches the program without waiting for it: [`Learner::observe`]
//! only hands the result's text over (and drops it if the thread is behind),
//! and once a tool's type has stopped changing, it learns from fewer and
//! fewer of its results.
//! What it learns is kept in memory and, with a state directory, in files
//! ([`store`]) written at most every [`FLUSH_INTERVAL`] and on
//! [`Learner::flush`].
//!
//! The state directory is `$CODEMODE_STATE_DIR`, else
//! `$XDG_STATE_HOME/codemode`, else `$HOME/.local/state/codemode`, created
//! 0700 and used only if it is private. Learning is on by default; the
//! config's `"codemode": { "learn": false }` and `--no-learn` turn it off,
//! and `codemode types --forget [SERVER]` clears what was stored.

mod schema;
pub mod shape;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use schema::to_schema;
pub use shape::Shape;
pub use store::{ServerKey, input_hash};

use store::{Entry, Store};

/// How often learned shapes are written while they keep changing.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(2);

/// Results waiting for the learning thread; more are dropped.
const QUEUE: usize = 64;

/// How long [`Learner::flush`] waits for the learning thread.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// The default state directory (see the module docs), if there is one.
pub fn state_dir() -> Option<std::path::PathBuf> {
    crate::dirs::state_dir()
}

/// A tool's learned result type.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// The type as a JSON Schema (see `schema`).
    pub schema: Value,
    /// How many results it was learned from (once a tool's shape has
    /// settled, only some of its results are).
    pub observations: u32,
}

/// Which tool a result is of: its server, its name on the server, and the
/// hash of its `inputSchema` ([`input_hash`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ToolKey {
    /// The server.
    pub server: Arc<ServerKey>,
    /// The tool's name on the server.
    pub tool: String,
    /// The hash of its input schema.
    pub input: String,
}

/// Learns result types; cheap to clone, one per process.
#[derive(Clone)]
pub struct Learner {
    handle: Arc<Handle>,
}

/// The learning thread and the queue to it; dropping the last handle ends
/// the thread, which writes what is left first.
struct Handle {
    data: Arc<Data>,
    queue: Option<SyncSender<Job>>,
    thread: Option<JoinHandle<()>>,
}

/// What the handle and the thread share.
struct Data {
    store: Option<Store>,
    learned: Mutex<HashMap<ServerKey, Learning>>,
    sampling: Mutex<HashMap<ToolKey, Sampling>>,
}

/// How often a tool's results are still learned from: every one while its
/// shape keeps changing, then fewer and fewer while it stays the same,
/// down to one in [`MAX_STRIDE`]. A tool whose results look alike costs
/// next to nothing once learned, whatever its results' size.
#[derive(Default)]
struct Sampling {
    /// Results seen.
    seen: u64,
    /// Results learned from in a row that changed nothing.
    unchanged: u32,
}

/// Results learned from in a row without a change before sampling starts.
const STABLE_AFTER: u32 = 8;
/// The fewest results learned from: one in this many.
const MAX_STRIDE: u64 = 64;

impl Sampling {
    /// Counts a result and says whether to learn from it.
    fn take(&mut self) -> bool {
        self.seen += 1;
        let stride = match self.unchanged.checked_sub(STABLE_AFTER) {
            None => 1,
            Some(over) => (1u64 << over.min(6)).min(MAX_STRIDE),
        };
        self.seen.is_multiple_of(stride)
    }
}

/// One server's tools: what is known (stored and learned), and what this
/// process learned since it last wrote.
#[derive(Default)]
struct Learning {
    known: BTreeMap<String, Entry>,
    unwritten: BTreeMap<String, Entry>,
}

enum Job {
    Observe(ToolKey, String),
    Flush(mpsc::Sender<()>),
}

impl Learner {
    /// A learner that keeps what it learns in `state_dir` (see the module
    /// docs), or only in memory when that is `None` or cannot be used.
    pub fn new(state_dir: Option<&Path>) -> Learner {
        let store = state_dir.and_then(|dir| match Store::open(dir) {
            Ok(store) => Some(store),
            Err(e) => {
                tracing::warn!(dir = %dir.display(), "learned types stay in memory: the state directory cannot be used: {e}");
                None
            }
        });
        let data = Arc::new(Data { store, learned: Mutex::default(), sampling: Mutex::default() });
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let worker = Arc::clone(&data);
        let thread = std::thread::Builder::new()
            .name("codemode-learn".into())
            .spawn(move || work(&worker, &receiver))
            .map_err(|e| tracing::warn!("learning is off: no thread for it: {e}"))
            .ok();
        let queue = thread.is_some().then_some(sender);
        Learner { handle: Arc::new(Handle { data, queue, thread }) }
    }

    /// A learner in the default state directory.
    pub fn in_state_dir() -> Learner {
        Learner::new(state_dir().as_deref())
    }

    /// Reads what is stored for `server`, once.
    pub fn load(&self, server: &ServerKey) {
        let data = &self.handle.data;
        let mut learned = lock(&data.learned);
        if !learned.contains_key(server) {
            let known = data.store.as_ref().map(|store| store.load(server)).unwrap_or_default();
            learned.insert(server.clone(), Learning { known, unwritten: BTreeMap::new() });
        }
    }

    /// Learns from one result of `tool`, its JSON text, in the background
    /// (or counts it only, once the tool's shape has settled: see
    /// `Sampling`).
    pub fn observe(&self, tool: &ToolKey, json: &str) {
        let Some(queue) = &self.handle.queue else { return };
        let take = {
            let mut sampling = lock(&self.handle.data.sampling);
            match sampling.get_mut(tool) {
                Some(sampling) => sampling.take(),
                None => sampling.entry(tool.clone()).or_default().take(),
            }
        };
        if take && let Err(TrySendError::Full(_)) = queue.try_send(Job::Observe(tool.clone(), json.to_owned())) {
            tracing::debug!(tool = tool.tool, "learning is behind: a result was not learned from");
        }
    }

    /// What was learned of `tool`'s results, if anything (and if its input
    /// schema is still the one it was learned with).
    pub fn learned(&self, tool: &ToolKey) -> Option<Learned> {
        let learned = lock(&self.handle.data.learned);
        let entry = learned.get(&tool.server)?.known.get(&tool.tool).filter(|entry| entry.input == tool.input)?;
        (!entry.shape.is_empty()).then(|| Learned { schema: to_schema(&entry.shape), observations: entry.observations })
    }

    /// Waits until every result handed over so far is learned and written.
    pub fn flush(&self) {
        let Some(queue) = &self.handle.queue else { return };
        let (done, finished) = mpsc::channel();
        if queue.send(Job::Flush(done)).is_ok() && finished.recv_timeout(FLUSH_TIMEOUT).is_err() {
            tracing::warn!("learned types may not all be written: the learning thread did not answer");
        }
    }

    /// Removes the learned types stored in `state_dir`, for every server or
    /// for the one named `server`; the number of servers forgotten.
    ///
    /// # Errors
    ///
    /// When the directory cannot be read or a file not removed.
    pub fn forget(state_dir: &Path, server: Option<&str>) -> io::Result<usize> {
        if !state_dir.join("shapes").is_dir() {
            return Ok(0);
        }
        Store::open(state_dir)?.forget(server)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The learning thread: learns from each result, writes what changed at most
/// every [`FLUSH_INTERVAL`] and on request, and ends with the learner.
fn work(data: &Data, jobs: &Receiver<Job>) {
    let mut last_write = Instant::now();
    loop {
        match jobs.recv_timeout(FLUSH_INTERVAL) {
            Ok(Job::Observe(tool, json)) => learn(data, &tool, &json),
            Ok(Job::Flush(done)) => {
                write(data);
                last_write = Instant::now();
                let _ = done.send(());
                continue;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                write(data);
                return;
            }
        }
        if last_write.elapsed() >= FLUSH_INTERVAL {
            write(data);
            last_write = Instant::now();
        }
    }
}

/// Merges the shape of one result into what is known of its tool.
fn learn(data: &Data, tool: &ToolKey, json: &str) {
    let Some(shape) = Shape::observe(json) else { return };
    let changed = learn_shape(data, tool, shape);
    if let Some(sampling) = lock(&data.sampling).get_mut(tool) {
        sampling.unchanged = if changed { 0 } else { sampling.unchanged.saturating_add(1) };
    }
}

/// Merges `shape` into what is known of `tool`; whether that changed it.
fn learn_shape(data: &Data, tool: &ToolKey, shape: Shape) -> bool {
    let mut changed = false;
    let mut learned = lock(&data.learned);
    let learning = learned.entry((*tool.server).clone()).or_default();
    // Without a store nothing is ever written, so nothing is kept to write.
    let stored = data.store.is_some();
    for entries in [Some(&mut learning.known), stored.then_some(&mut learning.unwritten)].into_iter().flatten() {
        let entry = entries.entry(tool.tool.clone()).or_insert_with(|| Entry {
            input: tool.input.clone(),
            observations: 0,
            shape: Shape::default(),
        });
        if entry.input != tool.input {
            *entry = Entry { input: tool.input.clone(), observations: 0, shape: Shape::default() };
        }
        // What the model reads is what counts: field counts grow with every
        // result, the type only when a result shows something new.
        let before = to_schema(&entry.shape);
        entry.shape.merge(shape.clone());
        entry.shape.fit();
        changed |= to_schema(&entry.shape) != before;
        entry.observations = entry.observations.saturating_add(1);
    }
    changed
}

/// Writes what each server learned since it was last written.
fn write(data: &Data) {
    let Some(store) = &data.store else { return };
    let pending: Vec<(ServerKey, BTreeMap<String, Entry>)> = lock(&data.learned)
        .iter_mut()
        .filter(|(_, learning)| !learning.unwritten.is_empty())
        .map(|(server, learning)| (server.clone(), std::mem::take(&mut learning.unwritten)))
        .collect();
    for (server, unwritten) in pending {
        match store.update(&server, unwritten) {
            // What other processes learned comes in with the update.
            Ok(known) => lock(&data.learned).entry(server).or_default().known = known,
            Err(e) => tracing::warn!(server = server.name, "learned types were not written: {e}"),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain data: what a panicking thread left is still the best we have.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

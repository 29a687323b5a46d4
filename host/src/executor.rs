//! The [`Executor`]: the one owner of a program from its source text to its
//! [`Envelope`]. It accepts JavaScript or TypeScript, prepares it
//! ([`crate::program`]: types stripped, positions kept), runs it in a fresh
//! sandbox ([`crate::sandbox`]) against the tools of a [`ToolProvider`], and
//! answers with one envelope whatever happened. The command line and the MCP
//! server are thin callers of [`Executor::execute`].
//!
//! Program failures, including source that does not parse or calls that do
//! not fit the tools' types, are part of the envelope; an `Err` is only for
//! the sandbox itself ([`crate::ErrorKind`]).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::envelope::{Envelope, LogSink, Receipt};
use crate::error::Error;
use crate::input::Asker;
use crate::journal::Journal;
use crate::limits::Limits;
use crate::program::{self, Api};
use crate::sandbox::{self, CompileCache, Sandbox, SandboxSettings, TapeMode};
use crate::tools::{ToolProvider, ToolSpec};

/// Builds an [`Executor`].
#[derive(Debug, Clone)]
pub struct ExecutorBuilder {
    limits: Limits,
    max_memory: u64,
    max_sandboxes: u32,
    cache: CompileCache,
}

impl Default for ExecutorBuilder {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_memory: Limits::DEFAULT_MEMORY,
            max_sandboxes: 256,
            cache: CompileCache::Default,
        }
    }
}

impl ExecutorBuilder {
    /// The default limits of every execution.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.max_memory = self.max_memory.max(limits.memory);
        self.limits = limits;
        self
    }

    /// The largest memory limit any execution may use (sizes the pool's
    /// memory slots). Default: the default limits' memory.
    pub fn max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = bytes;
        self
    }

    /// How many sandboxes may be alive at once (sizes the pool). Default: 256.
    pub fn max_sandboxes(mut self, count: u32) -> Self {
        self.max_sandboxes = count;
        self
    }

    /// Where the compiled guest is cached: `Some(dir)` caches it in `dir`,
    /// `None` compiles it in memory and writes nothing.
    ///
    /// Default: on, in `$CODEMODE_CACHE_DIR`, else `$XDG_CACHE_HOME/codemode`,
    /// else `$HOME/.cache/codemode`. Compiling the guest takes most of a
    /// second; loading it from the cache takes about a millisecond. The
    /// directory is created 0700 and only used if it belongs to this user
    /// and nobody else can write to it; if it cannot be used the guest is
    /// compiled in memory, and a cached file that fails to load is replaced.
    pub fn compile_cache(mut self, dir: Option<PathBuf>) -> Self {
        self.cache = dir.map_or(CompileCache::Off, CompileCache::Dir);
        self
    }

    /// Builds the engine and compiles the guest (or loads it from the
    /// compile cache).
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::InvalidLimits`] for limits the sandbox cannot honour,
    /// [`crate::ErrorKind::Setup`] when the engine or the guest cannot be set up.
    pub fn build(self) -> Result<Executor, Error> {
        let settings =
            SandboxSettings { max_memory: self.max_memory, max_sandboxes: self.max_sandboxes, cache: self.cache };
        sandbox::check(&self.limits, settings.max_memory)?;
        let sandbox = Sandbox::new(&settings)?;
        Ok(Executor { inner: Arc::new(Inner { sandbox, limits: self.limits, api: Mutex::default() }) })
    }
}

/// What one execution may differ in from the executor's defaults.
///
/// ```
/// use codemode::{ExecuteOptions, Limits};
/// let mut limits = Limits::default();
/// limits.max_tool_calls = 10;
/// let options = ExecuteOptions::new().with_limits(limits);
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ExecuteOptions {
    /// The limits of this execution; `None` uses the executor's
    /// ([`ExecutorBuilder::limits`]).
    pub limits: Option<Limits>,
    /// Receives each console line as the program writes it; the envelope
    /// still has them all.
    pub on_log: Option<LogSink>,
    /// Keep a [`Journal`] of the execution, in [`Envelope::journal`].
    pub record: bool,
    /// Run the program on this journal's inputs instead of live ones: no
    /// tool is called, the clocks and random numbers are the recorded ones,
    /// and a call the journal does not have at that point ends the program
    /// with [`crate::ProgramErrorKind::ReplayDiverged`]. Pass the journal's
    /// tools ([`Journal::provider`]) or the same tools as when recording.
    pub replay: Option<Arc<Journal>>,
    /// Answer calls from this journal as long as they match its recorded
    /// calls (same tool, same arguments, in order; a recorded failure is
    /// called again); from the first that differs on, calls are live.
    pub resume: Option<Arc<Journal>>,
    /// Go on with a paused execution: replay this journal (the paused
    /// one's, with the answers added by [`Journal::answer`]), then run on
    /// live. See [`crate::input`].
    pub continue_from: Option<Arc<Journal>>,
    /// Who answers the program's questions: approvals of calls that need
    /// them, and `llm.ask`. Without one, calls that need approval fail
    /// with `approval_required`, and programs have no `llm` global.
    pub asker: Option<Arc<dyn Asker>>,
}

impl ExecuteOptions {
    /// The executor's defaults, no log sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs with `limits` instead of the executor's.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Hands each console line to `on_log` while the program runs.
    pub fn with_log_sink(mut self, on_log: LogSink) -> Self {
        self.on_log = Some(on_log);
        self
    }

    /// Keeps a journal of the execution ([`Self::record`]).
    pub fn recording(mut self) -> Self {
        self.record = true;
        self
    }

    /// Replays `journal` ([`Self::replay`]).
    pub fn replaying(mut self, journal: Arc<Journal>) -> Self {
        self.replay = Some(journal);
        self
    }

    /// Resumes from `journal` ([`Self::resume`]).
    pub fn resuming(mut self, journal: Arc<Journal>) -> Self {
        self.resume = Some(journal);
        self
    }

    /// Continues a paused execution from `journal` ([`Self::continue_from`]).
    pub fn continuing(mut self, journal: Arc<Journal>) -> Self {
        self.continue_from = Some(journal);
        self
    }

    /// Has `asker` answer the program's questions ([`Self::asker`]).
    pub fn with_asker(mut self, asker: Arc<dyn Asker>) -> Self {
        self.asker = Some(asker);
        self
    }
}

impl fmt::Debug for ExecuteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteOptions")
            .field("limits", &self.limits)
            .field("on_log", &self.on_log.as_ref().map(|_| "<sink>"))
            .field("record", &self.record)
            .field("replay", &self.replay.is_some())
            .field("resume", &self.resume.is_some())
            .field("continue_from", &self.continue_from.is_some())
            .field("asker", &self.asker.is_some())
            .finish()
    }
}

/// Runs programs, each in a fresh sandbox. Cheap to clone; share one per
/// process.
#[derive(Clone)]
pub struct Executor {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    limits: Limits,
    /// The API of the last tool list a program was checked against.
    api: Mutex<Arc<Api>>,
}

impl Executor {
    /// An executor with the default limits.
    ///
    /// # Errors
    ///
    /// As [`ExecutorBuilder::build`].
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Configures an executor.
    pub fn builder() -> ExecutorBuilder {
        ExecutorBuilder::default()
    }

    /// The default limits of every execution.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Whether the compiled guest was loaded from the compile cache (see
    /// [`ExecutorBuilder::compile_cache`]) rather than compiled by this
    /// executor.
    pub fn guest_from_cache(&self) -> bool {
        self.inner.sandbox.guest_from_cache()
    }

    /// Runs `source`, JavaScript or TypeScript, against `tools`.
    ///
    /// Program failures (a syntax error included) are part of the envelope;
    /// an `Err` means the sandbox itself could not run ([`crate::ErrorKind`]: limits
    /// it cannot honour, no free slot, a bug). Must be called within a tokio
    /// runtime: tool calls run as tokio tasks.
    pub async fn execute(
        &self,
        source: &str,
        tools: Arc<dyn ToolProvider>,
        options: &ExecuteOptions,
    ) -> Result<Envelope, Error> {
        let limits = options.limits.as_ref().unwrap_or(&self.inner.limits);
        self.inner.sandbox.check(limits)?;
        let started = Instant::now();
        let api = self.api(tools.tools());
        match program::prepare(source, &api) {
            Ok(javascript) => {
                // Types were blanked: stack traces name the file as the
                // program was submitted.
                let filename = if matches!(javascript, Cow::Owned(_)) { "program.ts" } else { "program.js" };
                let tape = TapeMode {
                    record: options.record,
                    replay: options.replay.clone(),
                    resume: options.resume.clone(),
                    continue_from: options.continue_from.clone(),
                    asker: options.asker.clone(),
                };
                self.inner.sandbox.run(&javascript, filename, tools, limits, options.on_log.clone(), &tape).await
            }
            Err(refusal) => Ok(Envelope::failed(refusal.into(), Vec::new(), Receipt::elapsed(started))),
        }
    }

    /// The API the program is checked against: built once per tool list
    /// (providers hand out the same list until their tools change).
    fn api(&self, specs: Arc<[ToolSpec]>) -> Arc<Api> {
        let mut cached = self.inner.api.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !cached.is_of(&specs) {
            *cached = Arc::new(Api::new(specs));
        }
        cached.clone()
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor").field("limits", &self.inner.limits).finish_non_exhaustive()
    }
}

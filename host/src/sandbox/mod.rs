#![doc = include_str!("../../../docs/sandbox.md")]

mod asking;
mod bindings;
mod bridge;
mod cache;
mod capture;
mod engine;
mod outcome;
#[cfg(test)]
mod reuse_tests;
mod store;
mod tape;

use crate::envelope::{Envelope, LogSink, ProgramErrorKind, Receipt};
use crate::error::{Error, ErrorKind};
use crate::limits::Limits;
use crate::tools::{ToolProvider, ToolSpec};
use bindings::SandboxPre;
use bindings::exports::codemode::sandbox::program::{RunOptions, ToolBinding};
use bridge::Bridge;
pub(crate) use cache::Location as CompileCache;
use capture::Capture;
use outcome::Ending;
pub(crate) use outcome::bytes as format_bytes;
use std::sync::Arc;
use std::time::Instant;
use store::{MemoryLimiter, State};
pub(crate) use tape::TapeMode;
use tape::{Tape, TapeClock};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// Bytes of guest stderr kept (it only carries guest panics).
const STDERR_CAPACITY: usize = 16 << 10;

/// How the sandbox is set up, once per executor.
#[derive(Debug, Clone)]
pub(crate) struct SandboxSettings {
    /// The largest memory limit any execution may use.
    pub max_memory: u64,
    /// Sandboxes alive at once.
    pub max_sandboxes: u32,
    /// Where the compiled guest is cached.
    pub cache: CompileCache,
}

/// The engine, the compiled guest and its pool: runs JavaScript, each
/// program in a fresh instance.
pub(crate) struct Sandbox {
    pre: SandboxPre<State>,
    max_memory: u64,
    from_cache: bool,
}

impl Sandbox {
    /// Builds the engine and compiles the guest (or loads it from the
    /// compile cache).
    pub(crate) fn new(settings: &SandboxSettings) -> Result<Self, Error> {
        if settings.max_sandboxes == 0 {
            return Err(Error::invalid_limit("max_sandboxes", "max_sandboxes must be at least 1".into()));
        }
        if !(Limits::MIN_MEMORY..=Limits::MAX_MEMORY).contains(&settings.max_memory) {
            let (min, max) = (format_bytes(Limits::MIN_MEMORY), format_bytes(Limits::MAX_MEMORY));
            let message =
                format!("max_memory must be between {min} and {max} (got {})", format_bytes(settings.max_memory));
            return Err(Error::invalid_limit("max_memory", message));
        }
        let engine_settings = engine::EngineSettings {
            max_memory: settings.max_memory,
            max_sandboxes: settings.max_sandboxes,
            cache_dir: settings.cache.resolve(),
        };
        let built = engine::build(&engine_settings, engine::GUEST_WASM)?;
        Ok(Self { pre: built.pre, max_memory: settings.max_memory, from_cache: built.from_cache })
    }

    /// Whether the compiled guest came from the compile cache.
    pub(crate) fn guest_from_cache(&self) -> bool {
        self.from_cache
    }

    /// Whether this sandbox can honour `limits`.
    pub(crate) fn check(&self, limits: &Limits) -> Result<(), Error> {
        check(limits, self.max_memory)
    }

    /// Runs `javascript` with `tools` and `limits` (already checked),
    /// handing console lines to `on_log` as they come; stack traces name it
    /// `filename`.
    pub(crate) async fn run(
        &self,
        javascript: &str,
        filename: &str,
        tools: Arc<dyn ToolProvider>,
        limits: &Limits,
        on_log: Option<LogSink>,
        mode: &TapeMode,
    ) -> Result<Envelope, Error> {
        let started = Instant::now();
        let deadline = started + limits.timeout;
        let specs = tools.tools();
        // `llm.ask` exists where someone answers questions (installing a
        // namespace is a third of W0's fuel). The catalog never names a
        // namespace `llm` (it is a global); an in-process provider that
        // does keeps it, without `llm.ask`.
        let model = mode.asker.is_some() && !specs.iter().any(|spec| spec.namespace.as_deref() == Some("llm"));
        let options = run_options(&specs, model, limits, filename);

        let capture = Capture::new(limits.output as usize, on_log);
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let (tape, seed) = Tape::new(mode);
        let wasi = WasiCtxBuilder::new()
            .stdout(capture.clone())
            .stderr(stderr.clone())
            .wall_clock(TapeClock(tape.clone()))
            .monotonic_clock(TapeClock(tape.clone()))
            .insecure_random_seed(seed)
            .build();
        let bridge = Bridge::new(tools, (specs, model), limits, tape.clone(), mode.asker.clone());
        // `check` has verified the limit fits in memory addressable here.
        let memory = MemoryLimiter::new(limits.memory as usize);
        let state = State { wasi, table: Default::default(), memory, bridge };
        let mut store = new_store(self.pre.engine(), state, limits.fuel)?;

        let pre = &self.pre;
        let mut entered = None;
        let run = async {
            let instance = pre.instantiate_async(&mut store).await.map_err(Instantiation)?;
            entered = Some(Instant::now());
            instance.codemode_sandbox_program().call_run(&mut store, javascript, &options).await.map_err(Trapped)
        };
        let ending = match until(deadline, run).await {
            Some(Ok(())) => Ending::Returned,
            Some(Err(Trapped(e))) => Ending::Trapped(e),
            Some(Err(Instantiation(e))) => return Err(instantiation_error(e)),
            None => Ending::TimedOut,
        };

        let returned = Instant::now();
        let fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        // Dropping the store returns the instance's slot to the pool, which
        // resets its memory. It is done here, on the caller's thread: handing
        // stores to a release thread took the reset off the caller's latency
        // but halved throughput on 2 cores ("Pooling settings" in the module docs).
        let state = store.into_data();
        let released = Instant::now();
        let mut captured = capture.take();
        let finished = captured.finished;
        let produced = outcome::decide(ending, &mut captured, state.memory.hit, &stderr.contents(), limits)?;
        let (journal, replayed_calls) = tape.finish();
        let receipt = Receipt {
            duration_ms: Receipt::millis(started.elapsed()),
            fuel_used,
            peak_memory_bytes: state.memory.peak as u64,
            tool_calls: state.bridge.calls_made,
            replayed_calls,
        };
        let mut envelope = match produced {
            Ok((value, truncated)) => Envelope::returned(value, truncated, captured.logs, receipt),
            Err(error) => Envelope::failed(error, captured.logs, receipt),
        };
        envelope.journal = journal;
        if envelope.error.as_ref().is_some_and(|error| error.kind == ProgramErrorKind::InputRequired) {
            envelope.questions =
                state.bridge.awaiting.into_iter().map(|awaiting| (awaiting.id, awaiting.question)).collect();
        }
        trace_phases([Some(started), entered, finished.map(|f| f.0), Some(returned), Some(released)], finished);
        Ok(envelope)
    }
}

/// Where an execution's time went, as a `trace` event of target
/// `codemode::phases` (the workloads bench reads it), in nanoseconds:
/// creating and instantiating the sandbox; entering the guest (arguments,
/// the engine readied, the tools bound); the program, compiled, run and
/// serialized, as the guest timed it; leaving the guest; releasing the
/// sandbox (its slot's memory reset); building the envelope. `marks` are
/// the start, entry into the guest, the final event, the return and the
/// release; nothing is reported for an execution without a final event.
fn trace_phases(marks: [Option<Instant>; 5], finished: Option<(Instant, Option<u64>)>) {
    let ([Some(started), Some(entered), Some(last_event), Some(returned), Some(released)], Some((_, Some(program_ns)))) =
        (marks, finished)
    else {
        return;
    };
    let ns = |later: Instant, earlier: Instant| later.saturating_duration_since(earlier).as_nanos() as u64;
    tracing::trace!(
        target: "codemode::phases",
        instantiate_ns = ns(entered, started),
        entry_ns = ns(last_event, entered).saturating_sub(program_ns),
        program_ns,
        leave_ns = ns(returned, last_event),
        release_ns = ns(released, returned),
        envelope_ns = ns(Instant::now(), released),
    );
}

/// The store of one execution, its limits in force before the guest's first
/// instruction: `fuel`, and the memory limiter in `state`.
fn new_store(engine: &Engine, state: State, fuel: u64) -> Result<Store<State>, Error> {
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.memory);
    let internal = |what: &str, e: wasmtime::Error| Error::new(ErrorKind::Internal, format!("{what}: {e}"));
    store.set_fuel(fuel).map_err(|e| internal("setting fuel", e))?;
    store.fuel_async_yield_interval(Some(engine::FUEL_YIELD_INTERVAL)).map_err(|e| internal("setting yields", e))?;
    Ok(store)
}

/// `run`'s output, or `None` once `deadline` passes. A guest running
/// JavaScript yields every [`engine::FUEL_YIELD_INTERVAL`] of fuel and is
/// polled again at once, so checking the clock at each poll stops CPU-bound
/// code within about a millisecond (a timer alone would fire only when the
/// runtime next turns its time driver); the timer covers a guest suspended
/// on a tool call, which is not polled until the call completes.
async fn until<F: Future>(deadline: Instant, run: F) -> Option<F::Output> {
    let mut run = std::pin::pin!(run);
    let checked = std::future::poll_fn(|cx| {
        if Instant::now() >= deadline {
            return std::task::Poll::Ready(None);
        }
        run.as_mut().poll(cx).map(Some)
    });
    tokio::time::timeout_at(deadline.into(), checked).await.ok().flatten()
}

enum RunError {
    Instantiation(wasmtime::Error),
    Trapped(wasmtime::Error),
}
use RunError::{Instantiation, Trapped};

fn instantiation_error(e: wasmtime::Error) -> Error {
    if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>().is_some() {
        Error::new(ErrorKind::Busy, "every sandbox slot is in use; retry when an execution finishes")
    } else {
        Error::new(ErrorKind::Internal, format!("instantiating the guest: {e:#}"))
    }
}

fn run_options(specs: &[ToolSpec], model: bool, limits: &Limits, filename: &str) -> RunOptions {
    let binding = |spec: &ToolSpec| ToolBinding {
        namespace: spec.namespace.clone(),
        name: spec.name.clone(),
        pair: spec.asks == Some(crate::tools::Asks::Model),
    };
    RunOptions {
        tools: specs.iter().chain(model.then(asking::model_spec)).map(binding).collect(),
        memory_limit: limits.memory.saturating_sub(Limits::ENGINE_RESERVE),
        output_limit: limits.output,
        filename: filename.to_owned(),
    }
}

/// Whether `limits` are valid ([`Limits::validate`]) and can be honoured
/// by a sandbox whose pool allows `max_memory`.
pub(crate) fn check(limits: &Limits, max_memory: u64) -> Result<(), Error> {
    limits.validate()?;
    if limits.memory > max_memory {
        let message = format!(
            "the memory limit {} is above the executor's maximum {}",
            format_bytes(limits.memory),
            format_bytes(max_memory)
        );
        return Err(Error::invalid_limit("memory", message));
    }
    Ok(())
}

//! The engine, built once per executor: Wasmtime configured for untrusted
//! code (fuel, epoch interruption, a pooling allocator sized for the guest),
//! the compiled guest component (from the on-disk cache when it can be, see
//! [`super::cache`]), and a linker that offers the guest exactly its allowed
//! imports and nothing else.

use super::bindings::SandboxPre;
use super::cache;
use super::store::State;
use crate::error::{Error, ErrorKind};
use std::path::PathBuf;
use std::time::Duration;
use wasmtime::component::{HasData, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::p2::bindings::{cli, clocks, random};
use wasmtime_wasi::random::WasiRandom;

/// The guest component, built by `scripts/build-guest.sh`.
pub const GUEST_WASM: &[u8] = include_bytes!("../../../guest/dist/codemode-guest.wasm");

/// How often the epoch advances: the granularity of the deadline, and how
/// often a running program yields to the async runtime.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Bytes of native stack WebAssembly may use. Deep JavaScript recursion
/// normally hits the engine's own stack limit first (a clean `stack`
/// error); this is the backstop.
const MAX_WASM_STACK: usize = 4 << 20;

/// Engine settings that size the pool.
pub struct EngineSettings {
    /// Largest linear memory any execution may ask for.
    pub max_memory: u64,
    /// Sandboxes alive at once.
    pub max_sandboxes: u32,
    /// Where the compiled guest is cached, if anywhere.
    pub cache_dir: Option<PathBuf>,
}

/// A built engine with the guest pre-instantiated.
pub struct Built {
    /// The engine.
    pub engine: Engine,
    /// The guest, linked and ready to instantiate.
    pub pre: SandboxPre<State>,
    /// The compiled guest was loaded from the cache rather than compiled.
    pub from_cache: bool,
}

/// Builds the engine and pre-instantiates the guest.
pub fn build(settings: &EngineSettings) -> Result<Built, Error> {
    let setup = |what: &str, e: wasmtime::Error| Error::new(ErrorKind::Setup, format!("{what}: {e:#}"));
    let max_memory = usize::try_from(settings.max_memory).map_err(|_| {
        Error::new(ErrorKind::InvalidLimits, "max_memory does not fit in this platform's address space")
    })?;

    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(settings.max_sandboxes)
        .total_core_instances(settings.max_sandboxes.saturating_mul(4))
        .total_memories(settings.max_sandboxes)
        .total_tables(settings.max_sandboxes.saturating_mul(4))
        .total_stacks(settings.max_sandboxes)
        .max_memory_size(max_memory);

    let mut config = Config::new();
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(MAX_WASM_STACK)
        .async_stack_size(MAX_WASM_STACK + (1 << 20))
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    let engine = Engine::new(&config).map_err(|e| setup("configuring the engine", e))?;

    let (component, from_cache) = cache::load_or_compile(&engine, GUEST_WASM, settings.cache_dir.as_deref())
        .map_err(|e| setup("compiling the guest", e))?;
    let mut linker = Linker::<State>::new(&engine);
    add_allowed_imports(&mut linker).map_err(|e| setup("linking the guest", e))?;
    let pre = linker.instantiate_pre(&component).map_err(|e| setup("linking the guest", e))?;
    let pre = SandboxPre::new(pre).map_err(|e| setup("linking the guest", e))?;
    Ok(Built { engine, pre, from_cache })
}

/// The guest's whole capability set: our `tools` interface, and from WASI
/// only stdout/stderr (with the streams and errors they use), the clocks
/// and a random seed. A guest that imports anything else fails to link
/// here; `tests/all/imports.rs` asserts the same list from the component.
fn add_allowed_imports(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    super::bindings::Sandbox::add_to_linker::<State, HasSelf<crate::bridge::Bridge>>(linker, |s| &mut s.bridge)?;
    wasmtime_wasi_io::bindings::wasi::io::error::add_to_linker::<State, Io>(linker, |s| &mut s.table)?;
    wasmtime_wasi_io::bindings::wasi::io::streams::add_to_linker::<State, Io>(linker, |s| &mut s.table)?;
    cli::stdout::add_to_linker::<State, WasiCli>(linker, State::cli)?;
    cli::stderr::add_to_linker::<State, WasiCli>(linker, State::cli)?;
    clocks::wall_clock::add_to_linker::<State, WasiClocks>(linker, State::clocks)?;
    clocks::monotonic_clock::add_to_linker::<State, WasiClocks>(linker, State::clocks)?;
    random::insecure_seed::add_to_linker::<State, WasiRandom>(linker, |s| s.wasi.random())?;
    Ok(())
}

struct Io;

impl HasData for Io {
    type Data<'a> = &'a mut ResourceTable;
}

/// Advances `engine`'s epoch every [`EPOCH_TICK`] until the engine is
/// dropped. Without it a CPU-bound program could not be interrupted, so
/// failing to start it fails the executor.
pub fn start_epoch_ticker(engine: &Engine) -> Result<(), Error> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("codemode-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .map(drop)
        .map_err(|e| Error::new(ErrorKind::Setup, format!("starting the epoch thread: {e}")))
}

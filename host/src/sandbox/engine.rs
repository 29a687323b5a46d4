//! The engine, built once per executor: Wasmtime configured for untrusted
//! code (fuel, a pooling allocator sized for the guest),
//! the compiled guest component (from the on-disk cache when it can be, see
//! [`super::cache`]), and a linker that offers the guest exactly its allowed
//! imports and nothing else.
//!
//! The pool is tuned so that starting a sandbox costs almost nothing beyond
//! the guest's own work: the guest's initial memory (the pre-initialized
//! JavaScript heap) is mapped copy-on-write from the compiled artifact, and a
//! slot given back is reset by restoring only the pages the execution wrote,
//! which stay resident for the next one (see "Pooling settings" in the
//! [module docs](super)).

use super::bindings::SandboxPre;
use super::cache;
use super::store::State;
use crate::error::{Error, ErrorKind};
use std::path::PathBuf;
use wasmtime::component::{HasData, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Enabled, Engine, Inlining, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::p2::bindings::{cli, clocks, random};
use wasmtime_wasi::random::WasiRandom;

/// The guest component, built by `scripts/build-guest.sh`.
pub const GUEST_WASM: &[u8] = include_bytes!("../../../guest/dist/codemode-guest.wasm");

/// Fuel a running guest uses between two yields to the async runtime: at
/// each yield the executor checks the deadline, and other tasks on the
/// thread get their turn. About a millisecond of JavaScript.
pub const FUEL_YIELD_INTERVAL: u64 = 10_000_000;

/// Bytes of native stack WebAssembly may use. The engine's own limit
/// watches the guest's 4 MiB shadow stack, of which a JavaScript call takes
/// about 250 bytes while its compiled code takes about 690 bytes of this
/// stack: this leaves room for the engine to reach its limit first and throw
/// a catchable `RangeError` (at about 15,800 calls), and stays the backstop
/// for code that recurses without checking. Only what a program touches is
/// resident (see `ASYNC_STACK_KEEP_RESIDENT`).
const MAX_WASM_STACK: usize = 16 << 20;

/// Core instances one sandbox creates: the guest's own module and the two
/// glue modules `wit-component` adds (the indirect-call shim and its fixup),
/// plus one spare so that a guest gaining a module still fits (the reuse
/// test's instrumented guest adds one). The pool only counts core instances,
/// so the spare costs nothing.
const CORE_INSTANCES_PER_SANDBOX: u32 = 4;

/// Tables one sandbox defines: the guest module's function table and the
/// shim's (the fixup module imports the latter).
const TABLES_PER_SANDBOX: u32 = 2;

/// Elements a table slot holds. The guest's largest table has 625 funcrefs
/// (fixed size); this leaves room for the guest to grow while reserving
/// 16 KiB of address space per table instead of the default's 160 KiB.
const TABLE_ELEMENTS: usize = 2048;

/// Dirty linear-memory pages a returning slot restores in place rather than
/// handing back to the kernel. Trivial and tool-calling programs write
/// 100-650 KiB (W0-W4); heavier ones restore this much and decommit the
/// rest. It also bounds what an idle warm slot keeps resident.
const LINEAR_MEMORY_KEEP_RESIDENT: usize = 1 << 20;

/// Bytes at the top of a sandbox's native (fiber) stack zeroed with `memset`
/// when it is given back; the rest is decommitted. Programs use 12-16 KiB of
/// it (the JavaScript stack lives in linear memory).
const ASYNC_STACK_KEEP_RESIDENT: usize = 32 << 10;

/// Linear memory's virtual reservation and the guard after it: any 32-bit
/// address plus any offset below the guard stays inside the slot, so
/// Cranelift emits no bounds checks (compute-heavy programs stay fast). This
/// costs only address space: 256 sandboxes reserve about 1 TiB of the 128 TiB
/// a 64-bit process has.
const MEMORY_RESERVATION: u64 = 1 << 32;
/// The guard after each linear memory (see [`MEMORY_RESERVATION`]).
const MEMORY_GUARD: u64 = 32 << 20;

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
    /// The guest, linked and ready to instantiate.
    pub pre: SandboxPre<State>,
    /// The compiled guest was loaded from the cache rather than compiled.
    pub from_cache: bool,
}

/// Builds the engine and pre-instantiates `guest` (the executor passes
/// [`GUEST_WASM`]; tests pass instrumented builds of it).
pub fn build(settings: &EngineSettings, guest: &[u8]) -> Result<Built, Error> {
    let setup = |what: &str, e: wasmtime::Error| Error::new(ErrorKind::Setup, format!("{what}: {e:#}"));
    let max_memory = usize::try_from(settings.max_memory).map_err(|_| {
        Error::invalid_limit("max_memory", "max_memory does not fit in this platform's address space".into())
    })?;

    let mut config = Config::new();
    config
        // Fuel both bounds CPU and, by yielding every FUEL_YIELD_INTERVAL,
        // lets the executor enforce the deadline on CPU-bound code. Epoch
        // interruption would check a second counter on every loop and call,
        // which cost about 10% on W1 and W4.
        .consume_fuel(true)
        .max_wasm_stack(MAX_WASM_STACK)
        .async_stack_size(MAX_WASM_STACK + (1 << 20))
        // Wasmtime's default, kept on purpose: a funcref is built the first
        // time the guest calls through it, so an execution pays only for
        // those it uses. Building all 625 at instantiation doubled a trivial
        // execution (W0: 34 -> 72 µs).
        .table_lazy_init(true)
        // Also Wasmtime's default: inlining the guest's calls cut 1.3-1.7%
        // of the instructions of W0, W3 and W4 (`scripts/instructions.sh`),
        // but compiling the guest took 3.5-4.3 s instead of 1.4 and the
        // compiled guest grew from 4.8 to 8.3 MB.
        .compiler_inlining(Inlining::No)
        // Map the guest's initial memory from the compiled artifact (the
        // cached `.cwasm`, else a memfd) instead of copying its data segments
        // in at every instantiation; pages are copied only when written.
        // Applies because the guest's segments sit at constant offsets in one
        // dense range (its snapshot heap).
        .memory_init_cow(true)
        .memory_reservation(MEMORY_RESERVATION)
        .memory_guard_size(MEMORY_GUARD)
        // Defense in depth: a stack slot passes from one sandbox to the next,
        // so zero what the last one left there (see ASYNC_STACK_KEEP_RESIDENT).
        .async_stack_zeroing(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool(settings.max_sandboxes, max_memory)));
    let engine = Engine::new(&config).map_err(|e| setup("configuring the engine", e))?;

    let (component, from_cache) = cache::load_or_compile(&engine, guest, settings.cache_dir.as_deref())
        .map_err(|e| setup("compiling the guest", e))?;
    let mut linker = Linker::<State>::new(&engine);
    add_allowed_imports(&mut linker).map_err(|e| setup("linking the guest", e))?;
    let pre = linker.instantiate_pre(&component).map_err(|e| setup("linking the guest", e))?;
    let pre = SandboxPre::new(pre).map_err(|e| setup("linking the guest", e))?;
    Ok(Built { pre, from_cache })
}

/// The pooling allocator: room for `max_sandboxes` live sandboxes, and
/// slots that are reset cheaply and stay warm between executions.
fn pool(max_sandboxes: u32, max_memory: usize) -> PoolingAllocationConfig {
    // PAGEMAP_SCAN (Linux 6.7+) finds the pages an execution actually wrote,
    // so only those are restored (from the image or to zero) and everything
    // stays mapped: the next execution in the slot takes no page faults for
    // them. Without it, keeping memory resident would `memset` the lowest
    // addresses, which is the guest's mostly untouched shadow stack, so then
    // the whole memory is decommitted instead.
    let pagemap = PoolingAllocationConfig::is_pagemap_scan_available();
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(max_sandboxes)
        .total_core_instances(max_sandboxes.saturating_mul(CORE_INSTANCES_PER_SANDBOX))
        .total_memories(max_sandboxes)
        .total_tables(max_sandboxes.saturating_mul(TABLES_PER_SANDBOX))
        .total_stacks(max_sandboxes)
        .max_memory_size(max_memory)
        .table_elements(TABLE_ELEMENTS)
        .pagemap_scan(if pagemap { Enabled::Yes } else { Enabled::No })
        .linear_memory_keep_resident(if pagemap { LINEAR_MEMORY_KEEP_RESIDENT } else { 0 })
        // A whole table: resetting a few funcref pages in place beats a
        // syscall and the faults after it.
        .table_keep_resident(TABLE_ELEMENTS * size_of::<usize>())
        .async_stack_keep_resident(ASYNC_STACK_KEEP_RESIDENT);
    pool
}

/// The guest's whole capability set: our `tools` interface, and from WASI
/// only stdout/stderr (with the streams and errors they use), the clocks
/// and a random seed. A guest that imports anything else fails to link
/// here; `tests/all/imports.rs` asserts the same list from the component.
fn add_allowed_imports(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    super::bindings::Sandbox::add_to_linker::<State, HasSelf<super::bridge::Bridge>>(linker, |s| &mut s.bridge)?;
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

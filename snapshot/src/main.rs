//! Pre-initializes the guest component with Wizer: instantiates it, calls
//! its `wizer-initialize` export (which builds the JavaScript engine, see
//! `guest/src/engine.rs`), and writes a component whose memories and
//! globals start in that state, without the export.
//!
//! ```text
//! codemode-snapshot INPUT.wasm OUTPUT.wasm
//! ```
//!
//! `scripts/build-guest.sh` runs it on every guest build. Initialization
//! sees a fixed clock and a fixed random seed and no tools (a tool call
//! traps), so the same input always gives the same snapshot, and nothing of
//! the build machine's time ends up in it; the guest reseeds what it must
//! per execution.

use std::path::PathBuf;
use std::time::Duration;
use wasmtime::component::{Component, Instance, Linker, ResourceTable, WasmList};
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, Result, Store, bail};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

/// The guest's initialization export (Wizer's default name).
const INIT: &str = "wizer-initialize";

/// The interface of tool calls, which initialization must not use.
const TOOLS: &str = "codemode:sandbox/tools@0.1.0";

/// What the init function reads as the time: 2000-01-01T00:00:00Z.
const EPOCH_SECONDS: u64 = 946_684_800;

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output), None) = (args.next(), args.next(), args.next()) else {
        bail!("usage: codemode-snapshot INPUT.wasm OUTPUT.wasm");
    };
    let wasm = std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let snapshot = runtime.block_on(snapshot(&wasm))?;
    std::fs::write(&output, &snapshot).with_context(|| format!("writing {}", output.display()))?;
    Ok(())
}

async fn snapshot(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut wizer = Wizer::new();
    // Dropping the export trips a Wizer 48 bug with components (the core
    // export goes, the component's lift of it stays); kept, it is harmless:
    // the engine is built, so calling it again does nothing.
    wizer.init_func(INIT).keep_init_func(true);
    let (cx, instrumented) = wizer.instrument_component(wasm).context("instrumenting the guest")?;

    let engine = Engine::new(&Config::new())?;
    let component = Component::new(&engine, &instrumented).context("compiling the instrumented guest")?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    let mut tools = linker.instance(TOOLS)?;
    for name in ["start", "wait"] {
        tools.func_new(name, |_, _, _, _| bail!("the guest called a tool while initializing"))?;
    }

    let wasi = WasiCtx::builder().wall_clock(FixedClock).monotonic_clock(FixedClock).insecure_random_seed(0).build();
    let mut store = Store::new(&engine, Init { wasi, table: ResourceTable::new() });
    let instance = linker.instantiate_async(&mut store, &component).await.context("instantiating the guest")?;
    let init = instance.get_typed_func::<(), ()>(&mut store, INIT).context("the guest has no init function")?;
    init.call_async(&mut store, ()).await.context("initializing the guest")?;

    let mut state = Snapshotting { store: &mut store, instance };
    wizer.snapshot_component(&cx, &mut state).await.context("snapshotting the guest")
}

struct Init {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Init {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// A clock that never moves.
struct FixedClock;

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::from_secs(EPOCH_SECONDS)
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

/// Reads the initialized instance's state through the accessors Wizer's
/// instrumentation exported.
struct Snapshotting<'a> {
    store: &'a mut Store<Init>,
    instance: Instance,
}

impl Snapshotting<'_> {
    async fn call<R>(&mut self, instance: &str, func: &str) -> R
    where
        R: wasmtime::component::ComponentType + wasmtime::component::Lift + Send + Sync + 'static,
    {
        // The accessors are Wizer's own exports: a missing one is a bug in
        // the instrumentation, not an input error.
        let (_, exported) = self.instance.get_export(&mut *self.store, None, instance).expect("accessor instance");
        let (_, func) = self.instance.get_export(&mut *self.store, Some(&exported), func).expect("accessor function");
        let func = self.instance.get_typed_func::<(), (R,)>(&mut *self.store, func).expect("accessor type");
        let (value,) = func.call_async(&mut *self.store, ()).await.expect("accessors do not trap");
        value
    }
}

impl ComponentInstanceState for Snapshotting<'_> {
    async fn call_func_ret_list_u8(&mut self, instance: &str, func: &str, contents: impl FnOnce(&[u8]) + Send) {
        let list: WasmList<u8> = self.call(instance, func).await;
        contents(list.as_le_slice(&*self.store));
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func).await
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func).await
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call::<f32>(instance, func).await.to_bits()
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call::<f64>(instance, func).await.to_bits()
    }
}

//! A pool slot passed from one execution to the next shows the next nothing
//! of the previous one.
//!
//! The component API exposes no core memories, so the engine is built, as
//! production builds it, from the guest instrumented by Wizer: the
//! instrumentation only adds an export (`wasmtime:wizer/access`) whose
//! `memory<N>` functions return each core memory's whole contents.

use super::bindings::Sandbox;
use super::bridge::Bridge;
use super::capture::{Capture, Final};
use super::engine::{self, Built, EngineSettings, GUEST_WASM};
use super::store::{MemoryLimiter, State};
use super::tape::{Tape, TapeMode};
use super::{new_store, run_options};
use crate::limits::Limits;
use crate::tools::{InProcessTools, ToolProvider};
use serde_json::{Value, json};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use wasmtime::Store;
use wasmtime::component::Instance;
use wasmtime::component::types::ComponentItem;
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wizer::Wizer;

/// The instance Wizer's instrumentation exports.
const ACCESS: &str = "wasmtime:wizer/access";

#[tokio::test]
async fn a_reused_slot_shows_nothing_of_the_previous_execution() {
    let (_, instrumented) = Wizer::new().instrument_component(GUEST_WASM).expect("instrumenting the guest");
    // Room for one sandbox: the pool has a single memory slot.
    let settings = EngineSettings { max_memory: Limits::DEFAULT_MEMORY, max_sandboxes: 1, cache_dir: None };
    let built = engine::build(&settings, &instrumented).expect("building the engine");
    let pool = || built.pre.engine().pooling_allocator_metrics().expect("the engine uses the pooling allocator");

    // The program builds the marker at run time (its source only has it
    // reversed) and keeps 4096 copies of it on the JavaScript heap.
    let marker = random_marker();
    let reversed: String = marker.chars().rev().collect();
    let write =
        format!("globalThis.kept = '{reversed}'.split('').reverse().join('').repeat(4096); return kept.length;");
    let mut first = Execution::start(&built).await;
    assert_eq!(first.run(&write).await, json!(4096 * marker.len()));
    assert!(first.memory_contains(&marker).await, "control: the scan finds the marker where it was written");
    drop(first);
    assert_eq!(pool().unused_warm_memories(), 1, "the first execution's slot is back in the pool");

    let mut second = Execution::start(&built).await;
    assert_eq!(pool().unused_warm_memories(), 0, "the second execution took the first one's slot");
    assert!(!second.memory_contains(&marker).await, "the marker is in a fresh instance's memory");
    assert_eq!(second.run("return 1 + 1").await, json!(2));
    assert!(!second.memory_contains(&marker).await, "the marker is in memory after a run");
}

/// 47 random-looking characters that nothing else puts in guest memory.
fn random_marker() -> String {
    // Each `RandomState` has its own keys, seeded from the OS.
    let word = || RandomState::new().build_hasher().finish();
    format!("codemode-reuse-{:016x}{:016x}", word(), word())
}

/// One instantiation of the instrumented guest, with the production store.
struct Execution {
    store: Store<State>,
    instance: Instance,
    capture: Capture,
    memories: Vec<String>,
}

impl Execution {
    async fn start(built: &Built) -> Self {
        let limits = Limits::default();
        let capture = Capture::new(limits.output as usize, None);
        let tools: Arc<dyn ToolProvider> = Arc::new(InProcessTools::new());
        let state = State {
            wasi: WasiCtxBuilder::new().stdout(capture.clone()).build(),
            table: Default::default(),
            memory: MemoryLimiter::new(limits.memory as usize),
            bridge: Bridge::new(tools, (Arc::from([]), false), &limits, Tape::new(&TapeMode::default()).0, None),
        };
        let mut store = new_store(built.pre.engine(), state, limits.fuel).expect("creating the store");
        let pre = built.pre.instance_pre();
        let instance = pre.instantiate_async(&mut store).await.expect("instantiating the guest");
        let memories = memory_accessors(pre.component(), built.pre.engine());
        assert!(!memories.is_empty(), "the instrumented guest exports no memory accessor");
        Self { store, instance, capture, memories }
    }

    /// Runs `source` and returns its value.
    async fn run(&mut self, source: &str) -> Value {
        let sandbox = Sandbox::new(&mut self.store, &self.instance).expect("the guest's exports");
        let options = run_options(&[], false, &Limits::default(), "program.js");
        sandbox.codemode_sandbox_program().call_run(&mut self.store, source, &options).await.expect("running");
        match self.capture.take().last {
            Final::Value { value, .. } => value,
            other => panic!("the program did not return a value: {other:?}"),
        }
    }

    /// Whether any core memory of the guest holds `needle`, anywhere.
    async fn memory_contains(&mut self, needle: &str) -> bool {
        let needle = needle.as_bytes();
        let mut found = false;
        for name in &self.memories {
            let access = self.instance.get_export_index(&mut self.store, None, ACCESS).expect("the access instance");
            let func = self.instance.get_export_index(&mut self.store, Some(&access), name).expect("an accessor");
            let read = self.instance.get_typed_func::<(), (Vec<u8>,)>(&mut self.store, &func).expect("its type");
            let (memory,) = read.call_async(&mut self.store, ()).await.expect("reading a memory");
            found |= memory.windows(needle.len()).any(|w| w == needle);
        }
        found
    }
}

/// The names of the functions in [`ACCESS`] that read a memory.
fn memory_accessors(component: &wasmtime::component::Component, engine: &wasmtime::Engine) -> Vec<String> {
    let ty = component.component_type();
    let Some(ComponentItem::ComponentInstance(access)) = ty.get_export(engine, ACCESS).map(|e| e.ty) else {
        panic!("the instrumented guest does not export {ACCESS}");
    };
    access.exports(engine).map(|(name, _)| name).filter(|name| name.starts_with("memory")).map(String::from).collect()
}

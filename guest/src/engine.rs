//! The engine every execution starts from, built once: the QuickJS runtime,
//! a context with all its intrinsics, the built-ins captured for rendering,
//! `console`, the bridge's JavaScript glue with `ToolError`, the web globals
//! and timers, the promises for results that arrive at once, and a
//! reseedable `Math.random`.
//!
//! `scripts/build-guest.sh` builds it ahead of time: it calls the
//! `wizer-initialize` export under Wizer and snapshots linear memory into
//! the shipped component, so every instance starts with the engine ready
//! and an execution pays only for its program and its tool namespaces. A
//! guest that was not pre-initialized builds the engine on first use, the
//! same way.
//!
//! Nothing the snapshot froze leaks between executions: each execution is a
//! fresh instance of the snapshot, never a used one, and the only state
//! QuickJS seeded from the clock at init that a program can observe
//! (`Math.random`) is reseeded per execution by [`random`].

use crate::bridge::Glue;
use crate::globals::{self, Timers};
use crate::inspect::Intrinsics;
use crate::{console, promises, random};
use rquickjs::{Context, Ctx, JsLifetime, Persistent, Runtime};
use std::cell::{Cell, OnceCell};
use std::rc::Rc;

/// What every execution reuses from the context, by handle.
#[derive(Clone)]
pub struct Kit<'js> {
    /// Built-ins captured before any program ran.
    pub js: Intrinsics<'js>,
    /// The bridge's JavaScript half.
    pub glue: Glue<'js>,
    /// The timers' driver side.
    pub timers: Timers<'js>,
    /// Longest console message of the current execution, in bytes.
    pub console_budget: Rc<Cell<usize>>,
}

// SAFETY: `Kit` holds only `'js`-bound handles (through `Intrinsics` and
// `Glue`) and `'static` data, so changing `'js` changes nothing else; this
// is the impl rquickjs's `JsLifetime` derive would write.
#[allow(unsafe_code)]
unsafe impl<'js> JsLifetime<'js> for Kit<'js> {
    type Changed<'to> = Kit<'to>;
}

struct Engine {
    runtime: Runtime,
    context: Context,
    kit: Persistent<Kit<'static>>,
}

thread_local! {
    static ENGINE: OnceCell<Engine> = const { OnceCell::new() };
}

/// Free heap the snapshot leaves above the engine, in bytes: what a
/// tool-calling program allocates (W3 and W4 grew it by 64 KiB) fits
/// without growing linear memory, which costs an `mprotect` on the host
/// and a TLB flush on every core. Its pages are zero, so they cost nothing
/// until written.
const HEAP_HEADROOM: usize = 256 << 10;

/// Runs every pending job (promise reactions, `queueMicrotask` callbacks);
/// a job that throws stops here with what it threw, which fails the program
/// as an uncaught exception does in Node.
pub fn run_jobs<'js>(ctx: &Ctx<'js>) -> Result<(), rquickjs::Value<'js>> {
    let runtime = unsafe_runtime(ctx);
    loop {
        let mut job_context = std::ptr::null_mut();
        // SAFETY: `runtime` is this context's live runtime, held by the
        // running execution; the engine writes the context a failed job ran
        // in (this one: there is no other) to `job_context`.
        #[allow(unsafe_code)]
        let ran = unsafe { rquickjs::qjs::JS_ExecutePendingJob(runtime, &mut job_context) };
        match ran {
            0 => return Ok(()),
            n if n < 0 => return Err(ctx.catch()),
            _ => {}
        }
    }
}

/// Runs a full collection from inside the context (`Runtime::run_gc`
/// would wait for the lock the context holds).
fn collect_garbage(ctx: &Ctx<'_>) {
    // SAFETY: as `run_jobs`: the runtime is live and held by this thread.
    #[allow(unsafe_code)]
    unsafe {
        rquickjs::qjs::JS_RunGC(unsafe_runtime(ctx));
    }
}

/// The engine's runtime of `ctx`.
fn unsafe_runtime(ctx: &Ctx<'_>) -> *mut rquickjs::qjs::JSRuntime {
    // SAFETY: `ctx` is a live context; its runtime outlives it.
    #[allow(unsafe_code)]
    unsafe {
        rquickjs::qjs::JS_GetRuntime(ctx.as_raw().as_ptr())
    }
}

/// Builds the engine if it is not built yet: the `wizer-initialize` export.
pub fn initialize() {
    ENGINE.with(|engine| {
        engine.get_or_init(build);
    });
    // The allocator grows its heap for this block and keeps the space
    // when it is freed, as free memory at the top of the heap.
    drop(std::hint::black_box(Vec::<u8>::with_capacity(HEAP_HEADROOM)));
    plug_holes();
}

/// Fills, for good, the free chunks that building the engine left between
/// live objects (the parser's and compiler's garbage, collected at the end
/// of `build`). Left free, they are where an execution's first allocations
/// land, scattered over the snapshot's pages: every page an execution
/// writes is one the host restores when the slot is given back and one
/// resident page more per live sandbox. Plugged, an execution allocates
/// from the free space at the top of the heap, a few contiguous pages.
fn plug_holes() {
    use std::alloc::{GlobalAlloc, Layout, System};
    // A block the size of the headroom comes from the top: no hole is that
    // large. Everything below it is the engine's.
    let probe = Vec::<u8>::with_capacity(HEAP_HEADROOM);
    let top = probe.as_ptr() as usize;
    drop(probe);
    let mut size = HEAP_HEADROOM / 2;
    while size >= 8 {
        let layout = Layout::from_size_align(size, 8).expect("a valid layout");
        // SAFETY: `layout` has a non-zero size; a block from a hole is
        // leaked on purpose (it is the hole), one from the top given back.
        #[allow(unsafe_code)]
        unsafe {
            let block = System.alloc(layout);
            if block.is_null() || block as usize >= top {
                if !block.is_null() {
                    System.dealloc(block, layout);
                }
                size /= 2;
            }
        }
    }
}

/// Runs `f` in the engine's context with the kit, the engine's heap capped
/// at `memory_limit` bytes and `Math.random` freshly seeded.
pub fn with<R>(memory_limit: u64, f: impl for<'js> FnOnce(&Ctx<'js>, Kit<'js>) -> R) -> R {
    ENGINE.with(|engine| {
        let engine = engine.get_or_init(build);
        let memory_limit = usize::try_from(memory_limit).unwrap_or(usize::MAX);
        engine.runtime.set_memory_limit(memory_limit);
        // Reference counting frees most garbage at once; the cycle collector
        // walks every live object. Its default first threshold (1.5 times
        // the snapshot's small heap) makes a program that builds a large
        // structure, such as a big tool result, collect again and again
        // while it grows. An execution is short and bounded by its limit,
        // so the first collection waits for an eighth of it; QuickJS then
        // rescales the threshold from what survives, as usual.
        engine.runtime.set_gc_threshold(memory_limit / 8);
        globals::start(random::reseed());
        engine.context.with(|ctx| {
            let kit = engine.kit.clone().restore(&ctx).expect("the kit belongs to this runtime");
            f(&ctx, kit)
        })
    })
}

fn build() -> Engine {
    let runtime = Runtime::new().expect("the engine starts");
    let context = Context::full(&runtime).expect("the context starts");
    let kit = context.with(|ctx| {
        let js = Intrinsics::capture(&ctx).expect("built-ins are present");
        random::install(&ctx).expect("Math.random installs");
        // The web globals first, and their garbage collected and plugged:
        // what every execution touches (the console, the bridge, the
        // promises) then lies together at the top of the heap, not
        // scattered among the polyfills' objects that most never touch.
        let timers = globals::install(&ctx).expect("the web globals install");
        collect_garbage(&ctx);
        plug_holes();
        let console_budget = Rc::new(Cell::new(0));
        console::install(&ctx, &js, console_budget.clone()).expect("console installs");
        let glue = Glue::install(&ctx).expect("the bridge installs");
        promises::prepare(&ctx).expect("the promises are made");
        Persistent::save(&ctx, Kit { js, glue, timers, console_budget })
    });
    // What init left behind would otherwise be collected by the first
    // execution, in every execution.
    runtime.run_gc();
    Engine { runtime, context, kit }
}

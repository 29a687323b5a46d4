//! The web-standard globals models use without thinking, installed once when
//! the engine is built (so they are in the snapshot and cost an execution
//! nothing until a program calls them): `setTimeout`, `setInterval`,
//! `clearTimeout`, `clearInterval` (timers.js, driven by [`Timers`]), `URL`
//! and `URLSearchParams` (url.js), `TextEncoder` and `TextDecoder`
//! (encoding.js), `structuredClone` (structured-clone.js),
//! `crypto.randomUUID` and `crypto.getRandomValues` (crypto.js), and
//! `performance.now` (performance.js). QuickJS-ng has `queueMicrotask`
//! itself.
//!
//! Each file evaluates to a function that installs its globals; every
//! built-in it relies on is captured then, so a program that replaces a
//! prototype's methods cannot change how they behave. Where they come from
//! and how closely they follow the standards is said at the top of each
//! file; the case tables in `tests/fixtures/globals/` hold them to what V8
//! (Node 20) answers.
//!
//! Two natives back them, and they add no capability:
//!
//! - `now()`, milliseconds since the execution started on the monotonic
//!   clock the guest already reads (`performance.now`, timers);
//! - `fill(bytes)`, random bytes from ChaCha12 seeded per execution from the
//!   host's `wasi:random/insecure-seed`, the seed the guest already reads
//!   for `Math.random` ([`crate::random`]). The bytes are unpredictable to a
//!   program, but not cryptographically strong: the seed is the host's
//!   insecure one.

use std::cell::{Cell, RefCell};

use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use rquickjs::{Ctx, FromJs, Function, Object, TypedArray, Value, qjs};
use std::ffi::CString;
use wasip2::clocks::monotonic_clock;

/// The file name of the globals' frames, which stack traces leave out.
pub const FILENAME: &str = "codemode:globals";

thread_local! {
    /// When the current execution started, on the monotonic clock.
    static STARTED: Cell<u64> = const { Cell::new(0) };
    /// The random bytes of the current execution, made on first use.
    static BYTES: RefCell<Option<ChaCha12Rng>> = const { RefCell::new(None) };
    /// The seed they are made from.
    static SEED: Cell<[u8; 16]> = const { Cell::new([0; 16]) };
}

/// The driver's side of the timers (see timers.js).
#[derive(Clone)]
pub struct Timers<'js> {
    delay: Function<'js>,
    fire: Function<'js>,
}

impl<'js> Timers<'js> {
    /// Milliseconds until the earliest timer is due (0 if one is due), or
    /// `None` when no timer is pending.
    pub fn delay(&self) -> rquickjs::Result<Option<f64>> {
        let delay: f64 = self.delay.call(())?;
        Ok((delay >= 0.0).then_some(delay))
    }

    /// Runs the earliest timer if it is due; whether one ran. What its
    /// callback throws is the error.
    pub fn fire(&self) -> rquickjs::Result<bool> {
        self.fire.call(())
    }
}

/// Installs every global, and returns the timers' driver side.
pub fn install<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Timers<'js>> {
    let now = Function::new(ctx.clone(), now)?.with_name("now")?;
    let fill = Function::new(ctx.clone(), fill)?.with_name("fill")?;
    // url.js uses encoding.js's decoder.
    for source in [include_str!("encoding.js"), include_str!("url.js"), include_str!("structured-clone.js")] {
        evaluate(ctx, source)?.call::<_, Value>(())?;
    }
    evaluate(ctx, include_str!("crypto.js"))?.call::<_, Value>((fill,))?;
    evaluate(ctx, include_str!("performance.js"))?.call::<_, Value>((now.clone(),))?;
    let timers: Object = evaluate(ctx, include_str!("timers.js"))?.call((now,))?;
    Ok(Timers { delay: timers.get("delay")?, fire: timers.get("fire")? })
}

/// Evaluates one file to the function it is, compiled without its source
/// text: QuickJS keeps every function's source for
/// `Function.prototype.toString`, which for these files would be most of
/// their heap in the snapshot, and more pages for every execution's slot
/// to map. Line tables and the file name stay, for the stack frames
/// `failure` leaves out.
fn evaluate<'js>(ctx: &Ctx<'js>, source: &str) -> rquickjs::Result<Function<'js>> {
    let source = CString::new(source)?;
    let filename = CString::new(FILENAME)?;
    let raw = ctx.as_raw().as_ptr();
    let thrown = || rquickjs::Error::Exception;
    // SAFETY: `raw` is this live context; every value made here is either
    // consumed (JS_EvalFunction takes the function read back) or freed, and
    // the bytes written are freed with the context's allocator after use.
    #[allow(unsafe_code)]
    let value = unsafe {
        let flags = qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_STRICT | qjs::JS_EVAL_FLAG_COMPILE_ONLY;
        let length = source.as_bytes().len();
        let compiled = qjs::JS_Eval(raw, source.as_ptr(), length as _, filename.as_ptr(), flags as i32);
        if qjs::JS_IsException(compiled) {
            return Err(thrown());
        }
        let mut size = 0;
        let flags = qjs::JS_WRITE_OBJ_BYTECODE | qjs::JS_WRITE_OBJ_STRIP_SOURCE;
        let bytes = qjs::JS_WriteObject(raw, &mut size, compiled, flags as i32);
        qjs::JS_FreeValue(raw, compiled);
        if bytes.is_null() {
            return Err(thrown());
        }
        let function = qjs::JS_ReadObject(raw, bytes, size, qjs::JS_READ_OBJ_BYTECODE as i32);
        qjs::js_free(raw, bytes.cast());
        if qjs::JS_IsException(function) {
            return Err(thrown());
        }
        let value = qjs::JS_EvalFunction(raw, function);
        if qjs::JS_IsException(value) {
            return Err(thrown());
        }
        Value::from_raw(ctx.clone(), value)
    };
    Function::from_js(ctx, value)
}

/// Marks the start of an execution: `now()` counts from here, and random
/// bytes are made from `seed` (128 bits of the host's seed).
pub fn start(seed: [u8; 16]) {
    STARTED.set(monotonic_clock::now());
    SEED.set(seed);
    BYTES.with_borrow_mut(|bytes| *bytes = None);
}

/// `now()`: milliseconds since the execution started.
fn now() -> f64 {
    monotonic_clock::now().saturating_sub(STARTED.get()) as f64 / 1e6
}

/// `fill(bytes)`: fills a `Uint8Array` with random bytes.
fn fill(bytes: TypedArray<'_, u8>) {
    let Some(raw) = bytes.as_raw() else { return };
    BYTES.with_borrow_mut(|generator| {
        let generator = generator.get_or_insert_with(|| {
            let mut key = [0u8; 32];
            key[..16].copy_from_slice(&SEED.get());
            ChaCha12Rng::from_seed(key)
        });
        // SAFETY: `raw` is the view's bytes, alive while `bytes` holds the
        // view, and nothing else touches them while no JavaScript runs.
        #[allow(unsafe_code)]
        let view = unsafe { &mut *raw.as_ptr() };
        generator.fill_bytes(view);
    });
}

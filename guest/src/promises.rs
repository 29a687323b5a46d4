//! The promise a tool function returns when its result arrived at once,
//! already fulfilled.
//!
//! Making a promise is most of what such a call costs the engine: the
//! promise, then its two resolving functions, each a function object with
//! its own `length` and `name`, of which one call uses one and frees both.
//! In a program that makes many calls (W4), that was a sixth of its time.
//! So the engine build makes [`AHEAD`] pending promises, with their
//! `resolve` functions, before the snapshot is taken: a call then only
//! resolves one. Past those, the engine makes each promise as before.
//!
//! A promise made ahead is indistinguishable from one made now: same
//! constructor and prototype (the context's, whatever the program did to
//! them since), and resolving it does what resolving a new one does. It can
//! never serve two executions, since each execution is a fresh instance of
//! the snapshot.
//!
//! This is an FFI edge: the promises are raw references owned by the pool
//! until handed out.

use rquickjs::{Ctx, Value, qjs};
use std::cell::RefCell;

/// Promises the snapshot holds ready. W4 makes 100 calls; past this many,
/// a call pays for its promise as before. Each costs about 250 bytes of
/// heap, and only the pages of the ones an execution uses are written.
const AHEAD: usize = 256;

/// A pending promise and its `resolve` function, one reference each.
struct Ready {
    promise: qjs::JSValue,
    resolve: qjs::JSValue,
}

thread_local! {
    static READY: RefCell<Vec<Ready>> = const { RefCell::new(Vec::new()) };
}

/// Makes the promises ahead, at engine build.
pub fn prepare(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let ctx = ctx.as_raw().as_ptr();
    READY.with_borrow_mut(|ready| {
        ready.reserve_exact(AHEAD);
        for _ in 0..AHEAD {
            let mut functions = [qjs::JS_UNDEFINED; 2];
            // SAFETY: `functions` has room for the two resolving functions
            // the engine writes; the promise and `resolve` are new
            // references, kept by the pool, and `reject` is released (the
            // promise does not need it to stay pending).
            #[allow(unsafe_code)]
            unsafe {
                let promise = qjs::JS_NewPromiseCapability(ctx, functions.as_mut_ptr());
                if qjs::JS_IsException(promise) {
                    return Err(rquickjs::Error::Exception);
                }
                qjs::JS_FreeValue(ctx, functions[1]);
                ready.push(Ready { promise, resolve: functions[0] });
            }
        }
        Ok(())
    })
}

/// A promise fulfilled with `value`: one made ahead if any is left, else a
/// new one. Either way, resolving it with an object looks up its `then`,
/// as the language wants.
pub fn fulfilled<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> rquickjs::Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    let Some(Ready { promise, resolve }) = READY.with_borrow_mut(Vec::pop) else {
        // SAFETY: `value` is live in this context and stays owned by the
        // caller (the engine takes its own reference); the result is a new
        // reference, whose ownership the `Value` takes over.
        #[allow(unsafe_code)]
        return unsafe {
            let promise = qjs::JS_NewSettledPromise(raw, false, value.as_raw());
            if qjs::JS_IsException(promise) {
                return Err(rquickjs::Error::Exception);
            }
            Ok(Value::from_raw(ctx.clone(), promise))
        };
    };
    let mut argument = value.as_raw();
    // SAFETY: `resolve` and `promise` are the pool's references, live in
    // this context; the call borrows `argument` (the engine takes its own
    // reference) and returns a new reference, released here. The pool's
    // `resolve` is released after, and its `promise` handed to the `Value`.
    #[allow(unsafe_code)]
    unsafe {
        let returned = qjs::JS_Call(raw, resolve, qjs::JS_UNDEFINED, 1, &mut argument);
        qjs::JS_FreeValue(raw, resolve);
        let promise = Value::from_raw(ctx.clone(), promise);
        if qjs::JS_IsException(returned) {
            return Err(rquickjs::Error::Exception);
        }
        qjs::JS_FreeValue(raw, returned);
        Ok(promise)
    }
}

//! Tool calls through the bridge: concurrency under `Promise.all`, the
//! quota and the cap, and failures as catchable `ToolError`s.

use crate::support::{echo, failure, run_with};
use codemode::{InProcessTools, Limits, ToolCallError, ToolCallErrorKind, ToolOutput, ToolSpec};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A tool `slow.wait(args)` that records how many calls were in flight at
/// once. A call stays pending for 5 ms, unless its arguments are an object
/// with `wait: false`, which makes it ready at once.
fn counting_tools() -> (InProcessTools, Arc<AtomicUsize>) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_seen = Arc::new(AtomicUsize::new(0));
    let (now, max) = (in_flight.clone(), max_seen.clone());
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("slow"), "wait"), move |args| {
        let (now, max) = (now.clone(), max.clone());
        async move {
            let current = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(current, Ordering::SeqCst);
            if args["wait"] != json!(false) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            now.fetch_sub(1, Ordering::SeqCst);
            Ok(args.into())
        }
    });
    (tools, max_seen)
}

#[tokio::test]
async fn promise_all_reaches_the_provider_concurrently() {
    let (tools, max_seen) = counting_tools();
    let source = "const r = await Promise.all(Array.from({ length: 100 }, (_, i) => slow.wait(i)));\n\
                  return r.reduce((a, b) => a + b, 0);";
    let envelope = run_with(source, Arc::new(tools), &Limits::default()).await;
    assert_eq!(envelope.value, json!(4950), "{:?}", envelope.error);
    assert_eq!(envelope.receipt.tool_calls, 100);
    let max = max_seen.load(Ordering::SeqCst);
    assert!(max > 1, "calls never overlapped: {max}");
    assert!(max <= Limits::DEFAULT_MAX_CONCURRENT_CALLS as usize, "the cap was exceeded: {max}");
}

#[tokio::test]
async fn the_concurrency_cap_holds() {
    let (tools, max_seen) = counting_tools();
    let mut limits = Limits::default();
    limits.max_concurrent_calls = 3;
    let source = "await Promise.all(Array.from({ length: 30 }, (_, i) => slow.wait(i))); return 'ok'";
    let envelope = run_with(source, Arc::new(tools), &limits).await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(max_seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn sequential_awaits_get_their_own_results() {
    let source = "let sum = 0;\nfor (let i = 0; i < 100; i++) sum += await echo(i);\nreturn sum;";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    assert_eq!(envelope.value, json!(4950), "{:?}", envelope.error);
}

#[tokio::test]
async fn results_arrive_as_javascript_values() {
    let source = "const r = await echo({ a: [1, 'two', null, { b: true }], n: 1.5 });\n\
                  return [Array.isArray(r.a), typeof r.a[1], r.a[3].b, r.n * 2];";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    assert_eq!(envelope.value, json!([true, "string", true, 3]));
}

/// A result that arrives at once comes in a promise the guest made ahead
/// (256 of them, `guest/src/promises.rs`) or, past those, a new one: 400
/// calls take both routes, and each gets a distinct real promise that
/// resolves as the language says, looking up `then` on an object result.
#[tokio::test]
async fn results_that_arrive_at_once_settle_alike_in_every_promise() {
    let source = "Object.defineProperty(Object.prototype, 'then', { configurable: true,\n\
                    get() { return typeof this.i === 'number' ? (resolve) => resolve(-this.i) : undefined; } });\n\
                  const calls = [];\n\
                  for (let i = 0; i < 400; i++) calls.push(echo({ i }));\n\
                  const real = calls.every((p) => p instanceof Promise && Object.getPrototypeOf(p) === Promise.prototype);\n\
                  const distinct = new Set(calls).size;\n\
                  const values = await Promise.all(calls);\n\
                  delete Object.prototype.then;\n\
                  return { real, distinct, wrong: values.filter((v, i) => v !== -i).length };";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    assert_eq!(envelope.value, json!({ "real": true, "distinct": 400, "wrong": 0 }), "{:?}", envelope.error);
}

/// JSON texts a tool may return, each with what it tests of the guest's
/// conversion (which must give exactly what `JSON.parse` gives).
const RESULT_TEXTS: &[&str] = &[
    r#"{"b": 1, "a": [1, -2, 3.5, 1e-7, 1e21, 18446744073709551615, 123456789012345678901234567890]}"#,
    r#"{"2": "int keys first", "a": 1, "1": "then in order", "-1": "a string key"}"#,
    r#"{"k": 1, "j": 2, "k": 3}"#,
    r#"{"__proto__": {"polluted": true}, "constructor": 1, "toString": "x"}"#,
    r#"["\u00e9t\u00e9 \ud83d\ude00", "tab\tand\nnewline \\ \"quoted\" \/", "", "日本語 and é"]"#,
    r#"[[], {}, [[]], [{}], null, true, false, 0.1, 0.30000000000000004, 2.2250738585072014e-308, 5e-324]"#,
    r#"[{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}, {"tags": ["b"], "id": 3}, {"id": 4, "extra": {"id": 5}}]"#,
    // serde_json declines these: the engine's own parser takes over.
    r#"["lone \ud800 surrogate"]"#,
    r#"[1e400, -1e400]"#,
];

/// Every result text becomes the value `JSON.parse` makes of it: same
/// types, same numbers (bit for bit), same key order, same own properties.
#[tokio::test]
async fn results_are_what_json_parse_makes_of_them() {
    let texts: Vec<String> = RESULT_TEXTS.iter().map(|t| t.to_string()).collect();
    let raw_texts = texts.clone();
    let tools = InProcessTools::new()
        .tool(ToolSpec::new(None, "result"), move |i| {
            let text = raw_texts[i.as_u64().unwrap() as usize].clone();
            async move { Ok(ToolOutput::from_raw(serde_json::value::RawValue::from_string(text).unwrap())) }
        })
        .tool(ToolSpec::new(None, "texts"), move |_| {
            let texts = texts.clone();
            async move { Ok(json!(texts).into()) }
        });
    let source = "const same = (a, b) => {\n\
                    if (typeof a !== typeof b) return false;\n\
                    if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b);\n\
                    if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;\n\
                    const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);\n\
                    return ka.length === kb.length && ka.every((k, i) => k === kb[i]\n\
                      && JSON.stringify(Object.getOwnPropertyDescriptor(a, k), (_, v) => typeof v === 'object' ? v : String(v))\n\
                         === JSON.stringify(Object.getOwnPropertyDescriptor(b, k), (_, v) => typeof v === 'object' ? v : String(v))\n\
                      && same(a[k], b[k]));\n\
                  };\n\
                  const all = await texts();\n\
                  const differ = [];\n\
                  for (let i = 0; i < all.length; i++) if (!same(await result(i), JSON.parse(all[i]))) differ.push(all[i]);\n\
                  return differ;";
    let envelope = run_with(source, Arc::new(tools), &Limits::default()).await;
    assert_eq!(envelope.value, json!([]), "{:?}", envelope.error);
}

#[tokio::test]
async fn an_unknown_tool_is_a_catchable_tool_error() {
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("files"), "read"), |_| async { Ok(json!("x").into()) });
    let source = "try { await files.raed({}); } catch (e) {\n\
                  return [e instanceof ToolError, e.code, e.server, e.tool, e.message];\n}";
    let envelope = run_with(source, Arc::new(tools), &Limits::default()).await;
    assert_eq!(
        envelope.value,
        json!([true, "unknown_tool", "files", "raed", "files.raed is not a tool; files has: read"])
    );
}

#[tokio::test]
async fn a_failing_tool_is_a_catchable_tool_error_with_details() {
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("api"), "fetch"), |_| async {
        Err(ToolCallError::new(ToolCallErrorKind::ToolFailed, "upstream said no")
            .with_details(json!({ "status": 503 })))
    });
    let source = "try { await api.fetch({ id: 1 }); } catch (e) { return [e.name, e.code, e.message, e.details]; }";
    let envelope = run_with(source, Arc::new(tools), &Limits::default()).await;
    assert_eq!(envelope.value, json!(["ToolError", "tool_failed", "upstream said no", { "status": 503 }]));
}

#[tokio::test]
async fn an_uncaught_tool_error_is_kind_tool() {
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("api"), "fetch"), |_| async {
        Err(ToolCallError::new(ToolCallErrorKind::Unavailable, "connection refused"))
    });
    let envelope = run_with("await api.fetch({});", Arc::new(tools), &Limits::default()).await;
    let (kind, message) = failure(&envelope);
    assert_eq!((kind, message), (codemode::ProgramErrorKind::Tool, "connection refused"));
    let error = envelope.error.as_ref().unwrap();
    assert_eq!(error.code.as_deref(), Some("unavailable"));
    assert_eq!((error.server.as_deref(), error.tool.as_deref()), (Some("api"), Some("fetch")));
    assert_eq!(error.line, Some(1));
}

#[tokio::test]
async fn calls_beyond_the_quota_are_refused() {
    let mut limits = Limits::default();
    limits.max_tool_calls = 5;
    let source = "const r = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => echo(i)));\n\
                  return r.map((x) => x.status === 'fulfilled' ? x.value : x.reason.code);";
    let envelope = run_with(source, Arc::new(echo()), &limits).await;
    assert_eq!(
        envelope.value,
        json!([0, 1, 2, 3, 4, "quota_exceeded", "quota_exceeded", "quota_exceeded"]),
        "{:?}",
        envelope.error
    );
    assert_eq!(envelope.receipt.tool_calls, 8);
}

/// Arguments JSON cannot write are refused in the guest, before any call:
/// the ToolError names the tool and says why, whatever the program threw.
#[tokio::test]
async fn unserializable_arguments_are_rejected_in_the_guest() {
    let source = "const cycle = {}; cycle.self = cycle;\n\
                  const attempts = [{ n: 1n }, cycle, { toJSON() { throw new RangeError('mine'); } }, { toJSON() { throw 7; } }];\n\
                  const out = [];\n\
                  for (const args of attempts) {\n\
                    try { await echo(args); out.push('sent'); } catch (e) { out.push([e instanceof ToolError, e.code, e.tool, e.message]); }\n\
                  }\n\
                  return out;";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    let Some(out) = envelope.value.as_array() else { panic!("{:?}", envelope.error) };
    assert_eq!(out.len(), 4);
    for (attempt, why) in out.iter().zip(["BigInt", "circular", "mine", "7"]) {
        assert_eq!(
            [&attempt[0], &attempt[1], &attempt[2]],
            [&json!(true), &json!("invalid_arguments"), &json!("echo")]
        );
        let message = attempt[3].as_str().unwrap();
        assert!(message.starts_with("arguments of echo are not JSON-serializable: "), "{message}");
        assert!(message.contains(why), "{message} should say {why}");
    }
    assert_eq!(envelope.receipt.tool_calls, 0);
}

/// What `JSON.stringify` leaves out (undefined, a function, a symbol)
/// reaches the tool as `null`.
#[tokio::test]
async fn arguments_json_leaves_out_arrive_as_null() {
    let source = "return await Promise.all([undefined, () => 1, Symbol('s'), [undefined, () => 1], { a: undefined, b: 1 }].map((x) => echo(x)));";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    assert_eq!(envelope.value, json!([null, null, null, [null, null], { "b": 1 }]), "{:?}", envelope.error);
}

#[tokio::test]
async fn promise_race_takes_the_first_completion() {
    let tools = InProcessTools::new().tool(ToolSpec::new(None, "fast"), |_| async { Ok(json!("fast").into()) }).tool(
        ToolSpec::new(None, "slow"),
        |_| async {
            tokio::time::sleep(Duration::from_secs(20)).await;
            Ok(json!("slow").into())
        },
    );
    let envelope = run_with("return await Promise.race([slow(), fast()]);", Arc::new(tools), &Limits::default()).await;
    assert_eq!(envelope.value, json!("fast"));
    assert!(envelope.receipt.duration_ms < 10_000.0);
}

/// In-process tools usually finish on their first poll, which the bridge
/// makes in place; only a call still pending after it gets a task.
#[tokio::test]
async fn a_call_gets_a_task_only_when_it_is_pending() {
    let alive = || tokio::runtime::Handle::current().metrics().num_alive_tasks();
    let tools = InProcessTools::new()
        .tool(ToolSpec::new(None, "ready"), move |_| async move { Ok(json!(alive()).into()) })
        .tool(ToolSpec::new(None, "later"), move |_| async move {
            tokio::task::yield_now().await;
            Ok(json!(alive()).into())
        });
    let envelope = run_with("return [await ready(), await later()];", Arc::new(tools), &Limits::default()).await;
    let Some([ready, later]) = envelope.value.as_array().map(|v| [v[0].as_u64(), v[1].as_u64()]) else {
        panic!("{:?}", envelope.error)
    };
    assert_eq!(later, ready.map(|n| n + 1), "the pending call runs in a task of its own, the ready one does not");
}

#[tokio::test]
async fn the_cap_counts_calls_that_finish_at_once_and_calls_that_wait() {
    let (tools, max_seen) = counting_tools();
    let mut limits = Limits::default();
    limits.max_concurrent_calls = 2;
    // Two waiting calls hold both permits, so the ready calls behind them
    // must wait too rather than run in place.
    let source = "const r = await Promise.all(Array.from({ length: 30 }, (_, i) => slow.wait({ wait: i % 3 !== 2, i })));\n\
                  return r.map((x) => x.i);";
    let envelope = run_with(source, Arc::new(tools), &limits).await;
    assert_eq!(envelope.value, json!((0..30).collect::<Vec<_>>()), "{:?}", envelope.error);
    assert_eq!(max_seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_pending_call_is_cancelled_when_the_execution_ends() {
    /// Flags its drop: the call's future was dropped, so the call was cancelled.
    struct Cancelled(Arc<AtomicUsize>);
    impl Drop for Cancelled {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let (started, cancelled) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (count, flag) = (started.clone(), cancelled.clone());
    let tools = echo().tool(ToolSpec::new(None, "hang"), move |_| {
        let (count, flag) = (count.clone(), Cancelled(flag.clone()));
        async move {
            let _flag = flag;
            count.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
            unreachable!()
        }
    });
    // Both calls go out in one batch; the program returns once echo answers.
    let envelope = run_with("hang(); return await echo(1);", Arc::new(tools), &Limits::default()).await;
    assert_eq!(envelope.value, json!(1), "{:?}", envelope.error);
    assert_eq!(started.load(Ordering::SeqCst), 1, "hang() was called");
    // Aborting a task drops its future when the runtime next gets to it.
    for _ in 0..500 {
        if cancelled.load(Ordering::SeqCst) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the pending call outlived its execution");
}

#[tokio::test]
async fn calls_that_finish_at_once_still_meet_the_deadline() {
    let mut limits = Limits::default();
    limits.timeout = Duration::from_millis(300);
    limits.max_tool_calls = u32::MAX;
    let envelope = run_with("while (true) await echo(1);", Arc::new(echo()), &limits).await;
    assert_eq!(failure(&envelope).0, codemode::ProgramErrorKind::Timeout);
    assert!(envelope.receipt.tool_calls > 100, "{}", envelope.receipt.tool_calls);
    assert!(envelope.receipt.duration_ms < 5_000.0, "{}", envelope.receipt.duration_ms);
}

#[tokio::test]
async fn sequential_calls_beyond_the_quota_are_refused() {
    let mut limits = Limits::default();
    limits.max_tool_calls = 3;
    let source = "const r = [];\n\
                  for (let i = 0; i < 5; i++) { try { r.push(await echo(i)); } catch (e) { r.push(e.code); } }\n\
                  return r;";
    let envelope = run_with(source, Arc::new(echo()), &limits).await;
    assert_eq!(envelope.value, json!([0, 1, 2, "quota_exceeded", "quota_exceeded"]), "{:?}", envelope.error);
}

/// A handler that panics before it even returns its future.
fn panics_at_once(_: serde_json::Value) -> std::future::Ready<Result<ToolOutput, ToolCallError>> {
    panic!("tool bug")
}

#[tokio::test]
async fn a_panic_fails_the_call_wherever_the_tool_panics() {
    let tools = InProcessTools::new()
        .tool(ToolSpec::new(None, "before"), panics_at_once)
        .tool(ToolSpec::new(None, "first"), |_| async { panic!("tool bug") })
        .tool(ToolSpec::new(None, "later"), |_| async {
            tokio::task::yield_now().await;
            panic!("tool bug")
        });
    let source = "const r = [];\n\
                  for (const f of [before, first, later]) { try { await f(); } catch (e) { r.push([e.code, e.message]); } }\n\
                  return r;";
    let envelope = run_with(source, Arc::new(tools), &Limits::default()).await;
    let failed = json!(["unavailable", "the tool panicked: tool bug"]);
    assert_eq!(envelope.value, json!([failed, failed, failed]), "{:?}", envelope.error);
}

#[tokio::test]
async fn numbers_reach_the_tool_as_json_stringify_writes_them() {
    let source =
        "return await Promise.all([7, -3, 0.1, -0, 1e21, 2 ** 53 + 2, 1e-7, NaN, -Infinity].map((x) => echo(x)));";
    let envelope = run_with(source, Arc::new(echo()), &Limits::default()).await;
    assert_eq!(
        envelope.value,
        json!([7, -3, 0.1, 0, 1e21, 9_007_199_254_740_994_u64, 1e-7, null, null]),
        "{:?}",
        envelope.error
    );
}

/// A call completes at once or later; either way an uncaught failure points
/// at the program's line that made it, with no frame of the bridge.
#[tokio::test]
async fn an_uncaught_tool_error_points_at_its_call_however_it_completed() {
    let refuse = || Err(ToolCallError::new(ToolCallErrorKind::ToolFailed, "no"));
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("api"), "now"), move |_| async move { refuse() }).tool(
        ToolSpec::new(Some("api"), "later"),
        move |_| async move {
            tokio::task::yield_now().await;
            refuse()
        },
    );
    let tools = Arc::new(tools);
    for tool in ["now", "later"] {
        let source =
            format!("const x = 1;\nasync function f() {{\n  return await api.{tool}({{ x }});\n}}\nawait f();");
        let envelope = run_with(&source, tools.clone(), &Limits::default()).await;
        let error = envelope.error.as_ref().unwrap_or_else(|| panic!("{tool}: {}", envelope.value));
        assert_eq!((error.code.as_deref(), error.line), (Some("tool_failed"), Some(3)), "{tool}: {error:?}");
        let stack = error.stack.as_deref().unwrap_or_default();
        assert!(stack.contains("f (program.js:3:"), "{tool}: {stack}");
        assert!(!stack.contains("prelude"), "{tool}: {stack}");
    }
}

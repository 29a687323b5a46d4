//! Every limit holds against a hostile program, ends it with the right
//! kind, and leaves the executor fit for the next execution.

use crate::support::{echo, failure, run, run_with, value};
use codemode::ProgramErrorKind::{self, Cpu, Memory, Output, Stack, Timeout};
use codemode::{ExecuteOptions, InProcessTools, Limits, ToolOutput, ToolSpec};
use std::sync::Arc;
use std::time::Duration;

/// Runs `source` under `limits`, checks the kind, then checks the executor
/// still runs a normal program.
async fn ends_with(source: &str, limits: &Limits, kind: ProgramErrorKind) -> codemode::Envelope {
    let envelope = run_with(source, Arc::new(echo()), limits).await;
    assert_eq!(failure(&envelope).0, kind, "{source}: {:?}", envelope.error);
    assert_eq!(value("return 1 + 1").await, serde_json::json!(2), "the executor survives {source}");
    envelope
}

fn small_fuel() -> Limits {
    let mut limits = Limits::default();
    limits.fuel = 300_000_000;
    limits
}

#[tokio::test]
async fn an_infinite_loop_runs_out_of_fuel() {
    let envelope = ends_with("while (true) {}", &small_fuel(), Cpu).await;
    assert_eq!(envelope.receipt.fuel_used, 300_000_000);
}

#[tokio::test]
async fn an_infinite_loop_in_a_promise_job_runs_out_of_fuel() {
    ends_with("Promise.resolve().then(() => { for (;;) {} });\nawait new Promise(() => {});", &small_fuel(), Cpu).await;
}

#[tokio::test]
async fn an_infinite_loop_hits_the_deadline() {
    let mut limits = Limits::default();
    limits.timeout = Duration::from_millis(300);
    let envelope = ends_with("while (true) {}", &limits, Timeout).await;
    assert!(envelope.receipt.duration_ms < 5_000.0, "{}", envelope.receipt.duration_ms);
}

#[tokio::test]
async fn waiting_on_a_tool_hits_the_deadline() {
    let tools = InProcessTools::new().tool(ToolSpec::new(None, "never"), |_| async {
        std::future::pending::<()>().await;
        unreachable!()
    });
    let mut limits = Limits::default();
    limits.timeout = Duration::from_millis(200);
    let envelope = run_with("await never(); return 1", Arc::new(tools), &limits).await;
    assert_eq!(failure(&envelope).0, Timeout);
}

#[tokio::test]
async fn a_string_doubling_bomb_runs_out_of_memory() {
    ends_with("let s = 'x';\nwhile (true) s += s;", &Limits::default(), Memory).await;
}

#[tokio::test]
async fn flat_string_growth_runs_out_of_memory() {
    ends_with("let s = 'x';\nwhile (true) s = (s + s).slice(1) + 'y';", &Limits::default(), Memory).await;
}

#[tokio::test]
async fn unbounded_array_growth_runs_out_of_memory() {
    let envelope =
        ends_with("const a = [];\nwhile (true) a.push(new Array(1000).fill(1));", &Limits::default(), Memory).await;
    assert!(envelope.receipt.peak_memory_bytes <= Limits::DEFAULT_MEMORY);
    assert!(envelope.receipt.peak_memory_bytes > Limits::DEFAULT_MEMORY / 2);
}

#[tokio::test]
async fn a_smaller_memory_limit_is_honoured() {
    let mut limits = Limits::default();
    limits.memory = 16 << 20;
    let envelope = ends_with("const a = [];\nwhile (true) a.push('x'.repeat(1 << 16));", &limits, Memory).await;
    assert!(envelope.receipt.peak_memory_bytes <= 16 << 20);
}

/// A result too big for the engine's heap fails as memory, whether it
/// arrives at once or later, and takes nothing else down.
#[tokio::test]
async fn a_tool_result_bigger_than_memory_runs_out_of_memory() {
    let rows: Vec<serde_json::Value> =
        (0..200_000).map(|i| serde_json::json!({ "id": i, "name": format!("row {i}") })).collect();
    let output: ToolOutput = serde_json::json!(rows).into();
    let later = output.clone();
    let tools = InProcessTools::new()
        .tool(ToolSpec::new(None, "now"), move |_| std::future::ready(Ok(output.clone())))
        .tool(ToolSpec::new(None, "later"), move |_| {
            let output = later.clone();
            async move {
                tokio::task::yield_now().await;
                Ok(output)
            }
        });
    let tools = Arc::new(tools);
    let mut limits = Limits::default();
    limits.memory = 16 << 20;
    for tool in ["now", "later"] {
        let envelope =
            run_with(&format!("const rows = await {tool}();\nreturn rows.length;"), tools.clone(), &limits).await;
        assert_eq!(failure(&envelope).0, Memory, "{tool}: {:?}", envelope.error);
    }
    assert_eq!(value("return 1 + 1").await, serde_json::json!(2));
}

/// The cycle collector waits for an eighth of the limit before its first
/// pass (`guest/src/engine.rs`), never for the limit itself: 64 MiB of
/// cyclic garbage fits in a 16 MiB sandbox.
#[tokio::test]
async fn cyclic_garbage_is_collected_within_the_limit() {
    let mut limits = Limits::default();
    limits.memory = 16 << 20;
    let source =
        "for (let i = 0; i < 4096; i++) { const a = { pad: 'x'.repeat(1 << 14) }; a.self = a; }\nreturn 'done'";
    let envelope = run_with(source, Arc::new(echo()), &limits).await;
    assert_eq!(envelope.value, serde_json::json!("done"), "{:?}", envelope.error);
}

/// Pushing small objects until the heap is full: the engine cannot even
/// allocate its "out of memory" error then, and throws the one it keeps
/// for that (it used to throw `null`, reported as `uncaught null`).
#[tokio::test]
async fn small_objects_until_the_limit_run_out_of_memory() {
    let envelope = ends_with("const a = [];\nwhile (true) a.push({ n: a.length });", &Limits::default(), Memory).await;
    let (_, message) = failure(&envelope);
    assert!(message.contains("out of memory") && message.contains("the memory limit is 64 MiB"), "{message}");
}

/// A program cannot pass its own error off as a limit: the kind comes from
/// what the engine recorded, not from the class or message.
#[tokio::test]
async fn thrown_look_alikes_of_limit_errors_are_runtime_errors() {
    for source in [
        "throw new InternalError('out of memory')",
        "throw new InternalError('string too long')",
        "throw new RangeError('Maximum call stack size exceeded')",
        "throw new InternalError('stack overflow')",
        "const e = new Error('out of memory'); e.name = 'InternalError'; throw e",
        "function f() { f(); }\ntry { f(); } catch (e) { throw new RangeError(e.message); }",
        "const a = [];\ntry { for (;;) a.push({}); } catch (e) { a.length = 0; throw new InternalError(e.message); }",
        "await Promise.reject(new RangeError('Maximum call stack size exceeded'))",
    ] {
        let envelope = run(source).await;
        assert_eq!(failure(&envelope).0, ProgramErrorKind::Runtime, "{source}: {:?}", envelope.error);
    }
}

/// QuickJS has a real stack limit in the guest, so overflowing it throws
/// the ordinary, catchable `RangeError` that V8 throws. Each expected value
/// is what Node 20 gives.
const CATCHABLE_OVERFLOWS: &[(&str, &str, &str)] = &[
    (
        "a caught overflow lets the program go on",
        "function f() { return f(); }\nlet caught;\ntry { f(); } catch (e) { caught = [e instanceof RangeError, e.message]; }\nreturn [caught, 1 + 1];",
        r#"[[true, "Maximum call stack size exceeded"], 2]"#,
    ),
    (
        "JSON.stringify of a value nested 100,000 deep",
        "let v = {};\nfor (let i = 0; i < 1e5; i++) v = { v };\ntry { JSON.stringify(v); } catch (e) { return [e.constructor.name, e.message]; }",
        r#"["RangeError", "Maximum call stack size exceeded"]"#,
    ),
    (
        "a Proxy whose get reads itself",
        "const p = new Proxy({}, { get(t, k, r) { return r[k]; } });\ntry { p.x; } catch (e) { return e.constructor.name; }",
        r#""RangeError""#,
    ),
    (
        "a getter that reads itself",
        "const o = { get x() { return this.x; } };\ntry { o.x; } catch (e) { return e.constructor.name; }",
        r#""RangeError""#,
    ),
    (
        "the overflow unwinds fully: recursion works again after it",
        "function f() { return f(); }\ntry { f(); } catch {}\nfunction g(n) { return n === 0 ? 0 : g(n - 1) + 1; }\nreturn g(5000);",
        "5000",
    ),
];

#[tokio::test]
async fn a_stack_overflow_is_a_catchable_range_error() {
    for &(what, source, expected) in CATCHABLE_OVERFLOWS {
        let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert_eq!(value(source).await, expected, "{what}");
    }
}

#[tokio::test]
async fn an_uncaught_overflow_is_a_stack_error_with_its_location() {
    let envelope = ends_with("function f() {\n  return f() + 1;\n}\nreturn f();", &Limits::default(), Stack).await;
    let error = envelope.error.as_ref().unwrap();
    // Node 20 says line 2 too (its first frame's column is the callee's
    // body, 3; the ones below it are the call, 10, as here).
    assert_eq!((error.line, error.column), (Some(2), Some(10)), "{error:?}");
    assert_eq!(error.message, "Maximum call stack size exceeded");
    assert_eq!(error.name.as_deref(), Some("RangeError"));
    // A value too deep for the engine to write is one too.
    ends_with("let v = 1;\nfor (let i = 0; i < 1e5; i++) v = [v];\nreturn v;", &Limits::default(), Stack).await;
}

/// Plain recursion reaches about 15,800 frames, more than Node 20's 13,957.
#[tokio::test]
async fn recursion_reaches_a_sane_depth() {
    let depth = value("let d = 0;\nfunction f() { d++; f(); }\ntry { f(); } catch {}\nreturn d;").await;
    let depth = depth.as_u64().unwrap();
    assert!((13_957..40_000).contains(&depth), "{depth}");
}

#[tokio::test]
async fn recursion_a_few_thousand_deep_is_fine() {
    assert_eq!(value("function f(n) { return n == 0 ? 0 : f(n - 1) + 1; }\nreturn f(5000);").await, 5000);
}

#[tokio::test]
async fn a_gigabyte_of_console_output_is_cut_off() {
    let source = "const line = 'x'.repeat(1 << 20);\nfor (let i = 0; i < 1024; i++) console.log(line);";
    let envelope = ends_with(source, &Limits::default(), Output).await;
    let printed: usize = envelope.logs.iter().map(|l| l.message.len()).sum();
    assert!(printed <= Limits::DEFAULT_OUTPUT as usize, "{printed}");
}

#[tokio::test]
async fn many_small_console_lines_are_cut_off() {
    ends_with("for (;;) console.log('spam');", &Limits::default(), Output).await;
}

#[tokio::test]
async fn an_oversized_value_is_truncated_structurally() {
    let mut limits = Limits::default();
    limits.output = 4096;
    let envelope = run_with(
        "return { rows: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: 'row ' + i })), total: 5000 }",
        Arc::new(echo()),
        &limits,
    )
    .await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert!(envelope.truncated);
    let text = serde_json::to_string(&envelope.value).unwrap();
    assert!(text.len() <= 4096, "{}", text.len());
    let rows = envelope.value["rows"].as_array().expect("still an object with a rows array");
    assert_eq!(rows[0], serde_json::json!({ "id": 0, "name": "row 0" }));
    assert!(rows.last().unwrap().as_str().unwrap().contains("more items"), "{rows:?}");
    assert_eq!(envelope.value["total"], 5000);
}

#[tokio::test]
async fn a_value_within_the_limit_is_untouched() {
    let envelope = run("return Array.from({ length: 100 }, (_, i) => i)").await;
    assert!(!envelope.truncated);
    assert_eq!(envelope.value.as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn invalid_limits_are_refused_before_running() {
    let mut limits = Limits::default();
    limits.memory = 1 << 30;
    let error = crate::support::executor()
        .execute("1", Arc::new(echo()), &ExecuteOptions::new().with_limits(limits))
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.limit()), (codemode::ErrorKind::InvalidLimits, Some("memory")));
    assert!(error.to_string().contains("above the executor's maximum"), "{error}");
}

#[tokio::test]
async fn deeply_nested_values_are_capped_not_refused() {
    for depth in [127, 1000] {
        let source = format!("let v = 1; for (let i = 0; i < {depth}; i++) v = [v]; return v");
        let envelope = run_with(&source, Arc::new(echo()), &Limits::default()).await;
        assert!(envelope.ok, "{depth}: {:?}", envelope.error);
        assert!(envelope.truncated, "{depth}");
        let mut inner = &envelope.value;
        let mut levels = 0;
        while let Some(first) = inner.as_array().and_then(|a| a.first()) {
            inner = first;
            levels += 1;
        }
        assert_eq!((levels, inner.as_str()), (64, Some("[array of 1 items]")), "{depth}");
    }
}

#[tokio::test]
async fn a_huge_error_message_is_truncated_not_an_output_error() {
    let mut limits = Limits::default();
    limits.output = 4096;
    let envelope = run_with("throw new Error('x'.repeat(1e6))", Arc::new(echo()), &limits).await;
    let (kind, message) = failure(&envelope);
    assert_eq!(kind, codemode::ProgramErrorKind::Runtime);
    assert!(message.starts_with("xxxx") && message.len() < 4096, "{}", message.len());
}

#[test]
fn an_executor_maximum_beyond_wasm32_is_refused_with_its_range() {
    let error = codemode::Executor::builder().max_memory(100_000 << 20).build().unwrap_err();
    assert_eq!((error.kind(), error.limit()), (codemode::ErrorKind::InvalidLimits, Some("max_memory")));
    assert_eq!(error.to_string(), "max_memory must be between 8 MiB and 4096 MiB (got 100000 MiB)");
}

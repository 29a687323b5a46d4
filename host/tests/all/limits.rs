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

#[tokio::test]
async fn unbounded_recursion_overflows_the_stack() {
    ends_with("function f() { return f() + 1; }\nreturn f();", &Limits::default(), Stack).await;
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

//! Timers: callbacks run as the clock advances while the program waits;
//! they order by due time, then by when they were set; cleared ones never
//! fire; pending ones are dropped when the program returns; waiting is wall
//! time within the deadline, not fuel.

use std::sync::Arc;
use std::time::Duration;

use codemode::ProgramErrorKind::{Runtime, Timeout};
use codemode::{InProcessTools, Limits, ToolSpec};
use serde_json::json;

use crate::support::{failure, run, run_with, value};

#[tokio::test]
async fn timers_fire_in_due_order() {
    let order = value(
        r#"
        const order = [];
        setTimeout(() => order.push("b"), 40);
        setTimeout(() => order.push("a"), 20);
        setTimeout(() => order.push("c"), 40);
        let ticks = 0;
        const id = setInterval(() => { order.push("tick" + ++ticks); if (ticks === 3) clearInterval(id); }, 10);
        const cleared = setTimeout(() => order.push("never"), 5);
        clearTimeout(cleared);
        setTimeout((x, y) => order.push(x + y), 0, "ar", "gs");
        await new Promise((resolve) => setTimeout(resolve, 80));
        return order;
        "#,
    )
    .await;
    // What Node 20 prints for the same program.
    assert_eq!(order, json!(["args", "tick1", "a", "tick2", "tick3", "b", "c"]));
}

#[tokio::test]
async fn a_timer_inside_a_tool_calls_continuation() {
    let tools = InProcessTools::new().tool(ToolSpec::new(None, "slow"), |args| async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        Ok(args.into())
    });
    let envelope = run_with(
        r#"
        const events = [];
        const call = slow("result").then((r) => { events.push("call"); setTimeout(() => events.push("after call"), 5); return r; });
        setTimeout(() => events.push("timer 10"), 10);
        const raced = await Promise.race([slow("late"), new Promise((r) => setTimeout(() => r("timer won"), 1))]);
        await call;
        await new Promise((r) => setTimeout(r, 20));
        return { raced, events };
        "#,
        Arc::new(tools),
        &Limits::default(),
    )
    .await;
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(envelope.value, json!({ "raced": "timer won", "events": ["timer 10", "call", "after call"] }));
}

#[tokio::test]
async fn sleeping_is_wall_time_not_fuel() {
    let envelope = run(
        "const t = performance.now();\nawait new Promise((r) => setTimeout(r, 150));\nreturn performance.now() - t;",
    )
    .await;
    let slept = envelope.value.as_f64().unwrap();
    assert!((150.0..1000.0).contains(&slept), "slept {slept} ms");
    assert!(envelope.receipt.duration_ms >= 150.0, "{:?}", envelope.receipt);
    assert!(envelope.receipt.fuel_used < 5_000_000, "{:?}", envelope.receipt);
}

#[tokio::test]
async fn a_timer_past_the_deadline_is_a_timeout() {
    let mut limits = Limits::default();
    limits.timeout = Duration::from_millis(200);
    let envelope = run_with(
        "await new Promise((r) => setTimeout(r, 10_000));\nreturn 1;",
        Arc::new(InProcessTools::new()),
        &limits,
    )
    .await;
    assert_eq!(failure(&envelope).0, Timeout);
    assert!(envelope.receipt.duration_ms < 2_000.0, "{:?}", envelope.receipt);
}

#[tokio::test]
async fn pending_timers_are_dropped_when_the_program_returns() {
    let envelope =
        run("setTimeout(() => { throw new Error('never'); }, 10);\nsetInterval(() => {}, 1);\nreturn 'done';").await;
    assert_eq!(envelope.value, json!("done"), "{:?}", envelope.error);
    assert!(envelope.receipt.duration_ms < 1_000.0);
}

#[tokio::test]
async fn what_a_callback_throws_fails_the_program() {
    let envelope = run("setTimeout(() => {\n  null.x;\n}, 1);\nawait new Promise((r) => setTimeout(r, 50));").await;
    let (kind, message) = failure(&envelope);
    assert_eq!((kind, message), (Runtime, "cannot read property 'x' of null"));
    let error = envelope.error.as_ref().unwrap();
    assert_eq!((error.name.as_deref(), error.line), (Some("TypeError"), Some(2)));

    let envelope =
        run("queueMicrotask(() => { throw new RangeError('in a microtask'); });\nawait null;\nreturn 1;").await;
    assert_eq!(failure(&envelope), (Runtime, "in a microtask"));

    let envelope = run("setTimeout('not a function', 1);").await;
    let (kind, message) = failure(&envelope);
    assert_eq!(kind, Runtime);
    assert!(message.starts_with("The \"callback\" argument must be of type function"), "{message}");
}

//! How much the sandbox costs: the no-tool workloads (`bench/workloads/README.md`) on
//! native QuickJS-ng next to codemode, and the ways to turn a large tool
//! result into JavaScript values.
//!
//! - **W0–W2**: each program runs natively the way the guest runs it
//!   (`guest/src/program.rs`, `driver.rs`): a fresh `Runtime` and
//!   `Context::full` per execution, the source evaluated as `(\n{source}\n)`
//!   under the name `program.js`, the function called, its promise driven
//!   with `execute_pending_job` until it settles, the value turned into
//!   JSON with `JSON.stringify` and `serde_json`, and compared with
//!   `expected`. The same rquickjs (0.14, same features) as the guest, so the
//!   same QuickJS-ng, compiled natively instead of to Wasm. Each native
//!   execution alternates with one `Executor::execute` of the same program
//!   (default limits, a fresh sandbox as in the `workloads` bench), so both
//!   see the same machine noise; the ratio codemode/native is the cost of
//!   the sandbox. Subtracting each side's W0 leaves the program's own run
//!   time (interpretation, allocation), without the setup around it.
//! - **tool results**: the `orders()` data set (~1.2 MB of JSON) turned
//!   into JavaScript values natively, in one context: (a) `ctx.json_parse`,
//!   QuickJS's C parser, what the guest bridge uses; (b) the JS
//!   `JSON.parse` called on a JS string; (c) the values built one by one
//!   through rquickjs from an already parsed `serde_json::Value`, with that
//!   parse timed on its own for reference. Each result is checked to
//!   stringify back to the same text.
//!
//! ```text
//! cargo bench -p codemode --bench native -- [--quick]
//! ```

mod common;

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use codemode::{ExecuteOptions, Executor, InProcessTools, ToolProvider};
use common::{Machine, Manifest, Workload, check_shared_copy, load_orders, read_program};
use rquickjs::context::EvalOptions;
use rquickjs::promise::PromiseState;
use rquickjs::{Array, CatchResultExt, Context, Ctx, Function, Object, Promise, Runtime, Value};
use serde_json::Value as Json;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: native [--quick]";

fn main() -> ExitCode {
    common::exit(run_all())
}

fn run_all() -> Result<()> {
    let mut quick = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            // `cargo bench` passes this to every bench binary.
            "--bench" => {}
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the crate has no parent directory")?;
    let bench_dir = repo.join("bench/workloads");
    check_shared_copy(&bench_dir, &repo.join("../shared/bench"))?;
    let manifest = Manifest::load(&bench_dir)?;

    let machine = Machine::read();
    println!("codemode vs native QuickJS-ng, {}", machine.date);
    println!("machine: {}, {} cores", machine.cpu, machine.cores);
    println!("mode:    {}", if quick { "quick (smoke run; figures are not meaningful)" } else { "full" });

    // The runtime the `workloads` bench measures codemode on.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let executor = Executor::new()?;
    println!();
    println!(
        "{:<12} {:>6} {:>12} {:>12} {:>8} {:>16}",
        "workload", "runs", "native ms", "codemode ms", "ratio", "ratio minus W0"
    );
    let mut w0: Option<Pair> = None;
    for workload in manifest.workloads.iter().filter(|w| ["W0", "W1", "W2"].contains(&w.id.as_str())) {
        ensure!(workload.tools.is_empty(), "{} uses tools; only no-tool workloads run natively", workload.id);
        let source = read_program(&bench_dir, workload)?;
        let task = time_pair(executor.clone(), source, workload.clone(), quick);
        let pair = runtime.block_on(async { tokio::spawn(task).await? })?;
        let own = match &w0 {
            Some(w0) if workload.id != "W0" => {
                format!("{:.2}", (pair.codemode - w0.codemode).as_secs_f64() / (pair.native - w0.native).as_secs_f64())
            }
            _ => "-".into(),
        };
        println!(
            "{:<12} {:>6} {:>12.3} {:>12.3} {:>8.2} {:>16}",
            format!("{} {}", workload.id, workload.name),
            pair.runs,
            ms(pair.native),
            ms(pair.codemode),
            pair.codemode.as_secs_f64() / pair.native.as_secs_f64(),
            own
        );
        if workload.id == "W0" {
            w0 = Some(pair);
        }
    }
    println!();
    println!("ms: p50 wall time of one execution, end to end (native: runtime and context creation,");
    println!("    compile, run, JSON result, teardown; codemode: Executor::execute, sandbox included).");
    println!("ratio: codemode p50 / native p50.");
    println!("ratio minus W0: (codemode p50 - codemode W0 p50) / (native p50 - native W0 p50), the");
    println!("    program's own run time, without what an empty program costs on either side.");
    println!("Native builds its engine per execution; codemode starts from a snapshot of a built one");
    println!("(scripts/build-guest.sh), which is why its W0 can be the faster.");

    let orders = load_orders(repo, &bench_dir, &manifest.data.orders)?;
    tool_results(orders.get(), quick)
}

/// Median wall times of the same workload, natively and on codemode.
struct Pair {
    runs: usize,
    native: Duration,
    codemode: Duration,
}

/// (warm-up, timed) executions of each side, sized so that the full run
/// stays around a minute on a busy 2-core machine.
fn runs(id: &str, quick: bool) -> (usize, usize) {
    let timed = match id {
        "W0" => 2000,
        "W2" => 200,
        _ => 100,
    };
    if quick { (1, (timed / 100).max(3)) } else { ((timed / 10).max(3), timed) }
}

async fn time_pair(executor: Executor, source: String, workload: Workload, quick: bool) -> Result<Pair> {
    let (warmup, timed) = runs(&workload.id, quick);
    let tools: Arc<dyn ToolProvider> = Arc::new(InProcessTools::new());
    let (mut native, mut codemode) = (Vec::with_capacity(timed), Vec::with_capacity(timed));
    for round in 0..warmup + timed {
        // Native runs block this worker, as they would block a thread.
        let started = Instant::now();
        let value = run_native(&source)?;
        let native_time = started.elapsed();
        ensure!(
            value == workload.expected,
            "{} natively returned {value}, expected {}",
            workload.id,
            workload.expected
        );

        let started = Instant::now();
        let envelope = executor.execute(&source, tools.clone(), &ExecuteOptions::new()).await?;
        let codemode_time = started.elapsed();
        if let Some(error) = &envelope.error {
            bail!("{} failed on codemode with a {:?} error: {}", workload.id, error.kind, error.message);
        }
        ensure!(envelope.value == workload.expected, "{} returned {} on codemode", workload.id, envelope.value);

        if round >= warmup {
            native.push(native_time);
            codemode.push(codemode_time);
        }
    }
    Ok(Pair { runs: timed, native: p50(native), codemode: p50(codemode) })
}

/// One execution as the guest does it, on a fresh engine.
fn run_native(source: &str) -> Result<Json> {
    let runtime = Runtime::new()?;
    let context = Context::full(&runtime)?;
    context.with(|ctx| {
        let mut options = EvalOptions::default();
        options.strict = false;
        options.backtrace_barrier = true;
        options.filename = Some("program.js".into());
        let main: Function = js(&ctx, ctx.eval_with_options(format!("(\n{source}\n)"), options))?;
        let promise: Promise = js(&ctx, main.call(()))?;
        while ctx.execute_pending_job() {}
        // Without tools nothing can settle the promise later.
        ensure!(!matches!(promise.state(), PromiseState::Pending), "the program never settled");
        let value: Value = js(&ctx, promise.result().context("the promise has no result")?)?;
        let text = js(&ctx, ctx.json_stringify(value))?.context("the value has no JSON form")?;
        Ok(serde_json::from_str(&js(&ctx, text.to_string())?)?)
    })
}

/// The `orders()` JSON text into JavaScript values, by each route.
fn tool_results(text: &str, quick: bool) -> Result<()> {
    let runtime = Runtime::new()?;
    let context = Context::full(&runtime)?;
    let (warmup, timed) = if quick { (1, 3) } else { (5, 50) };
    let mut samples: [Vec<Duration>; 4] = Default::default();
    context.with(|ctx| {
        let json_parse: Function = js(&ctx, ctx.globals().get::<_, Object>("JSON")?.get("parse"))?;
        let js_text = rquickjs::String::from_str(ctx.clone(), text)?;
        for round in 0..warmup + timed {
            let started = Instant::now();
            let parsed: Json = serde_json::from_str(text)?;
            let serde_time = started.elapsed();
            let times = [
                time(&ctx, text, || ctx.json_parse(text))?,
                time(&ctx, text, || json_parse.call((js_text.clone(),)))?,
                time(&ctx, text, || to_js(&ctx, &parsed))?,
                serde_time,
            ];
            if round >= warmup {
                for (series, sample) in samples.iter_mut().zip(times) {
                    series.push(sample);
                }
            }
        }
        anyhow::Ok(())
    })?;

    println!();
    println!("tool results: orders() data, {:.2} MB of JSON, into JavaScript values natively", text.len() as f64 / 1e6);
    println!("{:<48} {:>6} {:>10}", "route", "runs", "p50 ms");
    let routes = [
        "(a) ctx.json_parse(text) (QuickJS C parser)",
        "(b) JSON.parse(string) called from Rust",
        "(c) rquickjs values built from serde_json::Value",
        "    serde_json::from_str(text), the input to (c)",
    ];
    for (route, series) in routes.iter().zip(samples) {
        println!("{route:<48} {timed:>6} {:>10.3}", ms(p50(series)));
    }
    println!();
    println!("(a) includes copying the text into a C string; (b) excludes creating the JS string;");
    println!("(c) excludes the serde_json parse (next line). Freeing the values is not timed.");
    Ok(())
}

/// Times `convert`, then checks that its value stringifies back to `text`.
fn time<'js>(ctx: &Ctx<'js>, text: &str, convert: impl FnOnce() -> rquickjs::Result<Value<'js>>) -> Result<Duration> {
    // Collects what the previous route left, so no route pays for another.
    ctx.run_gc();
    let started = Instant::now();
    let value = js(ctx, convert())?;
    let elapsed = started.elapsed();
    let back = js(ctx, ctx.json_stringify(value))?.context("no JSON form")?;
    ensure!(js(ctx, back.to_string())? == text, "the values do not stringify back to the input");
    Ok(elapsed)
}

/// A JSON value as JavaScript values, one rquickjs call per value and key.
fn to_js<'js>(ctx: &Ctx<'js>, json: &Json) -> rquickjs::Result<Value<'js>> {
    Ok(match json {
        Json::Null => Value::new_null(ctx.clone()),
        Json::Bool(b) => Value::new_bool(ctx.clone(), *b),
        Json::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Value::new_int(ctx.clone(), i),
            None => Value::new_float(ctx.clone(), n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
        Json::Array(items) => {
            let array = Array::new(ctx.clone())?;
            for (i, item) in items.iter().enumerate() {
                array.set(i, to_js(ctx, item)?)?;
            }
            array.into_value()
        }
        Json::Object(map) => {
            let object = Object::new(ctx.clone())?;
            for (key, item) in map {
                object.set(key.as_str(), to_js(ctx, item)?)?;
            }
            object.into_value()
        }
    })
}

/// An rquickjs result with the thrown JavaScript value, if any, as the error.
fn js<'js, T>(ctx: &Ctx<'js>, result: rquickjs::Result<T>) -> Result<T> {
    result.catch(ctx).map_err(|e| anyhow!("{e}"))
}

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    // Nearest rank, as in the `workloads` bench.
    samples[samples.len().div_ceil(2) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

//! One execution, start to finish: take the pre-built engine with the run's
//! limits, bind the run's tools, compile the program in its form, drive it
//! to completion through its event loop (jobs, timers, tool calls), and
//! emit exactly one final event.

use crate::bindings::exports::codemode::sandbox::program::RunOptions;
use crate::bridge::Bridge;
use crate::failure::{Failure, Report};
use crate::globals::Timers;
use crate::program::{self, Compiled};
use crate::{engine, json, output, truncate};
use rquickjs::promise::PromiseState;
use rquickjs::{Ctx, Promise, Value};
use wasip2::clocks::monotonic_clock;

/// Runs `source` and writes its events to stdout.
pub fn run(source: &str, options: &RunOptions) {
    engine::with(options.memory_limit, |ctx, kit| {
        let output_limit = options.output_limit as usize;
        kit.console_budget.set(output_limit);
        let js = kit.js;
        let mut bridge = Bridge::bind(ctx, kit.glue, &options.tools).expect("the tools install");
        // The host reports where an execution's time goes; this is the part
        // only the guest can see (`output`'s `program_ns`).
        let started = monotonic_clock::now();
        let filename = options.filename.as_str();
        let (compiled, wrapping) = program::compile(&js, ctx, source, filename);
        let outcome = match compiled {
            Ok(compiled) => execute(ctx, &mut bridge, &kit.timers, compiled),
            Err(error) => Err(Failure::Syntax(error.0)),
        };
        match outcome.and_then(|value| json::to_json(ctx, value).map_err(Failure::from)) {
            Ok(json) => {
                let (value, truncated) = truncate::fit(json, output_limit);
                output::result(value, truncated, monotonic_clock::now().saturating_sub(started));
            }
            Err(failure) => {
                let report = Report {
                    js: &js,
                    ctx,
                    tool_error: bridge.tool_error(),
                    filename,
                    line_offset: wrapping.line_offset,
                };
                // Messages, stacks and details are the program's too: the
                // event is bounded like a value.
                let (fields, _) = truncate::fit(report.describe(failure).into(), output_limit);
                output::error(fields, monotonic_clock::now().saturating_sub(started));
            }
        }
    });
}

/// Starts the compiled program and waits for its value.
fn execute<'js>(
    ctx: &Ctx<'js>,
    bridge: &mut Bridge<'js>,
    timers: &Timers<'js>,
    compiled: Compiled<'js>,
) -> Result<Value<'js>, Failure<'js>> {
    let entry = match compiled {
        Compiled::Value(value) => value,
        Compiled::Threw(thrown) => return Err(Failure::Thrown(thrown)),
        Compiled::Module(module) => {
            let (module, evaluated) = module.eval().map_err(|_| Failure::Thrown(ctx.catch()))?;
            settle(ctx, bridge, timers, evaluated)?;
            module.get("default").map_err(|_| Failure::Thrown(ctx.catch()))?
        }
    };
    let value = match entry.as_function() {
        Some(main) => main.call::<_, Value>(()).map_err(|_| Failure::Thrown(ctx.catch()))?,
        None => entry,
    };
    match value.as_promise() {
        Some(promise) => settle(ctx, bridge, timers, promise.clone()),
        None => Ok(value),
    }
}

/// The event loop, until `promise` settles: runs the pending jobs, then the
/// timer that is due, if any, and otherwise waits for a tool call or the
/// next timer. Timers still pending when it settles are dropped.
fn settle<'js>(
    ctx: &Ctx<'js>,
    bridge: &mut Bridge<'js>,
    timers: &Timers<'js>,
    promise: Promise<'js>,
) -> Result<Value<'js>, Failure<'js>> {
    let thrown = |_| Failure::Thrown(ctx.catch());
    loop {
        engine::run_jobs(ctx).map_err(Failure::Thrown)?;
        match promise.state() {
            PromiseState::Resolved | PromiseState::Rejected => {
                return promise.result::<Value>().unwrap_or(Ok(Value::new_undefined(ctx.clone()))).map_err(thrown);
            }
            PromiseState::Pending => {}
        }
        if timers.fire().map_err(thrown)? {
            continue;
        }
        let until_timer = timers.delay().map_err(thrown)?.map(|ms| (ms * 1e6).ceil() as u64);
        match bridge.wait(ctx, until_timer) {
            Ok(true) => {}
            Ok(false) => return Err(Failure::Stalled),
            Err(_) => return Err(Failure::Thrown(ctx.catch())),
        }
    }
}

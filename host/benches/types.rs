//! What the API the model sees costs at run time: the pre-run check of a
//! program's tool calls, and learning result types from results.
//!
//! - **check**: the time to prepare a program (parse, strip types, check
//!   calls) against a realistic catalog (`tests/fixtures/catalog/realistic.json`,
//!   every server a namespace) and against no tools, for W0's program and for
//!   a 200-line program that calls tools on most lines; the difference is
//!   what the check adds. W0's end-to-end p50 is measured beside it, so the
//!   added time reads as a share of W0.
//! - **learning**: W5 (10,000 rows through one result) with the `orders()`
//!   tool as the workloads bench has it, and with every result handed to a
//!   [`Learner`] as `McpTools` does, executions of the two alternating.
//!
//! ```text
//! cargo bench -p codemode --bench types -- [--quick] [check | learning]...
//! ```

mod common;
mod timed;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use codemode::program::{Api, prepare};
use codemode::shapes::{Learner, ServerKey, ToolKey};
use codemode::{ExecuteOptions, Executor, InProcessTools, ToolOutput, ToolProvider, ToolSpec};
use common::{Machine, Manifest, check_shared_copy, load_orders, read_program};
use serde_json::Value;
use timed::{provider, spawn, time_workload};

const USAGE: &str = "usage: types [--quick] [check | learning]...";

fn main() -> ExitCode {
    common::exit(run_all())
}

fn run_all() -> Result<()> {
    let mut quick = false;
    let mut sections = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "--bench" => {}
            "check" | "learning" => sections.push(arg),
            other => anyhow::bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let wants = |section: &str| sections.is_empty() || sections.iter().any(|s| s == section);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the crate has no parent directory")?;
    let bench_dir = repo.join("bench/workloads");
    check_shared_copy(&bench_dir, &repo.join("../shared/bench"))?;
    let manifest = Manifest::load(&bench_dir)?;
    let machine = Machine::read();
    println!("codemode types, {}", machine.date);
    println!("machine: {}, {} cores", machine.cpu, machine.cores);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let executor = Executor::builder().max_sandboxes(16).build()?;
    let workload = |id: &str| manifest.workloads.iter().find(|w| w.id == id).context("workloads.json lacks a workload");

    if wants("check") {
        let w0 = workload("W0")?;
        let source = read_program(&bench_dir, w0)?;
        let runs = if quick { (3, 200) } else { (50, 5_000) };
        let tools: Arc<dyn ToolProvider> = Arc::new(InProcessTools::new());
        let whole =
            runtime.block_on(spawn(time_workload(executor.clone(), tools, source.clone(), w0.clone(), runs)))?;
        let catalog = Api::new(realistic_catalog(repo)?);
        let none = Api::default();
        let iterations = if quick { 200 } else { 20_000 };
        println!();
        println!(
            "{:<30} {:>12} {:>12} {:>12}",
            "prepared (parse, strip, check)", "no tools µs", "catalog µs", "added µs"
        );
        for (name, program) in [("W0", source), ("200 lines of tool calls", two_hundred_lines())] {
            // Alternating, so that whatever else the machine does weighs on both.
            let [bare, checked] = alternating(
                iterations,
                [&mut || ensure_ok(prepare(&program, &none).is_ok()), &mut || {
                    ensure_ok(prepare(&program, &catalog).is_ok())
                }],
            )?;
            println!("{name:<30} {:>12.2} {:>12.2} {:>12.2}", bare * 1e6, checked * 1e6, (checked - bare) * 1e6);
        }
        println!("{:<30} {:>12.2}", "W0 end to end, p50 µs", whole.p50_ms * 1e3);
    }

    if wants("learning") {
        let w5 = workload("W5")?;
        let source = read_program(&bench_dir, w5)?;
        let orders = load_orders(repo, &bench_dir, &manifest.data.orders)?;
        let runs = if quick { 5 } else { 60 };
        let plain = provider(&w5.tools, Some(&orders))?;
        let learner = Learner::new(None);
        let key = ToolKey {
            server: Arc::new(ServerKey { name: "bench".into(), identity: "bench 1".into() }),
            tool: "orders".into(),
            input: "-".into(),
        };
        let learning: Arc<dyn ToolProvider> = {
            let (learner, key, orders) = (learner.clone(), key.clone(), orders.clone());
            Arc::new(InProcessTools::new().tool(ToolSpec::new(None, "orders"), move |_| {
                let rows = ToolOutput::from_raw(Box::clone(&orders));
                learner.observe(&key, rows.as_str());
                async move { Ok(rows) }
            }))
        };
        let runtime = &runtime;
        let execute = |tools: Arc<dyn ToolProvider>| {
            let (executor, source, expected) = (executor.clone(), source.clone(), w5.expected.clone());
            move || {
                let envelope = runtime.block_on(executor.execute(&source, tools.clone(), &ExecuteOptions::new()))?;
                timed::check(&envelope, &expected, "W5")
            }
        };
        let (mut plain_run, mut learning_run) = (execute(plain), execute(learning));
        for _ in 0..3 {
            plain_run()?;
            learning_run()?;
        }
        let [without, with] = alternating(runs, [&mut plain_run, &mut learning_run])?;
        learner.flush();
        ensure!(learner.learned(&key).is_some(), "nothing was learned from orders()");
        println!();
        println!("{:<30} {:>12}", "W5, 10,000 rows in one result", "p50 ms");
        println!("{:<30} {:>12.3}", "as the workloads", without * 1e3);
        println!("{:<30} {:>12.3}", "every result to a Learner", with * 1e3);
        println!("learning adds {:.1}% to W5's p50 ({runs} runs of each, alternating)", (with / without - 1.0) * 100.0);
    }
    Ok(())
}

fn ensure_ok(ok: bool) -> Result<()> {
    ensure!(ok, "the program was refused");
    Ok(())
}

/// The median seconds of each of `fs`, over `n` rounds that call each once,
/// in turn.
fn alternating<const N: usize>(n: usize, mut fs: [&mut dyn FnMut() -> Result<()>; N]) -> Result<[f64; N]> {
    let mut samples = vec![Vec::with_capacity(n); N];
    for _ in 0..n {
        for (f, samples) in fs.iter_mut().zip(&mut samples) {
            let started = Instant::now();
            f()?;
            samples.push(started.elapsed().as_secs_f64());
        }
    }
    Ok(std::array::from_fn(|i| {
        let samples = &mut samples[i];
        samples.sort_unstable_by(f64::total_cmp);
        samples[samples.len() / 2]
    }))
}

/// The realistic catalog's tools, each server a namespace.
fn realistic_catalog(repo: &Path) -> Result<Arc<[ToolSpec]>> {
    let text = std::fs::read_to_string(repo.join("tests/fixtures/catalog/realistic.json"))?;
    let servers: Vec<Value> = serde_json::from_str(&text)?;
    let mut specs = Vec::new();
    for server in &servers {
        let namespace = server["server"].as_str().context("a server name")?.replace('-', "_");
        for tool in server["tools"].as_array().context("tools")? {
            let mut spec = ToolSpec::new(Some(&namespace), &tool["name"].as_str().context("a name")?.replace('-', "_"));
            spec.input_schema = tool["inputSchema"].clone();
            specs.push(spec);
        }
    }
    Ok(specs.into())
}

/// A 200-line program that calls the realistic catalog's tools, every one
/// of them right, with some plain JavaScript between the calls.
fn two_hundred_lines() -> String {
    let calls = [
        r#"const issues{i} = await github.list_issues({ owner: "acme", repo: "api", state: "open", labels: ["bug"] });"#,
        r#"const file{i} = await filesystem.read_file({ path: "/srv/app/config.json", head: 20 });"#,
        r#"await slack.slack_post_message({ channel_id: "C123", text: `found ${issues{i}.length} issues` });"#,
        r#"const prs{i} = await github.list_pull_requests({ owner: "acme", repo: "web", state: "closed", sort: "updated" });"#,
        r#"const counts{i} = [issues{i}, prs{i}].map((list) => Array.isArray(list) ? list.length : 0);"#,
    ];
    (0..200)
        .map(|i| calls[i % calls.len()].replace("{i}", &(i / calls.len()).to_string()))
        .collect::<Vec<_>>()
        .join("\n")
        + "\nreturn 1;"
}

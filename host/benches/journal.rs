//! What journaling costs: W3 and W5 (`bench/workloads/`) run as written,
//! live without a journal, live recording one, and replayed from a recorded
//! journal (no tool called), each result checked against `expected`.
//!
//! The three modes take turns in rounds of 100 executions, so that the
//! machine's drift hits them alike; the p50 of each mode and its ratio to
//! live are printed.
//!
//! ```text
//! cargo bench -p codemode --bench journal -- [--runs N] [W3 | W5]...
//! ```

// Each bench uses part of what the benches share.
#[allow(dead_code)]
mod common;
#[allow(dead_code)]
mod timed;

use anyhow::{Context, Result, bail};
use codemode::{ExecuteOptions, Executor, ToolProvider};
use common::{Machine, Manifest, check_shared_copy, load_orders, read_program};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use timed::{check, provider};

const USAGE: &str = "usage: journal [--runs N] [W3 | W5]...";
const ROUND: usize = 100;

fn main() -> ExitCode {
    common::exit(run_all())
}

fn run_all() -> Result<()> {
    let mut runs = 3000;
    let mut selected = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0).context(USAGE)?,
            "--bench" => {}
            "W3" | "W5" => selected.push(arg),
            _ => bail!("{USAGE}"),
        }
    }
    if selected.is_empty() {
        selected = vec!["W3".into(), "W5".into()];
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the crate has no parent directory")?;
    let bench_dir = repo.join("bench/workloads");
    check_shared_copy(&bench_dir, &repo.join("../shared/bench"))?;
    let manifest = Manifest::load(&bench_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async move {
        let executor = Executor::builder().max_sandboxes(16).build()?;
        let machine = Machine::read();
        println!("codemode journal costs, {}", machine.date);
        println!("machine: {}, {} cores", machine.cpu, machine.cores);
        println!(
            "{:<10} {:>8} {:>12} {:>12} {:>12} {:>10} {:>10}",
            "workload", "runs", "live µs", "record µs", "replay µs", "record", "replay"
        );
        for id in selected {
            let workload = manifest.workloads.iter().find(|w| w.id == id).context("no such workload")?;
            let source = read_program(&bench_dir, workload)?;
            let orders = match workload.tools.iter().any(|t| t == "orders") {
                true => Some(load_orders(repo, &bench_dir, &manifest.data.orders)?),
                false => None,
            };
            let tools = provider(&workload.tools, orders.as_ref())?;
            let recorded = executor.execute(&source, tools.clone(), &ExecuteOptions::new().recording()).await?;
            let journal = Arc::new(recorded.journal.context("a recording execution has a journal")?);
            let replay_tools = tools.clone();
            let modes: [(ExecuteOptions, Arc<dyn ToolProvider>); 3] = [
                (ExecuteOptions::new(), tools.clone()),
                (ExecuteOptions::new().recording(), tools.clone()),
                (ExecuteOptions::new().replaying(journal), replay_tools),
            ];
            let mut samples: [Vec<Duration>; 3] = Default::default();
            for (options, tools) in &modes {
                for _ in 0..5 {
                    check(&executor.execute(&source, tools.clone(), options).await?, &workload.expected, &id)?;
                }
            }
            while samples[0].len() < runs {
                for ((options, tools), samples) in modes.iter().zip(&mut samples) {
                    for _ in 0..ROUND.min(runs - samples.len()) {
                        let started = Instant::now();
                        let envelope = executor.execute(&source, tools.clone(), options).await?;
                        samples.push(started.elapsed());
                        check(&envelope, &workload.expected, &id)?;
                    }
                }
            }
            let p50 = |samples: &mut Vec<Duration>| {
                samples.sort_unstable();
                samples[samples.len().div_ceil(2) - 1].as_secs_f64() * 1e6
            };
            let [live, record, replay] = samples.each_mut().map(p50);
            println!(
                "{:<10} {:>8} {:>12.1} {:>12.1} {:>12.1} {:>9.3}× {:>9.3}×",
                id,
                runs,
                live,
                record,
                replay,
                record / live,
                replay / live
            );
        }
        Ok(())
    })
}

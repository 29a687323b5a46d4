//! What the benches that time whole executions share: timing a workload
//! (warm-up, then executions one after another, end to end), checking each
//! result, and the tools the standard workloads use.

use anyhow::{Context, Result, bail, ensure};
use codemode::{Envelope, ExecuteOptions, Executor, InProcessTools, ToolOutput, ToolProvider, ToolSpec};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::Workload;

/// Runs a measurement as a task on the runtime's workers.
pub async fn spawn<T: Send + 'static>(task: impl Future<Output = Result<T>> + Send + 'static) -> Result<T> {
    tokio::spawn(task).await?
}

#[derive(Serialize)]
pub struct WorkloadResult {
    pub id: String,
    pub name: String,
    pub runs: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
    pub fuel_used: u64,
    pub peak_memory_bytes: u64,
}

pub async fn time_workload(
    executor: Executor,
    tools: Arc<dyn ToolProvider>,
    source: String,
    workload: Workload,
    (warmup, timed): (usize, usize),
) -> Result<WorkloadResult> {
    let first = executor.execute(&source, tools.clone(), &ExecuteOptions::new()).await?;
    check(&first, &workload.expected, &workload.id)?;
    for _ in 1..warmup {
        check(
            &executor.execute(&source, tools.clone(), &ExecuteOptions::new()).await?,
            &workload.expected,
            &workload.id,
        )?;
    }
    let mut samples = Vec::with_capacity(timed);
    for _ in 0..timed {
        let started = Instant::now();
        let envelope = executor.execute(&source, tools.clone(), &ExecuteOptions::new()).await?;
        samples.push(started.elapsed());
        check(&envelope, &workload.expected, &workload.id)?;
    }
    samples.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // Nearest-rank percentile.
    let percentile = |p: f64| ms(samples[((p * samples.len() as f64).ceil() as usize).max(1) - 1]);
    Ok(WorkloadResult {
        runs: timed,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        mean_ms: ms(samples.iter().sum::<Duration>()) / timed as f64,
        fuel_used: first.receipt.fuel_used,
        peak_memory_bytes: first.receipt.peak_memory_bytes,
        id: workload.id,
        name: workload.name,
    })
}

pub fn check(envelope: &Envelope, expected: &Value, what: &str) -> Result<()> {
    if let Some(error) = &envelope.error {
        bail!("{what} failed with a {:?} error: {}", error.kind, error.message);
    }
    ensure!(envelope.value == *expected, "{what} returned {}, expected {expected}", envelope.value);
    Ok(())
}

/// The tools a workload lists: `echo(x)` returns `x`, `orders()` the data
/// set's JSON text as loaded (no per-call serialization), and
/// `orders_text()` (the conversion section's) that text as one string.
pub fn provider(names: &[String], orders: Option<&Arc<Box<RawValue>>>) -> Result<Arc<dyn ToolProvider>> {
    let mut tools = InProcessTools::new();
    for name in names {
        tools = match name.as_str() {
            "echo" => tools.tool(ToolSpec::new(None, "echo"), |args| async move { Ok(args.into()) }),
            "orders" => {
                let orders = Arc::clone(orders.context("orders() used but its data was not loaded")?);
                tools.tool(ToolSpec::new(None, "orders"), move |_| {
                    let rows = ToolOutput::shared(Arc::clone(&orders));
                    async move { Ok(rows) }
                })
            }
            "orders_text" => {
                let orders = orders.context("orders_text() used but the data was not loaded")?;
                let text = RawValue::from_string(serde_json::to_string(orders.get())?)?;
                tools.tool(ToolSpec::new(None, "orders_text"), move |_| {
                    let text = ToolOutput::from_raw(text.clone());
                    async move { Ok(text) }
                })
            }
            other => bail!("workloads.json names a tool this bench does not provide: {other}"),
        };
    }
    Ok(Arc::new(tools))
}

//! What the benches that run the standard workloads (`bench/workloads/README.md`)
//! share: the manifest, the `orders()` data set, the vendored-copy check and
//! the machine description printed above the figures.

use anyhow::{Context, Result, ensure};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct Manifest {
    pub data: ManifestData,
    pub workloads: Vec<Workload>,
}

#[derive(Deserialize)]
pub struct ManifestData {
    pub orders: OrdersData,
}

#[derive(Deserialize)]
pub struct OrdersData {
    generator: String,
    sha256: String,
}

#[derive(Deserialize, Clone)]
pub struct Workload {
    pub id: String,
    pub name: String,
    pub program: String,
    pub tools: Vec<String>,
    pub expected: Value,
}

impl Manifest {
    pub fn load(bench_dir: &Path) -> Result<Self> {
        serde_json::from_slice(&read(&bench_dir.join("workloads.json"))?)
            .context("parsing bench/workloads/workloads.json")
    }
}

#[derive(Serialize)]
pub struct Machine {
    pub date: String,
    pub cpu: String,
    pub cores: usize,
}

impl Machine {
    pub fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_else(|| "unknown CPU".into());
        Self {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            cpu,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

/// Generates the orders data set if missing and checks it byte for byte
/// (by sha256) against `workloads.json`.
pub fn load_orders(repo: &Path, bench_dir: &Path, data: &OrdersData) -> Result<Arc<Box<RawValue>>> {
    let path = repo.join("target/bench/orders.json");
    if !path.exists() {
        let generator = bench_dir.join(&data.generator);
        let output = std::process::Command::new("python3")
            .arg(&generator)
            .arg(&path)
            .output()
            .with_context(|| format!("running python3 {}", generator.display()))?;
        ensure!(
            output.status.success(),
            "python3 {} {} failed ({}):\n{}",
            generator.display(),
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let bytes = read(&path)?;
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    ensure!(
        digest == data.sha256,
        "{} has sha256 {digest}, but workloads.json expects {}; delete the file to regenerate it, \
         and check bench/{} if the mismatch persists",
        path.display(),
        data.sha256,
        data.generator
    );
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    Ok(Arc::new(RawValue::from_string(text).with_context(|| format!("{} is not JSON", path.display()))?))
}

pub fn read_program(bench_dir: &Path, workload: &Workload) -> Result<String> {
    let path = bench_dir.join(&workload.program);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Where the canonical workloads sit beside the repo (as on CI), the
/// vendored copies must match them byte for byte, or the figures would not
/// compare with the peers' figures.
pub fn check_shared_copy(vendored: &Path, shared: &Path) -> Result<()> {
    if !shared.is_dir() {
        return Ok(());
    }
    let mut files: Vec<PathBuf> = ["README.md", "workloads.json", "gen_orders.py"].map(PathBuf::from).into();
    for dir in [vendored, shared] {
        for entry in std::fs::read_dir(dir.join("programs")).with_context(|| format!("listing {}", dir.display()))? {
            let program = Path::new("programs").join(entry?.file_name());
            if !files.contains(&program) {
                files.push(program);
            }
        }
    }
    let differing: Vec<String> = files
        .iter()
        .filter(|f| std::fs::read(vendored.join(f)).ok() != std::fs::read(shared.join(f)).ok())
        .map(|f| f.display().to_string())
        .collect();
    if !differing.is_empty() {
        let rule = "!".repeat(78);
        eprintln!("{rule}");
        eprintln!("WARNING: bench/ differs from {}:", shared.display());
        for file in &differing {
            eprintln!("    {file}");
        }
        eprintln!("The figures below are NOT for the standard workloads. Copy them again.");
        eprintln!("{rule}");
    }
    Ok(())
}

/// The bench's exit: its error, if any, on stderr with its causes.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The process's resident set: resident pages (2nd field of
/// `/proc/self/statm`) times the page size. Only the benches that measure
/// memory use it.
#[allow(dead_code)]
pub fn resident_bytes() -> Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").context("reading /proc/self/statm")?;
    let pages: u64 = statm.split_whitespace().nth(1).context("short /proc/self/statm")?.parse()?;
    Ok(pages * rustix::param::page_size() as u64)
}

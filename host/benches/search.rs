//! How well and how fast `search` finds tools, on the evaluation set in
//! `tests/fixtures/search` (23 real servers' tool lists, 495 tools, and 378
//! requests with the tool that answers each, split into a tuning half and a
//! held-out half; see its LICENSES.md and `scripts/search-corpus/`).
//!
//! - **quality**: every request through the catalog's search, as `search`
//!   ranks it: top-1 and top-3 per half and per style of request, and the
//!   o200k tokens of `search`'s answer at the default limit (brief, and
//!   with `detail: "full"`).
//! - **scale**: the corpus copied under new server names up to 2,000
//!   tools: the time to build the index (the first search of a catalog),
//!   the p50/p99 of a query, and the resident memory the index adds (on the
//!   process's first index, so the model's pages count).
//! - **size**: the `codemode` binary of this build (compare with one built
//!   without search's model for the growth) and the model's share of it.
//!
//! ```text
//! cargo bench -p codemode --bench search -- [--quick] [--misses] [quality | scale]...
//! ```
//!
//! `--misses` lists the requests of the tuning half that miss the top 3;
//! those of the held-out half are never listed, so nothing is tuned on them.

// The workloads' helpers in `common` are the other benches'.
#[allow(dead_code)]
mod common;
#[path = "../tests/all/search_set.rs"]
mod search_set;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use codemode::catalog::{Catalog, ServerTools};
use codemode::server::{DEFAULT_LIMIT, Detail, search_answer};
use common::{Machine, resident_bytes};
use rmcp::model::Tool;
use search_set::{Query, ServerFile};

const USAGE: &str = "usage: search [--quick] [--misses] [quality | scale]...";
/// Tools of the catalog the scale figures are measured on.
const SCALE_TOOLS: usize = 2000;

fn main() -> ExitCode {
    common::exit(run_all())
}

fn run_all() -> Result<()> {
    let (mut quick, mut misses, mut sections) = (false, false, Vec::new());
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "--misses" => misses = true,
            "--bench" => {}
            "quality" | "scale" => sections.push(arg),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let wants = |section: &str| sections.is_empty() || sections.iter().any(|s| s == section);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the crate has no parent directory")?;
    let servers = search_set::servers()?;
    let queries = search_set::queries()?;
    let machine = Machine::read();
    println!("codemode search, {}", machine.date);
    println!("machine: {}, {} cores", machine.cpu, machine.cores);
    let tools: usize = servers.iter().map(|s| s.tools.len()).sum();
    println!("corpus: {} servers, {tools} tools, {} requests", servers.len(), queries.len());
    // First, while no index exists in the process: memory counts the model.
    if wants("scale") {
        scale(&servers, &queries, quick)?;
    }
    if wants("quality") {
        quality(&servers, &queries, misses)?;
    }
    let model = repo.join("host/assets/minilm-l6-fit-256.bin");
    let bytes = std::fs::metadata(&model).with_context(|| format!("reading {}", model.display()))?.len();
    let binary = std::fs::metadata(env!("CARGO_BIN_EXE_codemode")).context("reading the codemode binary")?.len();
    println!(
        "\nsize: the codemode binary of this build {:.2} MiB, of which the embedding model {:.2} MiB",
        binary as f64 / (1 << 20) as f64,
        bytes as f64 / (1 << 20) as f64
    );
    Ok(())
}

fn catalog(servers: &[(String, &[Tool])]) -> Catalog {
    let servers: Vec<ServerTools<'_>> = servers
        .iter()
        .map(|(server, tools)| ServerTools {
            server,
            instructions: None,
            tools,
            unavailable: None,
            approve: &codemode::config::Approve::Nothing,
        })
        .collect();
    Catalog::new(&servers)
}

/// Hits and totals of one group of requests.
#[derive(Default)]
struct Tally {
    requests: usize,
    top1: usize,
    top3: usize,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>) {
        self.requests += 1;
        self.top1 += usize::from(rank == Some(0));
        self.top3 += usize::from(rank.is_some_and(|rank| rank < 3));
    }

    fn percent(part: usize, whole: usize) -> f64 {
        100.0 * part as f64 / whole.max(1) as f64
    }
}

fn quality(servers: &[ServerFile], queries: &[Query], misses: bool) -> Result<()> {
    let lists: Vec<(String, &[Tool])> = servers.iter().map(|s| (s.server.clone(), s.tools.as_slice())).collect();
    let catalog = catalog(&lists);
    let bpe = tiktoken_rs::o200k_base().context("loading o200k")?;
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let (mut brief_tokens, mut full_tokens) = (0usize, 0usize);
    let mut missed = Vec::new();
    for query in queries {
        let hits = catalog.search(&query.query, DEFAULT_LIMIT);
        let names: Vec<String> =
            hits.iter().map(|hit| format!("{}.{}", hit.namespace.server, hit.tool.original)).collect();
        let rank = names.iter().position(|name| query.is_answered_by(name));
        for key in [(query.split.clone(), query.style.clone()), (query.split.clone(), "all".to_owned())] {
            tallies.entry(key).or_default().add(rank);
        }
        if misses && query.split == "tune" && rank.is_none_or(|rank| rank >= 3) {
            missed.push(format!("  {:?} -> {} ; got {:?}", query.query, query.expected, &names[..names.len().min(3)]));
        }
        for (detail, total) in [(Detail::Brief, &mut brief_tokens), (Detail::Full, &mut full_tokens)] {
            let answer = search_answer(&catalog, &|_, _| None, &query.query, DEFAULT_LIMIT, detail);
            *total += bpe.encode_with_special_tokens(&answer).len();
        }
    }
    println!("\nquality: the right tool first (top-1) and among the first three (top-3)");
    println!("  {:<8} {:<11} {:>8} {:>7} {:>7}", "half", "style", "requests", "top-1", "top-3");
    for split in ["tune", "holdout"] {
        for style in ["all", "own_words", "paraphrase", "server"] {
            let tally =
                tallies.get(&(split.to_owned(), style.to_owned())).map_or((0, 0, 0), |t| (t.requests, t.top1, t.top3));
            let (requests, top1, top3) = tally;
            println!(
                "  {split:<8} {style:<11} {requests:>8} {:>6.1}% {:>6.1}%",
                Tally::percent(top1, requests),
                Tally::percent(top3, requests)
            );
        }
    }
    let n = queries.len().max(1);
    println!(
        "answer size at the default limit ({DEFAULT_LIMIT}): {} o200k tokens on average brief, {} with detail \"full\"",
        brief_tokens / n,
        full_tokens / n
    );
    if misses {
        println!("\ntuning-half requests missing the top 3 ({}):", missed.len());
        missed.iter().for_each(|line| println!("{line}"));
    }
    Ok(())
}

fn scale(servers: &[ServerFile], queries: &[Query], quick: bool) -> Result<()> {
    // Copies of the corpus under new server names, cut at SCALE_TOOLS tools.
    let mut lists: Vec<(String, &[Tool])> = Vec::new();
    let mut total = 0;
    'copies: for copy in 1.. {
        for server in servers {
            let take = server.tools.len().min(SCALE_TOOLS - total);
            let name = if copy == 1 { server.server.clone() } else { format!("{}-{copy}", server.server) };
            lists.push((name, &server.tools[..take]));
            total += take;
            if total == SCALE_TOOLS {
                break 'copies;
            }
        }
    }
    println!("\nscale: {SCALE_TOOLS} tools in {} servers", lists.len());
    let fresh = catalog(&lists);
    let before = resident_bytes()?;
    fresh.search("warm up", 1);
    let growth = resident_bytes()?.saturating_sub(before);
    println!(
        "  resident memory added by the first index (model included): {:.1} MiB",
        growth as f64 / (1 << 20) as f64
    );

    let builds = if quick { 3 } else { 11 };
    let mut times = Vec::new();
    for _ in 0..builds {
        let catalog = catalog(&lists);
        let start = Instant::now();
        catalog.search("", 1); // builds the index; a blank query does nothing else
        times.push(start.elapsed());
    }
    let build = percentile(&mut times, 50);
    println!("  index build: p50 {:.1} ms of {builds}", ms(build));

    let rounds = if quick { 1 } else { 5 };
    let catalog = Arc::new(catalog(&lists));
    catalog.search("", 1);
    let mut times = Vec::new();
    for _ in 0..rounds {
        for query in queries {
            let start = Instant::now();
            std::hint::black_box(catalog.search(&query.query, DEFAULT_LIMIT));
            times.push(start.elapsed());
        }
    }
    let (p50, p99) = (percentile(&mut times, 50), percentile(&mut times, 99));
    println!("  query: p50 {:.3} ms, p99 {:.3} ms ({} queries)", ms(p50), ms(p99), times.len());
    let huge = "find the issue ".repeat(1000);
    let start = Instant::now();
    std::hint::black_box(catalog.search(&huge, DEFAULT_LIMIT));
    println!("  a {} KiB query: {:.3} ms (read up to its first 4 KiB)", huge.len() >> 10, ms(start.elapsed()));
    Ok(())
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() - 1) * p / 100]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

//! `search` on the evaluation set of `tests/fixtures/search` (23 real
//! servers' tool lists and 378 requests): ranking on the tuning half stays
//! above a floor just under what `cargo bench --bench search` measures (the
//! held-out half is never asserted on), and answers are sized for a context
//! window: brief by default, whole for a tool asked for by name.

use std::sync::OnceLock;

use codemode::catalog::{Catalog, ServerTools};
use codemode::server::{DEFAULT_LIMIT, Detail, search_answer};

use crate::search_set::{self, Query, ServerFile};

/// Share of the tuning half whose right tool comes first; measured 0.478.
const TOP1_FLOOR: f64 = 0.46;
/// Share of the tuning half whose right tool is among the first three;
/// measured 0.546.
const TOP3_FLOOR: f64 = 0.53;
/// Average o200k tokens of a brief answer at the default limit.
const AVERAGE_TOKENS: usize = 1500;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<(Vec<ServerFile>, Catalog)> = OnceLock::new();
    let (_, catalog) = CATALOG.get_or_init(|| {
        let files = search_set::servers().unwrap();
        let servers: Vec<ServerTools<'_>> = files
            .iter()
            .map(|file| ServerTools {
                server: &file.server,
                instructions: None,
                tools: &file.tools,
                unavailable: None,
                approve: &codemode::config::Approve::Nothing,
            })
            .collect();
        let catalog = Catalog::new(&servers);
        (files, catalog)
    });
    catalog
}

fn tuning_half() -> Vec<Query> {
    search_set::queries().unwrap().into_iter().filter(|query| query.split == "tune").collect()
}

fn answer(query: &str, detail: Detail) -> String {
    search_answer(catalog(), &|_, _| None, query, DEFAULT_LIMIT, detail)
}

#[test]
fn the_corpus_is_large() {
    let tools: usize = catalog().namespaces().iter().map(|ns| ns.tools.len()).sum();
    assert!(catalog().namespaces().len() >= 10 && tools >= 300, "{tools} tools");
    assert!(tuning_half().len() >= 150 / 2);
}

#[test]
fn the_tuning_half_ranks_above_its_floor() {
    let queries = tuning_half();
    let (mut top1, mut top3) = (0, 0);
    for query in &queries {
        let hits = catalog().search(&query.query, 3);
        let right = |hit: &codemode::catalog::Found<'_>| {
            query.is_answered_by(&format!("{}.{}", hit.namespace.server, hit.tool.original))
        };
        top1 += usize::from(hits.first().is_some_and(right));
        top3 += usize::from(hits.iter().any(right));
    }
    let (top1, top3) = (top1 as f64 / queries.len() as f64, top3 as f64 / queries.len() as f64);
    assert!(top1 >= TOP1_FLOOR && top3 >= TOP3_FLOOR, "top-1 {top1:.3}, top-3 {top3:.3}");
}

#[test]
fn brief_answers_leave_out_examples_and_fit_the_budget() {
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let queries = tuning_half();
    let mut tokens = 0;
    for query in &queries {
        let text = answer(&query.query, Detail::Brief);
        assert!(text.contains("function "), "{:?}:\n{text}", query.query);
        // Blocks start a line of the doc comment; a parameter's sentence
        // may still say "Examples: 'a', 'b'".
        let lines = text.lines().map(|line| line.trim_start().trim_start_matches('*').trim_start());
        for line in lines {
            for block in ["```", "Example:", "Examples:", "<example", "When to use:", "📋 Prerequisites"] {
                assert!(!line.starts_with(block), "{:?} shows {block:?}:\n{text}", query.query);
            }
        }
        tokens += bpe.encode_with_special_tokens(&text).len();
    }
    let average = tokens / queries.len();
    assert!(average <= AVERAGE_TOKENS, "{average} tokens on average");
}

#[test]
fn a_tool_asked_for_by_name_gets_its_whole_declaration() {
    let named = answer("jira_update_proforma_form_answers", Detail::Brief);
    assert!(named.starts_with("declare namespace atlassian {"), "{named}");
    assert!(named.contains("```python") && named.contains("KNOWN LIMITATION"), "{named}");
    // Found by words, the same tool is brief, unless asked for in full.
    let words = "update proforma form answers";
    let brief = answer(words, Detail::Brief);
    assert!(brief.contains("function jira_update_proforma_form_answers("), "{brief}");
    assert!(!brief.contains("```python"), "{brief}");
    assert!(answer(words, Detail::Full).contains("```python"));
    // The types are the same either way.
    let signature =
        |text: &str| text.lines().find(|line| line.contains("function jira_update_proforma")).map(str::to_owned);
    assert_eq!(signature(&brief), signature(&named));
}

#[test]
fn bad_queries_get_an_answer() {
    let servers = answer("", Detail::Brief);
    assert!(servers.starts_with("Servers"), "{servers}");
    for query in ["?!...", "()[]{}", "the of and", "\u{0}\u{ffff}"] {
        let text = answer(query, Detail::Brief);
        assert!(text.starts_with("No tool matches") && text.contains("- atlassian ("), "{query:?}: {text}");
    }
    for query in ["ファイルを読む", "создать задачу", "🚀 deploy"] {
        assert!(!answer(query, Detail::Brief).is_empty(), "{query:?}");
    }
    // Over 4 KiB: read up to its first 4 KiB, not refused.
    let huge = format!("create a jira issue {}", "x".repeat(codemode::catalog::MAX_QUERY_BYTES * 4));
    assert!(answer(&huge, Detail::Brief).contains("function jira_create_issue("));
}

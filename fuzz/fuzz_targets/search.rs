//! Search queries over the catalog (`codemode::catalog`): the input's first
//! line is the query, each further line a tool (`name<TAB>description`) of
//! one server. No input panics; hits are at most the limit, distinct, and
//! the same on a second search; the catalog's names make declarations that
//! parse as TypeScript.

#![no_main]

use std::sync::Arc;

use codemode::catalog::{Catalog, ServerTools};
use codemode_fuzz::declaration_errors;
use libfuzzer_sys::fuzz_target;
use rmcp::model::Tool;

fuzz_target!(|text: &str| {
    let mut lines = text.split('\n');
    let query = lines.next().unwrap_or_default();
    let tools: Vec<Tool> = lines
        .take(64)
        .map(|line| {
            let (name, description) = line.split_once('\t').unwrap_or((line, ""));
            Tool::new(name.to_owned(), description.to_owned(), Arc::new(serde_json::Map::new()))
        })
        .collect();
    let approve = codemode::config::Approve::Nothing;
    let servers = [ServerTools {
        server: "srv",
        instructions: Some("a server"),
        tools: &tools,
        unavailable: None,
        approve: &approve,
    }];
    let catalog = Catalog::new(&servers);
    let hits: Vec<String> = catalog.search(query, 5).iter().map(|found| found.tool.name.clone()).collect();
    assert!(hits.len() <= 5, "{hits:?}");
    let mut distinct = hits.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), hits.len(), "{hits:?}");
    let again: Vec<String> = catalog.search(query, 5).iter().map(|found| found.tool.name.clone()).collect();
    assert_eq!(hits, again);
    let declarations = catalog.declarations();
    let errors = declaration_errors(&declarations);
    assert!(errors.is_empty(), "{errors:?}\n{declarations}");
});

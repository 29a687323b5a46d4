//! Every schema of the official JSON-Schema-Test-Suite (drafts 2020-12 and
//! 7), which nobody here wrote, declared as a tool's input and output and
//! type-checked by the real tsc in one run. The suite is found through
//! `CODEMODE_SCHEMA_SUITE`, else `target/json-schema-test-suite` at the
//! workspace root, where `scripts/test.sh` unpacks it from the `jsonschema`
//! sdist on PyPI; without it this test fails rather than passes unchecked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::{PRELUDE, ToolDecl, tool_declaration};
use super::tsc::compile;

/// The drafts whose test files are read (with their `optional/` folders).
const DRAFTS: [&str; 2] = ["draft2020-12", "draft7"];

fn suite_dir() -> PathBuf {
    std::env::var_os("CODEMODE_SCHEMA_SUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/json-schema-test-suite"))
}

/// Every `.json` file under `dir`, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run scripts/test.sh, or set CODEMODE_SCHEMA_SUITE to the suite's tests folder",
                dir.display()
            )
        })
        .map(|entry| entry.expect("a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
}

/// One schema of the suite: where it comes from, and the schema.
struct Case {
    label: String,
    schema: Value,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for draft in DRAFTS {
        let mut paths = Vec::new();
        files(&suite_dir().join(draft), &mut paths);
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let groups: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for group in groups {
                let label = format!("{} / {}", path.display(), group["description"].as_str().unwrap_or("?"));
                cases.push(Case { label, schema: group["schema"].clone() });
            }
        }
    }
    cases
}

#[test]
fn every_schema_of_the_json_schema_test_suite_type_checks() {
    let cases = cases();
    assert!(cases.len() > 600, "only {} schemas found in {}", cases.len(), suite_dir().display());
    let mut files = vec![("prelude.d.ts".to_owned(), PRELUDE.to_owned())];
    for (n, case) in cases.iter().enumerate() {
        let tool = ToolDecl {
            name: "tool",
            original_name: "tool",
            title: None,
            description: None,
            input_schema: &case.schema,
            output_schema: Some(&case.schema),
            learned_output: None,
            result_left_out: false,
            asks_approval: false,
        };
        files.push((format!("s{n}.d.ts"), tool_declaration(&format!("s{n}"), &tool)));
    }
    let (passed, said) = compile("suite", &files, true);
    // Which schemas tsc rejected, with its first complaint about each.
    let mut rejected: BTreeMap<usize, &str> = BTreeMap::new();
    for line in said.lines() {
        let number = line.strip_prefix('s').and_then(|rest| rest.split_once(".d.ts")).map(|(n, _)| n.parse());
        if let Some(Ok(n)) = number {
            rejected.entry(n).or_insert(line);
        }
    }
    let report: Vec<String> =
        rejected.iter().map(|(&n, line)| format!("{}\n  {line}\n{}", cases[n].label, files[n + 1].1)).collect();
    assert!(
        passed && rejected.is_empty(),
        "tsc rejected {} of {} schemas:\n{}\n{said}",
        rejected.len(),
        cases.len(),
        report.join("\n")
    );
}

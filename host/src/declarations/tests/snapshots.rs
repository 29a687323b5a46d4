//! Each fixture's declarations against the committed `NAME.d.ts` beside it.
//! `UPDATE_SNAPSHOTS=1` rewrites the snapshots instead of comparing.

use super::super::namespace_declarations;
use super::fixtures;

#[test]
fn declarations_match_snapshots() {
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|value| value == "1");
    let mut stale = Vec::new();
    for server in fixtures::servers() {
        let actual = namespace_declarations(&server.namespace, None, &server.decls());
        let path = server.path.with_extension("d.ts");
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if update {
            std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else {
            stale.push(format!("{}\n{}", path.display(), first_difference(&expected, &actual)));
        }
    }
    assert!(
        stale.is_empty(),
        "generated declarations differ from their snapshots:\n\n{}\n\nIf the change is intended, regenerate with \
         `UPDATE_SNAPSHOTS=1 cargo test declarations` and review `git diff tests/fixtures/schemas`.",
        stale.join("\n\n")
    );
}

/// The first line where the two texts differ, as a tiny diff.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(old), Some(new)) if old == new => {}
            (None, None) => break,
            (old, new) => {
                let show =
                    |line: Option<&str>| line.map_or_else(|| "(end of file)".to_owned(), |line| format!("`{line}`"));
                return format!("  line {number}:\n  - snapshot:  {}\n  + generated: {}", show(old), show(new));
            }
        }
    }
    "  (they differ only in the final line break)".to_owned()
}

//! Tests of the declarations: one-line rules, snapshots of the schema corpus
//! in `tests/fixtures/schemas`, and runs of the real TypeScript compiler over
//! everything generated from it and from the official JSON-Schema-Test-Suite.

mod brief;
mod fixtures;
mod rules;
mod snapshots;
mod suite;
mod tsc;

/// The prelude declares exactly the globals it is said to: a global added to
/// one and not the other fails here.
#[test]
fn the_prelude_declares_exactly_its_globals() {
    let mut declared: Vec<&str> = super::PRELUDE
        .lines()
        .filter_map(|line| line.strip_prefix("declare "))
        .filter_map(|rest| rest.split_once(' ').map(|(_, rest)| rest))
        .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default())
        .collect();
    declared.sort_unstable();
    declared.dedup();
    let mut listed = super::PRELUDE_GLOBALS.to_vec();
    listed.sort_unstable();
    assert_eq!(declared, listed);
}

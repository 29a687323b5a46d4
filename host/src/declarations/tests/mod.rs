//! Tests of the declarations: one-line rules, snapshots of the schema corpus
//! in `tests/fixtures/schemas`, and runs of the real TypeScript compiler over
//! everything generated from it and from the official JSON-Schema-Test-Suite.

mod brief;
mod fixtures;
mod rules;
mod snapshots;
mod suite;
mod tsc;

//! `codemode serve --http`: the hardened network edge
//! ([`codemode::server::http`]) in front of a dummy handler (`edge`, `logs`),
//! and the real server as a child process in front of the demo server
//! (`real`).

mod edge;
mod logs;
pub mod real;
mod support;

//! codemode's integration tests: one binary, one module per area. Every
//! test runs real programs in the real guest on the real host.

mod asking;
mod cache;
mod catalog;
mod check;
mod cli;
mod console;
mod degraded;
mod demo;
mod envelope;
mod errors;
mod forms;
mod globals;
mod http;
mod imports;
mod interop;
mod isolation;
mod journal;
mod learning;
mod limits;
mod mcp;
mod misbehaving;
mod phases;
mod python_sdk;
mod quickjs;
mod replicas;
mod resume;
mod search;
mod search_set;
mod serve;
mod snapshot;
mod support;
mod timers;
mod tools;
mod upstream;

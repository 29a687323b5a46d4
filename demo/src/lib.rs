//! codemode's bundled demo MCP server: a deterministic sales dataset behind
//! small, typed, read-only tools.
//!
//! - [`dataset`] generates the data (customers, products, a year of orders)
//!   from a fixed seed and a fixed "today".
//! - [`tools`] implements the tools, callable in-process with JSON.
//! - [`server`] serves those same tools over MCP on stdio; the
//!   `codemode-demo` binary runs it.
//!
//! The crate answers questions such as "which EU customers spent more than
//! 5,000 last month, by product category" and has no configuration.

pub mod dataset;
pub mod date;
pub mod server;
pub mod tools;

//! `codemode-demo`: the demo MCP server over stdio, as `codemode demo` and MCP
//! clients launch it.

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    codemode_demo::server::serve_stdio().await
}

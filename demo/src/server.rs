//! The demo as an MCP server: [`DemoServer`] answers `tools/list` and
//! `tools/call` from [`crate::tools`], [`serve_stdio`] runs it over
//! stdin/stdout and [`serve_http`] over streamable HTTP.
//!
//! Only protocol mapping lives here. Stdout carries protocol messages alone,
//! so every diagnostic goes to stderr.

use rmcp::{
    ErrorData, RoleServer, ServerHandler, ServiceExt,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
        PaginatedRequestParams, ServerCapabilities, ServerConfig,
    },
    service::RequestContext,
    transport::{
        StreamableHttpServerConfig, StreamableHttpService, stdio,
        streamable_http_server::session::local::LocalSessionManager,
    },
};
use serde_json::Value;

use crate::{
    dataset::TODAY,
    tools::{self, ToolError},
};

/// When this environment variable is set, the tools are listed without
/// their output schemas (their results are the same).
pub const HIDE_OUTPUT_SCHEMAS: &str = "CODEMODE_DEMO_HIDE_OUTPUT_SCHEMAS";

/// The demo MCP server; it holds no state, the dataset is shared and read-only.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoServer;

impl DemoServer {
    /// What the server tells clients about itself on `initialize`.
    fn instructions() -> String {
        format!(
            "Sample sales data of a shop selling to 50 companies. Customers (c001-c050) are in regions EU, US, \
             APAC or LATAM; 30 products (p001-p030) fall into 8 categories; about 2,000 orders cover the 365 \
             days before the dataset's fixed today, {TODAY}, so \"last month\" means the calendar month before \
             it. Amounts are price * quantity in whole currency units. Use aggregate_orders for totals and \
             list_* for records; every tool is read-only."
        )
    }
}

impl ServerHandler for DemoServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")))
            .with_instructions(Self::instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut tools = tools::tool_list();
        // For tests of codemode's learned result types: the same server,
        // saying nothing of what its tools return.
        if std::env::var_os(HIDE_OUTPUT_SCHEMAS).is_some() {
            tools.iter_mut().for_each(|tool| tool.output_schema = None);
        }
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.map_or(Value::Null, Value::Object);
        match tools::call(&request.name, args) {
            Ok(output) => Ok(CallToolResult::structured(output).into()),
            // Naming a tool that does not exist is the client's protocol
            // error; bad arguments are the program's, so they go back as a
            // result it can read and correct.
            Err(error @ ToolError::UnknownTool(_)) => Err(ErrorData::invalid_params(error.to_string(), None)),
            Err(error @ ToolError::InvalidArguments(_)) => {
                Ok(CallToolResult::error(vec![ContentBlock::text(error.to_string())]).into())
            }
        }
    }
}

/// Serves the demo over stdin/stdout until the client disconnects.
pub async fn serve_stdio() -> anyhow::Result<()> {
    eprintln!("codemode-demo: serving MCP on stdio (today is {TODAY})");
    let running = DemoServer.serve(stdio()).await?;
    let reason = running.waiting().await?;
    eprintln!("codemode-demo: stopped ({reason:?})");
    Ok(())
}

/// Serves the demo over streamable HTTP on `listener`, at every path, until
/// the returned future is dropped or accepting fails. Each connection runs
/// in its own task. Only the SDK's default hosts (localhost, 127.0.0.1) are
/// accepted in `Host`, so bind to loopback.
pub async fn serve_http(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let service: StreamableHttpService<DemoServer, LocalSessionManager> =
        StreamableHttpService::new(|| Ok(DemoServer), Default::default(), StreamableHttpServerConfig::default());
    loop {
        let (stream, _) = listener.accept().await?;
        let service = hyper_util::service::TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(error) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                eprintln!("codemode-demo: HTTP connection failed: {error}");
            }
        });
    }
}

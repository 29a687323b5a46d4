//! Embedding the executor: register in-process tools and run a program that
//! calls them concurrently.
//!
//! `cargo run --example in_process_tools`

use codemode::{ExecuteOptions, Executor, InProcessTools, ToolCallError, ToolCallErrorKind, ToolSpec};
use serde_json::json;
use std::sync::Arc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let tools = InProcessTools::new().tool(ToolSpec::new(Some("weather"), "forecast"), |args| async move {
        let city = args["city"].as_str().unwrap_or_default().to_owned();
        if city.is_empty() {
            return Err(ToolCallError::new(ToolCallErrorKind::InvalidArguments, "city is required"));
        }
        Ok(json!({ "city": city, "high": 21 + city.len() as i64 }).into())
    });
    let program = r#"
        const cities = ["Lisbon", "Oslo", "Kyoto"];
        const forecasts = await Promise.all(cities.map((city) => weather.forecast({ city })));
        try { await weather.forecast({}); } catch (e) { console.warn(e.code, e.message); }
        return forecasts.sort((a, b) => b.high - a.high)[0];
    "#;
    let executor = Executor::new()?;
    let envelope = executor.execute(program, Arc::new(tools), &ExecuteOptions::new()).await?;
    println!("{}", serde_json::to_string_pretty(&envelope)?);
    Ok(())
}

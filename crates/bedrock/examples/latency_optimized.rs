//! Usage - Latency Optimized Inference: `performanceConfig` goes to Converse as is.
//!
//! ```python
//! response = completion(
//!     model="bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0",
//!     messages=[{"role": "user", "content": "What is the capital of France?"}],
//!     performanceConfig={"latency": "optimized"},
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example latency_optimized` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call.
pub async fn run(client: &Client) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "performanceConfig": {"latency": "optimized"},
    }))?;
    let response = client.completion(request).await?;
    Ok(response.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("latency_optimized").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

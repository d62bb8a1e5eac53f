//! Attach metadata to Bedrock requests for logging and cost attribution (`requestMetadata`).
//!
//! ```python
//! response = completion(
//!     model="bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
//!     messages=[{"role": "user", "content": "Hello, how are you?"}],
//!     requestMetadata={
//!         "cost_center": "engineering",
//!         "user_id": "user123"
//!     }
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example request_metadata` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call with `requestMetadata` (sent as Converse's top-level `requestMetadata`).
pub async fn run(client: &Client) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
        "requestMetadata": {"cost_center": "engineering", "user_id": "user123"},
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
    let (client, _mock) = common::client("request_metadata").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

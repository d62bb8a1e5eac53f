//! Usage - 'thinking' / 'reasoning content': `reasoning_effort` turns on Claude's extended
//! thinking; the answer carries `reasoning_content` and `thinking_blocks` (with the signature
//! Anthropic needs back on later tool-use turns).
//!
//! ```python
//! resp = completion(
//!     model="bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
//!     messages=[{"role": "user", "content": "What is the capital of France?"}],
//!     reasoning_effort="low",
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example reasoning` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call; returns the reasoning, the answer and how many thinking blocks came back.
pub async fn run(client: &Client) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "reasoning_effort": "low",
    }))?;
    let response = client.completion(request).await?;
    let message = &response.choices[0].message;
    Ok(format!(
        "reasoning_content: {}\ncontent: {}\nthinking_blocks: {}",
        message.reasoning_content.as_deref().unwrap_or("-"),
        message.content.as_deref().unwrap_or("-"),
        message.thinking_blocks.as_ref().map_or(0, Vec::len),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("reasoning").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

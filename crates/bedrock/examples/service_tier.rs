//! Usage - Service Tier: OpenAI's `service_tier` ("priority", "default", "flex"; "auto" means
//! "default") or Bedrock's own `serviceTier` object.
//!
//! ```python
//! response = completion(
//!     model="bedrock/converse/anthropic.claude-3-sonnet-20240229-v1:0",
//!     messages=[{"role": "user", "content": "Hello!"}],
//!     service_tier="priority"  # Automatically translated to serviceTier={"type": "priority"}
//! )
//! response = completion(
//!     model="bedrock/converse/qwen.qwen3-235b-a22b-2507-v1:0",
//!     messages=[{"role": "user", "content": "What is the capital of France?"}],
//!     serviceTier={"type": "priority"},
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example service_tier` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};
use serde_json::json;

/// Both seed calls; one answer per line.
pub async fn run(client: &Client) -> Result<String> {
    let mut openai_style = ChatCompletionRequest::new(
        "bedrock/converse/anthropic.claude-3-sonnet-20240229-v1:0",
        vec![ChatMessage::user("Hello!")],
    );
    openai_style.service_tier = Some("priority".into());
    let first = client.completion(openai_style).await?;

    let native: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/converse/qwen.qwen3-235b-a22b-2507-v1:0",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "serviceTier": {"type": "priority"},
    }))?;
    let second = client.completion(native).await?;
    Ok(format!(
        "{}\n{}",
        first.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
        second.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("service_tier").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

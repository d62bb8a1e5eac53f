//! Usage: one chat completion (Claude 3 Sonnet, through Converse).
//!
//! ```python
//! response = completion(
//!   model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!   messages=[{ "content": "Hello, how are you?","role": "user"}]
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example completion` (credentials and region from the
//! environment, as LiteLLM reads them), or with `BEDROCK_EXAMPLES_MOCK=1` against the mock.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The seed call; returns the answer and its cost.
pub async fn run(client: &Client) -> Result<String> {
    let request = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        vec![ChatMessage::user("Hello, how are you?")],
    );
    let response = client.completion(request).await?;
    let answer = response.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default();
    let cost = response.meta.response_cost.unwrap_or_default();
    Ok(format!("{answer}\nresponse_cost: ${cost:.8}"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("completion").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

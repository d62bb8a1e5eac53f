//! `/completions` (text completion): each prompt is sent as one user turn through the chat
//! path, as LiteLLM serves `/completions` for Bedrock.
//!
//! ```python
//! response = text_completion(
//!     model="bedrock/anthropic.claude-3-haiku-20240307-v1:0",
//!     prompt="Say this is a test",
//!     max_tokens=20,
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example text_completion` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::Result;
use bedrock::types::completions::TextCompletionRequest;
use serde_json::json;

/// The call; the completion text and the response object type.
pub async fn run(client: &Client) -> Result<String> {
    let request: TextCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        "prompt": "Say this is a test",
        "max_tokens": 20,
    }))?;
    let response = client.text_completion(request).await?;
    Ok(format!("{}: {}", response.object, response.choices[0].text))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("text_completion").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

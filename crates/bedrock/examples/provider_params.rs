//! Pass provider-specific params: any non-OpenAI parameter goes to the model as is (`top_k` lands
//! in Converse's `additionalModelRequestFields`).
//!
//! ```python
//! response = completion(
//!   model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!   messages=[{ "content": "Hello, how are you?","role": "user"}],
//!   top_k=1 # 👈 PROVIDER-SPECIFIC PARAM
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example provider_params` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call with `top_k`.
pub async fn run(client: &Client) -> Result<String> {
    // The request is the Python call's keyword arguments as JSON: unknown keys such as `top_k`
    // are kept in `provider_params` and sent to the model.
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "top_k": 1,
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
    let (client, _mock) = common::client("provider_params").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

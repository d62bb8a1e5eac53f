//! Authentication with a Bedrock API key: sent as `Authorization: Bearer …` instead of a SigV4
//! signature. Option 1 is the `AWS_BEARER_TOKEN_BEDROCK` environment variable (read by the
//! client on every call); option 2, shown here, the `api_key` parameter.
//!
//! ```python
//! response = completion(
//!   model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!   messages=[{ "content": "Hello, how are you?","role": "user"}],
//!   api_key="your-api-key"
//! )
//! ```
//!
//! Run: `BEDROCK_API_KEY=… cargo run -p bedrock --example bearer`, or with
//! `BEDROCK_EXAMPLES_MOCK=1` against the mock (which accepts `your-api-key`).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call with `api_key`.
pub async fn run(client: &Client, api_key: &str) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "api_key": api_key,
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
    let (client, _mock) = common::client("bearer").await?;
    let key = std::env::var("BEDROCK_API_KEY").unwrap_or_else(|_| common::API_KEY.to_owned());
    println!("{}", run(&client, &key).await?);
    Ok(())
}

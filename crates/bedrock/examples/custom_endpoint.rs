//! A custom bedrock-runtime endpoint (`aws_bedrock_runtime_endpoint`) and extra headers: the
//! request is signed for Bedrock and sent to the given URL; `extra_headers` go on the wire
//! unsigned (an `Authorization` among them replaces the signature, for custom gateways).
//!
//! ```python
//! response = completion(
//!             model="bedrock/anthropic.claude-instant-v1",
//!             messages=[{ "content": "Hello, how are you?","role": "user"}],
//!             aws_access_key_id="",
//!             aws_secret_access_key="",
//!             aws_region_name="",
//!             aws_bedrock_runtime_endpoint="https://my-fake-endpoint.com",
//!             extra_headers={"key": "value"}
//! )
//! ```
//!
//! Run: `BEDROCK_RUNTIME_ENDPOINT=https://… cargo run -p bedrock --example custom_endpoint`
//! (default: the us-east-1 endpoint), or with `BEDROCK_EXAMPLES_MOCK=1` against the mock, whose
//! client's own endpoint leads nowhere.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call against `endpoint` (credentials from the environment here).
pub async fn run(client: &Client, endpoint: &str) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-instant-v1",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "aws_bedrock_runtime_endpoint": endpoint,
        "extra_headers": {"key": "value"},
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
    let (client, mock) = common::client("custom_endpoint").await?;
    let endpoint = match &mock {
        Some(mock) => mock.url(),
        None => std::env::var("BEDROCK_RUNTIME_ENDPOINT")
            .unwrap_or_else(|_| "https://bedrock-runtime.us-east-1.amazonaws.com".to_owned()),
    };
    println!("{}", run(&client, &endpoint).await?);
    Ok(())
}

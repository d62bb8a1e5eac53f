//! Passing credentials as parameters: `aws_access_key_id`, `aws_secret_access_key` (and
//! `aws_session_token`) and `aws_region_name` on the call win over the environment.
//!
//! ```python
//! response = completion(
//!             model="bedrock/anthropic.claude-instant-v1",
//!             messages=[{ "content": "Hello, how are you?","role": "user"}],
//!             aws_access_key_id="",
//!             aws_secret_access_key="",
//!             aws_region_name="",
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example credentials_params` (passes the environment's
//! `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_REGION` as parameters), or with
//! `BEDROCK_EXAMPLES_MOCK=1` against the mock, whose client has no credentials of its own.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call with explicit keys and region.
pub async fn run(client: &Client, key_id: &str, secret: &str, region: &str) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-instant-v1",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "aws_access_key_id": key_id,
        "aws_secret_access_key": secret,
        "aws_region_name": region,
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
    let (client, mock) = common::client("credentials_params").await?;
    let var = |name: &str, mock_value: &str| match &mock {
        Some(_) => mock_value.to_owned(),
        None => std::env::var(name).unwrap_or_default(),
    };
    let key_id = var("AWS_ACCESS_KEY_ID", common::ACCESS_KEY_ID);
    let secret = var("AWS_SECRET_ACCESS_KEY", common::SECRET_ACCESS_KEY);
    let region = var("AWS_REGION", common::REGION);
    println!("{}", run(&client, &key_id, &secret, &region).await?);
    Ok(())
}

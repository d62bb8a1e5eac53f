//! SSO Login (AWS Profile): `aws_profile_name` picks a profile from `~/.aws/config` and
//! `~/.aws/credentials` (or `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`): static keys, SSO,
//! `credential_process` (IAM Roles Anywhere), role chains. Without it, the default chain
//! (`AWS_PROFILE` or `default`) applies.
//!
//! ```python
//! response = completion(
//!             model="bedrock/anthropic.claude-instant-v1",
//!             messages=[{ "content": "Hello, how are you?","role": "user"}],
//!             aws_profile_name="dev-profile",
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example profile` (needs a `dev-profile` profile), or with
//! `BEDROCK_EXAMPLES_MOCK=1` against the mock, which writes a `dev-profile` into temporary
//! config files and accepts only its keys.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed call with `aws_profile_name`.
pub async fn run(client: &Client) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-instant-v1",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "aws_profile_name": "dev-profile",
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
    let (client, _mock) = common::client("profile").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

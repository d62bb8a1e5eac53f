//! STS (Role-based Auth): `aws_role_name` is assumed through STS `AssumeRole` (session name
//! `aws_session_name`), with the environment's credentials (or `aws_access_key_id` /
//! `aws_secret_access_key`, or a profile) as the source; the role's temporary keys sign the call
//! and are cached until shortly before they expire.
//!
//! ```python
//! response = completion(
//!             model="bedrock/anthropic.claude-instant-v1",
//!             messages=messages,
//!             max_tokens=10,
//!             temperature=0.1,
//!             aws_role_name=aws_role_name,
//!             aws_session_name="my-test-session",
//!         )
//! ```
//!
//! Run: `BEDROCK_ROLE_ARN=arn:aws:iam::…:role/… cargo run -p bedrock --example sts`, or with
//! `BEDROCK_EXAMPLES_MOCK=1` against the mock and the testkit's fake STS.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The role the mock run assumes (the seed doc's example role).
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/Enterprise/BedrockCrossAccountConsumer";

/// The seed call with `aws_role_name = role_arn`.
pub async fn run(client: &Client, role_arn: &str) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-instant-v1",
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
        "max_tokens": 10,
        "temperature": 0.1,
        "aws_role_name": role_arn,
        "aws_session_name": "my-test-session",
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
    let (client, _mock) = common::client("sts").await?;
    let role = std::env::var("BEDROCK_ROLE_ARN").unwrap_or_else(|_| ROLE_ARN.to_owned());
    println!("{}", run(&client, &role).await?);
    Ok(())
}

//! Usage - Bedrock Guardrails: `guardrailConfig` for the whole conversation, or only the parts
//! marked `guarded_text` (sent as `guardContent`). A blocked answer ends with
//! `finish_reason: "content_filter"`.
//!
//! ```python
//! response = completion(
//!     model="anthropic.claude-v2",
//!     messages=[{"content": "where do i buy coffee from? ", "role": "user"}],
//!     max_tokens=10,
//!     guardrailConfig={
//!         "guardrailIdentifier": "ff6ujrregl1q", # The identifier (ID) for the guardrail.
//!         "guardrailVersion": "DRAFT",           # The version of the guardrail.
//!         "trace": "disabled",                   # "disabled" or "enabled"
//!     },
//! )
//! response_guard = completion(
//!     model="anthropic.claude-v2",
//!     messages=[{"role": "user", "content": [
//!         {"type": "text", "text": "What is the main topic of this legal document?"},
//!         {"type": "guarded_text", "text": "This      document contains sensitive legal information that should be moderated by guardrails."},
//!     ]}],
//!     guardrailConfig={"guardrailIdentifier": "gr-abc123", "guardrailVersion": "DRAFT"},
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example guardrails` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// Both seed calls; each answer with its finish reason.
pub async fn run(client: &Client) -> Result<String> {
    let whole: ChatCompletionRequest = common::request(json!({
        "model": "anthropic.claude-v2",
        "messages": [{"content": "where do i buy coffee from? ", "role": "user"}],
        "max_tokens": 10,
        "guardrailConfig": {
            "guardrailIdentifier": "ff6ujrregl1q",
            "guardrailVersion": "DRAFT",
            "trace": "disabled",
        },
    }))?;
    let selective: ChatCompletionRequest = common::request(json!({
        "model": "anthropic.claude-v2",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What is the main topic of this legal document?"},
            {"type": "guarded_text", "text": "This      document contains sensitive legal information that should be moderated by guardrails."},
        ]}],
        "guardrailConfig": {"guardrailIdentifier": "gr-abc123", "guardrailVersion": "DRAFT"},
    }))?;
    let mut out = Vec::new();
    for request in [whole, selective] {
        let response = client.completion(request).await?;
        let choice = &response.choices[0];
        out.push(format!(
            "{:?}: {}",
            choice.finish_reason,
            choice.message.content.as_deref().unwrap_or_default()
        ));
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("guardrails").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

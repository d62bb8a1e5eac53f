//! Usage - Anthropic Beta Features: the `anthropic-beta` header (one value, several
//! comma-separated, or added by computer-use tools) becomes Converse's
//! `additionalModelRequestFields.anthropic_beta`.
//!
//! ```python
//! response = completion(
//!     model="bedrock/anthropic.claude-sonnet-4-20250115-v1:0",
//!     messages=[{"role": "user", "content": "Hello! Testing 1M context window."}],
//!     max_tokens=100,
//!     extra_headers={"anthropic-beta": "context-1m-2025-08-07"},
//! )
//! response = completion(
//!     model="bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
//!     messages=[{"role": "user", "content": "Testing multiple beta features"}],
//!     max_tokens=100,
//!     extra_headers={"anthropic-beta": "computer-use-2024-10-22,context-1m-2025-08-07"},
//! )
//! response = completion(
//!     model="bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
//!     messages=[{"role": "user", "content": "Take a screenshot"}],
//!     tools=[{"type": "computer_20241022", "name": "computer",
//!             "display_width_px": 1920, "display_height_px": 1080}],
//!     extra_headers={"anthropic-beta": "context-1m-2025-08-07"},
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example beta_headers` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The three seed calls; one answer per line.
pub async fn run(client: &Client) -> Result<String> {
    let calls = [
        json!({
            "model": "bedrock/anthropic.claude-sonnet-4-20250115-v1:0",
            "messages": [{"role": "user", "content": "Hello! Testing 1M context window."}],
            "max_tokens": 100,
            "extra_headers": {"anthropic-beta": "context-1m-2025-08-07"},
        }),
        json!({
            "model": "bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
            "messages": [{"role": "user", "content": "Testing multiple beta features"}],
            "max_tokens": 100,
            "extra_headers": {"anthropic-beta": "computer-use-2024-10-22,context-1m-2025-08-07"},
        }),
        // Computer-use tools add `computer-use-2024-10-22` themselves.
        json!({
            "model": "bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
            "messages": [{"role": "user", "content": "Take a screenshot"}],
            "tools": [{
                "type": "computer_20241022",
                "name": "computer",
                "display_width_px": 1920,
                "display_height_px": 1080,
            }],
            "extra_headers": {"anthropic-beta": "context-1m-2025-08-07"},
        }),
    ];
    let mut out = Vec::new();
    for call in calls {
        let request: ChatCompletionRequest = common::request(call)?;
        let response = client.completion(request).await?;
        out.push(
            response.choices[0]
                .message
                .content
                .clone()
                .unwrap_or_default(),
        );
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("beta_headers").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

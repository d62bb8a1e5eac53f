//! Alternate user/assistant messages: Bedrock wants the conversation to start with a user turn.
//! `user_continue_message` (or `modify_params=True`, which uses a default one) fixes a history
//! that does not.
//!
//! ```yaml
//! model_list:
//!   - model_name: "bedrock-claude"
//!     litellm_params:
//!       model: "bedrock/anthropic.claude-instant-v1"
//!       user_continue_message: {"role": "user", "content": "Please continue"}
//! ```
//! called with `"messages": [{"role": "assistant", "content": "Hey, how's it going?"}]`; then the
//! same with `modify_params: true` instead.
//!
//! Run: `cargo run -p bedrock --example alternate_messages` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// Both variants; one answer per line.
pub async fn run(client: &Client) -> Result<String> {
    let calls = [
        json!({
            "model": "bedrock/anthropic.claude-instant-v1",
            "messages": [{"role": "assistant", "content": "Hey, how's it going?"}],
            "user_continue_message": {"role": "user", "content": "Please continue"},
        }),
        json!({
            "model": "bedrock/anthropic.claude-instant-v1",
            "messages": [{"role": "assistant", "content": "Hey, how's it going?"}],
            "modify_params": true,
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
    let (client, _mock) = common::client("alternate_messages").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

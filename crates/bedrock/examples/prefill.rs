//! Claude prefill ("put words in Claude's mouth": a last assistant message) and system messages
//! on Claude 2.1. The answer does not repeat the prefill; prepend it yourself.
//!
//! ```python
//! messages = [
//!     {"role": "user", "content": "How do you say 'Hello' in German? Return your answer as a JSON object, like this:\n\n{ \"Hello\": \"Hallo\" }"},
//!     {"role": "assistant", "content": "{"},
//! ]
//! response = completion(model="bedrock/anthropic.claude-v2", messages=messages)
//!
//! messages = [
//!     {"role": "system", "content": "You are a snarky assistant."},
//!     {"role": "user", "content": "How do I boil water?"},
//! ]
//! response = completion(model="bedrock/anthropic.claude-v2:1", messages=messages)
//! ```
//!
//! Run: `cargo run -p bedrock --example prefill` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// Both seed calls: the prefilled JSON (prefill prepended) and the system-prompted answer.
pub async fn run(client: &Client) -> Result<String> {
    let prefill = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-v2",
        vec![
            ChatMessage::user(
                "How do you say 'Hello' in German? Return your answer as a JSON object, like this:\n\n{ \"Hello\": \"Hallo\" }",
            ),
            ChatMessage::assistant("{"),
        ],
    );
    let response = client.completion(prefill).await?;
    let json = format!(
        "{{{}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default()
    );

    let system = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-v2:1",
        vec![
            ChatMessage::system("You are a snarky assistant."),
            ChatMessage::user("How do I boil water?"),
        ],
    );
    let response = client.completion(system).await?;
    Ok(format!(
        "{json}\n{}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default()
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("prefill").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

//! Usage - Bedrock search citations: `search_results` on a `tool` message become Converse
//! `searchResult` blocks; the answer's citations come back as `message.annotations`.
//!
//! The seed doc's request shape (its `model` is a proxy alias for Claude 3.7 Sonnet):
//!
//! ```json
//! {"messages": [
//!   {"role": "user", "content": "What is XX?"},
//!   {"role": "assistant", "tool_calls": [{"id": "tooluse_a4rBqeZNRTKj2lTskvaO4H", "type": "function",
//!     "function": {"name": "RAGRequest", "arguments": "{\"query\":\"What is Apptio?\"}"}}]},
//!   {"role": "tool", "tool_call_id": "tooluse_a4rBqeZNRTKj2lTskvaO4H",
//!    "content": "XX is a company that makes calls to Bedrock using passthrough APIs via LiteLLM",
//!    "search_results": [{"source": "https://www.xx.com/about", "title": "About XX",
//!      "content": [{"text": "XX is a company that makes calls to Bedrock using passthrough APIs via LiteLLM"}],
//!      "citations": {"enabled": true}}]}]}
//! ```
//!
//! Run: `cargo run -p bedrock --example citations` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The seed request; returns the answer and each `url_citation` annotation.
pub async fn run(client: &Client) -> Result<String> {
    let text = "XX is a company that makes calls to Bedrock using passthrough APIs via LiteLLM";
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "messages": [
            {"role": "user", "content": "What is XX?"},
            {"role": "assistant", "tool_calls": [{
                "id": "tooluse_a4rBqeZNRTKj2lTskvaO4H",
                "type": "function",
                "function": {"name": "RAGRequest", "arguments": "{\"query\":\"What is Apptio?\"}"},
            }]},
            {"role": "tool", "tool_call_id": "tooluse_a4rBqeZNRTKj2lTskvaO4H", "content": text,
             "search_results": [{
                "source": "https://www.xx.com/about",
                "title": "About XX",
                "content": [{"text": text}],
                "citations": {"enabled": true},
             }]},
        ],
    }))?;
    let response = client.completion(request).await?;
    let message = &response.choices[0].message;
    let mut out = message.content.clone().unwrap_or_default();
    for a in message.annotations.iter().flatten() {
        let c = &a.url_citation;
        out.push_str(&format!(
            "\n{} [{}..{}] {} <{}>",
            a.kind, c.start_index, c.end_index, c.title, c.url
        ));
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("citations").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

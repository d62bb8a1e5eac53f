//! Bedrock Agents: `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` calls InvokeAgent; the answer is the
//! agent's final text, usage is summed from its traces; streaming yields it as it arrives; any
//! non-OpenAI parameter (`invocationId`, …) goes to the agent as is.
//!
//! ```python
//! response = litellm.completion(
//!     model="bedrock/agent/L1RT58GYRW/MFPSBCXYTW",  # agent/{AGENT_ID}/{ALIAS_ID}
//!     messages=[{"role": "user", "content": "Hi, I need help with analyzing our Q3 sales data and generating a summary report"}],
//! )
//! response = litellm.completion(
//!     model="bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
//!     messages=[{"role": "user", "content": "Can you help me plan a marketing campaign and provide step-by-step execution details?"}],
//!     stream=True,
//! )
//! response = litellm.completion(
//!     model="bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
//!     messages=[{"role": "user", "content": "Hi who is ishaan cto of litellm, tell me 10 things about him"}],
//!     invocationId="my-test-invocation-id", # PROVIDER-SPECIFIC VALUE
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example agents` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};
use futures_util::StreamExt;
use serde_json::json;

const AGENT: &str = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";

/// The three seed calls: the answer with its usage and cost, the streamed text, the answer to
/// the call with a custom parameter.
pub async fn run(client: &Client) -> Result<String> {
    let request = ChatCompletionRequest::new(
        AGENT,
        vec![ChatMessage::user(
            "Hi, I need help with analyzing our Q3 sales data and generating a summary report",
        )],
    );
    let response = client.completion(request).await?;
    let usage = response.usage.clone().unwrap_or_default();
    let mut out = vec![format!(
        "{}\nusage: {} prompt + {} completion tokens, response cost: ${:.6}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
        usage.prompt_tokens,
        usage.completion_tokens,
        response.meta.response_cost.unwrap_or_default()
    )];

    let request = ChatCompletionRequest::new(
        AGENT,
        vec![ChatMessage::user(
            "Can you help me plan a marketing campaign and provide step-by-step execution details?",
        )],
    );
    let mut stream = client.completion_stream(request).await?;
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        if let Some(delta) = chunk?.choices.first().and_then(|c| c.delta.content.clone()) {
            text.push_str(&delta);
        }
    }
    out.push(text);

    let request: ChatCompletionRequest = common::request(json!({
        "model": AGENT,
        "messages": [{"role": "user",
                      "content": "Hi who is ishaan cto of litellm, tell me 10 things about him"}],
        "invocationId": "my-test-invocation-id",
    }))?;
    let response = client.completion(request).await?;
    out.push(
        response.choices[0]
            .message
            .content
            .clone()
            .unwrap_or_default(),
    );
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("agents").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

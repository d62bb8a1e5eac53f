//! Moonshot Kimi K2 Thinking: `bedrock/moonshot.kimi-k2-thinking` goes through Converse (the
//! model map lists it there), `bedrock/invoke/moonshot.kimi-k2-thinking` through invoke, where a
//! leading `<reasoning>…</reasoning>` is split off; either way the reasoning arrives as
//! `reasoning_content`. Tools and streaming work as for any OpenAI model.
//!
//! ```python
//! response = completion(
//!     model="bedrock/moonshot.kimi-k2-thinking",
//!     messages=[{"role": "user", "content": "What is 2+2? Think step by step."}],
//!     temperature=0.7, max_tokens=200)
//! response = completion(
//!     model="bedrock/moonshot.kimi-k2-thinking",
//!     messages=[{"role": "user", "content": "What's the weather in Tokyo?"}],
//!     tools=[{"type": "function", "function": {"name": "get_weather", ...}}])
//! response = completion(
//!     model="bedrock/moonshot.kimi-k2-thinking",
//!     messages=[{"role": "user", "content": "Explain quantum computing in simple terms."}],
//!     stream=True, temperature=0.7)
//! ```
//!
//! Run: `cargo run -p bedrock --example moonshot` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use futures_util::StreamExt;
use serde_json::json;

/// The seed calls: reasoning + answer on both routes, the tool call, the streamed text and
/// reasoning.
pub async fn run(client: &Client) -> Result<String> {
    let model = "bedrock/moonshot.kimi-k2-thinking";
    let mut out = Vec::new();
    for model in [model, "bedrock/invoke/moonshot.kimi-k2-thinking"] {
        let basic: ChatCompletionRequest = common::request(json!({
            "model": model,
            "messages": [{"role": "user", "content": "What is 2+2? Think step by step."}],
            "temperature": 0.7,
            "max_tokens": 200,
        }))?;
        let response = client.completion(basic).await?;
        let message = &response.choices[0].message;
        out.push(format!(
            "Reasoning: {}\n{}",
            message.reasoning_content.as_deref().unwrap_or("-"),
            message.content.as_deref().unwrap_or_default()
        ));
    }

    let tools: ChatCompletionRequest = common::request(json!({
        "model": model,
        "messages": [{"role": "user", "content": "What's the weather in Tokyo?"}],
        "tools": [{"type": "function", "function": {
            "name": "get_weather",
            "description": "Get the current weather in a location",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string", "description": "The city name"}},
                "required": ["location"],
            },
        }}],
    }))?;
    let response = client.completion(tools).await?;
    for call in response.choices[0].message.tool_calls.iter().flatten() {
        out.push(format!(
            "Tool called: {}\nArguments: {}",
            call.function.name, call.function.arguments
        ));
    }

    let streamed: ChatCompletionRequest = common::request(json!({
        "model": model,
        "messages": [{"role": "user", "content": "Explain quantum computing in simple terms."}],
        "stream": true,
        "temperature": 0.7,
    }))?;
    let mut stream = client.completion_stream(streamed).await?;
    let (mut text, mut reasoning) = (String::new(), String::new());
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if let Some(delta) = chunk.choices.first().map(|c| &c.delta) {
            text.push_str(delta.content.as_deref().unwrap_or_default());
            reasoning.push_str(delta.reasoning_content.as_deref().unwrap_or_default());
        }
    }
    out.push(format!("[Reasoning: {reasoning}]\n{text}"));
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("moonshot").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

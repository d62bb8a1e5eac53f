//! Tool calling through Converse: OpenAI `tools` and `tool_choice` in, `tool_calls` out.
//!
//! ```python
//! response = completion(
//!     model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!     messages=[{"role": "user", "content": "What's the weather like in Boston today?"}],
//!     tools=tools,  # get_current_weather(location, unit)
//!     tool_choice="auto",
//! )
//! assert isinstance(response.choices[0].message.tool_calls[0].function.name, str)
//! assert isinstance(response.choices[0].message.tool_calls[0].function.arguments, str)
//! ```
//!
//! Run: `cargo run -p bedrock --example tools` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Error, ErrorKind, Result};
use serde_json::json;

/// The seed call; returns the tool the model chose and its JSON arguments.
pub async fn run(client: &Client) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        "messages": [{"role": "user", "content": "What's the weather like in Boston today?"}],
        "tools": [{
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {
                            "type": "string",
                            "description": "The city and state, e.g. San Francisco, CA",
                        },
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    },
                    "required": ["location"],
                },
            },
        }],
        "tool_choice": "auto",
    }))?;
    let response = client.completion(request).await?;
    let message = &response.choices[0].message;
    let call = message
        .tool_calls
        .as_ref()
        .and_then(|calls| calls.first())
        .ok_or_else(|| Error::new(ErrorKind::Internal, "the model called no tool"))?;
    // `arguments` is a JSON string, as in OpenAI's API.
    Ok(format!(
        "tool call {}: {}({})",
        call.id, call.function.name, call.function.arguments
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("tools").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

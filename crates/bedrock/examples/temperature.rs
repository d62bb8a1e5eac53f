//! Set temperature, top p, etc.: OpenAI sampling parameters become Converse's `inferenceConfig`.
//!
//! ```python
//! response = completion(
//!   model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!   messages=[{ "content": "Hello, how are you?","role": "user"}],
//!   temperature=0.7,
//!   top_p=1
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example temperature` (set `BEDROCK_EXAMPLES_MOCK=1` for the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The seed call with `temperature` and `top_p`.
pub async fn run(client: &Client) -> Result<String> {
    let mut request = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        vec![ChatMessage::user("Hello, how are you?")],
    );
    request.temperature = Some(0.7);
    request.top_p = Some(1.0);
    let response = client.completion(request).await?;
    Ok(response.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("temperature").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

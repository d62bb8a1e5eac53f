//! Usage - Streaming: `completion_stream` yields OpenAI `chat.completion.chunk`s as Bedrock
//! produces them (a `futures` Stream).
//!
//! ```python
//! response = completion(
//!   model="bedrock/anthropic.claude-instant-v1",
//!   messages=[{ "content": "Hello, how are you?","role": "user"}],
//!   stream=True
//! )
//! for chunk in response:
//!   print(chunk)
//! ```
//!
//! Run: `cargo run -p bedrock --example streaming` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};
use futures_util::StreamExt;

/// The seed call; prints each delta as it arrives and returns the chunk count and whole text.
pub async fn run(client: &Client) -> Result<String> {
    let request = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-instant-v1",
        vec![ChatMessage::user("Hello, how are you?")],
    );
    let mut stream = client.completion_stream(request).await?;
    let (mut chunks, mut text) = (0, String::new());
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        chunks += 1;
        if let Some(delta) = chunk
            .choices
            .first()
            .and_then(|c| c.delta.content.as_deref())
        {
            print!("{delta}");
            text.push_str(delta);
        }
    }
    println!();
    Ok(format!("{chunks} chunks: {text}"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("streaming").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

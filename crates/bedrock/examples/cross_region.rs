//! Cross-region inferencing: an inference-profile id (`us.`, `eu.`, `apac.`, `global.`, …)
//! is sent as the model id; prices and capabilities come from the base model.
//!
//! ```python
//! response = completion(
//!     model="bedrock/us.anthropic.claude-3-haiku-20240307-v1:0",
//!     messages=messages,
//!     max_tokens=10,
//!     temperature=0.1,
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example cross_region` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The seed call; returns the answer, the model and the cost (priced as Claude 3 Haiku).
pub async fn run(client: &Client) -> Result<String> {
    let mut request = ChatCompletionRequest::new(
        "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0",
        vec![ChatMessage::user("Hello, how are you?")],
    );
    request.max_tokens = Some(10);
    request.temperature = Some(0.1);
    let response = client.completion(request).await?;
    Ok(format!(
        "{} [{}] ${:.8}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
        response.model,
        response.meta.response_cost.unwrap_or_default()
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("cross_region").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

//! Bedrock Application Inference Profile: track costs per project by calling through a profile
//! ARN (as `model_id`, or in the model name). The region comes from the ARN.
//!
//! ```python
//! response = completion(
//!     model="bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
//!     messages=[{"role": "user", "content": "Hello, how are you?"}],
//!     model_id="arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0",
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example inference_profile` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The seed call; the answer and its cost (priced as the base model).
pub async fn run(client: &Client) -> Result<String> {
    let mut request = ChatCompletionRequest::new(
        "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        vec![ChatMessage::user("Hello, how are you?")],
    );
    request.model_id = Some(
        "arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0"
            .into(),
    );
    let response = client.completion(request).await?;
    Ok(format!(
        "{} ${:.8}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
        response.meta.response_cost.unwrap_or_default()
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("inference_profile").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

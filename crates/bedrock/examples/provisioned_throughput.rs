//! Provisioned throughput models: `model` names the base model (for parameters and prices),
//! `model_id` the provisioned model's ARN that the request goes to.
//!
//! ```python
//! response = litellm.completion(
//!     model="bedrock/anthropic.claude-instant-v1",
//!     model_id="provisioned-model-arn",
//!     messages=[{"content": "Hello, how are you?", "role": "user"}]
//! )
//! response = litellm.embedding(
//!     model="bedrock/amazon.titan-embed-text-v1",
//!     model_id="provisioned-model-arn",
//!     input=["hi"],
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example provisioned_throughput` (`BEDROCK_EXAMPLES_MOCK=1`: the
//! mock). Put your own provisioned model ARNs in the two constants.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::embeddings::EmbeddingRequest;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The provisioned Claude Instant.
pub const CHAT_MODEL_ARN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/claude-instant-pt";
/// The provisioned Titan embeddings model.
pub const EMBED_MODEL_ARN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/titan-embed-pt";

/// Both seed calls: the answer, then the embedding's length.
pub async fn run(client: &Client) -> Result<String> {
    let chat: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-instant-v1",
        "model_id": CHAT_MODEL_ARN,
        "messages": [{"content": "Hello, how are you?", "role": "user"}],
    }))?;
    let response = client.completion(chat).await?;

    let embed: EmbeddingRequest = common::request(json!({
        "model": "bedrock/amazon.titan-embed-text-v1",
        "model_id": EMBED_MODEL_ARN,
        "input": ["hi"],
    }))?;
    let embeddings = client.embedding(embed).await?;
    Ok(format!(
        "{}\n{} embedding(s), model {}",
        response.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default(),
        embeddings.data.len(),
        embeddings.model
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("provisioned_throughput").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

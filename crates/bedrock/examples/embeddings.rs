//! Bedrock Embedding: Titan V1, and Titan V2 with `encoding_format` "float" or "base64"
//! (binary embeddings).
//!
//! ```python
//! response = embedding(model="bedrock/amazon.titan-embed-text-v1",
//!                      input=["good morning from litellm"])
//! response = embedding(model="bedrock/amazon.titan-embed-text-v2:0",
//!                      input=["good morning from litellm"], encoding_format="float")
//! response = embedding(model="bedrock/amazon.titan-embed-text-v2:0",
//!                      input=["good morning from litellm"], encoding_format="base64")
//! ```
//!
//! Run: `cargo run -p bedrock --example embeddings` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::Result;
use bedrock::types::embeddings::{EmbeddingRequest, EmbeddingVector};
use serde_json::json;

/// The three seed calls; one line each: model, vector kind and length, tokens, cost.
pub async fn run(client: &Client) -> Result<String> {
    let calls = [
        json!({"model": "bedrock/amazon.titan-embed-text-v1",
               "input": ["good morning from litellm"]}),
        json!({"model": "bedrock/amazon.titan-embed-text-v2:0",
               "input": ["good morning from litellm"], "encoding_format": "float"}),
        json!({"model": "bedrock/amazon.titan-embed-text-v2:0",
               "input": ["good morning from litellm"], "encoding_format": "base64"}),
    ];
    let mut out = Vec::new();
    for call in calls {
        let request: EmbeddingRequest = common::request(call)?;
        let response = client.embedding(request).await?;
        let vector = match response.data.first().map(|e| &e.embedding) {
            Some(EmbeddingVector::Float(v)) => format!("float[{}]", v.len()),
            Some(EmbeddingVector::Int(v)) => format!("int[{}]", v.len()),
            Some(EmbeddingVector::Base64(s)) => format!("base64 {s}"),
            None => "none".to_owned(),
        };
        out.push(format!(
            "{}: {vector}, {} tokens, ${:.10}",
            response.model,
            response.usage.prompt_tokens,
            response.meta.response_cost.unwrap_or_default()
        ));
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("embeddings").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

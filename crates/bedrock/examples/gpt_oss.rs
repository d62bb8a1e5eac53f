//! OpenAI GPT OSS on Bedrock through Converse.
//!
//! ```python
//! response = completion(
//!     model="bedrock/converse/openai.gpt-oss-20b-1:0",
//!     messages=[{"role": "user", "content": "Hello, how are you?"}],
//! )
//! response = completion(
//!     model="bedrock/converse/openai.gpt-oss-120b-1:0",
//!     messages=[{"role": "user", "content": "Explain machine learning in simple terms"}],
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example gpt_oss` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// Both seed calls; each answer (and its reasoning, when the model returns some).
pub async fn run(client: &Client) -> Result<String> {
    let calls = [
        (
            "bedrock/converse/openai.gpt-oss-20b-1:0",
            "Hello, how are you?",
        ),
        (
            "bedrock/converse/openai.gpt-oss-120b-1:0",
            "Explain machine learning in simple terms",
        ),
    ];
    let mut out = Vec::new();
    for (model, prompt) in calls {
        let request = ChatCompletionRequest::new(model, vec![ChatMessage::user(prompt)]);
        let response = client.completion(request).await?;
        let message = &response.choices[0].message;
        if let Some(reasoning) = &message.reasoning_content {
            out.push(format!("[reasoning: {reasoning}]"));
        }
        out.push(message.content.clone().unwrap_or_default());
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("gpt_oss").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

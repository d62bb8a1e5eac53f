//! Bedrock Imported Models: the route prefix names the model's request/response spec
//! (`deepseek_r1`, `llama`, `qwen3`, `qwen2`, `openai`), the ARN names the model.
//!
//! ```python
//! completion(model="bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n",
//!            messages=[{"role": "user", "content": "Tell me a joke"}])
//! completion(model="bedrock/llama/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n",
//!            messages=[{"role": "user", "content": "Tell me a joke"}])
//! completion(model="bedrock/qwen3/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen3-model",
//!            messages=[{"role": "user", "content": "Tell me a joke"}], max_tokens=100, temperature=0.7)
//! completion(model="bedrock/qwen2/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen2-model",
//!            messages=[{"role": "user", "content": "Tell me a joke"}], max_tokens=100, temperature=0.7)
//! completion(model="bedrock/openai/arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z",
//!            messages=[{"role": "user", "content": "Tell me a joke"}], max_tokens=300, temperature=0.5)
//! ```
//!
//! Run: `cargo run -p bedrock --example imported_models` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The five seed calls; one `route: answer` line each (DeepSeek R1's reasoning separated out).
pub async fn run(client: &Client) -> Result<String> {
    let arn = "arn:aws:bedrock:us-east-1:086734376398:imported-model";
    let calls: [(String, Option<u32>, Option<f64>); 5] = [
        (
            format!("bedrock/deepseek_r1/{arn}/r4c4kewx2s0n"),
            None,
            None,
        ),
        (format!("bedrock/llama/{arn}/r4c4kewx2s0n"), None, None),
        (
            format!("bedrock/qwen3/{arn}/your-qwen3-model"),
            Some(100),
            Some(0.7),
        ),
        (
            format!("bedrock/qwen2/{arn}/your-qwen2-model"),
            Some(100),
            Some(0.7),
        ),
        (
            "bedrock/openai/arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z"
                .to_owned(),
            Some(300),
            Some(0.5),
        ),
    ];
    let mut out = Vec::new();
    for (model, max_tokens, temperature) in calls {
        let route = model.split('/').nth(1).unwrap_or_default().to_owned();
        let mut request =
            ChatCompletionRequest::new(model, vec![ChatMessage::user("Tell me a joke")]);
        request.max_tokens = max_tokens;
        request.temperature = temperature;
        let response = client.completion(request).await?;
        let message = &response.choices[0].message;
        let mut line = format!(
            "{route}: {}",
            message.content.as_deref().unwrap_or_default().trim()
        );
        if let Some(reasoning) = &message.reasoning_content {
            line.push_str(&format!(" [reasoning: {}]", reasoning.trim()));
        }
        out.push(line);
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("imported_models").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

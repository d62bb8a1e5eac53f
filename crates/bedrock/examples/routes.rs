//! Set 'converse' / 'invoke' route: `bedrock/converse/<model>` or `bedrock/invoke/<model>`
//! picks the API; plain `bedrock/<model>` uses Converse wherever the model supports it.
//!
//! ```python
//! completion(model="bedrock/converse/us.amazon.nova-pro-v1:0", messages=messages)
//! completion(model="bedrock/invoke/us.amazon.nova-pro-v1:0", messages=messages)
//! ```
//!
//! Run: `cargo run -p bedrock --example routes` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ChatMessage, Result};

/// The same question through both routes; one `model: answer` line each.
pub async fn run(client: &Client) -> Result<String> {
    let mut out = Vec::new();
    for model in [
        "bedrock/converse/us.amazon.nova-pro-v1:0",
        "bedrock/invoke/us.amazon.nova-pro-v1:0",
    ] {
        let request =
            ChatCompletionRequest::new(model, vec![ChatMessage::user("Hello, how are you?")]);
        let response = client.completion(request).await?;
        out.push(format!(
            "{model}: {}",
            response.choices[0]
                .message
                .content
                .as_deref()
                .unwrap_or_default()
        ));
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("routes").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

//! Calling via Internal Proxy (not bedrock url compatible): `bedrock/converse_like/<model>`
//! posts a Converse body to `api_base` exactly as given, with `api_key` as a bearer key.
//!
//! ```python
//! response = completion(
//!     model="bedrock/converse_like/some-model",
//!     messages=[{"role": "user", "content": "What's AWS?"}],
//!     api_key="sk-1234",
//!     api_base="https://some-api-url/models",
//!     extra_headers={"test": "hello world"},
//! )
//! # Expected Output URL: https://some-api-url/models
//! ```
//!
//! Run: `BEDROCK_PROXY_URL=https://… BEDROCK_PROXY_KEY=… cargo run -p bedrock --example
//! internal_proxy`, or with `BEDROCK_EXAMPLES_MOCK=1` against the mock standing in for the
//! proxy.

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Error, Result};
use serde_json::json;

/// The seed call against the proxy at `api_base` with `api_key`.
pub async fn run(client: &Client, api_base: &str, api_key: &str) -> Result<String> {
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/converse_like/some-model",
        "messages": [{"role": "user", "content": "What's AWS?"}],
        "api_key": api_key,
        "api_base": api_base,
        "extra_headers": {"test": "hello world"},
    }))?;
    let response = client.completion(request).await?;
    Ok(response.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default())
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, mock) = common::client("internal_proxy").await?;
    let (api_base, api_key) = match &mock {
        // The mock routes by path, so the stand-in proxy URL ends like a Converse path.
        Some(mock) => (
            format!("{}/model/some-model/converse", mock.url()),
            common::PROXY_API_KEY.to_owned(),
        ),
        None => (
            std::env::var("BEDROCK_PROXY_URL")
                .map_err(|_| Error::missing_field("BEDROCK_PROXY_URL"))?,
            std::env::var("BEDROCK_PROXY_KEY").unwrap_or_default(),
        ),
    };
    println!("{}", run(&client, &api_base, &api_key).await?);
    Ok(())
}

//! Usage - Vision: an image as a base64 data URL in an `image_url` part.
//!
//! ```python
//! resp = litellm.completion(
//!     model="bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
//!     messages=[{"role": "user", "content": [
//!         {"type": "text", "text": "Whats in this image?"},
//!         {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64_image}},
//!     ]}],
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example vision [image.png]` (`BEDROCK_EXAMPLES_MOCK=1`: the
//! mock). Without a path it sends a built-in 1×1 PNG.

#[path = "common/mod.rs"]
mod common;

use base64::Engine;
use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// A 1×1 PNG.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0x50,
    0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9, 0x8c, 0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Ask about `image` (`mime`: `image/png`, `image/jpeg`, …).
pub async fn run(client: &Client, image: &[u8], mime: &str) -> Result<String> {
    let base64_image = base64::engine::general_purpose::STANDARD.encode(image);
    let request: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Whats in this image?"},
            {"type": "image_url", "image_url": {"url": format!("data:{mime};base64,{base64_image}")}},
        ]}],
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
    let (client, _mock) = common::client("vision").await?;
    let answer = match std::env::args().nth(1) {
        Some(path) => {
            let bytes = std::fs::read(&path).map_err(|e| {
                bedrock::types::Error::invalid_field("image path", format!("a readable file ({e})"))
            })?;
            let mime = if path.ends_with(".png") {
                "image/png"
            } else {
                "image/jpeg"
            };
            run(&client, &bytes, mime).await?
        }
        None => run(&client, TINY_PNG, "image/png").await?,
    };
    println!("{answer}");
    Ok(())
}

//! Usage - PDF / Document Understanding: a document as a `file` part or as an `image_url` part,
//! both with a base64 data URL (pdf, csv, doc, docx, xls, xlsx, html, txt, md).
//!
//! ```python
//! image_content = [
//!     {"type": "text", "text": "What's this file about?"},
//!     {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{encoded_file}"}},
//! ]
//! response = completion(model="bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
//!                       messages=[{"role": "user", "content": image_content}])
//!
//! image_content = [
//!     {"type": "text", "text": "What's this file about?"},
//!     {"type": "image_url", "image_url": base64_url},  # OR {"url": base64_url}
//! ]
//! response = completion(model=model, messages=[{"role": "user", "content": image_content}])
//! ```
//!
//! Run: `cargo run -p bedrock --example pdf [file.pdf]` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).
//! Without a path it sends a tiny built-in PDF.

#[path = "common/mod.rs"]
mod common;

use base64::Engine;
use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// A minimal one-page PDF.
pub const TINY_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

/// Both seed calls with `pdf`; one answer per line.
pub async fn run(client: &Client, pdf: &[u8]) -> Result<String> {
    let model = "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0";
    let encoded_file = base64::engine::general_purpose::STANDARD.encode(pdf);
    let base64_url = format!("data:application/pdf;base64,{encoded_file}");
    let as_file: ChatCompletionRequest = common::request(json!({
        "model": model,
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What's this file about?"},
            {"type": "file", "file": {"file_data": base64_url}},
        ]}],
    }))?;
    let as_image_url: ChatCompletionRequest = common::request(json!({
        "model": model,
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "What's this file about?"},
            {"type": "image_url", "image_url": base64_url},
        ]}],
    }))?;
    let mut out = Vec::new();
    for request in [as_file, as_image_url] {
        let response = client.completion(request).await?;
        out.push(
            response.choices[0]
                .message
                .content
                .clone()
                .unwrap_or_default(),
        );
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("pdf").await?;
    let pdf = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).map_err(|e| {
            bedrock::types::Error::invalid_field("pdf path", format!("a readable file ({e})"))
        })?,
        None => TINY_PDF.to_vec(),
    };
    println!("{}", run(&client, &pdf).await?);
    Ok(())
}

//! TwelveLabs Pegasus - Video Understanding (invoke): the video comes from S3 or as base64 in
//! `mediaSource`.
//!
//! ```python
//! response = completion(
//!     model="bedrock/us.twelvelabs.pegasus-1-2-v1:0",
//!     messages=[{"role": "user", "content": "Describe what happens in this video."}],
//!     mediaSource={
//!         "s3Location": {
//!             "uri": "s3://your-bucket/video.mp4",
//!             "bucketOwner": "123456789012",  # 12-digit AWS account ID
//!         }
//!     },
//!     temperature=0.2
//! )
//! response = completion(
//!     model="bedrock/us.twelvelabs.pegasus-1-2-v1:0",
//!     messages=[{"role": "user", "content": "What is happening in this video?"}],
//!     mediaSource={"base64String": video_base64},
//!     temperature=0.2,
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example pegasus [video.mp4]` (`BEDROCK_EXAMPLES_MOCK=1`: the
//! mock). Without a path the second call sends a few placeholder bytes.

#[path = "common/mod.rs"]
mod common;

use base64::Engine;
use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, Result};
use serde_json::json;

/// The start of an MP4 file (placeholder video bytes).
pub const VIDEO_STUB: &[u8] = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41";

/// Both seed calls (S3, then base64 `video`); one answer per line.
pub async fn run(client: &Client, video: &[u8]) -> Result<String> {
    let video_base64 = base64::engine::general_purpose::STANDARD.encode(video);
    let from_s3: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/us.twelvelabs.pegasus-1-2-v1:0",
        "messages": [{"role": "user", "content": "Describe what happens in this video."}],
        "mediaSource": {
            "s3Location": {"uri": "s3://your-bucket/video.mp4", "bucketOwner": "123456789012"},
        },
        "temperature": 0.2,
    }))?;
    let inline: ChatCompletionRequest = common::request(json!({
        "model": "bedrock/us.twelvelabs.pegasus-1-2-v1:0",
        "messages": [{"role": "user", "content": "What is happening in this video?"}],
        "mediaSource": {"base64String": video_base64},
        "temperature": 0.2,
    }))?;
    let mut out = Vec::new();
    for request in [from_s3, inline] {
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
    let (client, _mock) = common::client("pegasus").await?;
    let video = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).map_err(|e| {
            bedrock::types::Error::invalid_field("video path", format!("a readable file ({e})"))
        })?,
        None => VIDEO_STUB.to_vec(),
    };
    println!("{}", run(&client, &video).await?);
    Ok(())
}

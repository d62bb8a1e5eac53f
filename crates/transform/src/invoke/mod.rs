//! InvokeModel families with native bodies (one module per family).
//!
//! `prompt`: families that take a rendered prompt string (Llama, Mistral, Titan, Cohere, AI21,
//! DeepSeek R1, legacy Claude). `chat_style`: families that take message lists (OpenAI-compatible
//! imported models and gpt-oss, Qwen ChatML, Moonshot Kimi, TwelveLabs Pegasus, Nova on invoke).
//! Claude 3+ lives in [`crate::anthropic`].

pub mod chat_style;
pub mod prompt;

use base64::Engine;
use bedrock_types::{Error, ErrorKind, Result, StreamEvent};
use serde_json::Value;

use crate::config::{EndpointKind, HttpRequestParts, ResponseKind};
use crate::route::ModelRoute;

/// `POST /model/{id}/invoke` (or `/invoke-with-response-stream` when streaming) with
/// `accept: application/json` and the invoke headers: the request every invoke family sends.
pub fn request_parts(
    route: &ModelRoute,
    stream: bool,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
) -> HttpRequestParts {
    let (op, kind) = if stream {
        ("invoke-with-response-stream", ResponseKind::EventStream)
    } else {
        ("invoke", ResponseKind::Json)
    };
    let mut http = HttpRequestParts::post_json(
        EndpointKind::Runtime,
        format!("/model/{}/{op}", route.path_segment()),
        body,
        kind,
    );
    http.headers
        .push(("accept".to_owned(), "application/json".to_owned()));
    // No `x-amzn-bedrock-accept` on streams: LiteLLM sends none, and Bedrock's default for the
    // chunks' content type is `application/json` anyway.
    http.headers.extend(headers);
    http
}

/// Decode an invoke `chunk` event's `{"bytes": base64}` payload into the model-native JSON
/// chunk; other event types yield `None`. With `raw_body`, any event whose payload has no
/// `bytes` is itself the native JSON (a whole `/invoke` reply fed to the decoder as a
/// single-chunk stream).
pub fn decode_chunk(event: &StreamEvent, raw_body: bool) -> Result<Option<Value>> {
    let bad = |why: String| {
        Error::new(
            ErrorKind::Internal,
            format!("malformed invoke stream chunk: {why}"),
        )
        .with_status(422)
    };
    if event.event_type != "chunk" && !raw_body {
        return Ok(None);
    }
    let outer: Value = serde_json::from_slice(&event.payload).map_err(|e| bad(e.to_string()))?;
    let Some(b64) = outer.get("bytes") else {
        if raw_body && outer.is_object() {
            return Ok(Some(outer));
        }
        return Err(bad("no `bytes`".to_owned()));
    };
    let b64 = b64
        .as_str()
        .ok_or_else(|| bad("`bytes` is not a string".to_owned()))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(&raw)
        .map(Some)
        .map_err(|e| bad(e.to_string()))
}

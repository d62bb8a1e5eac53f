//! Fuzz targets: each takes arbitrary bytes and must never panic, whatever they are.
//!
//! The same functions back the cargo-fuzz targets in `fuzz/` (nightly, coverage-guided) and the
//! bounded stable smoke in `tests/smoke.rs` (seed corpus + deterministic mutations, run by
//! `cargo test`). A crash found by either becomes a file under `fuzz/regressions/<target>/`,
//! replayed on every test run.
#![deny(missing_docs)]

use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::route::ModelRoute;
use bedrock_transform::{Registry, ResponseContext, ResponseKind};
use bedrock_transport::eventstream::FrameDecoder;
use bedrock_types::{ChatCompletionRequest, StreamEvent};

/// Model strings covering every chat config in the registry (Converse, each invoke family,
/// agents), so response transforms and stream decoders of all of them see the input.
pub const MODELS: &[&str] = &[
    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
    "bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0",
    "bedrock/invoke/anthropic.claude-v2:1",
    "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
    "bedrock/invoke/mistral.mistral-7b-instruct-v0:2",
    "bedrock/invoke/cohere.command-text-v14",
    "bedrock/invoke/cohere.command-r-v1:0",
    "bedrock/invoke/ai21.j2-ultra-v1",
    "bedrock/invoke/ai21.jamba-instruct-v1:0",
    "bedrock/invoke/amazon.titan-text-express-v1",
    "bedrock/invoke/amazon.nova-lite-v1:0",
    "bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
    "bedrock/openai/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
    "bedrock/qwen3/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
    "bedrock/qwen2/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
    "bedrock/invoke/moonshot.kimi-k2-thinking",
    "bedrock/invoke/twelvelabs.pegasus-1-2-v1:0",
    "bedrock/agent/AGENT12345/ALIAS12345",
];

/// The event-stream decoder on arbitrary bytes, delivered in two pieces split where the first
/// byte says: frames, CRCs, header types and exception frames must fail cleanly.
pub fn event_stream(data: &[u8]) {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let mut decoder = FrameDecoder::new();
    for piece in [&data[..split], &data[split..]] {
        decoder.push(piece);
        while let Ok(Some(message)) = decoder.next_message() {
            let _ = message.into_event(Some("fuzz"));
        }
    }
    let _ = decoder.finish();
}

/// The route parser on arbitrary text, alone and with a `model_id` override.
pub fn route(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = ModelRoute::parse(&text);
    if let Some((model, id)) = text.split_once('\n') {
        let _ = ModelRoute::parse_with_model_id(model, Some(id));
    }
}

/// Arbitrary JSON as an OpenAI chat request, through every config's params mapping and request
/// transform: bad input must be a typed error.
pub fn chat_request(data: &[u8]) {
    let Ok(request) = serde_json::from_slice::<ChatCompletionRequest>(data) else {
        return;
    };
    let registry = Registry::default();
    for model in MODELS {
        let Ok(route) = ModelRoute::parse(model) else {
            continue;
        };
        let Ok(config) = registry.config_for(&route) else {
            continue;
        };
        let mut request = request.clone();
        request.model = (*model).to_owned();
        if let Ok(mut mapped) = config.map_params(&route, &request) {
            if route.agent.is_some() {
                bedrock_transform::agents::ensure_session_id(&mut mapped, || "fuzz-session".into());
            }
            let _ = config.transform_request(&route, &request, mapped);
        }
    }
}

/// Arbitrary bytes as every family's whole reply, stream event payload and `{"bytes"}` chunk.
pub fn responses(data: &[u8]) {
    let registry = Registry::default();
    let headers = http::HeaderMap::new();
    let plain: ChatCompletionRequest = match serde_json::from_value(serde_json::json!({
        "model": "x", "messages": [{"role": "user", "content": "hi"}],
        "stream_options": {"include_usage": true}
    })) {
        Ok(r) => r,
        Err(_) => return,
    };
    let event_types = [
        "chunk",
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
        "trace",
        "returnControl",
    ];
    for model in MODELS {
        let Ok(route) = ModelRoute::parse(model) else {
            continue;
        };
        let Ok(config) = registry.config_for(&route) else {
            continue;
        };
        let mut request = plain.clone();
        request.model = (*model).to_owned();
        let Ok(mut mapped) = config.map_params(&route, &request) else {
            continue;
        };
        if route.agent.is_some() {
            bedrock_transform::agents::ensure_session_id(&mut mapped, || "fuzz-session".into());
        }
        let Ok(prepared) = config.transform_request(&route, &request, mapped) else {
            continue;
        };
        let ctx = ResponseContext {
            id: "chatcmpl-fuzz".into(),
            created: 0,
            state: prepared.state,
        };
        let parts = HttpResponseParts {
            status: 200,
            headers: &headers,
            body: data,
        };
        let event = |t: &str| StreamEvent::new(t.to_owned(), bytes::Bytes::copy_from_slice(data));
        if prepared.http.response == ResponseKind::CollectedEvents {
            let events: Vec<StreamEvent> = event_types.iter().map(|t| event(t)).collect();
            let _ = config.transform_events(&ctx, parts, &events);
        } else {
            let _ = config.transform_response(&ctx, parts);
        }
        let _ = config.map_error(HttpResponseParts {
            status: 400,
            headers: &headers,
            body: data,
        });
        let mut decoder = config.stream_decoder(ctx.clone());
        let mut out = Vec::new();
        for t in event_types {
            let _ = decoder.on_event(&event(t), &mut out);
        }
        // The same bytes wrapped the way invoke streams carry native chunks.
        let wrapped = serde_json::json!({"bytes": base64_encode(data)}).to_string();
        let _ = decoder.on_event(&StreamEvent::new("chunk", wrapped.into_bytes()), &mut out);
        let _ = decoder.on_end(&mut out);
    }
}

/// Standard base64 with padding (kept here so the targets need no extra dependency).
fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

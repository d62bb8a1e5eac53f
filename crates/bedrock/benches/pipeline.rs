//! The pure pipeline's cost per call: request build (Converse and Anthropic invoke; small,
//! medium, large), SigV4 signing, build + sign together, response transform, and event-stream
//! decode into OpenAI chunks (MB/s and chunks/s). Figures go to docs/benchmarks.md.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::SystemTime;

use bedrock::transform::config::HttpResponseParts;
use bedrock::transform::route::ModelRoute;
use bedrock::transform::{Registry, ResponseContext};
use bedrock::types::ChatCompletionRequest;
use bedrock_auth::Credentials;
use bedrock_testkit::eventstream::Frame;
use bedrock_transport::eventstream::FrameDecoder;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

fn small(model: &str) -> ChatCompletionRequest {
    serde_json::from_value(json!({
        "model": model,
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
        "max_tokens": 256, "temperature": 0.7
    }))
    .unwrap()
}

fn medium(model: &str) -> ChatCompletionRequest {
    let image = format!("data:image/png;base64,{}", "iVBORw0KGgo".repeat(2000));
    serde_json::from_value(json!({
        "model": model,
        "messages": [
            {"role": "system", "content": "You are a helpful assistant that answers briefly."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is in this image, and what is the weather in Paris?"},
                {"type": "image_url", "image_url": {"url": image}}]}
        ],
        "tools": (0..5).map(|i| json!({"type": "function", "function": {
            "name": format!("tool_{i}"), "description": "Look something up",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"]}}})).collect::<Vec<_>>(),
        "tool_choice": "auto", "max_tokens": 1024
    }))
    .unwrap()
}

fn large(model: &str) -> ChatCompletionRequest {
    let messages: Vec<Value> = (0..100)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            json!({"role": role, "content": format!("Turn {i}: {}", "lorem ipsum dolor sit amet ".repeat(8))})
        })
        .collect();
    serde_json::from_value(json!({"model": model, "messages": messages, "max_tokens": 512}))
        .unwrap()
}

fn build(registry: &Registry, req: &ChatCompletionRequest) -> Bytes {
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = registry.config_for(&route).unwrap();
    let mapped = config.map_params(&route, req).unwrap();
    config
        .transform_request(&route, req, mapped)
        .unwrap()
        .http
        .body
}

fn request_build(c: &mut Criterion) {
    let registry = Registry::default();
    let mut group = c.benchmark_group("request_build");
    for (api, model) in [
        (
            "converse",
            "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
        (
            "anthropic_invoke",
            "bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0",
        ),
    ] {
        for (size, req) in [
            ("small", small(model)),
            ("medium", medium(model)),
            ("large", large(model)),
        ] {
            group.bench_function(format!("{api}/{size}"), |b| {
                b.iter(|| build(&registry, black_box(&req)))
            });
        }
    }
    group.finish();
}

fn signed(
    registry: &Registry,
    req: &ChatCompletionRequest,
    creds: &Credentials,
) -> http::Request<Bytes> {
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = registry.config_for(&route).unwrap();
    let mapped = config.map_params(&route, req).unwrap();
    let prepared = config.transform_request(&route, req, mapped).unwrap();
    let mut builder = http::Request::post(format!(
        "https://bedrock-runtime.us-east-1.amazonaws.com{}",
        prepared.http.path
    ));
    for (k, v) in &prepared.http.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let mut request = builder.body(prepared.http.body).unwrap();
    bedrock_auth::sign_request(
        &mut request,
        creds,
        "us-east-1",
        "bedrock",
        SystemTime::now(),
    )
    .unwrap();
    request
}

fn signing(c: &mut Criterion) {
    let registry = Registry::default();
    let creds = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
    );
    let req = small("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
    let body = build(&registry, &req);
    let request = || {
        http::Request::post(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
        )
        .header("content-type", "application/json")
        .body(body.clone())
        .unwrap()
    };
    // What the client signs with (the fast path for this shape, the signing key cached), and
    // the same request through aws-sigv4 (the fallback and the oracle), for comparison.
    type Sign = fn(
        &mut http::Request<bytes::Bytes>,
        &bedrock_auth::Credentials,
        &str,
        &str,
        SystemTime,
    ) -> Result<(), bedrock_auth::AuthError>;
    let signers: [(&str, Sign); 2] = [
        ("sigv4_sign/converse_small", bedrock_auth::sign_request),
        (
            "sigv4_sign/converse_small_aws_sigv4",
            bedrock_auth::sign_request_aws_sigv4,
        ),
    ];
    for (name, sign) in signers {
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut request = request();
                sign(
                    &mut request,
                    &creds,
                    "us-east-1",
                    "bedrock",
                    SystemTime::now(),
                )
                .unwrap();
                request
            })
        });
    }
    c.bench_function("build_and_sign/converse_small", |b| {
        b.iter(|| signed(&registry, black_box(&req), &creds))
    });
}

fn response_transform(c: &mut Criterion) {
    let registry = Registry::default();
    let req = small("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = registry.config_for(&route).unwrap();
    let mapped = config.map_params(&route, &req).unwrap();
    let state = config
        .transform_request(&route, &req, mapped)
        .unwrap()
        .state;
    let body = serde_json::to_vec(&json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello! I'm doing well, thank you for asking. How can I help you today?"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 19, "totalTokens": 31},
        "metrics": {"latencyMs": 420}
    }))
    .unwrap();
    let headers = http::HeaderMap::new();
    let ctx = ResponseContext {
        id: "chatcmpl-bench".into(),
        created: 0,
        state,
    };
    c.bench_function("response_transform/converse", |b| {
        b.iter(|| {
            config
                .transform_response(
                    &ctx,
                    HttpResponseParts {
                        status: 200,
                        headers: &headers,
                        body: black_box(&body),
                    },
                )
                .unwrap()
        })
    });
    // The completion's JSON as the gateway writes it: serde_json's derived serialisation
    // against the hand-written writer that produces the same bytes.
    let completion = config
        .transform_response(
            &ctx,
            HttpResponseParts {
                status: 200,
                headers: &headers,
                body: &body,
            },
        )
        .unwrap();
    let mut group = c.benchmark_group("response_json");
    group.bench_function("serde_json", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1024);
            serde_json::to_writer(&mut out, black_box(&completion)).unwrap();
            out
        })
    });
    group.bench_function("write_json", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1024);
            black_box(&completion).write_json(&mut out);
            out
        })
    });
    group.finish();
}

fn stream_decode(c: &mut Criterion) {
    let registry = Registry::default();
    let req = small("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = registry.config_for(&route).unwrap();
    let mapped = config.map_params(&route, &req).unwrap();
    let state = config
        .transform_request(&route, &req, mapped)
        .unwrap()
        .state;
    // A realistic stream: start, 1000 deltas of a few words, stop, metadata.
    let mut wire = Vec::new();
    wire.extend(Frame::event("messageStart", &json!({"role": "assistant", "p": "abcd"})).encode());
    let deltas = 1000;
    for i in 0..deltas {
        wire.extend(
            Frame::event("contentBlockDelta", &json!({"contentBlockIndex": 0, "delta": {"text": format!("word{i} and more ")}, "p": "abcdefgh"}))
                .encode(),
        );
    }
    wire.extend(Frame::event("contentBlockStop", &json!({"contentBlockIndex": 0})).encode());
    wire.extend(Frame::event("messageStop", &json!({"stopReason": "end_turn"})).encode());
    wire.extend(Frame::event("metadata", &json!({"usage": {"inputTokens": 10, "outputTokens": 3000}, "metrics": {"latencyMs": 1}})).encode());
    // Split as a socket would deliver it.
    let pieces: Vec<&[u8]> = wire.chunks(4096).collect();

    let mut group = c.benchmark_group("stream_decode");
    let run = |pieces: &[&[u8]]| {
        let mut frames = FrameDecoder::new();
        let mut decoder = config.stream_decoder(ResponseContext {
            id: "chatcmpl-bench".into(),
            created: 0,
            state: state.clone(),
        });
        let mut out = Vec::new();
        for piece in pieces {
            frames.push(piece);
            while let Some(message) = frames.next_message().unwrap() {
                decoder
                    .on_event(&message.into_event(None).unwrap(), &mut out)
                    .unwrap();
            }
        }
        decoder.on_end(&mut out).unwrap();
        out
    };
    let chunks = run(&pieces).len();
    // The framing layer alone (both CRCs, headers, payload slices), as the transport runs it.
    let frames_only = |pieces: &[&[u8]]| {
        let mut frames = FrameDecoder::new();
        let mut n = 0usize;
        for piece in pieces {
            frames.push(piece);
            while let Some(message) = frames.next_message().unwrap() {
                n += message.payload.len();
            }
        }
        n
    };
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("frames_only_bytes", |b| {
        b.iter(|| frames_only(black_box(&pieces)))
    });
    group.bench_function("converse_bytes", |b| b.iter(|| run(black_box(&pieces))));
    group.throughput(Throughput::Elements(chunks as u64));
    group.bench_function("converse_chunks", |b| b.iter(|| run(black_box(&pieces))));
    group.finish();
}

criterion_group!(
    benches,
    request_build,
    signing,
    response_transform,
    stream_decode
);
criterion_main!(benches);

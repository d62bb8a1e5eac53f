//! The golden harness shared by the transform's integration tests.
//!
//! Each folder under `tests/fixtures/<family>/<case>/` holds an OpenAI request and optionally a
//! Bedrock reply (`response.json`) and a stream (`stream.json`). The request, response and
//! chunks are compared with golden files (`UPDATE_GOLDEN=1` rewrites them); where
//! `litellm_request.json` exists (captured from LiteLLM 1.103.7 against a loopback server), the
//! body must equal it as JSON.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use bedrock_testkit::golden::{assert_golden, read_json};
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::route::ModelRoute;
use bedrock_transform::{Registry, ResponseContext};
use bedrock_types::{ChatCompletionRequest, StreamEvent};
use serde_json::{Value, json};

pub fn case_dirs(family: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(family);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("request.json").exists())
        .collect();
    dirs.sort();
    dirs
}

pub fn ctx(state: bedrock_transform::ResponseState) -> ResponseContext {
    ResponseContext {
        id: "chatcmpl-test-0001".to_owned(),
        created: 1_700_000_000,
        state,
    }
}

/// Run every case folder: request golden (+ LiteLLM parity), response golden, stream golden.
/// Stream entries are `{"event", "payload"}`, or `{"native": {...}}` for an invoke chunk, which is
/// wrapped as `{"bytes": base64}` the way Bedrock frames it.
pub fn run_cases(dirs: Vec<PathBuf>) {
    use base64::Engine;
    let registry = Registry::default();
    for dir in dirs {
        let req: ChatCompletionRequest = read_json(dir.join("request.json"));
        let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref()).unwrap();
        let config = registry.config_for(&route).unwrap();
        let mapped = config.map_params(&route, &req).unwrap();
        let dropped = mapped.dropped.clone();
        let prepared = config.transform_request(&route, &req, mapped).unwrap();
        let body: Value = serde_json::from_slice(&prepared.http.body).unwrap();
        let wire = json!({
            "method": prepared.http.method.as_str(),
            "path": prepared.http.path,
            "headers": prepared.http.headers,
            "body": body,
            "dropped_params": dropped,
        });
        assert_golden(dir.join("expected_request.json"), &wire);
        let litellm = dir.join("litellm_request.json");
        if litellm.exists() {
            let expected: Value = read_json(&litellm);
            assert_eq!(
                body,
                expected,
                "{}: body differs from LiteLLM's",
                dir.display()
            );
        }

        if dir.join("response.json").exists() {
            let raw = std::fs::read(dir.join("response.json")).unwrap();
            let mut headers = http::HeaderMap::new();
            headers.insert("x-amzn-requestid", "req-123".parse().unwrap());
            let parts = HttpResponseParts {
                status: 200,
                headers: &headers,
                body: &raw,
            };
            let resp = config
                .transform_response(&ctx(prepared.state.clone()), parts)
                .unwrap();
            assert_eq!(resp.meta.request_id.as_deref(), Some("req-123"));
            assert_golden(dir.join("expected_response.json"), &resp);
        }

        if dir.join("stream.json").exists() {
            let events: Vec<Value> = read_json(dir.join("stream.json"));
            let mut decoder = config.stream_decoder(ctx(prepared.state.clone()));
            let mut chunks = Vec::new();
            for e in events {
                let ev = match e.get("native") {
                    Some(native) => {
                        let b64 = base64::engine::general_purpose::STANDARD
                            .encode(serde_json::to_vec(native).unwrap());
                        StreamEvent::new(
                            "chunk",
                            serde_json::to_vec(&json!({"bytes": b64, "p": "abc"})).unwrap(),
                        )
                    }
                    None => StreamEvent::new(
                        e["event"].as_str().unwrap(),
                        serde_json::to_vec(&e["payload"]).unwrap(),
                    ),
                };
                decoder.on_event(&ev, &mut chunks).unwrap();
            }
            decoder.on_end(&mut chunks).unwrap();
            assert_golden(dir.join("expected_chunks.json"), &chunks);
        }
    }
}

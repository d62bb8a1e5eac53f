#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Bedrock Agents (InvokeAgent) goldens: each folder under `tests/fixtures/agents/` holds an
//! OpenAI chat request (`request.json`) and the agent's reply as a list of events
//! (`stream.json`, `{"event", "payload"}`; a `chunk` payload carries base64 `bytes`), as the
//! transport decodes them. They are collected whole for the non-streaming path
//! (`transform_events` → `expected_response.json`) and fed one by one to the stream decoder
//! (`expected_chunks.json`); the wire request goes to `expected_request.json`
//! (`UPDATE_GOLDEN=1` rewrites them). Without `sessionID` the session id is the caller's
//! `generated-session-0001`.
//!
//! `litellm_request.json` is the body LiteLLM 1.103.7 sent on loopback. Ours must equal it once
//! LiteLLM's leaks are removed: it copies every optional param into the body, including the
//! AWS credentials and region and the session id (`sessionID` / `session_id`), which belong
//! in the signature and the path.

use std::path::Path;

use bedrock_testkit::golden::{assert_golden, read_json};
use bedrock_transform::agents;
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::route::ModelRoute;
use bedrock_transform::{EndpointKind, Registry, ResponseContext, ResponseKind};
use bedrock_types::{ChatCompletionRequest, ErrorKind, StreamEvent};
use serde_json::{Value, json};

/// A fixture entry `{"event", "payload"}` as the transport's decoder yields it.
fn event(e: &Value) -> StreamEvent {
    StreamEvent::new(
        e["event"].as_str().unwrap(),
        serde_json::to_vec(&e["payload"]).unwrap(),
    )
}

const LITELLM_LEAKS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_region_name",
    "sessionID",
    "session_id",
];

fn ctx(state: bedrock_transform::ResponseState) -> ResponseContext {
    ResponseContext {
        id: "chatcmpl-agent-0001".to_owned(),
        created: 1_700_000_000,
        state,
    }
}

fn prepare(req: Value) -> bedrock_types::Result<bedrock_transform::PreparedRequest> {
    let req: ChatCompletionRequest = serde_json::from_value(req).unwrap();
    let route = ModelRoute::parse(&req.model)?;
    let registry = Registry::default();
    let config = registry.config_for(&route)?;
    let mut mapped = config.map_params(&route, &req)?;
    agents::ensure_session_id(&mut mapped, || "generated-session-0001".to_owned());
    config.transform_request(&route, &req, mapped)
}

#[test]
fn agent_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("request.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 14, "fixtures missing: {dirs:?}");
    let registry = Registry::default();
    let mut parity = 0;
    for dir in dirs {
        let req: ChatCompletionRequest = read_json(dir.join("request.json"));
        let route = ModelRoute::parse(&req.model).unwrap();
        let config = registry.config_for(&route).unwrap();
        assert_eq!(config.name(), "invoke_agent");
        let mut mapped = config.map_params(&route, &req).unwrap();
        agents::ensure_session_id(&mut mapped, || "generated-session-0001".to_owned());
        let prepared = config.transform_request(&route, &req, mapped).unwrap();
        let http = &prepared.http;
        assert_eq!(http.endpoint, EndpointKind::AgentRuntime);
        assert_eq!(
            http.response == ResponseKind::EventStream,
            req.is_stream(),
            "{}",
            dir.display()
        );
        let body: Value = serde_json::from_slice(&http.body).unwrap();
        assert_golden(
            dir.join("expected_request.json"),
            &json!({"method": http.method.as_str(), "path": http.path, "headers": http.headers,
                    "response": format!("{:?}", http.response), "body": body}),
        );
        let litellm = dir.join("litellm_request.json");
        if litellm.exists() {
            let mut expected: Value = read_json(&litellm);
            let obj = expected.as_object_mut().unwrap();
            for key in LITELLM_LEAKS {
                obj.remove(*key);
            }
            assert_eq!(
                body,
                expected,
                "{}: body differs from LiteLLM's",
                dir.display()
            );
            parity += 1;
        }

        let events: Vec<Value> = read_json(dir.join("stream.json"));
        let decoded: Vec<StreamEvent> = events.iter().map(event).collect();
        let mut h = http::HeaderMap::new();
        h.insert("x-amzn-requestid", "req-agent-1".parse().unwrap());
        h.insert(
            "x-amz-bedrock-agent-session-id",
            "sess-from-header".parse().unwrap(),
        );
        let resp = config
            .transform_events(
                &ctx(prepared.state.clone()),
                HttpResponseParts {
                    status: 200,
                    headers: &h,
                    body: &[],
                },
                &decoded,
            )
            .unwrap();
        assert_eq!(resp.meta.request_id.as_deref(), Some("req-agent-1"));
        assert_golden(dir.join("expected_response.json"), &resp);

        let mut decoder = config.stream_decoder(ctx(prepared.state.clone()));
        let mut chunks = Vec::new();
        for ev in &decoded {
            decoder.on_event(ev, &mut chunks).unwrap();
        }
        decoder.on_end(&mut chunks).unwrap();
        // The streamed text equals the whole answer.
        let streamed: String = chunks
            .iter()
            .flat_map(|c| c.choices.iter())
            .filter_map(|c| c.delta.content.clone())
            .collect();
        assert_eq!(
            Some(streamed.as_str()),
            resp.choices[0].message.content.as_deref().or(Some("")),
            "{}",
            dir.display()
        );
        assert_golden(dir.join("expected_chunks.json"), &chunks);
    }
    assert!(parity >= 14, "only {parity} cases checked against LiteLLM");
}

#[test]
fn openai_params_are_refused_unless_dropped() {
    let req = json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2, "max_tokens": 10});
    let err = prepare(req.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    // LiteLLM names them in its own order, `temperature` before `max_tokens`.
    assert_eq!(err.param(), Some("temperature"));
    let mut dropped = req;
    dropped["drop_params"] = json!(true);
    let prepared = prepare(dropped).unwrap();
    let body: Value = serde_json::from_slice(&prepared.http.body).unwrap();
    assert_eq!(body, json!({"inputText": "hi", "enableTrace": true}));
    // `user` is accepted and never sent, as in LiteLLM.
    let prepared = prepare(json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        "messages": [{"role": "user", "content": "hi"}], "user": "u-1"}))
    .unwrap();
    let body: Value = serde_json::from_slice(&prepared.http.body).unwrap();
    assert_eq!(body, json!({"inputText": "hi", "enableTrace": true}));
}

#[test]
fn session_ids_and_inputs_are_checked() {
    let base = |extra: Value| {
        let mut r = json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
            "messages": [{"role": "user", "content": "hi"}]});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    for bad in [json!("x"), json!("has space"), json!("a/b"), json!(42)] {
        let err = prepare(base(json!({"sessionID": bad}))).unwrap_err();
        assert_eq!(err.param(), Some("sessionID"), "{bad}");
    }
    // `sessionID` wins over `session_id`; neither reaches the body.
    let prepared = prepare(base(json!({"sessionID": "s-1", "session_id": "s-2"}))).unwrap();
    assert!(prepared.http.path.ends_with("/sessions/s-1/text"));
    let body: Value = serde_json::from_slice(&prepared.http.body).unwrap();
    assert!(body.get("session_id").is_none() && body.get("sessionID").is_none());
    // Without a session id and without the caller's generated one: a typed error.
    let req: ChatCompletionRequest = serde_json::from_value(base(json!({}))).unwrap();
    let route = ModelRoute::parse(&req.model).unwrap();
    let registry = Registry::default();
    let config = registry.config_for(&route).unwrap();
    let mapped = config.map_params(&route, &req).unwrap();
    let err = config.transform_request(&route, &req, mapped).unwrap_err();
    assert_eq!(err.param(), Some("sessionID"));
    // Non-text parts in the last message are refused, not dropped.
    let err = prepare(json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}))
    .unwrap_err();
    assert_eq!(err.param(), Some("messages[0].content[1]"));
    let err = prepare(json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", "messages": []}))
        .unwrap_err();
    assert_eq!(err.param(), Some("messages"));
}

#[test]
fn error_replies_and_bad_chunks_are_typed_errors() {
    // A non-2xx reply maps through the shared classification.
    let registry = Registry::default();
    let route = ModelRoute::parse("bedrock/agent/L1RT58GYRW/MFPSBCXYTW").unwrap();
    let config = registry.config_for(&route).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert(
        "x-amzn-errortype",
        "ResourceNotFoundException".parse().unwrap(),
    );
    let err = config.map_error(HttpResponseParts {
        status: 404,
        headers: &h,
        body: br#"{"message":"Failed to retrieve resource because it doesn't exist."}"#,
    });
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // Malformed chunk bytes in a 200 stream are a 422.
    let prepared = prepare(json!({"model": "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        "messages": [{"role": "user", "content": "hi"}]}))
    .unwrap();
    let h = http::HeaderMap::new();
    let bad = event(&json!({"event": "chunk", "payload": {"bytes": "***"}}));
    let err = config
        .transform_events(
            &ctx(prepared.state.clone()),
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: &[],
            },
            &[bad],
        )
        .unwrap_err();
    assert_eq!(err.status(), 422);
    // The whole-body path is not how agents answer: a clear internal error, never a guess.
    let err = config
        .transform_response(
            &ctx(prepared.state),
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: b"{}",
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
}

//! Message-list InvokeModel families (OpenAI-compatible, Qwen, Moonshot, TwelveLabs Pegasus,
//! Nova): golden cases with LiteLLM parity, the family × parameter grid, and the typed errors.
#![allow(clippy::unwrap_used)]

mod common;

use bedrock_testkit::golden::read_json;
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::route::ModelRoute;
use bedrock_transform::{PreparedRequest, Registry};
use bedrock_types::{ChatCompletionRequest, ErrorKind, StreamEvent};
use serde_json::{Value, json};

#[test]
fn golden_cases() {
    common::run_cases(common::case_dirs("invoke_chat_style"));
}

fn request(v: Value) -> ChatCompletionRequest {
    serde_json::from_value(v).unwrap()
}

fn prepare(req: &ChatCompletionRequest) -> bedrock_types::Result<PreparedRequest> {
    let registry = Registry::default();
    let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref())?;
    let config = registry.config_for(&route)?;
    let mapped = config.map_params(&route, req)?;
    config.transform_request(&route, req, mapped)
}

fn body_of(p: &PreparedRequest) -> Value {
    serde_json::from_slice(&p.http.body).unwrap()
}

/// Nova's body is LiteLLM's (no `schemaVersion`, as LiteLLM sends none).
#[test]
fn nova_bodies_match_litellm_captures() {
    let mut seen = 0;
    for dir in common::case_dirs("invoke_chat_style") {
        let capture = dir.join("litellm_capture.json");
        if !capture.exists() {
            continue;
        }
        seen += 1;
        let req: ChatCompletionRequest = read_json(dir.join("request.json"));
        let body = body_of(&prepare(&req).unwrap());
        let expected: Value = read_json(&capture);
        assert_eq!(
            body,
            expected,
            "{}: body differs from LiteLLM's",
            dir.display()
        );
    }
    assert!(seen >= 2);
}

/// One model per family and the parameter each family must refuse.
const FAMILIES: &[(&str, &str)] = &[
    (
        "bedrock/openai/arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z",
        "thinking",
    ),
    ("bedrock/invoke/openai.gpt-oss-120b-1:0", "verbosity"),
    (
        "bedrock/qwen3/arn:aws:bedrock:us-east-1:086734376398:imported-model/q3",
        "max_completion_tokens",
    ),
    (
        "bedrock/qwen2/arn:aws:bedrock:us-east-1:086734376398:imported-model/q2",
        "seed",
    ),
    ("bedrock/invoke/moonshot.kimi-k2-thinking", "stop"),
    ("bedrock/us.twelvelabs.pegasus-1-2-v1:0", "top_p"),
    ("bedrock/invoke/amazon.nova-lite-v1:0", "seed"),
];

/// Every OpenAI parameter with a value that deserialises.
fn grid_params() -> Vec<(&'static str, Value)> {
    vec![
        ("max_tokens", json!(10)),
        ("max_completion_tokens", json!(10)),
        ("temperature", json!(0.5)),
        ("top_p", json!(0.5)),
        ("n", json!(2)),
        ("stop", json!(["END"])),
        (
            "tools",
            json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]),
        ),
        ("tool_choice", json!("auto")),
        ("parallel_tool_calls", json!(true)),
        (
            "response_format",
            json!({"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}}),
        ),
        ("reasoning_effort", json!("low")),
        (
            "thinking",
            json!({"type": "enabled", "budget_tokens": 1024}),
        ),
        ("service_tier", json!("auto")),
        ("seed", json!(1)),
        ("frequency_penalty", json!(0.1)),
        ("presence_penalty", json!(0.1)),
        ("logit_bias", json!({"50256": -100})),
        ("logprobs", json!(true)),
        ("top_logprobs", json!(2)),
        ("web_search_options", json!({})),
        (
            "functions",
            json!([{"name": "f", "parameters": {"type": "object", "properties": {}}}]),
        ),
        ("function_call", json!("auto")),
        ("modalities", json!(["text"])),
        ("audio", json!({"voice": "alloy", "format": "wav"})),
        ("verbosity", json!("low")),
    ]
}

fn base(model: &str) -> Value {
    let mut v = json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});
    if model.contains("pegasus") {
        v["mediaSource"] =
            json!({"s3Location": {"uri": "s3://b/v.mp4", "bucketOwner": "123456789012"}});
    }
    v
}

#[test]
fn family_parameter_grid() {
    let registry = Registry::default();
    for (model, must_refuse) in FAMILIES {
        let route = ModelRoute::parse(model).unwrap();
        let config = registry.config_for(&route).unwrap();
        let supported = config.supported_openai_params(&route);
        assert!(
            !supported.contains(must_refuse),
            "{model}: `{must_refuse}` should be unsupported"
        );
        let mut refused = 0;
        for (param, value) in grid_params() {
            let mut v = base(model);
            v[param] = value;
            let req = request(v.clone());
            if supported.contains(&param) {
                // Supported: it maps and builds (values are valid for every family that takes them).
                prepare(&req).unwrap_or_else(|e| panic!("{model} {param}: {e}"));
                continue;
            }
            refused += 1;
            let err = config.map_params(&route, &req).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedParams, "{model} {param}");
            assert_eq!(err.param(), Some(param), "{model} {param}");
            assert!(
                err.message().contains(&format!("'{param}'")),
                "{model}: {err}"
            );

            v["drop_params"] = json!(true);
            let req = request(v);
            let mapped = config.map_params(&route, &req).unwrap();
            assert_eq!(mapped.dropped, vec![param.to_owned()], "{model}");
            let prepared = config.transform_request(&route, &req, mapped).unwrap();
            let text = String::from_utf8(prepared.http.body.to_vec()).unwrap();
            assert!(
                !text.contains(&format!("\"{param}\"")),
                "{model}: dropped `{param}` is in the body: {text}"
            );
        }
        assert!(refused > 0, "{model}");
    }
}

#[test]
fn stream_and_stream_options_are_never_refused() {
    let registry = Registry::default();
    for (model, _) in FAMILIES {
        let route = ModelRoute::parse(model).unwrap();
        let config = registry.config_for(&route).unwrap();
        let mut v = base(model);
        v["stream"] = json!(true);
        v["stream_options"] = json!({"include_usage": true});
        let req = request(v);
        let p = prepare(&req).unwrap();
        assert!(
            p.http.path.ends_with("/invoke-with-response-stream"),
            "{model}"
        );
        assert!(p.state.include_usage);
        let body = String::from_utf8(p.http.body.to_vec()).unwrap();
        assert!(!body.contains("\"stream"), "{model}: {body}");
        assert!(config.supported_openai_params(&route).contains(&"stream"));
    }
}

fn response_with_headers(
    model: &str,
    extra: Value,
    body: Value,
    headers: &[(&str, &str)],
) -> bedrock_types::Result<bedrock_types::ChatCompletion> {
    let mut v = base(model);
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    let req = request(v);
    let registry = Registry::default();
    let route = ModelRoute::parse(model).unwrap();
    let config = registry.config_for(&route).unwrap();
    let prepared = prepare(&req).unwrap();
    let mut map = http::HeaderMap::new();
    for (k, val) in headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            val.parse().unwrap(),
        );
    }
    let raw = serde_json::to_vec(&body).unwrap();
    config.transform_response(
        &common::ctx(prepared.state),
        HttpResponseParts {
            status: 200,
            headers: &map,
            body: &raw,
        },
    )
}

#[test]
fn usage_from_token_count_headers() {
    let headers = [
        ("x-amzn-bedrock-input-token-count", "1500"),
        ("x-amzn-bedrock-output-token-count", "12"),
    ];
    // Pegasus: usage only ever comes from the headers (LiteLLM's rule).
    let r = response_with_headers(
        "bedrock/us.twelvelabs.pegasus-1-2-v1:0",
        json!({}),
        json!({"message": "A dog runs.", "finishReason": "stop"}),
        &headers,
    )
    .unwrap();
    let u = r.usage.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.total_tokens),
        (1500, 12, 1512)
    );
    // Qwen with no usage in the body falls back to the headers.
    let r = response_with_headers(
        "bedrock/qwen3/arn:aws:bedrock:us-east-1:1:imported-model/q",
        json!({}),
        json!({"generation": "hi"}),
        &headers,
    )
    .unwrap();
    assert_eq!(r.usage.unwrap().total_tokens, 1512);
    // OpenAI-compatible with no usage in the body too; the body's usage wins when present.
    let model = "bedrock/openai/arn:aws:bedrock:us-east-1:1:imported-model/o";
    let reply = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": "stop"}]});
    let r = response_with_headers(model, json!({}), reply.clone(), &headers).unwrap();
    assert_eq!(r.usage.unwrap().prompt_tokens, 1500);
    let mut with_usage = reply;
    with_usage["usage"] = json!({"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4});
    let r = response_with_headers(model, json!({}), with_usage, &headers).unwrap();
    assert_eq!(r.usage.unwrap().prompt_tokens, 3);
}

#[test]
fn unreadable_replies_are_422() {
    let cases = [
        (
            "bedrock/us.twelvelabs.pegasus-1-2-v1:0",
            json!({"finishReason": "stop"}),
        ),
        (
            "bedrock/qwen2/arn:aws:bedrock:us-east-1:1:imported-model/q",
            json!({"outputs": []}),
        ),
        (
            "bedrock/invoke/moonshot.kimi-k2-thinking",
            json!({"id": "x"}),
        ),
        (
            "bedrock/invoke/amazon.nova-lite-v1:0",
            json!({"stopReason": "end_turn"}),
        ),
    ];
    for (model, body) in cases {
        let err = response_with_headers(model, json!({}), body, &[]).unwrap_err();
        assert_eq!(err.status(), 422, "{model}: {err}");
    }
}

fn err_of(v: Value) -> bedrock_types::Error {
    prepare(&request(v)).unwrap_err()
}

#[test]
fn bad_input_is_a_typed_error_naming_the_field() {
    let peg = "bedrock/us.twelvelabs.pegasus-1-2-v1:0";
    let e = err_of(json!({"model": peg, "messages": [{"role": "user", "content": "hi"}]}));
    assert_eq!(
        (e.kind(), e.param()),
        (ErrorKind::BadRequest, Some("mediaSource"))
    );
    let e = err_of(
        json!({"model": peg, "messages": [{"role": "user", "content": "hi"}], "mediaSource": {"s3Location": {"uri": "https://x/v.mp4"}}}),
    );
    assert_eq!(e.param(), Some("mediaSource.s3Location.uri"));
    let e = err_of(
        json!({"model": peg, "messages": [{"role": "user", "content": "hi"}], "mediaSource": {"url": "x"}}),
    );
    assert_eq!(e.param(), Some("mediaSource"));
    let e = err_of(
        json!({"model": peg, "messages": [{"role": "user", "content": "hi"}], "mediaSource": {"base64String": "AAAA"}, "response_format": {"type": "json_object"}}),
    );
    assert_eq!(e.param(), Some("response_format"));

    let q3 = "bedrock/qwen3/arn:aws:bedrock:us-east-1:1:imported-model/q";
    let e = err_of(
        json!({"model": q3, "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "file", "file": {"file_id": "s3://b/doc.pdf"}}]}]}),
    );
    assert_eq!(e.param(), Some("messages[0].content[1]"));
    let e = err_of(
        json!({"model": q3, "messages": [{"role": "assistant", "content": null, "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{not json"}}]}]}),
    );
    assert_eq!(
        e.param(),
        Some("messages[0].tool_calls[0].function.arguments")
    );
    let e = err_of(json!({"model": q3, "messages": []}));
    assert_eq!(e.param(), Some("messages"));

    let oai = "bedrock/openai/arn:aws:bedrock:us-east-1:1:imported-model/o";
    let e = err_of(json!({"model": oai, "messages": [{"role": "tool", "content": "18C"}]}));
    assert_eq!(e.param(), Some("messages[0].tool_call_id"));

    let nova = "bedrock/invoke/amazon.nova-lite-v1:0";
    let e = err_of(
        json!({"model": nova, "messages": [{"role": "user", "content": "hi"}], "promptVariables": {"x": {"text": "y"}}}),
    );
    assert_eq!(e.param(), Some("promptVariables"));
    let e = err_of(
        json!({"model": nova, "messages": [{"role": "user", "content": "hi"}], "someModelField": 1}),
    );
    assert_eq!(e.param(), Some("someModelField"));
}

#[test]
fn pegasus_media_source_aliases() {
    let peg = "bedrock/us.twelvelabs.pegasus-1-2-v1:0";
    let msgs = json!([{"role": "user", "content": "hi"}]);
    let cases = [
        (
            json!({"video_base64": "data:video/mp4;base64,AAAA"}),
            json!({"base64String": "AAAA"}),
        ),
        (
            json!({"video_s3_uri": "s3://b/v.mp4", "video_s3_bucket_owner": "123456789012"}),
            json!({"s3Location": {"uri": "s3://b/v.mp4", "bucketOwner": "123456789012"}}),
        ),
        (
            json!({"media_source": {"base64String": "BBBB"}}),
            json!({"base64String": "BBBB"}),
        ),
    ];
    for (params, expected) in cases {
        let mut v = json!({"model": peg, "messages": msgs});
        for (k, val) in params.as_object().unwrap() {
            v[k] = val.clone();
        }
        let body = body_of(&prepare(&request(v)).unwrap());
        assert_eq!(body["mediaSource"], expected);
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["inputPrompt", "mediaSource"], "aliases are consumed");
    }
}

#[test]
fn invoke_headers_replace_body_blocks() {
    let req = request(json!({
        "model": "bedrock/openai/arn:aws:bedrock:us-east-1:1:imported-model/o",
        "messages": [{"role": "user", "content": "hi"}],
        "guardrailConfig": {"guardrailIdentifier": "gr-1", "guardrailVersion": "DRAFT"},
        "performanceConfig": {"latency": "optimized"},
    }));
    let p = prepare(&req).unwrap();
    assert_eq!(
        p.http.header("x-amzn-bedrock-guardrailidentifier"),
        Some("gr-1")
    );
    assert_eq!(
        p.http.header("x-amzn-bedrock-guardrailversion"),
        Some("DRAFT")
    );
    assert_eq!(
        p.http.header("x-amzn-bedrock-performanceconfig-latency"),
        Some("optimized")
    );
    let body = body_of(&p);
    assert!(body.get("guardrailConfig").is_none() && body.get("performanceConfig").is_none());
}

#[test]
fn malformed_stream_chunk_is_an_error() {
    let registry = Registry::default();
    for (model, _) in FAMILIES {
        let route = ModelRoute::parse(model).unwrap();
        let config = registry.config_for(&route).unwrap();
        let req = request(base(model));
        let prepared = prepare(&req).unwrap();
        let mut d = config.stream_decoder(common::ctx(prepared.state));
        let mut out = Vec::new();
        let bad = StreamEvent::new("chunk", br#"{"bytes": "!!not base64!!"}"#.to_vec());
        let e = d.on_event(&bad, &mut out).unwrap_err();
        assert_eq!(e.status(), 422, "{model}");
        // Other event types are ignored; an empty stream still finishes.
        d.on_event(&StreamEvent::new("trace", b"{}".to_vec()), &mut out)
            .unwrap();
        d.on_end(&mut out).unwrap();
        assert_eq!(
            out.last()
                .and_then(|c| c.choices.first())
                .and_then(|c| c.finish_reason),
            Some(bedrock_types::FinishReason::Stop),
            "{model}"
        );
    }
}

#[test]
fn nova_2_reasoning_effort_goes_into_inference_config() {
    let req = request(json!({
        "model": "bedrock/invoke/us.amazon.nova-2-lite-v1:0",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning_effort": "medium",
        "top_k": 10,
        "max_tokens": 100,
    }));
    let body = body_of(&prepare(&req).unwrap());
    assert_eq!(
        body["inferenceConfig"],
        json!({"maxTokens": 100, "topK": 10, "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "medium"}})
    );
    assert!(body.get("additionalModelRequestFields").is_none());
}

/// A reply's tool calls passed back in the history carry `index`; like LiteLLM
/// (`remove_index_from_tool_calls`), the OpenAI-compatible body leaves it out.
#[test]
fn tool_call_index_is_not_sent_back() {
    let req = request(json!({
        "model": "bedrock/invoke/openai.gpt-oss-120b-1:0",
        "messages": [
            {"role": "user", "content": "w"},
            {"role": "assistant", "content": "", "tool_calls": [{"index": 1, "id": "t1", "type": "function", "function": {"name": "g", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": "ok"}
        ],
        "tools": [{"type": "function", "function": {"name": "g", "parameters": {"type": "object", "properties": {}}}}]
    }));
    let body = body_of(&prepare(&req).unwrap());
    let call = &body["messages"][1]["tool_calls"][0];
    assert_eq!(call["id"], "t1");
    assert!(call.get("index").is_none(), "{call}");
}

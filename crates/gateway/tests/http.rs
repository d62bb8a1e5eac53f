#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The gateway over raw HTTP against the mock Bedrock: every route, auth, errors, the body
//! limit, SSE framing and timing, metrics, parameter precedence and graceful shutdown.

mod common;

use std::time::Duration;

use bedrock_gateway::Options;
use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::{Operation, Reply, RouteMatch, SigV4Verifier};
use common::{post, post_frames, request, sse_events, start, start_with};
use serde_json::{Value, json};

const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

const CONFIG: &str = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
      temperature: 0.2
      max_tokens: 100
      top_k: 7
  - model_name: titan-embed
    litellm_params:
      model: bedrock/amazon.titan-embed-text-v2:0
  - model_name: nova-canvas
    litellm_params:
      model: bedrock/amazon.nova-canvas-v1:0
  - model_name: cohere-rerank
    litellm_params:
      model: bedrock/cohere.rerank-v3-5:0
"#;

fn chat_body(model: &str, text: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": text}]})
}

#[tokio::test]
async fn chat_completion_restamps_the_model_and_reports_cost() {
    let h = start(CONFIG).await;
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("claude", "what llm are you"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "claude");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "Hello from the mock Bedrock. You said: what llm are you"
    );
    assert!(v["usage"]["total_tokens"].as_u64().unwrap() > 0);
    // Python's `str(response_cost)`: a cost below 1e-4 is written in scientific notation.
    let cost_header = r.header("x-litellm-response-cost").unwrap();
    let cost: f64 = cost_header.parse().unwrap();
    assert!(cost > 0.0);
    assert_eq!(cost_header, bedrock_transform::pyjson::float_repr(cost));
    if cost < 1e-4 {
        assert!(cost_header.contains("e-0"), "{cost_header}");
    }
    assert!(
        r.header("x-amzn-requestid")
            .unwrap()
            .starts_with("mock-request-")
    );
    // The same without /v1.
    let r = post(h.addr(), "/chat/completions", &chat_body("claude", "hi")).await;
    assert_eq!(r.status, 200);
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.operation(), Some(Operation::Converse));
    assert_eq!(sent.model_id(), Some(HAIKU));
}

#[tokio::test]
async fn request_params_win_over_config_defaults_and_provider_params_pass_through() {
    let h = start(CONFIG).await;
    let body = json!({
        "model": "claude",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.9,
        "requestMetadata": {"cost_center": "engineering", "user_id": "user123"},
        "performanceConfig": {"latency": "optimized"},
        "serviceTier": {"type": "priority"},
        "guardrailConfig": {"guardrailIdentifier": "ff6ujrregl1q", "guardrailVersion": "DRAFT", "trace": "disabled"},
        "extra_headers": {"x-test-header": "hello"},
        "fallbacks": ["other-model"],
        "metadata": {"trace": "t1"}
    });
    let r = post(h.addr(), "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sent = h.mock.last_request().unwrap();
    let b = sent.json().unwrap();
    // Request wins (0.9), config fills the rest (max_tokens 100, top_k 7).
    assert_eq!(b["inferenceConfig"]["temperature"], json!(0.9));
    assert_eq!(b["inferenceConfig"]["maxTokens"], json!(100));
    assert_eq!(b["additionalModelRequestFields"]["top_k"], json!(7));
    assert_eq!(b["requestMetadata"]["cost_center"], "engineering");
    assert_eq!(b["performanceConfig"]["latency"], "optimized");
    assert_eq!(b["serviceTier"]["type"], "priority");
    assert_eq!(b["guardrailConfig"]["guardrailIdentifier"], "ff6ujrregl1q");
    assert_eq!(sent.header("x-test-header"), Some("hello"));
    // Proxy-only keys never reach Bedrock.
    let text = String::from_utf8_lossy(&sent.body);
    assert!(
        !text.contains("fallbacks") && !text.contains("other-model"),
        "{text}"
    );
}

#[tokio::test]
async fn credentials_and_endpoint_come_from_the_config() {
    // The env points nowhere useful; the config's endpoint and keys must be the ones used.
    let mock = bedrock_testkit::MockBedrock::start().await.unwrap();
    mock.canned_answers();
    mock.require_sigv4(SigV4Verifier::new("AKIDFROMCONFIG", "config-secret"));
    let yaml = format!(
        r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/{HAIKU}
      aws_access_key_id: os.environ/CFG_KEY
      aws_secret_access_key: os.environ/CFG_SECRET
      aws_region_name: us-east-1
      aws_bedrock_runtime_endpoint: {}
  - model_name: claude-key
    litellm_params:
      model: bedrock/{HAIKU}
      api_key: os.environ/CFG_BEARER
      aws_bedrock_runtime_endpoint: {}
"#,
        mock.url(),
        mock.url()
    );
    let h = start_with(
        &yaml,
        &[
            ("CFG_KEY", "AKIDFROMCONFIG"),
            ("CFG_SECRET", "config-secret"),
            ("CFG_BEARER", "bedrock-api-key-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
        Options::default(),
    )
    .await;
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("claude", "signed"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sent = mock.last_request().unwrap();
    assert!(
        sent.header("authorization")
            .unwrap()
            .contains("Credential=AKIDFROMCONFIG/")
    );
    mock.require_bearer("bedrock-api-key-1");
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("claude-key", "bearer"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        mock.last_request().unwrap().header("authorization"),
        Some("Bearer bedrock-api-key-1")
    );
    assert_eq!(
        h.mock.request_count(),
        0,
        "nothing went to the env endpoint's mock"
    );
}

#[tokio::test]
async fn model_id_from_config_goes_into_the_url_encoded_once() {
    let arn =
        "arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0";
    let yaml = format!(
        "model_list:\n  - model_name: profile\n    litellm_params:\n      model: bedrock/{HAIKU}\n      model_id: {arn}\n"
    );
    let h = start(&yaml).await;
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("profile", "hi"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.model_id(), Some(arn));
    assert!(
        sent.raw_path.contains("arn%3Aaws%3Abedrock%3Aeu-central-1"),
        "{}",
        sent.raw_path
    );
}

#[tokio::test]
async fn streaming_is_sse_chunk_by_chunk_and_ends_with_done() {
    let h = start(CONFIG).await;
    // Spread the mock's frames out in time: the gateway must forward each as it arrives.
    let frames: Vec<Frame> = std::iter::once(Frame::event("messageStart", &json!({"role": "assistant"})))
        .chain((0..5).map(|i| {
            Frame::event(
                "contentBlockDelta",
                &json!({"contentBlockIndex": 0, "delta": {"text": format!("w{i} ")}}),
            )
        }))
        .chain([
            Frame::event("contentBlockStop", &json!({"contentBlockIndex": 0})),
            Frame::event("messageStop", &json!({"stopReason": "end_turn"})),
            Frame::event(
                "metadata",
                &json!({"usage": {"inputTokens": 3, "outputTokens": 5, "totalTokens": 8}, "metrics": {"latencyMs": 1}}),
            ),
        ])
        .collect();
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, HAIKU),
        Reply::stream(frames).with_piece_delay(Duration::from_millis(60)),
    );
    let mut body = chat_body("claude", "stream please");
    body["stream"] = json!(true);
    let (status, headers, frames) = post_frames(h.addr(), "/v1/chat/completions", &[], &body).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let first_text = frames
        .iter()
        .position(|(_, b)| String::from_utf8_lossy(b).contains("w0 "))
        .unwrap();
    let (t_first, _) = frames[first_text];
    let (t_last, _) = *frames.last().unwrap();
    assert!(
        t_last - t_first >= Duration::from_millis(200),
        "chunks must arrive as Bedrock sends them, not all at the end ({t_first:?} .. {t_last:?})"
    );
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let events = sse_events(&text);
    assert_eq!(events.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    let content: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(content, "w0 w1 w2 w3 w4 ");
    assert!(
        chunks
            .iter()
            .all(|c| c["model"] == "claude" && c["object"] == "chat.completion.chunk")
    );
    // Usage was not asked for, so none is sent (the gateway still counts it).
    assert!(
        chunks.iter().all(|c| c.get("usage").is_none()),
        "{chunks:?}"
    );
    let metrics = request(h.addr(), "GET", "/metrics", &[], "").await.text();
    assert!(
        metrics.contains("bedrock_gateway_tokens_total{model=\"claude\",type=\"completion\"} 5"),
        "{metrics}"
    );

    // With include_usage the last chunk carries it.
    body["stream_options"] = json!({"include_usage": true});
    let (_, _, frames) = post_frames(h.addr(), "/v1/chat/completions", &[], &body).await;
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let events = sse_events(&text);
    let usage_chunk: Value = serde_json::from_str(&events[events.len() - 2]).unwrap();
    assert_eq!(usage_chunk["usage"]["completion_tokens"], 5);
    // include_usage never reaches Bedrock.
    assert!(
        !String::from_utf8_lossy(&h.mock.last_request().unwrap().body).contains("include_usage")
    );
}

#[tokio::test]
async fn a_mid_stream_error_is_the_last_event_without_done() {
    let h = start(CONFIG).await;
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, HAIKU),
        common::failing_stream_reply(),
    );
    let mut body = chat_body("claude", "break");
    body["stream"] = json!(true);
    let (status, _, frames) = post_frames(h.addr(), "/v1/chat/completions", &[], &body).await;
    assert_eq!(status, 200);
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let events = sse_events(&text);
    assert!(!events.contains(&"[DONE]".to_owned()), "{events:?}");
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    let err = &last["error"];
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("the model stream broke"),
        "{last}"
    );
    assert_eq!(err["code"], "424");
    assert!(events.iter().any(|e| e.contains("partial ")));
}

#[tokio::test]
async fn errors_before_the_stream_are_json_with_bedrock_status() {
    let h = start(CONFIG).await;
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, HAIKU),
        Reply::throttled(),
    );
    h.mock.on(
        RouteMatch::model(Operation::Converse, HAIKU),
        Reply::error(400, "ValidationException", "messages: text field is blank"),
    );
    let mut body = chat_body("claude", "x");
    body["stream"] = json!(true);
    let r = post(h.addr(), "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 429, "{}", r.text());
    let v = r.json();
    // LiteLLM's RateLimitError carries `throttling_error` (checked against litellm 1.103.7).
    assert_eq!(v["error"]["type"], "throttling_error");
    assert_eq!(v["error"]["code"], "429");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("litellm.RateLimitError")
    );
    let r = post(h.addr(), "/v1/chat/completions", &chat_body("claude", "x")).await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text field is blank")
    );
    for key in ["message", "type", "param", "code"] {
        assert!(v["error"].get(key).is_some(), "error.{key} present: {v}");
    }
}

#[tokio::test]
async fn gateway_errors_are_openai_shaped() {
    let h = start(CONFIG).await;
    let a = h.addr();
    // Malformed JSON: 400 naming the problem and its place.
    let r = request(
        a,
        "POST",
        "/v1/chat/completions",
        &[("content-type", "application/json")],
        "{\"model\": \"claude\",}",
    )
    .await;
    assert_eq!(r.status, 400);
    let m = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        m.starts_with("Invalid JSON payload:") && m.contains("line 1 column"),
        "{m}"
    );
    // Not an object.
    let r = request(a, "POST", "/v1/chat/completions", &[], "[1]").await;
    assert_eq!(r.status, 400);
    // Unknown model: 400 in LiteLLM's proxy's bytes (recorded from litellm 1.103.7).
    let r = post(a, "/v1/chat/completions", &chat_body("gpt-4o", "x")).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.text(),
        r#"{"error":{"message":"/chat/completions: Invalid model name passed in model=gpt-4o. Call `/v1/models` to view available models for your key.","type":"invalid_request_error","param":null,"code":"400","provider_specific_fields":{"error":"/chat/completions: Invalid model name passed in model=gpt-4o. Call `/v1/models` to view available models for your key."}}}"#
    );
    // Missing model: LiteLLM looks it up as `None`.
    let r = post(a, "/v1/chat/completions", &json!({"messages": []})).await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("/chat/completions: Invalid model name passed in model=None."),
        "{}",
        r.text()
    );
    // Required parameters come first, as in LiteLLM's proxy; an empty body is `{}`.
    for (path, body, expected) in [
        (
            "/v1/chat/completions",
            "",
            r#"{"error":{"message":"/chat/completions: Missing required parameter: 'messages'.","type":"invalid_request_error","param":"messages","code":"400"}}"#,
        ),
        (
            "/v1/chat/completions",
            r#"{"model": "claude", "messages": null}"#,
            r#"{"error":{"message":"/chat/completions: Missing required parameter: 'messages'.","type":"invalid_request_error","param":"messages","code":"400"}}"#,
        ),
        (
            "/v1/embeddings",
            r#"{"model": "titan-embed"}"#,
            r#"{"error":{"message":"/embeddings: Missing required parameter: 'input'.","type":"invalid_request_error","param":"input","code":"400"}}"#,
        ),
    ] {
        let r = request(a, "POST", path, &[], body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.text(), expected, "{body}");
    }
    // A field of the wrong shape names its path.
    let r = post(
        a,
        "/v1/chat/completions",
        &json!({"model": "claude", "messages": [{"role": "robot", "content": "x"}]}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "messages[0].role");
    // A typed field of the wrong type too (the body is read again, tracked, to name it).
    let mut body = chat_body("claude", "x");
    body["temperature"] = json!("hot");
    let r = post(a, "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "temperature");
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("Invalid request body: `temperature`: invalid type: string \"hot\""),
        "{message}"
    );
    // Endpoint and identity selectors in the body are refused.
    for banned in [
        "api_base",
        "aws_bedrock_runtime_endpoint",
        "aws_role_name",
        "aws_profile_name",
    ] {
        let mut body = chat_body("claude", "x");
        body[banned] = json!("http://attacker.example");
        let r = post(a, "/v1/chat/completions", &body).await;
        assert_eq!(r.status, 400, "{banned}");
        assert_eq!(r.json()["error"]["param"], banned);
    }
    // Unknown route and wrong method.
    let r = request(a, "GET", "/v1/nothing-here", &[], "").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["error"]["message"].is_string());
    let r = request(a, "GET", "/v1/chat/completions", &[], "").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(h.mock.request_count(), 0, "no error above reached Bedrock");
}

#[tokio::test]
async fn client_side_credentials_need_the_admin_opt_in() {
    let yaml = format!(
        "model_list:\n  - model_name: claude\n    litellm_params:\n      model: bedrock/{HAIKU}\n      configurable_clientside_auth_params: [\"api_base\"]\n"
    );
    let h = start(&yaml).await;
    let other = bedrock_testkit::MockBedrock::start().await.unwrap();
    other.canned_answers();
    let mut body = chat_body("claude", "x");
    body["api_base"] = json!(other.url());
    let r = post(h.addr(), "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(other.request_count(), 1);
    let yaml = format!(
        "model_list:\n  - model_name: claude\n    litellm_params:\n      model: bedrock/{HAIKU}\ngeneral_settings:\n  allow_client_side_credentials: true\n"
    );
    let h = start(&yaml).await;
    body["aws_bedrock_runtime_endpoint"] = json!(other.url());
    let r = post(h.addr(), "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn master_key_is_required_and_compared() {
    let yaml = format!("{CONFIG}general_settings:\n  master_key: sk-1234\n");
    let h = start(&yaml).await;
    let a = h.addr();
    let body = serde_json::to_vec(&chat_body("claude", "x")).unwrap();
    let r = request(a, "POST", "/v1/chat/completions", &[], body.clone()).await;
    assert_eq!(r.status, 401);
    let v = r.json();
    assert_eq!(v["error"]["type"], "auth_error");
    assert_eq!(v["error"]["code"], "401");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("No api key passed in")
    );
    let r = request(
        a,
        "POST",
        "/v1/chat/completions",
        &[("authorization", "Bearer sk-12345")],
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = request(
        a,
        "POST",
        "/v1/chat/completions",
        &[("authorization", "Bearer sk-1234")],
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = request(
        a,
        "POST",
        "/v1/chat/completions",
        &[("x-litellm-api-key", "sk-1234")],
        body,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(request(a, "GET", "/v1/models", &[], "").await.status, 401);
    assert_eq!(
        request(
            a,
            "GET",
            "/v1/models",
            &[("authorization", "Bearer sk-1234")],
            ""
        )
        .await
        .status,
        200
    );
    // Health and metrics stay open, as in LiteLLM.
    assert_eq!(
        request(a, "GET", "/health/liveliness", &[], "")
            .await
            .status,
        200
    );
    assert_eq!(
        request(a, "GET", "/health/readiness", &[], "").await.status,
        200
    );
    assert_eq!(request(a, "GET", "/metrics", &[], "").await.status, 200);
    assert_eq!(h.mock.request_count(), 2);
}

#[tokio::test]
async fn body_limit_refuses_large_bodies() {
    let yaml = format!("{CONFIG}general_settings:\n  max_request_size_mb: 0.001\n");
    let h = start(&yaml).await;
    let big = "x".repeat(4000);
    let r = post(h.addr(), "/v1/chat/completions", &chat_body("claude", &big)).await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max request size")
    );
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("claude", "small"),
    )
    .await;
    assert_eq!(r.status, 200);
    // A body without Content-Length is cut off at the limit too.
    let h = start_with(
        CONFIG,
        &[],
        Options {
            body_limit: Some(1000),
            ..Options::default()
        },
    )
    .await;
    let stream = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<
        _,
        http_body_util::StreamBody<_>,
    >(hyper_util::rt::TokioIo::new(stream))
    .await
    .unwrap();
    tokio::spawn(conn);
    let pieces: Vec<Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>> = (0..20)
        .map(|_| Ok(http_body::Frame::data(bytes::Bytes::from(vec![b' '; 100]))))
        .collect();
    let req = http::Request::post("/v1/chat/completions")
        .header("host", "x")
        .body(http_body_util::StreamBody::new(futures_util::stream::iter(
            pieces,
        )))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 413);
}

/// A `bedrock/*` group lists every known Bedrock model, with its mode and limits, as LiteLLM's
/// proxy expands a wildcard (cards checked against litellm 1.103.7's); a narrower prefix lists
/// only its own.
#[tokio::test]
async fn wildcard_groups_list_the_models_they_match() {
    let yaml = "model_list:\n  - model_name: \"bedrock/*\"\n    litellm_params:\n      model: \"bedrock/*\"\n  - model_name: \"bedrock/cohere.*\"\n    litellm_params:\n      model: \"bedrock/cohere.*\"\n  - model_name: claude\n    litellm_params:\n      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0\n";
    let h = start(yaml).await;
    let v = request(h.addr(), "GET", "/v1/models", &[], "").await.json();
    let data = v["data"].as_array().unwrap();
    let card = |id: &str| data.iter().find(|m| m["id"] == id).cloned();
    assert_eq!(
        card("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0").unwrap(),
        json!({"id": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "object": "model",
               "created": 1677610602, "owned_by": "openai", "mode": "chat",
               "max_input_tokens": 200000, "max_output_tokens": 4096})
    );
    assert_eq!(
        card("bedrock/amazon.titan-embed-text-v2:0").unwrap()["mode"],
        "embedding"
    );
    let all = data
        .iter()
        .filter(|m| m["id"].as_str().unwrap().starts_with("bedrock/"))
        .count();
    let cohere = data
        .iter()
        .filter(|m| m["id"].as_str().unwrap().starts_with("bedrock/cohere."))
        .count();
    assert!(all > 300, "{all}");
    // The cohere group lists its models a second time, and nothing else.
    assert!(cohere >= 2 * 4, "{cohere}");
    assert_eq!(data[0]["id"], "claude");
    assert!(card("bedrock/*").is_none());
}

#[tokio::test]
async fn models_health_and_root() {
    let h = start(CONFIG).await;
    let a = h.addr();
    let v = request(a, "GET", "/v1/models", &[], "").await.json();
    assert_eq!(v["object"], "list");
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["claude", "titan-embed", "nova-canvas", "cohere-rerank"]
    );
    // LiteLLM's proxy's cards (litellm 1.103.7): a fixed `created`; `owned_by` is `openai` in
    // the list and the provider for one model.
    assert_eq!(
        v["data"][0],
        json!({"id": "claude", "object": "model", "created": 1677610602, "owned_by": "openai"})
    );
    assert_eq!(request(a, "GET", "/models", &[], "").await.status, 200);
    let r = request(a, "GET", "/v1/models/claude", &[], "").await;
    assert_eq!(
        r.json(),
        json!({"id": "claude", "object": "model", "created": 1677610602, "owned_by": "bedrock"})
    );
    assert_eq!(
        request(a, "GET", "/v1/models/nope", &[], "").await.status,
        404
    );
    assert_eq!(
        request(a, "GET", "/health/liveliness", &[], "")
            .await
            .json(),
        json!("I'm alive!")
    );
    assert_eq!(
        request(a, "GET", "/health/readiness", &[], "").await.json()["status"],
        "healthy"
    );
    assert_eq!(
        request(a, "GET", "/", &[], "").await.json()["name"],
        "bedrock-gateway"
    );
}

#[tokio::test]
async fn text_completions_over_chat() {
    let h = start(CONFIG).await;
    let r = post(
        h.addr(),
        "/v1/completions",
        &json!({"model": "claude", "prompt": "say hi", "max_tokens": 20}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["object"], "text_completion");
    assert_eq!(v["model"], "claude");
    // LiteLLM's shape (litellm 1.103.7's proxy): the chat id, choice keys in its order, the
    // reply's whole usage.
    assert!(v["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(
        v["choices"][0]["text"],
        "Hello from the mock Bedrock. You said: say hi"
    );
    let choice = v["choices"][0].as_object().unwrap();
    assert_eq!(
        choice.keys().collect::<Vec<_>>(),
        ["finish_reason", "index", "text", "logprobs"]
    );
    assert!(v["usage"]["prompt_tokens_details"].is_object(), "{v}");
    // LiteLLM's usage details list its unset fields as null (litellm 1.103.7's proxy).
    assert_eq!(
        v["usage"]["completion_tokens_details"]["accepted_prediction_tokens"],
        Value::Null
    );
    assert!(
        v["usage"]["completion_tokens_details"]
            .as_object()
            .unwrap()
            .contains_key("audio_tokens"),
        "{v}"
    );
    // `echo`, `best_of` and `suffix` have no Bedrock equivalent and never reach Bedrock.
    let r = post(
        h.addr(),
        "/v1/completions",
        &json!({"model": "claude", "prompt": "x", "echo": true, "best_of": 1, "suffix": "s"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sent = String::from_utf8_lossy(&h.mock.last_request().unwrap().body).into_owned();
    assert!(
        !sent.contains("echo") && !sent.contains("best_of") && !sent.contains("suffix"),
        "{sent}"
    );
    let r = post(
        h.addr(),
        "/completions",
        &json!({"model": "claude", "prompt": ["one", "two"]}),
    )
    .await;
    let v = r.json();
    assert_eq!(
        v["choices"][1]["text"],
        "Hello from the mock Bedrock. You said: two"
    );
    assert_eq!(v["choices"][1]["index"], 1);
    let (_, _, frames) = post_frames(
        h.addr(),
        "/v1/completions",
        &[],
        &json!({"model": "claude", "prompt": "streamed", "stream": true}),
    )
    .await;
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let events = sse_events(&text);
    assert_eq!(events.last().unwrap(), "[DONE]");
    // LiteLLM's stream chunks: `text` only with content, `finish_reason` only when set, a
    // usage on every chunk.
    let last: Value = serde_json::from_str(&events[events.len() - 2]).unwrap();
    assert_eq!(
        last["choices"][0],
        json!({"finish_reason": "stop", "index": 0}),
        "{last}"
    );
    assert!(last["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert!(last["usage"]["total_tokens"].is_u64(), "{last}");
    let joined: String = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str::<Value>(e).unwrap())
        .inspect(|c| assert_eq!(c["object"], "text_completion"))
        .filter_map(|c| c["choices"][0]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(joined, "Hello from the mock Bedrock. You said: streamed");
    let r = post(h.addr(), "/v1/completions", &json!({"model": "claude"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "prompt");
}

#[tokio::test]
async fn embeddings() {
    let h = start(CONFIG).await;
    let r = post(
        h.addr(),
        "/v1/embeddings",
        &json!({"model": "titan-embed", "input": ["good morning from litellm"], "dimensions": 256}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["object"], "list");
    assert_eq!(v["model"], "titan-embed");
    assert_eq!(v["data"][0]["embedding"].as_array().unwrap().len(), 256);
    assert!(v["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    let r = post(
        h.addr(),
        "/embeddings",
        &json!({"model": "bedrock/cohere.embed-english-v3", "input": "x"}),
    )
    .await;
    assert_eq!(r.status, 400, "not listed and no passthrough with a config");
}

#[tokio::test]
async fn images_and_rerank() {
    let h = start(CONFIG).await;
    let r = post(
        h.addr(),
        "/v1/images/generations",
        &json!({"model": "nova-canvas", "prompt": "A cute baby sea otter", "n": 2, "size": "1024x1024"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["data"][0]["b64_json"],
        bedrock_testkit::mock::TINY_PNG_B64
    );
    assert!(v["created"].as_u64().unwrap() > 0);
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.model_id(), Some("amazon.nova-canvas-v1:0"));
    let b = sent.json().unwrap();
    assert_eq!(b["textToImageParams"]["text"], "A cute baby sea otter");
    assert_eq!(b["imageGenerationConfig"]["numberOfImages"], 2);

    for path in ["/v1/rerank", "/rerank", "/v2/rerank"] {
        let r = post(
            h.addr(),
            path,
            &json!({"model": "cohere-rerank", "query": "What is the capital of the United States?",
                    "documents": ["Carson City is the capital city of the American state of Nevada.",
                                  "Washington, D.C. is the capital of the United States."],
                    "top_n": 2}),
        )
        .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v = r.json();
        assert!(v["id"].is_string());
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert!(
            results[0]["relevance_score"].as_f64().unwrap()
                >= results[1]["relevance_score"].as_f64().unwrap()
        );
    }
    // The Rerank API or InvokeModel, as the client routes the model; the query gets there.
    let sent = h.mock.last_request().unwrap();
    assert!(
        String::from_utf8_lossy(&sent.body).contains("What is the capital of the United States?")
    );
    let metrics = request(h.addr(), "GET", "/metrics", &[], "").await.text();
    assert!(
        metrics
            .contains("model=\"nova-canvas\",route=\"/v1/images/generations\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("model=\"cohere-rerank\",route=\"/v1/rerank\",status=\"200\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn metrics_count_requests_latency_tokens_and_cost() {
    let h = start(CONFIG).await;
    post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("claude", "one two three"),
    )
    .await;
    post(h.addr(), "/v1/chat/completions", &chat_body("gpt-4o", "x")).await;
    post(
        h.addr(),
        "/v1/embeddings",
        &json!({"model": "titan-embed", "input": "a b"}),
    )
    .await;
    let r = request(h.addr(), "GET", "/metrics", &[], "").await;
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let m = r.text();
    for line in [
        "bedrock_gateway_requests_total{model=\"claude\",route=\"/v1/chat/completions\",status=\"200\"} 1",
        "bedrock_gateway_requests_total{model=\"unknown\",route=\"/v1/chat/completions\",status=\"400\"} 1",
        "bedrock_gateway_requests_total{model=\"titan-embed\",route=\"/v1/embeddings\",status=\"200\"} 1",
        "bedrock_gateway_request_duration_seconds_count{model=\"claude\",route=\"/v1/chat/completions\"} 1",
        "bedrock_gateway_request_duration_seconds_bucket{model=\"claude\",route=\"/v1/chat/completions\",le=\"+Inf\"} 1",
        "bedrock_gateway_tokens_total{model=\"claude\",type=\"prompt\"} 3",
        "bedrock_gateway_in_flight_requests 0",
    ] {
        assert!(m.contains(line), "missing `{line}` in\n{m}");
    }
    assert!(
        m.contains("bedrock_gateway_cost_usd_total{model=\"claude\"} 0.0"),
        "{m}"
    );
    // Every sample line is `name{labels} value` or `name value`.
    for l in m.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = l.rsplit_once(' ').unwrap();
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad sample: {l}"));
    }
}

#[tokio::test]
async fn graceful_shutdown_lets_a_running_stream_finish() {
    let h = start(CONFIG).await;
    let frames = common::counting_stream(6);
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, HAIKU),
        Reply::stream(frames).with_piece_delay(Duration::from_millis(50)),
    );
    let addr = h.addr();
    let mut body = chat_body("claude", "x");
    body["stream"] = json!(true);
    let client =
        tokio::spawn(async move { post_frames(addr, "/v1/chat/completions", &[], &body).await });
    tokio::time::sleep(Duration::from_millis(120)).await;
    let common::Harness { mock, gateway } = h;
    let shutdown = tokio::spawn(gateway.shutdown());
    tokio::time::sleep(Duration::from_millis(30)).await;
    // New connections are refused while the stream goes on.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let (status, _, frames) = client.await.unwrap();
    assert_eq!(status, 200);
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    assert!(text.contains("\"5 \""));
    tokio::time::timeout(Duration::from_secs(5), shutdown)
        .await
        .unwrap()
        .unwrap();
    drop(mock);
}

#[tokio::test]
async fn no_config_serves_bedrock_model_names_directly() {
    let h = start("").await;
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body(&format!("bedrock/{HAIKU}"), "direct"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["model"], format!("bedrock/{HAIKU}"));
    let r = post(h.addr(), "/v1/chat/completions", &chat_body("claude", "x")).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn same_model_name_is_round_robin_and_wildcards_route() {
    let yaml = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
  - model_name: claude
    litellm_params:
      model: bedrock/converse/us.amazon.nova-pro-v1:0
  - model_name: "bedrock/*"
    litellm_params:
      model: "bedrock/*"
"#;
    let h = start(yaml).await;
    for _ in 0..2 {
        assert_eq!(
            post(h.addr(), "/v1/chat/completions", &chat_body("claude", "x"))
                .await
                .status,
            200
        );
    }
    let ids: Vec<String> = h
        .mock
        .requests()
        .iter()
        .map(|r| r.model_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [HAIKU, "us.amazon.nova-pro-v1:0"]);
    let r = post(
        h.addr(),
        "/v1/chat/completions",
        &chat_body("bedrock/meta.llama3-1-8b-instruct-v1:0", "x"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        h.mock.last_request().unwrap().model_id(),
        Some("meta.llama3-1-8b-instruct-v1:0")
    );
}

#[tokio::test]
async fn tools_round_trip() {
    let h = start(CONFIG).await;
    common::serve_tools(&h.mock, HAIKU);
    let body = json!({
        "model": "claude",
        "messages": [{"role": "user", "content": "What's the weather like in Boston today?"}],
        "tools": [{"type": "function", "function": {"name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}],
        "tool_choice": "auto"
    });
    let r = post(h.addr(), "/v1/chat/completions", &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    let call = &v["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "get_current_weather");
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["location"], "Boston, MA");
    let sent = h.mock.last_request().unwrap().json().unwrap();
    assert_eq!(
        sent["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_current_weather"
    );
}

#[tokio::test]
async fn provider_params_of_every_family_reach_bedrock() {
    let yaml = r#"
model_list:
  - model_name: claude-37
    litellm_params:
      model: bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0
  - model_name: pegasus
    litellm_params:
      model: bedrock/us.twelvelabs.pegasus-1-2-v1:0
  - model_name: agent
    litellm_params:
      model: bedrock/agent/L1RT58GYRW/MFPSBCXYTW
"#;
    let h = start(yaml).await;
    let a = h.addr();
    // thinking (Anthropic-style) on Converse.
    let r = post(
        a,
        "/v1/chat/completions",
        &json!({"model": "claude-37", "messages": [{"role": "user", "content": "think"}],
                "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 2048}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let b = h.mock.last_request().unwrap().json().unwrap();
    assert_eq!(
        b["additionalModelRequestFields"]["thinking"]["budget_tokens"], 1024,
        "{b}"
    );
    // reasoning_effort becomes a thinking budget.
    let r = post(
        a,
        "/v1/chat/completions",
        &json!({"model": "claude-37", "messages": [{"role": "user", "content": "What is the capital of France?"}],
                "reasoning_effort": "low"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let b = h.mock.last_request().unwrap().json().unwrap();
    assert!(
        b["additionalModelRequestFields"]["thinking"].is_object(),
        "{b}"
    );
    // mediaSource for TwelveLabs Pegasus.
    h.mock.on(
        RouteMatch::model(Operation::Invoke, "us.twelvelabs.pegasus-1-2-v1:0"),
        Reply::ok(&json!({"message": "A dog in a park.", "finishReason": "stop"})),
    );
    let r = post(
        a,
        "/v1/chat/completions",
        &json!({"model": "pegasus", "messages": [{"role": "user", "content": "Describe what happens in this video."}],
                "mediaSource": {"s3Location": {"uri": "s3://your-bucket/video.mp4", "bucketOwner": "123456789012"}},
                "temperature": 0.2}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "A dog in a park."
    );
    let b = h.mock.last_request().unwrap().json().unwrap();
    assert_eq!(
        b["mediaSource"]["s3Location"]["uri"],
        "s3://your-bucket/video.mp4"
    );
    // sessionState and invocationId for agents.
    let r = post(
        a,
        "/v1/chat/completions",
        &json!({"model": "agent", "messages": [{"role": "user", "content": "hi"}],
                "invocationId": "inv-1",
                "sessionState": {"sessionAttributes": {"tier": "gold"}}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let b = h.mock.last_request().unwrap().json().unwrap();
    assert_eq!(b["invocationId"], "inv-1");
    assert_eq!(b["sessionState"]["sessionAttributes"]["tier"], "gold");
}

#[tokio::test]
async fn one_connection_pool_serves_every_request() {
    let h = start(CONFIG).await;
    for i in 0..6 {
        let r = post(
            h.addr(),
            "/v1/chat/completions",
            &chat_body("claude", &format!("n{i}")),
        )
        .await;
        assert_eq!(r.status, 200);
    }
    let r = post(
        h.addr(),
        "/v1/embeddings",
        &json!({"model": "titan-embed", "input": "x"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(h.mock.request_count(), 7);
    assert!(
        h.mock.connection_count() <= 2,
        "requests reuse pooled connections to Bedrock ({} opened)",
        h.mock.connection_count()
    );
}

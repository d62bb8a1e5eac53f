#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! `/bedrock/{path}`: LiteLLM's Bedrock pass-through endpoint. The native request reaches the
//! mock signed with the right credentials, and Bedrock's status, headers and bytes come back
//! untouched, event streams included.

mod common;

use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::{Operation, Reply, RouteMatch, SigV4Verifier};
use common::{AKID, SECRET, request, start, start_with};
use serde_json::{Value, json};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

#[tokio::test]
async fn converse_is_relayed_signed_and_answered_as_is() {
    let h = start("").await;
    h.mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
    let body = json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}],
                      "inferenceConfig": {"maxTokens": 10}});
    let r = request(
        h.addr(),
        "POST",
        &format!("/bedrock/model/{HAIKU}/converse"),
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer sk-not-for-bedrock"),
            ("x-amzn-bedrock-trace", "ENABLED"),
        ],
        serde_json::to_vec(&body).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v: Value = r.json();
    assert_eq!(
        v["output"]["message"]["content"][0]["text"],
        "Hello from the mock Bedrock. You said: hi"
    );
    assert!(r.header("x-amzn-requestid").is_some());
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.operation(), Some(Operation::Converse));
    assert_eq!(sent.model_id(), Some(HAIKU));
    assert_eq!(sent.json().unwrap(), body);
    assert_eq!(sent.header("x-amzn-bedrock-trace"), Some("ENABLED"));
    // The caller's own key never reaches Bedrock: the request is SigV4-signed instead.
    assert!(
        sent.header("authorization")
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256 ")
    );
}

#[tokio::test]
async fn event_streams_pass_through_byte_for_byte() {
    let h = start("").await;
    let frames = vec![
        Frame::event("messageStart", &json!({"role": "assistant"})),
        Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "Hel"}}),
        ),
        Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "lo"}}),
        ),
        Frame::event("messageStop", &json!({"stopReason": "end_turn"})),
    ];
    let expected: Vec<u8> = frames.iter().flat_map(|f| f.encode().to_vec()).collect();
    h.mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(frames),
    );
    let r = request(
        h.addr(),
        "POST",
        &format!("/bedrock/model/{HAIKU}/converse-stream"),
        &[("content-type", "application/json")],
        br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.amazon.eventstream")
    );
    assert_eq!(r.body.as_ref(), expected.as_slice());
}

#[tokio::test]
async fn bedrock_errors_keep_their_status_and_body() {
    let h = start("").await;
    h.mock.on(
        RouteMatch::operation(Operation::Invoke),
        Reply::error(400, "ValidationException", "Malformed input request"),
    );
    let r = request(
        h.addr(),
        "POST",
        &format!("/bedrock/model/{HAIKU}/invoke"),
        &[("content-type", "application/json")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-amzn-errortype"), Some("ValidationException"));
    assert_eq!(r.json()["message"], "Malformed input request");
}

#[tokio::test]
async fn a_model_group_lends_its_credentials_and_the_key_is_checked() {
    let mock = bedrock_testkit::MockBedrock::start().await.unwrap();
    mock.canned_answers();
    mock.require_sigv4(SigV4Verifier::new("AKIDFROMCONFIG", "config-secret"));
    let yaml = format!(
        r#"
model_list:
  - model_name: {HAIKU}
    litellm_params:
      model: bedrock/{HAIKU}
      aws_access_key_id: AKIDFROMCONFIG
      aws_secret_access_key: config-secret
      aws_region_name: us-east-1
      aws_bedrock_runtime_endpoint: {}
general_settings:
  master_key: sk-master
"#,
        mock.url()
    );
    let h = start_with(
        &yaml,
        &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9")],
        Default::default(),
    )
    .await;
    let path = format!("/bedrock/model/{HAIKU}/converse");
    let body = br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#.to_vec();
    let denied = request(h.addr(), "POST", &path, &[], body.clone()).await;
    assert_eq!(denied.status, 401);
    let r = request(
        h.addr(),
        "POST",
        &path,
        &[("authorization", "Bearer sk-master")],
        body,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn paths_bedrock_does_not_serve_are_a_clear_400() {
    let h = start("").await;
    let r = request(
        h.addr(),
        "GET",
        "/bedrock/foundation-models",
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("foundation-models"), "{}", r.text());
    assert_eq!(h.mock.request_count(), 0);
}

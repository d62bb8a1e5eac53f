//! The mock Bedrock on its own: routes, recording, fixtures, SigV4 and bearer checks, and its
//! frames read back by the AWS SDK's own event-stream codec.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use bedrock_testkit::eventstream::{Frame, HeaderValue};
use bedrock_testkit::mock::{MockBedrock, Operation, Reply, RouteMatch};
use bedrock_testkit::sigv4::SigV4Verifier;
use bytes::{Buf, Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

/// One request on a fresh HTTP/1.1 connection, reading the whole answer.
async fn call(mock: &MockBedrock, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let stream = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::post(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = sender
        .send_request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

/// Decode a whole event-stream body with aws-smithy-eventstream.
fn smithy_decode(body: &Bytes) -> Vec<aws_smithy_types::event_stream::Message> {
    let mut buf = BytesMut::from(body.as_ref());
    let mut decoder = MessageFrameDecoder::new();
    let mut out = Vec::new();
    while let DecodedFrame::Complete(m) = decoder.decode_frame(&mut buf).unwrap() {
        out.push(m);
    }
    assert!(!buf.has_remaining(), "trailing bytes after the last frame");
    out
}

fn header_str(m: &aws_smithy_types::event_stream::Message, name: &str) -> String {
    m.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .map(|h| h.value().as_string().unwrap().as_str().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn routes_record_raw_requests_and_unknown_paths_are_refused() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::model(Operation::Converse, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"),
        Reply::ok(&json!({"matched": "arn"})),
    );
    let path = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";
    let a = call(
        &mock,
        path,
        &[("content-type", "application/json")],
        "{\"a\":1}",
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body.as_ref(), br#"{"matched":"arn"}"#);
    assert!(
        a.headers["x-amzn-requestid"]
            .to_str()
            .unwrap()
            .starts_with("mock-request-")
    );
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.raw_path, path);
    assert_eq!(seen.operation(), Some(Operation::Converse));
    assert_eq!(seen.json().unwrap(), json!({"a": 1}));
    assert_eq!(seen.header("Content-Type"), Some("application/json"));

    // No rule for this model: a 404 naming it.
    let a = call(&mock, "/model/other%3A0/converse", &[], "{}").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.headers["x-amzn-errortype"], "ResourceNotFoundException");
    assert!(String::from_utf8_lossy(&a.body).contains("other:0"));
    // Not a Bedrock operation at all.
    let a = call(&mock, "/model/x/explode", &[], "{}").await;
    assert_eq!(a.headers["x-amzn-errortype"], "UnknownOperationException");
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn fixture_files_answer_in_order_and_streams_are_real_frames() {
    let mock = MockBedrock::start().await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mock");
    assert_eq!(mock.load_fixture_dir(&dir).unwrap(), 4);
    let converse = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
    let a = call(&mock, converse, &[], "{}").await;
    assert_eq!(a.status, 429);
    assert_eq!(
        a.headers["x-amzn-errortype"],
        "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    );
    let a = call(&mock, converse, &[], "{}").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["x-amzn-requestid"], "fixture-req-1");
    let body: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(body["usage"]["totalTokens"], 11);

    let a = call(
        &mock,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream",
        &[],
        "{}",
    )
    .await;
    assert_eq!(
        a.headers["content-type"],
        "application/vnd.amazon.eventstream"
    );
    assert_eq!(a.headers["x-amzn-bedrock-content-type"], "application/json");
    let messages = smithy_decode(&a.body);
    assert_eq!(messages.len(), 3);
    assert_eq!(header_str(&messages[1], ":event-type"), "chunk");
    let wrapper: Value = serde_json::from_slice(messages[1].payload()).unwrap();
    use base64::Engine;
    let native: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(wrapper["bytes"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(native["delta"]["text"], "Hi");
    assert_eq!(header_str(&messages[2], ":message-type"), "exception");
    assert_eq!(
        header_str(&messages[2], ":exception-type"),
        "modelStreamErrorException"
    );

    let a = call(
        &mock,
        "/agents/AGENT123/agentAliases/ALIAS/sessions/s1/text",
        &[],
        "{}",
    )
    .await;
    let messages = smithy_decode(&a.body);
    assert_eq!(header_str(&messages[0], ":event-type"), "trace");
    let chunk: Value = serde_json::from_slice(messages[1].payload()).unwrap();
    let text = base64::engine::general_purpose::STANDARD
        .decode(chunk["bytes"].as_str().unwrap())
        .unwrap();
    assert_eq!(text, b"The weather is sunny.");
}

#[tokio::test]
async fn every_header_type_reads_back_through_the_sdk_codec() {
    let mock = MockBedrock::start().await.unwrap();
    let frame = Frame::event("custom", &json!({"k": 1}))
        .with_header("b", HeaderValue::Bool(true))
        .with_header("f", HeaderValue::Bool(false))
        .with_header("i8", HeaderValue::Byte(-3))
        .with_header("i16", HeaderValue::Short(300))
        .with_header("i32", HeaderValue::Int(-70000))
        .with_header("i64", HeaderValue::Long(1 << 40))
        .with_header("bytes", HeaderValue::Bytes(vec![0, 255, 7]))
        .with_header("ts", HeaderValue::Timestamp(1_700_000_000_000))
        .with_header("uuid", HeaderValue::Uuid([0xab; 16]));
    mock.on(RouteMatch::any(), Reply::stream(vec![frame]));
    let a = call(&mock, "/model/m/converse-stream", &[], "{}").await;
    let m = &smithy_decode(&a.body)[0];
    let get = |n: &str| {
        m.headers()
            .iter()
            .find(|h| h.name().as_str() == n)
            .unwrap()
            .value()
            .clone()
    };
    assert!(get("b").as_bool().unwrap());
    assert!(!get("f").as_bool().unwrap());
    assert_eq!(get("i8").as_byte().unwrap(), -3);
    assert_eq!(get("i16").as_int16().unwrap(), 300);
    assert_eq!(get("i32").as_int32().unwrap(), -70000);
    assert_eq!(get("i64").as_int64().unwrap(), 1 << 40);
    assert_eq!(get("bytes").as_byte_array().unwrap().as_ref(), &[0, 255, 7]);
    assert_eq!(
        get("ts").as_timestamp().unwrap().to_millis().unwrap(),
        1_700_000_000_000
    );
    assert_eq!(
        get("uuid").as_uuid().unwrap(),
        u128::from_be_bytes([0xab; 16])
    );
    assert_eq!(m.payload().as_ref(), br#"{"k":1}"#);
}

#[tokio::test]
async fn a_corrupted_crc_is_refused_by_the_sdk_codec_too() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::any(),
        Reply::stream(vec![Frame::event("x", &json!({})).with_corrupt_crc()]),
    );
    let a = call(&mock, "/model/m/converse-stream", &[], "{}").await;
    let mut buf = BytesMut::from(a.body.as_ref());
    assert!(MessageFrameDecoder::new().decode_frame(&mut buf).is_err());
}

// Wire reference §1.7, sent over HTTP to a verifying mock.
const VECTOR_PATH: &str = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";
const VECTOR_BODY: &str = r#"{"messages": [{"role": "user", "content": [{"text": "Hello"}]}], "inferenceConfig": {"maxTokens": 64}}"#;
const VECTOR_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=746edbd4ef162e07ff94b37eb6c733f35c627ef14ae883fed1735449e976bf78";

fn vector_headers(auth: &str) -> Vec<(&str, &str)> {
    vec![
        ("host", "bedrock-runtime.us-east-1.amazonaws.com"),
        ("content-type", "application/json"),
        ("x-amz-date", "20240101T000000Z"),
        ("x-amz-security-token", "SESSIONTOKENEXAMPLE"),
        ("authorization", auth),
    ]
}

#[tokio::test]
async fn sigv4_is_verified_from_the_raw_path_and_failures_answer_403() {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(
        SigV4Verifier::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .with_session_token("SESSIONTOKENEXAMPLE"),
    );
    mock.on(RouteMatch::any(), Reply::ok(&json!({"signed": "ok"})));
    let a = call(
        &mock,
        VECTOR_PATH,
        &vector_headers(VECTOR_AUTH),
        VECTOR_BODY,
    )
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));

    let tampered = VECTOR_BODY.replace("Hello", "Hellp");
    let a = call(&mock, VECTOR_PATH, &vector_headers(VECTOR_AUTH), &tampered).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.headers["x-amzn-errortype"], "InvalidSignatureException");

    let other_key = VECTOR_AUTH.replace("AKIDEXAMPLE", "AKIDUNKNOWN");
    let a = call(&mock, VECTOR_PATH, &vector_headers(&other_key), VECTOR_BODY).await;
    assert_eq!(a.headers["x-amzn-errortype"], "UnrecognizedClientException");

    let a = call(
        &mock,
        VECTOR_PATH,
        &vector_headers("Bearer ABSKwhatever"),
        VECTOR_BODY,
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(a.headers["x-amzn-errortype"], "UnrecognizedClientException");
}

#[tokio::test]
async fn bearer_keys_are_checked_and_refused_on_the_agent_runtime() {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_bearer("ABSKgood");
    mock.on(RouteMatch::any(), Reply::ok(&json!({})));
    let ok = call(
        &mock,
        "/model/m/converse",
        &[("authorization", "Bearer ABSKgood")],
        "{}",
    )
    .await;
    assert_eq!(ok.status, 200);
    let bad = call(
        &mock,
        "/model/m/converse",
        &[("authorization", "Bearer ABSKbad")],
        "{}",
    )
    .await;
    assert_eq!(bad.status, 403);
    assert_eq!(
        bad.headers["x-amzn-errortype"],
        "UnrecognizedClientException"
    );
    let agent = call(
        &mock,
        "/rerank",
        &[("authorization", "Bearer ABSKgood")],
        "{}",
    )
    .await;
    assert_eq!(agent.status, 403);
}

#[tokio::test]
async fn canned_answers_echo_the_prompt_in_each_routes_shape() {
    let mock = MockBedrock::start().await.unwrap();
    mock.canned_answers();
    let body = r#"{"messages":[{"role":"user","content":[{"text":"ping pong"}]}]}"#;
    let a = call(&mock, "/model/amazon.nova-lite-v1%3A0/converse", &[], body).await;
    let v: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(
        v["output"]["message"]["content"][0]["text"],
        "Hello from the mock Bedrock. You said: ping pong"
    );
    assert_eq!(v["usage"]["inputTokens"], 2);
    let a = call(
        &mock,
        "/model/amazon.nova-lite-v1%3A0/converse-stream",
        &[],
        body,
    )
    .await;
    let frames = smithy_decode(&a.body);
    let text: String = frames
        .iter()
        .filter(|m| header_str(m, ":event-type") == "contentBlockDelta")
        .map(|m| {
            serde_json::from_slice::<Value>(m.payload()).unwrap()["delta"]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(text, "Hello from the mock Bedrock. You said: ping pong");
    let a = call(
        &mock,
        "/model/amazon.titan-embed-text-v2%3A0/invoke",
        &[],
        r#"{"inputText":"a b","dimensions":4}"#,
    )
    .await;
    let v: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(v["embedding"].as_array().unwrap().len(), 4);
    let a = call(&mock, "/model/unknown.model/invoke", &[], "{}").await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn the_mock_binary_serves_canned_answers_and_fixtures() {
    use tokio::io::AsyncBufReadExt;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mock");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-bedrock"))
        .args(["--fixtures", dir.to_str().unwrap(), "--api-key", "ABSKbin"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next_line().await.unwrap().unwrap();
    let addr = url.strip_prefix("http://").unwrap().to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let send = |path: &str, auth: &str| {
        http::Request::post(path)
            .header("authorization", auth)
            .body(Full::new(Bytes::from_static(
                br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#,
            )))
            .unwrap()
    };
    let r = sender
        .send_request(send(
            "/model/amazon.nova-micro-v1%3A0/converse",
            "Bearer ABSKbin",
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("You said: hi"));
    let r = sender
        .send_request(send(
            "/model/amazon.nova-micro-v1%3A0/converse",
            "Bearer nope",
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    child.kill().await.unwrap();
}

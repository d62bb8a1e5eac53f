//! The transport against the testkit's mock Bedrock: every fault the mock can inject, TLS with
//! a generated certificate, a proxy tunnel, and a 100 MB stream in bounded memory.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::mock::{MockBedrock, Operation, Reply, RouteMatch};
use bedrock_testkit::tls::TestCertificate;
use bedrock_transport::{
    EventStream, HttpTransport, ProxyConfig, RetryPolicy, TransportConfig, retry,
};
use bedrock_types::{Error, ErrorKind, StreamEvent};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};

const MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const MODEL_PATH: &str = "anthropic.claude-3-haiku-20240307-v1%3A0";

fn transport() -> HttpTransport {
    HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..TransportConfig::default()
    })
    .unwrap()
}

fn transport_with(config: TransportConfig) -> HttpTransport {
    HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..config
    })
    .unwrap()
}

fn post(base: &str, op: &str, body: &Value) -> http::Request<Bytes> {
    http::Request::post(format!("{base}/model/{MODEL_PATH}/{op}"))
        .header("content-type", "application/json")
        .body(Bytes::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

fn fast_retries(n: u32) -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::with_retries(n)
    }
}

async fn collect(mut stream: EventStream) -> (Vec<StreamEvent>, Option<Error>) {
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

fn deltas(n: usize) -> Vec<Frame> {
    let mut frames = vec![Frame::event("messageStart", &json!({"role": "assistant"}))];
    for i in 0..n {
        frames.push(Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": format!("w{i} ")}, "p": "abcd"}),
        ));
    }
    frames.push(Frame::event(
        "messageStop",
        &json!({"stopReason": "end_turn"}),
    ));
    frames
}

#[tokio::test]
async fn sends_signed_bytes_unchanged_and_the_mock_decodes_the_label_once() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::model(Operation::Converse, MODEL),
        Reply::ok(&json!({"ok": true})),
    );
    let body = br#"{"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}"#;
    let request = http::Request::post(format!("{}/model/{MODEL_PATH}/converse", mock.url()))
        .header("content-type", "application/json")
        .header("x-amz-date", "20240101T000000Z")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00")
        .body(Bytes::from_static(body))
        .unwrap();
    let response = transport().send_checked(request).await.unwrap();
    assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.raw_path, format!("/model/{MODEL_PATH}/converse"));
    assert_eq!(seen.model_id(), Some(MODEL));
    assert_eq!(seen.body.as_ref(), body);
    assert_eq!(seen.header("x-amz-date"), Some("20240101T000000Z"));
    assert!(
        seen.header("authorization")
            .unwrap()
            .ends_with("Signature=00")
    );
}

#[tokio::test]
async fn error_status_becomes_a_typed_error_with_type_message_and_request_id() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on_times(
        RouteMatch::operation(Operation::Converse),
        1,
        Reply::error_with_suffix(
            400,
            "ValidationException",
            "Malformed input request, please reformat your input and try again.",
        )
        .with_header("x-amzn-requestid", "req-abc"),
    );
    mock.on(
        RouteMatch::operation(Operation::Converse),
        Reply::error(
            403,
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ),
    );
    let t = transport();
    let err = t
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400);
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(err.message().starts_with("Malformed input request"));
    assert_eq!(err.request_id(), Some("req-abc"));
    assert!(!err.is_retryable());

    let err = t
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(err.request_id().unwrap().starts_with("mock-request-"));
}

#[tokio::test]
async fn throttling_for_the_first_attempts_is_retried_with_the_attempts_counted() {
    let mock = MockBedrock::start().await.unwrap();
    let m = RouteMatch::operation(Operation::Converse);
    mock.on_times(m.clone(), 2, Reply::throttled());
    mock.on(m, Reply::ok(&json!({"answer": 42})));
    let t = transport();
    let attempted = retry(
        &fast_retries(3),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "converse", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 3);
    assert_eq!(
        attempted.result.unwrap().body().as_ref(),
        br#"{"answer":42}"#
    );
    assert_eq!(mock.request_count(), 3);

    // With fewer retries than throttled answers, the throttling error comes back.
    let mock = MockBedrock::start().await.unwrap();
    mock.on(RouteMatch::any(), Reply::throttled());
    let attempted = retry(
        &fast_retries(1),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "converse", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 2);
    assert_eq!(attempted.result.unwrap_err().kind(), ErrorKind::RateLimit);
}

#[tokio::test]
async fn server_errors_are_retried_but_validation_is_not() {
    let mock = MockBedrock::start().await.unwrap();
    let m = RouteMatch::operation(Operation::Invoke);
    mock.on_times(
        m.clone(),
        1,
        Reply::error(503, "ServiceUnavailableException", "Service unavailable"),
    );
    mock.on_times(
        m.clone(),
        1,
        Reply::error(500, "InternalServerException", "oops"),
    );
    mock.on(m, Reply::ok(&json!({"ok": 1})));
    let t = transport();
    let attempted = retry(
        &fast_retries(5),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "invoke", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 3);
    assert!(attempted.result.is_ok());

    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::any(),
        Reply::error(
            400,
            "ValidationException",
            "Input is too long for requested model.",
        ),
    );
    let attempted = retry(
        &fast_retries(5),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "invoke", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 1);
    assert_eq!(
        attempted.result.unwrap_err().kind(),
        ErrorKind::ContextWindowExceeded
    );
}

#[tokio::test]
async fn added_latency_beyond_the_request_timeout_is_a_retryable_timeout() {
    let mock = MockBedrock::start().await.unwrap();
    let m = RouteMatch::operation(Operation::Converse);
    mock.on_times(
        m.clone(),
        1,
        Reply::ok(&json!({})).with_latency(Duration::from_secs(5)),
    );
    mock.on(m, Reply::ok(&json!({"fast": true})));
    let t = transport_with(TransportConfig {
        request_timeout: Duration::from_millis(200),
        ..TransportConfig::default()
    });
    let err = t
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_retryable());
    // The slow answer was consumed; a retried call gets the fast one.
    let attempted = retry(
        &fast_retries(2),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "converse", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 1);
    assert_eq!(
        attempted.result.unwrap().body().as_ref(),
        br#"{"fast":true}"#
    );
}

#[tokio::test]
async fn connection_reset_is_a_connection_error_and_a_retry_recovers() {
    let mock = MockBedrock::start().await.unwrap();
    let m = RouteMatch::operation(Operation::Converse);
    mock.on_times(m.clone(), 1, Reply::reset());
    mock.on(m, Reply::ok(&json!({"ok": true})));
    let t = transport();
    let attempted = retry(
        &fast_retries(2),
        || 0.5,
        |_| t.send_checked(post(&mock.url(), "converse", &json!({}))),
    )
    .await;
    assert_eq!(attempted.attempts, 2);
    assert!(attempted.result.is_ok());

    let mock = MockBedrock::start().await.unwrap();
    mock.on(RouteMatch::any(), Reply::reset());
    let err = t
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_json_body_cut_short_is_an_error_not_a_short_answer() {
    let mock = MockBedrock::start().await.unwrap();
    let long = json!({"output": {"message": {"content": [{"text": "x".repeat(1000)}]}}});
    mock.on(RouteMatch::any(), Reply::ok(&long).cut_short_after(100));
    let err = transport()
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
}

#[tokio::test]
async fn frames_split_at_every_byte_boundary_decode_to_the_same_events() {
    let mock = MockBedrock::start().await.unwrap();
    let frames = deltas(20);
    mock.on_times(
        RouteMatch::operation(Operation::ConverseStream),
        1,
        Reply::stream(frames.clone()),
    );
    mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(frames).split_every(1),
    );
    let t = transport();
    let (whole, err) = collect(
        t.send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert!(err.is_none());
    let (split, err) = collect(
        t.send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(whole.len(), 22);
    assert_eq!(whole, split);
    assert_eq!(split[5].event_type, "contentBlockDelta");
    let payload: Value = serde_json::from_slice(&split[5].payload).unwrap();
    assert_eq!(payload["delta"]["text"], "w4 ");
}

#[tokio::test]
async fn an_exception_frame_mid_stream_ends_it_with_the_typed_error() {
    let mock = MockBedrock::start().await.unwrap();
    let mut frames = deltas(3);
    frames.truncate(3);
    frames.push(Frame::exception(
        "throttlingException",
        "Too many tokens, please wait before trying again.",
    ));
    frames.push(Frame::event(
        "messageStop",
        &json!({"stopReason": "end_turn"}),
    ));
    mock.on(
        RouteMatch::any(),
        Reply::stream(frames).with_header("x-amzn-requestid", "req-stream"),
    );
    let (events, err) = collect(
        transport()
            .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events.len(), 3);
    let err = err.unwrap();
    assert_eq!(err.bedrock_error_type(), Some("ThrottlingException"));
    assert_eq!(err.kind(), ErrorKind::RateLimit);
    assert_eq!(err.status(), 429);
    assert_eq!(err.request_id(), Some("req-stream"));

    // An unmodeled `error` frame too.
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::any(),
        Reply::stream(vec![Frame::error("InternalFailure", "boom")]),
    );
    let (_, err) = collect(
        transport()
            .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(err.unwrap().message(), "boom");
}

#[tokio::test]
async fn a_corrupted_crc_is_a_framing_error() {
    let mock = MockBedrock::start().await.unwrap();
    let mut frames = deltas(3);
    frames[2] = frames[2].clone().with_corrupt_crc();
    mock.on(RouteMatch::any(), Reply::stream(frames));
    let (events, err) = collect(
        transport()
            .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert!(err.message().contains("checksum"), "{}", err.message());
}

#[tokio::test]
async fn a_stream_cut_short_is_an_error_not_a_short_answer() {
    let mock = MockBedrock::start().await.unwrap();
    let frames = deltas(5);
    let first_two: usize = frames[..2].iter().map(|f| f.encode().len()).sum();
    // Cut in the middle of the third frame.
    mock.on(
        RouteMatch::any(),
        Reply::stream(frames).cut_short_after(first_two + 10),
    );
    let (events, err) = collect(
        transport()
            .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events.len(), 2);
    assert_eq!(err.unwrap().kind(), ErrorKind::ApiConnection);
}

#[tokio::test]
async fn a_stalled_stream_times_out_instead_of_hanging() {
    let mock = MockBedrock::start().await.unwrap();
    let frames = deltas(5);
    let first: usize = frames[0].encode().len();
    mock.on(RouteMatch::any(), Reply::stream(frames).stall_after(first));
    let t = transport_with(TransportConfig {
        stream_idle_timeout: Duration::from_millis(300),
        ..TransportConfig::default()
    });
    let started = std::time::Instant::now();
    let (events, err) = collect(
        t.send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(events.len(), 1);
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_json_error_on_a_stream_route_is_typed_and_never_framed() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::operation(Operation::InvokeWithResponseStream),
        Reply::error(
            400,
            "ValidationException",
            "The provided model identifier is invalid.",
        ),
    );
    let err = transport()
        .send_event_stream(post(&mock.url(), "invoke-with-response-stream", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400);
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.message(), "The provided model identifier is invalid.");
    assert!(!err.message().to_lowercase().contains("checksum"));
}

#[tokio::test]
async fn invoke_stream_chunks_arrive_wrapped_in_bytes() {
    let mock = MockBedrock::start().await.unwrap();
    let native = json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}});
    mock.on(
        RouteMatch::any(),
        Reply::invoke_stream(std::slice::from_ref(&native)),
    );
    let (events, err) = collect(
        transport()
            .send_event_stream(post(&mock.url(), "invoke-with-response-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert!(err.is_none());
    assert_eq!(events[0].event_type, "chunk");
    let wrapper: Value = serde_json::from_slice(&events[0].payload).unwrap();
    use base64::Engine;
    let inner = base64::engine::general_purpose::STANDARD
        .decode(wrapper["bytes"].as_str().unwrap())
        .unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&inner).unwrap(), native);
}

/// 100 MB of frames through the transport while the decoder's peak buffer stays small: the
/// stream is decoded as it arrives, never buffered whole.
#[tokio::test]
async fn a_100_mb_stream_passes_with_bounded_memory() {
    let mock = MockBedrock::start().await.unwrap();
    let text = "x".repeat(16 * 1024);
    let frame = Frame::event(
        "contentBlockDelta",
        &json!({"contentBlockIndex": 0, "delta": {"text": text}}),
    );
    let payload_len = frame.payload.len();
    let count = 100 * 1024 * 1024 / payload_len + 1;
    mock.on(
        RouteMatch::any(),
        Reply::repeated_stream(deltas(0), frame, count, Vec::new()),
    );
    let mut stream = transport()
        .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
        .await
        .unwrap();
    let mut events = 0usize;
    let mut payload_bytes = 0usize;
    while let Some(e) = stream.next().await {
        let e = e.unwrap();
        payload_bytes += e.payload.len();
        events += 1;
    }
    assert_eq!(events, count + 2);
    assert!(payload_bytes >= 100 * 1024 * 1024, "{payload_bytes}");
    let peak = stream.high_water_mark();
    assert!(peak < 1024 * 1024, "decoder buffered {peak} bytes at once");
}

#[tokio::test]
async fn tls_with_a_generated_certificate_negotiates_h2_by_alpn() {
    let cert = TestCertificate::localhost().unwrap();
    let mock = MockBedrock::start_tls(cert.server_config.clone())
        .await
        .unwrap();
    mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(deltas(2)),
    );
    mock.on(RouteMatch::any(), Reply::ok(&json!({"tls": true})));
    let t = HttpTransport::with_tls(
        TransportConfig {
            proxy: ProxyConfig::Disabled,
            ..TransportConfig::default()
        },
        cert.client_config().unwrap(),
    );
    assert!(mock.url().starts_with("https://localhost:"));
    let response = t
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.body().as_ref(), br#"{"tls":true}"#);
    assert_eq!(mock.last_request().unwrap().version, "HTTP/2.0");

    // The same over a stream.
    let (events, err) = collect(
        t.send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
            .await
            .unwrap(),
    )
    .await;
    assert!(err.is_none());
    assert_eq!(events.len(), 4);
    // Both exchanges shared the one HTTP/2 connection.
    assert_eq!(mock.connection_count(), 1);

    // A client that does not trust the certificate refuses the connection.
    let untrusting = transport();
    let err = untrusting
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
}

#[tokio::test]
async fn connections_are_pooled_across_requests() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(RouteMatch::any(), Reply::ok(&json!({})));
    let t = transport();
    for _ in 0..5 {
        t.send_checked(post(&mock.url(), "converse", &json!({})))
            .await
            .unwrap();
    }
    let clone = t.clone();
    clone
        .send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap();
    assert_eq!(mock.request_count(), 6);
    assert_eq!(mock.connection_count(), 1);
}

#[tokio::test]
async fn a_stream_read_to_its_end_hands_its_connection_back() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(deltas(3)),
    );
    mock.on(RouteMatch::any(), Reply::ok(&json!({})));
    let t = transport();
    for _ in 0..3 {
        let (events, err) = collect(
            t.send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
                .await
                .unwrap(),
        )
        .await;
        assert!(err.is_none());
        assert_eq!(events.len(), 5);
    }
    t.send_checked(post(&mock.url(), "converse", &json!({})))
        .await
        .unwrap();
    assert_eq!(mock.request_count(), 4);
    assert_eq!(mock.connection_count(), 1);
}

#[tokio::test]
async fn a_stream_dropped_half_read_never_hands_a_busy_connection_to_the_next_request() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(deltas(50)).with_piece_delay(Duration::from_millis(5)),
    );
    mock.on(RouteMatch::any(), Reply::ok(&json!({"second": true})));
    let t = transport();
    let mut stream = t
        .send_event_stream(post(&mock.url(), "converse-stream", &json!({})))
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    let response = tokio::time::timeout(
        Duration::from_secs(5),
        t.send_checked(post(&mock.url(), "converse", &json!({}))),
    )
    .await
    .expect("the next request must not wait for the abandoned stream")
    .unwrap();
    assert_eq!(response.body().as_ref(), br#"{"second":true}"#);
    assert_eq!(mock.connection_count(), 2);
}

#[tokio::test]
async fn concurrent_requests_open_connections_that_later_requests_reuse() {
    let mock = MockBedrock::start().await.unwrap();
    mock.on(
        RouteMatch::any(),
        Reply::ok(&json!({})).with_latency(Duration::from_millis(100)),
    );
    let t = transport();
    // The second round finds the first round's four connections idle.
    for round in 1..=2 {
        let sends = (0..4).map(|_| t.send_checked(post(&mock.url(), "converse", &json!({}))));
        for r in futures_util::future::join_all(sends).await {
            r.unwrap();
        }
        assert_eq!(mock.request_count(), 4 * round);
        assert_eq!(mock.connection_count(), 4);
    }
}

/// A keep-alive HTTP/1.1 server that answers one request per connection and then closes it
/// without saying so (as a server does when its idle timeout passes). Counts connections.
async fn one_answer_per_connection() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then the body its content-length announces.
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                let _ = socket.write_all(reply.as_bytes()).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            });
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_is_replaced_without_an_error() {
    let (base, accepted) = one_answer_per_connection().await;
    let t = transport();
    for i in 1..=3 {
        let response = t
            .send_checked(post(&base, "converse", &json!({"turn": i})))
            .await
            .unwrap();
        assert_eq!(response.body().as_ref(), b"{}");
        // Let the server's close reach the pooled connection.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

/// A minimal CONNECT proxy on loopback: counts tunnels and splices bytes both ways.
async fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counter = tunnels.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let target = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                if !head.starts_with("CONNECT ") || !head.contains("Proxy-Authorization: Basic ") {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                        .await;
                    return;
                }
                // The tunnel goes to the mock on loopback whatever host was named.
                let port = target.rsplit(':').next().unwrap_or_default();
                let Ok(mut upstream) =
                    tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await
                else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://user:secret@{addr}"), tunnels)
}

#[tokio::test]
async fn https_goes_through_the_configured_proxy_tunnel() {
    let cert = TestCertificate::for_names(&["localhost", "bedrock-runtime.mock.test"]).unwrap();
    let mock = MockBedrock::start_tls(cert.server_config.clone())
        .await
        .unwrap();
    mock.on(RouteMatch::any(), Reply::ok(&json!({"via": "proxy"})));
    let (proxy, tunnels) = connect_proxy().await;
    let t = HttpTransport::with_tls(
        TransportConfig {
            proxy: ProxyConfig::Explicit {
                https: Some(proxy),
                http: None,
                no_proxy: None,
            },
            ..TransportConfig::default()
        },
        cert.client_config().unwrap(),
    );
    // A non-loopback name (loopback bypasses proxies); only the proxy can reach it, and it
    // tunnels to the mock, whose certificate covers the name.
    let url = mock.url().replace("localhost", "bedrock-runtime.mock.test");
    let response = t
        .send_checked(post(&url, "converse", &json!({})))
        .await
        .unwrap();
    assert_eq!(response.body().as_ref(), br#"{"via":"proxy"}"#);
    assert_eq!(tunnels.load(Ordering::SeqCst), 1);
    // The signed Host header reached the mock unchanged through the tunnel.
    let host = mock
        .last_request()
        .unwrap()
        .header("host")
        .unwrap()
        .to_owned();
    assert!(host.starts_with("bedrock-runtime.mock.test"), "{host}");
}

/// Every request's future holds the exchange; connecting (TCP, TLS, the h2 handshake: about
/// 7 KB of state) is boxed on the rare path, so it is neither carried nor copied per request.
#[test]
fn a_send_future_does_not_carry_the_connect_state() {
    let t = transport();
    let request = || post("http://127.0.0.1:9", "converse", &json!({}));
    let send = t.send(request());
    assert!(
        std::mem::size_of_val(&send) < 3 * 1024,
        "send future is {} bytes",
        std::mem::size_of_val(&send)
    );
    let stream = t.send_event_stream(request());
    assert!(
        std::mem::size_of_val(&stream) < 3 * 1024,
        "send_event_stream future is {} bytes",
        std::mem::size_of_val(&stream)
    );
}

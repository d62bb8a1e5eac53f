#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Streaming end to end over loopback HTTP: real event-stream frames, chunked transfer.

use std::sync::Arc;
use std::time::Duration;

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ErrorKind};
use bedrock_auth::{Env, ProviderConfig};
use bedrock_transport::{HttpTransport, TransportConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One event-stream frame with string headers (the layout of bedrock-wire §4.1).
fn frame(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    for (k, v) in headers {
        h.push(k.len() as u8);
        h.extend_from_slice(k.as_bytes());
        h.push(7);
        h.extend_from_slice(&(v.len() as u16).to_be_bytes());
        h.extend_from_slice(v.as_bytes());
    }
    let total = 16 + h.len() + payload.len();
    let mut out = Vec::new();
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(h.len() as u32).to_be_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

fn event(kind: &str, payload: Value) -> Vec<u8> {
    frame(
        &[
            (":event-type", kind),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ],
        payload.to_string().as_bytes(),
    )
}

/// Serve a stream: `first` frames, then wait for `gate`, then `rest`.
async fn stream_server(first: Vec<Vec<u8>>, rest: Vec<Vec<u8>>, gate: Arc<Notify>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        loop {
            let n = sock.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if got.len() >= end + 4 + len {
                    break;
                }
            }
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\nx-amzn-requestid: rid-s\r\ntransfer-encoding: chunked\r\n\r\n";
        sock.write_all(head.as_bytes()).await.unwrap();
        let write_chunk = |f: &Vec<u8>| {
            let mut c = format!("{:x}\r\n", f.len()).into_bytes();
            c.extend_from_slice(f);
            c.extend_from_slice(b"\r\n");
            c
        };
        for f in &first {
            sock.write_all(&write_chunk(f)).await.unwrap();
        }
        sock.flush().await.unwrap();
        gate.notified().await;
        for f in &rest {
            sock.write_all(&write_chunk(f)).await.unwrap();
        }
        sock.write_all(b"0\r\n\r\n").await.unwrap();
    });
    format!("http://{addr}")
}

fn client() -> Client {
    let transport = HttpTransport::new(TransportConfig::default()).unwrap();
    let env = Env::from_map([
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_REGION_NAME", "us-east-1"),
    ]);
    let cfg = ProviderConfig::new(env, transport.clone());
    Client::builder()
        .transport(transport)
        .provider_config(cfg)
        .build()
        .unwrap()
}

fn request(url: &str) -> ChatCompletionRequest {
    serde_json::from_value(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
        "stream": true,
        "stream_options": {"include_usage": true},
        "aws_bedrock_runtime_endpoint": url
    }))
    .unwrap()
}

#[tokio::test]
async fn first_chunk_arrives_before_the_stream_ends() {
    let gate = Arc::new(Notify::new());
    let first = vec![
        event("messageStart", json!({"role": "assistant"})),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Hel"}, "p": "abc"}),
        ),
    ];
    let rest = vec![
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "lo"}}),
        ),
        event("contentBlockStop", json!({"contentBlockIndex": 0})),
        event("messageStop", json!({"stopReason": "end_turn"})),
        event(
            "metadata",
            json!({"usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5}, "metrics": {"latencyMs": 9}}),
        ),
    ];
    let url = stream_server(first, rest, gate.clone()).await;
    let mut stream = client().completion_stream(request(&url)).await.unwrap();
    assert_eq!(stream.request_id(), Some("rid-s"));
    // The server holds the rest until we have seen text: a buffering client would hang here.
    let mut text = String::new();
    let mut seen = Vec::new();
    while text.is_empty() {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("first chunk in time")
            .unwrap()
            .unwrap();
        seen.push(chunk.clone());
        text.push_str(
            chunk
                .choices
                .first()
                .and_then(|c| c.delta.content.as_deref())
                .unwrap_or(""),
        );
    }
    assert_eq!(text, "Hel");
    // The empty opening chunk is not passed on: the first chunk has the role and the text.
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].choices[0].delta.role.as_deref(), Some("assistant"));
    gate.notify_one();
    let rest: Vec<_> = stream.collect().await;
    let chunks: Vec<_> = rest.into_iter().map(|c| c.unwrap()).collect();
    let ids: std::collections::HashSet<_> = chunks.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), 1, "one id for every chunk");
    let all: String = chunks
        .iter()
        .filter_map(|c| c.choices.first().and_then(|x| x.delta.content.clone()))
        .collect();
    assert_eq!(all, "lo");
    assert_eq!(
        chunks.last().unwrap().usage.as_ref().unwrap().total_tokens,
        5
    );
    // The usage chunk has one empty choice, as LiteLLM's stream wrapper sends it (OpenAI sends
    // none).
    let last = chunks.last().unwrap();
    assert_eq!(last.choices.len(), 1);
    assert_eq!(last.choices[0].delta, bedrock::types::Delta::default());
    assert_eq!(last.choices[0].finish_reason, None);
}

/// The first choice's delta of every chunk the client yields for a stream of `frames`.
async fn deltas_of(frames: Vec<Vec<u8>>) -> Vec<bedrock::types::Delta> {
    let gate = Arc::new(Notify::new());
    gate.notify_one();
    let url = stream_server(frames, Vec::new(), gate).await;
    let stream = client().completion_stream(request(&url)).await.unwrap();
    stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|c| c.unwrap())
        .filter_map(|c| c.choices.first().map(|x| x.delta.clone()))
        .collect()
}

#[tokio::test]
async fn tool_call_deltas_carry_empty_content_and_their_type_as_litellm_writes_them() {
    let frames = vec![
        event("messageStart", json!({"role": "assistant"})),
        event(
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "t1", "name": "get_weather"}}}),
        ),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"city\": "}}}),
        ),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "\"Paris\"}"}}}),
        ),
        event("contentBlockStop", json!({"contentBlockIndex": 0})),
        event("messageStop", json!({"stopReason": "tool_use"})),
    ];
    let deltas: Vec<_> = deltas_of(frames)
        .await
        .into_iter()
        .filter(|d| d.tool_calls.is_some())
        .collect();
    assert_eq!(deltas.len(), 3, "{deltas:?}");
    // litellm 1.103.7 streams `"content": ""` beside each tool-call delta and `"type":
    // "function"` on each, the continuations included.
    for d in &deltas {
        assert_eq!(d.content.as_deref(), Some(""), "{d:?}");
        let call = &d.tool_calls.as_ref().unwrap()[0];
        assert_eq!(call.kind.as_deref(), Some("function"), "{d:?}");
    }
    assert_eq!(deltas[0].role.as_deref(), Some("assistant"));
    assert_eq!(
        deltas[0].tool_calls.as_ref().unwrap()[0].id.as_deref(),
        Some("t1")
    );
    assert!(deltas[1].tool_calls.as_ref().unwrap()[0].id.is_none());
}

#[tokio::test]
async fn reasoning_deltas_carry_empty_content_as_litellm_writes_them() {
    let frames = vec![
        event("messageStart", json!({"role": "assistant"})),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Hm."}}}),
        ),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "sig"}}}),
        ),
        event("contentBlockStop", json!({"contentBlockIndex": 0})),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"text": "42"}}),
        ),
        event("messageStop", json!({"stopReason": "end_turn"})),
    ];
    let deltas = deltas_of(frames).await;
    // litellm 1.103.7: `"content": ""` beside reasoning, `"reasoning_content": ""` beside a
    // signature-only thinking block; a text delta and the final one are left alone.
    assert_eq!(deltas[0].reasoning_content.as_deref(), Some("Hm."));
    assert_eq!(deltas[0].content.as_deref(), Some(""));
    assert_eq!(deltas[1].reasoning_content.as_deref(), Some(""));
    assert_eq!(deltas[1].content.as_deref(), Some(""));
    assert_eq!(deltas[2].content.as_deref(), Some("42"));
    assert!(deltas[2].reasoning_content.is_none());
    assert!(deltas.last().unwrap().content.is_none());
}

#[tokio::test]
async fn exception_frame_mid_stream_is_a_typed_error() {
    let gate = Arc::new(Notify::new());
    gate.notify_one();
    let first = vec![
        event("messageStart", json!({"role": "assistant"})),
        event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "Hi"}}),
        ),
        frame(
            &[
                (":exception-type", "throttlingException"),
                (":content-type", "application/json"),
                (":message-type", "exception"),
            ],
            br#"{"message":"Too many requests, please wait before trying again."}"#,
        ),
    ];
    let url = stream_server(first, vec![], gate).await;
    let stream = client().completion_stream(request(&url)).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimit);
    assert_eq!(err.bedrock_error_type(), Some("ThrottlingException"));
    assert_eq!(err.request_id(), Some("rid-s"));
    assert!(items[..items.len() - 1].iter().all(|i| i.is_ok()));
}

#[tokio::test]
async fn json_error_on_a_stream_call_is_never_framed() {
    // LiteLLM #20589: the JSON error body went to the frame decoder ("ChecksumMismatch").
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 65536];
        let _ = sock.read(&mut buf).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let body = r#"{"message":"The provided model identifier is invalid."}"#;
        let reply = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/\r\nx-amzn-requestid: rid-e\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        sock.write_all(reply.as_bytes()).await.unwrap();
    });
    let err = client()
        .completion_stream(request(&format!("http://{addr}")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert_eq!(err.status(), 400);
    assert_eq!(err.message(), "The provided model identifier is invalid.");
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.request_id(), Some("rid-e"));
}

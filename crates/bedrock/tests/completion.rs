#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The client end to end over real HTTP, against a loopback responder that records what it got.

use std::sync::{Arc, Mutex};

use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ErrorKind};
use bedrock_auth::{Env, ProviderConfig};
use bedrock_transport::{HttpTransport, TransportConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

/// Serve one canned reply per connection on 127.0.0.1; record each request.
async fn responder(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: Value,
) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let body = body.to_string();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_string();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap())
                            })
                            .unwrap_or(0);
                        while buf.len() < end + 4 + len {
                            let n = sock.read(&mut chunk).await.unwrap();
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        log.lock().unwrap().push(Seen {
                            head,
                            body: buf[end + 4..end + 4 + len].to_vec(),
                        });
                        let mut reply = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                            body.len()
                        );
                        for (k, v) in headers {
                            reply.push_str(&format!("{k}: {v}\r\n"));
                        }
                        reply.push_str("\r\n");
                        reply.push_str(&body);
                        sock.write_all(reply.as_bytes()).await.unwrap();
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn client(env: &[(&str, &str)]) -> Client {
    let transport = HttpTransport::new(TransportConfig::default()).unwrap();
    let cfg = ProviderConfig::new(
        Env::from_map(env.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        transport.clone(),
    );
    Client::builder()
        .transport(transport)
        .provider_config(cfg)
        .build()
        .unwrap()
}

const CREDS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ),
    ("AWS_REGION_NAME", "us-east-1"),
];

fn converse_reply() -> Value {
    json!({"output": {"message": {"role": "assistant", "content": [{"text": "Hello! I'm doing well."}]}},
           "stopReason": "end_turn", "usage": {"inputTokens": 12, "outputTokens": 6, "totalTokens": 18}, "metrics": {"latencyMs": 100}})
}

fn request(endpoint: &str, extra: Value) -> ChatCompletionRequest {
    let mut r = json!({
        "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hello, how are you?"}],
        "aws_bedrock_runtime_endpoint": endpoint
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    serde_json::from_value(r).unwrap()
}

#[tokio::test]
async fn completion_is_signed_sent_and_mapped() {
    let (url, seen) = responder(200, &[("x-amzn-requestid", "req-42")], converse_reply()).await;
    let resp = client(CREDS)
        .completion(request(
            &url,
            json!({"temperature": 0.7, "extra_headers": {"x-custom": "1"}}),
        ))
        .await
        .unwrap();
    assert_eq!(
        resp.choices[0].message.content.as_deref(),
        Some("Hello! I'm doing well.")
    );
    assert!(
        resp.id.starts_with("chatcmpl-") && resp.id.len() == 45,
        "{}",
        resp.id
    );
    assert_eq!(resp.meta.request_id.as_deref(), Some("req-42"));
    // The `us.` cross-region id has its own (regional) prices in LiteLLM's map: 12 × $1.1e-6 +
    // 6 × $5.5e-6, not the base model's 12 × $1e-6 + 6 × $5e-6.
    let cost = resp.meta.response_cost.unwrap();
    assert!(
        (cost - (12.0 * 1.1e-6 + 6.0 * 5.5e-6)).abs() < 1e-12,
        "{cost}"
    );

    let seen = seen.lock().unwrap();
    let head = &seen[0].head;
    assert!(
        head.starts_with(
            "POST /model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse HTTP/1.1"
        ),
        "{head}"
    );
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("authorization: aws4-hmac-sha256 credential=akidexample/"),
        "{head}"
    );
    assert!(lower.contains("/us-east-1/bedrock/aws4_request"), "{head}");
    assert!(lower.contains("x-custom: 1"), "{head}");
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["inferenceConfig"], json!({"temperature": 0.7}));
    assert!(!String::from_utf8_lossy(&seen[0].body).contains("aws_bedrock_runtime_endpoint"));
}

#[tokio::test]
async fn bearer_api_key_skips_sigv4() {
    let (url, seen) = responder(200, &[], converse_reply()).await;
    // No credentials at all in the environment: the bearer path must not need any.
    client(&[("AWS_REGION_NAME", "us-east-1")])
        .completion(request(&url, json!({"api_key": "your-api-key"})))
        .await
        .unwrap();
    let head = seen.lock().unwrap()[0].head.to_ascii_lowercase();
    assert!(
        head.contains("authorization: bearer your-api-key"),
        "{head}"
    );
    assert!(!head.contains("x-amz-date"), "{head}");
}

#[tokio::test]
async fn bedrock_errors_come_back_typed() {
    let (url, _) = responder(
        400,
        &[
            (
                "x-amzn-errortype",
                "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            ),
            ("x-amzn-requestid", "rid-1"),
        ],
        json!({"message": "Input is too long for requested model."}),
    )
    .await;
    let err = client(CREDS)
        .completion(request(&url, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ContextWindowExceeded);
    assert_eq!(err.status(), 400);
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.request_id(), Some("rid-1"));
}

#[tokio::test]
async fn bad_input_fails_before_any_io() {
    let err = client(CREDS)
        .completion(request(
            "http://127.0.0.1:9",
            json!({"model": "bedrock/agent/ONLYONE"}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.param(), Some("model"));
    let err = client(CREDS)
        .completion(request("http://127.0.0.1:9", json!({"seed": 1})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
}

#[tokio::test]
async fn embedding_titan_v2_over_http() {
    let (url, seen) = responder(
        200,
        &[],
        json!({"embedding": [0.1, 0.2], "inputTextTokenCount": 5, "embeddingsByType": {"float": [0.1, 0.2]}}),
    )
    .await;
    let req: bedrock::types::embeddings::EmbeddingRequest = serde_json::from_value(json!({
        "model": "bedrock/amazon.titan-embed-text-v2:0",
        "input": ["good morning from litellm"],
        "encoding_format": "float",
        "aws_bedrock_runtime_endpoint": url
    }))
    .unwrap();
    let resp = client(CREDS).embedding(req).await.unwrap();
    assert_eq!(resp.usage.prompt_tokens, 5);
    let price = bedrock::transform::capabilities::lookup("amazon.titan-embed-text-v2:0")
        .unwrap()
        .input_cost_per_token
        .unwrap();
    assert!((resp.meta.response_cost.unwrap() - 5.0 * price).abs() < 1e-15);
    let seen = seen.lock().unwrap();
    assert!(
        seen[0]
            .head
            .starts_with("POST /model/amazon.titan-embed-text-v2%3A0/invoke "),
        "{}",
        seen[0].head
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&seen[0].body).unwrap(),
        json!({"inputText": "good morning from litellm", "embeddingTypes": ["float"]})
    );
}

#[tokio::test]
async fn throttling_is_retried_with_num_retries() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                let (status, extra, body) = if n < 2 {
                    (
                        "429 Too Many Requests",
                        "x-amzn-errortype: ThrottlingException\r\n",
                        json!({"message": "Too many requests, please wait before trying again."})
                            .to_string(),
                    )
                } else {
                    ("200 OK", "", converse_reply().to_string())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    let url = format!("http://{addr}");
    let resp = client(CREDS)
        .completion(request(&url, json!({"num_retries": 3})))
        .await
        .unwrap();
    assert_eq!(resp.meta.attempts, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // Without retries the throttling error comes straight back.
    calls.store(0, Ordering::SeqCst);
    let err = client(CREDS)
        .completion(request(&url, json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimit);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn count_tokens_over_http() {
    let (url, seen) = responder(200, &[], json!({"inputTokens": 12})).await;
    let n = client(CREDS)
        .count_tokens(request(&url, json!({})))
        .await
        .unwrap();
    assert_eq!(n, 12);
    let seen = seen.lock().unwrap();
    assert!(
        seen[0]
            .head
            .starts_with("POST /model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens "),
        "{}",
        seen[0].head
    );
    let body: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body["input"]["converse"]["messages"][0]["content"][0]["text"],
        "Hello, how are you?"
    );
}

#[tokio::test]
async fn text_completion_one_choice_per_prompt() {
    let (url, seen) = responder(200, &[], converse_reply()).await;
    let req: bedrock::types::completions::TextCompletionRequest = serde_json::from_value(json!({
        "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "prompt": ["Say hi", "Say bye"],
        "max_tokens": 20,
        "aws_bedrock_runtime_endpoint": url
    }))
    .unwrap();
    let resp = client(CREDS).text_completion(req).await.unwrap();
    assert_eq!(resp.object, "text_completion");
    // LiteLLM keeps the chat completion's id.
    assert!(resp.id.starts_with("chatcmpl-"), "{}", resp.id);
    assert_eq!(resp.choices.len(), 2);
    assert_eq!(resp.choices[1].index, 1);
    assert_eq!(resp.choices[0].text, "Hello! I'm doing well.");
    assert_eq!(resp.usage.as_ref().unwrap().total_tokens, 36);
    assert!(resp.meta.response_cost.unwrap() > 0.0);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let body: Value = serde_json::from_slice(&seen[1].body).unwrap();
    assert_eq!(body["messages"][0]["content"][0]["text"], "Say bye");
    assert_eq!(body["inferenceConfig"]["maxTokens"], 20);
}

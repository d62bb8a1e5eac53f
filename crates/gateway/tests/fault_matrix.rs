#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The fault matrix through the gateway: every fault the testkit's mock injects comes back to
//! an OpenAI client as the specified status and OpenAI-shaped error (or SSE error event), or as
//! a success after the configured retries; the gateway stays up, streams lose no chunk, and the
//! connection pool to Bedrock does not grow with faults.

mod common;

use std::time::Duration;

use bedrock_auth::{Env, ProviderConfig};
use bedrock_gateway::config::Config;
use bedrock_gateway::{Gateway, Options};
use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::mock::{MockBedrock, Operation, Reply, RouteMatch};
use bedrock_testkit::sigv4::SigV4Verifier;
use bedrock_transport::{HttpTransport, ProxyConfig, TransportConfig};
use serde_json::{Value, json};

const YAML: &str = "model_list:
  - model_name: m
    litellm_params:
      model: bedrock/amazon.nova-lite-v1:0
litellm_settings:
  num_retries: 2
";

struct Rig {
    mock: MockBedrock,
    gateway: Gateway,
}

/// A verifying mock with `setup`'s rules, and a gateway on it whose stream idle timeout is short.
async fn rig(setup: impl FnOnce(&MockBedrock)) -> Rig {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(SigV4Verifier::new(common::AKID, common::SECRET));
    setup(&mock);
    let env = common::env_for(&mock);
    let transport = HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        stream_idle_timeout: Duration::from_millis(400),
        ..TransportConfig::default()
    })
    .unwrap();
    let client = bedrock::Client::builder()
        .transport(transport.clone())
        .provider_config(ProviderConfig::new(Env::from_map(env.clone()), transport))
        .build()
        .unwrap();
    let config = Config::from_yaml_str(YAML, &env).unwrap();
    let gateway = Gateway::bind_with(
        config,
        "127.0.0.1:0".parse().unwrap(),
        Options {
            env: Some(env),
            client: Some(client),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    Rig { mock, gateway }
}

fn chat(stream: bool) -> Value {
    json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": stream})
}

fn ok_reply() -> Reply {
    Reply::ok(
        &json!({"output": {"message": {"role": "assistant", "content": [{"text": "fine"}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}),
    )
}

#[tokio::test]
async fn whole_body_faults_become_openai_errors_or_counted_retries() {
    let cases: Vec<(&str, Reply, u16, usize)> = vec![
        (
            "validation",
            Reply::error_with_suffix(
                400,
                "ValidationException",
                "Malformed input request, please reformat your input and try again.",
            ),
            400,
            1,
        ),
        (
            "context window",
            Reply::error(
                400,
                "ValidationException",
                "Input is too long for requested model.",
            ),
            400,
            1,
        ),
        (
            "access denied",
            Reply::error(
                403,
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
            ),
            403,
            1,
        ),
        (
            "not found",
            Reply::error(404, "ResourceNotFoundException", "no such model"),
            404,
            1,
        ),
        ("throttled always", Reply::throttled(), 429, 3),
        (
            "unavailable always",
            Reply::error(503, "ServiceUnavailableException", "down"),
            503,
            3,
        ),
        ("reset always", Reply::reset(), 500, 3),
        ("cut short always", ok_reply().cut_short_after(8), 500, 3),
    ];
    for (name, reply, status, attempts) in cases {
        let r = rig(|m| {
            m.on(RouteMatch::any(), reply);
        })
        .await;
        let resp = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(false)).await;
        assert_eq!(resp.status, status, "{name}: {}", resp.text());
        let body = resp.json();
        let error = &body["error"];
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}: {body}"
        );
        assert!(error.get("type").is_some(), "{name}: {body}");
        assert_eq!(r.mock.request_count(), attempts, "{name}");
        // The gateway is still up.
        let health =
            common::request(r.gateway.local_addr(), "GET", "/health/liveliness", &[], "").await;
        assert_eq!(health.status, 200, "{name}");
    }

    // Transient faults are retried (litellm_settings.num_retries) and the call succeeds.
    let transient: Vec<(&str, Vec<Reply>)> = vec![
        (
            "throttled twice",
            vec![Reply::throttled(), Reply::throttled()],
        ),
        ("reset once", vec![Reply::reset()]),
        (
            "503 once",
            vec![Reply::error(503, "ServiceUnavailableException", "x")],
        ),
    ];
    for (name, faults) in transient {
        let n = faults.len();
        let r = rig(|m| {
            for f in faults {
                m.on_times(RouteMatch::any(), 1, f);
            }
            m.on(RouteMatch::any(), ok_reply());
        })
        .await;
        let resp = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(false)).await;
        assert_eq!(resp.status, 200, "{name}: {}", resp.text());
        assert_eq!(resp.json()["choices"][0]["message"]["content"], "fine");
        assert_eq!(r.mock.request_count(), n + 1, "{name}");
    }
}

fn frames(n: usize) -> Vec<Frame> {
    let mut f = vec![Frame::event("messageStart", &json!({"role": "assistant"}))];
    for i in 0..n {
        f.push(Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": format!("{i},")}}),
        ));
    }
    f.push(Frame::event(
        "contentBlockStop",
        &json!({"contentBlockIndex": 0}),
    ));
    f.push(Frame::event(
        "messageStop",
        &json!({"stopReason": "end_turn"}),
    ));
    f.push(Frame::event(
        "metadata",
        &json!({"usage": {"inputTokens": 1, "outputTokens": n}}),
    ));
    f
}

/// The streamed text and the last SSE event of a reply body.
fn text_and_last(body: &str) -> (String, String) {
    let events = common::sse_events(body);
    let mut text = String::new();
    for e in &events {
        if let Ok(v) = serde_json::from_str::<Value>(e)
            && let Some(t) = v["choices"][0]["delta"]["content"].as_str()
        {
            text.push_str(t);
        }
    }
    (text, events.last().cloned().unwrap_or_default())
}

#[tokio::test]
async fn stream_faults_end_with_an_error_event_and_lose_no_chunk() {
    let n = 30;
    let expected: String = (0..n).map(|i| format!("{i},")).collect();
    let stream = RouteMatch::operation(Operation::ConverseStream);

    // Every byte its own write: the whole answer, then [DONE].
    let r = rig(|m| {
        m.on(stream.clone(), Reply::stream(frames(n)).split_every(1));
    })
    .await;
    let resp = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(true)).await;
    assert_eq!(resp.status, 200);
    let (text, last) = text_and_last(&resp.text());
    assert_eq!(text, expected);
    assert_eq!(last, "[DONE]");

    let whole: usize = frames(n).iter().map(|f| f.encode().len()).sum();
    let mut mid = frames(n);
    mid.insert(
        8,
        Frame::exception(
            "throttlingException",
            "Too many tokens, please wait before trying again.",
        ),
    );
    let mut crc = frames(n);
    crc[8] = crc[8].clone().with_corrupt_crc();
    let cases: Vec<(&str, Reply)> = vec![
        ("exception mid-stream", Reply::stream(mid)),
        ("corrupted crc", Reply::stream(crc)),
        (
            "cut short",
            Reply::stream(frames(n)).cut_short_after(whole / 2),
        ),
        ("stalled", Reply::stream(frames(n)).stall_after(whole / 2)),
    ];
    for (name, reply) in cases {
        let r = rig(|m| {
            m.on(stream.clone(), reply);
        })
        .await;
        let resp = tokio::time::timeout(
            Duration::from_secs(20),
            common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(true)),
        )
        .await
        .unwrap_or_else(|_| panic!("{name}: the gateway hung"));
        assert_eq!(resp.status, 200, "{name}");
        let (text, last) = text_and_last(&resp.text());
        assert!(
            expected.starts_with(&text) && !text.is_empty(),
            "{name}: {text}"
        );
        let last: Value =
            serde_json::from_str(&last).unwrap_or_else(|_| panic!("{name}: last event {last}"));
        assert!(
            last["error"]["message"].as_str().is_some(),
            "{name}: {last}"
        );
        assert_eq!(
            r.mock.request_count(),
            1,
            "{name}: a started stream is never retried"
        );
    }

    // An exception before any output is an ordinary JSON error with its status, not a 200 with
    // an error event: the gateway waits for the first chunk before it answers, as LiteLLM's
    // proxy does (checked against litellm 1.103.7: 429 `application/json`).
    let r = rig(|m| {
        m.on(
            stream.clone(),
            Reply::stream(vec![
                Frame::event("messageStart", &json!({"role": "assistant"})),
                Frame::exception(
                    "throttlingException",
                    "Too many tokens, please wait before trying again.",
                ),
            ]),
        );
    })
    .await;
    let resp = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(true)).await;
    assert_eq!(resp.status, 429, "{}", resp.text());
    assert_eq!(resp.header("content-type"), Some("application/json"));
    let error = &resp.json()["error"];
    assert_eq!(error["code"], "429");
    assert!(
        error["message"].as_str().is_some_and(
            |m| m.starts_with("litellm.RateLimitError:") && m.contains("Too many tokens")
        ),
        "{error}"
    );

    // A refused stream start is retried, then streams.
    let r = rig(|m| {
        m.on_times(stream.clone(), 1, Reply::throttled());
        m.on(stream.clone(), Reply::stream(frames(3)));
    })
    .await;
    let resp = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(true)).await;
    let (text, last) = text_and_last(&resp.text());
    assert_eq!((text.as_str(), last.as_str()), ("0,1,2,", "[DONE]"));
    assert_eq!(r.mock.request_count(), 2);
}

#[tokio::test]
async fn faults_do_not_leak_connections_to_bedrock() {
    let r = rig(|m| {
        m.on_times(
            RouteMatch::any(),
            3,
            Reply::error(400, "ValidationException", "bad"),
        );
        m.on(RouteMatch::any(), ok_reply());
    })
    .await;
    for _ in 0..30 {
        let _ = common::post(r.gateway.local_addr(), "/v1/chat/completions", &chat(false)).await;
    }
    assert_eq!(r.mock.request_count(), 30);
    // Sequential calls through the gateway share pooled connections to Bedrock.
    assert!(
        r.mock.connection_count() <= 2,
        "{} connections",
        r.mock.connection_count()
    );
}

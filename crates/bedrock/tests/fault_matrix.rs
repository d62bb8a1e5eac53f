#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The fault matrix over the client: for every fault the testkit injects, the specified typed
//! error and status, or a successful retry with its attempt count; no panic, no lost chunk, no
//! connection leaked; and a bounded soak during which credentials expire and are refreshed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bedrock::Client;
use bedrock::types::{ChatCompletionRequest, ErrorKind, Secret};
use bedrock_auth::{
    AuthError, Credentials, Env, ManualClock, ProvideCredentials, ProviderConfig, SigV4Authorizer,
};
use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::mock::{MockBedrock, Operation, Reply, RouteMatch};
use bedrock_testkit::sigv4::SigV4Verifier;
use bedrock_transport::{HttpTransport, ProxyConfig, TransportConfig};
use futures_util::StreamExt;
use serde_json::json;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn client(mock: &MockBedrock, config: TransportConfig) -> Client {
    let transport = HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..config
    })
    .unwrap();
    let env = Env::from_map([
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-east-1"),
    ]);
    Client::builder()
        .transport(transport.clone())
        .provider_config(ProviderConfig::new(env, transport))
        .endpoint(mock.url())
        .build()
        .unwrap()
}

fn chat(retries: u32, timeout: Option<f64>) -> ChatCompletionRequest {
    let mut r = json!({"model": "bedrock/amazon.nova-lite-v1:0",
        "messages": [{"role": "user", "content": "hi"}], "num_retries": retries});
    if let Some(t) = timeout {
        r["timeout"] = json!(t);
    }
    serde_json::from_value(r).unwrap()
}

fn ok_reply() -> Reply {
    Reply::ok(
        &json!({"output": {"message": {"role": "assistant", "content": [{"text": "fine"}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}),
    )
}

/// What a fault must produce.
enum Expect {
    /// This error kind and status, after exactly `attempts` requests.
    Error(ErrorKind, u16, usize),
    /// Success after `attempts` requests.
    Retried(usize),
}

#[tokio::test]
async fn every_whole_body_fault_gives_its_typed_error_or_a_counted_retry() {
    let cases: Vec<(&str, Reply, Expect)> = vec![
        (
            "validation",
            Reply::error(
                400,
                "ValidationException",
                "Malformed input request, please reformat your input and try again.",
            ),
            Expect::Error(ErrorKind::BadRequest, 400, 1),
        ),
        (
            "validation with suffix",
            Reply::error_with_suffix(
                400,
                "ValidationException",
                "The provided model identifier is invalid.",
            ),
            Expect::Error(ErrorKind::BadRequest, 400, 1),
        ),
        (
            "context window",
            Reply::error(
                400,
                "ValidationException",
                "Input is too long for requested model.",
            ),
            Expect::Error(ErrorKind::ContextWindowExceeded, 400, 1),
        ),
        (
            "access denied",
            Reply::error(
                403,
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
            ),
            Expect::Error(ErrorKind::PermissionDenied, 403, 1),
        ),
        (
            "expired token",
            Reply::error(
                403,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
            Expect::Error(ErrorKind::Authentication, 403, 1),
        ),
        (
            "not found",
            Reply::error(404, "ResourceNotFoundException", "Model not found"),
            Expect::Error(ErrorKind::NotFound, 404, 1),
        ),
        (
            "quota",
            Reply::error(400, "ServiceQuotaExceededException", "quota"),
            Expect::Error(ErrorKind::BadRequest, 400, 1),
        ),
        (
            "throttled always",
            Reply::throttled(),
            Expect::Error(ErrorKind::RateLimit, 429, 3),
        ),
        (
            "model error",
            Reply::error(424, "ModelErrorException", "The model returned an error"),
            Expect::Error(ErrorKind::BadRequest, 424, 1),
        ),
        (
            "internal always",
            Reply::error(500, "InternalServerException", "oops"),
            // LiteLLM's ServiceUnavailableError: 503.
            Expect::Error(ErrorKind::ServiceUnavailable, 503, 3),
        ),
        (
            "unavailable always",
            Reply::error(503, "ServiceUnavailableException", "down"),
            Expect::Error(ErrorKind::ServiceUnavailable, 503, 3),
        ),
        (
            "reset always",
            Reply::reset(),
            Expect::Error(ErrorKind::ApiConnection, 500, 3),
        ),
        (
            "cut short always",
            ok_reply().cut_short_after(10),
            Expect::Error(ErrorKind::ApiConnection, 500, 3),
        ),
    ];
    for (name, reply, expect) in cases {
        let mock = MockBedrock::start().await.unwrap();
        mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
        mock.on(RouteMatch::any(), reply);
        let c = client(&mock, TransportConfig::default());
        let result = c.completion(chat(2, None)).await;
        match expect {
            Expect::Error(kind, status, attempts) => {
                let err = result.expect_err(name);
                assert_eq!(err.kind(), kind, "{name}: {err:?}");
                assert_eq!(err.status(), status, "{name}: {err:?}");
                assert_eq!(mock.request_count(), attempts, "{name}");
            }
            Expect::Retried(_) => unreachable!(),
        }
    }

    // Transient faults on the first attempts, then success: the attempts are counted.
    let transient: Vec<(&str, Vec<Reply>, Expect)> = vec![
        (
            "throttled twice",
            vec![Reply::throttled(), Reply::throttled()],
            Expect::Retried(3),
        ),
        (
            "503 then 500",
            vec![
                Reply::error(503, "ServiceUnavailableException", "x"),
                Reply::error(500, "InternalServerException", "y"),
            ],
            Expect::Retried(3),
        ),
        (
            "model not ready",
            vec![Reply::error(
                429,
                "ModelNotReadyException",
                "Model is not ready",
            )],
            Expect::Retried(2),
        ),
        ("reset once", vec![Reply::reset()], Expect::Retried(2)),
        (
            "cut short once",
            vec![ok_reply().cut_short_after(5)],
            Expect::Retried(2),
        ),
        (
            "latency once",
            vec![ok_reply().with_latency(Duration::from_secs(3))],
            Expect::Retried(2),
        ),
    ];
    for (name, faults, expect) in transient {
        let mock = MockBedrock::start().await.unwrap();
        mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
        for f in faults {
            mock.on_times(RouteMatch::any(), 1, f);
        }
        mock.on(RouteMatch::any(), ok_reply());
        let c = client(&mock, TransportConfig::default());
        let resp = c
            .completion(chat(3, Some(0.5)))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let Expect::Retried(attempts) = expect else {
            unreachable!()
        };
        assert_eq!(resp.meta.attempts as usize, attempts, "{name}");
        assert_eq!(mock.request_count(), attempts, "{name}");
        assert_eq!(resp.choices[0].message.content.as_deref(), Some("fine"));
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
        &json!({"usage": {"inputTokens": 1, "outputTokens": n}, "metrics": {"latencyMs": 1}}),
    ));
    f
}

fn expected_text(n: usize) -> String {
    (0..n).map(|i| format!("{i},")).collect()
}

/// Collect a stream: the text, and the error that ended it, if any.
async fn drain(c: &Client, retries: u32) -> (String, Option<bedrock::types::Error>) {
    let mut stream = match c.completion_stream(chat(retries, None)).await {
        Ok(s) => s,
        Err(e) => return (String::new(), Some(e)),
    };
    let mut text = String::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => {
                if let Some(t) = chunk.choices.first().and_then(|c| c.delta.content.clone()) {
                    text.push_str(&t);
                }
            }
            Err(e) => return (text, Some(e)),
        }
    }
    (text, None)
}

#[tokio::test]
async fn every_stream_fault_gives_its_typed_error_and_no_chunk_is_lost() {
    let n = 40;
    let whole: usize = frames(n).iter().map(|f| f.encode().len()).sum();
    let stream_route = RouteMatch::operation(Operation::ConverseStream);

    // Split at every byte boundary: every chunk arrives, in order.
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
    mock.on(
        stream_route.clone(),
        Reply::stream(frames(n)).split_every(1),
    );
    let (text, err) = drain(&client(&mock, TransportConfig::default()), 0).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text, expected_text(n));

    let mut mid = frames(n);
    mid.insert(
        11,
        Frame::exception(
            "throttlingException",
            "Too many tokens, please wait before trying again.",
        ),
    );
    let mut crc = frames(n);
    crc[11] = crc[11].clone().with_corrupt_crc();
    let cases: Vec<(&str, Reply, ErrorKind, u16)> = vec![
        (
            "exception mid-stream",
            Reply::stream(mid),
            ErrorKind::RateLimit,
            429,
        ),
        (
            "corrupted crc",
            Reply::stream(crc),
            ErrorKind::ApiConnection,
            500,
        ),
        (
            "cut short",
            Reply::stream(frames(n)).cut_short_after(whole / 2),
            ErrorKind::ApiConnection,
            500,
        ),
        (
            "stalled",
            Reply::stream(frames(n)).stall_after(whole / 2),
            ErrorKind::Timeout,
            408,
        ),
    ];
    for (name, reply, kind, status) in cases {
        let mock = MockBedrock::start().await.unwrap();
        mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
        mock.on(stream_route.clone(), reply);
        let c = client(
            &mock,
            TransportConfig {
                stream_idle_timeout: Duration::from_millis(300),
                ..TransportConfig::default()
            },
        );
        let (text, err) = drain(&c, 3).await;
        let err = err.unwrap_or_else(|| panic!("{name}: the stream ended without an error"));
        assert_eq!(err.kind(), kind, "{name}: {err:?}");
        assert_eq!(err.status(), status, "{name}: {err:?}");
        // What arrived before the fault is an exact prefix: nothing lost, nothing repeated.
        assert!(expected_text(n).starts_with(&text), "{name}: {text}");
        assert!(!text.is_empty(), "{name}");
        // Data was delivered, so no retry.
        assert_eq!(mock.request_count(), 1, "{name}");
    }

    // A JSON error instead of a stream is typed, and retried only while retryable.
    let mock = MockBedrock::start().await.unwrap();
    mock.on_times(
        stream_route.clone(),
        1,
        Reply::error(503, "ServiceUnavailableException", "x"),
    );
    mock.on(
        stream_route.clone(),
        Reply::error(400, "ValidationException", "bad"),
    );
    let (_, err) = drain(&client(&mock, TransportConfig::default()), 3).await;
    let err = err.unwrap();
    assert_eq!((err.kind(), err.status()), (ErrorKind::BadRequest, 400));
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection_and_resets_do_not_leak() {
    let mock = MockBedrock::start().await.unwrap();
    let m = RouteMatch::any();
    mock.on_times(m.clone(), 1, Reply::reset());
    mock.on(m, ok_reply());
    let c = client(&mock, TransportConfig::default());
    for _ in 0..20 {
        c.completion(chat(1, None)).await.unwrap();
    }
    // One connection died with the reset; every later call shares one pooled connection.
    assert_eq!(mock.request_count(), 21);
    assert!(
        mock.connection_count() <= 2,
        "{} connections",
        mock.connection_count()
    );
}

/// Credentials that expire ten (clock) minutes after they are issued; counts issues.
#[derive(Debug)]
struct Expiring {
    clock: ManualClock,
    issued: AtomicUsize,
}

#[async_trait]
impl ProvideCredentials for Expiring {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let now = bedrock_auth::TimeSource::now(&self.clock);
        Ok(Credentials::new(
            AKID,
            SECRET,
            Some(Secret::new(format!("session-token-{n}"))),
            Some(now + Duration::from_secs(600)),
        ))
    }
}

#[tokio::test]
async fn soak_with_credentials_expiring_and_refreshing_under_concurrency() {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
    mock.on(RouteMatch::any(), ok_reply());
    let clock = ManualClock::new(SystemTime::now());
    let provider = Arc::new(Expiring {
        clock: clock.clone(),
        issued: AtomicUsize::new(0),
    });
    let transport = HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..TransportConfig::default()
    })
    .unwrap();
    let cfg = ProviderConfig::new(
        Env::from_map([("AWS_REGION", "us-east-1")]),
        transport.clone(),
    )
    .with_clock(clock.clone());
    let client = Client::builder()
        .transport(transport)
        .authorizer(Arc::new(SigV4Authorizer::with_provider(
            cfg,
            provider.clone(),
        )))
        .endpoint(mock.url())
        .build()
        .unwrap();
    // 8 rounds × 25 concurrent calls; between rounds the clock jumps 6 minutes, past the
    // refresh margin, so every round starts with stale credentials.
    let rounds = 8;
    for _ in 0..rounds {
        let calls: Vec<_> = (0..25)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move { c.completion(chat(0, None)).await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        clock.advance(Duration::from_secs(360));
    }
    let issued = provider.issued.load(Ordering::SeqCst);
    // Refreshed once per round at most (single flight), and at least every other round.
    assert!(
        issued >= rounds / 2 && issued <= rounds + 1,
        "issued {issued}"
    );
    let tokens: std::collections::HashSet<String> = mock
        .requests()
        .iter()
        .map(|r| r.header("x-amz-security-token").unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), issued);
    assert_eq!(mock.request_count(), rounds * 25);
}

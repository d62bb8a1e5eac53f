//! Shared test helpers: the mock Bedrock, a gateway in front of it, and a raw HTTP client.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bedrock_gateway::config::Config;
use bedrock_gateway::{Gateway, Options};
use bedrock_testkit::MockBedrock;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

pub const AKID: &str = "AKIDGATEWAYTEST";
pub const SECRET: &str = "gateway-test-secret";

/// The environment the gateway's client sees: the mock as every endpoint, static keys, no IMDS.
pub fn env_for(mock: &MockBedrock) -> HashMap<String, String> {
    [
        ("AWS_ENDPOINT_URL", mock.url()),
        ("AWS_ACCESS_KEY_ID", AKID.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ("AWS_REGION_NAME", "us-east-1".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("HOME", "/nonexistent-gateway-test-home".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub struct Harness {
    pub mock: MockBedrock,
    pub gateway: Gateway,
}

impl Harness {
    pub fn addr(&self) -> SocketAddr {
        self.gateway.local_addr()
    }
}

/// A mock with canned answers and a gateway serving `yaml` (env refs read `extra_env` first).
pub async fn start(yaml: &str) -> Harness {
    start_with(yaml, &[], Options::default()).await
}

pub async fn start_with(yaml: &str, extra_env: &[(&str, &str)], options: Options) -> Harness {
    let mock = MockBedrock::start().await.unwrap();
    mock.canned_answers();
    let mut env = env_for(&mock);
    for (k, v) in extra_env {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = if yaml.is_empty() {
        Config::passthrough()
    } else {
        Config::from_yaml_str(yaml, &env).unwrap()
    };
    let gateway = Gateway::bind_with(
        config,
        "127.0.0.1:0".parse().unwrap(),
        Options {
            env: Some(env),
            ..options
        },
    )
    .await
    .unwrap();
    Harness { mock, gateway }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn sender(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

fn build(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> http::Request<Full<Bytes>> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, addr.to_string());
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(body)).unwrap()
}

/// One request on a fresh connection; the whole reply.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Reply {
    let mut s = sender(addr).await;
    let resp = s
        .send_request(build(addr, method, path, headers, body.into()))
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// POST JSON with `Content-Type: application/json`.
pub async fn post(addr: SocketAddr, path: &str, body: &Value) -> Reply {
    request(
        addr,
        "POST",
        path,
        &[("content-type", "application/json")],
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

/// POST and collect the body frames with their arrival times.
pub async fn post_frames(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, http::HeaderMap, Vec<(Duration, Bytes)>) {
    let mut s = sender(addr).await;
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let start = Instant::now();
    let resp = s
        .send_request(build(
            addr,
            "POST",
            path,
            &all,
            Bytes::from(serde_json::to_vec(body).unwrap()),
        ))
        .await
        .unwrap();
    let (parts, mut body) = resp.into_parts();
    let mut frames = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            frames.push((start.elapsed(), data));
        }
    }
    (parts.status.as_u16(), parts.headers, frames)
}

/// The SSE events (`data:` payloads) of a body, checking the framing on the way.
pub fn sse_events(body: &str) -> Vec<String> {
    assert!(
        body.ends_with("\n\n"),
        "SSE body must end with a blank line: {body:?}"
    );
    body.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|e| {
            let payload = e
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("every event is one `data: ` line, got {e:?}"));
            assert!(!payload.contains('\n'), "one line per event: {e:?}");
            payload.to_owned()
        })
        .collect()
}

/// The seed docs' config (LiteLLM's Bedrock pages), with `os.environ/` credentials.
pub const SEED_CONFIG: &str = r#"
model_list:
  - model_name: bedrock-claude-3-5-sonnet
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: os.environ/AWS_REGION_NAME
  - model_name: bedrock-claude-v1
    litellm_params:
      model: bedrock/anthropic.claude-instant-v1
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: os.environ/AWS_REGION_NAME
  - model_name: "bedrock-claude"
    litellm_params:
      model: "bedrock/anthropic.claude-instant-v1"
      user_continue_message: {"role": "user", "content": "Please continue"}
  - model_name: DeepSeek-R1-Distill-Llama-70B
    litellm_params:
      model: bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n
  - model_name: DeepSeek-Llama
    litellm_params:
      model: bedrock/llama/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n
  - model_name: Qwen3-32B
    litellm_params:
      model: bedrock/qwen3/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen3-model
  - model_name: Qwen2-72B
    litellm_params:
      model: bedrock/qwen2/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen2-model
  - model_name: qwen-25vl-72b
    litellm_params:
      model: bedrock/openai/arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z
  - model_name: kimi-k2
    litellm_params:
      model: bedrock/moonshot.kimi-k2-thinking
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: us-west-2
  - model_name: bedrock-agent-1
    litellm_params:
      model: bedrock/agent/L1RT58GYRW/MFPSBCXYTW
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: us-west-2
      invocationId: my-test-invocation-id
  - model_name: bedrock-agent-2
    litellm_params:
      model: bedrock/agent/AGENT456/ALIAS789
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: us-east-1
  - model_name: titan-embed
    litellm_params:
      model: bedrock/amazon.titan-embed-text-v2:0
  - model_name: cohere-embed
    litellm_params:
      model: bedrock/cohere.embed-english-v3
  - model_name: nova-canvas
    litellm_params:
      model: bedrock/amazon.nova-canvas-v1:0
  - model_name: cohere-rerank
    litellm_params:
      model: bedrock/cohere.rerank-v3-5:0
  - model_name: claude-tools
    litellm_params:
      model: bedrock/anthropic.claude-3-sonnet-20240229-v1:0

litellm_settings:
  modify_params: true

general_settings:
  master_key: sk-1234
"#;

use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::{Operation, Reply as MockReply, RouteMatch};
use serde_json::json;

/// A Converse reply that calls `get_current_weather`.
pub fn tool_reply() -> MockReply {
    MockReply::ok(&json!({
        "output": {"message": {"role": "assistant", "content": [
            {"text": "Let me check."},
            {"toolUse": {"toolUseId": "tooluse_weather1", "name": "get_current_weather",
                         "input": {"location": "Boston, MA", "unit": "celsius"}}}
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 12, "outputTokens": 7, "totalTokens": 19}
    }))
}

/// The same tool call as a ConverseStream, arguments split across deltas.
pub fn tool_stream_reply() -> MockReply {
    MockReply::stream(vec![
        Frame::event("messageStart", &json!({"role": "assistant"})),
        Frame::event(
            "contentBlockStart",
            &json!({"contentBlockIndex": 0, "start": {"toolUse": {
                "toolUseId": "tooluse_weather1", "name": "get_current_weather"}}}),
        ),
        Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"location\": "}}}),
        ),
        Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "\"Boston, MA\"}"}}}),
        ),
        Frame::event("contentBlockStop", &json!({"contentBlockIndex": 0})),
        Frame::event("messageStop", &json!({"stopReason": "tool_use"})),
        Frame::event(
            "metadata",
            &json!({"usage": {"inputTokens": 12, "outputTokens": 7, "totalTokens": 19},
                    "metrics": {"latencyMs": 1}}),
        ),
    ])
}

/// A ConverseStream of `n` text deltas `"0 "`, `"1 "`, …, then `messageStop`.
pub fn counting_stream(n: usize) -> Vec<Frame> {
    std::iter::once(Frame::event("messageStart", &json!({"role": "assistant"})))
        .chain((0..n).map(|i| {
            Frame::event(
                "contentBlockDelta",
                &json!({"contentBlockIndex": 0, "delta": {"text": format!("{i} ")}}),
            )
        }))
        .chain([Frame::event(
            "messageStop",
            &json!({"stopReason": "end_turn"}),
        )])
        .collect()
}

/// A ConverseStream that fails after its first text delta.
pub fn failing_stream_reply() -> MockReply {
    MockReply::stream(vec![
        Frame::event("messageStart", &json!({"role": "assistant"})),
        Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "partial "}}),
        ),
        Frame::exception("modelStreamErrorException", "the model stream broke"),
    ])
}

/// Route tool calls for `model_id` on both Converse operations.
pub fn serve_tools(mock: &MockBedrock, model_id: &str) {
    mock.on(
        RouteMatch::model(Operation::Converse, model_id),
        tool_reply(),
    );
    mock.on(
        RouteMatch::model(Operation::ConverseStream, model_id),
        tool_stream_reply(),
    );
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The official OpenAI Python SDK (`openai`, installed by `scripts/test` into `.venv`) drives
//! the gateway on the mock Bedrock: chat, streaming, tools, text completions, embeddings,
//! images, rerank (the SDK's generic POST), models and errors. `BEDROCK_TEST_PYTHON` names the interpreter; the test fails
//! without it (CI always sets it).

mod common;

use std::time::Duration;

use bedrock_testkit::{Operation, Reply, RouteMatch};
use serde_json::Value;

const CONFIG: &str = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
  - model_name: claude-tools
    litellm_params:
      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
  - model_name: throttled
    litellm_params:
      model: bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0
  - model_name: invalid
    litellm_params:
      model: bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0
  - model_name: broken-stream
    litellm_params:
      model: bedrock/converse/us.amazon.nova-pro-v1:0
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
general_settings:
  master_key: sk-1234
"#;

fn python() -> String {
    std::env::var("BEDROCK_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "BEDROCK_TEST_PYTHON is not set: these tests drive the gateway with the official \
             OpenAI Python SDK. Run ./scripts/test (it creates .venv with \
             scripts/test-requirements.txt and sets the variable), or: \
             python3 -m venv .venv && .venv/bin/pip install -r scripts/test-requirements.txt && \
             BEDROCK_TEST_PYTHON=$PWD/.venv/bin/python cargo test -p bedrock-gateway"
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_python_sdk_against_the_gateway() {
    let python = python();
    let h = common::start(CONFIG).await;
    common::serve_tools(&h.mock, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    h.mock.on(
        RouteMatch::model(
            Operation::Converse,
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
        Reply::throttled(),
    );
    h.mock.on(
        RouteMatch::model(
            Operation::ConverseStream,
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
        Reply::throttled(),
    );
    h.mock.on(
        RouteMatch::model(
            Operation::Converse,
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        ),
        Reply::error(
            400,
            "ValidationException",
            "The model returned the following errors: bad input",
        ),
    );
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, "us.amazon.nova-pro-v1:0"),
        common::failing_stream_reply(),
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/openai_sdk.py");
    let run = tokio::process::Command::new(&python)
        .arg(script)
        .arg(h.gateway.url())
        .arg("sk-1234")
        .env("NO_PROXY", "*")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the SDK script finished in time")
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the OpenAI SDK script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    println!("{stdout}");

    // What the SDK sent reached Bedrock as the SDK call put it.
    let requests = h.mock.requests();
    let provider = requests
        .iter()
        .filter_map(|r| r.json())
        .find(|b: &Value| b.to_string().contains("provider params"))
        .expect("the provider-params call reached the mock");
    assert_eq!(provider["additionalModelRequestFields"]["top_k"], 1);
    assert_eq!(provider["requestMetadata"]["user_id"], "user123");
    assert_eq!(provider["performanceConfig"]["latency"], "optimized");
    assert_eq!(provider["serviceTier"]["type"], "priority");
    let first = requests.iter().find_map(|r| r.json()).unwrap();
    assert_eq!(first["inferenceConfig"]["temperature"], 0.7);
    assert_eq!(first["inferenceConfig"]["topP"], 1.0);
}

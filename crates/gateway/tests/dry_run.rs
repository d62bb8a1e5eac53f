#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! `dry-run`: the exact Bedrock request, signature redacted, nothing sent.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

use bedrock_gateway::config::Config;
use bedrock_gateway::dry_run::{DryRunOptions, Endpoint, dry_run};
use serde_json::{Value, json};

fn env(extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut m: HashMap<String, String> = [
        ("AWS_ACCESS_KEY_ID", "AKIDDRYRUNTEST"),
        ("AWS_SECRET_ACCESS_KEY", "dry-run-secret"),
        ("AWS_REGION_NAME", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("HOME", "/nonexistent-dry-run-home"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in extra {
        m.insert((*k).to_owned(), (*v).to_owned());
    }
    m
}

const CONFIG: &str = r#"
model_list:
  - model_name: claude-profile
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
      model_id: arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0
      temperature: 0.3
  - model_name: claude-key
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
      api_key: os.environ/BEDROCK_KEY
  - model_name: titan-embed
    litellm_params:
      model: bedrock/amazon.titan-embed-text-v2:0
"#;

async fn run(body: Value, extra_env: &[(&str, &str)]) -> Value {
    let e = env(extra_env);
    let config = Config::from_yaml_str(CONFIG, &e).unwrap();
    let out = dry_run(
        &serde_json::to_vec(&body).unwrap(),
        None,
        &config,
        &DryRunOptions {
            env: Some(e),
            placeholder_credentials: false,
        },
    )
    .await
    .unwrap();
    assert!(!out.placeholder_credentials);
    out.request
}

#[tokio::test]
async fn chat_request_with_model_id_is_signed_and_redacted() {
    let r = run(
        json!({"model": "claude-profile", "messages": [{"role": "user", "content": "Hello, how are you?"}],
               "requestMetadata": {"cost_center": "engineering"},
               "extra_headers": {"anthropic-beta": "context-1m-2025-08-07"}}),
        &[],
    )
    .await;
    assert_eq!(r["method"], "POST");
    // The ARN's region wins; the ARN is percent-encoded once in the path.
    assert_eq!(
        r["url"],
        "https://bedrock-runtime.eu-central-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A000000000000%3Aapplication-inference-profile%2Fa0a0a0a0a0a0/converse"
    );
    let auth = r["headers"]["authorization"].as_str().unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDDRYRUNTEST/"),
        "{auth}"
    );
    assert!(
        auth.contains("/eu-central-1/bedrock/aws4_request"),
        "{auth}"
    );
    assert!(auth.ends_with("Signature=REDACTED"), "{auth}");
    assert!(r["headers"]["x-amz-date"].is_string());
    assert_eq!(r["headers"]["anthropic-beta"], "context-1m-2025-08-07");
    let body = &r["body"];
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "Hello, how are you?"
    );
    assert_eq!(body["inferenceConfig"]["temperature"], 0.3);
    assert_eq!(body["requestMetadata"]["cost_center"], "engineering");
    assert!(!r.to_string().contains("dry-run-secret"));
}

#[tokio::test]
async fn session_token_bearer_stream_and_embeddings() {
    let r = run(
        json!({"model": "bedrock/us.amazon.nova-pro-v1:0", "stream": true,
               "messages": [{"role": "user", "content": "hi"}]}),
        &[("AWS_SESSION_TOKEN", "session-token-secret")],
    )
    .await;
    assert!(
        r["url"]
            .as_str()
            .unwrap()
            .ends_with("/model/us.amazon.nova-pro-v1%3A0/converse-stream"),
        "{r}"
    );
    assert_eq!(r["headers"]["x-amz-security-token"], "REDACTED");
    assert!(!r.to_string().contains("session-token-secret"));

    let r = run(
        json!({"model": "claude-key", "messages": [{"role": "user", "content": "hi"}]}),
        &[("BEDROCK_KEY", "bedrock-api-key-secret")],
    )
    .await;
    assert_eq!(r["headers"]["authorization"], "Bearer REDACTED");
    assert!(!r.to_string().contains("bedrock-api-key-secret"));

    let r = run(
        json!({"model": "titan-embed", "input": ["good morning from litellm"]}),
        &[],
    )
    .await;
    assert_eq!(
        r["url"],
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke"
    );
    assert_eq!(r["body"]["inputText"], "good morning from litellm");

    let r = run(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "a cat", "n": 1}),
        &[],
    )
    .await;
    // The image path keeps the id's `:` as is (the client's image route; both forms reach
    // the same model).
    let url = r["url"].as_str().unwrap();
    assert!(
        url.starts_with(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-canvas-v1"
        ) && url.ends_with("/invoke"),
        "{r}"
    );
    assert_eq!(r["body"]["textToImageParams"]["text"], "a cat");

    let r = run(
        json!({"model": "bedrock/cohere.rerank-v3-5:0", "query": "which one?", "documents": ["a", "b"], "top_n": 1}),
        &[],
    )
    .await;
    // Rerank goes to the Rerank API or InvokeModel, as the client routes the model.
    let url = r["url"].as_str().unwrap();
    assert!(url.ends_with("/rerank") || url.ends_with("/invoke"), "{r}");
    assert!(r["body"].to_string().contains("which one?"), "{r}");

    // A prompt for a text model is a text completion over chat.
    let r = run(
        json!({"model": "bedrock/us.amazon.nova-pro-v1:0", "prompt": "say hi"}),
        &[],
    )
    .await;
    assert!(r["url"].as_str().unwrap().ends_with("/converse"), "{r}");
}

#[tokio::test]
async fn without_credentials_placeholder_keys_sign() {
    let config = Config::passthrough();
    let out = dry_run(
        br#"{"model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0", "messages": [{"role": "user", "content": "x"}]}"#,
        Some(Endpoint::Chat),
        &config,
        &DryRunOptions {
            env: Some(
                [("AWS_EC2_METADATA_DISABLED", "true"), ("HOME", "/nonexistent-dry-run-home"), ("AWS_REGION", "us-west-2")]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            ),
            placeholder_credentials: true,
        },
    )
    .await
    .unwrap();
    assert!(out.placeholder_credentials);
    let auth = out.request["headers"]["authorization"].as_str().unwrap();
    assert!(auth.contains("Credential=AKIDDRYRUNEXAMPLE/"), "{auth}");
    assert!(
        out.request["url"]
            .as_str()
            .unwrap()
            .starts_with("https://bedrock-runtime.us-west-2.amazonaws.com/")
    );
}

#[tokio::test]
async fn dry_run_errors_are_the_gateway_errors() {
    let config = Config::from_yaml_str(CONFIG, &env(&[])).unwrap();
    let e = dry_run(b"{not json", None, &config, &DryRunOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 400);
    let e = dry_run(
        br#"{"model": "nope", "messages": []}"#,
        None,
        &config,
        &DryRunOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        e.message().contains("Invalid model name"),
        "{}",
        e.message()
    );
}

#[test]
fn the_binary_prints_one_json_object() {
    let dir = std::env::temp_dir().join(format!("gw-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("config.yaml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedrock-gateway"))
        .args(["dry-run", "--config"])
        .arg(&cfg)
        .env_clear()
        .envs(env(&[]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"model": "claude-profile", "messages": [{"role": "user", "content": "what llm are you"}]}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["method", "url", "headers", "body"]);
    assert!(
        v["url"]
            .as_str()
            .unwrap()
            .contains("/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A")
    );
    assert!(
        v["headers"]["authorization"]
            .as_str()
            .unwrap()
            .ends_with("Signature=REDACTED")
    );
    assert_eq!(
        v["body"]["messages"][0]["content"][0]["text"],
        "what llm are you"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The seed docs' curl examples, sent as raw HTTP (the same method, path, headers and body
//! bytes curl sends) to the gateway serving the seed docs' config, on the mock Bedrock.
//!
//! Three docs put a `# 👈 the 'model_name' in config` remark and a trailing comma inside the
//! JSON they pass to `--data`; LiteLLM's proxy answers those bytes with 400 "Invalid JSON
//! payload", and so does the gateway (checked below). The remark is the docs' annotation, so
//! the working requests send the body without it.

mod common;

use bedrock_testkit::{Operation, Reply, RouteMatch};
use common::{SEED_CONFIG, request, sse_events, start};
use serde_json::{Value, json};

const DEEPSEEK_ARN: &str = "arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n";
const QWEN3_ARN: &str = "arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen3-model";
const QWEN2_ARN: &str = "arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen2-model";
const OPENAI_ARN: &str = "arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z";

/// Replies shaped like each imported family's real ones (from the transform's fixtures).
fn serve_families(mock: &bedrock_testkit::MockBedrock) {
    mock.on(
        RouteMatch::model(Operation::Invoke, DEEPSEEK_ARN),
        Reply::ok(
            &json!({"generation": "Thinking.\n</think>\n\nI am DeepSeek R1.",
            "prompt_token_count": 6, "generation_token_count": 8, "stop_reason": "stop"}),
        ),
    );
    mock.on(
        RouteMatch::model(Operation::Invoke, QWEN3_ARN),
        Reply::ok(
            &json!({"generation": "I am Qwen3.<|im_end|>", "prompt_token_count": 6,
            "generation_token_count": 4, "stop_reason": "stop"}),
        ),
    );
    mock.on(
        RouteMatch::model(Operation::Invoke, QWEN2_ARN),
        Reply::ok(&json!({"text": "I am Qwen2.",
            "usage": {"prompt_tokens": 6, "completion_tokens": 4, "total_tokens": 10}})),
    );
    mock.on(
        RouteMatch::model(Operation::Invoke, OPENAI_ARN),
        Reply::ok(
            &json!({"id": "chatcmpl-imported", "object": "chat.completion", "created": 1,
            "model": OPENAI_ARN, "choices": [{"index": 0, "message": {"role": "assistant",
            "content": "I am Qwen 2.5 VL."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 6, "completion_tokens": 6, "total_tokens": 12}}),
        ),
    );
    mock.on(
        RouteMatch::model(Operation::Invoke, "moonshot.kimi-k2-thinking"),
        Reply::ok(
            &json!({"id": "chatcmpl-kimi", "object": "chat.completion", "created": 1,
            "model": "moonshot.kimi-k2-thinking", "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "<reasoning>Two plus two.</reasoning>\n\n2 + 2 = 4."},
            "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 9, "total_tokens": 19}}),
        ),
    );
    mock.on(
        RouteMatch::model(Operation::Invoke, "anthropic.claude-instant-v1"),
        Reply::ok(
            &json!({"completion": " I am Claude Instant.", "stop_reason": "stop_sequence",
            "stop": "\n\nHuman:"}),
        ),
    );
    // Both models take the Converse route by default.
    mock.on(
        RouteMatch::model(Operation::Converse, "anthropic.claude-instant-v1"),
        Reply::ok(
            &json!({"output": {"message": {"role": "assistant", "content": [
            {"text": "I am Claude Instant."}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 4, "outputTokens": 4, "totalTokens": 8}}),
        ),
    );
    mock.on(
        RouteMatch::model(Operation::Converse, "moonshot.kimi-k2-thinking"),
        Reply::ok(
            &json!({"output": {"message": {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "Two plus two."}}},
            {"text": "2 + 2 = 4."}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 10, "outputTokens": 9, "totalTokens": 19}}),
        ),
    );
}

async fn curl(addr: std::net::SocketAddr, path: &str, auth: bool, data: &str) -> common::Reply {
    let mut headers = vec![("Content-Type", "application/json")];
    if auth {
        headers.push(("Authorization", "Bearer sk-1234"));
    }
    request(addr, "POST", path, &headers, data.to_owned()).await
}

fn answer(r: &common::Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn bedrock_page_curl_examples() {
    // The Bedrock page's config has no master key, and its first curl sends none.
    let no_key = SEED_CONFIG.replace("general_settings:\n  master_key: sk-1234\n", "");
    let h = start(&no_key).await;
    serve_families(&h.mock);
    let r = curl(
        h.addr(),
        "/chat/completions",
        false,
        r#" {
      "model": "bedrock-claude-v1",
      "messages": [
        {
          "role": "user",
          "content": "what llm are you"
        }
      ]
    }
"#,
    )
    .await;
    assert_eq!(answer(&r), "I am Claude Instant.");
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.model_id(), Some("anthropic.claude-instant-v1"));
    assert!(String::from_utf8_lossy(&sent.body).contains("what llm are you"));

    // "Alternate user/assistant messages": an assistant-only conversation with the entry's
    // user_continue_message.
    let r = curl(
        h.addr(),
        "/chat/completions",
        true,
        r#"{
    "model": "bedrock-claude",
    "messages": [{"role": "assistant", "content": "Hey, how's it going?"}]
}"#,
    )
    .await;
    assert_eq!(answer(&r), "I am Claude Instant.");
    let sent = h.mock.last_request().unwrap().json().unwrap();
    let first = sent["messages"][0].to_string();
    assert!(first.contains("Please continue"), "{sent}");
}

#[tokio::test]
async fn imported_models_page_curl_examples() {
    let h = start(SEED_CONFIG).await;
    serve_families(&h.mock);
    let a = h.addr();
    // Verbatim, the docs' body is not JSON (a `#` remark and a trailing comma).
    let verbatim = r#"{
"model": "DeepSeek-R1-Distill-Llama-70B", # 👈 the 'model_name' in config
"messages": [
{
"role": "user",
"content": "what llm are you"
}
],
}"#;
    let r = curl(a, "/chat/completions", true, verbatim).await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON payload: "),
        "{v}"
    );
    assert_eq!(v["error"]["param"], "request_body");

    for (model, expected, arn) in [
        (
            "DeepSeek-R1-Distill-Llama-70B",
            "I am DeepSeek R1.",
            DEEPSEEK_ARN,
        ),
        ("Qwen3-32B", "I am Qwen3.", QWEN3_ARN),
        ("Qwen2-72B", "I am Qwen2.", QWEN2_ARN),
    ] {
        let body = format!(
            "{{\n\"model\": \"{model}\",\n\"messages\": [\n{{\n\"role\": \"user\",\n\"content\": \"what llm are you\"\n}}\n]\n}}"
        );
        let r = curl(a, "/chat/completions", true, &body).await;
        assert_eq!(answer(&r).trim(), expected, "{model}");
        assert_eq!(r.json()["model"], model);
        let sent = h.mock.last_request().unwrap();
        assert_eq!(sent.model_id(), Some(arn));
        assert!(
            sent.raw_path.contains("arn%3Aaws%3Abedrock"),
            "{}",
            sent.raw_path
        );
    }

    let r = curl(
        a,
        "/chat/completions",
        true,
        r#"{
"model": "qwen-25vl-72b",
"messages": [
{
"role": "user",
"content": "what llm are you"
}
],
"max_tokens": 300
}"#,
    )
    .await;
    assert_eq!(answer(&r), "I am Qwen 2.5 VL.");
    assert_eq!(
        h.mock.last_request().unwrap().json().unwrap()["max_tokens"],
        300
    );

    let r = curl(
        a,
        "/chat/completions",
        true,
        r#"{
"model": "qwen-25vl-72b",
"messages": [
{
"role": "system",
"content": "You are a helpful assistant that can analyze images."
},
{
"role": "user",
"content": [
{"type": "text", "text": "What is in this image?"},
{
"type": "image_url",
"image_url": {"url": "data:image/jpeg;base64,/9j/4AAQSkZ..."}
}
]
}
],
"max_tokens": 300,
"temperature": 0.5
}"#,
    )
    .await;
    assert_eq!(answer(&r), "I am Qwen 2.5 VL.");
    let sent = h.mock.last_request().unwrap().json().unwrap();
    assert_eq!(sent["temperature"], 0.5);
    assert!(sent.to_string().contains("What is in this image?"));

    let r = curl(
        a,
        "/chat/completions",
        true,
        r#"{
"model": "kimi-k2",
"messages": [
{
"role": "user",
"content": "What is 2+2? Think step by step."
}
],
"temperature": 0.7,
"max_tokens": 200
}"#,
    )
    .await;
    let v = r.json();
    assert_eq!(answer(&r).trim(), "2 + 2 = 4.");
    assert_eq!(
        v["choices"][0]["message"]["reasoning_content"],
        "Two plus two."
    );
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.model_id(), Some("moonshot.kimi-k2-thinking"));
    // The entry's region (us-west-2) signs it.
    assert!(
        sent.header("authorization")
            .unwrap()
            .contains("/us-west-2/bedrock/")
    );
}

#[tokio::test]
async fn agents_page_curl_examples() {
    let h = start(SEED_CONFIG).await;
    let a = h.addr();
    let r = curl(
        a,
        "/v1/chat/completions",
        true,
        r#"{
    "model": "bedrock-agent-1",
    "messages": [
      {
        "role": "user", 
        "content": "Analyze our customer data and suggest retention strategies"
      }
    ]
  }"#,
    )
    .await;
    assert_eq!(
        answer(&r),
        "Hello from the mock agent. You said: Analyze our customer data and suggest retention strategies"
    );
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.operation(), Some(Operation::InvokeAgent));
    assert_eq!(sent.model_id(), Some("L1RT58GYRW"));
    assert!(
        sent.raw_path.contains("/agentAliases/MFPSBCXYTW/"),
        "{}",
        sent.raw_path
    );
    // The entry's provider param reaches the agent.
    assert_eq!(
        sent.json().unwrap()["invocationId"],
        "my-test-invocation-id"
    );

    let r = curl(
        a,
        "/v1/chat/completions",
        true,
        r#"{
    "model": "bedrock-agent-2",
    "messages": [
      {
        "role": "user",
        "content": "Create a comprehensive social media strategy for our new product"
      }
    ],
    "stream": true
  }"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = sse_events(&r.text());
    assert_eq!(events.last().unwrap(), "[DONE]");
    let text: String = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str::<Value>(e).unwrap())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert!(
        text.contains("Create a comprehensive social media strategy"),
        "{text}"
    );
    let sent = h.mock.last_request().unwrap();
    assert_eq!(sent.model_id(), Some("AGENT456"));
    assert!(
        sent.header("authorization")
            .unwrap()
            .contains("/us-east-1/bedrock/")
    );

    // Without the key: 401.
    let r = request(
        a,
        "POST",
        "/v1/chat/completions",
        &[("Content-Type", "application/json")],
        r#"{"model": "bedrock-agent-1", "messages": [{"role": "user", "content": "x"}]}"#,
    )
    .await;
    assert_eq!(r.status, 401);
}

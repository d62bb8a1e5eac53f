#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Serde round trips over JSON fixtures of real OpenAI payloads: every field survives, unknown
//! fields included, and provider-specific params keep their order.

use bedrock_types::chat::{ContentPart, ImageUrl, MessageContent, Role, ToolChoice};
use bedrock_types::completions::{Prompt, TextCompletionRequest};
use bedrock_types::embeddings::{EmbeddingRequest, EmbeddingResponse, EmbeddingVector};
use bedrock_types::images::ImageGenerationRequest;
use bedrock_types::rerank::{RerankDocument, RerankRequest, RerankResponse};
use bedrock_types::response::{ChatCompletionChunk, FinishReason};
use bedrock_types::{ChatCompletion, ChatCompletionRequest, ErrorKind, ResponseFormat};
use pretty_assertions::assert_eq;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parse the fixture into `T`, serialise it back, and require the same JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let text = fixture(name);
    let original: Value = serde_json::from_str(&text).unwrap();
    let typed: T = bedrock_types::json::from_slice(text.as_bytes()).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, original, "{name} did not survive a round trip");
    typed
}

#[test]
fn chat_request_round_trips_and_is_typed() {
    let req: ChatCompletionRequest = round_trip("chat_request_kitchen_sink.json");
    assert_eq!(req.messages.len(), 6);
    assert_eq!(req.messages[1].role, Role::Developer);
    let Some(MessageContent::Parts(parts)) = &req.messages[2].content else {
        panic!("user content should be parts");
    };
    assert!(
        matches!(&parts[1], ContentPart::ImageUrl { image_url: ImageUrl::Object { detail: Some(d), .. }, .. } if d == "high")
    );
    assert!(
        matches!(&parts[2], ContentPart::ImageUrl { image_url: ImageUrl::Url(u), .. } if u.starts_with("data:application/pdf"))
    );
    assert!(matches!(&parts[6], ContentPart::GuardedText { .. }));
    assert_eq!(
        req.messages[3].tool_calls.as_ref().unwrap()[0]
            .function
            .name,
        "RAGRequest"
    );
    assert_eq!(
        req.messages[4].search_results.as_ref().unwrap()[0].title,
        "About XX"
    );
    assert!(
        req.messages[5]
            .extra
            .contains_key("x_unknown_message_field")
    );
    assert!(matches!(req.tool_choice, Some(ToolChoice::Function { .. })));
    assert_eq!(req.tools.as_ref().unwrap()[1].name(), Some("computer"));
    assert_eq!(req.effective_max_tokens(), Some(2048));
    assert_eq!(req.aws.aws_region_name.as_deref(), Some("us-east-1"));
    assert_eq!(
        req.aws.aws_secret_access_key.as_ref().unwrap().expose(),
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    );
    // Provider-specific params: kept verbatim, in the caller's order, never the aws_* ones.
    let keys: Vec<&str> = req.provider_params.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "top_k",
            "requestMetadata",
            "performanceConfig",
            "guardrailConfig",
            "serviceTier",
            "mediaSource",
            "invocationId",
            "sessionState"
        ]
    );
    // The Debug form of a request never shows the secret.
    let debug = format!("{req:?}");
    assert!(!debug.contains("wJalrXUtnFEMI"), "secret leaked into Debug");
    assert!(debug.contains("** redacted **"));
}

#[test]
fn null_content_parses_as_no_content() {
    let m: bedrock_types::ChatMessage = serde_json::from_str(
        r#"{"role": "assistant", "content": null, "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}"#,
    )
    .unwrap();
    assert!(m.content.is_none());
    assert_eq!(m.tool_calls.unwrap()[0].id, "t1");
}

#[test]
fn openai_params_set_lists_typed_and_untyped_params() {
    let req: ChatCompletionRequest = serde_json::from_value(serde_json::json!({
        "model": "bedrock/x",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.1,
        "frequency_penalty": 0.5,
        "functions": [],
        "top_k": 3
    }))
    .unwrap();
    // In LiteLLM's order (its `get_optional_params` signature): `functions` first.
    assert_eq!(
        req.openai_params_set(),
        ["functions", "temperature", "frequency_penalty"]
    );
}

#[test]
fn chat_completion_round_trips() {
    let resp: ChatCompletion = round_trip("chat_completion_tools_reasoning.json");
    assert_eq!(resp.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(
        resp.usage.as_ref().unwrap().cache_creation_input_tokens,
        Some(1789)
    );
    assert!(resp.extra.contains_key("x_future_field"));
    assert!(resp.choices[0].extra.contains_key("logprobs"));
}

#[test]
fn chunk_round_trips() {
    let chunk: ChatCompletionChunk = round_trip("chat_completion_chunk_tool_delta.json");
    let tc = &chunk.choices[0].delta.tool_calls.as_ref().unwrap()[0];
    assert_eq!(tc.index, 1);
    assert_eq!(tc.function.name.as_deref(), Some("get_weather"));
}

#[test]
fn embeddings_round_trip() {
    let req: EmbeddingRequest = round_trip("embedding_request_titan_v2.json");
    assert_eq!(req.dimensions, Some(512));
    assert_eq!(req.model_id.as_deref(), Some("provisioned-model-arn"));
    assert_eq!(
        req.provider_params.keys().collect::<Vec<_>>(),
        ["input_type", "normalize"]
    );
    // OpenAI's usage has two counts; written back, it has LiteLLM's `Usage` shape.
    let text = fixture("embedding_response.json");
    let mut expected: Value = serde_json::from_str(&text).unwrap();
    let usage = expected["usage"].as_object_mut().unwrap();
    assert!(!usage.contains_key("completion_tokens"));
    let mut litellm = serde_json::Map::new();
    litellm.insert("completion_tokens".to_owned(), Value::from(0));
    litellm.extend(std::mem::take(usage));
    litellm.insert("completion_tokens_details".to_owned(), Value::Null);
    litellm.insert("prompt_tokens_details".to_owned(), Value::Null);
    expected["usage"] = Value::Object(litellm);
    let resp: EmbeddingResponse = bedrock_types::json::from_slice(text.as_bytes()).unwrap();
    assert_eq!(serde_json::to_value(&resp).unwrap(), expected);
    assert_eq!(
        serde_json::to_string(&resp.usage).unwrap(),
        r#"{"completion_tokens":0,"prompt_tokens":7,"total_tokens":7,"completion_tokens_details":null,"prompt_tokens_details":null}"#
    );
    assert!(matches!(resp.data[1].embedding, EmbeddingVector::Base64(_)));
}

#[test]
fn images_rerank_and_text_completions_round_trip() {
    let img: ImageGenerationRequest = round_trip("image_request_nova_canvas.json");
    assert_eq!(img.n, Some(2));
    assert!(img.provider_params.contains_key("imageGenerationConfig"));
    let rr: RerankRequest = round_trip("rerank_request.json");
    assert!(matches!(rr.documents[1], RerankDocument::Object(_)));
    let _: RerankResponse = round_trip("rerank_response.json");
    let tc: TextCompletionRequest = round_trip("text_completion_request.json");
    assert!(matches!(tc.prompt, Prompt::Many(ref v) if v.len() == 2));
}

#[test]
fn bad_input_names_the_field() {
    let body = br#"{"model": "bedrock/x", "messages": [{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}]}"#;
    let err = bedrock_types::json::from_slice::<ChatCompletionRequest>(body).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert_eq!(err.param(), Some("messages[1].role"));
    assert!(
        err.message().contains("unknown variant `robot`"),
        "{}",
        err.message()
    );

    let body = br#"{"model": "bedrock/x", "messages": [], "temperature": "hot"}"#;
    let err = bedrock_types::json::from_slice::<ChatCompletionRequest>(body).unwrap_err();
    assert_eq!(err.param(), Some("temperature"), "{}", err.message());
}

#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
struct CalendarEvent {
    name: String,
    date: String,
    participants: Vec<String>,
}

#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
struct EventsList {
    events: Vec<CalendarEvent>,
}

#[test]
fn json_schema_for_a_rust_type() {
    let rf = ResponseFormat::json_schema_for::<EventsList>();
    let json = serde_json::to_value(&rf).unwrap();
    assert_eq!(json["type"], "json_schema");
    assert_eq!(json["json_schema"]["name"], "EventsList");
    let schema = &json["json_schema"]["schema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["events"]["type"], "array");
    assert!(schema["$defs"]["CalendarEvent"]["properties"]["participants"].is_object());
    assert!(schema.get("$schema").is_none());
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Converse golden tests: each folder under `tests/fixtures/converse/` holds an OpenAI request
//! and optionally a Bedrock reply (`response.json`) and a ConverseStream event list
//! (`stream.json`). The request, response and chunks are compared with golden files
//! (`UPDATE_GOLDEN=1` rewrites them); where `litellm_request.json` exists (captured from
//! LiteLLM 1.103.7 against a loopback server), the body must equal it as JSON.

use std::path::Path;

use bedrock_transform::Registry;
use bedrock_transform::config::{HttpResponseParts, PreparedRequest, ProviderConfig};
use bedrock_transform::route::ModelRoute;
use bedrock_types::{ChatCompletionRequest, ErrorKind};
use serde_json::{Value, json};

mod common;
use common::{case_dirs, ctx, run_cases};

#[test]
fn converse_goldens() {
    let dirs = case_dirs("converse");
    assert!(dirs.len() >= 25, "fixtures missing: {dirs:?}");
    run_cases(dirs);
}

#[test]
fn anthropic_invoke_goldens() {
    let dirs = case_dirs("invoke_anthropic");
    assert!(dirs.len() >= 4, "fixtures missing: {dirs:?}");
    run_cases(dirs);
}

/// The config for `req`'s model and the prepared request (panics on a refused request).
fn prepared(req: Value) -> (&'static dyn ProviderConfig, PreparedRequest) {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    let req: ChatCompletionRequest = serde_json::from_value(req).unwrap();
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = REGISTRY
        .get_or_init(Registry::default)
        .config_for(&route)
        .unwrap();
    let mapped = config.map_params(&route, &req).unwrap();
    let prepared = config.transform_request(&route, &req, mapped).unwrap();
    (config, prepared)
}

fn prepare(req: Value) -> bedrock_types::Result<Value> {
    let req: ChatCompletionRequest = serde_json::from_value(req).unwrap();
    let route = ModelRoute::parse(&req.model)?;
    let registry = Registry::default();
    let config = registry.config_for(&route)?;
    let mapped = config.map_params(&route, &req)?;
    let prepared = config.transform_request(&route, &req, mapped)?;
    Ok(serde_json::from_slice(&prepared.http.body).unwrap())
}

#[test]
fn unsupported_params_fail_unless_dropped() {
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "seed": 3, "n": 2
    }))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(err.param(), Some("n"));
    assert!(err.message().contains("['n', 'seed']"), "{}", err.message());
}

#[test]
fn stream_options_never_reach_bedrock() {
    // LiteLLM #9916: include_usage leaked into the body.
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": true, "stream_options": {"include_usage": true}
    }))
    .unwrap();
    let text = body.to_string();
    assert!(
        !text.contains("include_usage") && !text.contains("stream"),
        "{text}"
    );
}

#[test]
fn config_blocks_stay_top_level() {
    // LiteLLM #9128: performanceConfig went into additionalModelRequestFields for Nova.
    let body = prepare(json!({
        "model": "bedrock/us.amazon.nova-pro-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "performanceConfig": {"latency": "optimized"},
        "top_k": 5
    }))
    .unwrap();
    assert_eq!(body["performanceConfig"], json!({"latency": "optimized"}));
    assert_eq!(
        body["additionalModelRequestFields"],
        json!({"inferenceConfig": {"topK": 5}})
    );
}

#[test]
fn no_tool_config_without_tools() {
    // LiteLLM #34420: parallel_tool_calls on a tool-less request leaked tool config.
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "parallel_tool_calls": false
    }))
    .unwrap();
    assert!(body.get("toolConfig").is_none());
    assert!(body.get("additionalModelRequestFields").is_none(), "{body}");
}

#[test]
fn empty_text_is_never_sent() {
    // LiteLLM #7169: blank text blocks are rejected by Bedrock.
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "  "}]},
            {"role": "assistant", "content": ""},
            {"role": "user", "content": "again"}
        ],
        "modify_params": true
    }))
    .unwrap();
    assert_eq!(body["messages"][0]["content"], json!([{"text": "Hi"}]));
    assert_eq!(
        body["messages"][1]["content"],
        json!([{"text": "Please continue."}])
    );
    // Without a continue message a blank turn is left out and its neighbours merge, the body
    // litellm 1.103.7 sends for the same messages.
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": " "}, {"role": "user", "content": "x"}]
    }))
    .unwrap();
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"text": "Hi"}, {"text": "x"}]}])
    );
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "b"}]
    }))
    .unwrap();
    assert_eq!(
        body["messages"],
        json!([
            {"role": "assistant", "content": [{"text": "x"}]},
            {"role": "user", "content": [{"text": "b"}]}
        ])
    );
    // Nothing left at all is still refused.
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": " "}]
    }))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
}

#[test]
fn anthropic_invoke_fills_blank_turns_with_litellms_placeholder() {
    // litellm 1.103.7 (`_sanitize_empty_text_content`, always on for Anthropic bodies): a blank
    // user or assistant text is sent as a placeholder, never as an empty block or turn.
    let placeholder = "[System: Empty message content sanitised to satisfy protocol]";
    let body = prepare(json!({
        "model": "bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [
            {"role": "system", "content": " "},
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": " "},
            {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "b"}]}
        ],
        "max_tokens": 10
    }))
    .unwrap();
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [{"type": "text", "text": "a"}]},
            {"role": "assistant", "content": [{"type": "text", "text": placeholder}]},
            {"role": "user", "content": [
                {"type": "text", "text": placeholder},
                {"type": "text", "text": "b"}
            ]}
        ])
    );
    // A blank system prompt is left out. LiteLLM sends `system: [{"type": "text", "text": " "}]`,
    // which Anthropic rejects (blank text blocks, #7169 in docs/litellm-differences.md).
    assert!(body.get("system").is_none(), "{body}");
}

#[test]
fn request_metadata_is_validated() {
    let mut many = serde_json::Map::new();
    for i in 0..17 {
        many.insert(format!("k{i}"), json!("v"));
    }
    for bad in [json!(many), json!({"bad!key": "v"}), json!({"k": 1})] {
        let err = prepare(json!({
            "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
            "messages": [{"role": "user", "content": "Hi"}],
            "requestMetadata": bad
        }))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{}", err.message());
        assert!(err.param().unwrap().starts_with("requestMetadata"));
    }
}

#[test]
fn at_least_one_non_system_message() {
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "system", "content": "only system"}]
    }))
    .unwrap_err();
    assert!(err.message().contains("at least one non-system message"));
}

#[test]
fn transform_has_no_io_dependencies() {
    // The architecture invariant, checked from the manifest: transform names no I/O crate.
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dev-dependencies]").next().unwrap();
    for banned in [
        "tokio",
        "hyper",
        "reqwest",
        "mio",
        "socket2",
        "bedrock-transport",
        "bedrock-auth",
    ] {
        assert!(!deps.contains(banned), "transform depends on {banned}");
    }
}

#[test]
fn redacted_thinking_is_passed_back() {
    // LiteLLM 1.103.7 drops redacted_thinking blocks from assistant history; Anthropic needs
    // them back, so we keep them (and signature-only blocks, LiteLLM PR #38809).
    let body = prepare(json!({
        "model": "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": "a", "thinking_blocks": [
                {"type": "redacted_thinking", "data": "ZW5j"},
                {"type": "thinking", "thinking": "", "signature": "sig-only"}
            ]},
            {"role": "user", "content": "q2"}
        ]
    }))
    .unwrap();
    assert_eq!(
        body["messages"][1]["content"],
        json!([
            {"reasoningContent": {"redactedContent": "ZW5j"}},
            {"reasoningContent": {"reasoningText": {"text": "", "signature": "sig-only"}}},
            {"text": "a"}
        ])
    );
}

#[test]
fn cache_points_only_where_the_model_takes_them() {
    // LiteLLM #17479: cachePoint where the model rejects it. A model without prompt caching
    // gets none; the request still succeeds.
    let req = json!({
        "model": "bedrock/meta.llama3-1-405b-instruct-v1:0",
        "messages": [{"role": "system", "content": [{"type": "text", "text": "S", "cache_control": {"type": "ephemeral"}}]},
                     {"role": "user", "content": "Hi"}]
    });
    let body = prepare(req).unwrap();
    assert!(!body.to_string().contains("cachePoint"), "{body}");
}

#[test]
fn sanitised_tool_names_round_trip_through_history_and_choice() {
    // LiteLLM PR #28874: spec names were sanitised but history and tool_choice were not.
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "search.web", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": "r"}
        ],
        "tools": [{"type": "function", "function": {"name": "search.web", "parameters": {"type": "object", "properties": {}}}}],
        "tool_choice": {"type": "function", "function": {"name": "search.web"}}
    }))
    .unwrap();
    assert_eq!(
        body["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "search_web"
    );
    assert_eq!(
        body["messages"][1]["content"][0]["toolUse"]["name"],
        "search_web"
    );
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "search_web"}})
    );
}

fn weather_tools() -> Value {
    json!([{"type": "function", "function": {"name": "get_current_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}])
}

#[test]
fn tool_choice_each_form() {
    let model = "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0";
    let with = |choice: Value| {
        prepare(
            json!({"model": model, "messages": [{"role": "user", "content": "Boston?"}],
            "tools": weather_tools(), "tool_choice": choice}),
        )
    };
    assert_eq!(
        with(json!("auto")).unwrap()["toolConfig"]["toolChoice"],
        json!({"auto": {}})
    );
    assert_eq!(
        with(json!("required")).unwrap()["toolConfig"]["toolChoice"],
        json!({"any": {}})
    );
    assert_eq!(
        with(json!({"type": "function", "function": {"name": "get_current_weather"}})).unwrap()["toolConfig"]
            ["toolChoice"],
        json!({"tool": {"name": "get_current_weather"}})
    );
    let err = with(json!("none")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(err.param(), Some("tool_choice"));
    let dropped = prepare(
        json!({"model": model, "messages": [{"role": "user", "content": "Boston?"}],
        "tools": weather_tools(), "tool_choice": "none", "drop_params": true}),
    )
    .unwrap();
    assert!(dropped["toolConfig"].get("toolChoice").is_none());
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct CalendarEvent {
    name: String,
    date: String,
    participants: Vec<String>,
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
struct EventsList {
    events: Vec<CalendarEvent>,
}

#[test]
fn structured_output_from_a_rust_type() {
    let mut req = json!({
        "model": "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0",
        "messages": [{"role": "user", "content": "Who won the world series in 2020?"}]
    });
    req["response_format"] =
        serde_json::to_value(bedrock_types::ResponseFormat::json_schema_for::<EventsList>())
            .unwrap();
    let body = prepare(req).unwrap();
    let spec = &body["toolConfig"]["tools"][0]["toolSpec"];
    assert_eq!(spec["name"], "json_tool_call");
    let schema = &spec["inputSchema"]["json"];
    // $defs are inlined: Bedrock tool schemas take no $ref.
    assert!(!schema.to_string().contains("$ref"), "{schema}");
    assert_eq!(
        schema["properties"]["events"]["items"]["properties"]["participants"]["type"],
        "array"
    );
    assert_eq!(
        body["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "json_tool_call"}})
    );
}

#[test]
fn every_stop_reason_maps() {
    let cases = [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("tool_use", "stop"), // No tool call in the reply: nothing for the caller to run.
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_model_output", "stop"),
        ("malformed_tool_use", "stop"),
    ];
    let route = ModelRoute::parse("bedrock/anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
    let registry = Registry::default();
    let config = registry.config_for(&route).unwrap();
    for (stop, expected) in cases {
        let raw = serde_json::to_vec(&json!({"output": {"message": {"role": "assistant", "content": [{"text": "x"}]}},
            "stopReason": stop, "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}})).unwrap();
        let headers = http::HeaderMap::new();
        let resp = config
            .transform_response(
                &ctx(Default::default()),
                HttpResponseParts {
                    status: 200,
                    headers: &headers,
                    body: &raw,
                },
            )
            .unwrap();
        let got = serde_json::to_value(resp.choices[0].finish_reason).unwrap();
        let want = if stop == "tool_use" {
            "tool_calls"
        } else {
            expected
        };
        assert_eq!(got, want, "{stop}");
    }
}

#[test]
fn bedrock_errors_map_to_typed_errors() {
    let route = ModelRoute::parse("bedrock/anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
    let registry = Registry::default();
    let config = registry.config_for(&route).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-amzn-errortype",
        "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
            .parse()
            .unwrap(),
    );
    headers.insert("x-amzn-requestid", "rid-9".parse().unwrap());
    let body = br#"{"message":"The model returned the following errors: Input is too long for requested model."}"#;
    let err = config.map_error(HttpResponseParts {
        status: 400,
        headers: &headers,
        body,
    });
    assert_eq!(err.kind(), ErrorKind::ContextWindowExceeded);
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.request_id(), Some("rid-9"));
    assert!(!err.is_retryable());
}

#[test]
fn modify_params_drops_thinking_without_thinking_history() {
    let req = |modify: bool| {
        json!({
            "model": "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "messages": [
                {"role": "user", "content": "q"},
                {"role": "assistant", "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "t1", "content": "r"}
            ],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}],
            "reasoning_effort": "low",
            "modify_params": modify
        })
    };
    let with_thinking = prepare(req(false)).unwrap();
    assert!(
        with_thinking["additionalModelRequestFields"]
            .get("thinking")
            .is_some()
    );
    let modified = prepare(req(true)).unwrap();
    assert!(
        modified.get("additionalModelRequestFields").is_none(),
        "{modified}"
    );
}

#[test]
fn n_of_one_is_let_through_as_litellm_does() {
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "n": 1
    }))
    .unwrap();
    assert!(body.get("n").is_none(), "{body}");
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "seed": 3, "n": 1
    }))
    .unwrap_err();
    assert!(err.message().contains("['seed']"), "{}", err.message());
}

#[test]
fn parallel_tool_calls_only_where_the_map_says_the_model_takes_it() {
    let req = |model: &str| {
        json!({
            "model": model,
            "messages": [{"role": "user", "content": "Hi"}],
            "tools": weather_tools(),
            "parallel_tool_calls": false
        })
    };
    // Haiku 4.5 declares `supports_parallel_tool_use_config`; Claude 3.5 Sonnet does not, and
    // LiteLLM drops the parameter for it without a word (checked against litellm 1.103.7).
    let body = prepare(req("bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0")).unwrap();
    assert_eq!(
        body["additionalModelRequestFields"]["tool_choice"],
        json!({"type": "auto", "disable_parallel_tool_use": true})
    );
    let body = prepare(req("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0")).unwrap();
    assert!(body.get("additionalModelRequestFields").is_none(), "{body}");
}

#[test]
fn inline_documents_are_named_from_their_content_as_litellm_names_them() {
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "read"},
            {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0xLjQ=", "filename": "doc.pdf"}}
        ]}]
    }))
    .unwrap();
    // LiteLLM 1.103.7 sent this name for this document (and ignored the file name).
    assert_eq!(
        body["messages"][0]["content"][1]["document"]["name"],
        "DocumentPDFmessages_310ef6dc639f8350_pdf"
    );
}

#[test]
fn tool_schema_defs_are_inlined_as_litellm_inlines_them() {
    let body = prepare(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {
            "type": "object",
            "properties": {"p": {"$ref": "#/$defs/P"}, "tree": {"$ref": "#/$defs/Node"}, "gone": {"$ref": "#/$defs/Missing"}},
            "$defs": {
                "P": {"type": "object", "properties": {"n": {"type": "string"}}},
                "Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}
            }
        }}}]
    }))
    .unwrap();
    let schema = &body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"];
    assert!(schema.get("$defs").is_none(), "{schema}");
    assert_eq!(
        schema["properties"]["p"],
        json!({"type": "object", "properties": {"n": {"type": "string"}}})
    );
    // Recursion stops at the first repeat; a missing definition stays a reference.
    assert_eq!(
        schema["properties"]["tree"]["properties"]["child"],
        json!({"$ref": "#/$defs/Node"})
    );
    assert_eq!(
        schema["properties"]["gone"],
        json!({"$ref": "#/$defs/Missing"})
    );
}

#[test]
fn tool_choice_none_is_refused_in_litellms_words() {
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "Hi"}],
        "tools": weather_tools(),
        "tool_choice": "none"
    }))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(
        err.message(),
        "Bedrock doesn't support tool_choice=none. To drop it from the call, set `litellm.drop_params = True."
    );
}

/// LiteLLM fakes a stream whose structured output is emulated with the forced tool: one whole
/// Converse reply (`/converse`), then its message in one chunk, the finish reason in the next
/// and the usage (counts and split only) last (checked against litellm 1.103.7's proxy).
#[test]
fn json_mode_streams_are_one_whole_reply_as_litellm_fakes_them() {
    use bedrock_transform::config::ResponseKind;
    use bedrock_types::StreamEvent;
    let (config, prepared) = prepared(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "Weather as JSON"}],
        "stream": true,
        "stream_options": {"include_usage": true},
        "tools": weather_tools(),
        "response_format": {"type": "json_schema", "json_schema": {"name": "R", "schema": {"type": "object", "properties": {"temp": {"type": "number"}}}}}
    }));
    assert!(
        prepared.http.path.ends_with("/converse"),
        "{}",
        prepared.http.path
    );
    assert_eq!(prepared.http.response, ResponseKind::Json);
    assert!(prepared.state.whole_reply_stream);

    let reply = json!({
        "output": {"message": {"role": "assistant", "content": [
            {"text": "Here:"},
            {"toolUse": {"toolUseId": "tu_1", "name": "get_weather", "input": {"city": "SF"}}},
            {"toolUse": {"toolUseId": "tu_2", "name": "json_tool_call", "input": {"temp": 61}}}
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 40, "outputTokens": 25, "totalTokens": 65, "cacheReadInputTokens": 5}
    });
    let mut decoder = config.stream_decoder(ctx(prepared.state));
    let mut chunks = Vec::new();
    decoder
        .on_event(
            &StreamEvent::new("chunk", serde_json::to_vec(&reply).unwrap()),
            &mut chunks,
        )
        .unwrap();
    decoder.on_end(&mut chunks).unwrap();
    assert_eq!(chunks.len(), 3, "{chunks:#?}");
    let first = &chunks[0].choices[0].delta;
    assert_eq!(first.role.as_deref(), Some("assistant"));
    // The JSON answer follows the text; the real tool call stays a tool call.
    assert_eq!(first.content.as_deref(), Some("Here:{\"temp\": 61}"));
    let calls = first.tool_calls.as_ref().unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].index, 0);
    assert_eq!(calls[0].id.as_deref(), Some("tu_1"));
    assert_eq!(calls[0].function.name.as_deref(), Some("get_weather"));
    assert_eq!(calls[0].function.arguments, "{\"city\": \"SF\"}");
    assert_eq!(
        chunks[1].choices[0].finish_reason,
        Some(bedrock_types::FinishReason::ToolCalls)
    );
    let usage = chunks[2].usage.as_ref().unwrap();
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (45, 25, 65)
    );
    assert!(usage.prompt_tokens_details.is_none());
    assert!(usage.cache_read_input_tokens.is_none());
}

/// A tool whose block carries no input at all still closes as `{}` (LiteLLM leaves its
/// arguments "", which no JSON parser takes; docs/litellm-differences.md).
#[test]
fn argument_less_tool_in_a_stream_closes_as_empty_json() {
    use bedrock_types::StreamEvent;
    let (config, prepared) = prepared(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "Time?"}],
        "stream": true,
        "tools": weather_tools()
    }));
    let mut decoder = config.stream_decoder(ctx(prepared.state));
    let mut chunks = Vec::new();
    for (event, payload) in [
        ("messageStart", json!({"role": "assistant"})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "tu", "name": "get_weather"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        ("messageStop", json!({"stopReason": "tool_use"})),
    ] {
        decoder
            .on_event(
                &StreamEvent::new(event, serde_json::to_vec(&payload).unwrap()),
                &mut chunks,
            )
            .unwrap();
    }
    decoder.on_end(&mut chunks).unwrap();
    let args: String = chunks
        .iter()
        .flat_map(|c| c.choices.iter())
        .flat_map(|c| c.delta.tool_calls.iter().flatten())
        .map(|t| t.function.arguments.as_str())
        .collect();
    assert_eq!(args, "{}");
}

/// Bedrock's `model_context_window_exceeded` stop is `length` (LiteLLM has no mapping for it
/// and says `stop`; docs/litellm-differences.md).
#[test]
fn context_window_stop_is_length() {
    let (config, prepared) = prepared(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "Hi"}]
    }));
    let body = serde_json::to_vec(&json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "cut"}]}},
        "stopReason": "model_context_window_exceeded",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}
    }))
    .unwrap();
    let headers = http::HeaderMap::new();
    let reply = config
        .transform_response(
            &ctx(prepared.state),
            HttpResponseParts {
                status: 200,
                headers: &headers,
                body: &body,
            },
        )
        .unwrap();
    assert_eq!(
        reply.choices[0].finish_reason,
        Some(bedrock_types::FinishReason::Length)
    );
}

/// `allowed_openai_params`, as LiteLLM 1.103.7 sends it (captured on loopback): an unsupported
/// OpenAI parameter named there goes to Bedrock as it is: Converse puts it in
/// `additionalModelRequestFields`, Anthropic on invoke in the body. The list itself never goes.
#[test]
fn allowed_openai_params_reach_bedrock_as_litellm_sends_them() {
    use bedrock_transform::config::apply_allowed_openai_params;
    let body_for = |model: &str| {
        let mut req: ChatCompletionRequest = serde_json::from_value(json!({
            "model": model,
            "messages": [{"role": "user", "content": "hi"}],
            "seed": 3, "logprobs": true, "temperature": 0.2,
            "allowed_openai_params": ["seed", "logprobs", "temperature"]
        }))
        .unwrap();
        let route = ModelRoute::parse(&req.model).unwrap();
        let registry = Registry::default();
        let config = registry.config_for(&route).unwrap();
        apply_allowed_openai_params(&config.supported_openai_params(&route), &mut req);
        let mapped = config.map_params(&route, &req).unwrap();
        let prepared = config.transform_request(&route, &req, mapped).unwrap();
        serde_json::from_slice::<Value>(&prepared.http.body).unwrap()
    };
    let body = body_for("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
    assert_eq!(
        body["additionalModelRequestFields"],
        json!({"seed": 3, "logprobs": true})
    );
    // A supported parameter keeps its own mapping.
    assert_eq!(body["inferenceConfig"]["temperature"], json!(0.2));
    assert!(
        !body.to_string().contains("allowed_openai_params"),
        "{body}"
    );
    let body = body_for("bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0");
    assert_eq!(body["seed"], json!(3));
    assert!(
        !body.to_string().contains("allowed_openai_params"),
        "{body}"
    );
}

#[test]
fn unsupported_params_are_named_in_litellms_order_and_words() {
    let err = prepare(json!({
        "model": "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "messages": [{"role": "user", "content": "hi"}],
        "seed": 3, "presence_penalty": 0.1, "logprobs": true
    }))
    .unwrap_err();
    assert_eq!(
        err.message(),
        "bedrock does not support parameters: ['presence_penalty', 'seed', 'logprobs'], for \
         model=anthropic.claude-3-5-sonnet-20240620-v1:0. To drop these, set \
         `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n. \
         \n If you want to use these params dynamically send \
         allowed_openai_params=['presence_penalty', 'seed', 'logprobs'] in your request."
    );
    assert!(err.to_openai_json()["error"]["param"].is_null());
}

/// LiteLLM 1.103.7's supported-parameter rules (`get_supported_openai_params`), compared on
/// loopback: `tool_choice` needs the map's `supports_tool_choice`, so a model it does not know
/// refuses it (naming the model as LiteLLM's message does, route token and all), while the
/// retired Claude 3 Sonnet our table keeps (the seed doc's tool example) takes it.
#[test]
fn tool_choice_follows_litellms_map() {
    let body = |model: &str| {
        json!({"model": model, "messages": [{"role": "user", "content": "hi"}],
               "tools": weather_tools(), "tool_choice": "auto"})
    };
    let err = prepare(body("bedrock/converse/cohere.command-r-v1:0")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert!(
        err.message().starts_with(
            "bedrock does not support parameters: ['tool_choice'], for model=converse/cohere.command-r-v1:0."
        ),
        "{}",
        err.message()
    );
    let sent = prepare(body("bedrock/anthropic.claude-3-sonnet-20240229-v1:0")).unwrap();
    assert_eq!(sent["toolConfig"]["toolChoice"], json!({"auto": {}}));
    // An ARN names no model LiteLLM can look up: everything is allowed.
    let arn =
        "bedrock/converse/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
    assert!(prepare(body(arn)).is_ok());
}

/// `reasoning_effort` as LiteLLM maps it per model: DeepSeek V3 and gpt-oss take it as it is,
/// GPT-5 as `reasoning.effort`, Nova 1 and DeepSeek R1 refuse it.
#[test]
fn reasoning_effort_per_model() {
    let body = |model: &str| {
        json!({"model": model, "messages": [{"role": "user", "content": "hi"}],
               "reasoning_effort": "low"})
    };
    let fields =
        |model: &str| prepare(body(model)).unwrap()["additionalModelRequestFields"].clone();
    assert_eq!(
        fields("bedrock/deepseek.v3-v1:0"),
        json!({"reasoning_effort": "low"})
    );
    assert_eq!(
        fields("bedrock/openai.gpt-oss-20b-1:0"),
        json!({"reasoning_effort": "low"})
    );
    assert_eq!(
        fields("bedrock/converse/openai.gpt-5-v1:0"),
        json!({"reasoning": {"effort": "low"}})
    );
    for model in [
        "bedrock/amazon.nova-pro-v1:0",
        "bedrock/us.deepseek.r1-v1:0",
    ] {
        let err = prepare(body(model)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedParams, "{model}");
    }
}

/// `web_search_options` turns on Nova's grounding tool, after the caller's own tools.
#[test]
fn web_search_options_is_nova_grounding() {
    let sent = prepare(json!({"model": "bedrock/amazon.nova-pro-v1:0",
        "messages": [{"role": "user", "content": "hi"}], "web_search_options": {}}))
    .unwrap();
    assert_eq!(
        sent["toolConfig"],
        json!({"tools": [{"systemTool": {"name": "nova_grounding"}}]})
    );
    let sent = prepare(json!({"model": "bedrock/amazon.nova-pro-v1:0",
        "messages": [{"role": "user", "content": "hi"}], "tools": weather_tools(),
        "web_search_options": {"search_context_size": "low"}}))
    .unwrap();
    let tools = sent["toolConfig"]["tools"].as_array().unwrap();
    assert!(tools[0].get("toolSpec").is_some());
    assert_eq!(
        tools.last().unwrap(),
        &json!({"systemTool": {"name": "nova_grounding"}})
    );
}

/// LiteLLM answers AI21 streams, and Llama 3.3 70B streams given tools, from one whole
/// `/converse` reply (`fake_stream`).
#[test]
fn fake_streams_where_litellm_fakes_them() {
    let stream = |model: &str, tools: bool| {
        let mut body = json!({"model": model, "messages": [{"role": "user", "content": "hi"}],
                              "stream": true});
        if tools {
            body["tools"] = weather_tools();
        }
        let (_, p) = prepared(body);
        (p.state.whole_reply_stream, p.http.path.clone())
    };
    let (whole, path) = stream("bedrock/ai21.jamba-1-5-large-v1:0", false);
    assert!(whole);
    assert!(path.ends_with("/converse"), "{path}");
    assert!(stream("bedrock/us.meta.llama3-3-70b-instruct-v1:0", true).0);
    assert!(!stream("bedrock/us.meta.llama3-3-70b-instruct-v1:0", false).0);
    assert!(!stream("bedrock/meta.llama3-1-70b-instruct-v1:0", true).0);
}

/// Claude on invoke: `user` becomes `metadata.user_id` (as LiteLLM sends it), unless it is an
/// email address or a phone number, which Anthropic refuses and LiteLLM leaves out.
#[test]
fn anthropic_invoke_user_is_metadata_user_id() {
    let body = |user: &str| {
        prepare(
            json!({"model": "bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0",
            "messages": [{"role": "user", "content": "hi"}], "user": user}),
        )
        .unwrap()
    };
    assert_eq!(body("abc")["metadata"], json!({"user_id": "abc"}));
    assert!(body("me@example.com").get("metadata").is_none());
    assert!(body("+1 (555) 123-4567").get("metadata").is_none());
}

/// `s3://` media become `s3Location` blocks (LiteLLM 1.103.7 answers 500 "Unsupported image
/// type" for an S3 image and drops a `video_url` part; see docs/litellm-differences.md).
#[test]
fn s3_media_are_s3_locations() {
    let body = prepare(json!({"model": "bedrock/us.amazon.nova-pro-v1:0", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what"},
        {"type": "image_url", "image_url": {"url": "s3://my-bucket/cat.png"}},
        {"type": "video_url", "video_url": {"url": "s3://my-bucket/clip.mp4"}}
    ]}]}))
    .unwrap();
    let content = &body["messages"][0]["content"];
    assert_eq!(
        content[1],
        json!({"image": {"format": "png", "source": {"s3Location": {"uri": "s3://my-bucket/cat.png"}}}})
    );
    assert_eq!(
        content[2],
        json!({"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://my-bucket/clip.mp4"}}}})
    );
}

/// The caller's `anthropic-beta` list as LiteLLM passes it to Converse: only the betas Converse
/// takes, sorted; the seed doc's `computer-use-2024-10-22,context-1m-2025-08-07` keeps the
/// second (checked against litellm 1.103.7), and a computer tool still adds its own beta.
#[test]
fn converse_betas_are_filtered_as_litellm_filters_them() {
    let betas = |header: &str, tools: Option<Value>| {
        let mut req = json!({"model": "bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
            "messages": [{"role": "user", "content": "hi"}],
            "extra_headers": {"anthropic-beta": header}});
        if let Some(t) = tools {
            req["tools"] = t;
        }
        prepare(req).unwrap()["additionalModelRequestFields"]["anthropic_beta"].clone()
    };
    assert_eq!(
        betas("computer-use-2024-10-22,context-1m-2025-08-07", None),
        json!(["context-1m-2025-08-07"])
    );
    assert_eq!(
        betas(
            "interleaved-thinking-2025-05-14,token-efficient-tools-2025-02-19",
            None
        ),
        Value::Null
    );
    assert_eq!(
        betas(
            "effort-2025-11-24,context-1m-2025-08-07",
            Some(json!([{"type": "computer_20241022", "name": "computer",
                "display_width_px": 1920, "display_height_px": 1080}]))
        ),
        json!([
            "context-1m-2025-08-07",
            "effort-2025-11-24",
            "computer-use-2024-10-22"
        ])
    );
}

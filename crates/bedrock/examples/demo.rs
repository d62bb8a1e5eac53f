//! Offline demo: seed-doc requests through the real transform, against recorded Bedrock replies.
//!
//! For each example it prints the exact Bedrock HTTP request that would be sent (method, path,
//! headers, body) and the OpenAI-shaped response built from a recorded Bedrock reply, the same
//! pure pipeline the client runs. No AWS account or network is needed.
//!
//! Run: `cargo run -p bedrock --example demo`

use bedrock::transform::config::HttpResponseParts;
use bedrock::transform::route::ModelRoute;
use bedrock::transform::{Registry, ResponseContext};
use bedrock::types::{ChatCompletionRequest, StreamEvent};
use serde_json::{Value, json};

struct Example {
    title: &'static str,
    request: Value,
    reply: Value,
    stream: Option<Vec<(&'static str, Value)>>,
}

fn examples() -> Vec<Example> {
    vec![
        Example {
            title: "completion (seed: Usage)",
            request: json!({
                "model": "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
                "messages": [{"content": "Hello, how are you?", "role": "user"}],
                "temperature": 0.7, "top_p": 1.0
            }),
            reply: json!({"output": {"message": {"role": "assistant", "content": [{"text": "I'm doing well, thanks for asking!"}]}},
                          "stopReason": "end_turn", "usage": {"inputTokens": 13, "outputTokens": 9, "totalTokens": 22}, "metrics": {"latencyMs": 300}}),
            stream: None,
        },
        Example {
            title: "tool calling (seed: tools)",
            request: json!({
                "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "messages": [{"role": "user", "content": "What's the weather like in Boston today?"}],
                "tools": [{"type": "function", "function": {"name": "get_current_weather",
                    "description": "Get the current weather in a given location",
                    "parameters": {"type": "object", "properties": {"location": {"type": "string"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}],
                "tool_choice": "auto"
            }),
            reply: json!({"output": {"message": {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                          "name": "get_current_weather", "input": {"location": "Boston, MA", "unit": "fahrenheit"}}}]}},
                          "stopReason": "tool_use", "usage": {"inputTokens": 420, "outputTokens": 60, "totalTokens": 480}, "metrics": {"latencyMs": 800}}),
            stream: None,
        },
        Example {
            title: "provider params, requestMetadata, service tier (seed)",
            request: json!({
                "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "messages": [{"role": "user", "content": "Hello, how are you?"}],
                "top_k": 1, "requestMetadata": {"cost_center": "engineering", "user_id": "user123"},
                "service_tier": "priority", "performanceConfig": {"latency": "optimized"}
            }),
            reply: json!({"output": {"message": {"role": "assistant", "content": [{"text": "Hi!"}]}}, "stopReason": "end_turn",
                          "usage": {"inputTokens": 12, "outputTokens": 2, "totalTokens": 14}, "metrics": {"latencyMs": 90},
                          "serviceTier": {"type": "priority"}}),
            stream: None,
        },
        Example {
            title: "streaming (seed: Usage - Streaming)",
            request: json!({
                "model": "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
                "messages": [{"content": "Hello, how are you?", "role": "user"}],
                "stream": true, "stream_options": {"include_usage": true}
            }),
            reply: Value::Null,
            stream: Some(vec![
                ("messageStart", json!({"role": "assistant"})),
                (
                    "contentBlockDelta",
                    json!({"contentBlockIndex": 0, "delta": {"text": "Doing"}}),
                ),
                (
                    "contentBlockDelta",
                    json!({"contentBlockIndex": 0, "delta": {"text": " well!"}}),
                ),
                ("contentBlockStop", json!({"contentBlockIndex": 0})),
                ("messageStop", json!({"stopReason": "end_turn"})),
                (
                    "metadata",
                    json!({"usage": {"inputTokens": 13, "outputTokens": 3, "totalTokens": 16}, "metrics": {"latencyMs": 120}}),
                ),
            ]),
        },
    ]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::default();
    for ex in examples() {
        println!("=== {}", ex.title);
        let req: ChatCompletionRequest = serde_json::from_value(ex.request)?;
        let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref())?;
        let config = registry.config_for(&route)?;
        let mapped = config.map_params(&route, &req)?;
        let prepared = config.transform_request(&route, &req, mapped)?;
        let body: Value = serde_json::from_slice(&prepared.http.body)?;
        println!(
            "--> {} https://bedrock-runtime.us-east-1.amazonaws.com{}",
            prepared.http.method.as_str(),
            prepared.http.path
        );
        println!("{}", serde_json::to_string_pretty(&body)?);
        let ctx = ResponseContext {
            id: "chatcmpl-demo".to_owned(),
            created: 1_700_000_000,
            state: prepared.state,
        };
        match ex.stream {
            None => {
                let raw = serde_json::to_vec(&ex.reply)?;
                let headers = http::HeaderMap::new();
                let resp = config.transform_response(
                    &ctx,
                    HttpResponseParts {
                        status: 200,
                        headers: &headers,
                        body: &raw,
                    },
                )?;
                println!("<-- {}", serde_json::to_string_pretty(&resp)?);
            }
            Some(events) => {
                let mut decoder = config.stream_decoder(ctx);
                let mut chunks = Vec::new();
                for (name, payload) in events {
                    decoder.on_event(
                        &StreamEvent::new(name, serde_json::to_vec(&payload)?),
                        &mut chunks,
                    )?;
                }
                decoder.on_end(&mut chunks)?;
                for c in chunks {
                    println!("<-- data: {}", serde_json::to_string(&c)?);
                }
                println!("<-- data: [DONE]");
            }
        }
        println!();
    }
    Ok(())
}

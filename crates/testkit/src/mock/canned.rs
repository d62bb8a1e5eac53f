//! Canned answers for every route, built from the request: the mock's default when no rule or
//! fixture matches (the binary, the gateway demo and the examples' mock mode use it).
//!
//! Answers echo the last user text, count tokens as whitespace-separated words, and are shaped
//! exactly like the real service's replies for the model family the id names.

use serde_json::{Value, json};

use super::reply::Reply;
use super::route::Operation;
use super::{MockBedrock, MockRequest};
use crate::eventstream::Frame;

/// A 1×1 transparent PNG, base64.
pub const TINY_PNG_B64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

impl MockBedrock {
    /// Answer every request no rule matches with a canned reply shaped for its route and model.
    pub fn canned_answers(&self) {
        self.fallback(canned_reply);
    }
}

/// The canned reply for `request`.
pub fn canned_reply(request: &MockRequest) -> Reply {
    let body = request.json().unwrap_or(Value::Null);
    let model = request.model_id().unwrap_or_default();
    let base = base_model(model);
    let prompt = last_user_text(&body);
    let answer = format!("Hello from the mock Bedrock. You said: {prompt}");
    let input_tokens = words(&prompt).max(1);
    let output_tokens = words(&answer);
    match request.operation() {
        Some(Operation::Converse) => Reply::ok(&json!({
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                      "totalTokens": input_tokens + output_tokens},
            "metrics": {"latencyMs": 1}
        })),
        Some(Operation::ConverseStream) => {
            let mut frames = vec![Frame::event(
                "messageStart",
                &json!({"role": "assistant", "p": "abcd"}),
            )];
            for piece in pieces(&answer) {
                frames.push(Frame::event(
                    "contentBlockDelta",
                    &json!({"contentBlockIndex": 0, "delta": {"text": piece}, "p": "abcd"}),
                ));
            }
            frames.push(Frame::event(
                "contentBlockStop",
                &json!({"contentBlockIndex": 0, "p": "abcd"}),
            ));
            frames.push(Frame::event(
                "messageStop",
                &json!({"stopReason": "end_turn", "p": "abcd"}),
            ));
            frames.push(Frame::event(
                "metadata",
                &json!({"usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                                  "totalTokens": input_tokens + output_tokens},
                        "metrics": {"latencyMs": 1}, "p": "abcd"}),
            ));
            Reply::stream(frames)
        }
        Some(Operation::Invoke) => invoke_reply(base, &body, &answer, input_tokens, output_tokens),
        Some(Operation::InvokeWithResponseStream) if base.starts_with("anthropic.") => {
            let mut chunks = vec![
                json!({"type": "message_start", "message": {"id": "msg_mock", "type": "message",
                    "role": "assistant", "model": base, "content": [], "stop_reason": null,
                    "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}),
                json!({"type": "content_block_start", "index": 0,
                       "content_block": {"type": "text", "text": ""}}),
            ];
            for piece in pieces(&answer) {
                chunks.push(json!({"type": "content_block_delta", "index": 0,
                                   "delta": {"type": "text_delta", "text": piece}}));
            }
            chunks.push(json!({"type": "content_block_stop", "index": 0}));
            chunks.push(
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                               "usage": {"output_tokens": output_tokens}}),
            );
            chunks.push(
                json!({"type": "message_stop", "amazon-bedrock-invocationMetrics": {
                "inputTokenCount": input_tokens, "outputTokenCount": output_tokens,
                "invocationLatency": 1, "firstByteLatency": 1}}),
            );
            Reply::invoke_stream(&chunks)
        }
        Some(Operation::InvokeWithResponseStream) => Reply::error(
            400,
            "ValidationException",
            &format!("the mock has no canned stream for model `{model}`; add a fixture"),
        ),
        Some(Operation::CountTokens) => Reply::ok(&json!({ "inputTokens": input_tokens })),
        Some(Operation::Rerank) => {
            let n = body["sources"].as_array().map_or(0, Vec::len);
            let results: Vec<Value> = (0..n)
                .map(|i| json!({"index": i, "relevanceScore": 1.0 / (i as f64 + 1.0)}))
                .collect();
            Reply::ok(&json!({ "results": results }))
        }
        Some(Operation::InvokeAgent) => {
            let text = body["inputText"].as_str().unwrap_or_default();
            Reply::stream(vec![Frame::agent_text(&format!(
                "Hello from the mock agent. You said: {text}"
            ))])
            .with_header("x-amzn-bedrock-agent-content-type", "application/json")
        }
        Some(Operation::Retrieve) => Reply::ok(&json!({"retrievalResults": []})),
        None => Reply::error(404, "UnknownOperationException", "unknown operation"),
    }
}

fn invoke_reply(base: &str, body: &Value, answer: &str, input: usize, output: usize) -> Reply {
    let reply = if base.starts_with("anthropic.") {
        json!({"id": "msg_mock", "type": "message", "role": "assistant", "model": base,
               "content": [{"type": "text", "text": answer}], "stop_reason": "end_turn",
               "stop_sequence": null, "usage": {"input_tokens": input, "output_tokens": output}})
    } else if base.starts_with("amazon.titan-embed")
        || base.starts_with("amazon.nova-2-multimodal-embed")
    {
        let dims = body["dimensions"].as_u64().unwrap_or(8) as usize;
        json!({"embedding": vector(dims, input), "inputTextTokenCount": input})
    } else if base.starts_with("cohere.embed") {
        let texts = body["texts"].as_array().cloned().unwrap_or_default();
        let embeddings: Vec<Value> = (0..texts.len()).map(|i| json!(vector(8, i + 1))).collect();
        json!({"id": "mock-embed", "embeddings": embeddings, "texts": texts,
               "response_type": "embeddings_floats"})
    } else if base.starts_with("amazon.nova-canvas") || base.starts_with("amazon.titan-image") {
        let n = body["imageGenerationConfig"]["numberOfImages"]
            .as_u64()
            .unwrap_or(1);
        json!({"images": vec![TINY_PNG_B64; n as usize]})
    } else if base.starts_with("stability.stable-diffusion-xl") {
        json!({"result": "success", "artifacts": [
            {"seed": 0, "base64": TINY_PNG_B64, "finishReason": "SUCCESS"}]})
    } else if base.starts_with("stability.") {
        json!({"seeds": [0], "finish_reasons": [null], "images": [TINY_PNG_B64]})
    } else if base.starts_with("cohere.rerank") {
        let n = body["documents"].as_array().map_or(0, Vec::len);
        let results: Vec<Value> = (0..n)
            .map(|i| json!({"index": i, "relevance_score": 1.0 / (i as f64 + 1.0)}))
            .collect();
        json!({"id": "mock-rerank", "results": results})
    } else if base.starts_with("meta.") {
        json!({"generation": answer, "prompt_token_count": input,
               "generation_token_count": output, "stop_reason": "stop"})
    } else if base.starts_with("amazon.titan-text") {
        json!({"inputTextTokenCount": input, "results": [
            {"tokenCount": output, "outputText": answer, "completionReason": "FINISH"}]})
    } else if base.starts_with("mistral.") {
        json!({"outputs": [{"text": answer, "stop_reason": "stop"}]})
    } else if base.starts_with("amazon.nova") {
        json!({"output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
               "stopReason": "end_turn",
               "usage": {"inputTokens": input, "outputTokens": output, "totalTokens": input + output}})
    } else if base.starts_with("openai.") {
        json!({"id": "chatcmpl-mock", "object": "chat.completion", "created": 0, "model": base,
               "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                            "finish_reason": "stop"}],
               "usage": {"prompt_tokens": input, "completion_tokens": output,
                         "total_tokens": input + output}})
    } else {
        return Reply::error(
            400,
            "ValidationException",
            &format!("the mock has no canned invoke answer for model `{base}`; add a fixture"),
        );
    };
    Reply::ok(&reply)
        .with_header("x-amzn-bedrock-input-token-count", &input.to_string())
        .with_header("x-amzn-bedrock-output-token-count", &output.to_string())
}

/// The model id without a cross-region prefix or ARN wrapping.
fn base_model(id: &str) -> &str {
    let id = id.rsplit('/').next().unwrap_or(id);
    for prefix in [
        "us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.",
    ] {
        if let Some(rest) = id.strip_prefix(prefix) {
            return rest;
        }
    }
    id
}

/// The last user text of any request shape the mock sees.
fn last_user_text(body: &Value) -> String {
    if let Some(messages) = body["messages"].as_array()
        && let Some(last) = messages.iter().rev().find(|m| m["role"] == "user")
    {
        return match &last["content"] {
            Value::String(s) => s.clone(),
            Value::Array(blocks) => blocks
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        };
    }
    for key in ["prompt", "inputText", "message", "query"] {
        if let Some(s) = body[key].as_str() {
            return s.to_owned();
        }
    }
    if let Some(texts) = body["texts"].as_array() {
        return texts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" ");
    }
    // CountTokens wraps a Converse or invoke body.
    if let Some(inner) = body["input"]["converse"].as_object() {
        return last_user_text(&Value::Object(inner.clone()));
    }
    String::new()
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The answer split into word-sized stream deltas (each keeps its trailing space).
fn pieces(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in s.chars() {
        current.push(c);
        if c == ' ' {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn vector(dims: usize, seed: usize) -> Vec<f64> {
    (0..dims)
        .map(|i| ((seed * 31 + i * 7) % 100) as f64 / 100.0 - 0.5)
        .collect()
}

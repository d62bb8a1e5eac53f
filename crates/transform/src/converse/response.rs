//! Converse reply → OpenAI chat completion (LiteLLM's `_transform_response`).

use bedrock_types::chat::{FunctionCall, JsonObject, ThinkingBlock, ToolCall};
use bedrock_types::response::{Annotation, Choice, ResponseMessage, UrlCitation};
use bedrock_types::response::{CompletionTokensDetails, PromptTokensDetails, ResponseMeta};
use bedrock_types::{ChatCompletion, Error, ErrorKind, FinishReason, Result, Usage};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::config::{HttpResponseParts, ResponseContext};
use crate::pyjson;

/// The top level of a Converse reply, typed so the envelope costs no map of its own; content
/// blocks and the pass-through metadata stay JSON values.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    output: Option<Output>,
    #[serde(rename = "stopReason", default)]
    stop_reason: Option<Value>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(rename = "serviceTier", default)]
    service_tier: Option<Value>,
    #[serde(default)]
    metrics: Option<Value>,
    #[serde(default)]
    trace: Option<Value>,
    #[serde(rename = "performanceConfig", default)]
    performance_config: Option<Value>,
    #[serde(rename = "additionalModelResponseFields", default)]
    additional_model_response_fields: Option<Value>,
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    message: Option<OutputMessage>,
}

#[derive(Deserialize)]
struct OutputMessage {
    #[serde(default)]
    content: Option<Value>,
}

pub(super) fn transform(
    ctx: &ResponseContext,
    response: HttpResponseParts<'_>,
) -> Result<ChatCompletion> {
    let body: Reply = serde_json::from_slice(response.body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("Bedrock returned a Converse body that is not JSON: {e}"),
        )
        .with_status(422)
    })?;
    let blocks = body
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .and_then(|m| m.content.as_ref())
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "Converse reply has no `output.message.content`",
            )
            .with_status(422)
        })?;
    let state = &ctx.state;

    let mut text = String::new();
    let mut saw_text = false;
    let mut tool_calls = Vec::new();
    let mut reasoning = String::new();
    let mut thinking_blocks = Vec::new();
    let mut annotations = Vec::new();
    let mut psf = JsonObject::new();
    let mut json_answer: Option<String> = None;

    for block in blocks {
        if let Some(t) = block.get("text").and_then(Value::as_str) {
            text.push_str(t);
            saw_text = true;
        } else if let Some(tu) = block.get("toolUse") {
            let name = tu.get("name").and_then(Value::as_str).unwrap_or_default();
            let input = tu.get("input").cloned().unwrap_or_else(|| json!({}));
            if let Some(jm) = &state.json_mode
                && jm.tool_name.as_deref() == Some(name)
            {
                json_answer = Some(pyjson::dumps(&unwrap_json(
                    &input,
                    jm.unwrap_key.as_deref(),
                )));
                continue;
            }
            tool_calls.push(ToolCall {
                id: tu
                    .get("toolUseId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                kind: "function".to_owned(),
                function: FunctionCall {
                    name: state.tool_names.to_original(name).to_owned(),
                    arguments: pyjson::dumps(&input),
                },
            });
        } else if let Some(rc) = block.get("reasoningContent") {
            if let Some(rt) = rc.get("reasoningText") {
                let t = rt.get("text").and_then(Value::as_str).unwrap_or_default();
                reasoning.push_str(t);
                thinking_blocks.push(ThinkingBlock::Thinking {
                    thinking: t.to_owned(),
                    signature: rt
                        .get("signature")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            } else if let Some(data) = rc.get("redactedContent").and_then(Value::as_str) {
                thinking_blocks.push(ThinkingBlock::RedactedThinking {
                    data: data.to_owned(),
                });
            }
            push_list(&mut psf, "reasoningContentBlocks", rc.clone());
        } else if let Some(cc) = block.get("citationsContent") {
            let start = text.chars().count() as u64;
            for c in cc
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(t) = c.get("text").and_then(Value::as_str) {
                    text.push_str(t);
                    saw_text = true;
                }
            }
            let end = text.chars().count() as u64;
            for citation in cc
                .get("citations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(a) = annotation(citation, start, end) {
                    annotations.push(a);
                }
            }
            push_list(&mut psf, "citationsContent", cc.clone());
        }
    }

    let stop_reason = body
        .stop_reason
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("end_turn");
    let mut finish = finish_reason(stop_reason);
    if !tool_calls.is_empty() && finish == FinishReason::Stop {
        finish = FinishReason::ToolCalls;
    }
    if json_answer.is_some() && tool_calls.is_empty() && finish == FinishReason::ToolCalls {
        finish = FinishReason::Stop;
    }
    let content = match json_answer {
        Some(j) => Some(j),
        None if saw_text => Some(text),
        None => None,
    };

    let usage = body.usage.as_ref().map(|u| usage_from(u, &reasoning));
    let service_tier = body
        .service_tier
        .as_ref()
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned);

    let mut metadata = Map::new();
    for (key, value) in [
        ("metrics", body.metrics),
        ("trace", body.trace),
        ("performanceConfig", body.performance_config),
        (
            "additionalModelResponseFields",
            body.additional_model_response_fields,
        ),
        ("stopReason", body.stop_reason),
    ] {
        if let Some(v) = value {
            metadata.insert(key.to_owned(), v);
        }
    }

    Ok(ChatCompletion {
        id: ctx.id.clone(),
        created: ctx.created,
        model: state.model.clone(),
        object: "chat.completion".to_owned(),
        system_fingerprint: None,
        choices: vec![Choice {
            finish_reason: Some(finish),
            index: 0,
            message: ResponseMessage {
                content,
                role: "assistant".to_owned(),
                tool_calls: (!tool_calls.is_empty()).then_some(tool_calls),
                function_call: None,
                reasoning_content: (!reasoning.is_empty()).then_some(reasoning),
                thinking_blocks: (!thinking_blocks.is_empty()).then_some(thinking_blocks),
                annotations: (!annotations.is_empty()).then_some(annotations),
                provider_specific_fields: (!psf.is_empty()).then_some(psf),
            },
            extra: JsonObject::new(),
        }],
        usage,
        service_tier,
        extra: JsonObject::new(),
        meta: ResponseMeta {
            request_id: response.header("x-amzn-requestid").map(str::to_owned),
            provider_metadata: (!metadata.is_empty()).then_some(Value::Object(metadata)),
            ..ResponseMeta::default()
        },
    })
}

fn push_list(psf: &mut JsonObject, key: &str, value: Value) {
    if let Value::Array(list) = psf.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        list.push(value);
    }
}

/// `{"result": X}` → X when the JSON mode wrapped the schema; a lone `{"properties": {…}}`
/// wrapper some models return is unwrapped too (LiteLLM does the same).
fn unwrap_json(input: &Value, key: Option<&str>) -> Value {
    if let Some(k) = key
        && let Some(inner) = input.get(k)
    {
        return inner.clone();
    }
    if let Some(obj) = input.as_object()
        && obj.len() == 1
        && let Some(inner @ Value::Object(_)) = obj.get("properties")
    {
        return inner.clone();
    }
    input.clone()
}

/// A Bedrock citation → OpenAI `url_citation` over the cited text span.
pub(super) fn annotation(citation: &Value, start: u64, end: u64) -> Option<Annotation> {
    let location = citation.get("location");
    let url = citation.get("source").and_then(Value::as_str).or_else(|| {
        location
            .and_then(|l| l.pointer("/web/url"))
            .and_then(Value::as_str)
    })?;
    let title = citation
        .get("title")
        .and_then(Value::as_str)
        .or_else(|| {
            location
                .and_then(|l| l.pointer("/web/domain"))
                .and_then(Value::as_str)
        })
        .unwrap_or_default();
    Some(Annotation {
        kind: "url_citation".to_owned(),
        url_citation: UrlCitation {
            start_index: start,
            end_index: end,
            title: title.to_owned(),
            url: url.to_owned(),
        },
    })
}

/// Every Bedrock stop reason → OpenAI's finish reasons.
pub(super) fn finish_reason(stop: &str) -> FinishReason {
    match stop {
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "guardrail_intervened" | "content_filtered" => FinishReason::ContentFilter,
        // end_turn, stop_sequence, malformed_model_output, malformed_tool_use, pause_turn, …
        _ => FinishReason::Stop,
    }
}

/// Converse `usage` → OpenAI usage, as LiteLLM computes it: prompt tokens include cache reads
/// and writes.
pub(super) fn usage_from(u: &Value, reasoning: &str) -> Usage {
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let input = n("inputTokens");
    let output = n("outputTokens");
    let cache_read = n("cacheReadInputTokens");
    let cache_write = n("cacheWriteInputTokens");
    let prompt = input + cache_read + cache_write;
    let total = u
        .get("totalTokens")
        .and_then(Value::as_u64)
        .unwrap_or(prompt + output);
    // Bedrock does not split reasoning tokens out; estimate them from the text like LiteLLM
    // (~4 characters a token), never above the output count.
    let reasoning_tokens = if reasoning.is_empty() {
        0
    } else {
        ((reasoning.chars().count() as u64).div_ceil(4)).min(output)
    };
    Usage {
        completion_tokens: output,
        prompt_tokens: prompt,
        total_tokens: total,
        completion_tokens_details: Some(CompletionTokensDetails {
            reasoning_tokens: Some(reasoning_tokens),
            text_tokens: Some(output - reasoning_tokens),
        }),
        prompt_tokens_details: Some(PromptTokensDetails {
            cache_write_tokens: Some(cache_write),
            cached_tokens: Some(cache_read),
            text_tokens: Some(input),
            cache_creation_tokens: Some(cache_write),
        }),
        cache_creation_input_tokens: Some(cache_write),
        cache_read_input_tokens: Some(cache_read),
    }
}

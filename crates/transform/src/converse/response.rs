//! Converse reply → OpenAI chat completion (LiteLLM's `_transform_response`).

use bedrock_types::chat::{FunctionCall, JsonObject, ThinkingBlock, ToolCall};
use bedrock_types::response::{Annotation, Choice, ResponseMessage, UrlCitation};
use bedrock_types::response::{CacheCreationTokenDetails, PromptTokensDetails, ResponseMeta};
use bedrock_types::{ChatCompletion, Error, ErrorKind, FinishReason, Result, Usage};
use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use crate::config::{HttpResponseParts, ResponseContext};
use crate::pyjson;

/// The lenient "not what this reads" answer, as `Value::get`/`as_*` gave on a JSON value:
/// visitor methods consuming any scalar, and any array (`except map`) or object (`except seq`),
/// and giving `$v`. Each visitor writes only the method for the shape it reads.
macro_rules! other_values_give {
    ($t:ty, $v:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<$t, E> {
            Ok($v)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<$t, E> {
            Ok($v)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<$t, E> {
            Ok($v)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<$t, E> {
            Ok($v)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<$t, E> {
            Ok($v)
        }
        fn visit_unit<E: de::Error>(self) -> std::result::Result<$t, E> {
            Ok($v)
        }
    };
    ($t:ty, $v:expr, except map) => {
        other_values_give!($t, $v);
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<$t, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok($v)
        }
    };
    ($t:ty, $v:expr, except seq) => {
        other_values_give!($t, $v);
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<$t, A::Error> {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            Ok($v)
        }
    };
}

/// The top level of a Converse reply, typed so the envelope, the content blocks and the usage
/// cost no maps of their own; the pass-through metadata stays JSON values.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    output: Option<Output>,
    #[serde(rename = "stopReason", default)]
    stop_reason: Option<Value>,
    #[serde(default)]
    usage: Option<TokenUsage>,
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
    content: Option<Content>,
}

/// `output.message.content`: the blocks when it is an array; anything else is kept as "not an
/// array" so the caller reports it as missing (as it did when this was a JSON value).
enum Content {
    Blocks(Vec<Block>),
    NotArray,
}

/// One content block: the members this transform reads. A member of an unexpected type is kept
/// as the JSON value it is (the checks below look at its type); a block that is not an object
/// has none of them, and other members are skipped without being built.
#[derive(Default)]
struct Block {
    text: Option<Value>,
    tool_use: Option<Value>,
    reasoning_content: Option<Value>,
    citations_content: Option<Value>,
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("content blocks")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Content, A::Error> {
                let mut blocks = Vec::with_capacity(seq.size_hint().unwrap_or(1));
                while let Some(b) = seq.next_element::<Block>()? {
                    blocks.push(b);
                }
                Ok(Content::Blocks(blocks))
            }
            other_values_give!(Content, Content::NotArray, except seq);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Block {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Block;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a content block")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Block, A::Error> {
                let [text, tool_use, reasoning_content, citations_content] = read_members(
                    map,
                    ["text", "toolUse", "reasoningContent", "citationsContent"],
                )?;
                Ok(Block {
                    text,
                    tool_use,
                    reasoning_content,
                    citations_content,
                })
            }
            other_values_give!(Block, Block::default(), except map);
        }
        d.deserialize_any(V)
    }
}

/// Converse `usage`: the five counts, read without building a map. A count that is not a
/// non-negative integer reads as absent, and a `usage` that is not an object has no counts (as
/// `Value::as_u64` on a JSON value behaved).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct TokenUsage {
    input: Option<u64>,
    output: Option<u64>,
    cache_read: Option<u64>,
    cache_write: Option<u64>,
    total: Option<u64>,
    /// `cacheDetails` summed by time to live: (5 minutes, 1 hour).
    cache_ttl: Option<(u64, u64)>,
}

impl TokenUsage {
    /// The counts of a `usage` JSON value (the stream's metadata event).
    pub(super) fn of(value: &Value) -> TokenUsage {
        TokenUsage::deserialize(value).unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for TokenUsage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TokenUsage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("token usage")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<TokenUsage, A::Error> {
                // A count is a number (no allocation as a JSON value); anything else reads as
                // absent, as `Value::as_u64` said.
                let [input, output, cache_read, cache_write, total, details] = read_members(
                    map,
                    [
                        "inputTokens",
                        "outputTokens",
                        "cacheReadInputTokens",
                        "cacheWriteInputTokens",
                        "totalTokens",
                        "cacheDetails",
                    ],
                )?;
                let n = |v: Option<Value>| v.as_ref().and_then(Value::as_u64);
                Ok(TokenUsage {
                    input: n(input),
                    output: n(output),
                    cache_read: n(cache_read),
                    cache_write: n(cache_write),
                    total: n(total),
                    cache_ttl: details.as_ref().and_then(cache_ttl_split),
                })
            }
            other_values_give!(TokenUsage, TokenUsage::default(), except map);
        }
        d.deserialize_any(V)
    }
}

/// `cacheDetails` (`[{"ttl": "5m" | "1h", "inputTokens": n}, …]`) summed by time to live;
/// `None` when absent or empty, as LiteLLM treats it.
fn cache_ttl_split(details: &Value) -> Option<(u64, u64)> {
    let list = details.as_array().filter(|l| !l.is_empty())?;
    let sum = |ttl: &str| {
        list.iter()
            .filter(|d| d.get("ttl").and_then(Value::as_str) == Some(ttl))
            .filter_map(|d| d.get("inputTokens").and_then(Value::as_u64))
            .sum::<u64>()
    };
    Some((sum("5m"), sum("1h")))
}

/// The members of an object named in `names`, in that order; the others are skipped without
/// being built, and a repeated member keeps its last value (as a JSON value's map does).
fn read_members<'de, A: MapAccess<'de>, const N: usize>(
    mut map: A,
    names: [&str; N],
) -> std::result::Result<[Option<Value>; N], A::Error> {
    let mut found = [const { None }; N];
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        match names.iter().position(|n| *n == key.as_ref()) {
            Some(i) => found[i] = Some(map.next_value::<Value>()?),
            None => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
    }
    Ok(found)
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
    let blocks = match body.output.and_then(|o| o.message).and_then(|m| m.content) {
        Some(Content::Blocks(blocks)) => Some(blocks),
        _ => None,
    }
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
    // LiteLLM reports `reasoning_content` (maybe "") once any reasoning block came.
    let mut had_reasoning = false;

    for (idx, block) in blocks.into_iter().enumerate() {
        if let Some(Value::String(t)) = block.text {
            // LiteLLM moves a leading `<think>…</think>` out of every text block into a
            // reasoning block of its own.
            if let Some((thought, rest)) = crate::reasoning::split_think_tags(&t) {
                had_reasoning = true;
                reasoning.push_str(thought);
                thinking_blocks.push(ThinkingBlock::Thinking {
                    thinking: thought.to_owned(),
                    signature: None,
                });
                push_list(
                    &mut psf,
                    "reasoningContentBlocks",
                    json!({ "reasoningText": { "text": thought } }),
                );
                text.push_str(rest);
            } else if saw_text {
                text.push_str(&t);
            } else {
                text = t; // The usual single text block moves in without a copy.
            }
            saw_text = true;
        } else if let Some(tu) = &block.tool_use {
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
                // LiteLLM numbers a call by its content block.
                index: u32::try_from(idx).ok(),
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
        } else if let Some(rc) = &block.reasoning_content {
            had_reasoning = true;
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
        } else if let Some(cc) = &block.citations_content {
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
    // LiteLLM's Converse transform always sets the joined text, so a reply without a text block
    // (tool calls only) has `content: ""`, not null (checked against litellm 1.103.7).
    // LiteLLM's `_filter_json_mode_tools`: the JSON answer alone replaces the text; beside real
    // tool calls it is appended to it.
    let content = match json_answer {
        Some(j) if !tool_calls.is_empty() && !text.is_empty() => Some(text + &j),
        Some(j) => Some(j),
        None => Some(text),
    };

    let reasoning = had_reasoning.then_some(reasoning);
    let reported = crate::reasoning::reported_thinking_tokens(
        body.additional_model_response_fields
            .as_ref()
            .and_then(|f| f.get("usage")),
    );
    let usage = body
        .usage
        .as_ref()
        .map(|u| usage_from(u, reasoning.as_deref(), reported));
    let service_tier = body
        .service_tier
        .as_ref()
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned);

    // LiteLLM also puts the guardrail trace at the top level of the reply.
    let mut extra = JsonObject::new();
    if let Some(t) = &body.trace {
        extra.insert("trace".to_owned(), t.clone());
    }
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
                reasoning_content: reasoning,
                thinking_blocks: (!thinking_blocks.is_empty()).then_some(thinking_blocks),
                annotations: (!annotations.is_empty()).then_some(annotations),
                provider_specific_fields: (!psf.is_empty()).then_some(psf),
            },
            extra: JsonObject::new(),
        }],
        usage,
        service_tier,
        extra,
        meta: ResponseMeta {
            request_id: response
                .header(crate::config::REQUEST_ID_HEADER)
                .map(str::to_owned),
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
/// and writes; the reasoning share of the output as [`crate::reasoning::converse_details`]
/// finds it (`reasoning`: the joined reasoning text, `None` without reasoning blocks).
pub(super) fn usage_from(u: &TokenUsage, reasoning: Option<&str>, reported: Option<u64>) -> Usage {
    let input = u.input.unwrap_or(0);
    let output = u.output.unwrap_or(0);
    let cache_read = u.cache_read.unwrap_or(0);
    let cache_write = u.cache_write.unwrap_or(0);
    let prompt = input + cache_read + cache_write;
    let total = u.total.unwrap_or(prompt + output);
    Usage {
        completion_tokens: output,
        prompt_tokens: prompt,
        total_tokens: total,
        completion_tokens_details: Some(crate::reasoning::converse_details(
            output, reasoning, reported,
        )),
        prompt_tokens_details: Some(PromptTokensDetails {
            cache_write_tokens: Some(cache_write),
            cached_tokens: Some(cache_read),
            text_tokens: Some(input),
            cache_creation_tokens: Some(cache_write),
            // LiteLLM gives the split only when it accounts for every cache write.
            cache_creation_token_details: u
                .cache_ttl
                .filter(|(m5, h1)| m5 + h1 == cache_write)
                .map(|(m5, h1)| CacheCreationTokenDetails {
                    ephemeral_5m_input_tokens: m5,
                    ephemeral_1h_input_tokens: h1,
                }),
        }),
        cache_creation_input_tokens: Some(cache_write),
        cache_read_input_tokens: Some(cache_read),
        cost: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::ResponseState;

    fn run(body: Value) -> Result<ChatCompletion> {
        run_raw(&serde_json::to_vec(&body).unwrap())
    }

    fn run_raw(bytes: &[u8]) -> Result<ChatCompletion> {
        let ctx = ResponseContext {
            id: "chatcmpl-1".to_owned(),
            created: 1,
            state: ResponseState::default(),
        };
        let headers = http::HeaderMap::new();
        transform(
            &ctx,
            HttpResponseParts {
                status: 200,
                headers: &headers,
                body: bytes,
            },
        )
    }

    fn usage_of(usage: Value) -> Usage {
        run(json!({"output": {"message": {"content": [{"text": "x"}]}}, "usage": usage}))
            .unwrap()
            .usage
            .unwrap()
    }

    #[test]
    fn content_that_is_not_an_array_is_reported_missing() {
        for content in [json!({"text": "x"}), json!("x"), json!(1), json!(null)] {
            let e = run(json!({"output": {"message": {"content": content}}})).unwrap_err();
            assert!(e.to_string().contains("output.message.content"), "{e}");
            assert_eq!(e.status(), 422);
        }
        // Broken JSON is a different error.
        let e = run_raw(b"{\"output\": [").unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
    }

    #[test]
    fn blocks_read_leniently_like_json_values() {
        let c = run(json!({"output": {"message": {"content": [
            "not a block",
            7,
            {"text": 5, "toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}}},
            {"image": {"format": "png", "source": {"bytes": "AAAA"}}, "text": "one "},
            {"text": "three"},
            {"toolUse": null}
        ]}}, "stopReason": "end_turn"}))
        .unwrap();
        let m = &c.choices[0].message;
        // A non-string text falls through to the block's toolUse; unknown members are skipped.
        assert_eq!(m.content.as_deref(), Some("one three"));
        let calls = m.tool_calls.as_ref().unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].id, "t1");
        assert_eq!(calls[0].function.arguments, r#"{"a": 1}"#);
        // `toolUse: null` is still a toolUse block (as `Value::get` found it).
        assert_eq!(calls[1].function.name, "");
        assert_eq!(c.choices[0].finish_reason, Some(FinishReason::ToolCalls));
        // Repeated members keep their last value, as a JSON value's map does.
        let c = run_raw(
            br#"{"output": {"message": {"content": [{"text": "a", "text": "b"}]}},
                 "usage": {"inputTokens": 1, "inputTokens": 9, "outputTokens": 2}}"#,
        )
        .unwrap();
        assert_eq!(c.choices[0].message.content.as_deref(), Some("b"));
        assert_eq!(c.usage.unwrap().prompt_tokens, 9);
    }

    #[test]
    fn usage_counts_read_leniently() {
        let u = usage_of(json!({
            "inputTokens": 10, "outputTokens": 4, "cacheReadInputTokens": 2,
            "cacheWriteInputTokens": 1, "totalTokens": 17, "serverToolUsage": {"webSearch": 1}
        }));
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (13, 4, 17)
        );
        assert_eq!(u.cache_read_input_tokens, Some(2));
        assert_eq!(u.cache_creation_input_tokens, Some(1));
        // Counts of the wrong type read as absent; a missing total is the sum.
        let u = usage_of(json!({
            "inputTokens": "10", "outputTokens": -4, "cacheReadInputTokens": 1.5,
            "cacheWriteInputTokens": [1], "totalTokens": {"n": 1}
        }));
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total_tokens),
            (0, 0, 0)
        );
        let u = usage_of(json!({"inputTokens": 3, "outputTokens": 2}));
        assert_eq!(u.total_tokens, 5);
        // A usage that is not an object has no counts; null is no usage at all.
        assert_eq!(usage_of(json!("lots")).total_tokens, 0);
        let none = run(json!({"output": {"message": {"content": []}}, "usage": null})).unwrap();
        assert!(none.usage.is_none());
        // The stream's metadata event reads the same way from a JSON value.
        assert_eq!(
            TokenUsage::of(&json!({"inputTokens": 3, "outputTokens": "2", "x": [1]})),
            TokenUsage {
                input: Some(3),
                ..TokenUsage::default()
            }
        );
        assert_eq!(TokenUsage::of(&json!(true)), TokenUsage::default());
    }
}

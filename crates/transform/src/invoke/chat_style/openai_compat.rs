//! OpenAI Chat Completions bodies on InvokeModel: what the OpenAI-compatible family (gpt-oss,
//! `bedrock/openai/<arn>` imports, serverless Qwen) and Moonshot Kimi share — the messages as
//! OpenAI takes them, the `chat.completion` reply, and `chat.completion.chunk` stream chunks
//! inside `{"bytes"}` frames.

use bedrock_types::chat::{ContentPart, MessageContent, Role};
use bedrock_types::response::{Delta, FunctionCallDelta, ResponseMeta, ToolCallDelta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Choice, Error, ErrorKind,
    FinishReason, ResponseMessage, Result, StreamEvent, ToolCall, Usage,
};
use serde_json::{Map, Value, json};

use super::common::{
    ReasoningSplitter, bad_reply, decode_chunk, finish_reason, json_body, split_reasoning,
    usage_from_headers, usage_from_metrics, usage_from_openai,
};
use crate::config::{HttpResponseParts, ResponseContext, StreamDecoder};

/// `extra` key in [`crate::ResponseState`]: split a leading `<reasoning>…</reasoning>` block
/// out of the content.
pub(super) const SPLIT_REASONING: &str = "split_reasoning";

fn strip_cache_control(v: &mut Value) {
    if let Value::Object(o) = v {
        o.remove("cache_control");
    }
}

/// The caller's messages as an OpenAI body takes them (LiteLLM's `OpenAIGPTConfig`): verbatim,
/// except `cache_control` markers are removed and a bare-string `image_url` becomes
/// `{"url": …}`. With `flatten_text`, list contents made only of text parts become one string
/// (Moonshot's `handle_messages_with_content_list_to_str_conversion`, skipped when any message
/// carries a non-text part).
pub(super) fn messages(req: &ChatCompletionRequest, flatten_text: bool) -> Result<Vec<Value>> {
    if req.messages.is_empty() {
        return Err(Error::missing_field("messages"));
    }
    let only_text = req.messages.iter().all(|m| match &m.content {
        Some(MessageContent::Parts(parts)) => {
            parts.iter().all(|p| matches!(p, ContentPart::Text { .. }))
        }
        _ => true,
    });
    let mut out = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.iter().enumerate() {
        let mut v = serde_json::to_value(m).map_err(|e| {
            Error::invalid_field(format!("messages[{i}]"), format_args!("a message ({e})"))
        })?;
        strip_cache_control(&mut v);
        // A reply's tool calls passed back carry `index`; LiteLLM removes it
        // (`remove_index_from_tool_calls`) before any provider sees the history.
        if let Some(Value::Array(calls)) = v.get_mut("tool_calls") {
            for c in calls.iter_mut().filter_map(Value::as_object_mut) {
                c.remove("index");
            }
        }
        if let Some(Value::Array(parts)) = v.get_mut("content") {
            for p in parts.iter_mut() {
                strip_cache_control(p);
                if let Some(url) = p
                    .get("image_url")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                {
                    p["image_url"] = json!({ "url": url });
                }
            }
        }
        if flatten_text
            && only_text
            && let Some(MessageContent::Parts(parts)) = &m.content
        {
            let text: String = parts
                .iter()
                .filter_map(|p| match p {
                    ContentPart::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            if !text.is_empty() {
                v["content"] = json!(text);
            }
        }
        if m.role == Role::Tool && m.tool_call_id.is_none() {
            return Err(Error::missing_field(format!("messages[{i}].tool_call_id")));
        }
        out.push(v);
    }
    Ok(out)
}

/// The caller's tools without `cache_control` markers.
pub(super) fn tools(req: &ChatCompletionRequest) -> Result<Option<Value>> {
    let Some(tools) = &req.tools else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(tools.len());
    for (i, t) in tools.iter().enumerate() {
        if t.is_function() && t.function.is_none() {
            return Err(Error::missing_field(format!("tools[{i}].function")));
        }
        let mut v = serde_json::to_value(t).map_err(|e| {
            Error::invalid_field(format!("tools[{i}]"), format_args!("a tool ({e})"))
        })?;
        strip_cache_control(&mut v);
        out.push(v);
    }
    Ok(Some(Value::Array(out)))
}

/// Insert `value` under `key` when it serialises (typed OpenAI fields).
pub(super) fn put<T: serde::Serialize>(
    body: &mut Map<String, Value>,
    key: &str,
    value: &T,
) -> Result<()> {
    let v = serde_json::to_value(value)
        .map_err(|e| Error::invalid_field(key, format_args!("a JSON value ({e})")))?;
    body.insert(key.to_owned(), v);
    Ok(())
}

fn reasoning_field(msg: &Value) -> Option<String> {
    ["reasoning_content", "reasoning"]
        .iter()
        .find_map(|k| msg.get(*k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn tool_calls(msg: &Value, ctx: &ResponseContext, at: &str) -> Result<Option<Vec<ToolCall>>> {
    let Some(calls) = msg.get("tool_calls").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let mut calls: Vec<ToolCall> = serde_json::from_value(calls.clone())
        .map_err(|e| bad_reply("OpenAI-compatible", format_args!("`{at}.tool_calls`: {e}")))?;
    for c in &mut calls {
        c.function.name = ctx
            .state
            .tool_names
            .to_original(&c.function.name)
            .to_owned();
    }
    Ok((!calls.is_empty()).then_some(calls))
}

/// A `chat.completion` reply → [`ChatCompletion`]. Usage comes from the body, else from the
/// `x-amzn-bedrock-*-token-count` headers. A `reasoning_content`/`reasoning` field is kept; with
/// [`SPLIT_REASONING`] in the state, a leading `<reasoning>…</reasoning>` block of the content
/// becomes `reasoning_content` (LiteLLM's Moonshot rule; gpt-oss on invoke inlines it the same way).
pub(super) fn parse_completion(
    ctx: &ResponseContext,
    response: HttpResponseParts<'_>,
    family: &str,
) -> Result<ChatCompletion> {
    let body = json_body(family, &response)?;
    let split = ctx
        .state
        .extra
        .get(SPLIT_REASONING)
        .and_then(Value::as_bool)
        == Some(true);
    let raw_choices = body
        .get("choices")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_reply(family, "no `choices` list"))?;
    let mut choices = Vec::with_capacity(raw_choices.len());
    for (i, c) in raw_choices.iter().enumerate() {
        let at = format!("choices[{i}].message");
        let msg = c
            .get("message")
            .ok_or_else(|| bad_reply(family, format_args!("no `{at}`")))?;
        let mut content = msg
            .get("content")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut reasoning = reasoning_field(msg);
        if split
            && reasoning.is_none()
            && let Some(text) = content.as_deref().filter(|t| !t.is_empty())
        {
            let (r, main) = split_reasoning(text);
            if r.is_some() {
                reasoning = r;
                content = Some(main);
            }
        }
        let finish = c
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(finish_reason)
            .unwrap_or(FinishReason::Stop);
        choices.push(Choice {
            finish_reason: Some(finish),
            index: c
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(i as u32),
            message: ResponseMessage {
                content,
                role: "assistant".to_owned(),
                tool_calls: tool_calls(msg, ctx, &at)?,
                function_call: None,
                reasoning_content: reasoning,
                thinking_blocks: None,
                annotations: None,
                provider_specific_fields: None,
            },
            extra: Map::new(),
        });
    }
    if choices.is_empty() {
        return Err(bad_reply(family, "an empty `choices` list"));
    }
    let usage = body
        .get("usage")
        .and_then(usage_from_openai)
        .or_else(|| usage_from_headers(&response));
    Ok(ChatCompletion {
        id: body
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(&ctx.id)
            .to_owned(),
        created: body
            .get("created")
            .and_then(Value::as_u64)
            .unwrap_or(ctx.created),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(&ctx.state.model)
            .to_owned(),
        object: "chat.completion".to_owned(),
        system_fingerprint: None,
        choices,
        usage,
        service_tier: response
            .header("x-amzn-bedrock-service-tier")
            .map(str::to_owned),
        extra: Map::new(),
        meta: ResponseMeta {
            request_id: response
                .header(crate::config::REQUEST_ID_HEADER)
                .map(str::to_owned),
            ..ResponseMeta::default()
        },
    })
}

/// `chat.completion.chunk` objects (inside invoke `chunk` events) → OpenAI chunks, with
/// LiteLLM's `<reasoning>` split applied across chunk boundaries when the state asks for it.
/// Usage comes from the chunks' `usage` or the final `amazon-bedrock-invocationMetrics`, and is
/// emitted last when `stream_options.include_usage` is set.
///
/// LiteLLM 1.103.7 cannot stream these families: its generic invoke decoder finds no text key
/// in OpenAI-shaped chunks and yields empty deltas.
#[derive(Debug)]
pub struct OpenAiChunkDecoder {
    ctx: ResponseContext,
    family: &'static str,
    split: bool,
    splitters: Vec<ReasoningSplitter>,
    sent_role: bool,
    finished: Vec<bool>,
    usage: Option<Usage>,
}

impl OpenAiChunkDecoder {
    /// A decoder for one stream.
    pub(super) fn new(ctx: ResponseContext, family: &'static str) -> Self {
        let split = ctx
            .state
            .extra
            .get(SPLIT_REASONING)
            .and_then(Value::as_bool)
            == Some(true);
        OpenAiChunkDecoder {
            ctx,
            family,
            split,
            splitters: Vec::new(),
            sent_role: false,
            finished: Vec::new(),
            usage: None,
        }
    }

    fn emit(
        &mut self,
        index: u32,
        delta: Delta,
        finish: Option<FinishReason>,
        out: &mut Vec<ChatCompletionChunk>,
    ) {
        let mut c = crate::chunks::chunk(&self.ctx, &mut self.sent_role, delta, finish);
        if let Some(choice) = c.choices.first_mut() {
            choice.index = index;
        }
        out.push(c);
    }

    fn slot(&mut self, index: usize) {
        if self.splitters.len() <= index {
            self.splitters
                .resize_with(index + 1, ReasoningSplitter::default);
            self.finished.resize(index + 1, false);
        }
    }

    /// Flush what the splitter of choice `index` holds back.
    fn flush(&mut self, index: usize, out: &mut Vec<ChatCompletionChunk>) {
        if !self.split || index >= self.splitters.len() {
            return;
        }
        let (r, c) = self.splitters[index].finish();
        if !r.is_empty() || !c.is_empty() {
            let delta = Delta {
                reasoning_content: (!r.is_empty()).then_some(r),
                content: (!c.is_empty()).then_some(c),
                ..Delta::default()
            };
            self.emit(index as u32, delta, None, out);
        }
    }

    fn on_choice(
        &mut self,
        choice: &Value,
        pos: usize,
        out: &mut Vec<ChatCompletionChunk>,
    ) -> Result<()> {
        let index = choice
            .get("index")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(pos);
        self.slot(index);
        let d = choice.get("delta").cloned().unwrap_or(Value::Null);
        let mut delta = Delta::default();
        if let Some(r) = reasoning_field(&d) {
            delta.reasoning_content = Some(r);
        }
        if let Some(text) = d
            .get("content")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
        {
            if self.split {
                let (r, c) = self.splitters[index].push(text);
                if !r.is_empty() {
                    delta
                        .reasoning_content
                        .get_or_insert_with(String::new)
                        .push_str(&r);
                }
                if !c.is_empty() {
                    delta.content = Some(c);
                }
            } else {
                delta.content = Some(text.to_owned());
            }
        }
        if let Some(calls) = d.get("tool_calls").and_then(Value::as_array) {
            let mut out_calls = Vec::with_capacity(calls.len());
            for (j, call) in calls.iter().enumerate() {
                let s = |p: &str| call.pointer(p).and_then(Value::as_str).map(str::to_owned);
                let name = s("/function/name")
                    .map(|n| self.ctx.state.tool_names.to_original(&n).to_owned());
                out_calls.push(ToolCallDelta {
                    index: call
                        .get("index")
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(j as u32),
                    id: s("/id"),
                    kind: s("/type").or_else(|| s("/id").map(|_| "function".to_owned())),
                    function: FunctionCallDelta {
                        name,
                        arguments: s("/function/arguments").unwrap_or_default(),
                    },
                });
            }
            if !out_calls.is_empty() {
                delta.tool_calls = Some(out_calls);
            }
        }
        let finish = choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(finish_reason);
        let empty = delta.content.is_none()
            && delta.reasoning_content.is_none()
            && delta.tool_calls.is_none();
        if !empty || !self.sent_role {
            if empty {
                delta.content = Some(String::new());
            }
            self.emit(index as u32, delta, None, out);
        }
        if finish.is_some() {
            self.flush(index, out);
            self.emit(index as u32, Delta::default(), finish, out);
            self.finished[index] = true;
        }
        Ok(())
    }
}

impl StreamDecoder for OpenAiChunkDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(chunk) = decode_chunk(event)? else {
            return Ok(());
        };
        if let Some(choices) = chunk.get("choices") {
            let choices = choices.as_array().ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    format!(
                        "malformed {} stream chunk: `choices` is not a list",
                        self.family
                    ),
                )
                .with_status(422)
            })?;
            for (pos, c) in choices.iter().enumerate() {
                self.on_choice(c, pos, out)?;
            }
        }
        if let Some(u) = chunk
            .get("usage")
            .filter(|u| !u.is_null())
            .and_then(usage_from_openai)
        {
            self.usage = Some(u);
        } else if self.usage.is_none()
            && let Some(u) = usage_from_metrics(&chunk)
        {
            self.usage = Some(u);
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if self.splitters.is_empty() {
            self.slot(0);
        }
        for i in 0..self.splitters.len() {
            if !self.finished[i] {
                self.flush(i, out);
                self.emit(i as u32, Delta::default(), Some(FinishReason::Stop), out);
                self.finished[i] = true;
            }
        }
        if self.ctx.state.include_usage
            && let Some(u) = self.usage.take()
        {
            let mut c =
                crate::chunks::chunk(&self.ctx, &mut self.sent_role, Delta::default(), None);
            c.choices.clear();
            c.usage = Some(u);
            out.push(c);
        }
        Ok(())
    }
}

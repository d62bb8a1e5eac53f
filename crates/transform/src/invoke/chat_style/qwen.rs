//! Qwen on InvokeModel: imported Qwen3 (`bedrock/qwen3/<arn>`, reply field `generation`) and
//! Qwen2 (`bedrock/qwen2/<arn>`, reply field `text`) take a ChatML prompt, as LiteLLM's
//! `AmazonQwen3Config` / `AmazonQwen2Config` build it:
//!
//! ```text
//! {"prompt": "<|im_start|>system\n…<|im_end|>\n<|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n",
//!  "max_gen_len": max_tokens, "temperature", "top_p", "top_k", "stop"}
//! ```
//!
//! Images in user turns become `<|vision_start|><|image_pad|><|vision_end|>` placeholders (the
//! ChatML prompt cannot carry pixels). The reply's ChatML markers are stripped.
//!
//! Where this differs from LiteLLM 1.103.7, on purpose:
//! - a list content in a system, assistant or tool turn is rendered as its text (LiteLLM prints
//!   the Python list); `developer` turns are system turns and `function` turns tool turns
//!   (LiteLLM drops both silently); parts ChatML cannot carry (files, audio, video) are an error;
//! - an assistant turn with tool calls is one turn holding its text and every
//!   `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>` with the arguments as JSON, as
//!   Qwen's own chat template writes it (LiteLLM writes one turn per call, drops the text and
//!   quotes the arguments into an invalid JSON string);
//! - `stop_reason: "length"` is reported as `length` (LiteLLM always says `stop`), and usage comes
//!   from the body's `usage` or Llama-style `prompt_token_count`/`generation_token_count`, else the
//!   `x-amzn-bedrock-*-token-count` headers (LiteLLM reports zeros);
//! - serverless Qwen ids (`bedrock/invoke/qwen.qwen3-32b-v1:0`) take the OpenAI Chat Completions
//!   body on InvokeModel, so they are served by the OpenAI-compatible mapping (LiteLLM sends them
//!   the ChatML prompt).

use bedrock_types::chat::{ContentPart, JsonObject, MessageContent, Role};
use bedrock_types::response::{Delta, ResponseMeta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Choice, Error,
    FinishReason, ResponseMessage, Result, StreamEvent, Usage,
};
use serde_json::{Map, Value, json};

use super::common::{
    bad_reply, body_bytes, decode_chunk, finish_reason, invoke_parts, json_body, plain_usage,
    split_params, usage_from_headers, usage_from_metrics, usage_from_openai, with_unvalidated,
};
use super::openai::{self, OpenAiInvokeConfig};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    ResponseState, StreamDecoder, check_supported,
};
use crate::route::ModelRoute;

const IM_START: &str = "<|im_start|>";
const IM_END: &str = "<|im_end|>";
const VISION: &str = "<|vision_start|><|image_pad|><|vision_end|>";
const ASSISTANT_OPEN: &str = "<|im_start|>assistant\n";

/// Which Qwen generation (decides the name; both read `generation` then `text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Qwen3,
    Qwen2,
}

/// Qwen3 or Qwen2 on InvokeModel.
#[derive(Debug, Clone, Copy)]
pub struct QwenInvokeConfig {
    version: Version,
}

impl QwenInvokeConfig {
    /// Qwen3 (`bedrock/qwen3/<arn>`).
    pub const QWEN3: QwenInvokeConfig = QwenInvokeConfig {
        version: Version::Qwen3,
    };
    /// Qwen2 (`bedrock/qwen2/<arn>`).
    pub const QWEN2: QwenInvokeConfig = QwenInvokeConfig {
        version: Version::Qwen2,
    };
}

/// A Bedrock serverless Qwen model (OpenAI body) rather than an imported one (ChatML prompt).
fn serverless(route: &ModelRoute) -> bool {
    route.base_model.starts_with("qwen.")
}

/// LiteLLM's `AmazonQwen3Config.get_supported_openai_params` (`top_k` is a provider param).
const CHATML_PARAMS: &[&str] = &[
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stop",
    "stream",
];

impl ProviderConfig for QwenInvokeConfig {
    fn name(&self) -> &'static str {
        match self.version {
            Version::Qwen3 => "qwen3_invoke",
            Version::Qwen2 => "qwen2_invoke",
        }
    }

    fn supported_openai_params(&self, route: &ModelRoute) -> Vec<&'static str> {
        if serverless(route) {
            return OpenAiInvokeConfig.supported_openai_params(route);
        }
        with_unvalidated(CHATML_PARAMS.to_vec())
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        if serverless(route) {
            return OpenAiInvokeConfig.map_params(route, req);
        }
        let dropped = check_supported(&self.supported_openai_params(route), req)?;
        let on = |n: &str| !dropped.iter().any(|d| d == n);
        let mut p = Map::new();
        if let Some(max) = req.max_tokens.filter(|_| on("max_tokens")) {
            p.insert("max_gen_len".to_owned(), json!(max));
        }
        if let Some(t) = req.temperature.filter(|_| on("temperature")) {
            p.insert("temperature".to_owned(), json!(t));
        }
        if let Some(t) = req.top_p.filter(|_| on("top_p")) {
            p.insert("top_p".to_owned(), json!(t));
        }
        let (headers, rest) = split_params(req)?;
        if let Some(k) = rest.get("top_k") {
            p.insert("top_k".to_owned(), k.clone());
        }
        if let Some(stop) = req.stop.as_ref().filter(|_| on("stop")) {
            p.insert(
                "stop".to_owned(),
                serde_json::to_value(stop).map_err(|e| {
                    Error::invalid_field("stop", format_args!("a string or a list ({e})"))
                })?,
            );
        }
        for (k, v) in rest {
            if k != "top_k" {
                p.insert(k, v);
            }
        }
        Ok(MappedParams {
            params: p,
            dropped,
            headers,
            ..MappedParams::default()
        })
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        if serverless(route) {
            let messages = super::openai_compat::messages(req, false)?;
            return openai::request(route, req, params, messages, "Qwen");
        }
        let mut body = JsonObject::new();
        body.insert("prompt".to_owned(), json!(chatml_prompt(&req.messages)?));
        for (k, v) in params.params {
            body.insert(k, v);
        }
        let bytes = body_bytes(&Value::Object(body), "Qwen")?;
        let http = invoke_parts(route, req, bytes, params.headers);
        Ok(PreparedRequest {
            http,
            state: ResponseState::for_request(route, req, params.tool_names, params.json_mode),
        })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        if ctx
            .state
            .extra
            .contains_key(super::openai_compat::SPLIT_REASONING)
        {
            return OpenAiInvokeConfig.transform_response(ctx, response);
        }
        let body = json_body("Qwen", &response)?;
        let text = output_text(&body).ok_or_else(|| {
            bad_reply("Qwen", "no `generation`, `text` or `choices[0].text` field")
        })?;
        let content = clean(text);
        let finish = stop_reason(&body)
            .map(finish_reason)
            .unwrap_or(FinishReason::Stop);
        let usage = body_usage(&body).or_else(|| usage_from_headers(&response));
        Ok(ChatCompletion {
            id: ctx.id.clone(),
            created: ctx.created,
            model: ctx.state.model.clone(),
            object: "chat.completion".to_owned(),
            system_fingerprint: None,
            choices: vec![Choice {
                finish_reason: Some(finish),
                index: 0,
                message: ResponseMessage::text(content),
                extra: Map::new(),
            }],
            usage,
            service_tier: None,
            extra: Map::new(),
            meta: ResponseMeta {
                request_id: response
                    .header(crate::config::REQUEST_ID_HEADER)
                    .map(str::to_owned),
                ..ResponseMeta::default()
            },
        })
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        if ctx
            .state
            .extra
            .contains_key(super::openai_compat::SPLIT_REASONING)
        {
            return OpenAiInvokeConfig.stream_decoder(ctx);
        }
        Box::new(QwenStreamDecoder {
            ctx,
            sent_role: false,
            finished: false,
            usage: None,
        })
    }
}

/// The generated text: `generation` (Qwen3, Llama-style imports), `text` (Qwen2), or the OpenAI
/// completions shape `choices[0].text`.
fn output_text(v: &Value) -> Option<&str> {
    v.get("generation")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| v.get("text").and_then(Value::as_str))
        .or_else(|| v.pointer("/choices/0/text").and_then(Value::as_str))
        .or_else(|| v.get("generation").and_then(Value::as_str))
}

fn stop_reason(v: &Value) -> Option<&str> {
    v.get("stop_reason")
        .and_then(Value::as_str)
        .or_else(|| {
            v.pointer("/choices/0/finish_reason")
                .and_then(Value::as_str)
        })
        .or_else(|| v.pointer("/choices/0/stop_reason").and_then(Value::as_str))
}

fn body_usage(v: &Value) -> Option<Usage> {
    if let Some(u) = v.get("usage").and_then(usage_from_openai) {
        return Some(u);
    }
    let input = v.get("prompt_token_count").and_then(Value::as_u64)?;
    let output = v
        .get("generation_token_count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Some(plain_usage(input, output, None))
}

/// LiteLLM's clean-up: drop a leading `<|im_start|>assistant\n` and a trailing `<|im_end|>`.
fn clean(text: &str) -> String {
    let t = text.strip_prefix(ASSISTANT_OPEN).unwrap_or(text);
    t.strip_suffix(IM_END).unwrap_or(t).to_owned()
}

fn parts_text(m: &ChatMessage, at: &str, allow_images: bool) -> Result<String> {
    match &m.content {
        None => Ok(String::new()),
        Some(MessageContent::Text(t)) => Ok(t.clone()),
        Some(MessageContent::Parts(parts)) => {
            let mut out = String::new();
            for (j, p) in parts.iter().enumerate() {
                match p {
                    ContentPart::Text { text, .. } | ContentPart::GuardedText { text } => {
                        out.push_str(text)
                    }
                    ContentPart::ImageUrl { .. } if allow_images => out.push_str(VISION),
                    _ => {
                        return Err(Error::invalid_field(
                            format!("{at}.content[{j}]"),
                            if allow_images {
                                "a text or image_url part (a Qwen ChatML prompt carries nothing else)"
                            } else {
                                "a text part"
                            },
                        ));
                    }
                }
            }
            Ok(out)
        }
    }
}

fn tool_call_json(args: &str, at: &str) -> Result<String> {
    let trimmed = args.trim();
    let v: Value = if trimmed.is_empty() {
        json!({})
    } else {
        serde_json::from_str(trimmed)
            .map_err(|e| Error::invalid_field(at, format_args!("a JSON document ({e})")))?
    };
    Ok(crate::pyjson::dumps(&v))
}

/// The ChatML prompt: `<|im_start|>{role}\n{content}<|im_end|>` turns joined by `\n`, then the
/// open assistant turn.
fn chatml_prompt(messages: &[ChatMessage]) -> Result<String> {
    if messages.is_empty() {
        return Err(Error::missing_field("messages"));
    }
    let mut turns: Vec<String> = Vec::with_capacity(messages.len() + 1);
    for (i, m) in messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let (role, content) = match m.role {
            Role::System | Role::Developer => ("system", parts_text(m, &at, false)?),
            Role::User => ("user", parts_text(m, &at, true)?),
            Role::Tool | Role::Function => ("tool", parts_text(m, &at, false)?),
            Role::Assistant => {
                let mut content = parts_text(m, &at, false)?;
                for (j, call) in m.tool_calls.iter().flatten().enumerate() {
                    if !content.is_empty() {
                        content.push('\n');
                    }
                    let args = tool_call_json(
                        &call.function.arguments,
                        &format!("{at}.tool_calls[{j}].function.arguments"),
                    )?;
                    let name = crate::pyjson::dumps(&json!(call.function.name));
                    content.push_str(&format!(
                        "<tool_call>\n{{\"name\": {name}, \"arguments\": {args}}}\n</tool_call>"
                    ));
                }
                ("assistant", content)
            }
        };
        turns.push(format!("{IM_START}{role}\n{content}{IM_END}"));
    }
    turns.push(ASSISTANT_OPEN.to_owned());
    Ok(turns.join("\n"))
}

/// Qwen stream chunks (`{"generation": …}` / `{"text": …}`, `stop_reason` at the end, invocation
/// metrics on the last one) → OpenAI chunks.
#[derive(Debug)]
pub struct QwenStreamDecoder {
    ctx: ResponseContext,
    sent_role: bool,
    finished: bool,
    usage: Option<Usage>,
}

impl QwenStreamDecoder {
    fn push(
        &mut self,
        delta: Delta,
        finish: Option<FinishReason>,
        out: &mut Vec<ChatCompletionChunk>,
    ) {
        out.push(crate::chunks::chunk(
            &self.ctx,
            &mut self.sent_role,
            delta,
            finish,
        ));
    }
}

impl StreamDecoder for QwenStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(c) = decode_chunk(event)? else {
            return Ok(());
        };
        if let Some(text) = output_text(&c) {
            let text = if self.sent_role {
                text
            } else {
                text.strip_prefix(ASSISTANT_OPEN).unwrap_or(text)
            };
            let text = text.strip_suffix(IM_END).unwrap_or(text);
            if !text.is_empty() || !self.sent_role {
                self.push(
                    Delta {
                        content: Some(text.to_owned()),
                        ..Delta::default()
                    },
                    None,
                    out,
                );
            }
        }
        if let Some(u) = body_usage(&c).or_else(|| usage_from_metrics(&c)) {
            self.usage = Some(u);
        }
        if let Some(reason) = stop_reason(&c)
            && !self.finished
        {
            self.push(Delta::default(), Some(finish_reason(reason)), out);
            self.finished = true;
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if !self.finished {
            self.push(Delta::default(), Some(FinishReason::Stop), out);
            self.finished = true;
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

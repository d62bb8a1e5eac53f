//! InvokeModel families whose native body is a rendered prompt (or, for Cohere Command R and
//! AI21 Jamba, the family's own chat shape): one module per family, registered by [`register`].
//!
//! | family | config | body | stream |
//! |---|---|---|---|
//! | Claude v2 / v2.1 / Instant | [`AnthropicLegacyConfig`] | `prompt` (`\n\nHuman: … \n\nAssistant: `) | `completion` chunks |
//! | Meta Llama 2 / 3 / 3.x / 4, `bedrock/llama/<arn>` | [`LlamaConfig`] | `prompt` (chat template) | `generation` chunks |
//! | Mistral / Mixtral | [`MistralConfig`] | `prompt` (`<s>[INST] … [/INST]`) | `outputs` chunks |
//! | Cohere Command / Command R | [`CohereConfig`] | `prompt` / `message` + `chat_history` | `text` / `event_type` chunks |
//! | AI21 Jurassic-2 / Jamba | [`Ai21Config`] | `prompt` / `messages` | j2: **single chunk** (no streaming on Bedrock); Jamba: `choices` chunks |
//! | Amazon Titan Text | [`TitanTextConfig`] | `inputText` + `textGenerationConfig` | `outputText` chunks |
//! | DeepSeek R1 (`us.deepseek.r1-v1:0`, `bedrock/deepseek_r1/<arn>`) | [`DeepSeekR1Config`] | `prompt` (R1 template) | `<think>` split into `reasoning_content` |
//!
//! What they share lives here: the invoke request parts, text-only message flattening,
//! LiteLLM's supported-parameter rule, usage from the body or the
//! `x-amzn-bedrock-input-token-count` / `-output-token-count` headers, finish-reason mapping,
//! and one stream decoder driven by a per-family [`ChunkParser`]; the decoder reads the
//! `amazon-bedrock-invocationMetrics` block of the last chunk for the usage chunk (sent when
//! `stream_options.include_usage` is set).

mod ai21;
mod anthropic_legacy;
mod cohere;
mod deepseek_r1;
mod llama;
mod mistral;
mod titan_text;

use std::fmt::Debug;
use std::sync::Arc;

use bedrock_types::chat::{ContentPart, JsonObject, MessageContent, Role};
use bedrock_types::response::{Delta, ResponseMeta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Choice, Error,
    ErrorKind, FinishReason, ResponseMessage, Result, StreamEvent, ToolCall, Usage,
};
use serde_json::{Value, json};

pub use ai21::Ai21Config;
pub use anthropic_legacy::AnthropicLegacyConfig;
pub use cohere::CohereConfig;
pub use deepseek_r1::{DeepSeekR1Config, PROMPT_ENDS_IN_THINK};
pub use llama::LlamaConfig;
pub use mistral::MistralConfig;
pub use titan_text::TitanTextConfig;

use crate::config::{
    HttpRequestParts, HttpResponseParts, MappedParams, ResponseContext, ResponseState,
    StreamDecoder, check_supported,
};
use crate::registry::{Registry, RouteKey};
use crate::route::{Api, ModelFamily, ModelRoute};

/// Register this module's family configs.
pub(crate) fn register(registry: &mut Registry) {
    let families: [(ModelFamily, Arc<dyn crate::config::ProviderConfig>); 7] = [
        (
            ModelFamily::AnthropicLegacy,
            Arc::new(AnthropicLegacyConfig),
        ),
        (ModelFamily::Llama, Arc::new(LlamaConfig)),
        (ModelFamily::Mistral, Arc::new(MistralConfig)),
        (ModelFamily::Cohere, Arc::new(CohereConfig)),
        (ModelFamily::Ai21, Arc::new(Ai21Config)),
        (ModelFamily::TitanText, Arc::new(TitanTextConfig)),
        (ModelFamily::DeepSeekR1, Arc::new(DeepSeekR1Config)),
    ];
    for (family, config) in families {
        registry.register(RouteKey::Family(Api::Invoke, family), config);
    }
}

/// OpenAI parameters LiteLLM never validates against a family's list (`stream`,
/// `stream_options`, `user`): `user` is always accepted by [`check_supported`]; the others are
/// added here.
const UNVALIDATED: &[&str] = &["stream", "stream_options"];

/// LiteLLM's supported-parameter rule for these families: [`check_supported`] with LiteLLM's
/// unvalidated parameters accepted and `n=1` ignored (LangChain sends it by default).
pub(crate) fn check_params(
    supported: &[&'static str],
    req: &ChatCompletionRequest,
) -> Result<Vec<String>> {
    let mut list = supported.to_vec();
    for p in UNVALIDATED {
        if !list.contains(p) {
            list.push(p);
        }
    }
    if req.n == Some(1) && !list.contains(&"n") {
        list.push("n");
    }
    check_supported(&list, req)
}

/// Fail with `unsupported_params` naming `param` unless `drop_params`, for a parameter LiteLLM
/// lists but the model cannot take (returns whether it was dropped).
pub(crate) fn reject_param(
    param: &'static str,
    why: &str,
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    dropped: &mut Vec<String>,
) -> Result<()> {
    if req.drop_params.unwrap_or(false) {
        if !dropped.iter().any(|d| d == param) {
            dropped.push(param.to_owned());
        }
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::UnsupportedParams,
        format!(
            "bedrock does not support parameters: ['{param}'], for model={} ({why}). To drop \
             these, set `drop_params=true` (gateway: `litellm_settings: drop_params: true`).",
            route.model
        ),
    )
    .with_param(param))
}

/// Whether `name` was set and survived the supported-parameter check.
pub(crate) fn kept(dropped: &[String], name: &str) -> bool {
    !dropped.iter().any(|d| d == name)
}

/// `temperature` and `top_p` (each unless dropped), `top_p` under the family's own key.
pub(crate) fn insert_sampling(
    req: &ChatCompletionRequest,
    dropped: &[String],
    p: &mut JsonObject,
    top_p_key: &str,
) {
    if let Some(t) = req.temperature.filter(|_| kept(dropped, "temperature")) {
        p.insert("temperature".to_owned(), json!(t));
    }
    if let Some(t) = req.top_p.filter(|_| kept(dropped, "top_p")) {
        p.insert(top_p_key.to_owned(), json!(t));
    }
}

/// `stop` (unless dropped) as a list under the family's own key.
pub(crate) fn insert_stop(
    req: &ChatCompletionRequest,
    dropped: &[String],
    p: &mut JsonObject,
    key: &str,
) {
    if let Some(stop) = req.stop.as_ref().filter(|_| kept(dropped, "stop")) {
        p.insert(key.to_owned(), json!(stop.to_vec()));
    }
}

/// Provider params (LiteLLM's provider-specific params such as `top_k`) split into invoke
/// headers and body keys, merged into `params` (explicit OpenAI mappings win).
pub(crate) fn merge_provider_params(
    req: &ChatCompletionRequest,
    params: &mut JsonObject,
) -> Result<Vec<(String, String)>> {
    let (headers, rest) = crate::invoke_headers::split_invoke_params(&req.provider_params)?;
    for (k, v) in rest {
        params.entry(k).or_insert(v);
    }
    Ok(headers)
}

/// The `MappedParams` of a family: body params, dropped names and invoke headers.
pub(crate) fn mapped(
    params: JsonObject,
    dropped: Vec<String>,
    headers: Vec<(String, String)>,
) -> MappedParams {
    MappedParams {
        params,
        dropped,
        headers,
        ..MappedParams::default()
    }
}

/// The invoke request parts for `body`: `/invoke` or `/invoke-with-response-stream`.
pub(crate) fn invoke_parts(
    route: &ModelRoute,
    body: &Value,
    stream: bool,
    headers: Vec<(String, String)>,
) -> Result<HttpRequestParts> {
    let bytes = serde_json::to_vec(body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("serialising the invoke body failed: {e}"),
        )
    })?;
    Ok(crate::invoke::request_parts(route, stream, bytes, headers))
}

/// The text of a message: a string, or its text parts joined. `None` when the content is
/// absent. Media parts are an error naming the part: these families take text only.
pub(crate) fn message_text(m: &ChatMessage, at: &str, family: &str) -> Result<Option<String>> {
    match &m.content {
        None => Ok(None),
        Some(MessageContent::Text(t)) => Ok(Some(t.clone())),
        Some(MessageContent::Parts(parts)) => {
            let mut out = String::new();
            for (j, p) in parts.iter().enumerate() {
                match p {
                    ContentPart::Text { text, .. } | ContentPart::GuardedText { text } => {
                        out.push_str(text)
                    }
                    ContentPart::Thinking { .. }
                    | ContentPart::RedactedThinking { .. }
                    | ContentPart::Refusal { .. } => {}
                    _ => {
                        return Err(Error::invalid_field(
                            format!("{at}.content[{j}]"),
                            format_args!("a text part ({family} on InvokeModel takes text only)"),
                        ));
                    }
                }
            }
            Ok(Some(out))
        }
    }
}

/// An error for a tool turn in a family without tool calling.
pub(crate) fn no_tools(at: &str, family: &str) -> Error {
    Error::invalid_field(
        at.to_owned(),
        format_args!(
            "a system, user or assistant turn without tool calls ({family} on InvokeModel has no \
             tool calling; use bedrock/converse/ for tools)"
        ),
    )
}

/// A turn of a text-only conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    /// `system` or `developer`.
    System,
    /// `user`.
    User,
    /// `assistant`.
    Assistant,
}

/// The conversation as (turn, text) pairs for a family without tool calling: tool turns and
/// assistant tool calls are errors naming the message; absent content is empty text.
pub(crate) fn text_turns(req: &ChatCompletionRequest, family: &str) -> Result<Vec<(Turn, String)>> {
    require_messages(req)?;
    let mut out = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let turn = match m.role {
            Role::System | Role::Developer => Turn::System,
            Role::User => Turn::User,
            Role::Assistant => {
                if m.tool_calls.as_ref().is_some_and(|c| !c.is_empty()) || m.function_call.is_some()
                {
                    return Err(no_tools(&format!("{at}.tool_calls"), family));
                }
                Turn::Assistant
            }
            Role::Tool | Role::Function => return Err(no_tools(&format!("{at}.role"), family)),
        };
        out.push((turn, message_text(m, &at, family)?.unwrap_or_default()));
    }
    Ok(out)
}

/// At least one message is required.
pub(crate) fn require_messages(req: &ChatCompletionRequest) -> Result<()> {
    if req.messages.is_empty() {
        return Err(
            Error::new(ErrorKind::BadRequest, "`messages` must not be empty")
                .with_param("messages"),
        );
    }
    Ok(())
}

/// The whole reply body as JSON (a 422 when it is not).
pub(crate) fn parse_body(response: &HttpResponseParts<'_>, family: &str) -> Result<Value> {
    serde_json::from_slice(response.body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("Bedrock returned a {family} body that is not JSON: {e}"),
        )
        .with_status(422)
    })
}

/// A reply that lacks the field its family always sends (a 422, as LiteLLM).
pub(crate) fn bad_reply(family: &str, what: &str, body: &Value) -> Error {
    let text: String = body.to_string().chars().take(500).collect();
    Error::new(
        ErrorKind::Internal,
        format!("{family} reply has no {what}: {text}"),
    )
    .with_status(422)
}

/// A string field, if present.
pub(crate) fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// A count field, if present.
pub(crate) fn u64_at(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer).and_then(Value::as_u64)
}

/// The response state of a prompt family's request. A whole reply also records LiteLLM's
/// prompt-token estimate, which its usage falls back on when Bedrock sends no counts.
pub(crate) fn prompt_state(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    tool_names: crate::tool_names::ToolNameMap,
    json_mode: Option<crate::config::JsonMode>,
) -> ResponseState {
    let mut state = ResponseState::for_request(route, req, tool_names, json_mode);
    if !req.is_stream() {
        state.prompt_tokens_estimate = Some(crate::tokens::count_messages(&req.messages));
    }
    state
}

/// Usage as LiteLLM's invoke families read it (`AmazonInvokeConfig.transform_response`):
/// Bedrock's `x-amzn-bedrock-input-token-count` / `-output-token-count` headers, else its
/// estimates: the prompt's (recorded with the request) and cl100k's count of the reply `text`.
/// Counts in the reply body are not read, as in LiteLLM; Bedrock always sends the headers.
pub(crate) fn usage_or_estimate(
    ctx: &ResponseContext,
    text: Option<&str>,
    response: &HttpResponseParts<'_>,
) -> Usage {
    let header = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let input = header("x-amzn-bedrock-input-token-count")
        .or(ctx.state.prompt_tokens_estimate)
        .unwrap_or(0);
    let output = header("x-amzn-bedrock-output-token-count")
        .unwrap_or_else(|| text.map_or(0, crate::tokens::count));
    usage(input, output)
}

/// Plain usage: prompt, completion, total.
pub(crate) fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        ..Usage::default()
    }
}

/// `amazon-bedrock-invocationMetrics` (input, output) of an invoke stream chunk.
pub(crate) fn invocation_metrics(chunk: &Value) -> Option<(Option<u64>, Option<u64>)> {
    let m = chunk.get("amazon-bedrock-invocationMetrics")?;
    Some((
        u64_at(m, "/inputTokenCount"),
        u64_at(m, "/outputTokenCount"),
    ))
}

/// Every family's stop reasons → OpenAI's (LiteLLM's `map_finish_reason` table plus the
/// Titan and AI21 spellings); unknown reasons are `stop`, as in LiteLLM.
pub(crate) fn finish_reason(raw: &str) -> FinishReason {
    match raw {
        "length" | "max_tokens" | "MAX_TOKENS" | "LENGTH" | "compaction" | "model_length"
        | "max_length" => FinishReason::Length,
        "tool_use" | "tool_calls" => FinishReason::ToolCalls,
        "function_call" => FinishReason::FunctionCall,
        "content_filter"
        | "content_filtered"
        | "CONTENT_FILTERED"
        | "refusal"
        | "guardrail_intervened"
        | "ERROR_TOXIC"
        | "SAFETY" => FinishReason::ContentFilter,
        _ => FinishReason::Stop,
    }
}

/// One choice with `message`.
pub(crate) fn choice(index: u32, message: ResponseMessage, finish: FinishReason) -> Choice {
    Choice {
        finish_reason: Some(finish),
        index,
        message,
        extra: JsonObject::new(),
    }
}

/// The assistant message for `text` (and reasoning / tool calls).
pub(crate) fn message(
    text: Option<String>,
    reasoning: Option<String>,
    tool_calls: Vec<ToolCall>,
) -> ResponseMessage {
    let mut m = ResponseMessage::text(String::new());
    m.content = text;
    m.reasoning_content = reasoning.filter(|r| !r.is_empty());
    m.tool_calls = (!tool_calls.is_empty()).then_some(tool_calls);
    m
}

/// The chat completion for `choices` with `usage`.
pub(crate) fn completion(
    ctx: &ResponseContext,
    response: &HttpResponseParts<'_>,
    choices: Vec<Choice>,
    usage: Option<Usage>,
) -> ChatCompletion {
    ChatCompletion {
        id: ctx.id.clone(),
        created: ctx.created,
        model: ctx.state.model.clone(),
        object: "chat.completion".to_owned(),
        system_fingerprint: None,
        choices,
        usage,
        service_tier: None,
        extra: JsonObject::new(),
        meta: ResponseMeta {
            request_id: response
                .header(crate::config::REQUEST_ID_HEADER)
                .map(str::to_owned),
            ..ResponseMeta::default()
        },
    }
}

/// What a family's native stream chunk says, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Answer text for choice `index`.
    Text(u32, String),
    /// Reasoning text (DeepSeek R1's `<think>` block).
    Reasoning(String),
    /// A complete tool call (Cohere Command R).
    Tool(ToolCall),
    /// Generation of choice `index` stopped.
    Finish(u32, FinishReason),
    /// Token counts the chunk carries (later values replace earlier ones).
    Usage(Option<u64>, Option<u64>),
}

/// A family's reading of its native stream chunks.
pub(crate) trait ChunkParser: Send + Debug {
    /// Read one decoded native chunk.
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()>;

    /// The stream ended; emit anything held back.
    fn flush(&mut self, _out: &mut Vec<Piece>) {}
}

pub(crate) use crate::invoke::decode_chunk;

/// The stream decoder every prompt family uses: native chunks → [`Piece`]s (via `P`) →
/// OpenAI chunks; usage from `amazon-bedrock-invocationMetrics` (else the chunks' own counts)
/// in a last choice-less chunk when `include_usage`.
#[derive(Debug)]
pub(crate) struct PromptStreamDecoder<P> {
    ctx: ResponseContext,
    parser: P,
    raw_body: bool,
    sent_role: bool,
    finished: bool,
    next_tool: u32,
    input: Option<u64>,
    output: Option<u64>,
}

impl<P: ChunkParser> PromptStreamDecoder<P> {
    /// A decoder for one stream.
    pub(crate) fn new(ctx: ResponseContext, parser: P) -> Self {
        PromptStreamDecoder {
            ctx,
            parser,
            raw_body: false,
            sent_role: false,
            finished: false,
            next_tool: 0,
            input: None,
            output: None,
        }
    }

    /// Also accept a whole reply body as the payload (single-chunk streams).
    pub(crate) fn accepting_raw_body(mut self) -> Self {
        self.raw_body = true;
        self
    }

    fn chunk(
        &mut self,
        index: u32,
        delta: Delta,
        finish: Option<FinishReason>,
    ) -> ChatCompletionChunk {
        let mut c = crate::chunks::chunk(&self.ctx, &mut self.sent_role, delta, finish);
        for ch in &mut c.choices {
            ch.index = index;
        }
        c
    }

    fn emit(&mut self, pieces: Vec<Piece>, out: &mut Vec<ChatCompletionChunk>) {
        for p in pieces {
            match p {
                Piece::Text(_, t) | Piece::Reasoning(t) if t.is_empty() => {}
                Piece::Text(i, t) => {
                    let d = Delta {
                        content: Some(t),
                        ..Delta::default()
                    };
                    let c = self.chunk(i, d, None);
                    out.push(c);
                }
                Piece::Reasoning(t) => {
                    let d = Delta {
                        reasoning_content: Some(t),
                        ..Delta::default()
                    };
                    let c = self.chunk(0, d, None);
                    out.push(c);
                }
                Piece::Tool(call) => {
                    let i = self.next_tool;
                    self.next_tool += 1;
                    let d = crate::chunks::tool_delta(
                        i,
                        Some(call.id),
                        Some(call.function.name),
                        call.function.arguments,
                    );
                    let c = self.chunk(0, d, None);
                    out.push(c);
                }
                Piece::Finish(i, f) => {
                    let c = self.chunk(i, Delta::default(), Some(f));
                    out.push(c);
                    self.finished = true;
                }
                Piece::Usage(input, output) => {
                    self.input = input.or(self.input);
                    self.output = output.or(self.output);
                }
            }
        }
    }
}

impl<P: ChunkParser> StreamDecoder for PromptStreamDecoder<P> {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(native) = decode_chunk(event, self.raw_body)? else {
            return Ok(());
        };
        let mut pieces = Vec::new();
        self.parser.parse(&native, &mut pieces)?;
        if let Some((input, output)) = invocation_metrics(&native) {
            pieces.push(Piece::Usage(input, output));
        }
        self.emit(pieces, out);
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let mut pieces = Vec::new();
        self.parser.flush(&mut pieces);
        self.emit(pieces, out);
        if !self.finished {
            let c = self.chunk(0, Delta::default(), Some(FinishReason::Stop));
            out.push(c);
            self.finished = true;
        }
        if self.ctx.state.include_usage && (self.input.is_some() || self.output.is_some()) {
            let mut c = self.chunk(0, Delta::default(), None);
            c.choices.clear();
            c.usage = Some(usage(self.input.unwrap_or(0), self.output.unwrap_or(0)));
            out.push(c);
            self.input = None;
            self.output = None;
        }
        Ok(())
    }
}

//! Bedrock Agents through `InvokeAgent` (`bedrock/agent/<agent_id>/<alias_id>`): LiteLLM's
//! `AmazonInvokeAgentConfig`.
//!
//! Request: `POST /agents/{agentId}/agentAliases/{aliasId}/sessions/{sessionId}/text` on
//! bedrock-agent-runtime with `{"inputText": <text of the last message>, "enableTrace": true,
//! …provider params}`. Every provider param goes into the body as given (`sessionState`,
//! `endSession`, `enableTrace`, `memoryId`, `streamingConfigurations`,
//! `bedrockModelConfigurations`, `promptCreationConfigurations`, `invocationId`, …), except
//! the session id: `sessionID` (LiteLLM's name) or `session_id`, which goes into the path. With
//! neither, the caller supplies a fresh id through [`ensure_session_id`] (the transform has
//! no randomness).
//!
//! Reply: an event stream. `chunk` events carry `{"bytes": base64 text}` (concatenated into the
//! answer), `trace` events carry the model invocations (their `usage` is summed into the
//! response usage, the first `foundationModel` becomes the response model), `returnControl`
//! asks the caller to run an action group (it becomes tool calls, finish reason `tool_calls`,
//! with the whole payload under `provider_specific_fields.returnControl` for the follow-up
//! `sessionState.returnControlInvocationResults`), `files` carries generated files. A
//! non-streaming call reads the whole body and [`ProviderConfig::transform_response`] decodes
//! its frames; a streaming call feeds the events to [`AgentStreamDecoder`].
//!
//! Differences from LiteLLM 1.103.7, on purpose: LiteLLM copies every optional param into the
//! body, including the AWS credentials (`aws_access_key_id`, `aws_secret_access_key`, …) and
//! `sessionID`; here only provider params reach the body and the session id only the path.
//! LiteLLM takes usage from the pre-processing trace alone; here every trace's model
//! invocation counts. LiteLLM ignores `returnControl` (an empty answer) and fakes streaming
//! from the whole reply; here `returnControl` becomes tool calls and streams are real.

use base64::Engine;
use bedrock_types::chat::JsonObject;
use bedrock_types::response::{Delta, ResponseMeta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Choice, ContentPart, Error,
    ErrorKind, FinishReason, FunctionCall, MessageContent, ResponseMessage, Result, StreamEvent,
    ToolCall, Usage,
};
use serde_json::{Value, json};

use crate::config::{
    EndpointKind, HttpRequestParts, HttpResponseParts, MappedParams, PreparedRequest,
    ProviderConfig, ResponseContext, ResponseKind, ResponseState, StreamDecoder, check_supported,
};
use crate::encoding::encode_label;
use crate::pyjson;
use crate::route::ModelRoute;

/// The request param that names the agent session (LiteLLM's spelling).
pub const SESSION_ID_PARAM: &str = "sessionID";
/// The snake_case alias also accepted for the session id.
pub const SESSION_ID_ALIAS: &str = "session_id";

/// Make sure `params` (from [`ProviderConfig::map_params`]) names a session: when the request
/// gave neither `sessionID` nor `session_id`, `generate` supplies one (LiteLLM uses a UUID4).
/// Call it before [`ProviderConfig::transform_request`] on an agent route.
pub fn ensure_session_id(params: &mut MappedParams, generate: impl FnOnce() -> String) {
    let named = |k: &str| params.params.get(k).is_some_and(|v| !v.is_null());
    if !named(SESSION_ID_PARAM) && !named(SESSION_ID_ALIAS) {
        params
            .params
            .insert(SESSION_ID_PARAM.to_owned(), Value::String(generate()));
    }
}

/// Bedrock Agents `InvokeAgent`.
#[derive(Debug, Clone, Copy, Default)]
pub struct InvokeAgentConfig;

impl ProviderConfig for InvokeAgentConfig {
    fn name(&self) -> &'static str {
        "invoke_agent"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        // LiteLLM maps no OpenAI parameter for agents; `stream` and `stream_options` are
        // accepted by its core.
        vec!["stream", "stream_options"]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_supported(&self.supported_openai_params(route), req)?;
        Ok(MappedParams {
            params: req.provider_params.clone(),
            dropped,
            ..MappedParams::default()
        })
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let ids = route.agent.as_ref().ok_or_else(|| {
            Error::invalid_field(
                "model",
                format_args!(
                    "`bedrock/agent/<AGENT_ID>/<ALIAS_ID>`, got `{}`",
                    route.model
                ),
            )
        })?;
        let mut extra = params.params;
        let primary = extra.remove(SESSION_ID_PARAM).filter(|v| !v.is_null());
        let alias = extra.remove(SESSION_ID_ALIAS).filter(|v| !v.is_null());
        let (field, session) = match (primary, alias) {
            (Some(v), _) => (SESSION_ID_PARAM, v),
            (None, Some(v)) => (SESSION_ID_ALIAS, v),
            (None, None) => {
                return Err(Error::missing_field(SESSION_ID_PARAM).with_context(
                    "an agent call needs a session id: pass `sessionID`, or let the client \
                     generate one (agents::ensure_session_id)",
                ));
            }
        };
        let session = check_session_id(field, session)?;
        let mut body = JsonObject::new();
        body.insert("inputText".to_owned(), json!(input_text(req)?));
        body.insert("enableTrace".to_owned(), json!(true));
        body.extend(extra);
        let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the InvokeAgent body failed: {e}"),
            )
        })?;
        // The reply is always an event stream. A streaming call decodes it frame by frame; a
        // non-streaming call reads the whole body (`Json` = one whole body) and
        // `transform_response` decodes the frames.
        let kind = if req.is_stream() {
            ResponseKind::EventStream
        } else {
            ResponseKind::CollectedEvents
        };
        let mut http = HttpRequestParts::post_json(
            EndpointKind::AgentRuntime,
            format!(
                "/agents/{}/agentAliases/{}/sessions/{}/text",
                encode_label(&ids.agent_id),
                encode_label(&ids.alias_id),
                encode_label(&session)
            ),
            bytes,
            kind,
        );
        http.headers.extend(params.headers);
        let mut state = ResponseState::for_request(route, req, params.tool_names, None);
        state
            .extra
            .insert("sessionId".to_owned(), Value::String(session));
        Ok(PreparedRequest { http, state })
    }

    fn transform_response(
        &self,
        _ctx: &ResponseContext,
        _response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        Err(Error::new(
            ErrorKind::Internal,
            "InvokeAgent replies with an event stream: decode its frames and call transform_events",
        ))
    }

    fn transform_events(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
        events: &[StreamEvent],
    ) -> Result<ChatCompletion> {
        let request_id = response.header(crate::config::REQUEST_ID_HEADER);
        let mut turn = Turn::default();
        for event in events {
            turn.feed(event)?;
        }
        let state = &ctx.state;
        let tool_calls = turn.tool_calls();
        let finish = if tool_calls.is_empty() {
            FinishReason::Stop
        } else {
            FinishReason::ToolCalls
        };
        let mut fields = JsonObject::new();
        if let Some(rc) = &turn.return_control {
            fields.insert("returnControl".to_owned(), rc.clone());
        }
        if !turn.citations.is_empty() {
            fields.insert("citations".to_owned(), Value::Array(turn.citations.clone()));
        }
        let content = if turn.text.is_empty() && !tool_calls.is_empty() {
            None
        } else {
            Some(turn.text.clone())
        };
        let mut metadata = JsonObject::new();
        if let Some(session) = response
            .header("x-amz-bedrock-agent-session-id")
            .map(|s| Value::String(s.to_owned()))
            .or_else(|| state.extra.get("sessionId").cloned())
        {
            metadata.insert("sessionId".to_owned(), session);
        }
        if let Some(memory) = response.header("x-amz-bedrock-agent-memory-id") {
            metadata.insert("memoryId".to_owned(), json!(memory));
        }
        if !turn.traces.is_empty() {
            metadata.insert("traces".to_owned(), Value::Array(turn.traces.clone()));
        }
        if !turn.files.is_empty() {
            metadata.insert("files".to_owned(), Value::Array(turn.files.clone()));
        }
        Ok(ChatCompletion {
            id: ctx.id.clone(),
            created: ctx.created,
            // LiteLLM reports the agent's foundation model when a trace names it.
            model: turn.model.clone().unwrap_or_else(|| state.model.clone()),
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
                    reasoning_content: None,
                    thinking_blocks: None,
                    annotations: None,
                    provider_specific_fields: (!fields.is_empty()).then_some(fields),
                },
                extra: JsonObject::new(),
            }],
            usage: Some(turn.usage()),
            service_tier: None,
            extra: JsonObject::new(),
            meta: ResponseMeta {
                request_id: request_id.map(str::to_owned),
                provider_metadata: (!metadata.is_empty()).then_some(Value::Object(metadata)),
                ..ResponseMeta::default()
            },
        })
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(AgentStreamDecoder::new(ctx))
    }
}

/// Session ids: `^[0-9a-zA-Z._:-]+$`, 2 to 100 characters (Bedrock's rule).
fn check_session_id(field: &str, value: Value) -> Result<String> {
    let Value::String(s) = value else {
        return Err(Error::invalid_field(field, "a string"));
    };
    let ok = (2..=100).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if !ok {
        return Err(Error::invalid_field(
            field,
            format_args!("2-100 characters of letters, digits, `.`, `_`, `:` or `-`, got `{s}`"),
        ));
    }
    Ok(s)
}

/// The text of the last message (LiteLLM's `convert_content_list_to_str`: text parts joined
/// with nothing between them). Non-text parts are refused rather than dropped.
fn input_text(req: &ChatCompletionRequest) -> Result<String> {
    let i = req
        .messages
        .len()
        .checked_sub(1)
        .ok_or_else(|| Error::missing_field("messages"))?;
    let message = &req.messages[i];
    match &message.content {
        None => Ok(String::new()),
        Some(MessageContent::Text(t)) => Ok(t.clone()),
        Some(MessageContent::Parts(parts)) => {
            let mut text = String::new();
            for (j, part) in parts.iter().enumerate() {
                match part {
                    ContentPart::Text { text: t, .. } | ContentPart::GuardedText { text: t } => {
                        text.push_str(t)
                    }
                    _ => {
                        return Err(Error::invalid_field(
                            format!("messages[{i}].content[{j}]"),
                            "text: Bedrock agents take text input (send files through \
                             `sessionState.files`)",
                        ));
                    }
                }
            }
            Ok(text)
        }
    }
}

/// What one event added to the turn.
enum Fed {
    Nothing,
    Text(String, Option<Value>),
    ReturnControl,
    Files(Value),
}

/// The agent turn as its events arrive: answer text, usage and model from traces, a
/// `returnControl` request, files.
#[derive(Debug, Default)]
struct Turn {
    text: String,
    input_tokens: u64,
    output_tokens: u64,
    model: Option<String>,
    return_control: Option<Value>,
    citations: Vec<Value>,
    traces: Vec<Value>,
    files: Vec<Value>,
}

impl Turn {
    fn feed(&mut self, event: &StreamEvent) -> Result<Fed> {
        let payload = || -> Result<Value> {
            serde_json::from_slice(&event.payload).map_err(|e| {
                malformed(format!(
                    "`{}` event payload is not JSON: {e}",
                    event.event_type
                ))
            })
        };
        match event.event_type.as_str() {
            "chunk" => {
                let p = payload()?;
                let text = match p.get("bytes").and_then(Value::as_str) {
                    Some(b64) => {
                        let raw = base64::engine::general_purpose::STANDARD
                            .decode(b64)
                            .map_err(|e| malformed(format!("chunk `bytes` is not base64: {e}")))?;
                        String::from_utf8(raw)
                            .map_err(|e| malformed(format!("chunk text is not UTF-8: {e}")))?
                    }
                    None => String::new(),
                };
                let citations = p
                    .pointer("/attribution/citations")
                    .and_then(Value::as_array)
                    .filter(|c| !c.is_empty())
                    .cloned();
                if let Some(c) = &citations {
                    self.citations.extend(c.iter().cloned());
                }
                self.text.push_str(&text);
                Ok(Fed::Text(text, citations.map(Value::Array)))
            }
            "trace" => {
                let p = payload()?;
                if let Some(kinds) = p.get("trace").and_then(Value::as_object) {
                    for step in kinds.values() {
                        if let Some(usage) = step.pointer("/modelInvocationOutput/metadata/usage") {
                            let n = |k: &str| usage.get(k).and_then(Value::as_u64).unwrap_or(0);
                            self.input_tokens += n("inputTokens");
                            self.output_tokens += n("outputTokens");
                        }
                        if self.model.is_none()
                            && let Some(m) = step
                                .pointer("/modelInvocationInput/foundationModel")
                                .and_then(Value::as_str)
                        {
                            self.model = Some(m.to_owned());
                        }
                    }
                }
                self.traces.push(p);
                Ok(Fed::Nothing)
            }
            "returnControl" => {
                self.return_control = Some(payload()?);
                Ok(Fed::ReturnControl)
            }
            "files" => {
                let p = payload()?;
                let files = p.get("files").cloned().unwrap_or(p);
                match &files {
                    Value::Array(list) => self.files.extend(list.iter().cloned()),
                    other => self.files.push(other.clone()),
                }
                Ok(Fed::Files(files))
            }
            _ => Ok(Fed::Nothing),
        }
    }

    fn usage(&self) -> Usage {
        Usage {
            prompt_tokens: self.input_tokens,
            completion_tokens: self.output_tokens,
            total_tokens: self.input_tokens + self.output_tokens,
            ..Usage::default()
        }
    }

    /// `returnControl` invocation inputs as OpenAI tool calls: id `{invocationId}-{i}`, the
    /// function name (or the API path), the parameters as a JSON object of name → value.
    fn tool_calls(&self) -> Vec<ToolCall> {
        let Some(rc) = &self.return_control else {
            return Vec::new();
        };
        let invocation = rc
            .get("invocationId")
            .and_then(Value::as_str)
            .unwrap_or("returnControl");
        let inputs = rc
            .get("invocationInputs")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        inputs
            .iter()
            .enumerate()
            .filter_map(|(i, input)| {
                let (name, call) = if let Some(f) = input.get("functionInvocationInput") {
                    (f.get("function").and_then(Value::as_str)?, f)
                } else if let Some(a) = input.get("apiInvocationInput") {
                    (a.get("apiPath").and_then(Value::as_str)?, a)
                } else {
                    return None;
                };
                let mut args = JsonObject::new();
                let mut add = |list: Option<&Value>| {
                    for p in list.and_then(Value::as_array).into_iter().flatten() {
                        if let Some(n) = p.get("name").and_then(Value::as_str) {
                            args.insert(
                                n.to_owned(),
                                p.get("value").cloned().unwrap_or(Value::Null),
                            );
                        }
                    }
                };
                add(call.get("parameters"));
                if let Some(content) = call
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                {
                    for media in content.values() {
                        add(media.get("properties"));
                    }
                }
                Some(ToolCall {
                    index: None,
                    id: format!("{invocation}-{i}"),
                    kind: "function".to_owned(),
                    function: FunctionCall {
                        name: name.to_owned(),
                        arguments: pyjson::dumps(&Value::Object(args)),
                    },
                })
            })
            .collect()
    }
}

fn malformed(why: String) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("Bedrock returned a malformed InvokeAgent stream: {why}"),
    )
    .with_status(422)
}

/// InvokeAgent events → OpenAI chunks: one content chunk per `chunk` event, tool-call chunks
/// for `returnControl`, then the finish chunk and (with `stream_options.include_usage`) a
/// usage chunk when the stream ends.
#[derive(Debug)]
pub struct AgentStreamDecoder {
    ctx: ResponseContext,
    turn: Turn,
    sent_role: bool,
}

impl AgentStreamDecoder {
    /// A decoder for one stream.
    pub fn new(ctx: ResponseContext) -> Self {
        AgentStreamDecoder {
            ctx,
            turn: Turn::default(),
            sent_role: false,
        }
    }

    fn chunk(&mut self, delta: Delta, finish: Option<FinishReason>) -> ChatCompletionChunk {
        crate::chunks::chunk(&self.ctx, &mut self.sent_role, delta, finish)
    }
}

impl StreamDecoder for AgentStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        match self.turn.feed(event)? {
            Fed::Nothing => {}
            Fed::Text(text, citations) => {
                if text.is_empty() && citations.is_none() {
                    return Ok(());
                }
                let delta = Delta {
                    content: Some(text),
                    provider_specific_fields: citations.map(|c| {
                        let mut f = JsonObject::new();
                        f.insert("citations".to_owned(), c);
                        f
                    }),
                    ..Delta::default()
                };
                let ch = self.chunk(delta, None);
                out.push(ch);
            }
            Fed::ReturnControl => {
                for (i, call) in self.turn.tool_calls().into_iter().enumerate() {
                    let mut delta = crate::chunks::tool_delta(
                        i as u32,
                        Some(call.id),
                        Some(call.function.name),
                        call.function.arguments,
                    );
                    if i == 0 {
                        let mut f = JsonObject::new();
                        if let Some(rc) = &self.turn.return_control {
                            f.insert("returnControl".to_owned(), rc.clone());
                        }
                        delta.provider_specific_fields = Some(f);
                    }
                    let ch = self.chunk(delta, None);
                    out.push(ch);
                }
            }
            Fed::Files(files) => {
                let mut f = JsonObject::new();
                f.insert("files".to_owned(), files);
                let delta = Delta {
                    provider_specific_fields: Some(f),
                    ..Delta::default()
                };
                let ch = self.chunk(delta, None);
                out.push(ch);
            }
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let finish = if self.turn.tool_calls().is_empty() {
            FinishReason::Stop
        } else {
            FinishReason::ToolCalls
        };
        let ch = self.chunk(Delta::default(), Some(finish));
        out.push(ch);
        if self.ctx.state.include_usage {
            let mut ch = self.chunk(Delta::default(), None);
            ch.choices.clear();
            ch.usage = Some(self.turn.usage());
            out.push(ch);
        }
        Ok(())
    }
}

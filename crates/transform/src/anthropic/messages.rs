//! Claude 3+ on InvokeModel: the Anthropic Messages body with `anthropic_version:
//! "bedrock-2023-05-31"` and body-level `anthropic_beta` (LiteLLM's `AmazonAnthropicClaudeConfig`).

use base64::Engine;
use bedrock_types::chat::{
    ContentPart, JsonObject, MessageContent, Role, ThinkingBlock, ToolChoice,
};
use bedrock_types::response::{Delta, PromptTokensDetails, ResponseMeta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Choice, Error,
    ErrorKind, FinishReason, FunctionCall, ResponseMessage, Result, StreamEvent, ToolCall, Usage,
};
use serde_json::{Map, Value, json};

use super::{
    DEFAULT_MAX_TOKENS, ThinkingPlan, betas_from_headers, computer_use_beta, dedup_supported,
    thinking_plan,
};
use crate::config::{
    HttpResponseParts, JsonMode, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    ResponseState, StreamDecoder, check_supported,
};
use crate::invoke_headers::split_invoke_params;
use crate::pyjson;
use crate::route::ModelRoute;
use crate::tool_names::ToolNameMap;

const JSON_TOOL_NAME: &str = "json_tool_call";

/// Claude 3+ through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnthropicMessagesConfig;

impl ProviderConfig for AnthropicMessagesConfig {
    fn name(&self) -> &'static str {
        "anthropic_messages"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec![
            "max_tokens",
            "max_completion_tokens",
            "stream",
            "stream_options",
            "stop",
            "temperature",
            "top_p",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "reasoning_effort",
            "thinking",
        ]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_supported(&self.supported_openai_params(route), req)?;
        let on = |n: &str| !dropped.iter().any(|d| d == n);
        let mut p = JsonObject::new();
        if let Some(t) = req.temperature.filter(|_| on("temperature")) {
            p.insert("temperature".to_owned(), json!(t));
        }
        if let Some(t) = req.top_p.filter(|_| on("top_p")) {
            p.insert("top_p".to_owned(), json!(t));
        }
        if let Some(stop) = req.stop.as_ref().filter(|_| on("stop")) {
            let stops = stop.to_vec();
            if !stops.is_empty() {
                p.insert("stop_sequences".to_owned(), json!(stops));
            }
        }
        // `user` (or LiteLLM's `metadata.user_id`) → Anthropic's `metadata.user_id`, unless it
        // looks like an email or a phone number, which Anthropic refuses (LiteLLM's rule).
        let user_id = req
            .metadata
            .as_ref()
            .and_then(|m| m.get("user_id"))
            .and_then(Value::as_str)
            .or(req.user.as_deref())
            .filter(|u| valid_user_id(u));
        if let Some(u) = user_id {
            p.insert("metadata".to_owned(), json!({ "user_id": u }));
        }
        let plan = thinking_plan(&route.base_model, req, &dropped)?;
        let max = req.effective_max_tokens().map(u64::from);
        let max = match &plan {
            Some(ThinkingPlan::Budget(b)) => max.unwrap_or(b + DEFAULT_MAX_TOKENS),
            _ => max.unwrap_or(DEFAULT_MAX_TOKENS),
        };

        let mut names = ToolNameMap::default();
        let mut tools: Vec<Value> = Vec::new();
        let mut betas = betas_from_headers(req)?;
        for (i, tool) in req
            .tools
            .iter()
            .flatten()
            .enumerate()
            .filter(|_| on("tools"))
        {
            if !tool.is_function() {
                let mut native = tool.extra.clone();
                native.insert("type".to_owned(), json!(tool.kind));
                if super::is_computer_use_tool(&tool.kind) {
                    betas.push(computer_use_beta(&route.base_model).to_owned());
                }
                tools.push(Value::Object(native));
                continue;
            }
            let f = tool
                .function
                .as_ref()
                .ok_or_else(|| Error::missing_field(format!("tools[{i}].function")))?;
            let mut t = Map::new();
            t.insert("name".to_owned(), json!(names.to_bedrock(&f.name)));
            t.insert(
                "input_schema".to_owned(),
                f.parameters
                    .clone()
                    .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            );
            t.insert("type".to_owned(), json!("custom"));
            if let Some(d) = f.description.as_ref().filter(|d| !d.is_empty()) {
                t.insert("description".to_owned(), json!(d));
            }
            if let Some(cc) = &tool.cache_control {
                t.insert("cache_control".to_owned(), json!(cc));
            }
            tools.push(Value::Object(t));
        }
        let mut choice = req
            .tool_choice
            .as_ref()
            .filter(|_| on("tool_choice") && !tools.is_empty())
            .map(|c| match c {
                ToolChoice::Mode(m) if m == "auto" => Ok(json!({"type": "auto"})),
                ToolChoice::Mode(m) if m == "required" => Ok(json!({"type": "any"})),
                ToolChoice::Mode(m) if m == "none" => Ok(json!({"type": "none"})),
                ToolChoice::Function { function, .. } => {
                    Ok(json!({"type": "tool", "name": names.to_bedrock(&function.name)}))
                }
                ToolChoice::Other(obj) => Ok(Value::Object(obj.clone())),
                ToolChoice::Mode(other) => Err(Error::invalid_field(
                    "tool_choice",
                    format_args!(
                        "\"auto\", \"required\", \"none\" or a named function, got `{other}`"
                    ),
                )),
            })
            .transpose()?;
        let mut json_mode = None;
        if let Some(schema) = req
            .response_format
            .as_ref()
            .filter(|_| on("response_format"))
            .and_then(|f| match f {
                bedrock_types::ResponseFormat::JsonSchema { json_schema } => Some(
                    json_schema
                        .schema
                        .clone()
                        .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
                ),
                _ => None,
            })
        {
            // LiteLLM 1.103.7 sends the forced tool as name and schema only.
            tools.push(json!({"name": JSON_TOOL_NAME, "input_schema": schema}));
            choice = Some(json!({"type": "tool", "name": JSON_TOOL_NAME}));
            json_mode = Some(JsonMode {
                tool_name: Some(JSON_TOOL_NAME.to_owned()),
                unwrap_key: None,
            });
        }
        if plan.is_some()
            && choice
                .as_ref()
                .and_then(|c| c.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|t| t == "any" || t == "tool")
        {
            choice = Some(json!({"type": "auto"}));
        }
        if let Some(parallel) = req.parallel_tool_calls.filter(|_| !tools.is_empty()) {
            let c = choice.get_or_insert_with(|| json!({"type": "auto"}));
            if let Value::Object(c) = c {
                c.insert("disable_parallel_tool_use".to_owned(), json!(!parallel));
            }
        }
        p.insert("max_tokens".to_owned(), json!(max));
        if !tools.is_empty() {
            p.insert("tools".to_owned(), Value::Array(tools));
        }
        if let Some(c) = choice {
            p.insert("tool_choice".to_owned(), c);
        }
        match plan {
            Some(ThinkingPlan::Budget(b)) => {
                p.insert(
                    "thinking".to_owned(),
                    json!({"type": "enabled", "budget_tokens": b}),
                );
            }
            Some(ThinkingPlan::Adaptive(e)) => {
                p.insert("thinking".to_owned(), json!({"type": "adaptive"}));
                p.insert("output_config".to_owned(), json!({"effort": e}));
            }
            None => {}
        }
        let (headers, rest) = split_invoke_params(&req.provider_params)?;
        for (k, v) in rest {
            p.insert(k, v);
        }
        // LiteLLM sends the caller's and the request's betas together, sorted.
        let mut betas = dedup_supported(betas);
        betas.sort();
        if !betas.is_empty() {
            p.insert("anthropic_beta".to_owned(), json!(betas));
        }
        Ok(MappedParams {
            params: p,
            dropped,
            tool_names: names,
            json_mode,
            headers,
        })
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        mut params: MappedParams,
    ) -> Result<PreparedRequest> {
        let (system, messages, used_tools) = convert_messages(req, &mut params.tool_names)?;
        let mut body = Map::new();
        body.insert("messages".to_owned(), Value::Array(messages));
        let mut p = params.params;
        if used_tools && !p.contains_key("tools") {
            // Anthropic needs tools declared when the history holds tool blocks (LiteLLM's dummy).
            p.insert(
                "tools".to_owned(),
                json!([{"name": "dummy_tool", "input_schema": {"type": "object", "properties": {}}, "type": "custom", "description": "This is a dummy tool call"}]),
            );
        }
        let betas = p.remove("anthropic_beta");
        for key in [
            "temperature",
            "top_p",
            "stop_sequences",
            "max_tokens",
            "tools",
            "tool_choice",
        ] {
            if let Some(v) = p.remove(key) {
                body.insert(key.to_owned(), v);
            }
        }
        if !system.is_empty() {
            body.insert("system".to_owned(), Value::Array(system));
        }
        for (k, v) in p {
            body.insert(k, v);
        }
        body.insert("anthropic_version".to_owned(), json!("bedrock-2023-05-31"));
        if let Some(b) = betas {
            body.insert("anthropic_beta".to_owned(), b);
        }
        let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the Anthropic body failed: {e}"),
            )
        })?;
        let http = crate::invoke::request_parts(route, req.is_stream(), bytes, params.headers);
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
        let body: Value = serde_json::from_slice(response.body).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("Bedrock returned an Anthropic body that is not JSON: {e}"),
            )
            .with_status(422)
        })?;
        let blocks = body
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Error::new(ErrorKind::Internal, "Anthropic reply has no `content` list")
                    .with_status(422)
            })?;
        let state = &ctx.state;
        let mut text = String::new();
        let mut tool_calls = Vec::new();
        let mut reasoning = String::new();
        let mut thinking = Vec::new();
        let mut json_answer = None;
        let mut citations: Option<Vec<Value>> = None;
        for (idx, b) in blocks.iter().enumerate() {
            // LiteLLM keeps each block's citations, with the text they support.
            if let Some(Value::Array(list)) = b.get("citations") {
                let supported = b.get("text").cloned().unwrap_or_else(|| json!(""));
                let cited = list
                    .iter()
                    .map(|c| {
                        let mut c = c.clone();
                        if let Value::Object(m) = &mut c {
                            m.insert("supported_text".to_owned(), supported.clone());
                        }
                        c
                    })
                    .collect();
                citations
                    .get_or_insert_with(Vec::new)
                    .push(Value::Array(cited));
            }
            match b.get("type").and_then(Value::as_str) {
                Some("text") => {
                    text.push_str(b.get("text").and_then(Value::as_str).unwrap_or_default());
                }
                Some("tool_use") => {
                    let name = b.get("name").and_then(Value::as_str).unwrap_or_default();
                    let input = b.get("input").cloned().unwrap_or_else(|| json!({}));
                    if state
                        .json_mode
                        .as_ref()
                        .is_some_and(|j| j.tool_name.as_deref() == Some(name))
                    {
                        json_answer = Some(pyjson::dumps(&input));
                        continue;
                    }
                    tool_calls.push(ToolCall {
                        // LiteLLM numbers a call by its content block.
                        index: u32::try_from(idx).ok(),
                        id: b
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        kind: "function".to_owned(),
                        function: FunctionCall {
                            name: state.tool_names.to_original(name).to_owned(),
                            arguments: pyjson::dumps(&input),
                        },
                    });
                }
                Some("thinking") => {
                    let t = b
                        .get("thinking")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    reasoning.push_str(t);
                    thinking.push(ThinkingBlock::Thinking {
                        thinking: t.to_owned(),
                        signature: b
                            .get("signature")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
                Some("redacted_thinking") => thinking.push(ThinkingBlock::RedactedThinking {
                    data: b
                        .get("data")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                }),
                _ => {}
            }
        }
        let stop = body
            .get("stop_reason")
            .and_then(Value::as_str)
            .unwrap_or("end_turn");
        let mut finish = finish_reason(stop);
        if json_answer.is_some() && tool_calls.is_empty() {
            finish = FinishReason::Stop;
        }
        // LiteLLM: the JSON answer alone is the content; beside real tool calls it follows the
        // text; an empty text is no content.
        let content = match json_answer {
            Some(j) if !tool_calls.is_empty() && !text.is_empty() => Some(text + &j),
            Some(j) => Some(j),
            None => (!text.is_empty()).then_some(text),
        };
        // With any thinking block LiteLLM reports `reasoning_content`, "" if all were redacted.
        let reasoning = (!thinking.is_empty()).then_some(reasoning);
        let usage = body
            .get("usage")
            .map(|u| usage_from(u, reasoning.as_deref(), !thinking.is_empty()));
        let thinking_value = if thinking.is_empty() {
            Value::Null
        } else {
            serde_json::to_value(&thinking).unwrap_or(Value::Null)
        };
        let mut psf = JsonObject::new();
        psf.insert(
            "citations".to_owned(),
            citations.map_or(Value::Null, Value::Array),
        );
        psf.insert("thinking_blocks".to_owned(), thinking_value);
        for key in ["context_management", "container"] {
            if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
                psf.insert(key.to_owned(), v.clone());
            }
        }
        let mut metadata = Map::new();
        for key in ["id", "stop_sequence"] {
            if let Some(v) = body.get(key) {
                metadata.insert(key.to_owned(), v.clone());
            }
        }
        Ok(ChatCompletion {
            id: ctx.id.clone(),
            created: ctx.created,
            // LiteLLM reports the model Anthropic names in the body.
            model: body
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or(&state.model)
                .to_owned(),
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
                    thinking_blocks: (!thinking.is_empty()).then_some(thinking),
                    annotations: None,
                    provider_specific_fields: Some(psf),
                },
                extra: JsonObject::new(),
            }],
            usage,
            service_tier: response
                .header("x-amzn-bedrock-service-tier")
                .map(str::to_owned),
            extra: JsonObject::new(),
            meta: ResponseMeta {
                request_id: response
                    .header(crate::config::REQUEST_ID_HEADER)
                    .map(str::to_owned),
                provider_metadata: Some(Value::Object(metadata)),
                ..ResponseMeta::default()
            },
        })
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(AnthropicStreamDecoder::new(ctx))
    }
}

/// A thinking delta as LiteLLM's Anthropic stream writes it: the block also under
/// `provider_specific_fields.thinking_blocks`.
fn thinking_delta(reasoning: Option<String>, block: ThinkingBlock) -> Delta {
    let blocks = vec![block];
    let mut psf = JsonObject::new();
    psf.insert(
        "thinking_blocks".to_owned(),
        serde_json::to_value(&blocks).unwrap_or(Value::Null),
    );
    Delta {
        reasoning_content: reasoning,
        thinking_blocks: Some(blocks),
        provider_specific_fields: Some(psf),
        ..Delta::default()
    }
}

fn finish_reason(stop: &str) -> FinishReason {
    match stop {
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        _ => FinishReason::Stop,
    }
}

fn usage_from(u: &Value, reasoning: Option<&str>, had_thinking_block: bool) -> Usage {
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (input, output) = (n("input_tokens"), n("output_tokens"));
    let (write, read) = (
        n("cache_creation_input_tokens"),
        n("cache_read_input_tokens"),
    );
    Usage {
        completion_tokens: output,
        prompt_tokens: input + read + write,
        total_tokens: input + read + write + output,
        completion_tokens_details: Some(crate::reasoning::anthropic_details(
            output,
            reasoning,
            crate::reasoning::reported_thinking_tokens(Some(u)),
            had_thinking_block,
        )),
        prompt_tokens_details: Some(PromptTokensDetails {
            cached_tokens: Some(read),
            cache_write_tokens: Some(write),
            text_tokens: Some(input),
            cache_creation_tokens: Some(write),
            cache_creation_token_details: None,
        }),
        cache_creation_input_tokens: Some(write),
        cache_read_input_tokens: Some(read),
        cost: None,
    }
}

/// A data URL → (media type, base64 data).
fn data_url<'a>(url: &'a str, field: &str) -> Result<(&'a str, &'a str)> {
    let rest = url.strip_prefix("data:").ok_or_else(|| {
        if url.starts_with("http") {
            Error::new(
                ErrorKind::Internal,
                format!("`{field}` is a remote URL that was not fetched before the transform"),
            )
            .with_param(field)
        } else {
            Error::invalid_field(field, "a base64 data URL")
        }
    })?;
    let (meta, data) = rest
        .split_once(',')
        .ok_or_else(|| Error::invalid_field(field, "a data URL `data:<mime>;base64,<data>`"))?;
    let mime = meta
        .strip_suffix(";base64")
        .ok_or_else(|| Error::invalid_field(field, "a base64 data URL (`;base64,`)"))?;
    Ok((mime, data))
}

fn media_block(url: &str, field: &str) -> Result<Value> {
    let (mime, data) = data_url(url, field)?;
    if mime.starts_with("image/") {
        return Ok(
            json!({"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}),
        );
    }
    if mime == "application/pdf" {
        return Ok(
            json!({"type": "document", "source": {"type": "base64", "media_type": mime, "data": data}}),
        );
    }
    if mime == "text/plain" {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| Error::invalid_field(field, format_args!("valid base64 ({e})")))?;
        let text =
            String::from_utf8(bytes).map_err(|_| Error::invalid_field(field, "UTF-8 text"))?;
        return Ok(
            json!({"type": "document", "source": {"type": "text", "media_type": mime, "data": text}}),
        );
    }
    Err(Error::invalid_field(
        field,
        format_args!("an image, a PDF or plain text for Claude, got `{mime}`"),
    ))
}

type Converted = (Vec<Value>, Vec<Value>, bool);

fn convert_messages(req: &ChatCompletionRequest, names: &mut ToolNameMap) -> Result<Converted> {
    let mut system = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    let mut used_tools = false;
    for (i, m) in req.messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let (role, blocks) = match m.role {
            Role::System | Role::Developer => {
                system.extend(text_parts(m, &at, false)?);
                continue;
            }
            Role::User => ("user", user_parts(m, &at)?),
            Role::Tool | Role::Function => {
                used_tools = true;
                let id = m
                    .tool_call_id
                    .clone()
                    .ok_or_else(|| Error::missing_field(format!("{at}.tool_call_id")))?;
                let content = match &m.content {
                    Some(MessageContent::Text(t)) => json!(t),
                    Some(MessageContent::Parts(_)) => Value::Array(user_parts(m, &at)?),
                    None => json!(""),
                };
                (
                    "user",
                    vec![json!({"type": "tool_result", "tool_use_id": id, "content": content})],
                )
            }
            Role::Assistant => {
                let mut out = Vec::new();
                for b in m.thinking_blocks.iter().flatten() {
                    out.push(match b {
                        ThinkingBlock::Thinking { thinking, signature } => {
                            json!({"type": "thinking", "thinking": thinking, "signature": signature})
                        }
                        ThinkingBlock::RedactedThinking { data } => json!({"type": "redacted_thinking", "data": data}),
                    });
                }
                out.extend(text_parts(m, &at, true)?);
                for (j, call) in m.tool_calls.iter().flatten().enumerate() {
                    used_tools = true;
                    let args = call.function.arguments.trim();
                    let input: Value = if args.is_empty() {
                        json!({})
                    } else {
                        serde_json::from_str(args).map_err(|e| {
                            Error::invalid_field(
                                format!("{at}.tool_calls[{j}].function.arguments"),
                                format_args!("a JSON document ({e})"),
                            )
                        })?
                    };
                    out.push(json!({"type": "tool_use", "id": call.id, "name": names.to_bedrock(&call.function.name), "input": input}));
                }
                ("assistant", out)
            }
        };
        match turns.last_mut() {
            Some((r, content)) if *r == role => content.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    if turns.is_empty() {
        return Err(Error::new(
            ErrorKind::BadRequest,
            // LiteLLM's words (its message check, before any call).
            "Invalid Message bedrock requires at least one non-system message",
        )
        .with_param("messages")
        .before_call());
    }
    let messages = turns
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect();
    Ok((system, messages, used_tools))
}

/// What LiteLLM sends for a blank user or assistant text (`_sanitize_empty_text_content`):
/// Anthropic rejects empty text blocks, and a turn left without content would be rejected too.
const EMPTY_TEXT_PLACEHOLDER: &str =
    "[System: Empty message content sanitised to satisfy protocol]";

/// `text`, or the placeholder when it is blank and `placeholder` says to fill it (user and
/// assistant turns); `None` when it is blank and left out (system).
fn non_blank(text: &str, placeholder: bool) -> Option<&str> {
    if !text.trim().is_empty() {
        Some(text)
    } else if placeholder {
        Some(EMPTY_TEXT_PLACEHOLDER)
    } else {
        None
    }
}

/// The text blocks of a system or assistant message; with `placeholder`, blank text is sent as
/// [`EMPTY_TEXT_PLACEHOLDER`] (as LiteLLM does for user and assistant turns), else left out.
fn text_parts(m: &ChatMessage, at: &str, placeholder: bool) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    match &m.content {
        Some(MessageContent::Text(t)) => {
            if let Some(t) = non_blank(t, placeholder) {
                out.push(json!({"type": "text", "text": t}));
            }
        }
        Some(MessageContent::Parts(parts)) => {
            for (j, p) in parts.iter().enumerate() {
                match p {
                    ContentPart::Text {
                        text,
                        cache_control,
                    } => {
                        let Some(text) = non_blank(text, placeholder) else {
                            continue;
                        };
                        let mut b = json!({"type": "text", "text": text});
                        if let Some(cc) = cache_control {
                            b["cache_control"] = json!(cc);
                        }
                        out.push(b);
                    }
                    ContentPart::Thinking {
                        thinking,
                        signature,
                    } => out.push(
                        json!({"type": "thinking", "thinking": thinking, "signature": signature}),
                    ),
                    ContentPart::RedactedThinking { data } => {
                        out.push(json!({"type": "redacted_thinking", "data": data}))
                    }
                    _ => {
                        return Err(Error::invalid_field(
                            format!("{at}.content[{j}]"),
                            "a text part",
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

fn user_parts(m: &ChatMessage, at: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    match &m.content {
        Some(MessageContent::Text(t)) => {
            if let Some(t) = non_blank(t, m.role == Role::User) {
                out.push(json!({"type": "text", "text": t}));
            }
        }
        Some(MessageContent::Parts(parts)) => {
            for (j, p) in parts.iter().enumerate() {
                let field = format!("{at}.content[{j}]");
                let mut block = match p {
                    ContentPart::Text { text, .. } => match non_blank(text, m.role == Role::User) {
                        Some(text) => json!({"type": "text", "text": text}),
                        None => continue,
                    },
                    ContentPart::GuardedText { text } => json!({"type": "text", "text": text}),
                    ContentPart::ImageUrl { image_url, .. } => {
                        media_block(image_url.url(), &format!("{field}.image_url"))?
                    }
                    ContentPart::File { file, .. } => {
                        let url = file
                            .file_data
                            .as_deref()
                            .or(file.file_id.as_deref())
                            .ok_or_else(|| {
                                Error::invalid_field(
                                    format!("{field}.file"),
                                    "`file_data` (a data URL) or `file_id`",
                                )
                            })?;
                        media_block(url, &format!("{field}.file"))?
                    }
                    _ => {
                        return Err(Error::invalid_field(
                            field,
                            "a text, image_url or file part for Claude",
                        ));
                    }
                };
                let cc = match p {
                    ContentPart::Text { cache_control, .. }
                    | ContentPart::ImageUrl { cache_control, .. }
                    | ContentPart::File { cache_control, .. } => cache_control.as_ref(),
                    _ => None,
                };
                if let Some(cc) = cc {
                    block["cache_control"] = json!(cc);
                }
                out.push(block);
            }
        }
        _ => {}
    }
    Ok(out)
}

#[derive(Debug)]
enum Block {
    Text,
    Tool { index: u32, got_input: bool },
    JsonTool,
    Thinking,
}

/// Anthropic stream events (inside invoke `chunk` events) → OpenAI chunks.
#[derive(Debug)]
pub struct AnthropicStreamDecoder {
    ctx: ResponseContext,
    blocks: std::collections::HashMap<u64, Block>,
    next_tool: u32,
    sent_role: bool,
    finished: bool,
    input_tokens: u64,
    cache_read: u64,
    cache_write: u64,
    /// The thinking text of the current block: a signature delta repeats it (as LiteLLM does).
    block_thinking: String,
    /// All thinking text so far, and whether any thinking block came, for the usage split.
    reasoning: String,
    thinking_ran: bool,
}

impl AnthropicStreamDecoder {
    /// A decoder for one stream.
    pub fn new(ctx: ResponseContext) -> Self {
        AnthropicStreamDecoder {
            ctx,
            blocks: Default::default(),
            next_tool: 0,
            sent_role: false,
            finished: false,
            input_tokens: 0,
            block_thinking: String::new(),
            reasoning: String::new(),
            thinking_ran: false,
            cache_read: 0,
            cache_write: 0,
        }
    }

    fn chunk(&mut self, delta: Delta, finish: Option<FinishReason>) -> ChatCompletionChunk {
        crate::chunks::chunk(&self.ctx, &mut self.sent_role, delta, finish)
    }

    fn tool(index: u32, id: Option<String>, name: Option<String>, args: String) -> Delta {
        crate::chunks::tool_delta(index, id, name, args)
    }
}

/// Decode an invoke `chunk` event's `{"bytes": base64}` payload into the native JSON chunk.
pub fn decode_invoke_chunk(event: &StreamEvent) -> Result<Option<Value>> {
    crate::invoke::decode_chunk(event, false)
}

impl StreamDecoder for AnthropicStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(c) = decode_invoke_chunk(event)? else {
            return Ok(());
        };
        let index = c.get("index").and_then(Value::as_u64).unwrap_or(0);
        match c.get("type").and_then(Value::as_str) {
            Some("message_start") => {
                let u = c.pointer("/message/usage");
                let n = |k: &str| {
                    u.and_then(|u| u.get(k))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                };
                self.input_tokens = n("input_tokens");
                self.cache_read = n("cache_read_input_tokens");
                self.cache_write = n("cache_creation_input_tokens");
                let ch = self.chunk(
                    Delta {
                        content: Some(String::new()),
                        ..Delta::default()
                    },
                    None,
                );
                out.push(ch);
            }
            Some("content_block_start") => {
                self.block_thinking.clear();
                let cb = c.get("content_block").cloned().unwrap_or(Value::Null);
                match cb.get("type").and_then(Value::as_str) {
                    Some("tool_use") => {
                        let name = cb.get("name").and_then(Value::as_str).unwrap_or_default();
                        if self
                            .ctx
                            .state
                            .json_mode
                            .as_ref()
                            .is_some_and(|j| j.tool_name.as_deref() == Some(name))
                        {
                            self.blocks.insert(index, Block::JsonTool);
                            return Ok(());
                        }
                        let ti = self.next_tool;
                        self.next_tool += 1;
                        self.blocks.insert(
                            index,
                            Block::Tool {
                                index: ti,
                                got_input: false,
                            },
                        );
                        let id = cb
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        let name = self.ctx.state.tool_names.to_original(name).to_owned();
                        let ch =
                            self.chunk(Self::tool(ti, Some(id), Some(name), String::new()), None);
                        out.push(ch);
                    }
                    Some("thinking") | Some("redacted_thinking") => {
                        self.blocks.insert(index, Block::Thinking);
                        self.thinking_ran = true;
                        if let Some(data) = cb.get("data").and_then(Value::as_str) {
                            let d = thinking_delta(
                                None,
                                ThinkingBlock::RedactedThinking {
                                    data: data.to_owned(),
                                },
                            );
                            let ch = self.chunk(d, None);
                            out.push(ch);
                        }
                    }
                    _ => {
                        self.blocks.insert(index, Block::Text);
                    }
                }
            }
            Some("content_block_delta") => {
                let d = c.get("delta").cloned().unwrap_or(Value::Null);
                let s = |k: &str| {
                    d.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let delta = match d.get("type").and_then(Value::as_str) {
                    Some("text_delta") => Delta {
                        content: Some(s("text")),
                        ..Delta::default()
                    },
                    Some("input_json_delta") => match self.blocks.get_mut(&index) {
                        Some(Block::JsonTool) => Delta {
                            content: Some(s("partial_json")),
                            ..Delta::default()
                        },
                        Some(Block::Tool {
                            index: ti,
                            got_input,
                        }) => {
                            let frag = s("partial_json");
                            if frag.is_empty() {
                                return Ok(());
                            }
                            *got_input = true;
                            Self::tool(*ti, None, None, frag)
                        }
                        _ => return Ok(()),
                    },
                    // LiteLLM skips empty thinking and signature deltas.
                    Some("thinking_delta") if !s("thinking").is_empty() => {
                        let t = s("thinking");
                        self.block_thinking.push_str(&t);
                        self.reasoning.push_str(&t);
                        thinking_delta(
                            Some(t.clone()),
                            ThinkingBlock::Thinking {
                                thinking: t,
                                signature: None,
                            },
                        )
                    }
                    // The signature comes with the block's whole thinking text.
                    Some("signature_delta") if !s("signature").is_empty() => thinking_delta(
                        None,
                        ThinkingBlock::Thinking {
                            thinking: self.block_thinking.clone(),
                            signature: Some(s("signature")),
                        },
                    ),
                    _ => return Ok(()),
                };
                let ch = self.chunk(delta, None);
                out.push(ch);
            }
            Some("content_block_stop") => {
                if let Some(Block::Tool {
                    index: ti,
                    got_input: false,
                }) = self.blocks.remove(&index)
                {
                    let ch = self.chunk(Self::tool(ti, None, None, "{}".to_owned()), None);
                    out.push(ch);
                }
            }
            Some("message_delta") => {
                let stop = c
                    .pointer("/delta/stop_reason")
                    .and_then(Value::as_str)
                    .unwrap_or("end_turn");
                let mut finish = finish_reason(stop);
                if self.next_tool == 0 && finish == FinishReason::ToolCalls {
                    finish = FinishReason::Stop;
                }
                let ch = self.chunk(Delta::default(), Some(finish));
                out.push(ch);
                self.finished = true;
                if self.ctx.state.include_usage {
                    let output = c
                        .pointer("/usage/output_tokens")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    let usage = json!({"input_tokens": self.input_tokens, "output_tokens": output,
                        "cache_read_input_tokens": self.cache_read, "cache_creation_input_tokens": self.cache_write});
                    let mut ch = self.chunk(Delta::default(), None);
                    ch.choices.clear();
                    ch.usage = Some(usage_from(
                        &usage,
                        self.thinking_ran.then_some(self.reasoning.as_str()),
                        self.thinking_ran,
                    ));
                    out.push(ch);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if !self.finished {
            let ch = self.chunk(Delta::default(), Some(FinishReason::Stop));
            out.push(ch);
            self.finished = true;
        }
        Ok(())
    }
}

/// LiteLLM's `_valid_user_id`: not an email address, not a phone number.
fn valid_user_id(id: &str) -> bool {
    use std::sync::OnceLock;
    static PATTERNS: OnceLock<Option<(regex::Regex, regex::Regex)>> = OnceLock::new();
    let Some((email, phone)) = PATTERNS
        .get_or_init(|| {
            Some((
                regex::Regex::new(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$").ok()?,
                regex::Regex::new(r"^\+?[\d\s\(\)-]{7,}$").ok()?,
            ))
        })
        .as_ref()
    else {
        return true;
    };
    !email.is_match(id) && !phone.is_match(id)
}

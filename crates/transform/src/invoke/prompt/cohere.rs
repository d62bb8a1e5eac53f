//! Cohere Command and Command R / R+ on InvokeModel (LiteLLM's `AmazonCohereConfig`, whose
//! supported parameters are Cohere chat's).
//!
//! - Command (`cohere.command-text-v14`, `-light-`): `{"prompt", "max_tokens", "temperature",
//!   "p", "stop_sequences", "num_generations", "stream": true when streaming}` →
//!   `{"generations": [{"text", "finish_reason"}]}` (one choice per generation); the prompt is
//!   LiteLLM's `cohere_message_pt` (every non-empty content joined by a blank line). Command
//!   has no tools, seed or penalties: those are `unsupported_params` (LiteLLM forwards them and
//!   Bedrock answers "extraneous key").
//! - Command R / R+: Cohere's chat body `{"message", "chat_history", "preamble", "tools",
//!   "tool_results", …}` → `{"text", "finish_reason", "tool_calls"}`. LiteLLM 1.103.7 sends
//!   the Command body (`prompt`) to Command R on this route, which Bedrock rejects; this
//!   config sends the chat body instead: leading system text becomes `preamble`, the last user
//!   turn `message` (or trailing tool results `tool_results`), the rest `chat_history`
//!   (`USER` / `CHATBOT` with `tool_calls` / `SYSTEM` / `TOOL`). Tools are converted as
//!   LiteLLM's Cohere chat config does (`parameter_definitions`); `tool_choice` `auto` is the
//!   model's only mode, `none` sends no tools.
//!
//! Streams: Command chunks `{"text", "is_finished", "index"}`; Command R events
//! `text-generation`, `tool-calls-generation`, `stream-end`.

use bedrock_types::chat::{JsonObject, Role, Tool, ToolChoice};
use bedrock_types::{
    ChatCompletion, ChatCompletionRequest, Error, FinishReason, FunctionCall, Result, ToolCall,
};
use serde_json::{Map, Value, json};

use super::{
    ChunkParser, Piece, PromptStreamDecoder, bad_reply, check_params, choice, completion,
    finish_reason, invoke_parts, kept, mapped, merge_provider_params, message, message_text,
    parse_body, prompt_state, reject_param, require_messages, str_at, text_turns, u64_at,
    usage_or_estimate,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::pyjson;
use crate::route::ModelRoute;

/// Cohere Command / Command R through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CohereConfig;

fn is_command_r(route: &ModelRoute) -> bool {
    route.base_model.to_ascii_lowercase().contains("command-r")
}

impl ProviderConfig for CohereConfig {
    fn name(&self) -> &'static str {
        "cohere"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec![
            "stream",
            "temperature",
            "max_tokens",
            "max_completion_tokens",
            "top_p",
            "frequency_penalty",
            "presence_penalty",
            "stop",
            "n",
            "tools",
            "tool_choice",
            "seed",
            "extra_headers",
        ]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let mut dropped = check_params(&self.supported_openai_params(route), req)?;
        let chat = is_command_r(route);
        if !chat {
            let set = [
                ("tools", req.tools.is_some()),
                ("tool_choice", req.tool_choice.is_some()),
                ("seed", req.seed.is_some()),
                ("frequency_penalty", req.frequency_penalty.is_some()),
                ("presence_penalty", req.presence_penalty.is_some()),
            ];
            for (name, on) in set {
                if on && kept(&dropped, name) {
                    reject_param(
                        name,
                        "Cohere Command has no such parameter",
                        route,
                        req,
                        &mut dropped,
                    )?;
                }
            }
        } else if req.n.is_some_and(|n| n > 1) && kept(&dropped, "n") {
            reject_param(
                "n",
                "Command R returns one generation",
                route,
                req,
                &mut dropped,
            )?;
        }
        let mut p = JsonObject::new();
        if let Some(m) = req.effective_max_tokens() {
            p.insert("max_tokens".to_owned(), json!(m));
        }
        super::insert_sampling(req, &dropped, &mut p, "p");
        if let Some(v) = req
            .frequency_penalty
            .filter(|_| kept(&dropped, "frequency_penalty"))
        {
            p.insert("frequency_penalty".to_owned(), json!(v));
        }
        if let Some(v) = req
            .presence_penalty
            .filter(|_| kept(&dropped, "presence_penalty"))
        {
            p.insert("presence_penalty".to_owned(), json!(v));
        }
        super::insert_stop(req, &dropped, &mut p, "stop_sequences");
        if let Some(n) = req.n.filter(|n| !chat && *n > 1 && kept(&dropped, "n")) {
            p.insert("num_generations".to_owned(), json!(n));
        }
        if let Some(s) = req.seed.filter(|_| kept(&dropped, "seed")) {
            p.insert("seed".to_owned(), json!(s));
        }
        let send_tools = match req
            .tool_choice
            .as_ref()
            .filter(|_| kept(&dropped, "tool_choice"))
        {
            None => true,
            Some(ToolChoice::Mode(m)) if m == "auto" => true,
            Some(ToolChoice::Mode(m)) if m == "none" => false,
            Some(_) => {
                return Err(Error::invalid_field(
                    "tool_choice",
                    "\"auto\" or \"none\" (Command R on InvokeModel cannot be forced to call a tool)",
                ));
            }
        };
        if let Some(tools) = req
            .tools
            .as_ref()
            .filter(|_| kept(&dropped, "tools") && send_tools)
        {
            let converted = tools
                .iter()
                .enumerate()
                .map(|(i, t)| cohere_tool(i, t))
                .collect::<Result<Vec<_>>>()?;
            if !converted.is_empty() {
                p.insert("tools".to_owned(), Value::Array(converted));
            }
        }
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let mut body = JsonObject::new();
        if is_command_r(route) {
            chat_body(req, &mut body)?;
            body.extend(params.params);
        } else {
            body.insert("prompt".to_owned(), json!(command_prompt(req)?));
            body.extend(params.params);
            if req.is_stream() {
                // Command streams only when the body says so.
                body.insert("stream".to_owned(), json!(true));
            }
        }
        let http = invoke_parts(route, &Value::Object(body), req.is_stream(), params.headers)?;
        Ok(PreparedRequest {
            http,
            state: prompt_state(route, req, params.tool_names, params.json_mode),
        })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        let body = parse_body(&response, "Cohere")?;
        let text = str_at(&body, "/generations/0/text").or_else(|| str_at(&body, "/text"));
        let usage = Some(usage_or_estimate(ctx, text, &response));
        if let Some(generations) = body.get("generations").and_then(Value::as_array) {
            let choices = generations
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let text = str_at(g, "/text").unwrap_or_default().to_owned();
                    let finish = finish_reason(str_at(g, "/finish_reason").unwrap_or("COMPLETE"));
                    choice(i as u32, message(Some(text), None, Vec::new()), finish)
                })
                .collect();
            return Ok(completion(ctx, &response, choices, usage));
        }
        let Some(text) = str_at(&body, "/text") else {
            return Err(bad_reply("Cohere", "`text` or `generations`", &body));
        };
        let calls = tool_calls(&body);
        let mut finish = finish_reason(str_at(&body, "/finish_reason").unwrap_or("COMPLETE"));
        if !calls.is_empty() && finish == FinishReason::Stop {
            finish = FinishReason::ToolCalls;
        }
        let content = (!text.is_empty() || calls.is_empty()).then(|| text.to_owned());
        Ok(completion(
            ctx,
            &response,
            vec![choice(0, message(content, None, calls), finish)],
            usage,
        ))
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(PromptStreamDecoder::new(ctx, CohereChunks::default()))
    }
}

/// LiteLLM's `cohere_message_pt` for Command: non-empty contents joined by `\n\n`, trailing
/// whitespace removed.
fn command_prompt(req: &ChatCompletionRequest) -> Result<String> {
    let turns = text_turns(req, "Cohere Command")?;
    let mut prompt = String::new();
    for (_, text) in turns.iter().filter(|(_, t)| !t.is_empty()) {
        prompt.push_str(text);
        prompt.push_str("\n\n");
    }
    Ok(prompt.trim_end().to_owned())
}

/// An OpenAI function tool → Cohere's `{name, description, parameter_definitions}`.
fn cohere_tool(i: usize, tool: &Tool) -> Result<Value> {
    let f = tool
        .function
        .as_ref()
        .filter(|_| tool.is_function())
        .ok_or_else(|| {
            Error::invalid_field(format!("tools[{i}]"), "a function tool for Command R")
        })?;
    let params = f.parameters.clone().unwrap_or_else(|| json!({}));
    let required: Vec<&str> = params
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut defs = Map::new();
    if let Some(props) = params.get("properties").and_then(Value::as_object) {
        for (name, def) in props {
            let kind = match def.get("type") {
                Some(Value::String(s)) => json!(s),
                Some(other) => json!(other.to_string()),
                None => json!(""),
            };
            defs.insert(
                name.clone(),
                json!({
                    "description": def.get("description").and_then(Value::as_str).unwrap_or_default(),
                    "type": kind,
                    "required": required.contains(&name.as_str()),
                }),
            );
        }
    }
    Ok(json!({
        "name": f.name,
        "description": f.description.as_deref().unwrap_or_default(),
        "parameter_definitions": defs,
    }))
}

/// The Command R chat body: `message` (or `tool_results`), `chat_history`, `preamble`.
fn chat_body(req: &ChatCompletionRequest, body: &mut JsonObject) -> Result<()> {
    require_messages(req)?;
    let family = "Cohere Command R";
    let msgs = &req.messages;
    // Leading system turns → preamble.
    let mut start = 0;
    let mut preamble: Vec<String> = Vec::new();
    while start < msgs.len() && matches!(msgs[start].role, Role::System | Role::Developer) {
        let at = format!("messages[{start}]");
        preamble.push(message_text(&msgs[start], &at, family)?.unwrap_or_default());
        start += 1;
    }
    // Trailing tool results → tool_results; else the last user turn → message.
    let mut end = msgs.len();
    while end > start && matches!(msgs[end - 1].role, Role::Tool | Role::Function) {
        end -= 1;
    }
    let calls = earlier_calls(req)?;
    let (message_text_, tool_results) = if end < msgs.len() {
        let results = (end..msgs.len())
            .map(|i| tool_result(req, i, &calls))
            .collect::<Result<Vec<_>>>()?;
        (String::new(), Some(results))
    } else {
        let last = end
            .checked_sub(1)
            .filter(|&i| i >= start && msgs[i].role == Role::User)
            .ok_or_else(|| {
                Error::invalid_field(
                    format!("messages[{}].role", msgs.len() - 1),
                    "a user or tool turn last (Command R answers the last user message)",
                )
            })?;
        end = last;
        let at = format!("messages[{last}]");
        (
            message_text(&msgs[last], &at, family)?.unwrap_or_default(),
            None,
        )
    };
    let mut history: Vec<Value> = Vec::new();
    let mut i = start;
    while i < end {
        let m = &msgs[i];
        let at = format!("messages[{i}]");
        match m.role {
            Role::System | Role::Developer => history.push(json!({
                "role": "SYSTEM",
                "message": message_text(m, &at, family)?.unwrap_or_default(),
            })),
            Role::User => history.push(json!({
                "role": "USER",
                "message": message_text(m, &at, family)?.unwrap_or_default(),
            })),
            Role::Assistant => {
                let mut entry = json!({
                    "role": "CHATBOT",
                    "message": message_text(m, &at, family)?.unwrap_or_default(),
                });
                let invokes = m
                    .tool_calls
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(j, c)| {
                        Ok(json!({
                            "name": c.function.name,
                            "parameters": parse_args(&c.function.arguments, &format!("{at}.tool_calls[{j}].function.arguments"))?,
                        }))
                    })
                    .collect::<Result<Vec<_>>>()?;
                if !invokes.is_empty() {
                    entry["tool_calls"] = Value::Array(invokes);
                }
                history.push(entry);
            }
            Role::Tool | Role::Function => {
                let mut results = Vec::new();
                while i < end && matches!(msgs[i].role, Role::Tool | Role::Function) {
                    results.push(tool_result(req, i, &calls)?);
                    i += 1;
                }
                history.push(json!({"role": "TOOL", "tool_results": results}));
                continue;
            }
        }
        i += 1;
    }
    body.insert("message".to_owned(), json!(message_text_));
    body.insert("chat_history".to_owned(), Value::Array(history));
    if !preamble.is_empty() {
        body.insert("preamble".to_owned(), json!(preamble.join("\n")));
    }
    if let Some(results) = tool_results {
        body.insert("tool_results".to_owned(), Value::Array(results));
    }
    Ok(())
}

/// Every assistant tool call of the conversation: id → (name, parsed arguments).
fn earlier_calls(req: &ChatCompletionRequest) -> Result<Vec<(String, String, Value)>> {
    let mut out = Vec::new();
    for (i, m) in req.messages.iter().enumerate() {
        for (j, c) in m.tool_calls.iter().flatten().enumerate() {
            let at = format!("messages[{i}].tool_calls[{j}].function.arguments");
            out.push((
                c.id.clone(),
                c.function.name.clone(),
                parse_args(&c.function.arguments, &at)?,
            ));
        }
    }
    Ok(out)
}

fn parse_args(args: &str, at: &str) -> Result<Value> {
    if args.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(args)
        .map_err(|e| Error::invalid_field(at.to_owned(), format_args!("a JSON document ({e})")))
}

/// A tool / function message → `{"call": {"name", "parameters"}, "outputs": [{…}]}`.
fn tool_result(
    req: &ChatCompletionRequest,
    i: usize,
    calls: &[(String, String, Value)],
) -> Result<Value> {
    let m = &req.messages[i];
    let at = format!("messages[{i}]");
    let text = message_text(m, &at, "Cohere Command R")?.unwrap_or_default();
    let output = if text.is_empty() {
        json!({})
    } else {
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(o)) => Value::Object(o),
            _ => json!({"result": text}),
        }
    };
    let (name, params) = match (&m.tool_call_id, m.role) {
        (Some(id), _) => calls
            .iter()
            .find(|(cid, _, _)| cid == id)
            .map(|(_, n, p)| (n.clone(), p.clone()))
            .ok_or_else(|| {
                Error::invalid_field(
                    format!("{at}.tool_call_id"),
                    format_args!("the id of an earlier assistant tool call, got `{id}`"),
                )
            })?,
        (None, Role::Function) => (
            m.name
                .clone()
                .ok_or_else(|| Error::missing_field(format!("{at}.name")))?,
            json!({}),
        ),
        (None, _) => return Err(Error::missing_field(format!("{at}.tool_call_id"))),
    };
    Ok(json!({"call": {"name": name, "parameters": params}, "outputs": [output]}))
}

/// Command R `tool_calls: [{"name", "parameters"}]` → OpenAI tool calls.
fn tool_calls(body: &Value) -> Vec<ToolCall> {
    let generation = str_at(body, "/generation_id").unwrap_or("cohere");
    body.get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(i, c)| to_tool_call(c, &format!("call_{generation}_{i}")))
                .collect()
        })
        .unwrap_or_default()
}

fn to_tool_call(c: &Value, id: &str) -> ToolCall {
    ToolCall {
        index: None,
        id: id.to_owned(),
        kind: "function".to_owned(),
        function: FunctionCall {
            name: str_at(c, "/name").unwrap_or_default().to_owned(),
            arguments: pyjson::dumps(c.get("parameters").unwrap_or(&json!({}))),
        },
    }
}

/// Command chunks and Command R stream events.
#[derive(Debug, Default)]
struct CohereChunks {
    tools: usize,
}

impl ChunkParser for CohereChunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        match str_at(chunk, "/event_type") {
            Some("text-generation") => {
                if let Some(t) = str_at(chunk, "/text") {
                    out.push(Piece::Text(0, t.to_owned()));
                }
            }
            Some("tool-calls-generation") => {
                for c in chunk
                    .get("tool_calls")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let id = format!("call_{}", self.tools);
                    self.tools += 1;
                    out.push(Piece::Tool(to_tool_call(c, &id)));
                }
            }
            Some("stream-end") => {
                let input = u64_at(chunk, "/response/meta/billed_units/input_tokens");
                let output = u64_at(chunk, "/response/meta/billed_units/output_tokens");
                if input.is_some() || output.is_some() {
                    out.push(Piece::Usage(input, output));
                }
                let mut f = finish_reason(str_at(chunk, "/finish_reason").unwrap_or("COMPLETE"));
                if self.tools > 0 && f == FinishReason::Stop {
                    f = FinishReason::ToolCalls;
                }
                out.push(Piece::Finish(0, f));
            }
            Some(_) => {}
            None => {
                let index = u64_at(chunk, "/index").unwrap_or(0) as u32;
                if let Some(t) = str_at(chunk, "/text") {
                    out.push(Piece::Text(index, t.to_owned()));
                }
                let finished = chunk.get("is_finished").and_then(Value::as_bool) == Some(true);
                if let Some(r) = str_at(chunk, "/finish_reason").filter(|_| finished) {
                    out.push(Piece::Finish(index, finish_reason(r)));
                }
            }
        }
        Ok(())
    }
}

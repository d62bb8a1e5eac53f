//! Amazon Nova on InvokeModel (`bedrock/invoke/amazon.nova-lite-v1:0`, `us.amazon.nova-*`):
//! LiteLLM's `AmazonInvokeNovaConfig`, which builds the Converse body and keeps what the
//! invoke schema allows.
//!
//! ```text
//! {"messages": […], "system": [{"text": …}],
//!  "inferenceConfig": {"maxTokens", "temperature", "topP", "topK", "stopSequences"},
//!  "toolConfig": {"tools": [{"toolSpec": …}], "toolChoice": …}}
//! ```
//!
//! Parameters, messages, tools, structured output (the forced `json_tool_call` tool) and the
//! reply are Converse's ([`ConverseConfig`]); this module turns the Converse body into the invoke
//! one: an empty `system` is removed, a standalone `{"cachePoint"}` block moves onto the text
//! block before it (InvokeModel only takes the key on text blocks; a point with no text before it
//! is dropped, as LiteLLM does, and tool-list cache points are dropped: invoke has no tool
//! caching), and guardrail / latency / tier / request-metadata blocks become `x-amzn-bedrock-*`
//! headers. The reply and the stream (Converse events wrapped as `{"contentBlockDelta": {…}}`
//! inside `{"bytes"}`) go through the Converse decoders; Nova's `cacheReadInputTokenCount` /
//! `cacheWriteInputTokenCount` usage keys are read as Converse's.
//!
//! Where this differs from LiteLLM 1.103.7, on purpose:
//! - `top_k` becomes `inferenceConfig.topK` and Nova 2's `reasoning_effort` becomes
//!   `inferenceConfig.reasoningConfig` (LiteLLM's field filter silently drops both, since Converse
//!   puts them in `additionalModelRequestFields`);
//! - anything else that only Converse can carry (`additionalModelRequestFields` keys, native
//!   `outputConfig`, `promptVariables`, `additionalModelResponseFieldPaths`) is an error naming
//!   the field instead of a silent drop.

use bedrock_types::chat::JsonObject;
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Error, Result, StreamEvent,
};
use serde_json::{Map, Value, json};

use super::common::{body_bytes, decode_chunk, invoke_parts};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::converse::{ConverseConfig, ConverseStreamDecoder};
use crate::route::ModelRoute;

const FAMILY: &str = "Nova";

/// Converse config blocks that travel as invoke headers.
const HEADER_BLOCKS: &[&str] = &[
    "guardrailConfig",
    "performanceConfig",
    "serviceTier",
    "requestMetadata",
];

/// The stream event names Nova wraps its chunks in.
const STREAM_EVENTS: &[&str] = &[
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
];

/// Nova on InvokeModel.
#[derive(Debug, Clone, Copy, Default)]
pub struct NovaInvokeConfig;

impl ProviderConfig for NovaInvokeConfig {
    fn name(&self) -> &'static str {
        "nova_invoke"
    }

    fn supported_openai_params(&self, route: &ModelRoute) -> Vec<&'static str> {
        ConverseConfig.supported_openai_params(route)
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let (headers, converse_req) = without_header_blocks(req)?;
        let mut mapped = ConverseConfig.map_params(route, converse_req.as_ref().unwrap_or(req))?;
        mapped.headers.extend(headers);
        Ok(mapped)
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let (_, converse_req) = without_header_blocks(req)?;
        let converse = ConverseConfig.transform_request(
            route,
            converse_req.as_ref().unwrap_or(req),
            params,
        )?;
        let body: Value = serde_json::from_slice(&converse.http.body).map_err(|e| {
            Error::new(
                bedrock_types::ErrorKind::Internal,
                format!("the Converse body for Nova is not JSON: {e}"),
            )
        })?;
        let Value::Object(conv) = body else {
            return Err(Error::new(
                bedrock_types::ErrorKind::Internal,
                "the Converse body for Nova is not an object",
            ));
        };
        let (body, headers) = invoke_body(conv)?;
        let bytes = body_bytes(&Value::Object(body), FAMILY)?;
        let mut extra_headers = headers;
        // Headers the Converse mapping added beyond content-type (none today) are kept.
        extra_headers.extend(
            converse
                .http
                .headers
                .into_iter()
                .filter(|(k, _)| k != "content-type"),
        );
        let http = invoke_parts(route, req, bytes, extra_headers);
        Ok(PreparedRequest {
            http,
            state: converse.state,
        })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        let mut body: Value = match serde_json::from_slice(response.body) {
            Ok(v) => v,
            // Let the Converse reader report the unreadable body.
            Err(_) => return ConverseConfig.transform_response(ctx, response),
        };
        if let Some(u) = body.get_mut("usage") {
            normalize_usage(u);
        }
        let bytes = serde_json::to_vec(&body).map_err(|e| super::common::bad_reply(FAMILY, e))?;
        ConverseConfig.transform_response(
            ctx,
            HttpResponseParts {
                status: response.status,
                headers: response.headers,
                body: &bytes,
            },
        )
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(NovaStreamDecoder {
            inner: ConverseStreamDecoder::new(ctx),
        })
    }
}

type Headers = Vec<(String, String)>;

/// The header blocks of the caller's provider params as invoke headers, and (when there were
/// any) the request without them for the Converse mapping: on invoke, guardrails apply through
/// headers, so Converse's `guardContent` rewrite of the last user turn must not happen (LiteLLM
/// pops `guardrailConfig` before it builds the body, too).
fn without_header_blocks(
    req: &ChatCompletionRequest,
) -> Result<(Headers, Option<ChatCompletionRequest>)> {
    let mut blocks = JsonObject::new();
    for key in HEADER_BLOCKS {
        if let Some(v) = req.provider_params.get(*key) {
            blocks.insert((*key).to_owned(), v.clone());
        }
    }
    if blocks.is_empty() {
        return Ok((Vec::new(), None));
    }
    let (headers, _) = crate::invoke_headers::split_invoke_params(&blocks)?;
    let mut stripped = req.clone();
    stripped
        .provider_params
        .retain(|k, _| !HEADER_BLOCKS.contains(&k.as_str()));
    Ok((headers, Some(stripped)))
}

/// Nova's invoke usage keys → Converse's.
fn normalize_usage(u: &mut Value) {
    let Some(obj) = u.as_object_mut() else {
        return;
    };
    for (nova, converse) in [
        ("cacheReadInputTokenCount", "cacheReadInputTokens"),
        ("cacheWriteInputTokenCount", "cacheWriteInputTokens"),
    ] {
        if let Some(v) = obj.shift_remove(nova) {
            obj.entry(converse).or_insert(v);
        }
    }
}

/// LiteLLM's `_inline_block_cache_points`: a block that is only `{"cachePoint": …}` moves onto
/// the last text block before it (dropped when there is none).
fn inline_cache_points(blocks: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(blocks.len());
    for b in blocks {
        let standalone = b
            .as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key("cachePoint"));
        if !standalone {
            out.push(b);
            continue;
        }
        let point = b.get("cachePoint").cloned().unwrap_or(Value::Null);
        if let Some(Value::Object(anchor)) = out.iter_mut().rev().find(|x| x.get("text").is_some())
        {
            anchor.insert("cachePoint".to_owned(), point);
        }
    }
    out
}

fn take_array(conv: &mut JsonObject, key: &str) -> Vec<Value> {
    match conv.shift_remove(key) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// The Converse body → the Nova invoke body and the headers its config blocks become.
fn invoke_body(mut conv: JsonObject) -> Result<(JsonObject, Vec<(String, String)>)> {
    // No `schemaVersion`, as LiteLLM (Nova takes the body without it); a caller's own
    // `schemaVersion` provider param is passed on below.
    let mut body = JsonObject::new();

    let messages: Vec<Value> = take_array(&mut conv, "messages")
        .into_iter()
        .map(|mut m| {
            if let Some(content) = m.get_mut("content").map(Value::take)
                && let Value::Array(blocks) = content
            {
                m["content"] = Value::Array(inline_cache_points(blocks));
            }
            m
        })
        .collect();
    body.insert("messages".to_owned(), Value::Array(messages));

    let mut inference = match conv.shift_remove("inferenceConfig") {
        Some(Value::Object(o)) => o,
        _ => Map::new(),
    };
    if let Some(Value::Object(mut additional)) = conv.shift_remove("additionalModelRequestFields") {
        if let Some(Value::Object(extra)) = additional.shift_remove("inferenceConfig") {
            for (k, v) in extra {
                inference.insert(k, v);
            }
        }
        if let Some(r) = additional.shift_remove("reasoningConfig") {
            inference.insert("reasoningConfig".to_owned(), r);
        }
        if let Some(v) = additional.shift_remove("schemaVersion") {
            body.insert("schemaVersion".to_owned(), v);
        }
        if let Some(key) = additional.keys().next() {
            return Err(unsupported(key, "a model request field"));
        }
    }
    body.insert("inferenceConfig".to_owned(), Value::Object(inference));

    let system = inline_cache_points(take_array(&mut conv, "system"));
    if !system.is_empty() {
        body.insert("system".to_owned(), Value::Array(system));
    }

    if let Some(mut tools) = conv.shift_remove("toolConfig") {
        if let Some(list) = tools.get_mut("tools").and_then(Value::as_array_mut) {
            list.retain(|t| t.get("cachePoint").is_none());
        }
        body.insert("toolConfig".to_owned(), tools);
    }

    let mut blocks = JsonObject::new();
    for key in HEADER_BLOCKS {
        if let Some(v) = conv.shift_remove(*key) {
            blocks.insert((*key).to_owned(), v);
        }
    }
    let (headers, rest) = crate::invoke_headers::split_invoke_params(&blocks)?;
    if let Some(key) = rest.keys().next().or_else(|| conv.keys().next()) {
        let what = match key.as_str() {
            "outputConfig" => "native structured output",
            _ => "a Converse-only field",
        };
        return Err(unsupported(key, what));
    }
    Ok((body, headers))
}

fn unsupported(key: &str, what: &str) -> Error {
    Error::invalid_field(
        key,
        format_args!(
            "nothing: `{key}` is {what} that Nova's InvokeModel body cannot carry; use \
             `bedrock/converse/<model>` for it"
        ),
    )
}

/// Nova invoke stream chunks (Converse events wrapped as `{"<eventName>": {…}}`) → the Converse
/// stream decoder.
#[derive(Debug)]
pub struct NovaStreamDecoder {
    inner: ConverseStreamDecoder,
}

impl StreamDecoder for NovaStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(mut chunk) = decode_chunk(event)? else {
            return Ok(());
        };
        let Some(name) = STREAM_EVENTS.iter().find(|n| chunk.get(**n).is_some()) else {
            return Ok(()); // Unknown chunk kinds are ignored, like unknown Converse events.
        };
        let metrics = chunk.get("amazon-bedrock-invocationMetrics").cloned();
        let mut payload = chunk.get_mut(*name).map(Value::take).unwrap_or(Value::Null);
        if *name == "metadata" {
            // LiteLLM ignores an empty trace; so does the chunk we emit.
            if let Value::Object(p) = &mut payload
                && p.get("trace")
                    .is_some_and(|t| t.as_object().is_some_and(Map::is_empty))
            {
                p.shift_remove("trace");
            }
            if let Some(u) = payload.get_mut("usage") {
                normalize_usage(u);
            } else if let (Some(m), Value::Object(p)) = (metrics, &mut payload) {
                let n = |k: &str| m.get(k).and_then(Value::as_u64).unwrap_or(0);
                p.insert(
                    "usage".to_owned(),
                    json!({"inputTokens": n("inputTokenCount"), "outputTokens": n("outputTokenCount"),
                           "cacheReadInputTokens": n("cacheReadInputTokenCount"),
                           "cacheWriteInputTokens": n("cacheWriteInputTokenCount")}),
                );
            }
        }
        let bytes =
            serde_json::to_vec(&payload).map_err(|e| super::common::bad_reply(FAMILY, e))?;
        self.inner.on_event(&StreamEvent::new(*name, bytes), out)
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        self.inner.on_end(out)
    }
}

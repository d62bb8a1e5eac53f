//! OpenAI Chat Completions bodies on InvokeModel: `bedrock/invoke/openai.gpt-oss-*` and
//! `bedrock/openai/<imported-model ARN>` (LiteLLM's `AmazonBedrockOpenAIConfig`).
//!
//! The body is the OpenAI request (`model`, `messages` with vision `image_url` parts, `tools`,
//! sampling parameters) without `stream`: streaming is chosen by the URL. The reply is a
//! `chat.completion`; a stream is `chat.completion.chunk` objects inside `{"bytes"}` frames.
//!
//! Where this differs from LiteLLM 1.103.7, on purpose:
//! - `bedrock/invoke/openai.gpt-oss-*`: LiteLLM routes these through its base invoke config,
//!   which accepts only `max_tokens`/`max_completion_tokens`/`stream`, sends
//!   `"model": "invoke/openai.gpt-oss-…"` (not the path's model id) and then fails to read the
//!   reply (422). Here they get the OpenAI config, `model` is the path's model id, and
//!   `reasoning_effort` is accepted and sent verbatim (as LiteLLM's Converse route does).
//! - `stream_options` is consumed (it decides the usage chunk) and not sent: without `stream` in
//!   the body an OpenAI-compatible server rejects it.
//! - A leading `<reasoning>…</reasoning>` block in the content (how gpt-oss on invoke returns
//!   its reasoning) becomes `reasoning_content`, whole and streaming.
//! - Guardrails, latency, tier and request metadata travel as `x-amzn-bedrock-*` headers.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Map, Value, json};

use super::common::{body_bytes, invoke_parts, split_params, with_unvalidated};
use super::openai_compat::{self, OpenAiChunkDecoder, SPLIT_REASONING, put};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    ResponseState, StreamDecoder, check_supported,
};
use crate::route::ModelRoute;

/// LiteLLM's `OpenAIGPTConfig.get_supported_openai_params` (what `AmazonBedrockOpenAIConfig`
/// returns for every model).
pub(super) const OPENAI_PARAMS: &[&str] = &[
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "max_tokens",
    "max_completion_tokens",
    "modalities",
    "prediction",
    "n",
    "presence_penalty",
    "seed",
    "stop",
    "stream",
    "stream_options",
    "temperature",
    "top_p",
    "tools",
    "tool_choice",
    "function_call",
    "functions",
    "max_retries",
    "extra_headers",
    "parallel_tool_calls",
    "audio",
    "web_search_options",
    "service_tier",
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
    // `store` is OpenAIGPTConfig's, but litellm 1.103.7 refuses it for every Bedrock route
    // (checked on loopback, gpt-oss on invoke included).
    "response_format",
];

/// OpenAI parameters that travel untyped in `provider_params` and are forwarded when supported.
const UNTYPED_FORWARDED: &[&str] = &[
    "functions",
    "function_call",
    "modalities",
    "prediction",
    "audio",
    "safety_identifier",
    "prompt_cache_key",
];

/// The supported list for `route`: LiteLLM's, plus `reasoning_effort` for gpt-oss.
pub(super) fn supported(route: &ModelRoute) -> Vec<&'static str> {
    let mut p = OPENAI_PARAMS.to_vec();
    if route.base_model.contains("gpt-oss") {
        p.push("reasoning_effort");
    }
    with_unvalidated(p)
}

/// Check `req` against `supported` and map it the way `OpenAIGPTConfig.map_openai_params` does:
/// every supported parameter is forwarded verbatim (except `stream`/`stream_options`); provider
/// params become invoke headers or body fields.
pub(super) fn map(supported: &[&'static str], req: &ChatCompletionRequest) -> Result<MappedParams> {
    let dropped = check_supported(supported, req)?;
    let on = |n: &str| supported.contains(&n) && !dropped.iter().any(|d| d == n);
    if let Some(e) = req
        .reasoning_effort
        .as_deref()
        .filter(|_| on("reasoning_effort"))
        && !matches!(e, "low" | "medium" | "high")
    {
        return Err(bedrock_types::Error::invalid_field(
            "reasoning_effort",
            format_args!("one of low, medium, high for gpt-oss, got `{e}`"),
        ));
    }
    let mut p = Map::new();
    macro_rules! fwd {
        ($($field:ident),*) => {$(
            if let Some(v) = req.$field.as_ref().filter(|_| on(stringify!($field))) {
                put(&mut p, stringify!($field), v)?;
            }
        )*};
    }
    fwd!(
        temperature,
        top_p,
        n,
        stop,
        max_tokens,
        max_completion_tokens,
        seed,
        frequency_penalty,
        presence_penalty,
        logit_bias,
        logprobs,
        top_logprobs,
        response_format,
        service_tier,
        web_search_options,
        reasoning_effort,
        parallel_tool_calls
    );
    if on("tools")
        && let Some(tools) = openai_compat::tools(req)?
    {
        p.insert("tools".to_owned(), tools);
    }
    // LiteLLM drops `tool_choice` when there are no tools (or functions) to choose from.
    let has_tools = p.contains_key("tools")
        || (on("functions") && req.provider_params.contains_key("functions"));
    if has_tools && let Some(c) = req.tool_choice.as_ref().filter(|_| on("tool_choice")) {
        put(&mut p, "tool_choice", c)?;
    }
    for name in UNTYPED_FORWARDED {
        if on(name)
            && let Some(v) = req.provider_params.get(*name)
        {
            p.insert((*name).to_owned(), v.clone());
        }
    }
    let (headers, rest) = split_params(req)?;
    for (k, v) in rest {
        p.insert(k, v);
    }
    Ok(MappedParams {
        params: p,
        dropped,
        headers,
        ..MappedParams::default()
    })
}

/// `{"model", "messages", …params}` posted to `/invoke` (or the stream URL).
pub(super) fn request(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    params: MappedParams,
    messages: Vec<Value>,
    family: &str,
) -> Result<PreparedRequest> {
    let mut body = JsonObject::new();
    body.insert("model".to_owned(), json!(route.model_id));
    body.insert("messages".to_owned(), Value::Array(messages));
    for (k, v) in params.params {
        body.insert(k, v);
    }
    let bytes = body_bytes(&Value::Object(body), family)?;
    let http = invoke_parts(route, req, bytes, params.headers);
    let mut state = ResponseState::for_request(route, req, params.tool_names, params.json_mode);
    state.extra.insert(SPLIT_REASONING.to_owned(), json!(true));
    Ok(PreparedRequest { http, state })
}

/// gpt-oss and OpenAI-compatible imported models on InvokeModel.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenAiInvokeConfig;

impl ProviderConfig for OpenAiInvokeConfig {
    fn name(&self) -> &'static str {
        "openai_invoke"
    }

    fn supported_openai_params(&self, route: &ModelRoute) -> Vec<&'static str> {
        supported(route)
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        map(&supported(route), req)
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let messages = openai_compat::messages(req, false)?;
        request(route, req, params, messages, "OpenAI-compatible")
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        openai_compat::parse_completion(ctx, response, "OpenAI-compatible")
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(OpenAiChunkDecoder::new(ctx, "OpenAI-compatible"))
    }
}

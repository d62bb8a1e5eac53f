//! The [`ProviderConfig`] trait: one implementation per model family.
//!
//! The client drives a call through these steps, each a pure function:
//! 1. [`ProviderConfig::map_params`]: check the OpenAI parameters against what the family
//!    supports (an unsupported one is an `unsupported_params` error unless `drop_params`) and
//!    map them to the family's shape;
//! 2. [`ProviderConfig::transform_request`]: messages + mapped params → [`PreparedRequest`]
//!    (method, endpoint, path, headers, body bytes) plus the [`ResponseState`] the response side
//!    needs (tool-name map, JSON mode, …), so nothing is kept in global state;
//! 3. [`ProviderConfig::transform_response`] or a [`StreamDecoder`] from
//!    [`ProviderConfig::stream_decoder`]: Bedrock bytes/events → OpenAI response or chunks;
//! 4. [`ProviderConfig::map_error`]: a non-2xx Bedrock reply → the shared error type.
//!
//! The trait is synchronous and object-safe: configs live in a [`crate::Registry`] as
//! `Arc<dyn ProviderConfig>`.

use std::fmt::Debug;

use bedrock_types::chat::JsonObject;
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Error, Result, StreamEvent,
};
use bytes::Bytes;

use crate::route::ModelRoute;
use crate::tool_names::ToolNameMap;

/// HTTP method of a Bedrock request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `POST` (every inference call).
    Post,
    /// `GET`.
    Get,
}

impl HttpMethod {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Get => "GET",
        }
    }
}

/// Which Bedrock service host a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointKind {
    /// `bedrock-runtime.{region}…`.
    Runtime,
    /// `bedrock-agent-runtime.{region}…` (agents, rerank, knowledge bases).
    AgentRuntime,
}

/// What kind of body the response has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// One JSON document.
    Json,
    /// `application/vnd.amazon.eventstream` frames.
    EventStream,
    /// An event stream the call wants as one whole answer (InvokeAgent always streams): the
    /// client collects the decoded events and hands them to
    /// [`ProviderConfig::transform_events`].
    CollectedEvents,
}

/// The parts of an unsigned Bedrock HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequestParts {
    /// Method.
    pub method: HttpMethod,
    /// Which host.
    pub endpoint: EndpointKind,
    /// Path (and query), already percent-encoded exactly as it must be sent and signed. Empty
    /// means "post to the base URL as is" (`converse_like`).
    pub path: String,
    /// Headers, lowercase names, in order (`content-type`, `accept`, `x-amzn-bedrock-*`, …).
    pub headers: Vec<(String, String)>,
    /// The body bytes, exactly as they must be sent and signed.
    pub body: Bytes,
    /// The response body kind.
    pub response: ResponseKind,
}

impl HttpRequestParts {
    /// A JSON POST to `path` on `endpoint`.
    pub fn post_json(
        endpoint: EndpointKind,
        path: String,
        body: Vec<u8>,
        response: ResponseKind,
    ) -> Self {
        HttpRequestParts {
            method: HttpMethod::Post,
            endpoint,
            path,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Bytes::from(body),
            response,
        }
    }

    /// The value of header `name` (lowercase), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How a structured-output request is emulated, so the response side can undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonMode {
    /// The name of the forced tool whose input is the JSON answer (`json_tool_call`), when the
    /// model has no native structured output.
    pub tool_name: Option<String>,
    /// A wrapper key to unwrap (`result` for `json_object` on native structured output).
    pub unwrap_key: Option<String>,
}

/// OpenAI parameters mapped to a family's shape: the result of
/// [`ProviderConfig::map_params`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappedParams {
    /// Provider-shaped parameters (for Converse: `inferenceConfig`, `toolConfig`,
    /// `additionalModelRequestFields`, `guardrailConfig`, …), merged into the body.
    pub params: JsonObject,
    /// OpenAI parameters dropped because of `drop_params`.
    pub dropped: Vec<String>,
    /// Original ↔ Bedrock-safe tool names.
    pub tool_names: ToolNameMap,
    /// Structured-output emulation, if any.
    pub json_mode: Option<JsonMode>,
    /// Extra request headers the params imply (invoke's `x-amzn-bedrock-*` headers).
    pub headers: Vec<(String, String)>,
}

/// What the response side needs to know about the request that was sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseState {
    /// The model name to report (`route.model`).
    pub model: String,
    /// Original ↔ Bedrock-safe tool names.
    pub tool_names: ToolNameMap,
    /// Structured-output emulation, if any.
    pub json_mode: Option<JsonMode>,
    /// Whether the caller asked for a usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
    /// A stream asked for but answered by one whole reply (LiteLLM's `fake_stream`), which the
    /// stream decoder turns into chunks.
    pub whole_reply_stream: bool,
    /// Family-specific facts (for example: the prompt ended inside `<think>`).
    pub extra: JsonObject,
    /// LiteLLM's estimate of the prompt tokens, for families whose reply may carry no counts
    /// (the rendered-prompt invoke families, when Bedrock sends no token-count headers).
    pub prompt_tokens_estimate: Option<u64>,
}

impl ResponseState {
    /// The state for `request` on `route` with the tool-name map and JSON mode its params
    /// mapping produced.
    pub fn for_request(
        route: &ModelRoute,
        request: &ChatCompletionRequest,
        tool_names: ToolNameMap,
        json_mode: Option<JsonMode>,
    ) -> Self {
        ResponseState {
            model: route.reported_model.clone(),
            tool_names,
            json_mode,
            include_usage: request
                .stream_options
                .as_ref()
                .and_then(|o| o.include_usage)
                .unwrap_or(false),
            whole_reply_stream: false,
            extra: JsonObject::new(),
            prompt_tokens_estimate: None,
        }
    }
}

/// A request ready to sign and send, with the state its response needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// The HTTP request parts.
    pub http: HttpRequestParts,
    /// State for the response side.
    pub state: ResponseState,
}

/// Ids and timestamps the response side needs; the transform makes none itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseContext {
    /// The response id (`chatcmpl-…`) to use unless the stream supplies one.
    pub id: String,
    /// Unix seconds.
    pub created: u64,
    /// What the request side recorded.
    pub state: ResponseState,
}

/// A Bedrock HTTP response: status, headers and the whole body.
#[derive(Debug, Clone, Copy)]
pub struct HttpResponseParts<'a> {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: &'a http::HeaderMap,
    /// Body bytes.
    pub body: &'a [u8],
}

/// `x-amzn-requestid`, Bedrock's request id header, ready to look up without parsing.
pub const REQUEST_ID_HEADER: http::HeaderName = http::HeaderName::from_static("x-amzn-requestid");

impl HttpResponseParts<'_> {
    /// A header's value as text. `name` is a `&str` or, to skip parsing it on every call, a
    /// [`http::HeaderName`].
    pub fn header<K: http::header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A pure state machine from decoded Bedrock stream events to OpenAI chunks.
pub trait StreamDecoder: Send + Debug {
    /// Feed one event; append the chunks it produces (zero or more) to `out`.
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()>;

    /// The stream ended cleanly; append any final chunks.
    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()>;
}

/// One model family's mapping between OpenAI shapes and Bedrock's wire.
pub trait ProviderConfig: Send + Sync + Debug {
    /// A stable name (`converse`, `anthropic_messages`, …).
    fn name(&self) -> &'static str;

    /// The OpenAI parameters this family accepts for `route`.
    fn supported_openai_params(&self, route: &ModelRoute) -> Vec<&'static str>;

    /// Check and map the request's parameters. The default checks the OpenAI parameters the
    /// request sets against [`Self::supported_openai_params`] and, for each unsupported one,
    /// fails with `unsupported_params` (or drops it under `drop_params`); families override it
    /// to also map what they accept.
    fn map_params(
        &self,
        route: &ModelRoute,
        request: &ChatCompletionRequest,
    ) -> Result<MappedParams> {
        let dropped = check_supported(&self.supported_openai_params(route), request)?;
        Ok(MappedParams {
            dropped,
            ..MappedParams::default()
        })
    }

    /// Build the HTTP request for `request` with its mapped params.
    fn transform_request(
        &self,
        route: &ModelRoute,
        request: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest>;

    /// Turn a successful (2xx) response into an OpenAI chat completion.
    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion>;

    /// Turn a whole reply that arrived as an event stream (its decoded events, in order; the
    /// response's status and headers, body empty) into one chat completion. Only configs that
    /// ask for [`ResponseKind::CollectedEvents`] implement it.
    fn transform_events(
        &self,
        _ctx: &ResponseContext,
        _response: HttpResponseParts<'_>,
        _events: &[StreamEvent],
    ) -> Result<ChatCompletion> {
        Err(Error::new(
            bedrock_types::ErrorKind::Internal,
            format!("the {} config does not collect event streams", self.name()),
        ))
    }

    /// A decoder for this family's stream events.
    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder>;

    /// Turn a non-2xx response into the shared error type.
    fn map_error(&self, response: HttpResponseParts<'_>) -> Error {
        error_from_response(response)
    }
}

/// OpenAI parameters LiteLLM accepts for every Bedrock model without forwarding them.
const ALWAYS_ACCEPTED: &[&str] = &["user"];

/// LiteLLM's `allowed_openai_params` (`_apply_openai_param_overrides`): each OpenAI parameter
/// named there that the family does not support moves from its typed field into the
/// provider-specific parameters, so it reaches Bedrock as it was sent (Converse:
/// `additionalModelRequestFields`; invoke: the body) instead of failing the supported check.
pub fn apply_allowed_openai_params(supported: &[&str], request: &mut ChatCompletionRequest) {
    let Some(allowed) = request.allowed_openai_params.clone() else {
        return;
    };
    for name in &allowed {
        if supported.contains(&name.as_str()) || request.provider_params.contains_key(name) {
            continue;
        }
        if let Some(value) = request.take_openai_param(name) {
            request.provider_params.insert(name.clone(), value);
        }
    }
}

/// LiteLLM's supported-parameter rule: every OpenAI parameter the request sets must be in
/// `supported`; the unsupported ones are all named in one `unsupported_params` error unless
/// `drop_params`, which drops them. Returns the dropped names.
pub fn check_supported(
    supported: &[&'static str],
    request: &ChatCompletionRequest,
) -> Result<Vec<String>> {
    let unsupported: Vec<&str> = request
        .openai_params_set()
        .into_iter()
        .filter(|p| !supported.contains(p) && !ALWAYS_ACCEPTED.contains(p))
        .collect();
    if unsupported.is_empty() {
        return Ok(Vec::new());
    }
    if request.drop_params.unwrap_or(false) {
        return Ok(unsupported.into_iter().map(str::to_owned).collect());
    }
    let listed: Vec<String> = unsupported.iter().map(|p| format!("'{p}'")).collect();
    let listed = listed.join(", ");
    // LiteLLM's words, line breaks and all (`get_optional_params`).
    Err(Error::new(
        bedrock_types::ErrorKind::UnsupportedParams,
        format!(
            "bedrock does not support parameters: [{listed}], for model={}. To drop these, set \
             `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: \
             true`\n. \n If you want to use these params dynamically send \
             allowed_openai_params=[{listed}] in your request.",
            crate::route::litellm_model_name(&request.model),
        ),
    )
    .with_param(unsupported[0]))
}

/// Classify a non-2xx Bedrock response: `x-amzn-ErrorType` (or the body's `__type`/`code`),
/// the body's `message`/`Message`, and `x-amzn-RequestId`.
pub fn error_from_response(response: HttpResponseParts<'_>) -> Error {
    Error::from_http_reply(
        response.status,
        response.header("x-amzn-errortype"),
        response.header(REQUEST_ID_HEADER),
        response.body,
    )
}

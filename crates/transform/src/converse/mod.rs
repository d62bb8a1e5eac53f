//! Converse and ConverseStream (`/model/{id}/converse[-stream]`): the path most Bedrock traffic
//! takes, for every family that supports it.
//!
//! `request` maps OpenAI parameters and messages to the Converse body, `response` maps the
//! Converse reply back, `stream` decodes ConverseStream events into chunks.

mod messages;
mod params;
mod response;
mod stream;

use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Map, Value};

use crate::config::{
    EndpointKind, HttpRequestParts, HttpResponseParts, MappedParams, PreparedRequest,
    ProviderConfig, ResponseContext, ResponseKind, ResponseState, StreamDecoder,
};
use crate::route::{Api, ModelRoute};

pub use stream::ConverseStreamDecoder;

/// The Converse mapping (LiteLLM's `AmazonConverseConfig`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConverseConfig;

impl ProviderConfig for ConverseConfig {
    fn name(&self) -> &'static str {
        "converse"
    }

    fn supported_openai_params(&self, route: &ModelRoute) -> Vec<&'static str> {
        params::supported(route)
    }

    fn map_params(
        &self,
        route: &ModelRoute,
        request: &ChatCompletionRequest,
    ) -> Result<MappedParams> {
        params::map(route, request)
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        request: &ChatCompletionRequest,
        mut params: MappedParams,
    ) -> Result<PreparedRequest> {
        let converted = messages::convert(request, route, &mut params.tool_names)?;
        if !converted.tool_names_used.is_empty() && !params.params.contains_key("toolConfig") {
            // Bedrock needs a toolConfig whenever the history holds tool blocks. LiteLLM instead
            // rewrites such history into plain text, which loses search-result citations; we
            // declare the tools the history used (no toolChoice, so nothing is forced).
            params.params.insert(
                "toolConfig".to_owned(),
                history_tool_config(&converted.tool_names_used),
            );
        }
        let body = build_body(converted, params.params);
        let body = serde_json::to_vec(&body).map_err(|e| {
            bedrock_types::Error::new(
                bedrock_types::ErrorKind::Internal,
                format!("serialising the Converse body failed: {e}"),
            )
        })?;
        let stream = request.is_stream();
        // LiteLLM answers some streams from one whole Converse reply (`fake_stream`): structured
        // output emulated with the forced tool (its JSON arrives as one text), AI21 models
        // (`should_fake_stream`) and Llama 3.3 70B given tools (`_apply_tool_call_transformation`).
        let whole_reply_stream = stream
            && route.api != Api::ConverseLike
            && (params
                .json_mode
                .as_ref()
                .is_some_and(|j| j.tool_name.is_some())
                || route.model.contains("ai21")
                || (route.model.contains("meta.llama3-3-70b-instruct-v1:0")
                    && request.tools.is_some()));
        let stream = stream && !whole_reply_stream;
        let (path, response) = match route.api {
            Api::ConverseLike => (
                String::new(),
                if stream {
                    ResponseKind::EventStream
                } else {
                    ResponseKind::Json
                },
            ),
            _ if stream => (
                format!("/model/{}/converse-stream", route.encoded_model_id()),
                ResponseKind::EventStream,
            ),
            _ => (
                format!("/model/{}/converse", route.encoded_model_id()),
                ResponseKind::Json,
            ),
        };
        let mut http = HttpRequestParts::post_json(EndpointKind::Runtime, path, body, response);
        http.headers.extend(params.headers);
        let mut state =
            ResponseState::for_request(route, request, params.tool_names, params.json_mode);
        state.whole_reply_stream = whole_reply_stream;
        Ok(PreparedRequest { http, state })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        response::transform(ctx, response)
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(ConverseStreamDecoder::new(ctx))
    }
}

fn history_tool_config(names: &[String]) -> Value {
    let tools: Vec<Value> = names
        .iter()
        .map(|n| {
            serde_json::json!({ "toolSpec": {
                "inputSchema": { "json": { "type": "object", "properties": {} } },
                "name": n,
                "description": n,
            } })
        })
        .collect();
    serde_json::json!({ "tools": tools })
}

/// Assemble the body in LiteLLM's key order: `messages`, `inferenceConfig` (always, even
/// empty), `additionalModelRequestFields` (when set), `system` (when set), then `toolConfig` and
/// the remaining config blocks in the order they were mapped.
fn build_body(converted: messages::Converted, params: Map<String, Value>) -> Value {
    let mut params = params;
    let mut body = Map::new();
    body.insert("messages".to_owned(), Value::Array(converted.messages));
    body.insert(
        "inferenceConfig".to_owned(),
        params
            .remove("inferenceConfig")
            .unwrap_or_else(|| Value::Object(Map::new())),
    );
    if let Some(additional) = params.remove("additionalModelRequestFields") {
        body.insert("additionalModelRequestFields".to_owned(), additional);
    }
    if !converted.system.is_empty() {
        body.insert("system".to_owned(), Value::Array(converted.system));
    }
    if let Some(tools) = params.remove("toolConfig") {
        body.insert("toolConfig".to_owned(), tools);
    }
    for (k, v) in params {
        body.insert(k, v);
    }
    Value::Object(body)
}

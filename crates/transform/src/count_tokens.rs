//! CountTokens (`POST /model/{id}/count-tokens`), LiteLLM's `BedrockCountTokensConfig`:
//! Converse-shaped input (the messages, system and tools the Converse mapping would send, as
//! `{"input": {"converse": {...}}}`), or, for invoke routes, invoke-shaped input (the family's
//! native InvokeModel body, base64, as `{"input": {"invokeModel": {"body": ...}}}`). The reply's
//! `inputTokens` is the count.

use bedrock_types::{ChatCompletionRequest, Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use crate::config::{
    EndpointKind, HttpRequestParts, HttpResponseParts, ProviderConfig, ResponseKind,
};
use crate::converse::ConverseConfig;
use crate::encoding::encode_label;
use crate::route::ModelRoute;

/// The CountTokens request for `request`. The model id in the path is the base model (the
/// cross-region prefix removed), as LiteLLM sends it; CountTokens takes foundation-model ids.
pub fn count_tokens_request(
    route: &ModelRoute,
    request: &ChatCompletionRequest,
) -> Result<HttpRequestParts> {
    let mut plain = request.clone();
    plain.stream = None;
    plain.stream_options = None;
    let config = ConverseConfig;
    let mapped = config.map_params(route, &plain)?;
    let prepared = config.transform_request(route, &plain, mapped)?;
    let body: Value = serde_json::from_slice(&prepared.http.body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("re-reading the Converse body failed: {e}"),
        )
    })?;
    let mut converse = Map::new();
    for key in ["messages", "system", "toolConfig"] {
        if let Some(v) = body.get(key) {
            converse.insert(key.to_owned(), v.clone());
        }
    }
    let bytes = serde_json::to_vec(&json!({ "input": { "converse": converse } })).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("serialising the CountTokens body failed: {e}"),
        )
    })?;
    Ok(HttpRequestParts::post_json(
        EndpointKind::Runtime,
        format!("/model/{}/count-tokens", encode_label(&route.base_model)),
        bytes,
        ResponseKind::Json,
    ))
}

/// The CountTokens request for an invoke route: the native body `config` would send for
/// `request` (streaming off), base64-encoded as `invokeModel` input, on the base model.
pub fn count_tokens_invoke_request(
    route: &ModelRoute,
    request: &ChatCompletionRequest,
    config: &dyn ProviderConfig,
) -> Result<HttpRequestParts> {
    use base64::Engine;
    let mut plain = request.clone();
    plain.stream = None;
    plain.stream_options = None;
    let mapped = config.map_params(route, &plain)?;
    let prepared = config.transform_request(route, &plain, mapped)?;
    let body = base64::engine::general_purpose::STANDARD.encode(&prepared.http.body);
    let bytes = serde_json::to_vec(&json!({ "input": { "invokeModel": { "body": body } } }))
        .map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the CountTokens body failed: {e}"),
            )
        })?;
    Ok(HttpRequestParts::post_json(
        EndpointKind::Runtime,
        format!("/model/{}/count-tokens", encode_label(&route.base_model)),
        bytes,
        ResponseKind::Json,
    ))
}

/// `{"inputTokens": N}` → N.
pub fn count_tokens_response(response: HttpResponseParts<'_>) -> Result<u64> {
    let body: Value = serde_json::from_slice(response.body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("CountTokens reply is not JSON: {e}"),
        )
        .with_status(422)
    })?;
    body.get("inputTokens")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "CountTokens reply has no `inputTokens`",
            )
            .with_status(422)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_routes_send_the_native_body_base64() {
        use base64::Engine;
        let req: ChatCompletionRequest = serde_json::from_value(json!({
            "model": "bedrock/invoke/us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 10, "stream": true
        }))
        .unwrap();
        let route = ModelRoute::parse(&req.model).unwrap();
        let registry = crate::Registry::default();
        let config = registry.config_for(&route).unwrap();
        let parts = count_tokens_invoke_request(&route, &req, config).unwrap();
        assert_eq!(
            parts.path,
            "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/count-tokens"
        );
        let body: Value = serde_json::from_slice(&parts.body).unwrap();
        let inner = base64::engine::general_purpose::STANDARD
            .decode(body["input"]["invokeModel"]["body"].as_str().unwrap())
            .unwrap();
        let inner: Value = serde_json::from_slice(&inner).unwrap();
        assert_eq!(inner["anthropic_version"], "bedrock-2023-05-31");
        assert_eq!(inner["max_tokens"], 10);
        assert_eq!(inner["messages"][0]["role"], "user");
        assert!(inner.get("stream").is_none());
    }

    #[test]
    fn builds_converse_input_on_the_base_model() {
        let req: ChatCompletionRequest = serde_json::from_value(json!({
            "model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "Hello"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}],
            "max_tokens": 10
        }))
        .unwrap();
        let route = ModelRoute::parse(&req.model).unwrap();
        let parts = count_tokens_request(&route, &req).unwrap();
        assert_eq!(
            parts.path,
            "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens"
        );
        let body: Value = serde_json::from_slice(&parts.body).unwrap();
        assert_eq!(
            body["input"]["converse"]["messages"],
            json!([{"role": "user", "content": [{"text": "Hello"}]}])
        );
        assert_eq!(
            body["input"]["converse"]["system"],
            json!([{"text": "terse"}])
        );
        assert_eq!(
            body["input"]["converse"]["toolConfig"]["tools"][0]["toolSpec"]["name"],
            "f"
        );
        assert!(body["input"]["converse"].get("inferenceConfig").is_none());
        let headers = http::HeaderMap::new();
        let n = count_tokens_response(HttpResponseParts {
            status: 200,
            headers: &headers,
            body: br#"{"inputTokens": 12}"#,
        })
        .unwrap();
        assert_eq!(n, 12);
    }
}

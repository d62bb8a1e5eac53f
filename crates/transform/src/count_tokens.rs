//! CountTokens (`POST /model/{id}/count-tokens`) for Converse-shaped input (LiteLLM's
//! `BedrockCountTokensConfig`): the messages, system and tools the Converse mapping would send,
//! wrapped as `{"input": {"converse": {...}}}`; the reply's `inputTokens` is the count.

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

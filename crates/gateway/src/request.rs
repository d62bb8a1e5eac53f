//! From a request body to the typed request the client takes, as LiteLLM's proxy and router
//! build the `completion(...)` call.
//!
//! Precedence (LiteLLM's router: `{**litellm_params, **request}`): every key the request sets
//! wins; the model entry's `litellm_params` fill the rest (its `model` always wins, and its
//! `tools` are put before the request's); `litellm_settings` (`drop_params`, `modify_params`,
//! `num_retries`, `request_timeout`) fill what is still unset. Credentials, region and
//! endpoint come from the entry too, field by field, unless the request sets them.
//!
//! Endpoint and identity selectors in a body (`api_base`, `aws_bedrock_runtime_endpoint`,
//! `aws_role_name`, `aws_profile_name`, …) are rejected with 400 unless
//! `general_settings.allow_client_side_credentials` or the entry's
//! `configurable_clientside_auth_params` allows them (LiteLLM's `is_request_body_safe`).
//! Proxy-only keys (`fallbacks`, `caching`, `tags`, `guardrails`, `mock_response`, …) are
//! removed: LiteLLM consumes them before the provider sees the call.

use std::sync::Arc;

use bedrock_types::chat::JsonObject;
use bedrock_types::{AwsParams, Secret};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{Config, Deployment};
use crate::error::ApiError;
use crate::models::{ModelTable, Resolved};

/// Body params that choose where a request goes or whose identity signs it.
pub const BANNED_BODY_PARAMS: &[&str] = &[
    "api_base",
    "base_url",
    "user_config",
    "aws_sts_endpoint",
    "aws_web_identity_token",
    "aws_role_name",
    "aws_profile_name",
    "aws_session_name",
    "aws_external_id",
    "aws_session_tags",
    "aws_bedrock_runtime_endpoint",
];

/// Keys LiteLLM's proxy and router consume; never sent on.
pub const PROXY_ONLY_PARAMS: &[&str] = &[
    "fallbacks",
    "context_window_fallbacks",
    "content_policy_fallbacks",
    "disable_fallbacks",
    "caching",
    "cache",
    "no-log",
    "tags",
    "litellm_metadata",
    "litellm_call_id",
    "litellm_session_id",
    "litellm_trace_id",
    "guardrails",
    "mock_response",
    "mock_testing_fallbacks",
    "mock_timeout",
    "max_retries",
    "proxy_server_request",
    "secret_fields",
    "include_fallback_errors",
];

/// Which typed request a body becomes, and so which settings it can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Chat completions (and text completions, served over chat).
    Chat,
    /// Embeddings.
    Embeddings,
    /// Image generation.
    Images,
    /// Rerank.
    Rerank,
}

/// A body parsed and merged, ready to become a typed request.
#[derive(Debug)]
pub struct Merged {
    /// The merged body (`model` is the Bedrock model).
    pub body: JsonObject,
    /// The name the client asked for.
    pub requested_model: String,
    /// The model entry: its credentials and endpoint fill what the request leaves unset
    /// (shared, not copied per request).
    pub deployment: Arc<Deployment>,
}

/// Parse a JSON object body; malformed JSON is a 400 naming the problem and its place.
pub fn parse_body(bytes: &[u8]) -> Result<JsonObject, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Invalid JSON payload: expected a JSON object, got an empty body",
            Some("request_body"),
        ));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::bad_request(
            format!(
                "Invalid request body: expected a JSON object, got {}",
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            ),
            None,
        )),
        // LiteLLM's proxy words it this way; serde_json adds the line and column.
        Err(e) => Err(ApiError::bad_request(
            format!("Invalid JSON payload: {e}"),
            Some("request_body"),
        )),
    }
}

/// The `model` a body names.
pub fn requested_model(body: &JsonObject) -> Result<String, ApiError> {
    match body.get("model") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None => Err(ApiError::bad_request(
            "Missing required parameter: 'model'.",
            Some("model"),
        )),
        Some(_) => Err(ApiError::bad_request(
            "Invalid value for 'model': expected a string.",
            Some("model"),
        )),
    }
}

/// Resolve the body's model, check it, and merge the defaults in.
pub fn merge(
    mut body: JsonObject,
    route: &str,
    kind: Kind,
    models: &ModelTable,
    config: &Config,
) -> Result<(Merged, Resolved), ApiError> {
    let requested = requested_model(&body)?;
    let resolved = models.resolve(&requested).ok_or_else(|| {
        ApiError::bad_request(
            format!(
                "{route}: Invalid model name passed in model={requested}. Call `/v1/models` to \
                 view available models for your key."
            ),
            Some("model"),
        )
    })?;
    if body.contains_key("model_list") {
        return Err(ApiError::bad_request(
            "Rejected Request: model_list is not allowed in the request body.",
            Some("model_list"),
        ));
    }
    let d: &Deployment = &resolved.deployment;
    // A body names a handful of keys; checking them against the lists costs less than hashing
    // every listed name into the body's map.
    let names_any = |list: &[&str]| body.keys().any(|k| list.contains(&k.as_str()));
    if !config.general_settings.allow_client_side_credentials && names_any(BANNED_BODY_PARAMS) {
        for p in BANNED_BODY_PARAMS {
            if body.contains_key(*p) && !d.clientside_auth_params.iter().any(|a| a == p) {
                return Err(ApiError::bad_request(
                    format!(
                        "Rejected Request: {p} is not allowed in request body. Clientside \
                         passthrough requires explicit admin opt-in via either \
                         `general_settings.allow_client_side_credentials = true` (proxy-wide) or \
                         `configurable_clientside_auth_params` on the deployment in your proxy \
                         config.yaml."
                    ),
                    Some(p),
                ));
            }
        }
    }
    if names_any(PROXY_ONLY_PARAMS) {
        body.retain(|k, _| !PROXY_ONLY_PARAMS.contains(&k.as_str()));
    }
    if kind != Kind::Chat {
        // Chat keeps `metadata` as a typed field that is never sent; elsewhere it would become
        // a provider param.
        body.remove("metadata");
    }
    if !body.contains_key("timeout")
        && let Some(Value::Number(t)) = body.remove("request_timeout")
    {
        body.insert("timeout".to_owned(), Value::Number(t));
    }
    body.insert("model".to_owned(), Value::String(resolved.model.clone()));
    let streaming = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    if streaming
        && !body.contains_key("timeout")
        && let Some(t) = d.stream_timeout.and_then(serde_json::Number::from_f64)
    {
        body.insert("timeout".to_owned(), Value::Number(t));
    }
    for (k, v) in &d.params {
        // LiteLLM's router puts the entry's tools before the request's.
        if k == "tools"
            && let (Value::Array(defaults), Some(Value::Array(mine))) = (v, body.get_mut("tools"))
        {
            let mut merged = defaults.clone();
            merged.append(mine);
            *mine = merged;
            continue;
        }
        if !body.contains_key(k) {
            body.insert(k.clone(), v.clone());
        }
    }
    let s = &config.litellm_settings;
    let mut fill = |k: &str, v: Option<Value>| {
        if let Some(v) = v
            && !body.contains_key(k)
        {
            body.insert(k.to_owned(), v);
        }
    };
    fill("drop_params", s.drop_params.map(Value::Bool));
    if kind == Kind::Chat {
        fill("modify_params", s.modify_params.map(Value::Bool));
    }
    fill("num_retries", s.num_retries.map(Value::from));
    fill(
        "timeout",
        s.request_timeout
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    );
    Ok((
        Merged {
            body,
            requested_model: requested,
            deployment: resolved.deployment.clone(),
        },
        resolved,
    ))
}

/// The merged body as a typed request; a field of the wrong shape is a 400 naming its path.
pub fn typed<T: DeserializeOwned>(body: JsonObject) -> Result<T, ApiError> {
    let body = Value::Object(body);
    // The common case pays no path tracking; only a body that fails is read again, tracked,
    // to name the field (the same reading, so the same error).
    if let Ok(t) = T::deserialize(&body) {
        return Ok(t);
    }
    serde_path_to_error::deserialize::<_, T>(&body).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("Invalid request body: {inner}"), None)
        } else {
            ApiError::bad_request(
                format!("Invalid request body: `{path}`: {inner}"),
                Some(&path),
            )
        }
    })
}

/// Fill unset credential and endpoint fields from the model entry (the request's win).
pub fn fill_aws(params: &mut AwsParams, defaults: &AwsParams) {
    params.fill_unset_from(defaults);
}

/// Constant-time comparison of a presented key with the master key (the length is the only
/// thing a timing difference can reveal).
pub fn key_matches(presented: &str, expected: &Secret) -> bool {
    let a = presented.as_bytes();
    let b = expected.expose().as_bytes();
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn constant_time_compare() {
        let k = Secret::new("sk-1234");
        assert!(key_matches("sk-1234", &k));
        assert!(!key_matches("sk-1235", &k));
        assert!(!key_matches("sk-123", &k));
        assert!(!key_matches("sk-12345", &k));
        assert!(!key_matches("", &k));
    }

    #[test]
    fn malformed_json_names_the_place() {
        let e = parse_body(b"{\"model\": \"x\",}").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message().contains("line 1 column"), "{}", e.message());
    }
}

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
use bedrock_types::{AwsParams, ChatCompletionRequest, Secret};
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

/// Parse a JSON object body; malformed JSON is a 400 naming the problem and its place. An
/// empty body is an empty object, as LiteLLM's proxy reads it (the checks that follow then
/// name what is missing).
pub fn parse_body(bytes: &[u8]) -> Result<JsonObject, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(JsonObject::new());
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

/// The route as LiteLLM's proxy names it in its messages (`ROUTE_ENDPOINT_MAPPING`: no `/v1`,
/// and `/image/generations` in the singular).
pub fn litellm_route(label: &str) -> &str {
    match label {
        "/v1/images/generations" => "/image/generations",
        other => other.strip_prefix("/v1").unwrap_or(other),
    }
}

/// The body parameters LiteLLM's proxy requires on a route before it looks at the model
/// (`REQUIRED_BODY_PARAMS_BY_ROUTE`): absent or `null` is a 400 naming the first one missing.
fn check_required_params(body: &JsonObject, route: &str) -> Result<(), ApiError> {
    let required: &[&str] = match route {
        "/v1/chat/completions" => &["messages"],
        "/v1/embeddings" => &["input"],
        _ => &[],
    };
    match required
        .iter()
        .find(|p| body.get(**p).is_none_or(Value::is_null))
    {
        Some(p) => Err(ApiError::bad_request(
            format!(
                "{}: Missing required parameter: '{p}'.",
                litellm_route(route)
            ),
            Some(p),
        )),
        None => Ok(()),
    }
}

/// The `model` a body names. One that is missing, empty or not a string names no model the
/// gateway serves: the 400 of an unknown model (`model=None` when absent), as LiteLLM's proxy.
pub fn requested_model(body: &JsonObject, route: &str) -> Result<String, ApiError> {
    match body.get("model") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(s)) => Err(unknown_model(route, s)),
        None | Some(Value::Null) => Err(unknown_model(route, "None")),
        Some(other) => Err(unknown_model(route, &other.to_string())),
    }
}

/// LiteLLM's `ProxyModelNotFoundError`: its `detail` also travels as
/// `provider_specific_fields`.
fn unknown_model(route: &str, requested: &str) -> ApiError {
    let message = format!(
        "{}: Invalid model name passed in model={requested}. Call `/v1/models` to view \
         available models for your key.",
        litellm_route(route)
    );
    let mut e = ApiError::bad_request(message.clone(), None);
    e.body["error"]["provider_specific_fields"] = serde_json::json!({ "error": message });
    e
}

/// Resolve the body's model, check it, and merge the defaults in.
pub fn merge(
    body: JsonObject,
    route: &str,
    kind: Kind,
    models: &ModelTable,
    config: &Config,
) -> Result<(Merged, Resolved), ApiError> {
    check_required_params(&body, route)?;
    let requested = requested_model(&body, route)?;
    let resolved = resolve(models, &requested, route)?;
    merge_resolved(body, requested, resolved, kind, config)
}

/// The deployment for `requested`, or the 400 LiteLLM's proxy answers for an unknown model.
fn resolve(models: &ModelTable, requested: &str, route: &str) -> Result<Resolved, ApiError> {
    models.resolve(requested).ok_or_else(|| {
        if models.has_wildcards() {
            no_deployments(requested)
        } else {
            unknown_model(route, requested)
        }
    })
}

/// With a wildcard group in the config, LiteLLM's proxy lets any model name through to its
/// router, which answers an unmatched one with this 400 (checked against litellm 1.103.7).
fn no_deployments(requested: &str) -> ApiError {
    ApiError::bad_request(
        format!(
            "litellm.BadRequestError: You passed in model={requested}. There are no healthy \
             deployments for this model. Received Model Group={requested}\nAvailable Model \
             Group Fallbacks=None"
        ),
        None,
    )
}

/// [`merge`] with the model already resolved (a resolution picks a deployment, round robin,
/// so it happens once per request).
fn merge_resolved(
    mut body: JsonObject,
    requested: String,
    resolved: Resolved,
    kind: Kind,
    config: &Config,
) -> Result<(Merged, Resolved), ApiError> {
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
        && body.get("timeout").is_none_or(Value::is_null)
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
    // A setting fills a key the request leaves unset or null: LiteLLM reads these as
    // `kwargs.get(k) or litellm.<setting>`, so an explicit null falls back too.
    let mut fill = |k: &str, v: Option<Value>| {
        if let Some(v) = v
            && body.get(k).is_none_or(Value::is_null)
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

/// A chat request read and merged by [`typed_chat`].
#[derive(Debug)]
pub struct TypedChat {
    /// The merged request, credentials filled in.
    pub request: Box<ChatCompletionRequest>,
    /// The name the client asked for.
    pub requested_model: String,
}

/// The merged body as the typed chat request, boxed (it is 2 KB, and the handler futures that
/// hold it stay small), with the entry's credentials and endpoint filled in.
pub fn chat_request(merged: Merged) -> Result<Box<ChatCompletionRequest>, ApiError> {
    let mut req: Box<ChatCompletionRequest> = Box::new(typed(merged.body)?);
    fill_aws(&mut req.aws, &merged.deployment.aws);
    Ok(req)
}

/// Keys whose presence alone (even as `null`) changes what [`merge`] does, found in the raw
/// body before it is read: `"aws_…`/`"api_base` (banned params, which a typed field reads as
/// unset when null) and `\u00` (a key spelled with escapes could be one of them).
const NEEDS_GENERAL_MERGE: [&[u8]; 3] = [b"\"aws_", b"\"api_base", b"\\u00"];

/// The chat body read straight into the typed request and merged there, for the common case:
/// no `aws_*`/`api_base` keys, no proxy-only, banned or renamed keys, and a model entry
/// without request defaults. Anything else (including every malformed body) is read as a JSON
/// object and merged by [`merge`], so errors and edge cases come from one place; the result is
/// the same either way (a test holds the two to it).
///
/// This saves building, merging and re-reading a JSON map per request.
pub fn typed_chat(
    bytes: &[u8],
    route: &str,
    models: &ModelTable,
    config: &Config,
) -> Result<TypedChat, ApiError> {
    let general = |resolved: Option<Resolved>| {
        let body = parse_body(bytes)?;
        let (merged, _) = match resolved {
            // The model is resolved once: a resolution picks a deployment, round robin.
            Some(r) => {
                let requested = requested_model(&body, route)?;
                merge_resolved(body, requested, r, Kind::Chat, config)?
            }
            None => merge(body, route, Kind::Chat, models, config)?,
        };
        let requested_model = merged.requested_model.clone();
        Ok(TypedChat {
            request: chat_request(merged)?,
            requested_model,
        })
    };
    if NEEDS_GENERAL_MERGE
        .iter()
        .any(|n| memchr::memmem::find(bytes, n).is_some())
    {
        return general(None);
    }
    let Ok(mut request) = serde_json::from_slice::<Box<ChatCompletionRequest>>(bytes) else {
        return general(None);
    };
    if request.model.trim().is_empty()
        || request.aws != AwsParams::default()
        || request.provider_params.keys().any(|k| {
            let k = k.as_str();
            k == "model_list"
                || k == "request_timeout"
                || BANNED_BODY_PARAMS.contains(&k)
                || PROXY_ONLY_PARAMS.contains(&k)
        })
    {
        return general(None);
    }
    let resolved = resolve(models, &request.model, route)?;
    let d: &Deployment = &resolved.deployment;
    if !d.params.is_empty() {
        return general(Some(resolved));
    }
    let requested_model = std::mem::replace(&mut request.model, resolved.model);
    if request.is_stream() && request.timeout.is_none() {
        request.timeout = d.stream_timeout.filter(|t| t.is_finite());
    }
    let s = &config.litellm_settings;
    request.drop_params = request.drop_params.or(s.drop_params);
    request.modify_params = request.modify_params.or(s.modify_params);
    request.num_retries = request.num_retries.or(s.num_retries);
    if request.timeout.is_none() {
        request.timeout = s.request_timeout.filter(|t| t.is_finite());
    }
    fill_aws(&mut request.aws, &d.aws);
    Ok(TypedChat {
        request,
        requested_model,
    })
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

    /// The general path, as chat took it before [`typed_chat`]: a JSON object, merged, typed.
    fn general_chat(
        bytes: &[u8],
        models: &ModelTable,
        config: &Config,
    ) -> Result<TypedChat, ApiError> {
        let body = parse_body(bytes)?;
        let (merged, _) = merge(body, "/chat/completions", Kind::Chat, models, config)?;
        let requested_model = merged.requested_model.clone();
        Ok(TypedChat {
            request: chat_request(merged)?,
            requested_model,
        })
    }

    fn configs() -> Vec<Config> {
        let env = std::collections::HashMap::<String, String>::new();
        let plain = Config::passthrough();
        let mut settings = Config::from_yaml_str(
            r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
      aws_access_key_id: AKIDEXAMPLE
      aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
      aws_region_name: us-west-2
      aws_bedrock_runtime_endpoint: http://127.0.0.1:9
      stream_timeout: 7
  - model_name: with-defaults
    litellm_params:
      model: bedrock/us.amazon.nova-lite-v1:0
      max_tokens: 33
      top_k: 4
      timeout: 12
  - model_name: with-defaults
    litellm_params:
      model: bedrock/us.amazon.nova-pro-v1:0
      temperature: 0.5
litellm_settings:
  drop_params: true
  modify_params: true
  num_retries: 3
  request_timeout: 30
"#,
            &env,
        )
        .unwrap();
        settings.passthrough = true;
        vec![plain, settings]
    }

    /// Chat bodies: every OpenAI-shaped request among the transform fixtures, then the edge
    /// cases the fast path must hand to the general merge (or get the same answer for).
    fn bodies() -> Vec<Vec<u8>> {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../transform/tests/fixtures");
        let mut out = Vec::new();
        for family in [
            "converse",
            "invoke_anthropic",
            "invoke_chat_style",
            "invoke_prompt",
            "agents",
        ] {
            let mut dirs: Vec<_> = std::fs::read_dir(root.join(family))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            dirs.sort();
            for dir in dirs {
                if let Ok(b) = std::fs::read(dir.join("request.json")) {
                    out.push(b);
                }
            }
        }
        assert!(out.len() > 80, "found {} fixture requests", out.len());
        for extra in [
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}]}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"stream":true}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"stream":true,"timeout":null}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"stream":true,"timeout":3}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"num_retries":null,"drop_params":null}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"num_retries":0,"drop_params":false,"modify_params":false}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"request_timeout":5}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"request_timeout":5,"timeout":6}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"aws_role_name":null}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"\u0061ws_role_name":null}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"api_base":"http://x"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"aws_access_key_id":"AKIDOTHER"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"base_url":null}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"tags":["a"],"fallbacks":[],"mock_response":"x"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"model_list":[]}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"metadata":{"k":1},"user":"u"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"top_k":5,"top_k":6}"#,
            r#"{"model":"claude","model":"with-defaults","messages":[{"role":"user","content":"hi"}]}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"h\u00e9 \u2603 \"q\""}]}"#,
            r#"{"model":"with-defaults","messages":[{"role":"user","content":"hi"}],"top_k":9}"#,
            r#"{"model":"with-defaults","messages":[{"role":"user","content":"hi"}],"max_tokens":null}"#,
            r#"{"model":"nope","messages":[{"role":"user","content":"hi"}]}"#,
            r#"{"model":"","messages":[]}"#,
            r#"{"model":"  ","messages":[]}"#,
            r#"{"model":7,"messages":[]}"#,
            r#"{"messages":[]}"#,
            r#"{"model":"claude","messages":"hi"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"max_tokens":64.0}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"temperature":1}"#,
            r#"{"model":"claude","messages":[{"role":"robot","content":"hi"}]}"#,
            r#"{"model":"claude","messages":[{"role":"user","content":"hi"}],}"#,
            r#"[1,2]"#,
            r#"  "#,
            r#"null"#,
        ] {
            out.push(extra.as_bytes().to_vec());
        }
        out
    }

    #[test]
    fn typed_chat_gives_what_the_general_merge_gives() {
        let mut fast = 0;
        for config in configs() {
            for body in bodies() {
                // A fresh table for each path, so both pick the same deployment of a group.
                let general = general_chat(&body, &ModelTable::new(&config), &config);
                let typed = typed_chat(
                    &body,
                    "/chat/completions",
                    &ModelTable::new(&config),
                    &config,
                );
                let text = String::from_utf8_lossy(&body);
                match (general, typed) {
                    (Ok(g), Ok(t)) => {
                        assert_eq!(g.request, t.request, "{text}");
                        assert_eq!(g.requested_model, t.requested_model, "{text}");
                    }
                    (Err(g), Err(t)) => {
                        assert_eq!((g.status, &g.body), (t.status, &t.body), "{text}");
                    }
                    (g, t) => panic!("{text}: general {g:?}, typed {t:?}"),
                }
                // Whether the fast path took it: it reads no map, so the body parses typed.
                if serde_json::from_slice::<ChatCompletionRequest>(&body).is_ok()
                    && !NEEDS_GENERAL_MERGE
                        .iter()
                        .any(|n| memchr::memmem::find(&body, n).is_some())
                {
                    fast += 1;
                }
            }
        }
        assert!(fast > 100, "only {fast} bodies took the typed path");
    }

    #[test]
    fn a_null_leaves_a_setting_to_fill_as_litellm_reads_it() {
        let config = configs().pop().unwrap();
        let models = ModelTable::new(&config);
        let body = br#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"stream":true,"timeout":null,"num_retries":null}"#;
        for chat in [
            general_chat(body, &models, &config),
            typed_chat(body, "/chat/completions", &models, &config),
        ] {
            let chat = chat.unwrap();
            // stream_timeout (7) for a stream whose timeout is null; num_retries from the settings.
            assert_eq!(chat.request.timeout, Some(7.0));
            assert_eq!(chat.request.num_retries, Some(3));
            assert_eq!(
                chat.request.aws.aws_region_name.as_deref(),
                Some("us-west-2")
            );
            assert_eq!(
                chat.request.model,
                "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
            );
            assert_eq!(chat.requested_model, "claude");
        }
    }

    #[test]
    fn a_group_is_resolved_once_per_request() {
        // Two deployments, round robin: the typed path hands a body with defaults to the
        // general merge with the deployment it already picked, so requests alternate.
        let config = configs().pop().unwrap();
        let models = ModelTable::new(&config);
        let body = br#"{"model":"with-defaults","messages":[{"role":"user","content":"hi"}]}"#;
        let picked: Vec<String> = (0..4)
            .map(|_| {
                typed_chat(body, "/chat/completions", &models, &config)
                    .unwrap()
                    .request
                    .model
            })
            .collect();
        assert_eq!(
            picked,
            [
                "bedrock/us.amazon.nova-lite-v1:0",
                "bedrock/us.amazon.nova-pro-v1:0",
                "bedrock/us.amazon.nova-lite-v1:0",
                "bedrock/us.amazon.nova-pro-v1:0"
            ]
        );
    }
}

//! `dry-run`: the exact Bedrock HTTP request an OpenAI request becomes, without sending it.
//!
//! The request goes through the same steps as in the gateway (model resolution, config
//! defaults, body params) and the real client (route, transform, region, endpoint,
//! credentials, SigV4 or bearer). An authorizer wrapped around the real one records the signed
//! request and stops the call before any byte is sent; `extra_headers` are then added as the
//! client adds them (after signing, unsigned). The signature, session token and bearer key
//! are redacted in the output. For embeddings that take one Bedrock call per input (Titan),
//! the first call is shown. Besides the config's model names, any `bedrock/...` name works.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use base64::Engine;
use bedrock_auth::providers::static_keys::StaticProvider;
use bedrock_auth::{
    AuthContext, AuthMethod, Authorize, Credentials, Env, ProviderConfig, SigV4Authorizer,
};
use bedrock_transform::route::ModelRoute;
use bedrock_transport::{HttpTransport, TransportConfig};
use bedrock_types::chat::JsonObject;
use bedrock_types::embeddings::EmbeddingRequest;
use bedrock_types::images::ImageGenerationRequest;
use bedrock_types::rerank::RerankRequest;
use bedrock_types::{ChatCompletionRequest, Error, ErrorKind};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::ApiError;
use crate::models::ModelTable;
use crate::request::{self, Kind};

const CAPTURED: &str = "dry-run: request captured before sending";

/// Which OpenAI endpoint the request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/chat/completions`.
    Chat,
    /// `/v1/completions`.
    Completions,
    /// `/v1/embeddings`.
    Embeddings,
    /// `/v1/images/generations`.
    Images,
    /// `/v1/rerank`.
    Rerank,
}

impl Endpoint {
    /// Parse a `--route` value.
    pub fn parse(s: &str) -> Option<Endpoint> {
        match s.trim_start_matches("/v1").trim_start_matches('/') {
            "chat" | "chat/completions" => Some(Endpoint::Chat),
            "completions" | "text" => Some(Endpoint::Completions),
            "embeddings" | "embedding" => Some(Endpoint::Embeddings),
            "images" | "images/generations" | "image" => Some(Endpoint::Images),
            "rerank" => Some(Endpoint::Rerank),
            _ => None,
        }
    }

    /// Guess from the body: `messages` → chat, `input` → embeddings, `query` and `documents`
    /// → rerank, `prompt` → images for an image model, else text completions.
    pub fn infer(body: &JsonObject, models: &ModelTable) -> Endpoint {
        if body.contains_key("messages") {
            return Endpoint::Chat;
        }
        if body.contains_key("input") {
            return Endpoint::Embeddings;
        }
        if body.contains_key("query") && body.contains_key("documents") {
            return Endpoint::Rerank;
        }
        if body.contains_key("prompt") {
            let is_image = body
                .get("model")
                .and_then(Value::as_str)
                .and_then(|m| models.resolve(m))
                .and_then(|r| ModelRoute::parse(&r.model).ok())
                .is_some_and(|route| bedrock_transform::images::image_config_for(&route).is_ok());
            return if is_image {
                Endpoint::Images
            } else {
                Endpoint::Completions
            };
        }
        Endpoint::Chat
    }
}

/// How credentials are found for signing.
#[derive(Debug, Clone, Default)]
pub struct DryRunOptions {
    /// The environment (default: the process's).
    pub env: Option<HashMap<String, String>>,
    /// Sign with placeholder credentials instead of resolving real ones (the signature is
    /// redacted either way; only the access key id shown differs).
    pub placeholder_credentials: bool,
}

#[derive(Debug)]
struct Capture {
    inner: SigV4Authorizer,
    fallback: SigV4Authorizer,
    captured: Mutex<Option<http::Request<Bytes>>>,
    used_fallback: Mutex<bool>,
    placeholder_only: bool,
}

#[async_trait]
impl Authorize for Capture {
    async fn authorize(
        &self,
        request: &mut http::Request<Bytes>,
        ctx: &AuthContext<'_>,
    ) -> Result<AuthMethod, Error> {
        let signed = if self.placeholder_only {
            self.fallback.authorize(request, ctx).await
        } else {
            match self.inner.authorize(request, ctx).await {
                Ok(m) => Ok(m),
                Err(e) if e.kind() == ErrorKind::Authentication => {
                    *self.used_fallback.lock().unwrap_or_else(|p| p.into_inner()) = true;
                    tracing::debug!(error = %e, "no credentials; placeholder credentials sign the dry run");
                    self.fallback.authorize(request, ctx).await
                }
                Err(e) => Err(e),
            }
        };
        signed?;
        let mut copy = http::Request::builder()
            .method(request.method().clone())
            .uri(request.uri().clone())
            .body(request.body().clone())
            .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
        *copy.headers_mut() = request.headers().clone();
        *self.captured.lock().unwrap_or_else(|p| p.into_inner()) = Some(copy);
        Err(Error::new(ErrorKind::BadRequest, CAPTURED))
    }
}

/// The result of a dry run.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// `{"method", "url", "headers", "body"}`.
    pub request: Value,
    /// Whether placeholder credentials signed it.
    pub placeholder_credentials: bool,
}

/// Build the Bedrock request for `body` (an OpenAI request) without sending it.
pub async fn dry_run(
    body: &[u8],
    endpoint: Option<Endpoint>,
    config: &Config,
    options: &DryRunOptions,
) -> Result<DryRun, ApiError> {
    let parsed = request::parse_body(body)?;
    // Listed names resolve through the config; any `bedrock/...` name works too.
    let mut config = config.clone();
    config.passthrough = true;
    let config = &config;
    let models = ModelTable::new(config);
    let endpoint = endpoint.unwrap_or_else(|| Endpoint::infer(&parsed, &models));
    let transport = HttpTransport::new(TransportConfig::default()).map_err(ApiError::from)?;
    let mut vars: HashMap<String, String> = match &options.env {
        Some(e) => e.clone(),
        None => std::env::vars().collect(),
    };
    vars.extend(config.environment_variables.clone());
    let provider = ProviderConfig::new(Env::from_map(vars), transport.clone());
    let placeholder = Credentials::new(
        "AKIDDRYRUNEXAMPLE",
        "dry-run-placeholder-secret",
        None,
        None,
    );
    let capture = Arc::new(Capture {
        inner: SigV4Authorizer::new(provider.clone()),
        fallback: SigV4Authorizer::with_provider(
            provider.clone(),
            StaticProvider::new(placeholder),
        ),
        captured: Mutex::new(None),
        used_fallback: Mutex::new(false),
        placeholder_only: options.placeholder_credentials,
    });
    let client = bedrock::Client::builder()
        .transport(transport)
        .provider_config(provider)
        .authorizer(capture.clone())
        .build()
        .map_err(ApiError::from)?;
    let (label, kind) = match endpoint {
        Endpoint::Chat => ("/v1/chat/completions", Kind::Chat),
        Endpoint::Completions => ("/v1/completions", Kind::Chat),
        Endpoint::Embeddings => ("/v1/embeddings", Kind::Embeddings),
        Endpoint::Images => ("/v1/images/generations", Kind::Images),
        Endpoint::Rerank => ("/v1/rerank", Kind::Rerank),
    };
    let parsed = if endpoint == Endpoint::Completions {
        prompt_body(parsed)?
    } else {
        parsed
    };
    let (merged, _) = request::merge(parsed, label, kind, &models, config)?;
    let extra_headers: Option<JsonObject>;
    let outcome = match kind {
        Kind::Embeddings => {
            let mut req: EmbeddingRequest = request::typed(merged.body)?;
            request::fill_aws(&mut req.aws, &merged.deployment.aws);
            extra_headers = req.extra_headers.clone();
            client.embedding(req).await.map(|_| ())
        }
        Kind::Images => {
            let mut req: ImageGenerationRequest = request::typed(merged.body)?;
            request::fill_aws(&mut req.aws, &merged.deployment.aws);
            extra_headers = req.extra_headers.clone();
            client.image_generation(req).await.map(|_| ())
        }
        Kind::Rerank => {
            let mut req: RerankRequest = request::typed(merged.body)?;
            request::fill_aws(&mut req.aws, &merged.deployment.aws);
            extra_headers = req.extra_headers.clone();
            client.rerank(req).await.map(|_| ())
        }
        Kind::Chat => {
            let mut req: ChatCompletionRequest = request::typed(merged.body)?;
            request::fill_aws(&mut req.aws, &merged.deployment.aws);
            extra_headers = req.extra_headers.clone();
            if req.is_stream() {
                client.completion_stream(req).await.map(|_| ())
            } else {
                client.completion(req).await.map(|_| ())
            }
        }
    };
    match outcome {
        Err(e) if e.message() == CAPTURED => {}
        Err(e) => return Err(ApiError::from(e)),
        Ok(()) => {
            return Err(ApiError::new(
                500,
                "internal_server_error",
                "dry-run: the call completed without reaching the signer",
                None,
            ));
        }
    }
    let captured = capture
        .captured
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| {
            ApiError::new(
                500,
                "internal_server_error",
                "dry-run: nothing captured",
                None,
            )
        })?;
    let used_fallback = *capture
        .used_fallback
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    Ok(DryRun {
        request: describe(&captured, extra_headers.as_ref()),
        placeholder_credentials: used_fallback || options.placeholder_credentials,
    })
}

/// A `/v1/completions` body as the chat body the gateway sends (one prompt).
fn prompt_body(mut body: JsonObject) -> Result<JsonObject, ApiError> {
    let prompt = match body.remove("prompt") {
        Some(Value::String(s)) => s,
        Some(Value::Array(items)) => match items.into_iter().next() {
            Some(Value::String(s)) => s,
            _ => {
                return Err(ApiError::bad_request(
                    "'prompt' must hold strings",
                    Some("prompt"),
                ));
            }
        },
        _ => {
            return Err(ApiError::bad_request(
                "Missing required parameter: 'prompt'.",
                Some("prompt"),
            ));
        }
    };
    body.insert(
        "messages".to_owned(),
        json!([{"role": "user", "content": prompt}]),
    );
    Ok(body)
}

/// The captured request as JSON, secrets redacted, `extra_headers` added as the client adds
/// them.
fn describe(req: &http::Request<Bytes>, extra: Option<&JsonObject>) -> Value {
    let mut headers = JsonObject::new();
    for (name, value) in req.headers() {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers.insert(
            name.as_str().to_owned(),
            Value::String(redact(name.as_str(), &v)),
        );
    }
    if let Some(extra) = extra {
        for (name, value) in extra {
            let lower = name.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "authorization" | "x-amz-date" | "x-amz-security-token" | "host"
            ) {
                continue;
            }
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            headers.insert(lower, Value::String(text));
        }
    }
    let body = req.body();
    let body_value = match serde_json::from_slice::<Value>(body) {
        Ok(v) if !body.is_empty() => v,
        _ => Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
    };
    json!({
        "method": req.method().as_str(),
        "url": req.uri().to_string(),
        "headers": headers,
        "body": body_value,
    })
}

fn redact(name: &str, value: &str) -> String {
    match name {
        "authorization" => {
            if let Some(idx) = value.find("Signature=") {
                format!("{}Signature=REDACTED", &value[..idx])
            } else if value.starts_with("Bearer ") {
                "Bearer REDACTED".to_owned()
            } else {
                "REDACTED".to_owned()
            }
        }
        "x-amz-security-token" => "REDACTED".to_owned(),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_signatures_and_tokens() {
        assert_eq!(
            redact(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef"
            ),
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=REDACTED"
        );
        assert_eq!(redact("authorization", "Bearer abc"), "Bearer REDACTED");
        assert_eq!(redact("x-amz-security-token", "tok"), "REDACTED");
        assert_eq!(
            redact("content-type", "application/json"),
            "application/json"
        );
    }
}

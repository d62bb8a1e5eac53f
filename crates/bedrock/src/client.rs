//! [`Client`] and its builder.

use std::sync::Arc;
use std::time::Duration;

use bedrock_auth::{AuthContext, Authorize, ProviderConfig, SigV4Authorizer};
use bedrock_transform::config::{
    EndpointKind, HttpMethod, HttpRequestParts, HttpResponseParts, PreparedRequest,
};
use bedrock_transform::route::{Api, ModelRoute};
use bedrock_transform::{Registry, ResponseContext, ResponseKind};
use bedrock_transport::{HttpTransport, RetryPolicy, TransportConfig};
use bedrock_types::completions::{Prompt, TextChoice, TextCompletion, TextCompletionRequest};
use bedrock_types::embeddings::{EmbeddingRequest, EmbeddingResponse};
use bedrock_types::{AwsParams, ChatCompletion, ChatCompletionRequest, Error, ErrorKind, Result};
use bytes::Bytes;
use serde_json::Value;

use crate::{cost, ids};

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    defaults: AwsParams,
    transport: Option<HttpTransport>,
    transport_config: Option<TransportConfig>,
    provider_config: Option<ProviderConfig>,
    authorizer: Option<Arc<dyn Authorize>>,
    registry: Option<Registry>,
}

impl ClientBuilder {
    /// Default region (`aws_region_name`) for calls that name none.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.defaults.aws_region_name = Some(region.into());
        self
    }

    /// Default bedrock-runtime endpoint (`aws_bedrock_runtime_endpoint`).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.defaults.aws_bedrock_runtime_endpoint = Some(url.into());
        self
    }

    /// Default per-call AWS settings (credentials, profile, role, …); a request's own `aws_*`
    /// fields win field by field.
    pub fn aws_params(mut self, params: AwsParams) -> Self {
        self.defaults = params;
        self
    }

    /// Share an existing transport (its connection pool).
    pub fn transport(mut self, transport: HttpTransport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Timeouts and limits for a new transport.
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.transport_config = Some(config);
        self
    }

    /// The environment, files and clock credential resolution reads.
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        self.provider_config = Some(config);
        self
    }

    /// A custom authorizer (credentials provider and signer).
    pub fn authorizer(mut self, authorizer: Arc<dyn Authorize>) -> Self {
        self.authorizer = Some(authorizer);
        self
    }

    /// A registry with custom model families.
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<Client> {
        let transport = match self.transport {
            Some(t) => t,
            None => HttpTransport::new(self.transport_config.unwrap_or_default())?,
        };
        let provider_config = match self.provider_config {
            Some(c) => c,
            None => ProviderConfig::new(bedrock_auth::Env::process(), transport.clone()),
        };
        let authorizer = match self.authorizer {
            Some(a) => a,
            None => Arc::new(SigV4Authorizer::new(provider_config.clone())),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                defaults: self.defaults,
                transport,
                provider_config,
                authorizer,
                registry: self.registry.unwrap_or_default(),
            }),
        })
    }
}

#[derive(Debug)]
struct Inner {
    defaults: AwsParams,
    transport: HttpTransport,
    provider_config: ProviderConfig,
    authorizer: Arc<dyn Authorize>,
    registry: Registry,
}

/// The Bedrock client. Cheap to clone; clones share the transport and credential cache.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// A client configured from the environment (credentials, region, endpoints), as LiteLLM.
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// `completion(model="bedrock/...", messages=[...], ...)`, not streaming.
    pub async fn completion(&self, mut request: ChatCompletionRequest) -> Result<ChatCompletion> {
        if request.is_stream() {
            return Err(Error::invalid_field(
                "stream",
                "false here; streaming responses come from completion_stream",
            ));
        }
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let config = self.inner.registry.config_for(&route)?;
        let mapped = config.map_params(&route, &request)?;
        let prepared = config.transform_request(&route, &request, mapped)?;
        if prepared.http.response != ResponseKind::Json {
            return Err(Error::new(
                ErrorKind::Internal,
                "a non-streaming call produced a streaming request",
            ));
        }
        let region = self.region(&route, &request)?;
        // One policy for every attempt: each one is rebuilt and re-signed (fresh x-amz-date).
        let policy = RetryPolicy::with_retries(request.num_retries.unwrap_or(0));
        let attempted = bedrock_transport::retry(&policy, rand::random::<f64>, |_| async {
            let mut http_request = self.http_request(&route, &request, &prepared, &region)?;
            caller_authorization(&mut http_request, &request)?;
            self.authorize(&mut http_request, &request.aws, &region)
                .await?;
            add_extra_headers(&mut http_request, &request)?;
            let response = self.send(http_request, &request).await?;
            if response.status().is_success() {
                Ok(response)
            } else {
                Err(config.map_error(HttpResponseParts {
                    status: response.status().as_u16(),
                    headers: response.headers(),
                    body: response.body(),
                }))
            }
        })
        .await;
        let attempts = attempted.attempts;
        let response = attempted.result?;
        let parts = HttpResponseParts {
            status: response.status().as_u16(),
            headers: response.headers(),
            body: response.body(),
        };
        let ctx = ResponseContext {
            id: ids::completion_id(),
            created: ids::now_secs(),
            state: prepared.state,
        };
        let mut completion = config.transform_response(&ctx, parts)?;
        completion.meta.response_cost = cost::completion_cost(&route, &completion);
        completion.meta.attempts = attempts;
        tracing::debug!(
            model = %route.model,
            api = route.api.as_str(),
            family = %route.family,
            cost = ?completion.meta.response_cost,
            "bedrock completion"
        );
        Ok(completion)
    }

    /// `completion(..., stream=True)`: chunks as Bedrock produces them.
    pub async fn completion_stream(
        &self,
        mut request: ChatCompletionRequest,
    ) -> Result<crate::ChunkStream> {
        request.stream = Some(true);
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let config = self.inner.registry.config_for(&route)?;
        let mapped = config.map_params(&route, &request)?;
        let prepared = config.transform_request(&route, &request, mapped)?;
        if prepared.http.response != ResponseKind::EventStream {
            return Err(Error::new(
                ErrorKind::Internal,
                "a streaming call produced a non-streaming request",
            ));
        }
        let region = self.region(&route, &request)?;
        let mut http_request = self.http_request(&route, &request, &prepared, &region)?;
        caller_authorization(&mut http_request, &request)?;
        self.authorize(&mut http_request, &request.aws, &region)
            .await?;
        add_extra_headers(&mut http_request, &request)?;
        let events = self.inner.transport.send_event_stream(http_request).await?;
        let ctx = ResponseContext {
            id: ids::completion_id(),
            created: ids::now_secs(),
            state: prepared.state,
        };
        Ok(crate::ChunkStream::new(events, config.stream_decoder(ctx)))
    }

    /// Input tokens for a chat request, from Bedrock's CountTokens (Converse-shaped input).
    pub async fn count_tokens(&self, mut request: ChatCompletionRequest) -> Result<u64> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let parts = bedrock_transform::count_tokens::count_tokens_request(&route, &request)?;
        let region = self.region(&route, &request)?;
        let mut http_request = self.build_request(&route, &request.aws, &parts, &region)?;
        self.authorize(&mut http_request, &request.aws, &region)
            .await?;
        let response = self.send(http_request, &request).await?;
        let parts = HttpResponseParts {
            status: response.status().as_u16(),
            headers: response.headers(),
            body: response.body(),
        };
        if !response.status().is_success() {
            return Err(bedrock_transform::config::error_from_response(parts));
        }
        bedrock_transform::count_tokens::count_tokens_response(parts)
    }

    /// `text_completion(model=..., prompt=...)`: each prompt as one user turn through the chat
    /// path (as LiteLLM serves `/completions` for Bedrock), one choice per prompt.
    pub async fn text_completion(&self, request: TextCompletionRequest) -> Result<TextCompletion> {
        let prompts = match &request.prompt {
            Prompt::One(p) => vec![p.clone()],
            Prompt::Many(v) if !v.is_empty() => v.clone(),
            Prompt::Many(_) => {
                return Err(Error::invalid_field(
                    "prompt",
                    "a string or a non-empty list of strings",
                ));
            }
        };
        let mut choices = Vec::with_capacity(prompts.len());
        let mut usage = bedrock_types::Usage::default();
        let mut cost = Some(0.0);
        let mut last = None;
        for (i, prompt) in prompts.into_iter().enumerate() {
            let mut chat = ChatCompletionRequest::new(
                request.model.clone(),
                vec![bedrock_types::ChatMessage::user(prompt)],
            );
            chat.max_tokens = request.max_tokens;
            chat.temperature = request.temperature;
            chat.top_p = request.top_p;
            chat.stop = request.stop.clone();
            chat.drop_params = request.drop_params;
            chat.aws = request.aws.clone();
            chat.provider_params = request.provider_params.clone();
            let resp = self.completion(chat).await?;
            if let Some(u) = &resp.usage {
                usage.prompt_tokens += u.prompt_tokens;
                usage.completion_tokens += u.completion_tokens;
                usage.total_tokens += u.total_tokens;
            }
            cost = cost.zip(resp.meta.response_cost).map(|(a, b)| a + b);
            let choice = resp.choices.first();
            choices.push(TextChoice {
                text: choice
                    .and_then(|c| c.message.content.clone())
                    .unwrap_or_default(),
                index: i as u32,
                logprobs: None,
                finish_reason: choice.and_then(|c| c.finish_reason),
            });
            last = Some(resp);
        }
        let last = last.ok_or_else(|| Error::invalid_field("prompt", "at least one prompt"))?;
        Ok(TextCompletion {
            id: last.id.replacen("chatcmpl-", "cmpl-", 1),
            object: "text_completion".to_owned(),
            created: last.created,
            model: last.model,
            choices,
            usage: Some(usage),
            meta: bedrock_types::ResponseMeta {
                response_cost: cost,
                ..last.meta
            },
        })
    }

    /// `embedding(model="bedrock/...", input=[...])`: one or more InvokeModel calls (Titan takes
    /// one input per call), combined into an OpenAI embeddings response with `response_cost`.
    pub async fn embedding(&self, mut request: EmbeddingRequest) -> Result<EmbeddingResponse> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let config = bedrock_transform::embeddings::embedding_config_for(&route)?;
        let parts = config.transform_request(&route, &request)?;
        let region = self.resolve_region(
            &route,
            &request.aws,
            request.model_id.as_deref(),
            &request.model,
        )?;
        let mut replies = Vec::with_capacity(parts.len());
        for part in &parts {
            let mut http_request = self.build_request(&route, &request.aws, part, &region)?;
            self.authorize(&mut http_request, &request.aws, &region)
                .await?;
            let response = self
                .send_with_timeout(http_request, request.timeout)
                .await?;
            if !response.status().is_success() {
                let parts = HttpResponseParts {
                    status: response.status().as_u16(),
                    headers: response.headers(),
                    body: response.body(),
                };
                return Err(bedrock_transform::config::error_from_response(parts));
            }
            replies.push(response);
        }
        let views: Vec<HttpResponseParts<'_>> = replies
            .iter()
            .map(|r| HttpResponseParts {
                status: r.status().as_u16(),
                headers: r.headers(),
                body: r.body(),
            })
            .collect();
        let mut response = config.transform_response(&route, &request, &views)?;
        response.meta.request_id = views
            .first()
            .and_then(|v| v.header("x-amzn-requestid"))
            .map(str::to_owned);
        response.meta.attempts = parts.len() as u32;
        response.meta.response_cost = cost::embedding_cost(&route, response.usage.prompt_tokens);
        Ok(response)
    }

    /// Bearer, caller Authorization or SigV4 (service `bedrock`), per `bedrock-auth`'s rules.
    async fn authorize(
        &self,
        request: &mut http::Request<Bytes>,
        aws: &AwsParams,
        region: &str,
    ) -> Result<()> {
        let ctx = AuthContext {
            params: aws,
            region,
            service: "bedrock",
        };
        self.inner.authorizer.authorize(request, &ctx).await?;
        Ok(())
    }

    fn region(&self, route: &ModelRoute, request: &ChatCompletionRequest) -> Result<String> {
        self.resolve_region(
            route,
            &request.aws,
            request.model_id.as_deref(),
            &request.model,
        )
    }

    fn resolve_region(
        &self,
        route: &ModelRoute,
        aws: &AwsParams,
        model_id: Option<&str>,
        model: &str,
    ) -> Result<String> {
        let mut params = aws.clone();
        if params.aws_region_name.is_none() && route.arn.is_none() {
            // `bedrock/us-east-1/<id>`: the region segment acts as aws_region_name (LiteLLM).
            params.aws_region_name = route.region.clone();
        }
        let resolved = bedrock_auth::resolve_region(
            &params,
            model_id,
            Some(model),
            &self.inner.provider_config,
        )?;
        Ok(resolved.region)
    }

    fn http_request(
        &self,
        route: &ModelRoute,
        request: &ChatCompletionRequest,
        prepared: &PreparedRequest,
        region: &str,
    ) -> Result<http::Request<Bytes>> {
        self.build_request(route, &request.aws, &prepared.http, region)
    }

    fn build_request(
        &self,
        route: &ModelRoute,
        aws: &AwsParams,
        parts: &HttpRequestParts,
        region: &str,
    ) -> Result<http::Request<Bytes>> {
        let env = self.inner.provider_config.env();
        let endpoint = match parts.endpoint {
            EndpointKind::Runtime => bedrock_auth::resolve_runtime_endpoint(aws, region, env)?,
            EndpointKind::AgentRuntime => {
                bedrock_auth::resolve_agent_runtime_endpoint(aws, region, env)?
            }
        };
        let url = match route.api {
            // converse_like posts to the given URL as is.
            Api::ConverseLike => endpoint.url(""),
            _ => endpoint.url(&parts.path),
        };
        let method = match parts.method {
            HttpMethod::Post => http::Method::POST,
            HttpMethod::Get => http::Method::GET,
        };
        let mut builder = http::Request::builder().method(method).uri(&url);
        for (name, value) in &parts.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.body(parts.body.clone()).map_err(|e| {
            Error::new(
                ErrorKind::BadRequest,
                format!("cannot build a request for `{url}`: {e}"),
            )
            .with_param("api_base")
        })
    }

    async fn send(
        &self,
        request: http::Request<Bytes>,
        call: &ChatCompletionRequest,
    ) -> Result<http::Response<Bytes>> {
        self.send_with_timeout(request, call.timeout).await
    }

    async fn send_with_timeout(
        &self,
        request: http::Request<Bytes>,
        timeout: Option<f64>,
    ) -> Result<http::Response<Bytes>> {
        let send = self.inner.transport.send(request);
        match timeout.filter(|t| t.is_finite() && *t > 0.0) {
            Some(secs) => tokio::time::timeout(Duration::from_secs_f64(secs), send)
                .await
                .map_err(|_| {
                    Error::new(
                        ErrorKind::Timeout,
                        format!("request timed out after {secs} s (timeout)"),
                    )
                })?,
            None => send.await,
        }
    }
}

/// Request fields win; unset ones take the client's defaults.
fn merge_defaults(params: &mut AwsParams, defaults: &AwsParams) {
    macro_rules! fill {
        ($($f:ident),*) => { $( if params.$f.is_none() { params.$f = defaults.$f.clone(); } )* };
    }
    fill!(
        aws_access_key_id,
        aws_secret_access_key,
        aws_session_token,
        aws_region_name,
        aws_session_name,
        aws_profile_name,
        aws_role_name,
        aws_web_identity_token,
        aws_bedrock_runtime_endpoint,
        aws_sts_endpoint,
        aws_external_id,
        aws_session_tags,
        api_key,
        api_base
    );
}

/// A caller `Authorization` that is not SigV4 replaces signing (LiteLLM, for custom gateways):
/// it must be on the request before the authorizer runs.
fn caller_authorization(
    request: &mut http::Request<Bytes>,
    call: &ChatCompletionRequest,
) -> Result<()> {
    let Some(value) = call
        .extra_headers
        .as_ref()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        })
        .and_then(|(_, v)| v.as_str())
    else {
        return Ok(());
    };
    if value.starts_with("AWS4-HMAC-SHA256") {
        return Ok(());
    }
    let value = http::HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_field("extra_headers.Authorization", "a valid HTTP header value")
    })?;
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, value);
    Ok(())
}

/// `extra_headers` go on the wire after signing, unsigned (LiteLLM); they never replace the
/// signature headers.
fn add_extra_headers(
    request: &mut http::Request<Bytes>,
    call: &ChatCompletionRequest,
) -> Result<()> {
    let Some(extra) = &call.extra_headers else {
        return Ok(());
    };
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
        let header_name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::invalid_field(format!("extra_headers.{name}"), "a valid HTTP header name")
        })?;
        let header_value = http::HeaderValue::from_str(&text).map_err(|_| {
            Error::invalid_field(format!("extra_headers.{name}"), "a valid HTTP header value")
        })?;
        request.headers_mut().insert(header_name, header_value);
    }
    Ok(())
}

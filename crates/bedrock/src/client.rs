//! [`Client`] and its builder.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bedrock_auth::{AuthContext, Authorize, ProviderConfig, SigV4Authorizer};
use bedrock_transform::config::{
    EndpointKind, HttpMethod, HttpRequestParts, HttpResponseParts, PreparedRequest,
};
use bedrock_transform::route::{Api, ModelRoute};
use bedrock_transform::{Registry, ResponseContext, ResponseKind};
use bedrock_transport::{HttpTransport, RetryPolicy, TransportConfig};
use bedrock_types::chat::JsonObject;
use bedrock_types::completions::{Prompt, TextChoice, TextCompletion, TextCompletionRequest};
use bedrock_types::embeddings::{EmbeddingRequest, EmbeddingResponse};
use bedrock_types::images::{ImageGenerationRequest, ImageResponse};
use bedrock_types::rerank::{RerankRequest, RerankResponse};
use bedrock_types::{AwsParams, ChatCompletion, ChatCompletionRequest, Error, ErrorKind, Result};
use bytes::Bytes;
use serde_json::Value;

use crate::media::{self, MediaFetchPolicy};

mod passthrough;
use crate::{cost, ids};
pub use passthrough::{PassthroughRequest, forwarded_header, model_of as passthrough_model_id};

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    defaults: AwsParams,
    transport: Option<HttpTransport>,
    transport_config: Option<TransportConfig>,
    provider_config: Option<ProviderConfig>,
    authorizer: Option<Arc<dyn Authorize>>,
    registry: Option<Registry>,
    media: Option<MediaFetchPolicy>,
}

impl ClientBuilder {
    /// Limits for fetching http(s) media named in messages (size, timeout, private addresses).
    pub fn media_fetch(mut self, policy: MediaFetchPolicy) -> Self {
        self.media = Some(policy);
        self
    }

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
                media: self.media.unwrap_or_default(),
            }),
        })
    }
}

/// Where a non-chat call goes and how it is sent.
struct Target<'a> {
    route: &'a ModelRoute,
    aws: &'a AwsParams,
    region: &'a str,
    extra_headers: Option<&'a JsonObject>,
    timeout: Option<f64>,
    num_retries: Option<u32>,
}

/// A chat call ready for I/O.
struct PreparedCall<'a> {
    route: ModelRoute,
    config: &'a dyn bedrock_transform::ProviderConfig,
    prepared: PreparedRequest,
    region: String,
    /// Boxed: the request is 2 KB, and every future that holds or moves a call would otherwise
    /// carry and copy it.
    request: Box<ChatCompletionRequest>,
}

/// The span every call runs in: model, route and family up front; status, attempts, latency and
/// tokens recorded as they become known. Never bodies or secrets.
fn call_span(call: &'static str, route: &ModelRoute) -> tracing::Span {
    tracing::info_span!(
        "bedrock.call",
        call,
        model = %route.model,
        api = route.api.as_str(),
        family = %route.family,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        prompt_tokens = tracing::field::Empty,
        completion_tokens = tracing::field::Empty,
    )
}

#[derive(Debug)]
struct Inner {
    defaults: AwsParams,
    transport: HttpTransport,
    provider_config: ProviderConfig,
    authorizer: Arc<dyn Authorize>,
    registry: Registry,
    media: MediaFetchPolicy,
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

    /// A client with this one's configuration, defaults, authorizer and credentials cache, but
    /// a connection pool of its own (see [`HttpTransport::with_own_pool`]): a thread-per-core
    /// server gives each event loop one, so no request waits on another thread's connection.
    pub fn with_own_pool(&self) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                defaults: i.defaults.clone(),
                transport: i.transport.with_own_pool(),
                provider_config: i.provider_config.clone(),
                authorizer: i.authorizer.clone(),
                registry: i.registry.clone(),
                media: i.media.clone(),
            }),
        }
    }

    /// `completion(model="bedrock/...", messages=[...], ...)`, not streaming.
    pub fn completion(
        &self,
        request: ChatCompletionRequest,
    ) -> impl Future<Output = Result<ChatCompletion>> + Send + '_ {
        // Boxed before the future exists, so the future neither holds nor copies the 2 KB request.
        self.completion_boxed(Box::new(request))
    }

    /// [`Client::completion`] for a request that is already boxed (it is 2 KB; a caller that
    /// builds it in a box saves the copy into one).
    pub async fn completion_boxed(
        &self,
        request: Box<ChatCompletionRequest>,
    ) -> Result<ChatCompletion> {
        if request.is_stream() {
            return Err(Error::invalid_field(
                "stream",
                "false here; streaming responses come from completion_stream",
            ));
        }
        let started = std::time::Instant::now();
        let call = self.prepare_chat(request).await?;
        let span = call_span("completion", &call.route);
        let _entered = span.enter();
        match call.prepared.http.response {
            ResponseKind::Json => {}
            // Rare paths are boxed so their state does not enlarge every completion future.
            ResponseKind::CollectedEvents => {
                return Box::pin(self.collected_completion(call, &span)).await;
            }
            ResponseKind::EventStream => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "a non-streaming call produced a streaming request",
                ));
            }
        }
        let attempted = self.send_with_retries(&call).await;
        let attempts = attempted.attempts;
        span.record("attempts", attempts);
        let response = attempted.result.inspect_err(|e| {
            span.record("status", e.status());
        })?;
        span.record("status", response.status().as_u16());
        let parts = view(&response);
        let ctx = ResponseContext {
            id: ids::completion_id(),
            created: ids::now_secs(),
            state: call.prepared.state,
        };
        let mut completion = call.config.transform_response(&ctx, parts)?;
        completion.meta.response_cost = cost::completion_cost(&call.route, &completion);
        completion.meta.attempts = attempts;
        if let Some(u) = &completion.usage {
            span.record("prompt_tokens", u.prompt_tokens);
            span.record("completion_tokens", u.completion_tokens);
        }
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        tracing::debug!(cost = ?completion.meta.response_cost, "bedrock completion done");
        Ok(completion)
    }

    /// `completion(..., stream=True)`: chunks as Bedrock produces them.
    ///
    /// Starting the stream is retried under `num_retries` (throttling, 5xx, connection
    /// failures), each attempt re-signed; once the stream has started nothing is retried, so no
    /// chunk is ever delivered twice. A family Bedrock cannot stream answers with one whole
    /// reply, delivered as a single-chunk stream.
    pub fn completion_stream(
        &self,
        request: ChatCompletionRequest,
    ) -> impl Future<Output = Result<crate::ChunkStream>> + Send + '_ {
        self.completion_stream_boxed(Box::new(request))
    }

    /// [`Client::completion_stream`] for a request that is already boxed.
    pub async fn completion_stream_boxed(
        &self,
        mut request: Box<ChatCompletionRequest>,
    ) -> Result<crate::ChunkStream> {
        request.stream = Some(true);
        let call = self.prepare_chat(request).await?;
        let span = call_span("completion_stream", &call.route);
        let _entered = span.enter();
        let ctx = ResponseContext {
            id: ids::completion_id(),
            created: ids::now_secs(),
            state: call.prepared.state.clone(),
        };
        if call.prepared.http.response == ResponseKind::Json {
            let attempted = self.send_with_retries(&call).await;
            span.record("attempts", attempted.attempts);
            let response = attempted.result?;
            span.record("status", response.status().as_u16());
            let request_id = response
                .headers()
                .get("x-amzn-requestid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Ok(crate::ChunkStream::single(
                response.into_body(),
                request_id,
                call.config.stream_decoder(ctx),
            )
            .priced_on(&call.route));
        }
        let policy = RetryPolicy::with_retries(call.request.num_retries.unwrap_or(0));
        let attempted = bedrock_transport::retry(&policy, rand::random::<f64>, |_| async {
            let http_request = self.signed_request(&call).await?;
            self.inner.transport.send_event_stream(http_request).await
        })
        .await;
        span.record("attempts", attempted.attempts);
        let events = attempted.result.inspect_err(|e| {
            span.record("status", e.status());
        })?;
        span.record("status", 200u16);
        Ok(crate::ChunkStream::new(events, call.config.stream_decoder(ctx)).priced_on(&call.route))
    }

    /// A whole answer that arrives as an event stream (agents): the stream's start is retried,
    /// its events collected (exception frames end it with their error), then transformed.
    async fn collected_completion(
        &self,
        call: PreparedCall<'_>,
        span: &tracing::Span,
    ) -> Result<ChatCompletion> {
        use futures_util::StreamExt;
        let policy = RetryPolicy::with_retries(call.request.num_retries.unwrap_or(0));
        let attempted = bedrock_transport::retry(&policy, rand::random::<f64>, |_| async {
            let http_request = self.signed_request(&call).await?;
            self.inner.transport.send_event_stream(http_request).await
        })
        .await;
        span.record("attempts", attempted.attempts);
        let mut stream = attempted.result?;
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(event?);
        }
        span.record("status", 200u16);
        let headers = stream.headers().clone();
        let ctx = ResponseContext {
            id: ids::completion_id(),
            created: ids::now_secs(),
            state: call.prepared.state,
        };
        let parts = HttpResponseParts {
            status: 200,
            headers: &headers,
            body: &[],
        };
        let mut completion = call.config.transform_events(&ctx, parts, &events)?;
        completion.meta.response_cost = cost::completion_cost(&call.route, &completion);
        completion.meta.attempts = attempted.attempts;
        Ok(completion)
    }

    /// Route, config, params, media pre-fetch, transform and region: everything before I/O.
    async fn prepare_chat(
        &self,
        mut request: Box<ChatCompletionRequest>,
    ) -> Result<PreparedCall<'_>> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let config = self.inner.registry.config_for(&route)?;
        if media::has_remote_media(&request) {
            Box::pin(media::prefetch(
                &mut request,
                &self.inner.transport,
                &self.inner.media,
            ))
            .await?;
        }
        if request.allowed_openai_params.is_some() {
            // Only then: the supported list is built per call.
            bedrock_transform::config::apply_allowed_openai_params(
                &config.supported_openai_params(&route),
                &mut request,
            );
        }
        let mut mapped = config.map_params(&route, &request)?;
        if route.api == Api::Agent {
            bedrock_transform::agents::ensure_session_id(&mut mapped, ids::uuid4);
        }
        let prepared = config.transform_request(&route, &request, mapped)?;
        let region = self.region(&route, &request)?;
        Ok(PreparedCall {
            route,
            config,
            prepared,
            region,
            request,
        })
    }

    /// One attempt's request: built, caller Authorization or signed, extra headers added.
    async fn signed_request(&self, call: &PreparedCall<'_>) -> Result<http::Request<Bytes>> {
        let mut http_request =
            self.http_request(&call.route, &call.request, &call.prepared, &call.region)?;
        caller_authorization(&mut http_request, call.request.extra_headers.as_ref())?;
        self.authorize(&mut http_request, &call.request.aws, &call.region)
            .await?;
        add_extra_headers(&mut http_request, call.request.extra_headers.as_ref())?;
        if call.route.api == Api::Converse {
            converse_beta_header(&mut http_request, call.request.as_ref())?;
        }
        Ok(http_request)
    }

    /// Send a whole-body call under `num_retries`, re-signing every attempt (fresh x-amz-date).
    async fn send_with_retries(
        &self,
        call: &PreparedCall<'_>,
    ) -> bedrock_transport::Attempted<http::Response<Bytes>> {
        let policy = RetryPolicy::with_retries(call.request.num_retries.unwrap_or(0));
        bedrock_transport::retry(&policy, rand::random::<f64>, |_| async {
            let http_request = self.signed_request(call).await?;
            let response = self.send(http_request, &call.request).await?;
            if response.status().is_success() {
                Ok(response)
            } else {
                Err(call.config.map_error(view(&response)))
            }
        })
        .await
    }

    /// Input tokens for a chat request, from Bedrock's CountTokens (Converse-shaped input).
    pub async fn count_tokens(&self, mut request: ChatCompletionRequest) -> Result<u64> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let parts = if route.api == Api::Invoke {
            let config = self.inner.registry.config_for(&route)?;
            bedrock_transform::count_tokens::count_tokens_invoke_request(&route, &request, config)?
        } else {
            bedrock_transform::count_tokens::count_tokens_request(&route, &request)?
        };
        let region = self.region(&route, &request)?;
        let mut http_request = self.build_request(&route, &request.aws, &parts, &region)?;
        self.authorize(&mut http_request, &request.aws, &region)
            .await?;
        let response = self.send(http_request, &request).await?;
        let parts = view(&response);
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
            usage = add_usage(usage, resp.usage.as_ref(), i == 0);
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
            // LiteLLM keeps the chat completion's `chatcmpl-` id.
            id: last.id.clone(),
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
                let parts = view(&response);
                return Err(bedrock_transform::config::error_from_response(parts));
            }
            replies.push(response);
        }
        let views: Vec<HttpResponseParts<'_>> = replies.iter().map(view).collect();
        let mut response = config.transform_response(&route, &request, &views)?;
        response.meta.request_id = views
            .first()
            .and_then(|v| v.header("x-amzn-requestid"))
            .map(str::to_owned);
        response.meta.attempts = parts.len() as u32;
        response.meta.response_cost = cost::embedding_cost(&route, response.usage.prompt_tokens);
        Ok(response)
    }

    /// `image_generation(model="bedrock/...", prompt=...)`: one InvokeModel call, an OpenAI
    /// images response (`b64_json`) with `response_cost` per image.
    pub async fn image_generation(
        &self,
        mut request: ImageGenerationRequest,
    ) -> Result<ImageResponse> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse_with_model_id(&request.model, request.model_id.as_deref())?;
        let span = call_span("image_generation", &route);
        let _entered = span.enter();
        let config = bedrock_transform::images::image_config_for(&route)?;
        let parts = config.transform_request(&route, &request)?;
        let region = self.resolve_region(
            &route,
            &request.aws,
            request.model_id.as_deref(),
            &request.model,
        )?;
        let target = Target {
            route: &route,
            aws: &request.aws,
            region: &region,
            extra_headers: request.extra_headers.as_ref(),
            timeout: request.timeout,
            num_retries: request.num_retries,
        };
        let attempted = self
            .send_parts(&target, &parts, |r| config.map_error(r))
            .await;
        span.record("attempts", attempted.attempts);
        let response = attempted.result?;
        let reply = view(&response);
        let mut images = config.transform_response(&route, &request, reply, ids::now_secs())?;
        images.meta.request_id = reply.header("x-amzn-requestid").map(str::to_owned);
        images.meta.attempts = attempted.attempts;
        images.meta.response_cost = cost::image_cost(&route, images.data.len() as u64);
        Ok(images)
    }

    /// `rerank(model="bedrock/...", query=..., documents=[...])` through the agent-runtime
    /// Rerank API, answered in Cohere's shape.
    pub async fn rerank(&self, mut request: RerankRequest) -> Result<RerankResponse> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let route = ModelRoute::parse(&request.model)?;
        let span = call_span("rerank", &route);
        let _entered = span.enter();
        let config = bedrock_transform::rerank::BedrockRerankConfig;
        let region = self.resolve_region(&route, &request.aws, None, &request.model)?;
        // Only an explicit `bedrock/invoke/...` model takes the InvokeModel route.
        let invoke = route.api == Api::Invoke && route.explicit_api;
        let parts = if invoke {
            bedrock_transform::rerank::CohereInvokeRerankConfig
                .transform_request(&route, &request)?
        } else {
            config.transform_request(&route, &request, Some(&region))?
        };
        let target = Target {
            route: &route,
            aws: &request.aws,
            region: &region,
            extra_headers: request.extra_headers.as_ref(),
            timeout: request.timeout,
            num_retries: request.num_retries,
        };
        let attempted = self
            .send_parts(&target, &parts, |r| config.map_error(r))
            .await;
        span.record("attempts", attempted.attempts);
        let response = attempted.result?;
        let reply = view(&response);
        let mut reranked = if invoke {
            bedrock_transform::rerank::CohereInvokeRerankConfig.transform_response(
                &request,
                reply,
                &ids::uuid4(),
            )?
        } else {
            config.transform_response(&request, reply, &ids::uuid4())?
        };
        reranked.meta_info.request_id = reply.header("x-amzn-requestid").map(str::to_owned);
        reranked.meta_info.attempts = attempted.attempts;
        Ok(reranked)
    }

    /// Build, authorize and send `parts` under the call's retries, re-signing every attempt; a
    /// non-2xx reply goes through `map_error`.
    async fn send_parts(
        &self,
        target: &Target<'_>,
        parts: &HttpRequestParts,
        map_error: impl Fn(HttpResponseParts<'_>) -> Error,
    ) -> bedrock_transport::Attempted<http::Response<Bytes>> {
        let policy = RetryPolicy::with_retries(target.num_retries.unwrap_or(0));
        let map_error = &map_error;
        bedrock_transport::retry(&policy, rand::random::<f64>, |_| async move {
            let mut http_request =
                self.build_request(target.route, target.aws, parts, target.region)?;
            caller_authorization(&mut http_request, target.extra_headers)?;
            self.authorize(&mut http_request, target.aws, target.region)
                .await?;
            add_extra_headers(&mut http_request, target.extra_headers)?;
            let response = self.send_with_timeout(http_request, target.timeout).await?;
            if response.status().is_success() {
                Ok(response)
            } else {
                Err(map_error(view(&response)))
            }
        })
        .await
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
        // `bedrock/us-east-1/<id>`: the region segment acts as aws_region_name (LiteLLM).
        let with_segment;
        let params =
            if aws.aws_region_name.is_none() && route.arn.is_none() && route.region.is_some() {
                with_segment = AwsParams {
                    aws_region_name: route.region.clone(),
                    ..aws.clone()
                };
                &with_segment
            } else {
                aws
            };
        let resolved = bedrock_auth::resolve_region(
            params,
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
    params.fill_unset_from(defaults);
}

/// A caller `Authorization` that is not SigV4 replaces signing (LiteLLM, for custom gateways):
/// it must be on the request before the authorizer runs.
fn caller_authorization(
    request: &mut http::Request<Bytes>,
    extra_headers: Option<&JsonObject>,
) -> Result<()> {
    let Some(value) = extra_headers
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
/// The `anthropic-beta` header a Converse call sends, as LiteLLM filters it for Converse: only
/// the betas Converse takes, sorted (none left: no header).
fn converse_beta_header(
    request: &mut http::Request<Bytes>,
    call: &ChatCompletionRequest,
) -> Result<()> {
    if !request.headers().contains_key("anthropic-beta") {
        return Ok(());
    }
    let betas = bedrock_transform::anthropic::converse_betas(
        bedrock_transform::anthropic::betas_from_headers(call)?,
    );
    request.headers_mut().remove("anthropic-beta");
    if !betas.is_empty() {
        let value = http::HeaderValue::from_str(&betas.join(",")).map_err(|_| {
            Error::invalid_field("extra_headers.anthropic-beta", "a valid HTTP header value")
        })?;
        request.headers_mut().insert("anthropic-beta", value);
    }
    Ok(())
}

fn add_extra_headers(
    request: &mut http::Request<Bytes>,
    extra_headers: Option<&JsonObject>,
) -> Result<()> {
    let Some(extra) = extra_headers else {
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

/// A whole HTTP response as the transform's view of it.
fn view(response: &http::Response<Bytes>) -> HttpResponseParts<'_> {
    HttpResponseParts {
        status: response.status().as_u16(),
        headers: response.headers(),
        body: response.body(),
    }
}

/// The usage of a text completion made of one chat call per prompt: the first reply's usage
/// whole (details included, as LiteLLM passes a single reply's usage on); each further reply's
/// counts are added, and the details, which then describe no single call, are dropped.
pub fn add_usage(
    total: bedrock_types::Usage,
    next: Option<&bedrock_types::Usage>,
    first: bool,
) -> bedrock_types::Usage {
    if first {
        return next.cloned().unwrap_or_default();
    }
    let Some(u) = next else { return total };
    bedrock_types::Usage {
        prompt_tokens: total.prompt_tokens + u.prompt_tokens,
        completion_tokens: total.completion_tokens + u.completion_tokens,
        total_tokens: total.total_tokens + u.total_tokens,
        ..Default::default()
    }
}

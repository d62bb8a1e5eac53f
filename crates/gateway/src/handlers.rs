//! One function per route.

use std::sync::Arc;
use std::time::Instant;

use bedrock_transform::route::ModelRoute;
use bedrock_types::chat::{JsonObject, StreamOptions};
use bedrock_types::completions::TextCompletion;
use bedrock_types::embeddings::EmbeddingRequest;
use bedrock_types::images::ImageGenerationRequest;
use bedrock_types::rerank::RerankRequest;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, ChatMessage, Usage};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{Value, json};

use crate::body::GatewayBody;
use crate::error::ApiError;
use crate::metrics::Observation;
use crate::request::{self, Kind, Merged};
use crate::server::{Route, State};
use crate::sse::{ChunkSse, Shape, StreamMetrics};

/// A JSON response.
pub fn json_response<T: Serialize>(status: u16, value: &T) -> http::Response<GatewayBody> {
    // Sized for a typical completion, so the writer does not grow through 128, 256, 512 bytes.
    let mut body = Vec::with_capacity(1024);
    if serde_json::to_writer(&mut body, value).is_err() {
        body.clear();
    }
    json_body_response(status, body)
}

/// A [`ChatCompletion`] as a JSON response, in the bytes LiteLLM's proxy answers with
/// ([`ChatCompletion::write_proxy_json`]: no unset `system_fingerprint`, `tool_calls`,
/// `function_call`; no serde map machinery for the flattened extras).
pub fn completion_response(status: u16, value: &ChatCompletion) -> http::Response<GatewayBody> {
    // Sized for a typical completion, so the writer does not grow through 128, 256, 512 bytes.
    let mut body = Vec::with_capacity(1024);
    value.write_proxy_json(&mut body);
    json_body_response(status, body)
}

/// A response with `body` (already JSON) and `content-type: application/json`.
fn json_body_response(status: u16, body: Vec<u8>) -> http::Response<GatewayBody> {
    let mut r = http::Response::new(GatewayBody::full(body));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r
}

/// `GET /health/readiness`.
pub fn readiness(state: &State) -> http::Response<GatewayBody> {
    json_response(
        200,
        &json!({
            "status": "healthy",
            "db": "Not connected",
            "cache": null,
            "litellm_version": null,
            "gateway_version": env!("CARGO_PKG_VERSION"),
            "models": state.models.names().count(),
            "passthrough": state.models.passthrough(),
        }),
    )
}

/// `GET /`.
pub fn root(state: &State) -> http::Response<GatewayBody> {
    json_response(
        200,
        &json!({
            "name": "bedrock-gateway",
            "version": env!("CARGO_PKG_VERSION"),
            "models": state.models.names().collect::<Vec<_>>(),
            "routes": [
                "POST /v1/chat/completions", "POST /v1/completions", "POST /v1/embeddings",
                "POST /v1/images/generations", "POST /v1/rerank", "GET /v1/models",
                "GET /health/liveliness", "GET /health/readiness", "GET /metrics"
            ],
        }),
    )
}

/// The `created` LiteLLM's proxy gives every model (a fixed date, not the start time).
const MODEL_CREATED: u64 = 1_677_610_602;

/// A model as LiteLLM's proxy lists it: `owned_by` is `openai` in the list and the provider
/// (`bedrock`) when one model is asked for.
fn model_card(id: &str, owned_by: &str) -> Value {
    json!({"id": id, "object": "model", "created": MODEL_CREATED, "owned_by": owned_by})
}

/// `GET /v1/models`. A wildcard group `bedrock/<prefix>*` whose model is `bedrock/<prefix>*` is
/// listed as every known Bedrock model it matches, with its mode and limits, as LiteLLM's proxy
/// expands wildcards from its model map (sorted here; LiteLLM's order is its map's).
pub fn list_models(state: &State) -> http::Response<GatewayBody> {
    let mut data: Vec<Value> = Vec::new();
    for name in state.models.names() {
        match wildcard_prefix(state, name) {
            Some(prefix) => data.extend(known_models(prefix)),
            None => data.push(model_card(name, "openai")),
        }
    }
    json_response(200, &json!({"data": data, "object": "list"}))
}

/// `<prefix>` of a `bedrock/<prefix>*` group that sends `bedrock/<prefix>*` on.
fn wildcard_prefix<'a>(state: &State, name: &'a str) -> Option<&'a str> {
    let prefix = name.strip_prefix("bedrock/")?.strip_suffix('*')?;
    let deployment = state.models.deployments(name)?.first()?;
    (deployment
        .model
        .strip_prefix("bedrock/")?
        .strip_suffix('*')?
        == prefix)
        .then_some(prefix)
}

/// The table's models under `prefix`, as LiteLLM's model cards (mode and limits when known).
fn known_models(prefix: &str) -> Vec<Value> {
    use bedrock::transform::capabilities;
    let mut ids: Vec<(&str, &capabilities::ModelInfo)> = capabilities::all()
        .filter(|(id, _)| id.starts_with(prefix))
        .collect();
    ids.sort_by_key(|(id, _)| *id);
    ids.into_iter()
        .map(|(id, info)| {
            let mut card = model_card(&format!("bedrock/{id}"), "openai");
            if let Some(m) = info.mode.name() {
                card["mode"] = json!(m);
            }
            if let Some(n) = info.max_input_tokens {
                card["max_input_tokens"] = json!(n);
            }
            if let Some(n) = info.max_output_tokens {
                card["max_output_tokens"] = json!(n);
            }
            card
        })
        .collect()
}

/// `GET /v1/models/{id}`.
pub fn get_model(state: &State, id: &str) -> http::Response<GatewayBody> {
    if state.models.deployments(id).is_some()
        || (state.models.passthrough() && id.starts_with("bedrock/"))
    {
        json_response(200, &model_card(id, "bedrock"))
    } else {
        ApiError::new(
            404,
            "invalid_request_error",
            format!("The model `{id}` does not exist or is not accessible"),
            Some("model"),
        )
        .into_response()
    }
}

/// What an API call reports to the metrics.
struct Done {
    model: String,
    status: u16,
    prompt_tokens: u64,
    completion_tokens: u64,
    cost: Option<f64>,
}

/// The API routes: parse, resolve, merge, call, answer; counted in the metrics.
pub async fn api(
    state: Arc<State>,
    route: Route,
    body: Bytes,
    started: Instant,
) -> http::Response<GatewayBody> {
    let _in_flight = state.metrics.start();
    let mut done = Done {
        model: "unknown".to_owned(),
        status: 200,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost: None,
    };
    let response = match call(&state, route, &body, started, &mut done).await {
        Ok(Reply::Stream(r)) => return r, // the stream counts itself when it ends
        Ok(Reply::Whole(r)) => r,
        Err(e) => {
            let e = match state.models.listed(&done.model) {
                Some(deployment) => e.with_router_context(&done.model, deployment),
                None => e,
            };
            done.status = e.status;
            tracing::debug!(status = e.status, message = e.message(), "request failed");
            e.into_response()
        }
    };
    state.metrics.record(&Observation {
        model: &done.model,
        route: route.label(),
        status: done.status,
        duration: started.elapsed(),
        prompt_tokens: done.prompt_tokens,
        completion_tokens: done.completion_tokens,
        cost: done.cost,
    });
    response
}

enum Reply {
    Whole(http::Response<GatewayBody>),
    Stream(http::Response<GatewayBody>),
}

async fn call(
    state: &Arc<State>,
    route: Route,
    body: &[u8],
    started: Instant,
    done: &mut Done,
) -> Result<Reply, ApiError> {
    // Chat runs inline and reads its body typed; the other routes are boxed so their state
    // does not size every request's future (hyper moves that future once per request).
    if route == Route::Chat {
        let typed = request::typed_chat(body, route.label(), &state.models, &state.config)?;
        done.model.clone_from(&typed.requested_model);
        return chat(state, typed.request, typed.requested_model, started, done).await;
    }
    let parsed = request::parse_body(body)?;
    let kind = match route {
        Route::Embeddings => Kind::Embeddings,
        Route::Images => Kind::Images,
        Route::Rerank => Kind::Rerank,
        _ => Kind::Chat,
    };
    let parsed = if route == Route::Completions {
        prompt_to_messages(parsed)?
    } else {
        parsed
    };
    let (merged, _resolved) =
        request::merge(parsed, route.label(), kind, &state.models, &state.config)?;
    done.model.clone_from(&merged.requested_model);
    match route {
        Route::Completions => Box::pin(completions(state, merged, started, done)).await,
        Route::Embeddings => Box::pin(embeddings(state, merged, done))
            .await
            .map(Reply::Whole),
        Route::Images => Box::pin(images(state, merged, done))
            .await
            .map(Reply::Whole),
        Route::Rerank => Box::pin(rerank(state, merged, done))
            .await
            .map(Reply::Whole),
        _ => Err(ApiError::new(
            500,
            "internal_server_error",
            "unroutable",
            None,
        )),
    }
}

const RESPONSE_COST: http::HeaderName = http::HeaderName::from_static("x-litellm-response-cost");
const AMZN_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-amzn-requestid");

fn with_meta_headers(
    mut r: http::Response<GatewayBody>,
    cost: Option<f64>,
    request_id: Option<&str>,
) -> http::Response<GatewayBody> {
    // Python's `str(response_cost)`, as LiteLLM's proxy writes it (`1.625e-05`, not `0.00001625`).
    if let Some(c) = cost
        && let Ok(v) = http::HeaderValue::try_from(bedrock_transform::pyjson::float_repr(c))
    {
        r.headers_mut().insert(RESPONSE_COST, v);
    }
    if let Some(id) = request_id
        && let Ok(v) = http::HeaderValue::from_str(id)
    {
        r.headers_mut().insert(AMZN_REQUEST_ID, v);
    }
    r
}

fn count_usage(done: &mut Done, usage: Option<&Usage>) {
    if let Some(u) = usage {
        done.prompt_tokens = u.prompt_tokens;
        done.completion_tokens = u.completion_tokens;
    }
}

/// The route the price table is looked up by.
fn price_route(req: &ChatCompletionRequest) -> Option<ModelRoute> {
    ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref()).ok()
}

async fn chat(
    state: &Arc<State>,
    req: Box<ChatCompletionRequest>,
    requested: String,
    started: Instant,
    done: &mut Done,
) -> Result<Reply, ApiError> {
    if req.is_stream() {
        // Boxed: a stream's setup state would otherwise triple the size of every chat future.
        return Box::pin(stream(state, req, requested, Shape::Chat, started)).await;
    }
    let mut resp = state.client.completion_boxed(req).await?;
    resp.model = requested;
    count_usage(done, resp.usage.as_ref());
    done.cost = resp.meta.response_cost;
    let r = completion_response(200, &resp);
    Ok(Reply::Whole(with_meta_headers(
        r,
        resp.meta.response_cost,
        resp.meta.request_id.as_deref(),
    )))
}

async fn stream(
    state: &Arc<State>,
    mut req: Box<ChatCompletionRequest>,
    requested: String,
    shape: Shape,
    started: Instant,
) -> Result<Reply, ApiError> {
    let price_route = price_route(&req);
    let client_wants_usage = req
        .stream_options
        .as_ref()
        .and_then(|o| o.include_usage)
        .unwrap_or(false);
    // Ask for usage on every stream (for the metrics) when the family takes `stream_options`,
    // and keep it from a client that did not ask for it.
    let mut strip_usage = false;
    if !client_wants_usage
        && let Some(route) = &price_route
        && let Ok(config) = state.registry.config_for(route)
        && config
            .supported_openai_params(route)
            .contains(&"stream_options")
    {
        req.stream_options
            .get_or_insert_with(StreamOptions::default)
            .include_usage = Some(true);
        strip_usage = true;
    }
    // An error before the first chunk (auth, validation, throttling, or an exception event
    // Bedrock sends before any output) is an ordinary JSON error with its status; only later
    // errors travel in the stream. LiteLLM's proxy does the same: it waits for the first chunk
    // before it answers. The first event then leaves with the response head, in one write.
    let mut chunks = state.client.completion_stream_boxed(req).await?;
    let first = chunks
        .next()
        .await
        .transpose()
        .map_err(|e| ApiError::from(e).outside_router())?;
    let request_id = chunks.request_id().map(str::to_owned);
    let stats = StreamMetrics::new(
        state.metrics.clone(),
        requested.clone(),
        match shape {
            Shape::Chat => Route::Chat.label(),
            Shape::Text => Route::Completions.label(),
        },
        started,
        price_route,
    );
    let sse = ChunkSse::new(chunks, shape, requested, strip_usage, stats).starting_with(first);
    let mut r = http::Response::new(GatewayBody::stream(sse));
    let h = r.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-cache"),
    );
    h.insert("x-accel-buffering", http::HeaderValue::from_static("no"));
    Ok(Reply::Stream(with_meta_headers(
        r,
        None,
        request_id.as_deref(),
    )))
}

/// `/v1/completions` bodies become chat bodies: each prompt is one user turn (as LiteLLM
/// serves text completions on Bedrock). Several prompts are kept as `__prompts`.
fn prompt_to_messages(mut body: JsonObject) -> Result<JsonObject, ApiError> {
    let prompts: Vec<String> = match body.remove("prompt") {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) if !items.is_empty() => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(ApiError::bad_request(
                    "Invalid value for 'prompt': expected a string or a list of strings \
                     (token arrays are not supported on Bedrock).",
                    Some("prompt"),
                )),
            })
            .collect::<Result<_, _>>()?,
        None => {
            return Err(ApiError::bad_request(
                "Missing required parameter: 'prompt'.",
                Some("prompt"),
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for 'prompt': expected a string or a non-empty list of strings.",
                Some("prompt"),
            ));
        }
    };
    // Text-completion-only OpenAI params with no chat equivalent on Bedrock.
    for k in ["echo", "best_of", "suffix"] {
        body.remove(k);
    }
    if let Some(Value::Number(_)) = body.get("logprobs") {
        body.remove("logprobs");
    }
    let first = prompts.first().cloned().unwrap_or_default();
    body.insert(
        "messages".to_owned(),
        json!([{"role": "user", "content": first}]),
    );
    if prompts.len() > 1 {
        body.insert(PROMPTS_KEY.to_owned(), Value::from(prompts));
    }
    Ok(body)
}

const PROMPTS_KEY: &str = "__bedrock_gateway_prompts";

async fn completions(
    state: &Arc<State>,
    mut merged: Merged,
    started: Instant,
    done: &mut Done,
) -> Result<Reply, ApiError> {
    let requested = merged.requested_model.clone();
    let prompts: Option<Vec<String>> = merged
        .body
        .remove(PROMPTS_KEY)
        .and_then(|v| serde_json::from_value(v).ok());
    let req = request::chat_request(merged)?;
    if req.is_stream() {
        if prompts.is_some() {
            return Err(ApiError::bad_request(
                "stream=true takes one prompt on this gateway",
                Some("prompt"),
            ));
        }
        return Box::pin(stream(state, req, requested, Shape::Text, started)).await;
    }
    let prompts = match prompts {
        Some(p) => p,
        None => vec![String::new()],
    };
    let single = prompts.len() == 1;
    let mut choices = Vec::with_capacity(prompts.len());
    let mut usage = Usage::default();
    let mut cost = Some(0.0);
    let mut last = None;
    for (i, prompt) in prompts.into_iter().enumerate() {
        let mut call = req.clone();
        if !single {
            call.messages = vec![ChatMessage::user(prompt)];
        }
        let resp = state.client.completion_boxed(call).await?;
        usage = bedrock::add_usage(usage, resp.usage.as_ref(), i == 0);
        cost = cost.zip(resp.meta.response_cost).map(|(a, b)| a + b);
        let choice = resp.choices.first();
        choices.push(bedrock_types::completions::TextChoice {
            text: choice
                .and_then(|c| c.message.content.clone())
                .unwrap_or_default(),
            index: i as u32,
            logprobs: None,
            finish_reason: choice.and_then(|c| c.finish_reason),
        });
        last = Some(resp);
    }
    let last = last.ok_or_else(|| ApiError::bad_request("no prompt", Some("prompt")))?;
    done.prompt_tokens = usage.prompt_tokens;
    done.completion_tokens = usage.completion_tokens;
    done.cost = cost;
    let out = TextCompletion {
        // LiteLLM keeps the chat completion's `chatcmpl-` id.
        id: last.id.clone(),
        object: "text_completion".to_owned(),
        created: last.created,
        model: requested,
        choices,
        usage: Some(usage),
        meta: Default::default(),
    };
    let mut body = serde_json::to_value(&out).unwrap_or_default();
    if let Some(usage) = body.get_mut("usage") {
        text_completion_usage(usage);
    }
    Ok(Reply::Whole(with_meta_headers(
        json_response(200, &body),
        cost,
        last.meta.request_id.as_deref(),
    )))
}

/// LiteLLM's proxy writes a text completion's usage details with every field of its usage
/// models, the unset ones as `null`, in the models' order (checked against litellm 1.103.7);
/// its chat completions leave them out, as ours do.
fn text_completion_usage(usage: &mut serde_json::Value) {
    const COMPLETION: &[&str] = &[
        "accepted_prediction_tokens",
        "audio_tokens",
        "reasoning_tokens",
        "rejected_prediction_tokens",
        "text_tokens",
        "image_tokens",
        "video_tokens",
    ];
    const PROMPT: &[&str] = &[
        "audio_tokens",
        "cache_write_tokens",
        "cached_tokens",
        "text_tokens",
        "image_tokens",
        "video_tokens",
    ];
    // Of these, LiteLLM writes only those it set, so absent ones stay absent.
    const SET_ONLY: &[&str] = &["cache_write_tokens", "cached_tokens", "text_tokens"];
    for (key, order) in [
        ("completion_tokens_details", COMPLETION),
        ("prompt_tokens_details", PROMPT),
    ] {
        let Some(serde_json::Value::Object(details)) = usage.get_mut(key) else {
            continue;
        };
        let mut filled = serde_json::Map::new();
        for k in order.iter().copied() {
            match details.remove(k) {
                Some(v) => {
                    filled.insert(k.to_owned(), v);
                }
                None if SET_ONLY.contains(&k) => {}
                None => {
                    filled.insert(k.to_owned(), serde_json::Value::Null);
                }
            }
        }
        filled.append(details);
        *details = filled;
    }
}

async fn embeddings(
    state: &Arc<State>,
    merged: Merged,
    done: &mut Done,
) -> Result<http::Response<GatewayBody>, ApiError> {
    let requested = merged.requested_model.clone();
    let mut req: EmbeddingRequest = request::typed(merged.body)?;
    request::fill_aws(&mut req.aws, &merged.deployment.aws);
    let mut resp = state.client.embedding(req).await?;
    resp.model = requested;
    done.prompt_tokens = resp.usage.prompt_tokens;
    done.cost = resp.meta.response_cost;
    Ok(with_meta_headers(
        json_response(200, &resp),
        resp.meta.response_cost,
        resp.meta.request_id.as_deref(),
    ))
}

async fn images(
    state: &Arc<State>,
    merged: Merged,
    done: &mut Done,
) -> Result<http::Response<GatewayBody>, ApiError> {
    let mut req: ImageGenerationRequest = request::typed(merged.body)?;
    request::fill_aws(&mut req.aws, &merged.deployment.aws);
    let resp = state.client.image_generation(req).await?;
    done.cost = resp.meta.response_cost;
    Ok(with_meta_headers(
        json_response(200, &resp),
        resp.meta.response_cost,
        resp.meta.request_id.as_deref(),
    ))
}

async fn rerank(
    state: &Arc<State>,
    merged: Merged,
    done: &mut Done,
) -> Result<http::Response<GatewayBody>, ApiError> {
    let mut req: RerankRequest = request::typed(merged.body)?;
    request::fill_aws(&mut req.aws, &merged.deployment.aws);
    let resp = state.client.rerank(req).await?;
    done.cost = resp.meta_info.response_cost;
    Ok(with_meta_headers(
        json_response(200, &resp),
        resp.meta_info.response_cost,
        resp.meta_info.request_id.as_deref(),
    ))
}

/// `/bedrock/{path}`: the native request relayed to Bedrock, signed with the credentials of the
/// deployment its `/model/{id}/…` path names (a model group called `{id}`, or one that
/// `bedrock/{id}` matches, wildcards included), else the gateway's own (environment, profile,
/// role). Bedrock's status, headers and bytes come back as they arrive; an error before any
/// reply (credentials, connection) is an OpenAI-shaped error.
pub async fn passthrough(
    state: Arc<State>,
    method: http::Method,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Bytes,
    started: Instant,
) -> http::Response<GatewayBody> {
    let model = bedrock::passthrough_model_id(&path_and_query);
    let deployment = model.as_deref().and_then(|id| {
        state
            .models
            .resolve(id)
            .or_else(|| state.models.resolve(&format!("bedrock/{id}")))
    });
    let aws = deployment
        .map(|d| d.deployment.aws.clone())
        .unwrap_or_default();
    let label = model.clone().unwrap_or_else(|| "unknown".to_owned());
    let request = bedrock::PassthroughRequest {
        method,
        path_and_query,
        headers,
        body,
        aws,
    };
    let observe = |status: u16| {
        state.metrics.record(&Observation {
            model: &label,
            route: Route::Passthrough.label(),
            status,
            duration: started.elapsed(),
            ..Default::default()
        });
    };
    match state.client.passthrough(request).await {
        Ok(reply) => {
            let (parts, body) = reply.into_parts();
            observe(parts.status.as_u16());
            let mut out = http::Response::new(GatewayBody::stream(
                futures_util::StreamExt::filter_map(body, |chunk| async move {
                    match chunk {
                        Ok(bytes) => Some(bytes),
                        Err(e) => {
                            // Bedrock's bytes stop here; the client sees the body end early.
                            tracing::warn!(error = %e, "pass-through body ended early");
                            None
                        }
                    }
                }),
            ));
            *out.status_mut() = parts.status;
            for (name, value) in &parts.headers {
                if !matches!(
                    name.as_str(),
                    "connection" | "transfer-encoding" | "content-length" | "keep-alive"
                ) {
                    out.headers_mut().append(name.clone(), value.clone());
                }
            }
            out
        }
        Err(e) => {
            let e = ApiError::from(e);
            observe(e.status);
            e.into_response()
        }
    }
}

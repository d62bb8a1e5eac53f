//! Server-sent events from a chunk stream: `data: {chunk}\n\n` for each chunk the moment it is
//! decoded, `data: [DONE]\n\n` at the end. An error after the stream started is sent as a last
//! `data: {"error": {...}}\n\n` event with no `[DONE]` after it (what LiteLLM's proxy does; the
//! OpenAI SDK raises it as an `APIError`).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bedrock_transform::route::ModelRoute;
use bedrock_types::{ChatCompletion, ChatCompletionChunk, Result, Usage};
use bytes::Bytes;
use futures_core::Stream;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::metrics::{GaugeHold, Metrics, Observation};

/// The `[DONE]` event.
pub const DONE: &[u8] = b"data: [DONE]\n\n";

/// How chunks are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `chat.completion.chunk`.
    Chat,
    /// `text_completion` chunks (`/v1/completions` with `stream: true`).
    Text,
}

/// Counts a stream in the metrics when it ends (or when the client goes away: status 499).
#[derive(Debug)]
pub struct StreamMetrics {
    /// The counters.
    pub metrics: Arc<Metrics>,
    /// Model label.
    pub model: String,
    /// Route label.
    pub route: &'static str,
    /// When the request arrived.
    pub started: Instant,
    /// For the price look-up.
    pub price_route: Option<ModelRoute>,
    /// Keeps the in-flight gauge up while the stream lives.
    pub in_flight: GaugeHold,
    usage: Option<Usage>,
    status: Option<u16>,
    first_seen: bool,
}

impl StreamMetrics {
    /// Start counting.
    pub fn new(
        metrics: Arc<Metrics>,
        model: String,
        route: &'static str,
        started: Instant,
        price_route: Option<ModelRoute>,
    ) -> Self {
        let in_flight = crate::metrics::start_owned(&metrics);
        StreamMetrics {
            metrics,
            model,
            route,
            started,
            price_route,
            in_flight,
            usage: None,
            status: None,
            first_seen: false,
        }
    }
}

impl Drop for StreamMetrics {
    fn drop(&mut self) {
        let usage = self.usage.take();
        let cost = match (&self.price_route, &usage) {
            (Some(route), Some(u)) => bedrock::completion_cost(route, &usage_only(u.clone())),
            _ => None,
        };
        self.metrics.record(&Observation {
            model: &self.model,
            route: self.route,
            status: self.status.unwrap_or(499),
            duration: self.started.elapsed(),
            prompt_tokens: usage.as_ref().map_or(0, |u| u.prompt_tokens),
            completion_tokens: usage.as_ref().map_or(0, |u| u.completion_tokens),
            cost,
        });
    }
}

fn usage_only(usage: Usage) -> ChatCompletion {
    ChatCompletion {
        id: String::new(),
        created: 0,
        model: String::new(),
        object: String::new(),
        system_fingerprint: None,
        choices: Vec::new(),
        usage: Some(usage),
        service_tier: None,
        extra: Default::default(),
        meta: Default::default(),
    }
}

/// The SSE byte stream over a chunk stream.
pub struct ChunkSse {
    source: Pin<Box<dyn Stream<Item = Result<ChatCompletionChunk>> + Send>>,
    shape: Shape,
    model: String,
    strip_usage: bool,
    done: bool,
    stats: StreamMetrics,
}

impl std::fmt::Debug for ChunkSse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSse")
            .field("shape", &self.shape)
            .field("model", &self.model)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ChunkSse {
    /// Write `source` as SSE, stamping `model` (the name the client asked for) on each chunk.
    /// With `strip_usage`, usage is read for the metrics but not sent (the gateway asked for it,
    /// the client did not).
    pub fn new(
        source: impl Stream<Item = Result<ChatCompletionChunk>> + Send + 'static,
        shape: Shape,
        model: String,
        strip_usage: bool,
        stats: StreamMetrics,
    ) -> Self {
        ChunkSse {
            source: Box::pin(source),
            shape,
            model,
            strip_usage,
            done: false,
            stats,
        }
    }
}

impl Stream for ChunkSse {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.source.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    this.stats.status = Some(200);
                    return Poll::Ready(Some(Bytes::from_static(DONE)));
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    let err = ApiError::from(e);
                    this.stats.status = Some(err.status);
                    return Poll::Ready(Some(event(&err.body)));
                }
                Poll::Ready(Some(Ok(mut chunk))) => {
                    if !this.stats.first_seen {
                        this.stats.first_seen = true;
                        this.stats
                            .metrics
                            .first_chunk(&this.stats.model, this.stats.started.elapsed());
                    }
                    if let Some(u) = &chunk.usage {
                        this.stats.usage = Some(u.clone());
                    }
                    if this.strip_usage && chunk.usage.is_some() {
                        chunk.usage = None;
                        if chunk.choices.is_empty() && chunk.provider_specific_fields.is_none() {
                            continue;
                        }
                    }
                    chunk.model.clone_from(&this.model);
                    let bytes = match this.shape {
                        Shape::Chat => chunk_event(&chunk),
                        Shape::Text => event(&text_chunk(chunk)),
                    };
                    return Poll::Ready(Some(bytes));
                }
            }
        }
    }
}

/// `data: {json}\n\n`, serialised straight into the frame's buffer.
pub fn event<T: serde::Serialize>(value: &T) -> Bytes {
    let mut buf = Vec::with_capacity(512);
    buf.extend_from_slice(b"data: ");
    if serde_json::to_writer(&mut buf, value).is_err() {
        buf.truncate(6);
        buf.extend_from_slice(br#"{"error":{"message":"a chunk could not be serialised","type":"internal_server_error","param":null,"code":"500"}}"#);
    }
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// `data: {chunk}\n\n` for a chat chunk: the same bytes as [`event`], written by
/// [`ChatCompletionChunk::write_json`] (no serde machinery on the per-chunk hot path).
pub fn chunk_event(chunk: &ChatCompletionChunk) -> Bytes {
    let mut buf = Vec::with_capacity(512);
    buf.extend_from_slice(b"data: ");
    chunk.write_json(&mut buf);
    buf.extend_from_slice(b"\n\n");
    Bytes::from(buf)
}

/// A chat chunk in the text-completion shape.
fn text_chunk(chunk: ChatCompletionChunk) -> Value {
    let choices: Vec<Value> = chunk
        .choices
        .into_iter()
        .map(|c| {
            json!({
                "text": c.delta.content.unwrap_or_default(),
                "index": c.index,
                "logprobs": null,
                "finish_reason": c.finish_reason,
            })
        })
        .collect();
    let mut out = json!({
        "id": chunk.id.replacen("chatcmpl-", "cmpl-", 1),
        "object": "text_completion",
        "created": chunk.created,
        "model": chunk.model,
        "choices": choices,
    });
    if let Some(u) = chunk.usage {
        out["usage"] = serde_json::to_value(u).unwrap_or(Value::Null);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_types::{ChunkChoice, Delta, FinishReason};

    #[test]
    fn chunk_event_is_byte_identical_to_event() {
        let chunk = ChatCompletionChunk {
            id: "chatcmpl-1".to_owned(),
            created: 1_700_000_000,
            model: "bedrock/m \"q\"\n".to_owned(),
            object: "chat.completion.chunk".to_owned(),
            system_fingerprint: None,
            choices: vec![ChunkChoice {
                finish_reason: Some(FinishReason::ToolCalls),
                index: 0,
                delta: Delta {
                    content: Some("héllo\u{1}😀".to_owned()),
                    role: Some("assistant".to_owned()),
                    ..Default::default()
                },
            }],
            usage: Some(Usage {
                completion_tokens: 3,
                prompt_tokens: 4,
                total_tokens: 7,
                ..Default::default()
            }),
            provider_specific_fields: Some(
                json!({"trace": {"a": [1, 2.5, null]}})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
        };
        assert_eq!(chunk_event(&chunk), event(&chunk));
        assert!(chunk_event(&chunk).starts_with(b"data: {\"id\":"));
        assert!(chunk_event(&chunk).ends_with(b"}\n\n"));
    }
}

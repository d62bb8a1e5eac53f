//! [`ChunkStream`]: Bedrock events through the family's decoder, as OpenAI chunks, as they arrive.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bedrock_transform::StreamDecoder;
use bedrock_transform::capabilities::ModelInfo;
use bedrock_transform::route::ModelRoute;
use bedrock_transport::EventStream;
use bedrock_types::response::{ChunkChoice, CompletionTokensDetails, Delta};
use bedrock_types::{ChatCompletionChunk, Result, StreamEvent, Usage};
use futures_core::Stream;

/// A stream of `chat.completion.chunk`s (`futures_core::Stream`). Each Bedrock event is decoded
/// the moment it arrives; an in-stream exception ends the stream with its typed error.
#[derive(Debug)]
pub struct ChunkStream {
    events: Source,
    decoder: Box<dyn StreamDecoder>,
    ready: VecDeque<ChatCompletionChunk>,
    finished: bool,
    /// The `role` of a dropped empty chunk, for the next chunk that is passed on.
    carry_role: Option<String>,
    /// Every reasoning delta so far: LiteLLM counts the whole text into the final usage.
    reasoning: String,
    /// The prices the final usage's `cost` is computed at (none: an unpriced model).
    priced: Option<&'static ModelInfo>,
}

/// Where the events come from.
#[derive(Debug)]
enum Source {
    /// A live event stream.
    Live(EventStream),
    /// A family that cannot stream: its one whole reply, fed to the decoder as a single `chunk`
    /// event (a clearly single-chunk stream, never an error).
    Whole {
        event: Option<StreamEvent>,
        request_id: Option<String>,
    },
}

impl ChunkStream {
    pub(crate) fn new(events: EventStream, decoder: Box<dyn StreamDecoder>) -> Self {
        ChunkStream {
            events: Source::Live(events),
            decoder,
            ready: VecDeque::new(),
            finished: false,
            carry_role: None,
            reasoning: String::new(),
            priced: None,
        }
    }

    /// A stream over one whole reply body (families Bedrock cannot stream).
    pub(crate) fn single(
        body: bytes::Bytes,
        request_id: Option<String>,
        decoder: Box<dyn StreamDecoder>,
    ) -> Self {
        ChunkStream {
            events: Source::Whole {
                event: Some(StreamEvent::new("chunk", body)),
                request_id,
            },
            decoder,
            ready: VecDeque::new(),
            finished: false,
            carry_role: None,
            reasoning: String::new(),
            priced: None,
        }
    }

    /// Put the cost of the call on `route` into the final usage, as LiteLLM's stream wrapper
    /// does for every route (`_stamp_streaming_usage_cost`: a priced model, a cost above zero).
    pub(crate) fn priced_on(mut self, route: &ModelRoute) -> Self {
        self.priced = crate::cost::route_prices(route);
        self
    }

    /// Bedrock's request id.
    pub fn request_id(&self) -> Option<&str> {
        match &self.events {
            Source::Live(e) => e.request_id(),
            Source::Whole { request_id, .. } => request_id.as_deref(),
        }
    }
}

impl ChunkStream {
    /// LiteLLM's stream wrapper never yields a chunk that carries nothing (the empty opening
    /// chunk of `messageStart` / `message_start`); its `role` moves to the next chunk that is
    /// yielded, so the first chunk a caller sees has both the role and content.
    fn pass_on(&mut self, mut chunk: ChatCompletionChunk) -> Option<ChatCompletionChunk> {
        if is_empty(&chunk) {
            if let Some(role) = chunk.choices.first_mut().and_then(|c| c.delta.role.take()) {
                self.carry_role = Some(role);
            }
            return None;
        }
        if let Some(role) = self.carry_role.take() {
            match chunk.choices.first_mut() {
                Some(c) if c.delta.role.is_none() => c.delta.role = Some(role),
                Some(_) => {}
                // A choice-less usage chunk cannot carry it; keep it for the next one.
                None => self.carry_role = Some(role),
            }
        }
        if let Some(usage) = &mut chunk.usage {
            self.finish_usage(usage);
            // LiteLLM's usage chunk has one empty choice, not OpenAI's empty list.
            if chunk.choices.is_empty() {
                chunk.choices.push(ChunkChoice {
                    index: 0,
                    delta: Delta::default(),
                    finish_reason: None,
                });
            }
        }
        for choice in &mut chunk.choices {
            if let Some(r) = &choice.delta.reasoning_content {
                self.reasoning.push_str(r);
            }
            // LiteLLM's deltas (checked against litellm 1.103.7, Converse and Anthropic invoke
            // streams alike): one with a tool call or reasoning has `content: ""`, one with a
            // thinking block has `reasoning_content: ""` (a signature alone), and every
            // tool-call delta says `type: "function"`.
            let delta = &mut choice.delta;
            if delta.thinking_blocks.is_some() {
                delta.reasoning_content.get_or_insert_with(String::new);
            }
            if delta.tool_calls.is_some() || delta.reasoning_content.is_some() {
                delta.content.get_or_insert_with(String::new);
            }
            for call in delta.tool_calls.iter_mut().flatten() {
                call.kind.get_or_insert_with(|| "function".to_owned());
            }
        }
        Some(chunk)
    }
}

impl ChunkStream {
    /// The final usage as LiteLLM's stream wrapper rebuilds it (`calculate_usage`): the total
    /// is prompt + completion, and reasoning the family left unsplit is the cl100k count of
    /// all reasoning text streamed, capped at the completion.
    fn finish_usage(&self, usage: &mut Usage) {
        usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
        if self.reasoning.is_empty() && usage.completion_tokens_details.is_none() {
            // LiteLLM's usage always splits the output; without reasoning it is all text.
            usage.completion_tokens_details = Some(CompletionTokensDetails {
                reasoning_tokens: Some(0),
                text_tokens: Some(usage.completion_tokens),
            });
        }
        if let Some(prices) = self.priced {
            usage.cost = crate::cost::priced_usage(prices, usage, None).filter(|c| *c > 0.0);
        }
        if self.reasoning.is_empty() {
            return;
        }
        let r = bedrock_transform::tokens::count(&self.reasoning).min(usage.completion_tokens);
        let details = usage
            .completion_tokens_details
            .get_or_insert_with(CompletionTokensDetails::default);
        if details.reasoning_tokens.is_none() {
            details.reasoning_tokens = Some(r);
            details
                .text_tokens
                .get_or_insert(usage.completion_tokens - r);
        }
    }
}

/// A chunk with one choice that adds nothing: no text, tool call, reasoning, citation or
/// provider field, no finish reason and no usage.
fn is_empty(chunk: &ChatCompletionChunk) -> bool {
    let [choice] = chunk.choices.as_slice() else {
        return false;
    };
    let d = &choice.delta;
    choice.finish_reason.is_none()
        && chunk.usage.is_none()
        && chunk
            .provider_specific_fields
            .as_ref()
            .is_none_or(|f| f.is_empty())
        && d.content.as_deref().is_none_or(str::is_empty)
        && d.tool_calls.is_none()
        && d.reasoning_content.is_none()
        && d.thinking_blocks.is_none()
        && d.annotations.is_none()
        && d.provider_specific_fields.is_none()
}

impl Source {
    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<StreamEvent>>> {
        match self {
            Source::Live(events) => Pin::new(events).poll_next(cx),
            Source::Whole { event, .. } => Poll::Ready(event.take().map(Ok)),
        }
    }
}

impl futures_core::Stream for ChunkStream {
    type Item = Result<ChatCompletionChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(chunk) = this.ready.pop_front() {
                if let Some(chunk) = this.pass_on(chunk) {
                    return Poll::Ready(Some(Ok(chunk)));
                }
                continue;
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let mut out = Vec::new();
            match this.events.poll_event(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(event))) => {
                    if let Err(e) = this.decoder.on_event(&event, &mut out) {
                        this.finished = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.finished = true;
                    if let Err(e) = this.decoder.on_end(&mut out) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            this.ready.extend(out);
        }
    }
}

//! [`ChunkStream`]: Bedrock events through the family's decoder, as OpenAI chunks, as they arrive.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bedrock_transform::StreamDecoder;
use bedrock_transport::EventStream;
use bedrock_types::{ChatCompletionChunk, Result, StreamEvent};
use futures_core::Stream;

/// A stream of `chat.completion.chunk`s (`futures_core::Stream`). Each Bedrock event is decoded
/// the moment it arrives; an in-stream exception ends the stream with its typed error.
#[derive(Debug)]
pub struct ChunkStream {
    events: Source,
    decoder: Box<dyn StreamDecoder>,
    ready: VecDeque<ChatCompletionChunk>,
    finished: bool,
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
        }
    }

    /// Bedrock's request id.
    pub fn request_id(&self) -> Option<&str> {
        match &self.events {
            Source::Live(e) => e.request_id(),
            Source::Whole { request_id, .. } => request_id.as_deref(),
        }
    }
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
                return Poll::Ready(Some(Ok(chunk)));
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

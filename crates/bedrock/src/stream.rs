//! [`ChunkStream`]: Bedrock events through the family's decoder, as OpenAI chunks, as they arrive.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bedrock_transform::StreamDecoder;
use bedrock_transport::EventStream;
use bedrock_types::{ChatCompletionChunk, Result};

/// A stream of `chat.completion.chunk`s (`futures_core::Stream`). Each Bedrock event is decoded
/// the moment it arrives; an in-stream exception ends the stream with its typed error.
#[derive(Debug)]
pub struct ChunkStream {
    events: EventStream,
    decoder: Box<dyn StreamDecoder>,
    ready: VecDeque<ChatCompletionChunk>,
    finished: bool,
}

impl ChunkStream {
    pub(crate) fn new(events: EventStream, decoder: Box<dyn StreamDecoder>) -> Self {
        ChunkStream {
            events,
            decoder,
            ready: VecDeque::new(),
            finished: false,
        }
    }

    /// Bedrock's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.events.request_id()
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
            match Pin::new(&mut this.events).poll_next(cx) {
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

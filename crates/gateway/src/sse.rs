//! Server-sent events from a chunk stream: `data: {chunk}\n\n` for each chunk as it is decoded
//! (the events decoded together leave in one write), `data: [DONE]\n\n` at the end. An error after the stream started is sent as a last
//! `data: {"error": {...}}\n\n` event with no `[DONE]` after it (what LiteLLM's proxy does; the
//! OpenAI SDK raises it as an `APIError`).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bedrock_transform::route::ModelRoute;
use bedrock_types::response::Delta;
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

/// Turns without a new event that a stream holding events lets pass before it sends them
/// (besides the turn it gives away right after its latest event). Measured against the mock with strace: an
/// event the upstream connection's task had already read always arrived within them, and a
/// reply of 12 events left in one write instead of 12; a turn more changed nothing.
const IDLE_TURNS: u8 = 1;

/// Bounds on what a stream holds, so an upstream that keeps events coming turn after turn is
/// still streamed: what is held leaves once it reaches this size…
const MAX_HELD_BYTES: usize = 16 * 1024;

/// …or once it has been held this many turns.
const MAX_HELD_TURNS: u8 = 32;

/// The SSE byte stream over a chunk stream.
///
/// Events that are ready together leave together: hyper writes every frame a body yields
/// before it goes pending in one `writev`, but the upstream connection's task hands over one
/// HTTP chunk (one Bedrock event) at a time, so a body that went pending as soon as its source
/// did cost one `writev` (and one wake-up of the client) per event. When the source goes
/// pending with events held, the stream gives its turn to the other ready tasks (the upstream
/// connection's task among them: it may already have read the next events) and sends what it
/// holds once [`IDLE_TURNS`] more turns bring nothing new (or it reaches [`MAX_HELD_BYTES`], or
/// has waited [`MAX_HELD_TURNS`]). An event waits only turns of the event loop, never on the
/// network or a timer; none is re-chunked (each is still its own `data:` line).
pub struct ChunkSse {
    source: Pin<Box<dyn Stream<Item = Result<ChatCompletionChunk>> + Send>>,
    shape: Shape,
    model: String,
    strip_usage: bool,
    done: bool,
    stats: StreamMetrics,
    /// Events decoded and not yet handed to hyper.
    held: Vec<u8>,
    /// Turns given away since the latest event arrived.
    idle_turns: u8,
    /// Turns given away since the oldest held event arrived.
    held_turns: u8,
    /// What is held leaves at the next poll, without waiting for more (the first event).
    send_now: bool,
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
            held: Vec::new(),
            idle_turns: 0,
            held_turns: 0,
            send_now: false,
        }
    }

    /// The stream after its first item was taken from `source` (the handler waits for it, so
    /// an error there is an ordinary error response): `first` is the first chunk, or `None`
    /// when the source ended without one. The first event leaves at the first poll, with the
    /// response head, without waiting for the events behind it.
    #[must_use]
    pub fn starting_with(mut self, first: Option<ChatCompletionChunk>) -> Self {
        match first {
            Some(chunk) => {
                self.hold(chunk);
                self.send_now = !self.held.is_empty();
            }
            None => {
                self.done = true;
                self.stats.status = Some(200);
                self.held.extend_from_slice(DONE);
            }
        }
        self
    }

    /// Append the SSE event for one chunk from the source (nothing for a usage-only chunk the
    /// client did not ask for).
    fn hold(&mut self, mut chunk: ChatCompletionChunk) {
        if !self.stats.first_seen {
            self.stats.first_seen = true;
            self.stats
                .metrics
                .first_chunk(&self.stats.model, self.stats.started.elapsed());
        }
        if let Some(u) = &chunk.usage {
            self.stats.usage = Some(u.clone());
        }
        if self.strip_usage && chunk.usage.is_some() {
            chunk.usage = None;
            // The usage chunk's one choice is empty (LiteLLM's shape): nothing left to send.
            let blank = chunk
                .choices
                .iter()
                .all(|c| c.finish_reason.is_none() && c.delta == Delta::default());
            if blank
                && chunk
                    .provider_specific_fields
                    .as_ref()
                    .is_none_or(|f| f.is_empty())
            {
                return;
            }
        }
        chunk.model.clone_from(&self.model);
        match self.shape {
            Shape::Chat => push_chunk_event(&chunk, &mut self.held),
            Shape::Text => push_event(&text_chunk(chunk, self.strip_usage), &mut self.held),
        }
    }

    /// What is held, as one frame.
    fn release(&mut self) -> Poll<Option<Bytes>> {
        self.idle_turns = 0;
        self.held_turns = 0;
        Poll::Ready(Some(Bytes::from(std::mem::take(&mut self.held))))
    }
}

impl Stream for ChunkSse {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        if std::mem::take(&mut this.send_now) {
            return this.release();
        }
        loop {
            if this.done {
                return if this.held.is_empty() {
                    Poll::Ready(None)
                } else {
                    this.release()
                };
            }
            match this.source.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.hold(chunk);
                    this.idle_turns = 0;
                    if this.held.len() >= MAX_HELD_BYTES {
                        return this.release();
                    }
                }
                Poll::Ready(None) => {
                    this.done = true;
                    this.stats.status = Some(200);
                    this.held.extend_from_slice(DONE);
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    let err = ApiError::from(e);
                    this.stats.status = Some(err.status);
                    // LiteLLM's proxy writes this event with `json.dumps` (`", "`, `": "`).
                    push_data(&mut this.held, |buf| {
                        buf.extend_from_slice(
                            bedrock_transform::pyjson::dumps(&err.body).as_bytes(),
                        );
                    });
                }
                Poll::Pending if this.held.is_empty() => return Poll::Pending,
                Poll::Pending
                    if this.held_turns < MAX_HELD_TURNS && this.idle_turns <= IDLE_TURNS =>
                {
                    // A turn for the other ready tasks; the source's waker is registered too,
                    // so a new event wakes this stream either way.
                    this.idle_turns += 1;
                    this.held_turns += 1;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                // Turns that brought nothing new (the upstream waits on the network), or held
                // long enough.
                Poll::Pending => return this.release(),
            }
        }
    }
}

/// `data: {json}\n\n`, serialised straight into the frame's buffer.
pub fn event<T: serde::Serialize>(value: &T) -> Bytes {
    let mut buf = Vec::with_capacity(512);
    push_event(value, &mut buf);
    Bytes::from(buf)
}

/// `data: {what write appends}\n\n` appended to `buf`: the framing of every event.
fn push_data(buf: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    buf.extend_from_slice(b"data: ");
    write(buf);
    buf.extend_from_slice(b"\n\n");
}

/// [`event`] appended to `buf`.
fn push_event<T: serde::Serialize>(value: &T, buf: &mut Vec<u8>) {
    push_data(buf, |buf| {
        let start = buf.len();
        if serde_json::to_writer(&mut *buf, value).is_err() {
            buf.truncate(start);
            buf.extend_from_slice(br#"{"error":{"message":"a chunk could not be serialised","type":"internal_server_error","param":null,"code":"500"}}"#);
        }
    });
}

/// `data: {chunk}\n\n` for a chat chunk, in the bytes LiteLLM's proxy streams
/// ([`ChatCompletionChunk::write_proxy_json`]: [`event`]'s bytes without the unset
/// `system_fingerprint` and `finish_reason`; no serde machinery on the per-chunk hot path).
pub fn chunk_event(chunk: &ChatCompletionChunk) -> Bytes {
    let mut buf = Vec::with_capacity(512);
    push_chunk_event(chunk, &mut buf);
    Bytes::from(buf)
}

/// [`chunk_event`] appended to `buf`.
fn push_chunk_event(chunk: &ChatCompletionChunk, buf: &mut Vec<u8>) {
    buf.reserve(512);
    push_data(buf, |buf| chunk.write_proxy_json(buf));
}

/// A chat chunk in the text-completion shape, as LiteLLM's proxy streams it: the chat
/// stream's `chatcmpl-` id; a choice's `text` only when the chunk has content and its
/// `finish_reason` only when set; `usage` on every chunk (zeros until Bedrock reports it).
/// A chat chunk as a `text_completion` chunk. LiteLLM gives every chunk zero usage unless the
/// caller asked for the usage chunk (`zero_usage` false), when only that chunk has usage.
fn text_chunk(chunk: ChatCompletionChunk, zero_usage: bool) -> Value {
    let choices: Vec<Value> = chunk
        .choices
        .into_iter()
        .map(|c| {
            let mut choice = serde_json::Map::new();
            if let Some(reason) = c.finish_reason {
                choice.insert("finish_reason".to_owned(), json!(reason));
            }
            choice.insert("index".to_owned(), json!(c.index));
            if let Some(text) = c.delta.content {
                choice.insert("text".to_owned(), Value::String(text));
            }
            Value::Object(choice)
        })
        .collect();
    let usage = match chunk.usage {
        Some(u) => Some(serde_json::to_value(u).unwrap_or(Value::Null)),
        None if zero_usage => {
            Some(json!({"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0}))
        }
        None => None,
    };
    let mut out = json!({
        "id": chunk.id,
        "object": "text_completion",
        "created": chunk.created,
        "model": chunk.model,
        "choices": choices,
    });
    if let (Some(u), Value::Object(m)) = (usage, &mut out) {
        m.insert("usage".to_owned(), u);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_types::{ChunkChoice, Delta, FinishReason};

    #[test]
    fn chunk_event_is_event_without_the_unset_fields_litellm_leaves_out() {
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
            trace: None,
        };
        // The finish reason is set; the fingerprint is not, and is left out.
        let with_null = event(&chunk);
        let text = String::from_utf8(with_null.to_vec()).unwrap();
        assert!(text.contains(r#","system_fingerprint":null"#));
        let without = text.replacen(r#","system_fingerprint":null"#, "", 1);
        assert_eq!(chunk_event(&chunk), without.as_bytes());
        // An unset finish reason is left out too, as LiteLLM's proxy streams it.
        let mut mid = chunk.clone();
        mid.choices[0].finish_reason = None;
        let text = String::from_utf8(chunk_event(&mid).to_vec()).unwrap();
        assert!(
            text.starts_with(r#"data: {"id":"chatcmpl-1","created":1700000000,"#)
                && text.contains(r#""choices":[{"index":0,"delta":{"#)
                && !text.contains("null,")
                && text.ends_with("}\n\n"),
            "{text}"
        );
    }

    /// A source fed by the test: `Pending` while its queue is empty, like an upstream body
    /// waiting for its connection's task.
    /// The queue (`None`: the end) and the waker of a poll that found it empty.
    type FeedState = (
        std::collections::VecDeque<Option<ChatCompletionChunk>>,
        Option<std::task::Waker>,
    );

    #[derive(Clone, Default)]
    struct Feed(Arc<std::sync::Mutex<FeedState>>);

    impl Feed {
        fn push(&self, item: Option<ChatCompletionChunk>) {
            let mut q = self.0.lock().unwrap();
            q.0.push_back(item);
            if let Some(w) = q.1.take() {
                w.wake();
            }
        }
    }

    impl Stream for Feed {
        type Item = Result<ChatCompletionChunk>;
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let mut q = self.0.lock().unwrap();
            match q.0.pop_front() {
                Some(Some(c)) => Poll::Ready(Some(Ok(c))),
                Some(None) => Poll::Ready(None),
                None => {
                    q.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }

    #[derive(Default)]
    struct Wakes(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn text(n: usize) -> ChatCompletionChunk {
        ChatCompletionChunk {
            id: "chatcmpl-1".to_owned(),
            created: 1_700_000_000,
            model: String::new(),
            object: "chat.completion.chunk".to_owned(),
            system_fingerprint: None,
            choices: vec![ChunkChoice {
                finish_reason: None,
                index: 0,
                delta: Delta {
                    content: Some(format!("t{n}")),
                    ..Default::default()
                },
            }],
            usage: None,
            provider_specific_fields: None,
            trace: None,
        }
    }

    fn sse(feed: &Feed) -> ChunkSse {
        let stats = StreamMetrics::new(
            Arc::new(Metrics::default()),
            "m".to_owned(),
            "/chat/completions",
            Instant::now(),
            None,
        );
        ChunkSse::new(feed.clone(), Shape::Chat, "m".to_owned(), false, stats)
    }

    /// The `data:` events in a frame, as their delta texts (`[DONE]` as is).
    fn events(frame: &Bytes) -> Vec<String> {
        let text = std::str::from_utf8(frame).unwrap();
        assert!(text.ends_with("\n\n"), "{text}");
        text.split_terminator("\n\n")
            .map(|e| {
                let e = e.strip_prefix("data: ").unwrap();
                if e == "[DONE]" {
                    return e.to_owned();
                }
                let v: Value = serde_json::from_str(e).unwrap();
                v["choices"][0]["delta"]["content"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn events_ready_together_leave_in_one_frame_after_the_idle_turns() {
        let feed = Feed::default();
        let mut sse = sse(&feed);
        let wakes = Arc::new(Wakes::default());
        let waker = std::task::Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let mut poll = |sse: &mut ChunkSse| Pin::new(sse).poll_next(&mut cx);
        let woken = || wakes.0.load(std::sync::atomic::Ordering::SeqCst);

        // Nothing yet: pending, and no turn taken (it waits for the source's wake).
        assert!(poll(&mut sse).is_pending());
        assert_eq!(woken(), 0);

        // Two events arrive: held; the stream gives its turn away (it woke itself).
        feed.push(Some(text(1)));
        feed.push(Some(text(2)));
        let before = woken();
        assert!(poll(&mut sse).is_pending());
        assert_eq!(woken(), before + 1);

        // An idle turn, then a third event: held too, and the count starts again.
        assert!(poll(&mut sse).is_pending());
        feed.push(Some(text(3)));
        assert!(poll(&mut sse).is_pending());
        for _ in 0..IDLE_TURNS {
            assert!(poll(&mut sse).is_pending());
        }

        // The idle turns are over: all three leave as one frame, in order.
        let Poll::Ready(Some(frame)) = poll(&mut sse) else {
            panic!("expected a frame")
        };
        assert_eq!(events(&frame), ["t1", "t2", "t3"]);
        let before = woken();
        assert!(poll(&mut sse).is_pending());
        assert_eq!(woken(), before, "nothing held: no turn taken");

        // A lone event still leaves once its idle turns pass; the end comes with [DONE].
        feed.push(Some(text(4)));
        for _ in 0..=IDLE_TURNS {
            assert!(poll(&mut sse).is_pending());
        }
        let Poll::Ready(Some(frame)) = poll(&mut sse) else {
            panic!("expected a frame")
        };
        assert_eq!(events(&frame), ["t4"]);
        feed.push(Some(text(5)));
        feed.push(None);
        let Poll::Ready(Some(frame)) = poll(&mut sse) else {
            panic!("expected a frame")
        };
        assert_eq!(events(&frame), ["t5", "[DONE]"]);
        assert!(matches!(poll(&mut sse), Poll::Ready(None)));
    }

    #[test]
    fn an_upstream_that_keeps_events_coming_is_still_streamed() {
        let feed = Feed::default();
        let mut body = sse(&feed);
        let waker = std::task::Waker::from(Arc::new(Wakes::default()));
        let mut cx = Context::from_waker(&waker);
        // A new event every turn: what is held leaves after MAX_HELD_TURNS turns.
        let mut sent = Vec::new();
        let mut pendings = 0;
        for n in 0..40 {
            feed.push(Some(text(n)));
            match Pin::new(&mut body).poll_next(&mut cx) {
                Poll::Ready(Some(frame)) => sent.push(events(&frame)),
                Poll::Pending => pendings += 1,
                Poll::Ready(None) => panic!("ended early"),
            }
        }
        assert!(!sent.is_empty(), "held {pendings} turns and sent nothing");
        assert!(
            sent.iter()
                .all(|f| f.len() <= usize::from(MAX_HELD_TURNS) + 1),
            "{sent:?}"
        );
        let flat: Vec<String> = sent.concat();
        let expected: Vec<String> = (0..flat.len()).map(|n| format!("t{n}")).collect();
        assert_eq!(flat, expected, "in order, none lost");

        // A burst larger than the size bound leaves in frames of about that size.
        let feed = Feed::default();
        let mut body = sse(&feed);
        for n in 0..400 {
            feed.push(Some(text(n)));
        }
        let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_next(&mut cx) else {
            panic!("expected a frame at the size bound")
        };
        assert!(frame.len() >= MAX_HELD_BYTES && frame.len() < MAX_HELD_BYTES + 1024);
    }

    #[test]
    fn an_error_after_held_events_follows_them_in_the_same_frame() {
        let feed = Feed::default();
        let mut sse = sse(&feed);
        feed.push(Some(text(1)));
        let waker = std::task::Waker::from(Arc::new(Wakes::default()));
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut sse).poll_next(&mut cx).is_pending());
        // The source fails during the turn.
        let failing = futures_util::stream::iter([
            Ok(text(2)),
            Err(bedrock_types::Error::new(
                bedrock_types::ErrorKind::RateLimit,
                "slow down",
            )),
        ]);
        sse.source = Box::pin(failing);
        let Poll::Ready(Some(frame)) = Pin::new(&mut sse).poll_next(&mut cx) else {
            panic!("expected a frame")
        };
        let text = std::str::from_utf8(&frame).unwrap();
        let parts: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!(parts.len(), 3, "{text}");
        assert!(parts[2].starts_with("data: {\"error\":"), "{text}");
        assert!(parts[2].contains("slow down"), "{text}");
        assert!(matches!(
            Pin::new(&mut sse).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }

    #[test]
    fn the_first_chunk_leaves_at_the_first_poll_and_the_rest_are_held() {
        let feed = Feed::default();
        // The source already has the next events when the stream is first polled.
        feed.push(Some(text(2)));
        feed.push(Some(text(3)));
        feed.push(None);
        let mut sse = sse(&feed).starting_with(Some(text(1)));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        // The first event alone, without waiting for the ones behind it (it goes out with the
        // response head).
        let Poll::Ready(Some(first)) = Pin::new(&mut sse).poll_next(&mut cx) else {
            panic!("expected the first chunk at once")
        };
        assert_eq!(events(&first), ["t1"]);
        // The rest as before: together, with [DONE].
        let Poll::Ready(Some(rest)) = Pin::new(&mut sse).poll_next(&mut cx) else {
            panic!("expected the rest")
        };
        assert_eq!(events(&rest), ["t2", "t3", "[DONE]"]);
        assert!(matches!(
            Pin::new(&mut sse).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }

    #[test]
    fn a_source_that_ended_before_its_first_chunk_sends_only_done() {
        let feed = Feed::default();
        let mut sse = sse(&feed).starting_with(None);
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let Poll::Ready(Some(frame)) = Pin::new(&mut sse).poll_next(&mut cx) else {
            panic!("expected [DONE]")
        };
        assert_eq!(events(&frame), ["[DONE]"]);
        assert!(matches!(
            Pin::new(&mut sse).poll_next(&mut cx),
            Poll::Ready(None)
        ));
        // The source was never polled again (polling an ended stream may panic).
        assert!(feed.0.lock().unwrap().1.is_none());
    }
}

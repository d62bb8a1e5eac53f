//! Streaming responses: status and content type are checked before any framing, then frames are
//! decoded as the caller polls, so memory stays bounded and backpressure reaches the socket.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bedrock_types::{Error, ErrorKind, Result, StreamEvent};
use bytes::Bytes;
use http_body::Body;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::future::Future;

use crate::eventstream::FrameDecoder;
use crate::pool::Lease;

/// A stream of decoded Bedrock events (`futures_core::Stream`). Exception frames end it with
/// their typed error.
#[derive(Debug)]
pub struct EventStream {
    body: Incoming,
    /// The connection, handed back to the pool when the body has been read to its end.
    lease: Option<Lease>,
    decoder: FrameDecoder,
    request_id: Option<String>,
    headers: http::HeaderMap,
    done: bool,
    idle: IdleTimer,
}

impl EventStream {
    /// Bedrock's request id for this stream.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The response headers (agents name their session and memory here).
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The most bytes the decoder ever held at once.
    pub fn high_water_mark(&self) -> usize {
        self.decoder.high_water_mark()
    }
}

impl futures_core::Stream for EventStream {
    type Item = Result<StreamEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.decoder.next_message() {
                Ok(Some(message)) => {
                    let event = message.into_event(this.request_id.as_deref());
                    if event.is_err() {
                        this.done = true;
                    }
                    return Poll::Ready(Some(event));
                }
                Ok(None) => {}
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => {
                    if let Some(e) = this.idle.expired(cx, "the event stream") {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    return Poll::Pending;
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        this.decoder.push(data);
                        this.idle.reset();
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::new(
                        ErrorKind::ApiConnection,
                        format!("the event stream broke: {e}"),
                    ))));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    if let Some(lease) = this.lease.take() {
                        lease.release();
                    }
                    return Poll::Ready(this.decoder.finish().err().map(Err));
                }
            }
        }
    }
}

/// Check a streaming response before framing: a non-2xx status or a non-eventstream content
/// type is a typed error built from the JSON body (LiteLLM #20589 fed such bodies to the frame
/// decoder and reported "ChecksumMismatch").
pub(crate) async fn check_stream_response(
    response: http::Response<Incoming>,
    lease: Lease,
    limit: usize,
    idle_timeout: Duration,
) -> Result<EventStream> {
    let request_id = response
        .headers()
        .get("x-amzn-requestid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let is_stream = content_type.starts_with("application/vnd.amazon.eventstream");
    if (200..300).contains(&status) && is_stream {
        let (parts, body) = response.into_parts();
        return Ok(EventStream {
            body,
            lease: Some(lease),
            headers: parts.headers,
            decoder: FrameDecoder::new(),
            request_id,
            done: false,
            idle: IdleTimer::new(idle_timeout),
        });
    }
    let error_type = header(response.headers(), "x-amzn-errortype").map(str::to_owned);
    let body = http_body_util::Limited::new(response.into_body(), limit)
        .collect()
        .await
        .map(|c| {
            lease.release();
            c.to_bytes()
        })
        .unwrap_or_else(|_| Bytes::new());
    if (200..300).contains(&status) {
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|j| {
                j.get("message")
                    .or_else(|| j.get("Message"))
                    .and_then(|m| m.as_str())
                    .map(str::to_owned)
            });
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "expected an event stream but got content-type `{content_type}`{}",
                message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
        )
        .with_status(502));
    }
    Err(Error::from_http_reply(
        status,
        error_type.as_deref(),
        request_id.as_deref(),
        &body,
    ))
}

fn header<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A response body passed on as it arrives, bytes untouched (the gateway's `/bedrock/…`
/// pass-through): each item is one chunk read from the socket. A gap longer than the stream
/// idle timeout ends it with a timeout error; the connection goes back to the pool when the
/// body has been read to its end.
#[derive(Debug)]
pub struct RawStream {
    body: Incoming,
    lease: Option<Lease>,
    done: bool,
    idle: IdleTimer,
}

impl RawStream {
    pub(crate) fn new(body: Incoming, lease: Lease, idle_timeout: Duration) -> Self {
        RawStream {
            body,
            lease: Some(lease),
            done: false,
            idle: IdleTimer::new(idle_timeout),
        }
    }
}

impl futures_core::Stream for RawStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => {
                    if let Some(e) = this.idle.expired(cx, "the response") {
                        this.done = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                    return Poll::Pending;
                }
                Poll::Ready(Some(Ok(frame))) => {
                    // Trailers carry nothing to pass on.
                    if let Ok(data) = frame.into_data() {
                        this.idle.reset();
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::new(
                        ErrorKind::ApiConnection,
                        format!("the response broke: {e}"),
                    ))));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    if let Some(lease) = this.lease.take() {
                        lease.release();
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

/// The stream idle timeout: how long a body may go without data before it is given up.
#[derive(Debug)]
struct IdleTimer {
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl IdleTimer {
    fn new(timeout: Duration) -> Self {
        IdleTimer {
            timeout,
            sleep: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    /// Data arrived: the gap starts again.
    fn reset(&mut self) {
        let deadline = tokio::time::Instant::now() + self.timeout;
        self.sleep.as_mut().reset(deadline);
    }

    /// The timeout error for `what` once the gap has run out (the waker is registered
    /// otherwise).
    fn expired(&mut self, cx: &mut Context<'_>, what: &str) -> Option<Error> {
        self.sleep.as_mut().poll(cx).is_ready().then(|| {
            Error::new(
                ErrorKind::Timeout,
                format!("{what} stalled: no data for {:?}", self.timeout),
            )
        })
    }
}

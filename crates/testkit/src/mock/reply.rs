//! What the mock answers, and how it misbehaves when asked to.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::eventstream::Frame;

/// The `x-amzn-ErrorType` suffix the real service sometimes appends.
pub const ERROR_TYPE_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

/// The body of a reply.
#[derive(Debug, Clone)]
pub enum ReplyBody {
    /// Bytes sent as they are (JSON, or anything else).
    Bytes(Bytes),
    /// Event-stream frames, encoded when sent.
    Frames(Vec<Frame>),
    /// `head`, then `frame` repeated `count` times, then `tail`: long streams without holding
    /// them in memory.
    Repeated {
        /// Frames before the repetition.
        head: Vec<Frame>,
        /// The repeated frame.
        frame: Frame,
        /// How many times.
        count: usize,
        /// Frames after the repetition.
        tail: Vec<Frame>,
    },
}

/// How the connection ends after the body bytes the reply allows were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Normally.
    Complete,
    /// After this many body bytes the connection is dropped (a body cut short).
    CutShortAfter(usize),
    /// After this many body bytes nothing more is written, and the connection stays open.
    StallAfter(usize),
    /// No response at all: the connection is closed as soon as the request is read.
    Reset,
}

/// One answer of the mock: status, headers, body, and the faults to apply while sending it.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers (the mock adds `x-amzn-requestid` unless set here).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: ReplyBody,
    /// Delay before the response head is written.
    pub latency: Duration,
    /// Write the body in pieces of at most this many bytes, yielding between writes so each
    /// piece is its own TCP write (`Some(1)`: every byte boundary).
    pub split_every: Option<usize>,
    /// Delay between body pieces.
    pub piece_delay: Duration,
    /// How the connection ends.
    pub ending: Ending,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: ReplyBody::Bytes(Bytes::from(serde_json::to_vec(body).unwrap_or_default())),
            latency: Duration::ZERO,
            split_every: None,
            piece_delay: Duration::ZERO,
            ending: Ending::Complete,
        }
    }

    /// `200` with a JSON body.
    pub fn ok(body: &Value) -> Reply {
        Reply::json(200, body)
    }

    /// A Bedrock error: `status`, `x-amzn-ErrorType: error_type`, body `{"message": message}`.
    pub fn error(status: u16, error_type: &str, message: &str) -> Reply {
        Reply::json(status, &serde_json::json!({ "message": message }))
            .with_header("x-amzn-errortype", error_type)
    }

    /// Like [`Reply::error`] with the `:http://internal.amazon.com/coral/…` suffix on the type.
    pub fn error_with_suffix(status: u16, error_type: &str, message: &str) -> Reply {
        Reply::json(status, &serde_json::json!({ "message": message })).with_header(
            "x-amzn-errortype",
            &format!("{error_type}{ERROR_TYPE_SUFFIX}"),
        )
    }

    /// `429 ThrottlingException`, as Bedrock words it.
    pub fn throttled() -> Reply {
        Reply::error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        )
    }

    /// `200` with an event stream of `frames`.
    pub fn stream(frames: Vec<Frame>) -> Reply {
        Reply {
            status: 200,
            headers: vec![(
                "content-type".to_owned(),
                "application/vnd.amazon.eventstream".to_owned(),
            )],
            body: ReplyBody::Frames(frames),
            latency: Duration::ZERO,
            split_every: None,
            piece_delay: Duration::ZERO,
            ending: Ending::Complete,
        }
    }

    /// An `invoke-with-response-stream` reply: each native chunk wrapped as `{"bytes": …}`,
    /// with the `x-amzn-bedrock-content-type` header Bedrock sends.
    pub fn invoke_stream(native_chunks: &[Value]) -> Reply {
        Reply::stream(native_chunks.iter().map(Frame::invoke_chunk).collect())
            .with_header("x-amzn-bedrock-content-type", "application/json")
    }

    /// A long stream: `head`, `frame` × `count`, `tail`, generated while sending.
    pub fn repeated_stream(
        head: Vec<Frame>,
        frame: Frame,
        count: usize,
        tail: Vec<Frame>,
    ) -> Reply {
        let mut r = Reply::stream(Vec::new());
        r.body = ReplyBody::Repeated {
            head,
            frame,
            count,
            tail,
        };
        r
    }

    /// The connection is closed without any response.
    pub fn reset() -> Reply {
        let mut r = Reply::json(200, &Value::Null);
        r.ending = Ending::Reset;
        r
    }

    /// Add a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Wait this long before answering.
    pub fn with_latency(mut self, latency: Duration) -> Reply {
        self.latency = latency;
        self
    }

    /// Write the body `n` bytes at a time, each its own write (`1`: every byte boundary).
    pub fn split_every(mut self, n: usize) -> Reply {
        self.split_every = Some(n.max(1));
        self
    }

    /// Wait this long between body pieces.
    pub fn with_piece_delay(mut self, delay: Duration) -> Reply {
        self.piece_delay = delay;
        self
    }

    /// Drop the connection after `n` body bytes.
    pub fn cut_short_after(mut self, n: usize) -> Reply {
        self.ending = Ending::CutShortAfter(n);
        self
    }

    /// Stop writing after `n` body bytes and keep the connection open forever.
    pub fn stall_after(mut self, n: usize) -> Reply {
        self.ending = Ending::StallAfter(n);
        self
    }

    /// The status and headers, for the response head.
    pub fn head(&self) -> (u16, &[(String, String)]) {
        (self.status, &self.headers)
    }

    /// The whole body length when it is known up front (JSON bodies).
    pub fn content_length(&self) -> Option<usize> {
        match &self.body {
            ReplyBody::Bytes(b) => Some(b.len()),
            _ => None,
        }
    }
}

/// The body's bytes as an iterator of encoded pieces (frames stay lazy for long streams).
pub(crate) fn body_pieces(body: &ReplyBody) -> Box<dyn Iterator<Item = Bytes> + Send + '_> {
    match body {
        ReplyBody::Bytes(b) => Box::new(std::iter::once(b.clone())),
        ReplyBody::Frames(frames) => Box::new(frames.iter().map(Frame::encode)),
        ReplyBody::Repeated {
            head,
            frame,
            count,
            tail,
        } => {
            let encoded = frame.encode();
            Box::new(
                head.iter()
                    .map(Frame::encode)
                    .chain(std::iter::repeat_n(encoded, *count))
                    .chain(tail.iter().map(Frame::encode)),
            )
        }
    }
}

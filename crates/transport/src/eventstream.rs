//! `application/vnd.amazon.eventstream` framing: a push decoder that checks both CRCs and never
//! holds more than one incomplete frame (plus whatever arrived with it).
//!
//! Layout (big-endian): total length u32, headers length u32, prelude CRC32 (of the first 8
//! bytes), headers, payload, message CRC32 (of everything before it). Header values of every
//! type are parsed by width so an unexpected header cannot desynchronise the stream.

use bedrock_types::{Error, ErrorKind, Result, StreamEvent};
use std::borrow::Cow;

use bytes::{Buf, Bytes, BytesMut};

/// The largest frame accepted (botocore: 128 KiB headers + 24 MiB payload).
pub const MAX_FRAME: usize = 16 + 128 * 1024 + 24 * 1024 * 1024;

/// A header value of an event-stream message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Type 0/1.
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Short(i16),
    /// Type 4.
    Int(i32),
    /// Type 5.
    Long(i64),
    /// Type 6.
    Bytes(Bytes),
    /// Type 7 (the names and values Bedrock repeats in every frame are borrowed, not
    /// allocated).
    String(Cow<'static, str>),
    /// Type 8 (ms since epoch).
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

/// One decoded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Headers in wire order.
    pub headers: Vec<(Cow<'static, str>, HeaderValue)>,
    /// Payload bytes.
    pub payload: Bytes,
}

impl Message {
    /// A string header's value.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|(n, v)| match v {
            HeaderValue::String(s) if n == name => Some(s.as_ref()),
            _ => None,
        })
    }

    /// Turn the message into what a stream decoder consumes: an event, or the typed error an
    /// exception/error frame carries.
    pub fn into_event(self, request_id: Option<&str>) -> Result<StreamEvent> {
        match self.header_str(":message-type").unwrap_or("event") {
            "event" => Ok(StreamEvent {
                event_type: self
                    .header_str(":event-type")
                    .unwrap_or_default()
                    .to_owned(),
                payload: self.payload,
            }),
            "exception" => {
                let kind = self
                    .header_str(":exception-type")
                    .unwrap_or("internalServerException")
                    .to_owned();
                let message = serde_json::from_slice::<serde_json::Value>(&self.payload)
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .or_else(|| v.get("Message"))
                            .and_then(|m| m.as_str())
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| String::from_utf8_lossy(&self.payload).into_owned());
                // What LiteLLM quotes: the type as sent, then the payload.
                let detail = format!("{kind} {}", String::from_utf8_lossy(&self.payload));
                Err(Error::from_bedrock(0, Some(&kind), message, request_id).with_detail(detail))
            }
            other => {
                let code = self.header_str(":error-code").unwrap_or(other).to_owned();
                let message = self
                    .header_str(":error-message")
                    .unwrap_or("event stream error")
                    .to_owned();
                Err(Error::from_bedrock(0, Some(&code), message, request_id))
            }
        }
    }
}

fn frame_error(why: impl std::fmt::Display) -> Error {
    // A broken frame means the bytes on the wire are not what Bedrock sent: retryable only
    // before any output reached the caller, which the retry policy decides.
    Error::new(
        ErrorKind::ApiConnection,
        format!("event stream framing error: {why}"),
    )
}

/// Incremental frame decoder.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: BytesMut,
    high_water: usize,
}

impl FrameDecoder {
    /// A new decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        self.high_water = self.high_water.max(self.buf.len());
    }

    /// The most bytes ever buffered at once (to prove memory stays bounded).
    pub fn high_water_mark(&self) -> usize {
        self.high_water
    }

    /// The next complete message, if one is buffered.
    pub fn next_message(&mut self) -> Result<Option<Message>> {
        if self.buf.len() < 12 {
            return Ok(None);
        }
        let total =
            u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize;
        let headers_len =
            u32::from_be_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize;
        let prelude_crc =
            u32::from_be_bytes([self.buf[8], self.buf[9], self.buf[10], self.buf[11]]);
        if crc32fast::hash(&self.buf[..8]) != prelude_crc {
            return Err(frame_error(
                "prelude checksum mismatch (is this a JSON error body?)",
            ));
        }
        if !(16..=MAX_FRAME).contains(&total) || headers_len > total - 16 {
            return Err(frame_error(format_args!(
                "impossible lengths: total {total}, headers {headers_len}"
            )));
        }
        if self.buf.len() < total {
            return Ok(None);
        }
        let frame = self.buf.split_to(total).freeze();
        let message_crc = u32::from_be_bytes([
            frame[total - 4],
            frame[total - 3],
            frame[total - 2],
            frame[total - 1],
        ]);
        if crc32fast::hash(&frame[..total - 4]) != message_crc {
            return Err(frame_error("message checksum mismatch"));
        }
        let headers = parse_headers(frame.slice(12..12 + headers_len))?;
        let payload = frame.slice(12 + headers_len..total - 4);
        Ok(Some(Message { headers, payload }))
    }

    /// The stream ended: leftover bytes mean a frame was cut short.
    pub fn finish(&self) -> Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(frame_error(format_args!(
                "stream ended inside a frame ({} bytes left)",
                self.buf.len()
            )))
        }
    }
}

/// Header names and string values every Bedrock frame repeats: borrowed instead of allocated.
const COMMON: &[&str] = &[
    ":event-type",
    ":content-type",
    ":message-type",
    ":exception-type",
    ":error-code",
    ":error-message",
    "application/json",
    "event",
    "exception",
    "error",
    "chunk",
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
    "trace",
];

fn text(raw: &[u8], what: &str) -> Result<Cow<'static, str>> {
    if let Some(known) = COMMON.iter().find(|c| c.as_bytes() == raw) {
        return Ok(Cow::Borrowed(known));
    }
    std::str::from_utf8(raw)
        .map(|s| Cow::Owned(s.to_owned()))
        .map_err(|_| frame_error(format_args!("{what} is not UTF-8")))
}

fn parse_headers(mut b: Bytes) -> Result<Vec<(Cow<'static, str>, HeaderValue)>> {
    let need = |b: &Bytes, n: usize| {
        if b.remaining() < n {
            Err(frame_error("truncated header"))
        } else {
            Ok(())
        }
    };
    let mut out = Vec::with_capacity(3);
    while b.has_remaining() {
        let name_len = b.get_u8() as usize;
        need(&b, name_len + 1)?;
        let name = text(&b.split_to(name_len), "header name")?;
        let value = match b.get_u8() {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => {
                need(&b, 1)?;
                HeaderValue::Byte(b.get_i8())
            }
            3 => {
                need(&b, 2)?;
                HeaderValue::Short(b.get_i16())
            }
            4 => {
                need(&b, 4)?;
                HeaderValue::Int(b.get_i32())
            }
            5 => {
                need(&b, 8)?;
                HeaderValue::Long(b.get_i64())
            }
            t @ (6 | 7) => {
                need(&b, 2)?;
                let len = b.get_u16() as usize;
                need(&b, len)?;
                let raw = b.split_to(len);
                if t == 6 {
                    HeaderValue::Bytes(raw)
                } else {
                    HeaderValue::String(text(&raw, "string header")?)
                }
            }
            8 => {
                need(&b, 8)?;
                HeaderValue::Timestamp(b.get_i64())
            }
            9 => {
                need(&b, 16)?;
                let mut u = [0u8; 16];
                b.copy_to_slice(&mut u);
                HeaderValue::Uuid(u)
            }
            other => {
                return Err(frame_error(format_args!(
                    "unknown header value type {other}"
                )));
            }
        };
        out.push((name, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // bedrock-wire.md §4.6, built and decoded by botocore.
    const DELTA: &str = "0000009f00000057c37babff0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74656e74426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d2c2270223a2261626364227df2ace5ff";
    const CHUNK: &str = "000000e60000004b23b8750e0b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226279746573223a2265794a306558426c496a6f695932397564475675644639696247396a6131396b5a57783059534973496d6c755a475634496a6f774c434a6b5a5778305953493665794a306558426c496a6f69644756346446396b5a57783059534973496e526c654851694f694a4961534a3966513d3d222c2270223a226162636465666768227d8ec56ae9";
    const EXCEPTION: &str = "000000b2000000613590d5d30f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227de8ffb26a";

    #[test]
    fn decodes_the_reference_vectors_split_at_every_byte() {
        let mut all = hex(DELTA);
        all.extend(hex(CHUNK));
        all.extend(hex(EXCEPTION));
        for split in 0..all.len() {
            let mut d = FrameDecoder::new();
            let mut events = Vec::new();
            for part in [&all[..split], &all[split..]] {
                d.push(part);
                while let Some(m) = d.next_message().unwrap() {
                    events.push(m.into_event(Some("rid")));
                }
            }
            d.finish().unwrap();
            assert_eq!(events.len(), 3, "split at {split}");
            let delta = events[0].as_ref().unwrap();
            assert_eq!(delta.event_type, "contentBlockDelta");
            assert_eq!(
                &delta.payload[..],
                br#"{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abcd"}"#
            );
            assert_eq!(events[1].as_ref().unwrap().event_type, "chunk");
            let err = events[2].as_ref().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RateLimit);
            assert_eq!(err.status(), 429);
            assert_eq!(err.bedrock_error_type(), Some("ThrottlingException"));
            assert_eq!(
                err.message(),
                "Too many requests, please wait before trying again."
            );
            assert_eq!(err.request_id(), Some("rid"));
        }
    }

    #[test]
    fn corrupted_and_truncated_frames_are_errors() {
        let mut bad = hex(DELTA);
        let n = bad.len();
        bad[n - 10] ^= 0xff;
        let mut d = FrameDecoder::new();
        d.push(&bad);
        assert!(
            d.next_message()
                .unwrap_err()
                .message()
                .contains("message checksum")
        );

        let mut d = FrameDecoder::new();
        d.push(&hex(DELTA)[..40]);
        assert!(d.next_message().unwrap().is_none());
        assert!(
            d.finish()
                .unwrap_err()
                .message()
                .contains("ended inside a frame")
        );

        // LiteLLM #20589: a JSON error body fed to a frame decoder ("ChecksumMismatch 0x223a7b22").
        let mut d = FrameDecoder::new();
        d.push(br#"{"message":"The provided model identifier is invalid."}"#);
        assert!(
            d.next_message()
                .unwrap_err()
                .message()
                .contains("prelude checksum")
        );
    }
}

//! Writing `application/vnd.amazon.eventstream` frames the way Bedrock does.
//!
//! Written independently of the transport's decoder, so a test that sends the mock's frames
//! through the transport checks one implementation against another; both are pinned to the
//! byte-exact vectors of the wire reference (§4.6).

use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;

/// A header value, one variant per wire type (0–9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 and 1.
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
    Bytes(Vec<u8>),
    /// Type 7.
    String(String),
    /// Type 8: milliseconds since the epoch.
    Timestamp(i64),
    /// Type 9.
    Uuid([u8; 16]),
}

/// One event-stream message: headers in order and a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Headers in wire order.
    pub headers: Vec<(String, HeaderValue)>,
    /// Payload bytes.
    pub payload: Vec<u8>,
    /// Flip the last byte of the message CRC (fault injection).
    pub corrupt_crc: bool,
}

impl Frame {
    /// An event frame as Bedrock writes it: `:event-type`, `:content-type: application/json`,
    /// `:message-type: event`, in that order.
    pub fn event(event_type: &str, payload: &Value) -> Frame {
        Frame {
            headers: vec![
                (
                    ":event-type".to_owned(),
                    HeaderValue::String(event_type.to_owned()),
                ),
                (
                    ":content-type".to_owned(),
                    HeaderValue::String("application/json".to_owned()),
                ),
                (
                    ":message-type".to_owned(),
                    HeaderValue::String("event".to_owned()),
                ),
            ],
            payload: json_bytes(payload),
            corrupt_crc: false,
        }
    }

    /// An `invoke-with-response-stream` chunk: the model-native JSON `native` base64-encoded
    /// into `{"bytes": …, "p": …}` (the `p` padding proves clients ignore unknown keys).
    pub fn invoke_chunk(native: &Value) -> Frame {
        let b64 = base64::engine::general_purpose::STANDARD.encode(json_bytes(native));
        Frame::event("chunk", &serde_json::json!({"bytes": b64, "p": "abcdefgh"}))
    }

    /// An agent `chunk` event carrying answer text (base64 of the UTF-8 text).
    pub fn agent_text(text: &str) -> Frame {
        let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
        Frame::event("chunk", &serde_json::json!({"bytes": b64}))
    }

    /// A modeled exception frame (`:exception-type`, payload `{"message": …}`).
    pub fn exception(exception_type: &str, message: &str) -> Frame {
        Frame {
            headers: vec![
                (
                    ":exception-type".to_owned(),
                    HeaderValue::String(exception_type.to_owned()),
                ),
                (
                    ":content-type".to_owned(),
                    HeaderValue::String("application/json".to_owned()),
                ),
                (
                    ":message-type".to_owned(),
                    HeaderValue::String("exception".to_owned()),
                ),
            ],
            payload: json_bytes(&serde_json::json!({ "message": message })),
            corrupt_crc: false,
        }
    }

    /// An unmodeled error frame (`:error-code`, `:error-message`, empty payload).
    pub fn error(code: &str, message: &str) -> Frame {
        Frame {
            headers: vec![
                (
                    ":message-type".to_owned(),
                    HeaderValue::String("error".to_owned()),
                ),
                (
                    ":error-code".to_owned(),
                    HeaderValue::String(code.to_owned()),
                ),
                (
                    ":error-message".to_owned(),
                    HeaderValue::String(message.to_owned()),
                ),
            ],
            payload: Vec::new(),
            corrupt_crc: false,
        }
    }

    /// This frame with its message CRC corrupted.
    pub fn with_corrupt_crc(mut self) -> Frame {
        self.corrupt_crc = true;
        self
    }

    /// This frame with one more header appended.
    pub fn with_header(mut self, name: &str, value: HeaderValue) -> Frame {
        self.headers.push((name.to_owned(), value));
        self
    }

    /// The frame's bytes: prelude, prelude CRC, headers, payload, message CRC.
    pub fn encode(&self) -> Bytes {
        let mut headers = BytesMut::new();
        for (name, value) in &self.headers {
            write_header(&mut headers, name, value);
        }
        let total = 12 + headers.len() + self.payload.len() + 4;
        let mut out = BytesMut::with_capacity(total);
        out.put_u32(u32_len(total));
        out.put_u32(u32_len(headers.len()));
        let prelude_crc = crc32fast::hash(&out[..8]);
        out.put_u32(prelude_crc);
        out.put_slice(&headers);
        out.put_slice(&self.payload);
        let mut message_crc = crc32fast::hash(&out);
        if self.corrupt_crc {
            message_crc ^= 1;
        }
        out.put_u32(message_crc);
        out.freeze()
    }
}

fn u32_len(n: usize) -> u32 {
    // Frames built here are test data far below 4 GiB; saturate rather than wrap.
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn u16_len(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn write_header(out: &mut BytesMut, name: &str, value: &HeaderValue) {
    out.put_u8(u8::try_from(name.len()).unwrap_or(u8::MAX));
    out.put_slice(name.as_bytes());
    match value {
        HeaderValue::Bool(true) => out.put_u8(0),
        HeaderValue::Bool(false) => out.put_u8(1),
        HeaderValue::Byte(v) => {
            out.put_u8(2);
            out.put_i8(*v);
        }
        HeaderValue::Short(v) => {
            out.put_u8(3);
            out.put_i16(*v);
        }
        HeaderValue::Int(v) => {
            out.put_u8(4);
            out.put_i32(*v);
        }
        HeaderValue::Long(v) => {
            out.put_u8(5);
            out.put_i64(*v);
        }
        HeaderValue::Bytes(v) => {
            out.put_u8(6);
            out.put_u16(u16_len(v.len()));
            out.put_slice(v);
        }
        HeaderValue::String(v) => {
            out.put_u8(7);
            out.put_u16(u16_len(v.len()));
            out.put_slice(v.as_bytes());
        }
        HeaderValue::Timestamp(v) => {
            out.put_u8(8);
            out.put_i64(*v);
        }
        HeaderValue::Uuid(v) => {
            out.put_u8(9);
            out.put_slice(v);
        }
    }
}

/// Compact JSON bytes (Bedrock's payloads carry no whitespace).
fn json_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    // §4.6 of the wire reference: frames built by the reference author and decoded by botocore.
    const CONVERSE_DELTA: &str = "0000009f00000057c37babff0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74656e74426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d2c2270223a2261626364227df2ace5ff";
    const INVOKE_CHUNK: &str = "000000e60000004b23b8750e0b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226279746573223a2265794a306558426c496a6f695932397564475675644639696247396a6131396b5a57783059534973496d6c755a475634496a6f774c434a6b5a5778305953493665794a306558426c496a6f69644756346446396b5a57783059534973496e526c654851694f694a4961534a3966513d3d222c2270223a226162636465666768227d8ec56ae9";
    const EXCEPTION: &str = "000000b2000000613590d5d30f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227de8ffb26a";

    #[test]
    fn frames_match_the_reference_vectors_byte_for_byte() {
        let delta = Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": "Hi"}, "p": "abcd"}),
        );
        assert_eq!(hex(&delta.encode()), CONVERSE_DELTA);

        let native = json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}});
        assert_eq!(hex(&Frame::invoke_chunk(&native).encode()), INVOKE_CHUNK);

        let exc = Frame::exception(
            "throttlingException",
            "Too many requests, please wait before trying again.",
        );
        assert_eq!(hex(&exc.encode()), EXCEPTION);
    }

    #[test]
    fn corrupt_crc_changes_only_the_last_byte() {
        let f = Frame::event("x", &json!({}));
        let good = f.encode();
        let bad = f.with_corrupt_crc().encode();
        assert_eq!(good.len(), bad.len());
        assert_eq!(good[..good.len() - 1], bad[..bad.len() - 1]);
        assert_ne!(good[good.len() - 1], bad[bad.len() - 1]);
    }

    #[test]
    fn every_header_type_has_its_width() {
        let f = Frame {
            headers: vec![
                ("t".into(), HeaderValue::Bool(true)),
                ("f".into(), HeaderValue::Bool(false)),
                ("b".into(), HeaderValue::Byte(-1)),
                ("s".into(), HeaderValue::Short(2)),
                ("i".into(), HeaderValue::Int(3)),
                ("l".into(), HeaderValue::Long(4)),
                ("a".into(), HeaderValue::Bytes(vec![1, 2])),
                ("x".into(), HeaderValue::String("ok".into())),
                ("m".into(), HeaderValue::Timestamp(5)),
                ("u".into(), HeaderValue::Uuid([7; 16])),
            ],
            payload: b"{}".to_vec(),
            corrupt_crc: false,
        };
        let bytes = f.encode();
        // name (2 bytes each) + type byte + widths 0,0,1,2,4,8,2+2,2+2,8,16.
        let headers_len = 10 * 2 + 10 + (1 + 2 + 4 + 8 + 4 + 4 + 8 + 16);
        assert_eq!(
            u32::from_be_bytes(bytes[4..8].try_into().unwrap()) as usize,
            headers_len
        );
        assert_eq!(bytes.len(), 12 + headers_len + 2 + 4);
    }
}

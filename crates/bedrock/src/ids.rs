//! Response ids and timestamps (the transform makes none itself).

use std::time::{SystemTime, UNIX_EPOCH};

/// A LiteLLM-style id: `chatcmpl-<uuid v4>`.
pub(crate) fn completion_id() -> String {
    format!("chatcmpl-{}", uuid4())
}

/// A random UUID v4 (agent session ids, rerank ids).
pub(crate) fn uuid4() -> String {
    let b: [u8; 16] = rand::random();
    let mut b = b;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Unix seconds now.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

//! Response ids and timestamps (the transform makes none itself).

use std::time::{SystemTime, UNIX_EPOCH};

const PREFIX: &str = "chatcmpl-";

/// A LiteLLM-style id: `chatcmpl-<uuid v4>`.
pub(crate) fn completion_id() -> String {
    let mut id = String::with_capacity(PREFIX.len() + 36);
    id.push_str(PREFIX);
    push_uuid4(&mut id);
    id
}

/// A random UUID v4 (agent session ids, rerank ids).
pub(crate) fn uuid4() -> String {
    let mut id = String::with_capacity(36);
    push_uuid4(&mut id);
    id
}

/// Append a random UUID v4 in its 8-4-4-4-12 lowercase hex form. Written digit by digit: this
/// runs once per response, and `format!` per byte cost more than the rest of the id.
fn push_uuid4(out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 0x0f)]));
    }
}

/// Unix seconds now.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_uuid4(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
            && s.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
            && parts[2].starts_with('4')
            && matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b')
    }

    #[test]
    fn ids_are_uuid4_shaped_and_distinct() {
        let a = uuid4();
        let b = uuid4();
        assert!(is_uuid4(&a), "{a}");
        assert_ne!(a, b);
        let c = completion_id();
        assert!(c.strip_prefix("chatcmpl-").is_some_and(is_uuid4), "{c}");
    }
}

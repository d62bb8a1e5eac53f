//! Percent-encoding of URI labels, the way botocore and LiteLLM encode model ids.

/// Percent-encode `s` leaving only RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// as-is, so `:` becomes `%3A` and `/` becomes `%2F` (Python's `quote(s, safe="")`).
pub fn encode_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(
            encode_label("anthropic.claude-3-haiku-20240307-v1:0"),
            "anthropic.claude-3-haiku-20240307-v1%3A0"
        );
        assert_eq!(
            encode_label("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x-v1:0"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.x-v1%3A0"
        );
        assert_eq!(encode_label("a b~é"), "a%20b~%C3%A9");
    }
}

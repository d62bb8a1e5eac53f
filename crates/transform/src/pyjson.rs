//! JSON text the way Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII
//! escaped as `\uXXXX`).
//!
//! LiteLLM turns tool-call inputs into `arguments` strings with `json.dumps`, and users compare
//! those strings; writing them the same way keeps such code working.

use serde_json::Value;

/// `json.dumps(value)`.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(k, out);
                out.push_str(": ");
                write(v, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps() {
        assert_eq!(
            dumps(&json!({"location": "San Francisco, CA", "unit": "celsius"})),
            r#"{"location": "San Francisco, CA", "unit": "celsius"}"#
        );
        assert_eq!(
            dumps(&json!({"a": [1, 2.5, null, true], "é": "日\n"})),
            r#"{"a": [1, 2.5, null, true], "\u00e9": "\u65e5\n"}"#
        );
        assert_eq!(dumps(&json!({"e": "😀"})), r#"{"e": "\ud83d\ude00"}"#);
    }
}

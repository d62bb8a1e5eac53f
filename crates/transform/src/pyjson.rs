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
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => push_float(f, out),
            None => out.push_str(&n.to_string()),
        },
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

/// Python's `repr(float)` (also `str(float)` and what `json.dumps` writes for a float): the
/// shortest digits that read back as the same value, in fixed notation for decimal exponents
/// from -4 to 15 (always with a fractional part, `1.0`) and in scientific notation outside it
/// with a signed exponent of at least two digits (`1.5e-05`, `1e+16`).
pub fn float_repr(v: f64) -> String {
    let mut out = String::new();
    push_float(v, &mut out);
    out
}

fn push_float(v: f64, out: &mut String) {
    if !v.is_finite() {
        out.push_str(if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    // Rust's `{:e}` gives the same shortest round-trip digits, as `d[.ddd]e[-]x`.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    out.push_str(sign);
    if !(-4..16).contains(&exp) {
        out.push_str(mantissa);
        out.push_str(if exp < 0 { "e-" } else { "e+" });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
        return;
    }
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(int_len);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
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
        assert_eq!(
            dumps(&json!({"small": 1.5e-5, "big": 1e16, "x": 100.0})),
            r#"{"small": 1.5e-05, "big": 1e+16, "x": 100.0}"#
        );
    }

    #[test]
    fn float_repr_matches_python() {
        // Each pair is Python 3.11's `repr(x)` for the same double.
        for (v, py) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.625e-5, "1.625e-05"),
            (1.6250000000000002e-05, "1.6250000000000002e-05"),
            (0.00012345, "0.00012345"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1.2345678901234568e+17, "1.2345678901234568e+17"),
            (-2.5e-7, "-2.5e-07"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
        ] {
            assert_eq!(float_repr(v), py, "{v:e}");
        }
    }
}

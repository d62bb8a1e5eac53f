//! JSON text the way Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII
//! escaped as `\uXXXX`).
//!
//! LiteLLM turns tool-call inputs into `arguments` strings with `json.dumps`, and users compare
//! those strings; writing them the same way keeps such code working.

use std::fmt;

use serde_json::Value;

/// `json.dumps(value)`.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write(value, Style::Json, &mut out);
    out
}

/// Python's `repr()` of the value JSON `value` reads as (`{'k': 'v', 'n': 2}`, `True`, `None`):
/// what LiteLLM's messages show when they format a dict.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write(value, Style::Repr, &mut out);
    out
}

/// Which Python text: `json.dumps` or `repr`. They differ only in `null`/`true`/`false` and in
/// how strings are quoted.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Json,
    Repr,
}

fn write(value: &Value, style: Style, out: &mut String) {
    let text = |s: &str, out: &mut String| match style {
        Style::Json => write_str(s, out),
        Style::Repr => str_repr(s, out),
    };
    match value {
        Value::Null => out.push_str(if style == Style::Json { "null" } else { "None" }),
        Value::Bool(b) => out.push_str(match (style, *b) {
            (Style::Json, true) => "true",
            (Style::Json, false) => "false",
            (Style::Repr, true) => "True",
            (Style::Repr, false) => "False",
        }),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => push_float(f, out),
            None => out.push_str(&n.to_string()),
        },
        Value::String(s) => text(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(v, style, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                text(k, out);
                out.push_str(": ");
                write(v, style, out);
            }
            out.push('}');
        }
    }
}

/// `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash, the quote and
/// control characters escaped.
fn str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
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
    // Rust's `{:e}` gives the same shortest round-trip digits, as `d[.ddd]e[-]x`; written into a
    // stack buffer (at most 17 digits, a point, a sign and `e-324`), since this runs for every
    // cost header.
    let mut buf = SciBuf::default();
    if fmt::Write::write_fmt(&mut buf, format_args!("{v:e}")).is_err() {
        out.push_str(&v.to_string());
        return;
    }
    let sci = buf.as_str();
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
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
        // Decimal exponents of a double have at most 3 digits.
        for d in [e / 100, e / 10 % 10, e % 10]
            .into_iter()
            .skip_while(|d| *d == 0)
        {
            out.push(char::from(b'0' + d as u8));
        }
        return;
    }
    let (int_digit, frac_digits) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The significant digits without the point, as `int_digit` then `frac_digits`.
    let digits = || int_digit.chars().chain(frac_digits.chars());
    let n_digits = int_digit.len() + frac_digits.len();
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.extend(digits());
    } else {
        let int_len = exp as usize + 1;
        if n_digits <= int_len {
            out.extend(digits());
            for _ in n_digits..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.extend(digits().take(int_len));
            out.push('.');
            out.extend(digits().skip(int_len));
        }
    }
}

/// A fixed buffer `{:e}` of a finite double fits in (`-d.ddddddddddddddddde-324`).
#[derive(Default)]
struct SciBuf {
    bytes: [u8; 32],
    len: usize,
}

impl SciBuf {
    fn as_str(&self) -> &str {
        // Only `write_str` fills it, with whole `&str`s.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("0e0")
    }
}

impl fmt::Write for SciBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
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

    /// Python's rules written the plain way (one `String` per step), to hold the
    /// allocation-free writer to over many doubles.
    fn float_repr_plain(v: f64) -> String {
        let sci = format!("{v:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap();
        let exp: i32 = exp.parse().unwrap();
        let (sign, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => ("-", m),
            None => ("", mantissa),
        };
        if !(-4..16).contains(&exp) {
            let e = if exp < 0 { "-" } else { "+" };
            return format!("{sign}{mantissa}e{e}{:02}", exp.unsigned_abs());
        }
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        if exp < 0 {
            return format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize));
        }
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }

    #[test]
    fn float_repr_agrees_with_the_plain_rules_and_reads_back() {
        // Bit patterns spread over every exponent, both signs and short and long mantissas.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 3 {
                0 => f64::from_bits(x),
                // Few significant digits, as prices and costs have.
                1 => (x % 100_000) as f64 * 10f64.powi((x % 41) as i32 - 20),
                _ => (x % 1000) as f64 / 1000.0,
            };
            if !v.is_finite() {
                continue;
            }
            let got = float_repr(v);
            assert_eq!(got, float_repr_plain(v), "{v:e}");
            assert_eq!(got.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{got}");
        }
    }
}

//! A parser for the AWS shared config and credentials files.
//!
//! Follows the AWS SDKs' rules rather than generic INI: full-line comments start with `#` or
//! `;`; on property lines a comment starts only at ` #`/` ;` (whitespace before it), so
//! `secret=ab#c` keeps its `#`; section names are trimmed; property names are trimmed and
//! lower-cased (botocore's configparser does the same); a line starting with whitespace continues
//! the previous property (joined with `\n`), which for an empty value makes sub-properties
//! (`[services x]` / `bedrock-runtime =` / `  endpoint_url = …`).

use crate::error::AuthError;

/// One `[section]` with its properties in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The header text between the brackets, trimmed (e.g. `profile dev`).
    pub header: String,
    /// `(name, value)` pairs; later duplicates win on lookup.
    pub properties: Vec<(String, String)>,
    /// Line of the header (1-based), for messages.
    pub line: usize,
}

impl Section {
    /// The last value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parse `text` (the contents of `path`, which is only used in error messages).
pub fn parse(text: &str, path: &str) -> Result<Vec<Section>, AuthError> {
    let mut sections: Vec<Section> = Vec::new();
    // Whether the last line was a property (so an indented line continues it).
    let mut in_property = false;
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let err = |message: &str| AuthError::ProfileParse {
            path: path.to_owned(),
            line: line_no,
            message: message.to_owned(),
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if indented && in_property && !trimmed.starts_with('[') {
            let section = sections
                .last_mut()
                .ok_or_else(|| err("continuation line outside a section"))?;
            let prop = section
                .properties
                .last_mut()
                .ok_or_else(|| err("continuation line without a property"))?;
            let value = strip_inline_comment(trimmed);
            if !prop.1.is_empty() {
                prop.1.push('\n');
            }
            prop.1.push_str(value);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let close = rest
                .find(']')
                .ok_or_else(|| err("section header without a closing `]`"))?;
            let after = rest[close + 1..].trim();
            if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
                return Err(err("unexpected text after the section header"));
            }
            let header = rest[..close].trim();
            if header.is_empty() {
                return Err(err("empty section name"));
            }
            sections.push(Section {
                header: header.to_owned(),
                properties: Vec::new(),
                line: line_no,
            });
            in_property = false;
            continue;
        }
        let section = sections
            .last_mut()
            .ok_or_else(|| err("property before any [section]"))?;
        let eq = trimmed
            .find('=')
            .ok_or_else(|| err("expected `name = value`"))?;
        let name = trimmed[..eq].trim();
        if name.is_empty() {
            return Err(err("property without a name"));
        }
        let value = strip_inline_comment(trimmed[eq + 1..].trim());
        section
            .properties
            .push((name.to_ascii_lowercase(), value.to_owned()));
        in_property = true;
    }
    Ok(sections)
}

/// Drop a ` #…` or ` ;…` comment (only when whitespace precedes the marker).
fn strip_inline_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b'#' || bytes[i] == b';') && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t')
        {
            return value[..i].trim_end();
        }
    }
    value
}

/// Parse the sub-properties of a value written as an indented block (`[services x]`).
pub fn sub_properties(value: &str) -> Vec<(String, String)> {
    value
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_continuations_and_sub_properties() {
        let text = "# top\n[default]\nregion = us-east-1 ; trailing\nsecret = ab#c;d\n\
                    [ profile  x ] # c\ncredential_process = helper run \\\n    --flag a \\\n    --b\n\
                    [services s]\nbedrock-runtime =\n  endpoint_url = http://127.0.0.1:1\n";
        let s = parse(text, "cfg").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].get("region"), Some("us-east-1"));
        assert_eq!(s[0].get("secret"), Some("ab#c;d"));
        assert_eq!(s[1].header, "profile  x");
        assert_eq!(
            s[1].get("credential_process"),
            Some("helper run \\\n--flag a \\\n--b")
        );
        let sub = sub_properties(s[2].get("bedrock-runtime").unwrap());
        assert_eq!(
            sub,
            vec![("endpoint_url".into(), "http://127.0.0.1:1".into())]
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("[default]\nno equals here\n", "/x/config").unwrap_err();
        assert_eq!(e.to_string(), "/x/config:2: expected `name = value`");
        let e = parse("region = x\n", "/x/config").unwrap_err();
        assert_eq!(e.to_string(), "/x/config:1: property before any [section]");
        let e = parse("[default\n", "c").unwrap_err();
        assert!(e.to_string().contains("c:1:"));
    }
}

//! The one reversible tool-name sanitiser.
//!
//! Bedrock tool names must match `[a-zA-Z0-9_-]+` (≤ 64 chars, starting with a letter). The same
//! mapping is applied to tool specs, to tool calls in the history and to `tool_choice`, and the
//! map travels with the request to the response side, which restores the caller's names. No
//! global cache (LiteLLM keeps one, and got specs and history out of step: PR #28874).

/// Original ↔ Bedrock-safe tool names for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolNameMap {
    /// (bedrock name, original name) for every name that had to change.
    renamed: Vec<(String, String)>,
}

impl ToolNameMap {
    /// The Bedrock-safe name for `original`, recording the mapping when it changes.
    pub fn to_bedrock(&mut self, original: &str) -> String {
        if let Some((b, _)) = self.renamed.iter().find(|(_, o)| o == original) {
            return b.clone();
        }
        let safe = sanitize(original);
        if safe != original {
            // Two originals sanitising to the same name get distinct suffixes.
            let mut candidate = safe.clone();
            let mut n = 1;
            while self.renamed.iter().any(|(b, _)| *b == candidate) {
                n += 1;
                let suffix = format!("_{n}");
                let keep = 64usize.saturating_sub(suffix.len()).min(safe.len());
                candidate = format!("{}{suffix}", &safe[..keep]);
            }
            self.renamed.push((candidate.clone(), original.to_owned()));
            return candidate;
        }
        safe
    }

    /// The caller's name for a name Bedrock returned.
    pub fn to_original<'a>(&'a self, bedrock: &'a str) -> &'a str {
        self.renamed
            .iter()
            .find(|(b, _)| b == bedrock)
            .map(|(_, o)| o.as_str())
            .unwrap_or(bedrock)
    }

    /// Whether any name was changed.
    pub fn is_empty(&self) -> bool {
        self.renamed.is_empty()
    }
}

/// Replace characters outside `[a-zA-Z0-9_-]` with `_`, prefix `t_` when the name does not start
/// with a letter, and cut to 64 characters.
pub fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "t_");
    }
    out.truncate(64);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_renamed_names() {
        let mut map = ToolNameMap::default();
        assert_eq!(map.to_bedrock("get_weather"), "get_weather");
        assert_eq!(map.to_bedrock("get-time"), "get-time");
        assert_eq!(map.to_bedrock("search.web"), "search_web");
        assert_eq!(map.to_bedrock("search web"), "search_web_2");
        assert_eq!(map.to_bedrock("9lives"), "t_9lives");
        assert_eq!(map.to_bedrock("search.web"), "search_web");
        assert_eq!(map.to_original("search_web"), "search.web");
        assert_eq!(map.to_original("search_web_2"), "search web");
        assert_eq!(map.to_original("t_9lives"), "9lives");
        assert_eq!(map.to_original("get_weather"), "get_weather");
        assert_eq!(sanitize(&"x".repeat(80)).len(), 64);
    }
}

//! What the message-list invoke families share: the invoke request parts, the `{"bytes"}`
//! stream chunk, usage from bodies, headers and `amazon-bedrock-invocationMetrics`, finish
//! reasons, and LiteLLM's `<reasoning>…</reasoning>` split (whole and streaming).

use bedrock_types::chat::JsonObject;
use bedrock_types::response::{CompletionTokensDetails, PromptTokensDetails};
use bedrock_types::{
    ChatCompletionRequest, Error, ErrorKind, FinishReason, Result, StreamEvent, Usage,
};
use serde_json::Value;

use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// OpenAI parameters LiteLLM never checks against a family's list (`PROVIDER_UNVALIDATED_PARAMS`
/// minus `user`, which [`crate::config::check_supported`] always accepts).
pub(super) const UNVALIDATED: &[&str] = &["stream", "stream_options"];

/// `supported` plus the parameters LiteLLM never validates, without duplicates.
pub(super) fn with_unvalidated(mut supported: Vec<&'static str>) -> Vec<&'static str> {
    for p in UNVALIDATED {
        if !supported.contains(p) {
            supported.push(p);
        }
    }
    supported
}

/// Serialise a body as the exact bytes to sign.
pub(super) fn body_bytes(body: &Value, family: &str) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("serialising the {family} invoke body failed: {e}"),
        )
    })
}

/// `POST /model/{id}/invoke` (or `/invoke-with-response-stream` when the caller streams) with
/// `accept: application/json` and the invoke headers.
pub(super) fn invoke_parts(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
) -> HttpRequestParts {
    crate::invoke::request_parts(route, req.is_stream(), body, headers)
}

/// A 2xx body that is not the JSON the family promises: LiteLLM's 422.
pub(super) fn bad_reply(family: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("Bedrock returned a {family} reply that cannot be read: {why}"),
    )
    .with_status(422)
}

/// The reply body as JSON.
pub(super) fn json_body(family: &str, response: &HttpResponseParts<'_>) -> Result<Value> {
    serde_json::from_slice(response.body)
        .map_err(|e| bad_reply(family, format_args!("not JSON ({e})")))
}

/// Decode an invoke `chunk` event's `{"bytes": base64}` payload into the model-native JSON
/// chunk; other event types yield `None`.
pub(super) fn decode_chunk(event: &StreamEvent) -> Result<Option<Value>> {
    crate::invoke::decode_chunk(event, false)
}

/// Usage from input and output counts (no cache, no reasoning split).
pub(super) fn plain_usage(prompt: u64, completion: u64, total: Option<u64>) -> Usage {
    Usage {
        completion_tokens: completion,
        prompt_tokens: prompt,
        total_tokens: total.unwrap_or(prompt + completion),
        ..Usage::default()
    }
}

/// Usage from the `x-amzn-bedrock-input-token-count` / `-output-token-count` headers (LiteLLM's
/// base invoke config), when both are there.
pub(super) fn usage_from_headers(response: &HttpResponseParts<'_>) -> Option<Usage> {
    let n = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let input = n("x-amzn-bedrock-input-token-count")?;
    let output = n("x-amzn-bedrock-output-token-count")?;
    Some(plain_usage(input, output, None))
}

/// Usage from a final stream chunk's `amazon-bedrock-invocationMetrics`.
pub(super) fn usage_from_metrics(chunk: &Value) -> Option<Usage> {
    let m = chunk.get("amazon-bedrock-invocationMetrics")?;
    let n = |k: &str| m.get(k).and_then(Value::as_u64);
    let input = n("inputTokenCount")?;
    let output = n("outputTokenCount").unwrap_or(0);
    let read = n("cacheReadInputTokenCount").unwrap_or(0);
    let write = n("cacheWriteInputTokenCount").unwrap_or(0);
    let mut usage = plain_usage(input + read + write, output, None);
    if read > 0 || write > 0 {
        usage.prompt_tokens_details = Some(PromptTokensDetails {
            cached_tokens: Some(read),
            cache_write_tokens: Some(write),
            text_tokens: Some(input),
            cache_creation_tokens: Some(write),
            cache_creation_token_details: None,
        });
        usage.cache_read_input_tokens = Some(read);
        usage.cache_creation_input_tokens = Some(write);
    }
    Some(usage)
}

/// OpenAI `usage` (`prompt_tokens`, `completion_tokens`, `total_tokens`, optional details).
pub(super) fn usage_from_openai(u: &Value) -> Option<Usage> {
    let obj = u.as_object()?;
    let n = |k: &str| obj.get(k).and_then(Value::as_u64);
    let prompt = n("prompt_tokens").unwrap_or(0);
    let completion = n("completion_tokens").unwrap_or(0);
    let mut usage = plain_usage(prompt, completion, n("total_tokens"));
    if let Some(r) = u
        .pointer("/completion_tokens_details/reasoning_tokens")
        .and_then(Value::as_u64)
    {
        usage.completion_tokens_details = Some(CompletionTokensDetails {
            reasoning_tokens: Some(r),
            text_tokens: Some(completion.saturating_sub(r)),
        });
    }
    if let Some(c) = u
        .pointer("/prompt_tokens_details/cached_tokens")
        .and_then(Value::as_u64)
    {
        usage.prompt_tokens_details = Some(PromptTokensDetails {
            cached_tokens: Some(c),
            ..PromptTokensDetails::default()
        });
    }
    Some(usage)
}

/// LiteLLM's `map_finish_reason` over the vocabularies these families use (OpenAI's, Bedrock's,
/// TwelveLabs'); anything unknown is `stop`.
pub(super) fn finish_reason(raw: &str) -> FinishReason {
    match raw {
        "length" | "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_calls" | "tool_use" => FinishReason::ToolCalls,
        "content_filter" | "guardrail_intervened" | "content_filtered" => {
            FinishReason::ContentFilter
        }
        "function_call" => FinishReason::FunctionCall,
        _ => FinishReason::Stop,
    }
}

/// Split provider params into invoke headers (guardrails, latency, tier, metadata) and the ones
/// that stay in the body (see [`crate::invoke_headers::split_invoke_params`]).
pub(super) fn split_params(
    req: &ChatCompletionRequest,
) -> Result<(Vec<(String, String)>, JsonObject)> {
    crate::invoke_headers::split_invoke_params(&req.provider_params)
}

const OPEN: &str = "<reasoning>";
const CLOSE: &str = "</reasoning>";

/// LiteLLM's `_extract_reasoning_from_content`: `^<reasoning>(.*?)</reasoning>\s*(.*)$` (dot
/// matches newlines), both parts stripped. `None` when the content does not start with the tag
/// or the reasoning is blank (then the content is returned unchanged, as LiteLLM does).
pub(super) fn split_reasoning(content: &str) -> (Option<String>, String) {
    if let Some(rest) = content.strip_prefix(OPEN)
        && let Some(end) = rest.find(CLOSE)
    {
        let reasoning = rest[..end].trim();
        if !reasoning.is_empty() {
            let main = rest[end + CLOSE.len()..].trim();
            return (Some(reasoning.to_owned()), main.to_owned());
        }
    }
    (None, content.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SplitState {
    /// Nothing but (a possible prefix of) `<reasoning>` seen yet.
    Start,
    /// Inside the reasoning block.
    Reasoning,
    /// Past the reasoning block (or there was none).
    Content,
}

/// The streaming form of [`split_reasoning`]: text deltas in, (reasoning, content) pieces out.
/// A tag may be cut across chunks, so the shortest ambiguous tail is held back until the next
/// delta (or the end of the stream).
#[derive(Debug, Clone)]
pub(super) struct ReasoningSplitter {
    state: SplitState,
    held: String,
    /// Strip whitespace at the start of the reasoning / right after the closing tag.
    trim_next: bool,
}

impl Default for ReasoningSplitter {
    fn default() -> Self {
        ReasoningSplitter {
            state: SplitState::Start,
            held: String::new(),
            trim_next: false,
        }
    }
}

/// The longest suffix of `s` that is a proper prefix of `tag`, as a byte index into `s`.
fn ambiguous_tail(s: &str, tag: &str) -> usize {
    for start in (0..s.len()).filter(|i| s.is_char_boundary(*i)) {
        let tail = &s[start..];
        if tail.len() < tag.len() && tag.starts_with(tail) {
            return start;
        }
    }
    s.len()
}

impl ReasoningSplitter {
    /// Feed one text delta; returns `(reasoning, content)` to emit (either may be empty).
    pub(super) fn push(&mut self, text: &str) -> (String, String) {
        let mut reasoning = String::new();
        let mut content = String::new();
        self.held.push_str(text);
        loop {
            match self.state {
                SplitState::Start => {
                    if let Some(rest) = self.held.strip_prefix(OPEN) {
                        self.held = rest.to_owned();
                        self.state = SplitState::Reasoning;
                        self.trim_next = true;
                        continue;
                    }
                    if OPEN.starts_with(self.held.as_str()) {
                        return (reasoning, content); // still ambiguous
                    }
                    self.state = SplitState::Content;
                    content.push_str(&std::mem::take(&mut self.held));
                    return (reasoning, content);
                }
                SplitState::Reasoning => {
                    if self.trim_next {
                        let t = self.held.trim_start().to_owned();
                        if t.is_empty() {
                            self.held.clear();
                            return (reasoning, content);
                        }
                        self.held = t;
                        self.trim_next = false;
                    }
                    if let Some(end) = self.held.find(CLOSE) {
                        reasoning.push_str(&self.held[..end]);
                        self.held = self.held[end + CLOSE.len()..].to_owned();
                        self.state = SplitState::Content;
                        self.trim_next = true;
                        continue;
                    }
                    let cut = ambiguous_tail(&self.held, CLOSE);
                    reasoning.push_str(&self.held[..cut]);
                    self.held = self.held[cut..].to_owned();
                    return (reasoning, content);
                }
                SplitState::Content => {
                    let mut held = std::mem::take(&mut self.held);
                    if self.trim_next {
                        held = held.trim_start().to_owned();
                        if held.is_empty() {
                            return (reasoning, content);
                        }
                        self.trim_next = false;
                    }
                    content.push_str(&held);
                    return (reasoning, content);
                }
            }
        }
    }

    /// The stream ended: whatever was held back, as `(reasoning, content)`.
    pub(super) fn finish(&mut self) -> (String, String) {
        let held = std::mem::take(&mut self.held);
        match self.state {
            SplitState::Reasoning => (held, String::new()),
            _ => (String::new(), held),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_split_matches_litellm() {
        assert_eq!(
            split_reasoning("<reasoning> a\nb </reasoning>\n\n The answer. "),
            (Some("a\nb".to_owned()), "The answer.".to_owned())
        );
        assert_eq!(split_reasoning("no tags"), (None, "no tags".to_owned()));
        assert_eq!(
            split_reasoning(" <reasoning>x</reasoning>y"),
            (None, " <reasoning>x</reasoning>y".to_owned())
        );
        assert_eq!(
            split_reasoning("<reasoning>unterminated"),
            (None, "<reasoning>unterminated".to_owned())
        );
    }

    #[test]
    fn streaming_split_handles_tags_cut_anywhere() {
        let text = "<reasoning>think hard</reasoning>\n\nAnswer: 4";
        for cut in 1..text.len() {
            for cut2 in cut..text.len() {
                let mut s = ReasoningSplitter::default();
                let (mut r, mut c) = (String::new(), String::new());
                for piece in [&text[..cut], &text[cut..cut2], &text[cut2..]] {
                    let (a, b) = s.push(piece);
                    r.push_str(&a);
                    c.push_str(&b);
                }
                let (a, b) = s.finish();
                r.push_str(&a);
                c.push_str(&b);
                assert_eq!(
                    (r.as_str(), c.as_str()),
                    ("think hard", "Answer: 4"),
                    "{cut} {cut2}"
                );
            }
        }
    }

    #[test]
    fn streaming_without_tags_is_content() {
        let mut s = ReasoningSplitter::default();
        assert_eq!(s.push("<rea"), (String::new(), String::new()));
        assert_eq!(s.push("d this"), (String::new(), "<read this".to_owned()));
        assert_eq!(s.push(" more"), (String::new(), " more".to_owned()));
        assert_eq!(s.finish(), (String::new(), String::new()));
    }
}

//! Reasoning in replies, as LiteLLM reads it: `<think>` prefixes in text, and how many of the
//! output tokens were reasoning (`usage.completion_tokens_details`).

use bedrock_types::response::CompletionTokensDetails;

use crate::tokens;

const OPEN: [&str; 3] = ["<think>", "<thinking>", "<budget:thinking>"];
const CLOSE: [&str; 3] = ["</think>", "</thinking>", "</budget:thinking>"];

/// A text that opens with `<think>` (or `<thinking>`, `<budget:thinking>`) and closes it later
/// → (the reasoning, the rest). LiteLLM's
/// `<(?:think|thinking|budget:thinking)>(.*?)</(?:think|thinking|budget:thinking)>(.*)`, matched
/// at the start (DOTALL): the first closing tag of any of the three names ends the reasoning.
pub(crate) fn split_think_tags(text: &str) -> Option<(&str, &str)> {
    let open = OPEN.iter().find(|o| text.starts_with(**o))?;
    let body = &text[open.len()..];
    let (at, close) = body
        .char_indices()
        .filter(|(_, c)| *c == '<')
        .find_map(|(i, _)| {
            CLOSE
                .iter()
                .find(|c| body[i..].starts_with(**c))
                .map(|c| (i, c))
        })?;
    Some((&body[..at], &body[at + close.len()..]))
}

/// Converse's split (LiteLLM's `AmazonConverseConfig.transform_usage`): the count Bedrock
/// reports under `additionalModelResponseFields.usage.output_tokens_details.thinking_tokens`
/// (capped at the output), else the reasoning text's cl100k token count; with none of either,
/// a reply that had reasoning blocks reports neither number, one without reports 0 and all.
pub(crate) fn converse_details(
    output: u64,
    reasoning: Option<&str>,
    reported: Option<u64>,
) -> CompletionTokensDetails {
    let estimated = reasoning.filter(|r| !r.is_empty()).map_or(0, tokens::count);
    // LiteLLM does not cap the estimate and can report negative text tokens; capped here.
    let reasoning_tokens = reported.unwrap_or(estimated).min(output);
    split(output, reasoning_tokens, reasoning.is_some())
}

/// Anthropic's split (LiteLLM's `AnthropicConfig._build_completion_token_details`): the
/// reported `output_tokens_details.thinking_tokens`, else the estimate from the reasoning text,
/// both capped at the output; a reply with only redacted thinking reports neither number.
pub(crate) fn anthropic_details(
    output: u64,
    reasoning: Option<&str>,
    reported: Option<u64>,
    had_thinking_block: bool,
) -> CompletionTokensDetails {
    if let Some(r) = reported {
        let r = r.min(output);
        return details(Some(r), Some(output - r));
    }
    match reasoning.filter(|r| !r.is_empty()) {
        Some(text) => {
            let r = tokens::count(text).min(output);
            details(Some(r), Some(output - r))
        }
        None => split(output, 0, had_thinking_block),
    }
}

fn split(output: u64, reasoning_tokens: u64, thinking_ran: bool) -> CompletionTokensDetails {
    if reasoning_tokens > 0 {
        details(Some(reasoning_tokens), Some(output - reasoning_tokens))
    } else if thinking_ran {
        details(None, None)
    } else {
        details(Some(0), Some(output))
    }
}

fn details(reasoning_tokens: Option<u64>, text_tokens: Option<u64>) -> CompletionTokensDetails {
    CompletionTokensDetails {
        reasoning_tokens,
        text_tokens,
    }
}

/// `output_tokens_details.thinking_tokens` of an Anthropic-shaped usage object.
pub(crate) fn reported_thinking_tokens(usage: Option<&serde_json::Value>) -> Option<u64> {
    usage?
        .get("output_tokens_details")?
        .get("thinking_tokens")?
        .as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_tags_split_at_the_first_close_of_any_name() {
        assert_eq!(split_think_tags("<think>a</think>b"), Some(("a", "b")));
        assert_eq!(
            split_think_tags("<thinking>x\ny</think>rest</thinking>z"),
            Some(("x\ny", "rest</thinking>z"))
        );
        assert_eq!(
            split_think_tags("<budget:thinking></budget:thinking>"),
            Some(("", ""))
        );
        assert_eq!(split_think_tags("<think>never closed"), None);
        assert_eq!(split_think_tags(" <think>a</think>b"), None);
        assert_eq!(split_think_tags("plain"), None);
        assert_eq!(split_think_tags("<think>é<</think>ü"), Some(("é<", "ü")));
    }

    #[test]
    fn converse_split_follows_litellm() {
        let d = converse_details(20, None, None);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(0), Some(20)));
        // Only redacted reasoning: a reasoning block, no text.
        let d = converse_details(20, Some(""), None);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (None, None));
        let d = converse_details(20, Some("Thinking hard."), None);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(3), Some(17)));
        let d = converse_details(20, Some("Thinking hard."), Some(7));
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(7), Some(13)));
        let d = converse_details(5, Some("x"), Some(70));
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(5), Some(0)));
    }

    #[test]
    fn anthropic_split_follows_litellm() {
        let d = anthropic_details(22, None, None, false);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(0), Some(22)));
        let d = anthropic_details(22, Some(""), None, true);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (None, None));
        let d = anthropic_details(22, Some("Hmm."), None, true);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(2), Some(20)));
        let d = anthropic_details(22, Some("Hmm."), Some(0), true);
        assert_eq!((d.reasoning_tokens, d.text_tokens), (Some(0), Some(22)));
    }
}

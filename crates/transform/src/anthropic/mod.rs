//! Anthropic Claude: what Converse and the invoke Messages body share (thinking plan,
//! `anthropic-beta` parsing, computer-use betas), and the invoke config itself.

mod messages;

use bedrock_types::{ChatCompletionRequest, Error, Result};
use serde_json::Value;

pub use messages::{AnthropicMessagesConfig, AnthropicStreamDecoder};

/// LiteLLM's `DEFAULT_MAX_TOKENS`, added to the thinking budget when `max_tokens` is unset.
pub const DEFAULT_MAX_TOKENS: u64 = 4096;
/// Bedrock's (and LiteLLM's) minimum thinking budget.
pub const MIN_THINKING_BUDGET: u64 = 1024;

/// How a Claude model should think for this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThinkingPlan {
    /// `{"type": "enabled", "budget_tokens": N}`.
    Budget(u64),
    /// `{"type": "adaptive"}` plus `output_config: {"effort": …}` (Claude 4.6+).
    Adaptive(String),
}

/// Claude models that think adaptively.
pub fn is_adaptive(base_model: &str) -> bool {
    [
        "opus-4-6",
        "opus-4-7",
        "opus-4-8",
        "sonnet-4-6",
        "sonnet-4-7",
    ]
    .iter()
    .any(|m| base_model.contains(m))
}

/// `reasoning_effort` / `thinking` → a plan (LiteLLM: low 1024, medium 2048, high 4096 tokens;
/// budgets floored at 1024; `none` and `disabled` turn thinking off; unknown efforts are 400s).
pub fn thinking_plan(
    base_model: &str,
    req: &ChatCompletionRequest,
    dropped: &[String],
) -> Result<Option<ThinkingPlan>> {
    let effort = req
        .reasoning_effort
        .as_deref()
        .filter(|_| !dropped.iter().any(|d| d == "reasoning_effort"));
    let thinking = req
        .thinking
        .as_ref()
        .filter(|_| !dropped.iter().any(|d| d == "thinking"));
    if let Some(e) = effort
        && !matches!(
            e,
            "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max"
        )
    {
        return Err(Error::invalid_field(
            "reasoning_effort",
            format_args!("one of none, minimal, low, medium, high, xhigh, max, got `{e}`"),
        ));
    }
    if is_adaptive(base_model) && thinking.is_none() {
        return Ok(effort
            .filter(|e| *e != "none")
            .map(|e| ThinkingPlan::Adaptive(if e == "minimal" { "low" } else { e }.to_owned())));
    }
    let budget = match (thinking, effort) {
        (Some(t), _) if t.kind == "disabled" => return Ok(None),
        (Some(t), _) => t
            .budget_tokens
            .map(u64::from)
            .unwrap_or(MIN_THINKING_BUDGET),
        (None, Some("none")) | (None, None) => return Ok(None),
        (None, Some("minimal" | "low")) => 1024,
        (None, Some("medium")) => 2048,
        (None, Some(_)) => 4096,
    };
    Ok(Some(ThinkingPlan::Budget(budget.max(MIN_THINKING_BUDGET))))
}

/// Betas Bedrock does not accept (LiteLLM filters the same ones).
const UNSUPPORTED_BETAS: &[&str] = &["advanced-tool-use", "prompt-caching", "compact-2026-01-12"];

/// The `anthropic-beta` extra header (comma list or JSON array), in order, deduplicated, with
/// betas Bedrock rejects removed.
pub fn betas_from_headers(req: &ChatCompletionRequest) -> Result<Vec<String>> {
    let mut betas: Vec<String> = Vec::new();
    let header = req.extra_headers.as_ref().and_then(|h| {
        h.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("anthropic-beta"))
            .map(|(_, v)| v)
    });
    match header {
        Some(Value::String(s)) => {
            let parsed: Option<Vec<String>> = if s.trim_start().starts_with('[') {
                serde_json::from_str(s).ok()
            } else {
                None
            };
            match parsed {
                Some(list) => betas.extend(list),
                None => betas.extend(
                    s.split(',')
                        .map(|b| b.trim().to_owned())
                        .filter(|b| !b.is_empty()),
                ),
            }
        }
        Some(Value::Array(items)) => {
            betas.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        Some(_) => {
            return Err(Error::invalid_field(
                "extra_headers.anthropic-beta",
                "a comma-separated string or a list of strings",
            ));
        }
        None => {}
    }
    Ok(dedup_supported(betas))
}

/// Drop duplicates and betas Bedrock rejects, keeping the first occurrence's order.
pub fn dedup_supported(betas: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in betas {
        if !UNSUPPORTED_BETAS.contains(&b.as_str()) && !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// LiteLLM 1.103.7's `anthropic_beta_headers_config.json`, `bedrock_converse`: the betas
/// Converse takes. Every other one, known or not, is dropped from the caller's list.
const CONVERSE_BETAS: &[&str] = &[
    "computer-use-2025-01-24",
    "computer-use-2025-11-24",
    "context-1m-2025-08-07",
    "effort-2025-11-24",
    "fine-grained-tool-streaming-2025-05-14",
    "structured-outputs-2025-11-13",
    "thinking-binding-controls-2026-08-01",
];

/// The caller's betas as LiteLLM passes them to Converse (`update_headers_with_filtered_beta`):
/// only those Converse takes, sorted, once each. The same list goes in the `anthropic-beta`
/// header and (with the betas the request itself needs) in `anthropic_beta`.
pub fn converse_betas(betas: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = betas
        .into_iter()
        .filter(|b| CONVERSE_BETAS.contains(&b.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a tool type is one of Anthropic's computer-use family.
pub fn is_computer_use_tool(kind: &str) -> bool {
    kind.starts_with("computer_") || kind.starts_with("bash_") || kind.starts_with("text_editor_")
}

/// The computer-use beta a model needs (LiteLLM's table).
pub fn computer_use_beta(base_model: &str) -> &'static str {
    if base_model.contains("opus-4-5") || base_model.contains("opus-4-6") {
        "computer-use-2025-11-24"
    } else if [
        "sonnet-4-5",
        "haiku-4-5",
        "opus-4-1",
        "claude-opus-4",
        "claude-sonnet-4",
        "3-7-sonnet",
    ]
    .iter()
    .any(|m| base_model.contains(m))
    {
        "computer-use-2025-01-24"
    } else {
        "computer-use-2024-10-22"
    }
}

//! Chat completion responses and stream chunks, in the shape LiteLLM returns them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chat::{JsonObject, ThinkingBlock, ToolCall};

/// Why generation stopped, in OpenAI's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// Natural end or a stop sequence.
    Stop,
    /// The token limit was reached.
    Length,
    /// The model called tools.
    ToolCalls,
    /// A guardrail or content filter intervened.
    ContentFilter,
    /// Legacy function call.
    FunctionCall,
}

/// What travels with every response besides the OpenAI body (LiteLLM's `_hidden_params`).
///
/// Not part of the serialised body, so an OpenAI client sees exactly OpenAI's shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseMeta {
    /// The cost of this call in USD, from the embedded price table.
    pub response_cost: Option<f64>,
    /// Bedrock's request id (`x-amzn-RequestId`).
    pub request_id: Option<String>,
    /// Raw provider metadata worth keeping: Bedrock `metrics`, `trace`, invocation metrics.
    pub provider_metadata: Option<Value>,
    /// How many attempts the transport made.
    pub attempts: u32,
}

/// `chat.completion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletion {
    /// `chatcmpl-…`.
    pub id: String,
    /// Unix seconds.
    pub created: u64,
    /// The model as the caller named it (routing prefix removed).
    pub model: String,
    /// Always `chat.completion`.
    pub object: String,
    /// Always null on Bedrock.
    #[serde(default)]
    pub system_fingerprint: Option<String>,
    /// The choices.
    pub choices: Vec<Choice>,
    /// Token usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The service tier that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Fields this crate does not know (kept on round trips).
    #[serde(flatten)]
    pub extra: JsonObject,
    /// Cost, request id and provider metadata (not serialised).
    #[serde(skip)]
    pub meta: ResponseMeta,
}

/// One choice of a [`ChatCompletion`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Why generation stopped.
    pub finish_reason: Option<FinishReason>,
    /// The choice's index.
    pub index: u32,
    /// The assistant message.
    pub message: ResponseMessage,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// The assistant message of a [`Choice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMessage {
    /// The text (null when the model only called tools).
    pub content: Option<String>,
    /// Always `assistant`.
    pub role: String,
    /// Tool calls (null when none, as LiteLLM prints it).
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Legacy function call (always null).
    #[serde(default)]
    pub function_call: Option<Value>,
    /// The model's reasoning text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// The model's thinking blocks with signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<ThinkingBlock>>,
    /// Citations as `url_citation` annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Vec<Annotation>>,
    /// Provider fields with no OpenAI equivalent (`citationsContent`, raw reasoning blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_specific_fields: Option<JsonObject>,
}

impl ResponseMessage {
    /// An assistant message with only text.
    pub fn text(content: impl Into<String>) -> Self {
        ResponseMessage {
            content: Some(content.into()),
            role: "assistant".to_owned(),
            tool_calls: None,
            function_call: None,
            reasoning_content: None,
            thinking_blocks: None,
            annotations: None,
            provider_specific_fields: None,
        }
    }
}

/// An annotation on message text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Always `url_citation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The citation.
    pub url_citation: UrlCitation,
}

/// A citation of a URL over a span of the message text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlCitation {
    /// Start of the cited span (character index).
    pub start_index: u64,
    /// End of the cited span.
    pub end_index: u64,
    /// The source's title.
    pub title: String,
    /// The source's URL.
    pub url: String,
}

/// Token usage, with LiteLLM's cache and reasoning details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Output tokens.
    pub completion_tokens: u64,
    /// Input tokens, cache reads and writes included.
    pub prompt_tokens: u64,
    /// Total.
    pub total_tokens: u64,
    /// Output details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
    /// Input details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    /// The call's cost in USD where LiteLLM reports it inside the usage (its Anthropic invoke
    /// streams' final usage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Tokens written to the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Tokens read from the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
}

/// `completion_tokens_details`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompletionTokensDetails {
    /// Reasoning tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    /// Text tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_tokens: Option<u64>,
}

/// `prompt_tokens_details`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptTokensDetails {
    /// Tokens written to the cache (LiteLLM's name). First, as LiteLLM writes the keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_tokens: Option<u64>,
    /// Tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u64>,
    /// Uncached text input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_tokens: Option<u64>,
    /// Tokens written to the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_tokens: Option<u64>,
    /// The cache writes by time to live, when Bedrock's `cacheDetails` account for all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_token_details: Option<CacheCreationTokenDetails>,
}

/// `prompt_tokens_details.cache_creation_token_details` (LiteLLM's names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheCreationTokenDetails {
    /// Tokens written with the 5-minute time to live.
    pub ephemeral_5m_input_tokens: u64,
    /// Tokens written with the 1-hour time to live.
    pub ephemeral_1h_input_tokens: u64,
}

/// `chat.completion.chunk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionChunk {
    /// The same id on every chunk of a stream.
    pub id: String,
    /// Unix seconds.
    pub created: u64,
    /// The model.
    pub model: String,
    /// Always `chat.completion.chunk`.
    pub object: String,
    /// Always null on Bedrock.
    #[serde(default)]
    pub system_fingerprint: Option<String>,
    /// The choices (one on Bedrock).
    pub choices: Vec<ChunkChoice>,
    /// Usage, on the last chunk when `stream_options.include_usage` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Provider fields (guardrail trace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_specific_fields: Option<JsonObject>,
    /// A Converse stream's guardrail trace, also at the top level as LiteLLM puts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<serde_json::Value>,
}

/// One choice of a [`ChatCompletionChunk`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkChoice {
    /// Why generation stopped (last chunk only).
    pub finish_reason: Option<FinishReason>,
    /// The choice's index.
    pub index: u32,
    /// What this chunk adds.
    pub delta: Delta,
}

/// What one chunk adds to the message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// Text added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `assistant`, on the first chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Tool call fragments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
    /// Reasoning text added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Thinking block fragments (text or signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<ThinkingBlock>>,
    /// Citations added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Vec<Annotation>>,
    /// Provider fields with no OpenAI equivalent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_specific_fields: Option<JsonObject>,
}

/// A fragment of a tool call in a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    /// Which tool call (by order of tool calls, not content block).
    pub index: u32,
    /// The call id (first fragment only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function` (first fragment only).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name (first fragment) and argument text.
    pub function: FunctionCallDelta,
}

/// Name and argument fragment of a [`ToolCallDelta`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionCallDelta {
    /// The function name (first fragment only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A fragment of the JSON arguments.
    #[serde(default)]
    pub arguments: String,
}

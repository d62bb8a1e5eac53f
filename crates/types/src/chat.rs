//! Chat completion requests: messages, content parts, tools and every parameter a LiteLLM
//! user sends with `model="bedrock/..."`.
//!
//! Parameters this crate does not know are kept verbatim, in order, in
//! [`ChatCompletionRequest::provider_params`]; they are LiteLLM's "provider-specific params"
//! (`top_k`, `requestMetadata`, `guardrailConfig`, …) and are never dropped silently.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::AwsParams;
use crate::response_format::ResponseFormat;

/// A JSON object with its keys in the caller's order.
pub type JsonObject = Map<String, Value>;

/// `POST /chat/completions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionRequest {
    /// `bedrock/<id>`, `bedrock/converse/<id>`, an ARN, … (see `bedrock-transform`'s routes).
    pub model: String,
    /// The conversation.
    pub messages: Vec<ChatMessage>,

    // OpenAI parameters.
    /// Upper bound on generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Newer spelling of `max_tokens`; wins when both are set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Number of choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Stop sequence(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Stream the answer as chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Streaming options (`include_usage`); never forwarded to Bedrock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Tools the model may call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model must use the tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Whether the model may call several tools at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Text, JSON object or JSON schema output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// `none`, `minimal`, `low`, `medium`, `high` (and model-specific `xhigh`, `max`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Anthropic-style extended thinking: `{"type": "enabled", "budget_tokens": N}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<ThinkingParam>,
    /// OpenAI service tier: `auto`, `default`, `flex`, `priority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Sampling seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// Frequency penalty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// Presence penalty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// Token logit bias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logit_bias: Option<JsonObject>,
    /// Return log probabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    /// How many top log probabilities to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    /// Web search options (Nova grounding on Bedrock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_search_options: Option<Value>,

    // LiteLLM controls: consumed by this library, never sent to Bedrock.
    /// Extra HTTP headers (for example `anthropic-beta`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_headers: Option<Map<String, Value>>,
    /// Drop unsupported OpenAI parameters instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    /// Let the library fix conversations Bedrock would reject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modify_params: Option<bool>,
    /// LiteLLM's opt-in for OpenAI parameters the model's family does not support: each one
    /// named here goes to Bedrock as it is (`additionalModelRequestFields` on Converse, the body
    /// on invoke) instead of failing. Never sent itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_openai_params: Option<Vec<String>>,
    /// The user turn inserted where Bedrock needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_continue_message: Option<ChatMessage>,
    /// The assistant turn inserted where Bedrock needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant_continue_message: Option<ChatMessage>,
    /// Request timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// Retries on retryable failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u32>,
    /// The model id put in the URL (provisioned throughput, inference profiles) while `model`
    /// stays the one used for capability and price look-ups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// LiteLLM logging metadata; never sent to Bedrock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Credentials, region and endpoint overrides (`aws_*`, `api_key`, `api_base`).
    #[serde(flatten)]
    pub aws: AwsParams,
    /// Every other parameter, verbatim and in order: LiteLLM's provider-specific params.
    #[serde(flatten)]
    pub provider_params: JsonObject,
}

/// OpenAI parameter names that travel in [`ChatCompletionRequest::provider_params`] because
/// this crate gives them no typed field; they are still OpenAI parameters for the purpose of
/// LiteLLM's supported-parameter check.
pub const UNTYPED_OPENAI_PARAMS: &[&str] = &[
    "functions",
    "function_call",
    "modalities",
    "prediction",
    "audio",
    "safety_identifier",
    "store",
    "prompt_cache_key",
    "verbosity",
];

impl ChatCompletionRequest {
    /// A request for `model` with `messages` and nothing else set.
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        ChatCompletionRequest {
            model: model.into(),
            messages,
            ..Default::default()
        }
    }

    /// Take the OpenAI parameter `name` out of its typed field, as the JSON the caller sent
    /// (`None` when unset or not a typed OpenAI parameter).
    pub fn take_openai_param(&mut self, name: &str) -> Option<Value> {
        fn take<T: Serialize>(field: &mut Option<T>) -> Option<Value> {
            field.take().and_then(|v| serde_json::to_value(v).ok())
        }
        match name {
            "max_tokens" => take(&mut self.max_tokens),
            "max_completion_tokens" => take(&mut self.max_completion_tokens),
            "temperature" => take(&mut self.temperature),
            "top_p" => take(&mut self.top_p),
            "n" => take(&mut self.n),
            "stop" => take(&mut self.stop),
            "tools" => take(&mut self.tools),
            "tool_choice" => take(&mut self.tool_choice),
            "parallel_tool_calls" => take(&mut self.parallel_tool_calls),
            "response_format" => take(&mut self.response_format),
            "reasoning_effort" => take(&mut self.reasoning_effort),
            "thinking" => take(&mut self.thinking),
            "service_tier" => take(&mut self.service_tier),
            "user" => take(&mut self.user),
            "seed" => take(&mut self.seed),
            "frequency_penalty" => take(&mut self.frequency_penalty),
            "presence_penalty" => take(&mut self.presence_penalty),
            "logit_bias" => take(&mut self.logit_bias),
            "logprobs" => take(&mut self.logprobs),
            "top_logprobs" => take(&mut self.top_logprobs),
            "web_search_options" => take(&mut self.web_search_options),
            _ => None,
        }
    }

    /// The names of the OpenAI parameters this request sets (typed or not), in a fixed order.
    ///
    /// Transform configs check these against what a family supports.
    pub fn openai_params_set(&self) -> Vec<&'static str> {
        let untyped = |name: &str| self.provider_params.contains_key(name);
        // LiteLLM's order (its `get_optional_params` signature), so an error lists the names
        // as LiteLLM does; `service_tier` is a provider keyword there, last.
        let all: [(&'static str, bool); 32] = [
            ("functions", untyped("functions")),
            ("function_call", untyped("function_call")),
            ("temperature", self.temperature.is_some()),
            ("top_p", self.top_p.is_some()),
            // LiteLLM lets `n: 1` through everywhere (LangChain sends it by default).
            ("n", self.n.is_some_and(|n| n != 1)),
            ("stream", self.stream.is_some()),
            ("stream_options", self.stream_options.is_some()),
            ("stop", self.stop.is_some()),
            ("max_tokens", self.max_tokens.is_some()),
            (
                "max_completion_tokens",
                self.max_completion_tokens.is_some(),
            ),
            ("modalities", untyped("modalities")),
            ("prediction", untyped("prediction")),
            ("audio", untyped("audio")),
            ("presence_penalty", self.presence_penalty.is_some()),
            ("frequency_penalty", self.frequency_penalty.is_some()),
            ("logit_bias", self.logit_bias.is_some()),
            ("user", self.user.is_some()),
            ("response_format", self.response_format.is_some()),
            ("seed", self.seed.is_some()),
            ("tools", self.tools.is_some()),
            ("tool_choice", self.tool_choice.is_some()),
            ("logprobs", self.logprobs.is_some()),
            ("top_logprobs", self.top_logprobs.is_some()),
            ("parallel_tool_calls", self.parallel_tool_calls.is_some()),
            ("reasoning_effort", self.reasoning_effort.is_some()),
            ("verbosity", untyped("verbosity")),
            ("thinking", self.thinking.is_some()),
            ("web_search_options", self.web_search_options.is_some()),
            ("safety_identifier", untyped("safety_identifier")),
            ("store", untyped("store")),
            ("prompt_cache_key", untyped("prompt_cache_key")),
            ("service_tier", self.service_tier.is_some()),
        ];
        all.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
    }

    /// `max_completion_tokens` if set, else `max_tokens`.
    pub fn effective_max_tokens(&self) -> Option<u32> {
        self.max_completion_tokens.or(self.max_tokens)
    }

    /// Whether the caller asked to stream.
    pub fn is_stream(&self) -> bool {
        self.stream.unwrap_or(false)
    }
}

/// `stop`: one sequence or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Stop {
    /// A single stop sequence.
    One(String),
    /// Several stop sequences.
    Many(Vec<String>),
}

impl Stop {
    /// The sequences as a list: at most the first four (LiteLLM's
    /// `validate_openai_optional_params` cuts every provider's list to OpenAI's limit), empty
    /// strings removed (Bedrock rejects them).
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Stop::One(s) if s.is_empty() => Vec::new(),
            Stop::One(s) => vec![s.clone()],
            Stop::Many(v) => v
                .iter()
                .take(4)
                .filter(|s| !s.is_empty())
                .cloned()
                .collect(),
        }
    }
}

/// `stream_options`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamOptions {
    /// Send a final chunk with usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_usage: Option<bool>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `thinking`: Anthropic-style extended thinking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThinkingParam {
    /// `enabled`, `disabled` or `adaptive`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The thinking budget in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_tokens: Option<u32>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A message's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions.
    System,
    /// OpenAI's newer name for system instructions.
    Developer,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool result.
    Tool,
    /// A legacy function result.
    Function,
}

impl Role {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::Developer => "developer",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
            Role::Function => "function",
        }
    }
}

/// One message of the conversation, any role.
///
/// A flat struct rather than an enum per role: role-specific fields are validated by the
/// transform (which names the field when one is misplaced), and unknown fields survive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who speaks.
    pub role: Role,
    /// A string or a list of parts; `null` for assistant turns that only call tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MessageContent>,
    /// Optional participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Assistant tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Legacy assistant function call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_call: Option<FunctionCall>,
    /// Tool messages: the id of the call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// Assistant thinking blocks to pass back (with signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<ThinkingBlock>>,
    /// Assistant reasoning text from an earlier turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Tool messages: search results Bedrock can cite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_results: Option<Vec<SearchResult>>,
    /// Prompt caching marker on the whole message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ChatMessage {
    /// A message with string content.
    pub fn text(role: Role, text: impl Into<String>) -> Self {
        ChatMessage {
            role,
            content: Some(MessageContent::Text(text.into())),
            name: None,
            tool_calls: None,
            function_call: None,
            tool_call_id: None,
            thinking_blocks: None,
            reasoning_content: None,
            search_results: None,
            cache_control: None,
            extra: JsonObject::new(),
        }
    }

    /// A system message.
    pub fn system(text: impl Into<String>) -> Self {
        Self::text(Role::System, text)
    }

    /// A user message.
    pub fn user(text: impl Into<String>) -> Self {
        Self::text(Role::User, text)
    }

    /// An assistant message.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::text(Role::Assistant, text)
    }

    /// A user message made of parts.
    pub fn user_parts(parts: Vec<ContentPart>) -> Self {
        let mut m = Self::text(Role::User, "");
        m.content = Some(MessageContent::Parts(parts));
        m
    }

    /// A tool result message.
    pub fn tool(tool_call_id: impl Into<String>, text: impl Into<String>) -> Self {
        let mut m = Self::text(Role::Tool, text);
        m.tool_call_id = Some(tool_call_id.into());
        m
    }
}

/// Message content: a string or a list of parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Typed parts.
    Parts(Vec<ContentPart>),
}

/// One part of a message's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
        /// Prompt caching marker.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    /// An image (or a document) by data URL, http(s) URL or `s3://` URI.
    ImageUrl {
        /// A bare URL string or `{url, detail, format}`.
        image_url: ImageUrl,
        /// Prompt caching marker.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    /// A file (PDF, CSV, DOCX, video, …) by data URL, id or URI.
    File {
        /// The file reference.
        file: FileRef,
        /// Prompt caching marker.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    /// A video by URL (`s3://` or data URL).
    VideoUrl {
        /// The video reference.
        video_url: ImageUrl,
    },
    /// Audio input (OpenAI shape).
    InputAudio {
        /// `{data, format}`.
        input_audio: Value,
    },
    /// Text that Bedrock Guardrails evaluate (becomes `guardContent`).
    GuardedText {
        /// The guarded text.
        text: String,
    },
    /// A thinking block passed back to the model.
    Thinking {
        /// The reasoning text (may be empty when only the signature survives).
        #[serde(default)]
        thinking: String,
        /// The signature Anthropic requires on later turns.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// A redacted thinking block passed back to the model.
    RedactedThinking {
        /// The opaque redacted data.
        data: String,
    },
    /// A refusal (assistant history).
    Refusal {
        /// The refusal text.
        refusal: String,
    },
}

/// `image_url`: a bare string or `{url, detail, format}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImageUrl {
    /// `"image_url": "data:..."`.
    Url(String),
    /// `"image_url": {"url": ..., "detail": ..., "format": ...}`.
    Object {
        /// Data URL, http(s) URL or s3 URI.
        url: String,
        /// `auto`, `low`, `high`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// MIME type override (`image/png`, `application/pdf`, `video/mp4`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<String>,
    },
}

impl ImageUrl {
    /// The URL.
    pub fn url(&self) -> &str {
        match self {
            ImageUrl::Url(u) | ImageUrl::Object { url: u, .. } => u,
        }
    }

    /// The MIME type override, if any.
    pub fn format(&self) -> Option<&str> {
        match self {
            ImageUrl::Url(_) => None,
            ImageUrl::Object { format, .. } => format.as_deref(),
        }
    }
}

/// `file`: `{file_data, file_id, filename, format}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    /// A data URL with the file's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_data: Option<String>,
    /// A file id, `s3://` URI or http(s) URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    /// The file name (becomes the document name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// MIME type override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// `cache_control`: `{"type": "ephemeral", "ttl": "5m" | "1h"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheControl {
    /// Always `ephemeral` today.
    #[serde(rename = "type")]
    pub kind: String,
    /// Cache lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// A thinking block, as returned in `thinking_blocks` and passed back on later turns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThinkingBlock {
    /// Visible reasoning with its signature.
    Thinking {
        /// The reasoning text.
        #[serde(default)]
        thinking: String,
        /// The signature.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<String>,
    },
    /// Encrypted reasoning.
    RedactedThinking {
        /// The opaque data.
        data: String,
    },
}

/// A tool call made by the assistant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// In a reply, the position of the Bedrock content block the call came from (LiteLLM's
    /// numbering: text and reasoning blocks count too); `None` where the family gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// The call id.
    pub id: String,
    /// Always `function`.
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    /// Name and JSON-text arguments.
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".to_owned()
}

/// A function name and its arguments as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    /// The function name.
    pub name: String,
    /// The arguments, a JSON document as text.
    #[serde(default)]
    pub arguments: String,
}

/// A search result on a tool message, which Bedrock can cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Where the result came from (usually a URL).
    pub source: String,
    /// The result's title.
    pub title: String,
    /// The result's text blocks.
    pub content: Vec<SearchResultText>,
    /// `{"enabled": true}` to let the model cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Value>,
}

/// One text block of a [`SearchResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResultText {
    /// The text.
    pub text: String,
}

/// A tool the model may call: an OpenAI function tool, or an Anthropic computer / bash /
/// text-editor tool (`{"type": "computer_20241022", "name": "computer", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `function`, or an Anthropic tool type such as `computer_20250124`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The function definition, for function tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionDefinition>,
    /// Prompt caching marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Every other field (for Anthropic tools: `name`, `display_width_px`, …).
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Tool {
    /// A function tool.
    pub fn function(name: impl Into<String>, description: Option<&str>, parameters: Value) -> Self {
        Tool {
            kind: "function".to_owned(),
            function: Some(FunctionDefinition {
                name: name.into(),
                description: description.map(str::to_owned),
                parameters: Some(parameters),
                strict: None,
                extra: JsonObject::new(),
            }),
            cache_control: None,
            extra: JsonObject::new(),
        }
    }

    /// Whether this is an OpenAI function tool.
    pub fn is_function(&self) -> bool {
        self.kind == "function"
    }

    /// The tool's name: the function's, or the Anthropic tool's `name` field.
    pub fn name(&self) -> Option<&str> {
        match &self.function {
            Some(f) => Some(&f.name),
            None => self.extra.get("name").and_then(Value::as_str),
        }
    }
}

/// An OpenAI function definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDefinition {
    /// The function name.
    pub name: String,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its JSON schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Strict schema adherence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `tool_choice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ToolChoice {
    /// `"auto"`, `"none"` or `"required"`.
    Mode(String),
    /// `{"type": "function", "function": {"name": ...}}`.
    Function {
        /// Always `function`.
        #[serde(rename = "type")]
        kind: String,
        /// The function to call.
        function: NamedFunction,
    },
    /// Any other object (for example Anthropic's `{"type": "tool", "name": ...}`).
    Other(JsonObject),
}

/// A function named in `tool_choice`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedFunction {
    /// The function name.
    pub name: String,
}

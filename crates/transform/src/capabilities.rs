//! The embedded capability and price table, keyed by model id.
//!
//! `data/models.json` holds, for every Bedrock model in LiteLLM's model map (plus the retired
//! models the seed docs still name), the facts LiteLLM keys its behaviour on: the mode, whether
//! LiteLLM routes it to Converse (`litellm_provider: bedrock_converse`), context and output
//! limits, per-token prices (standard, cache read/write, priority/flex/batch tiers, above-200k),
//! per-image and per-query prices, and capability flags. Keys are base model ids
//! (`anthropic.claude-3-7-sonnet-20250219-v1:0`) and, where LiteLLM prices them differently,
//! cross-region ids (`us.anthropic.…`).
//!
//! The table is parsed once; [`lookup`] is a hash look-up by `&str` with no allocation.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// LiteLLM's provider key for a model, which decides its default route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ModelProvider {
    /// `bedrock`: InvokeModel by default.
    #[serde(rename = "bedrock")]
    Bedrock,
    /// `bedrock_converse`: Converse by default.
    #[serde(rename = "bedrock_converse")]
    BedrockConverse,
}

/// What kind of endpoint a model serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelMode {
    /// Chat completions.
    Chat,
    /// Text completions.
    Completion,
    /// Embeddings.
    Embedding,
    /// Image generation.
    ImageGeneration,
    /// Rerank.
    Rerank,
    /// Anything else LiteLLM lists (video generation, …).
    #[serde(other)]
    Other,
}

impl ModelMode {
    /// LiteLLM's name for the mode (`None` for [`ModelMode::Other`], whose name is not kept).
    pub fn name(self) -> Option<&'static str> {
        match self {
            ModelMode::Chat => Some("chat"),
            ModelMode::Completion => Some("completion"),
            ModelMode::Embedding => Some("embedding"),
            ModelMode::ImageGeneration => Some("image_generation"),
            ModelMode::Rerank => Some("rerank"),
            ModelMode::Other => None,
        }
    }
}

/// Everything the table knows about one model. Prices are USD per token unless named otherwise.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelInfo {
    /// The endpoint kind.
    pub mode: ModelMode,
    /// LiteLLM's provider key.
    pub litellm_provider: ModelProvider,
    /// Context window.
    pub max_input_tokens: Option<u64>,
    /// Output limit.
    pub max_output_tokens: Option<u64>,
    /// LiteLLM's `max_tokens` (usually the output limit).
    pub max_tokens: Option<u64>,
    /// Input price.
    pub input_cost_per_token: Option<f64>,
    /// Output price.
    pub output_cost_per_token: Option<f64>,
    /// Cache-read price.
    pub cache_read_input_token_cost: Option<f64>,
    /// Cache-write price (5-minute TTL).
    pub cache_creation_input_token_cost: Option<f64>,
    /// Cache-write price (1-hour TTL).
    pub cache_creation_input_token_cost_above_1hr: Option<f64>,
    /// Priority-tier input price.
    pub input_cost_per_token_priority: Option<f64>,
    /// Priority-tier output price.
    pub output_cost_per_token_priority: Option<f64>,
    /// Priority-tier cache-read price.
    pub cache_read_input_token_cost_priority: Option<f64>,
    /// Priority-tier cache-write price.
    pub cache_creation_input_token_cost_priority: Option<f64>,
    /// Flex-tier input price.
    pub input_cost_per_token_flex: Option<f64>,
    /// Flex-tier output price.
    pub output_cost_per_token_flex: Option<f64>,
    /// Flex-tier cache-read price.
    pub cache_read_input_token_cost_flex: Option<f64>,
    /// Flex-tier cache-write price.
    pub cache_creation_input_token_cost_flex: Option<f64>,
    /// Batch input price.
    pub input_cost_per_token_batches: Option<f64>,
    /// Batch output price.
    pub output_cost_per_token_batches: Option<f64>,
    /// Input price when the prompt exceeds 200k tokens.
    pub input_cost_per_token_above_200k_tokens: Option<f64>,
    /// Output price when the prompt exceeds 200k tokens.
    pub output_cost_per_token_above_200k_tokens: Option<f64>,
    /// Cache-read price above 200k.
    pub cache_read_input_token_cost_above_200k_tokens: Option<f64>,
    /// Cache-write price above 200k.
    pub cache_creation_input_token_cost_above_200k_tokens: Option<f64>,
    /// Price per generated image.
    pub output_cost_per_image: Option<f64>,
    /// Price per input image (embeddings).
    pub input_cost_per_image: Option<f64>,
    /// Price per rerank query.
    pub input_cost_per_query: Option<f64>,
    /// Embedding dimensions.
    pub output_vector_size: Option<u64>,
    /// Price per second of input (video/audio models).
    pub input_cost_per_second: Option<f64>,
    /// Price per second of input video.
    pub input_cost_per_video_per_second: Option<f64>,
    /// Price per second of input audio.
    pub input_cost_per_audio_per_second: Option<f64>,
    /// Tools.
    #[serde(default)]
    pub supports_function_calling: bool,
    /// `tool_choice`.
    #[serde(default)]
    pub supports_tool_choice: bool,
    /// Image input.
    #[serde(default)]
    pub supports_vision: bool,
    /// PDF input.
    #[serde(default)]
    pub supports_pdf_input: bool,
    /// Reasoning / thinking.
    #[serde(default)]
    pub supports_reasoning: bool,
    /// JSON-schema responses (natively or emulated).
    #[serde(default)]
    pub supports_response_schema: bool,
    /// Native structured output (`outputConfig.textFormat`).
    #[serde(default)]
    pub supports_native_structured_output: bool,
    /// Prompt caching (`cachePoint`).
    #[serde(default)]
    pub supports_prompt_caching: bool,
    /// Anthropic computer use.
    #[serde(default)]
    pub supports_computer_use: bool,
    /// `disable_parallel_tool_use`.
    #[serde(default)]
    pub supports_parallel_tool_use_config: bool,
    /// Assistant prefill.
    #[serde(default)]
    pub supports_assistant_prefill: bool,
    /// System messages.
    #[serde(default)]
    pub supports_system_messages: bool,
    /// Video input.
    #[serde(default)]
    pub supports_video_input: bool,
    /// Audio input.
    #[serde(default)]
    pub supports_audio_input: bool,
    /// Image input for embeddings.
    #[serde(default)]
    pub supports_embedding_image_input: bool,
    /// Adaptive thinking (`thinking: {"type": "adaptive"}`).
    #[serde(default)]
    pub supports_adaptive_thinking: bool,
    /// LiteLLM's `bedrock_converse_supports_strict_tools`: `false` where Bedrock's validator
    /// refuses `toolSpec.strict` for this Claude model (unset: it takes it).
    #[serde(default)]
    pub bedrock_converse_supports_strict_tools: Option<bool>,
}

/// A service tier, for tier prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceTier {
    /// Standard prices.
    Default,
    /// Priority-tier prices.
    Priority,
    /// Flex-tier prices.
    Flex,
}

impl ServiceTier {
    /// From Bedrock's / OpenAI's tier name (`priority`, `flex`, anything else is default).
    pub fn from_name(name: &str) -> Self {
        match name {
            "priority" => ServiceTier::Priority,
            "flex" => ServiceTier::Flex,
            _ => ServiceTier::Default,
        }
    }
}

/// Token counts for a cost computation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Prompt tokens, cache reads and writes included (OpenAI `prompt_tokens`).
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Tokens read from the cache.
    pub cache_read_tokens: u64,
    /// Tokens written to the cache.
    pub cache_write_tokens: u64,
}

impl ModelInfo {
    /// The cost of a call in USD, as LiteLLM's `generic_cost_per_token` computes it: uncached
    /// prompt tokens at the input price, cache reads and writes at their prices (falling back to
    /// the input price), output at the output price; tier prices when the tier has them; the
    /// above-200k prices when the prompt exceeds 200k tokens. `None` when the model has no
    /// token prices.
    pub fn cost(&self, usage: &TokenCounts, tier: ServiceTier) -> Option<f64> {
        let (mut input, mut output, mut read, mut write) = match tier {
            ServiceTier::Priority => (
                self.input_cost_per_token_priority,
                self.output_cost_per_token_priority,
                self.cache_read_input_token_cost_priority,
                self.cache_creation_input_token_cost_priority,
            ),
            ServiceTier::Flex => (
                self.input_cost_per_token_flex,
                self.output_cost_per_token_flex,
                self.cache_read_input_token_cost_flex,
                self.cache_creation_input_token_cost_flex,
            ),
            ServiceTier::Default => (None, None, None, None),
        };
        if usage.prompt_tokens > 200_000 {
            input = input.or(self.input_cost_per_token_above_200k_tokens);
            output = output.or(self.output_cost_per_token_above_200k_tokens);
            read = read.or(self.cache_read_input_token_cost_above_200k_tokens);
            write = write.or(self.cache_creation_input_token_cost_above_200k_tokens);
        }
        let input = input.or(self.input_cost_per_token)?;
        let output = output.or(self.output_cost_per_token).unwrap_or(0.0);
        let read = read.or(self.cache_read_input_token_cost).unwrap_or(input);
        let write = write
            .or(self.cache_creation_input_token_cost)
            .unwrap_or(input);
        let uncached = usage
            .prompt_tokens
            .saturating_sub(usage.cache_read_tokens + usage.cache_write_tokens);
        Some(
            uncached as f64 * input
                + usage.cache_read_tokens as f64 * read
                + usage.cache_write_tokens as f64 * write
                + usage.completion_tokens as f64 * output,
        )
    }

    /// The cost of `n` generated images, when the model has a per-image price.
    pub fn image_cost(&self, n: u64) -> Option<f64> {
        self.output_cost_per_image.map(|p| p * n as f64)
    }
}

struct Table {
    models: HashMap<String, ModelInfo>,
    error: Option<String>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

fn table() -> &'static Table {
    TABLE.get_or_init(|| {
        match serde_json::from_str::<HashMap<String, ModelInfo>>(include_str!(
            "../data/models.json"
        )) {
            Ok(models) => Table {
                models,
                error: None,
            },
            // A broken table must not take the client down: look-ups then find nothing, and
            // `table_error` says why (a test asserts the embedded file parses).
            Err(e) => Table {
                models: HashMap::new(),
                error: Some(e.to_string()),
            },
        }
    })
}

/// The facts for a model id (a base model id, or a cross-region id LiteLLM prices apart).
pub fn lookup(model_id: &str) -> Option<&'static ModelInfo> {
    table().models.get(model_id)
}

/// Why the embedded table failed to parse, if it did.
pub fn table_error() -> Option<&'static str> {
    table().error.as_deref()
}

/// Every entry, in no particular order.
pub fn all() -> impl Iterator<Item = (&'static str, &'static ModelInfo)> {
    table().models.iter().map(|(k, v)| (k.as_str(), v))
}

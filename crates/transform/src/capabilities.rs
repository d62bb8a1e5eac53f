//! The embedded capability and price table, keyed by base model id.
//!
//! Interim version: the full LiteLLM-derived table replaces it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// Which LiteLLM provider key a model has (decides the default Converse/Invoke route).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ModelProvider {
    /// `bedrock`: invoke by default.
    #[serde(rename = "bedrock")]
    Bedrock,
    /// `bedrock_converse`: Converse by default.
    #[serde(rename = "bedrock_converse")]
    BedrockConverse,
}

/// What the table knows about one model.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelInfo {
    /// LiteLLM's provider key.
    pub litellm_provider: ModelProvider,
    /// Tools.
    #[serde(default)]
    pub supports_function_calling: bool,
    /// `tool_choice`.
    #[serde(default)]
    pub supports_tool_choice: bool,
    /// Reasoning.
    #[serde(default)]
    pub supports_reasoning: bool,
    /// Native structured output (`outputConfig.textFormat`).
    #[serde(default)]
    pub supports_native_structured_output: bool,
    /// Prompt caching.
    #[serde(default)]
    pub supports_prompt_caching: bool,
}

static TABLE: OnceLock<HashMap<String, ModelInfo>> = OnceLock::new();

/// Look up a base model id.
pub fn lookup(base_model_id: &str) -> Option<&'static ModelInfo> {
    TABLE
        .get_or_init(|| {
            serde_json::from_str(include_str!("../data/models.json")).unwrap_or_default()
        })
        .get(base_model_id)
}

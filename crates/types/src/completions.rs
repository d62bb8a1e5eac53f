//! `POST /completions` (text completions), served over the chat families.

use serde::{Deserialize, Serialize};

use crate::AwsParams;
use crate::chat::{JsonObject, Stop};
use crate::response::{FinishReason, ResponseMeta, Usage};

/// A text completion request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TextCompletionRequest {
    /// The model.
    pub model: String,
    /// One prompt or several.
    pub prompt: Prompt,
    /// Upper bound on generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// Number of choices per prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Stop sequence(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    /// Stream the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// Drop unsupported parameters instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    /// Credentials and endpoint overrides.
    #[serde(flatten)]
    pub aws: AwsParams,
    /// Provider-specific params.
    #[serde(flatten)]
    pub provider_params: JsonObject,
}

/// A prompt: one string or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Prompt {
    /// One prompt.
    One(String),
    /// Several prompts.
    Many(Vec<String>),
}

impl Default for Prompt {
    fn default() -> Self {
        Prompt::One(String::new())
    }
}

/// A text completion response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextCompletion {
    /// `cmpl-…`.
    pub id: String,
    /// Always `text_completion`.
    pub object: String,
    /// Unix seconds.
    pub created: u64,
    /// The model.
    pub model: String,
    /// The choices.
    pub choices: Vec<TextChoice>,
    /// Token usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Cost, request id, provider metadata (not serialised).
    #[serde(skip)]
    pub meta: ResponseMeta,
}

/// One text completion choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextChoice {
    /// Why generation stopped. (Fields in the order LiteLLM writes them.)
    pub finish_reason: Option<FinishReason>,
    /// Index.
    pub index: u32,
    /// The generated text.
    pub text: String,
    /// Always null on Bedrock.
    #[serde(default)]
    pub logprobs: Option<serde_json::Value>,
}

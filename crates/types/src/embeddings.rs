//! `POST /embeddings`.

use serde::{Deserialize, Serialize};

use crate::AwsParams;
use crate::chat::JsonObject;
use crate::response::ResponseMeta;

/// An embeddings request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingRequest {
    /// `bedrock/amazon.titan-embed-text-v2:0`, …
    pub model: String,
    /// What to embed.
    pub input: EmbeddingInput,
    /// `float` (default) or `base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_format: Option<String>,
    /// Output dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<u32>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Drop unsupported parameters instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    /// URL model id (provisioned throughput).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// Request timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// Retries on retryable failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u32>,
    /// Extra HTTP headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_headers: Option<JsonObject>,
    /// Credentials and endpoint overrides.
    #[serde(flatten)]
    pub aws: AwsParams,
    /// Provider-specific params (`input_type`, `truncate`, `embedding_types`, …).
    #[serde(flatten)]
    pub provider_params: JsonObject,
}

/// Embedding input: one string, several, or token arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EmbeddingInput {
    /// One text (or data URL for image models).
    One(String),
    /// Several texts.
    Many(Vec<String>),
    /// One token array.
    Tokens(Vec<u32>),
    /// Several token arrays.
    ManyTokens(Vec<Vec<u32>>),
}

impl Default for EmbeddingInput {
    fn default() -> Self {
        EmbeddingInput::Many(Vec::new())
    }
}

/// An embeddings response (`object: "list"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingResponse {
    /// Always `list`.
    pub object: String,
    /// One entry per input.
    pub data: Vec<Embedding>,
    /// The model.
    pub model: String,
    /// Token usage.
    pub usage: EmbeddingUsage,
    /// Cost, request id, provider metadata (not serialised).
    #[serde(skip)]
    pub meta: ResponseMeta,
}

/// One embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// Always `embedding`.
    pub object: String,
    /// Input position.
    pub index: u32,
    /// The vector, as floats or base64.
    pub embedding: EmbeddingVector,
}

/// An embedding vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EmbeddingVector {
    /// Integers: binary or int8 embeddings (Titan v2 `binary`, Cohere `int8`), as LiteLLM
    /// returns them.
    Int(Vec<i64>),
    /// Floats.
    Float(Vec<f64>),
    /// Base64 of the binary form (`encoding_format: "base64"`).
    Base64(String),
}

/// Embedding usage, in LiteLLM's `Usage` shape: `completion_tokens` is always there (0), and
/// the two details are written as `null` (Bedrock's embedding replies report none), so code
/// that reads them from a LiteLLM response reads them here too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingUsage {
    /// Always 0: an embedding generates no tokens.
    #[serde(default)]
    pub completion_tokens: u64,
    /// Input tokens.
    pub prompt_tokens: u64,
    /// Same as prompt tokens.
    pub total_tokens: u64,
    /// Not reported for embeddings (`null`).
    #[serde(default)]
    pub completion_tokens_details: Option<serde_json::Value>,
    /// Not reported for embeddings (`null`).
    #[serde(default)]
    pub prompt_tokens_details: Option<serde_json::Value>,
}

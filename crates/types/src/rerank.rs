//! `POST /rerank`, in Cohere's shape (as LiteLLM serves it).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::AwsParams;
use crate::chat::JsonObject;
use crate::response::ResponseMeta;

/// A rerank request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RerankRequest {
    /// `bedrock/amazon.rerank-v1:0`, `bedrock/cohere.rerank-v3-5:0`, or a model ARN.
    pub model: String,
    /// The query.
    pub query: String,
    /// Documents: strings or JSON objects.
    pub documents: Vec<RerankDocument>,
    /// How many results to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_n: Option<u32>,
    /// Include each document in its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_documents: Option<bool>,
    /// Fields of object documents to rank on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_fields: Option<Vec<String>>,
    /// Cohere's chunking limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chunks_per_doc: Option<u32>,
    /// Drop unsupported parameters instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    /// Request timeout in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<f64>,
    /// Retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u32>,
    /// Extra HTTP headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_headers: Option<JsonObject>,
    /// Credentials and endpoint overrides.
    #[serde(flatten)]
    pub aws: AwsParams,
    /// Provider-specific params.
    #[serde(flatten)]
    pub provider_params: JsonObject,
}

/// A document to rerank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RerankDocument {
    /// Plain text.
    Text(String),
    /// A JSON object.
    Object(JsonObject),
}

/// A rerank response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerankResponse {
    /// Response id.
    pub id: String,
    /// Results, best first.
    pub results: Vec<RerankResult>,
    /// Billing metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    /// Cost, request id, provider metadata (not serialised).
    #[serde(skip)]
    pub meta_info: ResponseMeta,
}

/// One rerank result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerankResult {
    /// Index into the request's documents.
    pub index: u32,
    /// Relevance score.
    pub relevance_score: f64,
    /// The document, with `return_documents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Value>,
}

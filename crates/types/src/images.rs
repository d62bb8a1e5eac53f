//! `POST /images/generations`.

use serde::{Deserialize, Serialize};

use crate::AwsParams;
use crate::chat::JsonObject;
use crate::response::ResponseMeta;

/// An image generation request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageGenerationRequest {
    /// `bedrock/amazon.nova-canvas-v1:0`, `bedrock/stability.sd3-5-large-v1:0`, …
    pub model: String,
    /// What to draw.
    pub prompt: String,
    /// Number of images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// `WIDTHxHEIGHT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `standard`, `hd`, `premium`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// `b64_json` (Bedrock always returns base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<String>,
    /// Style hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Drop unsupported parameters instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    /// URL model id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
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
    /// Provider-specific params (`negative_prompt`, `seed`, `cfg_scale`, `taskType`, …).
    #[serde(flatten)]
    pub provider_params: JsonObject,
}

/// An image generation response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageResponse {
    /// Unix seconds.
    pub created: u64,
    /// The images.
    pub data: Vec<ImageData>,
    /// Cost, request id, provider metadata (not serialised).
    #[serde(skip)]
    pub meta: ResponseMeta,
}

/// One generated image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageData {
    /// Base64 PNG/JPEG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b64_json: Option<String>,
    /// URL (never set by Bedrock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Rewritten prompt, when the model reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revised_prompt: Option<String>,
}

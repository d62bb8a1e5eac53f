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
///
/// In LiteLLM's `ImageResponse` shape: the optional fields are written as `null` and `usage` is
/// always there (zeros: Bedrock's image models report no tokens), so code reading them from a
/// LiteLLM response reads them here too.
pub struct ImageResponse {
    /// Unix seconds.
    pub created: u64,
    /// `background` (never set by Bedrock).
    #[serde(default)]
    pub background: Option<String>,
    /// The images.
    pub data: Vec<ImageData>,
    /// `output_format` (never set by Bedrock).
    #[serde(default)]
    pub output_format: Option<String>,
    /// `quality` (never set by Bedrock).
    #[serde(default)]
    pub quality: Option<String>,
    /// `size` (never set by Bedrock).
    #[serde(default)]
    pub size: Option<String>,
    /// Token usage (zeros from Bedrock).
    #[serde(default)]
    pub usage: Option<ImageUsage>,
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
    /// Rewritten prompt, when the model reports one.
    #[serde(default)]
    pub revised_prompt: Option<String>,
    /// URL (never set by Bedrock).
    #[serde(default)]
    pub url: Option<String>,
}

/// Image usage, as OpenAI's image API reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageUsage {
    /// All tokens.
    #[serde(default)]
    pub total_tokens: u64,
    /// Input tokens.
    #[serde(default)]
    pub input_tokens: u64,
    /// Input tokens by kind.
    #[serde(default)]
    pub input_tokens_details: ImageInputTokensDetails,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: u64,
}

/// Input tokens by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageInputTokensDetails {
    /// Image tokens.
    #[serde(default)]
    pub image_tokens: u64,
    /// Text tokens.
    #[serde(default)]
    pub text_tokens: u64,
}

//! Stable Diffusion XL (`stability.stable-diffusion-xl-v1`) and any other Stability model that
//! is not Stability 3: LiteLLM's `AmazonStabilityConfig`. The body is
//! `{"text_prompts": [{"text": prompt, "weight": 1}], "width", "height", …}`: `size` maps to
//! `width` / `height`, newlines in the prompt become spaces, and provider params (`cfg_scale`,
//! `steps`, `seed`, `style_preset`, `sampler`, even a whole `text_prompts` list) pass through
//! and win over the mapped values.

use bedrock_types::Result;
use bedrock_types::chat::JsonObject;
use bedrock_types::images::{ImageGenerationRequest, ImageResponse};
use serde_json::{Value, json};

use super::{
    ImageConfig, check_params, image_response, invoke_request, malformed, parse_size, reply_object,
    split_guardrail,
};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// Stable Diffusion XL text-to-image.
#[derive(Debug, Clone, Copy, Default)]
pub struct StabilityXlConfig;

impl ImageConfig for StabilityXlConfig {
    fn name(&self) -> &'static str {
        "stability_xl_image"
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &["size"]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ImageGenerationRequest,
    ) -> Result<HttpRequestParts> {
        let dropped = check_params(self, req)?;
        let (extra, headers) = split_guardrail(&req.provider_params)?;
        let mut body = JsonObject::new();
        // LiteLLM replaces `os.linesep` (a newline on Linux) with a space.
        let prompt = req.prompt.replace('\n', " ");
        body.insert(
            "text_prompts".to_owned(),
            json!([{"text": prompt, "weight": 1}]),
        );
        if let Some(size) = req.size.as_deref().filter(|_| !dropped.contains(&"size")) {
            let (w, h) = parse_size(size)?;
            body.insert("width".to_owned(), json!(w));
            body.insert("height".to_owned(), json!(h));
        }
        body.extend(extra);
        invoke_request(route, req, body, headers)
    }

    fn transform_response(
        &self,
        _route: &ModelRoute,
        _req: &ImageGenerationRequest,
        response: HttpResponseParts<'_>,
        created: u64,
    ) -> Result<ImageResponse> {
        let mut body = reply_object(&response, "Stable Diffusion XL")?;
        let artifacts = match body.remove("artifacts") {
            Some(Value::Array(a)) => a,
            _ => return Err(malformed("Stable Diffusion XL", "no `artifacts` list")),
        };
        let mut images = Vec::with_capacity(artifacts.len());
        let mut rest = Vec::with_capacity(artifacts.len());
        for (i, a) in artifacts.into_iter().enumerate() {
            let Value::Object(mut a) = a else {
                return Err(malformed(
                    "Stable Diffusion XL",
                    &format!("artifacts[{i}] is not an object"),
                ));
            };
            match a.remove("base64") {
                Some(Value::String(b64)) => images.push(b64),
                _ => {
                    return Err(malformed(
                        "Stable Diffusion XL",
                        &format!("artifacts[{i}] has no `base64` image"),
                    ));
                }
            }
            // Seeds and finish reasons (SUCCESS, CONTENT_FILTERED, ERROR) stay as metadata.
            rest.push(Value::Object(a));
        }
        body.insert("artifacts".to_owned(), Value::Array(rest));
        Ok(image_response(&response, created, images, body))
    }
}

//! Stability 3 and Stable Image models (`stability.sd3-large-v1:0`, `stability.sd3-5-large-v1:0`,
//! `stability.stable-image-ultra-v1:*`, `stability.stable-image-core-v1:*`): LiteLLM's
//! `AmazonStability3Config`. The body is `{"prompt": …}` plus every provider param as given
//! (`aspect_ratio`, `mode`, `output_format`, `seed`, `negative_prompt`, `image`, `strength`);
//! no OpenAI parameter is mapped. A non-null `finish_reasons` entry is a 400 error.

use bedrock_types::chat::JsonObject;
use bedrock_types::images::{ImageGenerationRequest, ImageResponse};
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Value, json};

use super::{
    ImageConfig, check_params, image_response, invoke_request, reply_object, split_guardrail,
    string_list,
};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// Stability 3 / Stable Image text-to-image.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stability3Config;

impl ImageConfig for Stability3Config {
    fn name(&self) -> &'static str {
        "stability3_image"
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &[]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ImageGenerationRequest,
    ) -> Result<HttpRequestParts> {
        check_params(self, req)?;
        let (extra, headers) = split_guardrail(&req.provider_params)?;
        let mut body = JsonObject::new();
        body.insert("prompt".to_owned(), json!(req.prompt));
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
        let mut body = reply_object(&response, "Stability")?;
        let reasons: Vec<String> = body
            .get("finish_reasons")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if !reasons.is_empty() {
            // LiteLLM raises a 400 with the reasons joined by "; " (content filter and errors).
            let mut err = Error::new(ErrorKind::BadRequest, reasons.join("; ")).with_status(400);
            if let Some(id) = response.header(crate::config::REQUEST_ID_HEADER) {
                err = err.with_request_id(id);
            }
            return Err(err);
        }
        let images = match body.remove("images") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => string_list(Some(&v), "Stability", "images")?,
        };
        Ok(image_response(&response, created, images, body))
    }
}

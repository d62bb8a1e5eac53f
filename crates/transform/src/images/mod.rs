//! Image generation over InvokeModel: one config per model family.
//!
//! [`image_config_for`] picks the family the way LiteLLM's `BedrockImageGeneration` does
//! (Titan Image, Nova Canvas, Stability 3 / Stable Image, else Stable Diffusion XL);
//! [`ImageConfig::transform_request`] builds the one Bedrock request and
//! [`ImageConfig::transform_response`] turns the reply into an OpenAI images response with
//! `b64_json` entries. Provider-specific parameters (`seed`, `negative_prompt`, `cfgScale`,
//! `taskType`, …) pass through as LiteLLM passes them; `guardrailIdentifier` /
//! `guardrailVersion` become the `x-amz-bedrock-guardrail-*` headers.

mod amazon;
mod stability;
mod stability_xl;

use std::fmt::Debug;

use bedrock_types::chat::JsonObject;
use bedrock_types::images::{ImageData, ImageGenerationRequest, ImageResponse, ImageUsage};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::Value;

use crate::config::{
    EndpointKind, HttpRequestParts, HttpResponseParts, ResponseKind, error_from_response,
};
use crate::encoding::encode_label;
use crate::route::{ModelFamily, ModelRoute};

pub use amazon::{AmazonImageConfig, AmazonImageModel};
pub use stability::Stability3Config;
pub use stability_xl::StabilityXlConfig;

/// One image-generation family's mapping.
pub trait ImageConfig: Send + Sync + Debug {
    /// A stable name.
    fn name(&self) -> &'static str;

    /// The OpenAI parameters this family accepts (`n`, `size`, `quality`, …).
    fn supported_openai_params(&self) -> &'static [&'static str];

    /// The Bedrock request for this call.
    fn transform_request(
        &self,
        route: &ModelRoute,
        request: &ImageGenerationRequest,
    ) -> Result<HttpRequestParts>;

    /// Turn a successful (2xx) reply into an OpenAI images response created at `created`
    /// (Unix seconds, from the caller: the transform reads no clock).
    fn transform_response(
        &self,
        route: &ModelRoute,
        request: &ImageGenerationRequest,
        response: HttpResponseParts<'_>,
        created: u64,
    ) -> Result<ImageResponse>;

    /// Turn a non-2xx reply into the shared error type.
    fn map_error(&self, response: HttpResponseParts<'_>) -> Error {
        error_from_response(response)
    }
}

/// The config for an image model, by LiteLLM's rule: `amazon.titan` → Titan Image,
/// `amazon.nova-canvas` → Nova Canvas, `sd3` / `stable-image` → Stability 3, any other
/// Stability model → Stable Diffusion XL.
pub fn image_config_for(route: &ModelRoute) -> Result<&'static dyn ImageConfig> {
    static TITAN: AmazonImageConfig = AmazonImageConfig {
        model: AmazonImageModel::TitanImage,
    };
    static NOVA_CANVAS: AmazonImageConfig = AmazonImageConfig {
        model: AmazonImageModel::NovaCanvas,
    };
    static STABILITY_3: Stability3Config = Stability3Config;
    static STABILITY_XL: StabilityXlConfig = StabilityXlConfig;
    let base = route.base_model.as_str();
    if base.contains("amazon.titan") {
        Ok(&TITAN)
    } else if base.contains("amazon.nova-canvas") {
        Ok(&NOVA_CANVAS)
    } else if base.contains("sd3") || base.contains("stable-image") {
        Ok(&STABILITY_3)
    } else if route.family == ModelFamily::Stability {
        Ok(&STABILITY_XL)
    } else {
        Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "no image generation config for model={} (supported: amazon.titan-image-generator-*, \
                 amazon.nova-canvas-*, stability.sd3-*, stability.stable-image-*, \
                 stability.stable-diffusion-xl-*; for an ARN, name the base model in `model` and \
                 pass the ARN as `model_id`)",
                route.model
            ),
        )
        .with_param("model"))
    }
}

/// LiteLLM's rule for image params: every OpenAI parameter the request sets (`n`, `quality`,
/// `response_format`, `size`, `style`, `user`) must be one the family maps, else an
/// `unsupported_params` error unless `drop_params`, which drops it. Returns the dropped names.
pub(crate) fn check_params(
    config: &dyn ImageConfig,
    req: &ImageGenerationRequest,
) -> Result<Vec<&'static str>> {
    let set = [
        ("n", req.n.is_some()),
        ("quality", req.quality.is_some()),
        ("response_format", req.response_format.is_some()),
        ("size", req.size.is_some()),
        ("style", req.style.is_some()),
        ("user", req.user.is_some()),
    ];
    let supported = config.supported_openai_params();
    let unsupported: Vec<&'static str> = set
        .iter()
        .filter(|(name, on)| *on && !supported.contains(name))
        .map(|(name, _)| *name)
        .collect();
    if unsupported.is_empty() || req.drop_params.unwrap_or(false) {
        return Ok(unsupported);
    }
    // LiteLLM's words (`get_optional_params_image_gen`), naming the first refused one.
    Err(Error::new(
        ErrorKind::UnsupportedParams,
        format!(
            "Setting `{}` is not supported by bedrock, {}. To drop it from the call, set \
             `litellm.drop_params = True`.",
            unsupported[0],
            crate::route::litellm_model_name(&req.model)
        ),
    )
    .with_param(unsupported[0]))
}

/// `size` (`WIDTHxHEIGHT`) as pixels; LiteLLM splits on `x` and fails on anything else.
pub(crate) fn parse_size(size: &str) -> Result<(u64, u64)> {
    let bad = || {
        Error::invalid_field(
            "size",
            format_args!("`WIDTHxHEIGHT` in pixels such as `1024x1024`, got `{size}`"),
        )
    };
    let (w, h) = size.split_once('x').ok_or_else(bad)?;
    let w: u64 = w.trim().parse().map_err(|_| bad())?;
    let h: u64 = h.trim().parse().map_err(|_| bad())?;
    if w == 0 || h == 0 {
        return Err(bad());
    }
    Ok((w, h))
}

/// The provider params without the guardrail keys, and the guardrail headers they name
/// (LiteLLM's `_extract_headers_from_optional_params`).
pub(crate) fn split_guardrail(params: &JsonObject) -> Result<(JsonObject, Vec<(String, String)>)> {
    let mut rest = params.clone();
    let mut headers = Vec::new();
    for (key, header) in [
        ("guardrailIdentifier", "x-amz-bedrock-guardrail-identifier"),
        ("guardrailVersion", "x-amz-bedrock-guardrail-version"),
    ] {
        match rest.remove(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => headers.push((header.to_owned(), s)),
            Some(Value::Number(n)) => headers.push((header.to_owned(), n.to_string())),
            Some(_) => return Err(Error::invalid_field(key, "a string")),
        }
    }
    Ok((rest, headers))
}

/// `POST /model/{id}/invoke` with `body` and the guardrail `headers`. The id keeps its `:` as
/// LiteLLM sends it, except that a `model_id` override or an ARN is fully percent-encoded.
pub(crate) fn invoke_request(
    route: &ModelRoute,
    req: &ImageGenerationRequest,
    body: JsonObject,
    headers: Vec<(String, String)>,
) -> Result<HttpRequestParts> {
    let segment = if req.model_id.is_some() || route.arn.is_some() || route.model_id.contains('/') {
        encode_label(&route.model_id)
    } else {
        encode_label(&route.model_id).replace("%3A", ":")
    };
    let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("serialising the image request body failed: {e}"),
        )
    })?;
    let mut parts = HttpRequestParts::post_json(
        EndpointKind::Runtime,
        format!("/model/{segment}/invoke"),
        bytes,
        ResponseKind::Json,
    );
    parts
        .headers
        .push(("accept".to_owned(), "application/json".to_owned()));
    parts.headers.extend(headers);
    Ok(parts)
}

/// The reply body as a JSON object (a 422 error otherwise).
pub(crate) fn reply_object(response: &HttpResponseParts<'_>, family: &str) -> Result<JsonObject> {
    match serde_json::from_slice::<Value>(response.body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(malformed(family, "the reply is not a JSON object")),
        Err(e) => Err(malformed(family, &format!("the reply is not JSON: {e}"))),
    }
}

/// A 422 error for a reply that does not have the family's shape.
pub(crate) fn malformed(family: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("Bedrock returned a malformed {family} image reply: {why}"),
    )
    .with_status(422)
}

/// The OpenAI response: one `b64_json` entry per image, and the rest of the reply (seeds,
/// finish reasons) as provider metadata.
pub(crate) fn image_response(
    response: &HttpResponseParts<'_>,
    created: u64,
    images: Vec<String>,
    metadata: JsonObject,
) -> ImageResponse {
    ImageResponse {
        created,
        background: None,
        data: images
            .into_iter()
            .map(|b64| ImageData {
                b64_json: Some(b64),
                url: None,
                revised_prompt: None,
            })
            .collect(),
        output_format: None,
        quality: None,
        size: None,
        usage: Some(ImageUsage::default()),
        meta: ResponseMeta {
            request_id: response
                .header(crate::config::REQUEST_ID_HEADER)
                .map(str::to_owned),
            provider_metadata: (!metadata.is_empty()).then_some(Value::Object(metadata)),
            ..ResponseMeta::default()
        },
    }
}

/// A list of base64 strings at `value` (an error naming `field` otherwise).
pub(crate) fn string_list(value: Option<&Value>, family: &str, field: &str) -> Result<Vec<String>> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(family, &format!("no `{field}` list")))?;
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| malformed(family, &format!("`{field}` holds a non-string")))
        })
        .collect()
}

//! Amazon Titan Image Generator (`amazon.titan-image-generator-v1`, `-v2:0`) and Nova Canvas
//! (`amazon.nova-canvas-v1:0`): LiteLLM's `AmazonTitanImageGenerationConfig` and
//! `AmazonNovaCanvasConfig`, which share one body shape:
//!
//! ```json
//! {"taskType": "TEXT_IMAGE",
//!  "textToImageParams": {"text": "…", "negativeText": "…"},
//!  "imageGenerationConfig": {"numberOfImages": 1, "width": 1024, "height": 1024,
//!                            "quality": "standard", "seed": 0, "cfgScale": 8.0}}
//! ```
//!
//! - `taskType` (default `TEXT_IMAGE`) picks the task block: `textToImageParams`,
//!   `colorGuidedGenerationParams` (`COLOR_GUIDED_GENERATION`) or `inPaintingParams`
//!   (`INPAINTING`). The block starts with `{"text": prompt}` and takes the caller's block of the
//!   same name; a top-level `negativeText` (and, for color-guided generation, `colors` and
//!   `referenceImage`) goes into it too.
//! - `imageGenerationConfig` is the caller's object, then `size` → `width`/`height`, `n` →
//!   `numberOfImages`, `quality` (`hd`/`premium`/`high` → `premium`, `standard`/`medium`/`low` →
//!   `standard`, `auto` → unset), then every other top-level provider param (`seed`,
//!   `cfgScale`, …), as Nova Canvas does in LiteLLM.
//!
//! Where LiteLLM differs, on purpose: Titan drops top-level params other than `negativeText`
//! (LiteLLM ignores `seed`, `cfgScale`) and always sends `textToImageParams`; Nova Canvas puts a
//! top-level `negativeText` and the guardrail params into `imageGenerationConfig` and spells the
//! inpainting block `inpaintingParams` (Bedrock's name is `inPaintingParams`; LiteLLM's
//! spelling is accepted as input). Bedrock rejects all of those, so they are not copied.

use bedrock_types::chat::JsonObject;
use bedrock_types::images::{ImageGenerationRequest, ImageResponse};
use bedrock_types::{Error, Result};
use serde_json::{Value, json};

use super::{
    ImageConfig, check_params, image_response, invoke_request, parse_size, reply_object,
    split_guardrail, string_list,
};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// Which Amazon image model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmazonImageModel {
    /// Titan Image Generator v1 / v2.
    TitanImage,
    /// Nova Canvas.
    NovaCanvas,
}

/// Titan Image Generator and Nova Canvas.
#[derive(Debug, Clone, Copy)]
pub struct AmazonImageConfig {
    /// Which model.
    pub model: AmazonImageModel,
}

/// Task type → (task block key, top-level params that belong in the block).
fn task_block(task: &str) -> Result<(&'static str, &'static [&'static str])> {
    match task {
        "TEXT_IMAGE" => Ok(("textToImageParams", &["negativeText"])),
        "COLOR_GUIDED_GENERATION" => Ok((
            "colorGuidedGenerationParams",
            &["negativeText", "colors", "referenceImage"],
        )),
        "INPAINTING" => Ok(("inPaintingParams", &["negativeText"])),
        other => Err(Error::invalid_field(
            "taskType",
            format_args!(
                "TEXT_IMAGE, COLOR_GUIDED_GENERATION or INPAINTING (other tasks are image edits), \
                 got `{other}`"
            ),
        )),
    }
}

fn object_param(value: Value, field: &str) -> Result<JsonObject> {
    match value {
        Value::Object(o) => Ok(o),
        _ => Err(Error::invalid_field(field, "a JSON object")),
    }
}

/// OpenAI `quality` → Bedrock's `standard` / `premium` (`None` for `auto`: Bedrock's default).
fn map_quality(q: &str) -> Result<Option<&'static str>> {
    match q {
        "hd" | "premium" | "high" => Ok(Some("premium")),
        "standard" | "medium" | "low" => Ok(Some("standard")),
        "auto" => Ok(None),
        other => Err(Error::invalid_field(
            "quality",
            format_args!("standard, hd, premium, low, medium, high or auto, got `{other}`"),
        )),
    }
}

impl ImageConfig for AmazonImageConfig {
    fn name(&self) -> &'static str {
        match self.model {
            AmazonImageModel::TitanImage => "titan_image",
            AmazonImageModel::NovaCanvas => "nova_canvas",
        }
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &["n", "size", "quality"]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ImageGenerationRequest,
    ) -> Result<HttpRequestParts> {
        let dropped = check_params(self, req)?;
        let keep = |p: &str| !dropped.contains(&p);
        let (mut extra, headers) = split_guardrail(&req.provider_params)?;

        let task = match extra.remove("taskType") {
            None | Some(Value::Null) => "TEXT_IMAGE".to_owned(),
            Some(Value::String(s)) => s,
            Some(_) => return Err(Error::invalid_field("taskType", "a string")),
        };
        let (block_key, moved) = task_block(&task)?;
        let mut block = JsonObject::new();
        block.insert("text".to_owned(), json!(req.prompt));
        let mut given = extra.remove(block_key);
        if task == "INPAINTING" && given.is_none() {
            given = extra.remove("inpaintingParams");
        }
        if let Some(v) = given.filter(|v| !v.is_null()) {
            block.extend(object_param(v, block_key)?);
        }
        for key in moved {
            if let Some(v) = extra.remove(*key)
                && !block.contains_key(*key)
            {
                block.insert((*key).to_owned(), v);
            }
        }

        let mut config = match extra.remove("imageGenerationConfig") {
            None | Some(Value::Null) => JsonObject::new(),
            Some(v) => object_param(v, "imageGenerationConfig")?,
        };
        if let Some(size) = req.size.as_deref().filter(|_| keep("size")) {
            let (w, h) = parse_size(size)?;
            config.insert("width".to_owned(), json!(w));
            config.insert("height".to_owned(), json!(h));
        }
        if let Some(n) = req.n.filter(|_| keep("n")) {
            config.insert("numberOfImages".to_owned(), json!(n));
        }
        if let Some(q) = req.quality.as_deref().filter(|_| keep("quality"))
            && let Some(q) = map_quality(q)?
        {
            config.insert("quality".to_owned(), json!(q));
        }
        config.extend(extra);

        let mut body = JsonObject::new();
        body.insert("taskType".to_owned(), json!(task));
        body.insert(block_key.to_owned(), Value::Object(block));
        body.insert("imageGenerationConfig".to_owned(), Value::Object(config));
        invoke_request(route, req, body, headers)
    }

    fn transform_response(
        &self,
        _route: &ModelRoute,
        _req: &ImageGenerationRequest,
        response: HttpResponseParts<'_>,
        created: u64,
    ) -> Result<ImageResponse> {
        let family = match self.model {
            AmazonImageModel::TitanImage => "Titan",
            AmazonImageModel::NovaCanvas => "Nova Canvas",
        };
        let mut body = reply_object(&response, family)?;
        if let Some(message) = body
            .get("error")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
        {
            return Err(Error::from_bedrock(
                400,
                None,
                message,
                response.header(crate::config::REQUEST_ID_HEADER),
            ));
        }
        let images = match body.remove("images") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => string_list(Some(&v), family, "images")?,
        };
        body.remove("error");
        Ok(image_response(&response, created, images, body))
    }
}

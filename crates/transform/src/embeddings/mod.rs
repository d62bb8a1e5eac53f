//! Embeddings over InvokeModel: one config per model family.
//!
//! Unlike chat, one OpenAI call may need several Bedrock calls (Titan takes one input per call),
//! so [`EmbeddingConfig::transform_request`] returns a list of requests and
//! [`EmbeddingConfig::transform_response`] combines their replies.

mod cohere;
mod marengo;
mod nova;
mod titan;

use std::fmt::Debug;

use bedrock_types::embeddings::{EmbeddingInput, EmbeddingRequest, EmbeddingResponse};
use bedrock_types::{Error, ErrorKind, Result};

use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

pub use cohere::CohereEmbedConfig;
pub use marengo::MarengoEmbedConfig;
pub use nova::NovaEmbedConfig;
pub use titan::{TitanEmbedConfig, TitanVersion};

/// One embedding family's mapping.
pub trait EmbeddingConfig: Send + Sync + Debug {
    /// A stable name.
    fn name(&self) -> &'static str;

    /// The OpenAI parameters this family accepts.
    fn supported_openai_params(&self) -> &'static [&'static str];

    /// The Bedrock requests for this call, in input order.
    fn transform_request(
        &self,
        route: &ModelRoute,
        request: &EmbeddingRequest,
    ) -> Result<Vec<HttpRequestParts>>;

    /// Combine the replies (one per request, same order) into an OpenAI embeddings response.
    fn transform_response(
        &self,
        route: &ModelRoute,
        request: &EmbeddingRequest,
        responses: &[HttpResponseParts<'_>],
    ) -> Result<EmbeddingResponse>;
}

/// The config for an embedding model, by LiteLLM's provider detection (`nova` first, then the
/// provider segment of the base model; Marengo 3.0 is not supported).
pub fn embedding_config_for(route: &ModelRoute) -> Result<&'static dyn EmbeddingConfig> {
    static TITAN_V1: TitanEmbedConfig = TitanEmbedConfig {
        version: TitanVersion::G1,
    };
    static TITAN_V2: TitanEmbedConfig = TitanEmbedConfig {
        version: TitanVersion::V2,
    };
    static TITAN_IMAGE: TitanEmbedConfig = TitanEmbedConfig {
        version: TitanVersion::Multimodal,
    };
    static COHERE: CohereEmbedConfig = CohereEmbedConfig;
    static NOVA: NovaEmbedConfig = NovaEmbedConfig;
    static MARENGO: MarengoEmbedConfig = MarengoEmbedConfig;
    let base = route.base_model.as_str();
    if base.contains("nova") && base.contains("embed") {
        Ok(&NOVA)
    } else if base.starts_with("twelvelabs.marengo-embed-2") {
        Ok(&MARENGO)
    } else if base.starts_with("amazon.titan-embed-image") {
        Ok(&TITAN_IMAGE)
    } else if base.starts_with("amazon.titan-embed-text-v2") {
        Ok(&TITAN_V2)
    } else if base.starts_with("amazon.titan-embed") {
        Ok(&TITAN_V1)
    } else if base.starts_with("cohere.embed") {
        Ok(&COHERE)
    } else {
        Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "no embedding config for model={} (supported: amazon.titan-embed-text-v1/v2, \
                 amazon.titan-embed-image-v1, cohere.embed-*, \
                 amazon.nova-2-multimodal-embeddings-v1:0, twelvelabs.marengo-embed-2-7-v1:0)",
                route.model
            ),
        )
        .with_param("model"))
    }
}

/// One `POST {path}` InvokeModel request with a JSON `body` and `accept: application/json`.
pub(crate) fn invoke_parts(
    path: &str,
    family: &str,
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<HttpRequestParts> {
    let bytes = serde_json::to_vec(&serde_json::Value::Object(body)).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("serialising the {family} body failed: {e}"),
        )
    })?;
    let mut parts = HttpRequestParts::post_json(
        crate::config::EndpointKind::Runtime,
        path.to_owned(),
        bytes,
        crate::config::ResponseKind::Json,
    );
    parts
        .headers
        .push(("accept".to_owned(), "application/json".to_owned()));
    Ok(parts)
}

/// The inputs as strings (token arrays are not accepted by Bedrock's embedding models).
pub(crate) fn input_texts(input: &EmbeddingInput) -> Result<Vec<&str>> {
    match input {
        EmbeddingInput::One(s) => Ok(vec![s.as_str()]),
        EmbeddingInput::Many(v) if !v.is_empty() => Ok(v.iter().map(String::as_str).collect()),
        EmbeddingInput::Many(_) => Err(Error::invalid_field("input", "at least one input")),
        _ => Err(Error::invalid_field(
            "input",
            "strings (Bedrock embedding models take no token arrays)",
        )),
    }
}

/// LiteLLM's prompt details for a multimodal embedding call with `images` image inputs (its
/// `PromptTokensDetailsWrapper(image_count=…)`, unset fields written as `null`); none without.
pub(crate) fn image_count_details(images: usize) -> Option<serde_json::Value> {
    (images > 0).then(|| {
        serde_json::json!({
            "audio_tokens": null,
            "cached_tokens": null,
            "text_tokens": null,
            "image_tokens": null,
            "video_tokens": null,
            "image_count": images,
        })
    })
}

/// LiteLLM's rule for embedding params: the OpenAI ones the family does not take (`user`,
/// `encoding_format`, `dimensions`, in LiteLLM's order) are refused unless `drop_params`, which
/// drops them, in LiteLLM's words (the refused values as a Python dict). Returns the dropped
/// names.
pub(crate) fn check_params(
    config: &dyn EmbeddingConfig,
    request: &EmbeddingRequest,
) -> Result<Vec<&'static str>> {
    let set = [
        ("user", request.user.as_ref().map(|u| serde_json::json!(u))),
        (
            "encoding_format",
            request
                .encoding_format
                .as_ref()
                .map(|f| serde_json::json!(f)),
        ),
        (
            "dimensions",
            request.dimensions.map(|d| serde_json::json!(d)),
        ),
    ];
    let supported = config.supported_openai_params();
    let mut refused = serde_json::Map::new();
    let mut names: Vec<&'static str> = Vec::new();
    for (name, value) in set {
        if let Some(v) = value.filter(|_| !supported.contains(&name)) {
            refused.insert(name.to_owned(), v);
            names.push(name);
        }
    }
    if names.is_empty() || request.drop_params.unwrap_or(false) {
        return Ok(names);
    }
    Err(Error::new(
        ErrorKind::UnsupportedParams,
        format!(
            "bedrock does not support parameters: {}, for model={}. To drop these, set \
             `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: \
             true`\n",
            crate::pyjson::repr(&serde_json::Value::Object(refused)),
            crate::route::litellm_model_name(&request.model),
        ),
    )
    .with_param(names[0]))
}

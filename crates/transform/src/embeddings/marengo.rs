//! TwelveLabs Marengo Embed 2.7 (`twelvelabs.marengo-embed-2-7-v1:0`, usually through the
//! `us.` / `eu.` inference profile) on InvokeModel: LiteLLM's `TwelveLabsMarengoEmbeddingConfig`,
//! one call per input.
//!
//! Text: `{"inputType": "text", "inputText": "…", "textTruncate": "end"}`; image (`input_type` /
//! `inputType` = `image`): `{"inputType": "image", "mediaSource": {"base64String": "…"}}` from a
//! data URL or bare base64, or `{"s3Location": {"uri", "bucketOwner"}}` from an `s3://` URI.
//! Other provider params (`textTruncate`, `embeddingOption`, `startSec`, …) pass through;
//! `encoding_format: "float"` asks for `embeddingOption: ["visual-text", "visual-image"]` as in
//! LiteLLM (vectors are always floats). Video and audio need StartAsyncInvoke, which is not
//! here, so they are refused. Usage is zero tokens, as LiteLLM reports it.

use bedrock_types::embeddings::{
    Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage, EmbeddingVector,
};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use super::{EmbeddingConfig, check_params, input_texts};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// TwelveLabs Marengo Embed 2.7.
#[derive(Debug, Clone, Copy)]
pub struct MarengoEmbedConfig;

/// Keys of the provider params that are not copied into the body as they are.
const CORE_KEYS: &[&str] = &[
    "inputType",
    "input_type",
    "inputText",
    "mediaSource",
    "bucketOwner",
];

impl EmbeddingConfig for MarengoEmbedConfig {
    fn name(&self) -> &'static str {
        "marengo_embed"
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &["encoding_format"]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
    ) -> Result<Vec<HttpRequestParts>> {
        let dropped = check_params(self, req)?;
        let params = &req.provider_params;
        let input_type = match params
            .get("inputType")
            .filter(|v| !v.is_null())
            .or_else(|| params.get("input_type").filter(|v| !v.is_null()))
        {
            None => "text",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return Err(Error::invalid_field("input_type", "a string")),
        };
        if !matches!(input_type, "text" | "image") {
            return Err(Error::invalid_field(
                "input_type",
                format_args!(
                    "`text` or `image` on InvokeModel (video and audio need async invoke), got \
                     `{input_type}`"
                ),
            ));
        }
        let float_option = req.encoding_format.as_deref() == Some("float")
            && !dropped.contains(&"encoding_format");
        let path = format!("/model/{}/invoke", route.encoded_model_id());
        let mut out = Vec::new();
        for input in input_texts(&req.input)? {
            let mut body = Map::new();
            body.insert("inputType".to_owned(), json!(input_type));
            if input_type == "text" {
                body.insert("inputText".to_owned(), json!(input));
                if !params.contains_key("textTruncate") {
                    body.insert("textTruncate".to_owned(), json!("end"));
                }
            } else if input.starts_with("s3://") {
                let mut location = Map::new();
                location.insert("uri".to_owned(), json!(input));
                match params.get("bucketOwner") {
                    Some(Value::String(owner)) if !owner.is_empty() => {
                        location.insert("bucketOwner".to_owned(), json!(owner));
                    }
                    None | Some(Value::Null) | Some(Value::String(_)) => {}
                    Some(_) => return Err(Error::invalid_field("bucketOwner", "a string")),
                }
                body.insert(
                    "mediaSource".to_owned(),
                    json!({ "s3Location": Value::Object(location) }),
                );
            } else {
                let b64 = match input.strip_prefix("data:") {
                    Some(rest) => rest.split_once(',').map_or(input, |(_, d)| d),
                    None => input,
                };
                body.insert("mediaSource".to_owned(), json!({ "base64String": b64 }));
            }
            if float_option {
                body.insert(
                    "embeddingOption".to_owned(),
                    json!(["visual-text", "visual-image"]),
                );
            }
            for (k, v) in params {
                if !CORE_KEYS.contains(&k.as_str()) {
                    body.insert(k.clone(), v.clone());
                }
            }
            out.push(super::invoke_parts(&path, "Marengo", body)?);
        }
        Ok(out)
    }

    fn transform_response(
        &self,
        route: &ModelRoute,
        _req: &EmbeddingRequest,
        responses: &[HttpResponseParts<'_>],
    ) -> Result<EmbeddingResponse> {
        let mut data = Vec::new();
        for (i, r) in responses.iter().enumerate() {
            let body: Value = serde_json::from_slice(r.body).map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("Marengo reply {i} is not JSON: {e}"),
                )
                .with_status(422)
            })?;
            // Observed shapes: `{"data": [segment…]}`, `{"embedding": […]}`,
            // `{"embeddings": [segment…]}`; segments carry `embedding`.
            let items = |key: &str| -> Vec<Value> {
                body.get(key)
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|s| s.get("embedding").cloned())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let vectors = {
                let from_data = items("data");
                if !from_data.is_empty() {
                    from_data
                } else if let Some(v) = body.get("embedding").filter(|v| v.is_array()) {
                    vec![v.clone()]
                } else {
                    items("embeddings")
                }
            };
            if vectors.is_empty() {
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!("Marengo reply {i} has no embedding"),
                )
                .with_status(422));
            }
            for v in vectors {
                let vector = v
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                data.push(Embedding {
                    object: "embedding".to_owned(),
                    index: data.len() as u32,
                    embedding: EmbeddingVector::Float(vector),
                });
            }
        }
        Ok(EmbeddingResponse {
            object: "list".to_owned(),
            data,
            model: route.model.clone(),
            usage: EmbeddingUsage::default(),
            meta: ResponseMeta::default(),
        })
    }
}

//! Amazon Nova Multimodal Embeddings (`amazon.nova-2-multimodal-embeddings-v1:0`) on
//! InvokeModel: LiteLLM's `AmazonNovaEmbeddingConfig`, one `SINGLE_EMBEDDING` call per input.
//!
//! ```json
//! {"schemaVersion": "nova-multimodal-embed-v1", "taskType": "SINGLE_EMBEDDING",
//!  "singleEmbeddingParams": {"embeddingPurpose": "GENERIC_INDEX", "embeddingDimension": 3072,
//!                            "text": {"value": "hello", "truncationMode": "END"}}}
//! ```
//!
//! Provider params go into `singleEmbeddingParams` as given (`embeddingPurpose`, a whole
//! `text`/`image`/`video`/`audio` block, which then replaces the input); `dimensions` (or
//! `embedding_dimension`) becomes `embeddingDimension`. An input that is a data URL becomes an
//! `image`, `video` or `audio` block by its MIME type (`jpg` → `jpeg`); an `s3://` URI becomes a
//! text source. Usage is estimated as LiteLLM does: `truncatedCharLength / 4`, else the vector
//! length / 4. The async `SEGMENTED_EMBEDDING` route (`bedrock/async_invoke/…`) is not here.

use bedrock_types::embeddings::{
    Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage, EmbeddingVector,
};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use super::{EmbeddingConfig, check_params, input_texts};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// Nova multimodal embeddings.
#[derive(Debug, Clone, Copy)]
pub struct NovaEmbedConfig;

/// The `singleEmbeddingParams` block for one input.
fn embedding_params(
    input: &str,
    index: usize,
    req: &EmbeddingRequest,
    dimensions: Option<u32>,
) -> Result<Map<String, Value>> {
    let mut params = req.provider_params.clone();
    params.remove("output_s3_uri");
    let alias = params.remove("embedding_dimension");
    if let Some(d) = dimensions {
        params.insert("embeddingDimension".to_owned(), json!(d));
    } else if let Some(d) = alias {
        params.insert("embeddingDimension".to_owned(), d);
    }
    if !params.contains_key("embeddingPurpose") {
        params.insert("embeddingPurpose".to_owned(), json!("GENERIC_INDEX"));
    }
    if !params.contains_key("embeddingDimension") {
        params.insert("embeddingDimension".to_owned(), json!(3072));
    }
    if ["text", "image", "video", "audio"]
        .iter()
        .any(|k| params.contains_key(*k))
    {
        return Ok(params);
    }
    if let Some(rest) = input.strip_prefix("data:") {
        let (meta, data) = rest.split_once(',').ok_or_else(|| {
            Error::invalid_field(
                format!("input[{index}]"),
                "a data URL `data:<mime>;base64,<data>` (no comma found)",
            )
        })?;
        let mime = meta.split(';').next().unwrap_or(meta);
        let (top, sub) = mime.split_once('/').unwrap_or((mime, ""));
        let format = sub.to_ascii_lowercase();
        match top {
            "image" => {
                let format = if format == "jpg" {
                    "jpeg".to_owned()
                } else {
                    format
                };
                params.insert(
                    "image".to_owned(),
                    json!({"format": format, "source": {"bytes": data}}),
                );
            }
            "video" | "audio" => {
                params.insert(
                    top.to_owned(),
                    json!({"format": format, "source": {"bytes": data}}),
                );
            }
            // LiteLLM embeds an unknown media type as the text of the whole URL.
            _ => {
                params.insert(
                    "text".to_owned(),
                    json!({"value": input, "truncationMode": "END"}),
                );
            }
        }
    } else if input.starts_with("s3://") {
        params.insert(
            "text".to_owned(),
            json!({"source": {"s3Location": {"uri": input}}, "truncationMode": "END"}),
        );
    } else {
        params.insert(
            "text".to_owned(),
            json!({"value": input, "truncationMode": "END"}),
        );
    }
    Ok(params)
}

impl EmbeddingConfig for NovaEmbedConfig {
    fn name(&self) -> &'static str {
        "nova_embed"
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &["dimensions"]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
    ) -> Result<Vec<HttpRequestParts>> {
        let dropped = check_params(self, req)?;
        let dimensions = req.dimensions.filter(|_| !dropped.contains(&"dimensions"));
        let path = format!("/model/{}/invoke", route.encoded_model_id());
        let mut out = Vec::new();
        for (i, input) in input_texts(&req.input)?.into_iter().enumerate() {
            let mut body = Map::new();
            body.insert(
                "schemaVersion".to_owned(),
                json!("nova-multimodal-embed-v1"),
            );
            body.insert("taskType".to_owned(), json!("SINGLE_EMBEDDING"));
            body.insert(
                "singleEmbeddingParams".to_owned(),
                Value::Object(embedding_params(input, i, req, dimensions)?),
            );
            out.push(super::invoke_parts(&path, "Nova embedding", body)?);
        }
        Ok(out)
    }

    fn transform_response(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
        responses: &[HttpResponseParts<'_>],
    ) -> Result<EmbeddingResponse> {
        let mut data = Vec::new();
        let mut tokens = 0u64;
        for (i, r) in responses.iter().enumerate() {
            let body: Value = serde_json::from_slice(r.body).map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("Nova embedding reply {i} is not JSON: {e}"),
                )
                .with_status(422)
            })?;
            let items: Vec<&Value> = match body.get("embeddings") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter(|item| item.get("embedding").is_some())
                    .collect(),
                _ if body.get("embedding").is_some() => vec![&body],
                _ => {
                    return Err(Error::new(
                        ErrorKind::Internal,
                        format!("Nova embedding reply {i} has no `embeddings`"),
                    )
                    .with_status(422));
                }
            };
            for item in items {
                let vector: Vec<f64> = item
                    .get("embedding")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                tokens += match item.get("truncatedCharLength").and_then(Value::as_u64) {
                    Some(chars) => chars / 4,
                    None => vector.len() as u64 / 4,
                };
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
            usage: EmbeddingUsage {
                prompt_tokens: tokens,
                total_tokens: tokens,
                prompt_tokens_details: super::image_count_details(
                    super::input_texts(&req.input)
                        .map(|t| t.iter().filter(|s| s.starts_with("data:image/")).count())
                        .unwrap_or(0),
                ),
                ..EmbeddingUsage::default()
            },
            meta: ResponseMeta::default(),
        })
    }
}

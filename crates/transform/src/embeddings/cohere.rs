//! Cohere Embed v3 (english, multilingual) and v4 on InvokeModel: one batched call.

use bedrock_types::embeddings::{
    Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage, EmbeddingVector,
};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use super::{EmbeddingConfig, check_params, input_texts};
use crate::config::{EndpointKind, HttpRequestParts, HttpResponseParts, ResponseKind};
use crate::route::ModelRoute;

/// Cohere embeddings (LiteLLM's `BedrockCohereEmbeddingConfig`).
#[derive(Debug, Clone, Copy)]
pub struct CohereEmbedConfig;

impl EmbeddingConfig for CohereEmbedConfig {
    fn name(&self) -> &'static str {
        "cohere_embed"
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        &["encoding_format", "dimensions"]
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
    ) -> Result<Vec<HttpRequestParts>> {
        let dropped = check_params(self, req)?;
        let texts = input_texts(&req.input)?;
        if texts.len() > 96 {
            return Err(Error::invalid_field(
                "input",
                format_args!("at most 96 inputs per Cohere call, got {}", texts.len()),
            ));
        }
        let mut body = Map::new();
        // LiteLLM's default `input_type`; a caller's own value (provider param) replaces it.
        body.insert("input_type".to_owned(), json!("search_document"));
        let images: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| t.starts_with("data:image/"))
            .collect();
        if images.is_empty() {
            body.insert("texts".to_owned(), json!(texts));
        } else if images.len() == texts.len() {
            body.insert("input_type".to_owned(), json!("image"));
            body.insert("images".to_owned(), json!(images));
        } else {
            return Err(Error::invalid_field(
                "input",
                "all texts or all image data URLs, not a mix",
            ));
        }
        // LiteLLM's mapping: `embedding_types` from `encoding_format`, base64 read as float
        // (the reply's floats are what it returns either way).
        if let Some(f) = req
            .encoding_format
            .as_deref()
            .filter(|_| !dropped.contains(&"encoding_format"))
        {
            let f = if f == "base64" { "float" } else { f };
            body.insert("embedding_types".to_owned(), json!([f]));
        }
        if let Some(d) = req.dimensions.filter(|_| !dropped.contains(&"dimensions")) {
            body.insert("output_dimension".to_owned(), json!(d));
        }
        for (k, v) in &req.provider_params {
            body.insert(k.clone(), v.clone());
        }
        let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the Cohere body failed: {e}"),
            )
        })?;
        let mut parts = HttpRequestParts::post_json(
            EndpointKind::Runtime,
            format!("/model/{}/invoke", route.encoded_model_id()),
            bytes,
            ResponseKind::Json,
        );
        parts
            .headers
            .push(("accept".to_owned(), "application/json".to_owned()));
        Ok(vec![parts])
    }

    fn transform_response(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
        responses: &[HttpResponseParts<'_>],
    ) -> Result<EmbeddingResponse> {
        let r = responses
            .first()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "no Cohere reply"))?;
        let body: Value = serde_json::from_slice(r.body).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("Cohere reply is not JSON: {e}"),
            )
            .with_status(422)
        })?;
        let embeddings = match body.get("embeddings") {
            Some(Value::Array(list)) => list.clone(),
            // `embeddings_by_type`: take floats (LiteLLM maps base64 requests to float).
            Some(Value::Object(by_type)) => by_type
                .get("float")
                .or_else(|| by_type.values().next())
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            _ => {
                return Err(
                    Error::new(ErrorKind::Internal, "Cohere reply has no `embeddings`")
                        .with_status(422),
                );
            }
        };
        let data = embeddings
            .iter()
            .enumerate()
            .map(|(i, e)| Embedding {
                object: "embedding".to_owned(),
                index: i as u32,
                embedding: EmbeddingVector::Float(
                    e.as_array()
                        .map(|a| a.iter().filter_map(Value::as_f64).collect())
                        .unwrap_or_default(),
                ),
            })
            .collect();
        // Bedrock's count header when it sent one; else LiteLLM's `_calculate_usage`: the body's
        // `meta.billed_units` (text + images, also reported as details), else cl100k's count
        // of each input.
        let billed = body.pointer("/meta/billed_units");
        let billed_text = billed
            .and_then(|b| b.get("input_tokens"))
            .and_then(Value::as_u64);
        let billed_images = billed.and_then(|b| b.get("images")).and_then(Value::as_u64);
        let mut details = None;
        let tokens = match r
            .header("x-amzn-bedrock-input-token-count")
            .and_then(|v| v.trim().parse().ok())
        {
            Some(n) => n,
            None if billed_text.is_some() || billed_images.is_some() => {
                details = Some(json!({"image_tokens": billed_images, "text_tokens": billed_text}));
                billed_text.unwrap_or(0) + billed_images.unwrap_or(0)
            }
            None => input_texts(&req.input)
                .map(|t| t.iter().map(|s| crate::tokens::encode_len(s)).sum())
                .unwrap_or(0),
        };
        Ok(EmbeddingResponse {
            object: "list".to_owned(),
            data,
            model: route.model.clone(),
            usage: EmbeddingUsage {
                prompt_tokens: tokens,
                total_tokens: tokens,
                prompt_tokens_details: details,
                ..EmbeddingUsage::default()
            },
            meta: ResponseMeta::default(),
        })
    }
}

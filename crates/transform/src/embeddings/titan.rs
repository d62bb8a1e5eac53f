//! Amazon Titan embeddings: G1 text (`amazon.titan-embed-text-v1`), V2 text
//! (`amazon.titan-embed-text-v2:0`) and multimodal (`amazon.titan-embed-image-v1`). Titan takes
//! one input per call; the replies are combined in order with their token counts summed.

use bedrock_types::embeddings::{
    Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage, EmbeddingVector,
};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use super::{EmbeddingConfig, check_params, input_texts};
use crate::config::{HttpRequestParts, HttpResponseParts};
use crate::route::ModelRoute;

/// Which Titan embedding model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitanVersion {
    /// Titan Text Embeddings G1.
    G1,
    /// Titan Text Embeddings V2 (dimensions, normalize, float/binary).
    V2,
    /// Titan Multimodal Embeddings (text or a base64 image).
    Multimodal,
}

/// Titan embeddings (LiteLLM's `AmazonTitanG1Config`, `AmazonTitanV2Config`,
/// `AmazonTitanMultimodalEmbeddingG1Config`).
#[derive(Debug, Clone, Copy)]
pub struct TitanEmbedConfig {
    /// Which model.
    pub version: TitanVersion,
}

impl EmbeddingConfig for TitanEmbedConfig {
    fn name(&self) -> &'static str {
        match self.version {
            TitanVersion::G1 => "titan_embed_g1",
            TitanVersion::V2 => "titan_embed_v2",
            TitanVersion::Multimodal => "titan_embed_multimodal",
        }
    }

    fn supported_openai_params(&self) -> &'static [&'static str] {
        match self.version {
            TitanVersion::G1 => &[],
            TitanVersion::V2 => &["dimensions", "encoding_format"],
            TitanVersion::Multimodal => &["dimensions"],
        }
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
    ) -> Result<Vec<HttpRequestParts>> {
        let dropped = check_params(self, req)?;
        let keep = |p: &str| !dropped.contains(&p);
        let path = format!("/model/{}/invoke", route.encoded_model_id());
        let mut out = Vec::new();
        for (i, text) in input_texts(&req.input)?.into_iter().enumerate() {
            let mut body = Map::new();
            match self.version {
                TitanVersion::Multimodal => {
                    if let Some(rest) = text.strip_prefix("data:") {
                        let data = rest.split_once(",").map(|(_, d)| d).ok_or_else(|| {
                            Error::invalid_field(
                                format!("input[{i}]"),
                                "text or a base64 image data URL",
                            )
                        })?;
                        body.insert("inputImage".to_owned(), json!(data));
                    } else {
                        body.insert("inputText".to_owned(), json!(text));
                    }
                    if let Some(d) = req.dimensions.filter(|_| keep("dimensions")) {
                        body.insert(
                            "embeddingConfig".to_owned(),
                            json!({ "outputEmbeddingLength": d }),
                        );
                    }
                }
                _ => {
                    body.insert("inputText".to_owned(), json!(text));
                }
            }
            if self.version == TitanVersion::V2 {
                let binary = req
                    .encoding_format
                    .as_deref()
                    .filter(|_| keep("encoding_format"));
                match binary {
                    Some("base64") => body.insert("embeddingTypes".to_owned(), json!(["binary"])),
                    Some("float") => body.insert("embeddingTypes".to_owned(), json!(["float"])),
                    Some(other) => {
                        return Err(Error::invalid_field(
                            "encoding_format",
                            format_args!("float or base64, got `{other}`"),
                        ));
                    }
                    None => None,
                };
                if let Some(d) = req.dimensions.filter(|_| keep("dimensions")) {
                    if ![256, 512, 1024].contains(&d) {
                        return Err(Error::invalid_field(
                            "dimensions",
                            format_args!("256, 512 or 1024 for Titan V2, got {d}"),
                        ));
                    }
                    body.insert("dimensions".to_owned(), json!(d));
                }
            }
            for (k, v) in &req.provider_params {
                body.insert(k.clone(), v.clone());
            }
            out.push(super::invoke_parts(&path, "Titan", body)?);
        }
        Ok(out)
    }

    fn transform_response(
        &self,
        route: &ModelRoute,
        req: &EmbeddingRequest,
        responses: &[HttpResponseParts<'_>],
    ) -> Result<EmbeddingResponse> {
        let asked_binary =
            self.version == TitanVersion::V2 && req.encoding_format.as_deref() == Some("base64");
        let mut data = Vec::new();
        let mut tokens = 0;
        for (i, r) in responses.iter().enumerate() {
            let body: Value = serde_json::from_slice(r.body).map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("Titan reply {i} is not JSON: {e}"),
                )
                .with_status(422)
            })?;
            tokens += body
                .get("inputTextTokenCount")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let by_type = body.get("embeddingsByType");
            // The binary vector when it was asked for (`encoding_format: "base64"`) and Bedrock
            // sent it, else the floats, as LiteLLM reads them (Bedrock sends the asked-for types).
            let binary = by_type
                .and_then(|b| b.get("binary"))
                .filter(|_| asked_binary);
            let vector = if let Some(v) = binary {
                EmbeddingVector::Int(ints(Some(v), i)?)
            } else {
                let v = by_type
                    .and_then(|b| b.get("float"))
                    .or_else(|| body.get("embedding"));
                EmbeddingVector::Float(floats(v, i)?)
            };
            data.push(Embedding {
                object: "embedding".to_owned(),
                index: i as u32,
                embedding: vector,
            });
        }
        Ok(EmbeddingResponse {
            object: "list".to_owned(),
            data,
            model: route.model.clone(),
            usage: EmbeddingUsage {
                prompt_tokens: tokens,
                total_tokens: tokens,
                prompt_tokens_details: match self.version {
                    TitanVersion::Multimodal => super::image_count_details(
                        input_texts(&req.input)
                            .map(|t| t.iter().filter(|s| s.starts_with("data:")).count())
                            .unwrap_or(0),
                    ),
                    _ => None,
                },
                ..EmbeddingUsage::default()
            },
            meta: ResponseMeta::default(),
        })
    }
}

fn floats(v: Option<&Value>, i: usize) -> Result<Vec<f64>> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!("Titan reply {i} has no embedding"),
            )
            .with_status(422)
        })
}

fn ints(v: Option<&Value>, i: usize) -> Result<Vec<i64>> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!("Titan reply {i} has no binary embedding"),
            )
            .with_status(422)
        })
}

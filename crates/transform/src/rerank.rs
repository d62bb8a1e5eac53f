//! Rerank through the agent-runtime Rerank API (`POST /rerank` on bedrock-agent-runtime), in
//! Cohere's request/response shape: LiteLLM's `BedrockRerankConfig`.
//!
//! ```json
//! {"queries": [{"type": "TEXT", "textQuery": {"text": "…"}}],
//!  "sources": [{"type": "INLINE", "inlineDocumentSource": {"type": "TEXT", "textDocument": {"text": "…"}}},
//!              {"type": "INLINE", "inlineDocumentSource": {"type": "JSON", "jsonDocument": {…}}}],
//!  "rerankingConfiguration": {"type": "BEDROCK_RERANKING_MODEL",
//!    "bedrockRerankingConfiguration": {"numberOfResults": 2,
//!      "modelConfiguration": {"modelArn": "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0"}}}}
//! ```
//!
//! `numberOfResults` is `top_n`, else the number of documents. The reply's
//! `results[{index, relevanceScore, document}]` become Cohere's `results[{index,
//! relevance_score, document}]` (`document` only with `return_documents: true`), with LiteLLM's
//! `meta.billed_units` (one search unit unless Bedrock reports `usage`).
//!
//! Differences from LiteLLM 1.103.7, on purpose: LiteLLM sends the bare model id as
//! `modelArn`, which Bedrock rejects; here a model id becomes the foundation-model ARN in the
//! call's region (an ARN is sent as given). LiteLLM silently ignores `rank_fields` and
//! `max_chunks_per_doc`; here they are `unsupported_params` unless `drop_params`. Provider
//! params pass through: `additionalModelRequestFields` into `modelConfiguration`, anything else
//! (`nextToken`) at the top level.
//!
//! [`CohereInvokeRerankConfig`] serves Cohere Rerank through InvokeModel
//! (`bedrock/invoke/cohere.rerank-v3-5:0`: `{"query", "documents", "top_n", "api_version": 2}`
//! → `{"id", "results": [{"index", "relevance_score"}]}`), a route LiteLLM does not offer; the
//! default route for rerank models stays the Rerank API, as in LiteLLM.

use bedrock_types::chat::JsonObject;
use bedrock_types::rerank::{RerankDocument, RerankRequest, RerankResponse, RerankResult};
use bedrock_types::response::ResponseMeta;
use bedrock_types::{Error, ErrorKind, Result};
use serde_json::{Value, json};

use crate::config::{
    EndpointKind, HttpRequestParts, HttpResponseParts, ResponseKind, error_from_response,
};
use crate::route::ModelRoute;

/// The Bedrock Rerank API (`amazon.rerank-v1:0`, `cohere.rerank-v3-5:0`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BedrockRerankConfig;

impl BedrockRerankConfig {
    /// The optional Cohere parameters this API takes.
    pub fn supported_params(&self) -> &'static [&'static str] {
        &["top_n", "return_documents"]
    }

    /// The `modelArn` for `route`: the route's ARN as given, else
    /// `arn:{partition}:bedrock:{region}::foundation-model/{model}` with `region` (the call's
    /// resolved region) or the route's region segment.
    pub fn model_arn(&self, route: &ModelRoute, region: Option<&str>) -> Result<String> {
        if route.arn.is_some() {
            return Ok(route.model_id.clone());
        }
        let region = region
            .filter(|r| !r.is_empty())
            .or(route.region.as_deref())
            .ok_or_else(|| {
                Error::missing_field("aws_region_name").with_context(
                    "the Rerank API needs the model's foundation-model ARN, which names a region",
                )
            })?;
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        Ok(format!(
            "arn:{partition}:bedrock:{region}::foundation-model/{}",
            route.model_id
        ))
    }

    /// The `POST /rerank` request on bedrock-agent-runtime. `region` is the region the call goes
    /// to (used for the model ARN when the model is not an ARN).
    pub fn transform_request(
        &self,
        route: &ModelRoute,
        req: &RerankRequest,
        region: Option<&str>,
    ) -> Result<HttpRequestParts> {
        let unsupported: Vec<&str> = [
            ("rank_fields", req.rank_fields.is_some()),
            ("max_chunks_per_doc", req.max_chunks_per_doc.is_some()),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        if let Some(first) = unsupported.first()
            && !req.drop_params.unwrap_or(false)
        {
            return Err(Error::unsupported_param(
                *first,
                &route.model,
                self.supported_params(),
            ));
        }
        if req.documents.is_empty() {
            return Err(Error::invalid_field("documents", "at least one document"));
        }
        if req.top_n == Some(0) {
            return Err(Error::invalid_field("top_n", "at least 1"));
        }
        let sources: Vec<Value> = req
            .documents
            .iter()
            .map(|d| match d {
                RerankDocument::Text(t) => json!({
                    "type": "INLINE",
                    "inlineDocumentSource": {"type": "TEXT", "textDocument": {"text": t}},
                }),
                RerankDocument::Object(o) => json!({
                    "type": "INLINE",
                    "inlineDocumentSource": {"type": "JSON", "jsonDocument": o},
                }),
            })
            .collect();
        let mut extra = req.provider_params.clone();
        let mut model_config = JsonObject::new();
        model_config.insert("modelArn".to_owned(), json!(self.model_arn(route, region)?));
        if let Some(fields) = extra.remove("additionalModelRequestFields") {
            if !fields.is_object() {
                return Err(Error::invalid_field(
                    "additionalModelRequestFields",
                    "a JSON object",
                ));
            }
            model_config.insert("additionalModelRequestFields".to_owned(), fields);
        }
        let number = req.top_n.map_or(req.documents.len() as u64, u64::from);
        let mut body = JsonObject::new();
        body.insert(
            "queries".to_owned(),
            json!([{"type": "TEXT", "textQuery": {"text": req.query}}]),
        );
        body.insert(
            "rerankingConfiguration".to_owned(),
            json!({
                "type": "BEDROCK_RERANKING_MODEL",
                "bedrockRerankingConfiguration": {
                    "numberOfResults": number,
                    "modelConfiguration": model_config,
                },
            }),
        );
        body.insert("sources".to_owned(), Value::Array(sources));
        body.extend(extra);
        let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the rerank body failed: {e}"),
            )
        })?;
        let mut parts = HttpRequestParts::post_json(
            EndpointKind::AgentRuntime,
            "/rerank".to_owned(),
            bytes,
            ResponseKind::Json,
        );
        parts
            .headers
            .push(("accept".to_owned(), "application/json".to_owned()));
        Ok(parts)
    }

    /// Turn a successful reply into Cohere's shape. `id` is the response id to use when Bedrock
    /// gives none (LiteLLM generates a UUID; the transform takes it from the caller).
    pub fn transform_response(
        &self,
        req: &RerankRequest,
        response: HttpResponseParts<'_>,
        id: &str,
    ) -> Result<RerankResponse> {
        let bad = |why: String| {
            Error::new(
                ErrorKind::Internal,
                format!("Bedrock returned a malformed rerank reply: {why}"),
            )
            .with_status(422)
        };
        let body: Value =
            serde_json::from_slice(response.body).map_err(|e| bad(format!("not JSON: {e}")))?;
        let results = body
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no `results` list".to_owned()))?;
        let with_documents = req.return_documents == Some(true);
        let mut out = Vec::with_capacity(results.len());
        for (i, r) in results.iter().enumerate() {
            let index = r
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad(format!("results[{i}] has no `index`")))?;
            // The Rerank API says `relevanceScore`; Cohere on InvokeModel `relevance_score`.
            let relevance_score = r
                .get("relevanceScore")
                .or_else(|| r.get("relevance_score"))
                .and_then(Value::as_f64)
                .ok_or_else(|| bad(format!("results[{i}] has no `relevanceScore`")))?;
            let document = if with_documents {
                cohere_document(r.get("document")).or_else(|| request_document(req, index as usize))
            } else {
                None
            };
            out.push(RerankResult {
                index,
                relevance_score,
                document,
            });
        }
        let usage = body.get("usage").filter(|u| u.is_object());
        let meta = json!({
            "billed_units": usage.cloned().unwrap_or_else(|| json!({"search_units": 1})),
            "tokens": usage.cloned().unwrap_or_else(|| json!({})),
        });
        let mut provider = JsonObject::new();
        if let Some(token) = body.get("nextToken").filter(|t| !t.is_null()) {
            provider.insert("nextToken".to_owned(), token.clone());
        }
        Ok(RerankResponse {
            id: body
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(id)
                .to_owned(),
            results: out,
            meta: Some(meta),
            meta_info: ResponseMeta {
                request_id: response
                    .header(crate::config::REQUEST_ID_HEADER)
                    .map(str::to_owned),
                provider_metadata: (!provider.is_empty()).then_some(Value::Object(provider)),
                ..ResponseMeta::default()
            },
        })
    }

    /// Turn a non-2xx reply into the shared error type.
    pub fn map_error(&self, response: HttpResponseParts<'_>) -> Error {
        error_from_response(response)
    }
}

/// Cohere Rerank (`cohere.rerank-v3-5:0`) through InvokeModel, in Cohere's native body.
#[derive(Debug, Clone, Copy, Default)]
pub struct CohereInvokeRerankConfig;

impl CohereInvokeRerankConfig {
    /// The request: `POST /model/{id}/invoke` with `query`, `documents` (strings, or objects as
    /// given), `top_n`, `api_version: 2` and any provider params (`max_tokens_per_doc`).
    pub fn transform_request(
        &self,
        route: &ModelRoute,
        req: &RerankRequest,
    ) -> Result<HttpRequestParts> {
        for (name, set) in [
            ("rank_fields", req.rank_fields.is_some()),
            ("max_chunks_per_doc", req.max_chunks_per_doc.is_some()),
        ] {
            if set && !req.drop_params.unwrap_or(false) {
                return Err(Error::unsupported_param(
                    name,
                    &route.model,
                    &["top_n", "return_documents"],
                ));
            }
        }
        if req.documents.is_empty() {
            return Err(Error::invalid_field("documents", "at least one document"));
        }
        if req.top_n == Some(0) {
            return Err(Error::invalid_field("top_n", "at least 1"));
        }
        let documents: Vec<Value> = req
            .documents
            .iter()
            .map(|d| match d {
                RerankDocument::Text(t) => json!(t),
                RerankDocument::Object(o) => Value::Object(o.clone()),
            })
            .collect();
        let mut body = JsonObject::new();
        body.insert("query".to_owned(), json!(req.query));
        body.insert("documents".to_owned(), Value::Array(documents));
        if let Some(n) = req.top_n {
            body.insert("top_n".to_owned(), json!(n));
        }
        body.insert("api_version".to_owned(), json!(2));
        body.extend(req.provider_params.clone());
        let bytes = serde_json::to_vec(&Value::Object(body)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("serialising the rerank body failed: {e}"),
            )
        })?;
        let mut parts = HttpRequestParts::post_json(
            EndpointKind::Runtime,
            format!(
                "/model/{}/invoke",
                crate::encoding::encode_label(&route.model_id)
            ),
            bytes,
            ResponseKind::Json,
        );
        parts
            .headers
            .push(("accept".to_owned(), "application/json".to_owned()));
        Ok(parts)
    }

    /// Cohere's reply is already Cohere-shaped: the same mapping as the Rerank API's.
    pub fn transform_response(
        &self,
        req: &RerankRequest,
        response: HttpResponseParts<'_>,
        id: &str,
    ) -> Result<RerankResponse> {
        BedrockRerankConfig.transform_response(req, response, id)
    }
}

/// Bedrock's result document in Cohere's shape: `{"text": …}` for text, the object for JSON.
fn cohere_document(doc: Option<&Value>) -> Option<Value> {
    let doc = doc?;
    if let Some(text) = doc.pointer("/textDocument/text") {
        return Some(json!({ "text": text }));
    }
    doc.get("jsonDocument").cloned()
}

/// The request's document at `index`, in Cohere's shape.
fn request_document(req: &RerankRequest, index: usize) -> Option<Value> {
    match req.documents.get(index)? {
        RerankDocument::Text(t) => Some(json!({ "text": t })),
        RerankDocument::Object(o) => Some(Value::Object(o.clone())),
    }
}

//! Converse's top-level config blocks, spelled as InvokeModel headers.
//!
//! On invoke, guardrails, latency, service tier and request metadata travel as
//! `X-Amzn-Bedrock-*` headers, never in the model's body (LiteLLM #9128 put them in the body).

use bedrock_types::chat::JsonObject;
use bedrock_types::{Error, Result};
use serde_json::Value;

/// Split provider params into invoke headers and the params that stay in the body.
pub fn split_invoke_params(params: &JsonObject) -> Result<(Vec<(String, String)>, JsonObject)> {
    let mut headers = Vec::new();
    let mut rest = JsonObject::new();
    for (k, v) in params {
        match k.as_str() {
            "guardrailConfig" => {
                let s = |key: &str| v.get(key).and_then(Value::as_str);
                let id = s("guardrailIdentifier")
                    .ok_or_else(|| Error::missing_field("guardrailConfig.guardrailIdentifier"))?;
                headers.push((
                    "x-amzn-bedrock-guardrailidentifier".to_owned(),
                    id.to_owned(),
                ));
                if let Some(ver) = s("guardrailVersion") {
                    headers.push(("x-amzn-bedrock-guardrailversion".to_owned(), ver.to_owned()));
                }
                if let Some(trace) = s("trace") {
                    headers.push((
                        "x-amzn-bedrock-trace".to_owned(),
                        trace.to_ascii_uppercase(),
                    ));
                }
            }
            "performanceConfig" => {
                if let Some(l) = v.get("latency").and_then(Value::as_str) {
                    headers.push((
                        "x-amzn-bedrock-performanceconfig-latency".to_owned(),
                        l.to_owned(),
                    ));
                }
            }
            "serviceTier" => {
                if let Some(t) = v.get("type").and_then(Value::as_str) {
                    headers.push(("x-amzn-bedrock-service-tier".to_owned(), t.to_owned()));
                }
            }
            "requestMetadata" => {
                headers.push(("x-amzn-bedrock-request-metadata".to_owned(), v.to_string()));
            }
            _ if bedrock_types::chat::UNTYPED_OPENAI_PARAMS.contains(&k.as_str()) => {}
            _ => {
                rest.insert(k.clone(), v.clone());
            }
        }
    }
    Ok((headers, rest))
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Embedding goldens: each folder under `tests/fixtures/embeddings/` holds an OpenAI request, the
//! Bedrock replies (`responses.json`, one per Bedrock call) and LiteLLM's captured requests
//! (`litellm_requests.json`: paths and bodies, from LiteLLM 1.103.7 on loopback). Our requests
//! must equal LiteLLM's; the response is compared with `expected_response.json`.

use std::path::Path;

use bedrock_testkit::golden::{assert_golden, read_json};
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::embeddings::embedding_config_for;
use bedrock_transform::route::ModelRoute;
use bedrock_types::ErrorKind;
use bedrock_types::embeddings::EmbeddingRequest;
use serde_json::{Value, json};

#[test]
fn embedding_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embeddings");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 6);
    for dir in dirs {
        let req: EmbeddingRequest = read_json(dir.join("request.json"));
        let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref()).unwrap();
        let config = embedding_config_for(&route).unwrap();
        let parts = config.transform_request(&route, &req).unwrap();
        let litellm: Value = read_json(dir.join("litellm_requests.json"));
        let paths: Vec<&str> = parts.iter().map(|p| p.path.as_str()).collect();
        let bodies: Vec<Value> = parts
            .iter()
            .map(|p| serde_json::from_slice(&p.body).unwrap())
            .collect();
        assert_eq!(
            json!(paths),
            litellm["paths"],
            "{}: paths differ from LiteLLM's",
            dir.display()
        );
        assert_eq!(
            json!(bodies),
            litellm["bodies"],
            "{}: bodies differ from LiteLLM's",
            dir.display()
        );

        let replies: Vec<Value> = read_json(dir.join("responses.json"));
        let raw: Vec<Vec<u8>> = replies
            .iter()
            .map(|r| serde_json::to_vec(r).unwrap())
            .collect();
        let headers = http::HeaderMap::new();
        let responses: Vec<HttpResponseParts> = raw
            .iter()
            .take(parts.len())
            .map(|b| HttpResponseParts {
                status: 200,
                headers: &headers,
                body: b,
            })
            .collect();
        let resp = config.transform_response(&route, &req, &responses).unwrap();
        assert_golden(dir.join("expected_response.json"), &resp);
    }
}

#[test]
fn unsupported_embedding_params() {
    let req: EmbeddingRequest = serde_json::from_value(json!({
        "model": "bedrock/amazon.titan-embed-text-v1", "input": ["x"], "dimensions": 256
    }))
    .unwrap();
    let route = ModelRoute::parse(&req.model).unwrap();
    let err = embedding_config_for(&route)
        .unwrap()
        .transform_request(&route, &req)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(err.param(), Some("dimensions"));
    // LiteLLM 1.103.7's words (its proxy's, recorded): the refused values as a Python dict, in
    // its parameter order.
    let mut both = req.clone();
    both.encoding_format = Some("float".to_owned());
    let err = embedding_config_for(&route)
        .unwrap()
        .transform_request(&route, &both)
        .unwrap_err();
    assert_eq!(
        err.message(),
        "bedrock does not support parameters: {'encoding_format': 'float', 'dimensions': 256}, \
         for model=amazon.titan-embed-text-v1. To drop these, set `litellm.drop_params=True` or \
         for proxy:\n\n`litellm_settings:\n drop_params: true`\n"
    );
    let mut dropped = req.clone();
    dropped.drop_params = Some(true);
    let parts = embedding_config_for(&route)
        .unwrap()
        .transform_request(&route, &dropped)
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&parts[0].body).unwrap(),
        json!({"inputText": "x"})
    );
    let bad =
        json!({"model": "bedrock/amazon.titan-embed-text-v2:0", "input": ["x"], "dimensions": 300});
    let bad: EmbeddingRequest = serde_json::from_value(bad).unwrap();
    let route = ModelRoute::parse(&bad.model).unwrap();
    let err = embedding_config_for(&route)
        .unwrap()
        .transform_request(&route, &bad)
        .unwrap_err();
    assert_eq!(err.param(), Some("dimensions"));
}

#[test]
fn nova_and_marengo_params_and_inputs() {
    let transform = |req: Value| {
        let req: EmbeddingRequest = serde_json::from_value(req).unwrap();
        let route = ModelRoute::parse(&req.model).unwrap();
        embedding_config_for(&route)?.transform_request(&route, &req)
    };
    // Nova takes `dimensions` only; Marengo takes `encoding_format` only (LiteLLM's lists).
    let err = transform(
        json!({"model": "bedrock/amazon.nova-2-multimodal-embeddings-v1:0",
        "input": ["x"], "encoding_format": "float"}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(err.param(), Some("encoding_format"));
    let err = transform(json!({"model": "bedrock/twelvelabs.marengo-embed-2-7-v1:0",
        "input": ["x"], "dimensions": 3}))
    .unwrap_err();
    assert_eq!(err.param(), Some("dimensions"));
    let parts = transform(json!({"model": "bedrock/twelvelabs.marengo-embed-2-7-v1:0",
        "input": ["x"], "dimensions": 3, "drop_params": true}))
    .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&parts[0].body).unwrap(),
        json!({"inputType": "text", "inputText": "x", "textTruncate": "end"})
    );
    // Marengo video/audio need async invoke; a bad Nova data URL is refused.
    let err = transform(json!({"model": "bedrock/twelvelabs.marengo-embed-2-7-v1:0",
        "input": ["s3://b/v.mp4"], "input_type": "video"}))
    .unwrap_err();
    assert_eq!(err.param(), Some("input_type"));
    let err = transform(
        json!({"model": "bedrock/amazon.nova-2-multimodal-embeddings-v1:0",
        "input": ["ok", "data:image/png;base64"]}),
    )
    .unwrap_err();
    assert_eq!(err.param(), Some("input[1]"));
    // Marengo 3.0 is not mapped.
    let err =
        transform(json!({"model": "bedrock/twelvelabs.marengo-embed-3-0-v1:0", "input": ["x"]}))
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

/// Cohere: `encoding_format` becomes `embedding_types` (base64 read as float), and without a
/// count header or `meta.billed_units` the usage is cl100k's count of each input, as LiteLLM
/// counts it.
#[test]
fn cohere_encoding_format_and_estimated_usage() {
    let req: EmbeddingRequest = serde_json::from_value(json!({
        "model": "bedrock/cohere.embed-english-v3", "input": ["hello", "world"],
        "encoding_format": "base64"
    }))
    .unwrap();
    let route = ModelRoute::parse(&req.model).unwrap();
    let config = embedding_config_for(&route).unwrap();
    let parts = config.transform_request(&route, &req).unwrap();
    let body: Value = serde_json::from_slice(&parts[0].body).unwrap();
    assert_eq!(body["embedding_types"], json!(["float"]));
    let headers = http::HeaderMap::new();
    let usage_of = |reply: Value| {
        let body = serde_json::to_vec(&reply).unwrap();
        let parts = [HttpResponseParts {
            status: 200,
            headers: &headers,
            body: &body,
        }];
        config
            .transform_response(&route, &req, &parts)
            .unwrap()
            .usage
    };
    assert_eq!(
        usage_of(json!({"embeddings": [[0.1], [0.2]]})).prompt_tokens,
        2
    );
    let billed = usage_of(
        json!({"embeddings": [[0.1], [0.2]], "meta": {"billed_units": {"input_tokens": 7}}}),
    );
    assert_eq!(billed.prompt_tokens, 7);
    assert_eq!(
        billed.prompt_tokens_details,
        Some(json!({"image_tokens": null, "text_tokens": 7}))
    );
}

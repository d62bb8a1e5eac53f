#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Rerank goldens: each folder under `tests/fixtures/rerank/` holds a Cohere-shaped request
//! (`request.json`) and the Bedrock Rerank reply (`response.json`); the wire request and the
//! response are compared with `expected_request.json` / `expected_response.json`
//! (`UPDATE_GOLDEN=1` rewrites them). The call region is `us-east-1`.
//!
//! `litellm_request.json` is the body LiteLLM 1.103.7 sent for the same call on loopback; our
//! body must equal it, with one known LiteLLM bug patched first: for a bare model id LiteLLM
//! sends the id itself as `modelArn` (Bedrock requires an ARN), where we send the
//! foundation-model ARN in the call's region.

use std::path::Path;

use bedrock_testkit::golden::{assert_golden, read_json};
use bedrock_transform::EndpointKind;
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::rerank::BedrockRerankConfig;
use bedrock_transform::route::ModelRoute;
use bedrock_types::ErrorKind;
use bedrock_types::rerank::RerankRequest;
use serde_json::{Value, json};

const REGION: &str = "us-east-1";
const ID: &str = "rerank-test-0001";

fn parse(req: Value) -> (ModelRoute, RerankRequest) {
    let req: RerankRequest = serde_json::from_value(req).unwrap();
    let route = ModelRoute::parse(&req.model).unwrap();
    (route, req)
}

fn body_of(req: Value, region: Option<&str>) -> bedrock_types::Result<Value> {
    let (route, req) = parse(req);
    let parts = BedrockRerankConfig.transform_request(&route, &req, region)?;
    Ok(serde_json::from_slice(&parts.body).unwrap())
}

#[test]
fn rerank_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rerank");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("request.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 5, "fixtures missing: {dirs:?}");
    let mut parity = 0;
    for dir in dirs {
        let req: RerankRequest = read_json(dir.join("request.json"));
        let route = ModelRoute::parse(&req.model).unwrap();
        let parts = BedrockRerankConfig
            .transform_request(&route, &req, Some(REGION))
            .unwrap();
        assert_eq!(parts.endpoint, EndpointKind::AgentRuntime);
        let body: Value = serde_json::from_slice(&parts.body).unwrap();
        assert_golden(
            dir.join("expected_request.json"),
            &json!({"method": parts.method.as_str(), "path": parts.path,
                    "headers": parts.headers, "body": body}),
        );
        let litellm = dir.join("litellm_request.json");
        if litellm.exists() {
            let mut expected: Value = read_json(&litellm);
            let arn =
                "/rerankingConfiguration/bedrockRerankingConfiguration/modelConfiguration/modelArn";
            if route.arn.is_none() {
                // LiteLLM's bug: the bare id as `modelArn`.
                assert_eq!(expected.pointer(arn), Some(&json!(route.model_id)));
                *expected.pointer_mut(arn).unwrap() = json!(format!(
                    "arn:aws:bedrock:{REGION}::foundation-model/{}",
                    route.model_id
                ));
            }
            assert_eq!(
                body,
                expected,
                "{}: body differs from LiteLLM's",
                dir.display()
            );
            parity += 1;
        }
        let raw = std::fs::read(dir.join("response.json")).unwrap();
        let mut h = http::HeaderMap::new();
        h.insert("x-amzn-requestid", "req-rr-1".parse().unwrap());
        let resp = BedrockRerankConfig
            .transform_response(
                &req,
                HttpResponseParts {
                    status: 200,
                    headers: &h,
                    body: &raw,
                },
                ID,
            )
            .unwrap();
        assert_eq!(resp.meta_info.request_id.as_deref(), Some("req-rr-1"));
        assert_golden(dir.join("expected_response.json"), &resp);
    }
    assert!(parity >= 4, "only {parity} cases checked against LiteLLM");
}

#[test]
fn model_arn_from_region_route_or_arn() {
    let cfg = BedrockRerankConfig;
    let route = ModelRoute::parse("bedrock/amazon.rerank-v1:0").unwrap();
    assert_eq!(
        cfg.model_arn(&route, Some("eu-central-1")).unwrap(),
        "arn:aws:bedrock:eu-central-1::foundation-model/amazon.rerank-v1:0"
    );
    let err = cfg.model_arn(&route, None).unwrap_err();
    assert_eq!(err.param(), Some("aws_region_name"));
    // A region segment in the model names the region when the caller gives none.
    let route = ModelRoute::parse("bedrock/us-west-2/cohere.rerank-v3-5:0").unwrap();
    assert_eq!(
        cfg.model_arn(&route, None).unwrap(),
        "arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0"
    );
    let route = ModelRoute::parse("bedrock/amazon.rerank-v1:0").unwrap();
    assert_eq!(
        cfg.model_arn(&route, Some("cn-north-1")).unwrap(),
        "arn:aws-cn:bedrock:cn-north-1::foundation-model/amazon.rerank-v1:0"
    );
    // An ARN is sent as given, whatever the call region.
    let arn = "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0";
    let route = ModelRoute::parse(&format!("bedrock/{arn}")).unwrap();
    assert_eq!(cfg.model_arn(&route, Some("us-east-1")).unwrap(), arn);
}

#[test]
fn unsupported_and_invalid_params() {
    let base = json!({"model": "bedrock/amazon.rerank-v1:0", "query": "q", "documents": ["a"]});
    for (param, value) in [
        ("rank_fields", json!(["title"])),
        ("max_chunks_per_doc", json!(3)),
    ] {
        let mut req = base.clone();
        req[param] = value;
        let err = body_of(req.clone(), Some(REGION)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedParams, "{param}");
        assert_eq!(err.param(), Some(param));
        req["drop_params"] = json!(true);
        let body = body_of(req, Some(REGION)).unwrap();
        assert!(body.get(param).is_none());
    }
    let mut req = base.clone();
    req["documents"] = json!([]);
    assert_eq!(
        body_of(req, Some(REGION)).unwrap_err().param(),
        Some("documents")
    );
    let mut req = base.clone();
    req["top_n"] = json!(0);
    assert_eq!(
        body_of(req, Some(REGION)).unwrap_err().param(),
        Some("top_n")
    );
    let mut req = base;
    req["additionalModelRequestFields"] = json!("nope");
    assert_eq!(
        body_of(req, Some(REGION)).unwrap_err().param(),
        Some("additionalModelRequestFields")
    );
}

#[test]
fn error_and_malformed_replies() {
    let (_, req) =
        parse(json!({"model": "bedrock/amazon.rerank-v1:0", "query": "q", "documents": ["a"]}));
    let mut h = http::HeaderMap::new();
    h.insert("x-amzn-errortype", "AccessDeniedException".parse().unwrap());
    h.insert("x-amzn-requestid", "req-denied".parse().unwrap());
    let err = BedrockRerankConfig.map_error(HttpResponseParts {
        status: 403,
        headers: &h,
        body: br#"{"message":"not authorized to perform bedrock:Rerank"}"#,
    });
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(err.status(), 403);
    assert_eq!(err.request_id(), Some("req-denied"));

    let h = http::HeaderMap::new();
    for body in [&b"{}"[..], br#"{"results": [{"index": 0}]}"#, b"<html>"] {
        let err = BedrockRerankConfig
            .transform_response(
                &req,
                HttpResponseParts {
                    status: 200,
                    headers: &h,
                    body,
                },
                ID,
            )
            .unwrap_err();
        assert_eq!(err.status(), 422, "{}", String::from_utf8_lossy(body));
    }
    // Bedrock's own id wins over the caller's.
    let resp = BedrockRerankConfig
        .transform_response(
            &req,
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: br#"{"id": "bedrock-id", "results": []}"#,
            },
            ID,
        )
        .unwrap();
    assert_eq!(resp.id, "bedrock-id");
    assert!(resp.results.is_empty());
}

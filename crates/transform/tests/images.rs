#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Image generation goldens: each folder under `tests/fixtures/images/` holds an OpenAI image
//! request (`request.json`) and the Bedrock reply (`response.json`). The wire request is
//! compared with `expected_request.json` and the OpenAI response (or the error the reply maps
//! to) with `expected_response.json` / `expected_error.json` (`UPDATE_GOLDEN=1` rewrites them).
//! Where `litellm_request.json` exists (the body LiteLLM 1.103.7 sent for the same call on
//! loopback), our body must equal it. Cases without it are LiteLLM bugs fixed on purpose:
//! - `nova_canvas_guardrail_headers`: LiteLLM also copies the guardrail params into
//!   `imageGenerationConfig`;
//! - `nova_canvas_top_level_negative_text`, `nova_canvas_color_guided_top_level_colors`:
//!   LiteLLM puts `negativeText` / `colors` into `imageGenerationConfig` instead of the task block;
//! - `titan_top_level_seed`: LiteLLM drops top-level `seed` / `cfgScale` for Titan.

use std::path::Path;

use bedrock_testkit::golden::{assert_golden, read_json};
use bedrock_transform::config::HttpResponseParts;
use bedrock_transform::images::image_config_for;
use bedrock_transform::route::ModelRoute;
use bedrock_types::ErrorKind;
use bedrock_types::images::ImageGenerationRequest;
use serde_json::{Value, json};

const CREATED: u64 = 1_700_000_000;

fn headers() -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert("x-amzn-requestid", "req-img-1".parse().unwrap());
    h
}

fn parse(req: Value) -> (ModelRoute, ImageGenerationRequest) {
    let req: ImageGenerationRequest = serde_json::from_value(req).unwrap();
    let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref()).unwrap();
    (route, req)
}

fn body_of(req: Value) -> bedrock_types::Result<Value> {
    let (route, req) = parse(req);
    let parts = image_config_for(&route)?.transform_request(&route, &req)?;
    Ok(serde_json::from_slice(&parts.body).unwrap())
}

#[test]
fn image_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("request.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "fixtures missing: {dirs:?}");
    let mut parity = 0;
    for dir in dirs {
        let req: ImageGenerationRequest = read_json(dir.join("request.json"));
        let route = ModelRoute::parse_with_model_id(&req.model, req.model_id.as_deref()).unwrap();
        let config = image_config_for(&route).unwrap();
        let parts = config.transform_request(&route, &req).unwrap();
        let body: Value = serde_json::from_slice(&parts.body).unwrap();
        let wire = json!({
            "config": config.name(),
            "method": parts.method.as_str(),
            "endpoint": format!("{:?}", parts.endpoint),
            "path": parts.path,
            "headers": parts.headers,
            "body": body,
        });
        assert_golden(dir.join("expected_request.json"), &wire);
        let litellm = dir.join("litellm_request.json");
        if litellm.exists() {
            let expected: Value = read_json(&litellm);
            assert_eq!(
                body,
                expected,
                "{}: body differs from LiteLLM's",
                dir.display()
            );
            parity += 1;
        }

        let raw = std::fs::read(dir.join("response.json")).unwrap();
        let h = headers();
        let reply = HttpResponseParts {
            status: 200,
            headers: &h,
            body: &raw,
        };
        match config.transform_response(&route, &req, reply, CREATED) {
            Ok(resp) => {
                assert_eq!(resp.meta.request_id.as_deref(), Some("req-img-1"));
                assert!(resp.data.iter().all(|d| d.b64_json.is_some()));
                assert_golden(dir.join("expected_response.json"), &resp);
            }
            Err(e) => assert_golden(
                dir.join("expected_error.json"),
                &json!({"kind": e.kind().as_str(), "status": e.status(), "message": e.message(),
                        "request_id": e.request_id()}),
            ),
        }
    }
    assert!(parity >= 12, "only {parity} cases checked against LiteLLM");
}

#[test]
fn config_choice_follows_litellm() {
    let name = |m: &str| {
        let route = ModelRoute::parse(m).unwrap();
        image_config_for(&route).map(|c| c.name())
    };
    assert_eq!(
        name("bedrock/amazon.titan-image-generator-v1").unwrap(),
        "titan_image"
    );
    assert_eq!(
        name("bedrock/amazon.nova-canvas-v1:0").unwrap(),
        "nova_canvas"
    );
    assert_eq!(
        name("bedrock/stability.sd3-large-v1:0").unwrap(),
        "stability3_image"
    );
    assert_eq!(
        name("bedrock/stability.sd3-5-large-v1:0").unwrap(),
        "stability3_image"
    );
    assert_eq!(
        name("bedrock/stability.stable-image-ultra-v1:1").unwrap(),
        "stability3_image"
    );
    assert_eq!(
        name("bedrock/stability.stable-image-core-v1:1").unwrap(),
        "stability3_image"
    );
    assert_eq!(
        name("bedrock/stability.stable-diffusion-xl-v1").unwrap(),
        "stability_xl_image"
    );
    let err = name("bedrock/amazon.nova-lite-v1:0").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.param(), Some("model"));
}

#[test]
fn unsupported_openai_params_fail_unless_dropped() {
    // Stability 3 maps no OpenAI parameter (LiteLLM: "Setting `size` is not supported").
    for (param, value) in [
        ("size", json!("1024x1024")),
        ("n", json!(2)),
        ("user", json!("u1")),
        ("response_format", json!("b64_json")),
        ("quality", json!("hd")),
        ("style", json!("vivid")),
    ] {
        let mut req = json!({"model": "bedrock/stability.sd3-large-v1:0", "prompt": "a cat"});
        req[param] = value;
        let err = body_of(req.clone()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedParams, "{param}");
        assert_eq!(err.param(), Some(param));
        req["drop_params"] = json!(true);
        assert_eq!(body_of(req).unwrap(), json!({"prompt": "a cat"}), "{param}");
    }
    // SDXL takes only `size`; Titan / Nova Canvas take n, size, quality.
    let err = body_of(
        json!({"model": "bedrock/stability.stable-diffusion-xl-v1", "prompt": "x", "n": 2}),
    )
    .unwrap_err();
    assert_eq!(err.param(), Some("n"));
    let err = body_of(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x", "style": "vivid"}),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedParams);
    assert_eq!(err.param(), Some("style"));
    // LiteLLM 1.103.7's words, recorded from its proxy.
    assert_eq!(
        err.message(),
        "Setting `style` is not supported by bedrock, amazon.nova-canvas-v1:0. To drop it from \
         the call, set `litellm.drop_params = True`."
    );
}

#[test]
fn bad_size_and_quality_are_typed_errors() {
    for (model, size) in [
        ("bedrock/stability.stable-diffusion-xl-v1", "big"),
        ("bedrock/amazon.titan-image-generator-v1", "1024"),
        ("bedrock/amazon.nova-canvas-v1:0", "1024x"),
        ("bedrock/amazon.nova-canvas-v1:0", "0x1024"),
        ("bedrock/amazon.nova-canvas-v1:0", "axb"),
    ] {
        let err = body_of(json!({"model": model, "prompt": "x", "size": size})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{model} {size}");
        assert_eq!(err.param(), Some("size"));
        assert!(err.message().contains("WIDTHxHEIGHT"), "{}", err.message());
    }
    let err = body_of(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x", "quality": "ultra"}),
    )
    .unwrap_err();
    assert_eq!(err.param(), Some("quality"));
    // `auto` leaves the choice to Bedrock.
    let body = body_of(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x", "quality": "auto"}),
    )
    .unwrap();
    assert_eq!(body["imageGenerationConfig"], json!({}));
}

#[test]
fn task_types_and_inpainting_spelling() {
    let err = body_of(json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x", "taskType": "OUTPAINTING"}))
        .unwrap_err();
    assert_eq!(err.param(), Some("taskType"));
    let err = body_of(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x",
        "textToImageParams": "not an object"}),
    )
    .unwrap_err();
    assert_eq!(err.param(), Some("textToImageParams"));
    // LiteLLM's `inpaintingParams` spelling is read; Bedrock's `inPaintingParams` is sent.
    let body = body_of(
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "a hat",
        "taskType": "INPAINTING", "inpaintingParams": {"image": "AAA", "maskPrompt": "head"}}),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"taskType": "INPAINTING",
               "inPaintingParams": {"text": "a hat", "image": "AAA", "maskPrompt": "head"},
               "imageGenerationConfig": {}})
    );
}

#[test]
fn non_2xx_and_malformed_replies() {
    let (route, req) = parse(json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "x"}));
    let config = image_config_for(&route).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert(
        "x-amzn-errortype",
        "ValidationException:http://internal".parse().unwrap(),
    );
    h.insert("x-amzn-requestid", "req-err".parse().unwrap());
    let body = br#"{"message":"This request has been blocked by our content filters."}"#;
    let err = config.map_error(HttpResponseParts {
        status: 400,
        headers: &h,
        body,
    });
    assert_eq!(err.status(), 400);
    assert_eq!(err.bedrock_error_type(), Some("ValidationException"));
    assert_eq!(err.request_id(), Some("req-err"));
    assert!(err.message().contains("content filters"));

    let h = headers();
    let err = config
        .transform_response(
            &route,
            &req,
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: b"not json",
            },
            CREATED,
        )
        .unwrap_err();
    assert_eq!(err.status(), 422);
    let err = config
        .transform_response(
            &route,
            &req,
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: br#"{"images": [], "error": "The generated image has been blocked"}"#,
            },
            CREATED,
        )
        .unwrap_err();
    assert_eq!(err.status(), 400);

    let (route, req) =
        parse(json!({"model": "bedrock/stability.stable-diffusion-xl-v1", "prompt": "x"}));
    let err = image_config_for(&route)
        .unwrap()
        .transform_response(
            &route,
            &req,
            HttpResponseParts {
                status: 200,
                headers: &h,
                body: br#"{"result": "success"}"#,
            },
            CREATED,
        )
        .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(err.message().contains("artifacts"));
}

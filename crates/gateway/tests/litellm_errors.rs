#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Bedrock errors reach the client in the very bytes LiteLLM's proxy answers with. Each expected
//! body below was recorded from litellm 1.103.7's proxy (`litellm --config`) on the same
//! config and the same mock replies; the two deliberate differences (docs/litellm-differences.md)
//! are marked where they apply.

mod common;

use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::mock::{Operation, Reply, RouteMatch};
use serde_json::json;

/// One model group per case, each on its own test model id.
const GROUPS: &[&str] = &["h0", "h1", "h3", "h6", "h8", "h9", "s0", "s7"];

fn yaml() -> String {
    let mut y = String::from("model_list:\n");
    for g in GROUPS {
        y.push_str(&format!(
            "  - model_name: {g}\n    litellm_params:\n      model: bedrock/converse/test.{g}-v1:0\n"
        ));
    }
    y
}

fn http_error(status: u16, error_type: &str, message: &str) -> Reply {
    Reply::error_with_suffix(status, error_type, message)
}

fn chat(model: &str, stream: bool) -> serde_json::Value {
    json!({"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream})
}

#[tokio::test]
async fn bedrock_errors_are_worded_as_litellm_words_them() {
    let h = common::start(&yaml()).await;
    let converse = |id: &str| RouteMatch::model(Operation::Converse, id);
    let stream = |id: &str| RouteMatch::model(Operation::ConverseStream, id);
    h.mock.on(
        converse("test.h0-v1:0"),
        http_error(
            400,
            "ValidationException",
            "Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.",
        ),
    );
    h.mock.on(
        converse("test.h1-v1:0"),
        http_error(
            400,
            "ValidationException",
            "Input is too long for requested model.",
        ),
    );
    h.mock.on(
        converse("test.h3-v1:0"),
        http_error(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
    );
    h.mock.on(
        converse("test.h6-v1:0"),
        http_error(
            408,
            "ModelTimeoutException",
            "Model has timed out in processing the request.",
        ),
    );
    h.mock.on(
        converse("test.h8-v1:0"),
        http_error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
    );
    h.mock.on(
        converse("test.h9-v1:0"),
        http_error(
            500,
            "InternalServerException",
            "The system encountered an unexpected error during processing. Try your request again.",
        ),
    );
    h.mock.on(
        stream("test.s0-v1:0"),
        Reply::stream(vec![
            Frame::event("messageStart", &json!({"role": "assistant"})),
            Frame::exception(
                "throttlingException",
                "Too many tokens, please wait before trying again.",
            ),
        ]),
    );
    h.mock.on(
        stream("test.s7-v1:0"),
        Reply::stream(vec![
            Frame::event("messageStart", &json!({"role": "assistant"})),
            Frame::event(
                "contentBlockDelta",
                &json!({"contentBlockIndex": 0, "delta": {"text": "Hi é"}}),
            ),
            Frame::exception("modelStreamErrorException", "Model stream failed: ünïcode"),
        ]),
    );

    // Whole replies: LiteLLM's message, then what its router adds for a listed model group.
    let cases: &[(&str, u16, &str)] = &[
        (
            "h0",
            400,
            r#"{"error":{"message":"litellm.BadRequestError: BedrockException - {\"message\":\"Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.\"}. Received Model Group=h0\nAvailable Model Group Fallbacks=None","type":"invalid_request_error","param":null,"code":"400"}}"#,
        ),
        (
            "h1",
            400,
            r#"{"error":{"message":"litellm.ContextWindowExceededError: litellm.BadRequestError: BedrockException: Context Window Error - {\"message\":\"Input is too long for requested model.\"}\nmodel=h1. context_window_fallbacks=None. fallbacks=None.\n\nSet 'context_window_fallback' - https://docs.litellm.ai/docs/routing#fallbacks. Received Model Group=h1\nAvailable Model Group Fallbacks=None","type":"invalid_request_error","param":null,"code":"400"}}"#,
        ),
        (
            "h3",
            403,
            r#"{"error":{"message":"litellm.AuthenticationError: BedrockException Invalid Authentication - {\"message\":\"The security token included in the request is invalid.\"}. Received Model Group=h3\nAvailable Model Group Fallbacks=None","type":"permission_error","param":null,"code":"403"}}"#,
        ),
        (
            "h6",
            408,
            r#"{"error":{"message":"litellm.Timeout: BedrockException: Timeout Error - {\"message\":\"Model has timed out in processing the request.\"}\n\nDeployment Info: request_timeout: None\ntimeout: None. Received Model Group=h6\nAvailable Model Group Fallbacks=None","type":"invalid_request_error","param":null,"code":"408"}}"#,
        ),
        (
            "h8",
            429,
            r#"{"error":{"message":"litellm.RateLimitError: BedrockException - {\"message\":\"Too many requests, please wait before trying again.\"}. Received Model Group=h8\nAvailable Model Group Fallbacks=None","type":"throttling_error","param":null,"code":"429"}}"#,
        ),
        (
            "h9",
            503,
            r#"{"error":{"message":"litellm.ServiceUnavailableError: BedrockException - {\"message\":\"The system encountered an unexpected error during processing. Try your request again.\"}. Received Model Group=h9\nAvailable Model Group Fallbacks=None","type":"internal_server_error","param":null,"code":"503"}}"#,
        ),
        // An exception before the stream's first chunk: a JSON error, raised outside the
        // router (no model-group suffix).
        (
            "s0",
            429,
            r#"{"error":{"message":"litellm.RateLimitError: BedrockException: Rate Limit Error - throttlingException {\"message\":\"Too many tokens, please wait before trying again.\"}","type":"throttling_error","param":null,"code":"429"}}"#,
        ),
    ];
    for (model, status, expected) in cases {
        let r = common::post(
            h.addr(),
            "/v1/chat/completions",
            &chat(model, model.starts_with('s')),
        )
        .await;
        assert_eq!(r.status, *status, "{model}: {}", r.text());
        assert_eq!(r.text(), *expected, "{model}");
    }

    // An exception after the first chunk: the last event, written with `json.dumps` spacing.
    // Deliberate difference: LiteLLM writes `"type": null` here (only its non-stream path
    // fills the type in); an OpenAI error's type is a string, so the gateway fills it in too.
    let r = common::post(h.addr(), "/v1/chat/completions", &chat("s7", true)).await;
    assert_eq!(r.status, 200);
    let events = common::sse_events(&r.text());
    assert_eq!(
        events.last().map(String::as_str),
        Some(
            r#"{"error": {"message": "litellm.BadRequestError: BedrockException - modelStreamErrorException {\"message\":\"Model stream failed: \u00fcn\u00efcode\"}", "type": "invalid_request_error", "param": null, "code": "424"}}"#
        )
    );
}

#[tokio::test]
async fn a_passthrough_model_has_no_model_group_in_its_errors() {
    // Passthrough has no counterpart in LiteLLM's proxy (it refuses a model it does not list).
    // With no model group to name, the message ends at Bedrock's text, as the LiteLLM SDK's
    // (no router) does.
    let h = common::start("").await;
    h.mock.on(
        RouteMatch::model(Operation::Converse, "test.h8-v1:0"),
        http_error(
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
    );
    let r = common::post(
        h.addr(),
        "/v1/chat/completions",
        &chat("bedrock/converse/test.h8-v1:0", false),
    )
    .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.text(),
        r#"{"error":{"message":"litellm.RateLimitError: BedrockException - {\"message\":\"Too many requests, please wait before trying again.\"}","type":"throttling_error","param":null,"code":"429"}}"#
    );
}

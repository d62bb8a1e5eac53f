//! OpenAI-shaped error responses: `{"error": {"message", "type", "param", "code"}}`.
//!
//! Bedrock and client errors keep their `bedrock_types::Error` status and body
//! (`to_openai_json`, with LiteLLM's `litellm.<Class>: BedrockException - …` message); errors
//! the gateway itself raises (auth, unknown model, malformed JSON, body too large) use the
//! messages and types LiteLLM's proxy uses, with `code` the status as a string.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::body::GatewayBody;

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// For metrics: `bad_request`, `authentication`, …
    pub kind: &'static str,
}

impl ApiError {
    /// An error the gateway raises itself.
    pub fn new(
        status: u16,
        error_type: &str,
        message: impl Into<String>,
        param: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            body: json!({
                "error": {
                    "message": message.into(),
                    "type": error_type,
                    "param": param,
                    "code": status.to_string(),
                }
            }),
            kind: match status {
                401 => "authentication",
                404 => "not_found",
                405 => "method_not_allowed",
                413 => "payload_too_large",
                500..=599 => "internal",
                _ => "bad_request",
            },
        }
    }

    /// 400 `invalid_request_error`.
    pub fn bad_request(message: impl Into<String>, param: Option<&str>) -> Self {
        Self::new(400, "invalid_request_error", message, param)
    }

    /// 401, as LiteLLM's proxy words it.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "auth_error", message, None)
    }

    /// The message text.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    /// The response.
    pub fn into_response(self) -> http::Response<GatewayBody> {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut response = http::Response::new(GatewayBody::full(Bytes::from(body)));
        *response.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}

impl From<bedrock_types::Error> for ApiError {
    fn from(e: bedrock_types::Error) -> Self {
        let status = match e.status() {
            s @ 400..=599 => s,
            _ => 500,
        };
        let mut body = e.to_openai_json();
        body["error"]["code"] = Value::String(status.to_string());
        ApiError {
            status,
            body,
            kind: e.kind().as_str(),
        }
    }
}

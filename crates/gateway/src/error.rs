//! OpenAI-shaped error responses: `{"error": {"message", "type", "param", "code"}}`.
//!
//! Bedrock and client errors keep their `bedrock_types::Error` status and body
//! (`to_openai_json`, with LiteLLM's `litellm.<Class>: BedrockException - …` message); errors
//! the gateway itself raises (auth, unknown model, malformed JSON, body too large) use the
//! messages and types LiteLLM's proxy uses, with `code` the status as a string.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::body::GatewayBody;
use crate::config::Deployment;

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// For metrics: `bad_request`, `authentication`, …
    pub kind: &'static str,
    /// Raised by the call itself (Bedrock, or the client's checks of the request), which
    /// LiteLLM's proxy makes through its router when the model is listed: see
    /// [`ApiError::with_router_context`].
    pub from_call: bool,
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
            from_call: false,
        }
    }

    /// What LiteLLM's router adds to the message of an error from a call to a listed model
    /// group (`expose_router_debug_in_errors`, on by default): the fallbacks hint for a
    /// context-window error, the deployment's timeouts for a timeout, then
    /// `. Received Model Group=<group>\nAvailable Model Group Fallbacks=None` (the gateway has
    /// no fallbacks). Errors the gateway raises itself and errors in a stream's first chunk
    /// (raised outside the router) are left as they are.
    pub fn with_router_context(mut self, group: &str, deployment: &Deployment) -> Self {
        if !self.from_call {
            return self;
        }
        let mut message = self.message().to_owned();
        match self.kind {
            "context_window_exceeded" => message.push_str(&format!(
                "\nmodel={group}. context_window_fallbacks=None. fallbacks=None.\n\n\
                 Set 'context_window_fallback' - https://docs.litellm.ai/docs/routing#fallbacks"
            )),
            "timeout" => message.push_str(&format!(
                "\n\nDeployment Info: request_timeout: {}\ntimeout: {}",
                python_repr(deployment.params.get("request_timeout")),
                python_repr(deployment.params.get("timeout")),
            )),
            _ => {}
        }
        message.push_str(&format!(
            ". Received Model Group={group}\nAvailable Model Group Fallbacks=None"
        ));
        self.body["error"]["message"] = Value::String(message);
        self
    }

    /// Not from the router's call: an error in a stream's first chunk.
    pub fn outside_router(mut self) -> Self {
        self.from_call = false;
        self
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
            from_call: true,
        }
    }
}

/// A `litellm_params` value as Python prints it (`None`, `30`, `30.5`, `True`).
fn python_repr(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "None".to_owned(),
        Some(Value::Bool(b)) => if *b { "True" } else { "False" }.to_owned(),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => bedrock_transform::pyjson::float_repr(f),
            _ => n.to_string(),
        },
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

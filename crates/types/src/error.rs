//! The one error type of the whole stack, shaped like OpenAI's error body.
//!
//! Every layer (transform, transport, auth, client, gateway) reports failures as an [`Error`]:
//! a [`ErrorKind`] that says what went wrong in OpenAI/LiteLLM terms, the HTTP status a caller
//! would see, a message, and what Bedrock said when it said anything (error type, request id).
//! [`Error::from_bedrock`] holds LiteLLM's classification of Bedrock errors in one place.

use std::fmt;

/// What kind of failure this is, in the vocabulary of OpenAI/LiteLLM exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was malformed or a field had the wrong value (400).
    BadRequest,
    /// Credentials were missing, invalid or expired (401).
    Authentication,
    /// Credentials were valid but not allowed to do this (403).
    PermissionDenied,
    /// The model, agent or route does not exist (404).
    NotFound,
    /// Throttled by Bedrock (429).
    RateLimit,
    /// The input does not fit the model's context window (400).
    ContextWindowExceeded,
    /// A guardrail or content filter refused the request (400).
    ContentPolicy,
    /// The request or the model timed out (408).
    Timeout,
    /// Bedrock is unavailable or overloaded (503).
    ServiceUnavailable,
    /// An internal error in Bedrock or in this library (500).
    Internal,
    /// The connection could not be made or broke (no HTTP response; reported as 500).
    ApiConnection,
    /// An OpenAI parameter the model family does not take, without `drop_params` (400).
    UnsupportedParams,
}

impl ErrorKind {
    /// The HTTP status LiteLLM reports for this kind when Bedrock gave none.
    pub fn default_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest
            | ErrorKind::ContextWindowExceeded
            | ErrorKind::ContentPolicy
            | ErrorKind::UnsupportedParams => 400,
            ErrorKind::Authentication => 401,
            ErrorKind::PermissionDenied => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Timeout => 408,
            ErrorKind::RateLimit => 429,
            ErrorKind::Internal | ErrorKind::ApiConnection => 500,
            ErrorKind::ServiceUnavailable => 503,
        }
    }

    /// The snake_case name used in logs, metrics and the gateway's `error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Authentication => "authentication",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimit => "rate_limit",
            ErrorKind::ContextWindowExceeded => "context_window_exceeded",
            ErrorKind::ContentPolicy => "content_policy",
            ErrorKind::Timeout => "timeout",
            ErrorKind::ServiceUnavailable => "service_unavailable",
            ErrorKind::Internal => "internal",
            ErrorKind::ApiConnection => "api_connection",
            ErrorKind::UnsupportedParams => "unsupported_params",
        }
    }

    /// The `error.type` LiteLLM's exception class carries, when it carries one:
    /// `RateLimitError` says `throttling_error`, `ServiceUnavailableError` and
    /// `InternalServerError` say `internal_server_error`; the others carry none and their type
    /// follows the status ([`Error::openai_type`]).
    pub fn litellm_carried_type(self) -> Option<&'static str> {
        match self {
            ErrorKind::RateLimit => Some("throttling_error"),
            ErrorKind::ServiceUnavailable | ErrorKind::Internal => Some("internal_server_error"),
            _ => None,
        }
    }

    /// The LiteLLM exception class name, used as the message prefix LiteLLM users grep for.
    pub fn litellm_class(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "BadRequestError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::PermissionDenied => "PermissionDeniedError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::RateLimit => "RateLimitError",
            ErrorKind::ContextWindowExceeded => "ContextWindowExceededError",
            ErrorKind::ContentPolicy => "ContentPolicyViolationError",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::ServiceUnavailable => "ServiceUnavailableError",
            ErrorKind::Internal => "InternalServerError",
            ErrorKind::ApiConnection => "APIConnectionError",
            ErrorKind::UnsupportedParams => "UnsupportedParamsError",
        }
    }

    /// The class names LiteLLM's message starts with: its subclasses of `BadRequestError`
    /// prefix the message twice (`litellm.ContextWindowExceededError: litellm.BadRequestError:
    /// …`).
    fn litellm_message_class(self) -> &'static str {
        match self {
            ErrorKind::ContextWindowExceeded => {
                "ContextWindowExceededError: litellm.BadRequestError"
            }
            ErrorKind::ContentPolicy => "BadRequestError: litellm.ContentPolicyViolationError",
            other => other.litellm_class(),
        }
    }

    /// Whether retrying the same request can help, before looking at Bedrock's own signal.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimit
                | ErrorKind::Timeout
                | ErrorKind::ServiceUnavailable
                | ErrorKind::Internal
                | ErrorKind::ApiConnection
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error anywhere in the stack, with the context a caller needs to act on it.
///
/// `Display` prints `kind: message` (plus the Bedrock error type when known); it never includes
/// secrets because no constructor takes one.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    status: u16,
    message: String,
    param: Option<String>,
    bedrock_error_type: Option<String>,
    request_id: Option<String>,
    retryable: bool,
    /// Bedrock's error as LiteLLM quotes it in its message (the reply body; for an in-stream
    /// exception, its type and payload).
    detail: Option<Box<str>>,
    /// Raised before any call, where LiteLLM raises its own exception rather than a
    /// `BedrockException` (its message has no `BedrockException - ` and no `param`).
    before_call: bool,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("param", &self.param)
            .field("bedrock_error_type", &self.bedrock_error_type)
            .field("request_id", &self.request_id)
            .field("retryable", &self.retryable)
            .field("detail", &self.detail)
            .field("before_call", &self.before_call)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(t) = &self.bedrock_error_type {
            write!(f, " (bedrock {t}")?;
            if let Some(id) = &self.request_id {
                write!(f, ", request id {id}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Shorthand for results in this workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with its default status and retryability.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            status: kind.default_status(),
            message: message.into(),
            param: None,
            bedrock_error_type: None,
            request_id: None,
            retryable: kind.is_retryable(),
            detail: None,
            before_call: false,
        }
    }

    /// Mark an error LiteLLM raises itself before any call (a message check, say): its JSON
    /// message is `litellm.<Class>: <message>` with `param: null`, as LiteLLM's proxy writes it.
    /// [`Error::param`] still names the field.
    pub fn before_call(mut self) -> Self {
        self.before_call = true;
        self
    }

    /// A 400 naming the offending field and what was expected there.
    ///
    /// `field` is a dotted path such as `messages[2].content[0].image_url.url`.
    pub fn invalid_field(field: impl Into<String>, expected: impl fmt::Display) -> Self {
        let field = field.into();
        Error::new(
            ErrorKind::BadRequest,
            format!("invalid value for `{field}`: expected {expected}"),
        )
        .with_param(field)
    }

    /// A 400 for a required field that is missing.
    pub fn missing_field(field: impl Into<String>) -> Self {
        let field = field.into();
        Error::new(
            ErrorKind::BadRequest,
            format!("missing required field `{field}`"),
        )
        .with_param(field)
    }

    /// LiteLLM's `UnsupportedParamsError`: the family does not take `param` and the caller did
    /// not ask for `drop_params`.
    pub fn unsupported_param(param: impl Into<String>, model: &str, supported: &[&str]) -> Self {
        let param = param.into();
        Error::new(
            ErrorKind::UnsupportedParams,
            format!(
                "bedrock does not support parameter `{param}` for model={model}. \
                 Supported parameters: [{}]. To drop unsupported parameters instead, \
                 set `drop_params=true`.",
                supported.join(", ")
            ),
        )
        .with_param(param)
    }

    /// Classify an error that Bedrock returned, the way LiteLLM does.
    ///
    /// `error_type` is the `x-amzn-ErrorType` header or the in-stream `:exception-type`; any
    /// `:http://…` suffix and `…#` prefix are stripped and lowerCamel stream names are accepted.
    /// `status` is the HTTP status (for in-stream exceptions, pass 0 and it is derived from the
    /// type). The message text takes priority over the status, as in LiteLLM's
    /// `exception_mapping_utils`, because Bedrock reports context-window overflows as 400
    /// `ValidationException`.
    pub fn from_bedrock(
        status: u16,
        error_type: Option<&str>,
        message: impl Into<String>,
        request_id: Option<&str>,
    ) -> Self {
        let message = message.into();
        let error_type = error_type
            .map(normalize_error_type)
            .filter(|t| !t.is_empty());
        let status = if status == 0 {
            error_type
                .as_deref()
                .map(status_for_error_type)
                .unwrap_or(500)
        } else {
            status
        };
        let kind = classify(status, error_type.as_deref(), &message);
        // LiteLLM raises a Bedrock 500 as ServiceUnavailableError, whose status is 503.
        let status = if kind == ErrorKind::ServiceUnavailable && status == 500 {
            503
        } else {
            status
        };
        let retryable = match error_type.as_deref() {
            // Expired or invalid credentials never get better by retrying the same request.
            Some(
                "ExpiredTokenException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "IncompleteSignatureException"
                | "AccessDeniedException"
                | "ValidationException"
                | "ServiceQuotaExceededException",
            ) => false,
            Some(
                "ThrottlingException"
                | "ModelNotReadyException"
                | "InternalServerException"
                | "ServiceUnavailableException"
                | "ModelTimeoutException",
            ) => true,
            _ => kind.is_retryable() || matches!(status, 429 | 500 | 502 | 503 | 504),
        };
        let retryable = retryable && kind != ErrorKind::ContextWindowExceeded;
        Error {
            kind,
            status,
            message,
            param: None,
            bedrock_error_type: error_type,
            request_id: request_id.map(str::to_owned),
            retryable,
            detail: None,
            before_call: false,
        }
    }

    /// Classify a non-2xx HTTP reply: the error type from `x-amzn-ErrorType` (`error_type`)
    /// or else the body's `__type`/`code`/`Code`; the message from the body's
    /// `message`/`Message`, or the body text (capped), or the status; and the request id.
    pub fn from_http_reply(
        status: u16,
        error_type: Option<&str>,
        request_id: Option<&str>,
        body: &[u8],
    ) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let from_body = |keys: &[&str]| {
            json.as_ref().and_then(|b| {
                keys.iter()
                    .find_map(|k| b.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
            })
        };
        let error_type = error_type
            .map(str::to_owned)
            .or_else(|| from_body(&["__type", "code", "Code"]));
        let text = String::from_utf8_lossy(body);
        let text: String = text.chars().take(2000).collect();
        let message = from_body(&["message", "Message"]).unwrap_or_else(|| {
            if text.trim().is_empty() {
                format!("Bedrock returned HTTP {status}")
            } else {
                text.clone()
            }
        });
        let error = Error::from_bedrock(status, error_type.as_deref(), message, request_id);
        if text.trim().is_empty() {
            error
        } else {
            error.with_detail(text)
        }
    }

    /// Attach Bedrock's error text as LiteLLM quotes it (`str(BedrockError)`): the reply body,
    /// or for an in-stream exception `"{:exception-type} {payload}"`. The OpenAI-shaped body
    /// ([`Error::to_openai_json`]) then words its message as LiteLLM does.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into().into_boxed_str());
        self
    }

    /// Bedrock's error text as LiteLLM quotes it, when this error came from Bedrock.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Attach the name of the request field this error is about.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Attach Bedrock's request id (`x-amzn-RequestId`).
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Override the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Override whether retrying can help.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// Prefix the message with context (for example the route being tried).
    pub fn with_context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status a caller sees.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request field the error is about, when one is.
    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// Bedrock's error type (`ThrottlingException`, …), normalised, when Bedrock sent one.
    pub fn bedrock_error_type(&self) -> Option<&str> {
        self.bedrock_error_type.as_deref()
    }

    /// Bedrock's request id, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Whether sending the same request again can succeed.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// The OpenAI `error.type`, as LiteLLM's proxy chooses it (`openai_error_type`): the type
    /// the exception class carries, else by status (401 `authentication_error`, 403
    /// `permission_error`, 429 `rate_limit_error`, other 4xx `invalid_request_error`, 5xx
    /// `internal_server_error`). So an expired token (403) is a `permission_error` and a
    /// model timeout (408) an `invalid_request_error`, as LiteLLM answers them.
    pub fn openai_type(&self) -> &'static str {
        if let Some(t) = self.litellm_kind().litellm_carried_type() {
            return t;
        }
        match self.status {
            401 => "authentication_error",
            403 => "permission_error",
            429 => "rate_limit_error",
            s if s < 500 => "invalid_request_error",
            _ => "internal_server_error",
        }
    }

    /// The OpenAI-shaped error body: `{"error": {"message", "type", "param", "code"}}`.
    ///
    /// The message carries LiteLLM's `litellm.<Class>: ` prefix so that code matching on
    /// LiteLLM's messages keeps working.
    ///
    /// For an error Bedrock sent ([`Error::detail`]) the message is LiteLLM's word for word:
    /// `litellm.<Class>: <BedrockException prefix> - <detail><hint>`, the prefix and hint
    /// chosen by the same text checks as LiteLLM's `exception_mapping_utils` (for example
    /// `BedrockException: Rate Limit Error - throttlingException {"message":"…"}`). Otherwise it
    /// is `litellm.<Class>: BedrockException - <message>`, with Bedrock's error type in
    /// parentheses when known.
    pub fn to_openai_json(&self) -> serde_json::Value {
        self.openai_body()
    }

    /// The class LiteLLM would name: a Bedrock reply this crate could not read is an
    /// `Internal` error with status 422 here, and LiteLLM, mapping by that status, calls it a
    /// `BadRequestError` (`invalid_request_error`).
    fn litellm_kind(&self) -> ErrorKind {
        if self.kind == ErrorKind::Internal && self.status == 422 {
            ErrorKind::BadRequest
        } else {
            self.kind
        }
    }

    fn openai_body(&self) -> serde_json::Value {
        let message = match &self.detail {
            Some(detail) => {
                let (prefix, hint) = litellm_wording(detail);
                format!(
                    "litellm.{}: {prefix} - {detail}{hint}",
                    self.litellm_kind().litellm_message_class()
                )
            }
            // LiteLLM raises it before any call, not as a BedrockException.
            None if self.kind == ErrorKind::UnsupportedParams => {
                format!("litellm.UnsupportedParamsError: {}", self.message)
            }
            None if self.before_call => format!(
                "litellm.{}: {}",
                self.litellm_kind().litellm_class(),
                self.message
            ),
            None => {
                let mut message = format!(
                    "litellm.{}: BedrockException - {}",
                    self.litellm_kind().litellm_class(),
                    self.message
                );
                if let Some(t) = &self.bedrock_error_type {
                    message.push_str(&format!(" ({t})"));
                }
                message
            }
        };
        // LiteLLM's UnsupportedParamsError carries no `param` (its message names them all);
        // the Rust error keeps the first in `Error::param`.
        let param = if self.kind == ErrorKind::UnsupportedParams || self.before_call {
            None
        } else {
            self.param.as_deref()
        };
        serde_json::json!({
            "error": {
                "message": message,
                "type": self.openai_type(),
                "param": param,
                "code": self.status.to_string(),
            }
        })
    }
}

/// The prefix and trailing hint LiteLLM's Bedrock error mapping puts around the error text,
/// by its checks in its order (`_map_bedrock_exception`; case-sensitive, as there).
fn litellm_wording(detail: &str) -> (&'static str, &'static str) {
    let has = |needles: &[&str]| needles.iter().any(|n| detail.contains(n));
    if has(LITELLM_CONTEXT_WINDOW_MARKERS) {
        ("BedrockException: Context Window Error", "")
    } else if detail
        .contains("Conversation blocks and tool result blocks cannot be provided in the same turn.")
    {
        (
            "BedrockException",
            "\n. Enable 'litellm.modify_params=True' (for PROXY do: `litellm_settings::modify_params: True`) to insert a dummy assistant message and fix this error.",
        )
    } else if detail.contains("Malformed input request") {
        ("BedrockException", "")
    } else if detail.contains("A conversation must start with a user message.") {
        (
            "BedrockException",
            "\n. Pass in default user message via `completion(..,user_continue_message=)` or enable `litellm.modify_params=True`.\nFor Proxy: do via `litellm_settings::modify_params: True` or user_continue_message under `litellm_params`",
        )
    } else if has(&[
        "Unable to locate credentials",
        "The security token included in the request is invalid",
    ]) {
        ("BedrockException Invalid Authentication", "")
    } else if detail.contains("AccessDeniedException") {
        ("BedrockException PermissionDeniedError", "")
    } else if has(&["throttlingException", "ThrottlingException"]) {
        ("BedrockException: Rate Limit Error", "")
    } else if has(&["Connect timeout on endpoint URL", "timed out"]) {
        ("BedrockException: Timeout Error", "")
    } else {
        ("BedrockException", "")
    }
}

/// Strip botocore-style decorations from an error code: `Foo:http://…` → `Foo`,
/// `aws.protocols#Foo` → `Foo`, and upper-case the first letter of stream exception names
/// (`throttlingException` → `ThrottlingException`).
pub fn normalize_error_type(raw: &str) -> String {
    let code = raw.split(':').next().unwrap_or(raw);
    let code = code.rsplit('#').next().unwrap_or(code).trim();
    let mut chars = code.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The HTTP status Bedrock uses for an exception name (for in-stream exceptions).
pub fn status_for_error_type(error_type: &str) -> u16 {
    match error_type {
        "ValidationException" | "ServiceQuotaExceededException" | "ConflictException" => 400,
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "IncompleteSignatureException" => 403,
        "AccessDeniedException" => 403,
        "ResourceNotFoundException" => 404,
        "ModelTimeoutException" => 408,
        "ModelErrorException" | "ModelStreamErrorException" | "DependencyFailedException" => 424,
        "ThrottlingException" | "ModelNotReadyException" => 429,
        "InternalServerException" => 500,
        "BadGatewayException" => 502,
        "ServiceUnavailableException" => 503,
        _ => 500,
    }
}

/// LiteLLM's context-window checks, as written there (case-sensitive in its wording table).
const LITELLM_CONTEXT_WINDOW_MARKERS: &[&str] = &[
    "too many tokens",
    "expected maxLength:",
    "Input is too long",
    "prompt is too long",
    "prompt: length: 1..",
    "Too many input tokens",
];

/// Further overflow wordings the classification also accepts (any case, with LiteLLM's).
const MORE_CONTEXT_WINDOW_MARKERS: &[&str] = &["context window", "maximum context length"];

fn classify(status: u16, error_type: Option<&str>, message: &str) -> ErrorKind {
    let lower = message.to_ascii_lowercase();
    // Throttling messages also say "Too many tokens", so the type decides first.
    if matches!(error_type, Some("ThrottlingException")) {
        return ErrorKind::RateLimit;
    }
    let overflow = LITELLM_CONTEXT_WINDOW_MARKERS
        .iter()
        .chain(MORE_CONTEXT_WINDOW_MARKERS)
        .any(|m| lower.contains(&m.to_ascii_lowercase()));
    if overflow && status != 429 {
        return ErrorKind::ContextWindowExceeded;
    }
    if lower.contains("unable to locate credentials")
        || lower.contains("security token included in the request is invalid")
        || lower.contains("security token included in the request is expired")
    {
        return ErrorKind::Authentication;
    }
    match error_type {
        Some("UnrecognizedClientException")
        | Some("InvalidSignatureException")
        | Some("ExpiredTokenException")
        | Some("IncompleteSignatureException") => return ErrorKind::Authentication,
        Some("AccessDeniedException") => return ErrorKind::PermissionDenied,
        Some("ResourceNotFoundException") => return ErrorKind::NotFound,
        Some("ModelTimeoutException") => return ErrorKind::Timeout,
        Some("ModelNotReadyException") => return ErrorKind::RateLimit,
        Some("ServiceUnavailableException") => return ErrorKind::ServiceUnavailable,
        Some("InternalServerException") => return ErrorKind::ServiceUnavailable,
        _ => {}
    }
    if lower.contains("guardrail") && lower.contains("block") {
        return ErrorKind::ContentPolicy;
    }
    if lower.contains("timed out") || lower.contains("connect timeout") {
        return ErrorKind::Timeout;
    }
    match status {
        400 | 422 | 413 => ErrorKind::BadRequest,
        401 => ErrorKind::Authentication,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        408 | 504 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimit,
        // LiteLLM maps a Bedrock 500 to ServiceUnavailableError.
        500 | 502 | 503 => ErrorKind::ServiceUnavailable,
        424 => ErrorKind::BadRequest,
        _ if status >= 500 => ErrorKind::ServiceUnavailable,
        _ => ErrorKind::BadRequest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_error_types() {
        assert_eq!(
            normalize_error_type(
                "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
            ),
            "ValidationException"
        );
        assert_eq!(
            normalize_error_type("throttlingException"),
            "ThrottlingException"
        );
        assert_eq!(
            normalize_error_type("aws.protocols#AccessDeniedException"),
            "AccessDeniedException"
        );
    }

    #[test]
    fn classifies_like_litellm() {
        let cases: &[(u16, Option<&str>, &str, ErrorKind, bool)] = &[
            (
                400,
                Some("ValidationException"),
                "Input is too long for requested model.",
                ErrorKind::ContextWindowExceeded,
                false,
            ),
            (
                400,
                Some("ValidationException"),
                "The model returned the following errors: prompt is too long: 227255 tokens > 200000 maximum",
                ErrorKind::ContextWindowExceeded,
                false,
            ),
            (
                400,
                Some("ValidationException"),
                "Malformed input request, please reformat your input and try again.",
                ErrorKind::BadRequest,
                false,
            ),
            (
                429,
                Some("ThrottlingException"),
                "Too many tokens, please wait before trying again.",
                ErrorKind::RateLimit,
                true,
            ),
            (
                403,
                Some("AccessDeniedException"),
                "You don't have access to the model with the specified model ID.",
                ErrorKind::PermissionDenied,
                false,
            ),
            (
                403,
                Some("ExpiredTokenException"),
                "The security token included in the request is expired",
                ErrorKind::Authentication,
                false,
            ),
            (
                403,
                Some("UnrecognizedClientException"),
                "The security token included in the request is invalid.",
                ErrorKind::Authentication,
                false,
            ),
            (
                500,
                Some("InternalServerException"),
                "boom",
                ErrorKind::ServiceUnavailable,
                true,
            ),
            (
                503,
                Some("ServiceUnavailableException"),
                "x",
                ErrorKind::ServiceUnavailable,
                true,
            ),
            (
                404,
                Some("ResourceNotFoundException"),
                "x",
                ErrorKind::NotFound,
                false,
            ),
            (
                408,
                Some("ModelTimeoutException"),
                "x",
                ErrorKind::Timeout,
                true,
            ),
            (
                429,
                Some("ModelNotReadyException"),
                "x",
                ErrorKind::RateLimit,
                true,
            ),
            (
                400,
                Some("ServiceQuotaExceededException"),
                "quota",
                ErrorKind::BadRequest,
                false,
            ),
            (
                502,
                None,
                "bad gateway",
                ErrorKind::ServiceUnavailable,
                true,
            ),
        ];
        for (status, ty, msg, kind, retry) in cases {
            let e = Error::from_bedrock(*status, *ty, *msg, Some("req-1"));
            assert_eq!(e.kind(), *kind, "{msg}");
            assert_eq!(e.is_retryable(), *retry, "{msg}");
            // LiteLLM's ServiceUnavailableError is a 503, whatever Bedrock's 500 said.
            let expected = if *status == 500 && *kind == ErrorKind::ServiceUnavailable {
                503
            } else {
                *status
            };
            assert_eq!(e.status(), expected, "{msg}");
            assert_eq!(e.request_id(), Some("req-1"));
        }
    }

    #[test]
    fn stream_exception_status_comes_from_type() {
        let e = Error::from_bedrock(0, Some("throttlingException"), "slow down", None);
        assert_eq!(e.status(), 429);
        assert_eq!(e.kind(), ErrorKind::RateLimit);
        assert_eq!(e.bedrock_error_type(), Some("ThrottlingException"));
        let e = Error::from_bedrock(0, Some("modelStreamErrorException"), "bad", None);
        assert_eq!(e.status(), 424);
    }

    #[test]
    fn invalid_field_names_field_and_expectation() {
        let e = Error::invalid_field("messages[0].role", "one of system, user, assistant, tool");
        assert_eq!(e.kind(), ErrorKind::BadRequest);
        assert_eq!(e.param(), Some("messages[0].role"));
        assert_eq!(
            e.to_string(),
            "bad_request: invalid value for `messages[0].role`: expected one of system, user, assistant, tool"
        );
        let body = e.to_openai_json();
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], "400");
        assert_eq!(body["error"]["param"], "messages[0].role");
    }

    #[test]
    fn an_unreadable_bedrock_reply_is_litellms_bad_request() {
        // LiteLLM maps its 422 "Error converting to valid response block" by status: a
        // BadRequestError, invalid_request_error (checked against litellm 1.103.7's proxy).
        let e = Error::new(
            ErrorKind::Internal,
            "Bedrock returned a Converse body that is not JSON",
        )
        .with_status(422);
        let body = e.to_openai_json();
        assert_eq!(
            body["error"]["message"],
            "litellm.BadRequestError: BedrockException - Bedrock returned a Converse body that is not JSON"
        );
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], "422");
        // The Rust kind stays what it is; other internal errors keep their class.
        assert_eq!(e.kind(), ErrorKind::Internal);
        let e = Error::new(ErrorKind::Internal, "x").with_status(500);
        let body = e.to_openai_json();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("litellm.InternalServerError: ")
        );
        assert_eq!(body["error"]["type"], "internal_server_error");
    }

    #[test]
    fn openai_body_words_bedrock_errors_as_litellm() {
        let reply = |status, t: &str, message: &str| {
            let body = serde_json::json!({ "message": message }).to_string();
            Error::from_http_reply(status, Some(t), None, body.as_bytes()).to_openai_json()
        };
        // The reply body is quoted as is; the prefix follows LiteLLM's text checks.
        let b = reply(429, "ThrottlingException", "Too many requests.");
        assert_eq!(
            b["error"]["message"],
            r#"litellm.RateLimitError: BedrockException - {"message":"Too many requests."}"#
        );
        assert_eq!(b["error"]["type"], "throttling_error");
        let b = reply(
            400,
            "ValidationException",
            "Input is too long for requested model.",
        );
        assert_eq!(
            b["error"]["message"],
            r#"litellm.ContextWindowExceededError: litellm.BadRequestError: BedrockException: Context Window Error - {"message":"Input is too long for requested model."}"#
        );
        let b = reply(
            400,
            "ValidationException",
            "A conversation must start with a user message. Try again.",
        );
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap()
                .ends_with("\n. Pass in default user message via `completion(..,user_continue_message=)` or enable `litellm.modify_params=True`.\nFor Proxy: do via `litellm_settings::modify_params: True` or user_continue_message under `litellm_params`"),
            "{b}"
        );
        // A Bedrock 500 is LiteLLM's ServiceUnavailableError: 503.
        let b = reply(500, "InternalServerException", "oops");
        assert_eq!(b["error"]["code"], "503");
        assert_eq!(b["error"]["type"], "internal_server_error");
        // Types follow the status where the class carries none.
        let b = reply(
            403,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        );
        assert_eq!(b["error"]["type"], "permission_error");
        assert_eq!(
            reply(408, "ModelTimeoutException", "late")["error"]["type"],
            "invalid_request_error"
        );
        assert_eq!(
            reply(401, "", "who")["error"]["type"],
            "authentication_error"
        );
        // An in-stream exception quotes its type as sent and its payload.
        let e = Error::from_bedrock(0, Some("throttlingException"), "slow", None)
            .with_detail(r#"throttlingException {"message":"slow"}"#);
        assert_eq!(
            e.to_openai_json()["error"]["message"],
            r#"litellm.RateLimitError: BedrockException: Rate Limit Error - throttlingException {"message":"slow"}"#
        );
        // An unsupported parameter is LiteLLM's own error, not Bedrock's.
        let e = Error::unsupported_param("seed", "m", &["temperature"]);
        assert!(
            e.to_openai_json()["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("litellm.UnsupportedParamsError: bedrock does not support"),
        );
        // Errors Bedrock did not send keep the parsed message.
        let e = Error::new(ErrorKind::ApiConnection, "connection refused");
        let b = e.to_openai_json();
        assert_eq!(
            b["error"]["message"],
            "litellm.APIConnectionError: BedrockException - connection refused"
        );
        assert_eq!(b["error"]["type"], "internal_server_error");
    }
}

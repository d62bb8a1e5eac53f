//! SigV4 signing of a buffered request: a fast path of our own for the common shape, and
//! `aws-sigv4` for everything else.
//!
//! Signs exactly the path bytes that go on the wire: the path arrives percent-encoded
//! (`%3A`, `%2F`) and aws-sigv4's defaults (`PercentEncodingMode::Double`, path normalisation on)
//! encode it once more for the canonical request (`%253A`), as botocore does for every non-S3
//! service. Only `host`, `content-type`, `date`, `x-amz-*` and `x-amzn-*` (minus
//! `x-amzn-trace-id`) are signed; every other header (`user-agent`, `anthropic-beta`, gateway
//! headers…) stays on the request unsigned, matching LiteLLM.
//!
//! Requests in the common shape — no query string, a path aws-sigv4's normalisation would leave
//! alone (no `.`/`..` segment, no `//`), visible-ASCII signed header values, a time between
//! 1970 and 9999 — are signed by [`fast`], which streams the canonical request into SHA-256 and
//! takes the signing key from the credentials' cache ([`key`]); its output is byte-identical to
//! aws-sigv4's (see the module docs of `fast` for the canonicalisation facts it relies on).
//! Everything else goes through aws-sigv4 unchanged.

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::HeaderValue;

use crate::credentials::Credentials;
use crate::error::AuthError;

#[cfg(test)]
mod equivalence_tests;
mod fast;
pub(crate) mod key;

/// Signing name of bedrock-runtime, bedrock-agent-runtime and the control plane.
pub const BEDROCK_SERVICE: &str = "bedrock";
/// Signing name of STS.
pub const STS_SERVICE: &str = "sts";

/// Whether a header takes part in the signature.
pub fn is_signed_header(name: &str) -> bool {
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    let starts = |p: &str| {
        name.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    };
    if is("host") || is("content-type") || is("date") {
        return true;
    }
    // The SigV4 outputs themselves are recomputed, never signed as inputs.
    if is("authorization") || is("x-amzn-trace-id") {
        return false;
    }
    starts("x-amz-") || starts("x-amzn-")
}

/// Sign `request` in place for `service` in `region` at `time`: sets `x-amz-date`,
/// `authorization` and (for temporary credentials) `x-amz-security-token`, replacing any
/// caller copies of those three.
pub fn sign_request(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), AuthError> {
    prepare(request)?;
    if fast::try_sign(request, credentials, region, service, time)? {
        return Ok(());
    }
    sign_with_aws_sigv4(request, credentials, region, service, time)
}

/// [`sign_request`] through aws-sigv4 only, whatever the request's shape: the reference the
/// fast path is tested against, and the baseline for benchmarks. Not part of the API.
#[doc(hidden)]
pub fn sign_request_aws_sigv4(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), AuthError> {
    prepare(request)?;
    sign_with_aws_sigv4(request, credentials, region, service, time)
}

/// [`sign_request`] through the fast path only: `Ok(false)`, with nothing signed, when the
/// request is not in the shape it handles.
#[cfg(test)]
pub(crate) fn sign_request_fast(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<bool, AuthError> {
    prepare(request)?;
    fast::try_sign(request, credentials, region, service, time)
}

/// Drop stale SigV4 outputs and refuse a request without a host.
fn prepare(request: &mut http::Request<Bytes>) -> Result<(), AuthError> {
    for h in ["authorization", "x-amz-date", "x-amz-security-token"] {
        request.headers_mut().remove(h);
    }
    // aws-sigv4 panics when neither the URI nor a Host header names the host; refuse instead.
    if request.uri().host().is_none() && !request.headers().contains_key(http::header::HOST) {
        return Err(AuthError::Sign(
            "the request has no host (absolute URI or Host header)".into(),
        ));
    }
    Ok(())
}

fn sign_with_aws_sigv4(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), AuthError> {
    let identity: Identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key().expose(),
        credentials.session_token().map(|t| t.expose().to_owned()),
        None,
        "bedrock-auth",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| AuthError::Sign(e.to_string()))?
        .into();

    let mut headers = Vec::new();
    for (name, value) in request.headers() {
        if is_signed_header(name.as_str()) {
            let value = value
                .to_str()
                .map_err(|_| AuthError::Sign(format!("header `{name}` is not visible ASCII")))?;
            headers.push((name.as_str(), value));
        }
    }
    let uri = request.uri().to_string();
    let method = request.method().as_str().to_owned();
    let signable = SignableRequest::new(
        &method,
        uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body()),
    )
    .map_err(|e| AuthError::Sign(e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| AuthError::Sign(e.to_string()))?
        .into_parts();
    let (new_headers, _) = instructions.into_parts();
    for header in new_headers {
        let mut value = HeaderValue::from_str(header.value())
            .map_err(|_| AuthError::Sign(format!("bad `{}` header value", header.name())))?;
        value.set_sensitive(header.sensitive() || header.name() == "authorization");
        request.headers_mut().insert(header.name(), value);
    }
    Ok(())
}

/// Put `Authorization: Bearer {token}` on the request (Bedrock API keys), removing any SigV4
/// headers a caller left behind.
pub fn apply_bearer(
    request: &mut http::Request<Bytes>,
    token: &bedrock_types::Secret,
) -> Result<(), AuthError> {
    for h in ["x-amz-date", "x-amz-security-token"] {
        request.headers_mut().remove(h);
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        AuthError::invalid_param("api_key", "contains characters not allowed in a header")
    })?;
    value.set_sensitive(true);
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_types::Secret;
    use std::time::{Duration, UNIX_EPOCH};

    pub(crate) const ARN_PATH: &str = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";
    pub(crate) const BODY: &str = r#"{"messages": [{"role": "user", "content": [{"text": "Hello"}]}], "inferenceConfig": {"maxTokens": 64}}"#;

    fn jan_1_2024() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_704_067_200)
    }

    fn creds(token: Option<&str>) -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token.map(Secret::from),
            None,
        )
    }

    fn vector_request() -> http::Request<Bytes> {
        http::Request::post(format!(
            "https://bedrock-runtime.us-east-1.amazonaws.com{ARN_PATH}"
        ))
        .header("content-type", "application/json")
        .body(Bytes::from_static(BODY.as_bytes()))
        .unwrap()
    }

    /// bedrock-wire.md §1.7, byte for byte.
    #[test]
    fn reproduces_reference_vector() {
        assert_eq!(BODY.len(), 102);
        let mut req = vector_request();
        sign_request(
            &mut req,
            &creds(Some("SESSIONTOKENEXAMPLE")),
            "us-east-1",
            BEDROCK_SERVICE,
            jan_1_2024(),
        )
        .unwrap();
        let h = req.headers();
        assert_eq!(
            h["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=746edbd4ef162e07ff94b37eb6c733f35c627ef14ae883fed1735449e976bf78"
        );
        assert_eq!(h["x-amz-date"], "20240101T000000Z");
        assert_eq!(h["x-amz-security-token"], "SESSIONTOKENEXAMPLE");
        assert!(!h.contains_key("x-amz-content-sha256"));
        // The wire path is untouched (single-encoded).
        assert_eq!(req.uri().path(), ARN_PATH);
    }

    #[test]
    fn unsigned_caller_headers_do_not_change_the_signature() {
        let mut plain = vector_request();
        sign_request(
            &mut plain,
            &creds(Some("SESSIONTOKENEXAMPLE")),
            "us-east-1",
            "bedrock",
            jan_1_2024(),
        )
        .unwrap();
        let mut extra = vector_request();
        for (k, v) in [
            ("user-agent", "x/1"),
            ("anthropic-beta", "context-1m"),
            ("x-forwarded-for", "1.2.3.4"),
            ("x-amzn-trace-id", "Root=1"),
        ] {
            extra.headers_mut().insert(k, HeaderValue::from_static(v));
        }
        // Stale SigV4 headers from a caller are replaced, not signed.
        extra
            .headers_mut()
            .insert("x-amz-date", HeaderValue::from_static("19990101T000000Z"));
        extra.headers_mut().insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 stale"),
        );
        sign_request(
            &mut extra,
            &creds(Some("SESSIONTOKENEXAMPLE")),
            "us-east-1",
            "bedrock",
            jan_1_2024(),
        )
        .unwrap();
        assert_eq!(
            plain.headers()["authorization"],
            extra.headers()["authorization"]
        );
        assert_eq!(extra.headers()["anthropic-beta"], "context-1m");
        assert_eq!(extra.headers()["x-amz-date"], "20240101T000000Z");
    }

    #[test]
    fn signed_amz_headers_and_no_token_for_long_term_keys() {
        let mut req = vector_request();
        req.headers_mut()
            .insert("x-amzn-bedrock-trace", HeaderValue::from_static("ENABLED"));
        sign_request(&mut req, &creds(None), "us-east-1", "bedrock", jan_1_2024()).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(
            auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amzn-bedrock-trace,"),
            "{auth}"
        );
        assert!(!req.headers().contains_key("x-amz-security-token"));
        // Different body → different signature (the payload hash is of the exact bytes).
        let mut other = vector_request();
        *other.body_mut() = Bytes::from_static(b"{}");
        other
            .headers_mut()
            .insert("x-amzn-bedrock-trace", HeaderValue::from_static("ENABLED"));
        sign_request(
            &mut other,
            &creds(None),
            "us-east-1",
            "bedrock",
            jan_1_2024(),
        )
        .unwrap();
        assert_ne!(
            req.headers()["authorization"],
            other.headers()["authorization"]
        );
    }

    #[test]
    fn missing_host_is_an_error_not_a_panic() {
        let mut req = http::Request::post("/model/x/converse")
            .body(Bytes::new())
            .unwrap();
        let e =
            sign_request(&mut req, &creds(None), "us-east-1", "bedrock", jan_1_2024()).unwrap_err();
        assert!(e.to_string().contains("no host"));
    }
}

//! Checking a request's SigV4 signature the way the service does, written independently of
//! `aws-sigv4` so the mock is a second opinion on the client's signer, not a copy of it.
//!
//! The canonical request is rebuilt from the raw path as it arrived (each segment
//! percent-encoded once more: the "double encoding" of non-S3 services, wire reference §1.4),
//! the sorted query, the headers the client says it signed, and the SHA-256 of the body.

use sha2::{Digest, Sha256};

/// The keys the mock accepts.
#[derive(Clone)]
pub struct SigV4Verifier {
    /// The access key id the request must name.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: String,
    /// The session token the request must carry in `x-amz-security-token`, if any.
    pub session_token: Option<String>,
    /// The signing service name (`bedrock`).
    pub service: String,
}

impl std::fmt::Debug for SigV4Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigV4Verifier")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("service", &self.service)
            .finish()
    }
}

/// Why a signature was refused: the error type and message the real service answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// `x-amzn-ErrorType` (`InvalidSignatureException`, `UnrecognizedClientException`, …).
    pub error_type: &'static str,
    /// The `message`.
    pub message: String,
}

fn reject(error_type: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        error_type,
        message: message.into(),
    }
}

/// The parts of a received request the verifier needs.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `POST`, `GET`, …
    pub method: &'a str,
    /// The path exactly as it arrived (still percent-encoded).
    pub raw_path: &'a str,
    /// The raw query string (without `?`), if any.
    pub raw_query: Option<&'a str>,
    /// Headers as received (any case).
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl SigV4Verifier {
    /// A verifier for `bedrock` with these long-term keys.
    pub fn new(access_key_id: &str, secret_access_key: &str) -> Self {
        SigV4Verifier {
            access_key_id: access_key_id.to_owned(),
            secret_access_key: secret_access_key.to_owned(),
            session_token: None,
            service: "bedrock".to_owned(),
        }
    }

    /// Also require this session token.
    pub fn with_session_token(mut self, token: &str) -> Self {
        self.session_token = Some(token.to_owned());
        self
    }

    /// Check `request`'s `Authorization` header; `Ok` when the signature is the one the secret
    /// produces.
    pub fn verify(&self, request: &SignedRequest<'_>) -> Result<(), Rejection> {
        let auth = request.header("authorization").ok_or_else(|| {
            reject(
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            )
        })?;
        let parsed = parse_authorization(auth).ok_or_else(|| {
            reject(
                "IncompleteSignatureException",
                format!("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization={auth}"),
            )
        })?;
        let scope: Vec<&str> = parsed.credential.split('/').collect();
        let [akid, date, region, service, terminator] = scope.as_slice() else {
            return Err(reject(
                "IncompleteSignatureException",
                format!(
                    "Credential should be scoped to a valid region, not '{}'",
                    parsed.credential
                ),
            ));
        };
        if *akid != self.access_key_id {
            return Err(reject(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ));
        }
        if *service != self.service || *terminator != "aws4_request" {
            return Err(reject(
                "InvalidSignatureException",
                format!(
                    "Credential should be scoped to correct service: '{}'.",
                    self.service
                ),
            ));
        }
        if let Some(expected) = &self.session_token
            && request.header("x-amz-security-token") != Some(expected.as_str())
        {
            return Err(reject(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ));
        }
        let signed: Vec<&str> = parsed.signed_headers.split(';').collect();
        for required in ["host", "x-amz-date"] {
            if !signed.contains(&required) {
                return Err(reject(
                    "InvalidSignatureException",
                    format!("'{required}' must be a 'SignedHeader' in the AWS Authorization."),
                ));
            }
        }
        if request.header("x-amz-security-token").is_some()
            && !signed.contains(&"x-amz-security-token")
        {
            return Err(reject(
                "InvalidSignatureException",
                "'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization.",
            ));
        }
        let amz_date = request.header("x-amz-date").unwrap_or_default();
        if !amz_date.starts_with(date) {
            return Err(reject(
                "InvalidSignatureException",
                format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{amz_date}'"
                ),
            ));
        }
        let canonical = canonical_request(request, &signed);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let key = signing_key(&self.secret_access_key, date, region, service);
        let expected = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
        if !constant_time_eq(expected.as_bytes(), parsed.signature.as_bytes()) {
            return Err(reject(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details.",
            ));
        }
        Ok(())
    }
}

struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed_headers = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    Some(Authorization {
        credential: credential?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

/// The canonical request of wire reference §1.4, from the request as received.
pub fn canonical_request(request: &SignedRequest<'_>, signed_headers: &[&str]) -> String {
    let uri = canonical_uri(request.raw_path);
    let query = canonical_query(request.raw_query.unwrap_or(""));
    let mut headers = String::new();
    for name in signed_headers {
        let values: Vec<String> = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| collapse_whitespace(v))
            .collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    format!(
        "{}\n{uri}\n{query}\n{headers}\n{}\n{}",
        request.method,
        signed_headers.join(";"),
        hex(&Sha256::digest(request.body))
    )
}

/// Each segment of the path as received, percent-encoded once more (unreserved kept).
fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    raw_path
        .split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

fn canonical_query(raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k)),
                uri_encode(&percent_decode(v)),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encode everything but RFC 3986 unreserved characters.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes once (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn collapse_whitespace(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// HMAC-SHA256 (RFC 2104), spelled out so the verifier shares no signing code with the client.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    // Wire reference §1.7: botocore's SigV4 for a Converse call on an inference-profile ARN.
    const PATH: &str = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse";
    const BODY: &str = r#"{"messages": [{"role": "user", "content": [{"text": "Hello"}]}], "inferenceConfig": {"maxTokens": 64}}"#;
    const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=746edbd4ef162e07ff94b37eb6c733f35c627ef14ae883fed1735449e976bf78";

    fn headers(auth: &str) -> Vec<(String, String)> {
        vec![
            (
                "Host".into(),
                "bedrock-runtime.us-east-1.amazonaws.com".into(),
            ),
            ("Content-Type".into(), "application/json".into()),
            ("X-Amz-Date".into(), "20240101T000000Z".into()),
            ("X-Amz-Security-Token".into(), "SESSIONTOKENEXAMPLE".into()),
            ("Authorization".into(), auth.into()),
        ]
    }

    fn verifier() -> SigV4Verifier {
        SigV4Verifier::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .with_session_token("SESSIONTOKENEXAMPLE")
    }

    fn request<'a>(h: &'a [(String, String)], body: &'a str) -> SignedRequest<'a> {
        SignedRequest {
            method: "POST",
            raw_path: PATH,
            raw_query: None,
            headers: h,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn the_reference_vector_verifies_and_its_canonical_request_matches() {
        let h = headers(AUTH);
        let req = request(&h, BODY);
        let canonical = canonical_request(
            &req,
            &["content-type", "host", "x-amz-date", "x-amz-security-token"],
        );
        assert!(canonical.starts_with("POST\n/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-3-5-haiku-20241022-v1%253A0/converse\n\n"));
        assert!(
            canonical
                .ends_with("\n98644814032608171fc91ddee4ee8ca3b52243efaa0b89c4186738df69b40071")
        );
        assert_eq!(
            hex(&Sha256::digest(canonical.as_bytes())),
            "d29c1acd9502d8c4b784378128b442a1214160aa131cc26012668b3c5bde5b15"
        );
        verifier().verify(&req).unwrap();
    }

    #[test]
    fn a_changed_byte_or_key_is_refused_with_the_services_error() {
        let h = headers(AUTH);
        let tampered = BODY.replace("64", "65");
        let err = verifier().verify(&request(&h, &tampered)).unwrap_err();
        assert_eq!(err.error_type, "InvalidSignatureException");

        let other = SigV4Verifier::new("AKIDOTHER", "x").with_session_token("SESSIONTOKENEXAMPLE");
        let err = other.verify(&request(&h, BODY)).unwrap_err();
        assert_eq!(err.error_type, "UnrecognizedClientException");

        let wrong_secret = SigV4Verifier::new("AKIDEXAMPLE", "not-the-secret")
            .with_session_token("SESSIONTOKENEXAMPLE");
        let err = wrong_secret.verify(&request(&h, BODY)).unwrap_err();
        assert_eq!(err.error_type, "InvalidSignatureException");

        let none: Vec<(String, String)> = Vec::new();
        let err = verifier().verify(&request(&none, BODY)).unwrap_err();
        assert_eq!(err.error_type, "MissingAuthenticationTokenException");
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn percent_decoding_is_done_once() {
        assert_eq!(percent_decode("a%3Ab%252F"), "a:b%2F");
        assert_eq!(percent_decode("100%"), "100%");
    }
}

//! STS query API: `AssumeRole` (SigV4, service `sts`) and `AssumeRoleWithWebIdentity` (unsigned),
//! with a minimal reader for the XML replies.

use std::time::Duration;

use async_trait::async_trait;
use bedrock_types::{AwsTag, Secret};
use bytes::Bytes;

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, SharedProvider, parse_rfc3339};
use crate::endpoint::Endpoint;
use crate::error::AuthError;
use crate::sign::{STS_SERVICE, sign_request};

const STS_TIMEOUT: Duration = Duration::from_secs(30);

/// A client for one STS endpoint.
#[derive(Debug, Clone)]
pub struct StsClient {
    cfg: ProviderConfig,
    endpoint: Endpoint,
    signing_region: String,
}

/// The inputs of `AssumeRole`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `DurationSeconds` (LiteLLM: 3600).
    pub duration_seconds: u32,
    /// Session `Tags` (sent sorted by key, as LiteLLM does).
    pub tags: Vec<AwsTag>,
}

impl StsClient {
    /// A client for `endpoint`, signing `AssumeRole` for `signing_region`.
    pub fn new(cfg: ProviderConfig, endpoint: Endpoint, signing_region: impl Into<String>) -> Self {
        StsClient {
            cfg,
            endpoint,
            signing_region: signing_region.into(),
        }
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Call `AssumeRole` with `source` credentials.
    pub async fn assume_role(
        &self,
        source: &Credentials,
        req: &AssumeRoleRequest,
    ) -> Result<Credentials, AuthError> {
        let mut form = vec![
            ("Action", "AssumeRole".to_owned()),
            ("Version", "2011-06-15".to_owned()),
            ("RoleArn", req.role_arn.clone()),
            ("RoleSessionName", req.session_name.clone()),
            ("DurationSeconds", req.duration_seconds.to_string()),
        ];
        if let Some(id) = &req.external_id {
            form.push(("ExternalId", id.clone()));
        }
        let mut tags = req.tags.clone();
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        let mut body = encode_form(&form);
        for (i, tag) in tags.iter().enumerate() {
            let n = i + 1;
            body.push_str(&format!(
                "&Tags.member.{n}.Key={}&Tags.member.{n}.Value={}",
                percent_encode(&tag.key),
                percent_encode(&tag.value)
            ));
        }
        let mut request = self.request(body)?;
        sign_request(
            &mut request,
            source,
            &self.signing_region,
            STS_SERVICE,
            self.cfg.now(),
        )?;
        self.call("AssumeRole", request).await
    }

    /// Call `AssumeRoleWithWebIdentity` (unsigned) with an OIDC `token`.
    pub async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &Secret,
        duration_seconds: u32,
    ) -> Result<Credentials, AuthError> {
        let body = encode_form(&[
            ("Action", "AssumeRoleWithWebIdentity".to_owned()),
            ("Version", "2011-06-15".to_owned()),
            ("RoleArn", role_arn.to_owned()),
            ("RoleSessionName", session_name.to_owned()),
            ("WebIdentityToken", token.expose().to_owned()),
            ("DurationSeconds", duration_seconds.to_string()),
        ]);
        let request = self.request(body)?;
        self.call("AssumeRoleWithWebIdentity", request).await
    }

    fn request(&self, body: String) -> Result<http::Request<Bytes>, AuthError> {
        http::Request::post(self.endpoint.url("/"))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(Bytes::from(body))
            .map_err(|e| AuthError::provider("sts", format!("cannot build the STS request: {e}")))
    }

    async fn call(
        &self,
        operation: &'static str,
        request: http::Request<Bytes>,
    ) -> Result<Credentials, AuthError> {
        let response = super::send(&self.cfg, request, STS_TIMEOUT, "sts").await?;
        let status = response.status().as_u16();
        let body = String::from_utf8_lossy(response.body());
        if !(200..300).contains(&status) {
            return Err(AuthError::Sts {
                operation,
                status,
                code: xml_text(&body, "Code").unwrap_or_else(|| "Unknown".to_owned()),
                message: xml_text(&body, "Message")
                    .unwrap_or_else(|| "no error message in the reply".to_owned()),
            });
        }
        parse_credentials_xml(&body, operation)
    }
}

/// Read the `<Credentials>` of an AssumeRole* reply.
pub(crate) fn parse_credentials_xml(
    body: &str,
    operation: &'static str,
) -> Result<Credentials, AuthError> {
    let creds = xml_element(body, "Credentials").ok_or_else(|| {
        AuthError::provider("sts", format!("{operation} reply has no <Credentials>"))
    })?;
    let field = |name: &str| {
        xml_text(creds, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AuthError::provider("sts", format!("{operation} reply has no <{name}>")))
    };
    let key = field("AccessKeyId")?;
    let secret = field("SecretAccessKey")?;
    let token = field("SessionToken")?;
    let expiration = field("Expiration")?;
    let expiry = parse_rfc3339(&expiration).ok_or_else(|| {
        AuthError::provider(
            "sts",
            format!("{operation} reply has a bad <Expiration> {expiration:?}"),
        )
    })?;
    // arn:aws:sts::123456789012:assumed-role/Role/session → the account id.
    let account = xml_element(body, "AssumedRoleUser")
        .and_then(|u| xml_text(u, "Arn"))
        .and_then(|arn| arn.split(':').nth(4).map(str::to_owned));
    Ok(
        Credentials::new(key, secret, Some(Secret::from(token)), Some(expiry))
            .with_account_id(account),
    )
}

/// The inner text of the first `<name>…</name>` (namespace prefixes and attributes tolerated).
fn xml_element<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(pos) = doc[from..].find('<') {
        let start = from + pos + 1;
        let rest = &doc[start..];
        let tag_end = rest.find('>')?;
        let tag = &rest[..tag_end];
        let tag_name = tag.split_whitespace().next().unwrap_or("");
        let local = tag_name.rsplit(':').next().unwrap_or(tag_name);
        if local == name && !tag.ends_with('/') {
            let inner_start = start + tag_end + 1;
            let close = format!("</{tag_name}>");
            let inner_end = doc[inner_start..].find(&close)?;
            return Some(&doc[inner_start..inner_start + inner_end]);
        }
        from = start;
    }
    None
}

/// The unescaped, trimmed text of the first `<name>` element.
fn xml_text(doc: &str, name: &str) -> Option<String> {
    xml_element(doc, name).map(|t| unescape(t.trim()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#xA;", "\n")
        .replace("&#10;", "\n")
        .replace("&amp;", "&")
}

/// RFC 3986 unreserved characters stay, everything else is `%XX` (what STS and SigV4 expect).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn encode_form(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `AssumeRole` on top of source credentials from another provider.
#[derive(Debug, Clone)]
pub struct AssumeRoleProvider {
    source: SharedProvider,
    sts: StsClient,
    request: AssumeRoleRequest,
}

impl AssumeRoleProvider {
    /// Assume `request.role_arn` using credentials from `source`.
    pub fn new(source: SharedProvider, sts: StsClient, request: AssumeRoleRequest) -> Self {
        AssumeRoleProvider {
            source,
            sts,
            request,
        }
    }
}

#[async_trait]
impl ProvideCredentials for AssumeRoleProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let source = self
            .source
            .provide_credentials()
            .await
            .map_err(|e| match e {
                // The role was asked for explicitly: missing source credentials are an error, not a
                // reason for a chain to move on silently.
                AuthError::NotLoaded { provider, reason } => AuthError::Provider {
                    provider: "assume_role",
                    message: format!(
                        "no source credentials to assume {}: {provider}: {reason}",
                        self.request.role_arn
                    ),
                    retryable: false,
                },
                other => other,
            })?;
        self.sts.assume_role(&source, &self.request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reply_and_error_documents() {
        let ok = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
          <AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s&amp;cret</SecretAccessKey><SessionToken>tok</SessionToken>
          <Expiration>2024-01-01T01:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>
          <Arn>arn:aws:sts::123456789012:assumed-role/R/s</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>"#;
        let c = parse_credentials_xml(ok, "AssumeRole").unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(c.secret_access_key().expose(), "s&cret");
        assert_eq!(c.account_id(), Some("123456789012"));
        assert_eq!(
            crate::credentials::format_rfc3339(c.expiry().unwrap()),
            "2024-01-01T01:00:00Z"
        );
        let err = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not &lt;allowed&gt;</Message></Error></ErrorResponse>";
        assert_eq!(xml_text(err, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_text(err, "Message").as_deref(), Some("not <allowed>"));
        assert!(parse_credentials_xml(err, "AssumeRole").is_err());
        assert_eq!(
            percent_encode("arn:aws:iam::1:role/R x"),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2FR%20x"
        );
    }
}

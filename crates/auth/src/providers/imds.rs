//! EC2 instance metadata (IMDSv2, with the v1 fallback the SDKs keep).
//!
//! Short timeouts (1 s per call) so a host without IMDS fails fast; the cache then remembers the
//! failure briefly, so off-EC2 requests do not pay it again and again.

use std::time::Duration;

use async_trait::async_trait;
use bedrock_types::Secret;
use bytes::Bytes;
use serde::Deserialize;

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, parse_rfc3339};
use crate::error::AuthError;

const TIMEOUT: Duration = Duration::from_secs(1);
const CREDS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Credentials of the instance profile role.
#[derive(Debug, Clone)]
pub struct ImdsProvider {
    cfg: ProviderConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImdsCredentials {
    code: Option<String>,
    access_key_id: String,
    secret_access_key: String,
    token: String,
    expiration: String,
}

enum Step {
    Done(Credentials),
    TokenRejected,
}

impl ImdsProvider {
    /// IMDS at `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the IPv4/IPv6 default) read from `cfg`.
    pub fn new(cfg: ProviderConfig) -> Self {
        ImdsProvider { cfg }
    }

    fn endpoint(&self) -> String {
        let env = self.cfg.env();
        if let Some(e) = env.get_non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            return e.trim_end_matches('/').to_owned();
        }
        match env.get_non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
            Some(m) if m.eq_ignore_ascii_case("ipv6") => "http://[fd00:ec2::254]".to_owned(),
            _ => "http://169.254.169.254".to_owned(),
        }
    }

    async fn call(
        &self,
        method: http::Method,
        url: String,
        headers: &[(&str, &str)],
    ) -> Result<http::Response<Bytes>, AuthError> {
        let mut b = http::Request::builder().method(method).uri(&url);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Bytes::new()).map_err(|e| {
            AuthError::provider("imds", format!("cannot build the request to {url}: {e}"))
        })?;
        super::send(&self.cfg, req, TIMEOUT, "imds").await
    }

    async fn token(&self, base: &str) -> Result<Option<String>, AuthError> {
        let resp = self
            .call(
                http::Method::PUT,
                format!("{base}/latest/api/token"),
                &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
            )
            .await
            // Nothing listening: not on EC2. Let the chain report it among the others.
            .map_err(|e| AuthError::not_loaded("imds", e.to_string()))?;
        match resp.status().as_u16() {
            200 => Ok(Some(String::from_utf8_lossy(resp.body()).trim().to_owned())),
            403..=405 if !self.cfg.env().is_true("AWS_EC2_METADATA_V1_DISABLED") => Ok(None),
            s => Err(AuthError::provider(
                "imds",
                format!("token request answered {s}"),
            )),
        }
    }

    async fn attempt(&self, base: &str) -> Result<Step, AuthError> {
        let token = self.token(base).await?;
        let headers: Vec<(&str, &str)> = token
            .iter()
            .map(|t| ("x-aws-ec2-metadata-token", t.as_str()))
            .collect();
        let resp = self
            .call(http::Method::GET, format!("{base}{CREDS_PATH}"), &headers)
            .await?;
        match resp.status().as_u16() {
            200 => {}
            401 => return Ok(Step::TokenRejected),
            404 => {
                return Err(AuthError::not_loaded(
                    "imds",
                    "the instance has no instance profile",
                ));
            }
            s => {
                return Err(AuthError::provider(
                    "imds",
                    format!("role list answered {s}"),
                ));
            }
        }
        let body = String::from_utf8_lossy(resp.body());
        let role = body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| AuthError::not_loaded("imds", "the instance profile lists no role"))?
            .to_owned();
        let resp = self
            .call(
                http::Method::GET,
                format!("{base}{CREDS_PATH}{role}"),
                &headers,
            )
            .await?;
        match resp.status().as_u16() {
            200 => {}
            401 => return Ok(Step::TokenRejected),
            s => {
                return Err(AuthError::provider(
                    "imds",
                    format!("credentials for role `{role}` answered {s}"),
                ));
            }
        }
        let c: ImdsCredentials = serde_json::from_slice(resp.body()).map_err(|e| {
            AuthError::provider(
                "imds",
                format!("the credentials document is invalid ({:?})", e.classify()),
            )
        })?;
        if let Some(code) = c.code.as_deref().filter(|c| *c != "Success") {
            return Err(AuthError::provider(
                "imds",
                format!("credentials for role `{role}` have Code {code}"),
            ));
        }
        let expiry = parse_rfc3339(&c.expiration)
            .ok_or_else(|| AuthError::provider("imds", "bad `Expiration`"))?;
        Ok(Step::Done(Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(Secret::from(c.token)),
            Some(expiry),
        )))
    }
}

#[async_trait]
impl ProvideCredentials for ImdsProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        if self.cfg.env().is_true("AWS_EC2_METADATA_DISABLED") {
            return Err(AuthError::not_loaded(
                "imds",
                "disabled by AWS_EC2_METADATA_DISABLED",
            ));
        }
        let base = self.endpoint();
        // A 401 means the session token expired between calls: fetch a new one, once.
        for _ in 0..2 {
            if let Step::Done(c) = self.attempt(&base).await? {
                return Ok(c);
            }
        }
        Err(AuthError::provider(
            "imds",
            "IMDS rejected a fresh session token (401)",
        ))
    }
}

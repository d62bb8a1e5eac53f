//! ECS / EKS Pod Identity container credentials (`AWS_CONTAINER_CREDENTIALS_*`).

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use bedrock_types::Secret;
use bytes::Bytes;
use serde::Deserialize;

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, parse_rfc3339};
use crate::error::AuthError;

const ECS_HOST: &str = "http://169.254.170.2";
const TIMEOUT: Duration = Duration::from_secs(2);
const ATTEMPTS: u32 = 2;

/// Credentials from the container credentials endpoint.
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    cfg: ProviderConfig,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
    expiration: Option<String>,
    account_id: Option<String>,
}

impl ContainerProvider {
    /// Read the endpoint and token settings from `cfg`'s environment at each call.
    pub fn new(cfg: ProviderConfig) -> Self {
        ContainerProvider { cfg }
    }

    fn uri(&self) -> Result<String, AuthError> {
        let env = self.cfg.env();
        if let Some(rel) = env.get_non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Ok(format!("{ECS_HOST}{rel}"));
        }
        let Some(full) = env.get_non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            return Err(AuthError::not_loaded(
                "container",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
            ));
        };
        let uri: http::Uri = full.parse().map_err(|_| {
            AuthError::provider(
                "container",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL",
            )
        })?;
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let allowed = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => host_allowed(host),
            _ => false,
        };
        if !allowed {
            return Err(AuthError::provider(
                "container",
                format!(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI host `{host}` is not allowed over http (loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 only)"
                ),
            ));
        }
        Ok(full)
    }

    async fn token(&self) -> Result<Option<String>, AuthError> {
        let env = self.cfg.env();
        let token = if let Some(file) = env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        {
            let text = tokio::fs::read_to_string(&file).await.map_err(|e| {
                AuthError::provider(
                    "container",
                    format!("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {file}: {e}"),
                )
            })?;
            Some(text.trim().to_owned())
        } else {
            env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        };
        if token
            .as_deref()
            .is_some_and(|t| t.contains('\r') || t.contains('\n'))
        {
            return Err(AuthError::provider(
                "container",
                "the authorization token contains CR or LF",
            ));
        }
        Ok(token)
    }
}

fn host_allowed(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => true,
        Ok(ip) => ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
            .iter()
            .any(|a| a.parse::<IpAddr>().ok() == Some(ip)),
        Err(_) => false,
    }
}

#[async_trait]
impl ProvideCredentials for ContainerProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let uri = self.uri()?;
        let token = self.token().await?;
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let mut builder = http::Request::get(&uri).header("accept", "application/json");
            if let Some(t) = &token {
                builder = builder.header("authorization", t.as_str());
            }
            let request = builder.body(Bytes::new()).map_err(|e| {
                AuthError::provider("container", format!("cannot build the request: {e}"))
            })?;
            match super::send(&self.cfg, request, TIMEOUT, "container").await {
                Ok(resp) if resp.status().is_success() => {
                    let c: ContainerCredentials =
                        serde_json::from_slice(resp.body()).map_err(|e| {
                            AuthError::provider(
                                "container",
                                format!(
                                    "the credentials document is invalid ({:?} at line {})",
                                    e.classify(),
                                    e.line()
                                ),
                            )
                        })?;
                    let expiry =
                        match c.expiration.as_deref() {
                            Some(e) => Some(parse_rfc3339(e).ok_or_else(|| {
                                AuthError::provider("container", "bad `Expiration`")
                            })?),
                            None => None,
                        };
                    return Ok(Credentials::new(
                        c.access_key_id,
                        c.secret_access_key,
                        c.token.map(Secret::from),
                        expiry,
                    )
                    .with_account_id(c.account_id));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let e = AuthError::Provider {
                        provider: "container",
                        message: format!(
                            "{uri} answered {status}: {}",
                            super::snippet(resp.body(), 300)
                        ),
                        retryable: status.is_server_error(),
                    };
                    if !status.is_server_error() {
                        return Err(e);
                    }
                    last = Some(e);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| AuthError::provider("container", "no attempt made")))
    }
}

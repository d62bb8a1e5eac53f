//! AWS IAM Identity Center (SSO): the token cached by `aws sso login`, exchanged at the portal
//! for role credentials.
//!
//! Token refresh through SSO-OIDC is not done here: an expired token yields an error telling
//! the user to run `aws sso login --profile X` (what botocore does for legacy profiles).

use std::time::Duration;

use async_trait::async_trait;
use bedrock_types::Secret;
use bytes::Bytes;
use serde::Deserialize;
use sha1::{Digest, Sha1};

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, from_epoch_millis, parse_rfc3339};
use crate::error::AuthError;

const TIMEOUT: Duration = Duration::from_secs(10);

/// SSO settings of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// The profile (for messages: `aws sso login --profile X`).
    pub profile: String,
    /// The cache key: the `sso_session` name, or the `sso_start_url` of a legacy profile.
    pub cache_key: String,
    /// `sso_region` (the portal's region).
    pub sso_region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

/// Role credentials from the SSO portal.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    cfg: ProviderConfig,
    settings: SsoSettings,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken {
    access_token: Option<String>,
    expires_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PortalReply {
    role_credentials: RoleCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: i64,
}

/// The token cache file name for `key`: `sha1hex(key).json`.
pub fn cache_file_name(key: &str) -> String {
    format!("{}.json", hex::encode(Sha1::digest(key.as_bytes())))
}

impl SsoProvider {
    /// A provider for `settings`.
    pub fn new(cfg: ProviderConfig, settings: SsoSettings) -> Self {
        SsoProvider { cfg, settings }
    }

    fn expired(&self, detail: impl Into<String>) -> AuthError {
        AuthError::SsoTokenExpired {
            profile: self.settings.profile.clone(),
            detail: detail.into(),
        }
    }

    fn portal(&self) -> String {
        match self.cfg.env().get_non_empty("AWS_ENDPOINT_URL_SSO") {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!(
                "https://portal.sso.{}.{}",
                self.settings.sso_region,
                crate::endpoint::dns_suffix(&self.settings.sso_region, false)
            ),
        }
    }
}

#[async_trait]
impl ProvideCredentials for SsoProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let path = self
            .cfg
            .sso_cache_dir()?
            .join(cache_file_name(&self.settings.cache_key));
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(t) => t,
            Err(e) => {
                return Err(self.expired(format!(" (no cached token at {}: {e})", path.display())));
            }
        };
        let cached: CachedToken = serde_json::from_str(&text).map_err(|e| {
            AuthError::provider(
                "sso",
                format!("{} is not valid JSON ({:?})", path.display(), e.classify()),
            )
        })?;
        let token = cached
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.expired(format!(" ({} has no accessToken)", path.display())))?;
        let expires_at = cached
            .expires_at
            .as_deref()
            .and_then(parse_rfc3339)
            .ok_or_else(|| self.expired(format!(" ({} has no valid expiresAt)", path.display())))?;
        if expires_at <= self.cfg.now() {
            return Err(self.expired(format!(
                " (cached token expired at {})",
                crate::credentials::format_rfc3339(expires_at)
            )));
        }
        let url = format!(
            "{}/federation/credentials?role_name={}&account_id={}",
            self.portal(),
            super::sts::percent_encode(&self.settings.role_name),
            super::sts::percent_encode(&self.settings.account_id)
        );
        let request = http::Request::get(&url)
            .header("x-amz-sso_bearer_token", token)
            .body(Bytes::new())
            .map_err(|e| {
                AuthError::provider("sso", format!("cannot build the portal request: {e}"))
            })?;
        let resp = super::send(&self.cfg, request, TIMEOUT, "sso").await?;
        let status = resp.status();
        if status == http::StatusCode::UNAUTHORIZED || status == http::StatusCode::FORBIDDEN {
            return Err(self.expired(format!(" (the SSO portal answered {status})")));
        }
        if !status.is_success() {
            return Err(AuthError::Provider {
                provider: "sso",
                message: format!(
                    "GetRoleCredentials answered {status}: {}",
                    super::snippet(resp.body(), 300)
                ),
                retryable: status.is_server_error(),
            });
        }
        let reply: PortalReply = serde_json::from_slice(resp.body()).map_err(|e| {
            AuthError::provider(
                "sso",
                format!("GetRoleCredentials reply is invalid ({:?})", e.classify()),
            )
        })?;
        let rc = reply.role_credentials;
        let expiry = from_epoch_millis(rc.expiration)
            .ok_or_else(|| AuthError::provider("sso", "bad `expiration`"))?;
        Ok(Credentials::new(
            rc.access_key_id,
            rc.secret_access_key,
            rc.session_token.map(Secret::from),
            Some(expiry),
        )
        .with_account_id(Some(self.settings.account_id.clone())))
    }
}

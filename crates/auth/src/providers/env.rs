//! `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` from the environment.

use async_trait::async_trait;
use bedrock_types::Secret;

use crate::credentials::{Credentials, ProvideCredentials, parse_rfc3339};
use crate::env::Env;
use crate::error::AuthError;

/// Credentials from environment variables (blank counts as unset, as in the SDKs).
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Read from `env`.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }
}

#[async_trait]
impl ProvideCredentials for EnvironmentProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let key = self.env.get_non_empty("AWS_ACCESS_KEY_ID");
        let secret = self.env.get_non_empty("AWS_SECRET_ACCESS_KEY");
        match (key, secret) {
            (Some(key), Some(secret)) => {
                let token = self
                    .env
                    .get_non_empty("AWS_SESSION_TOKEN")
                    .or_else(|| self.env.get_non_empty("AWS_SECURITY_TOKEN"))
                    .map(Secret::from);
                let expiry = match self.env.get_non_empty("AWS_CREDENTIAL_EXPIRATION") {
                    Some(s) => Some(parse_rfc3339(&s).ok_or_else(|| {
                        AuthError::provider(
                            "environment",
                            "AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 time",
                        )
                    })?),
                    None => None,
                };
                Ok(Credentials::new(key, secret, token, expiry)
                    .with_account_id(self.env.get_non_empty("AWS_ACCOUNT_ID")))
            }
            (None, None) => Err(AuthError::not_loaded(
                "environment",
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            )),
            (Some(_), None) => Err(AuthError::provider(
                "environment",
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            )),
            (None, Some(_)) => Err(AuthError::provider(
                "environment",
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
            )),
        }
    }
}

//! `AssumeRoleWithWebIdentity`: a literal token (`aws_web_identity_token`), a token file from a
//! profile, or IRSA's `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`.

use std::path::PathBuf;

use async_trait::async_trait;
use bedrock_types::Secret;

use super::sts::StsClient;
use crate::credentials::{Credentials, ProvideCredentials};
use crate::error::AuthError;

/// Where the OIDC token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// A token passed in (LiteLLM's `aws_web_identity_token`).
    Literal(Secret),
    /// A file re-read on every refresh (Kubernetes rotates it).
    File(PathBuf),
}

/// Exchanges a web-identity token for role credentials.
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    sts: StsClient,
    role_arn: String,
    session_name: String,
    token: TokenSource,
}

impl WebIdentityProvider {
    /// Assume `role_arn` as `session_name` with `token`.
    pub fn new(
        sts: StsClient,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
        token: TokenSource,
    ) -> Self {
        WebIdentityProvider {
            sts,
            role_arn: role_arn.into(),
            session_name: session_name.into(),
            token,
        }
    }
}

#[async_trait]
impl ProvideCredentials for WebIdentityProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let token = match &self.token {
            TokenSource::Literal(t) => t.clone(),
            TokenSource::File(path) => {
                let text = tokio::fs::read_to_string(path).await.map_err(|e| {
                    AuthError::provider(
                        "web_identity",
                        format!("cannot read token file {}: {e}", path.display()),
                    )
                })?;
                Secret::new(text.trim())
            }
        };
        if token.is_empty() {
            return Err(AuthError::provider(
                "web_identity",
                "the web identity token is empty",
            ));
        }
        self.sts
            .assume_role_with_web_identity(&self.role_arn, &self.session_name, &token, 3600)
            .await
    }
}

//! Fixed credentials: explicit `aws_access_key_id` + `aws_secret_access_key` (+ token).

use async_trait::async_trait;

use crate::credentials::{Credentials, ProvideCredentials};
use crate::error::AuthError;

/// A provider that always returns the same credentials.
#[derive(Debug, Clone)]
pub struct StaticProvider(Credentials);

impl StaticProvider {
    /// A provider that always returns `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider(credentials)
    }
}

#[async_trait]
impl ProvideCredentials for StaticProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        Ok(self.0.clone())
    }
}

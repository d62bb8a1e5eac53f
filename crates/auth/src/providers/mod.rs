//! Credential providers, one per source.

pub mod container;
pub mod env;
pub mod imds;
pub mod process;
pub mod profile;
pub mod sso;
pub mod static_keys;
pub mod sts;
pub mod web_identity;

use std::time::Duration;

use bytes::Bytes;

use crate::config::ProviderConfig;
use crate::error::AuthError;

/// Send one request with a time limit; transport failures are retryable provider errors.
pub(crate) async fn send(
    cfg: &ProviderConfig,
    request: http::Request<Bytes>,
    timeout: Duration,
    provider: &'static str,
) -> Result<http::Response<Bytes>, AuthError> {
    let uri = request.uri().clone();
    match tokio::time::timeout(timeout, cfg.http().send(request)).await {
        Ok(Ok(resp)) => Ok(resp),
        Ok(Err(e)) => Err(AuthError::transient(
            provider,
            format!("request to {uri} failed: {}", e.message()),
        )),
        Err(_) => Err(AuthError::transient(
            provider,
            format!("request to {uri} timed out after {timeout:?}"),
        )),
    }
}

/// The first `max` characters of a response body, for error messages of bodies that carry no
/// credentials (error documents).
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_owned()
    }
}

//! The seam the client calls: decide bearer vs SigV4, resolve (cached) credentials, sign.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bedrock_types::AwsParams;
use bytes::Bytes;

use crate::bearer::bearer_token;
use crate::cache::{CacheKey, CredentialsCache};
use crate::chain::CredentialChain;
use crate::config::ProviderConfig;
use crate::credentials::{ProvideCredentials, SharedProvider};
use crate::sign::{apply_bearer, sign_request};

/// What a call needs to be authorized.
#[derive(Debug, Clone, Copy)]
pub struct AuthContext<'a> {
    /// The call's auth parameters.
    pub params: &'a AwsParams,
    /// The resolved region (from [`crate::resolve_region`]).
    pub region: &'a str,
    /// The SigV4 signing name, normally [`crate::BEDROCK_SERVICE`].
    pub service: &'a str,
}

/// How a request was authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The caller supplied a non-SigV4 `Authorization` header (custom gateway); left as is.
    CallerAuthorization,
    /// `Authorization: Bearer <api key>`.
    Bearer,
    /// SigV4 with resolved credentials.
    SigV4,
}

/// Authorizes a request in place. Object-safe: hold it as `Arc<dyn Authorize>`.
#[async_trait]
pub trait Authorize: fmt::Debug + Send + Sync {
    /// Add authentication to `request` (whose body is final).
    async fn authorize(
        &self,
        request: &mut http::Request<Bytes>,
        ctx: &AuthContext<'_>,
    ) -> Result<AuthMethod, bedrock_types::Error>;
}

/// LiteLLM's rules, in order:
/// 1. a caller `Authorization` header that is not `AWS4-HMAC-SHA256…` wins (LiteLLM signs and
///    then lets it replace the signature; we skip signing and credential resolution entirely,
///    which puts the same header on the wire without the cost);
/// 2. a bearer key (`api_key` / `AWS_BEARER_TOKEN_BEDROCK`) is sent as is — no credential
///    lookup happens at all (LiteLLM bug #38549 resolved credentials first);
/// 3. otherwise credentials for the params (cached by [`CacheKey`]) sign the request.
#[derive(Debug, Clone)]
pub struct SigV4Authorizer {
    cfg: ProviderConfig,
    cache: CredentialsCache,
    provider: Option<SharedProvider>,
}

impl SigV4Authorizer {
    /// Resolve credentials with [`CredentialChain::for_params`] for each call's params.
    pub fn new(cfg: ProviderConfig) -> Self {
        let cache = CredentialsCache::new(Arc::new(ConfigClock(cfg.clone())));
        SigV4Authorizer {
            cfg,
            cache,
            provider: None,
        }
    }

    /// Always use `provider` (still cached per params) instead of the LiteLLM chain.
    pub fn with_provider(cfg: ProviderConfig, provider: impl ProvideCredentials + 'static) -> Self {
        let mut a = Self::new(cfg);
        a.provider = Some(Arc::new(provider));
        a
    }

    /// The credentials cache.
    pub fn cache(&self) -> &CredentialsCache {
        &self.cache
    }
}

#[derive(Debug)]
struct ConfigClock(ProviderConfig);

impl crate::env::TimeSource for ConfigClock {
    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }
}

#[async_trait]
impl Authorize for SigV4Authorizer {
    async fn authorize(
        &self,
        request: &mut http::Request<Bytes>,
        ctx: &AuthContext<'_>,
    ) -> Result<AuthMethod, bedrock_types::Error> {
        if let Some(existing) = request.headers().get(http::header::AUTHORIZATION)
            && !existing.as_bytes().starts_with(b"AWS4-HMAC-SHA256")
        {
            return Ok(AuthMethod::CallerAuthorization);
        }
        if let Some(token) = bearer_token(ctx.params, self.cfg.env()) {
            apply_bearer(request, &token)?;
            return Ok(AuthMethod::Bearer);
        }
        let key = CacheKey::new(ctx.params, ctx.region);
        let creds = self
            .cache
            .get_or_load(key, || async {
                match &self.provider {
                    Some(p) => p.provide_credentials().await,
                    None => {
                        CredentialChain::for_params(ctx.params, ctx.region, &self.cfg)?
                            .provide_credentials()
                            .await
                    }
                }
            })
            .await?;
        sign_request(request, &creds, ctx.region, ctx.service, self.cfg.now())?;
        Ok(AuthMethod::SigV4)
    }
}

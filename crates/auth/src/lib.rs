//! Credentials and request signing for Bedrock.
//!
//! Resolves AWS credentials from every source a LiteLLM user relies on (explicit parameters,
//! environment, profile files, credential_process, SSO, STS AssumeRole and web identity,
//! container and instance metadata, bearer API keys), caches them, and signs requests with
//! SigV4. Also home to the one region resolver and the one endpoint resolver.
//!
//! What it must not do: build request bodies or know model families; it signs the exact bytes
//! it is given.
//!
//! Map:
//! - [`SigV4Authorizer`] (the [`Authorize`] seam the client calls): caller `Authorization` →
//!   bearer key → cached credentials + SigV4.
//! - [`CredentialChain::for_params`]: LiteLLM's source order; [`CredentialChain::ambient`]: the
//!   default chain. Every source is a [`ProvideCredentials`] in [`providers`].
//! - [`CredentialsCache`]: single-flight refresh 5 minutes before expiry, 30 s negative cache.
//! - [`resolve_region`], [`resolve_runtime_endpoint`], [`resolve_agent_runtime_endpoint`],
//!   [`resolve_sts_endpoint`].
//! - [`sign_request`]: SigV4 over exactly the bytes sent (a fast path of our own for the common
//!   shape, byte-identical to aws-sigv4, which signs everything else).
//! - [`Env`], [`ProviderConfig`], [`TimeSource`]: everything from the outside world is
//!   injectable, so tests never touch the process environment.
#![deny(missing_docs)]

mod authorizer;
mod bearer;
mod cache;
mod chain;
mod config;
mod credentials;
mod endpoint;
mod env;
mod error;
pub mod profile;
pub mod providers;
mod region;
mod sign;

pub use authorizer::{AuthContext, AuthMethod, Authorize, SigV4Authorizer};
pub use bearer::bearer_token;
pub use cache::{
    CacheKey, CachingProvider, CredentialsCache, NEGATIVE_TTL, NO_EXPIRY_TTL, REFRESH_MARGIN,
};
pub use chain::CredentialChain;
pub use config::ProviderConfig;
pub use credentials::{Credentials, ProvideCredentials, SharedProvider};
pub use endpoint::{
    Endpoint, dns_suffix, resolve_agent_runtime_endpoint, resolve_runtime_endpoint,
    resolve_sts_endpoint, sts_signing_region,
};
pub use env::{Env, ManualClock, SharedTimeSource, SystemClock, TimeSource};
pub use error::AuthError;
pub use region::{
    DEFAULT_REGION, RegionSource, ResolvedRegion, is_valid_region, region_from_arn, resolve_region,
};
#[doc(hidden)]
pub use sign::sign_request_aws_sigv4;
pub use sign::{BEDROCK_SERVICE, STS_SERVICE, apply_bearer, is_signed_header, sign_request};

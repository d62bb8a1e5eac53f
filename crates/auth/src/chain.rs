//! `CredentialChain`: LiteLLM's order of credential sources, and the ambient default chain.

use std::sync::Arc;

use async_trait::async_trait;
use bedrock_types::{AwsParams, Secret};

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, SharedProvider};
use crate::endpoint::{resolve_sts_endpoint, sts_signing_region};
use crate::error::AuthError;
use crate::providers::container::ContainerProvider;
use crate::providers::env::EnvironmentProvider;
use crate::providers::imds::ImdsProvider;
use crate::providers::profile::{ProfileProvider, default_session_name};
use crate::providers::static_keys::StaticProvider;
use crate::providers::sts::{AssumeRoleProvider, AssumeRoleRequest, StsClient};
use crate::providers::web_identity::{TokenSource, WebIdentityProvider};

/// Providers tried in order: one that is not configured ([`AuthError::NotLoaded`]) passes to the
/// next; any other error stops the chain (a broken source must not be silently skipped).
#[derive(Debug, Clone, Default)]
pub struct CredentialChain {
    providers: Vec<(&'static str, SharedProvider)>,
}

/// The auth parameters after LiteLLM's env-var fallbacks.
#[derive(Debug, Clone, Default)]
struct Effective {
    key: Option<String>,
    secret: Option<Secret>,
    token: Option<Secret>,
    role: Option<String>,
    session_name: Option<String>,
    profile: Option<String>,
    web_identity_token: Option<Secret>,
    sts_endpoint: Option<String>,
    external_id: Option<String>,
}

fn pick(param: Option<&str>, cfg: &ProviderConfig, var: &str) -> Option<String> {
    param
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| cfg.env().get_non_empty(var))
}

impl Effective {
    fn new(p: &AwsParams, cfg: &ProviderConfig) -> Self {
        fn secret(v: &Option<Secret>) -> Option<&str> {
            v.as_ref().map(|s| s.expose())
        }
        Effective {
            key: pick(p.aws_access_key_id.as_deref(), cfg, "AWS_ACCESS_KEY_ID"),
            secret: pick(
                secret(&p.aws_secret_access_key),
                cfg,
                "AWS_SECRET_ACCESS_KEY",
            )
            .map(Secret::from),
            token: pick(secret(&p.aws_session_token), cfg, "AWS_SESSION_TOKEN").map(Secret::from),
            role: pick(p.aws_role_name.as_deref(), cfg, "AWS_ROLE_NAME"),
            session_name: pick(p.aws_session_name.as_deref(), cfg, "AWS_SESSION_NAME"),
            profile: pick(p.aws_profile_name.as_deref(), cfg, "AWS_PROFILE_NAME"),
            web_identity_token: pick(
                secret(&p.aws_web_identity_token),
                cfg,
                "AWS_WEB_IDENTITY_TOKEN",
            )
            .map(Secret::from),
            sts_endpoint: pick(p.aws_sts_endpoint.as_deref(), cfg, "AWS_STS_ENDPOINT"),
            external_id: pick(p.aws_external_id.as_deref(), cfg, "AWS_EXTERNAL_ID"),
        }
    }

    fn static_keys(&self) -> Option<Credentials> {
        match (&self.key, &self.secret) {
            (Some(k), Some(s)) => Some(Credentials::new(
                k.clone(),
                s.clone(),
                self.token.clone(),
                None,
            )),
            _ => None,
        }
    }
}

/// A provider that reports itself as not configured (keeps the chain's "tried" list complete).
#[derive(Debug)]
struct Unconfigured(&'static str, &'static str);

#[async_trait]
impl ProvideCredentials for Unconfigured {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        Err(AuthError::not_loaded(self.0, self.1))
    }
}

impl CredentialChain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a provider.
    pub fn push(mut self, name: &'static str, provider: impl ProvideCredentials + 'static) -> Self {
        self.providers.push((name, Arc::new(provider)));
        self
    }

    /// The names of the providers, in order (for tests and diagnostics).
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|(n, _)| *n).collect()
    }

    /// The ambient chain (boto3's default, which LiteLLM falls back to): environment variables,
    /// the shared profile (`AWS_PROFILE` or `default`), web identity from
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, container credentials, IMDS.
    pub fn ambient(cfg: &ProviderConfig, region: &str) -> Result<Self, AuthError> {
        Self::ambient_with_sts(cfg, region, None)
    }

    fn ambient_with_sts(
        cfg: &ProviderConfig,
        region: &str,
        sts_endpoint: Option<&str>,
    ) -> Result<Self, AuthError> {
        let env = cfg.env();
        let mut chain = CredentialChain::new()
            .push("environment", EnvironmentProvider::new(env.clone()))
            .push(
                "profile",
                ProfileProvider::ambient(cfg.clone(), region)
                    .with_sts_endpoint(sts_endpoint.map(str::to_owned)),
            );
        chain = match (
            env.get_non_empty("AWS_WEB_IDENTITY_TOKEN_FILE"),
            env.get_non_empty("AWS_ROLE_ARN"),
        ) {
            (Some(file), Some(role)) => {
                let session = env
                    .get_non_empty("AWS_ROLE_SESSION_NAME")
                    .unwrap_or_else(|| default_session_name(cfg));
                chain.push(
                    "web_identity_env",
                    WebIdentityProvider::new(
                        sts_client(cfg, region, sts_endpoint)?,
                        role,
                        session,
                        TokenSource::File(file.into()),
                    ),
                )
            }
            _ => chain.push(
                "web_identity_env",
                Unconfigured(
                    "web_identity_env",
                    "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set",
                ),
            ),
        };
        Ok(chain
            .push("container", ContainerProvider::new(cfg.clone()))
            .push("imds", ImdsProvider::new(cfg.clone())))
    }

    /// LiteLLM's order for a call's auth parameters (each falling back to its env var:
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_ROLE_NAME`,
    /// `AWS_SESSION_NAME`, `AWS_PROFILE_NAME`, `AWS_WEB_IDENTITY_TOKEN`, `AWS_STS_ENDPOINT`,
    /// `AWS_EXTERNAL_ID`):
    ///
    /// 1. web identity token + role → `AssumeRoleWithWebIdentity` (session name defaults to
    ///    `litellm-session-{unix seconds}`; LiteLLM required it to be set — we default it);
    /// 2. role → `AssumeRole` (session name, external id, tags sorted by key, 3600 s) with source
    ///    credentials from the explicit keys, else the named profile, else the ambient chain.
    ///    When IRSA already runs as that role (`AWS_ROLE_ARN` equals it and a token file is set,
    ///    no explicit keys), the ambient chain is used directly, as LiteLLM does;
    /// 3. profile → that profile (SSO, `credential_process`, role chains, static keys);
    /// 4. key + secret (+ session token) → static;
    /// 5. the ambient chain.
    ///
    /// `region` is the call's region; STS calls go to `aws_sts_endpoint` or the regional STS.
    pub fn for_params(
        params: &AwsParams,
        region: &str,
        cfg: &ProviderConfig,
    ) -> Result<Self, AuthError> {
        let eff = Effective::new(params, cfg);
        let sts_ep = eff.sts_endpoint.as_deref();
        if let (Some(token), Some(role)) = (&eff.web_identity_token, &eff.role) {
            let session = eff
                .session_name
                .clone()
                .unwrap_or_else(|| default_session_name(cfg));
            let p = WebIdentityProvider::new(
                sts_client(cfg, region, sts_ep)?,
                role,
                session,
                TokenSource::Literal(token.clone()),
            );
            return Ok(CredentialChain::new().push("web_identity", p));
        }
        if let Some(role) = &eff.role {
            let keys = eff.static_keys();
            let irsa_role = cfg.env().get_non_empty("AWS_ROLE_ARN");
            if keys.is_none()
                && irsa_role.as_deref() == Some(role.as_str())
                && cfg
                    .env()
                    .get_non_empty("AWS_WEB_IDENTITY_TOKEN_FILE")
                    .is_some()
            {
                return Self::ambient_with_sts(cfg, region, sts_ep);
            }
            let source: SharedProvider = match (keys, &eff.profile) {
                (Some(k), _) => Arc::new(StaticProvider::new(k)),
                (None, Some(profile)) => Arc::new(
                    ProfileProvider::named(cfg.clone(), profile, region)
                        .with_sts_endpoint(eff.sts_endpoint.clone()),
                ),
                (None, None) => Arc::new(Self::ambient_with_sts(cfg, region, sts_ep)?),
            };
            let request = AssumeRoleRequest {
                role_arn: role.clone(),
                session_name: eff
                    .session_name
                    .clone()
                    .unwrap_or_else(|| default_session_name(cfg)),
                external_id: eff.external_id.clone(),
                duration_seconds: 3600,
                tags: params.aws_session_tags.clone().unwrap_or_default(),
            };
            let p = AssumeRoleProvider::new(source, sts_client(cfg, region, sts_ep)?, request);
            return Ok(CredentialChain::new().push("assume_role", p));
        }
        if let Some(profile) = &eff.profile {
            let p = ProfileProvider::named(cfg.clone(), profile, region)
                .with_sts_endpoint(eff.sts_endpoint.clone());
            return Ok(CredentialChain::new().push("profile", p));
        }
        if let Some(keys) = eff.static_keys() {
            return Ok(CredentialChain::new().push("static", StaticProvider::new(keys)));
        }
        Self::ambient_with_sts(cfg, region, sts_ep)
    }
}

fn sts_client(
    cfg: &ProviderConfig,
    region: &str,
    sts_endpoint: Option<&str>,
) -> Result<StsClient, AuthError> {
    let endpoint = resolve_sts_endpoint(sts_endpoint, region, cfg.env())?;
    let signing = sts_signing_region(&endpoint, cfg.env(), region);
    Ok(StsClient::new(cfg.clone(), endpoint, signing))
}

#[async_trait]
impl ProvideCredentials for CredentialChain {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let mut tried = Vec::new();
        for (name, provider) in &self.providers {
            match provider.provide_credentials().await {
                Ok(c) => {
                    tracing::debug!(provider = name, "credentials loaded");
                    return Ok(c);
                }
                Err(e) if e.is_not_loaded() => tried.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Err(AuthError::NoCredentials { tried })
    }
}

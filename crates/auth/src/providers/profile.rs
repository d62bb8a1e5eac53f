//! Credentials from a named profile, following `role_arn` chains.
//!
//! Per profile, the first that applies: `role_arn` (with `web_identity_token_file`,
//! `source_profile` or `credential_source`), SSO (`sso_session` or legacy `sso_start_url`),
//! static keys, `credential_process`. Along a `source_profile` chain, a source profile with
//! static keys ends the chain (its own `role_arn` is not followed), as in the SDKs; a profile may
//! name itself as `source_profile` only when it has static keys. Files are re-read on every
//! (uncached) call, so `aws sso login` or an edited file takes effect at the next refresh.

use async_trait::async_trait;
use bedrock_types::Secret;

use super::container::ContainerProvider;
use super::env::EnvironmentProvider;
use super::imds::ImdsProvider;
use super::process::ProcessProvider;
use super::sso::{SsoProvider, SsoSettings};
use super::static_keys::StaticProvider;
use super::sts::{AssumeRoleRequest, StsClient};
use super::web_identity::{TokenSource, WebIdentityProvider};
use crate::config::ProviderConfig;
use crate::credentials::{Credentials, ProvideCredentials, SharedProvider, unix_seconds};
use crate::endpoint::{resolve_sts_endpoint, sts_signing_region};
use crate::error::AuthError;
use crate::profile::{Profile, ProfileSet};

/// Credentials of one profile of the shared files.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    cfg: ProviderConfig,
    profile: String,
    explicit: bool,
    region: String,
    sts_endpoint: Option<String>,
}

impl ProfileProvider {
    /// The profile the caller named (`aws_profile_name`): a missing or empty profile is an error.
    pub fn named(
        cfg: ProviderConfig,
        profile: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        ProfileProvider {
            cfg,
            profile: profile.into(),
            explicit: true,
            region: region.into(),
            sts_endpoint: None,
        }
    }

    /// The ambient chain's profile (`AWS_PROFILE` or `default`): if it is missing or holds no
    /// credentials the chain moves on — unless `AWS_PROFILE` named it explicitly.
    pub fn ambient(cfg: ProviderConfig, region: impl Into<String>) -> Self {
        let explicit = cfg.env().get_non_empty("AWS_PROFILE").is_some()
            || cfg.env().get_non_empty("AWS_DEFAULT_PROFILE").is_some();
        let profile = crate::profile::selected_profile_name(&cfg);
        ProfileProvider {
            cfg,
            profile,
            explicit,
            region: region.into(),
            sts_endpoint: None,
        }
    }

    /// Use this STS endpoint (`aws_sts_endpoint`) for role chains.
    pub fn with_sts_endpoint(mut self, endpoint: Option<String>) -> Self {
        self.sts_endpoint = endpoint;
        self
    }

    fn sts(&self) -> Result<StsClient, AuthError> {
        let endpoint =
            resolve_sts_endpoint(self.sts_endpoint.as_deref(), &self.region, self.cfg.env())?;
        let signing = sts_signing_region(&endpoint, self.cfg.env(), &self.region);
        Ok(StsClient::new(self.cfg.clone(), endpoint, signing))
    }

    /// Work out the base provider and the roles to assume on top of it, in order.
    fn plan(
        &self,
        set: &ProfileSet,
    ) -> Result<(SharedProvider, Vec<AssumeRoleRequest>), AuthError> {
        let mut visited: Vec<String> = Vec::new();
        let mut roles: Vec<AssumeRoleRequest> = Vec::new();
        let mut name = self.profile.clone();
        let base: SharedProvider = loop {
            let Some(p) = set.profile(&name) else {
                let msg = format!("not found in {}", set.sources());
                return Err(if visited.is_empty() && !self.explicit {
                    AuthError::not_loaded("profile", format!("profile `{name}` {msg}"))
                } else {
                    AuthError::profile(&name, msg)
                });
            };
            if !visited.is_empty() && p.has_static_keys() {
                break static_provider(p);
            }
            visited.push(name.clone());
            let Some(role_arn) = p.get("role_arn") else {
                break self.base_provider(set, p, visited.len() == 1)?;
            };
            if p.get("mfa_serial").is_some() {
                return Err(AuthError::profile(
                    &name,
                    "mfa_serial needs an interactive MFA code, which is not supported",
                ));
            }
            let source_profile = p.get("source_profile");
            let credential_source = p.get("credential_source");
            if source_profile.is_some() && credential_source.is_some() {
                return Err(AuthError::profile(
                    &name,
                    "source_profile and credential_source are mutually exclusive",
                ));
            }
            let session_name = p
                .get("role_session_name")
                .map(str::to_owned)
                .unwrap_or_else(|| default_session_name(&self.cfg));
            if let (Some(file), None, None) = (
                p.get("web_identity_token_file"),
                source_profile,
                credential_source,
            ) {
                break std::sync::Arc::new(WebIdentityProvider::new(
                    self.sts()?,
                    role_arn,
                    session_name,
                    TokenSource::File(self.cfg.expand_home(file)),
                ));
            }
            let duration_seconds = match p.get("duration_seconds") {
                Some(d) => d
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (900..=43200).contains(d))
                    .ok_or_else(|| {
                        AuthError::profile(
                            &name,
                            format!("duration_seconds {d:?} is not a number in 900..=43200"),
                        )
                    })?,
                None => 3600,
            };
            roles.push(AssumeRoleRequest {
                role_arn: role_arn.to_owned(),
                session_name,
                external_id: p.get("external_id").map(str::to_owned),
                duration_seconds,
                tags: Vec::new(),
            });
            if let Some(cs) = credential_source {
                break match cs {
                    "Environment" => {
                        std::sync::Arc::new(EnvironmentProvider::new(self.cfg.env().clone()))
                    }
                    "Ec2InstanceMetadata" => {
                        std::sync::Arc::new(ImdsProvider::new(self.cfg.clone()))
                    }
                    "EcsContainer" => std::sync::Arc::new(ContainerProvider::new(self.cfg.clone())),
                    other => {
                        return Err(AuthError::profile(
                            &name,
                            format!(
                                "credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                            ),
                        ));
                    }
                };
            }
            let Some(src) = source_profile else {
                return Err(AuthError::profile(
                    &name,
                    "role_arn needs source_profile, credential_source or web_identity_token_file",
                ));
            };
            if src == name {
                if p.has_static_keys() {
                    break static_provider(p);
                }
                return Err(AuthError::profile(
                    &name,
                    "names itself as source_profile but has no static keys",
                ));
            }
            if visited.iter().any(|v| v == src) {
                return Err(AuthError::profile(
                    &self.profile,
                    format!("source_profile cycle: {} -> {src}", visited.join(" -> ")),
                ));
            }
            name = src.to_owned();
        };
        roles.reverse();
        Ok((base, roles))
    }

    fn base_provider(
        &self,
        set: &ProfileSet,
        p: &Profile,
        first: bool,
    ) -> Result<SharedProvider, AuthError> {
        let name = p.name();
        if let Some(sso) = sso_settings(set, p)? {
            return Ok(std::sync::Arc::new(SsoProvider::new(self.cfg.clone(), sso)));
        }
        if p.has_static_keys() {
            return Ok(static_provider(p));
        }
        if let Some(cmd) = p.get("credential_process") {
            return Ok(std::sync::Arc::new(ProcessProvider::new(
                name,
                cmd,
                self.cfg.process_timeout(),
            )));
        }
        if p.get("aws_access_key_id").is_some() {
            return Err(AuthError::profile(
                name,
                "aws_access_key_id is set but aws_secret_access_key is not",
            ));
        }
        let msg = "has no credentials (static keys, role_arn, sso_*, or credential_process)";
        Err(if first && !self.explicit {
            AuthError::not_loaded("profile", format!("profile `{name}` {msg}"))
        } else {
            AuthError::profile(name, msg)
        })
    }
}

fn static_provider(p: &Profile) -> SharedProvider {
    std::sync::Arc::new(StaticProvider::new(Credentials::new(
        p.get("aws_access_key_id").unwrap_or_default(),
        p.get("aws_secret_access_key").unwrap_or_default(),
        p.get("aws_session_token").map(Secret::from),
        None,
    )))
}

fn sso_settings(set: &ProfileSet, p: &Profile) -> Result<Option<SsoSettings>, AuthError> {
    let name = p.name();
    let (cache_key, region, start_url) = if let Some(session) = p.get("sso_session") {
        let s = set.sso_session(session).ok_or_else(|| {
            AuthError::profile(
                name,
                format!("sso_session `{session}` has no [sso-session {session}] section"),
            )
        })?;
        let region = s.get("sso_region").or_else(|| p.get("sso_region"));
        (session.to_owned(), region, s.get("sso_start_url"))
    } else if let Some(url) = p.get("sso_start_url") {
        (url.to_owned(), p.get("sso_region"), Some(url))
    } else {
        return Ok(None);
    };
    let need = |v: Option<&str>, what: &str| {
        v.map(str::to_owned)
            .ok_or_else(|| AuthError::profile(name, format!("SSO profile is missing {what}")))
    };
    need(start_url, "sso_start_url")?;
    Ok(Some(SsoSettings {
        profile: name.to_owned(),
        cache_key,
        sso_region: need(region, "sso_region")?,
        account_id: need(p.get("sso_account_id"), "sso_account_id")?,
        role_name: need(p.get("sso_role_name"), "sso_role_name")?,
    }))
}

/// LiteLLM's default `RoleSessionName`: `litellm-session-{unix seconds}`.
pub fn default_session_name(cfg: &ProviderConfig) -> String {
    format!("litellm-session-{}", unix_seconds(cfg.now()))
}

#[async_trait]
impl ProvideCredentials for ProfileProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let set = ProfileSet::load(&self.cfg)?;
        let (base, roles) = self.plan(&set)?;
        let mut creds = base.provide_credentials().await.map_err(|e| match e {
            // A role chain's source was asked for by the file: its absence is an error.
            AuthError::NotLoaded { provider, reason } if !roles.is_empty() => AuthError::profile(
                &self.profile,
                format!("no source credentials for role_arn: {provider}: {reason}"),
            ),
            other => other,
        })?;
        if !roles.is_empty() {
            let sts = self.sts()?;
            for role in &roles {
                creds = sts.assume_role(&creds, role).await?;
            }
        }
        Ok(creds)
    }
}

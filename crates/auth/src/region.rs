//! The one region resolver, used for runtime calls, embeddings, agents and signing alike
//! (LiteLLM resolved it differently per route, which sent requests to the wrong region).
//!
//! Order: `aws_region_name` → the region inside an ARN (`model_id` first, else `model`) →
//! `AWS_REGION_NAME` → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region`
//! (`aws_profile_name`/`AWS_PROFILE_NAME`, else `AWS_PROFILE`, else `default`) → `us-west-2`.
//! Every candidate is validated against `^[a-z0-9-]+$`; a bad one is an error naming its source,
//! not a silent fall-through.

use bedrock_types::AwsParams;

use crate::config::ProviderConfig;
use crate::error::AuthError;
use crate::profile::{ProfileSet, selected_profile_name};

/// LiteLLM's last resort.
pub const DEFAULT_REGION: &str = "us-west-2";

/// Where a region came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSource {
    /// The `aws_region_name` parameter.
    Param,
    /// The ARN in `model_id`.
    ModelIdArn,
    /// The ARN in `model`.
    ModelArn,
    /// An environment variable (its name).
    Env(&'static str),
    /// The `region` of this profile.
    Profile(String),
    /// Nothing set: `us-west-2`.
    Default,
}

impl RegionSource {
    fn param_name(&self) -> String {
        match self {
            RegionSource::Param => "aws_region_name".to_owned(),
            RegionSource::ModelIdArn => "model_id".to_owned(),
            RegionSource::ModelArn => "model".to_owned(),
            RegionSource::Env(v) => (*v).to_owned(),
            RegionSource::Profile(p) => format!("region of profile `{p}`"),
            RegionSource::Default => "default region".to_owned(),
        }
    }
}

/// A validated region and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRegion {
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// Where it came from.
    pub source: RegionSource,
}

/// Whether `s` matches `^[a-z0-9-]+$`.
pub fn is_valid_region(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The region field of an ARN (`arn:partition:service:REGION:account:resource`), if `s` is or
/// ends in one (routing prefixes like `converse/arn:…` are tolerated) and the field is non-empty.
pub fn region_from_arn(s: &str) -> Option<&str> {
    let start = if s.starts_with("arn:") {
        0
    } else {
        s.find("/arn:").map(|i| i + 1)?
    };
    let region = s[start..].split(':').nth(3)?;
    (!region.is_empty()).then_some(region)
}

/// Resolve the region for a call to `model` (optionally addressed through `model_id`).
pub fn resolve_region(
    params: &AwsParams,
    model_id: Option<&str>,
    model: Option<&str>,
    cfg: &ProviderConfig,
) -> Result<ResolvedRegion, AuthError> {
    let env = cfg.env();
    // In LiteLLM's order, reading each source only when the ones before it gave nothing.
    let pick = |value: Option<&str>, source: RegionSource| {
        let v = value?.trim();
        (!v.is_empty()).then(|| validated(v.to_owned(), source))
    };
    if let Some(r) = pick(params.aws_region_name.as_deref(), RegionSource::Param) {
        return r;
    }
    let model_id_region = model_id.and_then(region_from_arn);
    if let Some(r) = pick(model_id_region, RegionSource::ModelIdArn) {
        return r;
    }
    // The model's ARN is only consulted when model_id carries none (LiteLLM: model_id first).
    if model_id_region.is_none()
        && let Some(r) = pick(model.and_then(region_from_arn), RegionSource::ModelArn)
    {
        return r;
    }
    for var in ["AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(r) = pick(env.get(var).as_deref(), RegionSource::Env(var)) {
            return r;
        }
    }
    let profile_name = params
        .aws_profile_name
        .clone()
        .or_else(|| env.get_non_empty("AWS_PROFILE_NAME"))
        .unwrap_or_else(|| selected_profile_name(cfg));
    let set = ProfileSet::load(cfg)?;
    if let Some(r) = set.profile(&profile_name).and_then(|p| p.get("region")) {
        return validated(r.to_owned(), RegionSource::Profile(profile_name));
    }
    Ok(ResolvedRegion {
        region: DEFAULT_REGION.to_owned(),
        source: RegionSource::Default,
    })
}

fn validated(region: String, source: RegionSource) -> Result<ResolvedRegion, AuthError> {
    if is_valid_region(&region) {
        Ok(ResolvedRegion { region, source })
    } else {
        Err(AuthError::invalid_param(
            source.param_name(),
            format!("region {region:?} does not match ^[a-z0-9-]+$"),
        ))
    }
}

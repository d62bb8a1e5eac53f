//! The per-request AWS settings LiteLLM accepts beside the OpenAI parameters.
//!
//! LiteLLM strips these from the body before it builds a Bedrock request; so do we. Secrets are
//! [`Secret`]s, so a request can be logged with `{:?}` without leaking them.

use serde::{Deserialize, Serialize};

use crate::Secret;

/// Credentials, region and endpoint overrides for one request (`aws_*`, `api_key`, `api_base`).
///
/// Every field is optional; unset fields fall back to the environment and profile files in the
/// order LiteLLM uses (see `bedrock-auth`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AwsParams {
    /// `aws_access_key_id`: static access key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access_key_id: Option<String>,
    /// `aws_secret_access_key`: static secret key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secret_access_key: Option<Secret>,
    /// `aws_session_token`: session token for temporary credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_session_token: Option<Secret>,
    /// `aws_region_name`: the region to call (wins over every other source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_region_name: Option<String>,
    /// `aws_session_name`: `RoleSessionName` for AssumeRole / web identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_session_name: Option<String>,
    /// `aws_profile_name`: a named profile from the shared config/credentials files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_profile_name: Option<String>,
    /// `aws_role_name`: the ARN of a role to assume through STS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_role_name: Option<String>,
    /// `aws_web_identity_token`: an OIDC token for `AssumeRoleWithWebIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_web_identity_token: Option<Secret>,
    /// `aws_bedrock_runtime_endpoint`: a custom bedrock-runtime base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_bedrock_runtime_endpoint: Option<String>,
    /// `aws_sts_endpoint`: a custom STS endpoint URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_sts_endpoint: Option<String>,
    /// `aws_external_id`: `ExternalId` for AssumeRole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_external_id: Option<String>,
    /// `aws_session_tags`: session tags for AssumeRole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_session_tags: Option<Vec<AwsTag>>,
    /// `api_key`: a Bedrock API key sent as `Authorization: Bearer …` instead of SigV4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// `api_base`: a base URL that replaces the bedrock-runtime endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
}

impl AwsParams {
    /// Fill every unset field from `defaults`; fields already set win (a request's own
    /// `aws_*` over a client's or a config entry's).
    pub fn fill_unset_from(&mut self, defaults: &AwsParams) {
        macro_rules! fill {
            ($($f:ident),*) => {
                // Exhaustive on purpose: a new field fails to compile here until it is filled.
                let AwsParams { $($f),* } = defaults;
                $( if self.$f.is_none() { self.$f = $f.clone(); } )*
            };
        }
        fill!(
            aws_access_key_id,
            aws_secret_access_key,
            aws_session_token,
            aws_region_name,
            aws_session_name,
            aws_profile_name,
            aws_role_name,
            aws_web_identity_token,
            aws_bedrock_runtime_endpoint,
            aws_sts_endpoint,
            aws_external_id,
            aws_session_tags,
            api_key,
            api_base
        );
    }
}

impl AwsParams {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == AwsParams::default()
    }
}

/// One STS session tag, spelled as boto3 and LiteLLM spell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AwsTag {
    /// Tag key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Tag value.
    #[serde(rename = "Value")]
    pub value: String,
}

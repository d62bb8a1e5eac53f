//! Bedrock API keys: `api_key` or `AWS_BEARER_TOKEN_BEDROCK` → `Authorization: Bearer …`.

use bedrock_types::{AwsParams, Secret};

use crate::env::Env;

/// The bearer token for a call, if any: the `api_key` parameter, else
/// `AWS_BEARER_TOKEN_BEDROCK`. Blank values count as unset.
pub fn bearer_token(params: &AwsParams, env: &Env) -> Option<Secret> {
    params
        .api_key
        .as_ref()
        .filter(|k| !k.expose().trim().is_empty())
        .cloned()
        .or_else(|| {
            env.get_non_empty("AWS_BEARER_TOKEN_BEDROCK")
                .map(Secret::from)
        })
}

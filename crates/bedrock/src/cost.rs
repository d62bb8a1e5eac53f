//! `response_cost` from the embedded price table.

use bedrock_transform::capabilities::{self, ModelInfo, ServiceTier, TokenCounts};
use bedrock_transform::route::ModelRoute;
use bedrock_types::{ChatCompletion, Usage};

/// The cost of a completion in USD: the route's full id is looked up first (cross-region ids
/// LiteLLM prices apart), then the base model, then the model the reply names (an agent's
/// foundation model, from its traces); the served service tier picks tier prices.
pub fn completion_cost(route: &ModelRoute, response: &ChatCompletion) -> Option<f64> {
    usage_cost(
        route,
        Some(&response.model),
        response.usage.as_ref()?,
        response.service_tier.as_deref(),
    )
}

/// The cost of `usage` on `route` (or on the model the reply names), at `tier`'s prices.
pub fn usage_cost(
    route: &ModelRoute,
    served_model: Option<&str>,
    usage: &Usage,
    tier: Option<&str>,
) -> Option<f64> {
    let info = route_prices(route)
        .or_else(|| served_model.and_then(capabilities::lookup))
        .or_else(|| {
            let served = ModelRoute::parse(&format!("bedrock/{}", served_model?)).ok()?;
            capabilities::lookup(&served.base_model)
        })?;
    priced_usage(info, usage, tier)
}

/// The price entry of `route`: its full id first (cross-region ids LiteLLM prices apart), then
/// the base model.
pub fn route_prices(route: &ModelRoute) -> Option<&'static ModelInfo> {
    capabilities::lookup(&route.model).or_else(|| capabilities::lookup(&route.base_model))
}

/// The cost of `usage` at `info`'s prices for `tier` (default prices when `None`).
pub fn priced_usage(info: &ModelInfo, usage: &Usage, tier: Option<&str>) -> Option<f64> {
    let counts = TokenCounts {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cache_read_tokens: usage.cache_read_input_tokens.unwrap_or(0),
        cache_write_tokens: usage.cache_creation_input_tokens.unwrap_or(0),
    };
    let tier = ServiceTier::from_name(tier.unwrap_or("default"));
    info.cost(&counts, tier)
}

/// The cost of an embeddings call: prompt tokens at the model's input price.
pub fn embedding_cost(route: &ModelRoute, prompt_tokens: u64) -> Option<f64> {
    let info =
        capabilities::lookup(&route.model).or_else(|| capabilities::lookup(&route.base_model))?;
    let counts = TokenCounts {
        prompt_tokens,
        ..TokenCounts::default()
    };
    info.cost(&counts, ServiceTier::Default)
}

/// The cost of an image generation call: `n` images at the model's per-image price.
pub fn image_cost(route: &ModelRoute, n: u64) -> Option<f64> {
    let info =
        capabilities::lookup(&route.model).or_else(|| capabilities::lookup(&route.base_model))?;
    info.image_cost(n)
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The embedded capability and price table.

use bedrock_transform::capabilities::{self, ModelMode, ModelProvider, ServiceTier, TokenCounts};

/// Every model the seed docs name.
const SEED_MODELS: &[&str] = &[
    "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "anthropic.claude-haiku-4-5-20251001-v1:0",
    "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "anthropic.claude-v2",
    "anthropic.claude-v2:1",
    "anthropic.claude-instant-v1",
    "meta.llama3-1-405b-instruct-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "meta.llama3-1-8b-instruct-v1:0",
    "meta.llama3-70b-instruct-v1:0",
    "meta.llama3-8b-instruct-v1:0",
    "meta.llama2-13b-chat-v1",
    "meta.llama2-70b-chat-v1",
    "mistral.mistral-7b-instruct-v0:2",
    "mistral.mixtral-8x7b-instruct-v0:1",
    "amazon.titan-text-lite-v1",
    "amazon.titan-text-express-v1",
    "cohere.command-text-v14",
    "ai21.j2-mid-v1",
    "ai21.j2-ultra-v1",
    "ai21.jamba-instruct-v1:0",
    "deepseek.r1-v1:0",
    "openai.gpt-oss-20b-1:0",
    "openai.gpt-oss-120b-1:0",
    "twelvelabs.pegasus-1-2-v1:0",
    "moonshot.kimi-k2-thinking",
    "qwen.qwen3-235b-a22b-2507-v1:0",
    "amazon.nova-pro-v1:0",
    "amazon.titan-embed-text-v1",
    "amazon.titan-embed-text-v2:0",
    "amazon.titan-embed-image-v1",
    "cohere.embed-english-v3",
    "cohere.embed-multilingual-v3",
    "amazon.nova-canvas-v1:0",
    "stability.sd3-5-large-v1:0",
    "stability.stable-diffusion-xl-v1",
    "amazon.rerank-v1:0",
    "cohere.rerank-v3-5:0",
];

#[test]
fn table_parses_and_covers_the_seed_docs() {
    assert_eq!(capabilities::table_error(), None);
    assert!(capabilities::all().count() >= 300);
    let missing: Vec<&&str> = SEED_MODELS
        .iter()
        .filter(|m| capabilities::lookup(m).is_none())
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
}

#[test]
fn facts_match_litellm() {
    let haiku = capabilities::lookup("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
    assert_eq!(haiku.litellm_provider, ModelProvider::BedrockConverse);
    assert_eq!(haiku.mode, ModelMode::Chat);
    assert_eq!(haiku.input_cost_per_token, Some(1e-6));
    assert_eq!(haiku.output_cost_per_token, Some(5e-6));
    assert!(
        haiku.supports_reasoning && haiku.supports_prompt_caching && haiku.supports_computer_use
    );
    let sonnet37 = capabilities::lookup("anthropic.claude-3-7-sonnet-20250219-v1:0").unwrap();
    assert!(sonnet37.supports_reasoning && sonnet37.supports_computer_use);
    let titan = capabilities::lookup("amazon.titan-embed-text-v2:0").unwrap();
    assert_eq!(titan.mode, ModelMode::Embedding);
    let canvas = capabilities::lookup("amazon.nova-canvas-v1:0").unwrap();
    assert_eq!(canvas.mode, ModelMode::ImageGeneration);
    assert_eq!(canvas.output_cost_per_image, Some(0.06));
    let oss = capabilities::lookup("openai.gpt-oss-20b-1:0").unwrap();
    assert_eq!(oss.litellm_provider, ModelProvider::BedrockConverse);
    let rerank = capabilities::lookup("amazon.rerank-v1:0").unwrap();
    assert_eq!(rerank.mode, ModelMode::Rerank);
}

#[test]
fn cost_with_cache_reads_and_writes() {
    // LiteLLM's golden usage: 3 uncached + 1789 cache-write prompt tokens, 401 output tokens.
    let haiku = capabilities::lookup("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
    let usage = TokenCounts {
        prompt_tokens: 1792,
        completion_tokens: 401,
        cache_read_tokens: 0,
        cache_write_tokens: 1789,
    };
    let cost = haiku.cost(&usage, ServiceTier::Default).unwrap();
    let expected = 3.0 * 1e-6 + 1789.0 * 1.25e-6 + 401.0 * 5e-6;
    assert!((cost - expected).abs() < 1e-12, "{cost} vs {expected}");
    let read = TokenCounts {
        prompt_tokens: 1000,
        completion_tokens: 0,
        cache_read_tokens: 1000,
        cache_write_tokens: 0,
    };
    assert!((haiku.cost(&read, ServiceTier::Default).unwrap() - 1000.0 * 1e-7).abs() < 1e-12);
}

#[test]
fn tier_prices_and_fallback() {
    let (name, info) = capabilities::all()
        .find(|(_, i)| {
            i.input_cost_per_token_priority.is_some() && i.input_cost_per_token.is_some()
        })
        .expect("some model has priority prices");
    let usage = TokenCounts {
        prompt_tokens: 100,
        completion_tokens: 10,
        ..TokenCounts::default()
    };
    let pri = info.cost(&usage, ServiceTier::Priority).unwrap();
    let std = info.cost(&usage, ServiceTier::Default).unwrap();
    assert!(
        pri > std,
        "{name}: priority {pri} should cost more than {std}"
    );
    // No flex price: the standard price applies.
    let no_flex = capabilities::all()
        .find(|(_, i)| i.input_cost_per_token_flex.is_none() && i.input_cost_per_token.is_some())
        .unwrap()
        .1;
    assert_eq!(
        no_flex.cost(&usage, ServiceTier::Flex),
        no_flex.cost(&usage, ServiceTier::Default)
    );
}

#[test]
fn image_cost_per_image() {
    let canvas = capabilities::lookup("amazon.nova-canvas-v1:0").unwrap();
    assert!((canvas.image_cost(3).unwrap() - 0.18).abs() < 1e-12);
    assert_eq!(
        capabilities::lookup("amazon.titan-embed-text-v2:0")
            .unwrap()
            .image_cost(1),
        None
    );
}

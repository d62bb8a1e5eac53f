#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The route table: every LiteLLM model string form, and malformed ones that must fail clearly.

use bedrock_transform::route::{Api, ArnKind, ModelFamily, ModelRoute};

struct Case {
    model: &'static str,
    model_id: Option<&'static str>,
    api: Api,
    family: ModelFamily,
    base: &'static str,
    region: Option<&'static str>,
    /// The URL path segment as sent.
    segment: &'static str,
}

const fn c(
    model: &'static str,
    api: Api,
    family: ModelFamily,
    base: &'static str,
    region: Option<&'static str>,
    segment: &'static str,
) -> Case {
    Case {
        model,
        model_id: None,
        api,
        family,
        base,
        region,
        segment,
    }
}

use Api::{Agent, Converse, ConverseLike, Invoke};
use ModelFamily as F;

const AIP: &str =
    "arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0";

fn cases() -> Vec<Case> {
    vec![
        // Plain ids, default route.
        c(
            "bedrock/anthropic.claude-3-sonnet-20240229-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-3-sonnet-20240229-v1:0",
            None,
            "anthropic.claude-3-sonnet-20240229-v1%3A0",
        ),
        c(
            "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/anthropic.claude-v2",
            Converse,
            F::AnthropicLegacy,
            "anthropic.claude-v2",
            None,
            "anthropic.claude-v2",
        ),
        c(
            "bedrock/anthropic.claude-v2:1",
            Converse,
            F::AnthropicLegacy,
            "anthropic.claude-v2:1",
            None,
            "anthropic.claude-v2%3A1",
        ),
        c(
            "bedrock/anthropic.claude-instant-v1",
            Converse,
            F::AnthropicLegacy,
            "anthropic.claude-instant-v1",
            None,
            "anthropic.claude-instant-v1",
        ),
        c(
            "bedrock/meta.llama3-1-405b-instruct-v1:0",
            Converse,
            F::Llama,
            "meta.llama3-1-405b-instruct-v1:0",
            None,
            "meta.llama3-1-405b-instruct-v1%3A0",
        ),
        c(
            "bedrock/meta.llama2-13b-chat-v1",
            Invoke,
            F::Llama,
            "meta.llama2-13b-chat-v1",
            None,
            "meta.llama2-13b-chat-v1",
        ),
        c(
            "bedrock/meta.llama2-70b-chat-v1",
            Invoke,
            F::Llama,
            "meta.llama2-70b-chat-v1",
            None,
            "meta.llama2-70b-chat-v1",
        ),
        c(
            "bedrock/mistral.mistral-7b-instruct-v0:2",
            Invoke,
            F::Mistral,
            "mistral.mistral-7b-instruct-v0:2",
            None,
            "mistral.mistral-7b-instruct-v0:2",
        ),
        c(
            "bedrock/mistral.mixtral-8x7b-instruct-v0:1",
            Invoke,
            F::Mistral,
            "mistral.mixtral-8x7b-instruct-v0:1",
            None,
            "mistral.mixtral-8x7b-instruct-v0:1",
        ),
        c(
            "bedrock/mistral.mistral-large-2407-v1:0",
            Converse,
            F::Mistral,
            "mistral.mistral-large-2407-v1:0",
            None,
            "mistral.mistral-large-2407-v1%3A0",
        ),
        c(
            "bedrock/amazon.titan-text-lite-v1",
            Invoke,
            F::TitanText,
            "amazon.titan-text-lite-v1",
            None,
            "amazon.titan-text-lite-v1",
        ),
        c(
            "bedrock/amazon.titan-text-express-v1",
            Invoke,
            F::TitanText,
            "amazon.titan-text-express-v1",
            None,
            "amazon.titan-text-express-v1",
        ),
        c(
            "bedrock/cohere.command-text-v14",
            Invoke,
            F::Cohere,
            "cohere.command-text-v14",
            None,
            "cohere.command-text-v14",
        ),
        // Not in LiteLLM's Converse list: invoke with Cohere's chat body (litellm 1.103.7).
        c(
            "bedrock/cohere.command-r-v1:0",
            Invoke,
            F::Cohere,
            "cohere.command-r-v1:0",
            None,
            "cohere.command-r-v1:0",
        ),
        c(
            "bedrock/us.cohere.command-r-plus-v1:0",
            Invoke,
            F::Cohere,
            "cohere.command-r-plus-v1:0",
            None,
            "us.cohere.command-r-plus-v1:0",
        ),
        c(
            "bedrock/ai21.j2-mid-v1",
            Invoke,
            F::Ai21,
            "ai21.j2-mid-v1",
            None,
            "ai21.j2-mid-v1",
        ),
        c(
            "bedrock/ai21.j2-ultra-v1",
            Invoke,
            F::Ai21,
            "ai21.j2-ultra-v1",
            None,
            "ai21.j2-ultra-v1",
        ),
        c(
            "bedrock/ai21.jamba-instruct-v1:0",
            Converse,
            F::Ai21,
            "ai21.jamba-instruct-v1:0",
            None,
            "ai21.jamba-instruct-v1%3A0",
        ),
        c(
            // LiteLLM 1.103.7 posts this to /converse (checked against a loopback server).
            "bedrock/moonshot.kimi-k2-thinking",
            Converse,
            F::Moonshot,
            "moonshot.kimi-k2-thinking",
            None,
            "moonshot.kimi-k2-thinking",
        ),
        c(
            "bedrock/amazon.nova-pro-v1:0",
            Converse,
            F::Nova,
            "amazon.nova-pro-v1:0",
            None,
            "amazon.nova-pro-v1%3A0",
        ),
        c(
            "bedrock/qwen.qwen3-235b-a22b-2507-v1:0",
            Converse,
            F::Qwen3,
            "qwen.qwen3-235b-a22b-2507-v1:0",
            None,
            "qwen.qwen3-235b-a22b-2507-v1%3A0",
        ),
        // Cross-region ids: prefix kept in the URL, stripped for the base model.
        c(
            "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "us.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/eu.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "eu.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/apac.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "apac.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/global.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "global.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/jp.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "jp.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/au.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "au.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/us-gov.anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "us-gov.anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/us.deepseek.r1-v1:0",
            Converse,
            F::DeepSeekR1,
            "deepseek.r1-v1:0",
            None,
            "us.deepseek.r1-v1%3A0",
        ),
        c(
            "bedrock/us.twelvelabs.pegasus-1-2-v1:0",
            Invoke,
            F::TwelveLabs,
            "twelvelabs.pegasus-1-2-v1:0",
            None,
            "us.twelvelabs.pegasus-1-2-v1:0",
        ),
        c(
            "bedrock/eu.twelvelabs.pegasus-1-2-v1:0",
            Invoke,
            F::TwelveLabs,
            "twelvelabs.pegasus-1-2-v1:0",
            None,
            "eu.twelvelabs.pegasus-1-2-v1:0",
        ),
        c(
            "bedrock/us.amazon.nova-pro-v1:0",
            Converse,
            F::Nova,
            "amazon.nova-pro-v1:0",
            None,
            "us.amazon.nova-pro-v1%3A0",
        ),
        // Throughput and context suffixes only leave the base model.
        c(
            "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0:51k",
            Converse,
            F::Anthropic,
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            None,
            "anthropic.claude-3-5-sonnet-20241022-v2%3A0%3A51k",
        ),
        c(
            "bedrock/us.anthropic.claude-opus-4-6-v1[1m]",
            Converse,
            F::Anthropic,
            "anthropic.claude-opus-4-6-v1",
            None,
            "us.anthropic.claude-opus-4-6-v1%5B1m%5D",
        ),
        // Explicit routes.
        c(
            "bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            None,
            "anthropic.claude-3-5-sonnet-20241022-v2%3A0",
        ),
        c(
            "bedrock/converse/us.amazon.nova-pro-v1:0",
            Converse,
            F::Nova,
            "amazon.nova-pro-v1:0",
            None,
            "us.amazon.nova-pro-v1%3A0",
        ),
        c(
            "bedrock/converse/openai.gpt-oss-20b-1:0",
            Converse,
            F::OpenAi,
            "openai.gpt-oss-20b-1:0",
            None,
            "openai.gpt-oss-20b-1%3A0",
        ),
        c(
            "bedrock/converse/openai.gpt-oss-120b-1:0",
            Converse,
            F::OpenAi,
            "openai.gpt-oss-120b-1:0",
            None,
            "openai.gpt-oss-120b-1%3A0",
        ),
        c(
            "bedrock/converse/qwen.qwen3-235b-a22b-2507-v1:0",
            Converse,
            F::Qwen3,
            "qwen.qwen3-235b-a22b-2507-v1:0",
            None,
            "qwen.qwen3-235b-a22b-2507-v1%3A0",
        ),
        c(
            "bedrock/invoke/anthropic.claude-3-7-sonnet-20250219-v1:0",
            Invoke,
            F::Anthropic,
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            None,
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
        ),
        c(
            "bedrock/invoke/moonshot.kimi-k2-thinking",
            Invoke,
            F::Moonshot,
            "moonshot.kimi-k2-thinking",
            None,
            "moonshot.kimi-k2-thinking",
        ),
        c(
            "bedrock/invoke/anthropic.claude-v2",
            Invoke,
            F::AnthropicLegacy,
            "anthropic.claude-v2",
            None,
            "anthropic.claude-v2",
        ),
        c(
            "invoke/us.anthropic.claude-3-haiku-20240307-v1:0",
            Invoke,
            F::Anthropic,
            "anthropic.claude-3-haiku-20240307-v1:0",
            None,
            "us.anthropic.claude-3-haiku-20240307-v1:0",
        ),
        c(
            "bedrock/converse_like/some-model",
            ConverseLike,
            F::Unknown,
            "some-model",
            None,
            "some-model",
        ),
        c(
            "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
            Agent,
            F::Agent,
            "agent/L1RT58GYRW/MFPSBCXYTW",
            None,
            "L1RT58GYRW",
        ),
        c(
            "bedrock/agent/ABCD1234/LIVE",
            Agent,
            F::Agent,
            "agent/ABCD1234/LIVE",
            None,
            "ABCD1234",
        ),
        // Region path segment.
        c(
            "bedrock/us-east-1/anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            Some("us-east-1"),
            "anthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/eu-west-3/converse/amazon.nova-lite-v1:0",
            Converse,
            F::Nova,
            "amazon.nova-lite-v1:0",
            Some("eu-west-3"),
            "amazon.nova-lite-v1%3A0",
        ),
        // Imported models and spec prefixes.
        c(
            "bedrock/llama/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n",
            Invoke,
            F::Llama,
            "r4c4kewx2s0n",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A086734376398%3Aimported-model%2Fr4c4kewx2s0n",
        ),
        c(
            "bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n",
            Invoke,
            F::DeepSeekR1,
            "r4c4kewx2s0n",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A086734376398%3Aimported-model%2Fr4c4kewx2s0n",
        ),
        c(
            "bedrock/qwen3/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen3-model",
            Invoke,
            F::Qwen3,
            "your-qwen3-model",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A086734376398%3Aimported-model%2Fyour-qwen3-model",
        ),
        c(
            "bedrock/qwen2/arn:aws:bedrock:us-east-1:086734376398:imported-model/your-qwen2-model",
            Invoke,
            F::Qwen2,
            "your-qwen2-model",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A086734376398%3Aimported-model%2Fyour-qwen2-model",
        ),
        c(
            "bedrock/openai/arn:aws:bedrock:us-east-1:046319184608:imported-model/0m2lasirsp6z",
            Invoke,
            F::OpenAi,
            "0m2lasirsp6z",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A046319184608%3Aimported-model%2F0m2lasirsp6z",
        ),
        c(
            "bedrock/moonshot/moonshot.kimi-k2-thinking",
            Invoke,
            F::Moonshot,
            "moonshot.kimi-k2-thinking",
            None,
            "moonshot.kimi-k2-thinking",
        ),
        c(
            "bedrock/nova/arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-lite-v1:0/abc",
            Converse,
            F::Nova,
            "amazon.nova-lite-v1:0/abc",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Acustom-model%2Famazon.nova-lite-v1%3A0%2Fabc",
        ),
        c(
            "bedrock/converse/llama/arn:aws:bedrock:us-west-2:123456789012:imported-model/x1",
            Converse,
            F::Llama,
            "x1",
            Some("us-west-2"),
            "arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aimported-model%2Fx1",
        ),
        // ARNs of every kind.
        c(
            "bedrock/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-3-5-haiku-20241022-v1:0",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0",
        ),
        c(
            "bedrock/arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            Some("us-west-2"),
            "arn%3Aaws%3Abedrock%3Aus-west-2%3A%3Afoundation-model%2Fanthropic.claude-haiku-4-5-20251001-v1%3A0",
        ),
        c(
            "bedrock/arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0",
            Converse,
            F::Unknown,
            "a0a0a0a0a0a0",
            Some("eu-central-1"),
            "arn%3Aaws%3Abedrock%3Aeu-central-1%3A000000000000%3Aapplication-inference-profile%2Fa0a0a0a0a0a0",
        ),
        c(
            "bedrock/converse/arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0",
            Converse,
            F::Unknown,
            "a0a0a0a0a0a0",
            Some("eu-central-1"),
            "arn%3Aaws%3Abedrock%3Aeu-central-1%3A000000000000%3Aapplication-inference-profile%2Fa0a0a0a0a0a0",
        ),
        c(
            "bedrock/arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123xyz",
            Converse,
            F::Unknown,
            "abc123xyz",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fabc123xyz",
        ),
        c(
            "bedrock/arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/d1",
            Converse,
            F::Unknown,
            "d1",
            Some("us-east-1"),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Acustom-model-deployment%2Fd1",
        ),
        c(
            "bedrock/arn:aws-cn:bedrock:cn-north-1:123456789012:inference-profile/apac.anthropic.claude-3-haiku-20240307-v1:0",
            Converse,
            F::Anthropic,
            "anthropic.claude-3-haiku-20240307-v1:0",
            Some("cn-north-1"),
            "arn%3Aaws-cn%3Abedrock%3Acn-north-1%3A123456789012%3Ainference-profile%2Fapac.anthropic.claude-3-haiku-20240307-v1%3A0",
        ),
        // model_id override: URL and region from model_id, family and base from model.
        Case {
            model: "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
            model_id: Some(AIP),
            api: Converse,
            family: F::Anthropic,
            base: "anthropic.claude-haiku-4-5-20251001-v1:0",
            region: Some("eu-central-1"),
            segment: "arn%3Aaws%3Abedrock%3Aeu-central-1%3A000000000000%3Aapplication-inference-profile%2Fa0a0a0a0a0a0",
        },
        Case {
            model: "bedrock/anthropic.claude-instant-v1",
            model_id: Some("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/pm1"),
            api: Converse,
            family: F::AnthropicLegacy,
            base: "anthropic.claude-instant-v1",
            region: Some("us-east-1"),
            segment: "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fpm1",
        },
        Case {
            model: "bedrock/invoke/anthropic.claude-3-sonnet-20240229-v1:0",
            model_id: Some("provisioned-model-id"),
            api: Invoke,
            family: F::Anthropic,
            base: "anthropic.claude-3-sonnet-20240229-v1:0",
            region: None,
            segment: "provisioned-model-id",
        },
    ]
}

#[test]
fn route_table() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    for case in cases {
        let r = ModelRoute::parse_with_model_id(case.model, case.model_id)
            .unwrap_or_else(|e| panic!("{}: {e}", case.model));
        assert_eq!(r.api, case.api, "api of {}", case.model);
        assert_eq!(r.family, case.family, "family of {}", case.model);
        assert_eq!(r.base_model, case.base, "base of {}", case.model);
        assert_eq!(r.region.as_deref(), case.region, "region of {}", case.model);
        assert_eq!(r.path_segment(), case.segment, "segment of {}", case.model);
    }
}

#[test]
fn route_details() {
    let r = ModelRoute::parse("bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
    assert_eq!(r.cross_region_prefix.as_deref(), Some("us"));
    assert_eq!(r.model, "us.anthropic.claude-haiku-4-5-20251001-v1:0");
    assert!(!r.explicit_api);
    let r = ModelRoute::parse(AIP).unwrap();
    assert_eq!(
        r.arn.as_ref().unwrap().kind,
        ArnKind::ApplicationInferenceProfile
    );
    assert_eq!(r.arn.as_ref().unwrap().account, "000000000000");
    let r = ModelRoute::parse("bedrock/agent/L1RT58GYRW/MFPSBCXYTW").unwrap();
    let a = r.agent.unwrap();
    assert_eq!(
        (a.agent_id.as_str(), a.alias_id.as_str()),
        ("L1RT58GYRW", "MFPSBCXYTW")
    );
    // Converse always encodes fully, invoke keeps `:` in plain ids (as LiteLLM sends them).
    let r = ModelRoute::parse("bedrock/invoke/anthropic.claude-3-sonnet-20240229-v1:0").unwrap();
    assert_eq!(
        r.encoded_model_id(),
        "anthropic.claude-3-sonnet-20240229-v1%3A0"
    );
}

#[test]
fn malformed_models_fail_clearly() {
    let bad: &[(&str, &str)] = &[
        ("", "missing required field `model`"),
        ("bedrock/", "`bedrock/<model id>`"),
        ("bedrock/converse/", "a model id after the route"),
        (
            "bedrock/agent/ONLYONE",
            "bedrock/agent/<AGENT_ID>/<ALIAS_ID>",
        ),
        ("bedrock/agent/A/B/C", "bedrock/agent/<AGENT_ID>/<ALIAS_ID>"),
        (
            "bedrock/agent/bad-id!/LIVE",
            "bedrock/agent/<AGENT_ID>/<ALIAS_ID>",
        ),
        ("bedrock/mantle/anthropic.claude-x", "`mantle`"),
        ("bedrock_mantle/openai.gpt-5.5", "`bedrock_mantle`"),
        ("bedrock/converseX/anthropic.claude-v2", "`converseX`"),
        ("bedrock/anthropic.claude v2", "without whitespace"),
        ("bedrock/arn:aws:bedrock:us-east-1", "too few `:` fields"),
        (
            "bedrock/arn:aws:bedrock:US-EAST-1:1:inference-profile/x",
            "region must match",
        ),
        (
            "bedrock/arn:aws:bedrock:us-east-1:1:inference-profile",
            "`<type>/<id>`",
        ),
        (
            "bedrock/arn:aws:s3:us-east-1:1:bucket/x",
            "service must be `bedrock`",
        ),
        (
            "bedrock/arn:gcp:bedrock:us-east-1:1:inference-profile/x",
            "partition",
        ),
        (
            "bedrock/llama/qwen3/arn:aws:bedrock:us-east-1:1:imported-model/x",
            "`qwen3`",
        ),
    ];
    for (model, needle) in bad {
        let err = ModelRoute::parse(model).expect_err(model);
        assert_eq!(err.param(), Some("model"), "{model}");
        assert!(err.message().contains(needle), "{model}: {}", err.message());
    }
    let err = ModelRoute::parse_with_model_id(
        "bedrock/anthropic.claude-v2",
        Some("arn:aws:bedrock:us-east-1"),
    )
    .unwrap_err();
    assert_eq!(err.param(), Some("model_id"));
}

/// The model a response reports, checked against LiteLLM 1.103.7 on loopback: only a
/// `converse/` token is removed; a region segment, `invoke/` and family prefixes stay.
#[test]
fn reported_model_is_what_litellm_reports() {
    for (model, reported) in [
        (
            "bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0",
            "anthropic.claude-3-haiku-20240307-v1:0",
        ),
        (
            "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0",
            "us.anthropic.claude-3-haiku-20240307-v1:0",
        ),
        (
            "bedrock/us-west-2/amazon.nova-lite-v1:0",
            "us-west-2/amazon.nova-lite-v1:0",
        ),
        (
            "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
            "invoke/meta.llama3-8b-instruct-v1:0",
        ),
        (
            "bedrock/invoke/amazon.nova-lite-v1:0",
            "invoke/amazon.nova-lite-v1:0",
        ),
        (
            "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
            "llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
        ),
    ] {
        let route = bedrock_transform::route::ModelRoute::parse(model).unwrap();
        assert_eq!(route.reported_model, reported, "{model}");
    }
}

//! Model routes: every LiteLLM `model` string parsed into what the rest of the stack needs.
//!
//! `bedrock/<id>`, `bedrock/converse/<id>`, `bedrock/invoke/<id>`, `bedrock/converse_like/<id>`,
//! spec prefixes for imported models (`bedrock/llama/<arn>`, `deepseek_r1`, `qwen2`, `qwen3`,
//! `openai`, `moonshot`, `nova`, `nova-2`), `bedrock/agent/<agent_id>/<alias_id>`, a region
//! segment (`bedrock/us-east-1/<id>`), cross-region inference ids (`us.`, `eu.`, `apac.`,
//! `global.`, `jp.`, `au.`, `us-gov.`, `ca.`), every kind of Bedrock ARN, and the `model_id`
//! override. Route tokens match only as whole path segments at the start, so
//! `bedrock_mantle/...` or `my-converse-model` are never mistaken for a route.

use std::fmt;

use bedrock_types::{Error, ErrorKind, Result};

use crate::capabilities::{self, ModelProvider};
use crate::encoding::encode_label;

/// Which Bedrock API a route uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// `POST /model/{id}/converse` (and `converse-stream`).
    Converse,
    /// `POST /model/{id}/invoke` (and `invoke-with-response-stream`), family-native bodies.
    Invoke,
    /// Bedrock Agents `InvokeAgent` on bedrock-agent-runtime.
    Agent,
    /// A Converse-shaped body posted to a caller-given URL (`api_base`) as is.
    ConverseLike,
}

impl Api {
    /// The route token that selects this API.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Converse => "converse",
            Api::Invoke => "invoke",
            Api::Agent => "agent",
            Api::ConverseLike => "converse_like",
        }
    }
}

/// The model family: which native body shape (on invoke) and which capability rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelFamily {
    /// Anthropic Claude 3+ (Messages API on invoke).
    Anthropic,
    /// Anthropic Claude v2 / v2.1 / Instant (text completion prompt on invoke).
    AnthropicLegacy,
    /// Meta Llama (and `bedrock/llama/<arn>` imported models).
    Llama,
    /// Mistral and Mixtral.
    Mistral,
    /// Cohere Command and Command R.
    Cohere,
    /// AI21 Jurassic and Jamba.
    Ai21,
    /// Amazon Titan Text.
    TitanText,
    /// Amazon Nova.
    Nova,
    /// DeepSeek R1 (`<think>` reasoning).
    DeepSeekR1,
    /// DeepSeek V3 and later chat models.
    DeepSeek,
    /// OpenAI-compatible bodies: gpt-oss and `bedrock/openai/<arn>` imported models.
    OpenAi,
    /// Qwen3 (`generation` field on imported models).
    Qwen3,
    /// Qwen2 (`text` field on imported models).
    Qwen2,
    /// Moonshot Kimi.
    Moonshot,
    /// TwelveLabs Pegasus (video understanding).
    TwelveLabs,
    /// Writer Palmyra.
    Writer,
    /// MiniMax.
    MiniMax,
    /// Stability image models.
    Stability,
    /// Bedrock Agents.
    Agent,
    /// No family could be read from the id (application inference profiles, custom ARNs).
    Unknown,
}

impl ModelFamily {
    /// A stable lowercase name (for registries, logs and metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            ModelFamily::Anthropic => "anthropic",
            ModelFamily::AnthropicLegacy => "anthropic_legacy",
            ModelFamily::Llama => "llama",
            ModelFamily::Mistral => "mistral",
            ModelFamily::Cohere => "cohere",
            ModelFamily::Ai21 => "ai21",
            ModelFamily::TitanText => "titan_text",
            ModelFamily::Nova => "nova",
            ModelFamily::DeepSeekR1 => "deepseek_r1",
            ModelFamily::DeepSeek => "deepseek",
            ModelFamily::OpenAi => "openai",
            ModelFamily::Qwen3 => "qwen3",
            ModelFamily::Qwen2 => "qwen2",
            ModelFamily::Moonshot => "moonshot",
            ModelFamily::TwelveLabs => "twelvelabs",
            ModelFamily::Writer => "writer",
            ModelFamily::MiniMax => "minimax",
            ModelFamily::Stability => "stability",
            ModelFamily::Agent => "agent",
            ModelFamily::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ModelFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of resource an ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnKind {
    /// `foundation-model/<id>`.
    FoundationModel,
    /// `inference-profile/<id>` (system-defined, cross-region).
    InferenceProfile,
    /// `application-inference-profile/<id>`.
    ApplicationInferenceProfile,
    /// `provisioned-model/<id>`.
    ProvisionedModel,
    /// `imported-model/<id>`.
    ImportedModel,
    /// `custom-model/<id>`.
    CustomModel,
    /// `custom-model-deployment/<id>`.
    CustomModelDeployment,
    /// Any other resource type (prompt, prompt-router, …), kept by name.
    Other(String),
}

/// A parsed Bedrock ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: String,
    /// The region field (may be empty for some resources).
    pub region: String,
    /// The account field (empty for foundation models).
    pub account: String,
    /// The resource type.
    pub kind: ArnKind,
    /// The resource id after the type.
    pub resource_id: String,
}

impl Arn {
    /// Parse `arn:<partition>:bedrock:<region>:<account>:<type>/<id>`.
    pub fn parse(s: &str) -> Result<Arn> {
        let bad = |why: &str| {
            Error::invalid_field(
                "model",
                format_args!(
                    "a Bedrock ARN `arn:<partition>:bedrock:<region>:<account>:<type>/<id>` ({why}), got `{s}`"
                ),
            )
        };
        let mut fields = s.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(res)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Err(bad("too few `:` fields"));
        };
        if partition.is_empty() || !partition.starts_with("aws") {
            return Err(bad("partition must start with `aws`"));
        }
        if service != "bedrock" && service != "sagemaker" {
            return Err(bad("service must be `bedrock`"));
        }
        if !region.is_empty() && !valid_region(region) {
            return Err(bad("region must match ^[a-z0-9-]+$"));
        }
        let Some((kind, id)) = res.split_once('/') else {
            return Err(bad("resource must be `<type>/<id>`"));
        };
        if id.is_empty() {
            return Err(bad("empty resource id"));
        }
        let kind = match kind {
            "foundation-model" => ArnKind::FoundationModel,
            "inference-profile" => ArnKind::InferenceProfile,
            "application-inference-profile" => ArnKind::ApplicationInferenceProfile,
            "provisioned-model" => ArnKind::ProvisionedModel,
            "imported-model" => ArnKind::ImportedModel,
            "custom-model" => ArnKind::CustomModel,
            "custom-model-deployment" => ArnKind::CustomModelDeployment,
            "" => return Err(bad("empty resource type")),
            other => ArnKind::Other(other.to_owned()),
        };
        Ok(Arn {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            kind,
            resource_id: id.to_owned(),
        })
    }

    /// Whether the resource id names a model (so the family can be read from it).
    fn names_model(&self) -> bool {
        matches!(
            self.kind,
            ArnKind::FoundationModel | ArnKind::InferenceProfile
        )
    }
}

/// Bedrock Agent ids from `bedrock/agent/<agent_id>/<alias_id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentIds {
    /// The agent id.
    pub agent_id: String,
    /// The alias id.
    pub alias_id: String,
}

/// A LiteLLM model string, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRoute {
    /// The API to call.
    pub api: Api,
    /// Whether the API came from an explicit route token rather than the default rule.
    pub explicit_api: bool,
    /// The model family.
    pub family: ModelFamily,
    /// The model id without `bedrock/` and route tokens (for `model_id` calls, still the
    /// friendly `model`): what prices and error messages name.
    pub model: String,
    /// The model a chat response reports, as LiteLLM 1.103.7 does: the string after `bedrock/`
    /// with only a `converse/` token removed (a region segment, `invoke/` and family prefixes
    /// such as `llama/` stay).
    pub reported_model: String,
    /// The id that goes into the URL, unencoded (the `model_id` override when given).
    pub model_id: String,
    /// The base model id for capability and price look-ups (cross-region prefix, ARN,
    /// throughput and context suffixes removed).
    pub base_model: String,
    /// The region an ARN (or a region path segment) carries; `model_id`'s wins.
    pub region: Option<String>,
    /// The cross-region inference prefix (`us`, `eu`, …), if any.
    pub cross_region_prefix: Option<String>,
    /// The parsed ARN of the URL model id, if it is one.
    pub arn: Option<Arn>,
    /// Agent ids, for [`Api::Agent`].
    pub agent: Option<AgentIds>,
}

/// Prefixes of cross-region inference profile ids. `ca` is listed in newer AWS docs but not in
/// LiteLLM's list; recognising it only changes price look-ups.
pub const CROSS_REGION_PREFIXES: &[&str] =
    &["us-gov", "global", "apac", "us", "eu", "jp", "au", "ca"];

const SPEC_PREFIXES: &[(&str, ModelFamily, Api)] = &[
    ("llama", ModelFamily::Llama, Api::Invoke),
    ("deepseek_r1", ModelFamily::DeepSeekR1, Api::Invoke),
    ("qwen2", ModelFamily::Qwen2, Api::Invoke),
    ("qwen3", ModelFamily::Qwen3, Api::Invoke),
    ("openai", ModelFamily::OpenAi, Api::Invoke),
    ("moonshot", ModelFamily::Moonshot, Api::Invoke),
    ("nova", ModelFamily::Nova, Api::Converse),
    ("nova-2", ModelFamily::Nova, Api::Converse),
];

impl ModelRoute {
    /// Parse a LiteLLM model string (`bedrock/` optional).
    pub fn parse(model: &str) -> Result<ModelRoute> {
        Self::parse_with_model_id(model, None)
    }

    /// Parse `model`, with LiteLLM's `model_id` override: the URL uses `model_id` (and its ARN
    /// region), while the family, API and base model come from `model`.
    pub fn parse_with_model_id(model: &str, model_id: Option<&str>) -> Result<ModelRoute> {
        let mut route = parse_model(model)?;
        if let Some(id) = model_id.map(str::trim).filter(|s| !s.is_empty()) {
            check_id_chars(id, "model_id")?;
            let arn = if id.starts_with("arn:") {
                Some(Arn::parse(id).map_err(|e| rename_field(e, "model_id"))?)
            } else {
                None
            };
            if let Some(region) = arn.as_ref().map(|a| &a.region).filter(|r| !r.is_empty()) {
                route.region = Some(region.clone());
            }
            route.model_id = id.to_owned();
            route.arn = arn;
        }
        Ok(route)
    }

    /// The URL path segment for the model id, percent-encoded as LiteLLM sends it: always for
    /// Converse and count-tokens; on invoke, ARNs and ids with reserved characters other than
    /// `:` are encoded while plain ids keep their `:` (LiteLLM's invoke URLs).
    pub fn path_segment(&self) -> String {
        match self.api {
            Api::Invoke if self.arn.is_none() && !self.model_id.contains('/') => {
                encode_label(&self.model_id).replace("%3A", ":")
            }
            _ => encode_label(&self.model_id),
        }
    }

    /// The fully encoded id (Converse, count-tokens and every ARN).
    pub fn encoded_model_id(&self) -> String {
        encode_label(&self.model_id)
    }
}

fn rename_field(e: Error, field: &str) -> Error {
    let msg = e.message().replacen("`model`", &format!("`{field}`"), 1);
    Error::new(ErrorKind::BadRequest, msg).with_param(field)
}

/// A model string as LiteLLM's parameter errors name it: everything after `bedrock/`, route
/// tokens and all (`for model=invoke/meta.llama3-…`).
pub fn litellm_model_name(model: &str) -> &str {
    let model = model.trim();
    model.strip_prefix("bedrock/").unwrap_or(model)
}

fn parse_model(model: &str) -> Result<ModelRoute> {
    let original = model;
    let model = model.trim();
    if model.is_empty() {
        return Err(Error::missing_field("model"));
    }
    let rest = model.strip_prefix("bedrock/").unwrap_or(model);
    if rest.is_empty() || rest == "bedrock" {
        return Err(Error::invalid_field(
            "model",
            format_args!("`bedrock/<model id>`, got `{original}`"),
        ));
    }
    check_id_chars(rest, "model")?;

    let mut segments = rest;
    let mut reported = String::new();
    let mut region_segment: Option<String> = None;
    let mut api: Option<Api> = None;
    let mut spec: Option<(ModelFamily, Api)> = None;

    // Leading tokens, each a whole segment: an optional region, a route, a spec prefix.
    loop {
        if segments.starts_with("arn:") {
            break;
        }
        let Some((head, tail)) = segments.split_once('/') else {
            break;
        };
        match head {
            "converse" if api.is_none() => api = Some(Api::Converse),
            "invoke" if api.is_none() => {
                api = Some(Api::Invoke);
                reported.push_str("invoke/");
            }
            "converse_like" if api.is_none() => {
                return converse_like(tail, original);
            }
            "agent" if api.is_none() => return agent(tail, original),
            h if region_segment.is_none()
                && api.is_none()
                && spec.is_none()
                && valid_region_name(h) =>
            {
                region_segment = Some(h.to_owned());
                reported.push_str(h);
                reported.push('/');
            }
            h => {
                if let Some((_, fam, default_api)) = SPEC_PREFIXES.iter().find(|(p, _, _)| *p == h)
                {
                    if spec.is_some() {
                        return Err(unknown_segment(h, original));
                    }
                    spec = Some((*fam, *default_api));
                    reported.push_str(h);
                    reported.push('/');
                } else {
                    return Err(unknown_segment(h, original));
                }
            }
        }
        segments = tail;
    }
    let id = segments;
    if id.is_empty() {
        return Err(Error::invalid_field(
            "model",
            format_args!("a model id after the route, got `{original}`"),
        ));
    }

    let arn = if id.starts_with("arn:") {
        Some(Arn::parse(id)?)
    } else {
        if id.contains('/') {
            return Err(Error::invalid_field(
                "model",
                format_args!(
                    "a model id without `/` (or an ARN); `{id}` in `{original}` has an unknown route segment"
                ),
            ));
        }
        None
    };

    let model_name = id.to_owned();
    let (lookup_id, cross_region_prefix) = match &arn {
        Some(a) if a.names_model() => split_cross_region(&a.resource_id),
        Some(a) => (a.resource_id.as_str(), None),
        None => split_cross_region(id),
    };
    let base_model = strip_suffixes(lookup_id).to_owned();
    let family = match spec {
        Some((fam, _)) => fam,
        None => match &arn {
            Some(a) if !a.names_model() => ModelFamily::Unknown,
            _ => family_of(&base_model),
        },
    };
    let (api, explicit_api) = match (api, spec) {
        (Some(a), _) => (a, true),
        (None, Some((_, a))) => (a, true),
        (None, None) => (default_api(family, &base_model), false),
    };
    let region = arn
        .as_ref()
        .map(|a| a.region.clone())
        .filter(|r| !r.is_empty())
        .or(region_segment);
    reported.push_str(id);
    Ok(ModelRoute {
        api,
        explicit_api,
        family,
        model: model_name,
        reported_model: reported,
        model_id: id.to_owned(),
        base_model,
        region,
        cross_region_prefix: cross_region_prefix.map(str::to_owned),
        arn,
        agent: None,
    })
}

fn converse_like(id: &str, original: &str) -> Result<ModelRoute> {
    if id.is_empty() {
        return Err(Error::invalid_field(
            "model",
            format_args!("`bedrock/converse_like/<model>`, got `{original}`"),
        ));
    }
    let (lookup, prefix) = split_cross_region(id);
    let base_model = strip_suffixes(lookup).to_owned();
    Ok(ModelRoute {
        api: Api::ConverseLike,
        explicit_api: true,
        family: family_of(&base_model),
        model: id.to_owned(),
        reported_model: id.to_owned(),
        model_id: id.to_owned(),
        base_model,
        region: None,
        cross_region_prefix: prefix.map(str::to_owned),
        arn: None,
        agent: None,
    })
}

fn agent(tail: &str, original: &str) -> Result<ModelRoute> {
    let expected = || {
        Error::invalid_field(
            "model",
            format_args!(
                "`bedrock/agent/<AGENT_ID>/<ALIAS_ID>` with ids of 1-10 letters or digits, got `{original}`"
            ),
        )
    };
    let mut parts = tail.split('/');
    let (Some(agent_id), Some(alias_id), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(expected());
    };
    let ok =
        |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok(agent_id) || !ok(alias_id) {
        return Err(expected());
    }
    Ok(ModelRoute {
        api: Api::Agent,
        explicit_api: true,
        family: ModelFamily::Agent,
        model: format!("agent/{agent_id}/{alias_id}"),
        reported_model: format!("agent/{agent_id}/{alias_id}"),
        model_id: agent_id.to_owned(),
        base_model: format!("agent/{agent_id}/{alias_id}"),
        region: None,
        cross_region_prefix: None,
        arn: None,
        agent: Some(AgentIds {
            agent_id: agent_id.to_owned(),
            alias_id: alias_id.to_owned(),
        }),
    })
}

fn unknown_segment(segment: &str, original: &str) -> Error {
    Error::invalid_field(
        "model",
        format_args!(
            "a route segment (converse, invoke, converse_like, agent, llama, deepseek_r1, qwen2, \
             qwen3, openai, moonshot, nova, nova-2, or a region) before the model id; \
             `{segment}` in `{original}` is none of these"
        ),
    )
}

fn check_id_chars(s: &str, field: &str) -> Result<()> {
    if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_field(
            field,
            format_args!(
                "a model id without whitespace or control characters, found {c:?} in `{s}`"
            ),
        ));
    }
    if s.len() > 2048 {
        return Err(Error::invalid_field(field, "at most 2048 characters"));
    }
    Ok(())
}

fn valid_region(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A region-shaped segment: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
fn valid_region_name(s: &str) -> bool {
    if !valid_region(s) {
        return false;
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn split_cross_region(id: &str) -> (&str, Option<&str>) {
    for p in CROSS_REGION_PREFIXES {
        if let Some(rest) = id.strip_prefix(p).and_then(|r| r.strip_prefix('.'))
            && rest.contains('.')
        {
            return (rest, Some(p));
        }
    }
    (id, None)
}

/// Remove suffixes that are not part of the base model: a `[1m]` context tag and a `:51k`
/// provisioned-throughput suffix after the version.
fn strip_suffixes(id: &str) -> &str {
    let id = match id.find('[') {
        Some(i) if id.ends_with(']') => &id[..i],
        _ => id,
    };
    // `…-v2:0:51k` → `…-v2:0`; `…-v1:0` stays.
    if let Some((head, tail)) = id.rsplit_once(':')
        && head.contains(':')
        && tail.ends_with('k')
        && tail.len() > 1
        && tail[..tail.len() - 1].bytes().all(|b| b.is_ascii_digit())
    {
        return head;
    }
    id
}

/// The family a base model id belongs to.
pub fn family_of(base_model: &str) -> ModelFamily {
    let lower = base_model.to_ascii_lowercase();
    let provider = lower.split('.').next().unwrap_or("");
    let name = lower.split_once('.').map(|(_, n)| n).unwrap_or(&lower);
    if lower.contains("nova") && (provider == "amazon" || provider == "nova") {
        return ModelFamily::Nova;
    }
    match provider {
        "anthropic" => {
            if name.starts_with("claude-v2")
                || name.starts_with("claude-instant")
                || name == "claude-v1"
            {
                ModelFamily::AnthropicLegacy
            } else {
                ModelFamily::Anthropic
            }
        }
        "meta" => ModelFamily::Llama,
        "mistral" => ModelFamily::Mistral,
        "cohere" => ModelFamily::Cohere,
        "ai21" => ModelFamily::Ai21,
        "amazon" => ModelFamily::TitanText,
        "deepseek" => {
            if name.starts_with("r1") {
                ModelFamily::DeepSeekR1
            } else {
                ModelFamily::DeepSeek
            }
        }
        "openai" => ModelFamily::OpenAi,
        "qwen" => {
            if name.starts_with("qwen2") {
                ModelFamily::Qwen2
            } else {
                ModelFamily::Qwen3
            }
        }
        "moonshot" | "moonshotai" => ModelFamily::Moonshot,
        "twelvelabs" => ModelFamily::TwelveLabs,
        "writer" => ModelFamily::Writer,
        "minimax" => ModelFamily::MiniMax,
        "stability" => ModelFamily::Stability,
        _ => ModelFamily::Unknown,
    }
}

/// LiteLLM's default: Converse for models it lists as Converse models, Invoke otherwise.
///
/// The embedded capability table (LiteLLM's `litellm_provider: bedrock_converse`) or the family
/// rule below, which mirrors LiteLLM's `BEDROCK_CONVERSE_MODELS`. Models with no readable family (application inference profiles,
/// custom ARNs) go to Converse: LiteLLM sends them to invoke and fails with
/// "Unknown provider=None" (LiteLLM issue #18258).
fn default_api(family: ModelFamily, base_model: &str) -> Api {
    // LiteLLM: Converse when the model map says `bedrock_converse` or the family is in its
    // `BEDROCK_CONVERSE_MODELS` list (which keeps e.g. claude-v2:1 on Converse).
    if capabilities::lookup(base_model)
        .is_some_and(|i| i.litellm_provider == ModelProvider::BedrockConverse)
    {
        return Api::Converse;
    }
    let name = base_model.to_ascii_lowercase();
    let converse = match family {
        ModelFamily::Anthropic
        | ModelFamily::AnthropicLegacy
        | ModelFamily::Nova
        | ModelFamily::DeepSeekR1
        | ModelFamily::DeepSeek
        | ModelFamily::OpenAi
        | ModelFamily::Qwen3
        | ModelFamily::Qwen2
        | ModelFamily::Writer
        | ModelFamily::MiniMax
        | ModelFamily::Unknown => true,
        ModelFamily::Llama => !name.contains("llama2"),
        ModelFamily::Mistral => {
            name.contains("mistral-large")
                || name.contains("mistral-small")
                || name.contains("pixtral")
        }
        ModelFamily::Ai21 => name.contains("jamba"),
        // Command R / R+ are not in LiteLLM's Converse list: its default route is invoke, with
        // Cohere's chat body (checked against litellm 1.103.7).
        ModelFamily::Cohere => false,
        ModelFamily::Moonshot => name.contains("kimi-k2.5") || name.contains("kimi-k2-5"),
        ModelFamily::TitanText
        | ModelFamily::TwelveLabs
        | ModelFamily::Stability
        | ModelFamily::Agent => false,
    };
    if converse { Api::Converse } else { Api::Invoke }
}

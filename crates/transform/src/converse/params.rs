//! OpenAI parameters → Converse request fields.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletionRequest, Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use crate::capabilities;
use crate::config::{MappedParams, check_supported};
use crate::route::{ModelFamily, ModelRoute};

/// Top-level Converse blocks a caller may pass verbatim (LiteLLM issue #9128: these must never
/// end up in `additionalModelRequestFields`).
const CONFIG_BLOCKS: &[&str] = &[
    "guardrailConfig",
    "performanceConfig",
    "serviceTier",
    "requestMetadata",
    "promptVariables",
    "additionalModelResponseFieldPaths",
    "outputConfig",
];

/// The OpenAI parameters Converse accepts for this route.
pub(super) fn supported(route: &ModelRoute) -> Vec<&'static str> {
    let mut p = vec![
        "max_tokens",
        "max_completion_tokens",
        "stream",
        "stream_options",
        "stop",
        "temperature",
        "top_p",
        "response_format",
        "service_tier",
    ];
    // Capabilities of ARNs without a family hint are unknowable: allow everything, as LiteLLM
    // does for ARNs.
    let info = capabilities::lookup(&route.base_model);
    let unknown = info.is_none();
    let tools = unknown || info.is_some_and(|i| i.supports_function_calling);
    if tools {
        p.extend(["tools", "tool_choice"]);
    }
    if route.family == ModelFamily::Anthropic || (unknown && tools) {
        p.push("parallel_tool_calls");
    }
    let reasoning = unknown
        || info.is_some_and(|i| i.supports_reasoning)
        || route.family == ModelFamily::OpenAi;
    if reasoning {
        p.extend(["thinking", "reasoning_effort"]);
    }
    if route.family == ModelFamily::Nova {
        p.push("web_search_options");
    }
    p
}

/// Check and map the request's parameters (LiteLLM's `map_openai_params` + `_prepare_request_params`).
pub(super) fn map(route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
    let supported = supported(route);
    let dropped = check_supported(&supported, route, req)?;
    let on = |name: &str| !dropped.iter().any(|d| d == name);

    let mut inference = Map::new();
    if let Some(max) = req
        .effective_max_tokens()
        .filter(|_| on("max_tokens") && on("max_completion_tokens"))
    {
        inference.insert("maxTokens".to_owned(), json!(max));
    }
    if let Some(t) = req.temperature.filter(|_| on("temperature")) {
        inference.insert("temperature".to_owned(), json!(t));
    }
    if let Some(p) = req.top_p.filter(|_| on("top_p")) {
        inference.insert("topP".to_owned(), json!(p));
    }
    if let Some(stop) = req.stop.as_ref().filter(|_| on("stop")) {
        let stops = stop.to_vec();
        if !stops.is_empty() {
            inference.insert("stopSequences".to_owned(), json!(stops));
        }
    }

    let mut params = JsonObject::new();
    let mut additional = JsonObject::new();
    let drop_params = req.drop_params.unwrap_or(false);

    if let Some(tier) = req.service_tier.as_deref().filter(|_| on("service_tier")) {
        let tier = match tier {
            "auto" => "default",
            t @ ("default" | "flex" | "priority" | "reserved") => t,
            other => {
                return Err(Error::invalid_field(
                    "service_tier",
                    format_args!("one of auto, default, flex, priority, got `{other}`"),
                ));
            }
        };
        params.insert("serviceTier".to_owned(), json!({ "type": tier }));
    }

    for (key, value) in &req.provider_params {
        if bedrock_types::chat::UNTYPED_OPENAI_PARAMS.contains(&key.as_str()) {
            continue; // Checked (and refused or dropped) above.
        }
        if CONFIG_BLOCKS.contains(&key.as_str()) {
            if key == "requestMetadata" {
                validate_request_metadata(value)?;
            }
            params.insert(key.clone(), value.clone());
            continue;
        }
        if key == "top_k" {
            match route.family {
                ModelFamily::Anthropic | ModelFamily::Unknown => {
                    additional.insert("top_k".to_owned(), value.clone());
                }
                ModelFamily::Nova => {
                    let cfg = additional
                        .entry("inferenceConfig")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(cfg) = cfg {
                        cfg.insert("topK".to_owned(), value.clone());
                    }
                }
                // LiteLLM drops top_k silently for other families; a silent drop hides a
                // mistake, so we refuse unless the caller asked for drop_params.
                _ if drop_params => {}
                family => {
                    return Err(Error::new(
                        ErrorKind::UnsupportedParams,
                        format!(
                            "`top_k` is not supported by the {family} family on Converse (model={}); \
                             set drop_params=true to drop it",
                            route.model
                        ),
                    )
                    .with_param("top_k"));
                }
            }
            continue;
        }
        additional.insert(key.clone(), value.clone());
    }

    let mut tool_names = crate::tool_names::ToolNameMap::default();
    if let Some(tool_config) = tool_config(route, req, &dropped, &mut tool_names, &mut additional)?
    {
        params.insert("toolConfig".to_owned(), tool_config);
    }

    if !inference.is_empty() {
        params.insert("inferenceConfig".to_owned(), Value::Object(inference));
    }
    if !additional.is_empty() {
        params.insert(
            "additionalModelRequestFields".to_owned(),
            Value::Object(additional),
        );
    }
    Ok(MappedParams {
        params,
        dropped,
        tool_names,
        ..MappedParams::default()
    })
}

/// `tools` + `tool_choice` → `toolConfig` (LiteLLM's `_bedrock_tools_pt` and
/// `map_tool_choice_values`). Emitted only when there are tools (LiteLLM #34420).
fn tool_config(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    dropped: &[String],
    names: &mut crate::tool_names::ToolNameMap,
    additional: &mut JsonObject,
) -> Result<Option<Value>> {
    let dropped_tools = dropped.iter().any(|d| d == "tools");
    let tools = match &req.tools {
        Some(t) if !t.is_empty() && !dropped_tools => t,
        _ => return Ok(None),
    };
    let caching =
        capabilities::lookup(&route.base_model).is_some_and(|i| i.supports_prompt_caching);
    let mut specs = Vec::new();
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        if !tool.is_function() {
            // Anthropic computer / bash / text-editor tools travel natively.
            if route.family != ModelFamily::Anthropic && route.family != ModelFamily::Unknown {
                return Err(Error::invalid_field(
                    format!("{at}.type"),
                    format_args!(
                        "`function` (tool type `{}` needs an Anthropic Claude model)",
                        tool.kind
                    ),
                ));
            }
            let mut native = tool.extra.clone();
            native.insert("type".to_owned(), json!(tool.kind));
            let list = additional
                .entry("tools")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.push(Value::Object(native));
            }
            continue;
        }
        let Some(f) = &tool.function else {
            return Err(Error::missing_field(format!("{at}.function")));
        };
        if f.name.is_empty() {
            return Err(Error::invalid_field(
                format!("{at}.function.name"),
                "a non-empty tool name",
            ));
        }
        let mut schema = f
            .parameters
            .clone()
            .unwrap_or_else(|| json!({ "type": "object", "properties": {} }));
        if let Value::Object(obj) = &mut schema
            && obj.get("type").and_then(Value::as_str) == Some("object")
            && !obj.contains_key("required")
        {
            obj.insert("required".to_owned(), json!([]));
        }
        let name = names.to_bedrock(&f.name);
        let mut spec = Map::new();
        spec.insert("inputSchema".to_owned(), json!({ "json": schema }));
        spec.insert("name".to_owned(), json!(name));
        // Converse requires a description; LiteLLM uses the name.
        spec.insert(
            "description".to_owned(),
            json!(
                f.description
                    .clone()
                    .filter(|d| !d.is_empty())
                    .unwrap_or(name)
            ),
        );
        if let Some(strict) = f.strict {
            spec.insert("strict".to_owned(), json!(strict));
        }
        specs.push(json!({ "toolSpec": spec }));
        if caching && tool.cache_control.is_some() {
            specs.push(json!({ "cachePoint": { "type": "default" } }));
        }
    }
    let mut config = Map::new();
    if specs.is_empty() {
        return Ok(None);
    }
    config.insert("tools".to_owned(), Value::Array(specs));
    if let Some(choice) = req
        .tool_choice
        .as_ref()
        .filter(|_| !dropped.iter().any(|d| d == "tool_choice"))
    {
        use bedrock_types::ToolChoice;
        let mapped = match choice {
            ToolChoice::Mode(m) if m == "auto" => Some(json!({ "auto": {} })),
            ToolChoice::Mode(m) if m == "required" => Some(json!({ "any": {} })),
            ToolChoice::Mode(m) if m == "none" => {
                if req.drop_params.unwrap_or(false) {
                    None
                } else {
                    return Err(Error::new(
                        ErrorKind::UnsupportedParams,
                        "bedrock does not support tool_choice=\"none\"; set drop_params=true to drop it",
                    )
                    .with_param("tool_choice"));
                }
            }
            ToolChoice::Function { function, .. } => {
                Some(json!({ "tool": { "name": names.to_bedrock(&function.name) } }))
            }
            ToolChoice::Other(obj) if obj.get("type").and_then(Value::as_str) == Some("tool") => {
                let name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
                Some(json!({ "tool": { "name": names.to_bedrock(name) } }))
            }
            _ => {
                return Err(Error::invalid_field(
                    "tool_choice",
                    "\"auto\", \"required\", \"none\" or {\"type\": \"function\", \"function\": {\"name\": ...}}",
                ));
            }
        };
        if let Some(m) = mapped {
            config.insert("toolChoice".to_owned(), m);
        }
    }
    if let Some(parallel) = req
        .parallel_tool_calls
        .filter(|_| route.family == ModelFamily::Anthropic)
    {
        // Claude takes this natively; it must carry `type` (LiteLLM #34347).
        additional.insert(
            "tool_choice".to_owned(),
            json!({ "type": "auto", "disable_parallel_tool_use": !parallel }),
        );
    }
    Ok(Some(Value::Object(config)))
}

/// Bedrock's rules for `requestMetadata`: at most 16 entries, keys 1–256 and values 0–256
/// characters from `[a-zA-Z0-9\s:_@$#=/+,.-]`.
fn validate_request_metadata(value: &Value) -> Result<()> {
    let Some(map) = value.as_object() else {
        return Err(Error::invalid_field(
            "requestMetadata",
            "an object of string keys to string values",
        ));
    };
    if map.len() > 16 {
        return Err(Error::invalid_field(
            "requestMetadata",
            format_args!("at most 16 entries, got {}", map.len()),
        ));
    }
    let allowed = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":_@$#=/+,.-".contains(c))
    };
    for (k, v) in map {
        let field = format!("requestMetadata.{k}");
        if k.is_empty() || k.chars().count() > 256 || !allowed(k) {
            return Err(Error::invalid_field(
                field,
                "a key of 1-256 characters from [a-zA-Z0-9 :_@$#=/+,.-]",
            ));
        }
        let Some(v) = v.as_str() else {
            return Err(Error::invalid_field(field, "a string value"));
        };
        if v.chars().count() > 256 || !allowed(v) {
            return Err(Error::invalid_field(
                field,
                "a value of 0-256 characters from [a-zA-Z0-9 :_@$#=/+,.-]",
            ));
        }
    }
    Ok(())
}

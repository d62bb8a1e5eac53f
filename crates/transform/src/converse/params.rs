//! OpenAI parameters → Converse request fields.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletionRequest, Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use crate::capabilities;
use crate::config::{JsonMode, MappedParams, check_supported};
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

/// The OpenAI parameters Converse accepts for this route: LiteLLM's
/// `AmazonConverseConfig.get_supported_openai_params`, rule for rule.
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
        "parallel_tool_calls",
    ];
    let model = route.model.as_str();
    // An ARN names no model LiteLLM can look up: everything is allowed.
    if model.contains("arn") {
        p.extend(["tools", "tool_choice", "thinking", "reasoning_effort"]);
        if model.to_ascii_lowercase().contains("nova") {
            p.push("web_search_options");
        }
        return p;
    }
    let base = route.base_model.as_str();
    // LiteLLM asks its map about the model as given and about the base model.
    let entries = [capabilities::lookup(model), capabilities::lookup(base)];
    let info = entries[0].or(entries[1]);
    let flag = |f: fn(&capabilities::ModelInfo) -> bool| entries.iter().flatten().any(|i| f(i));
    const TOOL_PREFIXES: &[&str] = &[
        "anthropic",
        "mistral",
        "cohere",
        "meta.llama3-1",
        "meta.llama3-2",
        "meta.llama3-3",
        "meta.llama4",
        "amazon.nova",
    ];
    if TOOL_PREFIXES.iter().any(|t| base.starts_with(t))
        || info.is_some_and(|i| i.supports_function_calling)
    {
        p.push("tools");
    }
    if base.starts_with("amazon.nova") {
        p.push("web_search_options");
    }
    if flag(|i| i.supports_tool_choice) {
        p.push("tool_choice");
    }
    let deepseek = model.contains("deepseek") || base.contains("deepseek");
    if model.contains("gpt-oss") || is_openai_gpt(model) || is_openai_gpt(base) {
        p.push("reasoning_effort");
    } else if deepseek {
        if !(model.contains("deepseek.r1") || base.contains("deepseek.r1")) {
            p.push("reasoning_effort");
        }
    } else if base.starts_with("amazon.nova-2-") {
        p.push("reasoning_effort");
    } else if ["claude-3-7", "claude-sonnet-4", "claude-opus-4"]
        .iter()
        .any(|c| model.contains(c))
        || flag(|i| i.supports_reasoning)
    {
        p.extend(["thinking", "reasoning_effort"]);
    }
    p
}

/// LiteLLM's `_is_openai_gpt_reasoning_model`: `openai.gpt-<digit>`.
fn is_openai_gpt(model: &str) -> bool {
    model
        .match_indices("openai.gpt-")
        .any(|(i, m)| model[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Check and map the request's parameters (LiteLLM's `map_openai_params` + `_prepare_request_params`).
pub(super) fn map(route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
    let supported = supported(route);
    let dropped = check_supported(&supported, req)?;
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

    let thinking = if modify_drops_thinking(req) {
        false
    } else {
        reasoning(
            route,
            req,
            &dropped,
            &mut inference,
            &mut additional,
            &mut params,
        )?
    };

    let mut tool_names = crate::tool_names::ToolNameMap::default();
    let mut tool_config = tool_config(route, req, &dropped, &mut tool_names, &mut additional)?;
    let json_mode = structured_output(route, req, &dropped, &mut tool_config, &mut params)?;
    if let Some(Value::Object(cfg)) = tool_config.as_mut()
        && thinking
        && let Some(choice) = cfg.get("toolChoice")
        && (choice.get("any").is_some() || choice.get("tool").is_some())
    {
        // Anthropic refuses a forced tool while thinking; LiteLLM relaxes it to auto.
        cfg.insert("toolChoice".to_owned(), json!({ "auto": {} }));
    }
    if let Some(cfg) = tool_config {
        params.insert("toolConfig".to_owned(), cfg);
    }
    anthropic_betas(route, req, &mut additional)?;

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
        json_mode,
        ..MappedParams::default()
    })
}

/// LiteLLM's `modify_params` rule: thinking on a conversation whose tool-calling assistant turns
/// carry no thinking blocks makes Anthropic answer "Expected `thinking` … found `tool_use`", so
/// with `modify_params` the thinking request is dropped instead.
fn modify_drops_thinking(req: &ChatCompletionRequest) -> bool {
    use bedrock_types::chat::{ContentPart, MessageContent, Role};
    if !req.modify_params.unwrap_or(false) {
        return false;
    }
    let assistants = || req.messages.iter().filter(|m| m.role == Role::Assistant);
    let has_thinking = |m: &bedrock_types::ChatMessage| {
        m.thinking_blocks.as_ref().is_some_and(|b| !b.is_empty())
            || matches!(&m.content, Some(MessageContent::Parts(p))
                if p.iter().any(|p| matches!(p, ContentPart::Thinking { .. } | ContentPart::RedactedThinking { .. })))
    };
    let calls_tools = assistants().any(|m| m.tool_calls.as_ref().is_some_and(|c| !c.is_empty()));
    calls_tools && !assistants().any(has_thinking)
}

/// `reasoning_effort` / `thinking` → the family's reasoning fields. Returns whether thinking is on.
fn reasoning(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    dropped: &[String],
    inference: &mut Map<String, Value>,
    additional: &mut JsonObject,
    params: &mut JsonObject,
) -> Result<bool> {
    use crate::anthropic::{DEFAULT_MAX_TOKENS, ThinkingPlan, thinking_plan};
    let effort = req
        .reasoning_effort
        .as_deref()
        .filter(|_| !dropped.iter().any(|d| d == "reasoning_effort"));
    match route.family {
        ModelFamily::OpenAi => {
            if let Some(e) = effort {
                thinking_plan(&route.base_model, req, dropped)?; // validates the effort
                // gpt-oss takes the OpenAI parameter as it is; GPT-5 and later take
                // `reasoning.effort` (LiteLLM's `_handle_reasoning_effort_parameter`).
                if !route.model.contains("gpt-oss") && is_openai_gpt(&route.model) {
                    additional.insert("reasoning".to_owned(), json!({ "effort": e }));
                } else {
                    additional.insert("reasoning_effort".to_owned(), json!(e));
                }
            }
            Ok(false)
        }
        // DeepSeek V3 takes `reasoning_effort` as it is (R1 does not list it).
        _ if route.model.contains("deepseek") => {
            if let Some(e) = effort {
                additional.insert("reasoning_effort".to_owned(), json!(e));
            }
            Ok(false)
        }
        ModelFamily::Nova => {
            thinking_plan(&route.base_model, req, dropped)?;
            if let Some(e) = effort.filter(|e| *e != "none") {
                let e = match e {
                    "minimal" => "low",
                    "xhigh" | "max" => "high",
                    e => e,
                };
                additional.insert(
                    "reasoningConfig".to_owned(),
                    json!({ "type": "enabled", "maxReasoningEffort": e }),
                );
            }
            Ok(false)
        }
        _ => match thinking_plan(&route.base_model, req, dropped)? {
            None => Ok(false),
            Some(ThinkingPlan::Adaptive(e)) => {
                additional.insert("thinking".to_owned(), json!({ "type": "adaptive" }));
                additional.insert("output_config".to_owned(), json!({ "effort": e }));
                Ok(true)
            }
            Some(ThinkingPlan::Budget(budget)) => {
                additional.insert(
                    "thinking".to_owned(),
                    json!({ "type": "enabled", "budget_tokens": budget }),
                );
                inference
                    .entry("maxTokens")
                    .or_insert_with(|| json!(budget + DEFAULT_MAX_TOKENS));
                params.insert(
                    "additionalModelResponseFieldPaths".to_owned(),
                    json!(["/usage/output_tokens_details"]),
                );
                Ok(true)
            }
        },
    }
}

/// The forced tool LiteLLM uses to emulate structured output.
pub(super) const JSON_TOOL_NAME: &str = "json_tool_call";

/// `response_format` → native `outputConfig.textFormat` where the model has it, else a forced
/// `json_tool_call` tool whose input is the answer. `json_object` without a schema is a no-op on
/// models without native support, as in LiteLLM.
fn structured_output(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    dropped: &[String],
    tool_config: &mut Option<Value>,
    params: &mut JsonObject,
) -> Result<Option<JsonMode>> {
    use bedrock_types::ResponseFormat;
    let Some(format) = req
        .response_format
        .as_ref()
        .filter(|_| !dropped.iter().any(|d| d == "response_format"))
    else {
        return Ok(None);
    };
    let native = capabilities::lookup(&route.base_model)
        .is_some_and(|i| i.supports_native_structured_output);
    let (schema, name, description, unwrap_key) = match format {
        ResponseFormat::Text => return Ok(None),
        ResponseFormat::JsonObject if native => (
            json!({"type": "object", "properties": {"result": {"type": "object", "additionalProperties": true}}, "required": ["result"], "additionalProperties": false}),
            "json_object".to_owned(),
            None,
            Some("result".to_owned()),
        ),
        ResponseFormat::JsonObject => return Ok(None),
        ResponseFormat::JsonSchema { json_schema } => (
            json_schema.schema.clone().unwrap_or_else(
                || json!({"type": "object", "additionalProperties": true, "properties": {}}),
            ),
            json_schema.name.clone(),
            json_schema.description.clone(),
            None,
        ),
    };
    let schema = inline_refs(&schema)?;
    if native {
        // LiteLLM writes the schema with `json.dumps` (its `", "` / `": "` spacing).
        let schema_text = crate::pyjson::dumps(&schema);
        let mut js = Map::new();
        js.insert("schema".to_owned(), json!(schema_text));
        js.insert("name".to_owned(), json!(name));
        if let Some(d) = description {
            js.insert("description".to_owned(), json!(d));
        }
        params.insert(
            "outputConfig".to_owned(),
            json!({ "textFormat": { "type": "json_schema", "structure": { "jsonSchema": js } } }),
        );
        return Ok(unwrap_key.map(|k| JsonMode {
            tool_name: None,
            unwrap_key: Some(k),
        }));
    }
    // The forced tool goes through LiteLLM's tool conversion like any other.
    let schema = tool_input_schema(schema, takes_strict_tools(route));
    let spec = json!({ "toolSpec": {
        "inputSchema": { "json": schema },
        "name": JSON_TOOL_NAME,
        "description": description.unwrap_or_else(|| JSON_TOOL_NAME.to_owned()),
    } });
    let cfg = tool_config.get_or_insert_with(|| json!({ "tools": [] }));
    if let Some(tools) = cfg.get_mut("tools").and_then(Value::as_array_mut) {
        tools.push(spec);
    }
    if let Value::Object(cfg) = cfg {
        cfg.insert(
            "toolChoice".to_owned(),
            json!({ "tool": { "name": JSON_TOOL_NAME } }),
        );
    }
    Ok(Some(JsonMode {
        tool_name: Some(JSON_TOOL_NAME.to_owned()),
        unwrap_key: None,
    }))
}

/// Inline `$ref: "#/$defs/X"` (and `#/definitions/X`) references: Bedrock tool schemas take no
/// `$ref`. Recursive schemas are refused with a clear error instead of looping.
fn inline_refs(schema: &Value) -> Result<Value> {
    let defs = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .cloned()
        .unwrap_or(Value::Null);
    fn walk(v: &Value, defs: &Value, depth: usize) -> Result<Value> {
        if depth > 32 {
            return Err(Error::invalid_field(
                "response_format.json_schema.schema",
                "a schema without recursive $ref (Bedrock tool schemas cannot express recursion)",
            ));
        }
        Ok(match v {
            Value::Object(obj) => {
                if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
                    let name = r.rsplit('/').next().unwrap_or(r);
                    let target = defs.get(name).ok_or_else(|| {
                        Error::invalid_field(
                            "response_format.json_schema.schema",
                            format_args!("a schema whose $ref `{r}` exists in $defs"),
                        )
                    })?;
                    return walk(target, defs, depth + 1);
                }
                let mut out = Map::new();
                for (k, v) in obj {
                    if k == "$defs" || k == "definitions" {
                        continue;
                    }
                    out.insert(k.clone(), walk(v, defs, depth)?);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| walk(i, defs, depth))
                    .collect::<Result<_>>()?,
            ),
            other => other.clone(),
        })
    }
    walk(schema, &defs, 0)
}

/// A tool schema's top-level `$defs` inlined where `$ref`s point at them, then removed, as
/// LiteLLM's `unpack_defs` does for tools: a reference to a missing definition, or back into
/// one being inlined (recursion), stays a `$ref`.
fn inline_tool_defs(schema: &mut Value) {
    let Some(defs) = schema.as_object_mut().and_then(|o| o.remove("$defs")) else {
        return;
    };
    let definitions = schema.get("definitions").cloned().unwrap_or(Value::Null);
    fn walk(node: &mut Value, defs: &Value, definitions: &Value, chain: &mut Vec<String>) {
        match node {
            Value::Object(obj) => {
                let target = obj.get("$ref").and_then(Value::as_str).and_then(|r| {
                    let (table, name) = if let Some(n) = r.strip_prefix("#/$defs/") {
                        (defs, n)
                    } else {
                        (definitions, r.strip_prefix("#/definitions/")?)
                    };
                    if chain.iter().any(|c| c == name) {
                        return None;
                    }
                    Some((name.to_owned(), table.get(name)?.clone()))
                });
                if let Some((name, mut inlined)) = target {
                    chain.push(name);
                    walk(&mut inlined, defs, definitions, chain);
                    chain.pop();
                    *node = inlined;
                    return;
                }
                for v in obj.values_mut() {
                    walk(v, defs, definitions, chain);
                }
            }
            Value::Array(items) => {
                for v in items {
                    walk(v, defs, definitions, chain);
                }
            }
            _ => {}
        }
    }
    walk(schema, &defs, &definitions, &mut Vec::new());
}

/// The `anthropic-beta` header and computer-use tools →
/// `additionalModelRequestFields.anthropic_beta`, Claude only.
fn anthropic_betas(
    route: &ModelRoute,
    req: &ChatCompletionRequest,
    additional: &mut JsonObject,
) -> Result<()> {
    use crate::anthropic::{
        betas_from_headers, computer_use_beta, converse_betas, dedup_supported,
        is_computer_use_tool,
    };
    if route.family != ModelFamily::Anthropic && route.family != ModelFamily::Unknown {
        return Ok(());
    }
    let mut betas = converse_betas(betas_from_headers(req)?);
    let uses_computer = additional
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| {
            t.iter().any(|t| {
                t.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(is_computer_use_tool)
            })
        });
    if uses_computer {
        betas.push(computer_use_beta(&route.base_model).to_owned());
    }
    let betas = dedup_supported(betas);
    if !betas.is_empty() {
        additional.insert("anthropic_beta".to_owned(), json!(betas));
    }
    Ok(())
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
    // `web_search_options` (any object, `{}` included) turns on Nova's web grounding, a system
    // tool LiteLLM appends after the caller's tools; other models ignore it, as in LiteLLM.
    let grounding = req
        .web_search_options
        .as_ref()
        .is_some_and(Value::is_object)
        && !dropped.iter().any(|d| d == "web_search_options")
        && route.model.to_ascii_lowercase().contains("nova");
    let no_tools = Vec::new();
    let tools = match &req.tools {
        Some(t) if !t.is_empty() && !dropped_tools => t,
        _ if grounding => &no_tools,
        _ => return Ok(None),
    };
    let caching =
        capabilities::lookup(&route.base_model).is_some_and(|i| i.supports_prompt_caching);
    let strict_tools = takes_strict_tools(route);
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
        inline_tool_defs(&mut schema);
        let schema = tool_input_schema(schema, strict_tools);
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
        if f.strict == Some(true) && strict_tools {
            spec.insert("strict".to_owned(), json!(true));
        }
        specs.push(json!({ "toolSpec": spec }));
        if caching && tool.cache_control.is_some() {
            specs.push(json!({ "cachePoint": { "type": "default" } }));
        }
    }
    if grounding {
        specs.push(json!({ "systemTool": { "name": "nova_grounding" } }));
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
                        // LiteLLM's words, its unclosed backtick included.
                        "Bedrock doesn't support tool_choice=none. To drop it from the call, set `litellm.drop_params = True.",
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
            // Anything else: LiteLLM's `UnsupportedParamsError`, in its words, or dropped.
            _ if req.drop_params.unwrap_or(false) => None,
            other => {
                let shown = match other {
                    ToolChoice::Mode(m) => m.clone(),
                    other => serde_json::to_value(other)
                        .map(|v| crate::pyjson::repr(&v))
                        .unwrap_or_default(),
                };
                return Err(Error::new(
                    ErrorKind::UnsupportedParams,
                    format!(
                        "Bedrock doesn't support tool_choice={shown}. Supported tool_choice \
                         values=['auto', 'required', json object]. To drop it from the call, set \
                         `litellm.drop_params = True."
                    ),
                )
                .with_param("tool_choice"));
            }
        };
        if let Some(m) = mapped {
            config.insert("toolChoice".to_owned(), m);
        }
    }
    // LiteLLM sends it only to models its map says take it, and drops it silently elsewhere.
    let takes_parallel_config = [&route.model, &route.base_model]
        .iter()
        .any(|m| capabilities::lookup(m).is_some_and(|i| i.supports_parallel_tool_use_config));
    if let Some(parallel) = req
        .parallel_tool_calls
        .filter(|_| route.family == ModelFamily::Anthropic && takes_parallel_config)
    {
        // Claude takes this natively; it must carry `type` (LiteLLM #34347).
        additional.insert(
            "tool_choice".to_owned(),
            json!({ "type": "auto", "disable_parallel_tool_use": !parallel }),
        );
    }
    Ok(Some(Value::Object(config)))
}

/// LiteLLM's `bedrock_converse_supports_strict_tools`: only Claude takes `toolSpec.strict` (and
/// a schema's `additionalProperties`), unless the map says its validator refuses it.
fn takes_strict_tools(route: &ModelRoute) -> bool {
    route.base_model.starts_with("anthropic")
        && capabilities::lookup(&route.base_model)
            .and_then(|i| i.bedrock_converse_supports_strict_tools)
            != Some(false)
}

/// A tool's input schema as LiteLLM's `BedrockToolSpec` sends it: `type` (a JSON Schema root
/// type, else `object`), `properties`, `required` (`[]` when absent) and, where strict tools
/// are taken, `additionalProperties`; every other top-level key (`title`, `description`, …)
/// is left out.
fn tool_input_schema(mut schema: Value, strict_tools: bool) -> Value {
    const ROOT_TYPES: &[&str] = &[
        "array", "boolean", "integer", "null", "number", "object", "string",
    ];
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| ROOT_TYPES.contains(t))
        .unwrap_or("object")
        .to_owned();
    let mut take = |k: &str| schema.as_object_mut().and_then(|m| m.remove(k));
    let mut out = Map::new();
    out.insert("type".to_owned(), json!(kind));
    out.insert(
        "properties".to_owned(),
        take("properties").unwrap_or_else(|| json!({})),
    );
    out.insert(
        "required".to_owned(),
        take("required").unwrap_or_else(|| json!([])),
    );
    if strict_tools && let Some(extra) = take("additionalProperties") {
        out.insert("additionalProperties".to_owned(), extra);
    }
    Value::Object(out)
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

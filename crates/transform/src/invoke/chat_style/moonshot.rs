//! Moonshot Kimi K2 Thinking on InvokeModel (`bedrock/invoke/moonshot.kimi-k2-thinking`,
//! `bedrock/moonshot/<id or ARN>`): LiteLLM's `AmazonMoonshotConfig`.
//!
//! An OpenAI-like body: `{"model", "messages", …}` with text-only content lists flattened to
//! strings, `max_completion_tokens` sent as `max_tokens`, `temperature` capped at 1 (0.3 when
//! `n > 1` asks for less), and `tool_choice: "required"` replaced by a closing user turn asking
//! for a tool (Moonshot has no "required"). `stop` and `functions` are not supported on Bedrock.
//! The reply's leading `<reasoning>…</reasoning>` becomes `reasoning_content`, whole and
//! streaming (LiteLLM cannot stream this family: its decoder yields empty deltas).
//!
//! `bedrock/moonshot.kimi-k2-thinking` without `invoke/` goes to Converse, as in LiteLLM
//! (the model map lists it as a Converse model).

use bedrock_types::chat::ToolChoice;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Value, json};

use super::common::with_unvalidated;
use super::openai::{self, OPENAI_PARAMS};
use super::openai_compat::{self, OpenAiChunkDecoder};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::route::ModelRoute;

/// The turn LiteLLM appends for `tool_choice: "required"` (Moonshot's migration guide).
const REQUIRED_TOOL_TURN: &str = "Please select a tool to handle the current issue.";

const FAMILY: &str = "Moonshot";

/// Kimi on InvokeModel.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoonshotInvokeConfig;

impl ProviderConfig for MoonshotInvokeConfig {
    fn name(&self) -> &'static str {
        "moonshot_invoke"
    }

    /// `OpenAIGPTConfig`'s list without `functions` and `stop` (`reasoning_effort` is added by
    /// LiteLLM only for models its map marks as Moonshot reasoning models, which no Bedrock id is).
    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        with_unvalidated(
            OPENAI_PARAMS
                .iter()
                .copied()
                .filter(|p| !matches!(*p, "functions" | "stop"))
                .collect(),
        )
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let mut mapped = openai::map(&self.supported_openai_params(route), req)?;
        let p = &mut mapped.params;
        if let Some(max) = p.remove("max_completion_tokens") {
            p.insert("max_tokens".to_owned(), max);
        }
        if let Some(orig) = p.get("temperature").cloned()
            && let Some(t) = orig.as_f64()
        {
            let n = p.get("n").and_then(Value::as_u64).unwrap_or(1);
            // LiteLLM's `min(t, 1)`: the int 1 when capped, the caller's value otherwise.
            let mut v = if t > 1.0 { json!(1) } else { orig };
            if v.as_f64().is_some_and(|t| t < 0.3) && n > 1 {
                v = json!(0.3);
            }
            p.insert("temperature".to_owned(), v);
        }
        Ok(mapped)
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        mut params: MappedParams,
    ) -> Result<PreparedRequest> {
        let mut messages = openai_compat::messages(req, true)?;
        let required = matches!(&req.tool_choice, Some(ToolChoice::Mode(m)) if m == "required")
            && params.params.contains_key("tool_choice");
        if required {
            params.params.shift_remove("tool_choice");
            messages.push(json!({"role": "user", "content": REQUIRED_TOOL_TURN}));
        }
        openai::request(route, req, params, messages, FAMILY)
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        openai_compat::parse_completion(ctx, response, FAMILY)
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(OpenAiChunkDecoder::new(ctx, FAMILY))
    }
}

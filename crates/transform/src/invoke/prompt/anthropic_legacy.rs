//! Claude v2 / v2.1 / Instant on InvokeModel: Anthropic's legacy Text Completions body
//! (`prompt`, `max_tokens_to_sample`, …), LiteLLM's `AmazonAnthropicConfig`.
//!
//! The prompt is rendered as LiteLLM's documentation shows (its `anthropic_pt` and, for
//! v2.1, `claude_2_1_pt`): `\n\nHuman: …` turns, `\n\nAssistant: …` turns, a final
//! `\n\nAssistant: ` unless the conversation ends with an assistant turn (a prefill, which the
//! completion then continues and does not repeat). v2 / Instant wrap system text as
//! `\n\nHuman: <admin>…</admin>`; v2.1 puts it first, bare. LiteLLM 1.103.7 itself crashes on
//! this route (`AmazonAnthropicConfig` has no `aws_authentication_params`), so its docs are
//! the reference.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Value, json};

use super::{
    ChunkParser, Piece, PromptStreamDecoder, Turn, bad_reply, check_params, choice, completion,
    finish_reason, invoke_parts, mapped, merge_provider_params, message, parse_body, prompt_state,
    str_at, text_turns, usage_or_estimate,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::route::ModelRoute;

/// LiteLLM's default `max_tokens_to_sample` (`litellm.max_tokens`); Bedrock requires the field.
const DEFAULT_MAX_TOKENS_TO_SAMPLE: u32 = 4096;

const HUMAN: &str = "\n\nHuman: ";
const ASSISTANT: &str = "\n\nAssistant: ";

/// Claude v2 / v2.1 / Instant through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnthropicLegacyConfig;

impl ProviderConfig for AnthropicLegacyConfig {
    fn name(&self) -> &'static str {
        "anthropic_legacy"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec![
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "stop",
            "top_p",
            "stream",
        ]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_params(&self.supported_openai_params(route), req)?;
        let mut p = JsonObject::new();
        let max = req
            .effective_max_tokens()
            .unwrap_or(DEFAULT_MAX_TOKENS_TO_SAMPLE);
        p.insert("max_tokens_to_sample".to_owned(), json!(max));
        super::insert_sampling(req, &dropped, &mut p, "top_p");
        super::insert_stop(req, &dropped, &mut p, "stop_sequences");
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let turns = text_turns(req, "Claude v2")?;
        let v21 =
            route.base_model.contains("claude-v2:1") || route.base_model.contains("claude-2.1");
        let prompt = if v21 {
            render_v21(&turns)
        } else {
            render(&turns)
        };
        let mut body = JsonObject::new();
        body.insert("prompt".to_owned(), json!(prompt));
        body.extend(params.params);
        let http = invoke_parts(route, &Value::Object(body), req.is_stream(), params.headers)?;
        Ok(PreparedRequest {
            http,
            state: prompt_state(route, req, params.tool_names, params.json_mode),
        })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        let body = parse_body(&response, "Claude text completion")?;
        let text = str_at(&body, "/completion")
            .ok_or_else(|| bad_reply("Claude text completion", "`completion`", &body))?;
        let finish = finish_reason(str_at(&body, "/stop_reason").unwrap_or("stop_sequence"));
        let usage = Some(usage_or_estimate(ctx, Some(text), &response));
        Ok(completion(
            ctx,
            &response,
            vec![choice(
                0,
                message(Some(text.to_owned()), None, Vec::new()),
                finish,
            )],
            usage,
        ))
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(PromptStreamDecoder::new(ctx, LegacyChunks))
    }
}

/// Claude v2 / Instant (LiteLLM's `anthropic_pt`).
fn render(turns: &[(Turn, String)]) -> String {
    let mut prompt = String::new();
    for (i, (turn, text)) in turns.iter().enumerate() {
        match turn {
            Turn::User => {
                prompt.push_str(HUMAN);
                prompt.push_str(text);
            }
            Turn::System => {
                prompt.push_str(HUMAN);
                prompt.push_str("<admin>");
                prompt.push_str(text);
                prompt.push_str("</admin>");
            }
            Turn::Assistant => {
                prompt.push_str(ASSISTANT);
                prompt.push_str(text);
                if i == 0 {
                    // The prompt must start with a Human turn.
                    prompt.insert_str(0, HUMAN);
                }
            }
        }
    }
    if turns.last().is_some_and(|(t, _)| *t != Turn::Assistant) {
        prompt.push_str(ASSISTANT);
    }
    prompt
}

/// Claude v2.1 (LiteLLM's `claude_2_1_pt`): system text first and bare; an assistant turn
/// right after it gets an empty Human turn first.
fn render_v21(turns: &[(Turn, String)]) -> String {
    let mut prompt = String::new();
    for (i, (turn, text)) in turns.iter().enumerate() {
        match turn {
            Turn::User => {
                prompt.push_str(HUMAN);
                prompt.push_str(text);
            }
            Turn::System => prompt.push_str(text),
            Turn::Assistant => {
                if i > 0 && turns[i - 1].0 == Turn::System {
                    prompt.push_str(HUMAN);
                }
                prompt.push_str(ASSISTANT);
                prompt.push_str(text);
            }
        }
    }
    if turns.last().is_some_and(|(t, _)| *t != Turn::Assistant) {
        prompt.push_str(ASSISTANT);
    }
    prompt
}

/// `{"completion": "…", "stop_reason": null | "stop_sequence" | "max_tokens", "stop": …}`.
#[derive(Debug)]
struct LegacyChunks;

impl ChunkParser for LegacyChunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        if let Some(t) = str_at(chunk, "/completion") {
            out.push(Piece::Text(0, t.to_owned()));
        }
        if let Some(r) = str_at(chunk, "/stop_reason") {
            out.push(Piece::Finish(0, finish_reason(r)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(list: &[(Turn, &str)]) -> Vec<(Turn, String)> {
        list.iter().map(|(t, s)| (*t, (*s).to_owned())).collect()
    }

    #[test]
    fn prefill_and_system_render_as_the_docs_show() {
        let t = turns(&[
            (Turn::User, "How do you say 'Hello' in German?"),
            (Turn::Assistant, "{"),
        ]);
        assert_eq!(
            render(&t),
            "\n\nHuman: How do you say 'Hello' in German?\n\nAssistant: {"
        );
        let t = turns(&[
            (Turn::System, "You are a snarky assistant."),
            (Turn::User, "How do I boil water?"),
        ]);
        assert_eq!(
            render_v21(&t),
            "You are a snarky assistant.\n\nHuman: How do I boil water?\n\nAssistant: "
        );
        let t = turns(&[(Turn::System, "S"), (Turn::Assistant, "A")]);
        assert_eq!(render_v21(&t), "S\n\nHuman: \n\nAssistant: A");
        assert_eq!(
            render(&turns(&[(Turn::Assistant, "A"), (Turn::User, "U")])),
            "\n\nHuman: \n\nAssistant: A\n\nHuman: U\n\nAssistant: "
        );
    }
}

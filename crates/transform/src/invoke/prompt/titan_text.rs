//! Amazon Titan Text (Express / Lite / Premier) on InvokeModel (LiteLLM's `AmazonTitanConfig`):
//! `{"inputText", "textGenerationConfig": {"maxTokenCount", "temperature", "topP",
//! "stopSequences"}}` → `{"inputTextTokenCount", "results": [{"tokenCount", "outputText",
//! "completionReason"}]}`.
//!
//! The prompt is LiteLLM's `amazon_titan_pt`: `\n\nUser: text` per user turn,
//! `\n\nUser: <admin>text</admin>` per system turn, `\n\nBot: text` per assistant turn, ending
//! with `\n\nBot: `. Titan only accepts `|`-runs and `User:` as stop sequences: under
//! `drop_params` the others are dropped (LiteLLM does this only under its global
//! `litellm.drop_params`). Provider params (e.g. `topK`-style extras) go into
//! `textGenerationConfig`, where LiteLLM puts every inference parameter.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Value, json};

use super::{
    ChunkParser, Piece, PromptStreamDecoder, Turn, bad_reply, check_params, choice, completion,
    finish_reason, invoke_parts, kept, mapped, merge_provider_params, message, parse_body,
    prompt_state, str_at, text_turns, u64_at, usage_or_estimate,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::route::ModelRoute;

/// Amazon Titan Text through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TitanTextConfig;

impl ProviderConfig for TitanTextConfig {
    fn name(&self) -> &'static str {
        "titan_text"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec![
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "temperature",
            "top_p",
            "stream",
        ]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let mut dropped = check_params(&self.supported_openai_params(route), req)?;
        let mut p = JsonObject::new();
        if let Some(m) = req.effective_max_tokens() {
            p.insert("maxTokenCount".to_owned(), json!(m));
        }
        if let Some(t) = req.temperature.filter(|_| kept(&dropped, "temperature")) {
            p.insert("temperature".to_owned(), json!(t));
        }
        if let Some(stop) = req.stop.as_ref().filter(|_| kept(&dropped, "stop")) {
            let mut stops = stop.to_vec();
            if req.drop_params.unwrap_or(false) {
                stops.retain(|s| is_titan_stop(s));
                if stops.is_empty() {
                    dropped.push("stop".to_owned());
                }
            }
            if !stops.is_empty() {
                p.insert("stopSequences".to_owned(), json!(stops));
            }
        }
        if let Some(t) = req.top_p.filter(|_| kept(&dropped, "top_p")) {
            p.insert("topP".to_owned(), json!(t));
        }
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let turns = text_turns(req, "Titan Text")?;
        let body = json!({
            "inputText": render(&turns),
            "textGenerationConfig": Value::Object(params.params),
        });
        let http = invoke_parts(route, &body, req.is_stream(), params.headers)?;
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
        let body = parse_body(&response, "Titan Text")?;
        let result = body
            .pointer("/results/0")
            .ok_or_else(|| bad_reply("Titan Text", "`results`", &body))?;
        let text = str_at(result, "/outputText").unwrap_or_default();
        let finish = finish_reason(str_at(result, "/completionReason").unwrap_or("FINISH"));
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
        Box::new(PromptStreamDecoder::new(ctx, TitanChunks))
    }
}

/// The stop sequences Titan accepts: `^(\|+|User:)$`.
fn is_titan_stop(s: &str) -> bool {
    s == "User:" || (!s.is_empty() && s.bytes().all(|b| b == b'|'))
}

/// LiteLLM's `amazon_titan_pt`.
fn render(turns: &[(Turn, String)]) -> String {
    const USER: &str = "\n\nUser: ";
    const BOT: &str = "\n\nBot: ";
    let mut prompt = String::new();
    for (i, (turn, text)) in turns.iter().enumerate() {
        match turn {
            Turn::User => {
                prompt.push_str(USER);
                prompt.push_str(text);
            }
            Turn::System => {
                prompt.push_str(USER);
                prompt.push_str("<admin>");
                prompt.push_str(text);
                prompt.push_str("</admin>");
            }
            Turn::Assistant => {
                prompt.push_str(BOT);
                prompt.push_str(text);
                if i == 0 {
                    prompt.insert_str(0, USER);
                }
            }
        }
    }
    if turns.last().is_some_and(|(t, _)| *t != Turn::Assistant) {
        prompt.push_str(BOT);
    }
    prompt
}

/// `{"outputText": "…", "index": 0, "totalOutputTextTokenCount": N, "completionReason":
/// null|"FINISH"|…, "inputTextTokenCount": N}`.
#[derive(Debug)]
struct TitanChunks;

impl ChunkParser for TitanChunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        if let Some(t) = str_at(chunk, "/outputText") {
            out.push(Piece::Text(0, t.to_owned()));
        }
        let input = u64_at(chunk, "/inputTextTokenCount");
        let output = u64_at(chunk, "/totalOutputTextTokenCount");
        if input.is_some() || output.is_some() {
            out.push(Piece::Usage(input, output));
        }
        if let Some(r) = str_at(chunk, "/completionReason") {
            out.push(Piece::Finish(0, finish_reason(r)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_and_stop_filter_match_litellm() {
        let t: Vec<(Turn, String)> = [
            (Turn::System, "You are terse."),
            (Turn::User, "Hi"),
            (Turn::Assistant, "Hello!"),
            (Turn::User, "Tell me a joke"),
        ]
        .iter()
        .map(|(t, s)| (*t, (*s).to_owned()))
        .collect();
        assert_eq!(
            render(&t),
            "\n\nUser: <admin>You are terse.</admin>\n\nUser: Hi\n\nBot: Hello!\n\nUser: Tell me a joke\n\nBot: "
        );
        assert!(is_titan_stop("User:") && is_titan_stop("|||"));
        assert!(!is_titan_stop("foo") && !is_titan_stop("") && !is_titan_stop("User: "));
    }
}

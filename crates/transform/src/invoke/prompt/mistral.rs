//! Mistral and Mixtral on InvokeModel (LiteLLM's `AmazonMistralConfig`): `{"prompt",
//! "max_tokens", "temperature", "top_p", "stop"}` → `{"outputs": [{"text", "stop_reason"}]}`,
//! or the chat-shaped `{"choices": [{"message": {"content"}, "finish_reason"|"stop_reason"}]}`
//! newer Mistral models (Large) answer with.
//!
//! The prompt is LiteLLM's `mistral_instruct_pt`: `<s>`, then `[INST] text [/INST]\n` per user
//! turn (`[INST] \ntext [/INST]\n` for system text) and ` text</s> ` per assistant turn.

use bedrock_types::chat::JsonObject;
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Value, json};

use super::{
    ChunkParser, Piece, PromptStreamDecoder, Turn, bad_reply, check_params, choice, completion,
    finish_reason, invoke_parts, kept, mapped, merge_provider_params, message, parse_body,
    prompt_state, str_at, text_turns, usage_or_estimate,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    StreamDecoder,
};
use crate::route::ModelRoute;

/// Mistral / Mixtral through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MistralConfig;

impl ProviderConfig for MistralConfig {
    fn name(&self) -> &'static str {
        "mistral"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec!["max_tokens", "temperature", "top_p", "stop", "stream"]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_params(&self.supported_openai_params(route), req)?;
        let mut p = JsonObject::new();
        if let Some(m) = req.max_tokens.filter(|_| kept(&dropped, "max_tokens")) {
            p.insert("max_tokens".to_owned(), json!(m));
        }
        super::insert_sampling(req, &dropped, &mut p, "top_p");
        super::insert_stop(req, &dropped, &mut p, "stop");
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let turns = text_turns(req, "Mistral")?;
        let mut body = JsonObject::new();
        body.insert("prompt".to_owned(), json!(render(&turns)));
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
        let body = parse_body(&response, "Mistral")?;
        let (text, reason) = if let Some(c) = body.pointer("/choices/0") {
            (
                str_at(c, "/message/content").unwrap_or_default(),
                str_at(c, "/finish_reason").or_else(|| str_at(c, "/stop_reason")),
            )
        } else if let Some(o) = body.pointer("/outputs/0") {
            (
                str_at(o, "/text").unwrap_or_default(),
                str_at(o, "/stop_reason"),
            )
        } else {
            return Err(bad_reply("Mistral", "`outputs` or `choices`", &body));
        };
        let finish = finish_reason(reason.unwrap_or("stop"));
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
        Box::new(PromptStreamDecoder::new(ctx, MistralChunks))
    }
}

/// LiteLLM's `mistral_instruct_pt`.
fn render(turns: &[(Turn, String)]) -> String {
    let mut prompt = String::from("<s>");
    for (turn, text) in turns {
        let (pre, post) = match turn {
            Turn::System => ("[INST] \n", " [/INST]\n"),
            Turn::User => ("[INST] ", " [/INST]\n"),
            Turn::Assistant => (" ", "</s> "),
        };
        prompt.push_str(pre);
        prompt.push_str(text);
        prompt.push_str(post);
    }
    prompt
}

/// `{"outputs": [{"text": "…", "stop_reason": null|"stop"|"length"}]}`, or chat-shaped
/// `{"choices": [{"delta"|"message": {"content"}, "finish_reason"|"stop_reason"}]}`.
#[derive(Debug)]
struct MistralChunks;

impl ChunkParser for MistralChunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        let (text, stop) = if let Some(o) = chunk.pointer("/outputs/0") {
            (
                str_at(o, "/text"),
                str_at(o, "/stop_reason").or_else(|| str_at(chunk, "/stop_reason")),
            )
        } else if let Some(c) = chunk.pointer("/choices/0") {
            (
                str_at(c, "/delta/content").or_else(|| str_at(c, "/message/content")),
                str_at(c, "/finish_reason").or_else(|| str_at(c, "/stop_reason")),
            )
        } else {
            (None, None)
        };
        if let Some(t) = text {
            out.push(Piece::Text(0, t.to_owned()));
        }
        if let Some(r) = stop {
            out.push(Piece::Finish(0, finish_reason(r)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_litellm() {
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
            "<s>[INST] \nYou are terse. [/INST]\n[INST] Hi [/INST]\n Hello!</s> [INST] Tell me a joke [/INST]\n"
        );
    }
}

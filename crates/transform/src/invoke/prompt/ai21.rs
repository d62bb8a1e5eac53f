//! AI21 on InvokeModel (LiteLLM's `AmazonAI21Config`).
//!
//! - Jurassic-2 (`ai21.j2-mid-v1`, `ai21.j2-ultra-v1`): `{"prompt", "maxTokens",
//!   "temperature", "topP"}` → `{"completions": [{"data": {"text"}, "finishReason":
//!   {"reason"}}]}`; the prompt is every message's text concatenated, as LiteLLM sends it.
//!   **Jurassic-2 cannot stream on Bedrock**, so a streaming request still goes to `/invoke`
//!   (`ResponseKind::Json`, as LiteLLM does) and its decoder turns the whole reply, fed to it as
//!   one event, into a **single-chunk stream** (text, finish reason, usage); it never fails
//!   for want of a stream.
//! - Jamba (`ai21.jamba-*`): the OpenAI-like body `{"messages", "max_tokens", "temperature",
//!   "top_p"}` → `{"choices": [{"message", "finish_reason"}], "usage"}`, streamed as
//!   `{"choices": [{"delta"}]}` chunks. LiteLLM 1.103.7 sends Jamba the Jurassic body, which
//!   Jamba rejects, and fakes its stream; this config sends the Jamba body and streams.

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

/// AI21 Jurassic-2 and Jamba through `/invoke` (and, for Jamba,
/// `/invoke-with-response-stream`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ai21Config;

fn is_jamba(route: &ModelRoute) -> bool {
    route.base_model.to_ascii_lowercase().contains("jamba")
}

impl ProviderConfig for Ai21Config {
    fn name(&self) -> &'static str {
        "ai21"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec!["max_tokens", "temperature", "top_p", "stream"]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_params(&self.supported_openai_params(route), req)?;
        let jamba = is_jamba(route);
        let (max, top_p) = if jamba {
            ("max_tokens", "top_p")
        } else {
            ("maxTokens", "topP")
        };
        let mut p = JsonObject::new();
        if let Some(m) = req.max_tokens.filter(|_| kept(&dropped, "max_tokens")) {
            p.insert(max.to_owned(), json!(m));
        }
        super::insert_sampling(req, &dropped, &mut p, top_p);
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let jamba = is_jamba(route);
        let turns = text_turns(
            req,
            if jamba {
                "AI21 Jamba"
            } else {
                "AI21 Jurassic-2"
            },
        )?;
        let mut body = JsonObject::new();
        if jamba {
            let messages: Vec<Value> = turns
                .iter()
                .map(|(t, text)| {
                    let role = match t {
                        Turn::System => "system",
                        Turn::User => "user",
                        Turn::Assistant => "assistant",
                    };
                    json!({"role": role, "content": text})
                })
                .collect();
            body.insert("messages".to_owned(), Value::Array(messages));
        } else {
            let prompt: String = turns.iter().map(|(_, t)| t.as_str()).collect();
            body.insert("prompt".to_owned(), json!(prompt));
        }
        body.extend(params.params);
        // Jurassic-2 has no streaming operation: a stream is served from `/invoke`.
        let stream = req.is_stream() && jamba;
        let http = invoke_parts(route, &Value::Object(body), stream, params.headers)?;
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
        let body = parse_body(&response, "AI21")?;
        if let Some(completions) = body.get("completions").and_then(Value::as_array) {
            let choices = completions
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let text = str_at(c, "/data/text").unwrap_or_default().to_owned();
                    let finish =
                        finish_reason(str_at(c, "/finishReason/reason").unwrap_or("endoftext"));
                    choice(i as u32, message(Some(text), None, Vec::new()), finish)
                })
                .collect();
            let text = str_at(&body, "/completions/0/data/text");
            let usage = usage_or_estimate(ctx, text, &response);
            return Ok(completion(ctx, &response, choices, Some(usage)));
        }
        let Some(list) = body.get("choices").and_then(Value::as_array) else {
            return Err(bad_reply("AI21", "`completions` or `choices`", &body));
        };
        let choices = list
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let text = str_at(c, "/message/content").unwrap_or_default().to_owned();
                let finish = finish_reason(str_at(c, "/finish_reason").unwrap_or("stop"));
                let index = u64_at(c, "/index").map_or(i as u32, |x| x as u32);
                choice(index, message(Some(text), None, Vec::new()), finish)
            })
            .collect();
        let text = str_at(&body, "/choices/0/message/content");
        let usage = usage_or_estimate(ctx, text, &response);
        Ok(completion(ctx, &response, choices, Some(usage)))
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(PromptStreamDecoder::new(ctx, Ai21Chunks).accepting_raw_body())
    }
}

/// Jurassic-2 token counts: the lengths of `prompt.tokens` and the first completion's
/// `data.tokens`.
fn j2_counts(body: &Value) -> (Option<u64>, Option<u64>) {
    let len = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_array)
            .map(|a| a.len() as u64)
    };
    (len("/prompt/tokens"), len("/completions/0/data/tokens"))
}

/// A whole Jurassic-2 reply (the single chunk of its stream), or Jamba's
/// `{"choices": [{"delta": {"content"}, "finish_reason"}], "usage"}` chunks.
#[derive(Debug)]
struct Ai21Chunks;

impl ChunkParser for Ai21Chunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        if let Some(completions) = chunk.get("completions").and_then(Value::as_array) {
            let (input, output) = j2_counts(chunk);
            for (i, c) in completions.iter().enumerate() {
                let text = str_at(c, "/data/text").unwrap_or_default();
                out.push(Piece::Text(i as u32, text.to_owned()));
                let reason = str_at(c, "/finishReason/reason").unwrap_or("endoftext");
                out.push(Piece::Finish(i as u32, finish_reason(reason)));
            }
            out.push(Piece::Usage(input, output));
            return Ok(());
        }
        for c in chunk
            .get("choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let index = u64_at(c, "/index").unwrap_or(0) as u32;
            let text = str_at(c, "/delta/content").or_else(|| str_at(c, "/message/content"));
            if let Some(t) = text {
                out.push(Piece::Text(index, t.to_owned()));
            }
            if let Some(r) = str_at(c, "/finish_reason") {
                out.push(Piece::Finish(index, finish_reason(r)));
            }
        }
        let input = u64_at(chunk, "/usage/prompt_tokens");
        let output = u64_at(chunk, "/usage/completion_tokens");
        if input.is_some() || output.is_some() {
            out.push(Piece::Usage(input, output));
        }
        Ok(())
    }
}

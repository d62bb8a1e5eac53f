//! Meta Llama on InvokeModel (LiteLLM's `AmazonLlamaConfig`): `{"prompt", "max_gen_len",
//! "temperature", "top_p"}` → `{"generation", "prompt_token_count", "generation_token_count",
//! "stop_reason"}`; also `bedrock/llama/<arn>` imported models.
//!
//! The prompt is rendered with the chat template LiteLLM picks for the model id: Llama 2 chat
//! ids (`llama2` + `chat`) get LiteLLM's `llama_2_chat_pt` (`<s>[INST] <<SYS>>…`); everything
//! else gets the Llama 3 template LiteLLM ships for `meta-llama/Meta-Llama-3-8B-Instruct`
//! (`<|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\ntext<|eot_id|>…`, content
//! trimmed, ending with an open assistant header). Imported models (`bedrock/llama/<arn>`) use
//! the Llama 3 template too: LiteLLM would download a Hugging Face template named after the
//! ARN, which does not exist, and fall back to the bare contents joined by spaces.
//! Content lists are flattened to their text (LiteLLM renders Python's `repr` of the list).

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

/// Meta Llama (and Llama-spec imported models) through `/invoke` and
/// `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct LlamaConfig;

impl ProviderConfig for LlamaConfig {
    fn name(&self) -> &'static str {
        "llama"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec!["max_tokens", "temperature", "top_p", "stream"]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_params(&self.supported_openai_params(route), req)?;
        let (p, headers) = llama_params(req, &dropped)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let turns = text_turns(req, "Llama")?;
        let name = route.base_model.to_ascii_lowercase();
        let prompt = if name.contains("llama2") && name.contains("chat") {
            render_llama2(&turns)
        } else {
            render_llama3(&turns)
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
        let body = parse_body(&response, "Llama")?;
        let (text, finish, _, _) = read_generation(&body, "Llama")?;
        let usage = Some(usage_or_estimate(ctx, Some(&text), &response));
        Ok(completion(
            ctx,
            &response,
            vec![choice(0, message(Some(text), None, Vec::new()), finish)],
            usage,
        ))
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(PromptStreamDecoder::new(ctx, LlamaChunks))
    }
}

type Params = (JsonObject, Vec<(String, String)>);

/// `max_tokens` → `max_gen_len`, `temperature`, `top_p`, provider params (Llama and the
/// Llama-spec imported DeepSeek R1).
pub(crate) fn llama_params(req: &ChatCompletionRequest, dropped: &[String]) -> Result<Params> {
    let mut p = JsonObject::new();
    if let Some(m) = req.max_tokens.filter(|_| kept(dropped, "max_tokens")) {
        p.insert("max_gen_len".to_owned(), json!(m));
    }
    super::insert_sampling(req, dropped, &mut p, "top_p");
    let headers = merge_provider_params(req, &mut p)?;
    Ok((p, headers))
}

type Generation = (
    String,
    bedrock_types::FinishReason,
    Option<u64>,
    Option<u64>,
);

/// A Llama-spec reply (`generation`), or the OpenAI-completions shape newer imports answer with
/// (`choices[0].text`).
pub(crate) fn read_generation(body: &Value, family: &str) -> Result<Generation> {
    if let Some(text) = str_at(body, "/generation") {
        let finish = finish_reason(str_at(body, "/stop_reason").unwrap_or("stop"));
        return Ok((
            text.to_owned(),
            finish,
            u64_at(body, "/prompt_token_count"),
            u64_at(body, "/generation_token_count"),
        ));
    }
    if let Some(text) = str_at(body, "/choices/0/text") {
        let finish = finish_reason(
            str_at(body, "/choices/0/finish_reason")
                .or_else(|| str_at(body, "/choices/0/stop_reason"))
                .unwrap_or("stop"),
        );
        return Ok((
            text.to_owned(),
            finish,
            u64_at(body, "/usage/prompt_tokens"),
            u64_at(body, "/usage/completion_tokens"),
        ));
    }
    Err(bad_reply(family, "`generation`", body))
}

/// The Llama 3 chat template (LiteLLM's cached `Meta-Llama-3-8B-Instruct` template).
fn render_llama3(turns: &[(Turn, String)]) -> String {
    let mut prompt = String::from("<|begin_of_text|>");
    for (turn, text) in turns {
        let role = match turn {
            Turn::System => "system",
            Turn::User => "user",
            Turn::Assistant => "assistant",
        };
        prompt.push_str("<|start_header_id|>");
        prompt.push_str(role);
        prompt.push_str("<|end_header_id|>\n\n");
        prompt.push_str(text.trim());
        prompt.push_str("<|eot_id|>");
    }
    prompt.push_str("<|start_header_id|>assistant<|end_header_id|>\n\n");
    prompt
}

/// LiteLLM's `llama_2_chat_pt`: `<s>` opens the prompt (and a system turn after an assistant
/// turn), `</s>` closes each assistant turn.
fn render_llama2(turns: &[(Turn, String)]) -> String {
    let mut prompt = String::from("<s>");
    let mut bos_open = true;
    for (turn, text) in turns {
        match turn {
            Turn::System => {
                if !bos_open {
                    prompt.push_str("<s>");
                    bos_open = true;
                }
                prompt.push_str("[INST] <<SYS>>\n");
                prompt.push_str(text);
                prompt.push_str("\n<</SYS>>\n [/INST]\n");
            }
            Turn::User => {
                prompt.push_str("[INST] ");
                prompt.push_str(text);
                prompt.push_str(" [/INST]\n");
            }
            Turn::Assistant => {
                prompt.push_str(text);
                prompt.push_str("\n</s>");
                bos_open = false;
            }
        }
    }
    prompt
}

/// `{"generation": "…", "prompt_token_count": N|null, "generation_token_count": N,
/// "stop_reason": null|"stop"|"length"}` (also the `choices[0].text` shape).
#[derive(Debug)]
pub(crate) struct LlamaChunks;

impl ChunkParser for LlamaChunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        let text = str_at(chunk, "/generation").or_else(|| str_at(chunk, "/choices/0/text"));
        if let Some(t) = text {
            out.push(Piece::Text(0, t.to_owned()));
        }
        let input = u64_at(chunk, "/prompt_token_count");
        let output = u64_at(chunk, "/generation_token_count");
        if input.is_some() || output.is_some() {
            out.push(Piece::Usage(input, output));
        }
        let stop = str_at(chunk, "/stop_reason")
            .or_else(|| str_at(chunk, "/choices/0/finish_reason"))
            .or_else(|| str_at(chunk, "/choices/0/stop_reason"));
        if let Some(r) = stop {
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
    fn templates_match_litellm() {
        let t = turns(&[
            (Turn::System, "You are terse."),
            (Turn::User, "Hi"),
            (Turn::Assistant, "Hello!"),
            (Turn::User, "Tell me a joke"),
        ]);
        assert_eq!(
            render_llama2(&t),
            "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n [/INST]\n[INST] Hi [/INST]\nHello!\n</s>[INST] Tell me a joke [/INST]\n"
        );
        assert_eq!(
            render_llama3(&turns(&[(Turn::User, "  Hi ")])),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
        );
    }
}

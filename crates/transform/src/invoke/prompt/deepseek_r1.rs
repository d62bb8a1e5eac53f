//! DeepSeek R1 on InvokeModel (LiteLLM's `AmazonDeepSeekR1Config`): the serverless model
//! (`us.deepseek.r1-v1:0`) and imported R1 distills (`bedrock/deepseek_r1/<arn>`).
//!
//! The prompt is DeepSeek R1's chat template as LiteLLM renders it (`deepseek_r1_pt`, the
//! tokenizer template LiteLLM ships): `<｜begin▁of▁sentence｜>` + the system text, then
//! `<｜User｜>…`, `<｜Assistant｜>…<｜end▁of▁sentence｜>` (earlier reasoning cut at `</think>`),
//! the template's tool-call and tool-output markers, and finally `<｜Assistant｜><think>\n` —
//! unless the conversation ends with tool outputs. When the prompt ends inside `<think>`, the
//! request records `prompt_ends_in_think` in [`ResponseState::extra`] and the reply is read as
//! reasoning up to `</think>` (moved to `reasoning_content`), answer after; otherwise a reply
//! that itself opens with `<think>` is split the same way. Streams split the same way even
//! when a tag is cut across chunks.
//!
//! Bodies: imported models take the Llama-spec body (`max_gen_len`) and answer `generation`,
//! as LiteLLM sends; the serverless model takes `max_tokens` (AWS's R1 schema; LiteLLM
//! 1.103.7 cannot route `us.deepseek.r1-v1:0` to invoke at all) and answers
//! `choices[0].text`. Both reply shapes are accepted for both.

use bedrock_types::chat::{JsonObject, Role};
use bedrock_types::{ChatCompletion, ChatCompletionRequest, Result};
use serde_json::{Value, json};

use super::llama::{llama_params, read_generation};
use super::{
    ChunkParser, Piece, PromptStreamDecoder, check_params, choice, completion, finish_reason,
    invoke_parts, kept, mapped, merge_provider_params, message, message_text, parse_body,
    prompt_state, require_messages, str_at, u64_at, usage_or_estimate,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    ResponseState, StreamDecoder,
};
use crate::route::{ArnKind, ModelRoute};

/// The [`ResponseState::extra`] key saying the prompt ended inside `<think>`.
pub const PROMPT_ENDS_IN_THINK: &str = "prompt_ends_in_think";

const BOS: &str = "<｜begin▁of▁sentence｜>";
const EOS: &str = "<｜end▁of▁sentence｜>";
const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// DeepSeek R1 through `/invoke` and `/invoke-with-response-stream`.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeepSeekR1Config;

/// Imported models (Custom Model Import) take the Llama-spec body.
fn is_imported(route: &ModelRoute) -> bool {
    route.arn.as_ref().is_some_and(|a| {
        matches!(
            a.kind,
            ArnKind::ImportedModel | ArnKind::CustomModel | ArnKind::CustomModelDeployment
        )
    })
}

impl ProviderConfig for DeepSeekR1Config {
    fn name(&self) -> &'static str {
        "deepseek_r1"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        vec!["max_tokens", "temperature", "top_p", "stream"]
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_params(&self.supported_openai_params(route), req)?;
        if is_imported(route) {
            let (p, headers) = llama_params(req, &dropped)?;
            return Ok(mapped(p, dropped, headers));
        }
        let mut p = JsonObject::new();
        if let Some(m) = req.max_tokens.filter(|_| kept(&dropped, "max_tokens")) {
            p.insert("max_tokens".to_owned(), json!(m));
        }
        super::insert_sampling(req, &dropped, &mut p, "top_p");
        let headers = merge_provider_params(req, &mut p)?;
        Ok(mapped(p, dropped, headers))
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let prompt = render(req)?;
        let in_think = prompt.trim_end().ends_with(OPEN);
        let mut body = JsonObject::new();
        body.insert("prompt".to_owned(), json!(prompt));
        body.extend(params.params);
        let http = invoke_parts(route, &Value::Object(body), req.is_stream(), params.headers)?;
        let mut state = prompt_state(route, req, params.tool_names, params.json_mode);
        state
            .extra
            .insert(PROMPT_ENDS_IN_THINK.to_owned(), json!(in_think));
        Ok(PreparedRequest { http, state })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        let body = parse_body(&response, "DeepSeek R1")?;
        let (text, finish, _, _) = read_generation(&body, "DeepSeek R1")?;
        // LiteLLM counts the reply before it splits the reasoning off.
        let usage = Some(usage_or_estimate(ctx, Some(&text), &response));
        let mut split = ThinkSplitter::new(in_think(&ctx.state));
        let mut pieces = Vec::new();
        split.push(&text, &mut pieces);
        split.flush(&mut pieces);
        let (mut content, mut reasoning) = (String::new(), String::new());
        for p in pieces {
            match p {
                Piece::Text(_, t) => content.push_str(&t),
                Piece::Reasoning(t) => reasoning.push_str(&t),
                _ => {}
            }
        }
        Ok(completion(
            ctx,
            &response,
            vec![choice(
                0,
                message(Some(content), Some(reasoning), Vec::new()),
                finish,
            )],
            usage,
        ))
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        let split = ThinkSplitter::new(in_think(&ctx.state));
        Box::new(PromptStreamDecoder::new(ctx, R1Chunks { split }))
    }
}

fn in_think(state: &ResponseState) -> bool {
    state
        .extra
        .get(PROMPT_ENDS_IN_THINK)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// DeepSeek R1's chat template (the one LiteLLM ships for `deepseek-r1-7b-instruct`), with
/// `add_generation_prompt`.
fn render(req: &ChatCompletionRequest) -> Result<String> {
    require_messages(req)?;
    let family = "DeepSeek R1";
    let mut system = String::new();
    for (i, m) in req.messages.iter().enumerate() {
        if matches!(m.role, Role::System | Role::Developer) {
            system = message_text(m, &format!("messages[{i}]"), family)?.unwrap_or_default();
        }
    }
    let mut out = String::from(BOS);
    out.push_str(&system);
    let (mut is_first, mut is_tool, mut is_output_first) = (false, false, true);
    for (i, m) in req.messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        match m.role {
            Role::System | Role::Developer => {}
            Role::User => {
                is_tool = false;
                out.push_str("<｜User｜>");
                out.push_str(&message_text(m, &at, family)?.unwrap_or_default());
            }
            Role::Assistant => match message_text(m, &at, family)? {
                None => {
                    is_tool = false;
                    for call in m.tool_calls.iter().flatten() {
                        let call_text = format!(
                            "<｜tool▁call▁begin｜>{}<｜tool▁sep｜>{}\n```json\n{}\n```<｜tool▁call▁end｜>",
                            call.kind, call.function.name, call.function.arguments
                        );
                        if !is_first {
                            out.push_str("<｜Assistant｜><｜tool▁calls▁begin｜>");
                            out.push_str(&call_text);
                            is_first = true;
                        } else {
                            out.push('\n');
                            out.push_str(&call_text);
                            out.push_str("<｜tool▁calls▁end｜>");
                            out.push_str(EOS);
                        }
                    }
                }
                Some(text) if is_tool => {
                    out.push_str("<｜tool▁outputs▁end｜>");
                    out.push_str(&text);
                    out.push_str(EOS);
                    is_tool = false;
                }
                Some(text) => {
                    let answer = text.rsplit(CLOSE).next().unwrap_or_default();
                    out.push_str("<｜Assistant｜>");
                    out.push_str(answer);
                    out.push_str(EOS);
                }
            },
            Role::Tool | Role::Function => {
                is_tool = true;
                let text = message_text(m, &at, family)?.unwrap_or_default();
                if is_output_first {
                    out.push_str("<｜tool▁outputs▁begin｜>");
                    is_output_first = false;
                } else {
                    out.push('\n');
                }
                out.push_str("<｜tool▁output▁begin｜>");
                out.push_str(&text);
                out.push_str("<｜tool▁output▁end｜>");
            }
        }
    }
    if is_tool {
        out.push_str("<｜tool▁outputs▁end｜>");
    } else {
        out.push_str("<｜Assistant｜><think>\n");
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing decided yet: the reply may open with `<think>`.
    Start,
    /// Inside the reasoning block.
    Thinking,
    /// After `</think>` (or a reply without reasoning).
    After,
}

/// Splits generated text into reasoning (inside `<think>…</think>`) and answer, holding back
/// text that may be the start of a tag cut across chunks.
#[derive(Debug)]
struct ThinkSplitter {
    mode: Mode,
    buf: String,
}

impl ThinkSplitter {
    fn new(in_think: bool) -> Self {
        ThinkSplitter {
            mode: if in_think {
                Mode::Thinking
            } else {
                Mode::Start
            },
            buf: String::new(),
        }
    }

    fn push(&mut self, text: &str, out: &mut Vec<Piece>) {
        self.buf.push_str(text);
        loop {
            match self.mode {
                Mode::Start => {
                    let t = self.buf.trim_start();
                    if let Some(rest) = t.strip_prefix(OPEN) {
                        self.buf = rest.to_owned();
                        self.mode = Mode::Thinking;
                        continue;
                    }
                    if t.is_empty() || OPEN.starts_with(t) {
                        return;
                    }
                    self.mode = Mode::After;
                }
                Mode::Thinking => {
                    if let Some(pos) = self.buf.find(CLOSE) {
                        let rest = self.buf.split_off(pos);
                        out.push(Piece::Reasoning(std::mem::take(&mut self.buf)));
                        self.buf = rest[CLOSE.len()..].to_owned();
                        self.mode = Mode::After;
                        continue;
                    }
                    let keep = (1..CLOSE.len())
                        .rev()
                        .find(|&k| self.buf.ends_with(&CLOSE[..k]))
                        .unwrap_or(0);
                    let held = self.buf.split_off(self.buf.len() - keep);
                    out.push(Piece::Reasoning(std::mem::replace(&mut self.buf, held)));
                    return;
                }
                Mode::After => {
                    if !self.buf.is_empty() {
                        out.push(Piece::Text(0, std::mem::take(&mut self.buf)));
                    }
                    return;
                }
            }
        }
    }

    fn flush(&mut self, out: &mut Vec<Piece>) {
        let rest = std::mem::take(&mut self.buf);
        if rest.is_empty() {
            return;
        }
        match self.mode {
            Mode::Thinking => out.push(Piece::Reasoning(rest)),
            Mode::Start | Mode::After => out.push(Piece::Text(0, rest)),
        }
    }
}

/// Llama-spec `{"generation", …}` or serverless `{"choices": [{"text", "stop_reason"}]}`
/// chunks, split at `</think>`.
#[derive(Debug)]
struct R1Chunks {
    split: ThinkSplitter,
}

impl ChunkParser for R1Chunks {
    fn parse(&mut self, chunk: &Value, out: &mut Vec<Piece>) -> Result<()> {
        let text = str_at(chunk, "/generation").or_else(|| str_at(chunk, "/choices/0/text"));
        if let Some(t) = text {
            self.split.push(t, out);
        }
        let input = u64_at(chunk, "/prompt_token_count");
        let output = u64_at(chunk, "/generation_token_count");
        if input.is_some() || output.is_some() {
            out.push(Piece::Usage(input, output));
        }
        let stop = str_at(chunk, "/stop_reason")
            .or_else(|| str_at(chunk, "/choices/0/stop_reason"))
            .or_else(|| str_at(chunk, "/choices/0/finish_reason"));
        if let Some(r) = stop {
            self.split.flush(out);
            out.push(Piece::Finish(0, finish_reason(r)));
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut Vec<Piece>) {
        self.split.flush(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(in_think: bool, parts: &[&str]) -> (String, String) {
        let mut s = ThinkSplitter::new(in_think);
        let mut out = Vec::new();
        for p in parts {
            s.push(p, &mut out);
        }
        s.flush(&mut out);
        let (mut text, mut reasoning) = (String::new(), String::new());
        for p in out {
            match p {
                Piece::Text(_, t) => text.push_str(&t),
                Piece::Reasoning(t) => reasoning.push_str(&t),
                _ => {}
            }
        }
        (reasoning, text)
    }

    #[test]
    fn think_tags_split_anywhere() {
        let want = ("Let me think.".to_owned(), "\n\nAnswer".to_owned());
        assert_eq!(split(true, &["Let me think.</think>\n\nAnswer"]), want);
        assert_eq!(
            split(true, &["Let me ", "think.</th", "ink>", "\n\nAns", "wer"]),
            want
        );
        assert_eq!(
            split(true, &["Let me think.<", "/", "think", ">\n\nAnswer"]),
            want
        );
        assert_eq!(
            split(false, &["<thi", "nk>Let me think.</think>\n\nAnswer"]),
            want
        );
        assert_eq!(
            split(false, &["Plain ", "answer"]),
            (String::new(), "Plain answer".to_owned())
        );
        assert_eq!(
            split(false, &["<", "b>bold"]),
            (String::new(), "<b>bold".to_owned())
        );
        // Cut off by max tokens while thinking: all of it is reasoning.
        assert_eq!(
            split(true, &["still thinking </th"]),
            ("still thinking </th".to_owned(), String::new())
        );
    }
}

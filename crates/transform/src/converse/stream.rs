//! ConverseStream events → OpenAI chunks (LiteLLM's `converse_chunk_parser`, with its bugs
//! fixed: every open block is keyed by `contentBlockIndex`, tool-call indices count tools in
//! order, and the JSON-mode tool is tracked per block so real tools still stream as tools).

use std::collections::HashMap;

use bedrock_types::chat::{JsonObject, ThinkingBlock};
use bedrock_types::response::Delta;
use bedrock_types::{
    ChatCompletionChunk, Error, ErrorKind, FinishReason, Result, StreamEvent, Usage,
};
use serde_json::Value;

use super::response::{TokenUsage, annotation, finish_reason, usage_from};
use crate::config::{ResponseContext, StreamDecoder};

#[derive(Debug)]
enum Block {
    Text,
    Reasoning,
    Tool {
        index: u32,
        got_input: bool,
    },
    /// The structured-output tool: its input streams as text content.
    JsonTool,
}

/// The ConverseStream decoder.
#[derive(Debug)]
pub struct ConverseStreamDecoder {
    ctx: ResponseContext,
    blocks: HashMap<u64, Block>,
    next_tool_index: u32,
    sent_role: bool,
    finish: Option<FinishReason>,
    finished_sent: bool,
    /// A reasoning delta came (LiteLLM's `_thinking_ran`): the usage then leaves the reasoning
    /// split unset unless Bedrock reports it.
    thinking_ran: bool,
    /// `additionalModelResponseFields.usage.output_tokens_details.thinking_tokens` of
    /// `messageStop`.
    reported_thinking_tokens: Option<u64>,
    text_chars: u64,
}

impl ConverseStreamDecoder {
    /// A decoder for one stream.
    pub fn new(ctx: ResponseContext) -> Self {
        ConverseStreamDecoder {
            ctx,
            blocks: HashMap::new(),
            next_tool_index: 0,
            sent_role: false,
            finish: None,
            finished_sent: false,
            thinking_ran: false,
            reported_thinking_tokens: None,
            text_chars: 0,
        }
    }

    fn chunk(&mut self, delta: Delta, finish: Option<FinishReason>) -> ChatCompletionChunk {
        let mut c = crate::chunks::chunk(&self.ctx, &mut self.sent_role, delta, finish);
        // LiteLLM's Converse chunks carry `provider_specific_fields: {}` (its usage chunk none).
        c.provider_specific_fields = Some(JsonObject::new());
        c
    }

    fn tool_delta(index: u32, id: Option<String>, name: Option<String>, args: String) -> Delta {
        crate::chunks::tool_delta(index, id, name, args)
    }
}

fn bad_event(event: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("malformed ConverseStream `{event}` event: {why}"),
    )
    .with_status(422)
}

/// The most common event, a text delta, read without building a JSON tree: the text borrows
/// from the payload unless it has escapes. Anything else (tool input, reasoning, citations)
/// fails this shape and takes the general path.
#[derive(serde::Deserialize)]
struct TextDeltaEvent<'a> {
    #[serde(rename = "contentBlockIndex", default)]
    index: u64,
    #[serde(borrow)]
    delta: TextOnlyDelta<'a>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TextOnlyDelta<'a> {
    #[serde(borrow)]
    text: std::borrow::Cow<'a, str>,
}

impl StreamDecoder for ConverseStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if self.ctx.state.whole_reply_stream && event.event_type == "chunk" {
            let headers = http::HeaderMap::new();
            let reply = super::response::transform(
                &self.ctx,
                crate::config::HttpResponseParts {
                    status: 200,
                    headers: &headers,
                    body: &event.payload,
                },
            )?;
            out.extend(crate::chunks::whole_reply_chunks(&self.ctx, reply));
            self.finished_sent = true;
            return Ok(());
        }
        if event.event_type == "contentBlockDelta"
            && let Ok(fast) = serde_json::from_slice::<TextDeltaEvent<'_>>(&event.payload)
        {
            self.blocks.entry(fast.index).or_insert(Block::Text);
            self.text_chars += fast.delta.text.chars().count() as u64;
            let c = self.chunk(
                Delta {
                    content: Some(fast.delta.text.into_owned()),
                    ..Delta::default()
                },
                None,
            );
            out.push(c);
            return Ok(());
        }
        let payload: Value =
            serde_json::from_slice(&event.payload).map_err(|e| bad_event(&event.event_type, e))?;
        let index = payload
            .get("contentBlockIndex")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        match event.event_type.as_str() {
            "messageStart" => {
                if let Some(conv) = payload.get("conversationId").and_then(Value::as_str) {
                    self.ctx.id = format!("chatcmpl-{conv}");
                }
                let delta = Delta {
                    content: Some(String::new()),
                    ..Delta::default()
                };
                let c = self.chunk(delta, None);
                out.push(c);
            }
            "contentBlockStart" => {
                let Some(tu) = payload.pointer("/start/toolUse") else {
                    return Ok(());
                };
                let name = tu.get("name").and_then(Value::as_str).unwrap_or_default();
                let is_json_tool = self
                    .ctx
                    .state
                    .json_mode
                    .as_ref()
                    .is_some_and(|j| j.tool_name.as_deref() == Some(name));
                if is_json_tool {
                    self.blocks.insert(index, Block::JsonTool);
                    return Ok(());
                }
                let tool_index = self.next_tool_index;
                self.next_tool_index += 1;
                self.blocks.insert(
                    index,
                    Block::Tool {
                        index: tool_index,
                        got_input: false,
                    },
                );
                let id = tu
                    .get("toolUseId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let name = self.ctx.state.tool_names.to_original(name).to_owned();
                let c = self.chunk(
                    Self::tool_delta(tool_index, Some(id), Some(name), String::new()),
                    None,
                );
                out.push(c);
            }
            "contentBlockDelta" => {
                let delta = payload
                    .get("delta")
                    .ok_or_else(|| bad_event("contentBlockDelta", "no `delta`"))?;
                if let Some(t) = delta.get("text").and_then(Value::as_str) {
                    self.blocks.entry(index).or_insert(Block::Text);
                    self.text_chars += t.chars().count() as u64;
                    let c = self.chunk(
                        Delta {
                            content: Some(t.to_owned()),
                            ..Delta::default()
                        },
                        None,
                    );
                    out.push(c);
                } else if let Some(input) = delta.pointer("/toolUse/input").and_then(Value::as_str)
                {
                    match self.blocks.get_mut(&index) {
                        Some(Block::JsonTool) => {
                            let c = self.chunk(
                                Delta {
                                    content: Some(input.to_owned()),
                                    ..Delta::default()
                                },
                                None,
                            );
                            out.push(c);
                        }
                        Some(Block::Tool {
                            index: ti,
                            got_input,
                        }) => {
                            let ti = *ti;
                            if !input.is_empty() {
                                *got_input = true;
                                let c = self.chunk(
                                    Self::tool_delta(ti, None, None, input.to_owned()),
                                    None,
                                );
                                out.push(c);
                            }
                        }
                        _ => {
                            return Err(bad_event(
                                "contentBlockDelta",
                                format_args!("tool input for block {index} that never started"),
                            ));
                        }
                    }
                } else if let Some(rc) = delta.get("reasoningContent") {
                    self.blocks.entry(index).or_insert(Block::Reasoning);
                    let mut d = Delta::default();
                    if let Some(t) = rc.get("text").and_then(Value::as_str) {
                        d.reasoning_content = Some(t.to_owned());
                        d.thinking_blocks = Some(vec![ThinkingBlock::Thinking {
                            thinking: t.to_owned(),
                            signature: None,
                        }]);
                    } else if let Some(sig) = rc.get("signature").and_then(Value::as_str) {
                        d.thinking_blocks = Some(vec![ThinkingBlock::Thinking {
                            thinking: String::new(),
                            signature: Some(sig.to_owned()),
                        }]);
                    } else if let Some(data) = rc.get("redactedContent").and_then(Value::as_str) {
                        d.thinking_blocks = Some(vec![ThinkingBlock::RedactedThinking {
                            data: data.to_owned(),
                        }]);
                    }
                    self.thinking_ran |= d.thinking_blocks.is_some();
                    let mut psf = JsonObject::new();
                    psf.insert("reasoningContent".to_owned(), rc.clone());
                    d.provider_specific_fields = Some(psf);
                    let c = self.chunk(d, None);
                    out.push(c);
                } else if let Some(citation) = delta.get("citation") {
                    let at = self.text_chars;
                    let mut d = Delta::default();
                    if let Some(a) = annotation(citation, at, at) {
                        d.annotations = Some(vec![a]);
                    }
                    let mut psf = JsonObject::new();
                    psf.insert("citation".to_owned(), citation.clone());
                    d.provider_specific_fields = Some(psf);
                    let c = self.chunk(d, None);
                    out.push(c);
                }
            }
            "contentBlockStop" => {
                if let Some(Block::Tool {
                    index: ti,
                    got_input: false,
                }) = self.blocks.remove(&index)
                {
                    // A tool with no arguments still closes as valid JSON.
                    let c = self.chunk(Self::tool_delta(ti, None, None, "{}".to_owned()), None);
                    out.push(c);
                }
            }
            "messageStop" => {
                self.reported_thinking_tokens = crate::reasoning::reported_thinking_tokens(
                    payload
                        .get("additionalModelResponseFields")
                        .and_then(|f| f.get("usage")),
                );
                let stop = payload
                    .get("stopReason")
                    .and_then(Value::as_str)
                    .unwrap_or("end_turn");
                let mut finish = finish_reason(stop);
                if self.next_tool_index > 0 && finish == FinishReason::Stop {
                    finish = FinishReason::ToolCalls;
                }
                if self.next_tool_index == 0 && finish == FinishReason::ToolCalls {
                    finish = FinishReason::Stop; // Only the JSON-mode tool was called.
                }
                self.finish = Some(finish);
                let c = self.chunk(Delta::default(), Some(finish));
                out.push(c);
                self.finished_sent = true;
            }
            "metadata" => {
                // LiteLLM answers a trace with a chunk of its own: an empty assistant delta,
                // the trace under `provider_specific_fields` and at the top level.
                if let Some(trace) = payload.get("trace") {
                    let d = Delta {
                        role: Some("assistant".to_owned()),
                        content: Some(String::new()),
                        ..Delta::default()
                    };
                    let mut c = self.chunk(d, None);
                    let mut psf = JsonObject::new();
                    psf.insert("trace".to_owned(), trace.clone());
                    c.provider_specific_fields = Some(psf);
                    c.trace = Some(trace.clone());
                    out.push(c);
                }
                let usage: Option<Usage> = payload
                    .get("usage")
                    // LiteLLM's stream gives no reasoning text to estimate from.
                    .map(|u| {
                        usage_from(
                            &TokenUsage::of(u),
                            self.thinking_ran.then_some(""),
                            self.reported_thinking_tokens,
                        )
                    });
                if self.ctx.state.include_usage {
                    let mut c = self.chunk(Delta::default(), None);
                    c.choices.clear();
                    c.usage = usage;
                    c.provider_specific_fields = None;
                    out.push(c);
                }
            }
            // Unknown events are ignored, like unknown keys (forward compatibility).
            _ => {}
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if !self.finished_sent {
            // A stream that ended without messageStop still tells the caller it is over.
            let c = self.chunk(
                Delta::default(),
                Some(self.finish.unwrap_or(FinishReason::Stop)),
            );
            out.push(c);
            self.finished_sent = true;
        }
        Ok(())
    }
}

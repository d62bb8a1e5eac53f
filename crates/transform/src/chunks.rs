//! Building OpenAI chunks: what every stream decoder shares.

use bedrock_types::response::{ChunkChoice, Delta, FunctionCallDelta, ToolCallDelta};
use bedrock_types::{ChatCompletion, ChatCompletionChunk, FinishReason, Usage};

use crate::config::ResponseContext;

/// A chunk of this stream carrying `delta`; the first chunk of a stream also says
/// `role: assistant` (`sent_role` tracks that).
pub(crate) fn chunk(
    ctx: &ResponseContext,
    sent_role: &mut bool,
    mut delta: Delta,
    finish: Option<FinishReason>,
) -> ChatCompletionChunk {
    if !*sent_role {
        delta.role = Some("assistant".to_owned());
        *sent_role = true;
    }
    ChatCompletionChunk {
        id: ctx.id.clone(),
        created: ctx.created,
        model: ctx.state.model.clone(),
        object: "chat.completion.chunk".to_owned(),
        system_fingerprint: None,
        choices: vec![ChunkChoice {
            finish_reason: finish,
            index: 0,
            delta,
        }],
        trace: None,
        usage: None,
        provider_specific_fields: None,
    }
}

/// A whole reply as the chunks of LiteLLM's `fake_stream`: everything the message holds in one
/// chunk, the finish reason in the next, then (when asked for) the usage: the three counts and
/// the output split, nothing about the cache.
pub(crate) fn whole_reply_chunks(
    ctx: &ResponseContext,
    reply: ChatCompletion,
) -> Vec<ChatCompletionChunk> {
    let mut out = Vec::with_capacity(3);
    let usage = reply.usage;
    let Some(choice) = reply.choices.into_iter().next() else {
        return out;
    };
    let m = choice.message;
    let tool_calls = m.tool_calls.map(|calls| {
        calls
            .into_iter()
            .enumerate()
            .map(|(i, c)| ToolCallDelta {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                id: Some(c.id),
                kind: Some(c.kind),
                function: FunctionCallDelta {
                    name: Some(c.function.name),
                    arguments: c.function.arguments,
                },
            })
            .collect()
    });
    let delta = Delta {
        content: m.content,
        tool_calls,
        reasoning_content: m.reasoning_content,
        thinking_blocks: m.thinking_blocks,
        ..Delta::default()
    };
    let mut sent_role = false;
    out.push(chunk(ctx, &mut sent_role, delta, None));
    out.push(chunk(
        ctx,
        &mut sent_role,
        Delta::default(),
        choice.finish_reason,
    ));
    if ctx.state.include_usage
        && let Some(u) = usage
    {
        let mut c = chunk(ctx, &mut sent_role, Delta::default(), None);
        c.choices.clear();
        c.usage = Some(Usage {
            completion_tokens: u.completion_tokens,
            prompt_tokens: u.prompt_tokens,
            total_tokens: u.total_tokens,
            completion_tokens_details: u.completion_tokens_details,
            ..Usage::default()
        });
        out.push(c);
    }
    out
}

/// A tool-call fragment: id and name on the first one, argument text after.
pub(crate) fn tool_delta(
    index: u32,
    id: Option<String>,
    name: Option<String>,
    args: String,
) -> Delta {
    Delta {
        tool_calls: Some(vec![ToolCallDelta {
            index,
            kind: id.as_ref().map(|_| "function".to_owned()),
            id,
            function: FunctionCallDelta {
                name,
                arguments: args,
            },
        }]),
        ..Delta::default()
    }
}

//! Building OpenAI chunks: what every stream decoder shares.

use bedrock_types::response::{ChunkChoice, Delta, FunctionCallDelta, ToolCallDelta};
use bedrock_types::{ChatCompletionChunk, FinishReason};

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

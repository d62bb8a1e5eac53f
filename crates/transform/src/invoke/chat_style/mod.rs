//! InvokeModel families whose native body is a message list (or is built from one): one config
//! per family, registered by [`register`] under `RouteKey::Family(Api::Invoke, family)`.
//!
//! | family | module | body → reply |
//! |---|---|---|
//! | OpenAI-compatible (gpt-oss, `bedrock/openai/<arn>`) | [`openai`] | OpenAI chat request → `chat.completion` |
//! | Qwen3 / Qwen2 (`bedrock/qwen3/<arn>`, `bedrock/qwen2/<arn>`) | [`qwen`] | ChatML `prompt` → `generation` / `text` |
//! | Moonshot Kimi K2 Thinking | [`moonshot`] | OpenAI-like request → `chat.completion` with `<reasoning>` |
//! | TwelveLabs Pegasus | [`twelvelabs`] | `inputPrompt` + `mediaSource` → `message` |
//! | Amazon Nova | [`nova`] | Converse-shaped `messages-v1` → `output.message` |
//!
//! Other chat-shaped Bedrock models (DeepSeek V3/V3.1, Writer Palmyra, MiniMax) have no invoke
//! config: LiteLLM 1.103.7 sends them to Converse by default and answers `bedrock/invoke/<id>`
//! with "Unknown provider … try bedrock/converse/<model>" (404); the registry gives the same
//! not-found error with the same hint.

mod common;
pub mod moonshot;
pub mod nova;
pub mod openai;
mod openai_compat;
pub mod qwen;
pub mod twelvelabs;

use std::sync::Arc;

use crate::registry::{Registry, RouteKey};
use crate::route::{Api, ModelFamily};

pub use moonshot::MoonshotInvokeConfig;
pub use nova::NovaInvokeConfig;
pub use openai::OpenAiInvokeConfig;
pub use openai_compat::OpenAiChunkDecoder;
pub use qwen::QwenInvokeConfig;
pub use twelvelabs::PegasusInvokeConfig;

/// Register this module's family configs.
pub(crate) fn register(registry: &mut Registry) {
    let key = |f| RouteKey::Family(Api::Invoke, f);
    registry.register(key(ModelFamily::OpenAi), Arc::new(OpenAiInvokeConfig));
    registry.register(key(ModelFamily::Qwen3), Arc::new(QwenInvokeConfig::QWEN3));
    registry.register(key(ModelFamily::Qwen2), Arc::new(QwenInvokeConfig::QWEN2));
    registry.register(key(ModelFamily::Moonshot), Arc::new(MoonshotInvokeConfig));
    registry.register(key(ModelFamily::TwelveLabs), Arc::new(PegasusInvokeConfig));
    registry.register(key(ModelFamily::Nova), Arc::new(NovaInvokeConfig));
}

//! OpenAI-compatible types for the Bedrock workspace.
//!
//! This crate is the vocabulary every other crate speaks: the chat, embeddings, image,
//! rerank and text-completion requests and responses in the shapes OpenAI (and LiteLLM)
//! users send and expect, plus the one [`Error`] type of the whole stack and the
//! [`Secret`] wrapper that keeps credentials out of logs.
//!
//! What it must not do: know anything about Bedrock's wire format, perform I/O, or depend
//! on any runtime or network crate. Types here round-trip through serde without losing
//! unknown fields, so a caller's provider-specific parameters survive untouched.
#![deny(missing_docs)]

pub mod chat;
pub mod completions;
pub mod embeddings;
pub mod error;
pub mod event;
pub mod images;
pub mod json;
/// Hand-written JSON for [`ChatCompletion`] and [`ChatCompletionChunk`]: exactly the bytes
/// `serde_json::to_vec` writes, faster (keys are static byte literals, strings are escaped in
/// runs), because the gateway serialises one for every response and stream chunk.
pub mod json_write;
pub mod params;
pub mod rerank;
pub mod response;
pub mod response_format;
pub mod secret;

pub use chat::{
    CacheControl, ChatCompletionRequest, ChatMessage, ContentPart, FileRef, FunctionCall,
    FunctionDefinition, ImageUrl, JsonObject, MessageContent, Role, Stop, Tool, ToolCall,
    ToolChoice,
};
pub use error::{Error, ErrorKind, Result};
pub use event::StreamEvent;
pub use params::{AwsParams, AwsTag};
pub use response::{
    ChatCompletion, ChatCompletionChunk, Choice, ChunkChoice, Delta, FinishReason, ResponseMessage,
    ResponseMeta, Usage,
};
pub use response_format::ResponseFormat;
pub use secret::Secret;

//! Pure mapping between OpenAI-shaped requests/responses and Bedrock's wire shapes.
//!
//! One [`ProviderConfig`] implementation per model family turns an OpenAI-shaped request into
//! the parts of a Bedrock HTTP request, and Bedrock's bytes and stream events back into
//! OpenAI-shaped responses and chunks. [`ModelRoute`] parses LiteLLM model strings;
//! [`Registry`] picks the config for a route; [`capabilities`] is the embedded capability and
//! price table.
//!
//! What it must not do: any I/O. No sockets, files, clocks, randomness or environment reads;
//! no tokio, hyper or other network crate. Everything a mapping needs (ids, timestamps,
//! fetched media bytes) is passed in by the caller, so every mapping is replayable from
//! golden files.
#![deny(missing_docs)]

pub mod agents;
pub mod anthropic;
pub mod capabilities;
mod chunks;
pub mod config;
pub mod converse;
pub mod count_tokens;
pub mod embeddings;
pub mod encoding;
pub mod images;
pub mod invoke;
pub mod invoke_headers;
pub mod pyjson;
mod reasoning;
pub mod registry;
pub mod rerank;
pub mod route;
pub mod tokens;
pub mod tool_names;

pub use anthropic::AnthropicMessagesConfig;
pub use config::{
    EndpointKind, HttpMethod, HttpRequestParts, HttpResponseParts, MappedParams, PreparedRequest,
    ProviderConfig, ResponseContext, ResponseKind, ResponseState, StreamDecoder,
};
pub use converse::ConverseConfig;
pub use registry::{Registry, RouteKey};
pub use route::{Api, Arn, ArnKind, ModelFamily, ModelRoute};

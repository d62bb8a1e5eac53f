//! The client users call: OpenAI-shaped completions against Bedrock.
//!
//! [`Client`] composes the layers, each step its own function: route → config → map params →
//! transform (`bedrock-transform`) → region, endpoint, credentials and signing or bearer
//! (`bedrock-auth`) → I/O (`bedrock-transport`) → response transform, with `response_cost` from
//! the embedded price table.
//!
//! What it must not do: hold global mutable state (two clients with different credentials never
//! share anything but what they are given), or map any family's wire shape itself (that is
//! `bedrock-transform`'s job).
#![deny(missing_docs)]

mod client;
mod cost;
mod ids;
mod media;
mod stream;

pub use bedrock_transform as transform;
pub use bedrock_types as types;
pub use client::{
    Client, ClientBuilder, PassthroughRequest, add_usage, forwarded_header, passthrough_model_id,
};
pub use cost::{completion_cost, embedding_cost, image_cost};
pub use media::MediaFetchPolicy;
pub use stream::ChunkStream;

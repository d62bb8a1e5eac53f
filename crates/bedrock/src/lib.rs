//! The client users call: OpenAI-shaped completion, streaming, embeddings, images, rerank and
//! token counting against Bedrock.
//!
//! It composes the layers: route → [`bedrock_transform`] config → media pre-fetch → credentials
//! and signing (`bedrock-auth`) → I/O (`bedrock-transport`) → response or stream transform.
//!
//! What it must not do: hold global mutable state, or map any family's wire shape itself (that
//! is `bedrock-transform`'s job).
#![deny(missing_docs)]

pub use bedrock_transform as transform;
pub use bedrock_types as types;

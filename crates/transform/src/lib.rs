//! Pure mapping between OpenAI-shaped requests/responses and Bedrock's wire shapes.
//!
//! One [`ProviderConfig`] implementation per model family turns an OpenAI-shaped request into
//! the parts of a Bedrock HTTP request, and Bedrock's bytes and stream events back into
//! OpenAI-shaped responses and chunks.
//!
//! What it must not do: any I/O. No sockets, files, clocks, randomness or environment reads;
//! no tokio, hyper or other network crate. Everything a mapping needs (ids, timestamps,
//! fetched media bytes) is passed in by the caller, so every mapping is replayable from
//! golden files.
#![deny(missing_docs)]

pub mod capabilities;

//! An OpenAI-compatible gateway to Bedrock that reads LiteLLM proxy `config.yaml` files.
//!
//! [`Gateway::bind`] serves a [`Config`] over HTTP (hyper 1.x): `POST /v1/chat/completions`
//! (JSON or SSE), `/v1/completions`, `/v1/embeddings`, `/v1/images/generations`,
//! `/v1/rerank`, `GET /v1/models`, `/health/liveliness`, `/health/readiness` and `/metrics`.
//! Each request's `model` is a config `model_name`; the entry's `litellm_params` are the
//! defaults and credentials, and the request's own parameters win (LiteLLM's router rule).
//! One [`bedrock::Client`] serves every request, so the connection pool and the credentials
//! cache are shared.
//!
//! What it must not do: map any Bedrock wire shape itself (that is `bedrock-transform`'s job
//! through the client), copy a body twice, or buffer a stream.
#![deny(missing_docs)]

pub mod body;
pub mod chat;
pub mod cli;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod dry_run;
pub mod error;
pub mod handlers;
pub mod metrics;
pub mod models;
pub mod request;
pub mod server;
pub mod sse;

pub use config::{Config, ConfigError, Deployment};
pub use server::{DEFAULT_MAX_CONNECTIONS, Gateway, Options, StartError};

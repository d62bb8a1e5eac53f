//! `demo`: the gateway on the testkit's mock Bedrock, in one process, with no AWS account.
//!
//! The mock answers every route with canned replies shaped like the real service's (the
//! answer echoes your prompt), so chat, streaming, tools, embeddings, images, rerank and agents
//! all go through the real client, transform, signing and event-stream decoding.

use std::collections::HashMap;
use std::net::SocketAddr;

use bedrock_testkit::MockBedrock;

use crate::config::{Config, ConfigError, ProcessEnv};
use crate::server::{Gateway, Options, StartError};

/// The demo's config (`crates/gateway/examples/demo-config.yaml`).
pub const DEMO_CONFIG: &str = include_str!("../examples/demo-config.yaml");

/// The demo config, with passthrough of other `bedrock/...` names on.
pub fn demo_config() -> Result<Config, ConfigError> {
    let mut config = Config::parse_named(DEMO_CONFIG, "demo-config.yaml", &ProcessEnv)?;
    config.passthrough = true;
    Ok(config)
}

/// The environment the demo's client sees: the mock as every endpoint, fixed keys, no
/// instance metadata. Nothing from the real environment leaks in.
pub fn demo_env(mock_url: &str) -> HashMap<String, String> {
    [
        ("AWS_ENDPOINT_URL", mock_url),
        ("AWS_ACCESS_KEY_ID", "AKIDDEMO"),
        ("AWS_SECRET_ACCESS_KEY", "demo-secret"),
        ("AWS_REGION_NAME", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A running demo: the mock and the gateway in front of it.
#[derive(Debug)]
pub struct Demo {
    /// The mock Bedrock (canned answers).
    pub mock: MockBedrock,
    /// The gateway.
    pub gateway: Gateway,
}

/// Start the mock and the gateway on `addr`; `master_key` protects the API when given.
pub async fn start(addr: SocketAddr, master_key: Option<String>) -> Result<Demo, StartError> {
    let mock = MockBedrock::start()
        .await
        .map_err(|e| StartError::Bind(addr, e))?;
    mock.canned_answers();
    let mut config = demo_config().map_err(|e| {
        StartError::Client(bedrock_types::Error::new(
            bedrock_types::ErrorKind::Internal,
            e.to_string(),
        ))
    })?;
    config.general_settings.master_key = master_key.map(bedrock_types::Secret::new);
    let gateway = Gateway::bind_with(
        config,
        addr,
        Options {
            env: Some(demo_env(&mock.url())),
            ..Options::default()
        },
    )
    .await?;
    Ok(Demo { mock, gateway })
}

/// What to print once the demo is up.
pub fn instructions(url: &str, key: Option<&str>, models: &[&str]) -> String {
    let auth = key
        .map(|k| format!(" \\\n  -H 'Authorization: Bearer {k}'"))
        .unwrap_or_default();
    let api_key = key.unwrap_or("anything");
    format!(
        "bedrock-gateway demo: serving on {url} (mock Bedrock in-process, canned answers; no AWS \
         account needed)\n\
         models: {}\n\n\
         Try it:\n\
         curl {url}/v1/chat/completions -H 'Content-Type: application/json'{auth} \\\n  \
         -d '{{\"model\": \"claude-haiku\", \"messages\": [{{\"role\": \"user\", \"content\": \"what llm are you\"}}]}}'\n\n\
         curl -N {url}/v1/chat/completions -H 'Content-Type: application/json'{auth} \\\n  \
         -d '{{\"model\": \"claude-haiku\", \"stream\": true, \"messages\": [{{\"role\": \"user\", \"content\": \"hello\"}}]}}'\n\n\
         python3 -c 'from openai import OpenAI; c = OpenAI(base_url=\"{url}/v1\", api_key=\"{api_key}\"); \
         print(c.chat.completions.create(model=\"claude-haiku\", messages=[{{\"role\": \"user\", \"content\": \"hi\"}}]).choices[0].message.content)'\n\n\
         Metrics: {url}/metrics   Models: {url}/v1/models   Stop: Ctrl-C\n",
        models.join(", ")
    )
}

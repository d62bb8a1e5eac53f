//! What every example shares: the client it runs against.
//!
//! By default that is `Client::from_env()`: real AWS, with credentials, region and endpoints
//! resolved as LiteLLM resolves them. With `BEDROCK_EXAMPLES_MOCK=1` it is the testkit's mock
//! Bedrock on loopback instead: every request's SigV4 signature is checked, the replies recorded
//! in `examples/fixtures/<example>/` answer the example's calls (tool calls, reasoning,
//! citations, guardrail stops, agent traces, …), and canned echo answers cover the rest. The
//! tests in `tests/examples.rs` run every example this way.

// Each example uses a different part of this module.
#![allow(dead_code)]

use std::ops::Deref;
use std::path::PathBuf;

use bedrock::Client;
use bedrock::types::{Error, ErrorKind, Result};
use bedrock_auth::{Env, ProviderConfig};
use bedrock_testkit::credentials::FakeSts;
use bedrock_testkit::mock::MockBedrock;
use bedrock_testkit::sigv4::SigV4Verifier;
use bedrock_transport::{HttpTransport, ProxyConfig, TransportConfig};
use serde::de::DeserializeOwned;

/// The fake long-term keys the mock accepts (AWS's documentation example keys).
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Their secret.
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The region of the mock client.
pub const REGION: &str = "us-west-2";
/// The keys of the `dev-profile` profile the `profile` example's mock writes.
pub const PROFILE_ACCESS_KEY_ID: &str = "AKIDDEVPROFILE";
/// Their secret.
pub const PROFILE_SECRET_ACCESS_KEY: &str = "dev-profile-secret";
/// The bearer key the `bearer` example's mock accepts (the seed doc's placeholder).
pub const API_KEY: &str = "your-api-key";
/// The key the `internal_proxy` example's gateway accepts (the seed doc's `sk-1234`).
pub const PROXY_API_KEY: &str = "sk-1234";
/// What the testkit's fake STS hands out first: AssumeRole answers with these.
pub const STS_ACCESS_KEY_ID: &str = "ASIAFAKESTS0001";
/// Their secret.
pub const STS_SECRET_ACCESS_KEY: &str = "fake-sts-secret-1";
/// Their session token.
pub const STS_SESSION_TOKEN: &str = "fake-sts-token-1";

/// Whether `BEDROCK_EXAMPLES_MOCK=1`.
pub fn mock_mode() -> bool {
    std::env::var("BEDROCK_EXAMPLES_MOCK").is_ok_and(|v| v == "1")
}

/// The client for `example`: real AWS, or the mock (kept alive by the returned [`Mock`]).
pub async fn client(example: &str) -> Result<(Client, Option<Mock>)> {
    if mock_mode() {
        let (client, mock) = mock_client(example).await?;
        Ok((client, Some(mock)))
    } else {
        Ok((Client::from_env()?, None))
    }
}

/// JSON shaped like the Python call's keyword arguments, as a typed request.
pub fn request<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value)
        .map_err(|e| Error::new(ErrorKind::BadRequest, format!("not a valid request: {e}")))
}

/// A running mock Bedrock, and whatever else an example's mock needs (a fake STS, profile files).
pub struct Mock {
    /// The mock Bedrock (both runtimes).
    pub bedrock: MockBedrock,
    /// The fake STS (the `sts` example).
    pub sts: Option<FakeSts>,
    files: Option<TempDir>,
}

impl Deref for Mock {
    type Target = MockBedrock;

    fn deref(&self) -> &MockBedrock {
        &self.bedrock
    }
}

impl Mock {
    /// Where the `profile` example's config files are.
    pub fn files(&self) -> Option<&std::path::Path> {
        self.files.as_ref().map(|d| d.0.as_path())
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "bedrock-example-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(io_error)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Internal, format!("mock setup: {e}"))
}

/// The recorded replies for `example`.
pub fn fixtures_dir(example: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/fixtures")
        .join(example)
}

/// A mock Bedrock set up for `example` (SigV4 verification on, its fixtures, canned answers for
/// everything else) and a client that reaches it with fake keys and no other outside input.
pub async fn mock_client(example: &str) -> Result<(Client, Mock)> {
    let bedrock = MockBedrock::start().await.map_err(io_error)?;
    bedrock.canned_answers();
    let dir = fixtures_dir(example);
    if dir.is_dir() {
        bedrock
            .load_fixture_dir(&dir)
            .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
    }
    let url = bedrock.url();
    let mut env: Vec<(String, String)> = vec![
        ("AWS_REGION_NAME".into(), REGION.into()),
        ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME".into(), url.clone()),
        ("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME".into(), url),
    ];
    let keys = [
        ("AWS_ACCESS_KEY_ID".to_owned(), ACCESS_KEY_ID.to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            SECRET_ACCESS_KEY.to_owned(),
        ),
    ];
    let mut verifier = SigV4Verifier::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
    let mut sts = None;
    let mut files = None;
    match example {
        // No keys in the environment: only the named profile's keys can sign.
        "profile" => {
            let dir = TempDir::new(example)?;
            let config = dir.0.join("config");
            let credentials = dir.0.join("credentials");
            std::fs::write(
                &config,
                "[default]\nregion = us-west-2\n\n[profile dev-profile]\nregion = us-west-2\n",
            )
            .map_err(io_error)?;
            std::fs::write(
                &credentials,
                format!(
                    "[default]\naws_access_key_id = AKIDDEFAULTPROFILE\naws_secret_access_key = default-secret\n\n\
                     [dev-profile]\naws_access_key_id = {PROFILE_ACCESS_KEY_ID}\naws_secret_access_key = {PROFILE_SECRET_ACCESS_KEY}\n"
                ),
            )
            .map_err(io_error)?;
            env.push(("AWS_CONFIG_FILE".into(), config.display().to_string()));
            env.push((
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                credentials.display().to_string(),
            ));
            verifier = SigV4Verifier::new(PROFILE_ACCESS_KEY_ID, PROFILE_SECRET_ACCESS_KEY);
            files = Some(dir);
        }
        // The environment's keys call AssumeRole on a fake STS; only the role's keys can sign.
        "sts" => {
            let fake = FakeSts::start().await.map_err(io_error)?;
            env.extend(keys);
            env.push(("AWS_STS_ENDPOINT".into(), fake.url()));
            verifier = SigV4Verifier::new(STS_ACCESS_KEY_ID, STS_SECRET_ACCESS_KEY)
                .with_session_token(STS_SESSION_TOKEN);
            sts = Some(fake);
        }
        // The keys arrive as call parameters only.
        "credentials_params" => {}
        "bearer" => {
            env.extend(keys);
            bedrock.require_bearer(API_KEY);
        }
        "internal_proxy" => {
            env.extend(keys);
            bedrock.require_bearer(PROXY_API_KEY);
        }
        // The default runtime endpoint goes nowhere: only the call's endpoint reaches the mock.
        "custom_endpoint" => {
            env.extend(keys);
            env.retain(|(k, _)| k != "AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
            env.push((
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".into(),
                "http://127.0.0.1:9".into(),
            ));
        }
        _ => env.extend(keys),
    }
    bedrock.require_sigv4(verifier);
    let transport = HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..TransportConfig::default()
    })?;
    let client = Client::builder()
        .transport(transport.clone())
        .provider_config(ProviderConfig::new(Env::from_map(env), transport))
        .build()?;
    Ok((
        client,
        Mock {
            bedrock,
            sts,
            files,
        },
    ))
}

//! `mock-bedrock`: the testkit's mock Bedrock as a standalone server on loopback.
//!
//! ```text
//! mock-bedrock [--port 0] [--fixtures DIR] [--api-key TOKEN] [--sigv4 AKID:SECRET] [--no-canned]
//! ```
//! Prints the URL on the first line of stdout, then serves until killed. Fixtures are loaded
//! first; canned answers (echoing the last user message) cover every route no fixture names.

use std::process::ExitCode;

use bedrock_testkit::{MockBedrock, SigV4Verifier};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-bedrock: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let mut port = 0u16;
    let mut fixtures = None;
    let mut api_key = None;
    let mut sigv4 = None;
    let mut canned = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: expected a port number ({e})"))?;
            }
            "--fixtures" => fixtures = Some(value("--fixtures")?),
            "--api-key" => api_key = Some(value("--api-key")?),
            "--sigv4" => sigv4 = Some(value("--sigv4")?),
            "--no-canned" => canned = false,
            "-h" | "--help" => {
                println!(
                    "mock-bedrock [--port 0] [--fixtures DIR] [--api-key TOKEN] [--sigv4 AKID:SECRET] [--no-canned]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    let mock = MockBedrock::start_on(port)
        .await
        .map_err(|e| format!("cannot bind 127.0.0.1:{port}: {e}"))?;
    if let Some(dir) = fixtures {
        let n = mock.load_fixture_dir(&dir).map_err(|e| e.to_string())?;
        eprintln!("loaded {n} fixtures from {dir}");
    }
    if canned {
        mock.canned_answers();
    }
    // A standalone mock serves load tests: remember only the last requests.
    mock.set_record_limit(1000);
    if let Some(token) = api_key {
        mock.require_bearer(&token);
    }
    if let Some(keys) = sigv4 {
        let (akid, secret) = keys
            .split_once(':')
            .ok_or("--sigv4: expected AKID:SECRET")?;
        mock.require_sigv4(SigV4Verifier::new(akid, secret));
    }
    println!("{}", mock.url());
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("waiting for ctrl-c: {e}"))?;
    Ok(())
}

//! `bedrock-gateway`: serve, demo, chat, dry-run (see `bedrock-gateway --help`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    bedrock_gateway::cli::main(std::env::args().skip(1)).await
}

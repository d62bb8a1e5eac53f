//! `bedrock-gateway`: serve, demo, chat, dry-run (see `bedrock-gateway --help`).

use std::process::ExitCode;

// Many small, short-lived allocations per request (JSON values, headers, chunks): mimalloc
// serves them with less CPU and less fragmentation than glibc's allocator under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    bedrock_gateway::cli::main(std::env::args().skip(1)).await
}

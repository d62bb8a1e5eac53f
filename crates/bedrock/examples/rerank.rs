//! Rerank API: Bedrock's agent-runtime Rerank, in Cohere's `/rerank` shape.
//!
//! ```python
//! response = rerank(
//!     model="bedrock/amazon.rerank-v1:0",
//!     query="What is the capital of the United States?",
//!     documents=[
//!         "Carson City is the capital city of the American state of Nevada.",
//!         "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
//!         "Washington, D.C. is the capital of the United States.",
//!     ],
//!     top_n=3,
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example rerank` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::Result;
use bedrock::types::rerank::RerankRequest;
use serde_json::json;

/// The call; one `index score` line per result, best first.
pub async fn run(client: &Client) -> Result<String> {
    let request: RerankRequest = common::request(json!({
        "model": "bedrock/amazon.rerank-v1:0",
        "query": "What is the capital of the United States?",
        "documents": [
            "Carson City is the capital city of the American state of Nevada.",
            "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
            "Washington, D.C. is the capital of the United States.",
        ],
        "top_n": 3,
    }))?;
    let response = client.rerank(request).await?;
    Ok(response
        .results
        .iter()
        .map(|r| format!("{} {:.4}", r.index, r.relevance_score))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("rerank").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

//! Usage - Structured Output / JSON mode: `response_format` from a Rust type, the way
//! `response_format=EventsList` takes a pydantic model in Python. Claude answers through a
//! forced tool; the JSON arrives as `message.content`.
//!
//! ```python
//! class CalendarEvent(BaseModel):
//!   name: str
//!   date: str
//!   participants: list[str]
//!
//! class EventsList(BaseModel):
//!     events: list[CalendarEvent]
//!
//! response = completion(
//!   model="bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0",
//!   response_format=EventsList,
//!   messages=[
//!     {"role": "system", "content": "You are a helpful assistant designed to output JSON."},
//!     {"role": "user", "content": "Who won the world series in 2020?"}
//!   ],
//! )
//! ```
//!
//! Run: `cargo run -p bedrock --example structured_output` (`BEDROCK_EXAMPLES_MOCK=1`: the mock).

#[path = "common/mod.rs"]
mod common;

use bedrock::Client;
use bedrock::types::{
    ChatCompletionRequest, ChatMessage, Error, ErrorKind, ResponseFormat, Result,
};
use schemars::JsonSchema;
use serde::Deserialize;

/// One event.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CalendarEvent {
    /// What.
    pub name: String,
    /// When.
    pub date: String,
    /// Who.
    pub participants: Vec<String>,
}

/// The answer's shape.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EventsList {
    /// The events.
    pub events: Vec<CalendarEvent>,
}

/// The seed call; the answer parsed back into [`EventsList`].
pub async fn run(client: &Client) -> Result<String> {
    let mut request = ChatCompletionRequest::new(
        "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0",
        vec![
            ChatMessage::system("You are a helpful assistant designed to output JSON."),
            ChatMessage::user("Who won the world series in 2020?"),
        ],
    );
    request.response_format = Some(ResponseFormat::json_schema_for::<EventsList>());
    let response = client.completion(request).await?;
    let content = response.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default();
    let parsed: EventsList = serde_json::from_str(&content).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("the answer is not an EventsList: {e}"),
        )
    })?;
    Ok(format!("{content}\nparsed: {parsed:?}"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("structured_output").await?;
    println!("{}", run(&client).await?);
    Ok(())
}

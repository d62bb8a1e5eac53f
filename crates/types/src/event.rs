//! One decoded `application/vnd.amazon.eventstream` message, as handed from transport to
//! transform.
//!
//! Transport checks both CRCs, parses the headers and turns exception/error frames into
//! [`crate::Error`]s; what reaches a stream decoder is only ever an event: its `:event-type` and
//! its payload bytes (JSON for every Bedrock event).

use bytes::Bytes;

/// A decoded event-stream event (`:message-type = event`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    /// The `:event-type` header: `messageStart`, `contentBlockDelta`, `chunk`, `trace`, …
    pub event_type: String,
    /// The payload bytes (JSON for every Bedrock event).
    pub payload: Bytes,
}

impl StreamEvent {
    /// A new event.
    pub fn new(event_type: impl Into<String>, payload: impl Into<Bytes>) -> Self {
        StreamEvent {
            event_type: event_type.into(),
            payload: payload.into(),
        }
    }
}

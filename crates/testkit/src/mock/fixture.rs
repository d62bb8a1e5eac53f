//! Recorded replies on disk: one JSON file names the route it answers and holds the response.
//!
//! ```json
//! {
//!   "route": {"operation": "converse", "model": "anthropic.claude-3-haiku-20240307-v1:0"},
//!   "times": 1,
//!   "response": {"status": 200, "headers": {"x-amzn-requestid": "abc"}, "body": {"output": {}}}
//! }
//! ```
//! or, for streams, `"stream": [...]` with entries `{"event": "messageStart", "payload": {...}}`,
//! `{"chunk": {...model-native JSON...}}` (wrapped as `{"bytes": base64}` like invoke streams),
//! `{"agent_text": "..."}`, `{"exception": "throttlingException", "message": "..."}` or
//! `{"error": "code", "message": "..."}`, and optional `"faults"` (`latency_ms`, `split_every`,
//! `cut_short_after`, `stall_after`, `reset`, `corrupt_crc_at`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::reply::Reply;
use super::route::RouteMatch;
use crate::eventstream::Frame;

/// A fixture file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Which requests it answers.
    pub route: RouteMatch,
    /// Answer this many times, then fall through (absent: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<usize>,
    /// A whole response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<FixtureResponse>,
    /// An event stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Vec<FixtureEvent>>,
    /// Extra headers on a stream response.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stream_headers: BTreeMap<String, String>,
    /// Faults to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<FixtureFaults>,
}

/// A whole (non-stream) response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureResponse {
    /// Status (default 200).
    #[serde(default = "ok_status")]
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    #[serde(default)]
    pub body: Value,
}

fn ok_status() -> u16 {
    200
}

/// One entry of a fixture stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FixtureEvent {
    /// A model-native invoke chunk, sent as `{"bytes": base64}`.
    Chunk {
        /// The native JSON.
        chunk: Value,
    },
    /// Agent answer text, sent as a `chunk` event with base64 text.
    AgentText {
        /// The text.
        agent_text: String,
    },
    /// A modeled exception frame.
    Exception {
        /// `:exception-type` (`throttlingException`, …).
        exception: String,
        /// The message.
        message: String,
    },
    /// An unmodeled error frame.
    Error {
        /// `:error-code`.
        error: String,
        /// `:error-message`.
        message: String,
    },
    /// A named event (`messageStart`, `trace`, …) with its JSON payload.
    Event {
        /// `:event-type`.
        event: String,
        /// The payload.
        payload: Value,
    },
}

impl FixtureEvent {
    /// The frame this entry is sent as.
    pub fn frame(&self) -> Frame {
        match self {
            FixtureEvent::Chunk { chunk } => Frame::invoke_chunk(chunk),
            FixtureEvent::AgentText { agent_text } => Frame::agent_text(agent_text),
            FixtureEvent::Exception { exception, message } => Frame::exception(exception, message),
            FixtureEvent::Error { error, message } => Frame::error(error, message),
            FixtureEvent::Event { event, payload } => Frame::event(event, payload),
        }
    }
}

/// Faults a fixture asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureFaults {
    /// Delay before the response head, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Write the body this many bytes at a time.
    #[serde(default)]
    pub split_every: Option<usize>,
    /// Drop the connection after this many body bytes.
    #[serde(default)]
    pub cut_short_after: Option<usize>,
    /// Stop writing after this many body bytes and hold the connection open.
    #[serde(default)]
    pub stall_after: Option<usize>,
    /// Close the connection without answering.
    #[serde(default)]
    pub reset: bool,
    /// Corrupt the message CRC of the stream frame at this index.
    #[serde(default)]
    pub corrupt_crc_at: Option<usize>,
}

/// A fixture that cannot be read or makes no sense.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read fixture {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The JSON is not a fixture.
    #[error("fixture {path} is not valid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the JSON path.
        message: String,
    },
    /// Neither or both of `response` and `stream`.
    #[error("a fixture needs exactly one of `response` or `stream`")]
    Shape,
}

impl Fixture {
    /// Read one fixture file.
    pub fn read(path: &Path) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.to_owned(),
            source,
        })?;
        let de = &mut serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(de).map_err(|e| FixtureError::Invalid {
            path: path.to_owned(),
            message: format!("at `{}`: {}", e.path(), e.inner()),
        })
    }

    /// Read every `*.json` file of `dir`, sorted by file name.
    pub fn read_dir(dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
        let io = |source| FixtureError::Io {
            path: dir.to_owned(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| Fixture::read(p)).collect()
    }

    /// The reply this fixture describes.
    pub fn reply(&self) -> Result<Reply, FixtureError> {
        let mut reply = match (&self.response, &self.stream) {
            (Some(r), None) => {
                let mut reply = Reply::json(r.status, &r.body);
                for (k, v) in &r.headers {
                    reply = reply.with_header(k, v);
                }
                reply
            }
            (None, Some(events)) => {
                let corrupt = self.faults.as_ref().and_then(|f| f.corrupt_crc_at);
                let frames = events
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let f = e.frame();
                        if corrupt == Some(i) {
                            f.with_corrupt_crc()
                        } else {
                            f
                        }
                    })
                    .collect();
                let mut reply = Reply::stream(frames);
                if events
                    .iter()
                    .any(|e| matches!(e, FixtureEvent::Chunk { .. }))
                {
                    reply = reply.with_header("x-amzn-bedrock-content-type", "application/json");
                }
                for (k, v) in &self.stream_headers {
                    reply = reply.with_header(k, v);
                }
                reply
            }
            _ => return Err(FixtureError::Shape),
        };
        if let Some(f) = &self.faults {
            reply = reply.with_latency(Duration::from_millis(f.latency_ms));
            if let Some(n) = f.split_every {
                reply = reply.split_every(n);
            }
            if let Some(n) = f.cut_short_after {
                reply = reply.cut_short_after(n);
            }
            if let Some(n) = f.stall_after {
                reply = reply.stall_after(n);
            }
            if f.reset {
                reply.ending = super::reply::Ending::Reset;
            }
        }
        Ok(reply)
    }
}

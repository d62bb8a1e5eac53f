//! Which Bedrock operation a raw request path names.

use serde::{Deserialize, Serialize};

use crate::sigv4::percent_decode;

/// A Bedrock operation the mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// `POST /model/{id}/converse`.
    Converse,
    /// `POST /model/{id}/converse-stream`.
    ConverseStream,
    /// `POST /model/{id}/invoke`.
    Invoke,
    /// `POST /model/{id}/invoke-with-response-stream`.
    InvokeWithResponseStream,
    /// `POST /model/{id}/count-tokens`.
    CountTokens,
    /// `POST /agents/{agent}/agentAliases/{alias}/sessions/{session}/text` (agent runtime).
    InvokeAgent,
    /// `POST /rerank` (agent runtime).
    Rerank,
    /// `POST /knowledgebases/{id}/retrieve` (agent runtime).
    Retrieve,
}

impl Operation {
    /// Whether the reply is an event stream.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Operation::ConverseStream
                | Operation::InvokeWithResponseStream
                | Operation::InvokeAgent
        )
    }

    /// Whether the operation belongs to `bedrock-agent-runtime` (SigV4 only, no bearer keys).
    pub fn is_agent_runtime(self) -> bool {
        matches!(
            self,
            Operation::InvokeAgent | Operation::Rerank | Operation::Retrieve
        )
    }
}

/// A parsed request path: the operation and its labels, each percent-decoded exactly once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The operation.
    pub operation: Operation,
    /// The model id (`/model/{id}/…`), or the agent id, or the knowledge base id.
    pub id: Option<String>,
    /// Agent alias id (InvokeAgent).
    pub alias_id: Option<String>,
    /// Session id (InvokeAgent).
    pub session_id: Option<String>,
}

impl Route {
    /// Parse `POST` paths of both runtimes; `None` for anything else.
    pub fn parse(raw_path: &str) -> Option<Route> {
        let segments: Vec<&str> = raw_path.strip_prefix('/')?.split('/').collect();
        let route = |operation, id: Option<&str>, alias: Option<&str>, session: Option<&str>| {
            Some(Route {
                operation,
                id: id.map(percent_decode),
                alias_id: alias.map(percent_decode),
                session_id: session.map(percent_decode),
            })
        };
        match segments.as_slice() {
            ["model", id, op] if !id.is_empty() => {
                let operation = match *op {
                    "converse" => Operation::Converse,
                    "converse-stream" => Operation::ConverseStream,
                    "invoke" => Operation::Invoke,
                    "invoke-with-response-stream" => Operation::InvokeWithResponseStream,
                    "count-tokens" => Operation::CountTokens,
                    _ => return None,
                };
                route(operation, Some(id), None, None)
            }
            [
                "agents",
                agent,
                "agentAliases",
                alias,
                "sessions",
                session,
                "text",
            ] => route(
                Operation::InvokeAgent,
                Some(agent),
                Some(alias),
                Some(session),
            ),
            ["rerank"] => route(Operation::Rerank, None, None, None),
            ["knowledgebases", kb, "retrieve"] => route(Operation::Retrieve, Some(kb), None, None),
            _ => None,
        }
    }
}

/// Which requests a rule answers: any of its unset parts matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteMatch {
    /// The operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// The decoded model (or agent / knowledge base) id.
    #[serde(
        default,
        alias = "model",
        alias = "model_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
}

impl RouteMatch {
    /// Every request.
    pub fn any() -> Self {
        RouteMatch::default()
    }

    /// Every request for `operation`.
    pub fn operation(operation: Operation) -> Self {
        RouteMatch {
            operation: Some(operation),
            id: None,
        }
    }

    /// `operation` on model (or agent) `id`, compared after decoding the path label.
    pub fn model(operation: Operation, id: &str) -> Self {
        RouteMatch {
            operation: Some(operation),
            id: Some(id.to_owned()),
        }
    }

    /// Whether `route` is one of these.
    pub fn matches(&self, route: &Route) -> bool {
        self.operation.is_none_or(|op| op == route.operation)
            && self
                .id
                .as_deref()
                .is_none_or(|id| route.id.as_deref() == Some(id))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn labels_are_decoded_exactly_once() {
        let r = Route::parse("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse").unwrap();
        assert_eq!(r.operation, Operation::Converse);
        assert_eq!(
            r.id.as_deref(),
            Some(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
            )
        );
        // A label that was encoded twice stays encoded once.
        let r = Route::parse("/model/a%253Ab/invoke").unwrap();
        assert_eq!(r.id.as_deref(), Some("a%3Ab"));
        // A raw `/` splits the label: not a route, as on the real service.
        assert!(
            Route::parse("/model/arn:aws:bedrock:us-east-1:1:inference-profile/x/converse")
                .is_none()
        );
    }

    #[test]
    fn agent_runtime_routes_parse() {
        let r = Route::parse("/agents/AG1/agentAliases/AL1/sessions/s%3A1/text").unwrap();
        assert_eq!(r.operation, Operation::InvokeAgent);
        assert_eq!(r.session_id.as_deref(), Some("s:1"));
        assert_eq!(
            Route::parse("/rerank").unwrap().operation,
            Operation::Rerank
        );
        let kb = Route::parse("/knowledgebases/KB1/retrieve").unwrap();
        assert_eq!(
            (kb.operation, kb.id.as_deref()),
            (Operation::Retrieve, Some("KB1"))
        );
        assert!(Route::parse("/model/x/unknown").is_none());
    }
}

//! Native Bedrock requests relayed as they are: LiteLLM proxy's `/bedrock/{path}`
//! pass-through. The caller's body goes to the runtime (`/model/…`, `/guardrail/…`,
//! `/async-invoke`) or the agent runtime (`/agents/…`, `/knowledgebases/…`, `/flows/…`,
//! `/retrieveAndGenerate…`, `/rerank`, …), signed with the resolved credentials and region; the
//! reply (status, headers, body bytes) comes back untouched, streamed as it arrives.

use bedrock_auth::AuthContext;
use bedrock_transport::RawStream;
use bedrock_types::{AwsParams, Error, ErrorKind, Result};
use bytes::Bytes;

use super::{Client, merge_defaults};

/// One native request to relay.
#[derive(Debug, Clone)]
pub struct PassthroughRequest {
    /// `POST` (every model operation) or `GET` (`/async-invoke` listings, say).
    pub method: http::Method,
    /// Bedrock's path and query, e.g. `/model/anthropic.claude-3-haiku-20240307-v1:0/converse`.
    pub path_and_query: String,
    /// Headers to pass on: `content-type`, `accept` and Bedrock's own `x-amzn-bedrock-*`
    /// (anything else the caller sent, its `authorization` above all, stays behind).
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Bytes,
    /// Credentials, region and endpoint overrides; unset ones come from the client's defaults
    /// and the environment.
    pub aws: AwsParams,
}

/// Which Bedrock endpoint a native path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Runtime,
    AgentRuntime,
}

fn service_of(path: &str) -> Option<Service> {
    let first = path.trim_start_matches('/').split(['/', '?']).next()?;
    match first {
        "model" | "guardrail" | "async-invoke" => Some(Service::Runtime),
        "agents"
        | "knowledgebases"
        | "flows"
        | "retrieveAndGenerate"
        | "retrieveAndGenerateStream"
        | "rerank"
        | "generateQuery"
        | "optimize-prompt"
        | "sessions" => Some(Service::AgentRuntime),
        _ => None,
    }
}

/// The model id of a `/model/{id}/…` path, percent-decoded (its ARN may name the region).
pub fn model_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/model/")?;
    let id = rest.split(['/', '?']).next()?;
    Some(percent_decode(id))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The headers a relayed request may carry to Bedrock.
pub fn forwarded_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "content-type" || name == "accept" || name.starts_with("x-amzn-bedrock-")
}

impl Client {
    /// Relay a native Bedrock request (the gateway's `/bedrock/{path}`): signed here, sent
    /// once, answered with Bedrock's status, headers and bytes as they arrive. A path that is
    /// neither a runtime nor an agent-runtime operation is a 400 naming it.
    pub async fn passthrough(
        &self,
        mut request: PassthroughRequest,
    ) -> Result<http::Response<RawStream>> {
        merge_defaults(&mut request.aws, &self.inner.defaults);
        let path = request.path_and_query.as_str();
        let service = service_of(path).ok_or_else(|| {
            Error::invalid_field(
                "path",
                format_args!(
                    "a Bedrock runtime path (`/model/…`, `/guardrail/…`, `/async-invoke`) or \
                     agent-runtime path (`/agents/…`, `/knowledgebases/…`, `/flows/…`, \
                     `/retrieveAndGenerate`, `/rerank`, …), got `{path}`"
                ),
            )
        })?;
        let model = model_of(path);
        let region = bedrock_auth::resolve_region(
            &request.aws,
            None,
            model.as_deref(),
            &self.inner.provider_config,
        )?
        .region;
        let env = self.inner.provider_config.env();
        let endpoint = match service {
            Service::Runtime => bedrock_auth::resolve_runtime_endpoint(&request.aws, &region, env)?,
            Service::AgentRuntime => {
                bedrock_auth::resolve_agent_runtime_endpoint(&request.aws, &region, env)?
            }
        };
        let url = endpoint.url(path);
        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(&url);
        let mut has_type = false;
        for (name, value) in request.headers.iter().filter(|(n, _)| forwarded_header(n)) {
            has_type |= name.eq_ignore_ascii_case("content-type");
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !has_type && !request.body.is_empty() {
            builder = builder.header(http::header::CONTENT_TYPE, "application/json");
        }
        let mut http_request = builder.body(request.body).map_err(|e| {
            Error::new(
                ErrorKind::BadRequest,
                format!("cannot build a request for `{url}`: {e}"),
            )
            .with_param("path")
        })?;
        let ctx = AuthContext {
            params: &request.aws,
            region: &region,
            service: "bedrock",
        };
        self.inner
            .authorizer
            .authorize(&mut http_request, &ctx)
            .await?;
        self.inner.transport.send_raw_stream(http_request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pick_their_endpoint() {
        assert_eq!(service_of("/model/x/converse"), Some(Service::Runtime));
        assert_eq!(
            service_of("/guardrail/g/version/1/apply"),
            Some(Service::Runtime)
        );
        assert_eq!(
            service_of("/async-invoke?maxResults=2"),
            Some(Service::Runtime)
        );
        assert_eq!(
            service_of("/knowledgebases/kb/retrieve"),
            Some(Service::AgentRuntime)
        );
        assert_eq!(service_of("/rerank"), Some(Service::AgentRuntime));
        assert_eq!(service_of("/foundation-models"), None);
        assert_eq!(service_of("/"), None);
    }

    #[test]
    fn the_model_id_is_decoded() {
        assert_eq!(
            model_of("/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A1%3Ainference-profile%2Fp/converse")
                .as_deref(),
            Some("arn:aws:bedrock:eu-west-1:1:inference-profile/p")
        );
        assert_eq!(model_of("/agents/a/agentAliases/b/sessions/s/text"), None);
    }

    #[test]
    fn only_bedrock_headers_are_forwarded() {
        assert!(forwarded_header("Content-Type"));
        assert!(forwarded_header("x-amzn-bedrock-guardrailidentifier"));
        assert!(!forwarded_header("authorization"));
        assert!(!forwarded_header("x-litellm-api-key"));
    }
}

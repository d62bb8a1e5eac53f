//! TwelveLabs Pegasus (`twelvelabs.pegasus-1-2-v1:0`, `us.`/`eu.` profiles): video in, text out,
//! LiteLLM's `AmazonTwelveLabsPegasusConfig`.
//!
//! ```text
//! {"inputPrompt": "user: Describe the video", "mediaSource": {"s3Location": {"uri", "bucketOwner"}}
//!  | {"base64String": "…"}, "temperature", "maxOutputTokens", "responseFormat": {"jsonSchema": {…}}}
//! ```
//!
//! The prompt is `role: text` per message, joined by newlines (list contents joined by spaces,
//! media parts as `<image>`/`<video>`/`<audio>`). The video comes from the `mediaSource` provider
//! param (or LiteLLM's aliases `media_source`, `video_base64`/`base64_string`,
//! `video_s3_uri`/`s3_uri`/`media_source_s3_uri` with `video_s3_bucket_owner`/`s3_bucket_owner`/
//! `media_source_bucket_owner`). The reply is `{"message", "finishReason"}`; usage only comes from
//! the `x-amzn-bedrock-input/output-token-count` headers.
//!
//! Where this differs from LiteLLM 1.103.7, on purpose:
//! - without a media source param, the first `video_url`/`file` part with an `s3://` URI or a
//!   base64 data URL is the media source; with none at all the call fails here naming
//!   `mediaSource` (Bedrock would refuse it);
//! - `response_format: json_object` is refused and `text` is omitted (LiteLLM forwards both
//!   verbatim, which Bedrock rejects);
//! - `stream` is accepted (LiteLLM never validates it and sends the same body to
//!   `invoke-with-response-stream`); chunks carrying `message` text are decoded, so a stream that
//!   arrives as one whole reply becomes a single content chunk plus the finish chunk.

use bedrock_types::chat::{ContentPart, JsonObject, MessageContent};
use bedrock_types::response::{Delta, ResponseMeta};
use bedrock_types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Choice, Error,
    FinishReason, ResponseFormat, ResponseMessage, Result, StreamEvent, Usage,
};
use serde_json::{Map, Value, json};

use super::common::{
    bad_reply, body_bytes, decode_chunk, finish_reason, invoke_parts, json_body, split_params,
    usage_from_headers, usage_from_metrics, with_unvalidated,
};
use crate::config::{
    HttpResponseParts, MappedParams, PreparedRequest, ProviderConfig, ResponseContext,
    ResponseState, StreamDecoder, check_supported,
};
use crate::route::ModelRoute;

const FAMILY: &str = "TwelveLabs Pegasus";

/// Provider params LiteLLM reads as the media source (consumed, never forwarded).
const MEDIA_KEYS: &[&str] = &[
    "mediaSource",
    "media_source",
    "video_base64",
    "base64_string",
    "video_s3_uri",
    "s3_uri",
    "media_source_s3_uri",
    "video_s3_bucket_owner",
    "s3_bucket_owner",
    "media_source_bucket_owner",
];

/// TwelveLabs Pegasus on InvokeModel.
#[derive(Debug, Clone, Copy, Default)]
pub struct PegasusInvokeConfig;

impl ProviderConfig for PegasusInvokeConfig {
    fn name(&self) -> &'static str {
        "twelvelabs_pegasus"
    }

    fn supported_openai_params(&self, _route: &ModelRoute) -> Vec<&'static str> {
        with_unvalidated(vec![
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "response_format",
        ])
    }

    fn map_params(&self, route: &ModelRoute, req: &ChatCompletionRequest) -> Result<MappedParams> {
        let dropped = check_supported(&self.supported_openai_params(route), req)?;
        let on = |n: &str| !dropped.iter().any(|d| d == n);
        let mut p = Map::new();
        if let Some(t) = req.temperature.filter(|_| on("temperature")) {
            p.insert("temperature".to_owned(), json!(t));
        }
        if let Some(max) = req
            .max_completion_tokens
            .filter(|_| on("max_completion_tokens"))
            .or(req.max_tokens.filter(|_| on("max_tokens")))
        {
            p.insert("maxOutputTokens".to_owned(), json!(max));
        }
        match req
            .response_format
            .as_ref()
            .filter(|_| on("response_format"))
        {
            None | Some(ResponseFormat::Text) => {}
            Some(ResponseFormat::JsonObject) => {
                return Err(Error::invalid_field(
                    "response_format",
                    "`json_schema` with a schema (Pegasus has no schema-less JSON mode)",
                ));
            }
            Some(ResponseFormat::JsonSchema { json_schema }) => {
                let schema = json_schema
                    .schema
                    .clone()
                    .ok_or_else(|| Error::missing_field("response_format.json_schema.schema"))?;
                p.insert("responseFormat".to_owned(), json!({ "jsonSchema": schema }));
            }
        }
        let (headers, rest) = split_params(req)?;
        for (k, v) in rest {
            if !MEDIA_KEYS.contains(&k.as_str()) {
                p.insert(k, v);
            }
        }
        Ok(MappedParams {
            params: p,
            dropped,
            headers,
            ..MappedParams::default()
        })
    }

    fn transform_request(
        &self,
        route: &ModelRoute,
        req: &ChatCompletionRequest,
        params: MappedParams,
    ) -> Result<PreparedRequest> {
        let mut body = JsonObject::new();
        body.insert(
            "inputPrompt".to_owned(),
            json!(input_prompt(&req.messages)?),
        );
        body.insert("mediaSource".to_owned(), media_source(req)?);
        let mut p = params.params;
        for key in ["temperature", "maxOutputTokens", "responseFormat"] {
            if let Some(v) = p.shift_remove(key) {
                body.insert(key.to_owned(), v);
            }
        }
        for (k, v) in p {
            body.insert(k, v);
        }
        let bytes = body_bytes(&Value::Object(body), FAMILY)?;
        let http = invoke_parts(route, req, bytes, params.headers);
        Ok(PreparedRequest {
            http,
            state: ResponseState::for_request(route, req, params.tool_names, params.json_mode),
        })
    }

    fn transform_response(
        &self,
        ctx: &ResponseContext,
        response: HttpResponseParts<'_>,
    ) -> Result<ChatCompletion> {
        let body = json_body(FAMILY, &response)?;
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_reply(FAMILY, "no `message` text"))?;
        let finish = body
            .get("finishReason")
            .and_then(Value::as_str)
            .map(finish_reason)
            .unwrap_or(FinishReason::Stop);
        Ok(ChatCompletion {
            id: ctx.id.clone(),
            created: ctx.created,
            model: ctx.state.model.clone(),
            object: "chat.completion".to_owned(),
            system_fingerprint: None,
            choices: vec![Choice {
                finish_reason: Some(finish),
                index: 0,
                message: ResponseMessage::text(message),
                extra: Map::new(),
            }],
            usage: usage_from_headers(&response),
            service_tier: None,
            extra: Map::new(),
            meta: ResponseMeta {
                request_id: response
                    .header(crate::config::REQUEST_ID_HEADER)
                    .map(str::to_owned),
                ..ResponseMeta::default()
            },
        })
    }

    fn stream_decoder(&self, ctx: ResponseContext) -> Box<dyn StreamDecoder> {
        Box::new(PegasusStreamDecoder {
            ctx,
            sent_role: false,
            finished: false,
            usage: None,
        })
    }
}

/// `role: text` lines joined by `\n` (LiteLLM's `_convert_messages_to_prompt`).
fn input_prompt(messages: &[ChatMessage]) -> Result<String> {
    if messages.is_empty() {
        return Err(Error::missing_field("messages"));
    }
    let mut lines = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let content = match &m.content {
            None => String::new(),
            Some(MessageContent::Text(t)) => t.clone(),
            Some(MessageContent::Parts(parts)) => {
                let mut frags: Vec<&str> = Vec::with_capacity(parts.len());
                for (j, p) in parts.iter().enumerate() {
                    frags.push(match p {
                        ContentPart::Text { text, .. } | ContentPart::GuardedText { text } => text,
                        ContentPart::ImageUrl { .. } => "<image>",
                        ContentPart::VideoUrl { .. } | ContentPart::File { .. } => "<video>",
                        ContentPart::InputAudio { .. } => "<audio>",
                        ContentPart::Refusal { refusal } => refusal,
                        _ => {
                            return Err(Error::invalid_field(
                                format!("messages[{i}].content[{j}]"),
                                "a text or media part",
                            ));
                        }
                    });
                }
                frags.join(" ")
            }
        };
        lines.push(format!("{}: {content}", m.role.as_str()));
    }
    Ok(lines.join("\n").trim().to_owned())
}

fn str_param<'a>(req: &'a ChatCompletionRequest, keys: &[&str]) -> Option<(&'a str, String)> {
    keys.iter().find_map(|k| {
        req.provider_params
            .get(*k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| (s, (*k).to_owned()))
    })
}

/// LiteLLM's `get_base64_str`: the data of a data URL, else the string as is.
fn base64_of(s: &str) -> &str {
    match s.strip_prefix("data:").and_then(|r| r.split_once(',')) {
        Some((_, data)) => data,
        None => s,
    }
}

fn check_media_source(v: &Value, field: &str) -> Result<Value> {
    let expected = "`{\"s3Location\": {\"uri\": \"s3://…\", \"bucketOwner\": \"<account id>\"}}` or `{\"base64String\": \"…\"}`";
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid_field(field, expected))?;
    match (obj.get("s3Location"), obj.get("base64String")) {
        (Some(loc), None) => {
            let uri = loc.get("uri").and_then(Value::as_str).ok_or_else(|| {
                Error::invalid_field(format!("{field}.s3Location.uri"), "an `s3://` URI string")
            })?;
            if !uri.starts_with("s3://") {
                return Err(Error::invalid_field(
                    format!("{field}.s3Location.uri"),
                    format_args!("an `s3://` URI, got `{uri}`"),
                ));
            }
            if loc.get("bucketOwner").is_some_and(|b| !b.is_string()) {
                return Err(Error::invalid_field(
                    format!("{field}.s3Location.bucketOwner"),
                    "a 12-digit account id string",
                ));
            }
        }
        (None, Some(b)) => {
            if !b.is_string() {
                return Err(Error::invalid_field(
                    format!("{field}.base64String"),
                    "a base64 string",
                ));
            }
        }
        _ => return Err(Error::invalid_field(field, expected)),
    }
    Ok(v.clone())
}

/// The `mediaSource` block, from the provider params (LiteLLM's names) or a video part.
fn media_source(req: &ChatCompletionRequest) -> Result<Value> {
    for key in ["mediaSource", "media_source"] {
        if let Some(v) = req.provider_params.get(key).filter(|v| !v.is_null()) {
            return check_media_source(v, key);
        }
    }
    if let Some((b64, _)) = str_param(req, &["video_base64", "base64_string"]) {
        return Ok(json!({ "base64String": base64_of(b64) }));
    }
    let owner = str_param(
        req,
        &[
            "video_s3_bucket_owner",
            "s3_bucket_owner",
            "media_source_bucket_owner",
        ],
    )
    .map(|(o, _)| o);
    let s3 = |uri: &str| {
        let mut loc = Map::new();
        loc.insert("uri".to_owned(), json!(uri));
        if let Some(o) = owner {
            loc.insert("bucketOwner".to_owned(), json!(o));
        }
        json!({ "s3Location": loc })
    };
    if let Some((uri, key)) = str_param(req, &["video_s3_uri", "s3_uri", "media_source_s3_uri"]) {
        return check_media_source(&s3(uri), &key);
    }
    for (i, m) in req.messages.iter().enumerate() {
        let Some(MessageContent::Parts(parts)) = &m.content else {
            continue;
        };
        for (j, p) in parts.iter().enumerate() {
            let url = match p {
                ContentPart::VideoUrl { video_url } => video_url.url(),
                ContentPart::File { file, .. } => {
                    match file.file_data.as_deref().or(file.file_id.as_deref()) {
                        Some(u) => u,
                        None => continue,
                    }
                }
                _ => continue,
            };
            if url.starts_with("s3://") {
                return Ok(s3(url));
            }
            if url.starts_with("data:") {
                return Ok(json!({ "base64String": base64_of(url) }));
            }
            return Err(Error::invalid_field(
                format!("messages[{i}].content[{j}]"),
                "an `s3://` URI or a base64 data URL for the Pegasus video",
            ));
        }
    }
    Err(Error::invalid_field(
        "mediaSource",
        "the video to analyse: `mediaSource={\"s3Location\": {\"uri\", \"bucketOwner\"}}` or \
         `{\"base64String\"}` (or a video_url part with an s3:// URI or data URL)",
    ))
}

/// Pegasus stream chunks (`message` text, `finishReason` on the last) → OpenAI chunks.
#[derive(Debug)]
pub struct PegasusStreamDecoder {
    ctx: ResponseContext,
    sent_role: bool,
    finished: bool,
    usage: Option<Usage>,
}

impl StreamDecoder for PegasusStreamDecoder {
    fn on_event(&mut self, event: &StreamEvent, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        let Some(c) = decode_chunk(event)? else {
            return Ok(());
        };
        if let Some(text) = c.get("message").and_then(Value::as_str)
            && (!text.is_empty() || !self.sent_role)
        {
            let delta = Delta {
                content: Some(text.to_owned()),
                ..Delta::default()
            };
            out.push(crate::chunks::chunk(
                &self.ctx,
                &mut self.sent_role,
                delta,
                None,
            ));
        }
        if let Some(u) = usage_from_metrics(&c) {
            self.usage = Some(u);
        }
        if let Some(reason) = c.get("finishReason").and_then(Value::as_str)
            && !self.finished
        {
            out.push(crate::chunks::chunk(
                &self.ctx,
                &mut self.sent_role,
                Delta::default(),
                Some(finish_reason(reason)),
            ));
            self.finished = true;
        }
        Ok(())
    }

    fn on_end(&mut self, out: &mut Vec<ChatCompletionChunk>) -> Result<()> {
        if !self.finished {
            out.push(crate::chunks::chunk(
                &self.ctx,
                &mut self.sent_role,
                Delta::default(),
                Some(FinishReason::Stop),
            ));
            self.finished = true;
        }
        if self.ctx.state.include_usage
            && let Some(u) = self.usage.take()
        {
            let mut c =
                crate::chunks::chunk(&self.ctx, &mut self.sent_role, Delta::default(), None);
            c.choices.clear();
            c.usage = Some(u);
            out.push(c);
        }
        Ok(())
    }
}

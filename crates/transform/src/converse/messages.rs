//! OpenAI messages → Converse `messages` and `system` (LiteLLM's
//! `_bedrock_converse_messages_pt` and `_transform_system_message`).
//!
//! Rules: system/developer messages anywhere go to `system`; consecutive user and tool turns
//! merge into one user turn (tool results grouped); consecutive assistant turns merge; empty
//! text is never sent; a trailing assistant turn (prefill) is kept; thinking blocks keep their
//! signatures (signature-only and redacted ones too).

use base64::Engine;
use bedrock_types::chat::{ContentPart, FileRef, MessageContent, Role, ThinkingBlock};
use bedrock_types::{CacheControl, ChatCompletionRequest, ChatMessage, Error, ErrorKind, Result};
use serde_json::{Map, Value, json};

use crate::capabilities;
use crate::route::ModelRoute;
use crate::tool_names::ToolNameMap;

/// The converted conversation.
pub(super) struct Converted {
    pub messages: Vec<Value>,
    pub system: Vec<Value>,
    /// Bedrock names of the tools the history calls (Bedrock then needs a `toolConfig`).
    pub tool_names_used: Vec<String>,
}

/// LiteLLM's default continue message text.
const DEFAULT_CONTINUE: &str = "Please continue.";

pub(super) fn convert(
    req: &ChatCompletionRequest,
    route: &ModelRoute,
    names: &mut ToolNameMap,
) -> Result<Converted> {
    let caching =
        capabilities::lookup(&route.base_model).is_some_and(|i| i.supports_prompt_caching);
    // `ttl` on cache points is accepted by Claude 4.5+ only (LiteLLM #34248).
    let cache_ttl = route.family == crate::route::ModelFamily::Anthropic
        && ["-4-5", "-4-6", "-4-7", "-4-8"]
            .iter()
            .any(|v| route.base_model.contains(v));
    // With a guardrail and no caller-marked guarded_text, the trailing run of user messages is
    // what the guardrail evaluates (LiteLLM's `_convert_consecutive_user_messages_to_guarded_text`).
    let guard_from =
        if req.provider_params.contains_key("guardrailConfig") && !has_guarded_text(req) {
            let trailing = req
                .messages
                .iter()
                .rev()
                .take_while(|m| m.role == Role::User)
                .count();
            Some(req.messages.len() - trailing)
        } else {
            None
        };
    let mut ctx = Ctx {
        caching,
        cache_ttl,
        guard_text: false,
        names,
        doc_count: 0,
        tool_names_used: Vec::new(),
    };
    let mut system = Vec::new();
    let mut turns: Vec<(Role, Vec<Value>)> = Vec::new();

    for (i, msg) in req.messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        match msg.role {
            Role::System | Role::Developer => system.extend(ctx.system_blocks(msg, &at)?),
            Role::User => {
                ctx.guard_text = guard_from.is_some_and(|from| i >= from);
                let blocks = ctx.user_blocks(msg, &at)?;
                ctx.guard_text = false;
                push_turn(&mut turns, Role::User, blocks);
            }
            Role::Tool | Role::Function => {
                let block = ctx.tool_result(msg, &at)?;
                push_turn(&mut turns, Role::User, vec![block]);
            }
            Role::Assistant => {
                let blocks = ctx.assistant_blocks(msg, &at)?;
                push_turn(&mut turns, Role::Assistant, blocks);
            }
        }
    }

    let modify = req.modify_params.unwrap_or(false);
    // A turn left empty (blank text only) is filled with the continue message when one applies;
    // otherwise it is left out and its neighbours, now of one role, merge: LiteLLM 1.103.7
    // skips blank text the same way (#7169: Bedrock rejects blank text blocks), and an empty
    // turn carries nothing to lose.
    let mut emptied = false;
    for (role, blocks) in turns.iter_mut() {
        if blocks.is_empty() {
            let fallback = match role {
                Role::Assistant => req.assistant_continue_message.as_ref(),
                _ => req.user_continue_message.as_ref(),
            };
            match continue_text(fallback, modify) {
                Some(text) => blocks.push(json!({ "text": text })),
                None => emptied = true,
            }
        }
    }
    if emptied {
        let mut merged: Vec<(Role, Vec<Value>)> = Vec::with_capacity(turns.len());
        for (role, blocks) in turns {
            if !blocks.is_empty() {
                push_turn(&mut merged, role, blocks);
            }
        }
        turns = merged;
    }
    if turns.is_empty() {
        return Err(Error::new(
            ErrorKind::BadRequest,
            // LiteLLM's words (its message check, before any call).
            "Invalid Message bedrock requires at least one non-system message",
        )
        .with_param("messages")
        .before_call());
    }
    // Conversation must start with a user turn: fix it only when asked (LiteLLM's rule).
    if turns.first().is_some_and(|(r, _)| *r == Role::Assistant)
        && let Some(text) = continue_text(req.user_continue_message.as_ref(), modify)
    {
        turns.insert(0, (Role::User, vec![json!({ "text": text })]));
    }
    // A trailing assistant turn is a prefill and stays, unless the caller supplied a user
    // continue message or asked to modify params.
    if turns.last().is_some_and(|(r, _)| *r == Role::Assistant)
        && (req.user_continue_message.is_some() || modify)
        && let Some(text) = continue_text(req.user_continue_message.as_ref(), modify)
    {
        turns.push((Role::User, vec![json!({ "text": text })]));
    }

    let messages = turns
        .into_iter()
        .map(|(role, content)| json!({ "role": role.as_str(), "content": content }))
        .collect();
    Ok(Converted {
        messages,
        system,
        tool_names_used: ctx.tool_names_used,
    })
}

fn continue_text(msg: Option<&ChatMessage>, modify: bool) -> Option<String> {
    match msg.and_then(|m| m.content.as_ref()) {
        Some(MessageContent::Text(t)) if !t.trim().is_empty() => Some(t.clone()),
        Some(MessageContent::Parts(parts)) => parts.iter().find_map(|p| match p {
            ContentPart::Text { text, .. } if !text.trim().is_empty() => Some(text.clone()),
            _ => None,
        }),
        _ if modify => Some(DEFAULT_CONTINUE.to_owned()),
        _ => None,
    }
}

fn push_turn(turns: &mut Vec<(Role, Vec<Value>)>, role: Role, blocks: Vec<Value>) {
    match turns.last_mut() {
        Some((last, content)) if *last == role => content.extend(blocks),
        _ => turns.push((role, blocks)),
    }
}

fn has_guarded_text(req: &ChatCompletionRequest) -> bool {
    req.messages.iter().any(|m| {
        matches!(&m.content, Some(MessageContent::Parts(parts))
            if parts.iter().any(|p| matches!(p, ContentPart::GuardedText { .. })))
    })
}

struct Ctx<'a> {
    caching: bool,
    cache_ttl: bool,
    /// Text of the message being converted goes to `guardContent`.
    guard_text: bool,
    names: &'a mut ToolNameMap,
    doc_count: usize,
    tool_names_used: Vec<String>,
}

impl Ctx<'_> {
    fn cache_point(&self, cc: Option<&CacheControl>, out: &mut Vec<Value>) {
        let Some(cc) = cc.filter(|_| self.caching) else {
            return;
        };
        match cc.ttl.as_deref().filter(|_| self.cache_ttl) {
            Some(ttl) => out.push(json!({ "cachePoint": { "type": "default", "ttl": ttl } })),
            None => out.push(json!({ "cachePoint": { "type": "default" } })),
        }
    }

    fn text_block(&self, out: &mut Vec<Value>, text: &str) {
        if self.guard_text {
            if !text.trim().is_empty() {
                out.push(json!({ "guardContent": { "text": { "text": text } } }));
            }
        } else {
            push_text(out, text);
        }
    }

    fn system_blocks(&mut self, msg: &ChatMessage, at: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        match &msg.content {
            Some(MessageContent::Text(t)) => push_text(&mut out, t),
            Some(MessageContent::Parts(parts)) => {
                for (j, part) in parts.iter().enumerate() {
                    match part {
                        ContentPart::Text {
                            text,
                            cache_control,
                        } => {
                            if !text.trim().is_empty() {
                                out.push(json!({ "text": text }));
                                self.cache_point(cache_control.as_ref(), &mut out);
                            }
                        }
                        ContentPart::GuardedText { text } => {
                            out.push(json!({ "guardContent": { "text": { "text": text } } }));
                        }
                        _ => {
                            return Err(Error::invalid_field(
                                format!("{at}.content[{j}]"),
                                "a text part in a system message",
                            ));
                        }
                    }
                }
            }
            None => {}
        }
        if !out.is_empty() {
            self.cache_point(msg.cache_control.as_ref(), &mut out);
        }
        Ok(out)
    }

    fn user_blocks(&mut self, msg: &ChatMessage, at: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        match &msg.content {
            Some(MessageContent::Text(t)) => self.text_block(&mut out, t),
            Some(MessageContent::Parts(parts)) => {
                for (j, part) in parts.iter().enumerate() {
                    self.part(part, &format!("{at}.content[{j}]"), &mut out)?;
                }
            }
            None => {}
        }
        if !out.is_empty() {
            self.cache_point(msg.cache_control.as_ref(), &mut out);
        }
        Ok(out)
    }

    fn part(&mut self, part: &ContentPart, at: &str, out: &mut Vec<Value>) -> Result<()> {
        match part {
            ContentPart::Text {
                text,
                cache_control,
            } => {
                if !text.trim().is_empty() {
                    self.text_block(out, text);
                    self.cache_point(cache_control.as_ref(), out);
                }
            }
            ContentPart::ImageUrl {
                image_url,
                cache_control,
            } => {
                let block = self.media(
                    image_url.url(),
                    image_url.format(),
                    None,
                    &format!("{at}.image_url"),
                )?;
                out.push(block);
                self.cache_point(cache_control.as_ref(), out);
            }
            ContentPart::File {
                file,
                cache_control,
            } => {
                out.push(self.file(file, at)?);
                self.cache_point(cache_control.as_ref(), out);
            }
            ContentPart::VideoUrl { video_url } => {
                out.push(self.media(
                    video_url.url(),
                    video_url.format().or(Some("video/mp4")),
                    None,
                    &format!("{at}.video_url"),
                )?);
            }
            ContentPart::GuardedText { text } => {
                out.push(json!({ "guardContent": { "text": { "text": text } } }));
            }
            ContentPart::Thinking { .. } | ContentPart::RedactedThinking { .. } => {
                return Err(Error::invalid_field(
                    at,
                    "thinking parts only in assistant messages",
                ));
            }
            ContentPart::InputAudio { .. } => {
                return Err(Error::invalid_field(
                    at,
                    "a text, image_url, file, video_url or guarded_text part (Converse takes no input_audio)",
                ));
            }
            ContentPart::Refusal { refusal } => {
                if !refusal.trim().is_empty() {
                    out.push(json!({ "text": refusal }));
                }
            }
        }
        Ok(())
    }

    fn file(&mut self, file: &FileRef, at: &str) -> Result<Value> {
        let field = format!("{at}.file");
        let url = file
            .file_data
            .as_deref()
            .or(file.file_id.as_deref())
            .ok_or_else(|| Error::invalid_field(&field, "`file_data` (a data URL) or `file_id`"))?;
        self.media(
            url,
            file.format.as_deref(),
            file.filename.as_deref(),
            &field,
        )
    }

    /// An image, document or video block from a data URL or an `s3://` URI.
    fn media(
        &mut self,
        url: &str,
        format: Option<&str>,
        filename: Option<&str>,
        field: &str,
    ) -> Result<Value> {
        let (mime, source) = if let Some(rest) = url.strip_prefix("data:") {
            let (meta, data) = rest.split_once(',').ok_or_else(|| {
                Error::invalid_field(field, "a data URL `data:<mime>;base64,<data>`")
            })?;
            let Some(declared) = meta.strip_suffix(";base64") else {
                return Err(Error::invalid_field(
                    field,
                    "a base64 data URL (`;base64,`)",
                ));
            };
            let mime = format
                .map(str::to_owned)
                .filter(|m| !m.is_empty())
                .or_else(|| {
                    Some(declared.to_owned())
                        .filter(|m| !m.is_empty() && m != "application/octet-stream")
                })
                .or_else(|| sniff_mime(data).map(str::to_owned))
                .ok_or_else(|| {
                    Error::invalid_field(field, "a data URL whose type is declared or recognisable")
                })?;
            (mime, json!({ "bytes": data }))
        } else if url.starts_with("s3://") {
            let mime = format
                .map(str::to_owned)
                .or_else(|| mime_from_extension(url).map(str::to_owned))
                .ok_or_else(|| {
                    Error::invalid_field(
                        field,
                        "an s3:// URI with a known file extension, or a `format`",
                    )
                })?;
            (mime, json!({ "s3Location": { "uri": url } }))
        } else if url.starts_with("http://") || url.starts_with("https://") {
            // The client fetches remote media before the pure transform runs.
            return Err(Error::new(
                ErrorKind::Internal,
                format!("`{field}` is a remote URL that was not fetched before the transform"),
            )
            .with_param(field));
        } else {
            return Err(Error::invalid_field(
                field,
                "a data URL, an http(s) URL or an s3:// URI",
            ));
        };

        let mime = mime.to_ascii_lowercase();
        let sub = mime
            .split('/')
            .nth(1)
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .to_owned();
        if mime.starts_with("image/") {
            let format = match sub.as_str() {
                "jpg" | "jpeg" => "jpeg",
                "png" => "png",
                "gif" => "gif",
                "webp" => "webp",
                other => {
                    return Err(Error::invalid_field(
                        field,
                        format_args!("an image of type png, jpeg, gif or webp, got `{other}`"),
                    ));
                }
            };
            return Ok(json!({ "image": { "format": format, "source": source } }));
        }
        if mime.starts_with("video/") {
            let format = match sub.as_str() {
                "mp4" => "mp4",
                "quicktime" | "mov" => "mov",
                "x-matroska" | "mkv" => "mkv",
                "webm" => "webm",
                "x-flv" | "flv" => "flv",
                "mpeg" => "mpeg",
                "mpg" => "mpg",
                "x-ms-wmv" | "wmv" => "wmv",
                "3gpp" | "3gp" => "three_gp",
                other => {
                    return Err(Error::invalid_field(
                        field,
                        format_args!(
                            "a video of type mp4, mov, mkv, webm, flv, mpeg, mpg, wmv or 3gp, got `{other}`"
                        ),
                    ));
                }
            };
            return Ok(json!({ "video": { "format": format, "source": source } }));
        }
        let format = document_format(&mime).ok_or_else(|| {
            Error::invalid_field(
                field,
                format_args!("an image, a video, or a document of type pdf, csv, doc, docx, xls, xlsx, html, txt or md, got `{mime}`"),
            )
        })?;
        self.doc_count += 1;
        // Inline bytes get LiteLLM's content-derived name, whatever the file was called;
        // an S3 document (which LiteLLM does not name this way) keeps its file's stem.
        let name = match source.get("bytes").and_then(Value::as_str) {
            Some(data) => litellm_document_name(data, format),
            None => filename
                .map(document_name)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| {
                    format!("Document{}{}", format.to_ascii_uppercase(), self.doc_count)
                }),
        };
        Ok(json!({ "document": { "format": format, "name": name, "source": source } }))
    }

    fn assistant_blocks(&mut self, msg: &ChatMessage, at: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        // Thinking first: Anthropic requires it to lead the turn it belongs to.
        if let Some(blocks) = &msg.thinking_blocks {
            for b in blocks {
                out.push(reasoning_block(b));
            }
        }
        match &msg.content {
            Some(MessageContent::Text(t)) => push_text(&mut out, t),
            Some(MessageContent::Parts(parts)) => {
                for (j, part) in parts.iter().enumerate() {
                    match part {
                        ContentPart::Thinking {
                            thinking,
                            signature,
                        } => out.push(reasoning_block(&ThinkingBlock::Thinking {
                            thinking: thinking.clone(),
                            signature: signature.clone(),
                        })),
                        ContentPart::RedactedThinking { data } => {
                            out.push(reasoning_block(&ThinkingBlock::RedactedThinking {
                                data: data.clone(),
                            }))
                        }
                        other => self.part(other, &format!("{at}.content[{j}]"), &mut out)?,
                    }
                }
            }
            None => {}
        }
        for (j, call) in msg.tool_calls.iter().flatten().enumerate() {
            let args = call.function.arguments.trim();
            let input: Value = if args.is_empty() {
                Value::Object(Map::new())
            } else {
                serde_json::from_str(args).map_err(|e| {
                    Error::invalid_field(
                        format!("{at}.tool_calls[{j}].function.arguments"),
                        format_args!("a JSON document ({e})"),
                    )
                })?
            };
            let name = self.names.to_bedrock(&call.function.name);
            if !self.tool_names_used.contains(&name) {
                self.tool_names_used.push(name.clone());
            }
            out.push(json!({ "toolUse": { "toolUseId": call.id, "name": name, "input": input } }));
        }
        if !out.is_empty() {
            self.cache_point(msg.cache_control.as_ref(), &mut out);
        }
        Ok(out)
    }

    fn tool_result(&mut self, msg: &ChatMessage, at: &str) -> Result<Value> {
        let id = msg
            .tool_call_id
            .as_deref()
            .or(msg.name.as_deref().filter(|_| msg.role == Role::Function))
            .ok_or_else(|| Error::missing_field(format!("{at}.tool_call_id")))?;
        let mut content = Vec::new();
        match &msg.content {
            Some(MessageContent::Text(t)) => content.push(json!({ "text": t })),
            Some(MessageContent::Parts(parts)) => {
                for (j, part) in parts.iter().enumerate() {
                    match part {
                        // Each text part is its own block (LiteLLM #5652 sent a list as text).
                        ContentPart::Text { text, .. } => {
                            if !text.is_empty() {
                                content.push(json!({ "text": text }));
                            }
                        }
                        other => self.part(other, &format!("{at}.content[{j}]"), &mut content)?,
                    }
                }
            }
            None => {}
        }
        for r in msg.search_results.iter().flatten() {
            let mut sr = Map::new();
            sr.insert("source".to_owned(), json!(r.source));
            sr.insert("title".to_owned(), json!(r.title));
            sr.insert(
                "content".to_owned(),
                Value::Array(
                    r.content
                        .iter()
                        .map(|c| json!({ "text": c.text }))
                        .collect(),
                ),
            );
            sr.insert(
                "citations".to_owned(),
                r.citations
                    .clone()
                    .unwrap_or_else(|| json!({ "enabled": true })),
            );
            content.push(json!({ "searchResult": sr }));
        }
        if content.is_empty() {
            // LiteLLM sends an empty tool result as one empty text block; so do we.
            content.push(json!({ "text": "" }));
        }
        Ok(json!({ "toolResult": { "toolUseId": id, "content": content } }))
    }
}

/// Append a text block unless the text is blank (Bedrock rejects blank text).
fn push_text(out: &mut Vec<Value>, text: &str) {
    if !text.trim().is_empty() {
        out.push(json!({ "text": text }));
    }
}

fn reasoning_block(b: &ThinkingBlock) -> Value {
    match b {
        ThinkingBlock::Thinking {
            thinking,
            signature,
        } => {
            let mut rt = Map::new();
            rt.insert("text".to_owned(), json!(thinking));
            if let Some(sig) = signature {
                rt.insert("signature".to_owned(), json!(sig));
            }
            json!({ "reasoningContent": { "reasoningText": rt } })
        }
        ThinkingBlock::RedactedThinking { data } => {
            json!({ "reasoningContent": { "redactedContent": data } })
        }
    }
}

fn document_format(mime: &str) -> Option<&'static str> {
    Some(match mime.split(';').next().unwrap_or(mime) {
        "application/pdf" => "pdf",
        "text/csv" => "csv",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "text/html" => "html",
        "text/plain" => "txt",
        "text/markdown" | "text/md" => "md",
        _ => return None,
    })
}

fn mime_from_extension(uri: &str) -> Option<&'static str> {
    let ext = uri.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "csv" => "text/csv",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        "webm" => "video/webm",
        "flv" => "video/x-flv",
        "mpeg" => "video/mpeg",
        "mpg" => "video/mpg",
        "wmv" => "video/x-ms-wmv",
        "3gp" => "video/3gpp",
        _ => return None,
    })
}

/// Recognise a format from the first bytes of base64 data.
fn sniff_mime(b64: &str) -> Option<&'static str> {
    let head: String = b64.chars().take(24).collect();
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    match bytes.as_slice() {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        [b'%', b'P', b'D', b'F', ..] => Some("application/pdf"),
        _ => None,
    }
}

/// LiteLLM's name for an inline document (`_create_bedrock_block`):
/// `DocumentPDFmessages_<16 hex>_<format>` (the literal `PDF` whatever the format), the hex
/// the start of the SHA-256 of the base64 text without blanks (its first 64 KiB) followed by
/// that text's full length in decimal.
fn litellm_document_name(base64_data: &str, format: &str) -> String {
    use sha2::{Digest, Sha256};
    const SAMPLE: usize = 64 * 1024;
    let normalised: Vec<u8> = base64_data
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut h = Sha256::new();
    h.update(&normalised[..normalised.len().min(SAMPLE)]);
    h.update(normalised.len().to_string().as_bytes());
    let digest = h.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("DocumentPDFmessages_{hex}_{format}")
}

/// Bedrock document names allow letters, digits, single spaces, hyphens, parentheses and
/// square brackets: keep the file stem and replace anything else.
fn document_name(filename: &str) -> String {
    let stem = filename
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(filename);
    let mut out = String::new();
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
            c
        } else {
            ' '
        };
        if c == ' ' && (out.ends_with(' ') || out.is_empty()) {
            continue;
        }
        out.push(c);
    }
    out.trim_end().chars().take(200).collect()
}

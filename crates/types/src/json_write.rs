//! Hand-written JSON serialisation of the two hottest response types, [`ChatCompletion`] and
//! [`ChatCompletionChunk`].
//!
//! The gateway serialises one of these for every response and every stream chunk. serde's
//! derived code is correct but slow for them: `#[serde(flatten)]` forces map serialisation,
//! and every key goes through serde_json's string escaper with three `write_all` calls. The
//! writers here produce **exactly the bytes `serde_json::to_vec` produces** (compact
//! formatter) for every value, faster: keys (with their quotes, colon and comma) are static
//! byte literals, strings are escaped by copying unescaped runs in one `extend_from_slice`,
//! and integers are formatted without going through `io::Write`.
//!
//! What the derived serialisation does and these writers replicate:
//!
//! - fields in declaration order, with serde's renames, `skip_serializing_if` and `skip`;
//! - `None` that is not skipped as `null`;
//! - a `#[serde(flatten)]` map's entries at the flatten field's position, **duplicates kept**:
//!   an `extra` key equal to a named field is written a second time, as serde_json does;
//! - [`ThinkingBlock`] as an internally tagged enum (`"type"` first);
//! - strings escaped as serde_json escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
//!   control characters as `\u00xx` in lowercase hex; `0x7f` and non-ASCII written raw).
//!
//! Nested `serde_json::Value`s and [`JsonObject`]s are delegated to serde_json itself.
//! The equivalence is checked by the tests of this module, on hand-built values and on
//! thousands of pseudo-random ones.

use serde::Serialize;

use crate::chat::{FunctionCall, JsonObject, ThinkingBlock, ToolCall};
use crate::response::{
    Annotation, ChatCompletion, ChatCompletionChunk, Choice, ChunkChoice, CompletionTokensDetails,
    Delta, FinishReason, FunctionCallDelta, PromptTokensDetails, ResponseMessage, ToolCallDelta,
    UrlCitation, Usage,
};

/// Which absent fields are written as `null`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nulls {
    /// Every field serde writes as `null` (the derived serialisation's bytes).
    Serde,
    /// LiteLLM's proxy's bytes: it leaves out a `system_fingerprint`, a message's `tool_calls`
    /// and `function_call`, and a chunk choice's `finish_reason` that are unset (strict
    /// OpenAI clients reject `null` for optional fields). A message's `content` stays, `null`
    /// or not, as there.
    Proxy,
}

// Every writer destructures its type exhaustively, so a field added to one of these types fails
// to compile here until it is written (the equivalence tests only cover the fields they know).

impl ChatCompletion {
    /// Append this completion's JSON to `out`: the same bytes as `serde_json::to_vec(self)`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.write(out, Nulls::Serde);
    }

    /// Append this completion's JSON as LiteLLM's proxy answers it: [`Self::write_json`]'s
    /// bytes without the unset `system_fingerprint`, `tool_calls` and `function_call` (what
    /// the gateway sends).
    pub fn write_proxy_json(&self, out: &mut Vec<u8>) {
        self.write(out, Nulls::Proxy);
    }

    fn write(&self, out: &mut Vec<u8>, nulls: Nulls) {
        let ChatCompletion {
            id,
            created,
            model,
            object,
            system_fingerprint,
            choices,
            usage,
            service_tier,
            extra,
            meta: _, // `#[serde(skip)]`
        } = self;
        write_head(
            out,
            id,
            *created,
            model,
            object,
            system_fingerprint.as_deref(),
            nulls,
        );
        out.extend_from_slice(b",\"choices\":");
        write_array(out, choices, |out, c| write_choice(out, c, nulls));
        if let Some(usage) = usage {
            out.extend_from_slice(b",\"usage\":");
            write_usage(out, usage);
        }
        if let Some(tier) = service_tier {
            out.extend_from_slice(b",\"service_tier\":");
            write_str(out, tier);
        }
        write_flattened(out, extra);
        out.push(b'}');
    }
}

impl ChatCompletionChunk {
    /// Append this chunk's JSON to `out`: the same bytes as `serde_json::to_vec(self)`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.write(out, Nulls::Serde);
    }

    /// Append this chunk's JSON as LiteLLM's proxy streams it: [`Self::write_json`]'s bytes
    /// without the unset `system_fingerprint` and choices' `finish_reason` (what the gateway
    /// sends).
    pub fn write_proxy_json(&self, out: &mut Vec<u8>) {
        self.write(out, Nulls::Proxy);
    }

    fn write(&self, out: &mut Vec<u8>, nulls: Nulls) {
        let ChatCompletionChunk {
            id,
            created,
            model,
            object,
            system_fingerprint,
            choices,
            usage,
            provider_specific_fields,
            trace,
        } = self;
        write_head(
            out,
            id,
            *created,
            model,
            object,
            system_fingerprint.as_deref(),
            nulls,
        );
        out.extend_from_slice(b",\"choices\":");
        write_array(out, choices, |out, c| write_chunk_choice(out, c, nulls));
        if let Some(usage) = usage {
            out.extend_from_slice(b",\"usage\":");
            write_usage(out, usage);
        }
        if let Some(fields) = provider_specific_fields {
            out.extend_from_slice(b",\"provider_specific_fields\":");
            write_serde(out, fields);
        }
        if let Some(trace) = trace {
            out.extend_from_slice(b",\"trace\":");
            write_serde(out, trace);
        }
        out.push(b'}');
    }
}

/// The fields a completion and a chunk both start with, after the opening brace.
fn write_head(
    out: &mut Vec<u8>,
    id: &str,
    created: u64,
    model: &str,
    object: &str,
    system_fingerprint: Option<&str>,
    nulls: Nulls,
) {
    out.extend_from_slice(b"{\"id\":");
    write_str(out, id);
    out.extend_from_slice(b",\"created\":");
    write_u64(out, created);
    out.extend_from_slice(b",\"model\":");
    write_str(out, model);
    out.extend_from_slice(b",\"object\":");
    write_str(out, object);
    if system_fingerprint.is_some() || nulls == Nulls::Serde {
        out.extend_from_slice(b",\"system_fingerprint\":");
        write_opt_str(out, system_fingerprint);
    }
}

/// `[a,b,…]`, each item by `write`.
fn write_array<T>(out: &mut Vec<u8>, items: &[T], write: impl Fn(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// The entries of a `#[serde(flatten)]` map, each preceded by a comma (a named field always
/// comes first). serde does not remove keys that repeat a named field, and neither does this.
fn write_flattened(out: &mut Vec<u8>, extra: &JsonObject) {
    for (key, value) in extra {
        out.push(b',');
        write_str(out, key);
        out.push(b':');
        write_serde(out, value);
    }
}

fn write_choice(out: &mut Vec<u8>, choice: &Choice, nulls: Nulls) {
    let Choice {
        finish_reason,
        index,
        message,
        extra,
    } = choice;
    // A completion's choice always has its finish reason in LiteLLM's proxy too.
    write_choice_head(out, *finish_reason, *index, Nulls::Serde);
    out.extend_from_slice(b",\"message\":");
    write_message(out, message, nulls);
    write_flattened(out, extra);
    out.push(b'}');
}

fn write_message(out: &mut Vec<u8>, m: &ResponseMessage, nulls: Nulls) {
    let ResponseMessage {
        content,
        role,
        tool_calls,
        function_call,
        reasoning_content,
        thinking_blocks,
        annotations,
        provider_specific_fields,
    } = m;
    let mut obj = Object::open(out);
    obj.key(b"\"content\":");
    write_opt_str(obj.out, content.as_deref());
    obj.key(b"\"role\":");
    write_str(obj.out, role);
    match tool_calls {
        Some(calls) => {
            obj.key(b"\"tool_calls\":");
            write_array(obj.out, calls, write_tool_call);
        }
        None if nulls == Nulls::Serde => {
            obj.key(b"\"tool_calls\":");
            obj.out.extend_from_slice(b"null");
        }
        None => {}
    }
    match function_call {
        Some(v) => {
            obj.key(b"\"function_call\":");
            write_serde(obj.out, v);
        }
        None if nulls == Nulls::Serde => {
            obj.key(b"\"function_call\":");
            obj.out.extend_from_slice(b"null");
        }
        None => {}
    }
    write_reasoning_and_provider_fields(
        &mut obj,
        reasoning_content.as_deref(),
        thinking_blocks.as_deref(),
        annotations.as_deref(),
        provider_specific_fields.as_ref(),
    );
    obj.close();
}

/// The optional fields a message and a delta both end with, in that order.
fn write_reasoning_and_provider_fields(
    obj: &mut Object<'_>,
    reasoning_content: Option<&str>,
    thinking_blocks: Option<&[ThinkingBlock]>,
    annotations: Option<&[Annotation]>,
    provider_specific_fields: Option<&JsonObject>,
) {
    if let Some(s) = reasoning_content {
        obj.key(b"\"reasoning_content\":");
        write_str(obj.out, s);
    }
    if let Some(blocks) = thinking_blocks {
        obj.key(b"\"thinking_blocks\":");
        write_array(obj.out, blocks, write_thinking_block);
    }
    if let Some(a) = annotations {
        obj.key(b"\"annotations\":");
        write_array(obj.out, a, write_annotation);
    }
    if let Some(fields) = provider_specific_fields {
        obj.key(b"\"provider_specific_fields\":");
        write_serde(obj.out, fields);
    }
}

fn write_tool_call(out: &mut Vec<u8>, call: &ToolCall) {
    let ToolCall {
        index,
        id,
        kind,
        function,
    } = call;
    out.push(b'{');
    if let Some(i) = index {
        out.extend_from_slice(b"\"index\":");
        write_u64(out, u64::from(*i));
        out.push(b',');
    }
    out.extend_from_slice(b"\"id\":");
    write_str(out, id);
    out.extend_from_slice(b",\"type\":");
    write_str(out, kind);
    out.extend_from_slice(b",\"function\":");
    let FunctionCall { name, arguments } = function;
    out.extend_from_slice(b"{\"name\":");
    write_str(out, name);
    out.extend_from_slice(b",\"arguments\":");
    write_str(out, arguments);
    out.extend_from_slice(b"}}");
}

fn write_thinking_block(out: &mut Vec<u8>, block: &ThinkingBlock) {
    match block {
        ThinkingBlock::Thinking {
            thinking,
            signature,
        } => {
            out.extend_from_slice(b"{\"type\":\"thinking\",\"thinking\":");
            write_str(out, thinking);
            if let Some(s) = signature {
                out.extend_from_slice(b",\"signature\":");
                write_str(out, s);
            }
        }
        ThinkingBlock::RedactedThinking { data } => {
            out.extend_from_slice(b"{\"type\":\"redacted_thinking\",\"data\":");
            write_str(out, data);
        }
    }
    out.push(b'}');
}

fn write_annotation(out: &mut Vec<u8>, a: &Annotation) {
    let Annotation { kind, url_citation } = a;
    let UrlCitation {
        start_index,
        end_index,
        title,
        url,
    } = url_citation;
    out.extend_from_slice(b"{\"type\":");
    write_str(out, kind);
    out.extend_from_slice(b",\"url_citation\":{\"start_index\":");
    write_u64(out, *start_index);
    out.extend_from_slice(b",\"end_index\":");
    write_u64(out, *end_index);
    out.extend_from_slice(b",\"title\":");
    write_str(out, title);
    out.extend_from_slice(b",\"url\":");
    write_str(out, url);
    out.extend_from_slice(b"}}");
}

/// `{"finish_reason":…,"index":…`: how a choice and a chunk's choice both begin.
fn write_choice_head(
    out: &mut Vec<u8>,
    finish_reason: Option<FinishReason>,
    index: u32,
    nulls: Nulls,
) {
    if finish_reason.is_some() || nulls == Nulls::Serde {
        out.extend_from_slice(b"{\"finish_reason\":");
        write_finish_reason(out, finish_reason);
        out.extend_from_slice(b",\"index\":");
    } else {
        out.extend_from_slice(b"{\"index\":");
    }
    write_u64(out, u64::from(index));
}

fn write_finish_reason(out: &mut Vec<u8>, reason: Option<FinishReason>) {
    out.extend_from_slice(match reason {
        None => b"null",
        Some(FinishReason::Stop) => b"\"stop\"",
        Some(FinishReason::Length) => b"\"length\"",
        Some(FinishReason::ToolCalls) => b"\"tool_calls\"",
        Some(FinishReason::ContentFilter) => b"\"content_filter\"",
        Some(FinishReason::FunctionCall) => b"\"function_call\"",
    });
}

fn write_usage(out: &mut Vec<u8>, u: &Usage) {
    let Usage {
        completion_tokens,
        prompt_tokens,
        total_tokens,
        completion_tokens_details,
        prompt_tokens_details,
        cost,
        cache_creation_input_tokens,
        cache_read_input_tokens,
    } = u;
    out.extend_from_slice(b"{\"completion_tokens\":");
    write_u64(out, *completion_tokens);
    out.extend_from_slice(b",\"prompt_tokens\":");
    write_u64(out, *prompt_tokens);
    out.extend_from_slice(b",\"total_tokens\":");
    write_u64(out, *total_tokens);
    if let Some(d) = completion_tokens_details {
        let CompletionTokensDetails {
            reasoning_tokens,
            text_tokens,
        } = d;
        out.extend_from_slice(b",\"completion_tokens_details\":");
        let mut obj = Object::open(out);
        obj.count(b"\"reasoning_tokens\":", *reasoning_tokens);
        obj.count(b"\"text_tokens\":", *text_tokens);
        obj.close();
    }
    if let Some(d) = prompt_tokens_details {
        let PromptTokensDetails {
            cache_write_tokens,
            cached_tokens,
            text_tokens,
            cache_creation_tokens,
            cache_creation_token_details,
        } = d;
        out.extend_from_slice(b",\"prompt_tokens_details\":");
        let mut obj = Object::open(out);
        obj.count(b"\"cache_write_tokens\":", *cache_write_tokens);
        obj.count(b"\"cached_tokens\":", *cached_tokens);
        obj.count(b"\"text_tokens\":", *text_tokens);
        obj.count(b"\"cache_creation_tokens\":", *cache_creation_tokens);
        if let Some(d) = cache_creation_token_details {
            obj.key(b"\"cache_creation_token_details\":");
            write_serde(obj.out, d);
        }
        obj.close();
    }
    if let Some(c) = cost {
        out.extend_from_slice(b",\"cost\":");
        write_serde(out, c);
    }
    if let Some(n) = cache_creation_input_tokens {
        out.extend_from_slice(b",\"cache_creation_input_tokens\":");
        write_u64(out, *n);
    }
    if let Some(n) = cache_read_input_tokens {
        out.extend_from_slice(b",\"cache_read_input_tokens\":");
        write_u64(out, *n);
    }
    out.push(b'}');
}

fn write_chunk_choice(out: &mut Vec<u8>, choice: &ChunkChoice, nulls: Nulls) {
    let ChunkChoice {
        finish_reason,
        index,
        delta,
    } = choice;
    write_choice_head(out, *finish_reason, *index, nulls);
    out.extend_from_slice(b",\"delta\":");
    write_delta(out, delta);
    out.push(b'}');
}

fn write_delta(out: &mut Vec<u8>, d: &Delta) {
    let Delta {
        content,
        role,
        tool_calls,
        reasoning_content,
        thinking_blocks,
        annotations,
        provider_specific_fields,
    } = d;
    let mut obj = Object::open(out);
    if let Some(s) = content {
        obj.key(b"\"content\":");
        write_str(obj.out, s);
    }
    if let Some(s) = role {
        obj.key(b"\"role\":");
        write_str(obj.out, s);
    }
    if let Some(calls) = tool_calls {
        obj.key(b"\"tool_calls\":");
        write_array(obj.out, calls, write_tool_call_delta);
    }
    write_reasoning_and_provider_fields(
        &mut obj,
        reasoning_content.as_deref(),
        thinking_blocks.as_deref(),
        annotations.as_deref(),
        provider_specific_fields.as_ref(),
    );
    obj.close();
}

fn write_tool_call_delta(out: &mut Vec<u8>, call: &ToolCallDelta) {
    let ToolCallDelta {
        index,
        id,
        kind,
        function,
    } = call;
    out.extend_from_slice(b"{\"index\":");
    write_u64(out, u64::from(*index));
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        write_str(out, id);
    }
    if let Some(kind) = kind {
        out.extend_from_slice(b",\"type\":");
        write_str(out, kind);
    }
    let FunctionCallDelta { name, arguments } = function;
    out.extend_from_slice(b",\"function\":{");
    if let Some(name) = name {
        out.extend_from_slice(b"\"name\":");
        write_str(out, name);
        out.push(b',');
    }
    out.extend_from_slice(b"\"arguments\":");
    write_str(out, arguments);
    out.extend_from_slice(b"}}");
}

/// An object being written: puts the comma before every field but the first (so optional
/// fields need no bookkeeping).
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, first: true }
    }

    /// `key` is the quoted key with its colon (`"name":`).
    fn key(&mut self, key: &'static [u8]) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.extend_from_slice(key);
    }

    /// `key` and the count, when there is one.
    fn count(&mut self, key: &'static [u8], n: Option<u64>) {
        if let Some(n) = n {
            self.key(key);
            write_u64(self.out, n);
        }
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// A value this module does not write itself (`serde_json::Value`, [`JsonObject`]), through
/// serde_json. Writing to a `Vec` cannot fail and neither can these values; should it ever,
/// the partial output is removed and `null` written, so the document stays valid JSON.
fn write_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Which bytes serde_json escapes: 0 for none, else the character after the backslash
/// (`u` for `\u00xx`).
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// A JSON string, quoted and escaped exactly as serde_json escapes it.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[b as usize];
        if escape == 0 {
            continue;
        }
        // Escaped bytes are ASCII, so the run before one always ends on a char boundary.
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Two decimal digits for every value 0..100.
static DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// An unsigned integer in decimal, as serde_json (itoa) writes it.
fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + n as u8;
    }
    out.extend_from_slice(&buf[pos..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{CacheCreationTokenDetails, ResponseMeta, UrlCitation};
    use serde_json::{Value, json};

    /// Whether the proxy bytes were checked too (see [`proxy_expected`]).
    fn check_completion(c: &ChatCompletion) -> bool {
        let expected = serde_json::to_vec(c).unwrap();
        let mut got = Vec::new();
        c.write_json(&mut got);
        assert!(
            got == expected,
            "ChatCompletion JSON differs\nwrite_json: {}\nserde_json: {}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected)
        );
        // The proxy's bytes: serde's, less the unset fields LiteLLM's proxy leaves out.
        let Some(mut v) = proxy_expected(&expected) else {
            return false;
        };
        if c.system_fingerprint.is_none() {
            drop_key(&mut v, "system_fingerprint");
        }
        for (i, choice) in c.choices.iter().enumerate() {
            if choice.message.tool_calls.is_none() {
                drop_key(&mut v["choices"][i]["message"], "tool_calls");
            }
            if choice.message.function_call.is_none() {
                drop_key(&mut v["choices"][i]["message"], "function_call");
            }
        }
        check_proxy(&serde_json::to_vec(&v).unwrap(), |out| {
            c.write_proxy_json(out);
        });
        true
    }

    /// serde's bytes as a `Value` to take keys out of, when reading them back writes the same
    /// bytes (not when a flattened extra repeats a named key: a `Value` keeps one of them).
    fn proxy_expected(serde_bytes: &[u8]) -> Option<Value> {
        let v: Value = serde_json::from_slice(serde_bytes).unwrap();
        (serde_json::to_vec(&v).unwrap() == serde_bytes).then_some(v)
    }

    /// Remove `key` from the object `v`, keeping the order of the rest.
    fn drop_key(v: &mut Value, key: &str) {
        if let Some(o) = v.as_object_mut() {
            o.shift_remove(key);
        }
    }

    fn check_proxy(expected: &[u8], write: impl Fn(&mut Vec<u8>)) {
        let mut got = Vec::new();
        write(&mut got);
        assert!(
            got == expected,
            "proxy JSON differs\nwrite_proxy_json: {}\nexpected:         {}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }

    fn check_chunk(c: &ChatCompletionChunk) -> bool {
        let expected = serde_json::to_vec(c).unwrap();
        let mut got = Vec::new();
        c.write_json(&mut got);
        assert!(
            got == expected,
            "ChatCompletionChunk JSON differs\nwrite_json: {}\nserde_json: {}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected)
        );
        let Some(mut v) = proxy_expected(&expected) else {
            return false;
        };
        if c.system_fingerprint.is_none() {
            drop_key(&mut v, "system_fingerprint");
        }
        for (i, choice) in c.choices.iter().enumerate() {
            if choice.finish_reason.is_none() {
                drop_key(&mut v["choices"][i], "finish_reason");
            }
        }
        check_proxy(&serde_json::to_vec(&v).unwrap(), |out| {
            c.write_proxy_json(out);
        });
        true
    }

    /// Every string a test cares about: quotes, backslashes, each control character, DEL,
    /// non-ASCII and emoji.
    fn nasty() -> String {
        let mut s = String::from("q\"uote\\back/slash ");
        for c in 0u8..0x20 {
            s.push(char::from(c));
            s.push('x');
        }
        s.push('\u{7f}');
        s.push_str("é ü 中文 \u{2028}\u{2029} 😀👍🏽 \u{10ffff}");
        s
    }

    fn obj(v: Value) -> JsonObject {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn base_completion() -> ChatCompletion {
        ChatCompletion {
            id: "chatcmpl-1".to_owned(),
            created: 1_700_000_000,
            model: "bedrock/anthropic.claude".to_owned(),
            object: "chat.completion".to_owned(),
            system_fingerprint: None,
            choices: vec![Choice {
                finish_reason: Some(FinishReason::Stop),
                index: 0,
                message: ResponseMessage::text("Hello"),
                extra: JsonObject::new(),
            }],
            usage: None,
            service_tier: None,
            extra: JsonObject::new(),
            meta: ResponseMeta::default(),
        }
    }

    fn full_usage() -> Usage {
        Usage {
            completion_tokens: 7,
            prompt_tokens: 12,
            total_tokens: 19,
            completion_tokens_details: Some(CompletionTokensDetails {
                reasoning_tokens: Some(3),
                text_tokens: Some(4),
            }),
            prompt_tokens_details: Some(PromptTokensDetails {
                cached_tokens: Some(1),
                cache_write_tokens: Some(2),
                text_tokens: Some(9),
                cache_creation_tokens: Some(2),
                cache_creation_token_details: Some(CacheCreationTokenDetails {
                    ephemeral_5m_input_tokens: 1,
                    ephemeral_1h_input_tokens: 1,
                }),
            }),
            cache_creation_input_tokens: Some(2),
            cache_read_input_tokens: Some(1),
            cost: Some(0.000483),
        }
    }

    fn base_chunk() -> ChatCompletionChunk {
        ChatCompletionChunk {
            id: "chatcmpl-1".to_owned(),
            created: 1_700_000_000,
            model: "m".to_owned(),
            object: "chat.completion.chunk".to_owned(),
            system_fingerprint: None,
            choices: vec![ChunkChoice {
                finish_reason: None,
                index: 0,
                delta: Delta {
                    content: Some("Hi".to_owned()),
                    ..Default::default()
                },
            }],
            usage: None,
            provider_specific_fields: None,
            trace: None,
        }
    }

    #[test]
    fn escaper_matches_serde_json_for_every_byte_class() {
        let mut all = String::new();
        for c in 0u32..0x100 {
            if let Some(ch) = char::from_u32(c) {
                all.push(ch);
            }
        }
        all.push_str(&nasty());
        for s in [
            "",
            "plain",
            "\"",
            "\\",
            "\"\"",
            "\\\\\"",
            "a\u{0}",
            "\u{1f}",
            "😀",
            all.as_str(),
        ] {
            let mut got = Vec::new();
            write_str(&mut got, s);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&serde_json::to_vec(s).unwrap())
            );
        }
        // Each control character on its own, as serde_json spells it (lowercase hex).
        for c in 0u8..0x20 {
            let s = char::from(c).to_string();
            let mut got = Vec::new();
            write_str(&mut got, &s);
            assert_eq!(got, serde_json::to_vec(&s).unwrap(), "byte {c:#04x}");
        }
        let mut got = Vec::new();
        write_str(&mut got, "\u{1b}\u{7f}");
        assert_eq!(got, b"\"\\u001b\x7f\"");
    }

    #[test]
    fn integers_match_serde_json() {
        let mut values = vec![
            0u64,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            u64::MAX,
            u64::MAX - 1,
        ];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            values.extend([p - 1, p, p + 1, next - 1]);
            p = next;
        }
        for v in values {
            let mut got = Vec::new();
            write_u64(&mut got, v);
            assert_eq!(got, serde_json::to_vec(&v).unwrap(), "{v}");
        }
    }

    #[test]
    fn completion_minimal_and_every_optional_field() {
        let base = base_completion();
        check_completion(&base);

        let mut c = base.clone();
        c.choices.clear();
        check_completion(&c);

        let mut c = base.clone();
        c.system_fingerprint = Some("fp_1".to_owned());
        c.usage = Some(Usage::default());
        c.service_tier = Some("default".to_owned());
        check_completion(&c);

        c.usage = Some(full_usage());
        check_completion(&c);

        // Each usage detail on its own.
        for i in 0..8 {
            let mut u = Usage {
                completion_tokens: u64::MAX,
                prompt_tokens: 0,
                total_tokens: 1 << 40,
                ..Default::default()
            };
            match i {
                0 => u.completion_tokens_details = Some(CompletionTokensDetails::default()),
                1 => {
                    u.completion_tokens_details = Some(CompletionTokensDetails {
                        reasoning_tokens: None,
                        text_tokens: Some(5),
                    })
                }
                2 => u.prompt_tokens_details = Some(PromptTokensDetails::default()),
                3 => {
                    u.prompt_tokens_details = Some(PromptTokensDetails {
                        cache_creation_tokens: Some(8),
                        ..Default::default()
                    })
                }
                4 => {
                    u.prompt_tokens_details = Some(PromptTokensDetails {
                        cache_write_tokens: Some(8),
                        text_tokens: Some(1),
                        ..Default::default()
                    })
                }
                5 => u.cache_creation_input_tokens = Some(0),
                6 => u.cache_read_input_tokens = Some(77),
                _ => {}
            }
            let mut c = base.clone();
            c.usage = Some(u);
            check_completion(&c);
        }

        // Every finish reason, and none.
        for reason in [
            None,
            Some(FinishReason::Stop),
            Some(FinishReason::Length),
            Some(FinishReason::ToolCalls),
            Some(FinishReason::ContentFilter),
            Some(FinishReason::FunctionCall),
        ] {
            let mut c = base.clone();
            c.choices[0].finish_reason = reason;
            check_completion(&c);
        }

        // `meta` is never serialised.
        let mut c = base.clone();
        c.meta = ResponseMeta {
            response_cost: Some(0.5),
            request_id: Some("r".to_owned()),
            provider_metadata: Some(json!({"a": 1})),
            attempts: 3,
        };
        check_completion(&c);
    }

    #[test]
    fn message_fields_set_and_unset() {
        let base = base_completion();
        let full = ResponseMessage {
            content: Some(nasty()),
            role: "assistant".to_owned(),
            tool_calls: Some(vec![
                ToolCall {
                    index: Some(1),
                    id: "call_1".to_owned(),
                    kind: "function".to_owned(),
                    function: FunctionCall {
                        name: "get_weather".to_owned(),
                        arguments: r#"{"city":"Paris \"FR\""}"#.to_owned(),
                    },
                },
                ToolCall {
                    index: None,
                    id: nasty(),
                    kind: nasty(),
                    function: FunctionCall {
                        name: nasty(),
                        arguments: String::new(),
                    },
                },
            ]),
            function_call: Some(json!({"name": "f", "arguments": "{}"})),
            reasoning_content: Some("thinking…\n".to_owned()),
            thinking_blocks: Some(vec![
                ThinkingBlock::Thinking {
                    thinking: "t".to_owned(),
                    signature: Some("sig".to_owned()),
                },
                ThinkingBlock::Thinking {
                    thinking: nasty(),
                    signature: None,
                },
                ThinkingBlock::RedactedThinking { data: nasty() },
            ]),
            annotations: Some(vec![Annotation {
                kind: "url_citation".to_owned(),
                url_citation: UrlCitation {
                    start_index: 0,
                    end_index: 42,
                    title: nasty(),
                    url: "https://example.com/?q=\"x\"".to_owned(),
                },
            }]),
            provider_specific_fields: Some(obj(json!({
                "citationsContent": [{"title": "t\u{1}"}],
                "reasoningContentBlocks": null,
                "n": 1.5,
            }))),
        };
        let mut c = base.clone();
        c.choices[0].message = full.clone();
        check_completion(&c);

        // Each optional field unset on its own, and each set on its own.
        for i in 0..8 {
            let mut m = full.clone();
            let mut lone = ResponseMessage::text("x");
            match i {
                0 => {
                    m.content = None;
                    lone.content = full.content.clone();
                }
                1 => {
                    m.tool_calls = None;
                    lone.tool_calls = full.tool_calls.clone();
                }
                2 => {
                    m.function_call = None;
                    lone.function_call = Some(Value::Null);
                }
                3 => {
                    m.reasoning_content = None;
                    lone.reasoning_content = full.reasoning_content.clone();
                }
                4 => {
                    m.thinking_blocks = None;
                    lone.thinking_blocks = Some(Vec::new());
                }
                5 => {
                    m.annotations = None;
                    lone.annotations = Some(Vec::new());
                }
                6 => {
                    m.provider_specific_fields = None;
                    lone.provider_specific_fields = Some(JsonObject::new());
                }
                _ => {
                    m.tool_calls = Some(Vec::new());
                    lone.content = None;
                }
            }
            for msg in [m, lone] {
                let mut c = base.clone();
                c.choices[0].message = msg;
                check_completion(&c);
            }
        }
    }

    #[test]
    fn flattened_extras_keep_duplicates_like_serde() {
        let mut c = base_completion();
        c.usage = Some(full_usage());
        c.service_tier = Some("flex".to_owned());
        c.extra = obj(json!({
            "id": "duplicate id",
            "usage": {"x": 1},
            "meta": "not the skipped field",
            "prompt_filter_results": [],
            "weird \"key\"\n": nasty(),
            "float": 0.1,
            "neg": -5,
            "big": u64::MAX,
        }));
        c.choices[0].extra = obj(json!({
            "index": 9,
            "finish_reason": "other",
            "logprobs": null,
            "message": {"content": "dup"},
        }));
        c.choices.push(Choice {
            finish_reason: None,
            index: 1,
            message: ResponseMessage::text(""),
            extra: obj(json!({"logprobs": {"content": []}})),
        });
        check_completion(&c);

        // What serde really does with a duplicate: both keys, the named field first.
        let text = String::from_utf8(serde_json::to_vec(&c).unwrap()).unwrap();
        assert!(text.starts_with(r#"{"id":"chatcmpl-1","#), "{text}");
        assert!(text.contains(r#","id":"duplicate id""#), "{text}");
        assert_eq!(text.matches(r#""index":"#).count(), 3, "{text}");
    }

    #[test]
    fn chunk_every_field() {
        let base = base_chunk();
        check_chunk(&base);

        let mut c = base.clone();
        c.choices.clear();
        c.usage = Some(full_usage());
        check_chunk(&c);

        let mut c = base.clone();
        c.system_fingerprint = Some(nasty());
        c.provider_specific_fields = Some(obj(json!({"guardrail": {"trace": [1, 2.5, "x"]}})));
        c.usage = Some(Usage::default());
        check_chunk(&c);

        c.provider_specific_fields = Some(JsonObject::new());
        check_chunk(&c);

        let full = Delta {
            content: Some(nasty()),
            role: Some("assistant".to_owned()),
            tool_calls: Some(vec![
                ToolCallDelta {
                    index: 0,
                    id: Some("call_1".to_owned()),
                    kind: Some("function".to_owned()),
                    function: FunctionCallDelta {
                        name: Some("f".to_owned()),
                        arguments: String::new(),
                    },
                },
                ToolCallDelta {
                    index: u32::MAX,
                    id: None,
                    kind: None,
                    function: FunctionCallDelta {
                        name: None,
                        arguments: "{\"a\":".to_owned(),
                    },
                },
            ]),
            reasoning_content: Some(nasty()),
            thinking_blocks: Some(vec![
                ThinkingBlock::Thinking {
                    thinking: String::new(),
                    signature: Some(nasty()),
                },
                ThinkingBlock::Thinking {
                    thinking: "x".to_owned(),
                    signature: None,
                },
                ThinkingBlock::RedactedThinking {
                    data: "abc".to_owned(),
                },
            ]),
            annotations: Some(vec![Annotation {
                kind: "url_citation".to_owned(),
                url_citation: UrlCitation {
                    start_index: 3,
                    end_index: 4,
                    title: String::new(),
                    url: String::new(),
                },
            }]),
            provider_specific_fields: Some(obj(json!({"k": [null, true, {"z": "\u{0}"}]}))),
        };
        // Every field set, each one alone, each one removed, and none.
        let set = |i: usize, d: &mut Delta, from: &Delta| match i {
            0 => d.content = from.content.clone(),
            1 => d.role = from.role.clone(),
            2 => d.tool_calls = from.tool_calls.clone(),
            3 => d.reasoning_content = from.reasoning_content.clone(),
            4 => d.thinking_blocks = from.thinking_blocks.clone(),
            5 => d.annotations = from.annotations.clone(),
            _ => d.provider_specific_fields = from.provider_specific_fields.clone(),
        };
        let mut deltas = vec![full.clone(), Delta::default()];
        for i in 0..7 {
            let mut alone = Delta::default();
            set(i, &mut alone, &full);
            deltas.push(alone);
            let mut without = full.clone();
            set(i, &mut without, &Delta::default());
            deltas.push(without);
        }
        for reason in [
            None,
            Some(FinishReason::Stop),
            Some(FinishReason::Length),
            Some(FinishReason::ToolCalls),
            Some(FinishReason::ContentFilter),
            Some(FinishReason::FunctionCall),
        ] {
            for delta in &deltas {
                let mut c = base.clone();
                c.choices[0].finish_reason = reason;
                c.choices[0].delta = delta.clone();
                check_chunk(&c);
            }
        }
        let mut c = base.clone();
        c.choices = deltas
            .iter()
            .enumerate()
            .map(|(i, d)| ChunkChoice {
                finish_reason: None,
                index: i as u32,
                delta: d.clone(),
            })
            .collect();
        check_chunk(&c);
    }

    /// xorshift64*: deterministic, no dependencies.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn chance(&mut self, one_in: u64) -> bool {
            self.below(one_in) == 0
        }

        fn u64(&mut self) -> u64 {
            match self.below(5) {
                0 => 0,
                1 => self.below(10),
                2 => self.below(100_000),
                3 => u64::MAX - self.below(3),
                _ => self.next() >> self.below(64),
            }
        }

        fn u32(&mut self) -> u32 {
            match self.below(4) {
                0 => 0,
                1 => self.below(10) as u32,
                2 => u32::MAX,
                _ => (self.next() >> 32) as u32,
            }
        }

        fn string(&mut self) -> String {
            const PIECES: &[&str] = &[
                "a",
                "Hello",
                " ",
                "\"",
                "\\",
                "/",
                "\n",
                "\r",
                "\t",
                "\u{8}",
                "\u{c}",
                "\u{0}",
                "\u{1}",
                "\u{1f}",
                "\u{1b}",
                "\u{7f}",
                "é",
                "中",
                "😀",
                "👍🏽",
                "\u{2028}",
                "{}",
                "'",
                "<script>",
                "\u{fffd}",
                "\u{10ffff}",
                "0",
                "null",
            ];
            let len = match self.below(4) {
                0 => 0,
                1 => 1 + self.below(3),
                _ => self.below(40),
            };
            let mut s = String::new();
            for _ in 0..len {
                if self.chance(4) {
                    // Any scalar value at all.
                    let c = loop {
                        if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                            break c;
                        }
                    };
                    s.push(c);
                } else if self.chance(6) {
                    s.push(char::from(self.below(0x80) as u8));
                } else {
                    s.push_str(PIECES[self.below(PIECES.len() as u64) as usize]);
                }
            }
            s
        }

        fn opt_string(&mut self) -> Option<String> {
            if self.chance(2) {
                Some(self.string())
            } else {
                None
            }
        }

        fn opt_u64(&mut self) -> Option<u64> {
            if self.chance(2) {
                Some(self.u64())
            } else {
                None
            }
        }

        fn key(&mut self) -> String {
            const NAMED: &[&str] = &[
                "id",
                "created",
                "model",
                "object",
                "system_fingerprint",
                "choices",
                "usage",
                "service_tier",
                "meta",
                "extra",
                "finish_reason",
                "index",
                "message",
                "logprobs",
                "provider_specific_fields",
            ];
            if self.chance(2) {
                NAMED[self.below(NAMED.len() as u64) as usize].to_owned()
            } else {
                self.string()
            }
        }

        fn value(&mut self, depth: u32) -> Value {
            let kinds = if depth >= 3 { 6 } else { 8 };
            match self.below(kinds) {
                0 => Value::Null,
                1 => Value::Bool(self.chance(2)),
                2 => Value::from(self.u64()),
                3 => Value::from(-(self.below(1 << 40) as i64)),
                4 => {
                    let f = f64::from_bits(self.next());
                    // Non-finite floats become null in serde_json::Value.
                    Value::from(if self.chance(2) {
                        f
                    } else {
                        self.below(1000) as f64 / 8.0
                    })
                }
                5 => Value::String(self.string()),
                6 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
                _ => Value::Object(self.object(depth + 1)),
            }
        }

        fn object(&mut self, depth: u32) -> JsonObject {
            let mut m = JsonObject::new();
            for _ in 0..self.below(4) {
                let k = self.key();
                let v = self.value(depth);
                m.insert(k, v);
            }
            m
        }

        fn opt_object(&mut self) -> Option<JsonObject> {
            if self.chance(3) {
                Some(self.object(0))
            } else {
                None
            }
        }

        fn finish_reason(&mut self) -> Option<FinishReason> {
            match self.below(6) {
                0 => None,
                1 => Some(FinishReason::Stop),
                2 => Some(FinishReason::Length),
                3 => Some(FinishReason::ToolCalls),
                4 => Some(FinishReason::ContentFilter),
                _ => Some(FinishReason::FunctionCall),
            }
        }

        fn usage(&mut self) -> Option<Usage> {
            if self.chance(2) {
                return None;
            }
            Some(Usage {
                completion_tokens: self.u64(),
                prompt_tokens: self.u64(),
                total_tokens: self.u64(),
                completion_tokens_details: self.chance(2).then(|| CompletionTokensDetails {
                    reasoning_tokens: self.opt_u64(),
                    text_tokens: self.opt_u64(),
                }),
                prompt_tokens_details: self.chance(2).then(|| PromptTokensDetails {
                    cached_tokens: self.opt_u64(),
                    cache_write_tokens: self.opt_u64(),
                    text_tokens: self.opt_u64(),
                    cache_creation_tokens: self.opt_u64(),
                    cache_creation_token_details: self.chance(2).then(|| {
                        CacheCreationTokenDetails {
                            ephemeral_5m_input_tokens: self.u64(),
                            ephemeral_1h_input_tokens: self.u64(),
                        }
                    }),
                }),
                cache_creation_input_tokens: self.opt_u64(),
                cache_read_input_tokens: self.opt_u64(),
                cost: self.chance(2).then(|| self.below(100_000) as f64 / 1e7),
            })
        }

        fn thinking_blocks(&mut self) -> Option<Vec<ThinkingBlock>> {
            if self.chance(2) {
                return None;
            }
            Some(
                (0..self.below(4))
                    .map(|_| {
                        if self.chance(3) {
                            ThinkingBlock::RedactedThinking {
                                data: self.string(),
                            }
                        } else {
                            ThinkingBlock::Thinking {
                                thinking: self.string(),
                                signature: self.opt_string(),
                            }
                        }
                    })
                    .collect(),
            )
        }

        fn annotations(&mut self) -> Option<Vec<Annotation>> {
            if self.chance(2) {
                return None;
            }
            Some(
                (0..self.below(3))
                    .map(|_| Annotation {
                        kind: self.string(),
                        url_citation: UrlCitation {
                            start_index: self.u64(),
                            end_index: self.u64(),
                            title: self.string(),
                            url: self.string(),
                        },
                    })
                    .collect(),
            )
        }

        fn message(&mut self) -> ResponseMessage {
            ResponseMessage {
                content: self.opt_string(),
                role: self.string(),
                tool_calls: self.chance(2).then(|| {
                    (0..self.below(4))
                        .map(|_| ToolCall {
                            index: self.chance(2).then(|| self.below(40) as u32),
                            id: self.string(),
                            kind: self.string(),
                            function: FunctionCall {
                                name: self.string(),
                                arguments: self.string(),
                            },
                        })
                        .collect()
                }),
                function_call: self.chance(3).then(|| self.value(0)),
                reasoning_content: self.opt_string(),
                thinking_blocks: self.thinking_blocks(),
                annotations: self.annotations(),
                provider_specific_fields: self.opt_object(),
            }
        }

        fn completion(&mut self) -> ChatCompletion {
            ChatCompletion {
                id: self.string(),
                created: self.u64(),
                model: self.string(),
                object: self.string(),
                system_fingerprint: self.opt_string(),
                choices: (0..self.below(4))
                    .map(|_| Choice {
                        finish_reason: self.finish_reason(),
                        index: self.u32(),
                        message: self.message(),
                        extra: if self.chance(2) {
                            self.object(0)
                        } else {
                            JsonObject::new()
                        },
                    })
                    .collect(),
                usage: self.usage(),
                service_tier: self.opt_string(),
                extra: if self.chance(2) {
                    self.object(0)
                } else {
                    JsonObject::new()
                },
                meta: ResponseMeta {
                    response_cost: self.chance(2).then(|| self.below(100) as f64),
                    request_id: self.opt_string(),
                    provider_metadata: None,
                    attempts: self.u32(),
                },
            }
        }

        fn delta(&mut self) -> Delta {
            Delta {
                content: self.opt_string(),
                role: self.opt_string(),
                tool_calls: self.chance(2).then(|| {
                    (0..self.below(4))
                        .map(|_| ToolCallDelta {
                            index: self.u32(),
                            id: self.opt_string(),
                            kind: self.opt_string(),
                            function: FunctionCallDelta {
                                name: self.opt_string(),
                                arguments: self.string(),
                            },
                        })
                        .collect()
                }),
                reasoning_content: self.opt_string(),
                thinking_blocks: self.thinking_blocks(),
                annotations: self.annotations(),
                provider_specific_fields: self.opt_object(),
            }
        }

        fn chunk(&mut self) -> ChatCompletionChunk {
            ChatCompletionChunk {
                id: self.string(),
                created: self.u64(),
                model: self.string(),
                object: self.string(),
                system_fingerprint: self.opt_string(),
                choices: (0..self.below(3))
                    .map(|_| ChunkChoice {
                        finish_reason: self.finish_reason(),
                        index: self.u32(),
                        delta: self.delta(),
                    })
                    .collect(),
                usage: self.usage(),
                provider_specific_fields: self.opt_object(),
                trace: self.chance(3).then(|| self.value(2)),
            }
        }
    }

    const RANDOM_CASES: usize = 4000;

    #[test]
    fn random_completions_match_serde_json() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut with_extra = 0;
        let mut proxy_checked = 0;
        for _ in 0..RANDOM_CASES {
            let c = rng.completion();
            if !c.extra.is_empty() {
                with_extra += 1;
            }
            if check_completion(&c) {
                proxy_checked += 1;
            }
        }
        // The generator really produces the interesting shapes.
        assert!(with_extra > RANDOM_CASES / 4, "{with_extra}");
        assert!(proxy_checked > RANDOM_CASES / 2, "{proxy_checked}");
    }

    #[test]
    fn random_chunks_match_serde_json() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut with_tools = 0;
        let mut proxy_checked = 0;
        for _ in 0..RANDOM_CASES {
            let c = rng.chunk();
            if c.choices.iter().any(|ch| ch.delta.tool_calls.is_some()) {
                with_tools += 1;
            }
            if check_chunk(&c) {
                proxy_checked += 1;
            }
        }
        assert!(with_tools > RANDOM_CASES / 4, "{with_tools}");
        assert!(proxy_checked > RANDOM_CASES / 2, "{proxy_checked}");
    }

    #[test]
    fn appends_to_existing_buffer() {
        let c = base_completion();
        let mut out = b"data: ".to_vec();
        c.write_json(&mut out);
        let mut expected = b"data: ".to_vec();
        expected.extend(serde_json::to_vec(&c).unwrap());
        assert_eq!(out, expected);
    }
}

//! Token counts as LiteLLM computes them when a provider gives none: OpenAI's `cl100k_base`
//! byte-pair encoding (tiktoken's default, what LiteLLM's `token_counter(text=…)` uses), special
//! tokens read as plain text.
//!
//! The vocabulary is `data/cl100k_base.tiktoken` (OpenAI, MIT), turned by `build.rs` into a
//! table read in place: nothing is parsed or allocated at start or on first use, and only the
//! pages a count touches are paged in (tiktoken's own Rust port builds a hash map of ~24 MB).

use std::sync::OnceLock;

use bedrock_types::ChatMessage;
use bedrock_types::chat::{ContentPart, MessageContent};
use regex::Regex;

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.bin"));

/// cl100k's pre-tokenizer without its one look-ahead (`\s+(?!\S)`), which [`pieces`] applies by
/// hand; the `regex` crate prefers alternatives left to right as tiktoken's engine does.
const PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+";

/// LiteLLM encodes text in runs of this many characters and adds up the counts
/// (`TIKTOKEN_ENCODE_CHUNK_SIZE_CHARS`, its default), so a piece that straddles a run boundary
/// counts as two pieces.
const CHUNK_CHARS: usize = 1024;

/// How many tokens LiteLLM's `token_counter(text=…)` counts in `text`: cl100k_base over runs of
/// 1024 characters, special-token spellings as plain text.
pub fn count(text: &str) -> u64 {
    let (Some(vocab), Some(re)) = (Vocab::get(), regex()) else {
        // Unreachable with the table build.rs writes and the constant pattern (both tested);
        // a rough count beats a panic.
        return (text.len() as u64).div_ceil(4);
    };
    let mut total = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .char_indices()
            .nth(CHUNK_CHARS)
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        total += encode(vocab, re, run);
        rest = tail;
    }
    total
}

/// How many cl100k tokens `text` encodes to in one piece (`len(encoding.encode(text))`, what
/// LiteLLM counts Cohere embedding inputs with).
pub fn encode_len(text: &str) -> u64 {
    match (Vocab::get(), regex()) {
        (Some(vocab), Some(re)) => encode(vocab, re, text),
        _ => (text.len() as u64).div_ceil(4),
    }
}

fn encode(vocab: &Vocab, re: &Regex, text: &str) -> u64 {
    pieces(re, text)
        .map(|p| vocab.count_piece(p.as_bytes()))
        .sum()
}

/// The prompt tokens LiteLLM estimates for `messages` when Bedrock reports none
/// (`token_counter(messages=…)` with no model): 3 a message, every string field of it counted
/// (role, content or its text parts, name plus 1, tool call id, reasoning, unknown string
/// fields), tool-call arguments, and 3 to prime the reply.
pub fn count_messages(messages: &[ChatMessage]) -> u64 {
    const PER_MESSAGE: u64 = 3;
    const REPLY_PRIMING: u64 = 3;
    let mut total = 0;
    for m in messages {
        total += PER_MESSAGE + count(m.role.as_str());
        match &m.content {
            Some(MessageContent::Text(t)) => total += count(t),
            Some(MessageContent::Parts(parts)) => {
                for part in parts {
                    if let ContentPart::Text { text, .. } = part {
                        total += count(text);
                    }
                }
            }
            None => {}
        }
        if let Some(name) = &m.name {
            total += count(name) + 1;
        }
        for call in m.tool_calls.iter().flatten() {
            total += count(&call.function.arguments);
        }
        if let Some(f) = &m.function_call {
            total += count(&f.arguments);
        }
        for s in [&m.tool_call_id, &m.reasoning_content]
            .into_iter()
            .flatten()
        {
            total += count(s);
        }
        for v in m.extra.values() {
            if let Some(s) = v.as_str() {
                total += count(s);
            }
        }
    }
    total + REPLY_PRIMING
}

/// The pre-tokenizer's pieces. `\s+(?!\S)` matches a run of blanks but the last when a
/// non-blank follows (that blank then starts the next piece, as in `"  word"` → `" "`,
/// `" word"`); a run holding a line break is matched earlier by `\s*[\r\n]+`.
fn pieces<'t>(re: &'t Regex, text: &'t str) -> impl Iterator<Item = &'t str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let m = re.find_at(text, at)?;
        let mut end = m.end();
        let piece = m.as_str();
        let next_is_visible = text[end..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace());
        if next_is_visible
            && piece.chars().all(char::is_whitespace)
            && !piece.contains(['\r', '\n'])
            && let Some((last, _)) = piece.char_indices().nth(1).and(piece.char_indices().last())
        {
            end = m.start() + last;
        }
        at = end;
        Some(&text[m.start()..end])
    })
}

fn regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(PATTERN).ok()).as_ref()
}

/// The table `build.rs` wrote.
struct Vocab {
    n: usize,
    slots: usize,
    offsets: &'static [u8],
    table: &'static [u8],
    bytes: &'static [u8],
}

impl Vocab {
    fn get() -> Option<&'static Vocab> {
        static VOCAB: OnceLock<Option<Vocab>> = OnceLock::new();
        VOCAB.get_or_init(|| Vocab::read(TABLE)).as_ref()
    }

    fn read(t: &'static [u8]) -> Option<Vocab> {
        let n = u32_at(t, 0)? as usize;
        let slots = u32_at(t, 4)? as usize;
        let offsets = t.get(8..8 + (n + 1) * 4)?;
        let table_start = 8 + (n + 1) * 4;
        let table = t.get(table_start..table_start + slots * 4)?;
        let bytes = t.get(table_start + slots * 4..)?;
        (slots.is_power_of_two()).then_some(Vocab {
            n,
            slots,
            offsets,
            table,
            bytes,
        })
    }

    fn token(&self, rank: usize) -> Option<&'static [u8]> {
        let start = u32_at(self.offsets, rank * 4)? as usize;
        let end = u32_at(self.offsets, rank * 4 + 4)? as usize;
        self.bytes.get(start..end)
    }

    /// The rank of `bytes` if it is one token.
    fn rank(&self, bytes: &[u8]) -> Option<u32> {
        let mut i = fnv1a(bytes) as usize & (self.slots - 1);
        loop {
            let entry = u32_at(self.table, i * 4)?;
            if entry == 0 {
                return None;
            }
            let rank = entry - 1;
            if (rank as usize) < self.n && self.token(rank as usize)? == bytes {
                return Some(rank);
            }
            i = (i + 1) & (self.slots - 1);
        }
    }

    /// Tokens in one piece: tiktoken's `_byte_pair_merge`, merging the lowest-ranked adjacent
    /// pair (the leftmost on a tie) until no pair is a token.
    fn count_piece(&self, piece: &[u8]) -> u64 {
        if piece.len() <= 1 || self.rank(piece).is_some() {
            return 1;
        }
        // (start of the part, rank of the part joined with the next one).
        let mut parts: Vec<(usize, u32)> = (0..=piece.len()).map(|i| (i, u32::MAX)).collect();
        let rank_at = |parts: &[(usize, u32)], i: usize| -> u32 {
            match (parts.get(i), parts.get(i + 2)) {
                (Some(&(a, _)), Some(&(b, _))) => self.rank(&piece[a..b]).unwrap_or(u32::MAX),
                _ => u32::MAX,
            }
        };
        for i in 0..parts.len().saturating_sub(2) {
            parts[i].1 = rank_at(&parts, i);
        }
        // `min_by_key` keeps the first of equal ranks, as tiktoken does.
        while let Some((i, &(_, min))) = parts[..parts.len() - 1]
            .iter()
            .enumerate()
            .min_by_key(|(_, (_, r))| *r)
        {
            if min == u32::MAX {
                break;
            }
            // Join part i with part i + 1; the ranks of i and i - 1 see new neighbours.
            parts.remove(i + 1);
            parts[i].1 = rank_at(&parts, i);
            if i > 0 {
                parts[i - 1].1 = rank_at(&parts, i - 1);
            }
        }
        (parts.len() - 1) as u64
    }
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

// The hash `build.rs` filled the table with.
include!("fnv1a.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_compiles() {
        assert!(Regex::new(PATTERN).is_ok());
    }

    #[test]
    fn every_token_is_found_at_its_rank() {
        let v = Vocab::get().unwrap();
        assert_eq!(v.n, 100_256);
        for rank in 0..v.n {
            let t = v.token(rank).unwrap();
            assert_eq!(v.rank(t), Some(rank as u32), "rank {rank}");
        }
        assert_eq!(v.rank(b"not one token at all"), None);
    }

    /// `token_counter(messages=…)` and a long `token_counter(text=…)` as LiteLLM 1.103.7
    /// counts them (the long text crosses its 1024-character encoding runs).
    #[test]
    fn message_and_long_text_counts_match_litellm() {
        let msgs: Vec<ChatMessage> = serde_json::from_value(serde_json::json!([
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi", "name": "bob"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"}
        ]))
        .unwrap();
        assert_eq!(count_messages(&msgs), 34);
        assert_eq!(count_messages(&msgs[1..2]), 3 + 1 + 1 + 1 + 1 + 3);
        let long = "x".repeat(3000) + &" hello world ".repeat(200);
        assert_eq!(count(&long), 977);
    }

    #[test]
    fn pieces_follow_the_look_ahead() {
        let p = |s| pieces(regex().unwrap(), s).collect::<Vec<_>>();
        assert_eq!(p("   word"), ["  ", " word"]);
        assert_eq!(p("a  123"), ["a", " ", " ", "123"]);
        assert_eq!(p("end   "), ["end", "   "]);
        assert_eq!(p("x\n\n  y"), ["x", "\n\n", " ", " y"]);
        assert_eq!(p("I'm 12345!!"), ["I", "'m", " ", "123", "45", "!!"]);
        assert_eq!(p(""), Vec::<&str>::new());
    }

    /// Counts recorded from LiteLLM 1.103.7's `token_counter(text=…, count_response_tokens=True)`
    /// (tiktoken 0.x, cl100k_base).
    #[test]
    fn counts_match_litellm() {
        for (text, n) in [
            ("Thinking hard.", 3),
            ("Hmm.", 2),
            (
                "The user asks about the weather in Paris. I should call the tool.",
                15,
            ),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 5),
            ("思考中です", 4),
            ("x", 1),
            ("Let me think step by step about 12*13.", 12),
            ("<|endoftext|> hi", 8),
            ("", 0),
        ] {
            assert_eq!(count(text), n, "{text:?}");
        }
    }
}

#[cfg(test)]
mod recorded {
    /// 1001 texts (random mixes of letters, digits, blanks, line breaks, punctuation, other
    /// scripts, emoji and special-token spellings, plus a fixture's reasoning) with the count
    /// LiteLLM 1.103.7's `token_counter(text=…, count_response_tokens=True)` gave each.
    #[test]
    fn counts_match_litellm_over_recorded_texts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tokens/cl100k_litellm.json"
        );
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(cases.len() > 1000);
        let wrong: Vec<_> = cases
            .iter()
            .filter_map(|c| {
                let text = c["text"].as_str().unwrap();
                let want = c["litellm_tokens"].as_u64().unwrap();
                let got = super::count(text);
                (got != want).then(|| format!("{text:?}: LiteLLM {want}, here {got}"))
            })
            .collect();
        assert!(
            wrong.is_empty(),
            "{} differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
}

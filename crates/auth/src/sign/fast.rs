//! SigV4 for the common request shape without `aws-sigv4`: the canonical request is streamed
//! into SHA-256 through a stack buffer (no `fmt`, no intermediate strings, no header map
//! copies), and the signing key and the token header come ready from the credentials'
//! [`super::key::SigningCache`].
//!
//! The shape it takes (anything else returns `Ok(false)` and aws-sigv4 signs):
//! - a time from 1970 to 9999 (UTC);
//! - region, service and access key id of visible ASCII, and a visible-ASCII session token;
//! - an absolute URI (scheme and authority; no userinfo unless a Host header names the host)
//!   or an origin-form one with a Host header, with no query string (not even an empty `?`);
//! - a path that starts with `/` (or is empty) with no `//` and no `.` or `..` segment, so
//!   aws-sigv4's normalisation would not change it;
//! - every signed header value visible ASCII (no tab, no obs-text), at most 29 signed headers.
//!
//! The output is byte-identical to `aws-sigv4` 1.x `sign` with `SigningSettings::default()`
//! (an equivalence test in `sign/equivalence_tests.rs` checks thousands of generated requests).
//! The facts it relies on, from the aws-sigv4 sources (`http_request/canonical_request.rs`,
//! `http_request/uri_path_normalization.rs`, `http_request/url_escape.rs`,
//! `http_request/settings.rs`, `http_request/sign.rs`, `sign/v4.rs`, `date_time.rs`) and
//! aws-smithy-http's `label.rs` / `urlencode.rs`:
//!
//! - canonical request = `method \n path \n query \n (name:value \n)* \n signed-names \n
//!   payload-hash`, with no trailing newline;
//! - path: normalised (RFC 3986 dot-segment removal, empty segments dropped) only when it
//!   contains `.` or `//`, and that is a no-op without `.`/`..` segments and `//`; then
//!   percent-encoded once more with the Smithy "greedy label" set: C0 controls, DEL, every
//!   non-ASCII byte, space and ``:,?#[]{}|@!$&'()*+;=%<>"^`\`` become `%XX` (uppercase hex),
//!   `/` and everything else stays;
//! - header names are lowercase; values are trimmed of spaces (only `' '`, not tabs) and runs
//!   of spaces collapse to one; repeated headers are joined with `,` in request order;
//!   signed names are sorted bytewise and joined with `;`;
//! - `host` comes from a Host header if the request has one, else from the URI: the host alone
//!   when the port is the scheme's default (`http`+`80`, `https`+`443`), the whole authority
//!   otherwise (including when no port is written);
//! - `x-amz-date` (`yyyymmddThhmmssZ`, UTC, seconds truncated) is always signed, and
//!   `x-amz-security-token` (the raw token) is signed when there is one; no
//!   `x-amz-content-sha256` header; payload hash = lowercase hex SHA-256 of the body;
//! - string to sign = `AWS4-HMAC-SHA256 \n datetime \n yyyymmdd/region/service/aws4_request \n
//!   hex(sha256(canonical request))`; signature = lowercase hex HMAC with the signing key;
//! - output headers, in this order: `x-amz-date`, `authorization`
//!   (`AWS4-HMAC-SHA256 Credential=akid/scope, SignedHeaders=…, Signature=…`), and
//!   `x-amz-security-token` (marked sensitive).

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;
use sha2::{Digest, Sha256};

use super::is_signed_header;
use crate::credentials::Credentials;
use crate::error::AuthError;

/// More signed headers than this and the request takes the aws-sigv4 path.
const MAX_SIGNED: usize = 32;
/// 10000-01-01T00:00:00Z: from here on aws-sigv4 prints years with five digits.
const YEAR_10000: u64 = 253_402_300_800;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Bytes the greedy label encoding leaves as they are (aws-smithy-http `label.rs`).
static PATH_KEEP: [bool; 256] = path_keep();

const fn path_keep() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0x21;
    while b < 0x7f {
        t[b] = true;
        b += 1;
    }
    let encoded = b":,?#[]{}|@!$&'()*+;=%<>\"^`\\";
    let mut i = 0;
    while i < encoded.len() {
        t[encoded[i] as usize] = false;
        i += 1;
    }
    t
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX_LOWER[usize::from(b >> 4)];
        out[2 * i + 1] = HEX_LOWER[usize::from(b & 0x0f)];
    }
    out
}

/// A UTC time as SigV4 writes it.
pub(crate) struct Stamp {
    /// Days since 1970-01-01.
    pub(crate) day: u64,
    /// `yyyymmdd` (the credential scope's date).
    pub(crate) date: [u8; 8],
    /// `yyyymmddThhmmssZ`.
    pub(crate) date_time: [u8; 16],
}

impl Stamp {
    /// `None` before 1970 or from year 10000 on (the aws-sigv4 path handles those).
    pub(crate) fn new(time: SystemTime) -> Option<Stamp> {
        let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
        if secs >= YEAR_10000 {
            return None;
        }
        let day = secs / 86_400;
        let sod = secs % 86_400;
        let (y, m, d) = civil_from_days(day);
        let mut date = [0u8; 8];
        put_digits(&mut date[0..4], y);
        put_digits(&mut date[4..6], m);
        put_digits(&mut date[6..8], d);
        let mut date_time = *b"00000000T000000Z";
        date_time[..8].copy_from_slice(&date);
        put_digits(&mut date_time[9..11], sod / 3600);
        put_digits(&mut date_time[11..13], sod / 60 % 60);
        put_digits(&mut date_time[13..15], sod % 60);
        Some(Stamp {
            day,
            date,
            date_time,
        })
    }
}

/// Zero-padded decimal `n` filling `out`.
fn put_digits(out: &mut [u8], mut n: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Proleptic Gregorian (year, month, day) of `days` since 1970-01-01, by counting in 400-year
/// eras that start on 0000-03-01 (so the leap day is the last day of a counted year).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // 0000-03-01 is 719_468 days before 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097; // day of era, 0..=146_096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // month, March = 0
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = era * 400 + yoe + u64::from(m <= 2);
    (y, m, d)
}

/// Every byte in 0x20..=0x7e (what the fast path and the token header accept).
pub(super) fn visible_ascii(s: &[u8]) -> bool {
    s.iter().all(|b| (0x20..0x7f).contains(b))
}

/// A SHA-256 fed through a stack buffer: the canonical request is written in many small
/// pieces, and one `update` per kilobyte is cheaper than one per piece.
struct Buffered {
    hash: Sha256,
    buf: [u8; 1024],
    len: usize,
}

impl Buffered {
    fn new() -> Self {
        Buffered {
            hash: Sha256::new(),
            buf: [0; 1024],
            len: 0,
        }
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if bytes.len() > self.buf.len() - self.len {
            self.flush();
            if bytes.len() > self.buf.len() {
                self.hash.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn flush(&mut self) {
        self.hash.update(&self.buf[..self.len]);
        self.len = 0;
    }

    fn finish(mut self) -> [u8; 32] {
        self.flush();
        self.hash.finalize().into()
    }

    /// A header value as SigV4 canonicalises it: leading and trailing spaces dropped, runs of
    /// spaces collapsed to one.
    fn put_trimmed(&mut self, value: &[u8]) {
        let mut first = true;
        for word in value.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
            if !first {
                self.put(b" ");
            }
            self.put(word);
            first = false;
        }
    }

    /// The path encoded once more (see the module docs); `false`, with the hash now useless,
    /// when aws-sigv4's normalisation would change the path: a `//`, or a `.` or `..` segment.
    /// `path` starts with `/`.
    fn put_path(&mut self, path: &[u8]) -> bool {
        let mut run = 0;
        let mut segment = 0;
        for (i, b) in path.iter().enumerate() {
            if *b == b'/' {
                if i > 0 && is_dot_or_empty(&path[segment..i]) {
                    return false;
                }
                segment = i + 1;
            } else if !PATH_KEEP[usize::from(*b)] {
                self.put(&path[run..i]);
                self.put(&[
                    b'%',
                    HEX_UPPER[usize::from(b >> 4)],
                    HEX_UPPER[usize::from(b & 0x0f)],
                ]);
                run = i + 1;
            }
        }
        // The last segment may be empty (a trailing slash) but not a dot segment.
        let last = &path[segment..];
        if last == b"." || last == b".." {
            return false;
        }
        self.put(&path[run..]);
        true
    }
}

/// A segment that normalisation would remove or collapse (between two slashes).
fn is_dot_or_empty(segment: &[u8]) -> bool {
    matches!(segment, b"" | b"." | b"..")
}

/// Where the `host` value comes from.
enum Host<'a> {
    /// The request's Host header(s).
    Header,
    /// Derived from the URI.
    Uri(&'a str),
}

/// Sign `request` without aws-sigv4 if it has the common shape; `Ok(false)` (request untouched)
/// otherwise. The caller has already removed stale SigV4 headers and checked there is a host.
pub(crate) fn try_sign(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<bool, AuthError> {
    let Some(stamp) = Stamp::new(time) else {
        return Ok(false);
    };
    let token = credentials.session_token().map(|t| t.expose());
    // Present exactly when the token is visible ASCII.
    let token_header = credentials.session_token_header();
    let access_key_id = credentials.access_key_id();
    if !visible_ascii(region.as_bytes())
        || !visible_ascii(service.as_bytes())
        || !visible_ascii(access_key_id.as_bytes())
        || token.is_some() != token_header.is_some()
    {
        return Ok(false);
    }

    let uri = request.uri();
    if uri.query().is_some() || uri.scheme().is_some() != uri.authority().is_some() {
        return Ok(false);
    }
    let path = match uri.path() {
        "" => "/",
        p => p,
    };
    if !path.starts_with('/') {
        return Ok(false);
    }

    let headers = request.headers();
    let host = if headers.contains_key(http::header::HOST) {
        Host::Header
    } else {
        let Some(authority) = uri.authority() else {
            return Ok(false);
        };
        if authority.as_str().contains('@') {
            return Ok(false);
        }
        let default_port = matches!(
            (uri.scheme_str(), uri.port().as_ref().map(|p| p.as_str())),
            (Some("http"), Some("80")) | (Some("https"), Some("443"))
        );
        Host::Uri(if default_port {
            authority.host()
        } else {
            authority.as_str()
        })
    };

    // Signed header names, then sorted. The request's own come first; `host` (unless the
    // request has a Host header), `x-amz-date` and the token header are added.
    let mut names: [&str; MAX_SIGNED] = [""; MAX_SIGNED];
    let mut n = 0;
    for name in headers.keys() {
        if !is_signed_header(name.as_str()) {
            continue;
        }
        // Keep room for the three added below.
        if n + 3 >= MAX_SIGNED {
            return Ok(false);
        }
        if !headers
            .get_all(name)
            .iter()
            .all(|v| visible_ascii(v.as_bytes()))
        {
            return Ok(false);
        }
        names[n] = name.as_str();
        n += 1;
    }
    let host_from_uri = match host {
        Host::Uri(h) => {
            names[n] = "host";
            n += 1;
            Some(h)
        }
        Host::Header => None,
    };
    names[n] = "x-amz-date";
    n += 1;
    if token.is_some() {
        names[n] = "x-amz-security-token";
        n += 1;
    }
    let names = &mut names[..n];
    names.sort_unstable();

    // Canonical request, streamed into its hash.
    let mut creq = Buffered::new();
    creq.put(request.method().as_str().as_bytes());
    creq.put(b"\n");
    if !creq.put_path(path.as_bytes()) {
        return Ok(false);
    }
    // The empty query line.
    creq.put(b"\n\n");
    for name in names.iter() {
        creq.put(name.as_bytes());
        creq.put(b":");
        match (*name, host_from_uri, token) {
            ("host", Some(h), _) => creq.put(h.as_bytes()),
            ("x-amz-security-token", _, Some(t)) => creq.put(t.as_bytes()),
            ("x-amz-date", _, _) => creq.put(&stamp.date_time),
            _ => {
                for (i, v) in headers.get_all(*name).iter().enumerate() {
                    if i > 0 {
                        creq.put(b",");
                    }
                    creq.put_trimmed(v.as_bytes());
                }
            }
        }
        creq.put(b"\n");
    }
    creq.put(b"\n");

    // The authorization header up to the signature; its signed-names part also goes into the
    // canonical request.
    let mut auth = String::with_capacity(
        ALGORITHM.len()
            + access_key_id.len()
            + region.len()
            + service.len()
            + names.iter().map(|n| n.len() + 1).sum::<usize>()
            + 140,
    );
    auth.push_str(ALGORITHM);
    auth.push_str(" Credential=");
    auth.push_str(access_key_id);
    auth.push('/');
    let scope_start = auth.len();
    // The date is ASCII digits.
    for b in &stamp.date {
        auth.push(char::from(*b));
    }
    auth.push('/');
    auth.push_str(region);
    auth.push('/');
    auth.push_str(service);
    auth.push_str("/aws4_request");
    let scope_end = auth.len();
    auth.push_str(", SignedHeaders=");
    let signed_start = auth.len();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            auth.push(';');
        }
        auth.push_str(name);
    }
    creq.put(&auth.as_bytes()[signed_start..]);
    creq.put(b"\n");
    creq.put(&hex32(&Sha256::digest(request.body()).into()));
    let creq_hash = hex32(&creq.finish());

    // String to sign, MACed as it is produced.
    let key = credentials.signing_key(stamp.day, &stamp.date, region, service);
    let mut sts = key.start();
    sts.update(ALGORITHM);
    sts.update(b"\n");
    sts.update(stamp.date_time);
    sts.update(b"\n");
    sts.update(&auth.as_bytes()[scope_start..scope_end]);
    sts.update(b"\n");
    sts.update(creq_hash);
    let signature = hex32(&key.finish(sts));

    auth.push_str(", Signature=");
    for b in signature {
        auth.push(char::from(b));
    }

    let date = HeaderValue::from_bytes(&stamp.date_time)
        .map_err(|_| AuthError::Sign("bad `x-amz-date` header value".into()))?;
    let mut authorization = HeaderValue::try_from(auth)
        .map_err(|_| AuthError::Sign("bad `authorization` header value".into()))?;
    authorization.set_sensitive(true);
    let headers = request.headers_mut();
    headers.insert("x-amz-date", date);
    headers.insert(http::header::AUTHORIZATION, authorization);
    if let Some(token) = token_header {
        headers.insert("x-amz-security-token", token.clone());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::date_time::{DateTime, Format};
    use std::time::Duration;

    #[test]
    fn stamps_match_a_calendar_over_the_whole_range() {
        // Every day boundary from 1970 to 9999 would be 2.9 M cases; step by a prime so every
        // month and leap-year position is hit, plus the edges.
        let mut secs: Vec<u64> = (0..YEAR_10000).step_by(86_400 * 7 + 3_599).collect();
        secs.extend([0, 86_399, 86_400, 951_782_400, 951_868_799, YEAR_10000 - 1]);
        for s in secs {
            let t = UNIX_EPOCH + Duration::from_secs(s);
            let stamp = Stamp::new(t).unwrap();
            let want = DateTime::from(t).fmt(Format::DateTime).unwrap();
            // 2024-01-01T00:00:00Z → 20240101T000000Z
            let want: String = want.chars().filter(|c| *c != '-' && *c != ':').collect();
            assert_eq!(std::str::from_utf8(&stamp.date_time).unwrap(), want, "{s}");
            assert_eq!(stamp.day, s / 86_400);
        }
        assert!(Stamp::new(UNIX_EPOCH + Duration::from_secs(YEAR_10000)).is_none());
        assert!(Stamp::new(UNIX_EPOCH - Duration::from_secs(1)).is_none());
    }

    #[test]
    fn path_encoding_matches_the_greedy_label_set() {
        let mut all = Vec::new();
        for b in 0u8..=0x7f {
            all.push(b);
        }
        let mut h = Buffered::new();
        assert!(h.put_path(&all));
        let mut want = String::new();
        for b in all {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                want.push(char::from(b));
            } else {
                want.push_str(&format!("%{b:02X}"));
            }
        }
        assert_eq!(
            h.finish(),
            <[u8; 32]>::from(Sha256::digest(want.as_bytes()))
        );
    }

    #[test]
    fn dot_segments_and_double_slashes_are_refused() {
        for (path, ok) in [
            ("/", true),
            ("/model/a.b/converse", true),
            ("/model/.../x", true),
            ("/model/.x/x.", true),
            ("/model/x/", true),
            ("/model/./x", false),
            ("/model/../x", false),
            ("/model//x", false),
            ("//", false),
            ("/.", false),
            ("/..", false),
            ("/model/x/.", false),
            ("/model/x/./", false),
        ] {
            assert_eq!(Buffered::new().put_path(path.as_bytes()), ok, "{path}");
        }
    }

    #[test]
    fn buffering_is_transparent() {
        let data: Vec<u8> = (0..5_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for chunk in [1, 3, 64, 1_000, 1_024, 1_025, 5_000] {
            let mut h = Buffered::new();
            for piece in data.chunks(chunk) {
                h.put(piece);
            }
            assert_eq!(
                h.finish(),
                <[u8; 32]>::from(Sha256::digest(&data)),
                "{chunk}"
            );
        }
    }

    #[test]
    fn trimming_collapses_spaces_only() {
        for (input, want) in [
            ("", ""),
            ("   ", ""),
            ("a", "a"),
            ("  a  b   c  ", "a b c"),
            ("a\tb", "a\tb"),
        ] {
            let mut h = Buffered::new();
            h.put_trimmed(input.as_bytes());
            assert_eq!(
                h.finish(),
                <[u8; 32]>::from(Sha256::digest(want.as_bytes())),
                "{input:?}"
            );
        }
    }
}

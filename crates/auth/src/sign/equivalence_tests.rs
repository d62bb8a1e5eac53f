//! The fast path against aws-sigv4 on generated requests, the signing-key cache, and the
//! fallback for shapes the fast path leaves alone.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bedrock_types::Secret;
use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use super::{sign_request, sign_request_aws_sigv4, sign_request_fast};
use crate::credentials::Credentials;
use crate::error::AuthError;

/// SplitMix64: small, seedable, good enough to spread test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// True `pct` percent of the time.
    fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    fn string_from(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| char::from(self.pick(alphabet))).collect()
    }
}

const ID_PIECES: &[&str] = &[
    "anthropic",
    "claude-3-5-haiku-20241022-v1",
    ".",
    "-",
    "_",
    "~",
    "%3A",
    "%2F",
    "%20",
    "%25",
    "%2B",
    "%2e",
    "%7E",
    "%C3%A9",
    "us",
    "arn",
    "0",
    "v2",
    ":",
    "@",
    "!",
    "$",
    "&",
    "'",
    "(",
    ")",
    "*",
    "+",
    ",",
    ";",
    "=",
];
const OPS: &[&str] = &[
    "converse",
    "converse-stream",
    "invoke",
    "invoke-with-response-stream",
    "count-tokens",
];
const HOSTS: &[&str] = &[
    "bedrock-runtime.us-east-1.amazonaws.com",
    "bedrock-runtime-fips.us-gov-west-1.amazonaws.com",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "proxy.internal.example",
];
const PORTS: &[Option<&str>] = &[
    None,
    None,
    None,
    Some("443"),
    Some("80"),
    Some("8443"),
    Some("8080"),
    Some("0443"),
];
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "us-gov-west-1",
    "cn-north-1",
];
const SERVICES: &[&str] = &["bedrock", "bedrock", "bedrock", "sts", "execute-api"];
const HEADER_NAMES: &[&str] = &[
    "content-type",
    "accept",
    "user-agent",
    "x-amz-target",
    "x-amz-user-agent",
    "x-amz-content-sha256",
    "x-amz-meta-thing",
    "x-amzn-bedrock-trace",
    "x-amzn-bedrock-guardrailidentifier",
    "x-amzn-bedrock-performanceconfig-latency",
    "x-amzn-trace-id",
    "anthropic-beta",
    "date",
    "content-length",
    "x-forwarded-for",
];
const HEADER_VALUES: &[&str] = &[
    "application/json",
    "  leading",
    "trailing  ",
    "  both  ",
    "a  b   c",
    "",
    " ",
    "ENABLED",
    "Root=1-65a1b2c3-0123456789abcdef01234567",
    "text/event-stream; charset=utf-8",
    "\"quoted\", and: punctuation;=",
];
const VISIBLE: &[u8] =
    b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
/// 10000-01-01T00:00:00Z.
const YEAR_10000: u64 = 253_402_300_800;

struct Case {
    request: http::Request<Bytes>,
    credentials: Credentials,
    region: &'static str,
    service: &'static str,
    time: SystemTime,
    /// Whether the generator built a shape the fast path must take.
    fast: bool,
}

fn copy(req: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    out
}

/// Every header in map order, with its sensitivity.
fn snapshot(req: &http::Request<Bytes>) -> Vec<(String, Vec<u8>, bool)> {
    req.headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec(), v.is_sensitive()))
        .collect()
}

fn model_path(rng: &mut Rng) -> String {
    // Starts with a letter, so the pieces never form a `.` or `..` segment by chance: dot
    // segments come only from the deliberate fallback cases.
    let mut id = String::from("m");
    for _ in 0..1 + rng.below(12) {
        id.push_str(rng.pick(ID_PIECES));
    }
    if rng.chance(5) {
        // Raw bytes http accepts in a path although RFC 3986 does not.
        id.push(char::from(rng.pick(b"\"{}|^`[]\\<>")));
    }
    if rng.chance(5) {
        // Any other escaped byte, upper or lower case hex.
        let b = rng.below(256);
        id.push_str(&if rng.chance(50) {
            format!("%{b:02X}")
        } else {
            format!("%{b:02x}")
        });
    }
    let op = rng.pick(OPS);
    match rng.below(20) {
        0 => "/".to_owned(),
        1 => String::new(),
        2 => format!("/model/{id}/{op}/"),
        3 => format!("/{id}"),
        _ => format!("/model/{id}/{op}"),
    }
}

fn generate(rng: &mut Rng, pool: &[Credentials]) -> Option<Case> {
    let mut fast = true;
    let mut path = model_path(rng);
    match rng.below(40) {
        0 => {
            path.push_str("?a=b&c=%2F");
            fast = false;
        }
        1 => {
            path = format!("/model/./{}", path.trim_start_matches('/'));
            fast = false;
        }
        2 => {
            path = format!("/model/x/../{}", path.trim_start_matches('/'));
            fast = false;
        }
        3 => {
            path = format!("/model//{}", path.trim_start_matches('/'));
            fast = false;
        }
        4 => {
            path = format!("{}/.", path.trim_end_matches('/'));
            fast = false;
        }
        _ => {}
    }
    let scheme = if rng.chance(80) { "https" } else { "http" };
    let host = rng.pick(HOSTS);
    let mut authority = match rng.pick(PORTS) {
        None => host.to_owned(),
        Some(p) => format!("{host}:{p}"),
    };
    let host_header = rng.chance(25);
    if rng.chance(2) {
        // Userinfo: aws-sigv4 signs it as part of a non-default-port authority; ours refuses.
        authority = format!("user@{authority}");
        if !host_header {
            fast = false;
        }
    }
    // Origin-form (no scheme, no authority) only with a Host header.
    let relative = host_header && rng.chance(40) && path.starts_with('/');
    let uri = if relative {
        path.clone()
    } else {
        format!("{scheme}://{authority}{path}")
    };
    let uri: http::Uri = uri.parse().ok()?;
    let method = rng.pick(&["POST", "POST", "POST", "GET", "PUT", "DELETE"]);
    let body: Vec<u8> = match rng.below(6) {
        0 => Vec::new(),
        1 => (0..1_000 + rng.below(3_000))
            .map(|_| rng.next() as u8)
            .collect(),
        _ => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
    };
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(Bytes::from(body))
        .ok()?;
    let headers = request.headers_mut();
    if host_header {
        let value = match rng.below(4) {
            0 => host.to_owned(),
            1 => authority.clone(),
            2 => format!("  {authority}  "),
            _ => "other  host.example".to_owned(),
        };
        headers.insert(http::header::HOST, HeaderValue::from_str(&value).ok()?);
    }
    for _ in 0..rng.below(7) {
        let name = HeaderName::from_static(rng.pick(HEADER_NAMES));
        let value = if rng.chance(70) {
            (rng.pick(HEADER_VALUES)).to_owned()
        } else {
            let len = rng.below(40);
            rng.string_from(VISIBLE, len)
        };
        let value = HeaderValue::from_str(&value).ok()?;
        if rng.chance(30) {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
    }
    if rng.chance(3) {
        // A tab or obs-text in a signed header: aws-sigv4 decides (sign or refuse).
        let value = if rng.chance(50) {
            HeaderValue::from_static("a\tb")
        } else {
            HeaderValue::from_bytes(b"caf\xc3\xa9").ok()?
        };
        headers.append("x-amz-meta-odd", value);
        fast = false;
    }
    if rng.chance(5) {
        // Stale outputs from a caller are replaced, whichever path signs.
        headers.insert("x-amz-date", HeaderValue::from_static("19990101T000000Z"));
        headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 stale"),
        );
        headers.insert("x-amz-security-token", HeaderValue::from_static("stale"));
    }

    let credentials = if rng.chance(60) {
        pool[rng.below(pool.len())].clone()
    } else {
        let akid_len = 16 + rng.below(5);
        let akid = rng.string_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", akid_len);
        let secret_len = 1 + rng.below(80);
        let secret = rng.string_from(TOKEN_CHARS, secret_len);
        let token = if rng.chance(2) {
            // A token aws-sigv4 still signs but ours leaves to it.
            fast = false;
            Some(Secret::from("tab\there"))
        } else if rng.chance(50) {
            let len = 1 + rng.below(1_200);
            Some(Secret::from(rng.string_from(TOKEN_CHARS, len)))
        } else {
            None
        };
        Credentials::new(format!("AKIA{akid}"), secret, token, None)
    };

    let secs = match rng.below(10) {
        // Around midnight UTC.
        0..=2 => {
            let day = rng.below(2_932_896) as u64;
            let offset = rng.pick(&[0u64, 1, 59, 86_340, 86_398, 86_399]);
            day * 86_400 + offset
        }
        // Recent years, where real traffic is.
        3..=4 => 1_577_836_800 + rng.below(500_000_000) as u64,
        // A few days only, so pooled credentials hit their key cache with every mix of day,
        // region and service.
        5..=6 => (19_723 + rng.below(3) as u64) * 86_400 + rng.below(86_400) as u64,
        _ => rng.next() % YEAR_10000,
    };
    let nanos = if rng.chance(50) {
        rng.below(1_000_000_000) as u32
    } else {
        0
    };
    let time = if rng.chance(2) {
        // Before 1970: aws-sigv4 only.
        fast = false;
        UNIX_EPOCH - Duration::new(1 + secs % 2_000_000_000, nanos)
    } else {
        UNIX_EPOCH + Duration::new(secs, nanos)
    };

    Some(Case {
        request,
        credentials,
        region: rng.pick(REGIONS),
        service: rng.pick(SERVICES),
        time,
        fast,
    })
}

fn pool() -> Vec<Credentials> {
    vec![
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
        ),
        Credentials::new(
            "ASIAEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(Secret::from("SESSIONTOKENEXAMPLE")),
            None,
        ),
        Credentials::new(
            "ASIALONGTOKEN",
            "x".repeat(70),
            Some(Secret::from("T".repeat(1_100))),
            None,
        ),
    ]
}

/// The fast path, aws-sigv4 and `sign_request` agree on thousands of generated requests.
#[test]
fn fast_path_matches_aws_sigv4_on_generated_requests() {
    let mut rng = Rng(0x5167_4a11_d00d_2024);
    let pool = pool();
    let (mut cases, mut fast_cases, mut skipped) = (0, 0, 0);
    while cases < 6_000 {
        let Some(case) = generate(&mut rng, &pool) else {
            skipped += 1;
            continue;
        };
        cases += 1;
        let sign_with = |f: &dyn Fn(&mut http::Request<Bytes>) -> Result<(), AuthError>| {
            let mut req = copy(&case.request);
            let result = f(&mut req);
            (result, snapshot(&req))
        };
        let reference = sign_with(&|r| {
            sign_request_aws_sigv4(r, &case.credentials, case.region, case.service, case.time)
        });
        let public = sign_with(&|r| {
            sign_request(r, &case.credentials, case.region, case.service, case.time)
        });
        let context = || {
            format!(
                "case {cases}: {} {} {:?} region={} service={} time={:?}",
                case.request.method(),
                case.request.uri(),
                case.request.headers(),
                case.region,
                case.service,
                case.time
            )
        };
        assert_eq!(public, reference, "{}", context());

        let mut req = copy(&case.request);
        let took = sign_request_fast(
            &mut req,
            &case.credentials,
            case.region,
            case.service,
            case.time,
        );
        if case.fast {
            fast_cases += 1;
            assert_eq!(took, Ok(true), "{}", context());
            assert_eq!(
                (Ok(()), snapshot(&req)),
                reference,
                "fast path differs: {}",
                context()
            );
        } else {
            assert_eq!(took, Ok(false), "{}", context());
        }
    }
    println!("{cases} cases, {fast_cases} on the fast path, {skipped} unparsable URIs skipped");
    // The generator must mostly produce fast-path shapes, or the test proves little.
    assert!(fast_cases > cases * 3 / 4, "{fast_cases} of {cases}");
    assert!(
        skipped < cases / 10,
        "{skipped} generated URIs did not parse"
    );
}

fn vector_request(path: &str) -> http::Request<Bytes> {
    http::Request::post(format!(
        "https://bedrock-runtime.us-east-1.amazonaws.com{path}"
    ))
    .header("content-type", "application/json")
    .body(Bytes::from_static(b"{}"))
    .unwrap()
}

fn jan_1_2024() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

#[test]
fn second_sign_reuses_the_signing_key_and_a_new_scope_derives_again() {
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None);
    let cache = creds.signing_key_cache().clone();
    let sign = |c: &Credentials, region: &str, time: SystemTime| {
        let mut req = vector_request("/model/m/converse");
        assert_eq!(
            sign_request_fast(&mut req, c, region, "bedrock", time),
            Ok(true)
        );
        snapshot(&req)
    };
    sign(&creds, "us-east-1", jan_1_2024());
    assert_eq!(cache.derivations(), 1);
    // Same scope, later the same day, through a clone (as the credentials cache hands out).
    let clone = creds.clone();
    sign(
        &clone,
        "us-east-1",
        jan_1_2024() + Duration::from_secs(86_399),
    );
    assert_eq!(cache.derivations(), 1);
    // The next UTC day, another region: one derivation each.
    sign(
        &creds,
        "us-east-1",
        jan_1_2024() + Duration::from_secs(86_400),
    );
    assert_eq!(cache.derivations(), 2);
    sign(&creds, "eu-west-1", jan_1_2024());
    assert_eq!(cache.derivations(), 3);
    sign(&creds, "us-east-1", jan_1_2024());
    assert_eq!(cache.derivations(), 3);

    // The key never shows in Debug, and equality ignores the cache.
    let debug = format!("{creds:?}");
    assert_eq!(
        debug,
        "Credentials { access_key_id: \"AKIDEXAMPLE\", secret_access_key: ** redacted **, \
         session_token: None, expiry: None, account_id: None }"
    );
    assert_eq!(creds, Credentials::new("AKIDEXAMPLE", "secret", None, None));
}

#[test]
fn rotated_credentials_do_not_reuse_the_old_key() {
    let old = Credentials::new("AKIDEXAMPLE", "old-secret", None, None);
    let new = Credentials::new("AKIDEXAMPLE", "new-secret", None, None);
    let sign = |c: &Credentials, fast: bool| {
        let mut req = vector_request("/model/m/converse");
        if fast {
            assert_eq!(
                sign_request_fast(&mut req, c, "us-east-1", "bedrock", jan_1_2024()),
                Ok(true)
            );
        } else {
            sign_request_aws_sigv4(&mut req, c, "us-east-1", "bedrock", jan_1_2024()).unwrap();
        }
        req.headers()["authorization"].clone()
    };
    let with_old = sign(&old, true);
    assert_eq!(old.signing_key_cache().derivations(), 1);
    let with_new = sign(&new, true);
    assert_eq!(new.signing_key_cache().derivations(), 1);
    assert_ne!(with_old, with_new);
    assert_eq!(with_new, sign(&new, false));
    assert_eq!(with_old, sign(&old, false));
}

/// Query strings and dot segments go through aws-sigv4, and the result verifies.
#[test]
fn query_strings_and_dot_segments_take_the_fallback() {
    let creds = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(Secret::from("SESSIONTOKENEXAMPLE")),
        None,
    );
    for path in [
        "/model/m/converse?b=2&a=1",
        "/model/m/converse?x=%2F%3A",
        "/model/./m/converse",
        "/model/x/../m/converse",
        "/model//m/converse",
        "/model/m/converse/.",
    ] {
        let mut fast = vector_request(path);
        assert_eq!(
            sign_request_fast(&mut fast, &creds, "us-east-1", "bedrock", jan_1_2024()),
            Ok(false),
            "{path}"
        );
        assert!(!fast.headers().contains_key("authorization"));
        let mut public = vector_request(path);
        sign_request(&mut public, &creds, "us-east-1", "bedrock", jan_1_2024()).unwrap();
        let mut reference = vector_request(path);
        sign_request_aws_sigv4(&mut reference, &creds, "us-east-1", "bedrock", jan_1_2024())
            .unwrap();
        assert_eq!(snapshot(&public), snapshot(&reference), "{path}");
        assert!(public.headers()["authorization"].is_sensitive());
        assert!(public.headers()["x-amz-security-token"].is_sensitive());
        if !path.contains("/.") && !path.contains("//") {
            // The independent verifier does not normalise dot segments; check the rest.
            verify(&public);
        }
    }
}

/// Fast-path signatures pass the testkit's independent verifier too.
#[test]
fn fast_path_signatures_verify_independently() {
    let creds = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(Secret::from("SESSIONTOKENEXAMPLE")),
        None,
    );
    let mut req = vector_request("/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse");
    req.headers_mut().insert(
        "x-amzn-bedrock-trace",
        HeaderValue::from_static("  ENABLED  "),
    );
    assert_eq!(
        sign_request_fast(&mut req, &creds, "us-east-1", "bedrock", jan_1_2024()),
        Ok(true)
    );
    verify(&req);
}

fn verify(req: &http::Request<Bytes>) {
    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    if !req.headers().contains_key("host") {
        headers.push((
            "host".to_owned(),
            req.uri().authority().unwrap().host().to_owned(),
        ));
    }
    let verifier = bedrock_testkit::sigv4::SigV4Verifier::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )
    .with_session_token("SESSIONTOKENEXAMPLE");
    verifier
        .verify(&bedrock_testkit::sigv4::SignedRequest {
            method: req.method().as_str(),
            raw_path: req.uri().path(),
            raw_query: req.uri().query(),
            headers: &headers,
            body: req.body(),
        })
        .unwrap();
}

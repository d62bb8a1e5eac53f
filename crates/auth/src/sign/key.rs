//! HMAC-SHA256 on top of `sha2`, the SigV4 signing-key derivation, and the small cache of
//! derived keys (plus the ready token header) every clone of a [`crate::Credentials`] shares.
//!
//! The signing key is `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service),
//! "aws4_request")`: four HMACs (sixteen SHA-256 compressions) that depend only on
//! the secret, the UTC date, the region and the service. The cache keeps the result — already
//! expanded into the HMAC inner/outer hash states, which saves two more compressions per
//! signature — for a handful of (date, region, service) triples.

use std::fmt;
use std::sync::{Arc, Mutex};

use http::HeaderValue;
use sha2::{Digest, Sha256};

/// SHA-256 block size in bytes.
const BLOCK: usize = 64;
/// How many (date, region, service) keys one set of credentials keeps. A gateway that signs
/// for a few regions with the same keys should not thrash; four is plenty and a linear scan
/// over four entries is cheaper than any map.
const SLOTS: usize = 4;

/// An HMAC-SHA256 key with the padded key block already absorbed into the inner and outer
/// hash states, so a MAC costs only the message blocks plus one outer block.
///
/// `Debug` prints nothing of the key.
#[derive(Clone)]
pub(crate) struct HmacKey {
    inner: Sha256,
    outer: Sha256,
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

impl HmacKey {
    /// The key made of `parts` concatenated (RFC 2104: keys longer than a block are hashed
    /// first, shorter ones zero-padded).
    pub(crate) fn new(parts: &[&[u8]]) -> Self {
        let mut block = [0u8; BLOCK];
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total > BLOCK {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            block[..32].copy_from_slice(&h.finalize());
        } else {
            let mut at = 0;
            for p in parts {
                block[at..at + p.len()].copy_from_slice(p);
                at += p.len();
            }
        }
        let mut ipad = [0x36u8; BLOCK];
        let mut opad = [0x5cu8; BLOCK];
        for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(block.iter()) {
            *i ^= k;
            *o ^= k;
        }
        let mut inner = Sha256::new();
        inner.update(ipad);
        let mut outer = Sha256::new();
        outer.update(opad);
        HmacKey { inner, outer }
    }

    /// A running MAC: feed the message with `update`, then pass it to [`HmacKey::finish`].
    pub(crate) fn start(&self) -> Sha256 {
        self.inner.clone()
    }

    /// The MAC of everything fed to `running` (which came from [`HmacKey::start`]).
    pub(crate) fn finish(&self, running: Sha256) -> [u8; 32] {
        let mut outer = self.outer.clone();
        outer.update(running.finalize());
        outer.finalize().into()
    }

    /// The MAC of `message`.
    pub(crate) fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut running = self.start();
        running.update(message);
        self.finish(running)
    }
}

/// SigV4's `kSigning` for `secret` on the UTC day `date` (`yyyymmdd`) in `region` for `service`.
pub(crate) fn derive_signing_key(
    secret: &str,
    date: &[u8; 8],
    region: &str,
    service: &str,
) -> [u8; 32] {
    let k_date = HmacKey::new(&[b"AWS4", secret.as_bytes()]).mac(date);
    let k_region = HmacKey::new(&[&k_date]).mac(region.as_bytes());
    let k_service = HmacKey::new(&[&k_region]).mac(service.as_bytes());
    HmacKey::new(&[&k_service]).mac(b"aws4_request")
}

struct Entry {
    /// Days since the Unix epoch (the `yyyymmdd` of the scope is a function of it).
    day: u64,
    region: Box<str>,
    service: Box<str>,
    key: HmacKey,
}

#[derive(Default)]
struct Slots {
    entries: Vec<Entry>,
    /// The entry the next miss replaces once all [`SLOTS`] are taken (round robin).
    next: usize,
    #[cfg(test)]
    derivations: u64,
}

/// Signing state of one set of credentials, shared by every clone of the
/// [`crate::Credentials`] that owns it (clones come out of the credentials cache per request):
/// the signing keys derived from its secret, and its session token as a ready header value.
/// A new `Credentials` value — e.g. rotated keys — starts with an empty key cache, so a key
/// derived from an old secret is never used with a new one.
///
/// `Debug` prints only how many keys are held, never a key or the token.
#[derive(Clone)]
pub(crate) struct SigningCache(Arc<Shared>);

struct Shared {
    keys: Mutex<Slots>,
    /// The session token as a sensitive header value, when it is visible ASCII.
    token_header: Option<HeaderValue>,
}

impl fmt::Debug for SigningCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.keys.lock().map(|s| s.entries.len()).unwrap_or(0);
        write!(f, "SigningCache({n} keys)")
    }
}

impl SigningCache {
    /// An empty cache for credentials with this session token.
    pub(crate) fn new(session_token: Option<&str>) -> Self {
        let token_header = session_token
            .filter(|t| super::fast::visible_ascii(t.as_bytes()))
            .and_then(|t| HeaderValue::from_str(t).ok())
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        SigningCache(Arc::new(Shared {
            keys: Mutex::default(),
            token_header,
        }))
    }

    /// The session token as a sensitive `x-amz-security-token` value; `None` without a token
    /// or when it is not visible ASCII.
    pub(crate) fn token_header(&self) -> Option<&HeaderValue> {
        self.0.token_header.as_ref()
    }

    /// The signing key for (`day`, `region`, `service`), derived from `secret` on a miss.
    /// `date` must be the `yyyymmdd` of `day`.
    pub(crate) fn key(
        &self,
        secret: &str,
        day: u64,
        date: &[u8; 8],
        region: &str,
        service: &str,
    ) -> HmacKey {
        let this_scope =
            |e: &&Entry| e.day == day && *e.region == *region && *e.service == *service;
        {
            let slots = self.0.keys.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = slots.entries.iter().find(this_scope) {
                return e.key.clone();
            }
        }
        // Derive without holding the lock: concurrent signers with cached keys never wait on
        // the four HMACs. Two racing misses both derive; the result is the same.
        let key = HmacKey::new(&[&derive_signing_key(secret, date, region, service)]);
        let mut slots = self.0.keys.lock().unwrap_or_else(|p| p.into_inner());
        #[cfg(test)]
        {
            slots.derivations += 1;
        }
        if !slots.entries.iter().any(|e| this_scope(&e)) {
            let entry = Entry {
                day,
                region: region.into(),
                service: service.into(),
                key: key.clone(),
            };
            if slots.entries.len() < SLOTS {
                slots.entries.push(entry);
            } else {
                let at = slots.next % SLOTS;
                slots.entries[at] = entry;
                slots.next = (at + 1) % SLOTS;
            }
        }
        key
    }

    /// How many times a key was derived (tests only).
    #[cfg(test)]
    pub(crate) fn derivations(&self) -> u64 {
        self.0
            .keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .derivations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// RFC 4231 test cases 1, 2 and 6 (key longer than a block).
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        assert_eq!(
            hex(&HmacKey::new(&[&[0x0b; 20]]).mac(b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&HmacKey::new(&[b"Je", b"fe"]).mac(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&HmacKey::new(&[&[0xaa; 131]])
                .mac(b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    /// The signing key of the AWS documentation's example (secret
    /// `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 20150830, us-east-1, iam).
    #[test]
    fn derives_the_documented_signing_key() {
        assert_eq!(
            hex(&derive_signing_key(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                b"20150830",
                "us-east-1",
                "iam"
            )),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    /// Same keys as aws-sigv4's own derivation, including secrets longer than a block.
    #[test]
    fn derives_the_same_key_as_aws_sigv4() {
        use std::time::{Duration, UNIX_EPOCH};
        let long = "k".repeat(100);
        for (secret, region, service) in [
            (
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "us-east-1",
                "bedrock",
            ),
            ("", "eu-west-3", "sts"),
            (long.as_str(), "ap-southeast-2", "bedrock"),
        ] {
            let t = UNIX_EPOCH + Duration::from_secs(1_704_067_199);
            let theirs = aws_sigv4::sign::v4::generate_signing_key(secret, t, region, service);
            let ours = derive_signing_key(secret, b"20231231", region, service);
            assert_eq!(theirs.as_ref(), &ours[..]);
        }
    }

    #[test]
    fn cache_derives_once_per_scope_and_evicts_round_robin() {
        let cache = SigningCache::new(None);
        let shared = cache.clone();
        let a = cache.key("s", 1, b"19700102", "us-east-1", "bedrock");
        let b = shared.key("s", 1, b"19700102", "us-east-1", "bedrock");
        assert_eq!(cache.derivations(), 1);
        assert_eq!(a.mac(b"x"), b.mac(b"x"));
        for (i, region) in ["r1", "r2", "r3", "r4"].iter().enumerate() {
            cache.key("s", 1, b"19700102", region, "bedrock");
            assert_eq!(cache.derivations(), 2 + i as u64);
        }
        // us-east-1 was the oldest of five and is gone; r1..r4 are still there.
        cache.key("s", 1, b"19700102", "r4", "bedrock");
        assert_eq!(cache.derivations(), 5);
        cache.key("s", 1, b"19700102", "us-east-1", "bedrock");
        assert_eq!(cache.derivations(), 6);
        assert!(!format!("{cache:?}").contains(&hex(&a.mac(b"x"))));
    }
}

//! Credential caching with single-flight refresh and a short negative cache.
//!
//! Credentials are reused until 5 minutes before their expiry (10 minutes for credentials
//! without one, so edited files and env are picked up); when they go stale exactly one load runs
//! however many callers wait, and the others get its result. Failures are remembered for 30 s,
//! so a host without IMDS pays the timeout once per 30 s, not once per request.
//!
//! Keys are SHA-256 digests of every auth parameter plus the region: two parameter sets never
//! share credentials, and the key itself reveals nothing (its `Debug` prints no digest either).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bedrock_types::{AwsParams, Secret};
use sha2::{Digest, Sha256};

use crate::credentials::{Credentials, ProvideCredentials, SharedProvider};
use crate::env::SharedTimeSource;
use crate::error::AuthError;

/// How long before expiry credentials are refreshed.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// How long credentials without an expiry are reused.
pub const NO_EXPIRY_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a failure is remembered.
pub const NEGATIVE_TTL: Duration = Duration::from_secs(30);

/// A digest of a call's auth parameters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheKey(..)")
    }
}

impl CacheKey {
    /// The key for `params` (every field, secrets included, hashed) in `region`.
    ///
    /// Each field goes into the hash as a one-byte tag, a presence byte and, when set, its
    /// length (u64, little endian) and bytes, so no two parameter sets produce the same input
    /// by shifting bytes between fields.
    pub fn new(params: &AwsParams, region: &str) -> Self {
        // Exhaustive on purpose: a new field fails to compile here until it is hashed too.
        let AwsParams {
            aws_access_key_id,
            aws_secret_access_key,
            aws_session_token,
            aws_region_name,
            aws_session_name,
            aws_profile_name,
            aws_role_name,
            aws_web_identity_token,
            aws_bedrock_runtime_endpoint,
            aws_sts_endpoint,
            aws_external_id,
            aws_session_tags,
            api_key,
            api_base,
        } = params;
        let mut h = Sha256::new();
        field(&mut h, 1, aws_access_key_id.as_deref());
        field(&mut h, 2, secret(aws_secret_access_key));
        field(&mut h, 3, secret(aws_session_token));
        field(&mut h, 4, aws_region_name.as_deref());
        field(&mut h, 5, aws_session_name.as_deref());
        field(&mut h, 6, aws_profile_name.as_deref());
        field(&mut h, 7, aws_role_name.as_deref());
        field(&mut h, 8, secret(aws_web_identity_token));
        field(&mut h, 9, aws_bedrock_runtime_endpoint.as_deref());
        field(&mut h, 10, aws_sts_endpoint.as_deref());
        field(&mut h, 11, aws_external_id.as_deref());
        match aws_session_tags {
            None => h.update([12, 0]),
            Some(tags) => {
                h.update([12, 1]);
                h.update((tags.len() as u64).to_le_bytes());
                for tag in tags {
                    bytes(&mut h, &tag.key);
                    bytes(&mut h, &tag.value);
                }
            }
        }
        field(&mut h, 13, secret(api_key));
        field(&mut h, 14, api_base.as_deref());
        field(&mut h, 15, Some(region));
        CacheKey(h.finalize().into())
    }
}

fn secret(s: &Option<Secret>) -> Option<&str> {
    s.as_ref().map(Secret::expose)
}

/// Tag, presence and (length-prefixed) value of one optional string field.
fn field(h: &mut Sha256, tag: u8, value: Option<&str>) {
    match value {
        None => h.update([tag, 0]),
        Some(v) => {
            h.update([tag, 1]);
            bytes(h, v);
        }
    }
}

fn bytes(h: &mut Sha256, v: &str) {
    h.update((v.len() as u64).to_le_bytes());
    h.update(v.as_bytes());
}

type Stored = (Result<Credentials, AuthError>, SystemTime);

#[derive(Default)]
struct Slot {
    value: RwLock<Option<Stored>>,
    // Held while loading: the single flight.
    loading: tokio::sync::Mutex<()>,
}

impl Slot {
    fn fresh(&self, now: SystemTime) -> Option<Result<Credentials, AuthError>> {
        let guard = self.value.read().unwrap_or_else(|p| p.into_inner());
        match &*guard {
            Some((v, until)) if now < *until => Some(v.clone()),
            _ => None,
        }
    }

    async fn get<F, Fut>(&self, clock: &SharedTimeSource, load: F) -> Result<Credentials, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Credentials, AuthError>>,
    {
        if let Some(v) = self.fresh(clock.now()) {
            return v;
        }
        let _flight = self.loading.lock().await;
        // Whoever held the lock before us may have refreshed already.
        if let Some(v) = self.fresh(clock.now()) {
            return v;
        }
        let result = load().await;
        let now = clock.now();
        let until = match &result {
            Ok(c) => valid_until(c, now),
            Err(_) => now + NEGATIVE_TTL,
        };
        *self.value.write().unwrap_or_else(|p| p.into_inner()) = Some((result.clone(), until));
        result
    }
}

fn valid_until(c: &Credentials, now: SystemTime) -> SystemTime {
    match c.expiry() {
        None => now + NO_EXPIRY_TTL,
        Some(exp) => {
            let refresh_at = exp.checked_sub(REFRESH_MARGIN).unwrap_or(exp);
            if refresh_at > now {
                refresh_at
            } else {
                // Short-lived credentials (less than the margin left): use them briefly rather
                // than reloading on every call.
                exp.min(now + Duration::from_secs(30))
            }
        }
    }
}

/// A cache of credentials by [`CacheKey`].
#[derive(Clone)]
pub struct CredentialsCache {
    slots: Arc<Mutex<HashMap<CacheKey, Arc<Slot>>>>,
    clock: SharedTimeSource,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("CredentialsCache")
            .field("entries", &n)
            .finish()
    }
}

impl CredentialsCache {
    /// An empty cache reading time from `clock`.
    pub fn new(clock: SharedTimeSource) -> Self {
        CredentialsCache {
            slots: Arc::default(),
            clock,
        }
    }

    /// The cached credentials for `key`, or the result of `load` (run by one caller at a time).
    pub async fn get_or_load<F, Fut>(
        &self,
        key: CacheKey,
        load: F,
    ) -> Result<Credentials, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Credentials, AuthError>>,
    {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.entry(key).or_default().clone()
        };
        slot.get(&self.clock, load).await
    }

    /// Forget everything (e.g. after a 403 that says the credentials were revoked).
    pub fn clear(&self) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// A provider wrapped with the same caching, for use on its own.
#[derive(Debug, Clone)]
pub struct CachingProvider {
    inner: SharedProvider,
    cache: CredentialsCache,
}

impl CachingProvider {
    /// Cache `inner`'s results, reading time from `clock`.
    pub fn new(inner: SharedProvider, clock: SharedTimeSource) -> Self {
        CachingProvider {
            inner,
            cache: CredentialsCache::new(clock),
        }
    }
}

#[async_trait]
impl ProvideCredentials for CachingProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let key = CacheKey([0; 32]);
        self.cache
            .get_or_load(key, || self.inner.provide_credentials())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_types::AwsTag;
    use std::collections::HashSet;

    fn tag(k: &str, v: &str) -> AwsTag {
        AwsTag {
            key: k.into(),
            value: v.into(),
        }
    }

    /// Every field set (a struct literal without `..`, so a new field must be added here).
    fn full() -> AwsParams {
        AwsParams {
            aws_access_key_id: Some("AKID".into()),
            aws_secret_access_key: Some("secret".into()),
            aws_session_token: Some("token".into()),
            aws_region_name: Some("us-east-1".into()),
            aws_session_name: Some("session".into()),
            aws_profile_name: Some("profile".into()),
            aws_role_name: Some("arn:aws:iam::1:role/r".into()),
            aws_web_identity_token: Some("oidc".into()),
            aws_bedrock_runtime_endpoint: Some("https://runtime.example".into()),
            aws_sts_endpoint: Some("https://sts.example".into()),
            aws_external_id: Some("ext".into()),
            aws_session_tags: Some(vec![tag("k", "v")]),
            api_key: Some("key".into()),
            api_base: Some("https://base.example".into()),
        }
    }

    #[test]
    fn changing_any_one_field_changes_the_key() {
        let base = full();
        let base_key = CacheKey::new(&base, "us-east-1");
        let json = serde_json::to_value(&base).unwrap();
        let fields = json.as_object().unwrap();
        // Every field is set in `full`, so every field is listed.
        assert_eq!(fields.len(), 14);
        let mut seen = HashSet::from([base_key]);
        for (name, value) in fields {
            let variants: Vec<serde_json::Value> = match value {
                serde_json::Value::String(s) => vec![
                    serde_json::Value::Null,
                    serde_json::Value::String(String::new()),
                    serde_json::Value::String(format!("{s}x")),
                ],
                _ => vec![
                    serde_json::Value::Null,
                    serde_json::json!([]),
                    serde_json::json!([{"Key": "k", "Value": "w"}]),
                    serde_json::json!([{"Key": "j", "Value": "v"}]),
                    serde_json::json!([{"Key": "k", "Value": "v"}, {"Key": "k", "Value": "v"}]),
                ],
            };
            for variant in variants {
                let mut changed = json.clone();
                match variant {
                    serde_json::Value::Null => {
                        changed.as_object_mut().unwrap().remove(name);
                    }
                    v => {
                        changed[name] = v;
                    }
                }
                let params: AwsParams = serde_json::from_value(changed.clone()).unwrap();
                assert_ne!(params, base, "{name}");
                let key = CacheKey::new(&params, "us-east-1");
                assert!(seen.insert(key), "{name} → {changed}");
            }
        }
        // The region is part of the key too.
        assert!(seen.insert(CacheKey::new(&base, "us-west-2")));
        // Equal params, equal key.
        assert_eq!(CacheKey::new(&full(), "us-east-1"), base_key);
    }

    #[test]
    fn bytes_cannot_move_between_fields() {
        let a = AwsParams {
            aws_access_key_id: Some("ab".into()),
            aws_profile_name: Some("c".into()),
            ..AwsParams::default()
        };
        let b = AwsParams {
            aws_access_key_id: Some("a".into()),
            aws_profile_name: Some("bc".into()),
            ..AwsParams::default()
        };
        assert_ne!(CacheKey::new(&a, "r"), CacheKey::new(&b, "r"));
        let tags = |t| AwsParams {
            aws_session_tags: Some(t),
            ..AwsParams::default()
        };
        assert_ne!(
            CacheKey::new(&tags(vec![tag("ab", "c")]), "r"),
            CacheKey::new(&tags(vec![tag("a", "bc")]), "r")
        );
        // Unset and empty differ; so do a value and the region.
        let empty = AwsParams {
            aws_profile_name: Some(String::new()),
            ..AwsParams::default()
        };
        assert_ne!(
            CacheKey::new(&empty, "r"),
            CacheKey::new(&AwsParams::default(), "r")
        );
        assert_ne!(
            CacheKey::new(&AwsParams::default(), "ab"),
            CacheKey::new(
                &AwsParams {
                    api_base: Some("a".into()),
                    ..AwsParams::default()
                },
                "b"
            )
        );
        assert_eq!(format!("{:?}", CacheKey::new(&a, "r")), "CacheKey(..)");
    }
}

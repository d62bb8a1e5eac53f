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
use bedrock_types::AwsParams;
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
    pub fn new(params: &AwsParams, region: &str) -> Self {
        let mut h = Sha256::new();
        // serde_json writes fields in declaration order, so equal params give equal bytes.
        h.update(serde_json::to_vec(params).unwrap_or_default());
        h.update([0]);
        h.update(region.as_bytes());
        CacheKey(h.finalize().into())
    }
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

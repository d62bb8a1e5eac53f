//! The credentials type and the one provider trait.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_smithy_types::date_time::{DateTime, Format};
use bedrock_types::Secret;
use http::HeaderValue;

use crate::error::AuthError;
use crate::sign::key::{HmacKey, SigningCache};

/// AWS credentials: an access key id, its secret, and for temporary credentials a session token
/// and an expiry.
///
/// `Debug` redacts the secret and the token (through [`Secret`]) and prints the expiry as
/// RFC 3339, e.g.
/// `Credentials { access_key_id: "AKIDEXAMPLE", secret_access_key: ** redacted **,
/// session_token: None, expiry: None, account_id: None }`.
///
/// Each value carries a cache of SigV4 signing keys derived from its secret (one derivation
/// per UTC day, region and service instead of one per request) and its session token as a
/// ready header value. Clones share it; a value made with [`Credentials::new`] starts with an
/// empty one. It takes no part in equality and never shows in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    expiry: Option<SystemTime>,
    account_id: Option<String>,
    // Built in `new` from `secret_access_key` and `session_token`, which no method changes
    // afterwards.
    signing: SigningCache,
}

impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        // Every field but the signing cache.
        self.access_key_id == other.access_key_id
            && self.secret_access_key == other.secret_access_key
            && self.session_token == other.session_token
            && self.expiry == other.expiry
            && self.account_id == other.account_id
    }
}

impl Eq for Credentials {}

impl Credentials {
    /// New credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<Secret>,
        session_token: Option<Secret>,
        expiry: Option<SystemTime>,
    ) -> Self {
        let session_token = session_token.filter(|t| !t.is_empty());
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            signing: SigningCache::new(session_token.as_ref().map(Secret::expose)),
            session_token,
            expiry,
            account_id: None,
        }
    }

    /// The same credentials with an account id.
    pub fn with_account_id(mut self, account_id: Option<String>) -> Self {
        self.account_id = account_id.filter(|a| !a.is_empty());
        self
    }

    /// The access key id (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&Secret> {
        self.session_token.as_ref()
    }

    /// When the credentials stop working; `None` for long-term keys.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// The AWS account the credentials belong to, when the source said.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// The SigV4 signing key for UTC day `day` (days since the epoch; `date` is its
    /// `yyyymmdd`), `region` and `service`, from the shared cache or derived now.
    pub(crate) fn signing_key(
        &self,
        day: u64,
        date: &[u8; 8],
        region: &str,
        service: &str,
    ) -> HmacKey {
        self.signing
            .key(self.secret_access_key.expose(), day, date, region, service)
    }

    /// The session token as a ready, sensitive header value (`None` without a token, or when it
    /// is not visible ASCII).
    pub(crate) fn session_token_header(&self) -> Option<&HeaderValue> {
        self.signing.token_header()
    }

    /// The signing cache (tests count key derivations through it).
    #[cfg(test)]
    pub(crate) fn signing_key_cache(&self) -> &SigningCache {
        &self.signing
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Expiry(Option<SystemTime>);
        impl fmt::Debug for Expiry {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    None => f.write_str("None"),
                    Some(t) => write!(f, "Some({})", format_rfc3339(t)),
                }
            }
        }
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiry", &Expiry(self.expiry))
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// Something that produces credentials: a static set, the environment, a profile, STS, …
///
/// Implementations do their own I/O and no caching; wrap them in [`crate::CredentialsCache`]
/// (the [`crate::SigV4Authorizer`] does) to reuse results until shortly before expiry.
#[async_trait]
pub trait ProvideCredentials: fmt::Debug + Send + Sync {
    /// Resolve credentials now. [`AuthError::NotLoaded`] means "not configured here", which
    /// lets a [`crate::CredentialChain`] try its next provider.
    async fn provide_credentials(&self) -> Result<Credentials, AuthError>;
}

/// A shared provider.
pub type SharedProvider = Arc<dyn ProvideCredentials>;

#[async_trait]
impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        (**self).provide_credentials().await
    }
}

/// Parse an RFC 3339 timestamp (`2024-01-01T01:00:00Z`, offsets and fractions allowed).
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let dt = DateTime::from_str(s.trim(), Format::DateTimeWithOffset).ok()?;
    SystemTime::try_from(dt).ok()
}

/// Format a time as `2024-01-01T01:00:00Z`.
pub(crate) fn format_rfc3339(t: SystemTime) -> String {
    DateTime::from(t)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| format!("{t:?}"))
}

/// Epoch milliseconds (SSO portal) to a time.
pub(crate) fn from_epoch_millis(ms: i64) -> Option<SystemTime> {
    u64::try_from(ms)
        .ok()
        .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
}

/// Seconds since the epoch (for default session names).
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

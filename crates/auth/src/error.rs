//! The auth crate's error, with the context a user needs to fix their setup.
//!
//! No variant ever carries a secret: messages are built from names, paths, codes and the
//! service's own error text, never from credential values or raw credential documents.

use bedrock_types::{Error, ErrorKind};

/// Why credentials could not be resolved, a request could not be signed, or a region or
/// endpoint parameter was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The provider has nothing to offer here (not configured); a chain moves on to the next one.
    #[error("{provider}: not configured: {reason}")]
    NotLoaded {
        /// Which provider.
        provider: &'static str,
        /// What was missing.
        reason: String,
    },
    /// No provider of the chain produced credentials.
    #[error("no AWS credentials found; tried: {}", tried.join("; "))]
    NoCredentials {
        /// What each provider reported.
        tried: Vec<String>,
    },
    /// A shared config or credentials file could not be parsed.
    #[error("{path}:{line}: {message}")]
    ProfileParse {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// A profile is missing or its settings do not make a usable credential source.
    #[error("profile `{profile}`: {message}")]
    Profile {
        /// The profile being resolved.
        profile: String,
        /// What is wrong.
        message: String,
    },
    /// `credential_process` failed or printed something unusable.
    #[error("credential_process for profile `{profile}`: {message}")]
    Process {
        /// The profile whose `credential_process` ran.
        profile: String,
        /// What went wrong (exit status and stderr, or the parse problem; never stdout).
        message: String,
    },
    /// The cached SSO token is expired, missing, or was refused by the portal.
    #[error(
        "SSO token expired or invalid for profile `{profile}`: run `aws sso login --profile {profile}`{detail}"
    )]
    SsoTokenExpired {
        /// The SSO profile.
        profile: String,
        /// Extra detail (with a leading separator), e.g. the portal's answer.
        detail: String,
    },
    /// STS answered with an error.
    #[error("STS {operation} failed ({status} {code}): {message}")]
    Sts {
        /// `AssumeRole` or `AssumeRoleWithWebIdentity`.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The STS error code, e.g. `AccessDenied`.
        code: String,
        /// The STS error message.
        message: String,
    },
    /// A credential source answered, but not usefully (bad status, bad document, I/O failure).
    #[error("{provider}: {message}")]
    Provider {
        /// Which provider.
        provider: &'static str,
        /// What went wrong.
        message: String,
        /// Whether trying again later can help (network trouble, 5xx).
        retryable: bool,
    },
    /// A request parameter (region, endpoint, …) is invalid.
    #[error("invalid `{param}`: {message}")]
    InvalidParam {
        /// The LiteLLM parameter or environment variable name.
        param: String,
        /// What is wrong with it.
        message: String,
    },
    /// Signing failed (malformed request).
    #[error("signing failed: {0}")]
    Sign(String),
}

impl AuthError {
    pub(crate) fn provider(provider: &'static str, message: impl Into<String>) -> Self {
        AuthError::Provider {
            provider,
            message: message.into(),
            retryable: false,
        }
    }

    pub(crate) fn transient(provider: &'static str, message: impl Into<String>) -> Self {
        AuthError::Provider {
            provider,
            message: message.into(),
            retryable: true,
        }
    }

    pub(crate) fn not_loaded(provider: &'static str, reason: impl Into<String>) -> Self {
        AuthError::NotLoaded {
            provider,
            reason: reason.into(),
        }
    }

    pub(crate) fn profile(profile: &str, message: impl Into<String>) -> Self {
        AuthError::Profile {
            profile: profile.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn invalid_param(param: impl Into<String>, message: impl Into<String>) -> Self {
        AuthError::InvalidParam {
            param: param.into(),
            message: message.into(),
        }
    }

    /// Whether a chain should try its next provider after this error.
    pub fn is_not_loaded(&self) -> bool {
        matches!(self, AuthError::NotLoaded { .. })
    }

    /// Whether retrying later can help.
    pub fn is_retryable(&self) -> bool {
        match self {
            AuthError::Provider { retryable, .. } => *retryable,
            AuthError::Sts { code, status, .. } => {
                *status >= 500
                    || code == "IDPCommunicationError"
                    || code == "Throttling"
                    || code == "ThrottlingException"
            }
            _ => false,
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AuthError::InvalidParam { .. } => ErrorKind::BadRequest,
            AuthError::Sign(_) => ErrorKind::BadRequest,
            AuthError::Sts { code, status, .. } => match code.as_str() {
                "AccessDenied" | "AccessDeniedException" => ErrorKind::PermissionDenied,
                "Throttling" | "ThrottlingException" => ErrorKind::RateLimit,
                _ if *status >= 500 => ErrorKind::ServiceUnavailable,
                _ => ErrorKind::Authentication,
            },
            AuthError::Provider {
                retryable: true, ..
            } => ErrorKind::ApiConnection,
            _ => ErrorKind::Authentication,
        }
    }
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        let kind = e.kind();
        let retryable = e.is_retryable();
        let param = match &e {
            AuthError::InvalidParam { param, .. } => Some(param.clone()),
            _ => None,
        };
        let mut err = Error::new(kind, e.to_string()).with_retryable(retryable);
        if let Some(p) = param {
            err = err.with_param(p);
        }
        err
    }
}

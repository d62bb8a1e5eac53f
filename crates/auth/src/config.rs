//! What every provider needs from the outside world, in one injectable bundle.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bedrock_transport::{HttpTransport, TransportConfig};

use crate::env::{Env, SharedTimeSource, SystemClock, TimeSource};
use crate::error::AuthError;

/// Environment, home directory, clock and HTTP client used by credential providers.
///
/// Cheap to clone. Production: [`ProviderConfig::from_process`]. Tests: [`ProviderConfig::new`]
/// with an [`Env::from_map`], a temp-dir home and a [`crate::ManualClock`].
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    env: Env,
    home: Option<PathBuf>,
    clock: SharedTimeSource,
    http: HttpTransport,
    process_timeout: Duration,
}

impl ProviderConfig {
    /// Settings over `env` and `http`; the home directory comes from `env` (`HOME`, …) and the
    /// clock is the system clock.
    pub fn new(env: Env, http: HttpTransport) -> Self {
        let home = env.home_dir();
        ProviderConfig {
            env,
            home,
            clock: Arc::new(SystemClock),
            http,
            process_timeout: Duration::from_secs(60),
        }
    }

    /// The real process environment with a default transport.
    pub fn from_process() -> Result<Self, bedrock_types::Error> {
        Ok(Self::new(
            Env::process(),
            HttpTransport::new(TransportConfig::default())?,
        ))
    }

    /// Use this clock.
    pub fn with_clock(mut self, clock: impl TimeSource + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Use this home directory instead of the one from the environment.
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// How long a `credential_process` may run (default 60 s).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The HTTP client for STS, SSO, ECS and IMDS.
    pub fn http(&self) -> &HttpTransport {
        &self.http
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The `credential_process` time limit.
    pub fn process_timeout(&self) -> Duration {
        self.process_timeout
    }

    /// The home directory, if known.
    pub fn home(&self) -> Option<&PathBuf> {
        self.home.as_ref()
    }

    /// Expand a leading `~/` against the home directory.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        if let (Some(rest), Some(home)) = (
            path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\")),
            self.home.as_ref(),
        ) {
            return home.join(rest);
        }
        if path == "~"
            && let Some(home) = self.home.as_ref()
        {
            return home.clone();
        }
        PathBuf::from(path)
    }

    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    pub fn config_file(&self) -> Option<PathBuf> {
        self.file_path("AWS_CONFIG_FILE", "config")
    }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    pub fn credentials_file(&self) -> Option<PathBuf> {
        self.file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials")
    }

    /// `~/.aws/sso/cache`.
    pub fn sso_cache_dir(&self) -> Result<PathBuf, AuthError> {
        self.home
            .as_ref()
            .map(|h| h.join(".aws").join("sso").join("cache"))
            .ok_or_else(|| AuthError::provider("sso", "no home directory to find ~/.aws/sso/cache"))
    }

    fn file_path(&self, var: &str, default: &str) -> Option<PathBuf> {
        match self.env.get_non_empty(var) {
            Some(p) => Some(self.expand_home(&p)),
            None => self.home.as_ref().map(|h| h.join(".aws").join(default)),
        }
    }
}

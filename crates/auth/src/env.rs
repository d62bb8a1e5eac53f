//! Injectable process environment, home directory and clock.
//!
//! Production reads the real process environment and `SystemTime::now()`; tests pass a map and
//! a fixed or manual clock, so no test ever mutates the (shared, parallel) process environment.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Where environment variables come from.
#[derive(Clone, Debug)]
pub struct Env(EnvInner);

#[derive(Clone)]
enum EnvInner {
    Process,
    Map(Arc<HashMap<String, String>>),
}

impl fmt::Debug for EnvInner {
    // Values may be secrets (AWS_SECRET_ACCESS_KEY); print names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvInner::Process => f.write_str("Process"),
            EnvInner::Map(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                f.debug_tuple("Map").field(&keys).finish()
            }
        }
    }
}

impl Env {
    /// The real process environment.
    pub fn process() -> Self {
        Env(EnvInner::Process)
    }

    /// A fixed set of variables (tests).
    pub fn from_map<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Env(EnvInner::Map(Arc::new(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )))
    }

    /// The raw value of `name`, if set and valid UTF-8.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.0 {
            EnvInner::Process => std::env::var(name).ok(),
            EnvInner::Map(m) => m.get(name).cloned(),
        }
    }

    /// The value of `name`, trimmed; unset and blank are both `None` (as the SDKs treat them).
    pub fn get_non_empty(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` is set to `true` (case-insensitive).
    pub fn is_true(&self, name: &str) -> bool {
        self.get_non_empty(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The home directory: `HOME`, else `USERPROFILE`, else `HOMEDRIVE`+`HOMEPATH`.
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(h) = self.get_non_empty("HOME") {
            return Some(PathBuf::from(h));
        }
        if let Some(h) = self.get_non_empty("USERPROFILE") {
            return Some(PathBuf::from(h));
        }
        match (
            self.get_non_empty("HOMEDRIVE"),
            self.get_non_empty("HOMEPATH"),
        ) {
            (Some(d), Some(p)) => Some(PathBuf::from(format!("{d}{p}"))),
            _ => None,
        }
    }
}

/// A clock.
pub trait TimeSource: fmt::Debug + Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// A shared clock handle.
pub type SharedTimeSource = Arc<dyn TimeSource>;

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock tests move by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock stopped at `at`.
    pub fn new(at: SystemTime) -> Self {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    /// Set the clock.
    pub fn set(&self, at: SystemTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl TimeSource for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

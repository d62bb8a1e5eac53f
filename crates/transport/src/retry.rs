//! The one retry policy: exponential backoff with full jitter for throttling, 5xx, timeouts and
//! connection failures; `num_retries` attempts at most and an overall deadline; never for auth,
//! validation or context-window errors (their `Error::is_retryable()` is false). Streams are
//! retried only before their first event reaches the caller, which is the caller's decision:
//! this module retries whole attempts.

use std::future::Future;
use std::time::{Duration, Instant};

use bedrock_types::{Error, Result};

/// When and how long to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (LiteLLM's `num_retries`).
    pub max_retries: u32,
    /// First backoff ceiling.
    pub base: Duration,
    /// Largest backoff ceiling.
    pub max_backoff: Duration,
    /// No attempt starts after this much time has passed since the first.
    pub deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 0,
            base: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// A policy with `max_retries` retries and the default backoff.
    pub fn with_retries(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            ..Self::default()
        }
    }

    /// The backoff before retry `n` (0-based): uniformly random in `[0, min(max, base·2ⁿ)]`
    /// ("full jitter"). `unit` in `[0, 1)` is the random draw, injectable for tests.
    pub fn backoff(&self, n: u32, unit: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(n.min(30)))
            .min(self.max_backoff);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// The result of a retried call, with how many attempts it took.
#[derive(Debug)]
pub struct Attempted<T> {
    /// The value (or the last error).
    pub result: Result<T>,
    /// Attempts made (1 = no retry).
    pub attempts: u32,
}

/// Run `attempt` (a fresh request each time, so callers can re-sign) under `policy`, drawing
/// jitter from `jitter` (`rand::random` in production).
pub async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    mut jitter: impl FnMut() -> f64,
    mut attempt: F,
) -> Attempted<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let start = Instant::now();
    let mut n = 0;
    loop {
        let result = attempt(n).await;
        n += 1;
        let err: &Error = match &result {
            Ok(_) => {
                return Attempted {
                    result,
                    attempts: n,
                };
            }
            Err(e) => e,
        };
        if !err.is_retryable() || n > policy.max_retries {
            return Attempted {
                result,
                attempts: n,
            };
        }
        let wait = policy.backoff(n - 1, jitter());
        if policy.deadline.is_some_and(|d| start.elapsed() + wait >= d) {
            return Attempted {
                result,
                attempts: n,
            };
        }
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_types::ErrorKind;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn throttled() -> Error {
        Error::from_bedrock(429, Some("ThrottlingException"), "Too many requests", None)
    }

    #[tokio::test]
    async fn retries_throttling_then_succeeds() {
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::with_retries(3)
        };
        let out = retry(
            &policy,
            || 0.5,
            |_| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move { if n < 2 { Err(throttled()) } else { Ok("ok") } }
            },
        )
        .await;
        assert_eq!(out.result.unwrap(), "ok");
        assert_eq!(out.attempts, 3);
    }

    #[tokio::test]
    async fn gives_up_after_num_retries() {
        let policy = RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::with_retries(2)
        };
        let out: Attempted<()> = retry(&policy, || 0.0, |_| async { Err(throttled()) }).await;
        assert_eq!(out.attempts, 3);
        assert_eq!(out.result.unwrap_err().kind(), ErrorKind::RateLimit);
    }

    #[tokio::test]
    async fn never_retries_auth_validation_or_context_window() {
        let policy = RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::with_retries(5)
        };
        for e in [
            Error::from_bedrock(403, Some("ExpiredTokenException"), "expired", None),
            Error::from_bedrock(
                400,
                Some("ValidationException"),
                "Malformed input request",
                None,
            ),
            Error::from_bedrock(
                400,
                Some("ValidationException"),
                "Input is too long for requested model.",
                None,
            ),
        ] {
            let out: Attempted<()> = retry(
                &policy,
                || 0.5,
                |_| {
                    let e = e.clone();
                    async move { Err(e) }
                },
            )
            .await;
            assert_eq!(out.attempts, 1, "{:?}", out.result);
        }
    }

    #[tokio::test]
    async fn deadline_stops_retrying() {
        let policy = RetryPolicy {
            base: Duration::from_millis(50),
            max_backoff: Duration::from_millis(50),
            deadline: Some(Duration::from_millis(10)),
            max_retries: 10,
        };
        let out: Attempted<()> = retry(&policy, || 1.0, |_| async { Err(throttled()) }).await;
        assert_eq!(out.attempts, 1);
    }

    #[test]
    fn full_jitter_backoff_is_capped() {
        let p = RetryPolicy {
            base: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(800));
        assert_eq!(p.backoff(10, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(3, 0.5), Duration::from_millis(400));
        assert_eq!(p.backoff(3, 0.0), Duration::ZERO);
    }
}

//! Proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (either case), as curl reads
//! them, or explicit settings. Intercepted connections are tunnelled with `CONNECT`, so TLS runs
//! end to end and the proxy never sees (or changes) a signed byte.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

/// Where proxy settings come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxyConfig {
    /// The usual environment variables, read once when the transport is built (the default).
    #[default]
    FromEnv,
    /// Never use a proxy.
    Disabled,
    /// These settings (values as in the environment variables).
    Explicit {
        /// Proxy for `https://` destinations.
        https: Option<String>,
        /// Proxy for `http://` destinations.
        http: Option<String>,
        /// Hosts that bypass the proxy (`NO_PROXY` syntax).
        no_proxy: Option<String>,
    },
}

impl ProxyConfig {
    fn matcher(&self) -> Option<Matcher> {
        match self {
            ProxyConfig::Disabled => None,
            ProxyConfig::FromEnv => Some(Matcher::from_env()),
            ProxyConfig::Explicit {
                https,
                http,
                no_proxy,
            } => Some(
                Matcher::builder()
                    .https(https.clone().unwrap_or_default())
                    .http(http.clone().unwrap_or_default())
                    .no(no_proxy.clone().unwrap_or_default())
                    .build(),
            ),
        }
    }
}

/// A connector that tunnels through the configured proxy or connects directly.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    direct: HttpConnector,
    matcher: Option<Arc<Matcher>>,
}

impl std::fmt::Debug for ProxyConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Proxy URLs may carry credentials: never print them.
        f.debug_struct("ProxyConnector")
            .field("proxy", &self.matcher.as_ref().map(|_| "configured"))
            .finish()
    }
}

impl ProxyConnector {
    pub(crate) fn new(direct: HttpConnector, config: &ProxyConfig) -> Self {
        ProxyConnector {
            direct,
            matcher: config.matcher().map(Arc::new),
        }
    }
}

/// Loopback destinations never go through a proxy: a local mock or sidecar is meant directly.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Service<Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.direct.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self
            .matcher
            .as_ref()
            .filter(|_| !dst.host().is_some_and(is_loopback))
            .and_then(|m| m.intercept(&dst));
        let mut direct = self.direct.clone();
        match intercept {
            None => Box::pin(async move { direct.call(dst).await.map_err(Into::into) }),
            Some(intercept) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), direct);
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    tunnel
                        .call(dst)
                        .await
                        .map_err(|e| -> BoxError { format!("proxy tunnel failed: {e}").into() })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_recognised() {
        for h in ["localhost", "127.0.0.1", "127.9.9.9", "[::1]", "LOCALHOST"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["bedrock-runtime.us-east-1.amazonaws.com", "10.0.0.1"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn explicit_settings_intercept_https_but_honour_no_proxy() {
        let config = ProxyConfig::Explicit {
            https: Some("http://user:pw@proxy.internal:3128".into()),
            http: None,
            no_proxy: Some(".example.com".into()),
        };
        let m = config.matcher();
        let m = m.as_ref();
        let hit = m.and_then(|m| {
            m.intercept(&Uri::from_static(
                "https://bedrock-runtime.us-east-1.amazonaws.com/",
            ))
        });
        assert!(
            hit.as_ref()
                .is_some_and(|i| i.uri().host() == Some("proxy.internal"))
        );
        assert!(hit.is_some_and(|i| i.basic_auth().is_some()));
        assert!(
            m.and_then(|m| m.intercept(&Uri::from_static("https://api.example.com/")))
                .is_none()
        );
        assert!(
            m.and_then(|m| m.intercept(&Uri::from_static("http://plain.test/")))
                .is_none()
        );
        assert!(ProxyConfig::Disabled.matcher().is_none());
    }
}

//! The pooled hyper client shared by every request.

use std::sync::Arc;
use std::time::Duration;

use bedrock_types::{Error, ErrorKind, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::pool::Pool;
use crate::proxy::{ProxyConfig, ProxyConnector};

/// Timeouts and limits for a [`HttpTransport`].
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Time allowed to open a TCP connection (and finish TLS).
    pub connect_timeout: Duration,
    /// Time allowed for a whole non-streaming exchange, from send to the last body byte.
    pub request_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// The largest whole response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// The longest silence allowed between two pieces of an event stream; a stream that stalls
    /// longer ends with a timeout error instead of hanging forever.
    pub stream_idle_timeout: Duration,
    /// Proxy settings (default: the usual environment variables).
    pub proxy: ProxyConfig,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(600),
            pool_idle_timeout: Duration::from_secs(90),
            // InvokeModel bodies are capped at 25 MB by Bedrock; responses with images can
            // be larger than the request, so leave headroom.
            max_response_bytes: 64 * 1024 * 1024,
            stream_idle_timeout: Duration::from_secs(300),
            proxy: ProxyConfig::FromEnv,
        }
    }
}

/// A pooled HTTP/1.1 + HTTP/2 (by ALPN) client over rustls, shared by all requests.
///
/// Cloning is cheap and shares the pool.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    pool: Pool,
    config: TransportConfig,
    tls: Arc<rustls::ClientConfig>,
}

impl HttpTransport {
    /// A transport trusting the platform's root certificates (falling back to the bundled
    /// webpki roots when the platform has none).
    pub fn new(config: TransportConfig) -> Result<Self> {
        let tls = default_tls_config()?;
        Ok(Self::with_tls(config, tls))
    }

    /// A transport using the given rustls configuration (for custom CA bundles and tests).
    pub fn with_tls(config: TransportConfig, tls: rustls::ClientConfig) -> Self {
        Self::build(config, Arc::new(tls))
    }

    /// A transport with the same configuration and TLS settings but a connection pool of its
    /// own. A thread-per-core server gives each event loop one, so a request and the
    /// connections it uses stay on one thread (hyper runs each connection as a task on the
    /// runtime that opened it).
    pub fn with_own_pool(&self) -> Self {
        Self::build(self.config.clone(), self.tls.clone())
    }

    fn build(config: TransportConfig, tls: Arc<rustls::ClientConfig>) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_nodelay(true);
        let connector = ProxyConnector::new(http, &config.proxy);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(connector);
        HttpTransport {
            pool: Pool::new(https, config.pool_idle_timeout),
            config,
            tls,
        }
    }

    /// The configuration this transport was built with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Send `request` unchanged and return the status, headers and whole body (bounded by
    /// `max_response_bytes`), whatever the status. Interpreting the status is the caller's job.
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>> {
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Full::new(body));
        let limit = self.config.max_response_bytes;
        let exchange = async {
            let (response, lease) = self.pool.send(request).await?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorKind::ApiConnection,
                        format!("reading the response body failed: {e}"),
                    )
                })?
                .to_bytes();
            lease.release();
            Ok::<_, Error>(http::Response::from_parts(parts, body))
        };
        tokio::time::timeout(self.config.request_timeout, exchange)
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("request timed out after {:?}", self.config.request_timeout),
                )
            })?
    }
}

impl HttpTransport {
    /// Like [`Self::send`], but a non-2xx reply becomes the shared error type: status,
    /// `x-amzn-ErrorType` (suffix stripped), the body's message, `x-amzn-RequestId`, and
    /// whether a retry may help.
    pub async fn send_checked(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>> {
        let response = self.send(request).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        Err(Error::from_http_reply(
            response.status().as_u16(),
            header("x-amzn-errortype"),
            header("x-amzn-requestid"),
            response.body(),
        ))
    }
}

impl HttpTransport {
    /// Send a streaming request (`converse-stream`, `invoke-with-response-stream`, agents) and
    /// return its events as they arrive. The status and content type are checked first: an error
    /// reply comes back as a typed error, never as frames.
    pub async fn send_event_stream(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<crate::EventStream> {
        let (response, lease) = self.head(request).await?;
        crate::stream::check_stream_response(
            response,
            lease,
            self.config.max_response_bytes,
            self.config.stream_idle_timeout,
        )
        .await
    }
}

impl HttpTransport {
    /// Send `request` and wait for the response head (bounded by the connect and request
    /// timeouts); the body is left to the caller, with the lease that returns its connection.
    async fn head(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<(http::Response<hyper::body::Incoming>, crate::pool::Lease)> {
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Full::new(body));
        tokio::time::timeout(
            self.config.connect_timeout + self.config.request_timeout,
            self.pool.send(request),
        )
        .await
        .map_err(|_| {
            Error::new(
                ErrorKind::Timeout,
                "timed out waiting for the response to start",
            )
        })?
    }

    /// Send `request` and return the response head as soon as it arrives, with the body passed
    /// on as it comes ([`crate::RawStream`]), whatever the status: for callers that relay
    /// Bedrock's bytes untouched. Waiting for the head is bounded by the connect and request
    /// timeouts, the body by the stream idle timeout.
    pub async fn send_raw_stream(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<crate::RawStream>> {
        let (response, lease) = self.head(request).await?;
        let (parts, body) = response.into_parts();
        Ok(http::Response::from_parts(
            parts,
            crate::RawStream::new(body, lease, self.config.stream_idle_timeout),
        ))
    }
}

fn default_tls_config() -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_roots();
    for cert in native {
        // A single unparsable platform certificate must not disable TLS altogether.
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::new(ErrorKind::Internal, format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

fn rustls_native_roots() -> Vec<rustls::pki_types::CertificateDer<'static>> {
    rustls_native_certs::load_native_certs().certs
}

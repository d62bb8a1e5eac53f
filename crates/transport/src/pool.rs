//! The connection pool under [`HttpTransport`](crate::HttpTransport): per origin, the idle
//! HTTP/1.1 connections and at most one shared HTTP/2 connection, over hyper's `client::conn`.
//!
//! Why not hyper_util's legacy `Client`: on every request it boxes a 3.4 KB future, hashes the
//! origin with SipHash to find the pool entry and races a checkout against a connect (3.5 % of
//! the gateway's instructions per request under callgrind). Here a checkout is a scan of a short
//! list under an uncontended lock, and an HTTP/1 connection goes back to the pool when its
//! response body has been read to the end (a body dropped half-read closes its connection
//! instead, so a later request never waits behind it).

use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bedrock_types::{Error, ErrorKind, Result};
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderValue, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::{TrySendError, http1, http2};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::Connection;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower_service::Service;

use crate::proxy::ProxyConnector;

type Body = Full<Bytes>;
type Request = http::Request<Body>;

/// Connections to every origin this transport has talked to. Cloning shares them.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    connector: HttpsConnector<ProxyConnector>,
    idle_timeout: Duration,
    origins: Mutex<Vec<Origin>>,
}

/// One scheme and authority. A process talks to a handful (one Bedrock endpoint per region), so
/// a list beats a hash map: no hashing on the hot path. Entries are never removed, so an index
/// names one for good.
struct Origin {
    scheme: Scheme,
    authority: Authority,
    /// Idle HTTP/1.1 connections, the most recently used last.
    idle: Vec<Idle>,
    /// The HTTP/2 connection every request to this origin shares, once ALPN chose h2.
    h2: Option<http2::SendRequest<Body>>,
}

struct Idle {
    sender: http1::SendRequest<Body>,
    since: Instant,
}

enum Sender {
    H1(http1::SendRequest<Body>),
    H2(http2::SendRequest<Body>),
}

/// The connection one exchange is using. [`Lease::release`] hands an HTTP/1.1 connection back
/// once the response body has been read to its end; dropping a lease instead lets the
/// connection close when hyper is done with it.
pub(crate) struct Lease {
    pool: Pool,
    origin: usize,
    sender: Sender,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = match self.sender {
            Sender::H1(_) => "HTTP/1.1",
            Sender::H2(_) => "HTTP/2",
        };
        f.debug_struct("Lease")
            .field("origin", &self.origin)
            .field("version", &version)
            .finish()
    }
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("idle_timeout", &self.shared.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl Lease {
    /// The response body was read to its end: the connection may carry the next request.
    pub(crate) fn release(self) {
        let Sender::H1(sender) = self.sender else {
            // The HTTP/2 connection stays shared in its origin; this clone is just dropped.
            return;
        };
        if sender.is_closed() {
            return;
        }
        // Closed and expired ones are pruned at the next checkout, which scans the list anyway.
        let since = Instant::now();
        if let Some(origin) = self.pool.shared.lock().get_mut(self.origin) {
            origin.idle.push(Idle { sender, since });
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<Origin>> {
        // The list holds no invariant a panic elsewhere could break halfway.
        self.origins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Pool {
    pub(crate) fn new(connector: HttpsConnector<ProxyConnector>, idle_timeout: Duration) -> Self {
        Pool {
            shared: Arc::new(Shared {
                connector,
                idle_timeout,
                origins: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Send `request` (absolute URI) on a pooled or new connection and return the response head
    /// with the lease of its connection. A request that a reused connection could not even start
    /// (the server had closed it while idle) is sent again on another: nothing was written, so
    /// nothing is repeated.
    pub(crate) async fn send(
        &self,
        mut request: Request,
    ) -> Result<(http::Response<Incoming>, Lease)> {
        let uri = request.uri().clone();
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(Error::new(
                ErrorKind::Internal,
                format!("request URI `{uri}` has no scheme or host"),
            ));
        };
        let origin = self.origin(scheme, authority);
        loop {
            let (mut sender, reused) = self.checkout(origin, scheme, authority).await?;
            let sent = match &mut sender {
                Sender::H1(s) => {
                    origin_form(&mut request, &uri, authority);
                    s.try_send_request(request).await
                }
                Sender::H2(s) => s.try_send_request(request).await,
            };
            match sent {
                Ok(response) => {
                    let lease = Lease {
                        pool: self.clone(),
                        origin,
                        sender,
                    };
                    return Ok((response, lease));
                }
                Err(e) => request = unsent(e, reused, &uri)?,
            }
        }
    }

    /// A ready connection to the origin: the shared HTTP/2 one, else the most recently idle
    /// HTTP/1.1 one that is still open, else a new one. The flag says whether it was reused.
    async fn checkout(
        &self,
        at: usize,
        scheme: &Scheme,
        authority: &Authority,
    ) -> Result<(Sender, bool)> {
        loop {
            let idle = {
                let mut origins = self.shared.lock();
                let Some(origin) = origins.get_mut(at) else {
                    break;
                };
                if let Some(h2) = &origin.h2 {
                    if !h2.is_closed() {
                        return Ok((Sender::H2(h2.clone()), true));
                    }
                    origin.h2 = None;
                }
                let timeout = self.shared.idle_timeout;
                let now = Instant::now();
                origin
                    .idle
                    .retain(|i| !i.sender.is_closed() && now.duration_since(i.since) <= timeout);
                // Newest first among those hyper already wants a request on: one released a
                // moment ago may still be finishing its last response on its task.
                let pick = origin
                    .idle
                    .iter()
                    .rposition(|i| i.sender.is_ready())
                    .or(origin.idle.len().checked_sub(1));
                pick.map(|i| origin.idle.remove(i).sender)
            };
            let Some(mut sender) = idle else { break };
            // Released only after its body was read, so hyper is about to want the next
            // request; an error here means the connection closed meanwhile: try another.
            if sender.is_ready() || sender.ready().await.is_ok() {
                return Ok((Sender::H1(sender), true));
            }
        }
        // Boxed: connecting (TCP, TLS, h2 handshake) is a 7 KB state machine a reused
        // connection never needs, and every send future would otherwise carry and copy it.
        Ok((Box::pin(self.connect(at, scheme, authority)).await?, false))
    }

    async fn connect(&self, at: usize, scheme: &Scheme, authority: &Authority) -> Result<Sender> {
        let destination = Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query(PathAndQuery::from_static("/"))
            .build()
            .map_err(|e| connection_error(&e))?;
        let mut connector = self.shared.connector.clone();
        poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(|e| connection_error(&*e))?;
        let io = connector
            .call(destination)
            .await
            .map_err(|e| connection_error(&*e))?;
        if io.connected().is_negotiated_h2() {
            let (sender, connection) = http2::Builder::new(TokioExecutor::new())
                .timer(TokioTimer::new())
                .handshake(io)
                .await
                .map_err(|e| connection_error(&e))?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "HTTP/2 connection to Bedrock ended");
                }
            });
            let mut origins = self.shared.lock();
            // Two requests that raced to connect both got a connection; the first stays shared.
            if let Some(origin) = origins.get_mut(at)
                && origin.h2.as_ref().is_none_or(|h2| h2.is_closed())
            {
                origin.h2 = Some(sender.clone());
            }
            Ok(Sender::H2(sender))
        } else {
            let (sender, connection) = http1::handshake(io)
                .await
                .map_err(|e| connection_error(&e))?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "HTTP/1.1 connection to Bedrock ended");
                }
            });
            Ok(Sender::H1(sender))
        }
    }

    /// The index of the origin's entry, made on first use.
    fn origin(&self, scheme: &Scheme, authority: &Authority) -> usize {
        let mut origins = self.shared.lock();
        if let Some(at) = origins
            .iter()
            .position(|o| o.authority == *authority && o.scheme == *scheme)
        {
            return at;
        }
        origins.push(Origin {
            scheme: scheme.clone(),
            authority: authority.clone(),
            idle: Vec::new(),
            h2: None,
        });
        origins.len() - 1
    }
}

/// What HTTP/1.1 puts on the wire: the path and query as the request target and the authority
/// in `Host` (unless the caller set one; SigV4 signs it, so the signer usually has).
fn origin_form(request: &mut Request, uri: &Uri, authority: &Authority) {
    if !request.headers().contains_key(http::header::HOST) {
        // An authority is always a valid header value.
        if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
            request.headers_mut().insert(http::header::HOST, host);
        }
    }
    let target = uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    *request.uri_mut() = Uri::from(target);
}

/// The request back from a failed send if it is safe to send again (never written, on a reused
/// connection), else the error.
fn unsent(mut e: TrySendError<Request>, reused: bool, uri: &Uri) -> Result<Request> {
    match e.take_message() {
        Some(mut request) if reused => {
            *request.uri_mut() = uri.clone();
            tracing::debug!(error = %e.error(), "idle connection was closed; sending again");
            Ok(request)
        }
        _ => Err(connection_error(&e.into_error())),
    }
}

/// The error and its sources in one message, for connect and send failures alike.
fn connection_error(e: &(dyn std::error::Error + 'static)) -> Error {
    let mut message = format!("connection to Bedrock failed: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::new(ErrorKind::ApiConnection, message)
}

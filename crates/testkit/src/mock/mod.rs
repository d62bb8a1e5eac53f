//! A mock Bedrock on loopback that speaks the real wire protocol.
//!
//! [`MockBedrock::start`] binds `127.0.0.1:0` and serves both runtimes' routes over HTTP/1.1 and
//! HTTP/2 (prior knowledge, or ALPN with [`MockBedrock::start_tls`]). Each request is recorded
//! ([`MockBedrock::requests`]), optionally authenticated (SigV4 recomputed from the raw path, or
//! a bearer key), routed by its path (the model id label decoded exactly once) and answered by
//! the first matching rule: a canned [`Reply`], a closure, or a fixture file. Replies can carry
//! every fault the real service or network produces: error statuses with `x-amzn-ErrorType`,
//! throttling for the first N attempts, latency, frames split across writes, exception frames
//! mid-stream, corrupted CRCs, bodies cut short, connection resets and streams that stall.

mod canned;
mod fixture;
mod reply;
mod route;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame as BodyFrame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub use canned::{TINY_PNG_B64, canned_reply};
pub use fixture::{Fixture, FixtureError, FixtureEvent, FixtureFaults, FixtureResponse};
pub use reply::{ERROR_TYPE_SUFFIX, Ending, Reply, ReplyBody};
pub use route::{Operation, Route, RouteMatch};

use crate::sigv4::{SigV4Verifier, SignedRequest};

/// A request the mock received, exactly as it arrived.
#[derive(Debug, Clone)]
pub struct MockRequest {
    /// `POST`, …
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub raw_path: String,
    /// The query string, if any.
    pub raw_query: Option<String>,
    /// Headers in arrival order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
    /// The route, when the path names one.
    pub route: Option<Route>,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
}

impl MockRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The decoded model (or agent / knowledge base) id.
    pub fn model_id(&self) -> Option<&str> {
        self.route.as_ref().and_then(|r| r.id.as_deref())
    }

    /// The operation.
    pub fn operation(&self) -> Option<Operation> {
        self.route.as_ref().map(|r| r.operation)
    }
}

/// Builds a reply from the request (for echoing, or for checks a canned reply cannot make).
pub type Responder = Arc<dyn Fn(&MockRequest) -> Reply + Send + Sync>;

struct Rule {
    matcher: RouteMatch,
    respond: Responder,
    remaining: Option<usize>,
}

#[derive(Debug, Default, Clone)]
struct AuthMode {
    sigv4: Option<SigV4Verifier>,
    bearer: Option<String>,
}

struct Shared {
    rules: Mutex<Vec<Rule>>,
    requests: Mutex<std::collections::VecDeque<MockRequest>>,
    auth: Mutex<AuthMode>,
    served: AtomicUsize,
    connections: AtomicUsize,
    record_limit: AtomicUsize,
    fallback: Mutex<Option<Responder>>,
}

/// The mock server. Stops (closing every connection, stalled ones too) when dropped.
pub struct MockBedrock {
    addr: SocketAddr,
    scheme: &'static str,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for MockBedrock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockBedrock")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Drop for MockBedrock {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.task.abort();
    }
}

impl MockBedrock {
    /// Start on `127.0.0.1` (a free port), plain HTTP/1.1 and HTTP/2 (prior knowledge).
    pub async fn start() -> std::io::Result<MockBedrock> {
        Self::bind(0, None).await
    }

    /// Start on `127.0.0.1:port` (`0`: a free port).
    pub async fn start_on(port: u16) -> std::io::Result<MockBedrock> {
        Self::bind(port, None).await
    }

    /// Start with TLS; ALPN offers `h2` and `http/1.1`.
    pub async fn start_tls(tls: Arc<rustls::ServerConfig>) -> std::io::Result<MockBedrock> {
        Self::bind(0, Some(tls)).await
    }

    async fn bind(
        port: u16,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> std::io::Result<MockBedrock> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            rules: Mutex::new(Vec::new()),
            requests: Mutex::new(std::collections::VecDeque::new()),
            auth: Mutex::new(AuthMode::default()),
            served: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            record_limit: AtomicUsize::new(usize::MAX),
            fallback: Mutex::new(None),
        });
        let (shutdown, stop) = watch::channel(false);
        let acceptor = tls.map(|mut config| {
            let c = Arc::make_mut(&mut config);
            c.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            tokio_rustls::TlsAcceptor::from(config)
        });
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stop, acceptor));
        Ok(MockBedrock {
            addr,
            scheme,
            shared,
            shutdown,
            task,
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://localhost:PORT` with TLS, matching the test
    /// certificate's name).
    pub fn url(&self) -> String {
        match self.scheme {
            "https" => format!("https://localhost:{}", self.addr.port()),
            _ => format!("http://{}", self.addr),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer requests matching `matcher` with `reply`, every time.
    pub fn on(&self, matcher: RouteMatch, reply: Reply) -> &Self {
        self.push_rule(matcher, Arc::new(move |_| reply.clone()), None)
    }

    /// Answer the next `times` requests matching `matcher` with `reply`; later ones fall
    /// through to later rules (throttle the first N attempts, then succeed).
    pub fn on_times(&self, matcher: RouteMatch, times: usize, reply: Reply) -> &Self {
        self.push_rule(matcher, Arc::new(move |_| reply.clone()), Some(times))
    }

    /// Answer requests matching `matcher` with whatever `respond` builds from the request.
    pub fn on_fn(
        &self,
        matcher: RouteMatch,
        respond: impl Fn(&MockRequest) -> Reply + Send + Sync + 'static,
    ) -> &Self {
        self.push_rule(matcher, Arc::new(respond), None)
    }

    /// Answer every request no rule matches with `respond` (the default is a 404
    /// `ResourceNotFoundException` naming the route).
    pub fn fallback(&self, respond: impl Fn(&MockRequest) -> Reply + Send + Sync + 'static) {
        *lock(&self.shared.fallback) = Some(Arc::new(respond));
    }

    fn push_rule(&self, matcher: RouteMatch, respond: Responder, times: Option<usize>) -> &Self {
        lock(&self.shared.rules).push(Rule {
            matcher,
            respond,
            remaining: times,
        });
        self
    }

    /// Add the rule a fixture describes.
    pub fn load_fixture(&self, fixture: &Fixture) -> Result<&Self, FixtureError> {
        let reply = fixture.reply()?;
        match fixture.times {
            Some(n) => self.on_times(fixture.route.clone(), n, reply),
            None => self.on(fixture.route.clone(), reply),
        };
        Ok(self)
    }

    /// Load every `*.json` fixture file in `dir` (sorted by name).
    pub fn load_fixture_dir(
        &self,
        dir: impl AsRef<std::path::Path>,
    ) -> Result<usize, FixtureError> {
        let fixtures = Fixture::read_dir(dir.as_ref())?;
        for f in &fixtures {
            self.load_fixture(f)?;
        }
        Ok(fixtures.len())
    }

    /// Require every request to carry a valid SigV4 signature by these keys (a bearer key set
    /// with [`Self::require_bearer`] is accepted too).
    pub fn require_sigv4(&self, verifier: SigV4Verifier) {
        lock(&self.shared.auth).sigv4 = Some(verifier);
    }

    /// Accept `Authorization: Bearer {token}` on bedrock-runtime routes.
    pub fn require_bearer(&self, token: &str) {
        lock(&self.shared.auth).bearer = Some(token.to_owned());
    }

    /// Keep only the last `n` requests (a long-running mock under load would otherwise keep
    /// every body it was sent); [`Self::request_count`] still counts them all.
    pub fn set_record_limit(&self, n: usize) {
        self.shared.record_limit.store(n, Ordering::SeqCst);
        let mut log = lock(&self.shared.requests);
        let excess = log.len().saturating_sub(n);
        log.drain(..excess);
    }

    /// Every request received so far (the last ones, under a record limit), in order.
    pub fn requests(&self) -> Vec<MockRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// The last request received.
    pub fn last_request(&self) -> Option<MockRequest> {
        lock(&self.shared.requests).back().cloned()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.shared.served.load(Ordering::SeqCst)
    }

    /// How many TCP connections were accepted (pooling keeps this low).
    pub fn connection_count(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Forget the recorded requests (and restart the count).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
        self.shared.served.store(0, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let shared = shared.clone();
        let mut conn_stop = stop.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let stop_for_service = conn_stop.clone();
            let service = service_fn(move |req| {
                let shared = shared.clone();
                let stop = stop_for_service.clone();
                async move { handle(shared, req, stop).await }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            match acceptor {
                Some(acceptor) => {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(tls), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_stop.changed() => {}
                    }
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_stop.changed() => {}
                    }
                }
            }
        });
    }
}

/// The error a service returns to make hyper drop the connection without a response.
#[derive(Debug)]
struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by the mock")
    }
}

impl std::error::Error for ResetConnection {}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
    stop: watch::Receiver<bool>,
) -> Result<hyper::Response<ChannelBody>, ResetConnection> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let raw_path = parts.uri.path().to_owned();
    let request = MockRequest {
        method: parts.method.to_string(),
        route: Route::parse(&raw_path),
        raw_path,
        raw_query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .chain(
                // HTTP/2 carries the host as the `:authority` pseudo-header; SigV4 signed it as
                // `host`.
                parts
                    .uri
                    .authority()
                    .filter(|_| !parts.headers.contains_key(http::header::HOST))
                    .map(|a| ("host".to_owned(), a.as_str().to_owned())),
            )
            .collect(),
        body,
        version: format!("{:?}", parts.version),
    };
    let n = {
        let limit = shared.record_limit.load(Ordering::SeqCst);
        let mut log = lock(&shared.requests);
        if limit > 0 {
            if log.len() >= limit {
                log.pop_front();
            }
            log.push_back(request.clone());
        }
        shared.served.fetch_add(1, Ordering::SeqCst) + 1
    };
    let reply = authenticate(&shared, &request).unwrap_or_else(|| choose(&shared, &request));
    respond(reply, n, stop).await
}

/// `Some(403 reply)` when authentication is on and the request fails it.
fn authenticate(shared: &Shared, request: &MockRequest) -> Option<Reply> {
    let auth = lock(&shared.auth).clone();
    if auth.sigv4.is_none() && auth.bearer.is_none() {
        return None;
    }
    let agent_runtime = request.operation().is_some_and(Operation::is_agent_runtime);
    let header = request.header("authorization").unwrap_or_default();
    if let Some(token) = header.strip_prefix("Bearer ") {
        return match &auth.bearer {
            Some(expected)
                if !agent_runtime
                    && crate::sigv4::constant_time_eq(token.as_bytes(), expected.as_bytes()) =>
            {
                None
            }
            _ => Some(Reply::error(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )),
        };
    }
    let Some(verifier) = &auth.sigv4 else {
        return Some(Reply::error(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    };
    let signed = SignedRequest {
        method: &request.method,
        raw_path: &request.raw_path,
        raw_query: request.raw_query.as_deref(),
        headers: &request.headers,
        body: &request.body,
    };
    verifier
        .verify(&signed)
        .err()
        .map(|r| Reply::error(403, r.error_type, &r.message))
}

fn choose(shared: &Shared, request: &MockRequest) -> Reply {
    let Some(route) = &request.route else {
        return Reply::error(
            404,
            "UnknownOperationException",
            &format!(
                "no Bedrock operation at {} {}",
                request.method, request.raw_path
            ),
        );
    };
    let respond = {
        let mut rules = lock(&shared.rules);
        rules
            .iter_mut()
            .find(|r| r.remaining != Some(0) && r.matcher.matches(route))
            .map(|r| {
                if let Some(n) = r.remaining.as_mut() {
                    *n -= 1;
                }
                r.respond.clone()
            })
    };
    if let Some(respond) = respond {
        return respond(request);
    }
    if let Some(fallback) = lock(&shared.fallback).clone() {
        return fallback(request);
    }
    Reply::error(
        404,
        "ResourceNotFoundException",
        &format!(
            "the mock has no reply for {:?} on `{}`",
            route.operation,
            route.id.as_deref().unwrap_or("")
        ),
    )
}

async fn respond(
    reply: Reply,
    n: usize,
    stop: watch::Receiver<bool>,
) -> Result<hyper::Response<ChannelBody>, ResetConnection> {
    if !reply.latency.is_zero() {
        tokio::time::sleep(reply.latency).await;
    }
    if reply.ending == Ending::Reset {
        return Err(ResetConnection);
    }
    let (tx, rx) = mpsc::channel(1);
    let mut response = hyper::Response::new(ChannelBody {
        rx,
        exact: reply.content_length(),
    });
    *response.status_mut() =
        http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in &reply.headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            headers.insert(k, v);
        }
    }
    if !headers.contains_key("x-amzn-requestid")
        && let Ok(v) = http::HeaderValue::from_str(&format!("mock-request-{n:04}"))
    {
        headers.insert("x-amzn-requestid", v);
    }
    tokio::spawn(write_body(reply, tx, stop));
    Ok(response)
}

/// Write the reply's body into the channel, applying its split, delay and ending faults.
async fn write_body(
    reply: Reply,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    mut stop: watch::Receiver<bool>,
) {
    let limit = match reply.ending {
        Ending::CutShortAfter(n) | Ending::StallAfter(n) => Some(n),
        _ => None,
    };
    let mut sent = 0usize;
    'pieces: for piece in reply::body_pieces(&reply.body) {
        let mut piece = piece;
        while !piece.is_empty() {
            let mut take = reply.split_every.unwrap_or(piece.len()).min(piece.len());
            if let Some(limit) = limit {
                take = take.min(limit.saturating_sub(sent));
                if take == 0 {
                    break 'pieces;
                }
            }
            let out = piece.split_to(take);
            sent += out.len();
            if tx.send(Ok(out)).await.is_err() {
                return;
            }
            if reply.split_every.is_some() {
                // Let hyper flush this piece as its own write before the next one.
                tokio::task::yield_now().await;
            }
            if !reply.piece_delay.is_zero() {
                tokio::time::sleep(reply.piece_delay).await;
            }
        }
    }
    match reply.ending {
        Ending::CutShortAfter(_) => {
            let _ = tx
                .send(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "body cut short by the mock",
                )))
                .await;
        }
        Ending::StallAfter(_) => {
            // Hold the channel open until the mock stops: the client sees a silent socket.
            let _ = stop.changed().await;
            drop(tx);
        }
        Ending::Complete | Ending::Reset => {}
    }
}

/// A response body fed by [`write_body`] through a one-slot channel, so the writer runs only
/// as fast as hyper sends (backpressure reaches the mock, which never holds a whole stream).
struct ChannelBody {
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    exact: Option<usize>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<BodyFrame<Bytes>, std::io::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|item| item.map(|r| r.map(BodyFrame::data)))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.exact {
            Some(n) => http_body::SizeHint::with_exact(n as u64),
            None => http_body::SizeHint::default(),
        }
    }
}

//! The HTTP server: hyper 1.x (HTTP/1.1 and HTTP/2 prior knowledge), bearer master-key auth, a
//! body size limit, and graceful shutdown that lets running streams finish.
//!
//! Two ways to run: on the caller's runtime with one shared [`bedrock::Client`] (the library
//! default), or thread per core ([`Options::workers`], what `bedrock-gateway serve` does): the
//! accept loop hands each connection to one of N single-threaded event loops, each with its
//! own connection pool to Bedrock, sharing the credentials cache, config and metrics.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bedrock_auth::{Env, ProviderConfig};
use bedrock_transport::{HttpTransport, TransportConfig};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinHandle;

use crate::body::GatewayBody;
use crate::config::Config;
use crate::error::ApiError;
use crate::handlers;
use crate::metrics::Metrics;
use crate::models::ModelTable;
use crate::request::key_matches;

/// The default request body limit (LiteLLM's proxy has none by default; images and documents
/// arrive base64-encoded, so this is generous).
pub const DEFAULT_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// How long shutdown waits for running requests (streams included) before closing them.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How many client connections are served at once unless [`Options::max_connections`] says
/// otherwise. Connections beyond it wait in the listen backlog, so an overload costs clients
/// latency instead of costing the gateway memory (each open connection holds buffers and, while
/// a request runs, a Bedrock connection of its own).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How a [`Gateway`] is built, beyond its config.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The Bedrock client to use (default: one built from the environment, with the config's
    /// `environment_variables` added).
    pub client: Option<bedrock::Client>,
    /// The environment credential and endpoint resolution reads (default: the process's).
    pub env: Option<HashMap<String, String>>,
    /// Request body limit in bytes (default: `general_settings.max_request_size_mb`, else
    /// [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: Option<usize>,
    /// Shutdown grace period (default [`DEFAULT_SHUTDOWN_GRACE`]).
    pub shutdown_grace: Option<Duration>,
    /// Serve on this many single-threaded event loops of the gateway's own (thread per core,
    /// as nginx and Envoy workers do): each accepted connection goes to one loop, round robin,
    /// and its requests, their Bedrock connections and their streams stay on that loop's
    /// thread, each loop with its own connection pool (the credentials cache is shared).
    /// Nothing crosses threads per request, which on a busy machine costs less CPU and fewer
    /// wake-ups than a work-stealing runtime. `None` or `Some(0)`: serve on the caller's
    /// runtime. `bedrock-gateway serve` uses one loop per core unless `--workers` says otherwise.
    pub workers: Option<usize>,
    /// Client connections served at once, over all loops (default
    /// [`DEFAULT_MAX_CONNECTIONS`]). The next connection is accepted when one closes.
    pub max_connections: Option<usize>,
}

/// What can stop a gateway from starting.
#[derive(Debug)]
pub enum StartError {
    /// The address could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// The client could not be built.
    Client(bedrock_types::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            StartError::Client(e) => write!(f, "cannot build the Bedrock client: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Everything a request handler needs.
#[derive(Debug)]
pub struct State {
    /// The shared client.
    pub client: bedrock::Client,
    /// The config.
    pub config: Config,
    /// Model resolution.
    pub models: ModelTable,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Body limit in bytes.
    pub body_limit: usize,
    /// For the `stream_options` check.
    pub registry: bedrock_transform::Registry,
}

/// A running gateway. Dropping it stops accepting connections at once; [`Gateway::shutdown`]
/// stops gracefully.
#[derive(Debug)]
pub struct Gateway {
    addr: SocketAddr,
    state: Arc<State>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Build the client the gateway shares across requests.
pub fn build_client(
    config: &Config,
    env: Option<&HashMap<String, String>>,
) -> Result<bedrock::Client, bedrock_types::Error> {
    let transport = HttpTransport::new(TransportConfig::default())?;
    // A snapshot of the environment, taken once: a server's environment does not change
    // under it, and every call reads several variables (region, endpoint, bearer token), which
    // from the live environment means a lock and an allocation each.
    let mut vars: HashMap<String, String> = match env {
        Some(e) => e.clone(),
        None => std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect(),
    };
    vars.extend(config.environment_variables.clone());
    let auth_env = Env::from_map(vars);
    let provider = ProviderConfig::new(auth_env, transport.clone());
    bedrock::Client::builder()
        .transport(transport)
        .provider_config(provider)
        .build()
}

impl Gateway {
    /// Bind `addr` and serve `config` with the process environment.
    pub async fn bind(config: Config, addr: SocketAddr) -> Result<Gateway, StartError> {
        Self::bind_with(config, addr, Options::default()).await
    }

    /// Bind `addr` and serve `config`.
    pub async fn bind_with(
        config: Config,
        addr: SocketAddr,
        options: Options,
    ) -> Result<Gateway, StartError> {
        let client = match options.client {
            Some(c) => c,
            None => build_client(&config, options.env.as_ref()).map_err(StartError::Client)?,
        };
        let body_limit = options.body_limit.unwrap_or_else(|| {
            config
                .general_settings
                .max_request_size_mb
                .map_or(DEFAULT_BODY_LIMIT, |mb| (mb * 1024.0 * 1024.0) as usize)
        });
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind(addr, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError::Bind(addr, e))?;
        let state = Arc::new(State {
            client,
            models: ModelTable::new(&config),
            config,
            metrics: Arc::new(Metrics::default()),
            body_limit,
            registry: bedrock_transform::Registry::default(),
        });
        let (stop, stop_rx) = watch::channel(false);
        let grace = options.shutdown_grace.unwrap_or(DEFAULT_SHUTDOWN_GRACE);
        let connections = match options.workers.filter(|n| *n > 0) {
            None => Connections::Here(state.clone()),
            Some(n) => Connections::Workers(Workers::start(&state, n, grace).map_err(|e| {
                StartError::Bind(addr, std::io::Error::other(format!("worker threads: {e}")))
            })?),
        };
        let slots = Arc::new(Semaphore::new(
            options
                .max_connections
                .unwrap_or(DEFAULT_MAX_CONNECTIONS)
                .clamp(1, Semaphore::MAX_PERMITS),
        ));
        let task = tokio::spawn(serve(listener, connections, stop_rx, grace, slots));
        Ok(Gateway {
            addr,
            state,
            stop,
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (config, metrics).
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Stop accepting, let running requests and streams finish (up to the grace period), then
    /// return.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serve until Ctrl-C (or SIGTERM on Unix), then shut down gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        crate::cli::note("bedrock-gateway: shutting down; waiting for running requests to finish");
        self.shutdown().await;
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Where accepted connections are served.
enum Connections {
    /// On the runtime that accepts them.
    Here(Arc<State>),
    /// On the gateway's own event loops.
    Workers(Workers),
}

/// One single-threaded runtime per worker thread, fed accepted connections round robin.
struct Workers {
    senders: Vec<tokio::sync::mpsc::UnboundedSender<(std::net::TcpStream, OwnedSemaphorePermit)>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    next: usize,
}

impl Workers {
    /// Start `n` worker threads, each with a [`State`] like `state` but a client with its own
    /// connection pool (metrics, config and credentials cache shared).
    fn start(state: &Arc<State>, n: usize, grace: Duration) -> std::io::Result<Workers> {
        let mut workers = Workers {
            senders: Vec::with_capacity(n),
            threads: Vec::with_capacity(n),
            next: 0,
        };
        for i in 0..n {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let worker_state = Arc::new(State {
                client: state.client.with_own_pool(),
                config: state.config.clone(),
                models: ModelTable::new(&state.config),
                metrics: state.metrics.clone(),
                body_limit: state.body_limit,
                registry: state.registry.clone(),
            });
            // Sending needs no runtime: the accepting runtime hands std streams over.
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let thread = std::thread::Builder::new()
                .name(format!("gateway-worker-{i}"))
                .spawn(move || runtime.block_on(worker_loop(worker_state, rx, grace)))?;
            workers.senders.push(tx);
            workers.threads.push(thread);
        }
        Ok(workers)
    }

    /// Hand `stream` to the next worker.
    fn dispatch(&mut self, stream: tokio::net::TcpStream, permit: OwnedSemaphorePermit) {
        let stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "could not hand a connection to a worker");
                return;
            }
        };
        let i = self.next % self.senders.len();
        self.next = self.next.wrapping_add(1);
        // A worker that has gone (it only stops when the gateway does) drops the stream.
        let _ = self.senders[i].send((stream, permit));
    }

    /// Close the workers' channels and wait until each has drained its connections (each
    /// waits up to the grace period).
    async fn stop(self) {
        drop(self.senders);
        let threads = self.threads;
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

/// A worker's event loop: serve what arrives until the gateway stops, then drain gracefully.
async fn worker_loop(
    state: Arc<State>,
    mut streams: tokio::sync::mpsc::UnboundedReceiver<(std::net::TcpStream, OwnedSemaphorePermit)>,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    while let Some((stream, permit)) = streams.recv().await {
        match tokio::net::TcpStream::from_std(stream) {
            Ok(stream) => serve_connection(&builder, &graceful, stream, state.clone(), permit),
            Err(e) => tracing::warn!(error = %e, "a worker could not take a connection"),
        }
    }
    drain(graceful, grace).await;
}

/// Serve one connection on the current runtime, watched by `graceful`.
fn serve_connection(
    builder: &hyper_util::server::conn::auto::Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let open = crate::metrics::connection_opened(&state.metrics);
    let service = service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(state, req).await) }
    });
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .into_owned();
    let conn = graceful.watch(conn);
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "connection ended with an error");
        }
        // The slot frees (and the next connection is accepted) only once this one is closed.
        drop(open);
        drop(permit);
    });
}

/// Let running requests and streams finish, up to `grace`.
async fn drain(graceful: GracefulShutdown, grace: Duration) {
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown grace period over; closing the remaining connections");
    }
}

async fn serve(
    listener: TcpListener,
    mut connections: Connections,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
    slots: Arc<Semaphore>,
) {
    let graceful = GracefulShutdown::new();
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        // A free slot first: at the limit, new connections wait in the kernel's backlog.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.changed() => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    // Out of descriptors and similar: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        match &mut connections {
            Connections::Here(state) => {
                serve_connection(&builder, &graceful, stream, state.clone(), permit);
            }
            Connections::Workers(workers) => workers.dispatch(stream, permit),
        }
    }
    drop(listener);
    match connections {
        Connections::Here(_) => drain(graceful, grace).await,
        Connections::Workers(workers) => workers.stop().await,
    }
}

/// The routes, by canonical name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/chat/completions`.
    Chat,
    /// `POST /v1/completions`.
    Completions,
    /// `POST /v1/embeddings`.
    Embeddings,
    /// `POST /v1/images/generations`.
    Images,
    /// `POST /v1/rerank`.
    Rerank,
    /// `GET /v1/models`.
    Models,
    /// `GET /v1/models/{id}`.
    Model,
    /// `GET /health/liveliness`.
    Liveliness,
    /// `GET /health/readiness`.
    Readiness,
    /// `GET /metrics`.
    Metrics,
    /// `GET /`.
    Root,
    /// `POST|GET /bedrock/{path}`: a native Bedrock request relayed as it is (LiteLLM's
    /// pass-through endpoint).
    Passthrough,
}

impl Route {
    /// The label used in metrics.
    pub fn label(self) -> &'static str {
        match self {
            Route::Chat => "/v1/chat/completions",
            Route::Completions => "/v1/completions",
            Route::Embeddings => "/v1/embeddings",
            Route::Images => "/v1/images/generations",
            Route::Rerank => "/v1/rerank",
            Route::Models => "/v1/models",
            Route::Model => "/v1/models/{id}",
            Route::Liveliness => "/health/liveliness",
            Route::Readiness => "/health/readiness",
            Route::Metrics => "/metrics",
            Route::Root => "/",
            Route::Passthrough => "/bedrock/{path}",
        }
    }

    fn method(self) -> http::Method {
        match self {
            Route::Chat
            | Route::Completions
            | Route::Embeddings
            | Route::Images
            | Route::Rerank
            | Route::Passthrough => http::Method::POST,
            _ => http::Method::GET,
        }
    }

    fn needs_auth(self) -> bool {
        !matches!(
            self,
            Route::Liveliness | Route::Readiness | Route::Metrics | Route::Root
        )
    }

    /// The route a path names (with or without `/v1`, trailing slash ignored).
    pub fn from_path(path: &str) -> Option<Route> {
        let path = path.trim_end_matches('/');
        let api = path.strip_prefix("/v1").unwrap_or(path);
        Some(match api {
            "/chat/completions" => Route::Chat,
            "/completions" => Route::Completions,
            "/embeddings" => Route::Embeddings,
            "/images/generations" => Route::Images,
            "/rerank" => Route::Rerank,
            "/models" => Route::Models,
            p if p.starts_with("/models/") => Route::Model,
            _ if path.starts_with("/bedrock/") => Route::Passthrough,
            _ => match path {
                "/v2/rerank" => Route::Rerank,
                "/health/liveliness" | "/health/liveness" => Route::Liveliness,
                "/health/readiness" => Route::Readiness,
                "/metrics" => Route::Metrics,
                "" => Route::Root,
                _ => return None,
            },
        })
    }
}

async fn handle(state: Arc<State>, req: http::Request<Incoming>) -> http::Response<GatewayBody> {
    let Some(route) = Route::from_path(req.uri().path()) else {
        return ApiError::new(
            404,
            "not_found_error",
            format!("Route not found: {} {}", req.method(), req.uri().path()),
            None,
        )
        .into_response();
    };
    if req.method() != route.method()
        && !(req.method() == http::Method::HEAD && route.method() == http::Method::GET)
        && !(route == Route::Passthrough && req.method() == http::Method::GET)
    {
        let mut r = ApiError::new(
            405,
            "invalid_request_error",
            format!(
                "Method {} not allowed on {}; use {}",
                req.method(),
                req.uri().path(),
                route.method()
            ),
            None,
        )
        .into_response();
        if let Ok(v) = http::HeaderValue::from_str(route.method().as_str()) {
            r.headers_mut().insert(http::header::ALLOW, v);
        }
        return r;
    }
    if route.needs_auth()
        && let Some(expected) = &state.config.general_settings.master_key
        && let Err(e) = check_key(req.headers(), expected)
    {
        if route.method() == http::Method::POST {
            state.metrics.record(&crate::metrics::Observation {
                model: "unknown",
                route: route.label(),
                status: 401,
                ..Default::default()
            });
        }
        return e.into_response();
    }
    match route {
        Route::Liveliness => handlers::json_response(200, &json!("I'm alive!")),
        Route::Readiness => handlers::readiness(&state),
        Route::Metrics => {
            let mut r = http::Response::new(GatewayBody::full(state.metrics.render()));
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        Route::Root => handlers::root(&state),
        Route::Models => handlers::list_models(&state),
        Route::Model => {
            let path = req.uri().path().trim_end_matches('/');
            let id = path
                .split_once("/models/")
                .map(|(_, id)| id)
                .unwrap_or_default();
            handlers::get_model(&state, id)
        }
        Route::Passthrough => {
            let started = Instant::now();
            let method = req.method().clone();
            let path_and_query = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or_default();
            let path_and_query = path_and_query
                .strip_prefix("/bedrock")
                .unwrap_or(path_and_query)
                .to_owned();
            let headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .filter(|(n, _)| bedrock::forwarded_header(n.as_str()))
                .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let body = match read_body(req, state.body_limit).await {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            };
            handlers::passthrough(state, method, path_and_query, headers, body, started).await
        }
        Route::Chat | Route::Completions | Route::Embeddings | Route::Images | Route::Rerank => {
            let started = Instant::now();
            let body = match read_body(req, state.body_limit).await {
                Ok(b) => b,
                Err(e) => {
                    state.metrics.record(&crate::metrics::Observation {
                        model: "unknown",
                        route: route.label(),
                        status: e.status,
                        duration: started.elapsed(),
                        ..Default::default()
                    });
                    return e.into_response();
                }
            };
            handlers::api(state, route, body, started).await
        }
    }
}

/// `Authorization: Bearer KEY` (also `x-litellm-api-key` and `api-key`, as LiteLLM accepts).
fn check_key(headers: &http::HeaderMap, expected: &bedrock_types::Secret) -> Result<(), ApiError> {
    let presented = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v = v.trim();
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .unwrap_or(v)
                .trim()
        })
        .or_else(|| {
            ["x-litellm-api-key", "api-key"]
                .iter()
                .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
                .map(|v| v.trim().strip_prefix("Bearer ").unwrap_or(v.trim()))
        });
    match presented {
        None | Some("") => Err(ApiError::unauthorized(
            "Authentication Error, No api key passed in.",
        )),
        Some(key) if key_matches(key, expected) => Ok(()),
        Some(_) => Err(ApiError::unauthorized(
            "Authentication Error, Invalid proxy server token passed. Valid keys are the \
             master key set in `general_settings.master_key`.",
        )),
    }
}

/// Read the body within `limit` bytes: a declared `content-length` over it is refused before
/// anything is read, and a body that grows past it is cut off (413 either way).
async fn read_body(req: http::Request<Incoming>, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            "invalid_request_error",
            format!(
                "Request size is too large. Request size is larger than the max request size \
                 of {limit} bytes (general_settings.max_request_size_mb)"
            ),
            None,
        )
    };
    if let Some(len) = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    match Limited::new(req.into_body(), limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(e) => Err(ApiError::bad_request(
            format!("could not read the request body: {e}"),
            None,
        )),
    }
}

//! Fakes of the AWS credential services (STS, SSO portal, ECS container endpoint, IMDSv2) on
//! loopback, for `bedrock-auth`'s tests.
//!
//! Each fake binds `127.0.0.1:0`, records every request (method, path, headers, body), counts
//! calls, and stops when dropped. Credentials they hand out are obviously fake (`ASIAFAKE…`).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A request a fake received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, `POST`, …
    pub method: String,
    /// Path and query as sent.
    pub path_and_query: String,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body decoded as `application/x-www-form-urlencoded`.
    pub fn form(&self) -> HashMap<String, String> {
        decode_form(&String::from_utf8_lossy(&self.body))
    }

    /// The query string decoded.
    pub fn query(&self) -> HashMap<String, String> {
        match self.path_and_query.split_once('?') {
            Some((_, q)) => decode_form(q),
            None => HashMap::new(),
        }
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split('?')
            .next()
            .unwrap_or(&self.path_and_query)
    }
}

/// Decode `a=b&c=d` with `%XX` and `+`.
pub fn decode_form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Reply = (u16, Vec<(String, String)>, String);
type Handler = Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>;

/// A loopback HTTP/1.1 server running a handler; stops when dropped.
struct Server {
    addr: SocketAddr,
    task: JoinHandle<()>,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    calls: Arc<AtomicUsize>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start(handler: Handler, delay: Arc<Mutex<Duration>>) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let requests: Arc<Mutex<Vec<RecordedRequest>>> = Arc::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let (req_log, counter) = (requests.clone(), calls.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (handler, req_log, counter, delay) = (
                    handler.clone(),
                    req_log.clone(),
                    counter.clone(),
                    delay.clone(),
                );
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<Incoming>| {
                        let (handler, req_log, counter, delay) = (
                            handler.clone(),
                            req_log.clone(),
                            counter.clone(),
                            delay.clone(),
                        );
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let recorded = RecordedRequest {
                                method: parts.method.to_string(),
                                path_and_query: parts
                                    .uri
                                    .path_and_query()
                                    .map(|p| p.as_str().to_owned())
                                    .unwrap_or_else(|| "/".into()),
                                headers: parts
                                    .headers
                                    .iter()
                                    .map(|(k, v)| {
                                        (
                                            k.as_str().to_owned(),
                                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                        )
                                    })
                                    .collect(),
                                body,
                            };
                            counter.fetch_add(1, Ordering::SeqCst);
                            lock(&req_log).push(recorded.clone());
                            let wait = *lock(&delay);
                            if !wait.is_zero() {
                                tokio::time::sleep(wait).await;
                            }
                            let (status, headers, body) = handler(&recorded);
                            let mut resp = hyper::Response::new(Full::new(Bytes::from(body)));
                            *resp.status_mut() = hyper::StatusCode::from_u16(status)
                                .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
                            for (k, v) in headers {
                                if let (Ok(k), Ok(v)) = (
                                    hyper::header::HeaderName::from_bytes(k.as_bytes()),
                                    hyper::header::HeaderValue::from_str(&v),
                                ) {
                                    resp.headers_mut().insert(k, v);
                                }
                            }
                            Ok::<_, Infallible>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Server {
            addr,
            task,
            requests,
            calls,
        })
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn text(status: u16, content_type: &str, body: impl Into<String>) -> Reply {
    (
        status,
        vec![("content-type".into(), content_type.into())],
        body.into(),
    )
}

/// Settings of the fake STS that tests may change while it runs.
#[derive(Debug, Clone)]
struct StsBehaviour {
    expiration: String,
    error: Option<(u16, String, String)>,
}

/// A fake STS: answers `AssumeRole` and `AssumeRoleWithWebIdentity` with XML, records the form
/// bodies, counts calls, and can add latency or fail.
pub struct FakeSts {
    server: Server,
    behaviour: Arc<Mutex<StsBehaviour>>,
    delay: Arc<Mutex<Duration>>,
}

impl std::fmt::Debug for FakeSts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSts")
            .field("addr", &self.server.addr)
            .finish()
    }
}

impl FakeSts {
    /// Start on `127.0.0.1:0`. Credentials expire at `2099-01-01T00:00:00Z` until changed.
    pub async fn start() -> std::io::Result<Self> {
        let behaviour = Arc::new(Mutex::new(StsBehaviour {
            expiration: "2099-01-01T00:00:00Z".into(),
            error: None,
        }));
        let delay = Arc::new(Mutex::new(Duration::ZERO));
        let b = behaviour.clone();
        let issued = Arc::new(AtomicUsize::new(0));
        let handler: Handler = Arc::new(move |req: &RecordedRequest| {
            let form = req.form();
            let action = form.get("Action").cloned().unwrap_or_default();
            let behaviour = lock(&b).clone();
            if let Some((status, code, message)) = behaviour.error {
                return text(
                    status,
                    "text/xml",
                    format!(
                        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
                    ),
                );
            }
            if action != "AssumeRole" && action != "AssumeRoleWithWebIdentity" {
                return text(
                    400,
                    "text/xml",
                    "<ErrorResponse><Error><Code>InvalidAction</Code><Message>unknown action</Message></Error></ErrorResponse>",
                );
            }
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            let session = form.get("RoleSessionName").cloned().unwrap_or_default();
            let role = form.get("RoleArn").cloned().unwrap_or_default();
            let role_name = role.rsplit('/').next().unwrap_or("role");
            text(
                200,
                "text/xml",
                format!(
                    "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials><AccessKeyId>ASIAFAKESTS{n:04}</AccessKeyId><SecretAccessKey>fake-sts-secret-{n}</SecretAccessKey><SessionToken>fake-sts-token-{n}</SessionToken><Expiration>{exp}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:{session}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/{role_name}/{session}</Arn></AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>fake-{n}</RequestId></ResponseMetadata></{action}Response>",
                    exp = behaviour.expiration
                ),
            )
        });
        let server = Server::start(handler, delay.clone()).await?;
        Ok(FakeSts {
            server,
            behaviour,
            delay,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Number of requests received.
    pub fn calls(&self) -> usize {
        self.server.calls()
    }

    /// Wait this long before every reply.
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.delay) = delay;
    }

    /// The `Expiration` of credentials issued from now on.
    pub fn set_expiration(&self, rfc3339: &str) {
        lock(&self.behaviour).expiration = rfc3339.to_owned();
    }

    /// Answer every request with this STS error (`None` to stop).
    pub fn fail_with(&self, error: Option<(u16, &str, &str)>) {
        lock(&self.behaviour).error = error.map(|(s, c, m)| (s, c.to_owned(), m.to_owned()));
    }
}

/// A fake SSO portal answering `GET /federation/credentials` for one access token.
pub struct FakeSsoPortal {
    server: Server,
    unauthorized: Arc<AtomicBool>,
}

impl std::fmt::Debug for FakeSsoPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSsoPortal")
            .field("addr", &self.server.addr)
            .finish()
    }
}

impl FakeSsoPortal {
    /// Start; requests must carry `x-amz-sso_bearer_token: {access_token}`. Credentials expire
    /// at `expiration_ms` (epoch milliseconds).
    pub async fn start(access_token: &str, expiration_ms: i64) -> std::io::Result<Self> {
        let unauthorized = Arc::new(AtomicBool::new(false));
        let (token, deny) = (access_token.to_owned(), unauthorized.clone());
        let handler: Handler = Arc::new(move |req: &RecordedRequest| {
            let json = "application/json";
            if deny.load(Ordering::SeqCst) || req.header("x-amz-sso_bearer_token") != Some(&token) {
                return text(
                    401,
                    json,
                    r#"{"message":"Session token not found or invalid","__type":"com.amazonaws.switchboard.portal#UnauthorizedException"}"#,
                );
            }
            let q = req.query();
            if req.path() != "/federation/credentials"
                || !q.contains_key("role_name")
                || !q.contains_key("account_id")
            {
                return text(400, json, r#"{"message":"bad request"}"#);
            }
            text(
                200,
                json,
                format!(
                    r#"{{"roleCredentials":{{"accessKeyId":"ASIAFAKESSO","secretAccessKey":"fake-sso-secret","sessionToken":"fake-sso-token","expiration":{expiration_ms}}}}}"#
                ),
            )
        });
        Ok(FakeSsoPortal {
            server: Server::start(handler, Arc::default()).await?,
            unauthorized,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Answer 401 to everything (an expired or revoked session).
    pub fn set_unauthorized(&self, on: bool) {
        self.unauthorized.store(on, Ordering::SeqCst);
    }
}

/// A fake ECS / EKS Pod Identity container credentials endpoint at `/creds`.
pub struct FakeContainer {
    server: Server,
}

impl std::fmt::Debug for FakeContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeContainer")
            .field("addr", &self.server.addr)
            .finish()
    }
}

impl FakeContainer {
    /// Start; when `expected_authorization` is set, other `Authorization` values get 401.
    pub async fn start(expected_authorization: Option<&str>) -> std::io::Result<Self> {
        let expected = expected_authorization.map(str::to_owned);
        let handler: Handler = Arc::new(move |req: &RecordedRequest| {
            let json = "application/json";
            if let Some(exp) = &expected
                && req.header("authorization") != Some(exp.as_str())
            {
                return text(
                    401,
                    json,
                    r#"{"code":"Unauthorized","message":"bad token"}"#,
                );
            }
            if req.method != "GET" || req.path() != "/creds" {
                return text(404, json, r#"{"message":"not found"}"#);
            }
            text(
                200,
                json,
                r#"{"AccessKeyId":"ASIAFAKEECS","SecretAccessKey":"fake-ecs-secret","Token":"fake-ecs-token","Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/task","AccountId":"123456789012"}"#,
            )
        });
        Ok(FakeContainer {
            server: Server::start(handler, Arc::default()).await?,
        })
    }

    /// `http://127.0.0.1:PORT/creds`, a value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn full_uri(&self) -> String {
        format!("{}/creds", self.server.url())
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }
}

/// A fake IMDSv2: `PUT /latest/api/token`, the role list and the role's credentials; requests
/// without the current token get 401.
pub struct FakeImds {
    server: Server,
    token_generation: Arc<AtomicUsize>,
    reject_next: Arc<AtomicUsize>,
}

impl std::fmt::Debug for FakeImds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeImds")
            .field("addr", &self.server.addr)
            .finish()
    }
}

impl FakeImds {
    /// Start with one role, `fake-instance-role`.
    pub async fn start() -> std::io::Result<Self> {
        let generation = Arc::new(AtomicUsize::new(1));
        let reject_next = Arc::new(AtomicUsize::new(0));
        let (g, reject) = (generation.clone(), reject_next.clone());
        let handler: Handler = Arc::new(move |req: &RecordedRequest| {
            let current = format!("imds-token-{}", g.load(Ordering::SeqCst));
            match (req.method.as_str(), req.path()) {
                ("PUT", "/latest/api/token") => {
                    if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_none() {
                        return text(400, "text/plain", "missing ttl");
                    }
                    text(200, "text/plain", current)
                }
                ("GET", path)
                    if path.starts_with("/latest/meta-data/iam/security-credentials/") =>
                {
                    if req.header("x-aws-ec2-metadata-token") != Some(current.as_str()) {
                        return text(401, "text/plain", "");
                    }
                    // Simulate the token expiring mid-flow: reject, and retire the token.
                    if reject
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        g.fetch_add(1, Ordering::SeqCst);
                        return text(401, "text/plain", "");
                    }
                    let role = &path["/latest/meta-data/iam/security-credentials/".len()..];
                    match role {
                        "" => text(200, "text/plain", "fake-instance-role\n"),
                        "fake-instance-role" => text(
                            200,
                            "text/plain",
                            r#"{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAFAKEIMDS","SecretAccessKey":"fake-imds-secret","Token":"fake-imds-token","Expiration":"2099-01-01T00:00:00Z"}"#,
                        ),
                        _ => text(404, "text/plain", ""),
                    }
                }
                _ => text(404, "text/plain", ""),
            }
        });
        Ok(FakeImds {
            server: Server::start(handler, Arc::default()).await?,
            token_generation: generation,
            reject_next,
        })
    }

    /// `http://127.0.0.1:PORT`, a value for `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    /// Answer the next `n` metadata GETs with 401 and retire the token each time, as if it
    /// expired between calls.
    pub fn expire_token_mid_flow(&self, n: usize) {
        self.reject_next.store(n, Ordering::SeqCst);
    }

    /// Invalidate issued tokens (the next request with an old token gets 401).
    pub fn rotate_tokens(&self) {
        self.token_generation.fetch_add(1, Ordering::SeqCst);
    }
}

//! `nullproxy`: the cheapest hop hyper allows, as a reference point for the gateway.
//!
//! ```text
//! nullproxy --port PORT --upstream http://HOST:PORT
//! ```
//!
//! Every request is forwarded with its path and body as they are (no parsing, no signing) to
//! the upstream, and the upstream's answer is streamed back as it arrives. hyper's server and
//! hyper_util's pooled client on tokio's multi-thread runtime: the gap between the floor and this
//! proxy is what the extra process and its two loopback connections cost on this machine, before
//! any work a gateway does. (The gateway's own pool, over hyper's `client::conn`, is leaner than
//! hyper_util's; this hop keeps the stock client as the reference any hyper user would write.)

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

type HttpClient = Client<HttpConnector, Full<Bytes>>;
type ProxyBody = Either<Incoming, Full<Bytes>>;

fn bad_gateway(message: String) -> http::Response<ProxyBody> {
    let mut r = http::Response::new(Either::Right(Full::new(Bytes::from(message))));
    *r.status_mut() = http::StatusCode::BAD_GATEWAY;
    r
}

async fn forward(
    client: &HttpClient,
    upstream: &str,
    req: http::Request<Incoming>,
) -> http::Response<ProxyBody> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return bad_gateway(e.to_string()),
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = http::Request::builder()
        .method(parts.method)
        .uri(format!("{upstream}{path}"));
    if let Some(ct) = parts.headers.get(http::header::CONTENT_TYPE) {
        out = out.header(http::header::CONTENT_TYPE, ct);
    }
    let out = match out.body(Full::new(body)) {
        Ok(r) => r,
        Err(e) => return bad_gateway(e.to_string()),
    };
    let resp = match client.request(out).await {
        Ok(r) => r,
        Err(e) => return bad_gateway(e.to_string()),
    };
    resp.map(Either::Left)
}

#[tokio::main]
async fn main() {
    let mut port = None;
    let mut upstream = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => port = it.next().and_then(|p| p.parse::<u16>().ok()),
            "--upstream" => upstream = it.next().map(|u| u.trim_end_matches('/').to_owned()),
            other => {
                eprintln!("nullproxy: unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let (Some(port), Some(upstream)) = (port, upstream) else {
        eprintln!("nullproxy: usage: nullproxy --port PORT --upstream http://HOST:PORT");
        std::process::exit(2);
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("nullproxy: bind 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);
    let upstream = Arc::new(upstream);
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (client, upstream) = (client.clone(), upstream.clone());
        let service = service_fn(move |req| {
            let (client, upstream) = (client.clone(), upstream.clone());
            async move { Ok::<_, Infallible>(forward(&client, &upstream, req).await) }
        });
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}

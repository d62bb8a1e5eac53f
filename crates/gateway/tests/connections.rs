//! The connection limit (`Options::max_connections`, `serve --max-connections`): at the limit a
//! new connection waits, unserved, until an open one closes; then it is served. Checked on the
//! caller's runtime and on worker loops (where the slot travels with the connection).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bedrock_gateway::Options;
use common::start_with;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CONFIG: &str = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
"#;

const LIVELINESS: &[u8] = b"GET /health/liveliness HTTP/1.1\r\nhost: gateway\r\n\r\n";

/// Send one keep-alive request and read its whole response head and body (small: it fits in
/// one read or a few).
async fn ask(conn: &mut TcpStream) -> String {
    conn.write_all(LIVELINESS).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "the gateway closed the connection");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if body.len() >= len {
                return text.into_owned();
            }
        }
    }
}

fn open_gauge(metrics: &str) -> i64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("bedrock_gateway_open_connections "))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

async fn limit_holds(workers: Option<usize>) {
    let h = start_with(
        CONFIG,
        &[],
        Options {
            workers,
            max_connections: Some(2),
            ..Options::default()
        },
    )
    .await;
    let addr = h.addr();
    let metrics = h.gateway.state().metrics.clone();

    let mut first = TcpStream::connect(addr).await.unwrap();
    let mut second = TcpStream::connect(addr).await.unwrap();
    assert!(ask(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(ask(&mut second).await.starts_with("HTTP/1.1 200"));
    assert_eq!(open_gauge(&metrics.render()), 2);

    // The third connects (the kernel's backlog takes it) but is not served while both stay open.
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(LIVELINESS).await.unwrap();
    let mut buf = [0u8; 64];
    let waited = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(waited.is_err(), "served beyond the limit: {waited:?}");
    assert_eq!(open_gauge(&metrics.render()), 2);
    // The two open ones are still served.
    assert!(ask(&mut second).await.starts_with("HTTP/1.1 200"));

    // Closing one frees its slot: the waiting request is answered.
    drop(first);
    let mut got = Vec::new();
    let answered = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let n = third.read(&mut buf).await.unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(answered.is_ok(), "the waiting connection was never served");
    assert!(got.starts_with(b"HTTP/1.1 200"));
    assert!(open_gauge(&metrics.render()) <= 2);

    drop(second);
    drop(third);
    // Both slots come back: the gauge falls to zero once the gateway has seen the closes.
    let drained = tokio::time::timeout(Duration::from_secs(10), async {
        while open_gauge(&metrics.render()) != 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(drained.is_ok(), "{}", metrics.render());
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_slot() {
    limit_holds(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_spans_worker_loops() {
    limit_holds(Some(2)).await;
}

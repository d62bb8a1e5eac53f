//! The gateway on its own event loops (`Options::workers`, what `bedrock-gateway serve` uses):
//! connections spread over the worker threads, every route works there (plain and streamed),
//! metrics count across workers, and shutdown lets a running stream finish, then joins the
//! threads. One test in its own binary: it counts this process's threads by name.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bedrock_gateway::Options;
use bedrock_testkit::{Operation, Reply, RouteMatch};
use common::{post, post_frames, request, sse_events, start_with};
use serde_json::json;

const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const CONFIG: &str = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0
  - model_name: titan-embed
    litellm_params:
      model: bedrock/amazon.titan-embed-text-v2:0
"#;

/// Threads of this process whose name starts with `gateway-worker` (Linux: the kernel keeps
/// the first 15 bytes of a thread's name).
fn worker_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("gateway-worker"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_serve_stream_count_and_drain() {
    let h = start_with(
        CONFIG,
        &[],
        Options {
            workers: Some(3),
            ..Options::default()
        },
    )
    .await;
    // A thread names itself once it runs, which can be just after the gateway is bound.
    for _ in 0..500 {
        if worker_threads() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(worker_threads(), 3, "one thread per worker");
    let addr = h.addr();

    // Twelve connections at once: round robin puts four on each worker.
    let calls = (0..12).map(|i| {
        tokio::spawn(async move {
            let body = json!({"model": "claude", "messages": [{"role": "user", "content": format!("hi {i}")}]});
            post(addr, "/v1/chat/completions", &body).await
        })
    });
    for call in calls {
        let r = call.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["object"], "chat.completion");
    }
    let r = post(
        addr,
        "/v1/embeddings",
        &json!({"model": "titan-embed", "input": "x"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut body = json!({"model": "claude", "messages": [{"role": "user", "content": "s"}]});
    body["stream"] = json!(true);
    let (status, _, frames) = post_frames(addr, "/v1/chat/completions", &[], &body).await;
    assert_eq!(status, 200);
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(sse_events(&text).last().map(String::as_str), Some("[DONE]"));

    // Every worker's requests land in the one metrics registry.
    let metrics = request(addr, "GET", "/metrics", &[], "").await.text();
    let chat_ok: f64 = metrics
        .lines()
        .filter(|l| {
            l.starts_with("bedrock_gateway_requests_total{")
                && l.contains("model=\"claude\"")
                && l.contains("status=\"200\"")
        })
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<f64>().unwrap())
        .sum();
    assert_eq!(chat_ok, 13.0, "{metrics}");

    // A slow stream on a worker finishes across shutdown; then the threads are joined.
    let frames = common::counting_stream(5);
    h.mock.on(
        RouteMatch::model(Operation::ConverseStream, HAIKU),
        Reply::stream(frames).with_piece_delay(Duration::from_millis(40)),
    );
    let client =
        tokio::spawn(async move { post_frames(addr, "/v1/chat/completions", &[], &body).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let common::Harness { mock, gateway } = h;
    let shutdown = tokio::spawn(gateway.shutdown());
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let (status, _, frames) = client.await.unwrap();
    assert_eq!(status, 200);
    let text: String = frames
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(text.contains("\"4 \""), "{text}");
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    tokio::time::timeout(Duration::from_secs(5), shutdown)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(worker_threads(), 0, "shutdown joins the worker threads");
    drop(mock);
}

#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The client through the real HTTP stack against the testkit's mock Bedrock with SigV4
//! verification on: every endpoint, costs, stream timing and retries, agents, media pre-fetch.

use std::time::Duration;

use bedrock::types::embeddings::EmbeddingRequest;
use bedrock::types::images::ImageGenerationRequest;
use bedrock::types::rerank::RerankRequest;
use bedrock::types::{ChatCompletionRequest, ErrorKind};
use bedrock::{Client, MediaFetchPolicy};
use bedrock_auth::{Env, ProviderConfig};
use bedrock_testkit::eventstream::Frame;
use bedrock_testkit::mock::{MockBedrock, Operation, Reply, RouteMatch};
use bedrock_testkit::sigv4::SigV4Verifier;
use bedrock_transport::{HttpTransport, ProxyConfig, TransportConfig};
use futures_util::StreamExt;
use serde_json::{Value, json};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A mock that checks every signature, and a client with those keys pointed at it.
async fn setup() -> (MockBedrock, Client) {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(SigV4Verifier::new(AKID, SECRET));
    let client = client_for(&mock, MediaFetchPolicy::default());
    (mock, client)
}

fn client_for(mock: &MockBedrock, media: MediaFetchPolicy) -> Client {
    let transport = HttpTransport::new(TransportConfig {
        proxy: ProxyConfig::Disabled,
        ..TransportConfig::default()
    })
    .unwrap();
    let env = Env::from_map([
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-west-2"),
        // Agent runtime and rerank go to the same mock.
        ("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &mock.url()),
    ]);
    Client::builder()
        .transport(transport.clone())
        .provider_config(ProviderConfig::new(env, transport))
        .endpoint(mock.url())
        .media_fetch(media)
        .build()
        .unwrap()
}

fn chat(model: &str, extra: Value) -> ChatCompletionRequest {
    let mut r =
        json!({"model": model, "messages": [{"role": "user", "content": "Hello there friend"}]});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    serde_json::from_value(r).unwrap()
}

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[tokio::test]
async fn converse_and_invoke_calls_are_signed_verified_and_priced() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    // Claude 3 Haiku on Converse: $0.25/M in, $1.25/M out.
    let resp = client
        .completion(chat(
            "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
            json!({}),
        ))
        .await
        .unwrap();
    let usage = resp.usage.clone().unwrap();
    assert_eq!(usage.prompt_tokens, 3);
    assert_eq!(
        resp.choices[0].message.content.as_deref(),
        Some("Hello from the mock Bedrock. You said: Hello there friend")
    );
    let expected = 3.0 * 0.25e-6 + usage.completion_tokens as f64 * 1.25e-6;
    assert!(
        approx(resp.meta.response_cost.unwrap(), expected),
        "{:?}",
        resp.meta.response_cost
    );
    let seen = mock.last_request().unwrap();
    assert_eq!(
        seen.raw_path,
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    assert!(
        seen.header("authorization")
            .unwrap()
            .contains("/us-west-2/bedrock/aws4_request")
    );

    // Claude on invoke (Messages body), priced the same.
    let resp = client
        .completion(chat(
            "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0",
            json!({"max_tokens": 50}),
        ))
        .await
        .unwrap();
    assert!(resp.meta.response_cost.unwrap() > 0.0);
    assert_eq!(
        mock.last_request().unwrap().operation(),
        Some(Operation::Invoke)
    );
    assert_eq!(
        mock.last_request().unwrap().json().unwrap()["anthropic_version"],
        "bedrock-2023-05-31"
    );

    // Nova Lite: $0.06/M in, $0.24/M out.
    let resp = client
        .completion(chat("bedrock/amazon.nova-lite-v1:0", json!({})))
        .await
        .unwrap();
    let u = resp.usage.clone().unwrap();
    let expected = u.prompt_tokens as f64 * 0.06e-6 + u.completion_tokens as f64 * 0.24e-6;
    assert!(approx(resp.meta.response_cost.unwrap(), expected));

    // Llama 3 8B on invoke (native prompt body): $0.30/M in, $0.60/M out.
    let resp = client
        .completion(chat(
            "bedrock/invoke/meta.llama3-8b-instruct-v1:0",
            json!({}),
        ))
        .await
        .unwrap();
    let u = resp.usage.clone().unwrap();
    assert!(
        mock.last_request().unwrap().json().unwrap()["prompt"]
            .as_str()
            .unwrap()
            .contains("<|start_header_id|>user")
    );
    let expected = u.prompt_tokens as f64 * 0.3e-6 + u.completion_tokens as f64 * 0.6e-6;
    assert!(
        approx(resp.meta.response_cost.unwrap(), expected),
        "{:?} vs {expected}",
        resp.meta.response_cost
    );
    // Every request above passed the mock's signature check (a 403 would have failed them).
    assert_eq!(mock.request_count(), 4);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_verifier_as_an_auth_error() {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_sigv4(SigV4Verifier::new(AKID, "some-other-secret"));
    mock.canned_answers();
    let client = client_for(&mock, MediaFetchPolicy::default());
    let err = client
        .completion(chat(
            "bedrock/amazon.nova-lite-v1:0",
            json!({"num_retries": 3}),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    assert_eq!(err.bedrock_error_type(), Some("InvalidSignatureException"));
    assert_eq!(err.kind(), ErrorKind::Authentication);
    // Auth errors are never retried.
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn bearer_api_keys_replace_signing() {
    let mock = MockBedrock::start().await.unwrap();
    mock.require_bearer("ABSKexamplekey");
    mock.canned_answers();
    let client = client_for(&mock, MediaFetchPolicy::default());
    let resp = client
        .completion(chat(
            "bedrock/amazon.nova-micro-v1:0",
            json!({"api_key": "ABSKexamplekey"}),
        ))
        .await
        .unwrap();
    assert!(resp.choices[0].message.content.is_some());
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.header("authorization"), Some("Bearer ABSKexamplekey"));
    assert!(seen.header("x-amz-date").is_none());
}

#[tokio::test]
async fn titan_embeddings_are_priced_per_input_token() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let req: EmbeddingRequest = serde_json::from_value(json!({
        "model": "bedrock/amazon.titan-embed-text-v2:0", "input": ["one two three", "four five"],
        "dimensions": 256
    }))
    .unwrap();
    let resp = client.embedding(req).await.unwrap();
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.usage.prompt_tokens, 5);
    // Titan Text Embeddings V2: $0.02/M tokens.
    assert!(
        approx(resp.meta.response_cost.unwrap(), 5.0 * 0.02e-6),
        "{:?}",
        resp.meta.response_cost
    );
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn images_are_generated_and_priced_per_image() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let req: ImageGenerationRequest = serde_json::from_value(json!({
        "model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "a lighthouse at dusk", "n": 2,
        "size": "1024x1024"
    }))
    .unwrap();
    let resp = client.image_generation(req).await.unwrap();
    assert_eq!(resp.data.len(), 2);
    assert_eq!(
        resp.data[0].b64_json.as_deref(),
        Some(bedrock_testkit::mock::TINY_PNG_B64)
    );
    let body = mock.last_request().unwrap().json().unwrap();
    assert_eq!(body["taskType"], "TEXT_IMAGE");
    assert_eq!(body["imageGenerationConfig"]["numberOfImages"], 2);
    let per_image = bedrock::transform::capabilities::lookup("amazon.nova-canvas-v1:0")
        .and_then(|i| i.image_cost(1))
        .unwrap();
    assert!(per_image > 0.0);
    assert!(approx(resp.meta.response_cost.unwrap(), 2.0 * per_image));
}

#[tokio::test]
async fn rerank_goes_to_the_agent_runtime_with_the_model_arn() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let req: RerankRequest = serde_json::from_value(json!({
        "model": "bedrock/amazon.rerank-v1:0", "query": "capital of France",
        "documents": ["Paris is the capital.", "Berlin is in Germany.", "Lyon is in France."],
        "top_n": 2
    }))
    .unwrap();
    let resp = client.rerank(req).await.unwrap();
    assert_eq!(resp.results.len(), 3.min(resp.results.len()));
    assert_eq!(resp.results[0].index, 0);
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.raw_path, "/rerank");
    let body = seen.json().unwrap();
    assert_eq!(
        body["rerankingConfiguration"]["bedrockRerankingConfiguration"]["modelConfiguration"]["modelArn"],
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0"
    );
}

#[tokio::test]
async fn agents_answer_whole_and_streamed_with_a_generated_session() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let resp = client
        .completion(chat("bedrock/agent/L1RT58GYRW/MFPSBCXYTW", json!({})))
        .await
        .unwrap();
    assert_eq!(
        resp.choices[0].message.content.as_deref(),
        Some("Hello from the mock agent. You said: Hello there friend")
    );
    let seen = mock.last_request().unwrap();
    let session = seen.route.as_ref().unwrap().session_id.clone().unwrap();
    assert_eq!(session.len(), 36, "{session}");
    assert!(
        seen.raw_path
            .starts_with("/agents/L1RT58GYRW/agentAliases/MFPSBCXYTW/sessions/")
    );

    // The caller's session id is used as given; streaming yields the text in chunks.
    let mut stream = client
        .completion_stream(chat(
            "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
            json!({"sessionID": "my-session-1"}),
        ))
        .await
        .unwrap();
    let mut text = String::new();
    while let Some(c) = stream.next().await {
        if let Some(t) = c
            .unwrap()
            .choices
            .first()
            .and_then(|c| c.delta.content.clone())
        {
            text.push_str(&t);
        }
    }
    assert_eq!(
        text,
        "Hello from the mock agent. You said: Hello there friend"
    );
    assert_eq!(
        mock.last_request()
            .unwrap()
            .route
            .unwrap()
            .session_id
            .as_deref(),
        Some("my-session-1")
    );
}

fn converse_frames(words: usize) -> Vec<Frame> {
    let mut f = vec![Frame::event("messageStart", &json!({"role": "assistant"}))];
    for i in 0..words {
        f.push(Frame::event(
            "contentBlockDelta",
            &json!({"contentBlockIndex": 0, "delta": {"text": format!("w{i} ")}}),
        ));
    }
    f.push(Frame::event(
        "contentBlockStop",
        &json!({"contentBlockIndex": 0}),
    ));
    f.push(Frame::event(
        "messageStop",
        &json!({"stopReason": "end_turn"}),
    ));
    f.push(Frame::event(
        "metadata",
        &json!({"usage": {"inputTokens": 3, "outputTokens": words}, "metrics": {"latencyMs": 5}}),
    ));
    f
}

#[tokio::test]
async fn the_first_chunk_reaches_the_caller_before_the_mock_finishes_the_stream() {
    let (mock, client) = setup().await;
    let frames = converse_frames(3);
    let first_two: usize = frames[..2].iter().map(|f| f.encode().len()).sum();
    // After the first delta the mock stops writing and never finishes.
    mock.on(
        RouteMatch::operation(Operation::ConverseStream),
        Reply::stream(frames).stall_after(first_two),
    );
    let mut stream = client
        .completion_stream(chat("bedrock/amazon.nova-lite-v1:0", json!({})))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the first chunk arrived while the stream was still open")
        .unwrap()
        .unwrap();
    // As LiteLLM's stream wrapper: the empty `messageStart` chunk is not passed on; the first
    // chunk carries the role and the first text.
    let delta = &first.choices[0].delta;
    assert_eq!(delta.role.as_deref(), Some("assistant"));
    assert_eq!(delta.content.as_deref(), Some("w0 "));
    // Nothing more comes: the mock is still holding the stream open.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), stream.next())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_throttled_stream_start_is_retried_but_a_broken_stream_is_not() {
    let (mock, client) = setup().await;
    let m = RouteMatch::operation(Operation::ConverseStream);
    mock.on_times(m.clone(), 1, Reply::throttled());
    mock.on_times(m.clone(), 1, Reply::stream(converse_frames(2)));
    let mut broken = converse_frames(3);
    broken.truncate(3);
    broken.push(Frame::exception(
        "modelStreamErrorException",
        "The model stream failed.",
    ));
    mock.on(m, Reply::stream(broken));

    let mut stream = client
        .completion_stream(chat(
            "bedrock/amazon.nova-lite-v1:0",
            json!({"num_retries": 2}),
        ))
        .await
        .unwrap();
    let mut text = String::new();
    while let Some(c) = stream.next().await {
        if let Some(t) = c
            .unwrap()
            .choices
            .first()
            .and_then(|c| c.delta.content.clone())
        {
            text.push_str(&t);
        }
    }
    assert_eq!(text, "w0 w1 ");
    assert_eq!(mock.request_count(), 2);

    mock.clear_requests();
    let mut stream = client
        .completion_stream(chat(
            "bedrock/amazon.nova-lite-v1:0",
            json!({"num_retries": 5}),
        ))
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut error = None;
    while let Some(c) = stream.next().await {
        match c {
            Ok(c) => got.push(c),
            Err(e) => error = Some(e),
        }
    }
    assert!(!got.is_empty());
    let error = error.unwrap();
    assert_eq!(
        error.bedrock_error_type(),
        Some("ModelStreamErrorException")
    );
    // Data was delivered, so the stream was not retried.
    assert_eq!(mock.request_count(), 1);
}

/// A one-route HTTP server for media: answers every GET with `body` as `content_type`.
async fn media_server(content_type: &'static str, body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn remote_images_are_fetched_into_the_request_only_when_allowed() {
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
    let base = media_server("image/png", png).await;
    let url = format!("{base}/cat.png");
    let request = || {
        chat(
            "bedrock/amazon.nova-lite-v1:0",
            json!({"messages": [{"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": url}}]}]}),
        )
    };
    // Default policy: loopback media is refused before anything is sent to Bedrock.
    let (mock, client) = setup().await;
    mock.canned_answers();
    let err = client.completion(request()).await.unwrap_err();
    assert_eq!(err.param(), Some("messages[0].content[1].image_url"));
    assert!(
        err.message().contains("non-public address 127.0.0.1"),
        "{}",
        err.message()
    );
    assert_eq!(mock.request_count(), 0);

    // Allowed: the bytes travel inline, base64, as Converse wants them.
    let permissive = client_for(
        &mock,
        MediaFetchPolicy {
            allow_private_addresses: true,
            ..MediaFetchPolicy::default()
        },
    );
    permissive.completion(request()).await.unwrap();
    let body = mock.last_request().unwrap().json().unwrap();
    let image = &body["messages"][0]["content"][1]["image"];
    assert_eq!(image["format"], "png");
    assert_eq!(image["source"]["bytes"], "iVBORwECAw==");

    // A content type that is no image, video or document is refused, naming the field.
    let html = media_server("application/zip", b"PK".to_vec()).await;
    let permissive_err = permissive
        .completion(chat(
            "bedrock/amazon.nova-lite-v1:0",
            json!({"messages": [{"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": format!("{html}/page")}}]}]}),
        ))
        .await;
    let err = permissive_err.unwrap_err();
    assert_eq!(err.param(), Some("messages[0].content[0].image_url"));
    assert!(
        err.message()
            .contains("no image, video or document content type"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn cohere_rerank_through_invoke_uses_the_native_body() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let req: RerankRequest = serde_json::from_value(json!({
        "model": "bedrock/invoke/cohere.rerank-v3-5:0", "query": "pizza",
        "documents": ["Luigi's bakes pizza.", {"title": "Cafe", "body": "coffee only"}],
        "top_n": 2, "return_documents": true
    }))
    .unwrap();
    let resp = client.rerank(req).await.unwrap();
    assert_eq!(resp.results.len(), 2);
    assert_eq!(
        resp.results[0].document,
        Some(json!({"text": "Luigi's bakes pizza."}))
    );
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.raw_path, "/model/cohere.rerank-v3-5%3A0/invoke");
    let body = seen.json().unwrap();
    assert_eq!(body["api_version"], 2);
    assert_eq!(body["top_n"], 2);
    assert_eq!(body["documents"][1]["title"], "Cafe");
}

#[tokio::test]
async fn count_tokens_sends_converse_or_invoke_shaped_input() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let n = client
        .count_tokens(chat(
            "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0",
            json!({}),
        ))
        .await
        .unwrap();
    assert_eq!(n, 3);
    let body = mock.last_request().unwrap().json().unwrap();
    assert!(body["input"]["converse"]["messages"].is_array());
    assert_eq!(
        mock.last_request().unwrap().raw_path,
        "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/count-tokens"
    );

    // Invoke routes count the native body.
    let _ = client
        .count_tokens(chat(
            "bedrock/invoke/anthropic.claude-3-5-haiku-20241022-v1:0",
            json!({}),
        ))
        .await
        .unwrap();
    let body = mock.last_request().unwrap().json().unwrap();
    use base64::Engine;
    let inner = base64::engine::general_purpose::STANDARD
        .decode(body["input"]["invokeModel"]["body"].as_str().unwrap())
        .unwrap();
    let inner: Value = serde_json::from_slice(&inner).unwrap();
    assert_eq!(inner["anthropic_version"], "bedrock-2023-05-31");
}

#[tokio::test]
async fn a_family_that_cannot_stream_answers_as_a_single_chunk_stream() {
    let (mock, client) = setup().await;
    mock.on(
        RouteMatch::model(Operation::Invoke, "ai21.j2-ultra-v1"),
        Reply::ok(
            &json!({"id": 1234, "prompt": {"text": "Hi", "tokens": [{}, {}]},
            "completions": [{"data": {"text": " Hello there!", "tokens": [{}, {}, {}]},
                             "finishReason": {"reason": "endoftext"}}]}),
        ),
    );
    let mut stream = client
        .completion_stream(chat("bedrock/invoke/ai21.j2-ultra-v1", json!({})))
        .await
        .unwrap();
    let mut chunks = Vec::new();
    while let Some(c) = stream.next().await {
        chunks.push(c.unwrap());
    }
    let text: String = chunks
        .iter()
        .filter_map(|c| c.choices.first().and_then(|c| c.delta.content.clone()))
        .collect();
    assert_eq!(text, " Hello there!");
    assert!(
        chunks
            .iter()
            .any(|c| c.choices.first().and_then(|c| c.finish_reason).is_some())
    );
    // One plain InvokeModel call: Bedrock has no stream for Jurassic-2.
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.operation(), Some(Operation::Invoke));
    assert_eq!(mock.request_count(), 1);
}

/// The client applies `allowed_openai_params` before mapping: the named unsupported parameter
/// reaches Bedrock (`additionalModelRequestFields` on Converse), the list does not; without it
/// the same request is refused.
#[tokio::test]
async fn allowed_openai_params_reach_bedrock_through_the_client() {
    let (mock, client) = setup().await;
    mock.canned_answers();
    let model = "bedrock/anthropic.claude-3-haiku-20240307-v1:0";
    let err = client
        .completion(chat(model, json!({"seed": 7})))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), bedrock::types::ErrorKind::UnsupportedParams);
    client
        .completion(chat(
            model,
            json!({"seed": 7, "allowed_openai_params": ["seed"]}),
        ))
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&mock.last_request().unwrap().body).unwrap();
    assert_eq!(body["additionalModelRequestFields"], json!({"seed": 7}));
    assert!(
        !body.to_string().contains("allowed_openai_params"),
        "{body}"
    );
}

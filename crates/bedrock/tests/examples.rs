// Integration tests: a panic is the assertion.
#![allow(clippy::unwrap_used)]
// Each example brings its own `mod common` (it is a standalone binary too), so the file is loaded
// once per example here.
#![allow(clippy::duplicate_mod)]
//! Every example in `examples/` end to end: its `run()` through the real client and HTTP stack
//! against the testkit's mock Bedrock with SigV4 verification on (the mock answers 403 to any
//! request whose signature it cannot recompute), set up exactly as `BEDROCK_EXAMPLES_MOCK=1`
//! sets it up. Each test checks the request the mock recorded (path, the body field the seed
//! snippet is about, headers) and the parsed answer the example printed.

use bedrock::Client;
use bedrock_testkit::mock::{MockRequest, Operation};
use serde_json::{Value, json};

#[path = "../examples/common/mod.rs"]
mod common;

#[path = "../examples/agents.rs"]
#[allow(dead_code)]
mod agents;
#[path = "../examples/alternate_messages.rs"]
#[allow(dead_code)]
mod alternate_messages;
#[path = "../examples/bearer.rs"]
#[allow(dead_code)]
mod bearer;
#[path = "../examples/beta_headers.rs"]
#[allow(dead_code)]
mod beta_headers;
#[path = "../examples/citations.rs"]
#[allow(dead_code)]
mod citations;
#[path = "../examples/completion.rs"]
#[allow(dead_code)]
mod completion;
#[path = "../examples/credentials_params.rs"]
#[allow(dead_code)]
mod credentials_params;
#[path = "../examples/cross_region.rs"]
#[allow(dead_code)]
mod cross_region;
#[path = "../examples/custom_endpoint.rs"]
#[allow(dead_code)]
mod custom_endpoint;
#[path = "../examples/embeddings.rs"]
#[allow(dead_code)]
mod embeddings;
#[path = "../examples/gpt_oss.rs"]
#[allow(dead_code)]
mod gpt_oss;
#[path = "../examples/guardrails.rs"]
#[allow(dead_code)]
mod guardrails;
#[path = "../examples/images.rs"]
#[allow(dead_code)]
mod images;
#[path = "../examples/imported_models.rs"]
#[allow(dead_code)]
mod imported_models;
#[path = "../examples/inference_profile.rs"]
#[allow(dead_code)]
mod inference_profile;
#[path = "../examples/internal_proxy.rs"]
#[allow(dead_code)]
mod internal_proxy;
#[path = "../examples/latency_optimized.rs"]
#[allow(dead_code)]
mod latency_optimized;
#[path = "../examples/moonshot.rs"]
#[allow(dead_code)]
mod moonshot;
#[path = "../examples/pdf.rs"]
#[allow(dead_code)]
mod pdf;
#[path = "../examples/pegasus.rs"]
#[allow(dead_code)]
mod pegasus;
#[path = "../examples/prefill.rs"]
#[allow(dead_code)]
mod prefill;
#[path = "../examples/profile.rs"]
#[allow(dead_code)]
mod profile;
#[path = "../examples/provider_params.rs"]
#[allow(dead_code)]
mod provider_params;
#[path = "../examples/provisioned_throughput.rs"]
#[allow(dead_code)]
mod provisioned_throughput;
#[path = "../examples/reasoning.rs"]
#[allow(dead_code)]
mod reasoning;
#[path = "../examples/request_metadata.rs"]
#[allow(dead_code)]
mod request_metadata;
#[path = "../examples/rerank.rs"]
#[allow(dead_code)]
mod rerank;
#[path = "../examples/routes.rs"]
#[allow(dead_code)]
mod routes;
#[path = "../examples/service_tier.rs"]
#[allow(dead_code)]
mod service_tier;
#[path = "../examples/streaming.rs"]
#[allow(dead_code)]
mod streaming;
#[path = "../examples/structured_output.rs"]
#[allow(dead_code)]
mod structured_output;
#[path = "../examples/sts.rs"]
#[allow(dead_code)]
mod sts;
#[path = "../examples/temperature.rs"]
#[allow(dead_code)]
mod temperature;
#[path = "../examples/text_completion.rs"]
#[allow(dead_code)]
mod text_completion;
#[path = "../examples/tools.rs"]
#[allow(dead_code)]
mod tools;
#[path = "../examples/vision.rs"]
#[allow(dead_code)]
mod vision;

/// The example's mock (SigV4 on, its fixtures, canned answers) and a client for it.
async fn setup(example: &str) -> (Client, common::Mock) {
    common::mock_client(example).await.unwrap()
}

/// The body of the `i`-th request the mock received.
fn body(mock: &common::Mock, i: usize) -> Value {
    mock.requests()[i].json().unwrap()
}

/// The request was SigV4-signed by `key_id` for `region` (and passed the mock's verifier).
fn assert_signed(seen: &MockRequest, key_id: &str, region: &str) {
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={key_id}/")),
        "{auth}"
    );
    assert!(
        auth.contains(&format!("/{region}/bedrock/aws4_request")),
        "{auth}"
    );
}

const ECHO: &str = "Hello from the mock Bedrock. You said: ";

#[tokio::test]
async fn completion_is_signed_routed_to_converse_and_priced() {
    let (client, mock) = setup("completion").await;
    let out = completion::run(&client).await.unwrap();
    assert!(
        out.starts_with(&format!("{ECHO}Hello, how are you?\nresponse_cost: $0.000")),
        "{out}"
    );
    assert!(
        !out.ends_with("$0.00000000"),
        "Claude 3 Sonnet is priced: {out}"
    );
    let seen = mock.last_request().unwrap();
    assert_eq!(
        seen.raw_path,
        "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse"
    );
    assert_signed(&seen, common::ACCESS_KEY_ID, common::REGION);
    assert_eq!(
        body(&mock, 0)["messages"],
        json!([{"role": "user", "content": [{"text": "Hello, how are you?"}]}])
    );
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn temperature_and_top_p_become_inference_config() {
    let (client, mock) = setup("temperature").await;
    let out = temperature::run(&client).await.unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    let b = body(&mock, 0);
    assert_eq!(b["inferenceConfig"]["temperature"], json!(0.7));
    assert_eq!(b["inferenceConfig"]["topP"], json!(1.0));
}

#[tokio::test]
async fn provider_params_reach_additional_model_request_fields() {
    let (client, mock) = setup("provider_params").await;
    provider_params::run(&client).await.unwrap();
    let b = body(&mock, 0);
    assert_eq!(b["additionalModelRequestFields"], json!({"top_k": 1}));
    assert!(b.get("top_k").is_none(), "{b}");
}

#[tokio::test]
async fn request_metadata_is_sent_top_level() {
    let (client, mock) = setup("request_metadata").await;
    request_metadata::run(&client).await.unwrap();
    let seen = mock.last_request().unwrap();
    assert_eq!(
        seen.raw_path,
        "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse"
    );
    assert_eq!(
        seen.json().unwrap()["requestMetadata"],
        json!({"cost_center": "engineering", "user_id": "user123"})
    );
}

#[tokio::test]
async fn tools_send_a_tool_config_and_return_the_tool_call() {
    let (client, mock) = setup("tools").await;
    // The seed doc's snippet uses Claude 3 Sonnet with `tool_choice`; the capability table must
    // say it supports tool choice (it once did not, and the call was refused).
    let out = tools::run(&client)
        .await
        .expect("tool_choice on Claude 3 Sonnet");
    assert_eq!(
        out,
        r#"tool call tooluse_kZJMlvQmRJ6eAyJE5GIl7Q: get_current_weather({"location": "Boston, MA", "unit": "fahrenheit"})"#
    );
    let b = body(&mock, 0);
    assert_eq!(
        b["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_current_weather"
    );
    assert_eq!(
        b["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["required"],
        json!(["location"])
    );
    assert_eq!(b["toolConfig"]["toolChoice"], json!({"auto": {}}));
}

#[tokio::test]
async fn vision_sends_the_image_bytes_inline() {
    use base64::Engine;
    let (client, mock) = setup("vision").await;
    let out = vision::run(&client, vision::TINY_PNG, "image/png")
        .await
        .unwrap();
    assert_eq!(out, format!("{ECHO}Whats in this image?"));
    let b = body(&mock, 0);
    let image = &b["messages"][0]["content"][1]["image"];
    assert_eq!(image["format"], "png");
    assert_eq!(
        image["source"]["bytes"],
        base64::engine::general_purpose::STANDARD.encode(vision::TINY_PNG)
    );
}

#[tokio::test]
async fn reasoning_effort_enables_thinking_and_returns_reasoning_content() {
    let (client, mock) = setup("reasoning").await;
    let out = reasoning::run(&client).await.unwrap();
    assert_eq!(
        out,
        "reasoning_content: The capital of France is Paris. This is a straightforward factual question.\n\
         content: The capital of France is Paris.\nthinking_blocks: 1"
    );
    let b = body(&mock, 0);
    assert_eq!(
        b["additionalModelRequestFields"]["thinking"],
        json!({"type": "enabled", "budget_tokens": 1024})
    );
    assert_eq!(
        mock.last_request().unwrap().raw_path,
        "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse"
    );
}

#[tokio::test]
async fn search_results_become_search_result_blocks_and_citations_annotations() {
    let (client, mock) = setup("citations").await;
    let out = citations::run(&client).await.unwrap();
    assert_eq!(
        out,
        "XX is a technology business management company that uses Bedrock.\n\
         url_citation [0..46] About XX <https://www.xx.com/about>"
    );
    let b = body(&mock, 0);
    let result = &b["messages"][2]["content"][0]["toolResult"];
    assert_eq!(result["toolUseId"], "tooluse_a4rBqeZNRTKj2lTskvaO4H");
    assert_eq!(
        result["content"][1]["searchResult"]["source"],
        "https://www.xx.com/about"
    );
    assert_eq!(
        result["content"][1]["searchResult"]["citations"],
        json!({"enabled": true})
    );
}

#[tokio::test]
async fn anthropic_beta_headers_become_anthropic_beta_fields() {
    let (client, mock) = setup("beta_headers").await;
    let out = beta_headers::run(&client).await.unwrap();
    assert_eq!(out.lines().count(), 3, "{out}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].raw_path,
        "/model/anthropic.claude-sonnet-4-20250115-v1%3A0/converse"
    );
    let betas: Vec<Value> = (0..3)
        .map(|i| body(&mock, i)["additionalModelRequestFields"]["anthropic_beta"].clone())
        .collect();
    assert_eq!(betas[0], json!(["context-1m-2025-08-07"]));
    // The seed's `computer-use-2024-10-22,context-1m-2025-08-07`: LiteLLM 1.103.7 passes on to
    // Converse only the betas its `bedrock_converse` table lists (checked on loopback).
    assert_eq!(betas[1], json!(["context-1m-2025-08-07"]));
    // The computer-use tool adds its own beta.
    let last = betas[2].as_array().unwrap();
    assert!(last.contains(&json!("context-1m-2025-08-07")), "{last:?}");
    assert!(last.contains(&json!("computer-use-2024-10-22")), "{last:?}");
    assert_eq!(
        body(&mock, 2)["additionalModelRequestFields"]["tools"][0]["type"],
        "computer_20241022"
    );
    // The header goes on the wire filtered the same way, as LiteLLM sends it.
    assert_eq!(
        requests[1].header("anthropic-beta"),
        Some("context-1m-2025-08-07")
    );
}

#[tokio::test]
async fn structured_output_from_a_schemars_type_round_trips() {
    let (client, mock) = setup("structured_output").await;
    let out = structured_output::run(&client).await.unwrap();
    assert!(
        out.contains(
            r#"parsed: EventsList { events: [CalendarEvent { name: "World Series", date: "2020-10-27", participants: ["Dodgers", "Rays"] }] }"#
        ),
        "{out}"
    );
    let b = body(&mock, 0);
    assert_eq!(
        b["toolConfig"]["toolChoice"],
        json!({"tool": {"name": "json_tool_call"}})
    );
    let schema = &b["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"];
    assert_eq!(
        schema["properties"]["events"]["items"]["required"],
        json!(["name", "date", "participants"])
    );
    // `$defs` are inlined for Bedrock.
    let text = schema.to_string();
    assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
    assert_eq!(
        b["system"],
        json!([{"text": "You are a helpful assistant designed to output JSON."}])
    );
}

#[tokio::test]
async fn latency_optimized_sends_performance_config() {
    let (client, mock) = setup("latency_optimized").await;
    latency_optimized::run(&client).await.unwrap();
    assert_eq!(
        body(&mock, 0)["performanceConfig"],
        json!({"latency": "optimized"})
    );
}

#[tokio::test]
async fn service_tier_both_spellings_become_service_tier_objects() {
    let (client, mock) = setup("service_tier").await;
    service_tier::run(&client).await.unwrap();
    assert_eq!(body(&mock, 0)["serviceTier"], json!({"type": "priority"}));
    assert_eq!(body(&mock, 1)["serviceTier"], json!({"type": "priority"}));
    assert_eq!(
        mock.requests()[1].raw_path,
        "/model/qwen.qwen3-235b-a22b-2507-v1%3A0/converse"
    );
}

#[tokio::test]
async fn guardrails_send_guardrail_config_and_guard_content() {
    let (client, mock) = setup("guardrails").await;
    let out = guardrails::run(&client).await.unwrap();
    assert_eq!(
        out,
        "Some(Length): Try a local café or\n\
         Some(ContentFilter): Sorry, the model cannot answer this question."
    );
    // `anthropic.claude-v2` without `bedrock/` is still Bedrock, on Converse.
    assert_eq!(
        mock.requests()[0].raw_path,
        "/model/anthropic.claude-v2/converse"
    );
    let first = body(&mock, 0);
    assert_eq!(
        first["guardrailConfig"],
        json!({"guardrailIdentifier": "ff6ujrregl1q", "guardrailVersion": "DRAFT", "trace": "disabled"})
    );
    assert_eq!(first["inferenceConfig"]["maxTokens"], 10);
    let second = body(&mock, 1);
    let content = &second["messages"][0]["content"];
    assert_eq!(
        content[0],
        json!({"text": "What is the main topic of this legal document?"})
    );
    assert_eq!(
        content[1]["guardContent"]["text"]["text"],
        "This      document contains sensitive legal information that should be moderated by guardrails."
    );
}

#[tokio::test]
async fn prefill_stays_last_and_system_goes_to_system() {
    let (client, mock) = setup("prefill").await;
    let out = prefill::run(&client).await.unwrap();
    assert_eq!(
        out,
        format!("{{ \"Hello\": \"Hallo\" }}\n{ECHO}How do I boil water?")
    );
    let first = body(&mock, 0);
    assert_eq!(
        first["messages"][1],
        json!({"role": "assistant", "content": [{"text": "{"}]})
    );
    let seen = &mock.requests()[1];
    assert_eq!(seen.raw_path, "/model/anthropic.claude-v2%3A1/converse");
    let second = body(&mock, 1);
    assert_eq!(
        second["system"],
        json!([{"text": "You are a snarky assistant."}])
    );
    assert_eq!(second["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn streaming_yields_the_answer_in_chunks() {
    let (client, mock) = setup("streaming").await;
    let out = streaming::run(&client).await.unwrap();
    let (count, text) = out.split_once(" chunks: ").unwrap();
    assert!(count.parse::<usize>().unwrap() > 5, "{out}");
    assert_eq!(text, format!("{ECHO}Hello, how are you?"));
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.operation(), Some(Operation::ConverseStream));
    assert_eq!(seen.model_id(), Some("anthropic.claude-instant-v1"));
}

#[tokio::test]
async fn cross_region_ids_are_sent_as_is_and_priced_as_the_base_model() {
    let (client, mock) = setup("cross_region").await;
    let out = cross_region::run(&client).await.unwrap();
    assert!(
        out.contains("[us.anthropic.claude-3-haiku-20240307-v1:0]"),
        "{out}"
    );
    assert!(!out.ends_with("$0.00000000"), "{out}");
    let seen = mock.last_request().unwrap();
    assert_eq!(
        seen.raw_path,
        "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    );
    let b = seen.json().unwrap();
    assert_eq!(b["inferenceConfig"]["maxTokens"], 10);
    assert_eq!(b["inferenceConfig"]["temperature"], json!(0.1));
}

#[tokio::test]
async fn pdfs_become_document_blocks_both_ways() {
    use base64::Engine;
    let (client, mock) = setup("pdf").await;
    let out = pdf::run(&client, pdf::TINY_PDF).await.unwrap();
    assert_eq!(out.lines().count(), 2);
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf::TINY_PDF);
    for i in 0..2 {
        let b = body(&mock, i);
        let document = &b["messages"][0]["content"][1]["document"];
        assert_eq!(document["format"], "pdf", "{b}");
        assert_eq!(document["source"]["bytes"], encoded.as_str());
        assert!(document["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
}

#[tokio::test]
async fn gpt_oss_goes_through_converse_with_its_reasoning() {
    let (client, mock) = setup("gpt_oss").await;
    let out = gpt_oss::run(&client).await.unwrap();
    assert_eq!(
        out,
        format!(
            "[reasoning: The user greets me; answer politely.]\n\
             I'm doing well, thank you! How can I help you today?\n\
             {ECHO}Explain machine learning in simple terms"
        )
    );
    let requests = mock.requests();
    assert_eq!(
        requests[0].raw_path,
        "/model/openai.gpt-oss-20b-1%3A0/converse"
    );
    assert_eq!(
        requests[1].raw_path,
        "/model/openai.gpt-oss-120b-1%3A0/converse"
    );
}

#[tokio::test]
async fn pegasus_sends_media_source_from_s3_and_base64() {
    use base64::Engine;
    let (client, mock) = setup("pegasus").await;
    let out = pegasus::run(&client, pegasus::VIDEO_STUB).await.unwrap();
    assert!(
        out.starts_with("A person walks a golden retriever"),
        "{out}"
    );
    let requests = mock.requests();
    assert_eq!(requests[0].operation(), Some(Operation::Invoke));
    assert_eq!(
        requests[0].model_id(),
        Some("us.twelvelabs.pegasus-1-2-v1:0")
    );
    let first = body(&mock, 0);
    assert_eq!(
        first["mediaSource"],
        json!({"s3Location": {"uri": "s3://your-bucket/video.mp4", "bucketOwner": "123456789012"}})
    );
    assert_eq!(
        first["inputPrompt"],
        "user: Describe what happens in this video."
    );
    assert_eq!(first["temperature"], json!(0.2));
    assert_eq!(
        body(&mock, 1)["mediaSource"]["base64String"],
        base64::engine::general_purpose::STANDARD.encode(pegasus::VIDEO_STUB)
    );
}

#[tokio::test]
async fn imported_models_use_their_route_s_body_and_reply_shapes() {
    let (client, mock) = setup("imported_models").await;
    let out = imported_models::run(&client).await.unwrap();
    assert_eq!(
        out,
        "deepseek_r1: Why did the bicycle fall over? It was two tired. [reasoning: The user wants a joke. Keep it short.]\n\
         llama: Why don't eggs tell jokes? They'd crack each other up.\n\
         qwen3: Why did the scarecrow win an award? Because he was outstanding in his field!\n\
         qwen2: Knock knock. Who's there? Qwen.\n\
         openai: Why don't scientists trust atoms? Because they make up everything."
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 5);
    assert!(
        requests
            .iter()
            .all(|r| r.operation() == Some(Operation::Invoke))
    );
    assert_eq!(
        requests[0].raw_path,
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A086734376398%3Aimported-model%2Fr4c4kewx2s0n/invoke"
    );
    // The ARN's region signs the call.
    assert_signed(&requests[0], common::ACCESS_KEY_ID, "us-east-1");
    let deepseek = body(&mock, 0);
    assert!(
        deepseek["prompt"]
            .as_str()
            .unwrap()
            .contains("<｜User｜>Tell me a joke<｜Assistant｜>"),
        "{deepseek}"
    );
    assert!(
        body(&mock, 1)["prompt"]
            .as_str()
            .unwrap()
            .contains("Tell me a joke")
    );
    assert_eq!(body(&mock, 2)["max_gen_len"], 100);
    let openai = body(&mock, 4);
    assert_eq!(
        openai["messages"],
        json!([{"role": "user", "content": "Tell me a joke"}])
    );
    assert_eq!(openai["max_tokens"], 300);
}

#[tokio::test]
async fn moonshot_reasoning_tools_and_stream() {
    let (client, mock) = setup("moonshot").await;
    let out = moonshot::run(&client).await.unwrap();
    assert_eq!(
        out,
        "Reasoning: The user asks 2+2. Two plus two is four.\n2 + 2 = **4**.\n\
         Reasoning: The user wants 2+2. Two plus two is four.\n2 + 2 = **4**.\n\
         Tool called: get_weather\nArguments: {\"location\": \"Tokyo\"}\n\
         [Reasoning: Simple question; explain qubits.]\n\
         Quantum computers use qubits, which can be 0 and 1 at once."
    );
    let ops: Vec<_> = mock.requests().iter().map(MockRequest::operation).collect();
    assert_eq!(
        ops,
        [
            Some(Operation::Converse),
            Some(Operation::Invoke),
            Some(Operation::Converse),
            Some(Operation::ConverseStream)
        ]
    );
    let invoke = body(&mock, 1);
    assert_eq!(invoke["model"], "moonshot.kimi-k2-thinking");
    assert_eq!(invoke["max_tokens"], 200);
    assert_eq!(
        body(&mock, 2)["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "get_weather"
    );
}

#[tokio::test]
async fn provisioned_throughput_calls_go_to_the_model_id_arns() {
    let (client, mock) = setup("provisioned_throughput").await;
    let out = provisioned_throughput::run(&client).await.unwrap();
    assert_eq!(
        out,
        format!("{ECHO}Hello, how are you?\n1 embedding(s), model amazon.titan-embed-text-v1")
    );
    let requests = mock.requests();
    assert_eq!(
        requests[0].model_id(),
        Some(provisioned_throughput::CHAT_MODEL_ARN)
    );
    assert_eq!(
        requests[0].raw_path,
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fclaude-instant-pt/converse"
    );
    assert_signed(&requests[0], common::ACCESS_KEY_ID, "us-east-1");
    assert_eq!(requests[1].operation(), Some(Operation::Invoke));
    assert_eq!(
        requests[1].model_id(),
        Some(provisioned_throughput::EMBED_MODEL_ARN)
    );
    assert_eq!(body(&mock, 1)["inputText"], "hi");
}

#[tokio::test]
async fn embeddings_titan_v1_v2_float_and_base64() {
    let (client, mock) = setup("embeddings").await;
    let out = embeddings::run(&client).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("amazon.titan-embed-text-v1: float[8], 4 tokens"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("amazon.titan-embed-text-v2:0: float[8], 5 tokens"),
        "{out}"
    );
    // encoding_format="base64" asks Titan for binary embeddings (LiteLLM returns the bits).
    assert!(
        lines[2].starts_with("amazon.titan-embed-text-v2:0: int[8], 5 tokens"),
        "{out}"
    );
    assert!(lines.iter().all(|l| !l.ends_with("$0.0000000000")), "{out}");
    assert_eq!(
        body(&mock, 0),
        json!({"inputText": "good morning from litellm"})
    );
    assert_eq!(body(&mock, 2)["embeddingTypes"], json!(["binary"]));
    assert_eq!(
        mock.requests()[1].raw_path,
        "/model/amazon.titan-embed-text-v2%3A0/invoke"
    );
}

#[tokio::test]
async fn images_come_back_as_b64_json_and_are_priced() {
    let (client, mock) = setup("images").await;
    let out = images::run(&client).await.unwrap();
    assert_eq!(out.matches("68 bytes PNG").count(), 3, "{out}");
    assert!(
        out.contains("bedrock/amazon.nova-canvas-v1:0: $0.1200"),
        "{out}"
    );
    let nova = body(&mock, 0);
    assert_eq!(nova["taskType"], "TEXT_IMAGE");
    assert_eq!(nova["textToImageParams"]["text"], "A cute baby sea otter");
    assert_eq!(nova["imageGenerationConfig"]["numberOfImages"], 2);
    assert_eq!(nova["imageGenerationConfig"]["width"], 1024);
    assert_eq!(
        mock.requests()[1].model_id(),
        Some("stability.sd3-large-v1:0")
    );
    assert_eq!(body(&mock, 1)["prompt"], "A cute baby sea otter");
}

#[tokio::test]
async fn rerank_calls_the_agent_runtime_and_orders_results() {
    let (client, mock) = setup("rerank").await;
    let out = rerank::run(&client).await.unwrap();
    assert_eq!(out, "2 0.9817\n0 0.2734\n1 0.0412");
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.raw_path, "/rerank");
    assert_signed(&seen, common::ACCESS_KEY_ID, common::REGION);
    let b = seen.json().unwrap();
    assert_eq!(
        b["queries"][0]["textQuery"]["text"],
        "What is the capital of the United States?"
    );
    assert_eq!(b["sources"].as_array().unwrap().len(), 3);
    let config = &b["rerankingConfiguration"]["bedrockRerankingConfiguration"];
    assert_eq!(config["numberOfResults"], 3);
    assert_eq!(
        config["modelConfiguration"]["modelArn"],
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0"
    );
}

#[tokio::test]
async fn agents_answer_stream_and_pass_custom_parameters() {
    let (client, mock) = setup("agents").await;
    let out = agents::run(&client).await.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Here is a summary of Q3 sales: revenue grew 12% quarter over quarter."
    );
    // Usage is summed from the agent's traces.
    assert!(
        lines[1].starts_with("usage: 1702 prompt + 202 completion tokens"),
        "{out}"
    );
    assert_eq!(
        lines[2],
        "Step 1: define goals. Step 2: pick channels. Step 3: measure."
    );
    assert_eq!(lines[3], "Ishaan is the CTO of LiteLLM.");
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.operation(), Some(Operation::InvokeAgent));
        assert!(
            r.raw_path
                .starts_with("/agents/L1RT58GYRW/agentAliases/MFPSBCXYTW/sessions/")
        );
        assert_signed(r, common::ACCESS_KEY_ID, common::REGION);
    }
    assert_eq!(
        body(&mock, 0)["inputText"],
        "Hi, I need help with analyzing our Q3 sales data and generating a summary report"
    );
    assert_eq!(body(&mock, 2)["invocationId"], "my-test-invocation-id");
    // The seed doc prints the agent call's `response_cost`: priced by the foundation model the
    // traces name, on the summed usage.
    assert!(
        !lines[1].ends_with("response cost: $0.000000"),
        "agent response_cost is not computed: {out}"
    );
}

#[tokio::test]
async fn an_application_inference_profile_is_called_in_its_own_region() {
    let (client, mock) = setup("inference_profile").await;
    let out = inference_profile::run(&client).await.unwrap();
    assert!(!out.ends_with("$0.00000000"), "{out}");
    let seen = mock.last_request().unwrap();
    assert_eq!(
        seen.raw_path,
        "/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A000000000000%3Aapplication-inference-profile%2Fa0a0a0a0a0a0/converse"
    );
    assert_signed(&seen, common::ACCESS_KEY_ID, "eu-central-1");
}

#[tokio::test]
async fn routes_pick_converse_or_invoke() {
    let (client, mock) = setup("routes").await;
    let out = routes::run(&client).await.unwrap();
    assert_eq!(out.lines().count(), 2);
    let requests = mock.requests();
    assert_eq!(
        requests[0].raw_path,
        "/model/us.amazon.nova-pro-v1%3A0/converse"
    );
    assert_eq!(requests[1].operation(), Some(Operation::Invoke));
    assert_eq!(requests[1].model_id(), Some("us.amazon.nova-pro-v1:0"));
    assert_eq!(
        body(&mock, 1)["messages"][0]["content"][0]["text"],
        "Hello, how are you?"
    );
}

#[tokio::test]
async fn continue_messages_make_the_conversation_start_with_a_user() {
    let (client, mock) = setup("alternate_messages").await;
    let out = alternate_messages::run(&client).await.unwrap();
    assert_eq!(
        out,
        format!("{ECHO}Please continue\n{ECHO}Please continue.")
    );
    for (i, text) in [(0, "Please continue"), (1, "Please continue.")] {
        let b = body(&mock, i);
        assert_eq!(
            b["messages"][0],
            json!({"role": "user", "content": [{"text": text}]})
        );
        assert_eq!(b["messages"][1]["role"], "assistant");
    }
}

#[tokio::test]
async fn text_completion_goes_through_the_chat_path() {
    let (client, mock) = setup("text_completion").await;
    let out = text_completion::run(&client).await.unwrap();
    assert_eq!(out, format!("text_completion: {ECHO}Say this is a test"));
    let b = body(&mock, 0);
    assert_eq!(b["inferenceConfig"]["maxTokens"], 20);
}

#[tokio::test]
async fn a_named_profile_s_keys_sign_the_call() {
    let (client, mock) = setup("profile").await;
    assert!(mock.files().unwrap().join("credentials").is_file());
    let out = profile::run(&client).await.unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    // The environment has no keys and the default profile's keys would be refused.
    assert_signed(
        &mock.last_request().unwrap(),
        common::PROFILE_ACCESS_KEY_ID,
        common::REGION,
    );
}

#[tokio::test]
async fn sts_assume_role_keys_sign_the_call() {
    let (client, mock) = setup("sts").await;
    let out = sts::run(&client, sts::ROLE_ARN).await.unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    let fake = mock.sts.as_ref().unwrap();
    assert_eq!(fake.calls(), 1);
    let assume = &fake.requests()[0];
    let form = assume.form();
    assert_eq!(form["Action"], "AssumeRole");
    assert_eq!(form["RoleArn"], sts::ROLE_ARN);
    assert_eq!(form["RoleSessionName"], "my-test-session");
    // AssumeRole itself is signed with the environment's keys.
    assert!(
        assume
            .header("authorization")
            .unwrap()
            .contains(&format!("Credential={}/", common::ACCESS_KEY_ID))
    );
    let seen = mock.last_request().unwrap();
    assert_signed(&seen, common::STS_ACCESS_KEY_ID, common::REGION);
    assert_eq!(
        seen.header("x-amz-security-token"),
        Some(common::STS_SESSION_TOKEN)
    );
    assert_eq!(seen.json().unwrap()["inferenceConfig"]["maxTokens"], 10);
}

#[tokio::test]
async fn a_bearer_api_key_replaces_signing() {
    let (client, mock) = setup("bearer").await;
    let out = bearer::run(&client, common::API_KEY).await.unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.header("authorization"), Some("Bearer your-api-key"));
    assert!(seen.header("x-amz-date").is_none());
}

#[tokio::test]
async fn credentials_as_parameters_sign_the_call_in_their_region() {
    let (client, mock) = setup("credentials_params").await;
    let out = credentials_params::run(
        &client,
        common::ACCESS_KEY_ID,
        common::SECRET_ACCESS_KEY,
        "eu-west-1",
    )
    .await
    .unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    assert_signed(
        &mock.last_request().unwrap(),
        common::ACCESS_KEY_ID,
        "eu-west-1",
    );
}

#[tokio::test]
async fn a_custom_runtime_endpoint_and_extra_headers() {
    let (client, mock) = setup("custom_endpoint").await;
    // The client's own runtime endpoint leads nowhere: only the call's endpoint reaches the mock.
    let out = custom_endpoint::run(&client, &mock.url()).await.unwrap();
    assert_eq!(out, format!("{ECHO}Hello, how are you?"));
    let seen = mock.last_request().unwrap();
    assert_eq!(seen.header("key"), Some("value"));
    assert_signed(&seen, common::ACCESS_KEY_ID, common::REGION);
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn converse_like_posts_to_api_base_with_the_api_key() {
    let (client, mock) = setup("internal_proxy").await;
    let api_base = format!("{}/model/some-model/converse", mock.url());
    let out = internal_proxy::run(&client, &api_base, common::PROXY_API_KEY)
        .await
        .unwrap();
    assert_eq!(out, format!("{ECHO}What's AWS?"));
    let seen = mock.last_request().unwrap();
    // The URL is used exactly as given.
    assert_eq!(seen.raw_path, "/model/some-model/converse");
    assert_eq!(seen.header("authorization"), Some("Bearer sk-1234"));
    assert_eq!(seen.header("test"), Some("hello world"));
    assert_eq!(
        seen.json().unwrap()["messages"],
        json!([{"role": "user", "content": [{"text": "What's AWS?"}]}])
    );
}

/// Every example is run above and listed in the feature table.
#[test]
fn every_example_is_tested_and_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let this = std::fs::read_to_string(root.join("tests/examples.rs")).unwrap();
    let features = std::fs::read_to_string(root.join("../../docs/features.md")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .filter(|n| n != "demo")
        .collect();
    names.sort();
    assert!(names.len() >= 30, "{names:?}");
    for name in &names {
        assert!(
            this.contains(&format!("#[path = \"../examples/{name}.rs\"]"))
                && this.contains(&format!("{name}::run(")),
            "examples/{name}.rs is not run by tests/examples.rs"
        );
        assert!(
            features.contains(&format!("examples/{name}.rs")),
            "examples/{name}.rs is missing from docs/features.md"
        );
    }
}

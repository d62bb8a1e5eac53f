#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! The `bedrock-gateway` binary: `demo` on a fresh machine (no AWS configuration), `serve` with
//! a LiteLLM config (warnings, errors naming key and line), and `chat` one-shot and
//! interactive. Every child process gets an environment with no AWS settings of the host.

mod common;

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-gateway");

/// A command with a clean environment: nothing of the host's AWS setup, no instance metadata.
fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent-gateway-cli-home")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    c
}

/// Read lines from `child`'s stdout (or stderr) until one contains `http://`; return the URL
/// and the lines so far. The rest of the output keeps being read (and dropped) in the
/// background, so the child never writes into a full or closed pipe.
async fn wait_for_url(child: &mut Child, from_stderr: bool) -> (String, Vec<String>) {
    let mut lines: Box<dyn tokio::io::AsyncBufRead + Unpin + Send> = if from_stderr {
        Box::new(BufReader::new(child.stderr.take().unwrap()))
    } else {
        Box::new(BufReader::new(child.stdout.take().unwrap()))
    };
    let mut seen = Vec::new();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap() == 0 {
                panic!("the process ended before printing its URL: {seen:?}");
            }
            seen.push(line.trim_end().to_owned());
            if let Some(i) = line.find("http://") {
                let url: String = line[i..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != ')')
                    .collect();
                return url;
            }
        }
    })
    .await
    .expect("the URL was printed in time");
    tokio::spawn(async move {
        let mut sink = String::new();
        while lines.read_line(&mut sink).await.unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    (url, seen)
}

fn addr_of(url: &str) -> std::net::SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_without_any_aws_configuration() {
    let mut child = cmd(&["demo", "--port", "0"]).spawn().unwrap();
    let (url, _) = wait_for_url(&mut child, false).await;
    let addr = addr_of(&url);
    let r = common::post(
        addr,
        "/v1/chat/completions",
        &json!({"model": "claude-haiku", "messages": [{"role": "user", "content": "what llm are you"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["choices"][0]["message"]["content"],
        "Hello from the mock Bedrock. You said: what llm are you"
    );
    let r = common::post(
        addr,
        "/v1/chat/completions",
        &json!({"model": "bedrock-agent-1", "stream": true, "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert!(r.text().ends_with("data: [DONE]\n\n"), "{}", r.text());
    let r = common::post(
        addr,
        "/v1/embeddings",
        &json!({"model": "titan-embed", "input": "x"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reads_a_litellm_config_and_warns_about_unused_settings() {
    let mock = bedrock_testkit::MockBedrock::start().await.unwrap();
    mock.canned_answers();
    let dir = tempdir("serve");
    let cfg = dir.join("config.yaml");
    std::fs::write(
        &cfg,
        format!(
            "model_list:\n  - model_name: claude\n    litellm_params:\n      model: bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0\n      aws_access_key_id: os.environ/MY_KEY\n      aws_secret_access_key: os.environ/MY_SECRET\n      aws_region_name: us-east-1\n      aws_bedrock_runtime_endpoint: {}\nlitellm_settings:\n  success_callback: [\"langfuse\"]\ngeneral_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n",
            mock.url()
        ),
    )
    .unwrap();
    let mut child = cmd(&[
        "serve",
        "--config",
        cfg.to_str().unwrap(),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        "2",
        "--max-connections",
        "64",
    ])
    .env("MY_KEY", "AKIDCLI")
    .env("MY_SECRET", "cli-secret")
    .env("LITELLM_MASTER_KEY", "sk-cli")
    .spawn()
    .unwrap();
    let (url, seen) = wait_for_url(&mut child, true).await;
    assert!(
        seen.iter()
            .any(|l| l.contains("with 2 worker threads, up to 64 connections")),
        "{seen:?}"
    );
    let warnings = seen.join("\n");
    assert!(
        warnings.contains("warning:") && warnings.contains("litellm_settings.success_callback"),
        "{warnings}"
    );
    let addr = addr_of(&url);
    let body = serde_json::to_vec(
        &json!({"model": "claude", "messages": [{"role": "user", "content": "from the cli"}]}),
    )
    .unwrap();
    let r = common::request(
        addr,
        "POST",
        "/v1/chat/completions",
        &[("authorization", "Bearer sk-cli")],
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        mock.last_request()
            .unwrap()
            .header("authorization")
            .unwrap()
            .contains("Credential=AKIDCLI/")
    );
    let r = common::request(addr, "POST", "/v1/chat/completions", &[], body).await;
    assert_eq!(r.status, 401);
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn serve_refuses_a_bad_config_naming_key_and_line() {
    let dir = tempdir("bad");
    let cfg = dir.join("config.yaml");
    std::fs::write(
        &cfg,
        "model_list:\n  - model_name: claude\n    litellm_params:\n      model: bedrock/anthropic.claude-v2\n      temperature: warm\n",
    )
    .unwrap();
    let out = cmd(&["serve", "--config", cfg.to_str().unwrap(), "--port", "0"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.yaml:5") && err.contains("model_list[0].litellm_params.temperature"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn chat_one_shot_and_interactive() {
    let out = cmd(&[
        "chat",
        "--demo",
        "--model",
        "claude-haiku",
        "hello",
        "there",
    ])
    .output()
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Hello from the mock Bedrock. You said: hello there"
    );

    let mut child = cmd(&["chat", "--demo"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"first turn\nsecond turn\n/exit\n")
        .await
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "Hello from the mock Bedrock. You said: first turn",
            "Hello from the mock Bedrock. You said: second turn"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_a_config_signs_with_the_process_environment() {
    // `serve` reads its environment once at start (a snapshot): keys, region and endpoint
    // given only as process variables still reach every request.
    let mock = bedrock_testkit::MockBedrock::start().await.unwrap();
    mock.canned_answers();
    // Also on the shared work-stealing runtime (`--workers 0`).
    let mut child = cmd(&[
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        "0",
    ])
    .env("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    .env("AWS_SECRET_ACCESS_KEY", "env-secret")
    .env("AWS_REGION", "eu-west-3")
    .env("AWS_BEDROCK_RUNTIME_ENDPOINT", mock.url())
    .spawn()
    .unwrap();
    let (url, seen) = wait_for_url(&mut child, true).await;
    assert!(
        seen.iter()
            .any(|l| l.contains("with the shared work-stealing runtime, up to 1024 connections")),
        "{seen:?}"
    );
    let r = common::post(
        addr_of(&url),
        "/v1/chat/completions",
        &json!({"model": "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "messages": [{"role": "user", "content": "env"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let auth = mock
        .last_request()
        .unwrap()
        .header("authorization")
        .unwrap()
        .to_owned();
    assert!(
        auth.contains("Credential=AKIDFROMENV/") && auth.contains("/eu-west-3/bedrock/"),
        "{auth}"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn serve_refuses_bad_counts_naming_the_flag() {
    for (flag, what, bad) in [
        ("--workers", "threads", ["-1", "many", "5000"]),
        ("--max-connections", "connections", ["0", "lots", "2000000"]),
    ] {
        for n in bad {
            let out = cmd(&["serve", flag, n, "--port", "0"])
                .output()
                .await
                .unwrap();
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!("{flag}: `{n}` is not a number of {what}")),
                "{err}"
            );
        }
    }
}

#[tokio::test]
async fn help_and_unknown_commands() {
    let out = cmd(&["--help"]).output().await.unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for c in ["serve", "demo", "chat", "dry-run"] {
        assert!(text.contains(c), "{text}");
    }
    let out = cmd(&["launch"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command `launch`"));
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gw-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

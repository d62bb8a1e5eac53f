//! `chat`: a terminal chat with streamed tokens, straight through the client (no server).
//!
//! With a prompt it answers once; without, it reads turns from stdin (one line each, keeping
//! the conversation; `/reset` clears it, `/exit` or end of input quits).

use std::io::{IsTerminal, Write};

use bedrock_types::ChatMessage;
use bedrock_types::chat::JsonObject;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::config::Config;
use crate::error::ApiError;
use crate::models::ModelTable;
use crate::request::{self, Kind};

/// A chat session's settings.
#[derive(Debug, Clone)]
pub struct ChatOptions {
    /// The model name (a config `model_name`, or `bedrock/...` without a config).
    pub model: String,
    /// A system prompt.
    pub system: Option<String>,
    /// Extra request params (`temperature`, `max_tokens`, provider params, …).
    pub params: JsonObject,
}

/// Send `messages` and write the answer to `out` as it streams; returns the answer text.
pub async fn turn(
    client: &bedrock::Client,
    config: &Config,
    models: &ModelTable,
    options: &ChatOptions,
    messages: &[ChatMessage],
    out: &mut (dyn Write + Send),
) -> Result<String, ApiError> {
    let mut body = options.params.clone();
    body.insert("model".to_owned(), Value::String(options.model.clone()));
    body.insert(
        "messages".to_owned(),
        serde_json::to_value(messages).unwrap_or(Value::Null),
    );
    body.insert("stream".to_owned(), Value::Bool(true));
    let (merged, _) = request::merge(body, "/v1/chat/completions", Kind::Chat, models, config)?;
    let req = request::chat_request(merged)?;
    let mut stream = client.completion_stream_boxed(req).await?;
    let mut answer = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        for choice in &chunk.choices {
            if let Some(text) = &choice.delta.content {
                answer.push_str(text);
                let _ = out.write_all(text.as_bytes());
                let _ = out.flush();
            }
            if let Some(calls) = &choice.delta.tool_calls {
                for c in calls {
                    if let Some(name) = &c.function.name {
                        let _ = write!(out, "\n[tool call: {name}] ");
                    }
                    let _ = out.write_all(c.function.arguments.as_bytes());
                }
            }
        }
    }
    let _ = writeln!(out);
    let _ = out.flush();
    Ok(answer)
}

/// Run a one-shot (`prompt` given) or interactive chat.
pub async fn run(
    client: &bedrock::Client,
    config: &Config,
    options: &ChatOptions,
    prompt: Option<String>,
) -> Result<(), ApiError> {
    let models = ModelTable::new(config);
    let mut history: Vec<ChatMessage> = Vec::new();
    if let Some(system) = &options.system {
        history.push(ChatMessage::system(system.clone()));
    }
    let mut stdout = std::io::stdout();
    if let Some(prompt) = prompt {
        history.push(ChatMessage::user(prompt));
        turn(client, config, &models, options, &history, &mut stdout).await?;
        return Ok(());
    }
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        crate::cli::note(&format!(
            "chatting with `{}` (type /exit to quit, /reset to start over)",
            options.model
        ));
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        if interactive {
            let mut err = std::io::stderr();
            let _ = write!(err, "> ");
            let _ = err.flush();
        }
        let Ok(Some(line)) = lines.next_line().await else {
            break;
        };
        let line = line.trim().to_owned();
        match line.as_str() {
            "" => continue,
            "/exit" | "/quit" => break,
            "/reset" => {
                history.retain(|m| matches!(m.role, bedrock_types::Role::System));
                continue;
            }
            _ => {}
        }
        history.push(ChatMessage::user(line));
        match turn(client, config, &models, options, &history, &mut stdout).await {
            Ok(answer) => history.push(ChatMessage::assistant(answer)),
            Err(e) => {
                history.pop();
                crate::cli::note(&format!("error: {}", e.message()));
                if !interactive {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

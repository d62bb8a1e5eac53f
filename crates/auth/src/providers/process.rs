//! `credential_process`: run a helper (e.g. IAM Roles Anywhere's `aws_signing_helper`) and read
//! its JSON.
//!
//! The command line is split like a POSIX shell would split it — quotes, backslash escapes, and
//! backslash-newline as a line continuation (so the multi-line form from the LiteLLM docs works)
//! — but no shell runs: no globbing, no variables, no pipes.

use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use bedrock_types::Secret;
use serde::Deserialize;

use crate::credentials::{Credentials, ProvideCredentials, parse_rfc3339};
use crate::error::AuthError;

/// Runs `credential_process` for a profile.
#[derive(Debug, Clone)]
pub struct ProcessProvider {
    profile: String,
    command: String,
    timeout: Duration,
}

impl ProcessProvider {
    /// A provider running `command` (the raw `credential_process` value) for `profile`.
    pub fn new(profile: impl Into<String>, command: impl Into<String>, timeout: Duration) -> Self {
        ProcessProvider {
            profile: profile.into(),
            command: command.into(),
            timeout,
        }
    }

    fn err(&self, message: impl Into<String>) -> AuthError {
        AuthError::Process {
            profile: self.profile.clone(),
            message: message.into(),
        }
    }
}

/// Split a command line into words (see the module docs).
pub fn shell_split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(n) => {
                    cur.push(n);
                    in_word = true;
                }
                None => return Err("trailing backslash".into()),
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => cur.push(n),
                            Some('\n') => {}
                            Some(n) => {
                                cur.push('\\');
                                cur.push(n);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(n) => cur.push(n),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: Option<serde_json::Value>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
    account_id: Option<String>,
}

#[async_trait]
impl ProvideCredentials for ProcessProvider {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        let words = shell_split(&self.command)
            .map_err(|e| self.err(format!("cannot parse the command line: {e}")))?;
        let (program, args) = words
            .split_first()
            .ok_or_else(|| self.err("the command is empty"))?;
        let child = tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.err(format!("cannot start `{program}`: {e}")))?;
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| {
                self.err(format!(
                    "`{program}` did not finish within {:?}",
                    self.timeout
                ))
            })?
            .map_err(|e| self.err(format!("waiting for `{program}` failed: {e}")))?;
        if !output.status.success() {
            // stderr is the helper's diagnostics; stdout may hold partial secrets, so never echo it.
            let stderr = super::snippet(&output.stderr, 2000);
            return Err(self.err(format!(
                "`{program}` exited with {}: {stderr}",
                output.status
            )));
        }
        let out: ProcessOutput = serde_json::from_slice(&output.stdout).map_err(|e| {
            // serde_json's message names a position and a category, never the content.
            self.err(format!(
                "output is not valid JSON (line {}, column {}: {:?})",
                e.line(),
                e.column(),
                e.classify()
            ))
        })?;
        match &out.version {
            Some(v) if v.as_i64() == Some(1) => {}
            Some(v) => {
                return Err(self.err(format!(
                    "unsupported output Version {v} (only Version 1 is supported)"
                )));
            }
            None => return Err(self.err("output has no `Version` (expected 1)")),
        }
        let key = out
            .access_key_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.err("output has no `AccessKeyId`"))?;
        let secret = out
            .secret_access_key
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.err("output has no `SecretAccessKey`"))?;
        let expiry =
            match out.expiration.as_deref() {
                Some(e) => Some(parse_rfc3339(e).ok_or_else(|| {
                    self.err(format!("`Expiration` {e:?} is not an RFC 3339 time"))
                })?),
                None => None,
            };
        Ok(
            Credentials::new(key, secret, out.session_token.map(Secret::from), expiry)
                .with_account_id(out.account_id),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            shell_split("a b  'c d' \"e \\\"f\\\"\" g\\ h").unwrap(),
            ["a", "b", "c d", "e \"f\"", "g h"]
        );
        assert_eq!(
            shell_split("helper credential-process \\\n--certificate /p/c.pem \\\n--role-arn arn:aws:iam::1:role/R").unwrap(),
            ["helper", "credential-process", "--certificate", "/p/c.pem", "--role-arn", "arn:aws:iam::1:role/R"]
        );
        assert_eq!(shell_split("x ''").unwrap(), ["x", ""]);
        assert!(shell_split("x 'open").is_err());
        assert!(shell_split("x \"open").is_err());
    }
}

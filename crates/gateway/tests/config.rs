#![allow(clippy::unwrap_used)] // Integration tests: a panic is the assertion.
//! Loading LiteLLM proxy configs: the seed docs' shapes, `os.environ/` references, wrong types
//! and malformed YAML (key and line named), unused LiteLLM settings (one warning each).

mod common;

use std::collections::HashMap;

use bedrock_gateway::config::{Config, ConfigError};
use serde_json::json;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn err(yaml: &str) -> ConfigError {
    Config::from_yaml_str(yaml, &env(&[])).unwrap_err()
}

#[test]
fn seed_docs_config_loads_with_env_references_agents_and_imported_models() {
    let vars = env(&[
        ("AWS_ACCESS_KEY_ID", "AKIDSEED"),
        ("AWS_SECRET_ACCESS_KEY", "seed-secret"),
        ("AWS_REGION_NAME", "us-east-2"),
    ]);
    let c = Config::from_yaml_str(common::SEED_CONFIG, &vars).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let first = &c.model_list[0];
    assert_eq!(first.model_name, "bedrock-claude-3-5-sonnet");
    assert_eq!(
        first.model,
        "bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0"
    );
    assert_eq!(first.aws.aws_access_key_id.as_deref(), Some("AKIDSEED"));
    assert_eq!(
        first.aws.aws_secret_access_key.as_ref().map(|s| s.expose()),
        Some("seed-secret")
    );
    assert_eq!(first.aws.aws_region_name.as_deref(), Some("us-east-2"));
    assert_eq!(first.line, Some(3));
    // Secrets never print.
    assert!(!format!("{c:?}").contains("seed-secret"));

    let by = |name: &str| c.model_list.iter().find(|d| d.model_name == name).unwrap();
    let agent = by("bedrock-agent-1");
    assert_eq!(agent.model, "bedrock/agent/L1RT58GYRW/MFPSBCXYTW");
    assert_eq!(agent.aws.aws_region_name.as_deref(), Some("us-west-2"));
    assert_eq!(agent.params["invocationId"], json!("my-test-invocation-id"));
    assert_eq!(
        by("DeepSeek-R1-Distill-Llama-70B").model,
        "bedrock/deepseek_r1/arn:aws:bedrock:us-east-1:086734376398:imported-model/r4c4kewx2s0n"
    );
    assert_eq!(
        by("bedrock-claude").params["user_continue_message"],
        json!({"role": "user", "content": "Please continue"})
    );
    assert_eq!(c.litellm_settings.modify_params, Some(true));
    assert_eq!(
        c.general_settings.master_key.as_ref().map(|k| k.expose()),
        Some("sk-1234")
    );
    assert_eq!(c.model_names().len(), c.model_list.len());
}

#[test]
fn bundled_example_configs_load() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let vars = env(&[
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_REGION_NAME", "us-west-2"),
        ("LITELLM_MASTER_KEY", "sk-1234"),
    ]);
    let c = Config::load_with_env(format!("{dir}/config.yaml"), &vars).unwrap();
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.model_list.len() >= 10);
    assert_eq!(c.litellm_settings.num_retries, Some(2));
    assert_eq!(c.litellm_settings.request_timeout, Some(600.0));
    let demo = Config::load_with_env(format!("{dir}/demo-config.yaml"), &vars).unwrap();
    assert!(demo.warnings.is_empty(), "{:?}", demo.warnings);
    assert!(demo.model_names().contains(&"claude-haiku"));
}

#[test]
fn unset_env_reference_leaves_the_key_unset_with_a_warning_naming_it() {
    let c = Config::from_yaml_str(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/a.b\n      aws_access_key_id: os.environ/NOT_SET_ANYWHERE\n",
        &env(&[]),
    )
    .unwrap();
    assert_eq!(c.model_list[0].aws.aws_access_key_id, None);
    assert_eq!(c.warnings.len(), 1);
    let w = &c.warnings[0];
    assert!(
        w.contains("os.environ/NOT_SET_ANYWHERE") && w.contains(":5"),
        "{w}"
    );
}

#[test]
fn environment_variables_section_feeds_env_references() {
    let c = Config::from_yaml_str(
        "environment_variables:\n  MY_REGION: eu-west-1\nmodel_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/a.b\n      aws_region_name: os.environ/MY_REGION\n",
        &env(&[]),
    )
    .unwrap();
    assert_eq!(
        c.model_list[0].aws.aws_region_name.as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(c.environment_variables["MY_REGION"], "eu-west-1");
}

#[test]
fn wrong_types_name_the_key_and_line() {
    let e = err(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/x.y\n      temperature: hot\n",
    );
    assert_eq!(
        e.key.as_deref(),
        Some("model_list[0].litellm_params.temperature")
    );
    assert_eq!(e.line, Some(5));
    let text = e.to_string();
    assert!(
        text.contains("<config>:5") && text.contains("expected a number"),
        "{text}"
    );

    let e = err(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/x.y\n      max_tokens: -3\n",
    );
    assert_eq!(
        e.key.as_deref(),
        Some("model_list[0].litellm_params.max_tokens")
    );
    assert_eq!(e.line, Some(5));

    let e = err("litellm_settings:\n  drop_params: yes please\n");
    assert_eq!(e.key.as_deref(), Some("litellm_settings.drop_params"));
    assert_eq!(e.line, Some(2));

    let e = err("general_settings:\n  master_key: [a, b]\n");
    assert_eq!(e.key.as_deref(), Some("general_settings.master_key"));
    assert_eq!(e.line, Some(2));

    let e = err("model_list: 5\n");
    assert_eq!(e.key.as_deref(), Some("model_list"));
    assert_eq!(e.line, Some(1));

    let e = err(
        "model_list:\n  - model_name: a\n    litellm_params:\n      aws_region_name: us-east-1\n",
    );
    assert_eq!(e.key.as_deref(), Some("model_list[0].litellm_params"));
    assert!(e.message.contains("missing field `model`"), "{e}");
    assert_eq!(e.line, Some(4));

    let e = err("model_list:\n  - litellm_params:\n      model: bedrock/a.b\n");
    assert!(e.message.contains("missing field `model_name`"), "{e}");
}

#[test]
fn malformed_yaml_names_the_line() {
    let e = err(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/x.y\n  bad indent: [\n",
    );
    assert_eq!(e.line, Some(5), "{e}");
    let e = err("model_list:\n  - model_name: \"unterminated\n");
    assert!(e.line.is_some(), "{e}");
}

#[test]
fn invalid_bedrock_model_strings_are_errors_with_their_line() {
    let e = err(
        "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/agent/only-one-id\n",
    );
    assert_eq!(e.key.as_deref(), Some("model_list[0].litellm_params.model"));
    assert_eq!(e.line, Some(4), "{e}");
}

#[test]
fn unused_litellm_settings_are_accepted_with_one_warning_each() {
    let yaml = r#"
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
      rpm: 100
    model_info:
      id: my-id
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
litellm_settings:
  drop_params: true
  callbacks: ["langfuse"]
  success_callback: ["prometheus"]
  cache: true
general_settings:
  master_key: sk-1234
  database_url: postgresql://x
  store_model_in_db: true
router_settings:
  routing_strategy: usage-based-routing-v2
  redis_host: localhost
  num_retries: 3
guardrails:
  - guardrail_name: g
"#;
    let c = Config::from_yaml_str(yaml, &env(&[])).unwrap();
    let w = c.warnings.join("\n");
    for name in [
        "litellm_settings.callbacks",
        "litellm_settings.success_callback",
        "litellm_settings.cache",
        "general_settings.database_url",
        "general_settings.store_model_in_db",
        "router_settings.routing_strategy",
        "router_settings.redis_host",
        "`guardrails`",
        "model_list[0].litellm_params.rpm",
        "`gpt-4o`",
    ] {
        assert_eq!(
            c.warnings.iter().filter(|l| l.contains(name)).count(),
            1,
            "one warning naming {name}:\n{w}"
        );
    }
    assert_eq!(c.warnings.len(), 10, "{w}");
    // Each warning carries its line.
    assert!(
        w.contains("<config>:15: `litellm_settings.callbacks`"),
        "{w}"
    );
    // The Bedrock model is kept, the OpenAI one skipped; used settings are read.
    assert_eq!(c.model_names(), ["claude"]);
    assert_eq!(c.litellm_settings.drop_params, Some(true));
    assert_eq!(c.litellm_settings.num_retries, Some(3));
}

#[test]
fn params_keep_file_order_and_types() {
    let c = Config::from_yaml_str(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: bedrock/converse/us.amazon.nova-pro-v1:0\n      top_k: 5\n      temperature: 0.2\n      guardrailConfig: {guardrailIdentifier: gr-1, guardrailVersion: DRAFT}\n      max_tokens: 100\n      timeout: 30\n      stream_timeout: 5\n      model_id: arn:aws:bedrock:us-east-1:1:application-inference-profile/x\n",
        &env(&[]),
    )
    .unwrap();
    let d = &c.model_list[0];
    let keys: Vec<&str> = d.params.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "top_k",
            "temperature",
            "guardrailConfig",
            "max_tokens",
            "timeout",
            "model_id"
        ]
    );
    assert_eq!(
        d.params["guardrailConfig"]["guardrailVersion"],
        json!("DRAFT")
    );
    assert_eq!(d.stream_timeout, Some(5.0));
}

#[test]
fn empty_file_is_a_config_without_models() {
    let c = Config::from_yaml_str("", &env(&[])).unwrap();
    assert!(c.model_list.is_empty());
    let c = Config::from_yaml_str("# only a comment\n", &env(&[])).unwrap();
    assert!(c.model_list.is_empty());
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = Config::load_with_env("/nonexistent/config.yaml", &env(&[])).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/config.yaml"), "{e}");
    assert!(e.message.contains("cannot read"), "{e}");
}

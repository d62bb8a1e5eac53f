//! Data-driven credential scenarios (aws-config's test-data layout): each folder under
//! `tests/scenarios/` has `env.json`, `fs/home/.aws/…`, optional scripts, and `test-case.json`.
//!
//! Placeholders in env.json and the `.aws` files: `{scenario}` (the folder), `{sts}`, `{imds}`,
//! `{ecs}` (the testkit fakes started for the scenario).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use bedrock_auth::{CredentialChain, Env, ManualClock, ProvideCredentials, ProviderConfig};
use bedrock_testkit::credentials::{FakeContainer, FakeImds, FakeSts};
use bedrock_types::AwsParams;
use serde_json::Value;

fn fmt_time(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap()
}

fn copy_tree(from: &Path, to: &Path, subst: &dyn Fn(&str) -> String) {
    std::fs::create_dir_all(to).unwrap();
    // Git keeps no empty directories: a scenario without files under `fs/` means an empty home.
    if !from.exists() {
        return;
    }
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, subst);
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(target, subst(&text)).unwrap();
        }
    }
}

async fn run(dir: &Path) -> Result<(), String> {
    let sts = FakeSts::start().await.unwrap();
    let imds = FakeImds::start().await.unwrap();
    let ecs = FakeContainer::start(Some("ecs-secret-token"))
        .await
        .unwrap();
    let scenario_dir = dir.display().to_string();
    let subst = |s: &str| {
        s.replace("{scenario}", &scenario_dir)
            .replace("{sts}", &sts.url())
            .replace("{imds}", &imds.url())
            .replace("{ecs}", &ecs.full_uri())
    };
    let env_json: HashMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("env.json")).unwrap()).unwrap();
    let mut env: HashMap<String, String> =
        env_json.into_iter().map(|(k, v)| (k, subst(&v))).collect();
    let home = common::TempDir::new("scenario");
    copy_tree(&dir.join("fs/home"), home.path(), &subst);
    env.insert("HOME".into(), home.path().display().to_string());
    // Never reach a real metadata service.
    env.entry("AWS_EC2_METADATA_SERVICE_ENDPOINT".into())
        .or_insert_with(|| "http://127.0.0.1:9".into());

    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("test-case.json")).unwrap())
            .unwrap();
    let params: AwsParams = serde_json::from_value(
        case.get("params")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    )
    .unwrap();
    let region = case
        .get("region")
        .and_then(Value::as_str)
        .unwrap_or("us-east-1");
    let cfg = ProviderConfig::new(Env::from_map(env), common::http())
        .with_clock(ManualClock::new(common::jan_1_2024()))
        .with_process_timeout(std::time::Duration::from_secs(10));

    let result = match CredentialChain::for_params(&params, region, &cfg) {
        Ok(chain) => chain.provide_credentials().await,
        Err(e) => Err(e),
    };

    match (
        case.get("expect"),
        case.get("error").and_then(Value::as_str),
        result,
    ) {
        (Some(expect), None, Ok(c)) => {
            let actual = serde_json::json!({
                "access_key_id": c.access_key_id(),
                "secret_access_key": c.secret_access_key().expose(),
                "session_token": c.session_token().map(|t| t.expose().to_owned()),
                "expiry": c.expiry().map(fmt_time),
                "account_id": c.account_id(),
            });
            if &actual != expect {
                return Err(format!("expected {expect}\n   got {actual}"));
            }
        }
        (None, Some(want), Err(e)) => {
            let msg = e.to_string();
            if !msg.contains(want) {
                return Err(format!("error {msg:?} does not contain {want:?}"));
            }
            for bad in case
                .get("not_in_error")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let bad = bad.as_str().unwrap();
                if msg.contains(bad) || format!("{e:?}").contains(bad) {
                    return Err(format!("error {msg:?} leaks {bad:?}"));
                }
            }
        }
        (_, _, Ok(c)) => return Err(format!("expected an error, got {c:?}")),
        (_, _, Err(e)) => return Err(format!("unexpected error: {e}")),
    }

    if let Some(expected) = case.get("sts_requests").and_then(Value::as_array) {
        let got = sts.requests();
        if got.len() != expected.len() {
            return Err(format!(
                "expected {} STS requests, got {}: {:?}",
                expected.len(),
                got.len(),
                got.iter().map(|r| r.form()).collect::<Vec<_>>()
            ));
        }
        for (i, (want, req)) in expected.iter().zip(&got).enumerate() {
            let form = req.form();
            for (k, v) in want.as_object().unwrap() {
                if k == "_signed_with" {
                    let auth = req.header("authorization");
                    match v.as_str() {
                        None if auth.is_some() => {
                            return Err(format!("STS request {i} should be unsigned"));
                        }
                        None => {}
                        Some(akid) => {
                            let needle =
                                format!("Credential={akid}/20240101/us-east-1/sts/aws4_request");
                            if !auth.is_some_and(|a| a.contains(&needle)) {
                                return Err(format!(
                                    "STS request {i}: authorization {auth:?} lacks {needle}"
                                ));
                            }
                        }
                    }
                } else if form.get(k).map(String::as_str) != v.as_str() {
                    return Err(format!(
                        "STS request {i}: {k} = {:?}, expected {v}",
                        form.get(k)
                    ));
                }
            }
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 30,
        "expected the scenario folders, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(msg) = run(dir).await {
            failures.push(format!(
                "{}: {msg}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

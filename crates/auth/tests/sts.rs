//! STS: AssumeRole / AssumeRoleWithWebIdentity against moto's real server and against the
//! recording fake; the single-flight rule under 500 concurrent requests.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use bedrock_auth::{
    AuthContext, AuthMethod, Authorize, CredentialChain, ManualClock, ProvideCredentials,
    SigV4Authorizer,
};
use bedrock_testkit::credentials::FakeSts;
use bedrock_types::{AwsParams, AwsTag, ErrorKind, Secret};
use bytes::Bytes;

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn role_params(sts_url: &str) -> AwsParams {
    AwsParams {
        aws_access_key_id: Some(AK.into()),
        aws_secret_access_key: Some(Secret::new(SK)),
        aws_role_name: Some("arn:aws:iam::123456789012:role/BedrockUser".into()),
        aws_session_name: Some("moto-session".into()),
        aws_external_id: Some("ext-1".into()),
        aws_sts_endpoint: Some(sts_url.into()),
        aws_session_tags: Some(vec![AwsTag {
            key: "team".into(),
            value: "ml".into(),
        }]),
        ..AwsParams::default()
    }
}

#[tokio::test]
async fn assume_role_and_web_identity_against_moto() {
    let moto = common::Moto::start().await;
    let clock = ManualClock::new(std::time::SystemTime::now());
    let cfg = common::config(&[], &clock);

    let creds = CredentialChain::for_params(&role_params(&moto.url), "us-east-1", &cfg)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"), "{creds:?}");
    assert!(creds.session_token().is_some_and(|t| !t.is_empty()));
    let expiry = creds.expiry().expect("moto returns an Expiration");
    assert!(
        expiry > std::time::SystemTime::now() + Duration::from_secs(30 * 60),
        "DurationSeconds=3600 → about an hour"
    );
    assert_eq!(creds.account_id(), Some("123456789012"));

    let params = AwsParams {
        aws_web_identity_token: Some(Secret::new("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln")),
        aws_role_name: Some("arn:aws:iam::123456789012:role/WebRole".into()),
        aws_session_name: Some("web-session".into()),
        aws_sts_endpoint: Some(moto.url.clone()),
        ..AwsParams::default()
    };
    let creds = CredentialChain::for_params(&params, "us-east-1", &cfg)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"), "{creds:?}");
    assert!(creds.expiry().is_some());
}

#[tokio::test]
async fn assume_role_sends_session_name_external_id_and_signs_for_sts() {
    let sts = FakeSts::start().await.unwrap();
    let clock = ManualClock::new(common::jan_1_2024());
    let cfg = common::config(&[], &clock);
    let creds = CredentialChain::for_params(&role_params(&sts.url()), "eu-west-1", &cfg)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.access_key_id(), "ASIAFAKESTS0001");
    let reqs = sts.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    let form = r.form();
    for (k, v) in [
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", "arn:aws:iam::123456789012:role/BedrockUser"),
        ("RoleSessionName", "moto-session"),
        ("ExternalId", "ext-1"),
        ("DurationSeconds", "3600"),
        ("Tags.member.1.Key", "team"),
        ("Tags.member.1.Value", "ml"),
    ] {
        assert_eq!(form.get(k).map(String::as_str), Some(v), "{k}");
    }
    // A loopback endpoint carries no region: the call's region signs it.
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sts/aws4_request"
        ),
        "{auth}"
    );
}

#[tokio::test]
async fn sts_errors_are_typed_and_never_echo_secrets() {
    let sts = FakeSts::start().await.unwrap();
    sts.fail_with(Some((
        403,
        "AccessDenied",
        "User is not authorized to perform: sts:AssumeRole",
    )));
    let clock = ManualClock::new(common::jan_1_2024());
    let cfg = common::config(&[], &clock);
    let err = CredentialChain::for_params(&role_params(&sts.url()), "us-east-1", &cfg)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert_eq!(
        msg,
        "STS AssumeRole failed (403 AccessDenied): User is not authorized to perform: sts:AssumeRole"
    );
    assert!(!msg.contains(SK) && !format!("{err:?}").contains(SK));
    let e: bedrock_types::Error = err.into();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(!e.is_retryable());
}

/// 500 concurrent requests with no (then expired) credentials cause exactly one STS call each
/// time, against a fake STS that takes 300 ms to answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_requests_one_sts_call() {
    let sts = FakeSts::start().await.unwrap();
    sts.set_delay(Duration::from_millis(300));
    sts.set_expiration("2024-01-01T01:00:00Z");
    let clock = ManualClock::new(common::jan_1_2024());
    let auth = Arc::new(SigV4Authorizer::new(common::config(&[], &clock)));
    let params = Arc::new(role_params(&sts.url()));

    let burst = |auth: Arc<SigV4Authorizer>, params: Arc<AwsParams>| async move {
        let tasks: Vec<_> = (0..500)
            .map(|_| {
                let (auth, params) = (auth.clone(), params.clone());
                tokio::spawn(async move {
                    let mut req = http::Request::post(
                        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
                    )
                    .header("content-type", "application/json")
                    .body(Bytes::from_static(b"{}"))
                    .unwrap();
                    let ctx = AuthContext {
                        params: &params,
                        region: "us-east-1",
                        service: "bedrock",
                    };
                    let m = auth.authorize(&mut req, &ctx).await.unwrap();
                    assert_eq!(m, AuthMethod::SigV4);
                    req.headers()["authorization"].to_str().unwrap().to_owned()
                })
            })
            .collect();
        let mut sigs = Vec::new();
        for t in tasks {
            sigs.push(t.await.unwrap());
        }
        sigs
    };

    let first = burst(auth.clone(), params.clone()).await;
    assert_eq!(sts.calls(), 1);
    assert!(
        first
            .iter()
            .all(|a| a.contains("Credential=ASIAFAKESTS0001/"))
    );

    // 56 minutes later the credentials are inside the 5-minute refresh margin.
    clock.advance(Duration::from_secs(56 * 60));
    let second = burst(auth.clone(), params.clone()).await;
    assert_eq!(sts.calls(), 2);
    assert!(
        second
            .iter()
            .all(|a| a.contains("Credential=ASIAFAKESTS0002/"))
    );

    // Different params never share credentials.
    let mut other = (*params).clone();
    other.aws_session_name = Some("other-session".into());
    burst(auth.clone(), Arc::new(other)).await;
    assert_eq!(sts.calls(), 3);
}

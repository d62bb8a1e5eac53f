//! SSO portal, container endpoint and IMDSv2 against the testkit fakes; the negative cache.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bedrock_auth::providers::container::ContainerProvider;
use bedrock_auth::providers::imds::ImdsProvider;
use bedrock_auth::providers::sso::cache_file_name;
use bedrock_auth::{
    AuthError, CachingProvider, CredentialChain, Credentials, ManualClock, ProvideCredentials,
};
use bedrock_testkit::credentials::{FakeContainer, FakeImds, FakeSsoPortal};
use bedrock_types::AwsParams;

fn sso_home(token_expires: &str) -> common::TempDir {
    let home = common::TempDir::new("sso");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile sso-user]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = BedrockUser\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("sso/cache").join(cache_file_name("corp")),
        format!(r#"{{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"sso-access-token","expiresAt":"{token_expires}"}}"#),
    )
    .unwrap();
    home
}

#[test]
fn sso_cache_file_name_is_sha1_of_the_key() {
    // The names `aws sso login` writes: sha1 of the sso-session name, or of the legacy start URL.
    assert_eq!(
        cache_file_name("corp"),
        "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
    );
    assert_eq!(
        cache_file_name("https://corp.awsapps.com/start"),
        "a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json"
    );
}

#[tokio::test]
async fn sso_portal_get_role_credentials() {
    let portal = FakeSsoPortal::start("sso-access-token", 1_704_070_800_000)
        .await
        .unwrap();
    let home = sso_home("2024-01-01T08:00:00Z");
    let clock = ManualClock::new(common::jan_1_2024());
    let home_s = home.path().display().to_string();
    let cfg = common::config(
        &[("HOME", &home_s), ("AWS_ENDPOINT_URL_SSO", &portal.url())],
        &clock,
    );
    let params = AwsParams {
        aws_profile_name: Some("sso-user".into()),
        ..Default::default()
    };
    let chain = CredentialChain::for_params(&params, "us-east-1", &cfg).unwrap();

    let c = chain.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAFAKESSO");
    assert_eq!(c.session_token().unwrap().expose(), "fake-sso-token");
    assert_eq!(c.account_id(), Some("123456789012"));
    // expiration is epoch milliseconds: 1704070800000 = 2024-01-01T01:00:00Z.
    assert_eq!(
        c.expiry(),
        Some(common::jan_1_2024() + Duration::from_secs(3600))
    );
    let req = &portal.requests()[0];
    assert_eq!(
        req.path_and_query,
        "/federation/credentials?role_name=BedrockUser&account_id=123456789012"
    );
    assert_eq!(
        req.header("x-amz-sso_bearer_token"),
        Some("sso-access-token")
    );

    // The portal refusing the token (revoked/expired session) → "run aws sso login".
    portal.set_unauthorized(true);
    let e = chain.provide_credentials().await.unwrap_err();
    assert!(matches!(e, AuthError::SsoTokenExpired { .. }));
    assert!(
        e.to_string()
            .contains("run `aws sso login --profile sso-user` (the SSO portal answered 401"),
        "{e}"
    );
    assert!(!e.to_string().contains("sso-access-token"));

    // A token expired per the cache file never reaches the portal.
    let before = portal.requests().len();
    clock.advance(Duration::from_secs(9 * 3600));
    let e = chain.provide_credentials().await.unwrap_err();
    assert!(
        e.to_string()
            .contains("cached token expired at 2024-01-01T08:00:00Z"),
        "{e}"
    );
    assert_eq!(portal.requests().len(), before);
}

#[tokio::test]
async fn container_credentials_check_the_authorization_token() {
    let ecs = FakeContainer::start(Some("ecs-token")).await.unwrap();
    let clock = ManualClock::new(common::jan_1_2024());
    let uri = ecs.full_uri();
    let ok = common::config(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-token"),
        ],
        &clock,
    );
    let c = ContainerProvider::new(ok)
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.account_id()),
        ("ASIAFAKEECS", Some("123456789012"))
    );
    assert_eq!(ecs.requests()[0].header("authorization"), Some("ecs-token"));

    let bad = common::config(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "nope"),
        ],
        &clock,
    );
    let e = ContainerProvider::new(bad)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");

    let crlf = common::config(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nb"),
        ],
        &clock,
    );
    assert!(
        ContainerProvider::new(crlf)
            .provide_credentials()
            .await
            .unwrap_err()
            .to_string()
            .contains("CR or LF")
    );

    // Plain http to a non-loopback, non-ECS host is refused before any I/O.
    let remote = common::config(
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds",
        )],
        &clock,
    );
    assert!(
        ContainerProvider::new(remote)
            .provide_credentials()
            .await
            .unwrap_err()
            .to_string()
            .contains("not allowed")
    );

    let none = common::config(&[], &clock);
    assert!(
        ContainerProvider::new(none)
            .provide_credentials()
            .await
            .unwrap_err()
            .is_not_loaded()
    );
}

#[tokio::test]
async fn imds_v2_token_flow_and_401_refetch() {
    let imds = FakeImds::start().await.unwrap();
    let clock = ManualClock::new(common::jan_1_2024());
    let url = imds.url();
    let provider = ImdsProvider::new(common::config(
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)],
        &clock,
    ));
    let c = provider.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAFAKEIMDS");
    let reqs = imds.requests();
    assert_eq!(
        reqs.iter()
            .map(|r| (r.method.as_str(), r.path()))
            .collect::<Vec<_>>(),
        vec![
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/fake-instance-role"
            ),
        ]
    );
    assert_eq!(
        reqs[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(
        reqs[1].header("x-aws-ec2-metadata-token"),
        Some("imds-token-1")
    );

    // The token expires between the role list and the credentials: one re-fetch, then success.
    imds.expire_token_mid_flow(1);
    let before = imds.requests().len();
    assert_eq!(
        provider
            .provide_credentials()
            .await
            .unwrap()
            .access_key_id(),
        "ASIAFAKEIMDS"
    );
    let puts = imds.requests()[before..]
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 2, "a 401 must trigger exactly one new token");
    // Twice in a row: a clear error rather than a loop.
    imds.expire_token_mid_flow(2);
    assert!(
        provider
            .provide_credentials()
            .await
            .unwrap_err()
            .to_string()
            .contains("401")
    );

    let disabled = ImdsProvider::new(common::config(
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
        ],
        &clock,
    ));
    assert!(
        disabled
            .provide_credentials()
            .await
            .unwrap_err()
            .is_not_loaded()
    );
}

/// A provider that fails slowly and counts its calls (a missing IMDS off-EC2).
#[derive(Debug, Default)]
struct SlowFailure(AtomicUsize);

#[async_trait]
impl ProvideCredentials for SlowFailure {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        Err(AuthError::NoCredentials {
            tried: vec!["imds: timed out".into()],
        })
    }
}

#[tokio::test]
async fn failures_are_remembered_for_30_seconds() {
    let inner = Arc::new(SlowFailure::default());
    let clock = ManualClock::new(common::jan_1_2024());
    let cached = CachingProvider::new(inner.clone(), Arc::new(clock.clone()));
    assert!(cached.provide_credentials().await.is_err());
    let start = Instant::now();
    for _ in 0..20 {
        assert!(cached.provide_credentials().await.is_err());
    }
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "cached failures must be instant"
    );
    assert_eq!(inner.0.load(Ordering::SeqCst), 1);
    clock.advance(Duration::from_secs(31));
    assert!(cached.provide_credentials().await.is_err());
    assert_eq!(inner.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn ambient_chain_off_ec2_fails_fast() {
    // IMDS points at a closed loopback port; the chain reports every source it tried.
    let clock = ManualClock::new(common::jan_1_2024());
    let cfg = common::config(&[], &clock);
    let start = Instant::now();
    let e = CredentialChain::ambient(&cfg, "us-east-1")
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(3));
    let msg = e.to_string();
    for p in [
        "environment:",
        "profile:",
        "web_identity_env:",
        "container:",
        "imds:",
    ] {
        assert!(msg.contains(p), "{msg}");
    }
}

//! The authorizer seam: bearer keys skip credential resolution, caller Authorization wins,
//! redaction, and the region resolver.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use bedrock_auth::{
    AuthContext, AuthError, AuthMethod, Authorize, Credentials, ManualClock, ProvideCredentials,
    RegionSource, SigV4Authorizer, resolve_region,
};
use bedrock_types::{AwsParams, ErrorKind, Secret};
use bytes::Bytes;

/// Counts calls and always fails: proves a path never resolves credentials.
#[derive(Debug, Default)]
struct Tripwire(AtomicUsize);

#[async_trait]
impl ProvideCredentials for Tripwire {
    async fn provide_credentials(&self) -> Result<Credentials, AuthError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(AuthError::NoCredentials {
            tried: vec!["tripwire".into()],
        })
    }
}

fn request() -> http::Request<Bytes> {
    http::Request::post("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse")
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

#[tokio::test]
async fn bearer_key_skips_all_credential_resolution() {
    let clock = ManualClock::new(common::jan_1_2024());
    let trip = Arc::new(Tripwire::default());
    let auth: Arc<dyn Authorize> = Arc::new(SigV4Authorizer::with_provider(
        common::config(&[], &clock),
        trip.clone(),
    ));

    // api_key parameter.
    let params = AwsParams {
        api_key: Some(Secret::new("ABSKexamplekey")),
        aws_role_name: Some("arn:aws:iam::1:role/R".into()),
        ..Default::default()
    };
    let mut req = request();
    req.headers_mut()
        .insert("x-amz-security-token", "stale".parse().unwrap());
    let m = auth
        .authorize(
            &mut req,
            &AuthContext {
                params: &params,
                region: "us-east-1",
                service: "bedrock",
            },
        )
        .await
        .unwrap();
    assert_eq!(m, AuthMethod::Bearer);
    assert_eq!(req.headers()["authorization"], "Bearer ABSKexamplekey");
    assert!(
        !req.headers().contains_key("x-amz-date")
            && !req.headers().contains_key("x-amz-security-token")
    );

    // AWS_BEARER_TOKEN_BEDROCK from the environment.
    let auth = SigV4Authorizer::with_provider(
        common::config(
            &[("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-xyz")],
            &clock,
        ),
        trip.clone(),
    );
    let mut req = request();
    let none = AwsParams::default();
    let m = auth
        .authorize(
            &mut req,
            &AuthContext {
                params: &none,
                region: "us-east-1",
                service: "bedrock",
            },
        )
        .await
        .unwrap();
    assert_eq!(m, AuthMethod::Bearer);
    assert_eq!(req.headers()["authorization"], "Bearer bedrock-api-key-xyz");
    assert_eq!(
        trip.0.load(Ordering::SeqCst),
        0,
        "the bearer path must not resolve credentials"
    );

    // Without a key the provider is used (and its failure surfaces as an auth error).
    let auth = SigV4Authorizer::with_provider(common::config(&[], &clock), trip.clone());
    let e = auth
        .authorize(
            &mut request(),
            &AuthContext {
                params: &none,
                region: "us-east-1",
                service: "bedrock",
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(trip.0.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn caller_authorization_replaces_sigv4_but_stale_sigv4_is_recomputed() {
    let clock = ManualClock::new(common::jan_1_2024());
    let trip = Arc::new(Tripwire::default());
    let auth = SigV4Authorizer::with_provider(common::config(&[], &clock), trip.clone());
    let params = AwsParams::default();
    let ctx = AuthContext {
        params: &params,
        region: "us-east-1",
        service: "bedrock",
    };
    let mut req = request();
    req.headers_mut()
        .insert("authorization", "Bearer gateway-token".parse().unwrap());
    assert_eq!(
        auth.authorize(&mut req, &ctx).await.unwrap(),
        AuthMethod::CallerAuthorization
    );
    assert_eq!(req.headers()["authorization"], "Bearer gateway-token");
    assert_eq!(trip.0.load(Ordering::SeqCst), 0);

    let keys = SigV4Authorizer::with_provider(
        common::config(&[], &clock),
        bedrock_auth::providers::static_keys::StaticProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
        )),
    );
    let mut req = request();
    req.headers_mut().insert(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=OLD".parse().unwrap(),
    );
    req.headers_mut()
        .insert("anthropic-beta", "context-1m-2025-08-07".parse().unwrap());
    assert_eq!(
        keys.authorize(&mut req, &ctx).await.unwrap(),
        AuthMethod::SigV4
    );
    let a = req.headers()["authorization"].to_str().unwrap();
    assert!(a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, "), "{a}");
    assert_eq!(req.headers()["anthropic-beta"], "context-1m-2025-08-07");
}

#[test]
fn credentials_debug_is_redacted_exactly() {
    let c = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(Secret::new("SESSIONTOKENEXAMPLE")),
        None,
    );
    assert_eq!(
        format!("{c:?}"),
        "Credentials { access_key_id: \"AKIDEXAMPLE\", secret_access_key: ** redacted **, session_token: Some(** redacted **), expiry: None, account_id: None }"
    );
    let c = Credentials::new("ASIAX", "s", None, Some(common::jan_1_2024()))
        .with_account_id(Some("123456789012".into()));
    assert_eq!(
        format!("{c:?}"),
        "Credentials { access_key_id: \"ASIAX\", secret_access_key: ** redacted **, session_token: None, expiry: Some(2024-01-01T00:00:00Z), account_id: Some(\"123456789012\") }"
    );
}

#[test]
fn region_resolution_order_and_validation() {
    let clock = ManualClock::new(common::jan_1_2024());
    let arn =
        "arn:aws:bedrock:eu-central-1:000000000000:application-inference-profile/a0a0a0a0a0a0";
    let model_arn = "arn:aws:bedrock:ap-south-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0";
    let home = common::TempDir::new("region");
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), "[default]\nregion = ca-central-1\n[profile dev]\nregion = eu-north-1\n[profile bad]\nregion = US_EAST_1\n").unwrap();
    let h = home.path().display().to_string();
    let all = [
        ("HOME", h.as_str()),
        ("AWS_REGION_NAME", "eu-west-3"),
        ("AWS_REGION", "eu-west-2"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
    ];
    let resolve =
        |params: &AwsParams, model_id: Option<&str>, model: Option<&str>, vars: &[(&str, &str)]| {
            resolve_region(params, model_id, model, &common::config(vars, &clock))
        };
    let p = AwsParams {
        aws_region_name: Some("us-east-1".into()),
        ..Default::default()
    };
    assert_eq!(
        resolve(&p, Some(arn), Some(model_arn), &all)
            .unwrap()
            .source,
        RegionSource::Param
    );
    let none = AwsParams::default();
    let r = resolve(&none, Some(arn), Some(model_arn), &all).unwrap();
    assert_eq!(
        (r.region.as_str(), r.source),
        ("eu-central-1", RegionSource::ModelIdArn)
    );
    let r = resolve(
        &none,
        Some("plain-id"),
        Some(&format!("converse/{model_arn}")),
        &all,
    )
    .unwrap();
    assert_eq!(
        (r.region.as_str(), r.source),
        ("ap-south-1", RegionSource::ModelArn)
    );
    assert_eq!(
        resolve(&none, None, Some("anthropic.claude-3"), &all)
            .unwrap()
            .region,
        "eu-west-3"
    );
    assert_eq!(
        resolve(
            &none,
            None,
            None,
            &all[..1]
                .iter()
                .chain(&all[2..])
                .copied()
                .collect::<Vec<_>>()
        )
        .unwrap()
        .region,
        "eu-west-2"
    );
    assert_eq!(
        resolve(&none, None, None, &[all[0], all[3]])
            .unwrap()
            .region,
        "eu-west-1"
    );
    let r = resolve(&none, None, None, &[all[0]]).unwrap();
    assert_eq!(
        (r.region.as_str(), r.source),
        ("ca-central-1", RegionSource::Profile("default".into()))
    );
    assert_eq!(
        resolve(&none, None, None, &[all[0], ("AWS_PROFILE", "dev")])
            .unwrap()
            .region,
        "eu-north-1"
    );
    let named = AwsParams {
        aws_profile_name: Some("dev".into()),
        ..Default::default()
    };
    assert_eq!(
        resolve(&named, None, None, &[all[0], ("AWS_PROFILE", "bad")])
            .unwrap()
            .region,
        "eu-north-1"
    );
    let r = resolve(&none, None, None, &[]).unwrap();
    assert_eq!(
        (r.region.as_str(), r.source),
        ("us-west-2", RegionSource::Default)
    );

    // Invalid values are errors naming their source, never silently skipped.
    let bad = AwsParams {
        aws_region_name: Some("us-east-1/../x".into()),
        ..Default::default()
    };
    let e = resolve(&bad, None, None, &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid `aws_region_name`: region \"us-east-1/../x\" does not match ^[a-z0-9-]+$"
    );
    let e: bedrock_types::Error = e.into();
    assert_eq!(
        (e.kind(), e.param()),
        (ErrorKind::BadRequest, Some("aws_region_name"))
    );
    assert!(
        resolve(&none, None, None, &[("AWS_REGION", "US-EAST-1")])
            .unwrap_err()
            .to_string()
            .contains("`AWS_REGION`")
    );
    assert!(
        resolve(&none, None, None, &[all[0], ("AWS_PROFILE", "bad")])
            .unwrap_err()
            .to_string()
            .contains("region of profile `bad`")
    );
    assert!(
        resolve(&none, Some("arn:aws:bedrock:EU:1:x/y"), None, &[])
            .unwrap_err()
            .to_string()
            .contains("`model_id`")
    );
}

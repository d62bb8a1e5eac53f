//! The one endpoint resolver: bedrock-runtime, bedrock-agent-runtime and STS base URLs.
//!
//! Runtime precedence: `api_base` → `aws_bedrock_runtime_endpoint` → `AWS_BEDROCK_RUNTIME_ENDPOINT`
//! → `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` → `AWS_ENDPOINT_URL` → the standard host.
//!
//! **Decision on LiteLLM's quirk:** LiteLLM documents `api_base` as the first choice, but the URL
//! it actually posts to prefers `aws_bedrock_runtime_endpoint` (or its env var) when both are
//! set. We follow the documented order — `api_base` wins — because `api_base` is the explicit
//! per-deployment override and the quirk lets an ambient env var silently redirect traffic.
//! Setting both with different values is the only case that behaves differently.

use bedrock_types::AwsParams;

use crate::env::Env;
use crate::error::AuthError;

/// A parsed base URL: scheme, `host[:port]`, and a base path without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    authority: String,
    host: String,
    base_path: String,
    source: &'static str,
}

impl Endpoint {
    /// Parse an absolute `http`/`https` URL without query or fragment; `param` names the
    /// parameter or variable it came from (for the error and for [`Endpoint::source`]).
    pub fn parse(url: &str, param: &'static str) -> Result<Self, AuthError> {
        let bad = |m: &str| AuthError::invalid_param(param, format!("{m} (got {url:?})"));
        let url = url.trim();
        let uri: http::Uri = url.parse().map_err(|_| bad("not a valid URL"))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(_) => return Err(bad("scheme must be http or https")),
            None => return Err(bad("missing scheme (expected https://host)")),
        };
        let authority = uri
            .authority()
            .filter(|a| !a.host().is_empty())
            .ok_or_else(|| bad("missing host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("user info is not allowed"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("query and fragment are not allowed"));
        }
        let base_path = uri.path().trim_end_matches('/').to_owned();
        Ok(Endpoint {
            scheme: scheme.to_owned(),
            authority: authority.as_str().to_ascii_lowercase(),
            host: authority.host().to_ascii_lowercase(),
            base_path,
            source: param,
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// `host[:port]`, as the `Host` header carries it.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The host without the port.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The base path (`""` or `/prefix`, never a trailing `/`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Where the endpoint came from (`api_base`, `AWS_ENDPOINT_URL`, `default`, …).
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The full URL for `path` (which starts with `/` and is already percent-encoded).
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.base_path, path
        )
    }
}

/// The partition DNS suffix for `region` (bedrock-wire §1.1).
pub fn dns_suffix(region: &str, dual_stack: bool) -> &'static str {
    let (plain, dual) = if region.starts_with("cn-") {
        ("amazonaws.com.cn", "api.amazonwebservices.com.cn")
    } else if region.starts_with("us-isob-") {
        ("sc2s.sgov.gov", "api.aws.scloud")
    } else if region.starts_with("us-isof-") || region.starts_with("eu-isof-") {
        ("csp.hci.ic.gov", "api.aws.hci.ic.gov")
    } else if region.starts_with("us-iso-") {
        ("c2s.ic.gov", "api.aws.ic.gov")
    } else if region.starts_with("eusc-") {
        ("amazonaws.eu", "api.amazonwebservices.eu")
    } else {
        // aws and aws-us-gov.
        ("amazonaws.com", "api.aws")
    };
    if dual_stack { dual } else { plain }
}

fn standard(service: &str, region: &str, env: &Env) -> Result<Endpoint, AuthError> {
    let fips = if env.is_true("AWS_USE_FIPS_ENDPOINT") {
        "-fips"
    } else {
        ""
    };
    let suffix = dns_suffix(region, env.is_true("AWS_USE_DUALSTACK_ENDPOINT"));
    Endpoint::parse(
        &format!("https://{service}{fips}.{region}.{suffix}"),
        "default",
    )
}

/// The first set override: the call's parameters in order, then the environment variables in
/// order (read only when no parameter is set, and nothing is copied on the way).
fn first_override(
    params: &[(&'static str, Option<&str>)],
    env_names: &[&'static str],
    env: &Env,
) -> Result<Option<Endpoint>, AuthError> {
    // Blank counts as unset; `Endpoint::parse` trims what it takes.
    let set = |v: &&str| !v.trim().is_empty();
    for (param, value) in params {
        if let Some(v) = value.filter(set) {
            return Endpoint::parse(v, param).map(Some);
        }
    }
    for name in env_names {
        let value = env.get(name);
        if let Some(v) = value.as_deref().filter(set) {
            return Endpoint::parse(v, name).map(Some);
        }
    }
    Ok(None)
}

/// The bedrock-runtime base URL (see the module docs for the order and the `api_base` choice).
pub fn resolve_runtime_endpoint(
    params: &AwsParams,
    region: &str,
    env: &Env,
) -> Result<Endpoint, AuthError> {
    let found = first_override(
        &[
            ("api_base", params.api_base.as_deref()),
            (
                "aws_bedrock_runtime_endpoint",
                params.aws_bedrock_runtime_endpoint.as_deref(),
            ),
        ],
        &[
            "AWS_BEDROCK_RUNTIME_ENDPOINT",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            "AWS_ENDPOINT_URL",
        ],
        env,
    )?;
    match found {
        Some(e) => Ok(e),
        None => standard("bedrock-runtime", region, env),
    }
}

/// The bedrock-agent-runtime base URL (agents, knowledge bases, rerank): `api_base` →
/// `aws_bedrock_runtime_endpoint` → `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME` →
/// `AWS_BEDROCK_RUNTIME_ENDPOINT` → `AWS_ENDPOINT_URL` → the standard host.
///
/// LiteLLM sends these calls to `aws_bedrock_runtime_endpoint` (and its env var) too, with
/// `bedrock-runtime` in the URL replaced by `bedrock-agent-runtime` (its rerank handler), so a
/// deployment pointed at a proxy, a VPC endpoint or a local mock keeps every call there; the
/// same replacement is made here (for agents and knowledge bases too, where LiteLLM would post
/// to the runtime host of a standard URL).
pub fn resolve_agent_runtime_endpoint(
    params: &AwsParams,
    region: &str,
    env: &Env,
) -> Result<Endpoint, AuthError> {
    let agent = |url: &str| url.replace("bedrock-runtime", "bedrock-agent-runtime");
    let runtime_param = params.aws_bedrock_runtime_endpoint.as_deref().map(agent);
    if let Some(e) = first_override(
        &[
            ("api_base", params.api_base.as_deref()),
            ("aws_bedrock_runtime_endpoint", runtime_param.as_deref()),
        ],
        &["AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME"],
        env,
    )? {
        return Ok(e);
    }
    let runtime_env = env.get("AWS_BEDROCK_RUNTIME_ENDPOINT").map(|v| agent(&v));
    let found = first_override(
        &[("AWS_BEDROCK_RUNTIME_ENDPOINT", runtime_env.as_deref())],
        &["AWS_ENDPOINT_URL"],
        env,
    )?;
    match found {
        Some(e) => Ok(e),
        None => standard("bedrock-agent-runtime", region, env),
    }
}

/// The STS endpoint: `aws_sts_endpoint` → `AWS_STS_ENDPOINT` → `AWS_ENDPOINT_URL_STS` →
/// `AWS_ENDPOINT_URL` → `https://sts.{region}.{suffix}`.
pub fn resolve_sts_endpoint(
    sts_endpoint_param: Option<&str>,
    region: &str,
    env: &Env,
) -> Result<Endpoint, AuthError> {
    let found = first_override(
        &[("aws_sts_endpoint", sts_endpoint_param)],
        &[
            "AWS_STS_ENDPOINT",
            "AWS_ENDPOINT_URL_STS",
            "AWS_ENDPOINT_URL",
        ],
        env,
    )?;
    match found {
        Some(e) => Ok(e),
        None => standard("sts", region, env),
    }
}

/// The region to sign STS calls with, as LiteLLM picks it: the region in the endpoint host
/// (`sts.{r}.amazonaws.com`, `sts-fips.{r}…`, `vpce-….sts.{r}.vpce.amazonaws.com`; the global
/// `sts.amazonaws.com` signs as `us-east-1`), else `AWS_REGION`, `AWS_DEFAULT_REGION`, else the
/// call's region.
pub fn sts_signing_region(endpoint: &Endpoint, env: &Env, call_region: &str) -> String {
    let host = endpoint.host();
    let labels: Vec<&str> = host.split('.').collect();
    if host == "sts.amazonaws.com" {
        return "us-east-1".to_owned();
    }
    if let Some(pos) = labels.iter().position(|l| *l == "sts" || *l == "sts-fips")
        && let Some(r) = labels.get(pos + 1)
        && r.contains('-')
        && crate::region::is_valid_region(r)
    {
        return (*r).to_owned();
    }
    env.get_non_empty("AWS_REGION")
        .or_else(|| env.get_non_empty("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| call_region.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> AwsParams {
        AwsParams::default()
    }

    #[test]
    fn runtime_precedence_and_default_hosts() {
        let env = Env::from_map([("AWS_ENDPOINT_URL", "http://127.0.0.1:9/all")]);
        let e = resolve_runtime_endpoint(&params(), "us-east-1", &env).unwrap();
        assert_eq!(
            (e.source(), e.url("/x")),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9/all/x".to_owned())
        );

        let env = Env::from_map([
            ("AWS_ENDPOINT_URL", "http://a.example"),
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://b.example"),
            ("AWS_BEDROCK_RUNTIME_ENDPOINT", "http://c.example"),
        ]);
        assert_eq!(
            resolve_runtime_endpoint(&params(), "us-east-1", &env)
                .unwrap()
                .authority(),
            "c.example"
        );
        let mut p = params();
        p.aws_bedrock_runtime_endpoint = Some("https://d.example:8443/".into());
        let e = resolve_runtime_endpoint(&p, "us-east-1", &env).unwrap();
        assert_eq!(
            (e.authority(), e.host(), e.base_path()),
            ("d.example:8443", "d.example", "")
        );
        // Documented choice: api_base wins over aws_bedrock_runtime_endpoint.
        p.api_base = Some("https://gw.example/bedrock".into());
        let e = resolve_runtime_endpoint(&p, "us-east-1", &env).unwrap();
        assert_eq!(
            (e.source(), e.url("/model/m/converse").as_str()),
            ("api_base", "https://gw.example/bedrock/model/m/converse")
        );

        let none = Env::from_map::<&str, &str>([]);
        let url = |r: &str, env: &Env| resolve_runtime_endpoint(&params(), r, env).unwrap().url("");
        assert_eq!(
            url("us-east-1", &none),
            "https://bedrock-runtime.us-east-1.amazonaws.com"
        );
        assert_eq!(
            url("cn-north-1", &none),
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            url("us-gov-west-1", &none),
            "https://bedrock-runtime.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            url("us-isob-east-1", &none),
            "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov"
        );
        let fips = Env::from_map([("AWS_USE_FIPS_ENDPOINT", "true")]);
        assert_eq!(
            url("us-east-1", &fips),
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
        );
        let dual = Env::from_map([("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")]);
        assert_eq!(
            url("us-east-1", &dual),
            "https://bedrock-runtime.us-east-1.api.aws"
        );
    }

    #[test]
    fn agent_and_sts_endpoints() {
        let none = Env::from_map::<&str, &str>([]);
        assert_eq!(
            resolve_agent_runtime_endpoint(&params(), "eu-west-1", &none)
                .unwrap()
                .url("/rerank"),
            "https://bedrock-agent-runtime.eu-west-1.amazonaws.com/rerank"
        );
        let env = Env::from_map([(
            "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME",
            "http://localhost:1",
        )]);
        assert_eq!(
            resolve_agent_runtime_endpoint(&params(), "eu-west-1", &env)
                .unwrap()
                .authority(),
            "localhost:1"
        );

        // LiteLLM's order: the runtime endpoint a deployment names carries its agent calls
        // too, `bedrock-runtime` turned into `bedrock-agent-runtime`.
        let mut p = params();
        p.aws_bedrock_runtime_endpoint =
            Some("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com".to_owned());
        let e = resolve_agent_runtime_endpoint(&p, "us-east-1", &env).unwrap();
        assert_eq!(
            e.url("/rerank"),
            "https://vpce-1.bedrock-agent-runtime.us-east-1.vpce.amazonaws.com/rerank"
        );
        assert_eq!(e.source(), "aws_bedrock_runtime_endpoint");
        p.aws_bedrock_runtime_endpoint = Some("http://127.0.0.1:9/base".to_owned());
        assert_eq!(
            resolve_agent_runtime_endpoint(&p, "us-east-1", &none)
                .unwrap()
                .url("/rerank"),
            "http://127.0.0.1:9/base/rerank"
        );
        let runtime_env = Env::from_map([
            (
                "AWS_BEDROCK_RUNTIME_ENDPOINT",
                "https://bedrock-runtime.example",
            ),
            ("AWS_ENDPOINT_URL", "http://elsewhere:1"),
        ]);
        let e = resolve_agent_runtime_endpoint(&params(), "us-east-1", &runtime_env).unwrap();
        assert_eq!(e.authority(), "bedrock-agent-runtime.example");
        assert_eq!(e.source(), "AWS_BEDROCK_RUNTIME_ENDPOINT");

        let sts = resolve_sts_endpoint(None, "eu-west-1", &none).unwrap();
        assert_eq!(sts.url("/"), "https://sts.eu-west-1.amazonaws.com/");
        assert_eq!(sts_signing_region(&sts, &none, "us-east-1"), "eu-west-1");
        let env = Env::from_map([(
            "AWS_STS_ENDPOINT",
            "https://vpce-1a2b.sts.ap-south-1.vpce.amazonaws.com",
        )]);
        let sts = resolve_sts_endpoint(None, "us-east-1", &env).unwrap();
        assert_eq!(sts_signing_region(&sts, &env, "us-east-1"), "ap-south-1");
        let sts =
            resolve_sts_endpoint(Some("https://sts.amazonaws.com"), "eu-west-1", &env).unwrap();
        assert_eq!(sts_signing_region(&sts, &env, "eu-west-1"), "us-east-1");
        let sts = resolve_sts_endpoint(Some("http://127.0.0.1:5000"), "eu-west-1", &env).unwrap();
        assert_eq!(sts.source(), "aws_sts_endpoint");
        let env2 = Env::from_map([("AWS_REGION", "ca-central-1")]);
        assert_eq!(sts_signing_region(&sts, &env2, "eu-west-1"), "ca-central-1");
        assert_eq!(sts_signing_region(&sts, &none, "eu-west-1"), "eu-west-1");
    }

    #[test]
    fn invalid_urls_name_the_parameter() {
        let none = Env::from_map::<&str, &str>([]);
        for bad in [
            "not a url",
            "ftp://x.example",
            "bedrock.example.com",
            "https://x.example/?a=b",
        ] {
            let mut p = params();
            p.aws_bedrock_runtime_endpoint = Some(bad.into());
            let e = resolve_runtime_endpoint(&p, "us-east-1", &none).unwrap_err();
            assert!(
                matches!(&e, AuthError::InvalidParam { param, .. } if param == "aws_bedrock_runtime_endpoint"),
                "{e}"
            );
            let err: bedrock_types::Error = e.into();
            assert_eq!(err.kind(), bedrock_types::ErrorKind::BadRequest);
            assert_eq!(err.param(), Some("aws_bedrock_runtime_endpoint"));
        }
        let env = Env::from_map([("AWS_ENDPOINT_URL", "::")]);
        let e = resolve_runtime_endpoint(&params(), "us-east-1", &env).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid `AWS_ENDPOINT_URL`"),
            "{e}"
        );
    }
}

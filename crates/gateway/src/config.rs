//! LiteLLM proxy `config.yaml`, for Bedrock models.
//!
//! What is read: `model_list` (`model_name`, `litellm_params`, `model_info`),
//! `litellm_settings` (`drop_params`, `modify_params`, `num_retries`, `request_timeout`),
//! `general_settings` (`master_key`, `max_request_size_mb`, `allow_client_side_credentials`),
//! `router_settings` (`num_retries`, `timeout`) and `environment_variables`. Every string value
//! of `litellm_params` and `general_settings.master_key` may be an `os.environ/NAME` reference,
//! resolved when the file is loaded (an unset variable leaves the key unset, with a warning,
//! as LiteLLM's `get_secret` returns `None`).
//!
//! Known keys are type-checked while the YAML is read, so a wrong type is reported with the
//! key's path and its line and column. Any other LiteLLM setting (callbacks, database, router
//! strategy, guardrails, …) is accepted with one warning naming it, so an existing LiteLLM
//! config still starts. Models of other providers are skipped with a warning.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use bedrock_types::chat::JsonObject;
use bedrock_types::{AwsParams, AwsTag, Secret};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Where `os.environ/NAME` references are looked up.
pub trait EnvLookup {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvLookup for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvLookup for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvLookup for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// A config that cannot be used: the key it is about, and its line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<config>` for text).
    pub source_name: String,
    /// The key path (`model_list[0].litellm_params.temperature`), when known.
    pub key: Option<String>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source_name)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// `litellm_settings` the gateway uses (defaults for every request).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LitellmSettings {
    /// `drop_params`: drop unsupported OpenAI params instead of failing.
    pub drop_params: Option<bool>,
    /// `modify_params`: let the library fix conversations Bedrock would reject.
    pub modify_params: Option<bool>,
    /// `num_retries` (also `router_settings.num_retries`).
    pub num_retries: Option<u32>,
    /// `request_timeout` in seconds (also `router_settings.timeout`).
    pub request_timeout: Option<f64>,
}

/// `general_settings` the gateway uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeneralSettings {
    /// `master_key`: the bearer key every API call must present.
    pub master_key: Option<Secret>,
    /// `max_request_size_mb`: the request body limit.
    pub max_request_size_mb: Option<f64>,
    /// `allow_client_side_credentials`: let request bodies set `api_base`,
    /// `aws_bedrock_runtime_endpoint`, `aws_role_name`, … (off: rejected with 400, as LiteLLM).
    pub allow_client_side_credentials: bool,
}

/// One `model_list` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// `model_name`: what clients put in `model`. A trailing `*` matches any suffix.
    pub model_name: String,
    /// `litellm_params.model`: `bedrock/...` (a `*` takes the matched suffix).
    pub model: String,
    /// Credentials, region and endpoint from `litellm_params` (`aws_*`, `api_key`, `api_base`).
    pub aws: AwsParams,
    /// Every other `litellm_params` key, in file order: request defaults (`temperature`,
    /// `max_tokens`, `top_k`, `model_id`, `invocationId`, `user_continue_message`, `tools`, …).
    pub params: JsonObject,
    /// `stream_timeout`: the timeout for streaming calls (else `timeout`).
    pub stream_timeout: Option<f64>,
    /// `configurable_clientside_auth_params`: banned body params this model accepts anyway.
    pub clientside_auth_params: Vec<String>,
    /// The line of the entry, when found.
    pub line: Option<usize>,
}

impl Deployment {
    /// A deployment that sends `model` as is, with no defaults.
    pub fn passthrough(model: impl Into<String>) -> Self {
        let model = model.into();
        Deployment {
            model_name: model.clone(),
            model,
            aws: AwsParams::default(),
            params: JsonObject::new(),
            stream_timeout: None,
            clientside_auth_params: Vec::new(),
            line: None,
        }
    }
}

/// A loaded config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The models, in file order (several entries may share a `model_name`).
    pub model_list: Vec<Deployment>,
    /// Request defaults.
    pub litellm_settings: LitellmSettings,
    /// Auth and limits.
    pub general_settings: GeneralSettings,
    /// `environment_variables`: seen by `os.environ/` references and by credential resolution.
    pub environment_variables: BTreeMap<String, String>,
    /// Accept `bedrock/...` model names that no entry lists (no config, or `demo`).
    pub passthrough: bool,
    /// One line per ignored setting or skipped model.
    pub warnings: Vec<String>,
}

impl Config {
    /// No models listed: every `bedrock/...` model name is served as is.
    pub fn passthrough() -> Config {
        Config {
            passthrough: true,
            ..Config::default()
        }
    }

    /// Read and parse `path`; `os.environ/` references read the process environment.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Self::load_with_env(path, &ProcessEnv)
    }

    /// Read and parse `path`, resolving `os.environ/` references with `env`.
    pub fn load_with_env(
        path: impl AsRef<Path>,
        env: &dyn EnvLookup,
    ) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            source_name: name.clone(),
            key: None,
            line: None,
            message: format!("cannot read the config file: {e}"),
        })?;
        Self::parse_named(&text, &name, env)
    }

    /// Parse YAML text.
    pub fn from_yaml_str(text: &str, env: &dyn EnvLookup) -> Result<Config, ConfigError> {
        Self::parse_named(text, "<config>", env)
    }

    /// Parse YAML text, naming it `source_name` in errors.
    pub fn parse_named(
        text: &str,
        source_name: &str,
        env: &dyn EnvLookup,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml_ng::from_str::<Option<RawConfig>>(text)
                .map_err(|e| yaml_error(&e, source_name))?
                .unwrap_or_default()
        };
        let overlay = raw.environment_variables.clone();
        Resolver {
            text,
            source_name,
            env,
            overlay: &overlay,
            warnings: Vec::new(),
        }
        .finish(raw)
    }

    /// The distinct model names, in file order.
    pub fn model_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for d in &self.model_list {
            if !names.contains(&d.model_name.as_str()) {
                names.push(&d.model_name);
            }
        }
        names
    }
}

fn yaml_error(e: &serde_yaml_ng::Error, source_name: &str) -> ConfigError {
    // serde_yaml_ng prints `path: message at line L column C`; split those apart.
    let text = e.to_string();
    let line = e.location().map(|l| l.line());
    let mut message = text.clone();
    if let Some(idx) = message.rfind(" at line ") {
        message.truncate(idx);
    }
    let mut key = None;
    if let Some((path, rest)) = message.split_once(": ")
        && !path.contains(' ')
        && !path.is_empty()
    {
        key = Some(path.to_owned());
        message = rest.to_owned();
    }
    if let Some(loc) = e.location()
        && !message.contains(" line ")
    {
        message.push_str(&format!(" (line {}, column {})", loc.line(), loc.column()));
    }
    ConfigError {
        source_name: source_name.to_owned(),
        key,
        line,
        message,
    }
}

// ---------------------------------------------------------------------------------------------
// Raw, type-checked shapes (custom visitors keep every value on the YAML deserializer, so type
// errors carry the key path and the line).

#[derive(Debug, Default)]
struct RawConfig {
    model_list: Vec<RawDeployment>,
    litellm_settings: RawSection<LitellmSettingsRaw>,
    general_settings: RawSection<GeneralRaw>,
    router_settings: RawSection<RouterRaw>,
    environment_variables: BTreeMap<String, String>,
    unknown: Vec<String>,
}

#[derive(Debug, Default)]
struct RawSection<T> {
    known: T,
    unknown: Vec<String>,
}

#[derive(Debug, Default)]
struct LitellmSettingsRaw {
    drop_params: Option<bool>,
    modify_params: Option<bool>,
    num_retries: Option<u32>,
    request_timeout: Option<f64>,
}

#[derive(Debug, Default)]
struct GeneralRaw {
    master_key: Option<String>,
    max_request_size_mb: Option<f64>,
    allow_client_side_credentials: Option<bool>,
}

#[derive(Debug, Default)]
struct RouterRaw {
    num_retries: Option<u32>,
    timeout: Option<f64>,
}

#[derive(Debug, Default)]
struct RawDeployment {
    model_name: String,
    params: RawParams,
    unknown: Vec<String>,
}

#[derive(Debug, Default)]
struct RawParams {
    model: String,
    /// Everything but `model`, in file order, already type-checked.
    values: Vec<(String, Value)>,
}

/// `litellm_params` keys that only matter to LiteLLM's router, its pricing or its clients;
/// accepted with a warning.
const UNUSED_PARAMS: &[&str] = &[
    "rpm",
    "tpm",
    "max_parallel_requests",
    "order",
    "weight",
    "max_retries",
    "input_cost_per_token",
    "output_cost_per_token",
    "input_cost_per_second",
    "output_cost_per_second",
    "tags",
    "region_name",
    "mock_response",
    "use_in_pass_through",
    "use_litellm_proxy",
    "merge_reasoning_content_in_choices",
    "cache_creation_input_token_cost",
    "cache_read_input_token_cost",
    "organization",
    "budget_duration",
    "max_budget",
    "litellm_credential_name",
    "custom_llm_provider",
];

/// Credential and endpoint keys of `litellm_params` (strings).
const AWS_STRING_PARAMS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_region_name",
    "aws_session_name",
    "aws_profile_name",
    "aws_role_name",
    "aws_web_identity_token",
    "aws_bedrock_runtime_endpoint",
    "aws_sts_endpoint",
    "aws_external_id",
    "api_key",
    "api_base",
];

macro_rules! section_visitor {
    ($raw:ty, $name:literal, |$map:ident, $known:ident, $key:ident| $body:block) => {
        impl<'de> Deserialize<'de> for RawSection<$raw> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = RawSection<$raw>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a mapping (", $name, ")"))
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                        Ok(RawSection::default())
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut $map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut section = RawSection::<$raw>::default();
                        while let Some($key) = $map.next_key::<String>()? {
                            let $known = &mut section.known;
                            let used: bool = $body;
                            if !used {
                                $map.next_value::<IgnoredAny>()?;
                                section.unknown.push($key);
                            }
                        }
                        Ok(section)
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

section_visitor!(LitellmSettingsRaw, "litellm_settings", |map, known, key| {
    match key.as_str() {
        "drop_params" => {
            known.drop_params = map.next_value()?;
            true
        }
        "modify_params" => {
            known.modify_params = map.next_value()?;
            true
        }
        "num_retries" => {
            known.num_retries = map.next_value()?;
            true
        }
        "request_timeout" => {
            known.request_timeout = map.next_value()?;
            true
        }
        _ => false,
    }
});

section_visitor!(GeneralRaw, "general_settings", |map, known, key| {
    match key.as_str() {
        "master_key" => {
            known.master_key = map.next_value()?;
            true
        }
        "max_request_size_mb" => {
            known.max_request_size_mb = map.next_value()?;
            true
        }
        "allow_client_side_credentials" => {
            known.allow_client_side_credentials = map.next_value()?;
            true
        }
        _ => false,
    }
});

section_visitor!(RouterRaw, "router_settings", |map, known, key| {
    match key.as_str() {
        "num_retries" => {
            known.num_retries = map.next_value()?;
            true
        }
        "timeout" => {
            known.timeout = map.next_value()?;
            true
        }
        _ => false,
    }
});

impl<'de> Deserialize<'de> for RawConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawConfig;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a LiteLLM config mapping (model_list, litellm_settings, …)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawConfig, A::Error> {
                let mut raw = RawConfig::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "model_list" => {
                            raw.model_list = map
                                .next_value::<Option<Vec<RawDeployment>>>()?
                                .unwrap_or_default()
                        }
                        "litellm_settings" => raw.litellm_settings = map.next_value()?,
                        "general_settings" => raw.general_settings = map.next_value()?,
                        "router_settings" => raw.router_settings = map.next_value()?,
                        "environment_variables" => {
                            let vars: Option<BTreeMap<String, ScalarString>> = map.next_value()?;
                            raw.environment_variables = vars
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(k, v)| (k, v.0))
                                .collect();
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            raw.unknown.push(key);
                        }
                    }
                }
                Ok(raw)
            }
        }
        d.deserialize_map(V)
    }
}

/// A YAML scalar read as text (`environment_variables` values may be numbers or booleans).
struct ScalarString(String);

impl<'de> Deserialize<'de> for ScalarString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(ScalarString(s)),
            Value::Bool(b) => Ok(ScalarString(b.to_string())),
            Value::Number(n) => Ok(ScalarString(n.to_string())),
            Value::Null => Ok(ScalarString(String::new())),
            other => Err(de::Error::invalid_type(
                de::Unexpected::Other(json_kind(&other)),
                &"a string, number or boolean",
            )),
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "sequence",
        Value::Object(_) => "mapping",
    }
}

impl<'de> Deserialize<'de> for RawDeployment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDeployment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a model_list entry with `model_name` and `litellm_params`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawDeployment, A::Error> {
                let mut name: Option<String> = None;
                let mut params: Option<RawParams> = None;
                let mut unknown = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "model_name" => name = Some(map.next_value::<ScalarString>()?.0),
                        "litellm_params" => params = Some(map.next_value()?),
                        // Informational in LiteLLM too (id, mode, base_model, pricing).
                        "model_info" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            unknown.push(key);
                        }
                    }
                }
                let model_name = name.ok_or_else(|| de::Error::missing_field("model_name"))?;
                let params = params.ok_or_else(|| de::Error::missing_field("litellm_params"))?;
                Ok(RawDeployment {
                    model_name,
                    params,
                    unknown,
                })
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawParams;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a litellm_params mapping with `model`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawParams, A::Error> {
                let mut model: Option<String> = None;
                let mut values = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = match key.as_str() {
                        "model" => {
                            model = Some(map.next_value()?);
                            continue;
                        }
                        k if AWS_STRING_PARAMS.contains(&k) || k == "model_id" => {
                            Value::String(map.next_value::<ScalarString>()?.0)
                        }
                        "aws_session_tags" => {
                            serde_json::to_value(map.next_value::<Vec<AwsTag>>()?)
                                .map_err(de::Error::custom)?
                        }
                        "temperature" | "top_p" | "frequency_penalty" | "presence_penalty"
                        | "timeout" | "stream_timeout" | "request_timeout" => {
                            number(map.next_value::<NumberOrEnv>()?)
                        }
                        "max_tokens"
                        | "max_completion_tokens"
                        | "n"
                        | "top_k"
                        | "num_retries"
                        | "rpm"
                        | "tpm"
                        | "max_parallel_requests"
                        | "max_retries" => match map.next_value::<UintOrEnv>()? {
                            UintOrEnv::Uint(n) => Value::from(n),
                            UintOrEnv::Env(s) => Value::String(s),
                        },
                        "drop_params" | "modify_params" | "stream" => {
                            Value::Bool(map.next_value()?)
                        }
                        "stop" => match map.next_value::<StopValue>()? {
                            StopValue::One(s) => Value::String(s),
                            StopValue::Many(v) => Value::from(v),
                        },
                        "tools" => Value::Array(
                            map.next_value::<Vec<JsonObject>>()?
                                .into_iter()
                                .map(Value::Object)
                                .collect(),
                        ),
                        "configurable_clientside_auth_params" => {
                            Value::from(map.next_value::<Vec<String>>()?)
                        }
                        _ => map.next_value::<Value>()?,
                    };
                    values.push((key, value));
                }
                let model = model.ok_or_else(|| de::Error::missing_field("model"))?;
                Ok(RawParams { model, values })
            }
        }
        d.deserialize_map(V)
    }
}

/// A number, or an `os.environ/` reference resolved later.
enum NumberOrEnv {
    Number(serde_json::Number),
    Env(String),
}

fn number(n: NumberOrEnv) -> Value {
    match n {
        NumberOrEnv::Number(n) => Value::Number(n),
        NumberOrEnv::Env(s) => Value::String(s),
    }
}

impl<'de> Deserialize<'de> for NumberOrEnv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumberOrEnv;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberOrEnv, E> {
                Ok(NumberOrEnv::Number(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberOrEnv, E> {
                Ok(NumberOrEnv::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberOrEnv, E> {
                serde_json::Number::from_f64(v)
                    .map(NumberOrEnv::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberOrEnv, E> {
                if v.starts_with(ENV_PREFIX) {
                    Ok(NumberOrEnv::Env(v.to_owned()))
                } else {
                    Err(E::invalid_type(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A non-negative integer, or an `os.environ/` reference.
enum UintOrEnv {
    Uint(u64),
    Env(String),
}

impl<'de> Deserialize<'de> for UintOrEnv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = UintOrEnv;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UintOrEnv, E> {
                Ok(UintOrEnv::Uint(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<UintOrEnv, E> {
                u64::try_from(v)
                    .map(UintOrEnv::Uint)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UintOrEnv, E> {
                if v.starts_with(ENV_PREFIX) {
                    Ok(UintOrEnv::Env(v.to_owned()))
                } else {
                    Err(E::invalid_type(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `stop`: one string or a list.
enum StopValue {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for StopValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StopValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StopValue, E> {
                Ok(StopValue::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StopValue, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(StopValue::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution: env references, warnings, semantic checks.

const ENV_PREFIX: &str = "os.environ/";

struct Resolver<'a> {
    text: &'a str,
    source_name: &'a str,
    env: &'a dyn EnvLookup,
    overlay: &'a BTreeMap<String, String>,
    warnings: Vec<String>,
}

impl Resolver<'_> {
    fn finish(mut self, raw: RawConfig) -> Result<Config, ConfigError> {
        for key in &raw.unknown {
            self.warn_unused(key, key);
        }
        for key in &raw.litellm_settings.unknown {
            self.warn_unused(&format!("litellm_settings.{key}"), key);
        }
        for key in &raw.general_settings.unknown {
            self.warn_unused(&format!("general_settings.{key}"), key);
        }
        for key in &raw.router_settings.unknown {
            self.warn_unused(&format!("router_settings.{key}"), key);
        }
        let ls = &raw.litellm_settings.known;
        let rs = &raw.router_settings.known;
        let litellm_settings = LitellmSettings {
            drop_params: ls.drop_params,
            modify_params: ls.modify_params,
            num_retries: ls.num_retries.or(rs.num_retries),
            request_timeout: ls.request_timeout.or(rs.timeout),
        };
        let gs = &raw.general_settings.known;
        let master_key = match &gs.master_key {
            Some(v) => self
                .resolve_str("general_settings.master_key", "master_key", v)
                .filter(|k| !k.is_empty())
                .map(Secret::new),
            None => None,
        };
        if let Some(mb) = gs.max_request_size_mb
            && !(mb.is_finite() && mb > 0.0)
        {
            return Err(self.error(
                "general_settings.max_request_size_mb",
                "max_request_size_mb",
                "expected a positive number of megabytes",
            ));
        }
        let general_settings = GeneralSettings {
            master_key,
            max_request_size_mb: gs.max_request_size_mb,
            allow_client_side_credentials: gs.allow_client_side_credentials.unwrap_or(false),
        };
        let mut model_list = Vec::with_capacity(raw.model_list.len());
        for (i, d) in raw.model_list.into_iter().enumerate() {
            if let Some(dep) = self.deployment(i, d)? {
                model_list.push(dep);
            }
        }
        Ok(Config {
            model_list,
            litellm_settings,
            general_settings,
            environment_variables: raw.environment_variables,
            passthrough: false,
            warnings: self.warnings,
        })
    }

    fn deployment(
        &mut self,
        i: usize,
        d: RawDeployment,
    ) -> Result<Option<Deployment>, ConfigError> {
        let path = format!("model_list[{i}]");
        let line = find_line(self.text, "model_name", Some(&d.model_name));
        for key in &d.unknown {
            self.warn_unused(&format!("{path}.{key}"), key);
        }
        if d.model_name.trim().is_empty() {
            return Err(self.error_at(
                &format!("{path}.model_name"),
                line,
                "expected a non-empty model name",
            ));
        }
        let model_line = find_line(self.text, "model", Some(&d.params.model)).or(line);
        let model = self
            .resolve_str(
                &format!("{path}.litellm_params.model"),
                "model",
                &d.params.model,
            )
            .unwrap_or_default();
        if !is_bedrock_model(&model) {
            self.warnings.push(format!(
                "{}{}: model `{}` (`{model}`) is not a Bedrock model; this gateway serves only \
                 `bedrock/...` models, so it is skipped",
                self.source_name,
                model_line.map(|l| format!(":{l}")).unwrap_or_default(),
                d.model_name
            ));
            return Ok(None);
        }
        let checked = model.replace('*', "x");
        if let Err(e) = bedrock_transform::route::ModelRoute::parse(&checked) {
            return Err(self.error_at(
                &format!("{path}.litellm_params.model"),
                model_line,
                e.message(),
            ));
        }
        let mut aws = AwsParams::default();
        let mut params = JsonObject::new();
        let mut stream_timeout = None;
        let mut clientside = Vec::new();
        for (key, value) in d.params.values {
            let key_path = format!("{path}.litellm_params.{key}");
            let value = match value {
                Value::String(s) => match self.resolve_str(&key_path, &key, &s) {
                    Some(v) => Value::String(v),
                    None => continue,
                },
                other => other,
            };
            if AWS_STRING_PARAMS.contains(&key.as_str()) {
                let Value::String(s) = value else { continue };
                set_aws(&mut aws, &key, s);
                continue;
            }
            match key.as_str() {
                "aws_session_tags" => {
                    aws.aws_session_tags = serde_json::from_value(value).ok();
                }
                "stream_timeout" => {
                    stream_timeout = as_f64(&self.retype(&key_path, &key, value, Kind::Number)?)
                }
                "request_timeout" | "timeout" => {
                    let v = self.retype(&key_path, &key, value, Kind::Number)?;
                    params.insert("timeout".to_owned(), v);
                }
                "configurable_clientside_auth_params" => {
                    clientside = serde_json::from_value(value).unwrap_or_default();
                }
                "num_retries" | "max_tokens" | "max_completion_tokens" | "n" | "top_k" => {
                    let v = self.retype(&key_path, &key, value, Kind::Uint)?;
                    params.insert(key, v);
                }
                "temperature" | "top_p" | "frequency_penalty" | "presence_penalty" => {
                    let v = self.retype(&key_path, &key, value, Kind::Number)?;
                    params.insert(key, v);
                }
                k if UNUSED_PARAMS.contains(&k) => self.warn_unused(&key_path, &key),
                _ => {
                    params.insert(key, value);
                }
            }
        }
        Ok(Some(Deployment {
            model_name: d.model_name,
            model,
            aws,
            params,
            stream_timeout,
            clientside_auth_params: clientside,
            line,
        }))
    }

    /// A value that was an `os.environ/` reference, parsed to the type the key needs.
    fn retype(
        &self,
        path: &str,
        key: &str,
        value: Value,
        kind: Kind,
    ) -> Result<Value, ConfigError> {
        let Value::String(s) = &value else {
            return Ok(value);
        };
        let parsed = match kind {
            Kind::Number => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            Kind::Uint => s.trim().parse::<u64>().ok().map(Value::from),
        };
        parsed.ok_or_else(|| {
            self.error(
                path,
                key,
                &format!(
                    "expected {} (from the environment), got `{s}`",
                    match kind {
                        Kind::Number => "a number",
                        Kind::Uint => "a non-negative integer",
                    }
                ),
            )
        })
    }

    /// Resolve `os.environ/NAME`; `None` (with a warning) when the variable is unset.
    fn resolve_str(&mut self, path: &str, key: &str, value: &str) -> Option<String> {
        let Some(name) = value.strip_prefix(ENV_PREFIX) else {
            return Some(value.to_owned());
        };
        let name = name.trim();
        match self
            .overlay
            .get(name)
            .cloned()
            .or_else(|| self.env.var(name))
        {
            Some(v) => Some(v),
            None => {
                let line = find_line(self.text, key, Some(value));
                self.warnings.push(format!(
                    "{}{}: `{path}` reads os.environ/{name}, which is not set; the key is left unset",
                    self.source_name,
                    line.map(|l| format!(":{l}")).unwrap_or_default(),
                ));
                None
            }
        }
    }

    fn warn_unused(&mut self, path: &str, key: &str) {
        let line = find_line(self.text, key, None);
        self.warnings.push(format!(
            "{}{}: `{path}` is a LiteLLM setting this gateway does not use; ignored",
            self.source_name,
            line.map(|l| format!(":{l}")).unwrap_or_default(),
        ));
    }

    fn error(&self, path: &str, key: &str, message: &str) -> ConfigError {
        self.error_at(path, find_line(self.text, key, None), message)
    }

    fn error_at(&self, path: &str, line: Option<usize>, message: &str) -> ConfigError {
        ConfigError {
            source_name: self.source_name.to_owned(),
            key: Some(path.to_owned()),
            line,
            message: message.to_owned(),
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Number,
    Uint,
}

fn as_f64(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn set_aws(aws: &mut AwsParams, key: &str, value: String) {
    match key {
        "aws_access_key_id" => aws.aws_access_key_id = Some(value),
        "aws_secret_access_key" => aws.aws_secret_access_key = Some(Secret::new(value)),
        "aws_session_token" => aws.aws_session_token = Some(Secret::new(value)),
        "aws_region_name" => aws.aws_region_name = Some(value),
        "aws_session_name" => aws.aws_session_name = Some(value),
        "aws_profile_name" => aws.aws_profile_name = Some(value),
        "aws_role_name" => aws.aws_role_name = Some(value),
        "aws_web_identity_token" => aws.aws_web_identity_token = Some(Secret::new(value)),
        "aws_bedrock_runtime_endpoint" => aws.aws_bedrock_runtime_endpoint = Some(value),
        "aws_sts_endpoint" => aws.aws_sts_endpoint = Some(value),
        "aws_external_id" => aws.aws_external_id = Some(value),
        "api_key" => aws.api_key = Some(Secret::new(value)),
        "api_base" => aws.api_base = Some(value),
        _ => {}
    }
}

/// Whether `model` names a Bedrock model: `bedrock/...`, or a bare Bedrock id
/// (`anthropic.claude-v2`, an ARN) that LiteLLM also routes to Bedrock.
pub fn is_bedrock_model(model: &str) -> bool {
    let model = model.trim();
    if model.starts_with("bedrock/") {
        return true;
    }
    if model.starts_with("arn:") {
        return true;
    }
    !model.contains('/') && model.contains('.')
}

/// The 1-based line of the first `key:` (with `value` on the same line, when given).
fn find_line(text: &str, key: &str, value: Option<&str>) -> Option<usize> {
    text.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        let rest = t.strip_prefix(key)?.trim_start();
        let rest = rest.strip_prefix(':')?;
        match value {
            Some(v) if !rest.contains(v) => None,
            _ => Some(i + 1),
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn finds_lines() {
        let text = "model_list:\n  - model_name: a\n    litellm_params:\n      model: bedrock/x\n";
        assert_eq!(find_line(text, "model_name", Some("a")), Some(2));
        assert_eq!(find_line(text, "model", Some("bedrock/x")), Some(4));
        assert_eq!(find_line(text, "litellm_params", None), Some(3));
    }

    #[test]
    fn bedrock_models() {
        assert!(is_bedrock_model("bedrock/anthropic.claude-v2"));
        assert!(is_bedrock_model("anthropic.claude-v2"));
        assert!(!is_bedrock_model("openai/gpt-4o"));
        assert!(!is_bedrock_model("gpt-4o"));
    }
}

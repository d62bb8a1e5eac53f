//! The `bedrock-gateway` command line (hand-written: four subcommands and a few flags do not
//! need an argument-parsing dependency).

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use bedrock_types::chat::JsonObject;
use serde_json::Value;

use crate::config::Config;
use crate::server::{Gateway, Options};

/// The usage text.
pub const USAGE: &str = "\
bedrock-gateway: an OpenAI-compatible gateway to AWS Bedrock that reads LiteLLM proxy configs

USAGE:
  bedrock-gateway serve   [--config FILE] [--host 0.0.0.0] [--port 4000] [--workers N]
                          [--max-connections N]
  bedrock-gateway demo    [--host 127.0.0.1] [--port 4000] [--master-key KEY]
  bedrock-gateway chat    [--config FILE | --demo] [--model NAME] [--system TEXT]
                          [--param KEY=JSON]... [PROMPT...]
  bedrock-gateway dry-run [--config FILE] [--route chat|completions|embeddings|images|rerank]
                          [--placeholder-credentials] [FILE | -]

serve    Serve the config's models (a LiteLLM `config.yaml`); without --config any
         `bedrock/...` model name is served with credentials from the environment.
         --workers N: event-loop threads, one per core by default; each connection and the
         requests on it stay on one thread. --workers 0: tokio's shared work-stealing
         runtime instead (less throughput at saturation; on a machine shared with busy
         processes, lower latency at moderate load).
         --max-connections N: client connections served at once (default 1024); more wait
         in the listen backlog until one closes.
demo     Start a mock Bedrock in-process (canned answers, no AWS account) and serve on it.
chat     Chat in the terminal with streamed tokens (one-shot with a PROMPT, else interactive).
dry-run  Read an OpenAI request (a file, or stdin) and print the exact Bedrock HTTP request
         it becomes as {\"method\", \"url\", \"headers\", \"body\"}, signature redacted, without
         sending it.
";

/// Print to stdout; a closed stdout (the reader went away) is not worth dying for.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// Print to stderr, ignoring a closed stderr.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

struct Args {
    items: Vec<String>,
    pos: usize,
}

impl Args {
    fn next(&mut self) -> Option<String> {
        let v = self.items.get(self.pos).cloned();
        self.pos += 1;
        v
    }

    fn value(&mut self, flag: &str) -> Result<String, String> {
        self.next()
            .ok_or_else(|| format!("{flag} needs a value (see --help)"))
    }

    /// A whole number in `range`; anything else names the flag and `what` it counts.
    fn count(
        &mut self,
        flag: &str,
        range: std::ops::RangeInclusive<usize>,
        what: &str,
    ) -> Result<usize, String> {
        let n = self.value(flag)?;
        n.parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| format!("{flag}: `{n}` is not a number of {what}"))
    }
}

/// Flags of `flag=value` form are split so both spellings work.
fn split_eq(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        match a.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") && flag != "--param" => {
                out.push(flag.to_owned());
                out.push(value.to_owned());
            }
            _ => out.push(a),
        }
    }
    out
}

/// Run the command line; `args` excludes the program name.
pub async fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let mut args = Args {
        items: split_eq(args),
        pos: 0,
    };
    let result = match args.next().as_deref() {
        Some("serve") => serve(&mut args).await,
        Some("demo") => demo(&mut args).await,
        Some("chat") => chat(&mut args).await,
        Some("dry-run") => dry_run(&mut args).await,
        Some("-h" | "--help" | "help") | None => {
            say(USAGE.trim_end());
            Ok(())
        }
        Some("-V" | "--version") => {
            say(&format!("bedrock-gateway {}", env!("CARGO_PKG_VERSION")));
            Ok(())
        }
        // `litellm --config FILE` muscle memory.
        Some("--config") => {
            args.pos -= 1;
            serve(&mut args).await
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note(&format!("bedrock-gateway: {e}"));
            ExitCode::from(2)
        }
    }
}

fn parse_addr(host: &str, port: &str) -> Result<SocketAddr, String> {
    let ip: IpAddr = host
        .parse()
        .map_err(|_| format!("--host: `{host}` is not an IP address"))?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("--port: `{port}` is not a port number"))?;
    Ok(SocketAddr::new(ip, port))
}

fn load_config(path: Option<&str>) -> Result<Config, String> {
    match path {
        Some(p) => {
            let config = Config::load(p).map_err(|e| e.to_string())?;
            for w in &config.warnings {
                note(&format!("warning: {w}"));
            }
            Ok(config)
        }
        None => Ok(Config::passthrough()),
    }
}

async fn serve(args: &mut Args) -> Result<(), String> {
    let mut config_path = None;
    let mut host = "0.0.0.0".to_owned();
    let mut port = "4000".to_owned();
    let mut workers = None;
    let mut max_connections = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" | "-c" => config_path = Some(args.value("--config")?),
            "--host" => host = args.value("--host")?,
            "--port" | "-p" => port = args.value("--port")?,
            "--workers" => {
                workers = Some(args.count(
                    "--workers",
                    0..=1024,
                    "threads from 0 (the shared work-stealing runtime) to 1024",
                )?);
            }
            "--max-connections" => {
                max_connections = Some(args.count(
                    "--max-connections",
                    1..=1_000_000,
                    "connections from 1 to 1000000",
                )?);
            }
            "-h" | "--help" => {
                say(USAGE.trim_end());
                return Ok(());
            }
            other => return Err(format!("serve: unknown argument `{other}` (see --help)")),
        }
    }
    let addr = parse_addr(&host, &port)?;
    let config = load_config(config_path.as_deref())?;
    let names: Vec<String> = config
        .model_names()
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let keyed = config.general_settings.master_key.is_some();
    let workers = workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let options = Options {
        workers: Some(workers),
        max_connections,
        ..Options::default()
    };
    let gateway = Gateway::bind_with(config, addr, options)
        .await
        .map_err(|e| e.to_string())?;
    note(&format!(
        "bedrock-gateway: serving on http://{} with {}, up to {} connections ({})",
        gateway.local_addr(),
        match workers {
            0 => "the shared work-stealing runtime".to_owned(),
            1 => "1 worker thread".to_owned(),
            n => format!("{n} worker threads"),
        },
        max_connections.unwrap_or(crate::server::DEFAULT_MAX_CONNECTIONS),
        if names.is_empty() {
            "any bedrock/... model".to_owned()
        } else {
            format!("models: {}", names.join(", "))
        }
    ));
    if !keyed {
        note(
            "warning: no general_settings.master_key: every caller that can reach this port can \
             use your AWS credentials",
        );
    }
    gateway.run_until_signal().await;
    Ok(())
}

#[cfg(feature = "demo")]
async fn demo(args: &mut Args) -> Result<(), String> {
    let mut host = "127.0.0.1".to_owned();
    let mut port = "4000".to_owned();
    let mut key = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--host" => host = args.value("--host")?,
            "--port" | "-p" => port = args.value("--port")?,
            "--master-key" => key = Some(args.value("--master-key")?),
            other => return Err(format!("demo: unknown argument `{other}` (see --help)")),
        }
    }
    let addr = parse_addr(&host, &port)?;
    let demo = crate::demo::start(addr, key.clone())
        .await
        .map_err(|e| e.to_string())?;
    let url = demo.gateway.url();
    let names: Vec<String> = demo
        .gateway
        .state()
        .config
        .model_names()
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    say(&crate::demo::instructions(&url, key.as_deref(), &refs));
    let crate::demo::Demo { mock, gateway } = demo;
    gateway.run_until_signal().await;
    drop(mock);
    Ok(())
}

#[cfg(not(feature = "demo"))]
async fn demo(_args: &mut Args) -> Result<(), String> {
    Err("this binary was built without the `demo` feature".to_owned())
}

async fn chat(args: &mut Args) -> Result<(), String> {
    let mut config_path = None;
    let mut model = None;
    let mut system = None;
    let mut use_demo = false;
    let mut params = JsonObject::new();
    let mut prompt: Vec<String> = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" | "-c" => config_path = Some(args.value("--config")?),
            "--model" | "-m" => model = Some(args.value("--model")?),
            "--system" => system = Some(args.value("--system")?),
            "--demo" => use_demo = true,
            "--param" => {
                let kv = args.value("--param")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--param: expected KEY=JSON, got `{kv}`"))?;
                let value = serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_owned()));
                params.insert(k.to_owned(), value);
            }
            "--" => {
                while let Some(p) = args.next() {
                    prompt.push(p);
                }
            }
            other if other.starts_with("--") => {
                return Err(format!("chat: unknown argument `{other}` (see --help)"));
            }
            _ => prompt.push(a),
        }
    }
    let prompt = (!prompt.is_empty()).then(|| prompt.join(" "));
    #[cfg(feature = "demo")]
    let mut _mock = None;
    let (config, client) = if use_demo {
        #[cfg(feature = "demo")]
        {
            let mock = bedrock_testkit::MockBedrock::start()
                .await
                .map_err(|e| format!("cannot start the mock: {e}"))?;
            mock.canned_answers();
            let config = crate::demo::demo_config().map_err(|e| e.to_string())?;
            let env = crate::demo::demo_env(&mock.url());
            let client =
                crate::server::build_client(&config, Some(&env)).map_err(|e| e.to_string())?;
            _mock = Some(mock);
            (config, client)
        }
        #[cfg(not(feature = "demo"))]
        {
            return Err("this binary was built without the `demo` feature".to_owned());
        }
    } else {
        let config = load_config(config_path.as_deref())?;
        let client = crate::server::build_client(&config, None).map_err(|e| e.to_string())?;
        (config, client)
    };
    let model = match model {
        Some(m) => m,
        None => config
            .model_names()
            .first()
            .map(|s| (*s).to_owned())
            .ok_or("chat: --model is required without a config that lists models")?,
    };
    let options = crate::chat::ChatOptions {
        model,
        system,
        params,
    };
    crate::chat::run(&client, &config, &options, prompt)
        .await
        .map_err(|e| e.message().to_owned())
}

async fn dry_run(args: &mut Args) -> Result<(), String> {
    let mut config_path = None;
    let mut route = None;
    let mut input = None;
    let mut placeholder = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" | "-c" => config_path = Some(args.value("--config")?),
            "--route" => {
                let r = args.value("--route")?;
                route = Some(
                    crate::dry_run::Endpoint::parse(&r)
                        .ok_or_else(|| format!("--route: unknown route `{r}`"))?,
                );
            }
            "--placeholder-credentials" => placeholder = true,
            "-" => input = Some("-".to_owned()),
            other if other.starts_with("--") => {
                return Err(format!("dry-run: unknown argument `{other}` (see --help)"));
            }
            _ => input = Some(a),
        }
    }
    let body = match input.as_deref() {
        None | Some("-") => {
            use tokio::io::AsyncReadExt;
            let mut buf = Vec::new();
            tokio::io::stdin()
                .read_to_end(&mut buf)
                .await
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            buf
        }
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?,
    };
    let config = load_config(config_path.as_deref())?;
    let options = crate::dry_run::DryRunOptions {
        env: None,
        placeholder_credentials: placeholder,
    };
    let out = crate::dry_run::dry_run(&body, route, &config, &options)
        .await
        .map_err(|e| e.message().to_owned())?;
    if out.placeholder_credentials && !placeholder {
        note(
            "note: no AWS credentials were found; placeholder credentials signed this request \
             (the signature is redacted either way)",
        );
    }
    say(&serde_json::to_string_pretty(&out.request).map_err(|e| e.to_string())?);
    Ok(())
}

//! `loadgen`: drive one HTTP endpoint at a fixed concurrency or a fixed rate and report
//! throughput, latency percentiles and (for streams) time to first byte, as one JSON line.
//!
//! ```text
//! loadgen --url URL --body FILE [--concurrency 50 | --rate RPS] [--duration 10] [--warmup 2]
//!         [--header "name: value"]...
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Mutex;

#[derive(Debug, Clone)]
struct Args {
    url: String,
    body: Bytes,
    headers: Vec<(String, String)>,
    concurrency: usize,
    rate: Option<f64>,
    duration: Duration,
    warmup: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut body = None;
    let mut headers = Vec::new();
    let mut concurrency = 50;
    let mut rate = None;
    let mut duration = 10.0;
    let mut warmup = 2.0;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut v = |n: &str| it.next().ok_or_else(|| format!("{n} needs a value"));
        match a.as_str() {
            "--url" => url = Some(v("--url")?),
            "--body" => {
                let path = v("--body")?;
                body = Some(std::fs::read(&path).map_err(|e| format!("--body {path}: {e}"))?);
            }
            "--header" => {
                let h = v("--header")?;
                let (k, val) = h
                    .split_once(':')
                    .ok_or("--header: expected `name: value`")?;
                headers.push((k.trim().to_owned(), val.trim().to_owned()));
            }
            "--concurrency" => {
                concurrency = v("--concurrency")?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            "--rate" => rate = Some(v("--rate")?.parse().map_err(|e| format!("--rate: {e}"))?),
            "--duration" => {
                duration = v("--duration")?
                    .parse()
                    .map_err(|e| format!("--duration: {e}"))?
            }
            "--warmup" => {
                warmup = v("--warmup")?
                    .parse()
                    .map_err(|e| format!("--warmup: {e}"))?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        url: url.ok_or("--url is required")?,
        body: Bytes::from(body.ok_or("--body is required")?),
        headers,
        concurrency,
        rate,
        duration: Duration::from_secs_f64(duration),
        warmup: Duration::from_secs_f64(warmup),
    })
}

#[derive(Default)]
struct Stats {
    latencies: Vec<f64>,
    /// When each counted request left, in ms after the warm-up (paired with `latencies`).
    starts: Vec<f64>,
    ttfb: Vec<f64>,
    errors: u64,
    bytes: u64,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One request: (total latency, time to first body byte, body bytes), or an error.
async fn one(client: &HttpClient, args: &Args) -> Result<(f64, f64, u64), String> {
    let mut req = http::Request::post(&args.url).header("content-type", "application/json");
    for (k, v) in &args.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req
        .body(Full::new(args.body.clone()))
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let resp = client.request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let mut body = resp.into_body();
    let mut first = None;
    let mut n = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| e.to_string())?;
        if let Some(d) = frame.data_ref() {
            if first.is_none() && !d.is_empty() {
                first = Some(start.elapsed());
            }
            n += d.len() as u64;
        }
    }
    let total = start.elapsed();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    Ok((
        total.as_secs_f64() * 1e3,
        first.unwrap_or(total).as_secs_f64() * 1e3,
        n,
    ))
}

/// How late a sleeping thread woke, when it was more than [`Stalls::THRESHOLD`] late.
#[derive(Default)]
struct Stalls {
    count: u64,
    longest: Duration,
    total: Duration,
}

impl Stalls {
    /// On this machine a sleep wakes within ~0.1 ms; 2 ms late is a stall no target caused.
    const THRESHOLD: Duration = Duration::from_millis(2);

    /// Woken for a sleep that was due at `due`; counted only after the warm-up.
    fn woke(&mut self, due: Instant, warm_until: Instant) {
        let late = Instant::now().saturating_duration_since(due);
        if due >= warm_until && late > Self::THRESHOLD {
            self.count += 1;
            self.longest = self.longest.max(late);
            self.total += late;
        }
    }
}

/// `at` in ms after `origin` (negative before it).
fn since(at: Instant, origin: Instant) -> f64 {
    if at >= origin {
        (at - origin).as_secs_f64() * 1e3
    } else {
        -((origin - at).as_secs_f64() * 1e3)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.concurrency.max(64))
        .build(connector);
    let stats = Arc::new(Mutex::new(Stats::default()));
    let warm_until = Instant::now() + args.warmup;
    let end = warm_until + args.duration;
    let mut tasks = Vec::new();
    let pacer: Option<std::thread::JoinHandle<Stalls>>;
    match args.rate {
        None => {
            // No pacer at a fixed concurrency: a thread that only sleeps watches for stalls.
            pacer = Some(std::thread::spawn(move || {
                let mut stalls = Stalls::default();
                let mut next = Instant::now();
                while next < end {
                    next += Duration::from_millis(1);
                    std::thread::sleep(next.saturating_duration_since(Instant::now()));
                    stalls.woke(next, warm_until);
                }
                stalls
            }));
            for _ in 0..args.concurrency {
                let (client, args, stats) = (client.clone(), args.clone(), stats.clone());
                tasks.push(tokio::spawn(async move {
                    while Instant::now() < end {
                        let sent = Instant::now();
                        let r = one(&client, &args).await;
                        if Instant::now() < warm_until {
                            continue;
                        }
                        let mut s = stats.lock().await;
                        match r {
                            Ok((l, t, b)) => {
                                s.starts.push(since(sent, warm_until));
                                s.latencies.push(l);
                                s.ttfb.push(t);
                                s.bytes += b;
                            }
                            Err(_) => s.errors += 1,
                        }
                    }
                }));
            }
        }
        Some(rate) => {
            // Requests leave evenly spaced, paced by an OS thread: tokio's timer has millisecond
            // granularity, so an interval of 200 µs would send bursts of five every millisecond.
            // A late tick sends at once (no catch-up is skipped), so the mean rate holds.
            let interval = Duration::from_secs_f64(1.0 / rate);
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
            // The pacer also notes how late it woke: a machine stall shows there as well.
            pacer = std::thread::Builder::new()
                .name("pacer".into())
                .spawn(move || {
                    let mut stalls = Stalls::default();
                    let mut next = Instant::now();
                    while next < end {
                        next += interval;
                        let now = Instant::now();
                        if next > now {
                            std::thread::sleep(next - now);
                        }
                        stalls.woke(next, warm_until);
                        if tx.send(()).is_err() {
                            break;
                        }
                    }
                    stalls
                })
                .ok();
            while rx.recv().await.is_some() {
                let (client, args, stats) = (client.clone(), args.clone(), stats.clone());
                let counted = Instant::now() >= warm_until;
                tasks.push(tokio::spawn(async move {
                    let sent = Instant::now();
                    let r = one(&client, &args).await;
                    if !counted {
                        return;
                    }
                    let mut s = stats.lock().await;
                    match r {
                        Ok((l, t, b)) => {
                            s.starts.push(since(sent, warm_until));
                            s.latencies.push(l);
                            s.ttfb.push(t);
                            s.bytes += b;
                        }
                        Err(_) => s.errors += 1,
                    }
                }));
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let stalls = pacer.and_then(|p| p.join().ok()).unwrap_or_default();
    let mut s = stats.lock().await;
    // LOADGEN_DUMP=FILE: every counted request as `sent_ms latency_ms`, to see whether the slow
    // ones come together (a stall) or spread out (queueing).
    if let Ok(path) = std::env::var("LOADGEN_DUMP") {
        let lines: String = s
            .starts
            .iter()
            .zip(&s.latencies)
            .map(|(t, l)| format!("{t:.3} {l:.3}\n"))
            .collect();
        if let Err(e) = std::fs::write(&path, lines) {
            eprintln!("loadgen: LOADGEN_DUMP {path}: {e}");
        }
    }
    s.latencies.sort_by(f64::total_cmp);
    s.ttfb.sort_by(f64::total_cmp);
    let n = s.latencies.len();
    let out = serde_json::json!({
        "url": args.url,
        "mode": match args.rate { Some(r) => format!("rate {r}/s"), None => format!("concurrency {}", args.concurrency) },
        "requests": n,
        "errors": s.errors,
        "throughput_rps": n as f64 / args.duration.as_secs_f64(),
        "p50_ms": percentile(&s.latencies, 0.50),
        "p99_ms": percentile(&s.latencies, 0.99),
        "ttfb_p50_ms": percentile(&s.ttfb, 0.50),
        "ttfb_p99_ms": percentile(&s.ttfb, 0.99),
        "bytes": s.bytes,
        // Times the pacer (or, at a fixed concurrency, a thread that only sleeps) woke more than
        // 2 ms late in the counted window: the machine had no core for it (the processes under
        // test, or the sandbox's own agent about once a second). At a fixed rate each late
        // wake-up sends the requests it owed at once, a burst the target has to drain.
        "late_wakeups": stalls.count,
        "late_max_ms": stalls.longest.as_secs_f64() * 1e3,
        "late_total_ms": stalls.total.as_secs_f64() * 1e3,
    });
    println!("{out}");
}

//! Prometheus metrics, written by hand in the text exposition format (version 0.0.4).
//!
//! - `bedrock_gateway_requests_total{model,route,status}`: counter.
//! - `bedrock_gateway_request_duration_seconds{model,route}`: histogram (to the last byte, so a
//!   stream counts until `[DONE]`).
//! - `bedrock_gateway_time_to_first_chunk_seconds{model}`: histogram, streams only.
//! - `bedrock_gateway_tokens_total{model,type="prompt"|"completion"}`: counter.
//! - `bedrock_gateway_cost_usd_total{model}`: counter, from the embedded price table.
//! - `bedrock_gateway_in_flight_requests`: gauge.
//! - `bedrock_gateway_open_connections`: gauge (client connections being served; at most
//!   `--max-connections`).
//!
//! `model` is the name the client asked for when it resolved to a configured model, else
//! `unknown` (so arbitrary client strings cannot grow the label set).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS.len()];
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b
                && let Some(c) = self.counts.get_mut(i)
            {
                *c += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

/// Counters by model; each model's series live together so a request finds them with one
/// borrowed lookup and allocates nothing once its model has been seen.
#[derive(Debug, Default)]
struct Inner {
    models: BTreeMap<String, ModelStats>,
}

#[derive(Debug, Default)]
struct ModelStats {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    first_chunk: Option<Histogram>,
    tokens: BTreeMap<&'static str, u64>,
    cost: Option<f64>,
}

impl Inner {
    /// Run `f` on `model`'s stats, creating them (the only allocation) on first sight.
    fn with_model(&mut self, model: &str, f: impl FnOnce(&mut ModelStats)) {
        match self.models.get_mut(model) {
            Some(stats) => f(stats),
            None => {
                let mut stats = ModelStats::default();
                f(&mut stats);
                self.models.insert(model.to_owned(), stats);
            }
        }
    }
}

/// One finished request.
#[derive(Debug, Clone, Default)]
pub struct Observation<'a> {
    /// Model label.
    pub model: &'a str,
    /// Route label (`/v1/chat/completions`, …).
    pub route: &'static str,
    /// HTTP status (499 when the client went away mid-stream).
    pub status: u16,
    /// Time to the last byte.
    pub duration: Duration,
    /// Input tokens.
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Cost in USD.
    pub cost: Option<f64>,
}

/// The gateway's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    in_flight: AtomicI64,
    open_connections: AtomicI64,
}

impl Metrics {
    /// Count a finished request.
    pub fn record(&self, o: &Observation<'_>) {
        self.lock().with_model(o.model, |s| {
            *s.requests.entry((o.route, o.status)).or_default() += 1;
            s.latency
                .entry(o.route)
                .or_default()
                .observe(o.duration.as_secs_f64());
            if o.prompt_tokens > 0 {
                *s.tokens.entry("prompt").or_default() += o.prompt_tokens;
            }
            if o.completion_tokens > 0 {
                *s.tokens.entry("completion").or_default() += o.completion_tokens;
            }
            if let Some(c) = o.cost.filter(|c| c.is_finite()) {
                *s.cost.get_or_insert(0.0) += c;
            }
        });
    }

    /// Time from the request to the first streamed chunk.
    pub fn first_chunk(&self, model: &str, after: Duration) {
        self.lock().with_model(model, |s| {
            s.first_chunk
                .get_or_insert_with(Histogram::default)
                .observe(after.as_secs_f64());
        });
    }

    /// A request started (returns a guard that ends it).
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let m = self.lock();
        let mut out = String::with_capacity(4096);
        family(
            &mut out,
            "bedrock_gateway_requests_total",
            "counter",
            "Requests by model, route and HTTP status.",
        );
        for (model, (route, status), n) in m
            .models
            .iter()
            .flat_map(|(model, s)| s.requests.iter().map(move |(k, n)| (model, *k, n)))
        {
            let _ = writeln!(
                out,
                "bedrock_gateway_requests_total{{model=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(model),
                escape(route)
            );
        }
        family(
            &mut out,
            "bedrock_gateway_request_duration_seconds",
            "histogram",
            "Time to the last response byte.",
        );
        for (model, route, h) in m
            .models
            .iter()
            .flat_map(|(model, s)| s.latency.iter().map(move |(r, h)| (model, *r, h)))
        {
            let labels = format!("model=\"{}\",route=\"{}\"", escape(model), escape(route));
            write_histogram(
                &mut out,
                "bedrock_gateway_request_duration_seconds",
                &labels,
                h,
            );
        }
        family(
            &mut out,
            "bedrock_gateway_time_to_first_chunk_seconds",
            "histogram",
            "Time to the first streamed chunk.",
        );
        for (model, h) in m
            .models
            .iter()
            .filter_map(|(model, s)| s.first_chunk.as_ref().map(|h| (model, h)))
        {
            let labels = format!("model=\"{}\"", escape(model));
            write_histogram(
                &mut out,
                "bedrock_gateway_time_to_first_chunk_seconds",
                &labels,
                h,
            );
        }
        family(
            &mut out,
            "bedrock_gateway_tokens_total",
            "counter",
            "Tokens by model and type.",
        );
        for (model, kind, n) in m
            .models
            .iter()
            .flat_map(|(model, s)| s.tokens.iter().map(move |(k, n)| (model, *k, n)))
        {
            let _ = writeln!(
                out,
                "bedrock_gateway_tokens_total{{model=\"{}\",type=\"{kind}\"}} {n}",
                escape(model)
            );
        }
        family(
            &mut out,
            "bedrock_gateway_cost_usd_total",
            "counter",
            "Spend in USD by model (embedded price table).",
        );
        for (model, c) in m
            .models
            .iter()
            .filter_map(|(model, s)| s.cost.map(|c| (model, c)))
        {
            let _ = writeln!(
                out,
                "bedrock_gateway_cost_usd_total{{model=\"{}\"}} {}",
                escape(model),
                float(c)
            );
        }
        for (name, help, value) in [
            (
                "bedrock_gateway_in_flight_requests",
                "Requests being served.",
                &self.in_flight,
            ),
            (
                "bedrock_gateway_open_connections",
                "Client connections being served.",
                &self.open_connections,
            ),
        ] {
            family(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        out
    }
}

/// Count an open client connection until the returned value is dropped.
pub fn connection_opened(metrics: &std::sync::Arc<Metrics>) -> GaugeHold {
    GaugeHold::new(metrics, Gauge::OpenConnections)
}

/// Decrements the in-flight gauge when dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Start counting a request that outlives the handler (a stream): the returned value
/// decrements the gauge when dropped.
pub fn start_owned(metrics: &std::sync::Arc<Metrics>) -> GaugeHold {
    GaugeHold::new(metrics, Gauge::InFlight)
}

/// The gauges something can hold a unit of.
#[derive(Debug, Clone, Copy)]
enum Gauge {
    InFlight,
    OpenConnections,
}

/// One unit of a gauge, owning its `Arc` (a stream's request, a connection): added when made,
/// taken back when dropped.
#[derive(Debug)]
pub struct GaugeHold {
    metrics: std::sync::Arc<Metrics>,
    gauge: Gauge,
}

impl GaugeHold {
    fn new(metrics: &std::sync::Arc<Metrics>, gauge: Gauge) -> Self {
        metrics.gauge(gauge).fetch_add(1, Ordering::Relaxed);
        GaugeHold {
            metrics: metrics.clone(),
            gauge,
        }
    }
}

impl Drop for GaugeHold {
    fn drop(&mut self) {
        self.metrics
            .gauge(self.gauge)
            .fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    fn gauge(&self, gauge: Gauge) -> &AtomicI64 {
        match gauge {
            Gauge::InFlight => &self.in_flight,
            Gauge::OpenConnections => &self.open_connections,
        }
    }
}

/// The `# HELP` and `# TYPE` lines that open a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn write_histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    for (i, b) in BUCKETS.iter().enumerate() {
        let c = h.counts.get(i).copied().unwrap_or(0);
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{}\"}} {c}", float(*b));
    }
    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
    let _ = writeln!(out, "{name}_sum{{{labels}}} {}", float(h.sum));
    let _ = writeln!(out, "{name}_count{{{labels}}} {}", h.count);
}

fn float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// Label values escape `\`, `"` and newlines.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn exposition_has_counters_histograms_and_escapes() {
        let m = Metrics::default();
        m.record(&Observation {
            model: "a\"b",
            route: "/v1/chat/completions",
            status: 200,
            duration: Duration::from_millis(30),
            prompt_tokens: 3,
            completion_tokens: 5,
            cost: Some(0.25),
        });
        let text = m.render();
        assert!(text.contains(
            "bedrock_gateway_requests_total{model=\"a\\\"b\",route=\"/v1/chat/completions\",status=\"200\"} 1"
        ));
        assert!(text.contains("le=\"0.025\"} 0"));
        assert!(text.contains("le=\"0.05\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 1"));
        assert!(
            text.contains("bedrock_gateway_tokens_total{model=\"a\\\"b\",type=\"completion\"} 5")
        );
        assert!(text.contains("bedrock_gateway_cost_usd_total{model=\"a\\\"b\"} 0.25"));
    }
}

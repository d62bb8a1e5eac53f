#![allow(clippy::unwrap_used)] // A test: a panic is the assertion.
//! The stable fuzz smoke: every target on its seed corpus (`fuzz/corpus/<target>/`), on every
//! recorded regression (`fuzz/regressions/<target>/`), then on deterministic mutations of the
//! corpus for a bounded time (`FUZZ_SMOKE_SECONDS`, default 2 per target). A panic fails the
//! test and leaves the input under `target/fuzz-crashes/` to be added as a regression.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type Target = fn(&[u8]);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn run_one(name: &str, target: Target, input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| target(input))).is_err() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}-{:016x}", fxhash(input)));
        std::fs::write(&path, input).unwrap();
        panic!(
            "fuzz target `{name}` panicked; input saved to {}",
            path.display()
        );
    }
}

fn fxhash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn mutate(rng: &mut StdRng, corpus: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..=4) {
        let len = input.len();
        match rng.random_range(0..8) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                input[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                input[i] = rng.random();
            }
            2 => {
                let i = rng.random_range(0..=len);
                input.insert(i, rng.random());
            }
            3 if len > 1 => {
                let a = rng.random_range(0..len);
                let b = rng.random_range(a..=len.min(a + 64));
                input.drain(a..b);
            }
            4 if len > 1 => {
                let a = rng.random_range(0..len);
                let b = rng.random_range(a..=len.min(a + 64));
                let piece = input[a..b].to_vec();
                let at = rng.random_range(0..=input.len());
                input.splice(at..at, piece);
            }
            5 if len > 0 => input.truncate(rng.random_range(0..len)),
            6 if len >= 4 => {
                // Length fields are where decoders go wrong.
                let v: u32 =
                    [0, 1, 15, 16, 0x7fff_ffff, 0xffff_ffff, len as u32][rng.random_range(0..7)];
                let i = rng.random_range(0..=len - 4);
                input[i..i + 4].copy_from_slice(&v.to_be_bytes());
            }
            _ if !corpus.is_empty() => {
                let other = &corpus[rng.random_range(0..corpus.len())];
                let at = rng.random_range(0..=input.len());
                let from = rng.random_range(0..=other.len());
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            _ => input.push(rng.random()),
        }
    }
}

fn smoke(name: &str, target: Target) {
    let corpus = inputs(&root().join("corpus").join(name));
    assert!(!corpus.is_empty(), "no seed corpus for `{name}`");
    for input in &corpus {
        run_one(name, target, input);
    }
    for input in inputs(&root().join("regressions").join(name)) {
        run_one(name, target, &input);
    }
    let seconds: f64 = std::env::var("FUZZ_SMOKE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut rng = StdRng::seed_from_u64(fxhash(name.as_bytes()));
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let mut input = corpus[rng.random_range(0..corpus.len())].clone();
        mutate(&mut rng, &corpus, &mut input);
        run_one(name, target, &input);
        runs += 1;
    }
    eprintln!(
        "fuzz smoke `{name}`: {} seeds, {runs} mutated runs",
        corpus.len()
    );
}

#[test]
fn event_stream() {
    smoke("event_stream", bedrock_fuzz_targets::event_stream);
}

#[test]
fn route() {
    smoke("route", bedrock_fuzz_targets::route);
}

#[test]
fn chat_request() {
    smoke("chat_request", bedrock_fuzz_targets::chat_request);
}

#[test]
fn responses() {
    smoke("responses", bedrock_fuzz_targets::responses);
}

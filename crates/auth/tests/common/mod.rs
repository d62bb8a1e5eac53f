//! Shared test helpers: injected env/clock/home, temp dirs, and the moto harness.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bedrock_auth::{Env, ManualClock, ProviderConfig};
use bedrock_transport::{HttpTransport, TransportConfig};

/// 2024-01-01T00:00:00Z.
pub fn jan_1_2024() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

pub fn http() -> HttpTransport {
    HttpTransport::new(TransportConfig::default()).unwrap()
}

/// A config over `vars` with a manual clock at 2024-01-01 and an empty temp home unless `HOME`
/// is among the vars. IMDS points at a closed loopback port unless set, so nothing leaves the host.
pub fn config(vars: &[(&str, &str)], clock: &ManualClock) -> ProviderConfig {
    let mut v: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !v
        .iter()
        .any(|(k, _)| k == "AWS_EC2_METADATA_SERVICE_ENDPOINT")
    {
        v.push((
            "AWS_EC2_METADATA_SERVICE_ENDPOINT".into(),
            "http://127.0.0.1:9".into(),
        ));
    }
    if !v.iter().any(|(k, _)| k == "HOME") {
        v.push(("HOME".into(), "/nonexistent-bedrock-auth-home".into()));
    }
    ProviderConfig::new(Env::from_map(v), http()).with_clock(clock.clone())
}

/// A temp dir removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!(
            "bedrock-auth-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A moto server on a free loopback port, killed on drop.
pub struct Moto {
    child: std::process::Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> PathBuf {
    match std::env::var_os("BEDROCK_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"),
    }
}

impl Moto {
    /// Start `python -m moto.server`; panics (fails the test) with instructions when moto is missing.
    pub async fn start() -> Moto {
        let python = python();
        let ok = std::process::Command::new(&python)
            .args(["-c", "import moto.server"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(
            ok,
            "moto is not installed for {} — run ./scripts/test (or: python3 -m venv .venv && .venv/bin/pip install -r scripts/test-requirements.txt), or set BEDROCK_TEST_PYTHON",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return moto;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "moto did not start listening within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

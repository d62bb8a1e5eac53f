//! A certificate generated inside the test, for TLS against the mock without any system CA.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A self-signed certificate (for `localhost` and `127.0.0.1` by default) and the server config
/// using it.
#[derive(Debug, Clone)]
pub struct TestCertificate {
    /// The certificate (DER); trust it on the client side.
    pub cert_der: CertificateDer<'static>,
    /// A rustls server config serving it (ALPN is set by the mock).
    pub server_config: Arc<rustls::ServerConfig>,
}

impl TestCertificate {
    /// Generate a fresh key pair and a certificate for `localhost` and `127.0.0.1`.
    pub fn localhost() -> Result<TestCertificate, String> {
        Self::for_names(&["localhost", "127.0.0.1"])
    }

    /// Generate a certificate for these DNS names / IP addresses.
    pub fn for_names(names: &[&str]) -> Result<TestCertificate, String> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| format!("certificate generation failed: {e}"))?;
        let cert_der = certified.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS versions: {e}"))?
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone()], key)
            .map_err(|e| format!("TLS server config: {e}"))?;
        Ok(TestCertificate {
            cert_der,
            server_config: Arc::new(server_config),
        })
    }

    /// A rustls client config trusting only this certificate, offering `h2` and `http/1.1`.
    pub fn client_config(&self) -> Result<rustls::ClientConfig, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert_der.clone())
            .map_err(|e| format!("trusting the test certificate: {e}"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS versions: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }
}

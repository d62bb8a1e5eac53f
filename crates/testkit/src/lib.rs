//! Test support for every layer, offline.
//!
//! A mock Bedrock that speaks the real wire protocol on 127.0.0.1 (JSON and binary event
//! streams, SigV4 verification, fault injection), fakes of the credential services, and
//! golden-file helpers.
//!
//! What it must not do: contact any address other than loopback, or be a dependency of any
//! non-test code path.
#![deny(missing_docs)]

pub mod credentials;
pub mod eventstream;
pub mod golden;
pub mod mock;
pub mod sigv4;
pub mod tls;

pub use mock::{MockBedrock, MockRequest, Operation, Reply, RouteMatch};
pub use sigv4::SigV4Verifier;

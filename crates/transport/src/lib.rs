//! Raw HTTP I/O to Bedrock over hyper 1.x.
//!
//! This crate sends request parts that were built (and signed) upstream, byte for byte, over a
//! pooled hyper client with rustls, and returns either a bounded whole body or a stream of
//! decoded event-stream messages.
//!
//! What it must not do: build or change request bodies, sign anything, resolve credentials or
//! know any model family. Only this crate (and the testkit's servers) knows hyper and rustls.
#![deny(missing_docs)]

mod client;
pub mod eventstream;
mod pool;
mod proxy;
pub mod retry;
mod stream;

pub use client::{HttpTransport, TransportConfig};
pub use proxy::ProxyConfig;
pub use retry::{Attempted, RetryPolicy, retry};
pub use stream::{EventStream, RawStream};

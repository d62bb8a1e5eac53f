//! Credentials and request signing for Bedrock.
//!
//! Resolves AWS credentials from every source a LiteLLM user relies on (explicit parameters,
//! environment, profile files, credential_process, SSO, STS AssumeRole and web identity,
//! container and instance metadata, bearer API keys), caches them, and signs requests with
//! SigV4. Also home to the one region resolver and the one endpoint resolver.
//!
//! What it must not do: build request bodies or know model families; it signs the exact bytes
//! it is given.
#![deny(missing_docs)]

//! The embedded capability and price table, keyed by base model id.

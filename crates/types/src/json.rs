//! Parsing request JSON with errors that name the field.

use serde::de::DeserializeOwned;

use crate::{Error, ErrorKind};

/// Parse `bytes` as `T`; on failure the error names the JSON path (`messages[2].role`) and what
/// was expected there.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if path == "." || path.is_empty() {
            format!("invalid request body: {inner}")
        } else {
            format!("invalid value at `{path}`: {inner}")
        };
        let err = Error::new(ErrorKind::BadRequest, message);
        if path == "." || path.is_empty() {
            err
        } else {
            err.with_param(path)
        }
    })
}

/// Like [`from_slice`], from a parsed JSON value.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::new(
            ErrorKind::BadRequest,
            format!("invalid value at `{path}`: {}", e.into_inner()),
        )
        .with_param(path)
    })
}

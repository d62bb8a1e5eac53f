//! Golden-file assertions: pretty JSON on disk, rewritten only with `UPDATE_GOLDEN=1`.

use std::path::Path;

use serde::Serialize;

/// Whether golden files should be rewritten instead of compared (`UPDATE_GOLDEN=1`).
pub fn update_requested() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Compare `value`, rendered as pretty JSON, with the file at `path`.
///
/// With `UPDATE_GOLDEN=1` the file is (re)written instead. A missing file is an error unless
/// updating, so a forgotten golden never passes silently. On mismatch the panic message is a
/// line diff of expected against actual.
///
/// # Panics
/// On mismatch, on a missing golden file, or when the file cannot be read or written; this is
/// a test assertion.
pub fn assert_golden(path: impl AsRef<Path>, value: &impl Serialize) {
    let path = path.as_ref();
    let actual = match serde_json::to_string_pretty(value) {
        Ok(s) => s + "\n",
        Err(e) => panic!("cannot render golden value for {}: {e}", path.display()),
    };
    if update_requested() {
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            panic!("cannot create {}: {e}", dir.display());
        }
        if let Err(e) = std::fs::write(path, &actual) {
            panic!("cannot write golden {}: {e}", path.display());
        }
        return;
    }
    let expected = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => panic!(
            "golden file {} is unreadable ({e}); run with UPDATE_GOLDEN=1 to create it, then review the diff",
            path.display()
        ),
    };
    if normalize(&expected) != normalize(&actual) {
        panic!(
            "golden mismatch for {} (rerun with UPDATE_GOLDEN=1 to accept, then review the diff):\n{}",
            path.display(),
            pretty_assertions::StrComparison::new(&expected, &actual)
        );
    }
}

fn normalize(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end().to_owned()
}

/// Read a JSON fixture file into any deserialisable type.
///
/// # Panics
/// When the file is missing or is not valid JSON for `T`; this is a test helper.
pub fn read_json<T: serde::de::DeserializeOwned>(path: impl AsRef<Path>) -> T {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("fixture {} is not valid: {e}", path.display()))
}

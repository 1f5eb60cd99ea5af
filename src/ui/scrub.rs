//! The last line of defence for secrets: every secret value an operation handles is remembered
//! in the [`Scrubber`] of its UI, and every line that UI writes (stdout data, status, progress,
//! `-v` logs, the final error) passes through [`Scrubber::scrub`], which replaces them.
//!
//! Redaction at the source (Secret data in diffs, schema-marked values: `diff::redact`) comes
//! first; this catches what slips through, such as an API server error that quotes a value back.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::Value;

const MARK: &str = "<redacted>";

/// Shorter values would redact ordinary words ("true", "3") and hide more than they protect.
const MIN_LEN: usize = 6;

/// The secret values one run of todoctl has seen. Cheap to clone; every clone shares the list,
/// so what an operation remembers is scrubbed from everything the UI writes afterwards.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// Longest first, so a secret that contains another is replaced whole.
    secrets: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values themselves.
        let n = self.secrets.lock().map(|s| s.len()).unwrap_or_default();
        write!(f, "Scrubber({n} values)")
    }
}

impl Scrubber {
    /// Remembers a secret value, and its base64 form, which is how Secret data travels.
    pub fn remember(&self, value: &str) {
        if value.len() < MIN_LEN {
            return;
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(value);
        let Ok(mut secrets) = self.secrets.lock() else {
            return;
        };
        for v in [value.to_string(), encoded] {
            if !secrets.contains(&v) {
                secrets.push(v);
            }
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Remembers the values of a Secret object (`data` decoded, and `stringData`).
    pub fn remember_object(&self, object: &Value) {
        if object.get("kind").and_then(Value::as_str) != Some("Secret") {
            return;
        }
        if let Some(data) = object.get("data").and_then(Value::as_object) {
            for v in data.values().filter_map(Value::as_str) {
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(v)
                    && let Ok(text) = String::from_utf8(bytes)
                {
                    self.remember(&text);
                }
            }
        }
        if let Some(data) = object.get("stringData").and_then(Value::as_object) {
            for v in data.values().filter_map(Value::as_str) {
                self.remember(v);
            }
        }
    }

    /// Remembers the values at the given dotted paths (the schema's secret values).
    pub fn remember_values(&self, values: &Value, paths: &[String]) {
        for p in paths {
            if let Some(v) = crate::values::get_path(values, p).and_then(Value::as_str) {
                self.remember(v);
            }
        }
    }

    /// The text with every remembered secret replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let Ok(secrets) = self.secrets.lock() else {
            return text.to_string();
        };
        let mut out = text.to_string();
        for s in secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MARK);
            }
        }
        out
    }

    /// Whether nothing was remembered (then scrubbing changes nothing).
    pub fn is_empty(&self) -> bool {
        self.secrets.lock().map(|s| s.is_empty()).unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_values_are_scrubbed_in_plain_and_base64_form() {
        let s = Scrubber::default();
        s.remember("sk-unit-test-sentinel");
        let b64 = base64::engine::general_purpose::STANDARD.encode("sk-unit-test-sentinel");
        let text = format!("key sk-unit-test-sentinel and {b64} here");
        assert_eq!(s.scrub(&text), "key <redacted> and <redacted> here");
    }

    #[test]
    fn secret_objects_and_value_paths() {
        let s = Scrubber::default();
        let secret = serde_json::json!({"kind": "Secret", "data": {"k": base64::engine::general_purpose::STANDARD.encode("object-sentinel-1")}, "stringData": {"s": "object-sentinel-2"}});
        s.remember_object(&secret);
        s.remember_values(
            &serde_json::json!({"a": {"b": "values-sentinel-3"}}),
            &["a.b".to_string()],
        );
        let out = s.scrub("object-sentinel-1 object-sentinel-2 values-sentinel-3");
        assert_eq!(out, "<redacted> <redacted> <redacted>");
    }

    #[test]
    fn short_values_are_not_remembered() {
        let s = Scrubber::default();
        s.remember("true");
        assert_eq!(s.scrub("true"), "true");
    }

    #[test]
    fn clones_share_what_was_remembered_and_separate_scrubbers_do_not() {
        let a = Scrubber::default();
        let b = a.clone();
        let other = Scrubber::default();
        a.remember("shared-sentinel-4");
        assert_eq!(b.scrub("shared-sentinel-4"), MARK);
        assert_eq!(other.scrub("shared-sentinel-4"), "shared-sentinel-4");
    }
}

//! The last line of defence for secrets: every secret value todoctl handles is remembered here,
//! and every message bound for a terminal or log passes through `scrub`, which replaces them.
//!
//! Redaction at the source (Secret data in diffs, schema-marked values) comes first; this catches
//! what slips through, such as an API server error that quotes a value back.

use std::sync::Mutex;

use base64::Engine as _;
use serde_json::Value;

const MARK: &str = "<redacted>";

/// Shorter values would redact ordinary words ("true", "3") and hide more than they protect.
const MIN_LEN: usize = 6;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret value, and its base64 form, which is how Secret data travels.
pub fn remember(value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(value);
    let Ok(mut secrets) = SECRETS.lock() else {
        return;
    };
    for v in [value.to_string(), encoded] {
        if !secrets.contains(&v) {
            secrets.push(v);
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Remembers the values of a Secret object (`data` decoded, and `stringData`).
pub fn remember_object(object: &Value) {
    if object.get("kind").and_then(Value::as_str) != Some("Secret") {
        return;
    }
    if let Some(data) = object.get("data").and_then(Value::as_object) {
        for v in data.values().filter_map(Value::as_str) {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(v)
                && let Ok(text) = String::from_utf8(bytes)
            {
                remember(&text);
            }
        }
    }
    if let Some(data) = object.get("stringData").and_then(Value::as_object) {
        for v in data.values().filter_map(Value::as_str) {
            remember(v);
        }
    }
}

/// Remembers the values at the given dotted paths (the schema's secret values).
pub fn remember_values(values: &Value, paths: &[String]) {
    for p in paths {
        if let Some(v) = crate::values::get_path(values, p).and_then(Value::as_str) {
            remember(v);
        }
    }
}

/// The text with every remembered secret replaced by `<redacted>`.
pub fn scrub(text: &str) -> String {
    let Ok(secrets) = SECRETS.lock() else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_values_are_scrubbed_in_plain_and_base64_form() {
        remember("sk-unit-test-sentinel");
        let b64 = base64::engine::general_purpose::STANDARD.encode("sk-unit-test-sentinel");
        let text = format!("key sk-unit-test-sentinel and {b64} here");
        assert_eq!(scrub(&text), "key <redacted> and <redacted> here");
    }

    #[test]
    fn secret_objects_and_value_paths() {
        let secret = serde_json::json!({"kind": "Secret", "data": {"k": base64::engine::general_purpose::STANDARD.encode("object-sentinel-1")}, "stringData": {"s": "object-sentinel-2"}});
        remember_object(&secret);
        remember_values(
            &serde_json::json!({"a": {"b": "values-sentinel-3"}}),
            &["a.b".to_string()],
        );
        let out = scrub("object-sentinel-1 object-sentinel-2 values-sentinel-3");
        assert_eq!(out, "<redacted> <redacted> <redacted>");
    }

    #[test]
    fn short_values_are_not_remembered() {
        remember("true");
        assert_eq!(scrub("true"), "true");
    }
}

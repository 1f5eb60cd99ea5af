//! Secret values never reach the terminal: Secrets show markers in place of their values (one
//! that still says whether a key changed), and values files hide the paths a chart declares
//! secret. A marker is a fixed string; it carries no prefix, length or hash of the value.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

pub const REDACTED: &str = "<redacted>";
pub const REDACTED_CHANGED: &str = "<redacted: changed>";
pub const REDACTED_ADDED: &str = "<redacted: added>";

/// The fields of a Secret that hold values.
const VALUE_FIELDS: &[&str] = &["data", "stringData"];

/// Annotations that can carry a whole copy of the object, values included.
const COPY_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Secrets by kind alone: a custom resource named Secret in another group is redacted too,
/// which costs nothing and may save a value.
pub fn is_secret(obj: &Value) -> bool {
    obj.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// A copy of `obj` with every value under `data` and `stringData` replaced by `<redacted>`;
/// objects of other kinds come back unchanged.
pub fn redact_secret(obj: &Value) -> Value {
    let mut out = obj.clone();
    if !is_secret(obj) {
        return out;
    }
    if let Some(root) = out.as_object_mut() {
        for field in VALUE_FIELDS {
            if let Some(values) = root.get_mut(*field) {
                *values = mark_all(values, REDACTED);
            }
        }
        redact_copies(root);
    }
    out
}

/// Redacts both sides of a Secret change while keeping the change visible: a key with the same
/// value on both sides reads `<redacted>` twice, a changed key `<redacted>` before and
/// `<redacted: changed>` after, a new key `<redacted: added>`, and a removed key is only
/// there before. Values are compared as the API server stores them: `stringData` is folded
/// into `data` (and wins over it), and `data` is compared base64-decoded, so both sides come
/// back with a single `data` map. Both sides are taken to be Secrets. A whole Secret created
/// or deleted shows plain `<redacted>` markers.
pub fn redact_secret_pair(
    before: Option<&Value>,
    after: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    let (Some(before), Some(after)) = (before, after) else {
        return (
            before.map(|b| redact_folded(b, &BTreeMap::new())),
            after.map(|a| redact_folded(a, &BTreeMap::new())),
        );
    };
    let old = stored_values(before);
    let new = stored_values(after);
    let after_markers = new
        .iter()
        .map(|(key, value)| {
            let marker = match old.get(key) {
                Some(previous) if previous == value => REDACTED,
                Some(_) => REDACTED_CHANGED,
                None => REDACTED_ADDED,
            };
            (key.clone(), marker)
        })
        .collect();
    (
        Some(redact_folded(before, &BTreeMap::new())),
        Some(redact_folded(after, &after_markers)),
    )
}

/// Folds `stringData` into `data` and puts a marker in place of every value: the one from
/// `markers`, else `<redacted>`.
fn redact_folded(obj: &Value, markers: &BTreeMap<String, &str>) -> Value {
    let mut out = obj.clone();
    let keys: Vec<String> = stored_values(obj).into_keys().collect();
    let Some(root) = out.as_object_mut() else {
        return out;
    };
    let had_values = VALUE_FIELDS.iter().any(|f| root.contains_key(*f));
    let malformed = VALUE_FIELDS
        .iter()
        .any(|f| root.get(*f).is_some_and(|v| !v.is_object() && !v.is_null()));
    for field in VALUE_FIELDS {
        root.remove(*field);
    }
    if malformed {
        // Not a map of keys: nothing to compare key by key, and nothing may leak.
        root.insert("data".into(), REDACTED.into());
    } else if had_values {
        let data: Map<String, Value> = keys
            .into_iter()
            .map(|key| {
                let marker = markers.get(&key).copied().unwrap_or(REDACTED);
                (key, Value::from(marker))
            })
            .collect();
        root.insert("data".into(), Value::Object(data));
    }
    redact_copies(root);
    out
}

/// What the API server would store under each key: `data` base64-decoded, then `stringData`
/// as bytes on top. A value that is not valid base64 (or not a string) is compared as it is.
fn stored_values(obj: &Value) -> BTreeMap<String, Stored> {
    let mut out = BTreeMap::new();
    if let Some(data) = obj.get("data").and_then(Value::as_object) {
        for (key, value) in data {
            let stored = match value.as_str().map(|s| STANDARD.decode(s)) {
                Some(Ok(bytes)) => Stored::Bytes(bytes),
                _ => Stored::Other(value.clone()),
            };
            out.insert(key.clone(), stored);
        }
    }
    if let Some(string_data) = obj.get("stringData").and_then(Value::as_object) {
        for (key, value) in string_data {
            let stored = match value.as_str() {
                Some(s) => Stored::Bytes(s.as_bytes().to_vec()),
                None => Stored::Other(value.clone()),
            };
            out.insert(key.clone(), stored);
        }
    }
    out
}

#[derive(PartialEq)]
enum Stored {
    Bytes(Vec<u8>),
    Other(Value),
}

/// Folds `stringData` into base64 `data` the way the API server does, for diffs that show
/// values: otherwise a key moved from one field to the other would read as removed and added.
pub(crate) fn fold_string_data(obj: &Value) -> Value {
    let mut out = obj.clone();
    let Some(root) = out.as_object_mut() else {
        return out;
    };
    let Some(Value::Object(string_data)) = root.remove("stringData") else {
        return out;
    };
    let data = root
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(data) = data.as_object_mut() {
        for (key, value) in string_data {
            let encoded = match value.as_str() {
                Some(s) => Value::from(STANDARD.encode(s)),
                None => value,
            };
            data.insert(key, encoded);
        }
    }
    out
}

fn redact_copies(root: &mut Map<String, Value>) {
    let annotations = root
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut);
    if let Some(annotations) = annotations {
        for name in COPY_ANNOTATIONS {
            if let Some(value) = annotations.get_mut(*name) {
                *value = REDACTED.into();
            }
        }
    }
}

/// Every value inside a map (or the value itself, if it is not a map) becomes `marker`.
fn mark_all(values: &Value, marker: &str) -> Value {
    match values {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|k| (k.clone(), Value::from(marker)))
                .collect(),
        ),
        Value::Null => Value::Null,
        _ => Value::from(marker),
    }
}

/// A copy of a values tree with the value at each dotted path (`database.auth.password`)
/// replaced by `<redacted>`. A path that meets a list goes on into every element
/// (`users.password`); a numeric segment picks one (`users.0.password`). A map or list at the
/// path is redacted leaf by leaf, so its keys stay readable. Empty strings and `null` stay as
/// they are, so users can see what is unset.
pub fn redact_values(values: &Value, secret_paths: &[String]) -> Value {
    let mut out = values.clone();
    for path in secret_paths {
        let segments: Vec<&str> = path
            .split('.')
            .flat_map(split_index)
            .filter(|s| !s.is_empty())
            .collect();
        if !segments.is_empty() {
            redact_at(&mut out, &segments);
        }
    }
    out
}

/// `env[0]` -> `env`, `0`, so list indexes may be written either way.
fn split_index(segment: &str) -> Vec<&str> {
    segment
        .split(['[', ']'])
        .filter(|s| !s.is_empty())
        .collect()
}

fn redact_at(value: &mut Value, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        redact_leaves(value);
        return;
    };
    match value {
        Value::Object(map) => {
            if let Some(child) = map.get_mut(*first) {
                redact_at(child, rest);
            }
        }
        Value::Array(items) => match first.parse::<usize>() {
            Ok(index) => {
                if let Some(item) = items.get_mut(index) {
                    redact_at(item, rest);
                }
            }
            Err(_) => {
                for item in items {
                    redact_at(item, path);
                }
            }
        },
        _ => {}
    }
}

fn redact_leaves(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(redact_leaves),
        Value::Array(items) => items.iter_mut().for_each(redact_leaves),
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        other => *other = REDACTED.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SENTINEL: &str = "S3NTINEL-do-not-print";

    fn b64(s: &str) -> String {
        STANDARD.encode(s)
    }

    fn secret(data: Value, string_data: Value) -> Value {
        let mut s = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "creds"}, "type": "Opaque"});
        if !data.is_null() {
            s["data"] = data;
        }
        if !string_data.is_null() {
            s["stringData"] = string_data;
        }
        s
    }

    fn assert_hidden(v: &Value) {
        let text = v.to_string();
        assert!(!text.contains(SENTINEL), "{text}");
        assert!(!text.contains(&b64(SENTINEL)), "{text}");
    }

    #[test]
    fn every_value_is_redacted() {
        let s = secret(
            json!({"password": b64(SENTINEL)}),
            json!({"token": SENTINEL}),
        );
        let out = redact_secret(&s);
        assert_hidden(&out);
        assert_eq!(out["data"], json!({"password": REDACTED}));
        assert_eq!(out["stringData"], json!({"token": REDACTED}));
        assert_eq!(out["type"], "Opaque");
    }

    #[test]
    fn other_kinds_are_untouched() {
        let cm = json!({"kind": "ConfigMap", "data": {"a": "b"}});
        assert_eq!(redact_secret(&cm), cm);
    }

    #[test]
    fn last_applied_copy_is_redacted() {
        let mut s = secret(json!({"p": b64(SENTINEL)}), Value::Null);
        s["metadata"]["annotations"] = json!({
            "kubectl.kubernetes.io/last-applied-configuration": s.to_string()
        });
        assert_hidden(&redact_secret(&s));
        let (a, b) = redact_secret_pair(Some(&s), Some(&s));
        assert_hidden(&a.unwrap_or_default());
        assert_hidden(&b.unwrap_or_default());
    }

    #[test]
    fn malformed_data_is_redacted_whole() {
        let s = json!({"kind": "Secret", "data": SENTINEL, "stringData": [SENTINEL]});
        assert_hidden(&redact_secret(&s));
        let (a, b) = redact_secret_pair(Some(&s), Some(&s));
        assert_eq!(a.unwrap_or_default()["data"], REDACTED);
        assert_hidden(&b.unwrap_or_default());
    }

    #[test]
    fn pair_marks_unchanged_changed_added_and_removed_keys() {
        let before = secret(
            json!({"same": b64("x"), "changed": b64("old"), "removed": b64(SENTINEL)}),
            Value::Null,
        );
        let after = secret(
            json!({"same": b64("x"), "changed": b64(SENTINEL), "added": b64(SENTINEL)}),
            Value::Null,
        );
        let (b, a) = redact_secret_pair(Some(&before), Some(&after));
        let (b, a) = (b.unwrap_or_default(), a.unwrap_or_default());
        assert_hidden(&b);
        assert_hidden(&a);
        assert_eq!(
            b["data"],
            json!({"changed": REDACTED, "removed": REDACTED, "same": REDACTED})
        );
        assert_eq!(
            a["data"],
            json!({"added": REDACTED_ADDED, "changed": REDACTED_CHANGED, "same": REDACTED})
        );
    }

    #[test]
    fn string_data_equals_data_with_the_same_decoded_value() {
        let live = secret(json!({"token": b64(SENTINEL)}), Value::Null);
        let desired = secret(Value::Null, json!({"token": SENTINEL}));
        let (b, a) = redact_secret_pair(Some(&live), Some(&desired));
        assert_eq!(b, a);
        assert_eq!(a.unwrap_or_default()["data"], json!({"token": REDACTED}));
    }

    #[test]
    fn string_data_wins_over_data_for_the_same_key() {
        let live = secret(json!({"token": b64("new")}), Value::Null);
        let desired = secret(json!({"token": b64("old")}), json!({"token": "new"}));
        let (_, a) = redact_secret_pair(Some(&live), Some(&desired));
        assert_eq!(a.unwrap_or_default()["data"]["token"], REDACTED);
    }

    #[test]
    fn created_and_deleted_secrets_show_plain_markers() {
        let s = secret(json!({"k": b64(SENTINEL)}), json!({"j": SENTINEL}));
        let (b, a) = redact_secret_pair(None, Some(&s));
        assert!(b.is_none());
        assert_eq!(
            a.unwrap_or_default()["data"],
            json!({"j": REDACTED, "k": REDACTED})
        );
        let (b, a) = redact_secret_pair(Some(&s), None);
        assert!(a.is_none());
        assert_hidden(&b.unwrap_or_default());
    }

    #[test]
    fn folding_encodes_string_data_into_data() {
        let s = secret(json!({"a": b64("1")}), json!({"b": "2"}));
        let folded = fold_string_data(&s);
        assert_eq!(folded["data"], json!({"a": b64("1"), "b": b64("2")}));
        assert!(folded.get("stringData").is_none());
    }

    #[test]
    fn values_paths_nested_and_through_lists() {
        let values = json!({
            "secrets": {"openaiApiKey": SENTINEL, "unset": ""},
            "database": {"auth": {"password": SENTINEL, "user": "todo"}},
            "users": [{"name": "a", "password": SENTINEL}, {"name": "b", "password": ""}],
            "env": [{"name": "X", "value": SENTINEL}, {"name": "Y", "value": "public"}],
            "empty": {"password": ""},
            "pin": 1234
        });
        let paths: Vec<String> = [
            "secrets",
            "database.auth.password",
            "users.password",
            "env[0].value",
            "empty.password",
            "missing.path",
            "pin",
            "",
        ]
        .map(String::from)
        .to_vec();
        let out = redact_values(&values, &paths);
        assert_hidden(&out);
        assert_eq!(
            out,
            json!({
                "secrets": {"openaiApiKey": REDACTED, "unset": ""},
                "database": {"auth": {"password": REDACTED, "user": "todo"}},
                "users": [{"name": "a", "password": REDACTED}, {"name": "b", "password": ""}],
                "env": [{"name": "X", "value": REDACTED}, {"name": "Y", "value": "public"}],
                "empty": {"password": ""},
                "pin": REDACTED
            })
        );
        let dotted_index = redact_values(&values, &["env.1.value".to_string()]);
        assert_eq!(dotted_index["env"][1]["value"], REDACTED);
        assert_eq!(dotted_index["env"][0]["value"], SENTINEL);
    }
}
